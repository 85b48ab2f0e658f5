//! Pages for everyone: home, login, logout.

use std::net::{IpAddr, Ipv4Addr};

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::Layout;
use crate::auth::{MaybeUser, clear_session_cookie, cookie, safe_next, session_cookie};
use crate::context::Meta;
use crate::error::HttpError;
use crate::respond::{FormPairs, PageResult, error_response, render, render_status};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    layout: Layout,
}

pub async fn home(MaybeUser(user): MaybeUser) -> Response {
    render(&HomePage { layout: Layout::new("Trang chủ", user.as_ref()) })
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    layout: Layout,
    next: String,
    username: String,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
    msg: Option<String>,
}

pub async fn login_form(MaybeUser(user): MaybeUser, Query(q): Query<LoginQuery>) -> Response {
    if user.is_some() {
        return Redirect::to(&safe_next(q.next.as_deref()).unwrap_or_else(|| "/app".into())).into_response();
    }
    let layout = Layout::new("Đăng nhập", None).with_flash(q.msg.as_deref());
    render(&LoginPage {
        layout,
        next: safe_next(q.next.as_deref()).unwrap_or_default(),
        username: String::new(),
        error: None,
    })
}

pub async fn login(
    State(state): State<AppState>,
    Meta(meta): Meta,
    headers: axum::http::HeaderMap,
    form: FormPairs,
) -> Response {
    let username = form.text("username");
    let next = safe_next(form.get("next")).unwrap_or_default();
    // Per-address limit first: guessing is slowed before any password is checked.
    let ip: IpAddr =
        meta.client_ip.as_deref().and_then(|i| i.parse().ok()).unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
    if state.login_limiter.check_key(&ip).is_err() {
        metrics::counter!("motcua_login_rate_limited_total").increment(1);
        return error_response(false, HttpError::rate_limited(60));
    }
    let previous = cookie(&headers, state.config.session_cookie_name());
    match state.services.accounts.login(&username, &form.text("password"), previous, &meta).await {
        Ok(out) => {
            let target = if out.must_change_password {
                "/account/password".to_owned()
            } else if next.is_empty() {
                "/app".to_owned()
            } else {
                next
            };
            let max_age = out.expires_at.duration_since(state.services.now()).as_secs();
            let mut resp = Redirect::to(&target).into_response();
            if let Ok(v) = session_cookie(&state, &out.session_token, max_age).parse() {
                resp.headers_mut().insert(header::SET_COOKIE, v);
            }
            resp
        }
        Err(e) => {
            let e: HttpError = e.into();
            if e.status.is_server_error() {
                return error_response(false, e);
            }
            let status = if e.status == StatusCode::LOCKED { StatusCode::LOCKED } else { StatusCode::UNAUTHORIZED };
            let page =
                LoginPage {
                    layout: Layout::new("Đăng nhập", None), next, username, error: Some(e.message.clone())
                };
            let mut resp = render_status(status, &page);
            resp.extensions_mut().insert(e);
            resp
        }
    }
}

pub async fn logout(State(state): State<AppState>, Meta(meta): Meta, MaybeUser(user): MaybeUser) -> PageResult {
    if let Some(u) = user {
        state.services.accounts.logout(&u.principal, &u.session_token, &meta).await?;
    }
    let mut resp = Redirect::to("/login?msg=logged_out").into_response();
    if let Ok(v) = clear_session_cookie(&state).parse() {
        resp.headers_mut().insert(header::SET_COOKIE, v);
    }
    Ok(resp)
}
