//! Biểu 06 as PDF (the report template of the forms crate) and as CSV.

use motcua_domain::report::form06::{HEADINGS, Variant, group_number};
use motcua_domain::time::{format_date, format_date_long, vn_date};
use serde_json::json;

use super::Form06;
use super::export::csv_line;
use crate::dossiers::forms::place_of;
use crate::error::AppError;

impl Form06 {
    /// Why the rows of Biểu 06 do not balance, when they do not.
    pub fn note(&self) -> Option<String> {
        (self.variant == Variant::Resolving && self.table.total.stopped > 0).then(|| {
            format!(
                "Ghi chú: {} hồ sơ dừng xử lý hoặc rút trong kỳ không tính vào các cột (7) đến (13).",
                self.table.total.stopped
            )
        })
    }

    /// The report printed on A4 landscape with the state document header.
    pub fn to_pdf(&self) -> Result<Vec<u8>, AppError> {
        let today = vn_date(self.generated_at);
        let groups: Vec<_> = self
            .table
            .groups
            .iter()
            .enumerate()
            .map(|(i, g)| {
                json!({
                    "number": group_number(i),
                    "label": g.tier.label(),
                    "cells": g.subtotal.values(),
                    "rows": g.rows.iter().map(|r| json!({"field": r.field, "cells": r.cells.values()})).collect::<Vec<_>>(),
                })
            })
            .collect();
        let data = json!({
            "org": { "managing_body": "", "unit": self.agency.name, "place": place_of(&self.agency.name) },
            "today": { "date": format_date(today), "long": format_date_long(today) },
            "report": {
                "form_number": self.variant.form_number(),
                "title": self.variant.title(),
                "period": self.period.describe(),
                "groups": groups,
                "total": self.table.total.values(),
                "note": self.note(),
            },
        });
        motcua_forms::Templates::builtin()
            .render_report_pdf("bieu-06.txt", &data)
            .map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))
    }

    /// The table as CSV: the headings, the column numbers, then the rows as printed.
    pub fn to_csv(&self) -> String {
        let mut out = String::from("\u{feff}");
        out.push_str(&csv_line(HEADINGS));
        out.push_str(&csv_line((1..=13).map(|n| format!("({n})"))));
        let line = |n: String, label: &str, values: [i64; 11]| {
            csv_line([n, label.to_owned()].into_iter().chain(values.iter().map(ToString::to_string)))
        };
        for (i, g) in self.table.groups.iter().enumerate() {
            out.push_str(&line(group_number(i).to_owned(), g.tier.label(), g.subtotal.values()));
            for (j, r) in g.rows.iter().enumerate() {
                out.push_str(&line((j + 1).to_string(), &r.field, r.cells.values()));
            }
        }
        out.push_str(&line(String::new(), "Tổng cộng", self.table.total.values()));
        out
    }
}
