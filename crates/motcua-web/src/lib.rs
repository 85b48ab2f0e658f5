//! The HTTP layer of motcua: pages under `/`, the JSON API under `/api/v1`, operations
//! endpoints (`/healthz`, `/readyz`, `/metrics`) and static assets.
//!
//! Request flow, outermost first: request context (request id, client address) → trace span →
//! security headers, timeout, body limit → audit fallback → Origin/Fetch-Metadata CSRF check →
//! authentication and CSRF token check → routing → handler.

pub mod api;
pub mod auth;
pub mod context;
pub mod error;
pub mod ops;
pub mod pages;
pub mod respond;
pub mod state;

use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::{from_fn, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::csrf::CsrfLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub use state::{AppState, WebConfig};

use crate::error::HttpError;
use crate::pages::{
    account, agencies, audit, calendar, catalog, dashboard, dossiers, jobs, notifications, procedures, public, users,
    workflows,
};

const CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; \
                   base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

fn pages() -> Router<AppState> {
    Router::new()
        .route("/", get(public::home))
        .route("/login", get(public::login_form).post(public::login))
        .route("/logout", post(public::logout))
        .route("/thu-tuc", get(catalog::index))
        .route("/thu-tuc/{code}", get(catalog::show))
        .route("/thu-tuc/{code}/bieu-mau/{file}", get(catalog::form_file))
        .route("/kiosk", get(catalog::kiosk))
        .route("/kiosk/thu-tuc/{code}", get(catalog::kiosk_show))
        .route("/app", get(dashboard::dashboard))
        .route("/tra-cuu", get(dossiers::track))
        .route("/ho-so", get(dossiers::index))
        .route("/ho-so/tiep-nhan", get(dossiers::intake_form).post(dossiers::intake))
        .route("/ho-so/so-theo-doi", get(dossiers::register_page))
        .route("/ho-so/so-theo-doi/pdf", get(dossiers::register_pdf))
        .route("/ho-so/{key}/mau/{form}", get(dossiers::form))
        .route("/ho-so/{key}", get(dossiers::show))
        .route("/ho-so/{key}/thao-tac", post(dossiers::act))
        .route("/ho-so/{key}/ket-qua", get(dossiers::result_file))
        .route("/account", get(account::index))
        .route("/account/password", get(account::password_form).post(account::change_password))
        .route("/account/tokens", post(account::create_token))
        .route("/account/tokens/{id}/revoke", post(account::revoke_token))
        .route("/admin/agencies", get(agencies::index).post(agencies::create))
        .route("/admin/agencies/new", get(agencies::new_form))
        .route("/admin/agencies/{id}", get(agencies::show).post(agencies::update))
        .route("/admin/agencies/{id}/edit", get(agencies::edit_form))
        .route("/admin/agencies/{id}/status", post(agencies::set_status))
        .route("/admin/users", get(users::index).post(users::create))
        .route("/admin/users/new", get(users::new_form))
        .route("/admin/users/{id}", get(users::show).post(users::update))
        .route("/admin/users/{id}/grants", post(users::set_grants))
        .route("/admin/users/{id}/reset-password", post(users::reset_password))
        .route("/admin/audit", get(audit::index))
        .route("/admin/calendar", get(calendar::index))
        .route("/admin/calendar/{year}", post(calendar::save))
        .route("/admin/calendar/{year}/reset", post(calendar::reset))
        .route("/admin/agencies/{id}/schedule", get(calendar::schedule).post(calendar::save_schedule))
        .route("/admin/agencies/{id}/schedule/reset", post(calendar::reset_schedule))
        .route("/admin/procedures", get(procedures::index).post(procedures::create))
        .route("/admin/procedures/new", get(procedures::new_form))
        .route("/admin/procedures/export", get(procedures::export))
        .route("/admin/procedures/imports/{id}", get(procedures::import_status))
        .route("/admin/procedures/{code}", get(procedures::show))
        .route("/admin/procedures/{code}/amend", post(procedures::amend))
        .route("/admin/procedures/{code}/end", post(procedures::end))
        .route("/admin/procedures/{code}/diff", get(procedures::diff))
        .route("/admin/procedures/{code}/versions/{n}", get(procedures::version).post(procedures::save))
        .route("/admin/procedures/{code}/versions/{n}/publish", post(procedures::publish))
        .route("/admin/procedures/{code}/versions/{n}/discard", post(procedures::discard))
        .route("/admin/agencies/{id}/procedures", get(procedures::agency_list).post(procedures::agency_save))
        .merge(uploads())
        .route("/admin/workflows", get(workflows::index).post(workflows::save))
        .route("/admin/workflows/new", get(workflows::new_form))
        .route("/admin/workflows/export", get(workflows::export))
        .route("/admin/workflows/import", post(workflows::import))
        .route("/admin/workflows/{id}", get(workflows::edit_form))
        .route("/admin/workflows/{id}/delete", post(workflows::delete))
        .route("/thong-bao", get(notifications::index))
        .route("/thong-bao/doc-tat-ca", post(notifications::read_all))
        .route("/thong-bao/{id}", post(notifications::open))
        .route("/admin/notification-templates", get(notifications::templates_index))
        .route("/admin/notification-templates/test-mail", post(notifications::mail_test))
        .route(
            "/admin/notification-templates/{kind}",
            get(notifications::template_form).post(notifications::template_save),
        )
        .route("/admin/notification-templates/{kind}/reset", post(notifications::template_reset))
        .route("/admin/jobs", get(jobs::index))
        .route("/admin/jobs/{id}", get(jobs::show))
        .route("/admin/jobs/{id}/retry", post(jobs::retry))
}

/// Routes that take files, with a larger body limit than the rest.
fn uploads() -> Router<AppState> {
    Router::new()
        .route("/admin/procedures/import", post(procedures::import))
        .route("/admin/procedures/{code}/versions/{n}/form-file", post(procedures::attach_form))
        .route("/ho-so/{key}/ban-hanh", post(dossiers::issue))
        .layer(DefaultBodyLimit::max(UPLOAD_LIMIT))
}

/// Largest upload (a province's catalogue as JSON, a form template).
pub const UPLOAD_LIMIT: usize = 64 * 1024 * 1024;

async fn not_found(req: Request) -> Response {
    respond::error_response(auth::is_api(req.uri().path()), HttpError::not_found())
}

async fn method_not_allowed(req: Request) -> Response {
    let e = HttpError::new(
        axum::http::StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "Phương thức HTTP không được hỗ trợ cho địa chỉ này.",
    );
    respond::error_response(auth::is_api(req.uri().path()), e)
}

/// Replaces the bare 403 of the Origin/Fetch-Metadata check with our error shape.
async fn csrf_rejections(req: Request, next: axum::middleware::Next) -> Response {
    let api = auth::is_api(req.uri().path());
    let resp = next.run(req).await;
    if resp.extensions().get::<tower_http::csrf::ProtectionError>().is_some() {
        return respond::error_response(api, HttpError::csrf());
    }
    resp
}

/// The whole application.
pub fn router(state: AppState) -> Router {
    let (api_routes, openapi) = api::router();
    let openapi = Arc::new(openapi);
    let mut csrf = CsrfLayer::new();
    if let Some(origin) = state
        .config
        .public_url
        .as_deref()
        .and_then(|u| url::Url::parse(u).ok())
        .map(|u| u.origin().ascii_serialization())
    {
        match csrf.clone().add_trusted_origin(&origin) {
            Ok(c) => csrf = c,
            Err(e) => tracing::warn!(?e, "public_url is not a usable origin for the CSRF check"),
        }
    }
    let secure = state.config.secure_cookies();
    let timeout = state.config.request_timeout;
    let body_limit = state.config.body_limit_bytes;

    let mut app = Router::new()
        .merge(pages())
        .merge(api_routes)
        .route(
            "/api/v1/openapi.json",
            get(move || {
                let doc = openapi.clone();
                async move { axum::Json((*doc).clone()) }
            }),
        )
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/metrics", get(ops::metrics))
        .route("/static/{file}", get(ops::static_file))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .route_layer(from_fn(ops::record_metrics))
        .layer(from_fn_with_state(state.clone(), auth::authenticate))
        .layer(csrf)
        .layer(from_fn(csrf_rejections))
        .layer(from_fn_with_state(state.clone(), context::audit_fallback))
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(TimeoutLayer::with_status_code(axum::http::StatusCode::REQUEST_TIMEOUT, timeout))
        .layer(SetResponseHeaderLayer::if_not_present(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP)))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::if_not_present(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("cross-origin-opener-policy"),
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("permissions-policy"),
            HeaderValue::from_static("geolocation=(), microphone=(), camera=()"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(header::CACHE_CONTROL, HeaderValue::from_static("no-store")));
    if secure {
        app = app.layer(SetResponseHeaderLayer::if_not_present(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        ));
    }
    app.layer(CatchPanicLayer::custom(|_| respond::error_response(false, HttpError::internal()).into_response()))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &Request| {
                    // Only method, path and request id: query strings and bodies may carry personal data.
                    let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("");
                    tracing::info_span!("http", method = %req.method(), path = %req.uri().path(), request_id = %id)
                })
                .on_response(|resp: &Response, latency: std::time::Duration, _span: &tracing::Span| {
                    tracing::info!(
                        status = resp.status().as_u16(),
                        latency_ms = latency.as_millis() as u64,
                        "response"
                    );
                }),
        )
        .layer(from_fn_with_state(state.clone(), context::request_context))
        .with_state(state)
}
