//! The national portal link against the conformance peer (`tests/portal-peer`), over HTTP, on
//! both backends: what goes out (every HoSo version and step, in order, once; nothing lost
//! while the peer is down) and what comes in (pushed and pulled online dossiers, idempotent on
//! the portal's code, with their files, reception deadline and supplements).

use std::sync::Arc;

use jiff::SignedDuration;
use motcua_integrations::national_portal::{RestFigures, RestPortal, RestPortalSettings};
use motcua_portal_peer::{Faults, Peer, PeerOptions, PushTarget, pdf};
use motcua_testkit::{Backend, TEST_PORTAL_TOKEN, TestApp, TestClient};
use reqwest::StatusCode;
use serde_json::{Value, json};

const PEER_TOKEN: &str = "token-cua-tinh-cho-cong-quoc-gia";

/// A peer on loopback and the app talking to it over REST (the peer's paths, its token).
async fn spawn(backend: Backend) -> (TestApp, Peer) {
    let peer = Peer::start_local(PeerOptions { token: Some(PEER_TOKEN.into()), ..PeerOptions::default() })
        .await
        .expect("peer");
    let rest = RestPortal::new(&RestPortalSettings {
        base_url: peer.url(),
        create_path: motcua_portal_peer::CREATE_PATH.into(),
        update_path: motcua_portal_peer::UPDATE_PATH.into(),
        steps_path: motcua_portal_peer::STEPS_PATH.into(),
        pull_path: motcua_portal_peer::PULL_PATH.into(),
        token: Some(PEER_TOKEN.into()),
        file_hosts: Vec::new(),
        timeout: std::time::Duration::from_secs(5),
    })
    .expect("rest portal");
    let figures = RestFigures::new(
        &format!("{}{}", peer.url(), motcua_portal_peer::EVALUATION_PATH),
        std::time::Duration::from_secs(5),
    )
    .expect("figures");
    let app = TestApp::spawn_with_portal(backend, Arc::new(rest), Arc::new(figures)).await;
    peer.set_push(Some(PushTarget { url: app.url("/api/v1/portal/dossiers"), token: TEST_PORTAL_TOKEN.into() }));
    (app, peer)
}

async fn post(c: &TestClient, path: &str, body: Value) -> Value {
    let r = c.post_json(path, &body).await;
    let status = r.status();
    let v: Value = r.json().await.unwrap();
    assert!(status.is_success(), "{path} {body}: {status} {v}");
    v
}

async fn act(c: &TestClient, key: &str, body: Value) -> Value {
    post(c, &format!("/api/v1/dossiers/{key}/actions"), body).await
}

/// Sends what is due, moving the clock past any backoff first.
async fn sync(app: &TestApp) -> motcua_app::national_portal::SyncRound {
    app.clock.set(app.services.now() + SignedDuration::from_hours(2));
    app.services.national_portal.send_due(100).await.expect("send")
}

/// A desk dossier from intake to return, with a sync after each change when `each` is set.
async fn desk_journey(app: &TestApp, name: &str, sync_after: &dyn Fn(usize) -> bool) -> String {
    let desk = app.api_as("anphu.motcua").await;
    let specialist = app.api_as("anphu.chuyenvien").await;
    let leader = app.api_as("anphu.lanhdao").await;
    let clerk = app.api_as("anphu.vanthu").await;
    let d = post(
        &desk,
        "/api/v1/dossiers",
        json!({"procedure_code": "1.001193", "agency_code": "H99.301", "channel": "desk",
        "applicant": {"kind": "person", "full_name": name, "id_number": "001203004567"}, "accept": true}),
    )
    .await;
    let code = d["code"].as_str().unwrap().to_owned();
    let steps: Vec<(&TestClient, Value)> = vec![
        (&desk, json!({"action": "forward"})),
        (&specialist, json!({"action": "forward"})),
        (&leader, json!({"action": "approve"})),
        (&clerk, json!({"action": "issue_result", "number": "9/KQ", "signer": "Trương Văn Lãnh"})),
        (&desk, json!({"action": "return_result", "receiver": name})),
    ];
    if sync_after(0) {
        sync(app).await;
    }
    for (i, (who, body)) in steps.into_iter().enumerate() {
        act(who, &code, body).await;
        if sync_after(i + 1) {
            sync(app).await;
        }
    }
    code
}

async fn desk_dossiers_reach_the_peer_once_in_order_even_when_it_was_down(backend: Backend) {
    let (app, peer) = spawn(backend).await;
    let code = desk_journey(&app, "Nguyễn Văn Một", &|_| true).await;
    let rec = peer.recorded();
    assert_eq!(rec.violations, Vec::<String>::new(), "every payload follows the reference");
    let versions = rec.versions_of(&code);
    let told: Vec<(bool, &str)> =
        versions.iter().map(|v| (v.update, v.body["TrangThaiHoSo"].as_str().unwrap())).collect();
    // Created once at acceptance, then one update per change, ending returned.
    assert_eq!(told.len(), 6, "{told:?}");
    assert_eq!((told[0], told[5]), ((false, "2"), (true, "10")));
    assert!(told[1..].iter().all(|(update, _)| *update));
    let steps = rec.steps_of(&code);
    let states: Vec<&str> = steps.iter().map(|(s, _)| s.as_str()).collect();
    assert!(states.len() >= 6 && states[0] == "2" && states[states.len() - 1] == "10", "{steps:?}");
    assert_eq!(rec.resent_steps, 0);
    assert!(rec.chunks.iter().all(|n| (1..=motcua_portal_peer::STEP_CHUNK).contains(n)));

    // The same journey with the peer down for its first half: the calls fail and wait, the
    // desk never notices, and once the peer is back it holds the same steps in the same order.
    peer.set_down(true).await.unwrap();
    let second = desk_journey(&app, "Nguyễn Văn Hai", &|i| i <= 3).await;
    assert!(peer.recorded().versions_of(&second).is_empty());
    let desk = app.api_as("anphu.motcua").await;
    let (_, timeline) = desk.json(&format!("/api/v1/dossiers/{second}/portal")).await;
    let calls = timeline["calls"].as_array().unwrap();
    assert!(
        !calls.is_empty() && calls.iter().all(|c| c["ok"] == false && c["answer_code"] == "transport"),
        "{timeline}"
    );
    peer.set_down(false).await.unwrap();
    let round = sync(&app).await;
    assert_eq!((round.synced, round.failed), (1, 0), "{round:?}");
    let rec = peer.recorded();
    assert_eq!(rec.violations, Vec::<String>::new());
    let second_steps: Vec<String> = rec.steps_of(&second).into_iter().map(|(s, _)| s).collect();
    assert_eq!(second_steps, states, "nothing lost, nothing twice, in order");
    let last = rec.versions_of(&second);
    assert_eq!((last.len(), last[0].update, last[0].body["TrangThaiHoSo"].as_str()), (1, false, Some("10")));
    assert_eq!(rec.resent_steps, 0);
    assert_eq!(sync(&app).await, Default::default(), "nothing left to tell");
}

/// A dossier as submitted on the portal to An Phú, with one PDF the peer serves.
fn portal_dossier(peer: &Peer, code: &str, submitted: &str) -> Value {
    let mut d = motcua_portal_peer::sample_dossier(peer, code, "H99.301");
    d["NgayNopHoSo"] = json!(submitted);
    d
}

async fn online_dossiers_come_in_once_with_files_deadline_and_supplements(backend: Backend) {
    let (app, peer) = spawn(backend).await;
    let desk = app.api_as("anphu.motcua").await;

    // Pushed twice (a duplicate push): one dossier, in the online queue at status 1.
    peer.set_faults(Faults { duplicate_pushes: 1, ..Faults::default() });
    let answers = peer.submit(portal_dossier(&peer, "G22.99-261123-0001", "20261123084500")).await.unwrap();
    assert_eq!(answers.len(), 2);
    assert_eq!(answers[0]["error_code"], "0", "{answers:?}");
    assert_eq!(
        (answers[0]["results"][0]["outcome"].as_str(), answers[1]["results"][0]["outcome"].as_str()),
        (Some("received"), Some("repeated"))
    );
    peer.set_faults(Faults::default());
    let (s, q) = desk.json("/api/v1/dossiers?queue=online").await;
    assert_eq!(s, StatusCode::OK, "{q}");
    let items = q["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{q}");
    assert_eq!((items[0]["portal_code"].as_str(), items[0]["status"].as_u64()), (Some("G22.99-261123-0001"), Some(1)));
    let (s, d) = desk.json("/api/v1/dossiers/G22.99-261123-0001").await;
    assert_eq!(s, StatusCode::OK, "{d}");
    assert_eq!((d["channel"].as_str(), d["reception"]["state"].as_str()), (Some("online"), Some("waiting")));
    // Submitted Monday 08:45: to be decided by Monday's close.
    assert_eq!(d["reception"]["due_at"], "2026-11-23T17:00:00+07:00", "{d}");
    let files = d["portal_files"].as_array().unwrap();
    assert_eq!(files.len(), 1);
    let file = desk.get(&format!("/api/v1/dossiers/G22.99-261123-0001/files/{}", files[0]["file_id"])).await;
    assert_eq!(file.status(), StatusCode::OK);
    assert!(file.bytes().await.unwrap().starts_with(b"%PDF-"));
    // Another commune neither sees it nor its files.
    let other = app.api_as("binhminh.motcua").await;
    assert_eq!(other.json("/api/v1/dossiers/G22.99-261123-0001").await.0, StatusCode::NOT_FOUND);

    // Pulled on Saturday: submitted on Friday evening, out of hours, it is due by Monday's close.
    app.clock.set("2026-11-28T10:00:00+07:00".parse().unwrap());
    peer.set_push(None);
    peer.submit(portal_dossier(&peer, "G22.99-261127-0002", "20261127183000")).await.unwrap();
    let outcomes = app.services.national_portal.pull().await.unwrap();
    let names: Vec<&str> = outcomes
        .iter()
        .map(|o| match o {
            motcua_app::national_portal::InboundOutcome::Received { .. } => "received",
            motcua_app::national_portal::InboundOutcome::Repeated { .. } => "repeated",
            _ => "other",
        })
        .collect();
    assert_eq!(names, ["repeated", "received"], "{outcomes:?}");
    let (_, d2) = desk.json("/api/v1/dossiers/G22.99-261127-0002").await;
    assert_eq!(d2["reception"]["due_at"], "2026-11-30T17:00:00+07:00", "{d2}");

    // The desk asks for a supplement in time: the portal hears status 5 under its own code.
    act(&desk, "G22.99-261123-0001", json!({"action": "request_supplement", "items": ["Bản chụp giấy chứng sinh"]}))
        .await;
    sync(&app).await;
    let rec = peer.recorded();
    assert_eq!(rec.violations, Vec::<String>::new());
    let told: Vec<&str> =
        rec.versions_of("G22.99-261123-0001").iter().map(|v| v.body["TrangThaiHoSo"].as_str().unwrap()).collect();
    assert_eq!(told, ["5"], "updated, never created: the portal has it");
    assert!(rec.versions_of("G22.99-261123-0001")[0].update);
    assert!(
        rec.calls.iter().filter(|c| c.codes.iter().any(|k| k == "G22.99-261123-0001")).all(|c| c.kind != "create"),
        "never asked to create what the portal holds: {:?}",
        rec.calls
    );

    // The citizen sends the supplement on the portal (pushed): recorded, the reception clock
    // starts again from its arrival, and a repeat of the same push changes nothing.
    peer.set_push(Some(PushTarget { url: app.url("/api/v1/portal/dossiers"), token: TEST_PORTAL_TOKEN.into() }));
    let (id, url) = peer.add_file(pdf::one_page("Giay chung sinh"));
    let extra = json!({"TepDinhKemId": id, "TenTepDinhKem": "giay-chung-sinh.pdf", "DuongDanTaiTepTin": url});
    peer.set_faults(Faults { duplicate_pushes: 1, ..Faults::default() });
    let answers = peer.supplement("G22.99-261123-0001", vec![extra]).await.unwrap();
    peer.set_faults(Faults::default());
    assert_eq!(
        (answers[0]["results"][0]["outcome"].as_str(), answers[1]["results"][0]["outcome"].as_str()),
        (Some("supplemented"), Some("repeated")),
        "{answers:?}"
    );
    let (_, d) = desk.json("/api/v1/dossiers/G22.99-261123-0001").await;
    assert_eq!((d["status"].as_u64(), d["portal_files"].as_array().map(Vec::len)), (Some(1), Some(2)), "{d}");
    assert_eq!(d["reception"]["state"], "waiting");
    assert_ne!(d["reception"]["due_at"], "2026-11-23T17:00:00+07:00", "the clock started again");

    // Accepted: the portal hears status 1 (back) and 2, under its code.
    act(&desk, "G22.99-261123-0001", json!({"action": "accept"})).await;
    sync(&app).await;
    let rec = peer.recorded();
    assert_eq!(rec.violations, Vec::<String>::new());
    let states: Vec<String> = rec.steps_of("G22.99-261123-0001").into_iter().map(|(s, _)| s).collect();
    assert_eq!(states, ["5", "1", "2"]);
    let (_, d) = desk.json("/api/v1/dossiers/G22.99-261123-0001").await;
    assert_eq!(d["reception"]["state"], "decided");
    assert!(d["code"].as_str().is_some(), "a code of its own, beside the portal's");
}

async fn pushes_need_the_token_and_bad_dossiers_are_named(backend: Backend) {
    let (app, _peer) = spawn(backend).await;
    let client = reqwest::Client::new();
    let url = app.url("/api/v1/portal/dossiers");
    let r = client.post(&url).bearer_auth("sai").json(&json!([])).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = client.post(&url).json(&json!([])).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = client.post(&url).bearer_auth(TEST_PORTAL_TOKEN).body("{not json").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let bad = json!([{"MaHoSo": "X-1", "MaTTHC": "1.001193", "MaDonVi": "H99.301", "ChuHoSo": "An", "NgayNopHoSo": "hôm nay"},
                     {"MaHoSo": "X-2", "MaTTHC": "9.999999", "MaDonVi": "H99.301", "ChuHoSo": "An", "NgayNopHoSo": "20261123080000"},
                     {"MaHoSo": "X-3", "MaTTHC": "1.001193", "MaDonVi": "H99.999", "ChuHoSo": "An", "NgayNopHoSo": "20261123080000"}]);
    let r = client.post(&url).bearer_auth(TEST_PORTAL_TOKEN).json(&bad).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error_code"], "1", "{v}");
    let fields: Vec<&str> =
        v["results"].as_array().unwrap().iter().map(|r| r["errors"][0]["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["NgayNopHoSo", "MaTTHC", "MaDonVi"], "{v}");
    // A dossier this system never had cannot arrive already processed; a file elsewhere than
    // the portal's hosts is not fetched (nor is the portal's token sent there).
    let odd = json!([{"MaHoSo": "X-4", "MaTTHC": "1.001193", "MaDonVi": "H99.301", "ChuHoSo": "An",
                      "NgayNopHoSo": "20261123080000", "TrangThaiHoSo": "4"},
                     {"MaHoSo": "X-5", "MaTTHC": "1.001193", "MaDonVi": "H99.301", "ChuHoSo": "An",
                      "NgayNopHoSo": "20261123080000", "TaiLieuNop": [{"TepDinhKemId": "t1", "TenTepDinhKem": "a.pdf",
                      "DuongDanTaiTepTin": "http://10.255.255.1/a.pdf"}]}]);
    let v: Value =
        client.post(&url).bearer_auth(TEST_PORTAL_TOKEN).json(&odd).send().await.unwrap().json().await.unwrap();
    assert_eq!(v["results"][0]["errors"][0]["field"], "TrangThaiHoSo", "{v}");
    assert_eq!(v["results"][1]["outcome"], "failed", "{v}");
    assert!(v["results"][1]["message"].as_str().unwrap().contains("portal.file_hosts"), "{v}");
    let desk = app.api_as("anphu.motcua").await;
    let (_, q) = desk.json("/api/v1/dossiers?queue=online").await;
    assert_eq!(q["items"].as_array().map(Vec::len), Some(0), "nothing kept from a rejected dossier");
    // The operator sees what was not taken.
    let html = app.login("tinh.xem").await.get("/bao-cao/doi-soat?agency=H99").await.text().await.unwrap();
    assert!(html.contains("X-5") && html.contains("X-4"), "{html}");
}

async fn two_senders_never_tell_the_portal_the_same_steps(backend: Backend) {
    let (app, peer) = spawn(backend).await;
    let desk = app.api_as("anphu.motcua").await;
    let mut codes = Vec::new();
    for i in 0..12 {
        let d = post(
            &desk,
            "/api/v1/dossiers",
            json!({"procedure_code": "1.001193", "agency_code": "H99.301", "channel": "desk",
            "applicant": {"kind": "person", "full_name": format!("Người nộp {i}")}, "accept": true}),
        )
        .await;
        codes.push(d["code"].as_str().unwrap().to_owned());
    }
    peer.set_faults(Faults { slow_ms: 15, ..Faults::default() });
    // Two workers sweeping at once (two processes on one database, say).
    let (a, b) = tokio::join!(app.services.national_portal.send_due(100), app.services.national_portal.send_due(100));
    let (a, b) = (a.unwrap(), b.unwrap());
    // Each dossier told once: two calls each (the HoSo, one chunk of steps), whoever made them.
    assert_eq!(a.calls + b.calls, 24, "{a:?} {b:?}");
    let rec = peer.recorded();
    assert_eq!((rec.resent_steps, rec.dossiers.len(), rec.steps.len()), (0, 12, 12));
    assert_eq!(rec.violations, Vec::<String>::new());
}

async fn the_citizen_withdraws_on_the_portal_and_a_refused_file_is_no_supplement(backend: Backend) {
    let (app, peer) = spawn(backend).await;
    let desk = app.api_as("anphu.motcua").await;
    peer.submit(portal_dossier(&peer, "G22.99-261123-0007", "20261123084500")).await.unwrap();
    act(&desk, "G22.99-261123-0007", json!({"action": "request_supplement", "items": ["Giấy chứng sinh"]})).await;
    // The citizen sends a file that is no PDF nor image: not a supplement; sent again, nothing.
    let (id, url) = peer.add_file(b"<html>not a document</html>".to_vec());
    let bad = json!({"TepDinhKemId": id, "TenTepDinhKem": "giay.pdf", "DuongDanTaiTepTin": url});
    let answers = peer.supplement("G22.99-261123-0007", vec![bad]).await.unwrap();
    assert_eq!(answers[0]["results"][0]["outcome"], "rejected", "{answers:?}");
    let (_, d) = desk.json("/api/v1/dossiers/G22.99-261123-0007").await;
    assert_eq!(d["status"], 5, "still waiting for the supplement: {d}");
    // Then asks to withdraw it (status 7 on the portal).
    let mut withdraw = portal_dossier(&peer, "G22.99-261123-0007", "20261123084500");
    withdraw["TrangThaiHoSo"] = json!("7");
    let answers = peer.submit(withdraw).await.unwrap();
    assert_eq!(answers[0]["results"][0]["outcome"], "withdrawal", "{answers:?}");
    let (_, d) = desk.json("/api/v1/dossiers/G22.99-261123-0007").await;
    assert_eq!(d["status"], 7, "{d}");
}

async fn reconciliation_names_the_cells_that_differ_and_the_dossiers_behind_them(backend: Backend) {
    let (app, peer) = spawn(backend).await;
    let desk = app.api_as("anphu.motcua").await;
    let intake = |name: &str| {
        json!({"procedure_code": "1.001193", "agency_code": "H99.301", "channel": "desk",
        "applicant": {"kind": "person", "full_name": name, "id_number": "001203004567"}, "accept": true})
    };
    let told = post(&desk, "/api/v1/dossiers", intake("Nguyễn Văn Một")).await;
    sync(&app).await;
    // The second is received while the portal is down: the portal's figures miss it.
    peer.set_down(true).await.unwrap();
    let untold = post(&desk, "/api/v1/dossiers", intake("Nguyễn Văn Hai")).await;
    sync(&app).await;
    peer.set_down(false).await.unwrap();
    // What the portal publishes for November 2026: one dossier at An Phú (it never heard of the
    // second), and the online shares as we count them.
    peer.publish(
        "dvc-progress-tree",
        json!({"data": [{"code": "H99", "received": 1, "onTime": 1, "children": [
        {"code": "H99.301", "received": 1, "onTime": 1}]}]}),
    );
    peer.publish(
        "provide-online-tree",
        json!([{"code": "H99", "received": 2, "online": 0},
        {"code": "H99.301", "received": 2, "online": 0}]),
    );

    let province = app.api_as("tinh.xem").await;
    let (s, r) = province.json("/api/v1/portal/reconciliation?period=2026-M11&agency=H99").await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!((r["complete"].as_bool(), r["differences"].as_u64()), (Some(true), Some(2)), "{r}");
    let progress = &r["indicators"][0];
    assert_eq!(progress["indicator"], "2.1");
    let anphu = progress["cells"].as_array().unwrap().iter().find(|c| c["agency_code"] == "H99.301").unwrap();
    assert_eq!(
        (anphu["ours"].clone(), anphu["portal"].clone(), anphu["differs"].as_bool()),
        (json!([2, 2]), json!([1, 1]), Some(true))
    );
    assert_eq!(anphu["dossiers"], json!([untold["id"]]), "the dossier behind the difference: {r}");
    assert!(r["indicators"][1]["cells"].as_array().unwrap().iter().all(|c| c["differs"] == false), "{r}");
    let problems = r["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 1);
    assert_eq!((problems[0]["code"].clone(), problems[0]["attempts"].as_u64()), (untold["code"].clone(), Some(1)));
    assert_eq!(r["backlog"]["untold_dossiers"], 1);
    assert!(r["backlog"]["failures_last_hour"].as_i64().unwrap() >= 1, "{r}");
    let asked = peer.recorded().calls.into_iter().filter(|c| c.kind.starts_with("evaluation/")).count();
    assert_eq!(asked, 2);
    assert_eq!(peer.recorded().violations, Vec::<String>::new());
    // Only calendar periods: the portal publishes nothing else.
    let (s, _) = province.json("/api/v1/portal/reconciliation?period=2026-H1&agency=H99").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    // A commune sees its own reconciliation, not another's.
    let other = app.api_as("binhminh.motcua").await;
    assert_eq!(
        other.json("/api/v1/portal/reconciliation?period=2026-M11&agency=H99.301").await.0,
        StatusCode::NOT_FOUND
    );
    // The page shows the same.
    let html =
        app.login("tinh.xem").await.get("/bao-cao/doi-soat?period=2026-M11&agency=H99").await.text().await.unwrap();
    assert!(html.contains("2 ô lệch") && html.contains(untold["code"].as_str().unwrap()), "{html}");
    let _ = told;
}

async fn an_operator_resends_a_dossier_given_up_after_repeated_failures(backend: Backend) {
    let (app, peer) = spawn(backend).await;
    let desk = app.api_as("anphu.motcua").await;
    let d = post(
        &desk,
        "/api/v1/dossiers",
        json!({"procedure_code": "1.001193", "agency_code": "H99.301", "channel": "desk",
        "applicant": {"kind": "person", "full_name": "Trần Văn Ba", "id_number": "001203004567"}, "accept": true}),
    )
    .await;
    let code = d["code"].as_str().unwrap().to_owned();
    // The portal answers 500 until the sender gives up.
    peer.set_faults(Faults { fail_5xx: 100, ..Faults::default() });
    for _ in 0..12 {
        sync(&app).await;
    }
    let (_, t) = desk.json(&format!("/api/v1/dossiers/{code}/portal")).await;
    assert_eq!(t["sync"]["dead"], true, "{t}");
    assert_eq!(sync(&app).await, Default::default(), "a given-up dossier waits for an operator");
    peer.set_faults(Faults::default());
    // A desk officer may not resend; the operator may.
    let r = desk.post_json(&format!("/api/v1/dossiers/{code}/portal/resend"), &json!({})).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let admin = app.api_as("admin").await;
    let r = admin.post_json(&format!("/api/v1/dossiers/{code}/portal/resend"), &json!({})).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(sync(&app).await.synced, 1);
    let rec = peer.recorded();
    assert_eq!(rec.versions_of(&code).len(), 1);
    assert_eq!(rec.violations, Vec::<String>::new());
}

async fn the_lgsp_service_transport_logs_in_and_renews_its_session(backend: Backend) {
    use motcua_integrations::national_portal::{LgspPortal, LgspSettings};
    let peer = Peer::start_local(PeerOptions {
        lgsp: Some(("tinh-son-ha".into(), "mat-khau-lgsp".into())),
        ..PeerOptions::default()
    })
    .await
    .unwrap();
    let lgsp = |password: &str| {
        LgspPortal::new(&LgspSettings {
            adapter_url: peer.url(),
            auth_path: "/lgsp/auth".into(),
            integration_path: "/lgsp/integration".into(),
            username: "tinh-son-ha".into(),
            password: password.into(),
            agency_code: "H99".into(),
            file_hosts: Vec::new(),
            timeout: std::time::Duration::from_secs(5),
        })
        .unwrap()
    };
    let figures = RestFigures::new(&peer.url(), std::time::Duration::from_secs(5)).unwrap();
    // A wrong password: every call fails and waits; nothing is lost.
    let app = TestApp::spawn_with_portal(backend, Arc::new(lgsp("sai")), Arc::new(figures)).await;
    let code = desk_journey(&app, "Phạm Văn Năm", &|i| i == 0).await;
    let desk = app.api_as("anphu.motcua").await;
    let (_, t) = desk.json(&format!("/api/v1/dossiers/{code}/portal")).await;
    assert!(t["calls"][0]["answer_message"].as_str().unwrap().contains("LGSP login refused"), "{t}");
    assert!(!t.to_string().contains("sai\""), "the password never shows: {t}");

    // The right one: the dossier and its steps go out as DongBoHoSoMC and CapNhatTienDoHoSoMC.
    let services = app.services.clone().with_portal(Arc::new(lgsp("mat-khau-lgsp")));
    app.clock.set(app.services.now() + SignedDuration::from_hours(2));
    assert_eq!(services.national_portal.send_due(10).await.unwrap().synced, 1);
    let rec = peer.recorded();
    assert_eq!(rec.violations, Vec::<String>::new());
    assert_eq!(rec.versions_of(&code).len(), 1);
    assert_eq!(rec.steps_of(&code).last().map(|s| s.0.as_str()), Some("10"));
    let kinds: Vec<&str> = rec.calls.iter().map(|c| c.kind.as_str()).collect();
    assert_eq!(kinds.first(), Some(&"lgsp/DongBoHoSoMC"));
    assert!(kinds.contains(&"lgsp/CapNhatTienDoHoSoMC"), "{kinds:?}");
    // The adapter forgets the session: the next call logs in again by itself.
    peer.expire_sessions();
    act(&desk, &code, json!({"action": "request_correction", "correct": "receiver", "receiver": "Phạm Văn Năm Anh", "reason": "Sai tên"})).await;
    let leader = app.api_as("anphu.lanhdao").await;
    act(&leader, &code, json!({"action": "approve_correction", "reason": "Đúng"})).await;
    assert_eq!(services.national_portal.send_due(10).await.unwrap().synced, 1);
    let rec = peer.recorded();
    assert_eq!(rec.versions_of(&code).len(), 2);
    assert!(rec.versions_of(&code)[1].update);
}

macro_rules! both {
    ($($name:ident),*) => {
        mod sqlite { $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)] async fn $name() { super::$name(motcua_testkit::Backend::Sqlite).await } )* }
        mod postgres { $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)] async fn $name() { super::$name(motcua_testkit::Backend::Postgres).await } )* }
    };
}

both!(
    desk_dossiers_reach_the_peer_once_in_order_even_when_it_was_down,
    online_dossiers_come_in_once_with_files_deadline_and_supplements,
    pushes_need_the_token_and_bad_dossiers_are_named,
    reconciliation_names_the_cells_that_differ_and_the_dossiers_behind_them,
    an_operator_resends_a_dossier_given_up_after_repeated_failures,
    the_lgsp_service_transport_logs_in_and_renews_its_session,
    two_senders_never_tell_the_portal_the_same_steps,
    the_citizen_withdraws_on_the_portal_and_a_refused_file_is_no_supplement
);
