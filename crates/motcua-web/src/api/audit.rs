use axum::Json;
use axum::extract::State;
use motcua_app::audit::AuditQuery;
use motcua_domain::audit::Outcome;
use serde::Deserialize;
use utoipa::IntoParams;

use super::dto::{AuditEntryDto, AuditPage};
use crate::auth::ApiUser;
use crate::error::{ApiResult, ErrorBody, HttpError};
use crate::respond::ApiQuery;
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Prefix of the action, e.g. `agency.` or `auth.login`.
    pub action: Option<String>,
    /// `success`, `denied`, `rejected` or `failed`.
    pub outcome: Option<String>,
    /// Username of the actor.
    pub actor: Option<String>,
    /// Only entries with a smaller sequence number (keyset pagination).
    pub before: Option<i64>,
    /// 1–500, default 50.
    pub limit: Option<i64>,
}

/// The audit log, newest first, limited to the caller's scope.
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(ListQuery), security(("bearer" = [])),
    responses((status = 200, body = AuditPage), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<AuditPage>> {
    let outcome = match q.outcome.as_deref() {
        None | Some("") => None,
        Some(o) => {
            Some(Outcome::parse(o).ok_or_else(|| HttpError::bad_request("invalid_query", "outcome không hợp lệ."))?)
        }
    };
    let limit = q.limit.unwrap_or(50).clamp(1, 500);
    let entries = state
        .services
        .audit
        .search_audit(
            &p,
            &AuditQuery {
                action_prefix: q.action,
                outcome,
                actor_username: q.actor,
                before_seq: q.before,
                limit: Some(limit),
            },
        )
        .await?;
    let next_before = (entries.len() as i64 == limit).then(|| entries.last().map(|e| e.seq)).flatten();
    Ok(Json(AuditPage { items: entries.into_iter().map(AuditEntryDto::from).collect(), next_before }))
}
