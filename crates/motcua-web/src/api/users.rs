use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use motcua_app::accounts::{GrantInput, UserInput};
use motcua_domain::account::UserId;
use serde::Deserialize;
use utoipa::IntoParams;

use super::dto::{
    GrantDto, GrantList, GrantWrite, GrantsWrite, OneTimePassword, UserCreate, UserDto, UserList, UserUpdate,
};
use crate::auth::ApiUser;
use crate::context::Meta;
use crate::error::{ApiResult, ErrorBody};
use crate::respond::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;

fn grants(g: Vec<GrantWrite>) -> Vec<GrantInput> {
    g.into_iter().map(|g| GrantInput { role: g.role, agency_id: g.agency_id }).collect()
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Part of the username or full name.
    pub q: Option<String>,
    #[serde(default)]
    pub include_inactive: bool,
}

/// Accounts whose unit is in the caller's scope (roles `admin`, `leader`, `control_officer`).
#[utoipa::path(get, path = "/api/v1/users", tag = "users", params(ListQuery), security(("bearer" = [])),
    responses((status = 200, body = UserList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<UserList>> {
    let users = state.services.accounts.list_users(&p, q.q.as_deref(), q.include_inactive).await?;
    Ok(Json(UserList { items: users.iter().map(UserDto::from).collect() }))
}

/// Creates an account with a one-time password and its grants.
#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = UserCreate, security(("bearer" = [])),
    responses((status = 201, body = OneTimePassword), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Meta(meta): Meta,
    ApiJson(b): ApiJson<UserCreate>,
) -> ApiResult<(StatusCode, Json<OneTimePassword>)> {
    let input = UserInput {
        username: b.username,
        full_name: b.full_name,
        email: b.email,
        phone: b.phone,
        title: b.title,
        agency_id: b.agency_id,
        active: true,
    };
    let (user, password) = state.services.accounts.create_user(&p, &input, &grants(b.grants), &meta).await?;
    let detail = state.services.accounts.get_user(&p, user.id).await?;
    Ok((StatusCode::CREATED, Json(OneTimePassword { user: UserDto::from(&detail), one_time_password: password })))
}

/// One account with its grants.
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "users", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = UserDto), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<UserDto>> {
    Ok(Json(UserDto::from(&state.services.accounts.get_user(&p, UserId(id)).await?)))
}

/// Replaces profile fields and the active flag.
#[utoipa::path(put, path = "/api/v1/users/{id}", tag = "users", params(("id" = i64, Path)), request_body = UserUpdate, security(("bearer" = [])),
    responses((status = 200, body = UserDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Meta(meta): Meta,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<UserUpdate>,
) -> ApiResult<Json<UserDto>> {
    let input = UserInput {
        username: String::new(),
        full_name: b.full_name,
        email: b.email,
        phone: b.phone,
        title: b.title,
        agency_id: b.agency_id,
        active: b.active,
    };
    let user = state.services.accounts.update_user(&p, UserId(id), b.version, &input, &meta).await?;
    Ok(Json(UserDto::from(&user)))
}

/// Replaces the grants the caller manages (grants outside the caller's scope are kept).
#[utoipa::path(put, path = "/api/v1/users/{id}/grants", tag = "users", params(("id" = i64, Path)), request_body = GrantsWrite, security(("bearer" = [])),
    responses((status = 200, body = GrantList), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_grants(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Meta(meta): Meta,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<GrantsWrite>,
) -> ApiResult<Json<GrantList>> {
    let result = state.services.accounts.set_user_grants(&p, UserId(id), &grants(b.grants), &meta).await?;
    Ok(Json(GrantList { items: result.iter().map(GrantDto::from).collect() }))
}

/// Issues a new one-time password, unlocks the account and ends its sessions.
#[utoipa::path(post, path = "/api/v1/users/{id}/reset-password", tag = "users", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = OneTimePassword), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn reset_password(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Meta(meta): Meta,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<OneTimePassword>> {
    let password = state.services.accounts.reset_user_password(&p, UserId(id), &meta).await?;
    let detail = state.services.accounts.get_user(&p, UserId(id)).await?;
    Ok(Json(OneTimePassword { user: UserDto::from(&detail), one_time_password: password }))
}
