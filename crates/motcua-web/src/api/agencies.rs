use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use motcua_app::agencies::{ActivationInput, build_tree};
use motcua_domain::agency::AgencyId;
use serde::Deserialize;
use utoipa::IntoParams;

use super::dto::{ActivateBody, AgencyDto, AgencyHistory, AgencyList, AgencyWrite, DeactivateBody};
use crate::auth::ApiUser;
use crate::context::Meta;
use crate::error::{ApiResult, ErrorBody, HttpError};
use crate::respond::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Include agencies that no longer exist (history). Default `false`.
    #[serde(default)]
    pub include_inactive: bool,
    /// `tree` (default): nested `children`; `flat`: depth-first list.
    pub format: Option<String>,
}

/// The agencies the caller may see: the subtrees of their grants.
#[utoipa::path(get, path = "/api/v1/agencies", tag = "agencies", params(ListQuery), security(("bearer" = [])),
    responses((status = 200, body = AgencyList), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<AgencyList>> {
    let list = state.services.agencies.list_agencies(&p, q.include_inactive).await?;
    let items = match q.format.as_deref() {
        None | Some("tree") => build_tree(list).iter().map(AgencyDto::from).collect(),
        Some("flat") => list.iter().map(AgencyDto::from).collect(),
        Some(_) => return Err(HttpError::bad_request("invalid_query", "format phải là tree hoặc flat.").into()),
    };
    Ok(Json(AgencyList { items }))
}

/// Creates an agency under `parent_id`. Requires `admin` over the parent.
#[utoipa::path(post, path = "/api/v1/agencies", tag = "agencies", request_body = AgencyWrite, security(("bearer" = [])),
    responses((status = 201, body = AgencyDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Meta(meta): Meta,
    ApiJson(body): ApiJson<AgencyWrite>,
) -> ApiResult<(StatusCode, Json<AgencyDto>)> {
    let (_, input) = body.input();
    let a = state.services.agencies.create_agency(&p, &input, &meta).await?;
    Ok((StatusCode::CREATED, Json(AgencyDto::from(&a))))
}

/// One agency. Agencies outside the caller's scope answer 404.
#[utoipa::path(get, path = "/api/v1/agencies/{id}", tag = "agencies", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = AgencyDto), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<AgencyDto>> {
    Ok(Json(AgencyDto::from(&state.services.agencies.get_agency(&p, AgencyId(id)).await?)))
}

/// Replaces an agency's fields; `version` must be the current version.
#[utoipa::path(put, path = "/api/v1/agencies/{id}", tag = "agencies", params(("id" = i64, Path)), request_body = AgencyWrite, security(("bearer" = [])),
    responses((status = 200, body = AgencyDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Meta(meta): Meta,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<AgencyWrite>,
) -> ApiResult<Json<AgencyDto>> {
    let (version, input) = body.input();
    let Some(version) = version else {
        return Err(HttpError::from(motcua_domain::validation::ValidationErrors::single(
            motcua_domain::validation::FieldError::required("version"),
        ))
        .into());
    };
    Ok(Json(AgencyDto::from(&state.services.agencies.update_agency(&p, AgencyId(id), version, &input, &meta).await?)))
}

/// The agency's history: every version with the date it took effect and why.
#[utoipa::path(get, path = "/api/v1/agencies/{id}/history", tag = "agencies", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = AgencyHistory), (status = 404, body = ErrorBody)))]
pub async fn history(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<AgencyHistory>> {
    let items = state.services.agencies.agency_history(&p, AgencyId(id)).await?.into_iter().map(Into::into).collect();
    Ok(Json(AgencyHistory { items }))
}

/// Ends an agency's existence (dissolution, merger). Its units must be deactivated first.
#[utoipa::path(post, path = "/api/v1/agencies/{id}/deactivate", tag = "agencies", params(("id" = i64, Path)), request_body = DeactivateBody, security(("bearer" = [])),
    responses((status = 200, body = AgencyDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn deactivate(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Meta(meta): Meta,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<DeactivateBody>,
) -> ApiResult<Json<AgencyDto>> {
    let input = ActivationInput { version: b.version, active: false, valid_to: b.valid_to, reason: b.reason };
    Ok(Json(AgencyDto::from(&state.services.agencies.set_agency_active(&p, AgencyId(id), &input, &meta).await?)))
}

/// Restores a deactivated agency.
#[utoipa::path(post, path = "/api/v1/agencies/{id}/activate", tag = "agencies", params(("id" = i64, Path)), request_body = ActivateBody, security(("bearer" = [])),
    responses((status = 200, body = AgencyDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn activate(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Meta(meta): Meta,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<ActivateBody>,
) -> ApiResult<Json<AgencyDto>> {
    let input = ActivationInput { version: b.version, active: true, valid_to: None, reason: b.reason };
    Ok(Json(AgencyDto::from(&state.services.agencies.set_agency_active(&p, AgencyId(id), &input, &meta).await?)))
}
