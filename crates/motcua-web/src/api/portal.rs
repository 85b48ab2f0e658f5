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
