//! The leader's dashboard, the "toàn trình" rate and the targets over HTTP, and the dossiers
//! behind any dashboard figure.

use axum::Json;
use axum::extract::State;
use motcua_app::reports::{Dashboard, Figures, FullOnlineReport, FullOnlineRow, TargetSheet, TargetSource};
use motcua_domain::report::Measure;
use motcua_domain::report::target::Metric;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::dossiers::summary;
use super::report_input::{ReportInput, today};
use super::reports::{CellDossiersDto, PeriodDto};
use crate::auth::ApiUser;
use crate::context::Meta;
use crate::error::{ApiResult, ErrorBody, HttpError};
use crate::respond::{ApiJson, ApiQuery};
use crate::state::AppState;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FiguresDto {
    pub received: i64,
    pub received_online: i64,
    pub received_desk: i64,
    pub received_postal: i64,
    pub resolved: i64,
    pub resolved_early: i64,
    pub resolved_on_time: i64,
    pub resolved_late: i64,
    pub pending_in_time: i64,
    pub pending_overdue: i64,
    pub supplemented: i64,
    pub refused: i64,
    pub returned: i64,
    pub resolved_full_online: i64,
    pub resolved_electronic: i64,
    /// Percent of the received dossiers that came online.
    pub online_share: Option<f64>,
    /// Percent of the received dossiers sent back for a supplement.
    pub supplement_rate: Option<f64>,
    /// Percent of the resolved dossiers resolved early or on time.
    pub on_time_rate: Option<f64>,
    /// Average processing time of the resolved dossiers, in days (without paused time).
    pub average_days: Option<f64>,
}

impl From<&Figures> for FiguresDto {
    fn from(f: &Figures) -> Self {
        Self {
            received: f.received(),
            received_online: f.received_online,
            received_desk: f.received_desk,
            received_postal: f.received_postal,
            resolved: f.resolved(),
            resolved_early: f.resolved_early,
            resolved_on_time: f.resolved_on_time,
            resolved_late: f.resolved_late,
            pending_in_time: f.pending_in_time,
            pending_overdue: f.pending_overdue,
            supplemented: f.supplemented,
            refused: f.refused,
            returned: f.returned,
            resolved_full_online: f.resolved_full_online,
            resolved_electronic: f.resolved_electronic,
            online_share: f.online_share(),
            supplement_rate: f.supplement_rate(),
            on_time_rate: f.on_time_rate(),
            average_days: f.average_days(),
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NamedFiguresDto {
    pub name: String,
    /// The agency's code (rows per commune).
    pub agency_code: Option<String>,
    pub figures: FiguresDto,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TrendPointDto {
    pub from: String,
    pub to: String,
    pub received: i64,
    pub resolved: i64,
    pub resolved_late: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TargetProgressDto {
    pub metric: String,
    pub label: String,
    /// In the metric's unit (percent, or dossiers per day).
    pub target: Option<f64>,
    /// Absent: no data yet.
    pub actual: Option<f64>,
    /// Percent of the target reached (at most 100).
    pub progress: Option<f64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DashboardDto {
    pub agency_code: String,
    pub agency_name: String,
    pub period: PeriodDto,
    pub today: FiguresDto,
    pub period_figures: FiguresDto,
    /// Pending in time, turning overdue before `near_due_until`.
    pub near_due: i64,
    pub near_due_until: String,
    pub trend: Vec<TrendPointDto>,
    pub by_field: Vec<NamedFiguresDto>,
    pub by_commune: Vec<NamedFiguresDto>,
    pub by_procedure: Vec<NamedFiguresDto>,
    pub targets: Vec<TargetProgressDto>,
    pub generated_at: String,
}

impl From<&Dashboard> for DashboardDto {
    fn from(d: &Dashboard) -> Self {
        let named = |v: &[motcua_app::reports::NamedFigures]| {
            v.iter()
                .map(|n| NamedFiguresDto {
                    name: n.name.clone(),
                    agency_code: n.agency.as_ref().map(|a| a.code.to_string()),
                    figures: (&n.figures).into(),
                })
                .collect()
        };
        Self {
            agency_code: d.agency.code.to_string(),
            agency_name: d.agency.name.clone(),
            period: (&d.period).into(),
            today: (&d.today).into(),
            period_figures: (&d.current).into(),
            near_due: d.near_due,
            near_due_until: d.near_due_until.to_string(),
            trend: d
                .trend
                .iter()
                .map(|t| TrendPointDto {
                    from: t.first.to_string(),
                    to: t.last.to_string(),
                    received: t.received,
                    resolved: t.resolved,
                    resolved_late: t.resolved_late,
                })
                .collect(),
            by_field: named(&d.by_field),
            by_commune: named(&d.by_commune),
            by_procedure: named(&d.by_procedure),
            targets: d
                .targets
                .iter()
                .map(|t| TargetProgressDto {
                    metric: t.metric.as_str().to_owned(),
                    label: t.metric.label().to_owned(),
                    target: t.target.map(|v| f64::from(v) / 100.0),
                    actual: t.actual,
                    progress: t.progress,
                })
                .collect(),
            generated_at: d.generated_at.to_string(),
        }
    }
}

/// The dashboard of an agency's subtree: today and the period (default: the calendar month),
/// the trend, by field, by commune, the slowest-moving procedures and the targets.
#[utoipa::path(get, path = "/api/v1/dashboard", tag = "reports", params(ReportInput),
    security(("bearer" = [])),
    responses((status = 200, body = DashboardDto), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn dashboard(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    ApiQuery(mut q): ApiQuery<ReportInput>,
) -> ApiResult<Json<DashboardDto>> {
    q.calendar = Some(q.calendar.unwrap_or(true));
    let r = q.parse(today(state.services.now())).map_err(motcua_app::AppError::Validation)?;
    let d = state.services.reports.dashboard((&p).into(), r.agency.as_deref(), r.period).await?;
    Ok(Json((&d).into()))
}

/// Which figure, and which page of its dossiers.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MeasureInput {
    /// The figure: `received`, `received_online`, `resolved_late`, `pending_overdue`, … (the
    /// measures of `docs/reports.md`).
    pub measure: Option<String>,
    /// `true`: the near-due dossiers now (pending in time, turning overdue soon); `measure`
    /// and the period are then ignored.
    pub near_due: Option<bool>,
    /// A field's dossiers only (its name as the dashboard shows it).
    pub field: Option<String>,
    pub after: Option<i64>,
    /// Page size (1–200, default 50).
    pub limit: Option<i64>,
}

pub(crate) fn parse_measure(m: Option<&str>) -> Result<Measure, HttpError> {
    let m = m.map(str::trim).filter(|m| !m.is_empty()).unwrap_or("received");
    Measure::parse(m).ok_or_else(|| {
        HttpError::bad_request(
            "invalid_query",
            format!(
                "measure: dùng một trong {}.",
                Measure::ALL.iter().map(|m| m.as_str()).collect::<Vec<_>>().join(", ")
            ),
        )
    })
}

/// The dossiers behind a dashboard figure, oldest first.
#[utoipa::path(get, path = "/api/v1/dashboard/dossiers", tag = "reports", params(ReportInput, MeasureInput),
    security(("bearer" = [])),
    responses((status = 200, body = CellDossiersDto), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn dashboard_dossiers(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    ApiQuery(mut q): ApiQuery<ReportInput>,
    ApiQuery(m): ApiQuery<MeasureInput>,
) -> ApiResult<Json<CellDossiersDto>> {
    q.calendar = Some(q.calendar.unwrap_or(true));
    let r = q.parse(today(state.services.now())).map_err(motcua_app::AppError::Validation)?;
    let measure = parse_measure(m.measure.as_deref())?;
    let page = state
        .services
        .reports
        .measure_dossiers(
            (&p).into(),
            r.agency.as_deref(),
            r.period,
            measure,
            m.near_due.unwrap_or(false),
            m.field.as_deref(),
            m.after,
            m.limit.unwrap_or(50),
        )
        .await?;
    let now = state.services.now();
    Ok(Json(CellDossiersDto { items: page.dossiers.iter().map(|d| summary(d, now)).collect(), next_after: page.next }))
}

/// A year and an agency.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct YearInput {
    /// The agency's code (default: the caller's widest agency).
    pub agency: Option<String>,
    /// The calendar year (default: this year).
    pub year: Option<i16>,
}

impl YearInput {
    pub(crate) fn year(&self, now: jiff::Timestamp) -> i16 {
        self.year.unwrap_or_else(|| today(now).year())
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FullOnlineRowDto {
    pub agency_code: String,
    pub agency_name: String,
    pub resolved: i64,
    pub full_online: i64,
    /// Percent.
    pub rate: Option<f64>,
    /// `province` or `commune` (the decree's scale), absent for other levels.
    pub level: Option<String>,
    /// The average scored against, in percent (entered as a target).
    pub average: Option<f64>,
    pub points: Option<f64>,
    pub max_points: Option<f64>,
}

impl From<&FullOnlineRow> for FullOnlineRowDto {
    fn from(r: &FullOnlineRow) -> Self {
        Self {
            agency_code: r.agency.code.to_string(),
            agency_name: r.agency.name.clone(),
            resolved: r.resolved,
            full_online: r.full_online,
            rate: r.rate,
            level: r.level.map(|l| {
                match l {
                    motcua_domain::report::full_online::ScoredLevel::Province => "province",
                    motcua_domain::report::full_online::ScoredLevel::Commune => "commune",
                }
                .to_owned()
            }),
            average: r.average.map(|v| f64::from(v) / 100.0),
            points: r.points,
            max_points: r.level.map(|l| l.max_points()),
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FullOnlineDto {
    pub year: i16,
    pub total: FullOnlineRowDto,
    pub communes: Vec<FullOnlineRowDto>,
    pub generated_at: String,
}

impl From<&FullOnlineReport> for FullOnlineDto {
    fn from(r: &FullOnlineReport) -> Self {
        Self {
            year: r.year,
            total: (&r.total).into(),
            communes: r.communes.iter().map(Into::into).collect(),
            generated_at: r.generated_at.to_string(),
        }
    }
}

/// The yearly "toàn trình" rate (NĐ 307/2025) of an agency and its communes, with the
/// decree's points against the averages entered as targets. The dossiers that fell short:
/// `GET /api/v1/dashboard/dossiers?measure=resolved_not_full_online&period=YEAR&calendar=true`.
#[utoipa::path(get, path = "/api/v1/reports/full-online", tag = "reports", params(YearInput),
    security(("bearer" = [])),
    responses((status = 200, body = FullOnlineDto), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn full_online(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    ApiQuery(q): ApiQuery<YearInput>,
) -> ApiResult<Json<FullOnlineDto>> {
    let year = q.year(state.services.now());
    let r = state.services.reports.full_online((&p).into(), q.agency.as_deref(), year).await?;
    Ok(Json((&r).into()))
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TargetDto {
    pub metric: String,
    pub label: String,
    /// `percent` or `per_day`.
    pub unit: String,
    pub value: Option<f64>,
    /// `own`, `inherited`, `default` or `missing`.
    pub source: String,
    /// The agency it is inherited from.
    pub inherited_from: Option<String>,
    pub updated_by: Option<String>,
    pub updated_at: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TargetsDto {
    pub agency_code: String,
    pub agency_name: String,
    pub year: i16,
    pub editable: bool,
    pub targets: Vec<TargetDto>,
}

impl From<&TargetSheet> for TargetsDto {
    fn from(s: &TargetSheet) -> Self {
        Self {
            agency_code: s.agency.code.to_string(),
            agency_name: s.agency.name.clone(),
            year: s.year,
            editable: s.editable,
            targets: s
                .targets
                .iter()
                .map(|t| TargetDto {
                    metric: t.metric.as_str().to_owned(),
                    label: t.metric.label().to_owned(),
                    unit: match t.metric.unit() {
                        motcua_domain::report::target::Unit::Percent => "percent".to_owned(),
                        motcua_domain::report::target::Unit::PerDay => "per_day".to_owned(),
                    },
                    value: t.value.map(|v| f64::from(v) / 100.0),
                    source: match t.source {
                        TargetSource::Own => "own",
                        TargetSource::Inherited(_) => "inherited",
                        TargetSource::Default => "default",
                        TargetSource::Missing => "missing",
                    }
                    .to_owned(),
                    inherited_from: match &t.source {
                        TargetSource::Inherited(n) => Some(n.clone()),
                        _ => None,
                    },
                    updated_by: t.updated.as_ref().map(|u| u.0.clone()),
                    updated_at: t.updated.as_ref().map(|u| u.1.to_string()),
                })
                .collect(),
        }
    }
}

/// An agency's targets for a year, each with where its value comes from.
#[utoipa::path(get, path = "/api/v1/targets", tag = "reports", params(YearInput),
    security(("bearer" = [])),
    responses((status = 200, body = TargetsDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn targets(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    ApiQuery(q): ApiQuery<YearInput>,
) -> ApiResult<Json<TargetsDto>> {
    let year = q.year(state.services.now());
    let s = state.services.reports.targets((&p).into(), q.agency.as_deref(), year).await?;
    Ok(Json((&s).into()))
}

/// New values: metric → value as written ("50", "50,5"); an empty string clears the agency's
/// own value.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct TargetsInput {
    pub agency: String,
    pub year: i16,
    pub values: std::collections::BTreeMap<String, String>,
}

/// Sets an agency's targets for a year (administrators of the agency). All or nothing.
#[utoipa::path(put, path = "/api/v1/targets", tag = "reports", request_body = TargetsInput,
    security(("bearer" = [])),
    responses((status = 200, body = TargetsDto), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_targets(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Meta(meta): Meta,
    ApiJson(input): ApiJson<TargetsInput>,
) -> ApiResult<Json<TargetsDto>> {
    let values = parse_target_values(input.values.iter().map(|(k, v)| (k.as_str(), v.as_str())))?;
    let s = state.services.reports.set_targets(&p, &input.agency, input.year, &values, &meta).await?;
    Ok(Json((&s).into()))
}

/// Metric names checked; unknown ones are an error rather than silently ignored.
pub(crate) fn parse_target_values<'a>(
    values: impl Iterator<Item = (&'a str, &'a str)>,
) -> Result<Vec<(Metric, String)>, motcua_app::AppError> {
    let mut out = Vec::new();
    for (k, v) in values {
        let metric = Metric::parse(k).ok_or_else(|| {
            motcua_app::AppError::field(
                "values",
                "unknown_metric",
                format!(
                    "Chỉ tiêu không có: {k}; dùng {}.",
                    Metric::ALL.iter().map(|m| m.as_str()).collect::<Vec<_>>().join(", ")
                ),
            )
        })?;
        out.push((metric, v.to_owned()));
    }
    Ok(out)
}
