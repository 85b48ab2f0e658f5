//! Reconciling our Decision 766 figures with what the national portal publishes for the same
//! calendar period (`legal.md` §13.2): the evaluation API's request, a tolerant reading of its
//! answer, and the comparison cell by cell.
//!
//! The request is documented by public dashboards (`timeType`, `year`, `quarter`/`month`,
//! `departmentType`); the answer's shape is not. It is read as a tree of units (an array, or
//! `data`/`children` lists), each naming its agency by its electronic identifier and carrying
//! counts under the names below; a different real shape changes only [`read_published`].

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Value, json};

use crate::report::period::{Basis, ReportPeriod, Span};

/// The indicators the portal publishes that this system measures too, with the endpoint and
/// the names of the counts in its answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Compared {
    /// 766 indicator id.
    pub indicator: &'static str,
    pub label: &'static str,
    pub endpoint: &'static str,
    /// Names the numerator may have in the answer.
    pub numerator: &'static [&'static str],
    /// Names the denominator may have.
    pub denominator: &'static [&'static str],
}

pub const COMPARED: [Compared; 2] = [
    Compared {
        indicator: "2.1",
        label: "Tiến độ giải quyết: hồ sơ đúng hạn / hồ sơ phải giải quyết",
        endpoint: "dvc-progress-tree",
        numerator: &["onTime", "ontime", "dungHan", "soHoSoDungHan"],
        denominator: &["received", "total", "tiepNhan", "soHoSoTiepNhan"],
    },
    Compared {
        indicator: "3.3",
        label: "Tỷ lệ hồ sơ trực tuyến: hồ sơ trực tuyến / hồ sơ tiếp nhận",
        endpoint: "provide-online-tree",
        numerator: &["online", "truc_tuyen", "trucTuyen", "soHoSoTrucTuyen"],
        denominator: &["received", "total", "tiepNhan", "soHoSoTiepNhan"],
    },
];

/// Names a unit's electronic identifier may have in the answer.
const CODE_KEYS: [&str; 5] = ["code", "agencyCode", "maDinhDanh", "departmentCode", "MaDonVi"];

/// The request body for a calendar month, quarter or year; other periods have no portal figure.
pub fn evaluation_request(period: &ReportPeriod, department: Option<&str>) -> Result<Value, String> {
    let department = department.filter(|d| !d.trim().is_empty()).unwrap_or("ADMINISTRATIVE_UNIT");
    match period {
        ReportPeriod::Span { year, span, basis: Basis::Calendar } => Ok(match span {
            Span::Month(m) => json!({"timeType": "month", "year": year, "month": m, "departmentType": department}),
            Span::Quarter(q) => {
                json!({"timeType": "quarter", "year": year, "quarter": q, "departmentType": department})
            }
            Span::Year => json!({"timeType": "year", "year": year, "departmentType": department}),
            Span::Half(_) | Span::NineMonths => {
                return Err("Cổng DVC quốc gia công bố theo tháng, quý hoặc năm; chọn một kỳ như vậy.".into());
            }
        }),
        _ => Err("Cổng DVC quốc gia công bố theo tháng, quý, năm dương lịch; chọn kỳ theo lịch (calendar).".into()),
    }
}

fn count(node: &Value, names: &[&str]) -> Option<i64> {
    names.iter().find_map(|k| match node.get(*k)? {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f.round() as i64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    })
}

fn walk(node: &Value, c: &Compared, out: &mut BTreeMap<String, (i64, i64)>) {
    match node {
        Value::Array(items) => items.iter().for_each(|i| walk(i, c, out)),
        Value::Object(o) => {
            let code = CODE_KEYS.iter().find_map(|k| o.get(*k).and_then(Value::as_str)).map(str::trim);
            if let (Some(code), Some(n), Some(d)) = (code, count(node, c.numerator), count(node, c.denominator))
                && !code.is_empty()
            {
                out.insert(code.to_owned(), (n, d));
            }
            for list in ["data", "children", "items", "result"] {
                if let Some(v) = o.get(list) {
                    walk(v, c, out);
                }
            }
        }
        _ => {}
    }
}

/// The portal's `(numerator, denominator)` per agency code for one indicator; an answer with
/// no unit this reading recognises is an error (rather than "the portal counts nothing").
pub fn read_published(c: &Compared, answer: &Value) -> Result<BTreeMap<String, (i64, i64)>, String> {
    let mut out = BTreeMap::new();
    walk(answer, c, &mut out);
    if out.is_empty() {
        return Err(format!(
            "câu trả lời của {} không có đơn vị nào có mã định danh và số liệu ({} / {})",
            c.endpoint,
            c.numerator.join("|"),
            c.denominator.join("|")
        ));
    }
    Ok(out)
}

/// One cell of the comparison: an agency and an indicator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cell {
    pub agency_code: String,
    pub indicator: &'static str,
    /// Ours: `(numerator, denominator)`.
    pub ours: (i64, i64),
    /// The portal's, when it publishes the agency.
    pub portal: Option<(i64, i64)>,
}

impl Cell {
    /// Whether the two disagree (a unit the portal does not publish disagrees when we count
    /// anything for it).
    pub fn differs(&self) -> bool {
        match self.portal {
            Some(p) => p != self.ours,
            None => self.ours != (0, 0),
        }
    }
}

/// Compares our counts with the portal's, cell by cell, in our agencies' order.
pub fn compare(c: &Compared, ours: &[(String, i64, i64)], published: &BTreeMap<String, (i64, i64)>) -> Vec<Cell> {
    ours.iter()
        .map(|(code, n, d)| Cell {
            agency_code: code.clone(),
            indicator: c.indicator,
            ours: (*n, *d),
            portal: published.get(code).copied(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_calendar_months_quarters_and_years_are_asked() {
        let q = ReportPeriod::parse("2026-Q3", Basis::Calendar).unwrap();
        assert_eq!(
            evaluation_request(&q, None).unwrap(),
            json!({"timeType": "quarter", "year": 2026, "quarter": 3, "departmentType": "ADMINISTRATIVE_UNIT"})
        );
        let m = ReportPeriod::parse("2026-M11", Basis::Calendar).unwrap();
        assert_eq!(evaluation_request(&m, Some("dep-42")).unwrap()["departmentType"], "dep-42");
        assert!(evaluation_request(&ReportPeriod::parse("2026-Q3", Basis::Statutory).unwrap(), None).is_err());
        assert!(evaluation_request(&ReportPeriod::parse("2026-H1", Basis::Calendar).unwrap(), None).is_err());
    }

    #[test]
    fn a_tree_of_units_reads_and_compares() {
        let answer = json!({"data": [{"code": "H99", "received": "120", "onTime": 100, "children": [
            {"maDinhDanh": "H99.301", "received": 20, "onTime": 19},
            {"code": "H99.302", "total": 7, "dungHan": 7}
        ]}]});
        let published = read_published(&COMPARED[0], &answer).unwrap();
        assert_eq!(published.len(), 3);
        let ours = vec![("H99.301".to_owned(), 18, 20), ("H99.302".to_owned(), 7, 7), ("H99.303".to_owned(), 0, 0)];
        let cells = compare(&COMPARED[0], &ours, &published);
        let differs: Vec<bool> = cells.iter().map(Cell::differs).collect();
        assert_eq!(differs, [true, false, false]);
        assert_eq!(cells[0].portal, Some((19, 20)));
        assert!(read_published(&COMPARED[1], &answer).is_err(), "no online counts in it");
    }
}
