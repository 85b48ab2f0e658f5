//! The national portal's outbox on both backends: every change the portal must hear of is
//! queued in the same transaction as its events, and nothing else is.

mod common;

use motcua_app::ports::PortalReads;
use motcua_testkit::{TestClient, app_tests};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn post(c: &TestClient, path: &str, body: Value) -> Value {
    let r = c.post_json(path, &body).await;
    assert!(r.status().is_success(), "{path} {body}: {}", r.status());
    r.json().await.unwrap()
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
}
