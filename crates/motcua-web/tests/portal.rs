//! The national portal's outbox on both backends: every change the portal must hear of is
//! queued in the same transaction as its events, and nothing else is.

mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use motcua_app::ports::{PortalReads, PortalTransport};
use motcua_domain::national_portal::{PortalAnswer, PortalDossier, PortalStep, STEP_CHUNK};
use motcua_testkit::{TestClient, app_tests};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn act(c: &TestClient, code: &str, body: Value) -> Value {
    post(c, &format!("/api/v1/dossiers/{code}/actions"), body).await
}

async fn post(c: &TestClient, path: &str, body: Value) -> Value {
    let r = c.post_json(path, &body).await;
    assert!(r.status().is_success(), "{path} {body}: {}", r.status());
    r.json().await.unwrap()
}

/// What a portal received, in order (an in-process stand-in for the transport; the conformance
/// peer over HTTP is in `portal_peer.rs`).
#[derive(Default)]
struct Recorder {
    down: AtomicBool,
    exists_on_create: AtomicBool,
    dossiers: Mutex<Vec<(bool, PortalDossier)>>,
    steps: Mutex<Vec<Vec<PortalStep>>>,
}

#[async_trait::async_trait]
impl PortalTransport for Recorder {
    async fn send_dossier(&self, d: &PortalDossier, update: bool) -> anyhow::Result<PortalAnswer> {
        if self.down.load(Ordering::SeqCst) {
            anyhow::bail!("connection refused");
        }
        if !update && self.exists_on_create.swap(false, Ordering::SeqCst) {
            return Ok(PortalAnswer::AlreadyExists);
        }
        self.dossiers.lock().unwrap().push((update, d.clone()));
        Ok(PortalAnswer::Accepted)
    }

    async fn send_steps(&self, steps: &[PortalStep]) -> anyhow::Result<PortalAnswer> {
        if self.down.load(Ordering::SeqCst) {
            anyhow::bail!("connection refused");
        }
        self.steps.lock().unwrap().push(steps.to_vec());
        Ok(PortalAnswer::Accepted)
    }

    async fn pull_dossiers(&self, _since: Option<jiff::Timestamp>) -> anyhow::Result<Vec<Value>> {
        Ok(Vec::new())
    }

    async fn fetch_file(&self, _url: &str, _max: usize) -> anyhow::Result<Vec<u8>> {
        anyhow::bail!("this recorder serves no files")
    }
}

app_tests! {
    async fn changes_the_portal_must_hear_of_are_queued_with_their_events(app) {
        let desk = app.api_as("anphu.motcua").await;
        let intake = |accept: bool, name: &str| {
            json!({"procedure_code": "1.001193", "agency_code": "H99.301", "channel": "desk",
                   "applicant": {"kind": "person", "full_name": name, "id_number": "001203004567"}, "accept": accept})
        };
        let d = post(&desk, "/api/v1/dossiers", intake(true, "Nguyễn Văn Một")).await;
        let (id, code) = (d["id"].as_i64().unwrap(), d["code"].as_str().unwrap().to_owned());
        let store = &app.db.db;
        let queued = store.portal_queued(id).await.unwrap();
        assert_eq!(queued.iter().map(|q| q.seq).collect::<Vec<_>>(), [d["last_seq"].as_i64().unwrap()], "the acceptance");

        // An assignment is local: nothing new for the portal.
        let v = post(&desk, &format!("/api/v1/dossiers/{code}/actions"), json!({"action": "assign", "assignee": "anphu.motcua"})).await;
        assert_eq!(store.portal_queued(id).await.unwrap().len(), 1, "{v}");
        // A step is queued, under the dossier's last event.
        let v = post(&desk, &format!("/api/v1/dossiers/{code}/actions"), json!({"action": "forward"})).await;
        let queued = store.portal_queued(id).await.unwrap();
        assert_eq!(queued.last().map(|q| q.seq), v["last_seq"].as_i64());
        assert_eq!(queued.len(), 2);

        // Recorded and refused at the desk before it was received: never the portal's.
        let r = post(&desk, "/api/v1/dossiers", intake(false, "Nguyễn Văn Hai")).await;
        let refused = r["id"].as_i64().unwrap();
        let resp = desk.post_json(&format!("/api/v1/dossiers/{refused}/actions"), &json!({"action": "refuse", "items": ["Thiếu giấy tờ"]})).await;
        assert_eq!(resp.status(), StatusCode::OK);
        assert!(store.portal_queued(refused).await.unwrap().is_empty());

        // The sender's queue: the dossier once, at its last queued event.
        let due = store.portal_due(app.services.now(), 100).await.unwrap();
        assert_eq!(due.iter().map(|d| (d.dossier_id, d.seq)).collect::<Vec<_>>(), [(id, v["last_seq"].as_i64().unwrap())]);
    }

    async fn the_sender_tells_the_portal_everything_once_in_order_and_retries_when_it_is_down(app) {
        let desk = app.api_as("anphu.motcua").await;
        let specialist = app.api_as("anphu.chuyenvien").await;
        let leader = app.api_as("anphu.lanhdao").await;
        let clerk = app.api_as("anphu.vanthu").await;
        let d = post(&desk, "/api/v1/dossiers", json!({"procedure_code": "1.001193", "agency_code": "H99.301", "channel": "desk",
            "applicant": {"kind": "person", "full_name": "Nguyễn Văn Ba", "id_number": "001203004567"}, "accept": true})).await;
        let (id, code) = (d["id"].as_i64().unwrap(), d["code"].as_str().unwrap().to_owned());
        act(&desk, &code, json!({"action": "forward"})).await;
        act(&specialist, &code, json!({"action": "forward"})).await;
        act(&leader, &code, json!({"action": "approve"})).await;
        act(&clerk, &code, json!({"action": "issue_result", "number": "1/KQ", "signer": "Trương Văn Lãnh"})).await;
        let last = act(&desk, &code, json!({"action": "return_result", "receiver": "Nguyễn Văn Ba"})).await["last_seq"].as_i64().unwrap();

        let portal = Arc::new(Recorder::default());
        let services = app.services.clone().with_portal(portal.clone());
        // The portal is down: nothing is lost, the call is logged, the retry waits.
        portal.down.store(true, Ordering::SeqCst);
        let round = services.national_portal.send_due(100).await.unwrap();
        assert_eq!((round.synced, round.failed), (0, 1));
        let calls = app.db.db.portal_calls(id).await.unwrap();
        assert_eq!((calls.len(), calls[0].ok, calls[0].answer_code.as_str()), (1, false, "transport"));
        assert!(app.db.db.portal_due(app.services.now(), 100).await.unwrap().is_empty(), "the retry waits its turn");

        // Back up (and claiming to know the dossier already): an update, then every step once.
        portal.down.store(false, Ordering::SeqCst);
        portal.exists_on_create.store(true, Ordering::SeqCst);
        app.clock.set(app.services.now() + jiff::SignedDuration::from_mins(5));
        let round = services.national_portal.send_due(100).await.unwrap();
        assert_eq!((round.synced, round.failed), (1, 0), "{round:?}");
        let dossiers = portal.dossiers.lock().unwrap().clone();
        assert_eq!(dossiers.len(), 1);
        assert!(dossiers[0].0, "sent as an update after 'already exists'");
        assert_eq!((dossiers[0].1.ma_ho_so.as_str(), dossiers[0].1.trang_thai_ho_so.as_str()), (code.as_str(), "10"));
        let chunks = portal.steps.lock().unwrap().clone();
        assert!(chunks.iter().all(|c| !c.is_empty() && c.len() <= STEP_CHUNK));
        let seqs: Vec<i64> = chunks.iter().flatten().map(|s| s.seq).collect();
        assert!(seqs.windows(2).all(|w| w[0] < w[1]), "in order, none twice: {seqs:?}");
        let states: Vec<&str> = chunks.iter().flatten().map(|s| s.trang_thai.as_str()).collect();
        assert_eq!((states.first(), states.last()), (Some(&"2"), Some(&"10")), "{states:?}");
        assert_eq!(seqs.last(), Some(&last));

        // Nothing more to tell; a new change is an update with only the new step.
        assert_eq!(services.national_portal.send_due(100).await.unwrap(), Default::default());
        act(&desk, &code, json!({"action": "request_correction", "correct": "receiver", "receiver": "Nguyễn Văn Bá", "reason": "Sai tên"})).await;
        act(&leader, &code, json!({"action": "approve_correction", "reason": "Đúng"})).await;
        let round = services.national_portal.send_due(100).await.unwrap();
        assert_eq!(round.synced, 1);
        let dossiers = portal.dossiers.lock().unwrap().clone();
        assert_eq!(dossiers.len(), 2);
        assert!(dossiers[1].0);
        assert_eq!(portal.steps.lock().unwrap().iter().flatten().count(), seqs.len(), "a correction is no step");
        let calls = app.db.db.portal_calls(id).await.unwrap();
        assert_eq!(calls.iter().map(|c| (c.call, c.ok)).filter(|c| !c.1).count(), 1, "one failure logged");

        // The timeline, for those who see the dossier: in the API and on its page.
        let (s, t) = desk.json(&format!("/api/v1/dossiers/{code}/portal")).await;
        assert_eq!(s, StatusCode::OK, "{t}");
        assert_eq!(t["calls"].as_array().unwrap().len(), calls.len());
        assert_eq!((t["calls"][0]["ok"].as_bool(), t["calls"][0]["answer_code"].as_str()), (Some(false), Some("transport")));
        assert_eq!((t["sync"]["created"].as_bool(), t["untold"].as_array().map(Vec::len)), (Some(true), Some(0)), "{t}");
        let html = app.login("anphu.motcua").await.get(&format!("/ho-so/{code}")).await.text().await.unwrap();
        assert!(html.contains("Đồng bộ Cổng Dịch vụ công quốc gia") && html.contains("đã nhận đủ các thay đổi"), "{html}");
        assert!(html.contains("Cập nhật tiến độ") && html.contains("transport"), "{html}");
        let other = app.api_as("binhminh.motcua").await;
        assert_eq!(other.json(&format!("/api/v1/dossiers/{code}/portal")).await.0, StatusCode::NOT_FOUND);
    }
}
