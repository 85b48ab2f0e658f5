//! Reminders and escalation end to end, on both backends, with e-mail delivered over real SMTP
//! to a local server (aiosmtpd) and read back: the desk hears of a step due soon and of an
//! appointment near without a result, the leader of an overdue step, a unit's specialists of
//! their new step, in the wording an administrator set; every occasion once; each person sees
//! only their own list.

use jiff::SignedDuration;
use motcua_app::settings::NotificationSettings;
use motcua_integrations::smtp::{SmtpMailer, SmtpSettings};
use motcua_testkit::app::test_web_config;
use motcua_testkit::{Backend, SmtpPeer, TestApp, TestClient, test_settings};
use reqwest::StatusCode;
use serde_json::{Value, json};

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
    .expect("mailer");
    TestApp::spawn_configured(backend, test_web_config(), settings, Some(std::sync::Arc::new(mailer))).await
}

/// What the worker does every scan interval: queue the scan, run it and the mail jobs.
async fn run_jobs(app: &TestApp) -> motcua_app::jobs::RunSummary {
    let worker = app.services.worker(app.services.standard_jobs());
    worker.schedule_periodic().await.expect("schedule");
    worker.run_pending().await.expect("run jobs")
}

/// Receives and accepts a 2.000908 dossier at An Phú's desk.
async fn receive(desk: &TestClient, txn: &str) -> Value {
    let r = desk
        .post_json(
            "/api/v1/dossiers",
            &json!({
                "procedure_code": "2.000908", "agency_code": "H99.301", "channel": "desk",
                "applicant": {"kind": "person", "full_name": "Nguyễn Văn An", "id_number": "001203004567"},
                "client_txn_id": txn, "accept": true
            }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    r.json().await.unwrap()
}

async fn notifications(c: &TestClient) -> Value {
    let (s, v) = c.json("/api/v1/notifications").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v
}

fn kinds(v: &Value) -> Vec<String> {
    let mut k: Vec<String> =
        v["items"].as_array().unwrap().iter().map(|n| n["kind"].as_str().unwrap().to_owned()).collect();
    k.sort();
    k
}

async fn journey(backend: Backend) {
    let smtp = SmtpPeer::start();
    let app = spawn(backend, &smtp).await;
    let desk = app.api_as("anphu.motcua").await;
    // 2.000908: one working day, split 1 h desk / 4 h office (.03) / 2 h leader / 1 h clerk.
    let d = receive(&desk, "notify-1").await;
    let code = d["code"].as_str().unwrap().to_owned();
    assert_eq!(d["current_step"]["due_at"], "2026-11-23T10:00:00+07:00");

    // 09:00: the desk step is due within the 4 working-hour lead, and the appointment (09:00 on
    // 25/11: 24/11, Vietnamese Culture Day, is a day off) is one working day away with no
    // result: the desk hears of both.
    let summary = run_jobs(&app).await;
    assert_eq!(summary.failed, 0, "{summary:?}");
    let mine = notifications(&desk).await;
    assert_eq!(kinds(&mine), ["appointment_near", "step_due_soon"], "{mine}");
    assert_eq!(mine["unread"], 2);
    let link = format!("/ho-so/{code}");
    assert!(mine["items"].as_array().unwrap().iter().all(|n| n["link"] == link.as_str()));
    let mails = smtp.wait_for(2).await;
    assert_eq!(mails.len(), 2, "{mails:?}");
    for m in &mails {
        assert_eq!(m.rcpt_tos, ["anphu.motcua@sonha.example.vn"]);
        assert_eq!(m.mail_from, "motcua@sonha.example.vn");
        assert!(m.from.contains("Một cửa Sơn Hà"), "{}", m.from);
        assert!(m.to.contains("Đặng Thị Một Cửa"), "{}", m.to);
        assert_eq!(m.content_type, "text/plain");
        assert_eq!(m.charset.as_deref(), Some("utf-8"));
        assert!(m.subject.contains(&code), "{}", m.subject);
        assert!(m.body.starts_with("Kính gửi Đặng Thị Một Cửa,"), "{}", m.body);
        assert!(m.body.contains(&format!("https://motcua.sonha.example.vn/ho-so/{code}")), "{}", m.body);
        // Officials' mail carries no applicant data.
        assert!(!m.body.contains("Nguyễn Văn An") && !m.body.contains("001203004567"), "{}", m.body);
    }
    let appointment = mails.iter().find(|m| m.subject.contains("ngày hẹn trả")).expect("appointment mail");
    assert!(appointment.body.contains("09:00 25/11/2026"), "{}", appointment.body);
    assert!(appointment.body.contains("Mẫu số 04"), "{}", appointment.body);
    let soon = mails.iter().find(|m| m.subject.contains("sắp đến hạn")).expect("due soon mail");
    assert!(soon.body.contains("10:00 23/11/2026"), "{}", soon.body);

    // The same occasion is never notified twice, however often the scan runs.
    let again = app.services.notifications.scan_reminders().await.unwrap();
    assert_eq!(again.notifications, 0, "{again:?}");
    assert_eq!(again.dossiers, 0, "occasions already notified are skipped before any work: {again:?}");
    app.clock.advance(SignedDuration::from_mins(10));
    run_jobs(&app).await;
    assert_eq!(notifications(&desk).await["items"].as_array().unwrap().len(), 2);
    assert_eq!(smtp.messages().len(), 2);

    // 10:30: the desk step is overdue: the commune's leader hears of it, and the officer it is
    // assigned to (the province's leaders do not).
    app.clock.set("2026-11-23T10:30:00+07:00".parse().unwrap());
    run_jobs(&app).await;
    let leader = app.api_as("anphu.lanhdao").await;
    let theirs = notifications(&leader).await;
    assert_eq!(kinds(&theirs), ["step_overdue"], "{theirs}");
    assert!(theirs["items"][0]["subject"].as_str().unwrap().contains("quá hạn"));
    let province = app.api_as("tinh.lanhdao").await;
    assert_eq!(notifications(&province).await["items"].as_array().unwrap().len(), 0);
    assert_eq!(kinds(&notifications(&desk).await), ["appointment_near", "step_due_soon", "step_overdue"]);
    let mails = smtp.wait_for(4).await;
    let overdue: Vec<_> = mails.iter().filter(|m| m.rcpt_tos == ["anphu.lanhdao@sonha.example.vn"]).collect();
    assert_eq!(overdue.len(), 1, "{mails:?}");
    assert!(overdue[0].body.contains("người được giao: Đặng Thị Một Cửa"), "{}", overdue[0].body);
    assert!(overdue[0].body.contains("Đề nghị đồng chí chỉ đạo xử lý"), "{}", overdue[0].body);

    // The administrator rewords "due soon"; a broken template is refused and changes nothing.
    let admin = app.api_as("admin").await;
    let r = admin
        .put_json(
            "/api/v1/notification-templates/step_due_soon",
            &json!({"subject": "Nhắc việc {{ ma_ho_so }}", "body": "x"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["fields"][0]["field"], "subject", "{e}");
    let r = admin
        .put_json(
            "/api/v1/notification-templates/step_due_soon",
            &json!({"subject": "Nhắc việc: {{ code }} — {{ step }}", "body": "Hạn {{ due }}. {{ link }}"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let t: Value = r.json().await.unwrap();
    assert_eq!(t["version"], 1);
    // A commune administrator may not change the province's wording.
    let commune_admin = app.api_as("anphu.admin").await;
    let r = commune_admin
        .put_json("/api/v1/notification-templates/step_due_soon", &json!({"subject": "a", "body": "b", "version": 1}))
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // The desk hands over to the commune's office (.03); its specialist is reminded of the new
    // step in the new wording.
    let r = desk.post_json(&format!("/api/v1/dossiers/{code}/actions"), &json!({"action": "forward"})).await;
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["current_step"]["due_at"], "2026-11-23T16:00:00+07:00");
    // The next scan, one interval later.
    app.clock.advance(SignedDuration::from_mins(10));
    run_jobs(&app).await;
    let specialist = app.api_as("anphu.chuyenvien").await;
    let theirs = notifications(&specialist).await;
    assert_eq!(kinds(&theirs), ["step_due_soon"], "{theirs}");
    let id = theirs["items"][0]["id"].as_i64().unwrap();
    let mails = smtp.wait_for(5).await;
    let m = mails.iter().find(|m| m.rcpt_tos == ["anphu.chuyenvien@sonha.example.vn"]).expect("specialist mail");
    assert!(m.subject.starts_with(&format!("Nhắc việc: {code} — ")), "{}", m.subject);
    assert_eq!(m.body.trim(), format!("Hạn 16:00 23/11/2026. https://motcua.sonha.example.vn/ho-so/{code}"));
    assert!(theirs["items"][0]["mailed_at"].is_string(), "the notification records its mail: {theirs}");

    // Only its owner reads a notification.
    let r = desk.post_json(&format!("/api/v1/notifications/{id}/read"), &json!({})).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = specialist.post_json(&format!("/api/v1/notifications/{id}/read"), &json!({})).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.json::<Value>().await.unwrap()["read_at"].is_string(), "the answer shows it read");
    assert_eq!(notifications(&specialist).await["unread"], 0);
    let r = desk.post_json("/api/v1/notifications/read-all", &json!({})).await;
    assert_eq!(r.json::<Value>().await.unwrap()["marked"], 3);

    // Template changes are audited, and going back to the built-in wording needs the version.
    let r = admin.delete("/api/v1/notification-templates/step_due_soon?version=9").await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let r = admin.delete("/api/v1/notification-templates/step_due_soon?version=1").await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let (_, list) = admin.json("/api/v1/notification-templates").await;
    assert!(list["items"].as_array().unwrap().iter().all(|t| t["version"].is_null()), "{list}");
    assert_eq!(list["mail_enabled"], true);

    // The mail server goes away: the notification is kept and its mail job waits for a retry.
    drop(smtp);
    app.clock.set("2026-11-23T16:30:00+07:00".parse().unwrap());
    let summary = run_jobs(&app).await;
    assert!(summary.failed >= 1, "{summary:?}");
    let theirs = notifications(&leader).await;
    assert_eq!(theirs["items"].as_array().unwrap().len(), 2, "{theirs}");
    assert!(theirs["items"][0]["mailed_at"].is_null());
    let (_, jobs) = admin.json("/api/v1/jobs?kind=notification.mail&status=pending").await;
    assert_eq!(jobs["items"].as_array().unwrap().len(), 1, "{jobs}");
    assert!(!jobs["items"][0]["last_error"].as_str().unwrap_or_default().is_empty(), "{jobs}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_reminders_escalation_and_mail() {
    journey(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_reminders_escalation_and_mail() {
    journey(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notification_pages_and_template_editor() {
    let smtp = SmtpPeer::start();
    let app = spawn(Backend::Sqlite, &smtp).await;
    let desk_api = app.api_as("anphu.motcua").await;
    let r = desk_api
        .post_json(
            "/api/v1/dossiers",
            &json!({
                "procedure_code": "2.000908", "agency_code": "H99.301", "channel": "desk",
                "applicant": {"kind": "person", "full_name": "Trần Thị Bé", "id_number": "001203004568"},
                "client_txn_id": "notify-page", "accept": true
            }),
        )
        .await;
    let code = r.json::<Value>().await.unwrap()["code"].as_str().unwrap().to_owned();
    run_jobs(&app).await;

    // The badge counts the unread ones; the list shows them; opening one goes to the dossier.
    let desk = app.login("anphu.motcua").await;
    let html = desk.get("/thong-bao").await.text().await.unwrap();
    assert!(html.contains(r#"id="nav-notices">Thông báo <span class="badge" title="Chưa đọc">2</span>"#), "{html}");
    assert!(html.contains(&format!("Hồ sơ {code} sắp đến hạn bước")), "{html}");
    assert!(html.contains("Đã gửi thư tới anphu.motcua@sonha.example.vn"), "{html}");
    let id = html.split("data-notice=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
    let r = desk.post_form(&format!("/thong-bao/{id}"), &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], format!("/ho-so/{code}").as_str());
    let html = desk.get("/thong-bao?unread=1").await.text().await.unwrap();
    assert!(html.contains(r#"<span class="badge" title="Chưa đọc">1</span>"#), "{html}");
    let r = desk.post_form("/thong-bao/doc-tat-ca", &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let html = desk.get("/thong-bao").await.text().await.unwrap();
    assert!(!html.contains("class=\"badge\""), "no badge once all are read");
    // Without the CSRF token nothing is marked.
    let r = desk.post_form_raw(&format!("/thong-bao/{id}"), &[]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // The templates page is for the province's administrators.
    assert_eq!(desk.get("/admin/notification-templates").await.status(), StatusCode::FORBIDDEN);

    let admin = app.login("admin").await;
    let html = admin.get("/admin/notification-templates").await.text().await.unwrap();
    assert!(html.contains("Bước xử lý quá hạn") && html.contains("Mẫu mặc định"), "{html}");
    let html = admin.get("/admin/notification-templates/step_overdue").await.text().await.unwrap();
    assert!(html.contains("Xem trước") && html.contains("H99.301-261123-0001"), "{html}");
    // A bad template comes back on the editor with the reason and what was typed.
    let r = admin
        .post_form("/admin/notification-templates/step_overdue", &[("subject", "Quá hạn {{ nope }}"), ("body", "x")])
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("Mẫu không hợp lệ") && html.contains("Quá hạn {{ nope }}"), "{html}");
    let r = admin
        .post_form(
            "/admin/notification-templates/step_overdue",
            &[("subject", "Quá hạn: {{ code }}"), ("body", "Bước {{ step }} quá hạn {{ due }}.")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let html = admin.get("/admin/notification-templates").await.text().await.unwrap();
    assert!(html.contains("Đã sửa (phiên bản 1) bởi admin"), "{html}");
    // The test message reaches the administrator's own address.
    let html = admin.post_form("/admin/notification-templates/test-mail", &[]).await.text().await.unwrap();
    assert!(html.contains("Đã gửi thư thử tới admin@sonha.example.vn"), "{html}");
    let mails = smtp.wait_for(3).await;
    assert!(mails.iter().any(|m| m.rcpt_tos == ["admin@sonha.example.vn"] && m.subject.contains("Thư thử")));
}

/// A step is due soon by the office hours of the agency doing it, not the default ones.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reminders_follow_the_agency_office_hours() {
    use motcua_app::ports::AgencyReads;
    let smtp = SmtpPeer::start();
    let app = spawn(Backend::Sqlite, &smtp).await;
    let commune =
        app.db.db.agency_by_code(&motcua_domain::agency::AgencyCode::parse("H99.301").unwrap()).await.unwrap().unwrap();
    // The commune opens 11:00–19:00; its office (.03) inherits the hours.
    let r = app
        .api_as("admin")
        .await
        .put_json(
            &format!("/api/v1/agencies/{}/schedule", commune.id),
            &json!({"hours": [["11:00", "19:00"]], "version": 0}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let desk = app.api_as("anphu.motcua").await;
    let d = receive(&desk, "hours-1").await;
    assert_eq!(d["current_step"]["due_at"], "2026-11-23T12:00:00+07:00", "the desk hour starts at opening");
    let code = d["code"].as_str().unwrap().to_owned();
    let r = desk.post_json(&format!("/api/v1/dossiers/{code}/actions"), &json!({"action": "forward"})).await;
    let v: Value = r.json().await.unwrap();
    // The office's 4 hours run 11:00–15:00 on the commune's hours. At 09:00 the default hours'
    // 4-hour lead ends at 14:30, the commune's at 15:00: the step is due soon.
    assert_eq!(v["current_step"]["due_at"], "2026-11-23T15:00:00+07:00", "{v}");
    let summary = run_jobs(&app).await;
    assert_eq!(summary.failed, 0, "{summary:?}");
    let specialist = notifications(&app.api_as("anphu.chuyenvien").await).await;
    assert_eq!(kinds(&specialist), ["step_due_soon"], "{specialist}");
}
