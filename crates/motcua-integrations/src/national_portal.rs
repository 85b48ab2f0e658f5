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
    /// Where the portal lists the dossiers submitted for the province (the pull); empty: the
    /// portal pushes them instead.
    pub pull_path: String,
    /// Sent as `Authorization: Bearer …` when set (to the portal's own address only).
    pub token: Option<String>,
    /// Hosts the files of submitted dossiers may be fetched from, besides the portal's own.
    pub file_hosts: Vec<String>,
    pub timeout: Duration,
}

pub struct RestPortal {
    client: reqwest::Client,
    create: reqwest::Url,
    update: reqwest::Url,
    steps: reqwest::Url,
    pull: Option<reqwest::Url>,
    token: Option<String>,
    files: FileSources,
}

/// An http(s) address paths are joined to (with its trailing slash), `what` naming it in errors.
fn base_url(address: &str, what: &str) -> anyhow::Result<reqwest::Url> {
    let mut base: reqwest::Url = address.parse().map_err(|e| anyhow::anyhow!("{what} {address:?}: {e}"))?;
    if !matches!(base.scheme(), "http" | "https") {
        anyhow::bail!("{what} must be http or https: {address}");
    }
    if !base.path().ends_with('/') {
        let path = format!("{}/", base.path());
        base.set_path(&path);
    }
    Ok(base)
}

/// The HTTP client every call to the portal goes through.
fn client(timeout: Duration) -> anyhow::Result<reqwest::Client> {
    Ok(reqwest::Client::builder().timeout(timeout).user_agent(concat!("motcua/", env!("CARGO_PKG_VERSION"))).build()?)
}

fn join(base: &reqwest::Url, path: &str) -> anyhow::Result<reqwest::Url> {
    base.join(path.trim_start_matches('/')).map_err(|e| anyhow::anyhow!("portal path {path:?}: {e}"))
}

impl RestPortal {
    pub fn new(s: &RestPortalSettings) -> anyhow::Result<Self> {
        let base = base_url(&s.base_url, "portal address")?;
        for (name, p) in [("create", &s.create_path), ("update", &s.update_path), ("steps", &s.steps_path)] {
            if p.trim().is_empty() {
                anyhow::bail!("the portal's {name} path is not configured");
            }
        }
        if s.token.as_deref().is_some_and(|t| !t.bytes().all(|b| b.is_ascii_graphic())) {
            anyhow::bail!("the portal token must be printable ASCII without spaces (an HTTP header)");
        }
        Ok(Self {
            client: client(s.timeout)?,
            create: join(&base, &s.create_path)?,
            update: join(&base, &s.update_path)?,
            steps: join(&base, &s.steps_path)?,
            pull: if s.pull_path.trim().is_empty() { None } else { Some(join(&base, &s.pull_path)?) },
            token: s.token.clone().filter(|t| !t.is_empty()),
            files: FileSources::new(&base, &s.file_hosts),
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

    fn pulls(&self) -> bool {
        self.pull.is_some()
    }

    /// POSTs `{"TuNgay": yyyyMMddHHmmss}` (empty for everything undelivered) and reads a JSON
    /// array of `HoSo`, bare or as the `data` of `{error_code, message, data}`.
    async fn pull_dossiers(&self, since: Option<jiff::Timestamp>) -> anyhow::Result<Vec<serde_json::Value>> {
        let Some(url) = &self.pull else { return Ok(Vec::new()) };
        let since = since.map(motcua_domain::national_portal::portal_time).unwrap_or_default();
        let mut req = self.client.post(url.clone()).json(&serde_json::json!({ "TuNgay": since }));
        if let Some(t) = &self.token {
            req = req.bearer_auth(t);
        }
        let resp = req.send().await?;
        let status = resp.status();
        if !status.is_success() {
            anyhow::bail!("the portal answered HTTP {} to the pull", status.as_u16());
        }
        let body: serde_json::Value =
            resp.json().await.map_err(|e| anyhow::anyhow!("the portal's list is not JSON: {e}"))?;
        match body {
            serde_json::Value::Array(items) => Ok(items),
            serde_json::Value::Object(mut o) => {
                let code = o.get("error_code").map(|c| c.to_string().trim_matches('"').to_owned());
                if code.as_deref().is_some_and(|c| c != "0" && c != "00") {
                    let message = o.get("message").and_then(|m| m.as_str()).unwrap_or_default();
                    anyhow::bail!("the portal refused the pull: {} {message}", code.unwrap_or_default());
                }
                match o.remove("data") {
                    Some(serde_json::Value::Array(items)) => Ok(items),
                    None | Some(serde_json::Value::Null) => Ok(Vec::new()),
                    Some(_) => anyhow::bail!("the portal's list has a `data` that is not an array"),
                }
            }
            _ => anyhow::bail!("the portal's list is neither an array nor an object"),
        }
    }

    async fn fetch_file(&self, url: &str, max: usize) -> anyhow::Result<Vec<u8>> {
        self.files.fetch(&self.client, url, self.token.as_deref(), max).await
    }
}

/// Where the files of submitted dossiers may come from: the portal's own host and the hosts
/// configured; an address elsewhere (a pushed dossier naming a private address, say) is
/// refused, and the portal's token goes to the portal's own address only.
struct FileSources {
    own: reqwest::Url,
    hosts: Vec<String>,
}

impl FileSources {
    fn new(own: &reqwest::Url, hosts: &[String]) -> Self {
        let mut hosts: Vec<String> =
            hosts.iter().map(|h| h.trim().to_ascii_lowercase()).filter(|h| !h.is_empty()).collect();
        hosts.extend(own.host_str().map(str::to_ascii_lowercase));
        Self { own: own.clone(), hosts }
    }

    /// GETs a file, streaming it so that an oversized one is refused without being held.
    async fn fetch(
        &self,
        client: &reqwest::Client,
        url: &str,
        token: Option<&str>,
        max: usize,
    ) -> anyhow::Result<Vec<u8>> {
        let url: reqwest::Url = url.parse().map_err(|e| anyhow::anyhow!("file address: {e}"))?;
        if !matches!(url.scheme(), "http" | "https") {
            anyhow::bail!("file address must be http or https");
        }
        let host = url.host_str().map(str::to_ascii_lowercase).unwrap_or_default();
        if !self.hosts.contains(&host) {
            anyhow::bail!("files are fetched only from the portal's hosts (portal.file_hosts), not {host}");
        }
        let mut req = client.get(url.clone());
        let own =
            url.host_str() == self.own.host_str() && url.port_or_known_default() == self.own.port_or_known_default();
        if let (Some(t), true) = (token, own) {
            req = req.bearer_auth(t);
        }
        let mut resp = req.send().await?;
        if !resp.status().is_success() {
            anyhow::bail!("HTTP {}", resp.status().as_u16());
        }
        if resp.content_length().is_some_and(|n| n > max as u64) {
            anyhow::bail!("larger than {max} bytes");
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = resp.chunk().await? {
            if bytes.len() + chunk.len() > max {
                anyhow::bail!("larger than {max} bytes");
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(bytes)
    }
}

/// The portal's public evaluation API (`legal.md` §13.2): `POST {base}/{endpoint}` with the
/// period, JSON back.
pub struct RestFigures {
    client: reqwest::Client,
    base: reqwest::Url,
}

impl RestFigures {
    /// `base_url` such as `https://dichvucong.gov.vn/api/v1/reporting/evaluation`.
    pub fn new(base_url_text: &str, timeout: Duration) -> anyhow::Result<Self> {
        Ok(Self { client: client(timeout)?, base: base_url(base_url_text, "evaluation address")? })
    }
}

#[async_trait]
impl motcua_app::ports::PortalFigures for RestFigures {
    async fn evaluation(&self, endpoint: &str, body: &serde_json::Value) -> anyhow::Result<serde_json::Value> {
        let url = join(&self.base, endpoint)?;
        let resp = self.client.post(url).json(body).send().await?;
        let status = resp.status();
        if !status.is_success() {
            anyhow::bail!("HTTP {}", status.as_u16());
        }
        resp.json().await.map_err(|e| anyhow::anyhow!("the answer is not JSON: {e}"))
    }
}

/// Where the LGSP/NGSP adapter is and who the province is to it (`legal.md` §7.1, the
/// "service" generation).
#[derive(Debug, Clone)]
pub struct LgspSettings {
    /// The adapter's address, `https://…`.
    pub adapter_url: String,
    pub auth_path: String,
    pub integration_path: String,
    pub username: String,
    /// Secret: from configuration only.
    pub password: String,
    /// `madonvi`: the province's (or agency's) electronic identifier on the adapter.
    pub agency_code: String,
    /// Hosts the files of submitted dossiers may be fetched from, besides the adapter's.
    pub file_hosts: Vec<String>,
    pub timeout: Duration,
}

/// The national portal through the LGSP/NGSP adapter: a session from `{username, password}`,
/// then every call as `{session, madonvi, service, …}` to one endpoint. A session the adapter
/// no longer accepts is renewed once and the call repeated.
pub struct LgspPortal {
    client: reqwest::Client,
    auth: reqwest::Url,
    integration: reqwest::Url,
    username: String,
    password: String,
    agency_code: String,
    session: tokio::sync::Mutex<Option<String>>,
    files: FileSources,
}

impl LgspPortal {
    pub fn new(s: &LgspSettings) -> anyhow::Result<Self> {
        let base = base_url(&s.adapter_url, "LGSP address")?;
        for (name, v) in [
            ("auth path", &s.auth_path),
            ("integration path", &s.integration_path),
            ("username", &s.username),
            ("password", &s.password),
            ("agency code (madonvi)", &s.agency_code),
        ] {
            if v.trim().is_empty() {
                anyhow::bail!("the LGSP {name} is not configured");
            }
        }
        Ok(Self {
            client: client(s.timeout)?,
            auth: join(&base, &s.auth_path)?,
            integration: join(&base, &s.integration_path)?,
            username: s.username.clone(),
            password: s.password.clone(),
            agency_code: s.agency_code.clone(),
            session: tokio::sync::Mutex::new(None),
            files: FileSources::new(&base, &s.file_hosts),
        })
    }

    async fn login(&self) -> anyhow::Result<String> {
        let resp = self
            .client
            .post(self.auth.clone())
            .json(&serde_json::json!({"username": self.username, "password": self.password}))
            .send()
            .await?;
        if !resp.status().is_success() {
            anyhow::bail!("LGSP login: HTTP {}", resp.status().as_u16());
        }
        let body: serde_json::Value = resp.json().await.map_err(|e| anyhow::anyhow!("LGSP login answer: {e}"))?;
        let ok = matches!(body["error_code"].to_string().trim_matches('"'), "0" | "00");
        match body["session"].as_str() {
            Some(s) if ok && !s.is_empty() => Ok(s.to_owned()),
            // The adapter's message, never the credentials.
            _ => anyhow::bail!("LGSP login refused: {}", body["message"].as_str().unwrap_or_default()),
        }
    }

    /// One service call, with a fresh session when the adapter refuses the one held.
    async fn call(&self, service: &str, params: serde_json::Value) -> anyhow::Result<serde_json::Value> {
        for attempt in 0..2 {
            let session = {
                let mut held = self.session.lock().await;
                match held.as_ref() {
                    Some(s) if attempt == 0 => s.clone(),
                    _ => {
                        let s = self.login().await?;
                        *held = Some(s.clone());
                        s
                    }
                }
            };
            let mut body = serde_json::json!({"session": session, "madonvi": self.agency_code, "service": service});
            if let (Some(b), Some(p)) = (body.as_object_mut(), params.as_object()) {
                b.extend(p.iter().map(|(k, v)| (k.clone(), v.clone())));
            }
            let resp = self.client.post(self.integration.clone()).json(&body).send().await?;
            let status = resp.status();
            // The status first: a refused session often comes back as an empty or HTML page.
            let text = resp.text().await?;
            let answer: serde_json::Value = serde_json::from_str(&text).unwrap_or(serde_json::Value::Null);
            let expired = status == reqwest::StatusCode::UNAUTHORIZED
                || matches!(answer["error_code"].to_string().trim_matches('"'), "401" | "-401");
            if expired && attempt == 0 {
                *self.session.lock().await = None;
                continue;
            }
            if !status.is_success() {
                anyhow::bail!("LGSP {service}: HTTP {}", status.as_u16());
            }
            if answer.is_null() {
                anyhow::bail!("LGSP {service}: the answer is not JSON");
            }
            return Ok(answer);
        }
        anyhow::bail!("LGSP {service}: the session was refused twice")
    }

    /// `LayDanhSachTTHC`: the national procedure list (`result`).
    pub async fn procedure_list(&self) -> anyhow::Result<Vec<serde_json::Value>> {
        let a = self.call("LayDanhSachTTHC", serde_json::json!({})).await?;
        Ok(a["result"].as_array().cloned().unwrap_or_default())
    }

    /// `LayThuTuc`: one procedure's package (`result[0]`), if the portal has it.
    pub async fn procedure(&self, national_code: &str) -> anyhow::Result<Option<serde_json::Value>> {
        let a = self.call("LayThuTuc", serde_json::json!({"maTTHC": national_code})).await?;
        Ok(a["result"].as_array().and_then(|r| r.first()).cloned())
    }
}

#[async_trait]
impl PortalTransport for LgspPortal {
    /// `DongBoHoSoMC`, `isUpdating` "True" for a dossier the portal has.
    async fn send_dossier(&self, dossier: &PortalDossier, update: bool) -> anyhow::Result<PortalAnswer> {
        let params = serde_json::json!({"isUpdating": if update { "True" } else { "False" }, "data": [dossier]});
        let a = self.call("DongBoHoSoMC", params).await?;
        Ok(PortalAnswer::read(&a.to_string(), false))
    }

    /// `CapNhatTienDoHoSoMC`.
    async fn send_steps(&self, steps: &[PortalStep]) -> anyhow::Result<PortalAnswer> {
        let a = self.call("CapNhatTienDoHoSoMC", serde_json::json!({"data": steps})).await?;
        Ok(PortalAnswer::read(&a.to_string(), false))
    }

    /// The adapter's generation has no documented list of submitted dossiers: the portal
    /// pushes them (`POST /api/v1/portal/dossiers`).
    async fn pull_dossiers(&self, _since: Option<jiff::Timestamp>) -> anyhow::Result<Vec<serde_json::Value>> {
        Ok(Vec::new())
    }

    async fn fetch_file(&self, url: &str, max: usize) -> anyhow::Result<Vec<u8>> {
        self.files.fetch(&self.client, url, None, max).await
    }
}
