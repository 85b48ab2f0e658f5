//! Layout: breaks paragraphs into lines, places blocks top to bottom and starts a new page when
//! one is full (a table repeats its header; a kept group, such as the signature block, moves
//! with the block before it, so it is never alone on a page). Centered cells (the header's
//! agency and motto) wrap into balanced lines. Coordinates here are measured from the page's top
//! left corner in points; the PDF writer flips them.

use crate::fonts::{Font, Style};
use crate::markup::{Align, Block, Cell, Document, Paragraph, Span};

/// Something drawn on a page.
#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    /// Text whose baseline starts at (x, y).
    Text {
        x: f32,
        y: f32,
        style: Style,
        size: f32,
        text: String,
    },
    Line {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
        width: f32,
    },
    /// A filled black rectangle (QR modules).
    Fill {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
    },
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Page {
    pub ops: Vec<Op>,
}

/// A piece of a laid-out line: text at an offset from the line's left edge.
#[derive(Debug, Clone, PartialEq)]
struct Run {
    dx: f32,
    style: Style,
    text: String,
}

#[derive(Debug, Clone, PartialEq)]
struct Line {
    runs: Vec<Run>,
}

/// A paragraph laid out in a width: its lines, each `line_height` tall.
struct Laid {
    lines: Vec<Line>,
    size: f32,
    line_height: f32,
}

impl Laid {
    fn height(&self) -> f32 {
        self.lines.len() as f32 * self.line_height
    }

    fn draw(&self, ops: &mut Vec<Op>, x: f32, top: f32) {
        let ascent = Font::get(Style::Regular).ascender() / 1000.0 * self.size;
        let half_gap = (self.line_height - self.size * 1.15) / 2.0;
        for (i, line) in self.lines.iter().enumerate() {
            let baseline = top + i as f32 * self.line_height + half_gap.max(0.0) + ascent;
            for run in &line.runs {
                ops.push(Op::Text {
                    x: x + run.dx,
                    y: baseline,
                    style: run.style,
                    size: self.size,
                    text: run.text.clone(),
                });
            }
        }
    }
}

/// A word: styled pieces with no space between them.
struct Word {
    pieces: Vec<(Style, String)>,
    width: f32,
    /// Width of the space before it (the style of the text before).
    space_before: f32,
    /// A hard line break comes before this word.
    break_before: bool,
}

fn words(spans: &[Span], size: f32) -> Vec<Word> {
    let mut out: Vec<Word> = Vec::new();
    let mut current: Option<Word> = None;
    let mut pending_space = 0.0;
    let mut pending_break = false;
    for span in spans {
        let font = Font::get(span.style);
        for c in span.text.chars() {
            if c == '\n' || c == ' ' {
                if let Some(w) = current.take() {
                    out.push(w);
                }
                if c == '\n' {
                    pending_break = true;
                    pending_space = 0.0;
                } else if !pending_break {
                    pending_space = font.width(" ", size);
                }
                continue;
            }
            let w = current.get_or_insert_with(|| {
                let w =
                    Word { pieces: Vec::new(), width: 0.0, space_before: pending_space, break_before: pending_break };
                pending_space = 0.0;
                pending_break = false;
                w
            });
            w.width += font.advance(font.glyph(c)) * size / 1000.0;
            match w.pieces.last_mut() {
                Some((style, text)) if *style == span.style => text.push(c),
                _ => w.pieces.push((span.style, c.to_string())),
            }
        }
    }
    if let Some(w) = current {
        out.push(w);
    }
    out
}

/// Splits a word wider than the line into pieces that fit.
fn split_long(word: Word, width: f32, size: f32) -> Vec<Word> {
    let mut out = Vec::new();
    let mut cur =
        Word { pieces: Vec::new(), width: 0.0, space_before: word.space_before, break_before: word.break_before };
    for (style, text) in word.pieces {
        let font = Font::get(style);
        for c in text.chars() {
            let w = font.advance(font.glyph(c)) * size / 1000.0;
            if cur.width + w > width && cur.width > 0.0 {
                out.push(std::mem::replace(
                    &mut cur,
                    Word { pieces: Vec::new(), width: 0.0, space_before: 0.0, break_before: false },
                ));
            }
            cur.width += w;
            match cur.pieces.last_mut() {
                Some((s, t)) if *s == style => t.push(c),
                _ => cur.pieces.push((style, c.to_string())),
            }
        }
    }
    if cur.width > 0.0 {
        out.push(cur);
    }
    out
}

fn layout_paragraph(p: &Paragraph, doc: &Document, width: f32) -> Laid {
    let size = p.size;
    let line_height = size * doc.leading;
    let mut lines: Vec<Line> = Vec::new();
    // (words of the line, natural width, ends by a hard break or the paragraph end)
    let mut pending: Vec<Word> = Vec::new();
    let mut used = 0.0;
    let avail = |line_no: usize| {
        let indent = if line_no == 0 { p.indent } else { p.hanging };
        (width - indent).max(size)
    };
    let mut finished: Vec<(Vec<Word>, bool)> = Vec::new();
    for word in words(&p.spans, size) {
        let line_no = finished.len();
        let pieces = if word.width > avail(line_no) { split_long(word, avail(line_no), size) } else { vec![word] };
        for word in pieces {
            let line_no = finished.len();
            if word.break_before && !pending.is_empty() {
                finished.push((std::mem::take(&mut pending), true));
                used = 0.0;
            }
            let extra = if pending.is_empty() { 0.0 } else { word.space_before };
            if !pending.is_empty() && used + extra + word.width > avail(line_no) {
                finished.push((std::mem::take(&mut pending), false));
                used = 0.0;
                used += word.width;
            } else {
                used += extra + word.width;
            }
            pending.push(word);
        }
    }
    if !pending.is_empty() {
        finished.push((pending, true));
    }
    for (i, (line_words, last)) in finished.into_iter().enumerate() {
        let indent = if i == 0 { p.indent } else { p.hanging };
        let natural: f32 =
            line_words.iter().enumerate().map(|(j, w)| w.width + if j == 0 { 0.0 } else { w.space_before }).sum();
        let room = (width - indent - natural).max(0.0);
        let gaps = line_words.len().saturating_sub(1);
        let (start, stretch) = match p.align {
            Align::Left => (indent, 0.0),
            Align::Center => (indent + room / 2.0, 0.0),
            Align::Right => (indent + room, 0.0),
            Align::Justify if last || gaps == 0 => (indent, 0.0),
            Align::Justify => (indent, room / gaps as f32),
        };
        let mut runs: Vec<Run> = Vec::new();
        let mut x = start;
        for (j, word) in line_words.into_iter().enumerate() {
            if j > 0 {
                x += word.space_before + stretch;
            }
            let mut dx = x;
            for (k, (style, text)) in word.pieces.into_iter().enumerate() {
                let w = Font::get(style).width(&text, size);
                // Without stretching, a word continues the previous run, space included, so the
                // PDF holds whole phrases and text extraction keeps the spaces.
                match runs.last_mut() {
                    Some(run) if run.style == style && stretch == 0.0 && k == 0 && j > 0 => {
                        run.text.push(' ');
                        run.text.push_str(&text);
                    }
                    Some(run) if run.style == style && k > 0 => run.text.push_str(&text),
                    _ => runs.push(Run { dx, style, text }),
                }
                dx += w;
            }
            x += word.width;
        }
        lines.push(Line { runs });
    }
    if lines.is_empty() {
        lines.push(Line { runs: Vec::new() });
    }
    Laid { lines, size, line_height }
}

fn cell_paragraph(spans: &[Span], align: Align, size: f32) -> Paragraph {
    Paragraph { spans: spans.to_vec(), align, size, indent: 0.0, hanging: 0.0 }
}

struct Cursor<'a> {
    doc: &'a Document,
    pages: Vec<Page>,
    y: f32,
    /// Measuring only: pages never end.
    endless: bool,
}

/// Where a block began: its page, how many ops that page had, and the cursor.
#[derive(Debug, Clone, Copy)]
struct Mark {
    page: usize,
    ops: usize,
    y: f32,
}

impl Cursor<'_> {
    fn top(&self) -> f32 {
        self.doc.margins[0]
    }
    fn bottom(&self) -> f32 {
        if self.endless { f32::MAX } else { self.doc.page.1 - self.doc.margins[2] }
    }
    fn mark(&self) -> Mark {
        let page = self.pages.len().saturating_sub(1);
        Mark { page, ops: self.pages.get(page).map_or(0, |p| p.ops.len()), y: self.y }
    }
    /// Moves what was drawn since `m` to the top of a new page.
    fn carry_from(&mut self, m: Mark) {
        let moved = self.pages[m.page].ops.split_off(m.ops);
        let (dy, y) = (m.y - self.top(), self.y);
        self.new_page();
        let ops = self.ops();
        for mut op in moved {
            match &mut op {
                Op::Text { y, .. } | Op::Fill { y, .. } => *y -= dy,
                Op::Line { y1, y2, .. } => {
                    *y1 -= dy;
                    *y2 -= dy;
                }
            }
            ops.push(op);
        }
        self.y = y - dy;
    }
    fn left(&self) -> f32 {
        self.doc.margins[3]
    }
    fn width(&self) -> f32 {
        self.doc.page.0 - self.doc.margins[1] - self.doc.margins[3]
    }
    fn ops(&mut self) -> &mut Vec<Op> {
        if self.pages.is_empty() {
            self.pages.push(Page::default());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last].ops
    }
    fn new_page(&mut self) {
        self.pages.push(Page::default());
        self.y = self.top();
    }
    /// Makes room for `height`, starting a new page unless this one is fresh.
    fn ensure(&mut self, height: f32) {
        if self.y + height > self.bottom() && self.y > self.top() + 0.5 {
            self.new_page();
        }
    }
}

const CELL_PAD_X: f32 = 3.0;
const CELL_PAD_Y: f32 = 2.0;
const RULE_ROW: f32 = 4.0;

pub fn layout(doc: &Document) -> Vec<Page> {
    let mut c = Cursor { doc, pages: vec![Page::default()], y: doc.margins[0], endless: false };
    // Where the last block with content began (a kept group takes it along).
    let mut last: Option<Mark> = None;
    let mut i = 0;
    while i < doc.blocks.len() {
        let spacing = if i == 0 { 0.0 } else { doc.paragraph_spacing };
        match &doc.blocks[i] {
            Block::KeepStart => {
                let end = doc.blocks[i..]
                    .iter()
                    .position(|b| matches!(b, Block::KeepEnd))
                    .map_or(doc.blocks.len(), |p| i + p);
                let group = &doc.blocks[i + 1..end];
                let height = measure(doc, group, spacing);
                if c.y + height > c.bottom() && c.y > c.top() + 0.5 {
                    match last {
                        Some(m) if m.page + 1 == c.pages.len() && m.y > c.top() + 0.5 => c.carry_from(m),
                        _ => c.new_page(),
                    }
                }
                for b in group {
                    place(&mut c, b, doc.paragraph_spacing);
                }
                last = None;
                i = end + 1;
                continue;
            }
            b @ (Block::Space(_) | Block::PageBreak | Block::KeepEnd) => place(&mut c, b, spacing),
            b => {
                last = Some(c.mark());
                place(&mut c, b, spacing);
            }
        }
        i += 1;
    }
    c.pages
}

/// The height `blocks` take, laid out in one piece.
fn measure(doc: &Document, blocks: &[Block], spacing: f32) -> f32 {
    let mut c = Cursor { doc, pages: vec![Page::default()], y: doc.margins[0], endless: true };
    for (k, b) in blocks.iter().enumerate() {
        place(&mut c, b, if k == 0 { spacing } else { doc.paragraph_spacing });
    }
    c.y - doc.margins[0]
}

/// The narrowest width, at most `width`, in which `p` takes as many lines as in `width`, and
/// the paragraph laid out in it: centered lines of even length rather than a long line and a
/// stray word ("ỦY BAN NHÂN DÂN XÃ AN / PHÚ").
fn balanced(p: &Paragraph, doc: &Document, width: f32) -> (Laid, f32) {
    let full = layout_paragraph(p, doc, width);
    let n = full.lines.len();
    if n < 2 {
        return (full, width);
    }
    let (mut lo, mut hi) = (0.0f32, width);
    for _ in 0..14 {
        let mid = (lo + hi) / 2.0;
        if layout_paragraph(p, doc, mid).lines.len() <= n { hi = mid } else { lo = mid }
    }
    (layout_paragraph(p, doc, hi), hi)
}

fn place(c: &mut Cursor<'_>, block: &Block, spacing: f32) {
    let doc = c.doc;
    match block {
        Block::Paragraph(p) => {
            c.y += spacing;
            let laid = layout_paragraph(p, doc, c.width());
            for line in &laid.lines {
                c.ensure(laid.line_height);
                let single = Laid { lines: vec![line.clone()], size: laid.size, line_height: laid.line_height };
                let (x, y) = (c.left(), c.y);
                single.draw(c.ops(), x, y);
                c.y += laid.line_height;
            }
        }
        Block::Space(h) => c.y += h,
        Block::PageBreak => c.new_page(),
        Block::KeepStart | Block::KeepEnd => {}
        Block::Columns { widths, rows, font_size } => {
            c.y += spacing;
            for row in rows {
                let mut height: f32 = 0.0;
                let mut laid_cells = Vec::new();
                let mut x = c.left();
                for (k, w) in widths.iter().enumerate() {
                    let cw = c.width() * w / 100.0;
                    match row.get(k) {
                        Some(Cell::Text(spans)) => {
                            let (laid, used) =
                                balanced(&cell_paragraph(spans, Align::Center, *font_size), doc, cw - 2.0);
                            height = height.max(laid.height());
                            laid_cells.push((x + 1.0 + (cw - 2.0 - used) / 2.0, Some(laid), cw));
                        }
                        Some(Cell::Rule) => {
                            height = height.max(RULE_ROW);
                            laid_cells.push((x, None, cw));
                        }
                        None => {}
                    }
                    x += cw;
                }
                c.ensure(height);
                let y = c.y;
                for (x, laid, cw) in laid_cells {
                    match laid {
                        Some(laid) => laid.draw(c.ops(), x, y),
                        None => c.ops().push(Op::Line {
                            x1: x + cw * 0.3,
                            y1: y + 1.0,
                            x2: x + cw * 0.7,
                            y2: y + 1.0,
                            width: 0.6,
                        }),
                    }
                }
                c.y += height;
            }
        }
        Block::Table { widths, header, rows, font_size } => {
            c.y += spacing;
            let cols: Vec<f32> = widths.iter().map(|w| c.width() * w / 100.0).collect();
            let lay_row = |cells: &[Vec<Span>], align: Align, bold: bool| {
                let mut laid = Vec::new();
                let mut height: f32 = 0.0;
                for (k, cw) in cols.iter().enumerate() {
                    let mut spans = cells.get(k).cloned().unwrap_or_default();
                    if bold {
                        for s in &mut spans {
                            s.style = Style::Bold;
                        }
                    }
                    let l = layout_paragraph(&cell_paragraph(&spans, align, *font_size), doc, cw - 2.0 * CELL_PAD_X);
                    height = height.max(l.height() + 2.0 * CELL_PAD_Y);
                    laid.push(l);
                }
                (laid, height)
            };
            let head = (!header.is_empty()).then(|| lay_row(header, Align::Center, true));
            let draw_row = |c: &mut Cursor<'_>, laid: &[Laid], height: f32| {
                let (top, left) = (c.y, c.left());
                let mut x = left;
                let ops = c.ops();
                for (k, cw) in cols.iter().enumerate() {
                    laid[k].draw(ops, x + CELL_PAD_X, top + CELL_PAD_Y);
                    ops.push(Op::Line { x1: x, y1: top, x2: x, y2: top + height, width: 0.5 });
                    x += cw;
                }
                ops.push(Op::Line { x1: x, y1: top, x2: x, y2: top + height, width: 0.5 });
                ops.push(Op::Line { x1: left, y1: top, x2: x, y2: top, width: 0.5 });
                ops.push(Op::Line { x1: left, y1: top + height, x2: x, y2: top + height, width: 0.5 });
                c.y += height;
            };
            if let Some((laid, h)) = &head {
                c.ensure(h + rows.first().map(|_| font_size * doc.leading + 2.0 * CELL_PAD_Y).unwrap_or(0.0));
                draw_row(c, laid, *h);
            }
            for row in rows {
                let (laid, h) = lay_row(row, Align::Left, false);
                if c.y + h > c.bottom() && c.y > c.top() + 0.5 {
                    c.new_page();
                    if let Some((hl, hh)) = &head {
                        draw_row(c, hl, *hh);
                    }
                }
                draw_row(c, &laid, h);
            }
        }
        Block::Qr { size, codes, font_size } => {
            c.y += spacing;
            let column = c.width() / codes.len().max(1) as f32;
            let caption_width = (column - size - 6.0).max(20.0);
            let laid: Vec<(Laid, Option<qrcode::QrCode>)> = codes
                .iter()
                .map(|q| {
                    let text =
                        layout_paragraph(&cell_paragraph(&q.caption, Align::Left, *font_size), doc, caption_width);
                    (text, qrcode::QrCode::new(q.data.as_bytes()).ok())
                })
                .collect();
            let height = laid.iter().map(|(t, _)| t.height()).fold(*size, f32::max);
            c.ensure(height);
            let (top, left) = (c.y, c.left());
            let ops = c.ops();
            for (k, (text, code)) in laid.iter().enumerate() {
                let x = left + column * k as f32;
                text.draw(ops, x, top);
                if let Some(code) = code {
                    draw_qr(ops, code, x + column - size - if k + 1 < codes.len() { 6.0 } else { 0.0 }, top, *size);
                }
            }
            c.y += height;
        }
    }
}

/// Dark modules as rectangles, one per horizontal run.
fn draw_qr(ops: &mut Vec<Op>, code: &qrcode::QrCode, x: f32, y: f32, size: f32) {
    let n = code.width();
    let colors = code.to_colors();
    // A quiet zone of two modules inside the square keeps scanners happy next to text.
    let module = size / (n + 4) as f32;
    for row in 0..n {
        let mut col = 0;
        while col < n {
            if colors[row * n + col] == qrcode::Color::Dark {
                let start = col;
                while col < n && colors[row * n + col] == qrcode::Color::Dark {
                    col += 1;
                }
                ops.push(Op::Fill {
                    x: x + (start + 2) as f32 * module,
                    y: y + (row + 2) as f32 * module,
                    w: (col - start) as f32 * module,
                    h: module,
                });
            } else {
                col += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markup::parse;

    fn texts(pages: &[Page]) -> Vec<String> {
        pages
            .iter()
            .flat_map(|p| p.ops.iter())
            .filter_map(|op| match op {
                Op::Text { text, .. } => Some(text.clone()),
                _ => None,
            })
            .collect()
    }

    fn page_texts(page: &Page) -> Vec<String> {
        texts(std::slice::from_ref(page))
    }

    #[test]
    fn a_kept_group_that_does_not_fit_moves_with_the_block_before_it() {
        for filler in 1..60 {
            let source = format!(
                "{}Đoạn cuối.\n@keep\n@space 10\n@columns 50 50\nNGƯỜI NỘP | NGƯỜI NHẬN\n@end\n@space 30\n@columns 50 50\nAn | Bình\n@end\n@end-keep\n",
                "Một dòng.\n".repeat(filler)
            );
            let pages = layout(&parse(&source).unwrap());
            let with_signature =
                pages.iter().position(|p| page_texts(p).iter().any(|t| t.contains("NGƯỜI NỘP"))).unwrap();
            let texts = page_texts(&pages[with_signature]);
            // The group is whole on one page, and never without the paragraph before it.
            assert!(texts.iter().any(|t| t == "An"), "{filler}: {texts:?}");
            assert!(texts.iter().any(|t| t.contains("Đoạn cuối")), "{filler}: the signature is alone: {texts:?}");
            for page in &pages {
                for op in &page.ops {
                    if let Op::Text { y, .. } = op {
                        assert!(*y > 0.0 && *y < pages_height(), "{filler}: drawn off the page");
                    }
                }
            }
        }
    }

    fn pages_height() -> f32 {
        parse("x").unwrap().page.1
    }

    #[test]
    fn centered_cells_wrap_into_balanced_lines() {
        let doc = parse("@columns 30 70\nTRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG TỈNH | x\n@end\n").unwrap();
        let lines = texts(&layout(&doc));
        let widths: Vec<usize> = lines.iter().filter(|l| *l != "x").map(|l| l.chars().count()).collect();
        assert!(widths.len() >= 2, "{lines:?}");
        let (min, max) = (widths.iter().min().unwrap(), widths.iter().max().unwrap());
        assert!(max - min <= 12, "lines of even length, not a stray word: {lines:?}");
    }

    #[test]
    fn a_long_paragraph_wraps_within_the_margins() {
        let doc = parse(&"Thủ tục hành chính được giải quyết đúng hạn. ".repeat(20)).unwrap();
        let pages = layout(&doc);
        let right = doc.page.0 - doc.margins[1];
        let mut lines = 0;
        for op in &pages[0].ops {
            if let Op::Text { x, style, size, text, .. } = op {
                lines += 1;
                assert!(*x >= doc.margins[3] - 0.01);
                assert!(x + Font::get(*style).width(text, *size) <= right + 0.5, "{text}");
            }
        }
        assert!(lines > 5);
    }

    #[test]
    fn content_beyond_a_page_flows_onto_the_next() {
        let doc = parse(&"Một dòng.\n\n".repeat(80)).unwrap();
        let pages = layout(&doc);
        assert!(pages.len() >= 2);
        assert_eq!(texts(&pages).len(), 80);
        for page in &pages {
            for op in &page.ops {
                if let Op::Text { y, .. } = op {
                    assert!(*y <= doc.page.1 - doc.margins[2] + 1.0);
                }
            }
        }
    }

    #[test]
    fn a_long_table_repeats_its_header() {
        let mut src = String::from("@page A4\n@table 10 90\nSTT | Tên\n");
        for i in 1..=120 {
            src.push_str(&format!("{i} | Hồ sơ số {i}\n"));
        }
        src.push_str("@end\n");
        let pages = layout(&parse(&src).unwrap());
        assert!(pages.len() >= 2);
        let headers = texts(&pages).iter().filter(|t| *t == "STT").count();
        assert_eq!(headers, pages.len());
    }

    #[test]
    fn centered_text_is_centered_and_hard_breaks_break() {
        let doc = parse("@center A\\nB").unwrap();
        let pages = layout(&doc);
        let ys: Vec<f32> = pages[0]
            .ops
            .iter()
            .filter_map(|op| match op {
                Op::Text { y, .. } => Some(*y),
                _ => None,
            })
            .collect();
        assert_eq!(ys.len(), 2);
        assert!(ys[1] > ys[0]);
    }

    #[test]
    fn an_unbreakable_word_is_split() {
        let doc = parse(&"X".repeat(300)).unwrap();
        assert!(texts(&layout(&doc)).len() > 1);
    }

    #[test]
    fn qr_is_drawn() {
        let doc = parse("@qr 20 https://motcua.example/tra-cuu?ma=H99.301-261123-0001 | Quét để tra cứu").unwrap();
        let pages = layout(&doc);
        assert!(pages[0].ops.iter().filter(|op| matches!(op, Op::Fill { .. })).count() > 50);
    }
}
