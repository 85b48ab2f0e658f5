use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use motcua_app::ports::JobFilter;
use motcua_domain::job::JobStatus;
use serde::Deserialize;
use utoipa::IntoParams;

use super::dto::{JobDetail, JobDto, JobList};
use crate::auth::ApiUser;
use crate::context::Meta;
use crate::error::{ApiResult, ErrorBody, HttpError};
use crate::respond::{ApiPath, ApiQuery};
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// `pending`, `running`, `done` or `dead`.
    pub status: Option<String>,
    pub kind: Option<String>,
    /// Only jobs with a smaller id (keyset pagination).
    pub before: Option<i64>,
    /// 1–500, default 50.
    pub limit: Option<i64>,
}

/// Background jobs, newest first (province-wide administrators).
#[utoipa::path(get, path = "/api/v1/jobs", tag = "jobs", params(ListQuery), security(("bearer" = [])),
    responses((status = 200, body = JobList), (status = 403, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<JobList>> {
    let status = match q.status.as_deref() {
        None | Some("") => None,
        Some(s) => {
            Some(JobStatus::parse(s).ok_or_else(|| HttpError::bad_request("invalid_query", "status không hợp lệ."))?)
        }
    };
    let limit = q.limit.unwrap_or(50).clamp(1, 500);
    let jobs =
        state.services.jobs.list_jobs(&p, &JobFilter { status, kind: q.kind, before_id: q.before, limit }).await?;
    let next_before = (jobs.len() as i64 == limit).then(|| jobs.last().map(|j| j.id)).flatten();
    Ok(Json(JobList { items: jobs.iter().map(JobDto::from).collect(), next_before }))
}

/// One job with its attempts.
#[utoipa::path(get, path = "/api/v1/jobs/{id}", tag = "jobs", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = JobDetail), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<JobDetail>> {
    let (job, attempts) = state.services.jobs.get_job(&p, id).await?;
    Ok(Json(JobDetail {
        job: JobDto::from(&job),
        payload: job.payload,
        attempts_log: attempts.into_iter().map(Into::into).collect(),
    }))
}

/// Puts a dead job back in the queue.
#[utoipa::path(post, path = "/api/v1/jobs/{id}/retry", tag = "jobs", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn retry(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Meta(meta): Meta,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<StatusCode> {
    state.services.jobs.retry_job(&p, id, &meta).await?;
    Ok(StatusCode::NO_CONTENT)
}
