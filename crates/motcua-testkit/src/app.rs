//! The real server, started in-process on a free loopback port, and an HTTP client that
//! behaves like a browser (cookies, no automatic redirects) or like an integration (bearer).

use std::net::SocketAddr;
use std::sync::Arc;

use motcua_app::Services;
use motcua_app::clock::ManualClock;
use motcua_app::context::{Actor, RequestMeta};
use motcua_web::{AppState, WebConfig};
use reqwest::redirect::Policy;
use reqwest::{Client, Response, StatusCode};

use crate::{Backend, TestDb};

pub struct TestApp {
    pub base: String,
    pub db: TestDb,
    pub services: Services,
    pub clock: Arc<ManualClock>,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// Web settings for tests: a generous login rate limit so that tests logging in many times do
/// not trip it (one test lowers it on purpose).
pub fn test_web_config() -> WebConfig {
    WebConfig {
        login_per_minute: 10_000,
        public_api_per_minute: 100_000,
        portal_inbound_token: Some(TEST_PORTAL_TOKEN.to_owned()),
        ..WebConfig::default()
    }
}

/// The token the national portal presents when it pushes dossiers to a test server.
pub const TEST_PORTAL_TOKEN: &str = "cong-dvc-quoc-gia-thu-nghiem-0001";

impl TestApp {
    /// The demo province on a fresh database of `backend`, served on 127.0.0.1.
    pub async fn spawn(backend: Backend) -> Self {
        Self::spawn_with(backend, test_web_config()).await
    }

    pub async fn spawn_with(backend: Backend, web: WebConfig) -> Self {
        Self::spawn_configured(backend, web, crate::test_settings(), None).await
    }

    /// With the use cases' settings too, and e-mail through `mail` (a test SMTP server, say).
    pub async fn spawn_configured(
        backend: Backend,
        web: WebConfig,
        settings: motcua_app::settings::Settings,
        mail: Option<Arc<dyn motcua_app::ports::MailSender>>,
    ) -> Self {
        Self::spawn_full(backend, web, settings, mail, None).await
    }

    /// Talking to the national portal through `portal` (the conformance peer, say), reading
    /// its published figures through `figures`.
    pub async fn spawn_with_portal(
        backend: Backend,
        portal: Arc<dyn motcua_app::ports::PortalTransport>,
        figures: Arc<dyn motcua_app::ports::PortalFigures>,
    ) -> Self {
        Self::spawn_full(backend, test_web_config(), crate::test_settings(), None, Some((portal, figures))).await
    }

    async fn spawn_full(
        backend: Backend,
        web: WebConfig,
        settings: motcua_app::settings::Settings,
        mail: Option<Arc<dyn motcua_app::ports::MailSender>>,
        portal: Option<(Arc<dyn motcua_app::ports::PortalTransport>, Arc<dyn motcua_app::ports::PortalFigures>)>,
    ) -> Self {
        let db = TestDb::new(backend).await;
        let clock = TestDb::manual_clock();
        let mut services = db.services_with(clock.clone(), settings);
        if let Some(mail) = mail {
            services = services.with_mail(mail);
        }
        if let Some((portal, figures)) = portal {
            services = services.with_portal(portal).with_portal_figures(figures);
        }
        services.load_demo(&RequestMeta::cli()).await.expect("load demo");
        let app = motcua_web::router(AppState::new(services.clone(), web));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let server = tokio::spawn(async move {
            axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await.expect("server");
        });
        Self { base: format!("http://{addr}"), db, services, clock, server }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A browser without a session.
    pub fn browser(&self) -> TestClient {
        TestClient {
            base: self.base.clone(),
            http: Client::builder().cookie_store(true).redirect(Policy::none()).build().expect("client"),
            csrf: None,
            bearer: None,
        }
    }

    /// A browser signed in as `username` with the demo password.
    pub async fn login(&self, username: &str) -> TestClient {
        let mut c = self.browser();
        let r = c.post_form("/login", &[("username", username), ("password", motcua_app::demo::DEMO_PASSWORD)]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "login as {username} failed");
        c.refresh_csrf().await;
        c
    }

    /// An integration client holding a fresh API token of `username`.
    pub async fn api_as(&self, username: &str) -> TestClient {
        let (token, _) = self
            .services
            .accounts
            .create_api_token(Actor::System { label: "test" }, username, "test", None, &RequestMeta::cli())
            .await
            .expect("create token");
        TestClient {
            base: self.base.clone(),
            http: Client::builder().redirect(Policy::none()).build().expect("client"),
            csrf: None,
            bearer: Some(token),
        }
    }

    /// Number of audit entries so far (the chain's sequence numbers have no gaps).
    pub async fn audit_count(&self) -> i64 {
        use motcua_app::ports::AuditReads;
        self.db.db.audit_head().await.expect("audit head").map(|h| h.seq).unwrap_or(0)
    }
}

pub struct TestClient {
    pub base: String,
    pub http: Client,
    /// The session's CSRF token, read from the page's `<meta name="csrf-token">`.
    pub csrf: Option<String>,
    pub bearer: Option<String>,
}

impl TestClient {
    fn req(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let mut r = self.http.request(method, format!("{}{path}", self.base));
        if let Some(b) = &self.bearer {
            r = r.bearer_auth(b);
        }
        r
    }

    pub async fn get(&self, path: &str) -> Response {
        self.req(reqwest::Method::GET, path).send().await.expect("GET")
    }

    /// A form post carrying the session's CSRF token, as our pages send it.
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> Response {
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        if let Some(t) = &self.csrf {
            all.push(("_csrf", t));
        }
        self.req(reqwest::Method::POST, path).form(&all).send().await.expect("POST")
    }

    /// A multipart form post as our upload forms send it: the session's CSRF token first, then
    /// the fields, then the files (`(field, file name, bytes)`).
    pub async fn post_multipart(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        files: &[(&str, &str, Vec<u8>)],
    ) -> Response {
        let mut form = reqwest::multipart::Form::new();
        if let Some(t) = &self.csrf {
            form = form.text("_csrf", t.clone());
        }
        for (k, v) in fields {
            form = form.text(k.to_string(), v.to_string());
        }
        for (k, name, bytes) in files {
            form = form.part(k.to_string(), reqwest::multipart::Part::bytes(bytes.clone()).file_name(name.to_string()));
        }
        self.req(reqwest::Method::POST, path).multipart(form).send().await.expect("POST")
    }

    /// A form post exactly as given (no CSRF token added).
    pub async fn post_form_raw(&self, path: &str, fields: &[(&str, &str)]) -> Response {
        self.req(reqwest::Method::POST, path).form(fields).send().await.expect("POST")
    }

    pub async fn send_json(&self, method: reqwest::Method, path: &str, body: &serde_json::Value) -> Response {
        let mut r = self.req(method, path).json(body);
        if let Some(t) = &self.csrf {
            r = r.header("x-csrf-token", t);
        }
        r.send().await.expect("JSON request")
    }

    pub async fn post_json(&self, path: &str, body: &serde_json::Value) -> Response {
        self.send_json(reqwest::Method::POST, path, body).await
    }

    pub async fn put_json(&self, path: &str, body: &serde_json::Value) -> Response {
        self.send_json(reqwest::Method::PUT, path, body).await
    }

    /// A POST of a plain text body (file formats such as TOML).
    pub async fn send_text(&self, path: &str, body: &str) -> Response {
        let mut r =
            self.req(reqwest::Method::POST, path).header("content-type", "application/toml").body(body.to_owned());
        if let Some(t) = &self.csrf {
            r = r.header("x-csrf-token", t);
        }
        r.send().await.expect("POST")
    }

    pub async fn delete(&self, path: &str) -> Response {
        let mut r = self.req(reqwest::Method::DELETE, path);
        if let Some(t) = &self.csrf {
            r = r.header("x-csrf-token", t);
        }
        r.send().await.expect("DELETE")
    }

    pub async fn json(&self, path: &str) -> (StatusCode, serde_json::Value) {
        let r = self.get(path).await;
        let s = r.status();
        (s, r.json().await.unwrap_or(serde_json::Value::Null))
    }

    /// Reads the CSRF token from the official's home page.
    pub async fn refresh_csrf(&mut self) {
        let html = self.get("/app").await.text().await.expect("body");
        self.csrf = csrf_from_html(&html);
    }
}

pub fn csrf_from_html(html: &str) -> Option<String> {
    let marker = "name=\"csrf-token\" content=\"";
    let start = html.find(marker)? + marker.len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].to_owned())
}
