//! Sessions, CSRF, lock-out, rate limits, headers and limits.

mod common;

use common::agency;
use jiff::SignedDuration;
use motcua_app::ports::AgencyReads;
use motcua_testkit::app::test_web_config;
use motcua_testkit::{Backend, TestApp, app_tests};
use reqwest::StatusCode;
use serde_json::json;

fn set_cookie(r: &reqwest::Response) -> String {
    r.headers().get("set-cookie").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default()
}

app_tests! {
    async fn login_sets_a_hardened_cookie_and_rotates_the_session(app) {
        let c = app.browser();
        let r = c.post_form("/login", &[("username", "anphu.motcua"), ("password", "motcua-demo")]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(r.headers()["location"], "/app");
        let first = set_cookie(&r);
        assert!(first.starts_with("motcua_session="), "{first}");
        assert!(first.contains("HttpOnly") && first.contains("SameSite=Lax") && first.contains("Path=/"));
        assert!(!first.contains("Secure"), "plain HTTP without a public https URL");
        let first_value = first.split(';').next().unwrap().to_owned();
        // Logging in again from the same browser issues a new id and ends the old session.
        let r = c.post_form("/login", &[("username", "anphu.motcua"), ("password", "motcua-demo")]).await;
        let second_value = set_cookie(&r).split(';').next().unwrap().to_owned();
        assert_ne!(first_value, second_value);
        let stale = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        let r = stale.get(app.url("/app")).header("cookie", &first_value).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "the old session id no longer works");
        let r = stale.get(app.url("/app")).header("cookie", &second_value).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
    }

    async fn logout_ends_the_session(app) {
        let c = app.login("anphu.motcua").await;
        let r = c.post_form("/logout", &[]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert!(set_cookie(&r).contains("Max-Age=0"));
        assert_eq!(c.get("/app").await.status(), StatusCode::SEE_OTHER);
    }

    async fn error_pages_keep_the_staff_header_for_a_signed_in_official(app) {
        let desk = app.login("anphu.motcua").await;
        for path in ["/khong-co-trang-nay", "/ho-so/H99.301-261123-0999", "/ho-so/H99.302-261123-0001/thao-tac/forward"] {
            let r = desk.get(path).await;
            assert_eq!(r.status(), StatusCode::NOT_FOUND, "{path}");
            let html = r.text().await.unwrap();
            assert!(html.contains("Đăng xuất") && html.contains("href=\"/ho-so\""), "{path}: {html}");
        }
        // A visitor's error page stays the public one.
        let html = app.browser().get("/khong-co-trang-nay").await.text().await.unwrap();
        assert!(!html.contains("Đăng xuất"), "{html}");
    }

    async fn pages_need_login_and_keep_the_target(app) {
        let r = app.browser().get("/admin/agencies?inactive=1").await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(r.headers()["location"], "/login?next=%2Fadmin%2Fagencies%3Finactive%3D1");
        // After login the official lands on the page they wanted; foreign targets are ignored.
        let c = app.browser();
        let r = c.post_form("/login", &[("username", "admin"), ("password", "motcua-demo"), ("next", "/admin/agencies?inactive=1")]).await;
        assert_eq!(r.headers()["location"], "/admin/agencies?inactive=1");
        let r = c.post_form("/login", &[("username", "admin"), ("password", "motcua-demo"), ("next", "//evil.example/")]).await;
        assert_eq!(r.headers()["location"], "/app");
    }

    async fn cookie_authenticated_changes_need_the_csrf_token(app) {
        let mut c = app.login("anphu.admin").await;
        let parent = agency(&app, "H99.301").await;
        let fields = [("parent_id", parent.id.to_string()), ("code", "H99.301.09".to_owned()), ("name", "Tổ một cửa lưu động".to_owned()), ("level", "one_stop_desk".to_owned())];
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let before = app.audit_count().await;
        // No token: refused, nothing created, the refusal audited.
        let r = c.post_form_raw("/admin/agencies", &fields).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        assert!(r.text().await.unwrap().contains("CSRF"));
        // A wrong token, and a JSON call without the header: refused too.
        let mut wrong = fields.clone();
        wrong.push(("_csrf", "not-the-token"));
        assert_eq!(c.post_form_raw("/admin/agencies", &wrong).await.status(), StatusCode::FORBIDDEN);
        let token = c.csrf.take();
        let r = c.post_json("/api/v1/agencies", &json!({"parent_id": parent.id, "code": "H99.301.09", "name": "x", "level": "one_stop_desk"})).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        assert_eq!(r.json::<serde_json::Value>().await.unwrap()["code"], "csrf_failed");
        c.csrf = token;
        // A cross-site form post is stopped by the Origin / Fetch-Metadata check even with a token.
        let r = c.http.post(app.url("/admin/agencies")).header("origin", "https://evil.example").header("sec-fetch-site", "cross-site")
            .form(&[("_csrf", c.csrf.clone().unwrap().as_str()), ("code", "H99.301.09")]).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        assert!(app.db.db.agency_by_code(&motcua_domain::agency::AgencyCode::parse("H99.301.09").unwrap()).await.unwrap().is_none());
        assert_eq!(app.audit_count().await, before + 4, "each refused change is audited once");
        // With the token it works.
        let r = c.post_form("/admin/agencies", &fields).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
    }

    async fn repeated_failures_lock_the_account_then_it_recovers(app) {
        let c = app.browser();
        for i in 1..=4 {
            let r = c.post_form("/login", &[("username", "anphu.motcua"), ("password", "wrong-password")]).await;
            assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "attempt {i}");
            assert!(r.text().await.unwrap().contains("Tên đăng nhập hoặc mật khẩu không đúng"));
        }
        let r = c.post_form("/login", &[("username", "anphu.motcua"), ("password", "wrong-password")]).await;
        assert_eq!(r.status(), StatusCode::LOCKED);
        // Even the right password is refused while locked.
        let r = c.post_form("/login", &[("username", "anphu.motcua"), ("password", "motcua-demo")]).await;
        assert_eq!(r.status(), StatusCode::LOCKED);
        assert!(r.text().await.unwrap().contains("tạm khóa"));
        app.clock.advance(SignedDuration::from_secs(61));
        let r = c.post_form("/login", &[("username", "anphu.motcua"), ("password", "motcua-demo")]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        // Unknown accounts answer exactly like wrong passwords.
        let r = c.post_form("/login", &[("username", "nobody.here"), ("password", "x")]).await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        let audit = app.api_as("admin").await.json("/api/v1/audit?action=auth.login&limit=500").await.1;
        let outcomes: Vec<&str> = audit["items"].as_array().unwrap().iter().map(|e| e["outcome"].as_str().unwrap()).collect();
        assert_eq!(outcomes.iter().filter(|o| **o == "rejected").count(), 6);
        assert_eq!(outcomes.iter().filter(|o| **o == "denied").count(), 1);
    }

    async fn unknown_names_meet_the_same_answers_as_accounts(app) {
        // An account, a name nobody has, and a deactivated account: the same statuses, headers
        // and messages at every attempt, through the lock and after it expires.
        let admin = app.api_as("admin").await;
        let tanlap = app.services.accounts.find_user(&motcua_domain::account::Username::parse("tanlap.lanhdao").unwrap()).await.unwrap().unwrap();
        let r = admin.put_json(&format!("/api/v1/users/{}", tanlap.id), &json!({"full_name": tanlap.full_name, "agency_id": tanlap.agency_id.0, "active": false, "version": tanlap.version})).await;
        assert_eq!(r.status(), StatusCode::OK);
        let mut seen = Vec::new();
        for name in ["anphu.motcua", "nobody.here", "tanlap.lanhdao"] {
            let c = app.browser();
            let mut answers = Vec::new();
            let attempt = async |password: &str| {
                let r = c.post_form("/login", &[("username", name), ("password", password)]).await;
                let status = r.status();
                let retry = r.headers().get("retry-after").map(|v| v.to_str().unwrap().to_owned());
                let html = r.text().await.unwrap();
                (status, retry, html.contains("Tên đăng nhập hoặc mật khẩu không đúng"), html.contains("tạm khóa"))
            };
            for _ in 0..6 {
                answers.push(attempt("wrong-password").await);
            }
            answers.push(attempt("motcua-demo").await);
            app.clock.advance(SignedDuration::from_secs(61));
            answers.push(attempt("wrong-password").await);
            app.clock.advance(SignedDuration::from_secs(3600));
            seen.push(answers);
        }
        let statuses: Vec<StatusCode> = seen[0].iter().map(|a| a.0).collect();
        assert_eq!(statuses[..4], [StatusCode::UNAUTHORIZED; 4]);
        assert_eq!(statuses[4..], [StatusCode::LOCKED; 4], "locked from the fifth failure, doubling after");
        assert_eq!(seen[1], seen[0], "an unknown name answers as an account does");
        assert_eq!(seen[2], seen[0], "a deactivated account answers as an active one does");
    }

    async fn security_headers_and_request_ids(app) {
        let r = app.browser().get("/login").await;
        let h = r.headers();
        assert!(h["content-security-policy"].to_str().unwrap().contains("frame-ancestors 'none'"));
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert_eq!(h["x-frame-options"], "DENY");
        assert_eq!(h["referrer-policy"], "same-origin");
        assert!(h.contains_key("x-request-id"));
        let html = r.text().await.unwrap();
        assert!(html.contains("lang=\"vi\"") && html.contains("Đăng nhập cán bộ"));
        // A well-formed id from a proxy is kept; junk is replaced.
        let c = reqwest::Client::new();
        let r = c.get(app.url("/healthz")).header("x-request-id", "abc-123").send().await.unwrap();
        assert_eq!(r.headers()["x-request-id"], "abc-123");
        let r = c.get(app.url("/healthz")).header("x-request-id", "bad id\twith spaces").send().await.unwrap();
        assert_ne!(r.headers()["x-request-id"], "bad id\twith spaces");
    }

    async fn bad_input_gets_a_clear_error_and_changes_nothing(app) {
        let admin = app.api_as("admin").await;
        let before = app.audit_count().await;
        let r = admin.http.post(app.url("/api/v1/agencies")).bearer_auth(admin.bearer.as_ref().unwrap()).header("content-type", "application/json").body("{not json").send().await.unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        let b: serde_json::Value = r.json().await.unwrap();
        assert_eq!(b["code"], "invalid_json");
        assert!(b["request_id"].is_string() && b["message"].is_string());
        let r = admin.http.post(app.url("/api/v1/agencies")).bearer_auth(admin.bearer.as_ref().unwrap()).body("code=x").send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
        let r = admin.post_json("/api/v1/agencies", &json!({"code": "x", "name": "y", "level": "commune", "surprise": 1})).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json::<serde_json::Value>().await.unwrap()["code"], "invalid_body");
        let (s, b) = admin.json("/api/v1/agencies/not-a-number").await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")));
        let (s, b) = admin.json("/api/v1/nothing-here").await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")));
        let r = admin.http.delete(app.url("/api/v1/agencies")).bearer_auth(admin.bearer.as_ref().unwrap()).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(r.json::<serde_json::Value>().await.unwrap()["code"], "method_not_allowed");
        let (s, b) = admin.json("/api/v1/agencies?format=xml").await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_query")));
        assert_eq!(app.db.db.count_agencies().await.unwrap(), 29, "nothing was created");
        assert_eq!(app.audit_count().await, before + 4, "one entry per refused state-changing request");
        let r = reqwest::Client::new().get(app.url("/api/v1/me")).header("authorization", "Basic abc").send().await.unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    }

    async fn health_readiness_metrics_and_openapi(app) {
        let c = reqwest::Client::new();
        assert_eq!(c.get(app.url("/healthz")).send().await.unwrap().text().await.unwrap(), "ok");
        let ready: serde_json::Value = c.get(app.url("/readyz")).send().await.unwrap().json().await.unwrap();
        assert_eq!(ready["status"], "ready");
        let m = c.get(app.url("/metrics")).send().await.unwrap();
        assert_eq!(m.status(), StatusCode::OK, "loopback may scrape");
        assert!(m.text().await.unwrap().contains("motcua_http_requests_total"));
        // Relayed by a reverse proxy on this host: loopback alone is not enough.
        let m = c.get(app.url("/metrics")).header("x-forwarded-for", "198.51.100.4").send().await.unwrap();
        assert_eq!(m.status(), StatusCode::FORBIDDEN);
        let doc: serde_json::Value = c.get(app.url("/api/v1/openapi.json")).send().await.unwrap().json().await.unwrap();
        assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
        for path in ["/api/v1/me", "/api/v1/agencies", "/api/v1/agencies/{id}", "/api/v1/agencies/{id}/deactivate", "/api/v1/users", "/api/v1/users/{id}/grants", "/api/v1/audit", "/api/v1/jobs/{id}/retry"] {
            assert!(doc["paths"][path].is_object(), "{path} missing from OpenAPI");
        }
        assert!(doc["components"]["schemas"]["ErrorBody"].is_object());
        assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_is_rate_limited_per_address() {
    let app =
        TestApp::spawn_with(Backend::Sqlite, motcua_web::WebConfig { login_per_minute: 3, ..test_web_config() }).await;
    let c = app.browser();
    for _ in 0..3 {
        assert_eq!(
            c.post_form("/login", &[("username", "x.y.z"), ("password", "p")]).await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    let r = c.post_form("/login", &[("username", "admin"), ("password", "motcua-demo")]).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(r.headers().contains_key("retry-after"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_public_url_makes_cookies_secure_and_host_bound() {
    let web = motcua_web::WebConfig { public_url: Some("https://motcua.sonha.example.vn".into()), ..test_web_config() };
    let app = TestApp::spawn_with(Backend::Sqlite, web).await;
    let r = app.browser().post_form("/login", &[("username", "admin"), ("password", "motcua-demo")]).await;
    let cookie = set_cookie(&r);
    assert!(cookie.starts_with("__Host-motcua_session=") && cookie.contains("; Secure"), "{cookie}");
    assert!(r.headers().contains_key("strict-transport-security"));
}

/// Bodies over the limit are refused with our error shape. (The body stays within loopback
/// socket buffers: with bodies larger than those, the server's early answer can race the
/// client's writing, which is the point of refusing early.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_bodies_are_refused() {
    let app =
        TestApp::spawn_with(Backend::Sqlite, motcua_web::WebConfig { body_limit_bytes: 4096, ..test_web_config() })
            .await;
    let admin = app.api_as("admin").await;
    let before = app.db.db.count_agencies().await.unwrap();
    let r = admin
        .post_json("/api/v1/agencies", &json!({"code": "H99.9", "name": "a".repeat(16 * 1024), "level": "commune"}))
        .await;
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(r.json::<serde_json::Value>().await.unwrap()["code"], "payload_too_large");
    let mut c = app.login("admin").await;
    c.refresh_csrf().await;
    let r = c.post_form("/admin/agencies", &[("name", &"b".repeat(16 * 1024))]).await;
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(app.db.db.count_agencies().await.unwrap(), before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn remote_scrapers_need_the_metrics_token() {
    let app = TestApp::spawn_with(
        Backend::Sqlite,
        motcua_web::WebConfig { metrics_token: Some("scrape-secret".into()), ..test_web_config() },
    )
    .await;
    let c = reqwest::Client::new();
    let proxied = |r: reqwest::RequestBuilder| r.header("x-forwarded-for", "198.51.100.4");
    assert_eq!(proxied(c.get(app.url("/metrics"))).send().await.unwrap().status(), StatusCode::FORBIDDEN);
    assert_eq!(
        proxied(c.get(app.url("/metrics")).bearer_auth("wrong")).send().await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        proxied(c.get(app.url("/metrics")).bearer_auth("scrape-secret")).send().await.unwrap().status(),
        StatusCode::OK
    );
}
