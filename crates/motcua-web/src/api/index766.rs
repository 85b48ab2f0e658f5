//! The Decision 766 index over HTTP.

use axum::Json;
use axum::extract::State;
use motcua_app::reports::Index766Report;
use motcua_domain::report::index766::{Index766, Standing};
use serde::Serialize;
use utoipa::ToSchema;

use super::report_input::{ReportInput, ReportRequest, today};
use super::reports::PeriodDto;
use crate::auth::ApiUser;
use crate::error::{ApiResult, ErrorBody};
use crate::respond::ApiQuery;
use crate::state::AppState;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IndicatorDto {
    /// `2.1`, `3.3`, …
    pub id: String,
    pub group: String,
    pub name: String,
    pub max_points: f64,
    /// `scored`, `monitored` or `no_data`.
    pub kind: String,
    pub numerator: Option<i64>,
    pub denominator: Option<i64>,
    /// Percent (scored), or the monitored value in `unit`; absent when nothing was counted.
    pub value: Option<f64>,
    pub unit: Option<String>,
    pub target: Option<f64>,
    pub points: Option<f64>,
    /// Why there is no data yet.
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GroupDto {
    pub number: String,
    pub name: String,
    pub points: f64,
    /// The points of the group's indicators that have data.
    pub max_with_data: f64,
    pub max: f64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IndexDto {
    pub indicators: Vec<IndicatorDto>,
    pub groups: Vec<GroupDto>,
    pub total: f64,
    pub max_with_data: f64,
    /// Only once every indicator has data (the bands are configurable and unconfirmed).
    pub grade: Option<String>,
}

impl From<&Index766> for IndexDto {
    fn from(x: &Index766) -> Self {
        Self {
            indicators: x
                .lines
                .iter()
                .map(|l| {
                    let i = l.indicator;
                    let mut d = IndicatorDto {
                        id: i.id.into(),
                        group: i.group.number().into(),
                        name: i.name.into(),
                        max_points: i.max,
                        kind: String::new(),
                        numerator: None,
                        denominator: None,
                        value: None,
                        unit: None,
                        target: None,
                        points: None,
                        reason: None,
                    };
                    match &l.standing {
                        Standing::Scored { numerator, denominator, rate, target, points } => {
                            d.kind = "scored".into();
                            (d.numerator, d.denominator, d.value, d.target, d.points) =
                                (Some(*numerator), Some(*denominator), *rate, Some(*target), *points);
                            d.unit = Some("%".into());
                        }
                        Standing::Monitored { numerator, denominator, value, unit } => {
                            d.kind = "monitored".into();
                            (d.numerator, d.denominator, d.value) = (Some(*numerator), Some(*denominator), *value);
                            d.unit = Some((*unit).into());
                        }
                        Standing::NoData { reason } => {
                            d.kind = "no_data".into();
                            d.reason = Some((*reason).into());
                        }
                    }
                    d
                })
                .collect(),
            groups: x
                .groups
                .iter()
                .map(|g| GroupDto {
                    number: g.group.number().into(),
                    name: g.group.label().into(),
                    points: g.points,
                    max_with_data: g.max_with_data,
                    max: g.max,
                })
                .collect(),
            total: x.total,
            max_with_data: x.max_with_data,
            grade: x.grade.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RankedDto {
    pub agency_code: String,
    pub agency_name: String,
    pub total: f64,
    pub max_with_data: f64,
}

/// The Decision 766 index of an agency and its subtree.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Index766Dto {
    pub agency_code: String,
    pub agency_name: String,
    pub period: PeriodDto,
    pub index: IndexDto,
    /// The communes under the agency, best first.
    pub ranking: Vec<RankedDto>,
    pub generated_at: String,
}

impl From<&Index766Report> for Index766Dto {
    fn from(r: &Index766Report) -> Self {
        Self {
            agency_code: r.agency.code.to_string(),
            agency_name: r.agency.name.clone(),
            period: (&r.period).into(),
            index: (&r.index).into(),
            ranking: r
                .ranking
                .iter()
                .map(|c| RankedDto {
                    agency_code: c.agency.code.to_string(),
                    agency_name: c.agency.name.clone(),
                    total: c.index.total,
                    max_with_data: c.index.max_with_data,
                })
                .collect(),
            generated_at: motcua_domain::time::rfc3339_vn(r.generated_at),
        }
    }
}

/// A 766 request: calendar periods unless `calendar=false` (the national portal's periods).
pub fn index_request(q: &ReportInput, now: jiff::Timestamp) -> Result<ReportRequest, motcua_app::AppError> {
    let q = ReportInput { calendar: Some(q.calendar.unwrap_or(true)), format: None, form: None, ..q.clone() };
    q.parse(today(now)).map_err(motcua_app::AppError::Validation)
}

/// The Decision 766 service index of an agency and everything under it for a period (calendar
/// month, quarter or year by default): every indicator with its numerator and denominator, or
/// `no_data` where the system has none yet; group totals; the communes ranked.
#[utoipa::path(get, path = "/api/v1/index766", tag = "reports", params(ReportInput), security(("bearer" = [])),
    responses((status = 200, body = Index766Dto), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn index766(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    ApiQuery(q): ApiQuery<ReportInput>,
) -> ApiResult<Json<Index766Dto>> {
    let r = index_request(&q, state.services.now())?;
    let report = state.services.reports.index766((&p).into(), r.agency.as_deref(), r.period).await?;
    Ok(Json((&report).into()))
}
