//! Per-request context: request id, client address, the authenticated principal once known,
//! and the guarantee that every state-changing request leaves exactly one audit entry.

use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::Response;
use motcua_app::context::{Actor, RequestMeta};
use motcua_domain::account::Principal;
use motcua_domain::audit::Outcome;

use crate::error::{ApiError, HttpError};
use crate::state::AppState;

#[derive(Clone)]
pub struct RequestCtx {
    pub meta: RequestMeta,
    principal: Arc<Mutex<Option<Principal>>>,
}

impl RequestCtx {
    pub fn set_principal(&self, p: Option<Principal>) {
        *self.principal.lock().unwrap_or_else(|e| e.into_inner()) = p;
    }

    pub fn principal(&self) -> Option<Principal> {
        self.principal.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

/// The client's address. Behind our own proxy, the rightmost `X-Forwarded-For` entry is the
/// one that proxy added; entries to its left come from the client and may be forged.
pub(crate) fn client_ip(headers: &HeaderMap, peer: Option<SocketAddr>, trust_forwarded_for: bool) -> Option<IpAddr> {
    if trust_forwarded_for
        && let Some(ip) = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .next_back()
            .and_then(|v| v.trim().parse().ok())
    {
        return Some(ip);
    }
    peer.map(|p| p.ip())
}

/// Outermost layer of our own: builds the context and scopes the request id.
pub async fn request_context(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    // A caller-supplied id (from a proxy) is kept only if it is short and plain, so it cannot
    // smuggle text into logs or the audit log.
    let request_id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty() && v.len() <= 64 && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
        .map(str::to_owned)
        .unwrap_or_else(|| motcua_app::secret::random_hex(8));
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        req.headers_mut().insert("x-request-id", v);
    }
    let request_id = Some(request_id);
    let peer = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0);
    let ip = client_ip(req.headers(), peer, state.config.trust_forwarded_for);
    let user_agent = req.headers().get("user-agent").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let ctx = RequestCtx {
        meta: RequestMeta::new(request_id.clone(), ip.map(|i| i.to_string()), user_agent),
        principal: Arc::default(),
    };
    req.extensions_mut().insert(ctx);
    let header_value = request_id.as_deref().and_then(|v| HeaderValue::from_str(v).ok());
    let mut resp = crate::request_id::scope(request_id, next.run(req)).await;
    if let Some(v) = header_value {
        resp.headers_mut().insert("x-request-id", v);
    }
    resp
}

fn is_state_changing(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE)
}

/// Writes the audit entry of a state-changing request whose handler did not (because it was
/// refused before reaching a use case, or failed). Successful use cases write their own entry
/// in their transaction and mark the request, so nothing is recorded twice.
pub async fn audit_fallback(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let ctx = req.extensions().get::<RequestCtx>().cloned();
    let resp = next.run(req).await;
    let Some(ctx) = ctx else { return resp };
    let status = resp.status().as_u16();
    // Rate-limited floods are counted in metrics, not written one by one into the chain.
    if !is_state_changing(&method) || ctx.meta.is_audited() || status == 429 {
        return resp;
    }
    let principal = ctx.principal();
    let actor = match &principal {
        Some(p) => Actor::Official { principal: p, grant: None },
        None => Actor::Anonymous { attempted: None },
    };
    let code = resp.extensions().get::<HttpError>().map(|e| e.code);
    let event = actor
        .did(&format!("http.{}", method.as_str().to_lowercase()))
        .on("path", path)
        .outcome(Outcome::from_http_status(status))
        .detail(match code {
            Some(c) => format!("HTTP {status} {c}"),
            None => format!("HTTP {status}"),
        })
        .event(&ctx.meta, state.services.now());
    if let Err(e) = state.services.audit.record(event, &ctx.meta).await {
        tracing::error!(error = %e, "could not write fallback audit entry");
    }
    resp
}

/// Extracts the request's metadata for use cases.
pub struct Meta(pub RequestMeta);

impl<S: Send + Sync> FromRequestParts<S> for Meta {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Meta(parts.extensions.get::<RequestCtx>().map(|c| c.meta.clone()).unwrap_or_default()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forwarded_for_is_read_from_the_right_and_only_when_trusted() {
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", HeaderValue::from_static("6.6.6.6, 203.0.113.7"));
        let peer: SocketAddr = "127.0.0.1:5000".parse().unwrap();
        assert_eq!(client_ip(&h, Some(peer), true), Some("203.0.113.7".parse().unwrap()));
        assert_eq!(client_ip(&h, Some(peer), false), Some(peer.ip()));
        assert_eq!(client_ip(&HeaderMap::new(), Some(peer), true), Some(peer.ip()));
    }
}
