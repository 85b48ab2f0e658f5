//! The signed-in official's own account: password and API tokens.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use motcua_app::context::Actor;
use motcua_domain::time::format_datetime;
use serde::Deserialize;

use super::{FormErrors, Layout};
use crate::auth::{PageUser, session_cookie};
use crate::context::Meta;
use crate::error::HttpError;
use crate::respond::{FormPairs, PagePath, PageResult, form_error, render, render_form_error, render_status};
use crate::state::AppState;

pub struct TokenRow {
    pub id: i64,
    pub name: String,
    pub prefix: String,
    pub created: String,
    pub expires: String,
    pub last_used: String,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "account/index.html")]
struct AccountPage {
    layout: Layout,
    username: String,
    full_name: String,
    unit: String,
    roles: Vec<String>,
    tokens: Vec<TokenRow>,
    new_token: Option<String>,
    token_error: Option<String>,
}

#[derive(Deserialize)]
pub struct Msg {
    msg: Option<String>,
}

async fn account_page(
    state: &AppState,
    user: &PageUser,
    layout: Layout,
    new_token: Option<String>,
    token_error: Option<String>,
) -> Result<AccountPage, HttpError> {
    let p = &user.principal;
    let now = state.services.now();
    let unit = match state.services.snapshot().await?.agency(p.agency_id).await? {
        Some(a) => format!("{} ({})", a.name, a.code),
        None => String::new(),
    };
    let tokens = state
        .services
        .accounts
        .api_tokens_of(p.user_id)
        .await?
        .into_iter()
        .map(|t| TokenRow {
            id: t.id,
            active: t.revoked_at.is_none() && t.expires_at.is_none_or(|e| e > now),
            name: t.name,
            prefix: t.token_prefix,
            created: format_datetime(t.created_at),
            expires: t.expires_at.map(format_datetime).unwrap_or_else(|| "Không".into()),
            last_used: t.last_used_at.map(format_datetime).unwrap_or_else(|| "Chưa dùng".into()),
        })
        .collect();
    Ok(AccountPage {
        layout,
        username: p.username.to_string(),
        full_name: p.full_name.clone(),
        unit,
        roles: p.roles().iter().map(|r| r.label_vi().to_owned()).collect(),
        tokens,
        new_token,
        token_error,
    })
}

pub async fn index(State(state): State<AppState>, user: PageUser, Query(q): Query<Msg>) -> PageResult {
    let layout = Layout::new("Tài khoản của tôi", Some(&user)).with_flash(q.msg.as_deref());
    Ok(render(&account_page(&state, &user, layout, None, None).await?))
}

pub async fn create_token(
    State(state): State<AppState>,
    user: PageUser,
    Meta(meta): Meta,
    form: FormPairs,
) -> PageResult {
    let days = match form.opt("expires_in_days") {
        None => None,
        Some(d) => match d.parse::<u32>() {
            Ok(n) => Some(n),
            Err(_) => {
                let page = account_page(
                    &state,
                    &user,
                    Layout::new("Tài khoản của tôi", Some(&user)),
                    None,
                    Some("Số ngày hiệu lực không hợp lệ.".into()),
                )
                .await?;
                return Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page));
            }
        },
    };
    let actor = Actor::Official { principal: &user.principal, grant: None };
    match state
        .services
        .accounts
        .create_api_token(actor, user.principal.username.as_str(), &form.text("name"), days, &meta)
        .await
    {
        Ok((token, _)) => {
            let page =
                account_page(&state, &user, Layout::new("Tài khoản của tôi", Some(&user)), Some(token), None).await?;
            // The token is shown once: this page must not be cached anywhere.
            let mut resp = render(&page);
            resp.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
            Ok(resp)
        }
        Err(e) => {
            let e = form_error(e)?;
            let msg = e.fields.first().map(|f| f.message.clone()).unwrap_or(e.message.clone());
            let page =
                account_page(&state, &user, Layout::new("Tài khoản của tôi", Some(&user)), None, Some(msg)).await?;
            Ok(render_form_error(e, &page))
        }
    }
}

pub async fn revoke_token(
    State(state): State<AppState>,
    user: PageUser,
    Meta(meta): Meta,
    PagePath(id): PagePath<i64>,
) -> PageResult {
    state
        .services
        .accounts
        .revoke_api_token(Actor::Official { principal: &user.principal, grant: None }, id, &meta)
        .await?;
    Ok(Redirect::to("/account?msg=token_revoked").into_response())
}

#[derive(Template)]
#[template(path = "account/password.html")]
struct PasswordPage {
    layout: Layout,
    must_change: bool,
    errors: FormErrors,
}

pub async fn password_form(user: PageUser) -> Response {
    render(&PasswordPage {
        layout: Layout::new("Đổi mật khẩu", Some(&user)),
        must_change: user.must_change_password,
        errors: FormErrors::default(),
    })
}

pub async fn change_password(
    State(state): State<AppState>,
    user: PageUser,
    Meta(meta): Meta,
    form: FormPairs,
) -> PageResult {
    let result = state
        .services
        .accounts
        .change_own_password(
            &user.principal,
            &form.text("current_password"),
            &form.text("new_password"),
            &form.text("confirm_password"),
            &meta,
        )
        .await;
    match result {
        Ok(out) => {
            let max_age = out.expires_at.duration_since(state.services.now()).as_secs();
            let mut resp = Redirect::to("/app?msg=password_changed").into_response();
            if let Ok(v) = session_cookie(&state, &out.session_token, max_age).parse() {
                resp.headers_mut().insert(header::SET_COOKIE, v);
            }
            Ok(resp)
        }
        Err(e) => {
            let e = form_error(e)?;
            let page = PasswordPage {
                layout: Layout::new("Đổi mật khẩu", Some(&user)),
                must_change: user.must_change_password,
                errors: FormErrors::from_http(&e),
            };
            Ok(render_form_error(e, &page))
        }
    }
}
