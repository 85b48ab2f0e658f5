//! The embedded typeface: Liberation Serif (SIL Open Font License, `fonts/COPYRIGHT`), metric
//! compatible with Times New Roman, which the state document format (NĐ 30/2020/NĐ-CP)
//! prescribes. It carries every Vietnamese precomposed letter, so no text depends on fonts
//! installed on the server.

use std::sync::OnceLock;

use ttf_parser::{Face, GlyphId};

/// The faces a form may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Style {
    Regular,
    Bold,
    Italic,
}

impl Style {
    pub const ALL: [Style; 3] = [Style::Regular, Style::Bold, Style::Italic];

    pub(crate) fn index(self) -> usize {
        match self {
            Style::Regular => 0,
            Style::Bold => 1,
            Style::Italic => 2,
        }
    }

    pub(crate) fn postscript_name(self) -> &'static str {
        match self {
            Style::Regular => "LiberationSerif",
            Style::Bold => "LiberationSerif-Bold",
            Style::Italic => "LiberationSerif-Italic",
        }
    }
}

const REGULAR: &[u8] = include_bytes!("../fonts/LiberationSerif-Regular.ttf");
const BOLD: &[u8] = include_bytes!("../fonts/LiberationSerif-Bold.ttf");
const ITALIC: &[u8] = include_bytes!("../fonts/LiberationSerif-Italic.ttf");

/// A parsed face with what layout and embedding need.
pub struct Font {
    pub(crate) data: &'static [u8],
    face: Face<'static>,
    units_per_em: f32,
}

impl Font {
    fn parse(data: &'static [u8]) -> Font {
        // The embedded fonts are fixed at build time; a test parses every one.
        let face = Face::parse(data, 0).expect("embedded font parses");
        let units_per_em = f32::from(face.units_per_em());
        Font { data, face, units_per_em }
    }

    pub fn get(style: Style) -> &'static Font {
        static FONTS: OnceLock<[Font; 3]> = OnceLock::new();
        &FONTS.get_or_init(|| [Font::parse(REGULAR), Font::parse(BOLD), Font::parse(ITALIC)])[style.index()]
    }

    /// The glyph of a character; a character the face lacks becomes `?` so a stray symbol in
    /// data cannot make a form unprintable.
    pub fn glyph(&self, c: char) -> GlyphId {
        self.face.glyph_index(c).or_else(|| self.face.glyph_index('?')).unwrap_or(GlyphId(0))
    }

    pub fn has_glyph(&self, c: char) -> bool {
        self.face.glyph_index(c).is_some()
    }

    /// Advance width of a glyph in thousandths of the font size (the PDF unit).
    pub fn advance(&self, glyph: GlyphId) -> f32 {
        f32::from(self.face.glyph_hor_advance(glyph).unwrap_or(0)) * 1000.0 / self.units_per_em
    }

    /// Width of a text at a font size, in points.
    pub fn width(&self, text: &str, size: f32) -> f32 {
        text.chars().map(|c| self.advance(self.glyph(c))).sum::<f32>() * size / 1000.0
    }

    pub(crate) fn scaled(&self, units: i16) -> f32 {
        f32::from(units) * 1000.0 / self.units_per_em
    }

    pub(crate) fn ascender(&self) -> f32 {
        self.scaled(self.face.ascender())
    }

    pub(crate) fn descender(&self) -> f32 {
        self.scaled(self.face.descender())
    }

    pub(crate) fn cap_height(&self) -> f32 {
        self.scaled(self.face.capital_height().unwrap_or(self.face.ascender()))
    }

    pub(crate) fn bbox(&self) -> [f32; 4] {
        let b = self.face.global_bounding_box();
        [self.scaled(b.x_min), self.scaled(b.y_min), self.scaled(b.x_max), self.scaled(b.y_max)]
    }

    pub(crate) fn italic_angle(&self) -> f32 {
        self.face.italic_angle()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_vietnamese_letter_has_a_glyph_in_every_style() {
        let letters = "aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghiìíỉĩịklmnoòóỏõọôồốổỗộơờớởỡợpqrstuùúủũụưừứửữựvxyỳýỷỹỵ";
        for style in Style::ALL {
            let font = Font::get(style);
            for c in letters.chars().chain(letters.to_uppercase().chars()) {
                assert!(font.has_glyph(c), "{style:?} lacks {c}");
            }
        }
    }

    #[test]
    fn widths_are_plausible_and_bold_is_wider() {
        let regular = Font::get(Style::Regular).width("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 12.0);
        let bold = Font::get(Style::Bold).width("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 12.0);
        assert!(regular > 150.0 && regular < 300.0, "{regular}");
        assert!(bold > regular);
    }
}
