//! Operations endpoints: health, readiness, metrics, static assets, request metrics.

use std::net::SocketAddr;
use std::time::Instant;

use axum::Json;
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::error::HttpError;
use crate::respond::error_response;
use crate::state::AppState;
use motcua_app::services::Readiness;

/// Liveness: the process answers.
pub async fn healthz() -> &'static str {
    "ok"
}

/// Readiness: the database answers and has every migration of this build.
pub async fn readyz(State(state): State<AppState>) -> Response {
    match state.services.readiness().await {
        Readiness::Checked { database, pending } if pending.is_empty() => {
            Json(json!({"status": "ready", "database": database})).into_response()
        }
        Readiness::Checked { pending, .. } => {
            (StatusCode::SERVICE_UNAVAILABLE, Json(json!({"status": "migrations_pending", "pending": pending})))
                .into_response()
        }
        Readiness::Unavailable => {
            (StatusCode::SERVICE_UNAVAILABLE, Json(json!({"status": "database_unavailable"}))).into_response()
        }
    }
}

/// Prometheus metrics, for scrapers on the same host or holding the configured token. A request
/// relayed by a reverse proxy also arrives from loopback, so anything carrying forwarding
/// headers must present the token.
pub async fn metrics(State(state): State<AppState>, req: Request) -> Response {
    let headers: &HeaderMap = req.headers();
    let proxied = headers.contains_key("x-forwarded-for")
        || headers.contains_key("forwarded")
        || headers.contains_key("x-real-ip");
    let loopback =
        !proxied && req.extensions().get::<ConnectInfo<SocketAddr>>().is_some_and(|p| p.0.ip().is_loopback());
    let token_ok = match (&state.config.metrics_token, headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()))
    {
        (Some(t), Some(h)) => {
            h.strip_prefix("Bearer ").is_some_and(|got| motcua_app::secret::constant_time_eq(got.trim(), t))
        }
        _ => false,
    };
    if !(loopback || token_ok) {
        return error_response(false, HttpError::forbidden());
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], state.metrics.render()).into_response()
}

const CSS: &str = include_str!("../static/motcua.css");
const JS: &str = include_str!("../static/motcua.js");

pub async fn static_file(axum::extract::Path(file): axum::extract::Path<String>) -> Response {
    match file.as_str() {
        "motcua.css" => {
            let mut r = ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], CSS).into_response();
            r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
            r
        }
        "motcua.js" => {
            let mut r = ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], JS).into_response();
            r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
            r
        }
        _ => error_response(false, HttpError::not_found()),
    }
}

/// Request count and latency per route template (not per URL, to keep label sets small).
pub async fn record_metrics(req: Request, next: Next) -> Response {
    let route =
        req.extensions().get::<MatchedPath>().map(|m| m.as_str().to_owned()).unwrap_or_else(|| "unmatched".into());
    let method = req.method().as_str().to_owned();
    let start = Instant::now();
    let resp = next.run(req).await;
    let status = resp.status().as_u16().to_string();
    metrics::counter!("motcua_http_requests_total", "method" => method.clone(), "route" => route.clone(), "status" => status).increment(1);
    metrics::histogram!("motcua_http_request_duration_seconds", "method" => method, "route" => route)
        .record(start.elapsed().as_secs_f64());
    resp
}
