//! Shared state of the HTTP layer.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use motcua_app::Services;

/// Settings of the HTTP layer, from the `[server]` section of the configuration.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// The address people use, e.g. `https://motcua.sonha.gov.vn`. Cookies are `Secure` when it
    /// is HTTPS (TLS is terminated by the reverse proxy); its origin is trusted for CSRF.
    pub public_url: Option<String>,
    pub body_limit_bytes: usize,
    pub request_timeout: Duration,
    /// Login attempts per minute from one address.
    pub login_per_minute: u32,
    /// Requests per minute from one address to the public API (calendar queries).
    pub public_api_per_minute: u32,
    /// Seconds without a touch before the lobby kiosk returns to its start page.
    pub kiosk_idle_seconds: u32,
    /// Public dossier lookups per minute from one address.
    pub tracking_per_minute: u32,
    /// Bearer token that allows scraping `/metrics` from other hosts; loopback is always allowed.
    pub metrics_token: Option<String>,
    /// The token the national portal presents when it pushes dossiers (`None`: refused).
    pub portal_inbound_token: Option<String>,
    /// The province's root department on the portal, for its evaluation figures.
    pub portal_department: Option<String>,
    /// Take the client address from `X-Forwarded-For` (only behind a proxy that sets it).
    pub trust_forwarded_for: bool,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            public_url: None,
            body_limit_bytes: 1024 * 1024,
            request_timeout: Duration::from_secs(30),
            login_per_minute: 10,
            public_api_per_minute: 600,
            kiosk_idle_seconds: 120,
            tracking_per_minute: 30,
            metrics_token: None,
            portal_inbound_token: None,
            portal_department: None,
            trust_forwarded_for: false,
        }
    }
}

impl WebConfig {
    pub fn secure_cookies(&self) -> bool {
        self.public_url.as_deref().is_some_and(|u| u.starts_with("https://"))
    }

    /// `__Host-` cookies are bound to this exact host and path `/`, but browsers accept them
    /// only with `Secure`.
    pub fn session_cookie_name(&self) -> &'static str {
        if self.secure_cookies() { "__Host-motcua_session" } else { "motcua_session" }
    }
}

/// What every handler gets. Cloned for each request (axum's `State`), so it is one shared
/// pointer rather than a dozen.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

pub struct Shared {
    pub services: Services,
    pub config: Arc<WebConfig>,
    pub metrics: PrometheusHandle,
    pub login_limiter: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    pub public_limiter: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    pub tracking_limiter: Arc<DefaultKeyedRateLimiter<IpAddr>>,
}

impl AppState {
    pub fn new(services: Services, config: WebConfig) -> Self {
        let per_minute = NonZeroU32::new(config.login_per_minute.max(1)).expect("non-zero");
        let public_per_minute = NonZeroU32::new(config.public_api_per_minute.max(1)).expect("non-zero");
        let tracking_per_minute = NonZeroU32::new(config.tracking_per_minute.max(1)).expect("non-zero");
        Self(Arc::new(Shared {
            services,
            login_limiter: Arc::new(RateLimiter::keyed(Quota::per_minute(per_minute))),
            public_limiter: Arc::new(RateLimiter::keyed(Quota::per_minute(public_per_minute))),
            tracking_limiter: Arc::new(RateLimiter::keyed(Quota::per_minute(tracking_per_minute))),
            config: Arc::new(config),
            metrics: prometheus_handle(),
        }))
    }
}

/// The process-wide metrics recorder (metrics macros report to one global recorder; tests start
/// several servers in one process).
pub fn prometheus_handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new()
                .set_buckets(&[0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0])
                .expect("static buckets")
                .build_recorder();
            let handle = recorder.handle();
            if metrics::set_global_recorder(recorder).is_err() {
                tracing::warn!("a metrics recorder was already installed; /metrics may be empty");
            }
            handle
        })
        .clone()
}
