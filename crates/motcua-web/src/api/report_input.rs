//! The request shape of a report: which period, which agency, which form.

use motcua_domain::report::form06::Variant;
use motcua_domain::report::period::{Basis, ReportPeriod};
use motcua_domain::time::vn_date;
use motcua_domain::validation::{FieldError, NonBlank, ValidationErrors};
use serde::Deserialize;

use super::fields::{choice, date, optional};

/// Which report: period, agency, form, and the output.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportInput {
    /// `2026-M10`, `2026-Q3`, `2026-H1`, `2026-9M`, `2026` or `2026-07-01..2026-09-30`
    /// (default: the statutory month containing today).
    pub period: Option<String>,
    /// `true`: calendar months, quarters and years (as DVCQG and Decision 766 count) instead
    /// of the statutory cut-off periods (15th to 14th).
    pub calendar: Option<bool>,
    /// Instead of `period`: first day (yyyy-mm-dd or dd/mm/yyyy)…
    pub from: Option<String>,
    /// …and last day, included.
    pub to: Option<String>,
    /// The agency's code; the report covers it and everything under it (default: the
    /// caller's widest agency).
    pub agency: Option<String>,
    /// `06` (at the resolving agencies, default) or `06a` (at the one-stop centre).
    pub form: Option<String>,
    /// `json` (default), `csv`, `xlsx` or `pdf`.
    pub format: Option<String>,
}

/// A report request, checked.
#[derive(Debug, Clone)]
pub struct ReportRequest {
    pub period: ReportPeriod,
    pub agency: Option<String>,
    pub variant: Variant,
    pub format: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Csv,
    Xlsx,
    Pdf,
}

impl ReportInput {
    pub fn parse(&self, today: jiff::civil::Date) -> Result<ReportRequest, ValidationErrors> {
        let mut e = ValidationErrors::default();
        let basis = if self.calendar.unwrap_or(false) { Basis::Calendar } else { Basis::Statutory };
        let from = optional(&mut e, "from", self.from.as_deref(), date);
        let to = optional(&mut e, "to", self.to.as_deref(), date);
        let period = match (self.period.as_deref().non_blank(), from, to) {
            (Some(p), None, None) => e.check(
                ReportPeriod::parse(p, basis)
                    .map_err(|err| FieldError::new("period", "invalid_period", err.to_string())),
            ),
            (None, Some(f), Some(t)) => e.check(
                ReportPeriod::range(f, t).map_err(|err| FieldError::new("from", "invalid_period", err.to_string())),
            ),
            (None, None, None) => Some(match basis {
                Basis::Statutory => ReportPeriod::statutory_month_of(today),
                Basis::Calendar => ReportPeriod::calendar_month_of(today),
            }),
            (Some(_), _, _) => {
                e.push(FieldError::new("period", "invalid_period", "Chọn kỳ báo cáo hoặc khoảng ngày, không cả hai."));
                None
            }
            (None, _, _) => {
                e.push(FieldError::new("to", "required", "Khoảng ngày cần cả ngày bắt đầu và ngày kết thúc."));
                None
            }
        };
        let variant = match self.form.as_deref().non_blank() {
            None => Some(Variant::Resolving),
            Some(f) => e.check(
                choice(f, Variant::parse, "Biểu: dùng 06 hoặc 06a.")
                    .map_err(|err| FieldError { field: "form".into(), ..err }),
            ),
        };
        let format = match self.format.as_deref().non_blank().unwrap_or("json") {
            "json" => Some(Format::Json),
            "csv" => Some(Format::Csv),
            "xlsx" => Some(Format::Xlsx),
            "pdf" => Some(Format::Pdf),
            _ => {
                e.push(FieldError::new("format", "invalid_value", "Định dạng: json, csv, xlsx hoặc pdf."));
                None
            }
        };
        e.into_result()?;
        Ok(ReportRequest {
            period: period.expect("checked"),
            agency: self.agency.clone().filter(|a| !a.trim().is_empty()),
            variant: variant.expect("checked"),
            format: format.expect("checked"),
        })
    }
}

/// Today in Asia/Ho_Chi_Minh.
pub fn today(now: jiff::Timestamp) -> jiff::civil::Date {
    vn_date(now)
}
