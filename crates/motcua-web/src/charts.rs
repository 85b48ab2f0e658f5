//! Charts as inline SVG, drawn on the server: they show without JavaScript, print, and every
//! bar links to the dossiers behind it.
//!
//! Hand-written rather than a charting crate: the charts are bars with labels, and the crates
//! that draw SVG (plotters) need a font backend to measure text that the browser lays out
//! anyway, for a few hundred lines of output. Text is escaped; sizes are in the viewBox, so a
//! chart scales to the width of the page.

use std::fmt::Write;

/// A data series: its name (the legend) and colour.
pub struct Series {
    pub name: &'static str,
    pub color: &'static str,
}

/// One group of columns (a day, a month), or one horizontal bar (a field, a commune).
pub struct Item {
    pub label: String,
    /// One value per series.
    pub values: Vec<i64>,
    /// Where each value leads (the dossiers behind it), per series.
    pub links: Vec<Option<String>>,
}

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A round number at or above `max` for the axis (1, 2, 5 × 10ⁿ), and its tick step.
fn axis(max: i64) -> (i64, i64) {
    let max = max.max(1);
    let mut step = 1;
    loop {
        for m in [1, 2, 5] {
            let s = step * m;
            if s * 5 >= max {
                return (s * ((max + s - 1) / s), s);
            }
        }
        step *= 10;
    }
}

fn legend(out: &mut String, series: &[Series], x: f64, y: f64) {
    let mut at = x;
    for s in series {
        let _ = write!(
            out,
            r#"<rect x="{at:.1}" y="{:.1}" width="10" height="10" fill="{}"/><text x="{:.1}" y="{:.1}" font-size="11">{}</text>"#,
            y - 9.0,
            s.color,
            at + 14.0,
            y,
            esc(s.name)
        );
        at += 24.0 + s.name.chars().count() as f64 * 6.2;
    }
}

/// A bar at `(x, y, width, height)`, its tooltip, and where it leads.
fn bar(out: &mut String, (x, y, w, h): (f64, f64, f64, f64), color: &str, tip: &str, link: Option<&str>) {
    if h <= 0.0 || w <= 0.0 {
        return;
    }
    let rect = format!(
        r#"<rect x="{x:.1}" y="{y:.1}" width="{w:.1}" height="{h:.1}" fill="{color}"><title>{}</title></rect>"#,
        esc(tip)
    );
    match link {
        Some(href) => {
            let _ = write!(out, r#"<a href="{}">{rect}</a>"#, esc(href));
        }
        None => out.push_str(&rect),
    }
}

/// Grouped columns over time; labels are thinned to fit.
///
/// Charts are `role="group"`, not `img`: their bars are links, and an image's content is
/// presentational, so assistive technology would never reach them.
pub fn columns(title: &str, series: &[Series], items: &[Item]) -> String {
    let (w, h, left, top, bottom) = (720.0, 240.0, 44.0, 28.0, 36.0);
    let plot_h = h - top - bottom;
    let max = items.iter().flat_map(|i| i.values.iter().copied()).max().unwrap_or(0);
    let (scale_max, step) = axis(max);
    let mut out = format!(
        r#"<svg class="chart" viewBox="0 0 {w} {h}" role="group" aria-label="{}" xmlns="http://www.w3.org/2000/svg" font-family="sans-serif">"#,
        esc(title)
    );
    legend(&mut out, series, left, 14.0);
    let mut tick = 0;
    while tick <= scale_max {
        let y = top + plot_h - plot_h * tick as f64 / scale_max as f64;
        let _ = write!(
            out,
            r##"<line x1="{left}" y1="{y:.1}" x2="{w}" y2="{y:.1}" stroke="#ddd"/><text x="{:.1}" y="{:.1}" font-size="10" text-anchor="end">{tick}</text>"##,
            left - 4.0,
            y + 3.0
        );
        tick += step;
    }
    let n = items.len().max(1) as f64;
    let slot = (w - left) / n;
    let group = slot * 0.8;
    let bw = group / series.len().max(1) as f64;
    let every = (items.len() / 12).max(1);
    for (i, item) in items.iter().enumerate() {
        let x0 = left + slot * i as f64 + slot * 0.1;
        for (k, s) in series.iter().enumerate() {
            let v = item.values.get(k).copied().unwrap_or(0);
            let bh = plot_h * v as f64 / scale_max as f64;
            let link = item.links.get(k).and_then(|l| l.as_deref());
            bar(
                &mut out,
                (x0 + bw * k as f64, top + plot_h - bh, bw.max(1.0), bh),
                s.color,
                &format!("{} · {}: {v}", item.label, s.name),
                link,
            );
        }
        if i % every == 0 {
            let _ = write!(
                out,
                r#"<text x="{:.1}" y="{:.1}" font-size="10" text-anchor="middle">{}</text>"#,
                x0 + group / 2.0,
                h - bottom + 14.0,
                esc(&item.label)
            );
        }
    }
    out.push_str("</svg>");
    out
}

/// Horizontal stacked bars, one per item, its total at the end.
pub fn bars(title: &str, series: &[Series], items: &[Item]) -> String {
    let (w, row, label_w, top) = (720.0, 22.0, 230.0, 28.0);
    let h = top + row * items.len() as f64 + 8.0;
    let plot_w = w - label_w - 50.0;
    let max = items.iter().map(|i| i.values.iter().sum::<i64>()).max().unwrap_or(0).max(1);
    let mut out = format!(
        r#"<svg class="chart" viewBox="0 0 {w} {h:.0}" role="group" aria-label="{}" xmlns="http://www.w3.org/2000/svg" font-family="sans-serif">"#,
        esc(title)
    );
    legend(&mut out, series, label_w, 14.0);
    for (i, item) in items.iter().enumerate() {
        let y = top + row * i as f64;
        let label: String = if item.label.chars().count() > 38 {
            item.label.chars().take(37).chain(['…']).collect()
        } else {
            item.label.clone()
        };
        let _ = write!(
            out,
            r#"<text x="{:.1}" y="{:.1}" font-size="11" text-anchor="end"><title>{}</title>{}</text>"#,
            label_w - 6.0,
            y + 14.0,
            esc(&item.label),
            esc(&label)
        );
        let mut x = label_w;
        for (k, s) in series.iter().enumerate() {
            let v = item.values.get(k).copied().unwrap_or(0);
            let bw = plot_w * v as f64 / max as f64;
            let link = item.links.get(k).and_then(|l| l.as_deref());
            bar(&mut out, (x, y + 3.0, bw, row - 6.0), s.color, &format!("{} · {}: {v}", item.label, s.name), link);
            x += bw;
        }
        let _ = write!(
            out,
            r#"<text x="{:.1}" y="{:.1}" font-size="11">{}</text>"#,
            x + 4.0,
            y + 14.0,
            item.values.iter().sum::<i64>()
        );
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: [Series; 2] =
        [Series { name: "Tiếp nhận", color: "#1f5fa8" }, Series { name: "Giải quyết", color: "#2e8b57" }];

    #[test]
    fn axis_rounds_up_to_a_readable_scale() {
        assert_eq!(axis(0), (1, 1));
        assert_eq!(axis(7), (8, 2));
        assert_eq!(axis(23), (25, 5));
        assert_eq!(axis(130), (150, 50));
        assert_eq!(axis(999), (1000, 200));
    }

    #[test]
    fn bars_link_to_their_dossiers_and_escape_labels() {
        let items = vec![Item {
            label: "Hộ tịch <&>".into(),
            values: vec![3, 0],
            links: vec![Some("/bao-cao/ho-so?a=1&b=2".into()), Some("/x".into())],
        }];
        for svg in [columns("T", &S, &items), bars("T", &S, &items)] {
            assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
            assert!(svg.contains(r#"<a href="/bao-cao/ho-so?a=1&amp;b=2">"#), "{svg}");
            // A zero draws nothing, so it links nowhere.
            assert!(!svg.contains(r#"href="/x""#));
            assert!(svg.contains("Hộ tịch &lt;&amp;&gt;"));
            assert!(!svg.contains("<&>"));
        }
    }

    #[test]
    fn bars_are_proportional() {
        let items = vec![
            Item { label: "A".into(), values: vec![10, 0], links: vec![None, None] },
            Item { label: "B".into(), values: vec![5, 0], links: vec![None, None] },
        ];
        let svg = bars("T", &S, &items);
        let widths: Vec<f64> = svg
            .match_indices(r#"width=""#)
            .skip(2) // the legend's squares
            .map(|(i, _)| svg[i + 7..].split('"').next().unwrap().parse().unwrap())
            .collect();
        assert_eq!(widths.len(), 2);
        assert!((widths[0] / widths[1] - 2.0).abs() < 0.01, "{widths:?}");
    }
}
