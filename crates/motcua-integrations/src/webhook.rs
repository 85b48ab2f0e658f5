//! The SMS/Zalo gateway behind an HTTP webhook: each notice is POSTed as JSON, signed with
//! HMAC-SHA-256 under a shared secret (`X-Motcua-Signature: sha256=…` over the timestamp, a dot
//! and the body; `X-Motcua-Timestamp` in Unix seconds), with the notice's id as the idempotency
//! key. Any answer but 2xx is an error, retried by the job queue.

use std::time::Duration;

use async_trait::async_trait;
use motcua_app::ports::{NoticeWebhook, WebhookMessage};
use motcua_domain::citizen_notice::webhook_signature;

#[derive(Debug, Clone)]
pub struct WebhookSettings {
    pub url: String,
    /// Shared with the gateway (at least 16 characters).
    pub secret: String,
    pub timeout: Duration,
}

pub struct SignedWebhook {
    client: reqwest::Client,
    settings: WebhookSettings,
}

impl SignedWebhook {
    pub fn new(settings: &WebhookSettings) -> anyhow::Result<Self> {
        let url = reqwest::Url::parse(&settings.url).map_err(|e| anyhow::anyhow!("webhook address is invalid: {e}"))?;
        if !matches!(url.scheme(), "http" | "https") {
            anyhow::bail!("webhook address must be http:// or https://");
        }
        if settings.secret.len() < 16 {
            anyhow::bail!("webhook secret must be at least 16 characters");
        }
        let client = reqwest::Client::builder().timeout(settings.timeout).build()?;
        Ok(Self { client, settings: settings.clone() })
    }
}

#[async_trait]
impl NoticeWebhook for SignedWebhook {
    async fn deliver(&self, message: &WebhookMessage, now: jiff::Timestamp) -> anyhow::Result<()> {
        let body = serde_json::to_vec(message)?;
        let timestamp = now.as_second().to_string();
        let signature = webhook_signature(self.settings.secret.as_bytes(), &timestamp, &body);
        let response = self
            .client
            .post(&self.settings.url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header("X-Motcua-Timestamp", &timestamp)
            .header("X-Motcua-Signature", signature)
            .header("Idempotency-Key", format!("motcua-notice-{}", message.id))
            .body(body)
            .send()
            .await?;
        let status = response.status();
        if !status.is_success() {
            anyhow::bail!("the gateway answered HTTP {}", status.as_u16());
        }
        Ok(())
    }
}
