//! Petitions (phản ánh, kiến nghị) on both backends: sent on the public form, handled through
//! information request, forward, draft, approval and publication against the statutory clocks
//! in working days (a holiday in between), refused late, published without personal data,
//! voted on once per browser, and kept in a verified hash chain.

mod common;

use motcua_testkit::{TestApp, TestClient, app_tests, files::sample_pdf};
use reqwest::StatusCode;

fn at(s: &str) -> jiff::Timestamp {
    format!("{s}:00+07:00").parse().unwrap()
}

fn location(r: &reqwest::Response) -> String {
    r.headers().get("location").map(|l| l.to_str().unwrap().to_owned()).unwrap_or_default()
}

/// Signs in afresh (the clock jumps days between steps, past any session's lifetime).
async fn as_(app: &TestApp, user: &str) -> TestClient {
    app.login(user).await
}

/// A petition to An Phú from the public form, with a PDF; its code.
async fn send(app: &TestApp, subject: &str) -> String {
    let an_phu = common::agency(app, "H99.301").await;
    let citizen = app.browser();
    let agency = an_phu.id.0.to_string();
    let r = citizen
        .post_multipart(
            "/phan-anh/gui",
            &[
                ("agency", &agency),
                ("petition_kind", "rules"),
                ("subject", subject),
                ("content", "Thành phần hồ sơ niêm yết khác trên Cổng.\r\nĐề nghị thống nhất."),
                ("name", "Trần Thị Bình"),
                ("address", "Thôn 3, xã An Phú"),
                ("phone", "0912 345 678"),
                ("email", "binh@example.vn"),
                ("notify_email", "1"),
            ],
            &[("files", "anh-chup.pdf", sample_pdf("Ảnh chụp niêm yết"))],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", r.text().await.unwrap());
    let to = location(&r);
    assert!(to.starts_with("/phan-anh/H99.301-PA") && to.ends_with("?moi=1"), "{to}");
    to.trim_start_matches("/phan-anh/").trim_end_matches("?moi=1").to_owned()
}

/// Takes an action on the officials' page; the page after it.
async fn act(app: &TestApp, user: &str, code: &str, fields: &[(&str, &str)]) -> String {
    let c = as_(app, user).await;
    let page = c.get(&format!("/phan-anh-kien-nghi/{code}")).await.text().await.unwrap();
    let seq = page.split(r#"name="seq" value=""#).nth(1).map(|s| s.split('"').next().unwrap().to_owned());
    let mut all = fields.to_vec();
    let seq = seq.unwrap_or_default();
    all.push(("seq", &seq));
    let r = c.post_form(&format!("/phan-anh-kien-nghi/{code}/thao-tac"), &all).await;
    let action = fields.iter().find(|(k, _)| *k == "action").unwrap().1;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{user} {action}: {}", r.text().await.unwrap());
    assert!(location(&r).ends_with(&format!("?msg=petition_{action}")), "{}", location(&r));
    // Empty when the petition has left the official's reach (forwarded).
    let after = c.get(&format!("/phan-anh-kien-nghi/{code}")).await;
    if after.status() == StatusCode::FORBIDDEN { String::new() } else { after.text().await.unwrap() }
}

fn due_of(page: &str) -> String {
    let cell = page.split(r#"id="answer-due">"#).nth(1).unwrap();
    cell.split('<').next().unwrap().to_owned()
}

app_tests! {
    async fn a_petition_goes_from_the_public_form_to_a_published_answer_on_working_days(app) {
        // Wednesday 22/04/2026; Hùng Kings' day (Sunday 26/04) is off on Monday 27/04.
        app.clock.set(at("2026-04-22T09:00"));
        let code = send(&app, "Niêm yết thành phần hồ sơ khai sinh").await;
        let citizen = app.browser();
        let receipt = citizen.get(&format!("/phan-anh/{code}?moi=1")).await.text().await.unwrap();
        assert!(receipt.contains(r#"id="petition-receipt""#) && receipt.contains(&code), "{receipt}");
        assert!(receipt.contains("09:00 18/05/2026"), "15 working days from 22/04 across 27/04, 30/04 and 01/05: {receipt}");
        assert!(!receipt.contains("Trần Thị Bình") && !receipt.contains("0912"), "{receipt}");

        let desk = as_(&app, "anphu.motcua").await;
        let queue = desk.get("/phan-anh-kien-nghi?queue=received").await.text().await.unwrap();
        assert!(queue.contains(&code) && queue.contains("Trần Thị Bình"), "{queue}");
        let page = desk.get(&format!("/phan-anh-kien-nghi/{code}")).await.text().await.unwrap();
        assert!(page.contains("09:00 24/04/2026") && page.contains("09:00 04/05/2026"), "refusal and information clocks: {page}");
        assert!(page.contains("anh-chup.pdf"), "{page}");
        // The attachment opens for staff.
        let file_link = page.split(&format!("/phan-anh-kien-nghi/{code}/tep/")).nth(1).unwrap().split('"').next().unwrap();
        let f = desk.get(&format!("/phan-anh-kien-nghi/{code}/tep/{file_link}")).await;
        assert_eq!(f.status(), StatusCode::OK);
        assert!(f.bytes().await.unwrap().starts_with(b"%PDF-"));

        // More information asked on Thursday: the answer clock stops until it arrives.
        app.clock.set(at("2026-04-23T10:00"));
        let page = act(&app, "anphu.motcua", &code, &[("action", "request_info"), ("text", "Cho biết ngày nộp hồ sơ.")]).await;
        assert!(due_of(&page).contains("tạm dừng"), "{page}");
        app.clock.set(at("2026-04-29T10:00"));
        let page = act(&app, "anphu.motcua", &code, &[("action", "receive_info"), ("text", "Người phản ánh gọi điện bổ sung.")]).await;
        assert_eq!(due_of(&page), "09:00 21/05/2026", "three working days of pause added");

        // Forwarded to Bình Minh on Monday 04/05: its clock starts afresh.
        let binh_minh = common::agency(&app, "H99.302").await;
        app.clock.set(at("2026-05-04T14:00"));
        let to = binh_minh.id.0.to_string();
        let page = act(&app, "anphu.motcua", &code, &[("action", "forward"), ("to_agency", &to), ("text", "Thuộc thẩm quyền xã Bình Minh")]).await;
        assert!(page.is_empty(), "An Phú no longer holds it");
        let bm = as_(&app, "binhminh.motcua").await;
        let page = bm.get(&format!("/phan-anh-kien-nghi/{code}")).await.text().await.unwrap();
        assert!(page.contains(r#"id="forwards""#) && page.contains("Thuộc thẩm quyền xã Bình Minh"), "{page}");
        assert_eq!(due_of(&page), "14:00 25/05/2026");

        app.clock.set(at("2026-05-05T08:00"));
        act(&app, "binhminh.motcua", &code, &[("action", "assign"), ("petition_kind", "rules"), ("assignee", "binhminh.chuyenvien"), ("field", "Hộ tịch")]).await;
        app.clock.set(at("2026-05-12T16:00"));
        act(&app, "binhminh.chuyenvien", &code, &[("action", "draft"), ("text", "Thành phần hồ sơ theo Quyết định công bố; đã thống nhất niêm yết.")]).await;
        app.clock.set(at("2026-05-15T10:00"));
        let page = act(&app, "binhminh.lanhdao", &code, &[("action", "approve"), ("text", ""), ("opinion", "Đồng ý")]).await;
        assert!(page.contains("Chờ công khai") && page.contains("Trước hạn"), "{page}");
        app.clock.set(at("2026-05-19T10:00"));
        let page = act(&app, "binhminh.motcua", &code, &[("action", "publish")]).await;
        assert!(page.contains("Đã công khai"), "{page}");

        // The public page: the question and the answer, never who asked.
        let list = citizen.get("/phan-anh?q=niem+yet").await.text().await.unwrap();
        assert!(list.contains(&code) && list.contains("đã thống nhất niêm yết"), "{list}");
        let public = citizen.get(&format!("/phan-anh/{code}")).await.text().await.unwrap();
        assert!(public.contains(r#"id="answer-text""#) && public.contains("phường Bình Minh"), "{public}");
        for private in ["Trần Thị Bình", "Thôn 3", "0912", "binh@example.vn"] {
            assert!(!public.contains(private) && !list.contains(private), "{private} leaked");
        }

        // One like per browser.
        let r = citizen.post_form(&format!("/phan-anh/{code}/binh-chon"), &[("y_kien", "hai_long")]).await;
        assert!(location(&r).contains("binh_chon=ok"), "{}", location(&r));
        let r = citizen.post_form(&format!("/phan-anh/{code}/binh-chon"), &[("y_kien", "khong_hai_long")]).await;
        assert!(location(&r).contains("binh_chon=da_co"), "{}", location(&r));
        let public = citizen.get(&format!("/phan-anh/{code}")).await.text().await.unwrap();
        assert!(public.contains("Hài lòng (1)") && public.contains("Không hài lòng (0)"), "{public}");

        // Raised again from the answer: a new petition linked to the old one.
        let form = citizen.get(&format!("/phan-anh/gui?neu_lai={code}")).await.text().await.unwrap();
        assert!(form.contains(&format!(r#"name="reraise_of" value="{code}""#)), "{form}");

        // Decision 766 group 5 of April at An Phú, where it was first received: one petition about
        // rules, answered in time, liked, not raised again.
        let leader = app.api_as("anphu.lanhdao").await;
        let (s, x) = leader.json("/api/v1/index766?period=2026-M04&agency=H99.301").await;
        assert_eq!(s, StatusCode::OK, "{x}");
        let ind = |id: &str| x["index"]["indicators"].as_array().unwrap().iter().find(|i| i["id"] == id).unwrap().clone();
        for (id, n, d) in [("5.1", 1, 1), ("5.2", 1, 1), ("5.3", 1, 1)] {
            assert_eq!((ind(id)["numerator"].as_i64(), ind(id)["denominator"].as_i64()), (Some(n), Some(d)), "{id}: {x}");
        }
        assert_eq!(ind("5.2")["points"], 6.0);

        // The chain holds: every event verified, the row agrees with it.
        let report = app.services.integrity.verify_integrity(&[]).await.unwrap().expect("intact");
        assert_eq!((report.petitions, report.petition_events), (1, 8));
    }

    async fn a_refusal_after_two_working_days_is_late(app) {
        // Friday 15:00 24/04/2026: the weekend and Monday 27/04 are off.
        app.clock.set(at("2026-04-24T15:00"));
        let code = send(&app, "Không thuộc phạm vi").await;
        app.clock.set(at("2026-04-29T16:00"));
        let desk = as_(&app, "anphu.motcua").await;
        // Without the confirmation tick nothing happens.
        let r = desk.post_form(&format!("/phan-anh-kien-nghi/{code}/thao-tac"), &[("action", "refuse"), ("text", "Là khiếu nại")]).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = act(&app, "anphu.motcua", &code, &[("action", "refuse"), ("text", "Nội dung là khiếu nại, giải quyết theo Luật Khiếu nại."), ("confirm", "1")]).await;
        assert!(page.contains("Từ chối tiếp nhận") && page.contains("Quá hạn"), "{page}");
        let late = desk.get("/phan-anh-kien-nghi?queue=done").await.text().await.unwrap();
        assert!(late.contains(&code) && late.contains("quá hạn"), "{late}");
        let public = app.browser().get(&format!("/phan-anh/{code}")).await.text().await.unwrap();
        assert!(public.contains("Không thuộc phạm vi tiếp nhận") && !public.contains("Luật Khiếu nại"), "{public}");
        // 766: refused late is not in time, so neither handled in time (5.2) nor satisfying (5.3).
        let (_, x) = app.api_as("anphu.lanhdao").await.json("/api/v1/index766?period=2026-M04&agency=H99.301").await;
        let ind = |id: &str| x["index"]["indicators"].as_array().unwrap().iter().find(|i| i["id"] == id).unwrap().clone();
        assert_eq!((ind("5.2")["numerator"].as_i64(), ind("5.2")["denominator"].as_i64()), (Some(0), Some(1)), "{x}");
        assert_eq!(ind("5.3")["points"], 0.0);
    }

    async fn another_commune_sees_nothing_and_bad_input_stores_nothing(app) {
        let code = send(&app, "Thái độ cán bộ").await;
        let other = as_(&app, "binhminh.motcua").await;
        let r = other.get(&format!("/phan-anh-kien-nghi/{code}")).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        let queue = other.get("/phan-anh-kien-nghi?queue=all").await.text().await.unwrap();
        assert!(!queue.contains(&code), "{queue}");
        let r = other.post_form(&format!("/phan-anh-kien-nghi/{code}/thao-tac"), &[("action", "refuse"), ("text", "x"), ("confirm", "1")]).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        // A specialist may not refuse at the commune that holds it.
        let specialist = as_(&app, "anphu.chuyenvien").await;
        let r = specialist.post_form(&format!("/phan-anh-kien-nghi/{code}/thao-tac"), &[("action", "refuse"), ("text", "x"), ("confirm", "1")]).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);

        let petitions = || async {
            use motcua_app::ports::PetitionReads;
            app.db.db.count_petitions(&motcua_app::ports::PetitionQuery::default()).await.unwrap()
        };
        let before = petitions().await;
        let citizen = app.browser();
        let an_phu = common::agency(&app, "H99.301").await.id.0.to_string();
        let r = citizen.post_multipart("/phan-anh/gui", &[("agency", &an_phu), ("subject", "Có tệp giả"), ("content", "x"), ("name", "A"), ("address", "B")], &[]).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = r.text().await.unwrap();
        assert!(page.contains("Cần số điện thoại hoặc địa chỉ thư điện tử") && page.contains("Có tệp giả"), "values kept, contact asked: {page}");
        let r = citizen
            .post_multipart(
                "/phan-anh/gui",
                &[("agency", &an_phu), ("subject", "Có tệp giả"), ("content", "x"), ("name", "A"), ("address", "B"), ("email", "a@b.vn")],
                &[("files", "gia.pdf", b"%PDF-1.4 <html>".to_vec())],
            )
            .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().await.unwrap().contains("không phải PDF, PNG hoặc JPEG"));
        assert_eq!(petitions().await, before, "nothing recorded");
        // A code that does not exist, and one that is not published, cannot be voted on.
        let r = citizen.post_form(&format!("/phan-anh/{code}/binh-chon"), &[("y_kien", "hai_long")]).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
    }

    async fn the_desk_records_a_letter_for_its_commune(app) {
        let desk = as_(&app, "anphu.motcua").await;
        let form = desk.get("/phan-anh-kien-nghi/ghi-nhan").await.text().await.unwrap();
        assert!(form.contains("Thư, văn bản gửi qua bưu chính"), "{form}");
        let an_phu = common::agency(&app, "H99.301").await.id.0.to_string();
        let r = desk
            .post_multipart(
                "/phan-anh-kien-nghi/ghi-nhan",
                &[("agency", &an_phu), ("channel", "letter"), ("subject", "Thư về giờ làm việc"), ("content", "Đề nghị mở cửa sáng thứ Bảy."), ("name", "Lê Văn Cường"), ("address", "Thôn 1")],
                &[],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", r.text().await.unwrap());
        let to = location(&r);
        assert!(to.starts_with("/phan-anh-kien-nghi/H99.301-PA") && to.ends_with("?msg=petition_recorded"), "{to}");
        let page = desk.get(&to).await.text().await.unwrap();
        assert!(page.contains("Đã ghi nhận phản ánh, kiến nghị.") && page.contains("Thư, văn bản gửi qua bưu chính"), "{page}");
        // Another commune's desk cannot record for An Phú.
        let other = as_(&app, "binhminh.motcua").await;
        let r = other
            .post_multipart(
                "/phan-anh-kien-nghi/ghi-nhan",
                &[("agency", &an_phu), ("channel", "phone"), ("subject", "x"), ("content", "x"), ("name", "x"), ("address", "x")],
                &[],
            )
            .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
    }

    async fn the_api_takes_follows_handles_and_counts_petitions(app) {
        app.clock.set(at("2026-04-22T09:00"));
        let anyone = app.browser();
        let body = serde_json::json!({
            "agency_code": "H99.301", "petition_kind": "conduct", "subject": "Thái độ tiếp dân",
            "content": "Cán bộ trả lời thiếu lịch sự.", "name": "Lê Văn Cường", "address": "Thôn 1",
            "email": "cuong@example.vn", "notify_email": true
        });
        let r = anyone.post_json("/api/v1/petitions", &body).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let receipt: serde_json::Value = r.json().await.unwrap();
        let code = receipt["code"].as_str().unwrap().to_owned();
        assert_eq!(receipt["answer_due"], "2026-05-18T09:00:00+07:00", "{receipt}");
        let bad = anyone.post_json("/api/v1/petitions", &serde_json::json!({"agency_code": "H99.301", "subject": "", "content": "", "name": "", "address": ""})).await;
        assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let (s, t) = anyone.json(&format!("/api/v1/public/petitions/{code}")).await;
        assert_eq!((s, t["stage"].as_str()), (StatusCode::OK, Some("received")), "{t}");
        assert!(!t.to_string().contains("Lê Văn Cường") && !t.to_string().contains("cuong@"), "{t}");

        let desk = app.api_as("anphu.motcua").await;
        let (_, list) = desk.json("/api/v1/petitions?queue=received").await;
        assert!(list["items"].as_array().unwrap().iter().any(|i| i["code"] == code.as_str()), "{list}");
        let (_, v) = desk.json(&format!("/api/v1/petitions/{code}")).await;
        assert_eq!(v["petitioner_email"], "cuong@example.vn");
        let seq = v["last_seq"].as_i64().unwrap();
        let act = |body: serde_json::Value| {
            let desk = &desk;
            let code = code.clone();
            async move {
                let r = desk.post_json(&format!("/api/v1/petitions/{code}/actions"), &body).await;
                (r.status(), r.json::<serde_json::Value>().await.unwrap())
            }
        };
        let (s, v) = act(serde_json::json!({"action": "assign", "petition_kind": "conduct", "assignee": "anphu.chuyenvien", "expected_seq": seq})).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!((v["stage"].as_str(), v["assignee"].is_string()), (Some("processing"), true));
        // The same page sent again is stale, and nothing changes.
        let (s, v) = act(serde_json::json!({"action": "request_info", "text": "x", "expected_seq": seq})).await;
        assert_eq!(s, StatusCode::CONFLICT, "{v}");
        let (s, v) = act(serde_json::json!({"action": "forward", "to_agency": "H99.301", "text": "x"})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "not to itself: {v}");
        let (s, _) = act(serde_json::json!({"action": "approve", "text": "x"})).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "a desk officer does not approve");

        let leader = app.api_as("anphu.lanhdao").await;
        let (s, x) = leader.json("/api/v1/petitions/stats?period=2026-M04&calendar=true&agency=H99.301").await;
        assert_eq!(s, StatusCode::OK, "{x}");
        assert_eq!(x["total"], 1);
        let conduct = x["by_kind"].as_array().unwrap().iter().find(|k| k["key"] == "conduct").unwrap().clone();
        assert_eq!(conduct["count"], 1);
        let answer = x["steps"].as_array().unwrap().iter().find(|k| k["step"] == "answer").unwrap().clone();
        assert_eq!(answer["pending_in_time"], 1, "{x}");
        let r = leader.get("/api/v1/petitions/stats?period=2026-M04&calendar=true&agency=H99.301&format=csv").await;
        assert_eq!(r.headers()["content-type"], "text/csv; charset=utf-8");
        let csv = r.text().await.unwrap();
        assert!(csv.contains("Theo loại,\"Về hành vi, cách ứng xử của cán bộ, công chức\",1"), "{csv}");
        let r = leader.get("/api/v1/petitions/stats?period=2026-M04&calendar=true&agency=H99.301&format=xlsx").await;
        assert_eq!(r.status(), StatusCode::OK);
        assert!(r.bytes().await.unwrap().starts_with(b"PK"));
        let html = app.login("anphu.lanhdao").await.get("/bao-cao/phan-anh?period=2026-M04&calendar=true").await.text().await.unwrap();
        assert!(html.contains(r#"id="petition-stats""#) && html.contains("Về hành vi, cách ứng xử") && html.contains("format=xlsx"), "{html}");
        // Another commune's leader does not see An Phú's counts.
        let other = app.api_as("binhminh.lanhdao").await;
        let (s, _) = other.json("/api/v1/petitions/stats?period=2026-M04&agency=H99.301").await;
        assert_eq!(s, StatusCode::NOT_FOUND);
    }

    async fn a_province_sets_its_own_deadlines_for_petitions_received_from_then_on(app) {
        app.clock.set(at("2026-04-22T09:00"));
        let before = send(&app, "Trước khi đổi thời hạn").await;
        let province = common::agency(&app, "H99").await.id.0;
        let commune_admin = as_(&app, "anphu.admin").await;
        let r = commune_admin.post_form(&format!("/admin/phan-anh/thoi-han/{province}"), &[("refuse", "2"), ("info_request", "5"), ("answer", "10"), ("publish", "2")]).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        let admin = as_(&app, "admin").await;
        let r = admin.post_form(&format!("/admin/phan-anh/thoi-han/{province}"), &[("refuse", "2"), ("info_request", "12"), ("answer", "10"), ("publish", "2")]).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "an information request later than the answer");
        assert!(r.text().await.unwrap().contains("không được dài hơn thời hạn trả lời"));
        app.clock.set(at("2026-04-22T10:00"));
        let r = admin.post_form(&format!("/admin/phan-anh/thoi-han/{province}"), &[("refuse", "2"), ("info_request", "5"), ("answer", "10"), ("publish", "2")]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let page = admin.get("/admin/phan-anh/thoi-han").await.text().await.unwrap();
        assert!(page.contains("Thời hạn riêng của tỉnh") && page.contains("10:00 22/04/2026"), "{page}");
        app.clock.set(at("2026-04-22T11:00"));
        let after = send(&app, "Sau khi đổi thời hạn").await;
        let desk = as_(&app, "anphu.motcua").await;
        let old = desk.get(&format!("/phan-anh-kien-nghi/{before}")).await.text().await.unwrap();
        assert_eq!(due_of(&old), "09:00 18/05/2026", "15 working days kept");
        let new = desk.get(&format!("/phan-anh-kien-nghi/{after}")).await.text().await.unwrap();
        assert_eq!(due_of(&new), "11:00 11/05/2026", "10 working days");
    }

    async fn the_desk_is_reminded_before_the_deadline_and_the_leader_after_it(app) {
        app.clock.set(at("2026-04-22T09:00"));
        let code = send(&app, "Nhắc hạn").await;
        let kinds = |c: serde_json::Value| -> Vec<String> {
            c["items"].as_array().unwrap().iter().filter(|n| n["link"].as_str().unwrap().contains(&code)).map(|n| n["kind"].as_str().unwrap().to_owned()).collect()
        };
        // Nothing owed yet; the day before the answer's deadline (18/05 09:00) the desk hears of it.
        app.services.notifications.scan_reminders().await.unwrap();
        assert!(kinds(app.api_as("anphu.motcua").await.json("/api/v1/notifications").await.1).is_empty());
        app.clock.set(at("2026-05-15T10:00"));
        app.services.notifications.scan_reminders().await.unwrap();
        app.services.notifications.scan_reminders().await.unwrap();
        assert_eq!(kinds(app.api_as("anphu.motcua").await.json("/api/v1/notifications").await.1), ["petition_due_soon"], "once");
        app.clock.set(at("2026-05-18T10:00"));
        app.services.notifications.scan_reminders().await.unwrap();
        let leader = kinds(app.api_as("anphu.lanhdao").await.json("/api/v1/notifications").await.1);
        assert_eq!(leader, ["petition_overdue"]);
        assert!(kinds(app.api_as("binhminh.lanhdao").await.json("/api/v1/notifications").await.1).is_empty(), "not another commune's");
    }

    async fn the_portal_forwards_petitions_counted_from_the_forward_and_once_each(app) {
        // Friday 24/04/2026 08:00; the portal forwarded it on Wednesday 22/04 at 09:00.
        app.clock.set(at("2026-04-24T08:00"));
        let body = serde_json::json!({
            "portal_reference": "PAKN-2026-000123", "submitted_at": "2026-04-21T20:00:00+07:00",
            "forwarded_at": "2026-04-22T09:00:00+07:00", "agency_code": "H99.302", "petition_kind": "rules",
            "subject": "Niêm yết lệ phí chứng thực", "content": "Mức lệ phí trên Cổng khác ở phường.",
            "name": "Phạm Thị Hoa", "address": "Khu phố 1, phường Bình Minh", "phone": "0912 000 111"
        });
        // Only the portal's token lets it in, not an official's key.
        assert_eq!(app.browser().post_json("/api/v1/portal/petitions", &body).await.status(), StatusCode::UNAUTHORIZED);
        let desk_key = app.api_as("binhminh.motcua").await;
        assert_eq!(desk_key.post_json("/api/v1/portal/petitions", &body).await.status(), StatusCode::UNAUTHORIZED);
        let mut portal = app.browser();
        portal.bearer = Some(motcua_testkit::TEST_PORTAL_TOKEN.into());
        let r = portal.post_json("/api/v1/portal/petitions", &body).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let first: serde_json::Value = r.json().await.unwrap();
        assert_eq!(first["outcome"], "received");
        // 15 working days from the forward, across the April holidays.
        assert_eq!(first["answer_due"], "2026-05-18T09:00:00+07:00", "{first}");
        let code = first["code"].as_str().unwrap().to_owned();
        assert!(code.starts_with("H99.302-PA260424-"), "{code}");
        // Delivered again: the same petition, nothing new.
        let r = portal.post_json("/api/v1/portal/petitions", &body).await;
        assert_eq!(r.status(), StatusCode::OK);
        let again: serde_json::Value = r.json().await.unwrap();
        assert_eq!((again["outcome"].as_str(), again["code"].as_str()), (Some("repeated"), Some(code.as_str())));
        // A forward before the submission, an unknown time and an empty subject: refused, nothing kept.
        let mut bad = body.clone();
        bad["portal_reference"] = "PAKN-2026-000124".into();
        bad["forwarded_at"] = "2026-04-20T09:00:00+07:00".into();
        let r = portal.post_json("/api/v1/portal/petitions", &bad).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().await.unwrap().contains("before_submission"));
        bad["forwarded_at"] = "hôm qua".into();
        let r = portal.post_json("/api/v1/portal/petitions", &bad).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        bad["forwarded_at"] = body["forwarded_at"].clone();
        bad["subject"] = "".into();
        assert_eq!(portal.post_json("/api/v1/portal/petitions", &bad).await.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let (_, list) = desk_key.json("/api/v1/petitions?queue=received").await;
        assert_eq!(list["total"], 1, "{list}");

        // The ward's desk has it with the portal's facts; the refusal window closed at 09:00 today.
        let (s, v) = desk_key.json(&format!("/api/v1/petitions/{code}")).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!((v["channel"].as_str(), v["portal_reference"].as_str()), (Some("national_portal"), Some("PAKN-2026-000123")));
        assert_eq!(v["portal_forwarded_at"], "2026-04-22T09:00:00+07:00");
        assert_eq!(v["refuse_due"], "2026-04-24T09:00:00+07:00");
        let page = as_(&app, "binhminh.motcua").await.get(&format!("/phan-anh-kien-nghi/{code}")).await.text().await.unwrap();
        assert!(page.contains(r#"id="portal""#) && page.contains("PAKN-2026-000123") && page.contains("lúc Cổng DVCQG chuyển đến"), "{page}");
        assert_eq!(due_of(&page), "09:00 18/05/2026");
        // Another commune sees nothing of it.
        let (s, _) = app.api_as("anphu.motcua").await.json(&format!("/api/v1/petitions/{code}")).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let report = app.services.integrity.verify_integrity(&[]).await.unwrap().expect("intact");
        assert_eq!((report.petitions, report.petition_events), (1, 1));
    }

    async fn the_api_takes_attachments_checked_by_their_content(app) {
        app.clock.set(at("2026-04-22T09:00"));
        let petition = serde_json::json!({
            "agency_code": "H99.301", "subject": "Đường vào Bộ phận Một cửa", "content": "Lối đi cho xe lăn bị chắn.",
            "name": "Ngô Văn Tư", "address": "Thôn 4, xã An Phú", "email": "tu@example.vn"
        })
        .to_string();
        let anyone = app.browser();
        let r = anyone
            .post_multipart(
                "/api/v1/petitions/with-files",
                &[("petition", &petition)],
                &[("file", "loi-di.jpg", motcua_testkit::files::sample_jpeg()), ("file", "don.pdf", sample_pdf("Đơn"))],
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let code = r.json::<serde_json::Value>().await.unwrap()["code"].as_str().unwrap().to_owned();
        // A text posing as a PDF, and a form without the petition: refused, nothing kept.
        let r = anyone.post_multipart("/api/v1/petitions/with-files", &[("petition", &petition)], &[("file", "gia.pdf", b"not a pdf".to_vec())]).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().await.unwrap().contains("unsupported_type"));
        let r = anyone.post_multipart("/api/v1/petitions/with-files", &[], &[("file", "don.pdf", sample_pdf("Đơn"))]).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);

        let desk = app.api_as("anphu.motcua").await;
        let (_, list) = desk.json("/api/v1/petitions?queue=received").await;
        assert_eq!(list["total"], 1, "{list}");
        let (_, v) = desk.json(&format!("/api/v1/petitions/{code}")).await;
        let files = v["attachments"].as_array().unwrap();
        assert_eq!(files.len(), 2, "{v}");
        assert_eq!((files[0]["name"].as_str(), files[0]["content_type"].as_str()), (Some("loi-di.jpg"), Some("image/jpeg")));
        let pdf = files[1]["file_id"].as_i64().unwrap();
        let r = desk.get(&format!("/api/v1/petitions/{code}/files/{pdf}")).await;
        assert_eq!(r.status(), StatusCode::OK);
        assert!(r.bytes().await.unwrap().starts_with(b"%PDF"));
        let (s, _) = app.api_as("binhminh.motcua").await.json(&format!("/api/v1/petitions/{code}/files/{pdf}")).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "not another commune's");

        // The desk records a letter with its scan; another commune's desk cannot record for An Phú.
        let letter = serde_json::json!({
            "channel": "letter", "agency_code": "H99.301", "subject": "Thư về giờ làm việc",
            "content": "Đề nghị làm việc sáng thứ Bảy.", "name": "Đỗ Thị Năm", "address": "Thôn 2, xã An Phú"
        })
        .to_string();
        let r = desk.post_multipart("/api/v1/petitions/recorded/with-files", &[("petition", &letter)], &[("file", "thu.pdf", sample_pdf("Thư"))]).await;
        assert_eq!(r.status(), StatusCode::CREATED, "{}", r.text().await.unwrap());
        let other = app.api_as("binhminh.motcua").await;
        let r = other.post_multipart("/api/v1/petitions/recorded/with-files", &[("petition", &letter)], &[("file", "thu.pdf", sample_pdf("Thư"))]).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        let specialist = app.api_as("anphu.chuyenvien").await;
        let r = specialist.post_multipart("/api/v1/petitions/recorded/with-files", &[], &[]).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "refused before the form is read");
    }
}
