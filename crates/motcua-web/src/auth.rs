//! Authentication: session cookies for people, bearer tokens for integrations, and the CSRF
//! check for cookie-authenticated changes.
//!
//! The middleware resolves credentials once per request and leaves the result in the request
//! extensions; the extractors [`ApiUser`] and [`PageUser`] read it. Cross-site requests are
//! already stopped by the Fetch-Metadata/Origin check (`tower_http::csrf`); on top of that,
//! every state-changing request authenticated by the session cookie must carry the session's
//! CSRF token (form field `_csrf` or header `X-CSRF-Token`), which also protects browsers too
//! old to send `Sec-Fetch-Site`. Bearer tokens are not ambient credentials and need no token.

use axum::body::{Body, to_bytes};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use std::sync::Arc;

use motcua_app::ports::Revisions;
use motcua_app::secret::constant_time_eq;
use motcua_app::snapshot::Snapshot;
use motcua_domain::account::Principal;

use crate::context::RequestCtx;
use crate::error::{ApiError, HttpError};
use crate::respond::{error_response, is_api};
use crate::state::AppState;

pub const CSRF_FIELD: &str = "_csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";

#[derive(Debug, Clone)]
pub enum Via {
    Session { token: String, csrf: String, must_change_password: bool },
    Token,
}

/// The credentials a request carried, once resolved.
#[derive(Debug, Clone)]
pub struct Authn {
    pub principal: Principal,
    pub via: Via,
    /// The reference data's revisions, when the credentials' read brought them along.
    pub revisions: Option<Revisions>,
}

/// The value of cookie `name`, if sent.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

pub async fn authenticate(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let api = is_api(req.uri().path());
    let fail = |e: HttpError| error_response(api, e);
    // `/metrics` checks its own scraper token, the national portal's pushes their own.
    let bearer = if matches!(req.uri().path(), "/metrics" | "/api/v1/portal/dossiers" | "/api/v1/portal/petitions") {
        None
    } else {
        req.headers().get(header::AUTHORIZATION).map(|v| v.to_str().unwrap_or("").to_owned())
    };
    let authn = if let Some(value) = bearer {
        let Some(token) = value.strip_prefix("Bearer ").map(str::trim) else {
            return fail(HttpError::bad_request(
                "invalid_authorization",
                "Tiêu đề Authorization phải có dạng 'Bearer <khóa>'.",
            ));
        };
        match state.services.accounts.authenticate_token(token).await {
            Ok(Some((p, revisions))) => Some(Authn { principal: p, via: Via::Token, revisions: Some(revisions) }),
            Ok(None) => {
                return fail(HttpError::new(
                    StatusCode::UNAUTHORIZED,
                    "invalid_token",
                    "Khóa API không hợp lệ, đã hết hạn hoặc đã bị thu hồi.",
                ));
            }
            Err(e) => return fail(e.into()),
        }
    } else if let Some(token) = cookie(req.headers(), state.config.session_cookie_name()).map(str::to_owned) {
        match state.services.accounts.authenticate_session(&token).await {
            Ok(Some(s)) => Some(Authn {
                principal: s.principal,
                via: Via::Session { token, csrf: s.session.csrf_token, must_change_password: s.must_change_password },
                revisions: None,
            }),
            Ok(None) => None,
            Err(e) => return fail(e.into()),
        }
    } else {
        None
    };

    let mut req = req;
    // Signing in again from a browser that still holds a session (a second tab) proves itself
    // with the password, not the cookie; cross-site login posts are stopped by the Origin check.
    let exempt = req.uri().path() == "/login";
    if let Some(Authn { via: Via::Session { csrf, .. }, .. }) = &authn
        && !exempt
        && !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS)
    {
        let (ok, rebuilt) = check_csrf(req, csrf, state.config.body_limit_bytes).await;
        match rebuilt {
            Some(r) if ok => req = r,
            Some(_) => return fail(HttpError::csrf()),
            None => {
                return fail(HttpError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "payload_too_large",
                    "Dữ liệu gửi lên quá lớn.",
                ));
            }
        }
    }
    if let Some(ctx) = req.extensions().get::<RequestCtx>() {
        ctx.set_principal(authn.as_ref().map(|a| a.principal.clone()));
    }
    if let Some(a) = authn {
        req.extensions_mut().insert(a);
    }
    next.run(req).await
}

/// Looks for the token in the header, in an urlencoded form body (which is read and put
/// back), or for multipart uploads in the body's first part (see `upload_token`). Returns
/// `(matches, request)`; `None` when the body exceeds the limit or breaks off.
async fn check_csrf(req: Request, expected: &str, limit: usize) -> (bool, Option<Request>) {
    if let Some(h) = req.headers().get(CSRF_HEADER).and_then(|v| v.to_str().ok()) {
        let ok = constant_time_eq(h, expected);
        return (ok, Some(req));
    }
    let content_type = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    if content_type.starts_with("multipart/form-data") {
        let content_type = content_type.to_owned();
        let (token, req) = crate::upload_token::first_field(req, &content_type, CSRF_FIELD).await;
        return (token.is_some_and(|t| constant_time_eq(&t, expected)), req);
    }
    let is_form = content_type.starts_with("application/x-www-form-urlencoded");
    if !is_form {
        return (false, Some(req));
    }
    let (parts, body) = req.into_parts();
    let Ok(bytes) = to_bytes(body, limit).await else { return (false, None) };
    let ok = url::form_urlencoded::parse(&bytes).any(|(k, v)| k == CSRF_FIELD && constant_time_eq(&v, expected));
    (ok, Some(Request::from_parts(parts, Body::from(bytes))))
}

/// An official authenticated for the JSON API (bearer token or session).
pub struct ApiUser(pub Principal);

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &AppState) -> Result<Self, Self::Rejection> {
        match parts.extensions.get::<Authn>() {
            Some(Authn { via: Via::Session { must_change_password: true, .. }, .. }) => Err(ApiError(HttpError::new(
                StatusCode::FORBIDDEN,
                "password_change_required",
                "Cần đổi mật khẩu trước khi tiếp tục.",
            ))),
            Some(a) => Ok(ApiUser(a.principal.clone())),
            None => Err(ApiError(HttpError::unauthenticated())),
        }
    }
}

/// The reference data a request's use case runs against: at the revisions its credentials'
/// read brought along (no read of its own), else as the database holds them now.
pub struct RequestSnapshot(pub Arc<Snapshot>);

impl FromRequestParts<AppState> for RequestSnapshot {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        match parts.extensions.get::<Authn>().and_then(|a| a.revisions) {
            Some(revisions) => Ok(Self(state.services.snapshot_at(revisions))),
            None => Ok(Self(state.services.snapshot().await.map_err(|e| ApiError(e.into()))?)),
        }
    }
}

pub use crate::pages::PageUser;

fn page_user(parts: &Parts) -> Option<PageUser> {
    session_user(&parts.extensions)
}

/// The official signed in with a browser session, from a request's extensions.
pub fn session_user(extensions: &axum::http::Extensions) -> Option<PageUser> {
    match extensions.get::<Authn>() {
        Some(Authn { principal, via: Via::Session { token, csrf, must_change_password }, .. }) => Some(PageUser {
            principal: principal.clone(),
            session_token: token.clone(),
            csrf: csrf.clone(),
            must_change_password: *must_change_password,
            unread: 0,
        }),
        _ => None,
    }
}

/// Only local paths may be redirect targets after login (no open redirects).
pub fn safe_next(next: Option<&str>) -> Option<String> {
    next.filter(|n| n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') && !n.contains("://"))
        .map(str::to_owned)
}

impl FromRequestParts<AppState> for PageUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let path = parts.uri.path();
        let Some(mut user) = page_user(parts) else {
            let target = parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
            let next: String = url::form_urlencoded::byte_serialize(target.as_bytes()).collect();
            return Err(Redirect::to(&format!("/login?next={next}")).into_response());
        };
        if user.must_change_password && path != "/account/password" && path != "/logout" {
            return Err(Redirect::to("/account/password").into_response());
        }
        // One indexed count per page; a failure only hides the badge.
        user.unread = state.services.notifications.unread_notifications(&user.principal).await.unwrap_or(0);
        Ok(user)
    }
}

/// A page that also serves visitors: `None` when nobody is signed in.
pub struct MaybeUser(pub Option<PageUser>);

impl FromRequestParts<AppState> for MaybeUser {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &AppState) -> Result<Self, Self::Rejection> {
        Ok(MaybeUser(page_user(parts)))
    }
}

/// `Set-Cookie` value for the session.
pub fn session_cookie(state: &AppState, token: &str, max_age_secs: i64) -> String {
    let secure = if state.config.secure_cookies() { "; Secure" } else { "" };
    format!(
        "{}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}",
        state.config.session_cookie_name()
    )
}

pub fn clear_session_cookie(state: &AppState) -> String {
    session_cookie(state, "", 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn reads_cookies() {
        let mut h = HeaderMap::new();
        h.append(header::COOKIE, HeaderValue::from_static("a=1; motcua_session=abc; b=2"));
        assert_eq!(cookie(&h, "motcua_session"), Some("abc"));
        assert_eq!(cookie(&h, "missing"), None);
    }

    #[test]
    fn next_must_stay_on_this_site() {
        assert_eq!(safe_next(Some("/admin/agencies?x=1")), Some("/admin/agencies?x=1".into()));
        for bad in ["//evil.example", "https://evil.example", "/\\evil", "admin", "/x?u=http://a"] {
            assert_eq!(safe_next(Some(bad)), None, "{bad}");
        }
    }
}
