//! The national portal over its REST endpoints (`legal.md` §7.1, the per-province generation):
//! a base URL and three paths (create, update, steps) that the Government Office hands to each
//! province, a JSON array of `HoSo` or of `QuaTrinhXuLy` per call, and `{error_code, message}`
//! (or plain text for the steps) back. The paths and the token come from configuration only.

use std::time::Duration;

use async_trait::async_trait;
use motcua_app::ports::PortalTransport;
use motcua_domain::national_portal::{PortalAnswer, PortalDossier, PortalStep};

/// Where the portal's REST endpoints are.
#[derive(Debug, Clone)]
pub struct RestPortalSettings {
    /// `https://…` (or `http://` inside a provincial network).
    pub base_url: String,
    pub create_path: String,
    pub update_path: String,
    pub steps_path: String,
    /// Sent as `Authorization: Bearer …` when set.
    pub token: Option<String>,
    pub timeout: Duration,
}

pub struct RestPortal {
    client: reqwest::Client,
    create: reqwest::Url,
    update: reqwest::Url,
    steps: reqwest::Url,
    token: Option<String>,
}

fn join(base: &reqwest::Url, path: &str) -> anyhow::Result<reqwest::Url> {
    base.join(path.trim_start_matches('/')).map_err(|e| anyhow::anyhow!("portal path {path:?}: {e}"))
}

impl RestPortal {
    pub fn new(s: &RestPortalSettings) -> anyhow::Result<Self> {
        let mut base: reqwest::Url =
            s.base_url.parse().map_err(|e| anyhow::anyhow!("portal address {:?}: {e}", s.base_url))?;
        if !matches!(base.scheme(), "http" | "https") {
            anyhow::bail!("portal address must be http or https: {}", s.base_url);
        }
        if !base.path().ends_with('/') {
            let path = format!("{}/", base.path());
            base.set_path(&path);
        }
        for (name, p) in [("create", &s.create_path), ("update", &s.update_path), ("steps", &s.steps_path)] {
            if p.trim().is_empty() {
                anyhow::bail!("the portal's {name} path is not configured");
            }
        }
        if s.token.as_deref().is_some_and(|t| !t.bytes().all(|b| b.is_ascii_graphic())) {
            anyhow::bail!("the portal token must be printable ASCII without spaces (an HTTP header)");
        }
        let client = reqwest::Client::builder()
            .timeout(s.timeout)
            .user_agent(concat!("motcua/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self {
            client,
            create: join(&base, &s.create_path)?,
            update: join(&base, &s.update_path)?,
            steps: join(&base, &s.steps_path)?,
            token: s.token.clone().filter(|t| !t.is_empty()),
        })
    }

    async fn post<T: serde::Serialize + ?Sized>(&self, url: &reqwest::Url, body: &T) -> anyhow::Result<PortalAnswer> {
        let mut req = self.client.post(url.clone()).json(body);
        if let Some(t) = &self.token {
            req = req.bearer_auth(t);
        }
        let resp = req.send().await?;
        let status = resp.status();
        let text = resp.text().await?;
        if !status.is_success() {
            return Ok(PortalAnswer::Failed {
                code: format!("http {}", status.as_u16()),
                message: text.chars().take(500).collect(),
            });
        }
        Ok(PortalAnswer::read(&text, true))
    }
}

#[async_trait]
impl PortalTransport for RestPortal {
    async fn send_dossier(&self, dossier: &PortalDossier, update: bool) -> anyhow::Result<PortalAnswer> {
        self.post(if update { &self.update } else { &self.create }, std::slice::from_ref(dossier)).await
    }

    async fn send_steps(&self, steps: &[PortalStep]) -> anyhow::Result<PortalAnswer> {
        self.post(&self.steps, steps).await
    }
}
