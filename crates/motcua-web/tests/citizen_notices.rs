//! Notices to citizens about their petitions, on both backends: recorded with the change, sent
//! by the job queue by e-mail over real SMTP (a local aiosmtpd) and to a local webhook receiver
//! standing in for the SMS/Zalo gateway, which checks the HMAC signature; a failed delivery is
//! recorded and retried with backoff; the official sees what the petitioner was told.

mod common;

use std::sync::{Arc, Mutex};

use axum::http::{HeaderMap, StatusCode as AxumStatus};
use jiff::SignedDuration;
use motcua_app::settings::NotificationSettings;
use motcua_domain::citizen_notice::webhook_signature;
use motcua_integrations::smtp::{SmtpMailer, SmtpSettings};
use motcua_integrations::webhook::{SignedWebhook, WebhookSettings};
use motcua_testkit::app::test_web_config;
use motcua_testkit::{Backend, SmtpPeer, TestApp, test_settings};
use reqwest::StatusCode;
use serde_json::{Value, json};

const SECRET: &str = "bi-mat-cua-cong-tin-nhan-0001";

/// What the gateway received: (timestamp, signature, idempotency key, body).
type Received = Arc<Mutex<Vec<(String, String, String, Vec<u8>)>>>;

/// A webhook receiver on loopback that fails its first request with 500, then accepts.
async fn gateway() -> (String, Received) {
    let got: Received = Arc::new(Mutex::new(Vec::new()));
    let seen = got.clone();
    let app = axum::Router::new().route(
        "/sms",
        axum::routing::post(move |headers: HeaderMap, body: axum::body::Bytes| {
            let seen = seen.clone();
            async move {
                let h = |k: &str| headers.get(k).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
                let mut all = seen.lock().unwrap();
                all.push((h("x-motcua-timestamp"), h("x-motcua-signature"), h("idempotency-key"), body.to_vec()));
                if all.len() == 1 { AxumStatus::INTERNAL_SERVER_ERROR } else { AxumStatus::OK }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/sms"), got)
}

/// The demo province mailing through the local SMTP server, its links under a public address.
async fn spawn(backend: Backend, smtp: &SmtpPeer) -> TestApp {
    let mut settings = test_settings();
    settings.notifications = NotificationSettings {
        public_url: Some("https://motcua.sonha.example.vn".into()),
        ..NotificationSettings::default()
    };
    let mailer = SmtpMailer::new(&SmtpSettings {
        url: smtp.url(),
        from: "Một cửa Sơn Hà <motcua@sonha.example.vn>".into(),
        timeout: std::time::Duration::from_secs(10),
    })
    .unwrap();
    TestApp::spawn_configured(backend, test_web_config(), settings, Some(Arc::new(mailer))).await
}

async fn journey(backend: Backend) {
    let smtp = SmtpPeer::start();
    let app = spawn(backend, &smtp).await;
    let (url, received) = gateway().await;
    let hook = SignedWebhook::new(&WebhookSettings {
        url,
        secret: SECRET.into(),
        timeout: std::time::Duration::from_secs(10),
    })
    .unwrap();
    // The worker's services: the same installation, with the gateway configured.
    let services = app.services.clone().with_notice_webhook(Arc::new(hook));
    let run = || async {
        let worker = services.worker(services.standard_jobs());
        worker.run_pending().await.unwrap()
    };

    let r = app
        .browser()
        .post_json(
            "/api/v1/petitions",
            &json!({
                "agency_code": "H99.301", "subject": "Giờ mở cửa", "content": "Đề nghị mở cửa sáng thứ Bảy.",
                "name": "Trần Thị Bình", "address": "Thôn 3", "email": "binh@example.vn", "phone": "0912345678",
                "notify_email": true, "notify_sms": true
            }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let code = r.json::<Value>().await.unwrap()["code"].as_str().unwrap().to_owned();

    // First run: the e-mail goes out; the gateway fails once, which is recorded.
    let s = run().await;
    assert_eq!((s.succeeded, s.failed), (1, 1), "{s:?}");
    let mails = smtp.wait_for(1).await;
    assert_eq!(mails[0].rcpt_tos, vec!["binh@example.vn".to_owned()]);
    assert!(mails[0].subject.contains(&code), "{:?}", mails[0]);
    assert!(mails[0].body.contains(&format!("https://motcua.sonha.example.vn/phan-anh/{code}")), "{}", mails[0].body);
    let desk = app.login("anphu.motcua").await;
    let page = desk.get(&format!("/phan-anh-kien-nghi/{code}")).await.text().await.unwrap();
    assert!(page.contains(r#"id="notices""#) && page.contains("HTTP 500") && page.contains("Đang chờ gửi"), "{page}");

    // After the backoff the retry gets through.
    app.clock.advance(SignedDuration::from_mins(30));
    let s = run().await;
    assert_eq!((s.succeeded, s.failed), (1, 0), "{s:?}");
    let got = received.lock().unwrap().clone();
    assert_eq!(got.len(), 2);
    for (ts, signature, key, body) in &got {
        assert_eq!(signature, &webhook_signature(SECRET.as_bytes(), ts, body), "signed over timestamp and body");
        assert!(key.starts_with("motcua-notice-"));
    }
    assert_eq!(got[0].2, got[1].2, "a retry keeps its idempotency key");
    let sms: Value = serde_json::from_slice(&got[1].3).unwrap();
    assert_eq!((sms["to"].as_str(), sms["kind"].as_str()), (Some("0912345678"), Some("petition_received")));
    assert!(
        sms["text"].as_str().unwrap().contains(&code) && !sms["text"].as_str().unwrap().contains("Tra cứu"),
        "{sms}"
    );

    // Nothing is sent twice; a later step notifies again.
    assert_eq!(run().await.succeeded, 0);
    let page = desk.get(&format!("/phan-anh-kien-nghi/{code}")).await.text().await.unwrap();
    let seq = page.split(r#"name="seq" value=""#).nth(1).unwrap().split('"').next().unwrap().to_owned();
    let r = desk
        .post_form(
            &format!("/phan-anh-kien-nghi/{code}/thao-tac"),
            &[("action", "request_info"), ("text", "Cho biết giờ bà thường đến."), ("seq", &seq)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(run().await.succeeded, 2);
    let mails = smtp.wait_for(2).await;
    assert!(mails[1].body.contains("Cho biết giờ bà thường đến."), "{}", mails[1].body);
    let page = desk.get(&format!("/phan-anh-kien-nghi/{code}")).await.text().await.unwrap();
    assert_eq!(page.matches("Đã gửi").count(), 4, "{page}");
}

/// An applicant who asked at the desk to be told by e-mail hears of the receipt and of the
/// result, with the link to rate the handling.
async fn dossier_journey(backend: Backend) {
    let smtp = SmtpPeer::start();
    let app = spawn(backend, &smtp).await;
    let run = || async { app.services.worker(app.services.standard_jobs()).run_pending().await.unwrap() };
    let desk = app.api_as("anphu.motcua").await;
    let intake = |notify: bool, email: Option<&str>, txn: &str| {
        json!({
            "procedure_code": "1.001193", "agency_code": "H99.301", "channel": "desk",
            "applicant": {"kind": "person", "full_name": "Nguyễn Văn An", "id_number": "001203004567", "email": email},
            "notify_email": notify, "client_txn_id": txn, "accept": true
        })
    };
    // Asking for e-mail without an address is refused, nothing recorded.
    let r = desk.post_json("/api/v1/dossiers", &intake(true, None, "notify-0")).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("notify_email"));
    let r = desk.post_json("/api/v1/dossiers", &intake(true, Some("an@example.vn"), "notify-1")).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let code = r.json::<Value>().await.unwrap()["code"].as_str().unwrap().to_owned();
    assert_eq!(run().await.succeeded, 1);
    let mails = smtp.wait_for(1).await;
    assert_eq!(mails[0].rcpt_tos, vec!["an@example.vn".to_owned()]);
    assert!(mails[0].subject.contains(&format!("Đã tiếp nhận hồ sơ {code}")), "{:?}", mails[0]);
    assert!(mails[0].body.contains(&format!("/tra-cuu?ma={code}")), "{}", mails[0].body);
    // Without the choice nobody is written to.
    let r = desk.post_json("/api/v1/dossiers", &intake(false, Some("an@example.vn"), "notify-2")).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    assert_eq!(run().await.succeeded, 0);

    let specialist = app.api_as("anphu.chuyenvien").await;
    let leader = app.api_as("anphu.lanhdao").await;
    let clerk = app.api_as("anphu.vanthu").await;
    for (who, body) in [
        (&desk, json!({"action": "forward"})),
        (&specialist, json!({"action": "forward"})),
        (&leader, json!({"action": "approve"})),
        (&clerk, json!({"action": "issue_result", "number": "15/GKS", "signer": "Trương Văn Lãnh"})),
    ] {
        let r = who.post_json(&format!("/api/v1/dossiers/{code}/actions"), &body).await;
        assert_eq!(r.status(), StatusCode::OK, "{body}");
    }
    assert_eq!(run().await.succeeded, 1);
    let mails = smtp.wait_for(2).await;
    assert!(mails[1].subject.contains("đã có kết quả"), "{:?}", mails[1]);
    let link = mails[1].body.split("https://motcua.sonha.example.vn").find(|p| p.starts_with("/danh-gia/dg_")).unwrap();
    let path = link.split_whitespace().next().unwrap();
    let page = app.browser().get(path).await;
    assert_eq!(page.status(), StatusCode::OK, "{path}");
    // The dossier's page tells the officials what the applicant was sent.
    let html = app.login("anphu.motcua").await.get(&format!("/ho-so/{code}")).await.text().await.unwrap();
    assert!(html.contains(r#"id="notices""#) && html.contains("Đã có kết quả") && html.contains("Đã gửi"), "{html}");
}

/// A commune words its own notices; the province's words reach the communes without their
/// own; the built-in words the rest. Only an agency's administrators change them.
async fn wording_journey(backend: Backend) {
    let smtp = SmtpPeer::start();
    let app = spawn(backend, &smtp).await;
    let run = || async { app.services.worker(app.services.standard_jobs()).run_pending().await.unwrap() };
    let an_phu = common::agency(&app, "H99.301").await.id.0;
    let province = common::agency(&app, "H99").await.id.0;
    let commune_admin = app.api_as("anphu.admin").await;
    let path = |agency: i64, kind: &str| format!("/api/v1/agencies/{agency}/citizen-notice-templates/{kind}");

    // An unknown variable is refused, and nothing changes.
    let r = commune_admin
        .put_json(&path(an_phu, "dossier_received"), &json!({"subject": "Hồ sơ {{ ma }}", "body": "x"}))
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let own = json!({
        "subject": "UBND xã An Phú đã nhận hồ sơ {{ code }}",
        "body": "Xã An Phú đã nhận hồ sơ {{ code }} ({{ subject }}), hẹn trả {{ due }}.\n\nTra cứu: {{ link }}"
    });
    let r = commune_admin.put_json(&path(an_phu, "dossier_received"), &own).await;
    assert_eq!(r.status(), StatusCode::OK);
    let saved: Value = r.json().await.unwrap();
    assert_eq!((saved["source"].as_str(), saved["version"].as_i64()), (Some("own"), Some(1)), "{saved}");
    // Saved again without naming the version it replaces: a conflict.
    assert_eq!(commune_admin.put_json(&path(an_phu, "dossier_received"), &own).await.status(), StatusCode::CONFLICT);
    // Not the province's wording (out of a commune administrator's sight), nor another
    // commune's, nor by an official who does not administer the agency.
    let r = commune_admin.put_json(&path(province, "petition_received"), &own).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = app.api_as("anphu.lanhdao").await.put_json(&path(an_phu, "dossier_received"), &own).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let other = app.api_as("binhminh.lanhdao").await;
    let r = other.put_json(&path(an_phu, "dossier_received"), &own).await;
    assert!(matches!(r.status(), StatusCode::FORBIDDEN | StatusCode::NOT_FOUND), "{}", r.status());
    let provincial = app.api_as("admin").await;
    let r = provincial
        .put_json(
            &path(province, "petition_received"),
            &json!({"subject": "Tỉnh Sơn Hà đã nhận phản ánh {{ code }}", "body": "Đã nhận phản ánh {{ code }}. Tra cứu: {{ link }}"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);

    let (s, list) = commune_admin.json(&format!("/api/v1/agencies/{an_phu}/citizen-notice-templates")).await;
    assert_eq!(s, StatusCode::OK, "{list}");
    let source = |kind: &str| {
        let t = list["items"].as_array().unwrap().iter().find(|t| t["kind"] == kind).unwrap().clone();
        (t["source"].as_str().unwrap().to_owned(), t["inherited_from"].as_str().map(str::to_owned))
    };
    assert_eq!(source("dossier_received").0, "own");
    assert_eq!(source("petition_received").0, "inherited");
    assert!(source("petition_received").1.is_some());
    assert_eq!(source("dossier_late").0, "built_in");
    assert_eq!(list["may_edit"], true);

    // The next receipt at An Phú speaks with its words; a petition to Bình Minh with the province's.
    let desk = app.api_as("anphu.motcua").await;
    let intake = |txn: &str| {
        json!({
            "procedure_code": "1.001193", "agency_code": "H99.301", "channel": "desk",
            "applicant": {"kind": "person", "full_name": "Nguyễn Văn An", "id_number": "001203004567", "email": "an@example.vn"},
            "notify_email": true, "client_txn_id": txn, "accept": true
        })
    };
    let r = desk.post_json("/api/v1/dossiers", &intake("wording-1")).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let code = r.json::<Value>().await.unwrap()["code"].as_str().unwrap().to_owned();
    let r = app
        .browser()
        .post_json(
            "/api/v1/petitions",
            &json!({"agency_code": "H99.302", "subject": "Bãi đỗ xe", "content": "Thiếu chỗ đỗ xe.", "name": "Lê Văn Sáu",
                    "address": "Khu phố 2", "email": "sau@example.vn", "notify_email": true}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    assert_eq!(run().await.succeeded, 2);
    let mails = smtp.wait_for(2).await;
    let to = |addr: &str| mails.iter().find(|m| m.rcpt_tos == vec![addr.to_owned()]).unwrap().clone();
    assert_eq!(to("an@example.vn").subject, format!("UBND xã An Phú đã nhận hồ sơ {code}"));
    assert!(to("an@example.vn").body.contains("Xã An Phú đã nhận hồ sơ"), "{}", to("an@example.vn").body);
    assert!(
        to("sau@example.vn").subject.starts_with("Tỉnh Sơn Hà đã nhận phản ánh H99.302-PA"),
        "{:?}",
        to("sau@example.vn")
    );

    // Back to what it inherits: the built-in wording again.
    let r = commune_admin.delete(&format!("{}?version=1", path(an_phu, "dossier_received"))).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let r = desk.post_json("/api/v1/dossiers", &intake("wording-2")).await;
    let code = r.json::<Value>().await.unwrap()["code"].as_str().unwrap().to_owned();
    assert_eq!(run().await.succeeded, 1);
    let mails = smtp.wait_for(3).await;
    assert_eq!(mails[2].subject, format!("[Một cửa] Đã tiếp nhận hồ sơ {code}"));

    // The administrator's pages: the list says whose words, the form previews them.
    let page = app.login("anphu.admin").await;
    let html = page.get(&format!("/admin/agencies/{an_phu}/citizen-notices")).await.text().await.unwrap();
    assert!(
        html.contains(r#"id="notice-templates""#) && html.contains("Theo mẫu của") && html.contains("Mẫu mặc định"),
        "{html}"
    );
    let r = page
        .post_form(
            &format!("/admin/agencies/{an_phu}/citizen-notices/petition_answered"),
            &[("subject", "Trả lời {{ khong_co }}"), ("body", "x")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("Trả lời {{ khong_co }}"), "what was typed is kept");
    let r = page
        .post_form(
            &format!("/admin/agencies/{an_phu}/citizen-notices/petition_answered"),
            &[("subject", "Xã An Phú trả lời phản ánh {{ code }}"), ("body", "{{ text }}\n\nXem: {{ link }}")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let html =
        page.get(&format!("/admin/agencies/{an_phu}/citizen-notices/petition_answered")).await.text().await.unwrap();
    assert!(
        html.contains(r#"id="preview""#) && html.contains("Xã An Phú trả lời phản ánh H99.301-PA261123-0001"),
        "{html}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_agency_words_its_notices_sqlite() {
    wording_journey(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_agency_words_its_notices_postgres() {
    wording_journey(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_applicant_hears_of_the_receipt_and_the_result_with_the_rating_link_sqlite() {
    dossier_journey(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_applicant_hears_of_the_receipt_and_the_result_with_the_rating_link_postgres() {
    dossier_journey(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notices_reach_the_petitioner_by_mail_and_signed_webhook_sqlite() {
    journey(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notices_reach_the_petitioner_by_mail_and_signed_webhook_postgres() {
    journey(Backend::Postgres).await;
}
