//! PDF output: each face used is embedded as a subset TrueType CID font (Identity-H) with a
//! ToUnicode map, so the text of a form can be searched, copied and extracted; content and
//! fonts are deflated. The output is deterministic: the same form gives the same bytes.

use std::collections::BTreeMap;

use miniz_oxide::deflate::compress_to_vec_zlib;
use pdf_writer::types::{CidFontType, FontFlags, SystemInfo};
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

use crate::fonts::{Font, Style};
use crate::layout::{Op, Page};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PdfError {
    #[error("không nhúng được phông chữ: {0}")]
    Font(String),
}

/// Glyphs used per style, with the character each one stands for.
#[derive(Default)]
struct Usage {
    glyphs: BTreeMap<Style, BTreeMap<u16, char>>,
}

impl Usage {
    fn encode(&mut self, style: Style, text: &str) -> Vec<u8> {
        let font = Font::get(style);
        let used = self.glyphs.entry(style).or_default();
        let mut out = Vec::with_capacity(text.len() * 2);
        for c in text.chars() {
            let g = font.glyph(c).0;
            used.entry(g).or_insert(c);
            out.extend_from_slice(&g.to_be_bytes());
        }
        out
    }
}

fn font_resource(style: Style) -> Name<'static> {
    match style {
        Style::Regular => Name(b"F1"),
        Style::Bold => Name(b"F2"),
        Style::Italic => Name(b"F3"),
    }
}

fn deflate(data: &[u8]) -> Vec<u8> {
    compress_to_vec_zlib(data, 6)
}

pub fn write(pages: &[Page], page_size: (f32, f32), title: &str) -> Result<Vec<u8>, PdfError> {
    let mut usage = Usage::default();
    let mut next = 1;
    let mut alloc = || {
        let r = Ref::new(next);
        next += 1;
        r
    };
    let catalog_id = alloc();
    let tree_id = alloc();
    let info_id = alloc();
    let (width, height) = page_size;

    // Content first: it decides which glyphs the fonts must carry.
    let mut contents: Vec<Vec<u8>> = Vec::with_capacity(pages.len());
    for page in pages {
        let mut content = Content::new();
        for op in &page.ops {
            match op {
                Op::Text { x, y, style, size, text } => {
                    let bytes = usage.encode(*style, text);
                    content.begin_text();
                    content.set_font(font_resource(*style), *size);
                    content.next_line(*x, height - y);
                    content.show(Str(&bytes));
                    content.end_text();
                }
                Op::Line { x1, y1, x2, y2, width: w } => {
                    content.set_line_width(*w);
                    content.move_to(*x1, height - y1);
                    content.line_to(*x2, height - y2);
                    content.stroke();
                }
                Op::Fill { x, y, w, h } => {
                    content.rect(*x, height - y - h, *w, *h);
                    content.fill_nonzero();
                }
            }
        }
        contents.push(deflate(&content.finish().into_vec()));
    }

    let mut pdf = Pdf::new();
    let page_ids: Vec<Ref> = pages.iter().map(|_| alloc()).collect();
    let content_ids: Vec<Ref> = pages.iter().map(|_| alloc()).collect();
    let font_ids: BTreeMap<Style, Ref> = usage.glyphs.keys().map(|s| (*s, alloc())).collect();

    pdf.catalog(catalog_id).pages(tree_id).lang(TextStr("vi"));
    pdf.document_info(info_id).title(TextStr(title)).producer(TextStr("motcua"));
    pdf.pages(tree_id).kids(page_ids.iter().copied()).count(page_ids.len() as i32);
    for (i, page_id) in page_ids.iter().enumerate() {
        let mut page = pdf.page(*page_id);
        page.media_box(Rect::new(0.0, 0.0, width, height));
        page.parent(tree_id);
        page.contents(content_ids[i]);
        let mut resources = page.resources();
        let mut fonts = resources.fonts();
        for (style, id) in &font_ids {
            fonts.pair(font_resource(*style), *id);
        }
        fonts.finish();
        resources.finish();
        page.finish();
        pdf.stream(content_ids[i], &contents[i]).filter(Filter::FlateDecode);
    }

    for (n, (style, type0_id)) in font_ids.iter().enumerate() {
        let font = Font::get(*style);
        let used = &usage.glyphs[style];
        let (cid_id, descriptor_id, file_id, cmap_id) = (alloc(), alloc(), alloc(), alloc());
        // A subset's name carries a six-letter tag (ISO 32000 9.6.4); fixed tags keep output stable.
        let base = format!("MCUAA{}+{}", (b'A' + n as u8) as char, style.postscript_name());
        let base = Name(base.as_bytes());
        let info = SystemInfo { registry: Str(b"Adobe"), ordering: Str(b"Identity"), supplement: 0 };

        pdf.type0_font(*type0_id)
            .base_font(base)
            .encoding_predefined(Name(b"Identity-H"))
            .descendant_font(cid_id)
            .to_unicode(cmap_id);

        let mut cid = pdf.cid_font(cid_id);
        cid.subtype(CidFontType::Type2).base_font(base).system_info(info).font_descriptor(descriptor_id);
        cid.default_width(0.0).cid_to_gid_map_predefined(Name(b"Identity"));
        let mut widths = cid.widths();
        for g in used.keys() {
            widths.consecutive(*g, [font.advance(ttf_parser::GlyphId(*g))]);
        }
        widths.finish();
        cid.finish();

        let bbox = font.bbox();
        let mut flags = FontFlags::SERIF | FontFlags::SYMBOLIC;
        if *style == Style::Italic {
            flags |= FontFlags::ITALIC;
        }
        pdf.font_descriptor(descriptor_id)
            .name(base)
            .flags(flags)
            .bbox(Rect::new(bbox[0], bbox[1], bbox[2], bbox[3]))
            .italic_angle(font.italic_angle())
            .ascent(font.ascender())
            .descent(font.descender())
            .cap_height(font.cap_height())
            .stem_v(if *style == Style::Bold { 140.0 } else { 80.0 })
            .font_file2(file_id);

        let glyphs: Vec<u16> = std::iter::once(0).chain(used.keys().copied()).collect();
        let subset = subsetter::subset(font.data, 0, subsetter::Profile::pdf(&glyphs))
            .map_err(|e| PdfError::Font(format!("{e:?}")))?;
        let compressed = deflate(&subset);
        pdf.stream(file_id, &compressed).filter(Filter::FlateDecode);

        let mut cmap = pdf_writer::types::UnicodeCmap::new(Name(b"Custom"), info);
        for (g, c) in used {
            cmap.pair(*g, *c);
        }
        let cmap = cmap.finish();
        pdf.cmap(cmap_id, &cmap);
    }
    Ok(pdf.finish())
}
