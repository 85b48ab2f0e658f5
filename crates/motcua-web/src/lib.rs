//! The HTTP layer of motcua: pages under `/`, the JSON API under `/api/v1`, operations
//! endpoints (`/healthz`, `/readyz`, `/metrics`) and static assets.
//!
//! Request flow, outermost first: request context (request id, client address) → trace span →
//! security headers, timeout, body limit → audit fallback → Origin/Fetch-Metadata CSRF check →
//! authentication and CSRF token check → routing → handler.

pub mod api;
pub mod auth;
mod charts;
pub mod context;
pub mod error;
mod limits;
pub mod ops;
pub mod page_routes;
pub mod pages;
pub mod request_id;
pub mod respond;
mod shapes;
pub mod state;
mod upload_token;

use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::{from_fn, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::csrf::CsrfLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub use state::{AppState, WebConfig};

use crate::error::HttpError;
use crate::page_routes::PageRoutes;
use crate::pages::{
    account, agencies, audit, calendar, catalog, dashboard, dossiers, index766, jobs, notice_templates, notifications,
    petitions, procedures, public, rating, reconcile, reports, statistics, users, workflows,
};

const CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; \
                   base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

fn pages() -> PageRoutes {
    PageRoutes::default()
        .get("/", public::home)
        .get("/login", public::login_form)
        .post("/login", public::login)
        .post("/logout", public::logout)
        .get("/thu-tuc", catalog::index)
        .get("/thu-tuc/{code}", catalog::show)
        .get("/thu-tuc/{code}/bieu-mau/{file}", catalog::form_file)
        .get("/kiosk", catalog::kiosk)
        .get("/kiosk/thu-tuc/{code}", catalog::kiosk_show)
        .get("/app", dashboard::dashboard)
        .get("/tra-cuu", dossiers::track)
        .get("/bao-cao", reports::form06)
        .get("/bao-cao/ho-so", reports::cell)
        .get("/bao-cao/nang-suat", reports::productivity)
        .get("/bao-cao/hai-long", reports::satisfaction)
        .get("/bao-cao/phan-anh", reports::petitions)
        .get("/bao-cao/toan-trinh", statistics::full_online)
        .get("/bao-cao/doi-soat", reconcile::page)
        .post("/bao-cao/doi-soat/gui-lai", reconcile::resend)
        .get("/bao-cao/chi-tieu", statistics::targets)
        .post("/bao-cao/chi-tieu", statistics::save_targets)
        .get("/thong-ke", statistics::dashboard)
        .get("/dashboard", statistics::dashboard_alias)
        .get("/chi-so-766", index766::index766)
        .get("/cong-khai/chi-so-766/{code}", index766::public)
        .get("/ho-so", dossiers::index)
        .get("/ho-so/tiep-nhan", dossiers::intake_form)
        .post("/ho-so/tiep-nhan", dossiers::intake)
        .get("/ho-so/so-theo-doi", dossiers::register_page)
        .get("/ho-so/so-theo-doi/pdf", dossiers::register_pdf)
        .get("/ho-so/{key}/mau/{form}", dossiers::form)
        .get("/ho-so/{key}", dossiers::show)
        .get("/ho-so/{key}/thao-tac/{action}", dossiers::action_form)
        .post("/ho-so/{key}/danh-gia", rating::at_counter)
        .get("/danh-gia/{token}", rating::form)
        .post("/danh-gia/{token}", rating::submit)
        .get("/phan-anh", petitions::public::index)
        .get("/phan-anh/gui", petitions::public::form)
        .get("/phan-anh/{code}", petitions::public::show)
        .post("/phan-anh/{code}/binh-chon", petitions::public::vote)
        .get("/phan-anh-kien-nghi", petitions::staff::index)
        .get("/phan-anh-kien-nghi/ghi-nhan", petitions::staff::record_form)
        .get("/phan-anh-kien-nghi/{code}", petitions::staff::show)
        .post("/phan-anh-kien-nghi/{code}/thao-tac", petitions::staff::act)
        .get("/phan-anh-kien-nghi/{code}/tep/{file_id}", petitions::staff::file)
        .get("/admin/phan-anh/thoi-han", petitions::staff::deadlines)
        .post("/admin/phan-anh/thoi-han/{id}", petitions::staff::save_deadlines)
        .post("/ho-so/{key}/thao-tac", dossiers::act)
        .get("/ho-so/{key}/ket-qua", dossiers::result_file)
        .get("/ho-so/{key}/tep/{file_id}", dossiers::portal_file)
        .get("/account", account::index)
        .get("/account/password", account::password_form)
        .post("/account/password", account::change_password)
        .post("/account/tokens", account::create_token)
        .post("/account/tokens/{id}/revoke", account::revoke_token)
        .get("/admin/agencies", agencies::index)
        .post("/admin/agencies", agencies::create)
        .get("/admin/agencies/new", agencies::new_form)
        .get("/admin/agencies/{id}", agencies::show)
        .post("/admin/agencies/{id}", agencies::update)
        .get("/admin/agencies/{id}/edit", agencies::edit_form)
        .post("/admin/agencies/{id}/status", agencies::set_status)
        .get("/admin/users", users::index)
        .post("/admin/users", users::create)
        .get("/admin/users/new", users::new_form)
        .get("/admin/users/{id}", users::show)
        .post("/admin/users/{id}", users::update)
        .post("/admin/users/{id}/grants", users::set_grants)
        .post("/admin/users/{id}/reset-password", users::reset_password)
        .get("/admin/audit", audit::index)
        .get("/admin/calendar", calendar::index)
        .post("/admin/calendar/{year}", calendar::save)
        .post("/admin/calendar/{year}/reset", calendar::reset)
        .get("/admin/agencies/{id}/schedule", calendar::schedule)
        .get("/admin/agencies/{id}/citizen-notices", notice_templates::index)
        .get("/admin/agencies/{id}/citizen-notices/{notice}", notice_templates::form)
        .post("/admin/agencies/{id}/citizen-notices/{notice}", notice_templates::save)
        .post("/admin/agencies/{id}/citizen-notices/{notice}/reset", notice_templates::reset)
        .post("/admin/agencies/{id}/schedule", calendar::save_schedule)
        .post("/admin/agencies/{id}/schedule/reset", calendar::reset_schedule)
        .get("/admin/procedures", procedures::index)
        .post("/admin/procedures", procedures::create)
        .get("/admin/procedures/new", procedures::new_form)
        .get("/admin/procedures/export", procedures::export)
        .get("/admin/procedures/imports/{id}", procedures::import_status)
        .get("/admin/procedures/{code}", procedures::show)
        .post("/admin/procedures/{code}/amend", procedures::amend)
        .post("/admin/procedures/{code}/end", procedures::end)
        .get("/admin/procedures/{code}/diff", procedures::diff)
        .get("/admin/procedures/{code}/versions/{n}", procedures::version)
        .post("/admin/procedures/{code}/versions/{n}", procedures::save)
        .post("/admin/procedures/{code}/versions/{n}/publish", procedures::publish)
        .post("/admin/procedures/{code}/versions/{n}/discard", procedures::discard)
        .get("/admin/agencies/{id}/procedures", procedures::agency_list)
        .post("/admin/agencies/{id}/procedures", procedures::agency_save)
        .merge(uploads())
        .get("/admin/workflows", workflows::index)
        .post("/admin/workflows", workflows::save)
        .get("/admin/workflows/new", workflows::new_form)
        .get("/admin/workflows/export", workflows::export)
        .post("/admin/workflows/import", workflows::import)
        .get("/admin/workflows/{id}", workflows::edit_form)
        .post("/admin/workflows/{id}/delete", workflows::delete)
        .get("/thong-bao", notifications::index)
        .post("/thong-bao/doc-tat-ca", notifications::read_all)
        .post("/thong-bao/{id}", notifications::open)
        .get("/admin/notification-templates", notifications::templates_index)
        .post("/admin/notification-templates/test-mail", notifications::mail_test)
        .get("/admin/notification-templates/{kind}", notifications::template_form)
        .post("/admin/notification-templates/{kind}", notifications::template_save)
        .post("/admin/notification-templates/{kind}/reset", notifications::template_reset)
        .get("/admin/jobs", jobs::index)
        .get("/admin/jobs/{id}", jobs::show)
        .post("/admin/jobs/{id}/retry", jobs::retry)
}

/// Routes that take files, with a larger body limit than the rest.
fn uploads() -> PageRoutes {
    PageRoutes::default()
        .post("/admin/procedures/import", procedures::import)
        .post("/admin/procedures/{code}/versions/{n}/form-file", procedures::attach_form)
        .post("/ho-so/{key}/ban-hanh", dossiers::issue)
        .post("/phan-anh/gui", petitions::public::submit)
        .post("/phan-anh-kien-nghi/ghi-nhan", petitions::staff::record)
        .layer(DefaultBodyLimit::max(UPLOAD_LIMIT))
}

/// Every page's method and path, as the router serves them.
pub fn page_routes() -> Vec<(axum::http::Method, &'static str)> {
    pages().table
}

/// Largest upload (a province's catalogue as JSON, a form template).
pub const UPLOAD_LIMIT: usize = 64 * 1024 * 1024;

async fn not_found(req: Request) -> Response {
    respond::error_response(respond::is_api(req.uri().path()), HttpError::not_found())
}

async fn method_not_allowed(req: Request) -> Response {
    let e = HttpError::new(
        axum::http::StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "Phương thức HTTP không được hỗ trợ cho địa chỉ này.",
    );
    respond::error_response(respond::is_api(req.uri().path()), e)
}

/// Replaces the bare 403 of the Origin/Fetch-Metadata check with our error shape.
async fn csrf_rejections(req: Request, next: axum::middleware::Next) -> Response {
    let api = respond::is_api(req.uri().path());
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
        .merge(pages().router)
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
        .layer(from_fn(respond::staff_error_pages))
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
