//! The citizen's rating page (`/danh-gia/{token}`): no login, one rating per dossier, large
//! touch targets for the counter's tablet; and the desk's way to open it for a dossier.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect};
use motcua_app::dossiers::RatingForm;
use motcua_domain::rating::{Answers, Level, RatingChannel};
use serde::Deserialize;

use super::{FormErrors, Layout};
use crate::auth::{MaybeUser, PageUser};
use crate::context::Meta;
use crate::respond::{FormPairs, PagePath, PageResult, form_error, render, render_form_error};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "rating/form.html")]
struct RatingPage {
    layout: Layout,
    token: String,
    f: RatingForm,
    levels: Vec<(&'static str, &'static str)>,
    counter: bool,
    done: bool,
    csrf: String,
    errors: FormErrors,
    values: FormPairs,
}

#[derive(Deserialize)]
pub struct RatingQuery {
    tai_quay: Option<String>,
    xong: Option<String>,
}

fn page(token: String, f: RatingForm, user: &Option<PageUser>, counter: bool) -> RatingPage {
    RatingPage {
        // The public header even for an official's browser: the citizen holds the tablet.
        layout: Layout::new("Đánh giá việc giải quyết hồ sơ", None),
        token,
        f,
        levels: Level::ALL.iter().map(|l| (l.as_str(), l.label())).collect(),
        counter,
        done: false,
        csrf: user.as_ref().map(|u| u.csrf.clone()).unwrap_or_default(),
        errors: FormErrors::default(),
        values: FormPairs(Vec::new()),
    }
}

/// `GET /danh-gia/{token}`
pub async fn form(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    PagePath(token): PagePath<String>,
    Query(q): Query<RatingQuery>,
) -> PageResult {
    let f = state.services.dossiers.rating_form(&token).await?;
    let mut p = page(token, f, &user, q.tai_quay.is_some());
    p.done = q.xong.is_some();
    Ok(render(&p))
}

/// `POST /danh-gia/{token}`
pub async fn submit(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    Meta(meta): Meta,
    PagePath(token): PagePath<String>,
    f: FormPairs,
) -> PageResult {
    crate::limits::tracking_limit(&state, &meta)?;
    let counter = f.get("tai_quay").is_some();
    let answers = Answers {
        values: f.0.iter().filter(|(k, _)| k.starts_with('i') || k.starts_with('q')).cloned().collect(),
        comment: f.opt("comment"),
    };
    let channel = if counter { RatingChannel::Counter } else { RatingChannel::Link };
    match state.services.dossiers.rate(&token, &answers, channel, &meta).await {
        Ok(_) => {
            let back = if counter { "&tai_quay=1" } else { "" };
            Ok(Redirect::to(&format!("/danh-gia/{token}?xong=1{back}")).into_response())
        }
        Err(e) => {
            let e = form_error(e)?;
            let form = state.services.dossiers.rating_form(&token).await?;
            let mut p = page(token, form, &user, counter);
            p.errors = FormErrors::from_http(&e);
            p.values = f;
            Ok(render_form_error(e, &p))
        }
    }
}

/// `POST /ho-so/{key}/danh-gia`: the desk opens the dossier's rating page on the counter's
/// tablet (the dossier's link is made the first time).
pub async fn at_counter(State(state): State<AppState>, user: PageUser, PagePath(key): PagePath<String>) -> PageResult {
    let token = state.services.dossiers.rating_link(&user.principal, &key).await?;
    Ok(Redirect::to(&format!("/danh-gia/{token}?tai_quay=1")).into_response())
}
