//! Citizens' satisfaction ratings on both backends: the desk opens the dossier's rating page at
//! the counter, the citizen answers without logging in, the link is spent, staff read it and
//! cannot change it, the dashboard counts it.

use motcua_testkit::{TestApp, TestClient, app_tests};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn post(c: &TestClient, path: &str, body: Value) -> (StatusCode, Value) {
    let r = c.post_json(path, &body).await;
    let s = r.status();
    (s, r.json().await.unwrap_or(Value::Null))
}

async fn ok(c: &TestClient, code: &str, body: Value) {
    let (s, v) = post(c, &format!("/api/v1/dossiers/{code}/actions"), body.clone()).await;
    assert_eq!(s, StatusCode::OK, "{body}: {v}");
}

fn location(r: &reqwest::Response) -> String {
    r.headers().get("location").unwrap().to_str().unwrap().to_owned()
}

/// A birth registration received at An Phú and taken to `steps` of: forward, forward, approve,
/// issue, return.
async fn dossier(app: &TestApp, txn: &str, steps: usize) -> String {
    let desk = app.api_as("anphu.motcua").await;
    let (s, d) = post(
        &desk,
        "/api/v1/dossiers",
        json!({
            "procedure_code": "1.001193", "agency_code": "H99.301", "channel": "desk",
            "applicant": {"kind": "person", "full_name": "Nguyễn Văn An", "id_number": "001203004567"},
            "client_txn_id": txn, "accept": true
        }),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    let code = d["code"].as_str().unwrap().to_owned();
    let specialist = app.api_as("anphu.chuyenvien").await;
    let leader = app.api_as("anphu.lanhdao").await;
    let clerk = app.api_as("anphu.vanthu").await;
    let plan: Vec<(&TestClient, Value)> = vec![
        (&desk, json!({"action": "forward"})),
        (&specialist, json!({"action": "forward"})),
        (&leader, json!({"action": "approve"})),
        (&clerk, json!({"action": "issue_result", "number": "15/GKS", "signer": "Trương Văn Lãnh"})),
        (&desk, json!({"action": "return_result", "receiver": "Nguyễn Văn An"})),
    ];
    for (who, body) in plan.into_iter().take(steps) {
        ok(who, &code, body).await;
    }
    code
}

fn answers(overall: &str) -> Vec<(String, String)> {
    let mut f: Vec<(String, String)> = (1..=9).map(|i| (format!("i{i}"), "2".to_owned())).collect();
    f.push(("q10".into(), "very_satisfied".into()));
    f.push(("q11".into(), overall.into()));
    f.push(("comment".into(), "Cán bộ hướng dẫn tận tình.".into()));
    f
}

app_tests! {
    async fn a_citizen_rates_a_returned_dossier_once_at_the_counter(app) {
        let code = dossier(&app, "rate-1", 5).await;
        let desk = app.login("anphu.motcua").await;
        let page = desk.get(&format!("/ho-so/{code}")).await.text().await.unwrap();
        assert!(page.contains(r#"id="rating-invite""#), "{page}");
        // The desk opens the rating page for the citizen: a link of its own, no login needed.
        let r = desk.post_form(&format!("/ho-so/{code}/danh-gia"), &[]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let to = location(&r);
        assert!(to.starts_with("/danh-gia/dg") && to.ends_with("?tai_quay=1"), "{to}");
        let token = to.trim_start_matches("/danh-gia/").trim_end_matches("?tai_quay=1").to_owned();
        let citizen = app.browser();
        let form = citizen.get(&format!("/danh-gia/{token}")).await.text().await.unwrap();
        assert!(form.contains("Tổng thời gian giải quyết") && form.contains(&code) && !form.contains("Nguyễn Văn An"), "{form}");
        // Incomplete answers come back by their fields, nothing stored.
        let r = citizen.post_form(&format!("/danh-gia/{token}"), &[("i1", "2"), ("tai_quay", "1")]).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let back = r.text().await.unwrap();
        assert!(back.contains("Hãy chọn một mức cho tiêu chí 2") && back.contains(r#"value="2" required checked"#), "{back}");
        let mut full = answers("satisfied");
        full.push(("tai_quay".into(), "1".into()));
        let fields: Vec<(&str, &str)> = full.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let r = citizen.post_form(&format!("/danh-gia/{token}"), &fields).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", r.text().await.unwrap());
        assert_eq!(location(&r), format!("/danh-gia/{token}?xong=1&tai_quay=1"));
        // The link is spent: a second rating is refused and the page says it was rated.
        let r = citizen.post_form(&format!("/danh-gia/{token}"), &fields).await;
        assert_eq!(r.status(), StatusCode::CONFLICT);
        let again = citizen.get(&format!("/danh-gia/{token}")).await.text().await.unwrap();
        assert!(again.contains("đã được đánh giá") && !again.contains("<form method=\"post\" action=\"/danh-gia"), "{again}");
        // Staff read it on the dossier page; there is no way to change it.
        let page = desk.get(&format!("/ho-so/{code}")).await.text().await.unwrap();
        let summary = page.split(r#"id="rating-summary">"#).nth(1).unwrap().split("</p>").next().unwrap();
        assert!(summary.contains("Hài lòng · 18/18 điểm (Xuất sắc) · tại quầy") && summary.contains("tận tình"), "{summary}");
        assert!(!page.contains(r#"id="rating-invite""#));
        // The leader's dashboard counts it.
        let leader = app.login("anphu.lanhdao").await;
        let board = leader.get("/thong-ke?agency=H99.301").await.text().await.unwrap();
        assert!(board.contains("100,0 % (1/1 lượt)"), "{board}");
    }

    async fn a_dossier_is_rated_only_once_it_is_closed_and_by_its_own_link(app) {
        let code = dossier(&app, "rate-2", 2).await;
        let desk = app.login("anphu.motcua").await;
        let page = desk.get(&format!("/ho-so/{code}")).await.text().await.unwrap();
        assert!(!page.contains(r#"id="rating-invite""#), "not offered while in processing");
        // Printing the receipt makes the dossier's link (its second QR code); the counter opens
        // the same one; the page waits for the result.
        let receipt = desk.get(&format!("/ho-so/{code}/mau/01")).await;
        assert_eq!(receipt.status(), StatusCode::OK);
        let r = desk.post_form(&format!("/ho-so/{code}/danh-gia"), &[]).await;
        let token = location(&r).trim_start_matches("/danh-gia/").trim_end_matches("?tai_quay=1").to_owned();
        let r = desk.post_form(&format!("/ho-so/{code}/danh-gia"), &[]).await;
        assert!(location(&r).contains(&token), "one link per dossier");
        let _ = desk.get(&format!("/ho-so/{code}/mau/01")).await;
        let r = desk.post_form(&format!("/ho-so/{code}/danh-gia"), &[]).await;
        assert!(location(&r).contains(&token), "reprinting keeps the link");
        let citizen = app.browser();
        let form = citizen.get(&format!("/danh-gia/{token}")).await.text().await.unwrap();
        assert!(form.contains("Hồ sơ chưa trả kết quả"), "{form}");
        let full = answers("unsatisfied");
        let fields: Vec<(&str, &str)> = full.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let r = citizen.post_form(&format!("/danh-gia/{token}"), &fields).await;
        assert_eq!(r.status(), StatusCode::CONFLICT);
        // A made-up token finds nothing; another commune cannot open this dossier's link.
        assert_eq!(citizen.get("/danh-gia/dg_khongcothat").await.status(), StatusCode::NOT_FOUND);
        let other = app.login("binhminh.motcua").await;
        assert_eq!(other.post_form(&format!("/ho-so/{code}/danh-gia"), &[]).await.status(), StatusCode::NOT_FOUND);
    }

    async fn the_api_shows_the_questions_takes_one_rating_and_shows_it_to_officials(app) {
        let code = dossier(&app, "rate-api", 5).await;
        let desk = app.login("anphu.motcua").await;
        let r = desk.post_form(&format!("/ho-so/{code}/danh-gia"), &[]).await;
        let token = location(&r).trim_start_matches("/danh-gia/").trim_end_matches("?tai_quay=1").to_owned();
        let citizen = app.browser();
        let (s, f) = citizen.json(&format!("/api/v1/public/ratings/{token}")).await;
        assert_eq!(s, StatusCode::OK, "{f}");
        assert_eq!((f["indicators"].as_array().unwrap().len(), f["questions"].as_array().unwrap().len()), (9, 2));
        assert!(f["closed"].is_null() && f["dossier_code"] == code.as_str(), "{f}");
        let mut given = serde_json::Map::new();
        for (k, v) in answers("satisfied") {
            if k != "comment" {
                given.insert(k, Value::String(v));
            }
        }
        let (s, v) = post(&citizen, &format!("/api/v1/public/ratings/{token}"), json!({"answers": {"i1": "2"}})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        let (s, v) = post(&citizen, &format!("/api/v1/public/ratings/{token}"), json!({"answers": given, "comment": "Nhanh."})).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        assert_eq!((v["total"].as_u64(), v["satisfied"].as_bool(), v["channel"].as_str()), (Some(18), Some(true), Some("link")));
        let (s, _) = post(&citizen, &format!("/api/v1/public/ratings/{token}"), json!({"answers": given})).await;
        assert_eq!(s, StatusCode::CONFLICT, "the link is spent");
        let (s, r) = app.api_as("anphu.lanhdao").await.json(&format!("/api/v1/dossiers/{code}/rating")).await;
        assert_eq!((s, r["grade"].as_str()), (StatusCode::OK, Some("Xuất sắc")), "{r}");
        let (s, _) = app.api_as("binhminh.lanhdao").await.json(&format!("/api/v1/dossiers/{code}/rating")).await;
        assert!(s == StatusCode::NOT_FOUND || s == StatusCode::FORBIDDEN, "{s}");
    }

    async fn a_dossier_both_complained_of_and_rated_unsatisfying_counts_once_in_766(app) {
        app.clock.set("2026-11-10T09:00:00+07:00".parse().unwrap());
        let code = dossier(&app, "rate-766", 5).await;
        let desk = app.login("anphu.motcua").await;
        let r = desk.post_form(&format!("/ho-so/{code}/danh-gia"), &[]).await;
        let token = location(&r).trim_start_matches("/danh-gia/").trim_end_matches("?tai_quay=1").to_owned();
        let full = answers("unsatisfied");
        let fields: Vec<(&str, &str)> = full.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let r = app.browser().post_form(&format!("/danh-gia/{token}"), &fields).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let leader = app.api_as("anphu.lanhdao").await;
        let complained = || async {
            let (s, x) = leader.json("/api/v1/index766?period=2026-M11&calendar=true&agency=H99.301").await;
            assert_eq!(s, StatusCode::OK, "{x}");
            let i = x["index"]["indicators"].as_array().unwrap().iter().find(|i| i["id"] == "5.4").unwrap().clone();
            (i["numerator"].as_i64().unwrap(), i["denominator"].as_i64().unwrap())
        };
        assert_eq!(complained().await, (1, 1), "handled on time, its citizen unsatisfied");
        // The same citizen also sends a petition about it: still one dossier complained of.
        let (s, v) = post(
            &app.browser(),
            "/api/v1/petitions",
            json!({"agency_code": "H99.301", "subject": "Chậm hướng dẫn", "content": "Hướng dẫn chưa rõ.",
                   "name": "Nguyễn Văn An", "address": "Thôn 1", "phone": "0912345678", "dossier_code": code}),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        assert_eq!(complained().await, (1, 1));
    }
}
