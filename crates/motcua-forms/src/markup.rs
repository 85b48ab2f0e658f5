//! The form markup: what a rendered template is, before layout. Line-oriented so a province's
//! clerk can edit a form in a text editor:
//!
//! - each plain line is a paragraph (blank lines are ignored; `@space` adds room); a line
//!   starting with `- `, `1. ` or `a) ` is a list item with a hanging indent;
//! - `**bold**`, `*italic*`; `\` escapes the next character and `\n` breaks the line;
//! - directives start with `@`: `@page A5|A4 [landscape]`, `@margins T R B L` (mm),
//!   `@font-size`, `@leading`, `@paragraph-spacing` (pt), `@indent` (mm, first line),
//!   `@meta-title`, `@title`, `@center`, `@right`, `@left`, `@space` (pt), `@pagebreak`,
//!   `@qr SIZE_MM DATA | caption [|| DATA | caption]` (codes side by side), `@keep` … `@end-keep` (what lies between stays on one page,
//!   and takes the block before it along when it moves: a signature block is never alone on a
//!   page), and the blocks `@columns W…` / `@table W…` (column
//!   widths in percent) closed by `@end`, whose lines are rows of cells split by `|`
//!   (`a | b`, no leading bar; a table's first row is its header; a cell `---` in columns draws a short rule).

use unicode_normalization::UnicodeNormalization;

use crate::fonts::Style;

pub const MM: f32 = 72.0 / 25.4;

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Align {
    Left,
    Center,
    Right,
    Justify,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Span {
    pub style: Style,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Paragraph {
    pub spans: Vec<Span>,
    pub align: Align,
    /// Font size in points.
    pub size: f32,
    /// First-line indent in points.
    pub indent: f32,
    /// Indent of the following lines in points (list items).
    pub hanging: f32,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(Vec<Span>),
    Rule,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Paragraph(Paragraph),
    Columns {
        widths: Vec<f32>,
        rows: Vec<Vec<Cell>>,
        font_size: f32,
    },
    Table {
        widths: Vec<f32>,
        header: Vec<Vec<Span>>,
        rows: Vec<Vec<Vec<Span>>>,
        font_size: f32,
    },
    Space(f32),
    /// QR codes side by side, each with its caption to its left.
    Qr {
        size: f32,
        codes: Vec<QrItem>,
        font_size: f32,
    },
    PageBreak,
    /// Start and end of a group kept on one page with the block before it.
    KeepStart,
    KeepEnd,
}

#[derive(Debug, Clone, PartialEq)]
pub struct QrItem {
    pub data: String,
    pub caption: Vec<Span>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// Page width and height in points.
    pub page: (f32, f32),
    /// Top, right, bottom, left in points.
    pub margins: [f32; 4],
    /// The size the document starts with (`@font-size` before any content); later
    /// `@font-size` lines change the size of what follows.
    pub font_size: f32,
    pub leading: f32,
    pub paragraph_spacing: f32,
    pub title: String,
    pub blocks: Vec<Block>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("dòng {line}: {message}")]
pub struct MarkupError {
    pub line: usize,
    pub message: String,
}

fn err(line: usize, message: impl Into<String>) -> MarkupError {
    MarkupError { line, message: message.into() }
}

/// A5 and A4 in points.
const A5: (f32, f32) = (148.0 * MM, 210.0 * MM);
const A4: (f32, f32) = (210.0 * MM, 297.0 * MM);

enum Open {
    Columns { widths: Vec<f32>, rows: Vec<Vec<Cell>>, line: usize, font_size: f32 },
    Table { widths: Vec<f32>, rows: Vec<Vec<Vec<Span>>>, line: usize, font_size: f32 },
}

pub fn parse(source: &str) -> Result<Document, MarkupError> {
    let source: String = source.nfc().collect();
    let mut doc = Document {
        page: A5,
        // NĐ 30/2020's margins (top and bottom 20–25 mm, left 30–35 mm, right 15–20 mm) are for A4
        // documents; on the A5 forms they would leave no room, so these are narrower: the motto
        // keeps to one line and a receipt to one sheet. A template may set its own `@margins`.
        margins: [12.0 * MM, 10.0 * MM, 12.0 * MM, 15.0 * MM],
        font_size: 12.0,
        leading: 1.15,
        paragraph_spacing: 3.0,
        title: String::new(),
        blocks: Vec::new(),
    };
    let mut indent = 0.0;
    let mut size = doc.font_size;
    let mut open: Option<Open> = None;

    for (i, raw) in source.lines().enumerate() {
        let n = i + 1;
        let line = raw.trim_end();
        if let Some(block) = open.as_mut() {
            if line.trim() == "@end" {
                match open.take() {
                    Some(Open::Columns { widths, rows, font_size, .. }) => {
                        doc.blocks.push(Block::Columns { widths, rows, font_size })
                    }
                    Some(Open::Table { widths, mut rows, font_size, .. }) => {
                        let header = if rows.is_empty() { Vec::new() } else { rows.remove(0) };
                        doc.blocks.push(Block::Table { widths, header, rows, font_size });
                    }
                    None => {}
                }
                continue;
            }
            if line.trim().is_empty() {
                continue;
            }
            match block {
                Open::Columns { widths, rows, .. } => {
                    let cells = split_cells(line);
                    if cells.len() > widths.len() {
                        return Err(err(n, format!("{} ô nhưng khối chỉ có {} cột", cells.len(), widths.len())));
                    }
                    rows.push(
                        cells
                            .iter()
                            .map(|c| if c.trim() == "---" { Cell::Rule } else { Cell::Text(spans(c.trim())) })
                            .collect(),
                    );
                }
                Open::Table { widths, rows, .. } => {
                    let cells = split_cells(line);
                    if cells.len() > widths.len() {
                        return Err(err(n, format!("{} ô nhưng bảng chỉ có {} cột", cells.len(), widths.len())));
                    }
                    rows.push(cells.iter().map(|c| spans(c.trim())).collect());
                }
            }
            continue;
        }

        let trimmed = line.trim_start();
        if trimmed.is_empty() {
            continue;
        }
        if let Some(directive) = trimmed.strip_prefix('@') {
            let (name, rest) = directive.split_once(char::is_whitespace).unwrap_or((directive, ""));
            let rest = rest.trim();
            let number = |what: &str| -> Result<f32, MarkupError> {
                rest.parse::<f32>()
                    .ok()
                    .filter(|v| v.is_finite() && *v >= 0.0 && *v <= 1000.0)
                    .ok_or_else(|| err(n, format!("@{what} cần một số, không phải “{rest}”")))
            };
            let single = |align: Align, size: f32, bold: bool| {
                let mut s = spans(rest);
                if bold {
                    for span in &mut s {
                        span.style = Style::Bold;
                    }
                }
                Block::Paragraph(Paragraph { spans: s, align, size, indent: 0.0, hanging: 0.0 })
            };
            match name {
                "page" => {
                    let mut words = rest.split_whitespace();
                    let size = match words.next() {
                        Some("A5") => A5,
                        Some("A4") => A4,
                        other => return Err(err(n, format!("khổ giấy không hỗ trợ: {}", other.unwrap_or("")))),
                    };
                    doc.page = match words.next() {
                        Some("landscape") => (size.1, size.0),
                        None | Some("portrait") => size,
                        Some(o) => return Err(err(n, format!("hướng giấy không hợp lệ: {o}"))),
                    };
                }
                "margins" => {
                    let values: Vec<f32> = rest.split_whitespace().filter_map(|v| v.parse().ok()).collect();
                    if values.len() != 4 || values.iter().any(|v| !(0.0..=60.0).contains(v)) {
                        return Err(err(n, "@margins cần 4 số (mm, 0–60): trên phải dưới trái"));
                    }
                    doc.margins = [values[0] * MM, values[1] * MM, values[2] * MM, values[3] * MM];
                }
                "font-size" => {
                    size = number("font-size")?.clamp(6.0, 20.0);
                    if doc.blocks.is_empty() {
                        doc.font_size = size;
                    }
                }
                "leading" => doc.leading = number("leading")?.clamp(1.0, 3.0),
                "paragraph-spacing" => doc.paragraph_spacing = number("paragraph-spacing")?,
                "indent" => indent = number("indent")? * MM,
                "meta-title" => doc.title = rest.to_string(),
                "title" => doc.blocks.push(single(Align::Center, size + 1.0, true)),
                "center" => doc.blocks.push(single(Align::Center, size, false)),
                "right" => doc.blocks.push(single(Align::Right, size, false)),
                "left" => doc.blocks.push(single(Align::Left, size, false)),
                "space" => doc.blocks.push(Block::Space(number("space")?)),
                "pagebreak" => doc.blocks.push(Block::PageBreak),
                "keep" => doc.blocks.push(Block::KeepStart),
                "end-keep" => doc.blocks.push(Block::KeepEnd),
                "qr" => {
                    // `@qr SIZE DATA | caption`, and more codes on the same row after ` || `.
                    let (qr, rest) = rest.trim().split_once(char::is_whitespace).unwrap_or((rest, ""));
                    let qr: f32 = qr
                        .parse()
                        .ok()
                        .filter(|v| (10.0..=60.0).contains(v))
                        .ok_or_else(|| err(n, "@qr cần cỡ (mm, 10–60), dữ liệu và chú thích"))?;
                    let mut codes = Vec::new();
                    for part in rest.split(" || ") {
                        let (data, caption) = part.split_once(" | ").unwrap_or((part, ""));
                        let data = unescape(data.trim());
                        if data.is_empty() {
                            return Err(err(n, "@qr thiếu dữ liệu"));
                        }
                        codes.push(QrItem { data, caption: spans(caption.trim()) });
                    }
                    doc.blocks.push(Block::Qr { size: qr * MM, codes, font_size: size });
                }
                "columns" | "table" => {
                    let widths = parse_widths(rest).ok_or_else(|| {
                        err(n, format!("@{name} cần độ rộng các cột theo phần trăm, tổng không quá 100"))
                    })?;
                    open = Some(if name == "columns" {
                        Open::Columns { widths, rows: Vec::new(), line: n, font_size: size }
                    } else {
                        Open::Table { widths, rows: Vec::new(), line: n, font_size: size }
                    });
                }
                "end" => return Err(err(n, "@end không có khối nào đang mở")),
                other => return Err(err(n, format!("chỉ thị không biết: @{other}"))),
            }
            continue;
        }

        let item = list_marker(trimmed);
        doc.blocks.push(Block::Paragraph(Paragraph {
            spans: spans(trimmed),
            align: Align::Justify,
            size,
            indent: if item.is_some() { 0.0 } else { indent },
            hanging: item.map(|marker| marker_width(marker, size)).unwrap_or(0.0),
        }));
    }
    if let Some(block) = open {
        let line = match block {
            Open::Columns { line, .. } | Open::Table { line, .. } => line,
        };
        return Err(err(line, "khối chưa được đóng bằng @end"));
    }
    Ok(doc)
}

fn marker_width(marker: &str, size: f32) -> f32 {
    crate::fonts::Font::get(Style::Regular).width(marker, size)
}

/// `- ` or `12. ` / `a) ` at the start of a line: the marker including its space.
fn list_marker(line: &str) -> Option<&str> {
    if line.starts_with("- ") {
        return Some(&line[..2]);
    }
    let end = line.find(' ')?;
    let head = &line[..end];
    let body = head.strip_suffix('.').or_else(|| head.strip_suffix(')'))?;
    let is_marker = (!body.is_empty()
        && body.len() <= 6
        && body.starts_with(|c: char| c.is_ascii_digit())
        && body.chars().all(|c| c.is_ascii_digit() || c == '.'))
        || (body.len() == 1 && body.chars().all(|c| c.is_ascii_lowercase()));
    is_marker.then(|| &line[..=end])
}

fn parse_widths(rest: &str) -> Option<Vec<f32>> {
    let widths: Vec<f32> = rest
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|w| !w.is_empty())
        .map(|w| w.parse::<f32>().ok().filter(|v| *v > 0.0))
        .collect::<Option<_>>()?;
    let total: f32 = widths.iter().sum();
    (!widths.is_empty() && total <= 100.5).then_some(widths)
}

/// Splits a row on unescaped `|` (a trailing bar is optional; an empty first cell is a cell).
fn split_cells(line: &str) -> Vec<String> {
    let mut cells = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let (Some(next), Some(cell)) = (chars.next(), cells.last_mut()) {
                    cell.push('\\');
                    cell.push(next);
                }
            }
            '|' => cells.push(String::new()),
            c => {
                if let Some(cell) = cells.last_mut() {
                    cell.push(c);
                }
            }
        }
    }
    if cells.len() > 1 && cells.last().is_some_and(|c| c.trim().is_empty()) {
        cells.pop();
    }
    cells
}

fn unescape(text: &str) -> String {
    spans(text).into_iter().map(|s| s.text).collect()
}

/// Inline styles: `**bold**`, `*italic*`, `\x` for a literal `x`, `\n` for a line break.
pub fn spans(text: &str) -> Vec<Span> {
    let mut out: Vec<Span> = Vec::new();
    let (mut bold, mut italic) = (false, false);
    let mut current = String::new();
    let style = |bold: bool, italic: bool| match (bold, italic) {
        (true, _) => Style::Bold,
        (false, true) => Style::Italic,
        (false, false) => Style::Regular,
    };
    let mut chars = text.chars().peekable();
    let push = |out: &mut Vec<Span>, current: &mut String, s: Style| {
        if !current.is_empty() {
            out.push(Span { style: s, text: std::mem::take(current) });
        }
    };
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('n') => current.push('\n'),
                Some(next) => current.push(next),
                None => {}
            },
            '*' => {
                push(&mut out, &mut current, style(bold, italic));
                if chars.peek() == Some(&'*') {
                    chars.next();
                    bold = !bold;
                } else {
                    italic = !italic;
                }
            }
            c => current.push(c),
        }
    }
    push(&mut out, &mut current, style(bold, italic));
    out
}

/// Escapes a value for the markup: it stays literal text whatever it contains.
pub fn escape(value: &str, out: &mut String) {
    for c in value.chars() {
        match c {
            '\\' | '*' | '|' | '@' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' | '\t' => out.push(' '),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn text_of(spans: &[Span]) -> String {
        spans.iter().map(|s| s.text.as_str()).collect()
    }

    #[test]
    fn inline_styles_and_escapes() {
        let s = spans(r"Mã **H99.301** *(ghi rõ)* \*x\| a\nb");
        assert_eq!(
            s.iter().map(|s| (s.style, s.text.as_str())).collect::<Vec<_>>(),
            vec![
                (Style::Regular, "Mã "),
                (Style::Bold, "H99.301"),
                (Style::Regular, " "),
                (Style::Italic, "(ghi rõ)"),
                (Style::Regular, " *x| a\nb"),
            ]
        );
    }

    #[test]
    fn a_form_parses_into_blocks() {
        let doc = parse(
            "@page A4 landscape\n@columns 40 60\nUBND XÃ | **CỘNG HÒA**\n--- | ---\n@end\n@title GIẤY TIẾP NHẬN\n\
             Dòng một\n\n1. Mục một\n- Mục hai\n@table 10 90\nSTT | Tên\n1 | Đơn \\| tờ khai\n@end\n@qr 20 https://x/tra-cuu?ma=1 | Quét để tra cứu\n",
        )
        .unwrap();
        assert!(doc.page.0 > doc.page.1, "landscape");
        assert_eq!(doc.blocks.len(), 7, "{:#?}", doc.blocks);
        match &doc.blocks[0] {
            Block::Columns { rows, .. } => assert_eq!(rows[1], vec![Cell::Rule, Cell::Rule]),
            b => panic!("{b:?}"),
        }
        match &doc.blocks[2] {
            Block::Paragraph(p) => assert_eq!(text_of(&p.spans), "Dòng một"),
            b => panic!("{b:?}"),
        }
        match &doc.blocks[3] {
            Block::Paragraph(p) => assert!(p.hanging > 0.0),
            b => panic!("{b:?}"),
        }
        match &doc.blocks[5] {
            Block::Table { header, rows, .. } => {
                assert_eq!(text_of(&header[1]), "Tên");
                assert_eq!(text_of(&rows[0][1]), "Đơn | tờ khai");
            }
            b => panic!("{b:?}"),
        }
        assert!(
            matches!(doc.blocks.last(), Some(Block::Qr { codes, .. }) if codes[0].data == "https://x/tra-cuu?ma=1")
        );
    }

    #[test]
    fn mistakes_name_their_line() {
        assert_eq!(parse("x\n@nope\n").unwrap_err().line, 2);
        assert_eq!(parse("@table 50 50\na | b\n").unwrap_err().line, 1);
        assert_eq!(parse("@end\n").unwrap_err().line, 1);
        assert_eq!(parse("@table 50 50\na | b | c\n@end").unwrap_err().line, 2);
        assert!(parse("@table 80 80\n@end").is_err());
        assert!(parse("@page Letter").is_err());
        assert!(parse("@qr 5 x").is_err());
    }

    #[test]
    fn decomposed_input_is_composed() {
        let doc = parse("Nguye\u{302}\u{303}n").unwrap();
        match &doc.blocks[0] {
            Block::Paragraph(p) => assert_eq!(text_of(&p.spans), "Nguyễn"),
            b => panic!("{b:?}"),
        }
    }

    proptest! {
        /// Whatever a value contains, escaped it comes back as the same literal text.
        #[test]
        fn escaped_values_stay_literal(value in "[ -~àáạđêếệơởưữ\\n]{0,40}") {
            let mut escaped = String::new();
            escape(&value, &mut escaped);
            let expected: String = value.chars().map(|c| if c == '\n' { ' ' } else { c }).collect();
            prop_assert_eq!(text_of(&spans(&escaped)), expected);
            let cells = split_cells(&format!("{escaped} | x"));
            prop_assert_eq!(cells.len(), 2);
        }
    }
}
