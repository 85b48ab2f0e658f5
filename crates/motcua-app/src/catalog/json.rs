//! The JSON import format: the national package (`Package`), or the demo file's own shape.

use super::demo_source::{DEMO_FILE, row as demo_row};
use super::package::Package;
use super::rows::{ImportProblem, ParsedImport};

/// The demo file's rows; entries that cannot be used (one has no code) are reported.
pub(crate) fn demo_rows() -> ParsedImport {
    parse_json(DEMO_FILE.as_bytes())
}

/// The national package: an array of procedures, or `{"procedures": [...]}`. The demo file's
/// own shape (lower-case keys) is read as well.
pub fn parse_json(bytes: &[u8]) -> ParsedImport {
    let value: serde_json::Value = match serde_json::from_slice(bytes) {
        Ok(v) => v,
        Err(e) => {
            return ParsedImport {
                rows: vec![],
                problems: vec![ImportProblem {
                    row: "Tệp".into(), reason: format!("không phải JSON hợp lệ: {e}")
                }],
            };
        }
    };
    let items = match value {
        serde_json::Value::Array(items) => items,
        serde_json::Value::Object(mut o) => match o.remove("procedures").or_else(|| o.remove("data")) {
            Some(serde_json::Value::Array(items)) => items,
            _ => {
                return ParsedImport {
                    rows: vec![],
                    problems: vec![ImportProblem {
                        row: "Tệp".into(),
                        reason: "cần một mảng thủ tục, hoặc đối tượng có khóa \"procedures\"".into(),
                    }],
                };
            }
        },
        _ => {
            return ParsedImport {
                rows: vec![],
                problems: vec![ImportProblem { row: "Tệp".into(), reason: "cần một mảng thủ tục".into() }],
            };
        }
    };
    let mut out = ParsedImport::default();
    for (i, item) in items.into_iter().enumerate() {
        let label = format!("Thủ tục thứ {}", i + 1);
        let demo_shape = item.get("processing_time").is_some() || item.get("code").is_some();
        let row = if demo_shape {
            demo_row(&item, label.clone())
        } else {
            match serde_json::from_value::<Package>(item) {
                Ok(p) => {
                    let label = format!("{label} ({})", p.matthc.trim());
                    p.to_row(label)
                }
                Err(e) => Err(ImportProblem { row: label.clone(), reason: format!("sai cấu trúc: {e}") }),
            }
        };
        match row {
            Ok(r) => out.rows.push(r),
            Err(p) => out.problems.push(p),
        }
    }
    out
}
