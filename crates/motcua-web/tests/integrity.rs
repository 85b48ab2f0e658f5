//! Integrity of the hash chains on a real database: whoever drops the triggers and rewrites
//! history is caught by `verify_integrity` (what `motcua audit verify` runs), by the periodic
//! checkpoint, and before any further action on the dossier. Every test runs on SQLite and on
//! PostgreSQL.

mod common;

use motcua_app::integrity::CheckpointOutcome;
use motcua_app::ports::{AuditReads, DossierReads, IntegrityReads};
use motcua_domain::audit::ChainBreak;
use motcua_domain::dossier::chain::DossierBreak;
use motcua_domain::integrity::{AnchorBreak, AnchorReason};
use motcua_store::Backend;
use motcua_testkit::{TestApp, TestClient, app_tests};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn intake(c: &TestClient, name: &str) -> String {
    let r = c
        .post_json(
            "/api/v1/dossiers",
            &json!({"procedure_code": "1.001193", "agency_code": "H99.301", "channel": "desk",
                    "applicant": {"kind": "person", "full_name": name, "id_number": "001203004567"}, "accept": true}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    r.json::<Value>().await.unwrap()["code"].as_str().unwrap().to_owned()
}

async fn act(c: &TestClient, code: &str, body: Value) -> (StatusCode, Value) {
    let r = c.post_json(&format!("/api/v1/dossiers/{code}/actions"), &body).await;
    let s = r.status();
    (s, r.json().await.unwrap_or(Value::Null))
}

/// A dossier taken in by the desk, processed and approved by the leader.
async fn approved_dossier(app: &TestApp, name: &str) -> String {
    let desk = app.api_as("anphu.motcua").await;
    let code = intake(&desk, name).await;
    assert_eq!(act(&desk, &code, json!({"action": "forward"})).await.0, StatusCode::OK);
    let specialist = app.api_as("anphu.chuyenvien").await;
    assert_eq!(act(&specialist, &code, json!({"action": "forward"})).await.0, StatusCode::OK);
    let leader = app.api_as("anphu.lanhdao").await;
    let (s, v) = act(&leader, &code, json!({"action": "approve"})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    code
}

async fn sql(app: &TestApp, statement: &str) {
    app.db.db.execute_unchecked(statement).await.unwrap_or_else(|e| panic!("{statement}: {e}"));
}

/// What a database administrator does first: remove the append-only triggers.
async fn drop_guards(app: &TestApp) {
    let statements: &[&str] = match app.db.backend {
        Backend::Sqlite => &[
            "DROP TRIGGER dossier_events_no_update",
            "DROP TRIGGER dossier_events_no_delete",
            "DROP TRIGGER audit_log_no_update",
            "DROP TRIGGER audit_log_no_delete",
            "DROP TRIGGER integrity_anchors_no_update",
            "DROP TRIGGER integrity_anchors_no_delete",
        ],
        Backend::Postgres => &[
            "DROP TRIGGER dossier_events_no_update ON dossier_events",
            "DROP TRIGGER audit_log_no_update ON audit_log",
            "DROP TRIGGER integrity_anchors_no_update ON integrity_anchors",
        ],
    };
    for s in statements {
        sql(app, s).await;
    }
}

async fn dossier_id(app: &TestApp, code: &str) -> i64 {
    app.db.db.dossier_id_by_code(code).await.unwrap().unwrap()
}

async fn anchored(app: &TestApp) -> motcua_domain::integrity::Anchor {
    match app.services.integrity.checkpoint(AnchorReason::Manual).await.unwrap() {
        CheckpointOutcome::Anchored(a) => a,
        other => panic!("expected an anchor, got {other:?}"),
    }
}

async fn failure(app: &TestApp) -> motcua_app::integrity::IntegrityFailure {
    app.services.integrity.verify_integrity(&[]).await.unwrap().expect_err("verification must fail")
}

/// The admins' alert, once per distinct failure.
async fn alerts(app: &TestApp) -> Vec<Value> {
    let (_, v) = app.api_as("admin").await.json("/api/v1/notifications").await;
    v["items"].as_array().unwrap().iter().filter(|n| n["kind"] == "integrity_alert").cloned().collect()
}

app_tests! {
    async fn an_intact_installation_verifies_and_anchors(app) {
        let first = approved_dossier(&app, "Nguyễn Văn An").await;
        let second = intake(&app.api_as("anphu.motcua").await, "Lê Thị Bình").await;
        let a1 = anchored(&app).await;
        assert_eq!((a1.seq, a1.facts.dossiers), (1, 2));
        assert!(a1.facts.audit_seq > 0);
        let report = app.services.integrity.verify_integrity(&[]).await.unwrap().expect("intact");
        assert_eq!((report.dossiers, report.anchors), (2, 1));
        assert!(report.anchors_authenticated);
        assert!(report.events >= 6, "{report:?}");
        // Work goes on; the next anchor covers it and chains to the first.
        let desk = app.api_as("anphu.motcua").await;
        assert_eq!(act(&desk, &second, json!({"action": "forward"})).await.0, StatusCode::OK);
        let a2 = anchored(&app).await;
        assert_eq!(a2.seq, 2);
        assert_eq!(a2.prev_mac, a1.mac);
        assert_ne!(a2.facts.heads_digest, a1.facts.heads_digest);
        let (_, v) = app.api_as("anphu.lanhdao").await.json(&format!("/api/v1/dossiers/{first}")).await;
        assert_eq!(v["status"], 4);
        let report = app.services.integrity.verify_integrity(&[]).await.unwrap().expect("intact");
        assert_eq!(report.newest_anchor.unwrap().seq, 2);
        assert!(alerts(&app).await.is_empty());
    }

    async fn a_rewritten_fact_is_caught_with_the_dossier_and_event_named(app) {
        let code = approved_dossier(&app, "Nguyễn Văn An").await;
        let id = dossier_id(&app, &code).await;
        drop_guards(&app).await;
        // The applicant's name in the submitted event.
        sql(&app, &format!("UPDATE dossier_events SET body = replace(body, 'Nguyễn Văn An', 'Trần Văn Giả') WHERE dossier_id = {id} AND seq = 1")).await;
        let f = failure(&app).await;
        assert_eq!(f.to_string().split(':').next().unwrap(), format!("hồ sơ {code}, sự kiện 1"));
        assert!(matches!(f, motcua_app::integrity::IntegrityFailure::Dossier { problem: DossierBreak::Altered { seq: 1 }, .. }), "{f:?}");
        // The periodic checkpoint finds it too, anchors nothing and tells the administrators.
        assert!(matches!(app.services.integrity.checkpoint(AnchorReason::Periodic).await.unwrap(), CheckpointOutcome::Broken(_)));
        assert!(app.db.db.last_anchor().await.unwrap().is_none());
        let a = alerts(&app).await;
        assert_eq!(a.len(), 1);
        assert!(a[0]["body"].as_str().unwrap().contains(&code), "{a:?}");
        assert_eq!(a[0]["kind_label"], "Cảnh báo toàn vẹn dữ liệu");
        // Found again, it is not announced again.
        app.services.integrity.checkpoint(AnchorReason::Periodic).await.unwrap();
        assert_eq!(alerts(&app).await.len(), 1);
    }

    async fn a_rewritten_row_is_caught(app) {
        let code = approved_dossier(&app, "Nguyễn Văn An").await;
        // The queryable row says "returned" while the events say "processing".
        sql(&app, &format!("UPDATE dossiers SET status = 10 WHERE code = '{code}'")).await;
        let f = failure(&app).await;
        assert!(f.to_string().contains("status"), "{f}");
    }

    async fn a_deleted_tail_is_caught_and_blocks_the_next_action(app) {
        let code = approved_dossier(&app, "Nguyễn Văn An").await;
        let id = dossier_id(&app, &code).await;
        let (_, before) = app.api_as("anphu.lanhdao").await.json(&format!("/api/v1/dossiers/{code}")).await;
        let last = before["last_seq"].as_i64().unwrap();
        anchored(&app).await;
        drop_guards(&app).await;
        // The approval is deleted and the row put back as it was before, so that the leader
        // may approve again.
        sql(&app, &format!("DELETE FROM dossier_events WHERE dossier_id = {id} AND seq = {last}")).await;
        sql(&app, &format!("UPDATE dossiers SET last_seq = {} WHERE id = {id}", last - 1)).await;
        let f = failure(&app).await;
        assert!(
            matches!(&f, motcua_app::integrity::IntegrityFailure::Dossier { problem: DossierBreak::Truncated { found, verified }, .. } if *found == last - 1 && *verified == last),
            "{f:?}"
        );
        let leader = app.api_as("anphu.lanhdao").await;
        let (s, v) = act(&leader, &code, json!({"action": "approve"})).await;
        assert_eq!((s, v["code"].as_str()), (StatusCode::CONFLICT, Some("integrity_error")), "{v}");
        assert_eq!(alerts(&app).await.len(), 1);
        // Who may not see the dossier learns nothing of it.
        let (s, _) = act(&app.api_as("binhminh.lanhdao").await, &code, json!({"action": "approve"})).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
    }

    async fn a_changed_head_blocks_the_next_action_even_before_any_anchor(app) {
        let code = approved_dossier(&app, "Nguyễn Văn An").await;
        let id = dossier_id(&app, &code).await;
        drop_guards(&app).await;
        sql(&app, &format!("UPDATE dossier_events SET reason = 'sửa ngầm' WHERE dossier_id = {id} AND seq = (SELECT MAX(seq) FROM dossier_events WHERE dossier_id = {id})")).await;
        let (s, v) = act(&app.api_as("anphu.vanthu").await, &code, json!({"action": "issue_result", "number": "1/QĐ", "signed_on": "23/11/2026", "signer": "A"})).await;
        assert_eq!((s, v["code"].as_str()), (StatusCode::CONFLICT, Some("integrity_error")), "{v}");
    }

    async fn the_audit_tail_deleted_or_rewritten_is_caught_against_the_anchor(app) {
        approved_dossier(&app, "Nguyễn Văn An").await;
        let a = anchored(&app).await;
        drop_guards(&app).await;
        // Rewritten, every hash recomputed as anyone can: plain hashes alone cannot tell.
        let entries = app.db.db.audit_entries_after(a.facts.audit_seq - 2, 10).await.unwrap();
        let mut prev = entries[0].prev_hash.clone();
        for e in &entries[..2] {
            let mut event = e.event.clone();
            event.detail = Some("không có gì xảy ra".into());
            let sealed = motcua_domain::audit::seal(e.seq, event, &prev);
            sql(&app, &format!("UPDATE audit_log SET detail = 'không có gì xảy ra', prev_hash = '{}', hash = '{}' WHERE seq = {}", sealed.prev_hash, sealed.hash, e.seq)).await;
            prev = sealed.hash;
        }
        assert!(app.services.audit.verify_audit(None).await.unwrap().is_ok(), "the plain chain still links");
        let f = failure(&app).await;
        assert_eq!(f, motcua_app::integrity::IntegrityFailure::Audit(ChainBreak::AnchorMismatch { seq: a.facts.audit_seq }), "{f}");

        // Deleted: the log now ends before the anchored entry.
        sql(&app, &format!("DELETE FROM audit_log WHERE seq >= {}", a.facts.audit_seq - 1)).await;
        let f = failure(&app).await;
        assert_eq!(f, motcua_app::integrity::IntegrityFailure::Audit(ChainBreak::Truncated { found: a.facts.audit_seq - 2, anchor: a.facts.audit_seq }));
        assert!(matches!(app.services.integrity.checkpoint(AnchorReason::Periodic).await.unwrap(), CheckpointOutcome::Broken(_)));
    }

    async fn verified_heads_and_anchors_cannot_be_rewritten_without_the_key(app) {
        let code = approved_dossier(&app, "Nguyễn Văn An").await;
        let id = dossier_id(&app, &code).await;
        let dir = motcua_testkit::TempDir::new("motcua-anchors");
        let export = dir.path.join("anchors.jsonl");
        let services = app.services.clone().with_anchor_sink(std::sync::Arc::new(motcua_store::files::FileAnchorSink::new(&export)));
        for _ in 0..3 {
            assert!(matches!(services.integrity.checkpoint(AnchorReason::Periodic).await.unwrap(), CheckpointOutcome::Anchored(_)));
        }
        let exported = motcua_store::files::FileAnchorSink::read(&export).unwrap();
        assert_eq!(exported.len(), 3);
        assert!(services.integrity.verify_integrity(&exported).await.unwrap().is_ok());
        drop_guards(&app).await;

        // The newest anchor removed: the chain of anchors is fine, the exported copy is not.
        sql(&app, "DELETE FROM integrity_anchors WHERE seq = 3").await;
        assert!(services.integrity.verify_integrity(&[]).await.unwrap().is_ok());
        assert_eq!(
            services.integrity.verify_integrity(&exported).await.unwrap().unwrap_err(),
            motcua_app::integrity::IntegrityFailure::Anchors(AnchorBreak::MissingFromDatabase { seq: 3 })
        );
        // An anchor's facts changed: its MAC no longer holds.
        sql(&app, "UPDATE integrity_anchors SET dossiers = 7 WHERE seq = 2").await;
        assert_eq!(
            services.integrity.verify_integrity(&[]).await.unwrap().unwrap_err(),
            motcua_app::integrity::IntegrityFailure::Anchors(AnchorBreak::Forged { seq: 2 })
        );
        sql(&app, "DELETE FROM integrity_anchors WHERE seq = 2").await;

        // A verified head moved back (as whoever hides a removed tail must, having rewritten
        // the events and the row to match): the heads no longer give the digest the anchor
        // vouches for.
        let last: i64 = app.db.db.dossier_heads(0, 10).await.unwrap()[0].last_seq;
        let prev: String = app.db.db.stored_events_of(&[id]).await.unwrap()[(last - 2) as usize].hash.clone();
        sql(&app, &format!("UPDATE integrity_heads SET seq = {}, hash = '{prev}' WHERE dossier_id = {id}", last - 1)).await;
        assert_eq!(
            services.integrity.verify_integrity(&[]).await.unwrap().unwrap_err(),
            motcua_app::integrity::IntegrityFailure::VerifiedHeads { anchor: 1 }
        );
        assert!(matches!(services.integrity.checkpoint(AnchorReason::Periodic).await.unwrap(), CheckpointOutcome::Broken(_)));
    }
}
