//! Citizens' ratings over the API: the questions behind a rating link and the answer (no login,
//! rate limited, once per dossier), and a dossier's rating for the officials who may see it.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use motcua_app::ports::RatingRecord;
use motcua_domain::rating::{Answers, RatingChannel};
use motcua_domain::time::rfc3339_vn;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::ApiUser;
use crate::context::Meta;
use crate::error::{ApiResult, ErrorBody};
use crate::limits::tracking_limit;
use crate::respond::{ApiJson, ApiPath};
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct RatingIndicatorDto {
    /// Answer it as `i{code}` with one of the options' points.
    pub code: String,
    pub text: String,
    /// `(points, meaning)`, best first.
    pub options: Vec<(u8, String)>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RatingQuestionDto {
    /// Answer it as `q{code}` with `very_satisfied`, `satisfied` or `unsatisfied`.
    pub code: String,
    pub text: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RatingFormDto {
    pub dossier_code: String,
    pub procedure: String,
    pub agency: String,
    /// The indicator set's version, recorded with the rating.
    pub set_version: String,
    pub indicators: Vec<RatingIndicatorDto>,
    pub questions: Vec<RatingQuestionDto>,
    /// Why it cannot be rated now (not returned yet, rated already); absent when it can.
    pub closed: Option<String>,
}

/// The questions behind a rating link (the QR on the receipt, the result notice).
#[utoipa::path(get, path = "/api/v1/public/ratings/{token}", tag = "ratings", params(("token" = String, Path)),
    responses((status = 200, body = RatingFormDto), (status = 404, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn form(
    State(state): State<AppState>,
    Meta(meta): Meta,
    ApiPath(token): ApiPath<String>,
) -> ApiResult<Json<RatingFormDto>> {
    tracking_limit(&state, &meta)?;
    let f = state.services.dossiers.rating_form(&token).await?;
    Ok(Json(RatingFormDto {
        dossier_code: f.code,
        procedure: f.procedure,
        agency: f.agency,
        set_version: f.set.version.clone(),
        indicators: f
            .set
            .indicators
            .iter()
            .map(|i| RatingIndicatorDto { code: i.code.clone(), text: i.text.clone(), options: i.options.clone() })
            .collect(),
        questions: f
            .set
            .questions
            .iter()
            .map(|q| RatingQuestionDto { code: q.code.clone(), text: q.text.clone() })
            .collect(),
        closed: f.closed.map(str::to_owned),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RatingInput {
    /// `{"i1": "2", …, "i9": "0", "q10": "satisfied", "q11": "very_satisfied"}`.
    pub answers: BTreeMap<String, String>,
    pub comment: Option<String>,
    /// `true` when given on the counter's tablet.
    #[serde(default)]
    pub at_counter: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RatingDto {
    pub set_version: String,
    /// Points per indicator, in the set's order.
    pub points: Vec<u8>,
    /// `very_satisfied`, `satisfied` or `unsatisfied` per question, in the set's order.
    pub levels: Vec<String>,
    pub total: u32,
    /// Over 18 points (TD-DVC's bands).
    pub grade: String,
    /// The overall question is not "Không hài lòng".
    pub satisfied: bool,
    pub comment: Option<String>,
    /// `counter` or `link`.
    pub channel: String,
    pub rated_at: String,
}

impl From<&RatingRecord> for RatingDto {
    fn from(r: &RatingRecord) -> Self {
        Self {
            set_version: r.rating.set_version.clone(),
            points: r.rating.points.clone(),
            levels: r.rating.levels.iter().map(|l| l.as_str().to_owned()).collect(),
            total: r.rating.total(),
            grade: r.rating.grade().label().to_owned(),
            satisfied: r.rating.satisfied(),
            comment: r.rating.comment.clone(),
            channel: r.channel.as_str().to_owned(),
            rated_at: rfc3339_vn(r.rated_at),
        }
    }
}

/// Rates the handling of the link's dossier once it is closed for the citizen; the link is then
/// spent (409 `already_rated`).
#[utoipa::path(post, path = "/api/v1/public/ratings/{token}", tag = "ratings", params(("token" = String, Path)),
    request_body = RatingInput,
    responses((status = 201, body = RatingDto), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn rate(
    State(state): State<AppState>,
    Meta(meta): Meta,
    ApiPath(token): ApiPath<String>,
    ApiJson(input): ApiJson<RatingInput>,
) -> ApiResult<(StatusCode, Json<RatingDto>)> {
    tracking_limit(&state, &meta)?;
    let answers = Answers { values: input.answers.into_iter().collect(), comment: input.comment };
    let channel = if input.at_counter { RatingChannel::Counter } else { RatingChannel::Link };
    let r = state.services.dossiers.rate(&token, &answers, channel, &meta).await?;
    Ok((StatusCode::CREATED, Json((&r).into())))
}

/// A dossier's rating, for the officials who may see the dossier (404 when not rated).
#[utoipa::path(get, path = "/api/v1/dossiers/{key}/rating", tag = "ratings", params(("key" = String, Path)),
    security(("bearer" = [])),
    responses((status = 200, body = RatingDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn of_dossier(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    ApiPath(key): ApiPath<String>,
) -> ApiResult<Json<RatingDto>> {
    let v = state.services.dossiers.dossier(&p, &key).await?;
    let (rating, _) = state.services.dossiers.rating_of(&v).await?;
    let r = rating.ok_or(motcua_app::AppError::NotFound("đánh giá"))?;
    Ok(Json((&r).into()))
}
