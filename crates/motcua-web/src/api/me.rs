use axum::Json;

use super::dto::MeDto;
use crate::auth::ApiUser;
use crate::error::ErrorBody;

/// The official the credentials belong to, with their grants.
#[utoipa::path(get, path = "/api/v1/me", tag = "me", security(("bearer" = [])),
    responses((status = 200, body = MeDto), (status = 401, body = ErrorBody)))]
pub async fn me(ApiUser(p): ApiUser) -> Json<MeDto> {
    Json(MeDto::from(&p))
}
