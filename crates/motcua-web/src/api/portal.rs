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
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> ApiResult<Json<PortalPushAnswer>> {
    use crate::error::{ApiError, HttpError};
    let presented = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|h| h.strip_prefix("Bearer "))
        .map(str::trim);
    let allowed = match (&state.config.portal_inbound_token, presented) {
        (Some(t), Some(got)) => motcua_app::secret::constant_time_eq(got, t),
        _ => false,
    };
    if !allowed {
        return Err(ApiError(HttpError::unauthenticated()));
    }
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
