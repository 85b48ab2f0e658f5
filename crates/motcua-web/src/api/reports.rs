//! Statutory reports over HTTP: Biểu 06 (and 06a) as JSON, CSV, XLSX or PDF; the dossiers
//! behind any cell; the raw export every number can be recomputed from.

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use motcua_app::reports::{EXPORT_COLUMNS, Form06, csv_line};
use motcua_domain::report::form06::{Cells, HEADINGS};
use motcua_domain::report::period::ReportPeriod;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::dossiers::{DossierSummaryDto, summary};
use super::report_input::{Format, ReportInput, today};
use crate::auth::ApiUser;
use crate::error::{ApiResult, ErrorBody, HttpError};
use crate::respond::{ApiQuery, file_download};
use crate::state::AppState;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PeriodDto {
    /// As the `period` parameter names it.
    pub key: String,
    pub title: String,
    /// First and last day (yyyy-mm-dd), both included.
    pub from: String,
    pub to: String,
    /// `statutory`, `calendar`, or absent for a range of days.
    pub basis: Option<String>,
}

impl From<&ReportPeriod> for PeriodDto {
    fn from(p: &ReportPeriod) -> Self {
        let d = p.days();
        Self {
            key: p.key(),
            title: p.describe(),
            from: d.first.to_string(),
            to: d.last.to_string(),
            basis: p.basis().map(|b| match b {
                motcua_domain::report::Basis::Statutory => "statutory".to_owned(),
                motcua_domain::report::Basis::Calendar => "calendar".to_owned(),
            }),
        }
    }
}

/// Columns 3 to 13 of a row.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CellsDto {
    /// (3) = (4) + (5) + (6).
    pub total: i64,
    pub online: i64,
    pub direct: i64,
    pub carried_over: i64,
    /// (7) = (8) + (9) + (10).
    pub resolved: i64,
    pub early: i64,
    pub on_time: i64,
    pub late: i64,
    /// (11) = (12) + (13).
    pub pending: i64,
    pub in_time: i64,
    pub overdue: i64,
}

impl From<&Cells> for CellsDto {
    fn from(c: &Cells) -> Self {
        Self {
            total: c.total,
            online: c.online,
            direct: c.direct,
            carried_over: c.carried_over,
            resolved: c.resolved,
            early: c.early,
            on_time: c.on_time,
            late: c.late,
            pending: c.pending,
            in_time: c.in_time,
            overdue: c.overdue,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FieldRowDto {
    pub field: String,
    pub cells: CellsDto,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TierDto {
    /// `province`, `district` (before 01/07/2025) or `commune`.
    pub tier: String,
    pub label: String,
    pub subtotal: CellsDto,
    pub rows: Vec<FieldRowDto>,
}

/// A Biểu 06 (or 06a).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Form06Dto {
    /// `06` or `06a`.
    pub form: String,
    pub form_number: String,
    pub title: String,
    pub period: PeriodDto,
    pub agency_code: String,
    pub agency_name: String,
    /// The 13 column headings.
    pub headings: Vec<String>,
    pub groups: Vec<TierDto>,
    pub total: CellsDto,
    /// Dossiers stopped or withdrawn in the period (in column 9 of 06a, in no column of 06).
    pub stopped: i64,
    pub note: Option<String>,
    pub generated_at: String,
}

impl From<&Form06> for Form06Dto {
    fn from(r: &Form06) -> Self {
        Self {
            form: r.variant.as_str().to_owned(),
            form_number: r.variant.form_number().to_owned(),
            title: r.variant.title().to_owned(),
            period: (&r.period).into(),
            agency_code: r.agency.code.to_string(),
            agency_name: r.agency.name.clone(),
            headings: HEADINGS.iter().map(|h| (*h).to_owned()).collect(),
            groups: r
                .table
                .groups
                .iter()
                .map(|g| TierDto {
                    tier: g.tier.as_str().to_owned(),
                    label: g.tier.label().to_owned(),
                    subtotal: (&g.subtotal).into(),
                    rows: g
                        .rows
                        .iter()
                        .map(|row| FieldRowDto { field: row.field.clone(), cells: (&row.cells).into() })
                        .collect(),
                })
                .collect(),
            total: (&r.table.total).into(),
            stopped: r.table.total.stopped,
            note: r.note(),
            generated_at: motcua_domain::time::rfc3339_vn(r.generated_at),
        }
    }
}

pub(crate) fn form06_file_name(r: &Form06, ext: &str) -> String {
    format!("bieu-{}-{}-{}.{ext}", r.variant.as_str(), r.agency.code, r.period.key().replace("..", "_"))
}

/// Biểu 06/VPCP/KSTT (or II.06a with `form=06a`) of an agency and everything under it, for a
/// period: rows by field grouped by level, as JSON, CSV, XLSX (the official layout) or PDF.
#[utoipa::path(get, path = "/api/v1/reports/06", tag = "reports", params(ReportInput), security(("bearer" = [])),
    responses((status = 200, body = Form06Dto, description = "JSON, or the file asked for by `format`"),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn form06(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    ApiQuery(q): ApiQuery<ReportInput>,
) -> ApiResult<Response> {
    let r = q.parse(today(state.services.now())).map_err(motcua_app::AppError::Validation)?;
    let report = state.services.reports.form06((&p).into(), r.agency.as_deref(), r.period, r.variant).await?;
    Ok(match r.format {
        Format::Json => Json(Form06Dto::from(&report)).into_response(),
        Format::Csv => {
            file_download(&form06_file_name(&report, "csv"), "text/csv; charset=utf-8", report.to_csv().into_bytes())
        }
        Format::Xlsx => file_download(
            &form06_file_name(&report, "xlsx"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            report.to_xlsx().map_err(|e| HttpError::from(motcua_app::AppError::Internal(e.into())))?,
        ),
        Format::Pdf => file_download(&form06_file_name(&report, "pdf"), "application/pdf", report.to_pdf()?),
    })
}

/// Which cell, and which page of its dossiers.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CellInput {
    /// The column, 3 to 13 (default 3, the total received).
    pub column: Option<u8>,
    /// A field's row (its name as the report shows it); absent: the total row.
    pub field: Option<String>,
    /// Continue after this dossier id.
    pub after: Option<i64>,
    /// Page size (1–200, default 50).
    pub limit: Option<i64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CellDossiersDto {
    pub items: Vec<DossierSummaryDto>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next_after: Option<i64>,
}

/// The dossiers behind one number of a Biểu 06, oldest first: the report's parameters, the
/// `column` and optionally the `field`.
#[utoipa::path(get, path = "/api/v1/reports/06/dossiers", tag = "reports", params(ReportInput, CellInput),
    security(("bearer" = [])),
    responses((status = 200, body = CellDossiersDto), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn form06_dossiers(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    ApiQuery(q): ApiQuery<ReportInput>,
    ApiQuery(c): ApiQuery<CellInput>,
) -> ApiResult<Json<CellDossiersDto>> {
    let r = q.parse(today(state.services.now())).map_err(motcua_app::AppError::Validation)?;
    let column = c.column.unwrap_or(3);
    let page = state
        .services
        .reports
        .form06_dossiers(
            (&p).into(),
            r.agency.as_deref(),
            r.period,
            r.variant,
            column,
            c.field.as_deref(),
            c.after,
            c.limit.unwrap_or(50),
        )
        .await?;
    let now = state.services.now();
    Ok(Json(CellDossiersDto { items: page.dossiers.iter().map(|d| summary(d, now)).collect(), next_after: page.next }))
}

/// The raw export behind the reports: one row per dossier the period counts, with every
/// instant the counting rules use (columns in `docs/reports.md`), as CSV (`format=csv`, all
/// rows) or JSON (a page: `after`, `limit` up to 5000).
#[utoipa::path(get, path = "/api/v1/reports/dossiers", tag = "reports", params(ReportInput, CellInput),
    security(("bearer" = [])),
    responses((status = 200, body = ExportDto, description = "JSON page, or CSV with every row"),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn export(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    ApiQuery(q): ApiQuery<ReportInput>,
    ApiQuery(c): ApiQuery<CellInput>,
) -> ApiResult<Response> {
    let r = q.parse(today(state.services.now())).map_err(motcua_app::AppError::Validation)?;
    let reports = &state.services.reports;
    match r.format {
        Format::Csv => {
            let mut out = String::from("\u{feff}");
            out.push_str(&csv_line(EXPORT_COLUMNS));
            let mut after = None;
            loop {
                let page =
                    reports.export_page((&p).into(), r.agency.as_deref(), r.period, r.variant, after, 5_000).await?;
                for row in &page.rows {
                    out.push_str(&csv_line(&row.0));
                }
                match page.next {
                    Some(n) => after = Some(n),
                    None => break,
                }
            }
            let name =
                format!("ho-so-{}-{}.csv", r.agency.as_deref().unwrap_or("don-vi"), r.period.key().replace("..", "_"));
            Ok(file_download(&name, "text/csv; charset=utf-8", out.into_bytes()))
        }
        Format::Json => {
            let page = reports
                .export_page((&p).into(), r.agency.as_deref(), r.period, r.variant, c.after, c.limit.unwrap_or(1_000))
                .await?;
            Ok(Json(ExportDto {
                columns: EXPORT_COLUMNS.iter().map(|c| (*c).to_owned()).collect(),
                rows: page.rows.into_iter().map(|r| r.0).collect(),
                next_after: page.next,
            })
            .into_response())
        }
        _ => Err(HttpError::bad_request("invalid_query", "format: dùng csv hoặc json.").into()),
    }
}

/// A page of the raw export.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ExportDto {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub next_after: Option<i64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProductivityRowDto {
    pub name: String,
    /// The desk (receiving agency).
    pub agency: String,
    pub received: i64,
    pub officials: i64,
    /// Dossiers per official per working day.
    pub per_day: Option<f64>,
    /// `per_day` as a percent of the benchmark (20 a day).
    pub of_benchmark: Option<f64>,
}

impl From<&motcua_app::reports::ProductivityRow> for ProductivityRowDto {
    fn from(r: &motcua_app::reports::ProductivityRow) -> Self {
        Self {
            name: r.name.clone(),
            agency: r.agency.clone(),
            received: r.received,
            officials: r.officials,
            per_day: r.per_day.map(|p| p.0),
            of_benchmark: r.per_day.map(|p| p.1),
        }
    }
}

/// Desk productivity of an agency's subtree for a period.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProductivityDto {
    pub agency_code: String,
    pub agency_name: String,
    pub period: PeriodDto,
    /// Working days of the period up to today.
    pub working_days: i64,
    pub benchmark_per_day: f64,
    pub officials: Vec<ProductivityRowDto>,
    pub desks: Vec<ProductivityRowDto>,
}

impl From<&motcua_app::reports::Productivity> for ProductivityDto {
    fn from(p: &motcua_app::reports::Productivity) -> Self {
        Self {
            agency_code: p.agency.code.to_string(),
            agency_name: p.agency.name.clone(),
            period: (&p.period).into(),
            working_days: p.working_days,
            benchmark_per_day: p.benchmark,
            officials: p.officials.iter().map(Into::into).collect(),
            desks: p.desks.iter().map(Into::into).collect(),
        }
    }
}

/// Dossiers accepted per desk officer and per desk, per working day, against the benchmark of
/// 20 a day, for an agency's subtree and a period.
#[utoipa::path(get, path = "/api/v1/reports/productivity", tag = "reports", params(ReportInput),
    security(("bearer" = [])),
    responses((status = 200, body = ProductivityDto), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn productivity(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    ApiQuery(q): ApiQuery<ReportInput>,
) -> ApiResult<Json<ProductivityDto>> {
    let r = q.parse(today(state.services.now())).map_err(motcua_app::AppError::Validation)?;
    let x = state.services.reports.productivity((&p).into(), r.agency.as_deref(), r.period).await?;
    Ok(Json((&x).into()))
}
