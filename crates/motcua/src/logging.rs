//! Log output: human-readable by default, JSON for collectors. Request spans carry only method,
//! path and request id; handlers never log personal data.

use tracing_subscriber::EnvFilter;

pub fn init(level: &str, format: &str) {
    let filter = std::env::var("RUST_LOG").ok().and_then(|f| EnvFilter::try_new(f).ok()).unwrap_or_else(|| {
        EnvFilter::try_new(format!("{level},sqlx=warn,tower_http=warn")).unwrap_or_else(|_| EnvFilter::new("info"))
    });
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_target(false);
    let _ = if format == "json" { builder.json().try_init() } else { builder.try_init() };
}
