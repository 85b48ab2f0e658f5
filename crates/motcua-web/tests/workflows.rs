//! Workflow definitions over HTTP on both backends: the demo workflows route dossiers through
//! their units (a commune's office, a department resolving for the province's desk), admins
//! define, validate, export and import them, and an interagency workflow passes a dossier to
//! another agency whose officials then act on it.

mod common;

use jiff::SignedDuration;
use motcua_testkit::{TestClient, app_tests};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn post(c: &TestClient, path: &str, body: Value) -> (StatusCode, Value) {
    let r = c.post_json(path, &body).await;
    let s = r.status();
    (s, r.json().await.unwrap_or(Value::Null))
}

async fn intake(c: &TestClient, procedure: &str, agency: &str, txn: &str) -> Value {
    let (s, d) = post(
        c,
        "/api/v1/dossiers",
        json!({
            "procedure_code": procedure, "agency_code": agency, "channel": "desk",
            "applicant": {"kind": "person", "full_name": "Nguyễn Văn An", "id_number": "001203004567"},
            "client_txn_id": txn, "accept": true
        }),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    d
}

async fn act(c: &TestClient, code: &str, body: Value) -> (StatusCode, Value) {
    post(c, &format!("/api/v1/dossiers/{code}/actions"), body).await
}

fn step_agencies(d: &Value) -> Vec<String> {
    d["steps"].as_array().unwrap().iter().map(|s| s["agency"]["code"].as_str().unwrap().to_owned()).collect()
}

fn field_codes(e: &Value) -> Vec<String> {
    e["fields"]
        .as_array()
        .map(|f| f.iter().map(|x| x["code"].as_str().unwrap().to_owned()).collect())
        .unwrap_or_default()
}

app_tests! {
    async fn demo_workflows_route_dossiers_through_their_units(app) {
        // A commune procedure with a timed workflow: processed by the commune's own office (.03).
        let desk = app.api_as("anphu.motcua").await;
        let d = intake(&desk, "2.000908", "H99.301", "w-1").await;
        let code = d["code"].as_str().unwrap().to_owned();
        assert_eq!(step_agencies(&d), ["H99.301", "H99.301.03", "H99.301", "H99.301", "H99.301"]);
        assert_eq!(d["steps"][1]["budget"], "4 giờ làm việc");
        // The intake step has one working hour: due at 10:00.
        assert_eq!(d["current_step"]["due_at"], "2026-11-23T10:00:00+07:00");
        let (s, v) = act(&desk, &code, json!({"action": "forward"})).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(v["current_step"]["agency"]["code"], "H99.301.03");
        // 2½ hours until the 11:30 break, 1½ after 13:00.
        assert_eq!(v["current_step"]["due_at"], "2026-11-23T14:30:00+07:00", "4 working hours from 09:00");
        let specialist = app.api_as("anphu.chuyenvien").await;
        let (_, q) = specialist.json("/api/v1/dossiers?queue=to_process").await;
        assert_eq!(q["items"][0]["code"], code.as_str());

        // The province's desk receives the judicial record certificate; the Department of
        // Justice resolves it, so the code carries its e-ID and its people do the work.
        let centre = app.api_as("tinh.motcua").await;
        let d = intake(&centre, "3.000333", "H99.02", "w-2").await;
        let code = d["code"].as_str().unwrap().to_owned();
        assert!(code.starts_with("H99.10-261123-"), "{code}");
        assert_eq!(d["resolving_agency"]["code"], "H99.10");
        assert_eq!(step_agencies(&d), ["H99.02", "H99.10", "H99.10", "H99.10", "H99.02"]);
        let (s, _) = act(&centre, &code, json!({"action": "forward"})).await;
        assert_eq!(s, StatusCode::OK);
        let justice = app.api_as("sotuphap.chuyenvien").await;
        let (_, q) = justice.json("/api/v1/dossiers?queue=to_process").await;
        assert_eq!(q["items"][0]["code"], code.as_str());
        let (s, _) = act(&centre, &code, json!({"action": "forward"})).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "the desk cannot do the department's step");
        let (s, _) = act(&justice, &code, json!({"action": "forward"})).await;
        assert_eq!(s, StatusCode::OK);
        // A commune official never sees it.
        let (s, _) = app.api_as("anphu.lanhdao").await.json(&format!("/api/v1/dossiers/{code}")).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
    }

    async fn admins_define_check_export_and_import_workflows(app) {
        let admin = app.api_as("admin").await;
        let (s, list) = admin.json("/api/v1/workflows").await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(list.as_array().unwrap().len(), 2, "the demo's two: {list}");

        let hours = |h: u32| json!({"amount": h, "unit": "working_hours"});
        let step = |kind: &str, role: &str, unit: Option<&str>, budget: Value| {
            let mut s = json!({"kind": kind, "name": format!("Bước {kind}"), "role": role, "budget": budget});
            if let Some(u) = unit { s["unit"] = json!(u); }
            s
        };
        // Budgets that do not fill the legal time (1 working day = 8 hours) are refused.
        let short = json!({"procedure": "2.000908", "agency": "H99.302", "step": [
            step("intake", "desk_officer", None, hours(1)), step("process", "specialist", Some(".04"), hours(2)),
            step("approve", "leader", None, hours(2)), step("issue", "clerk", None, hours(1)), step("return", "desk_officer", None, Value::Null)
        ]});
        let (s, e) = post(&admin, "/api/v1/workflows", short.clone()).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(field_codes(&e), ["budget_mismatch"], "{e}");
        // Wrong shapes, roles, procedures and units are named.
        let (_, e) = post(&admin, "/api/v1/workflows", json!({"procedure": "9.999999", "step": [
            step("approve", "desk_officer", Some("H99.77"), Value::Null), step("intake", "desk_officer", None, Value::Null),
            step("issue", "clerk", None, Value::Null)
        ]})).await;
        let codes = field_codes(&e);
        assert!(codes.contains(&"not_in_force".to_owned()) && codes.contains(&"not_found".to_owned()), "{e}");
        let mut fixed = short.clone();
        fixed["step"][1]["budget"] = hours(4);
        let (s, w) = post(&admin, "/api/v1/workflows", fixed.clone()).await;
        assert_eq!(s, StatusCode::OK, "{w}");
        assert_eq!((w["agency"].as_str(), w["version"].as_i64(), w["timed"].as_bool()), (Some("H99.302"), Some(1), Some(true)));
        let (s, e) = post(&admin, "/api/v1/workflows", fixed.clone()).await;
        assert_eq!((s, e["code"].as_str()), (StatusCode::CONFLICT, Some("duplicate_workflow")));
        fixed["version"] = json!(1);
        fixed["step"][1]["name"] = json!("Phòng Kinh tế thẩm định");
        let (s, w2) = post(&admin, "/api/v1/workflows", fixed.clone()).await;
        assert_eq!((s, w2["version"].as_i64()), (StatusCode::OK, Some(2)));
        let (s, e) = post(&admin, "/api/v1/workflows", fixed.clone()).await;
        assert_eq!((s, e["code"].as_str()), (StatusCode::CONFLICT, Some("stale_version")));
        // Bình Minh's dossiers now follow it; An Phú's keep the province-wide one.
        let d = intake(&app.api_as("binhminh.motcua").await, "2.000908", "H99.302", "w-3").await;
        assert_eq!(d["steps"][1]["agency"]["code"], "H99.302.04");
        assert_eq!(d["steps"][1]["name"], "Phòng Kinh tế thẩm định");

        // Export, then import the same file: nothing changes; one bad entry rejects the file.
        let r = admin.get("/api/v1/workflows/export").await;
        assert_eq!(r.status(), StatusCode::OK);
        let text = r.text().await.unwrap();
        assert!(text.contains("[[workflow]]") && text.contains("procedure = \"3.000333\"") && text.contains("[[workflow.step]]"), "{text}");
        let r = admin.send_text("/api/v1/workflows/import", &text).await;
        assert_eq!(r.status(), StatusCode::OK);
        let summary: Value = r.json().await.unwrap();
        assert_eq!(summary, json!({"created": 0, "updated": 0, "unchanged": 3}));
        let broken = text.replacen("kind = \"approve\"", "kind = \"approve\"\nunit = \"H99.77\"", 1)
            + "\n[[workflow]]\nprocedure = \"1.001193\"\n[[workflow.step]]\nkind = \"intake\"\nname = \"x\"\nrole = \"desk_officer\"\n";
        let r = admin.send_text("/api/v1/workflows/import", &broken).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let e: Value = r.json().await.unwrap();
        assert!(e["fields"].as_array().unwrap().iter().any(|f| f["field"].as_str().unwrap().starts_with("workflow[")), "{e}");
        let (_, after) = admin.json("/api/v1/workflows").await;
        assert_eq!(after.as_array().unwrap().len(), 3, "nothing imported");
        let r = admin.send_text("/api/v1/workflows/import", "[[workflow]\nprocedure=").await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().await.unwrap().contains("dòng 1"));

        // A commune's admin defines its own agency's workflows only.
        let commune_admin = app.api_as("anphu.admin").await;
        let mut own = fixed.clone();
        own["agency"] = json!("H99.301");
        own["step"][1]["unit"] = json!(".03");
        own.as_object_mut().unwrap().remove("version");
        let (s, _) = post(&commune_admin, "/api/v1/workflows", own.clone()).await;
        assert_eq!(s, StatusCode::OK);
        own.as_object_mut().unwrap().remove("agency");
        let (s, _) = post(&commune_admin, "/api/v1/workflows", own.clone()).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "not for every agency");
        let (s, _) = app.api_as("anphu.motcua").await.json("/api/v1/workflows").await;
        assert_eq!(s, StatusCode::FORBIDDEN);

        // Deleting needs the version read.
        let id = w2["id"].as_i64().unwrap();
        assert_eq!(admin.delete(&format!("/api/v1/workflows/{id}?version=1")).await.status(), StatusCode::CONFLICT);
        assert_eq!(admin.delete(&format!("/api/v1/workflows/{id}?version=2")).await.status(), StatusCode::NO_CONTENT);
    }

    async fn an_interagency_dossier_passes_to_another_agency_and_back(app) {
        let admin = app.api_as("admin").await;
        let hours = |h: u32| json!({"amount": h, "unit": "working_hours"});
        let (s, w) = post(&admin, "/api/v1/workflows", json!({"procedure": "1.001193", "agency": "H99.301", "step": [
            {"kind": "intake", "name": "Tiếp nhận", "role": "desk_officer", "budget": hours(1)},
            {"kind": "process", "name": "Công chức tư pháp - hộ tịch xã thẩm định", "role": "specialist", "unit": ".03", "budget": hours(2)},
            {"kind": "process", "name": "Sở Tư pháp cho ý kiến (liên thông)", "role": "specialist", "unit": "H99.10", "budget": hours(2)},
            {"kind": "approve", "name": "Chủ tịch UBND xã ký", "role": "leader", "budget": hours(1)},
            {"kind": "issue", "name": "Văn thư", "role": "clerk", "budget": hours(1)},
            {"kind": "return", "name": "Trả kết quả", "role": "desk_officer"}
        ]})).await;
        assert_eq!(s, StatusCode::OK, "{w}");
        // The department keeps other office hours than the commune.
        let department = common::agency(&app, "H99.10").await;
        let r = admin
            .put_json(&format!("/api/v1/agencies/{}/schedule", department.id), &json!({"hours": [["07:00", "11:00"], ["13:00", "17:00"]], "version": 0}))
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        let desk = app.api_as("anphu.motcua").await;
        let d = intake(&desk, "1.001193", "H99.301", "i-1").await;
        let code = d["code"].as_str().unwrap().to_owned();
        assert!(code.starts_with("H99.301-"), "the commune resolves: {code}");
        act(&desk, &code, json!({"action": "forward"})).await;
        let commune = app.api_as("anphu.chuyenvien").await;
        app.clock.advance(SignedDuration::from_mins(135));
        let (s, v) = act(&commune, &code, json!({"action": "forward"})).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(v["current_step"]["agency"]["code"], "H99.10");
        assert_eq!(v["status"], 4, "one citizen-facing status while another agency works");
        // Handed over at 11:15, after the department's morning: its 2 hours run 13:00–15:00
        // (on the commune's hours they would end at 14:45).
        assert!(v["current_step"]["due_at"].as_str().unwrap().starts_with("2026-11-23T15:00"), "{}", v["current_step"]);
        let clocks = v["agency_clocks"].as_array().unwrap();
        assert_eq!(clocks.len(), 2, "{clocks:?}");
        assert_eq!(clocks[0]["agency"]["code"], "H99.301");
        assert_eq!((clocks[0]["budget_minutes"].as_i64(), clocks[0]["used_minutes"].as_i64()), (Some(300), Some(135)));
        assert_eq!((clocks[0]["state"].as_str(), clocks[0]["timeliness"].as_str()), (Some("passed"), Some("in_time")));
        assert_eq!(clocks[1]["agency"]["code"], "H99.10");
        assert_eq!((clocks[1]["state"].as_str(), clocks[1]["budget_minutes"].as_i64()), (Some("holding"), Some(120)));
        // The department's specialist finds it, the commune's specialist can no longer act.
        let justice = app.api_as("sotuphap.chuyenvien").await;
        let (_, q) = justice.json("/api/v1/dossiers?queue=to_process").await;
        assert_eq!(q["items"][0]["code"], code.as_str());
        let (s, _) = act(&commune, &code, json!({"action": "forward"})).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        app.clock.advance(SignedDuration::from_hours(1));
        let (s, v) = act(&justice, &code, json!({"action": "forward"})).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(v["current_step"]["kind"], "approve");
        assert_eq!(v["current_step"]["agency"]["code"], "H99.301");
        // 11:15–12:15 is outside the department's hours: it used none of its time.
        let clocks = v["agency_clocks"].as_array().unwrap();
        assert_eq!((clocks[1]["state"].as_str(), clocks[1]["used_minutes"].as_i64()), (Some("finished"), Some(0)));
        assert_eq!(clocks[1]["timeliness"], "on_time", "{clocks:?}");
        assert_eq!(clocks[0]["state"], "holding");
        let page = app.login("sotuphap.chuyenvien").await.get(&format!("/ho-so/{code}")).await.text().await.unwrap();
        assert!(page.contains("Thời gian theo từng cơ quan (liên thông)") && page.contains("Đã xong — đúng hạn"), "{page}");
        // The control sheet records the hand-over to and from the department.
        let units: Vec<&str> = v["steps"].as_array().unwrap().iter().map(|s| s["agency"]["code"].as_str().unwrap()).collect();
        assert!(units.contains(&"H99.10"));
        assert_eq!(v["hand_overs"].as_array().unwrap().len(), 4, "{}", v["hand_overs"]);
        // The department still sees the dossier it worked on; other communes do not.
        let (s, _) = justice.json(&format!("/api/v1/dossiers/{code}")).await;
        assert_eq!(s, StatusCode::OK);
        let (s, _) = app.api_as("binhminh.lanhdao").await.json(&format!("/api/v1/dossiers/{code}")).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
    }

    async fn the_workflow_pages_edit_in_the_text_format(app) {
        let admin = app.login("admin").await;
        let html = admin.get("/admin/workflows").await.text().await.unwrap();
        assert!(html.contains("2.000908") && html.contains("Công chức Phòng Văn hóa - Xã hội thẩm định"), "{html}");
        let form = admin.get("/admin/workflows/new").await.text().await.unwrap();
        assert!(form.contains("[[workflow.step]]"), "{form}");
        let r = admin.post_form("/admin/workflows", &[("definition", "[[workflow]]\nprocedure = \"2.000908\"\nstep = 3\n")]).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().await.unwrap().contains("dòng 3"));
        let good = "[[workflow]]\nprocedure = \"1.001193\"\nagency = \"H99.303\"\n\
            [[workflow.step]]\nkind = \"intake\"\nname = \"Tiếp nhận\"\nrole = \"desk_officer\"\n\
            [[workflow.step]]\nkind = \"approve\"\nname = \"Duyệt\"\nrole = \"leader\"\n\
            [[workflow.step]]\nkind = \"issue\"\nname = \"Ban hành\"\nrole = \"clerk\"\n\
            [[workflow.step]]\nkind = \"return\"\nname = \"Trả\"\nrole = \"desk_officer\"\n";
        let r = admin.post_form("/admin/workflows", &[("definition", good)]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let html = admin.get("/admin/workflows").await.text().await.unwrap();
        assert!(html.contains("Ủy ban nhân dân xã Tân Lập"), "{html}");
        // Deleting from a stale page is refused on the form, and the workflow stays.
        let id = r.headers()["location"].to_str().unwrap().rsplit('-').next().unwrap().to_owned();
        let r = admin.post_form(&format!("/admin/workflows/{id}/delete"), &[("version", "7")]).await;
        assert_eq!(r.status(), StatusCode::CONFLICT);
        assert!(r.text().await.unwrap().contains("[[workflow.step]]"), "the editor comes back");
        assert!(admin.get("/admin/workflows").await.text().await.unwrap().contains("Ủy ban nhân dân xã Tân Lập"));
        let r = admin.post_form(&format!("/admin/workflows/{id}/delete"), &[("version", "1")]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert!(!admin.get("/admin/workflows").await.text().await.unwrap().contains("Ủy ban nhân dân xã Tân Lập"));
    }
}
