//! A dossier's sync with the national portal over HTTP: what the portal was told, when, and
//! what it answered.

use axum::Json;
use axum::extract::State;
use motcua_app::dossiers::PortalTimeline;
use motcua_domain::time::rfc3339_vn;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::ApiUser;
use crate::error::{ApiResult, ErrorBody};
use crate::respond::ApiPath;
use crate::state::AppState;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PortalCallDto {
    pub at: String,
    /// `create`, `update` or `steps`.
    pub call: String,
    /// The dossier's events the call told (the dossier as of `seq_to`, the steps in between).
    pub seq_from: i64,
    pub seq_to: i64,
    /// The status (1–10) the portal was told.
    pub status: u8,
    pub ok: bool,
    pub answer_code: String,
    pub answer_message: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PortalSyncDto {
    /// The portal holds the dossier.
    pub created: bool,
    /// Events up to this one are on the portal.
    pub synced_seq: i64,
    pub attempts: u32,
    pub next_attempt_at: Option<String>,
    /// Given up after repeated failures; waits for an operator.
    pub dead: bool,
    pub last_error: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PortalTimelineDto {
    pub calls: Vec<PortalCallDto>,
    /// Changes queued and not told yet (the dossier's last event numbers).
    pub untold: Vec<i64>,
    /// Absent: the sender never reached this dossier yet.
    pub sync: Option<PortalSyncDto>,
}

impl From<&PortalTimeline> for PortalTimelineDto {
    fn from(t: &PortalTimeline) -> Self {
        Self {
            calls: t
                .calls
                .iter()
                .map(|c| PortalCallDto {
                    at: rfc3339_vn(c.at),
                    call: c.call.to_owned(),
                    seq_from: c.seq_from,
                    seq_to: c.seq_to,
                    status: c.status,
                    ok: c.ok,
                    answer_code: c.answer_code.clone(),
                    answer_message: c.answer_message.clone(),
                })
                .collect(),
            untold: t.untold.iter().map(|q| q.seq).collect(),
            sync: t.sync.as_ref().map(|s| PortalSyncDto {
                created: s.created,
                synced_seq: s.synced_seq,
                attempts: s.attempts,
                next_attempt_at: s.next_attempt_at.map(rfc3339_vn),
                dead: s.dead,
                last_error: s.last_error.clone(),
            }),
        }
    }
}

/// A dossier's sync timeline with the national portal (Cổng DVC quốc gia).
#[utoipa::path(get, path = "/api/v1/dossiers/{key}/portal", tag = "dossiers", params(("key" = String, Path)),
    security(("bearer" = [])),
    responses((status = 200, body = PortalTimelineDto), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn timeline(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    ApiPath(key): ApiPath<String>,
) -> ApiResult<Json<PortalTimelineDto>> {
    Ok(Json((&state.services.dossiers.portal_timeline(&p, &key).await?).into()))
}

/// What the push answers: `error_code` "0" when every dossier was taken (new, supplemented or
/// already here), and what became of each.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PortalPushAnswer {
    pub error_code: String,
    pub message: String,
    #[schema(value_type = Vec<Object>)]
    pub results: Vec<motcua_app::national_portal::InboundOutcome>,
}

/// A request from the national portal: it carries the bearer token configured as
/// `portal.inbound_token` (none configured: nothing is let in). Checked before the body is read.
pub struct PortalCaller;

impl axum::extract::FromRequestParts<AppState> for PortalCaller {
    type Rejection = crate::error::ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let presented = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|h| h.strip_prefix("Bearer "))
            .map(str::trim);
        let allowed = match (&state.config.portal_inbound_token, presented) {
            (Some(t), Some(got)) => motcua_app::secret::constant_time_eq(got, t),
            _ => false,
        };
        if allowed { Ok(PortalCaller) } else { Err(crate::error::ApiError(crate::error::HttpError::unauthenticated())) }
    }
}

/// The national portal pushes dossiers submitted on it (`HoSo`, one or an array, or
/// `{"data": [...]}`), with the bearer token configured as `portal.inbound_token`. Idempotent on
/// `MaHoSo`: a repeat changes nothing; a dossier waiting for a supplement takes the new files
/// as the citizen's supplement.
#[utoipa::path(post, path = "/api/v1/portal/dossiers", tag = "national_portal",
    security(("portal_token" = [])),
    request_body(content = Object, content_type = "application/json", description = "HoSo, [HoSo] hoặc {\"data\": [HoSo]}"),
    responses((status = 200, body = PortalPushAnswer), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn receive(
    State(state): State<AppState>,
    _portal: PortalCaller,
    body: axum::body::Bytes,
) -> ApiResult<Json<PortalPushAnswer>> {
    use crate::error::{ApiError, HttpError};
    let value: serde_json::Value = serde_json::from_slice(&body).map_err(|e| {
        ApiError(HttpError::bad_request("invalid_json", format!("Nội dung không phải JSON hợp lệ: {e}")))
    })?;
    let items = match value {
        serde_json::Value::Array(items) => items,
        serde_json::Value::Object(mut o) if o.contains_key("data") => match o.remove("data") {
            Some(serde_json::Value::Array(items)) => items,
            _ => return Err(ApiError(HttpError::bad_request("invalid_body", "`data` phải là một mảng hồ sơ."))),
        },
        v @ serde_json::Value::Object(_) => vec![v],
        _ => return Err(ApiError(HttpError::bad_request("invalid_body", "Cần một hồ sơ hoặc một mảng hồ sơ."))),
    };
    if items.len() > 500 {
        return Err(ApiError(HttpError::bad_request("too_many", "Mỗi lần gửi tối đa 500 hồ sơ.")));
    }
    let results = state.services.national_portal.receive(&items).await;
    let all = results.iter().all(|r| r.accepted());
    Ok(Json(PortalPushAnswer {
        error_code: if all { "0" } else { "1" }.to_owned(),
        message: if all {
            "Tiếp nhận thành công".to_owned()
        } else {
            format!(
                "{} trong {} hồ sơ chưa được tiếp nhận",
                results.iter().filter(|r| !r.accepted()).count(),
                results.len()
            )
        },
        results,
    }))
}

/// One cell of the reconciliation.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReconcileCellDto {
    pub agency_code: String,
    pub agency_name: String,
    /// Ours: numerator and denominator.
    pub ours: [i64; 2],
    /// The portal's (absent when it does not publish the agency, or could not be read).
    pub portal: Option<[i64; 2]>,
    pub differs: bool,
    /// Dossiers of the agency the portal does not hold as they stand (ids; see `problems`).
    pub dossiers: Vec<i64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReconcileIndicatorDto {
    /// Decision 766 indicator (`2.1`, `3.3`).
    pub indicator: String,
    pub label: String,
    /// The portal's evaluation endpoint compared.
    pub endpoint: String,
    pub portal_error: Option<String>,
    pub cells: Vec<ReconcileCellDto>,
}

/// A dossier the portal does not hold as it stands.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PortalProblemDto {
    pub id: i64,
    pub code: Option<String>,
    pub portal_code: Option<String>,
    pub status: u8,
    /// The status the portal last accepted, if ever.
    pub told_status: Option<u8>,
    pub untold_since: Option<String>,
    pub attempts: u32,
    /// Given up: waits for an operator to resend it.
    pub dead: bool,
    pub last_error: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PortalBacklogDto {
    pub untold_dossiers: i64,
    pub oldest_untold: Option<String>,
    pub dead: i64,
    pub failures_last_hour: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReconciliationDto {
    pub agency_code: String,
    pub agency_name: String,
    pub period: String,
    pub checked_at: String,
    pub differences: usize,
    pub complete: bool,
    pub indicators: Vec<ReconcileIndicatorDto>,
    pub problems: Vec<PortalProblemDto>,
    pub backlog: PortalBacklogDto,
    /// What the portal sent lately that was not taken, newest first.
    pub not_taken: Vec<NotTakenDto>,
}

/// A dossier the portal sent that was not taken.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NotTakenDto {
    pub portal_code: Option<String>,
    pub at: String,
    /// `rejected` (what is wrong) or `failed` (to be sent or pulled again).
    pub outcome: String,
    pub message: String,
}

impl From<&motcua_app::ports::PortalBacklog> for PortalBacklogDto {
    fn from(b: &motcua_app::ports::PortalBacklog) -> Self {
        Self {
            untold_dossiers: b.untold_dossiers,
            oldest_untold: b.oldest_untold.map(rfc3339_vn),
            dead: b.dead,
            failures_last_hour: b.failures_last_hour,
        }
    }
}

impl From<&motcua_app::national_portal::Reconciliation> for ReconciliationDto {
    fn from(r: &motcua_app::national_portal::Reconciliation) -> Self {
        Self {
            agency_code: r.agency.code.to_string(),
            agency_name: r.agency.name.clone(),
            period: r.period.key(),
            checked_at: rfc3339_vn(r.checked_at),
            differences: r.differences(),
            complete: r.complete(),
            indicators: r
                .indicators
                .iter()
                .map(|i| ReconcileIndicatorDto {
                    indicator: i.compared.indicator.to_owned(),
                    label: i.compared.label.to_owned(),
                    endpoint: i.compared.endpoint.to_owned(),
                    portal_error: i.portal_error.clone(),
                    cells: i
                        .cells
                        .iter()
                        .map(|c| ReconcileCellDto {
                            agency_code: c.cell.agency_code.clone(),
                            agency_name: c.agency_name.clone(),
                            ours: [c.cell.ours.0, c.cell.ours.1],
                            portal: c.cell.portal.map(|p| [p.0, p.1]),
                            differs: c.cell.differs(),
                            dossiers: c.problems.clone(),
                        })
                        .collect(),
                })
                .collect(),
            problems: r
                .problems
                .iter()
                .map(|p| PortalProblemDto {
                    id: p.dossier_id,
                    code: p.code.clone(),
                    portal_code: p.portal_code.clone(),
                    status: p.status,
                    told_status: p.told_status,
                    untold_since: p.untold_since.map(rfc3339_vn),
                    attempts: p.attempts,
                    dead: p.dead,
                    last_error: p.last_error.clone(),
                })
                .collect(),
            backlog: (&r.backlog).into(),
            not_taken: r
                .not_taken
                .iter()
                .map(|e| NotTakenDto {
                    portal_code: e.portal_code.clone(),
                    at: rfc3339_vn(e.at),
                    outcome: e.outcome.to_owned(),
                    message: e.message.clone(),
                })
                .collect(),
        }
    }
}

#[derive(Debug, Clone, serde::Deserialize, utoipa::IntoParams)]
pub struct ReconcileQuery {
    /// A calendar month, quarter or year: `2026-M10`, `2026-Q3`, `2026`.
    pub period: Option<String>,
    /// The agency's code (default: the widest the caller reports on).
    pub agency: Option<String>,
}

/// Parses a calendar period (the portal's), defaulting to the current month.
pub fn calendar_period(
    input: Option<&str>,
    today: jiff::civil::Date,
) -> Result<motcua_domain::report::ReportPeriod, motcua_app::AppError> {
    use motcua_domain::report::period::Basis;
    match input.map(str::trim).filter(|p| !p.is_empty()) {
        None => Ok(motcua_domain::report::ReportPeriod::calendar_month_of(today)),
        Some(p) => motcua_domain::report::ReportPeriod::parse(p, Basis::Calendar)
            .map_err(|e| motcua_app::AppError::field("period", "invalid", e.to_string())),
    }
}

/// Our Decision 766 figures beside the national portal's for a calendar period, cell by cell,
/// with the dossiers the portal does not hold as they stand and the outbox's state.
#[utoipa::path(get, path = "/api/v1/portal/reconciliation", tag = "national_portal", params(ReconcileQuery),
    security(("bearer" = [])),
    responses((status = 200, body = ReconciliationDto), (status = 422, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn reconciliation(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    crate::respond::ApiQuery(q): crate::respond::ApiQuery<ReconcileQuery>,
) -> ApiResult<Json<ReconciliationDto>> {
    let today = motcua_domain::time::vn_date(state.services.now());
    let period = calendar_period(q.period.as_deref(), today)?;
    let department = state.config.portal_department.clone();
    let r = state
        .services
        .national_portal
        .reconcile((&p).into(), q.agency.as_deref(), period, department.as_deref())
        .await?;
    Ok(Json((&r).into()))
}

/// Sends a dossier given up after repeated failures again (operators of the installation).
#[utoipa::path(post, path = "/api/v1/dossiers/{key}/portal/resend", tag = "national_portal", params(("key" = String, Path)),
    security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn resend(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    crate::context::Meta(meta): crate::context::Meta,
    ApiPath(key): ApiPath<String>,
) -> ApiResult<axum::http::StatusCode> {
    state.services.national_portal.resend(Some(&p), &key, &meta).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}
