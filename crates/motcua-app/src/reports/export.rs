//! The raw export behind every report: one row per dossier the period counts, with every
//! instant the counting rules use, so anyone can recompute any cell (columns documented in
//! `docs/reports.md`).

use motcua_domain::report::ReportPeriod;
use motcua_domain::report::form06::Variant;
use motcua_domain::report::measure::standing_at_end;
use motcua_domain::time::rfc3339_vn;

use super::form06::{agency_names, counted_by};
use super::{Reports, Viewer};
use crate::error::AppError;
use crate::ports::CountedQuery;

/// The export's columns, in order.
pub const EXPORT_COLUMNS: [&str; 21] = [
    "code",
    "counted_agency",
    "receiving_agency",
    "procedure_code",
    "procedure_name",
    "field",
    "channel",
    "received_at",
    "refused_at",
    "due_at",
    "appointment_at",
    "overdue_from",
    "supplement_requested_at",
    "ended_at",
    "outcome",
    "resolved_at",
    "returned_at",
    "processing_minutes",
    "full_online",
    "status_now",
    "standing_at_period_end",
];

/// One dossier of the export, as text cells in the order of [`EXPORT_COLUMNS`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportRow(pub Vec<String>);

/// A page of the export.
#[derive(Debug, Clone)]
pub struct ExportPage {
    pub rows: Vec<ExportRow>,
    pub next: Option<i64>,
}

impl Reports {
    /// A page of the export of `agency`'s subtree for a period (`variant` chooses whether
    /// dossiers are counted where they are resolved or received).
    pub async fn export_page(
        &self,
        viewer: Viewer<'_>,
        agency: Option<&str>,
        period: ReportPeriod,
        variant: Variant,
        after: Option<i64>,
        limit: i64,
    ) -> Result<ExportPage, AppError> {
        let scope = self.scope(viewer, agency).await?;
        let names = agency_names(&scope);
        let fields = self.procedure_fields().await?;
        let window = self.window(&period);
        let limit = limit.clamp(1, 5_000);
        let mut rows = self
            .core
            .store
            .counted_dossiers(&CountedQuery {
                by: counted_by(variant),
                agencies: scope.ids(),
                procedures: None,
                measures: Vec::new(),
                window,
                overdue_before: None,
                after_id: after,
                limit: limit + 1,
            })
            .await?;
        let next = if rows.len() as i64 > limit {
            rows.truncate(limit as usize);
            rows.last().map(|d| d.id)
        } else {
            None
        };
        let t = |v: Option<jiff::Timestamp>| v.map(rfc3339_vn).unwrap_or_default();
        let name = |id| names.get(&id).cloned().unwrap_or_default();
        let rows = rows
            .into_iter()
            .map(|d| {
                let f = &d.facts;
                ExportRow(vec![
                    d.code.clone().unwrap_or_default(),
                    name(f.agency),
                    name(f.receiving),
                    d.procedure_code.clone(),
                    d.procedure_name.clone(),
                    fields.get(&d.procedure_id).map(|p| p.field.clone()).unwrap_or_default(),
                    d.channel.clone(),
                    t(f.received_at),
                    t(f.refused_at),
                    t(f.due_at),
                    t(d.appointment_at),
                    t(f.overdue_from),
                    t(f.supplement_at),
                    t(f.ended.map(|(_, at)| at)),
                    f.ended.map(|(o, _)| o.as_str().to_owned()).unwrap_or_default(),
                    t(d.resolved_at),
                    t(f.returned_at),
                    f.processing_minutes.map(|m| m.to_string()).unwrap_or_default(),
                    f.full_online
                        .map(|s| {
                            if s.is_empty() {
                                "yes".to_owned()
                            } else {
                                s.iter().map(|x| x.as_str()).collect::<Vec<_>>().join("+")
                            }
                        })
                        .unwrap_or_default(),
                    d.status.to_string(),
                    standing_at_end(f, &window).to_owned(),
                ])
            })
            .collect();
        Ok(ExportPage { rows, next })
    }
}

/// A CSV line (RFC 4180: fields with a comma, quote or line break are quoted).
pub fn csv_line(cells: impl IntoIterator<Item = impl AsRef<str>>) -> String {
    let mut out = String::new();
    for (i, c) in cells.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let c = c.as_ref();
        // A leading formula character is defused so a spreadsheet shows the text.
        let c = if c.starts_with(['=', '+', '-', '@']) && c.parse::<f64>().is_err() {
            format!("'{c}")
        } else {
            c.to_owned()
        };
        if c.contains([',', '"', '\n', '\r']) {
            out.push('"');
            out.push_str(&c.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(&c);
        }
    }
    out.push_str("\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_what_needs_it_and_defuses_formulas() {
        assert_eq!(csv_line(["a", "b,c", "d\"e"]), "a,\"b,c\",\"d\"\"e\"\r\n");
        assert_eq!(csv_line(["=1+1", "-5", "x"]), "'=1+1,-5,x\r\n");
    }
}
