//! The national portal link against the conformance peer (`tests/portal-peer`), over HTTP, on
//! both backends: what goes out (every HoSo version and step, in order, once; nothing lost
//! while the peer is down) and what comes in (pushed and pulled online dossiers, idempotent on
//! the portal's code, with their files, reception deadline and supplements).

use std::sync::Arc;

use jiff::SignedDuration;
use motcua_integrations::national_portal::{RestPortal, RestPortalSettings};
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
        timeout: std::time::Duration::from_secs(5),
    })
    .expect("rest portal");
    let app = TestApp::spawn_with_portal(backend, Arc::new(rest)).await;
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
    let desk = app.api_as("anphu.motcua").await;
    let (_, q) = desk.json("/api/v1/dossiers?queue=online").await;
    assert_eq!(q["items"].as_array().map(Vec::len), Some(0), "nothing kept from a rejected dossier");
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
    pushes_need_the_token_and_bad_dossiers_are_named
);
