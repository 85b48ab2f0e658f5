//! Rate limits of the public and anonymous endpoints, per client address.

use std::net::{IpAddr, Ipv4Addr};

use crate::error::HttpError;
use crate::state::AppState;

/// The public API's quota (catalogue search and reads).
pub(crate) fn public_limit(state: &AppState, meta: &motcua_app::context::RequestMeta) -> Result<(), HttpError> {
    limit_by_address(&state.public_limiter, meta, "motcua_public_api_rate_limited_total")
}

/// Counts a request against `limiter` under the client's address (unknown addresses share one
/// bucket), answering 429 when the address is over its quota.
pub(crate) fn limit_by_address(
    limiter: &governor::DefaultKeyedRateLimiter<IpAddr>,
    meta: &motcua_app::context::RequestMeta,
    metric: &'static str,
) -> Result<(), HttpError> {
    let ip: IpAddr =
        meta.client_ip.as_deref().and_then(|i| i.parse().ok()).unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
    if limiter.check_key(&ip).is_err() {
        metrics::counter!(metric).increment(1);
        return Err(HttpError::rate_limited(60));
    }
    Ok(())
}

/// The public tracking quota (dossier codes are guessable in bulk without one).
pub(crate) fn tracking_limit(state: &AppState, meta: &motcua_app::context::RequestMeta) -> Result<(), HttpError> {
    limit_by_address(&state.tracking_limiter, meta, "motcua_tracking_rate_limited_total")
}
