//! Administration journeys: the agency tree and accounts, through the API and the pages, with
//! their history and audit trail.

mod common;

use common::{agency, codes};
use motcua_app::ports::Store;
use motcua_testkit::app::csrf_from_html;
use motcua_testkit::app_tests;
use reqwest::StatusCode;
use serde_json::{Value, json};

app_tests! {
    async fn agency_lifecycle_through_the_api(app) {
        let admin = app.api_as("anphu.admin").await;
        let commune = agency(&app, "H99.301").await;
        let before = app.audit_count().await;

        // Every problem of a bad body is reported at once, by field.
        let r = admin.post_json("/api/v1/agencies", &json!({"parent_id": commune.id, "code": "h99 x", "name": " ", "level": "district", "valid_from": "2025-07-01", "valid_to": "2025-06-30"})).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let b: Value = r.json().await.unwrap();
        assert_eq!(b["code"], "validation_failed");
        let fields: Vec<&str> = b["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
        assert_eq!(fields, ["code", "name", "level", "valid_to"]);

        // A commune cannot hold a commune.
        let r = admin.post_json("/api/v1/agencies", &json!({"parent_id": commune.id, "code": "H99.301.05", "name": "Xã con", "level": "commune"})).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json::<Value>().await.unwrap()["fields"][0]["code"], "not_allowed_here");

        let r = admin.post_json("/api/v1/agencies", &json!({"parent_id": commune.id, "code": "h99.301.05", "name": "Tổ Một cửa lưu động", "level": "one_stop_desk", "valid_from": "01/12/2026", "reason": "Quyết định số 12/QĐ-UBND"})).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let created: Value = r.json().await.unwrap();
        assert_eq!(created["code"], "H99.301.05", "codes are upper-cased");
        assert_eq!(created["valid_from"], "2026-12-01");
        let id = created["id"].as_i64().unwrap();

        let r = admin.post_json("/api/v1/agencies", &json!({"parent_id": commune.id, "code": "H99.301.05", "name": "Trùng mã", "level": "department"})).await;
        assert_eq!(r.status(), StatusCode::CONFLICT);
        let b: Value = r.json().await.unwrap();
        assert_eq!(b["code"], "duplicate_code");
        assert_eq!(b["fields"][0]["field"], "code");

        // Rename with the current version; a second writer holding the old version is refused.
        let rename = json!({"version": 1, "parent_id": commune.id, "code": "H99.301.05", "name": "Tổ Một cửa lưu động xã An Phú", "level": "one_stop_desk", "valid_from": "2026-12-01", "effective_date": "2027-01-01", "reason": "Đổi tên theo Quyết định số 20/QĐ-UBND"});
        let r = admin.put_json(&format!("/api/v1/agencies/{id}"), &rename).await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.json::<Value>().await.unwrap()["version"], 2);
        let r = admin.put_json(&format!("/api/v1/agencies/{id}"), &rename).await;
        assert_eq!(r.status(), StatusCode::CONFLICT);
        assert_eq!(r.json::<Value>().await.unwrap()["code"], "stale_version");

        // A commune with active units cannot be ended; the unit can.
        let r = admin.post_json(&format!("/api/v1/agencies/{}/deactivate", commune.id), &json!({"version": commune.version})).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "the commune's own admin cannot end the commune (its parent is out of scope)");
        let province = app.api_as("admin").await;
        let r = province.post_json(&format!("/api/v1/agencies/{}/deactivate", commune.id), &json!({"version": commune.version})).await;
        assert_eq!(r.status(), StatusCode::CONFLICT);
        assert_eq!(r.json::<Value>().await.unwrap()["code"], "has_active_children");
        let r = admin.post_json(&format!("/api/v1/agencies/{id}/deactivate"), &json!({"version": 2, "valid_to": "2027-06-30", "reason": "Giải thể"})).await;
        assert_eq!(r.status(), StatusCode::OK);
        let (_, list) = admin.json("/api/v1/agencies?format=flat").await;
        assert!(!codes(&list).contains(&"H99.301.05".to_owned()));
        let r = admin.post_json(&format!("/api/v1/agencies/{id}/activate"), &json!({"version": 3})).await;
        assert_eq!(r.status(), StatusCode::OK);

        let (_, history) = admin.json(&format!("/api/v1/agencies/{id}/history")).await;
        let h = history["items"].as_array().unwrap();
        assert_eq!(h.len(), 4);
        assert_eq!(h[0]["reason"], "Quyết định số 12/QĐ-UBND");
        assert_eq!(h[1]["name"], "Tổ Một cửa lưu động xã An Phú");
        assert_eq!(h[1]["effective_date"], "2027-01-01");
        assert_eq!(h[2]["active"], false);
        assert_eq!(h[2]["effective_date"], "2027-06-30");
        assert_eq!(h[3]["changed_by"], "anphu.admin");

        // Ten state-changing requests and the province token's issuance: eleven audit entries,
        // and the chain is intact.
        assert_eq!(app.audit_count().await, before + 11);
        let (_, audit) = province.json("/api/v1/audit?action=agency.&limit=20").await;
        let actions: Vec<&str> = audit["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
        assert_eq!(actions, ["agency.activate", "agency.deactivate", "agency.update", "agency.create"]);
        assert_eq!(audit["items"][3]["actor_role"], "admin");
        assert_eq!(audit["items"][3]["actor_unit_id"], commune.id.0);
        assert!(app.services.audit.verify_audit(None).await.unwrap().is_ok());
    }

    async fn moving_an_agency_moves_its_subtree(app) {
        let admin = app.api_as("admin").await;
        let an_phu = agency(&app, "H99.301").await;
        let tan_lap = agency(&app, "H99.303").await;
        let culture = agency(&app, "H99.301.03").await;
        let r = admin.put_json(&format!("/api/v1/agencies/{}", culture.id), &json!({"version": 1, "parent_id": tan_lap.id, "code": "H99.301.03", "name": culture.name, "level": "department"})).await;
        assert_eq!(r.status(), StatusCode::OK);
        let moved = agency(&app, "H99.301.03").await;
        assert_eq!(moved.path, tan_lap.path.child(moved.id));
        // The An Phú specialist whose grant is on that unit follows it: still sees it, and the
        // An Phú desk officer no longer does.
        let (_, seen) = app.api_as("anphu.motcua").await.json("/api/v1/agencies?format=flat").await;
        assert!(!codes(&seen).contains(&"H99.301.03".to_owned()));
        let (_, seen) = app.api_as("anphu.chuyenvien").await.json("/api/v1/agencies?format=flat").await;
        assert_eq!(codes(&seen), ["H99.301.03"]);
        // Cycles are refused.
        let r = admin.put_json(&format!("/api/v1/agencies/{}", an_phu.id), &json!({"version": 1, "parent_id": an_phu.id, "code": "H99.301", "name": an_phu.name, "level": "commune"})).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }

    async fn agency_pages_create_edit_and_show_history(app) {
        let c = app.login("anphu.admin").await;
        let commune = agency(&app, "H99.301").await;
        let html = c.get("/admin/agencies/new").await.text().await.unwrap();
        assert!(html.contains("Mã định danh điện tử") && html.contains("Ủy ban nhân dân xã An Phú (H99.301)"));
        assert!(!html.contains("phường Bình Minh"), "only manageable parents are offered");
        // Invalid form comes back with the typed values and field messages.
        let r = c.post_form("/admin/agencies", &[("parent_id", &commune.id.to_string()), ("code", "H99-301-6"), ("name", "Tổ lưu động"), ("level", "department")]).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.text().await.unwrap();
        assert!(html.contains("value=\"H99-301-6\"") && html.contains("chỉ gồm chữ in hoa"));
        let r = c.post_form("/admin/agencies", &[("parent_id", &commune.id.to_string()), ("code", "H99.301.06"), ("name", "Tổ lưu động"), ("level", "department"), ("reason", "Thí điểm")]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let location = r.headers()["location"].to_str().unwrap().to_owned();
        let html = c.get(&location).await.text().await.unwrap();
        assert!(html.contains("Đã thêm cơ quan.") && html.contains("Thí điểm") && html.contains("Lịch sử thay đổi"));
        let id = agency(&app, "H99.301.06").await.id;
        let r = c.post_form(&format!("/admin/agencies/{id}"), &[("version", "1"), ("parent_id", &commune.id.to_string()), ("code", "H99.301.06"), ("name", "Tổ Một cửa lưu động"), ("level", "department")]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(agency(&app, "H99.301.06").await.name, "Tổ Một cửa lưu động");
        let r = c.post_form(&format!("/admin/agencies/{id}/status"), &[("version", "2"), ("active", "false"), ("reason", "Kết thúc thí điểm")]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert!(!agency(&app, "H99.301.06").await.active);
        // The historic district shows as history for the province.
        let p = app.login("admin").await;
        let html = p.get("/admin/agencies?inactive=1").await.text().await.unwrap();
        assert!(html.contains("Ủy ban nhân dân huyện Bắc Sơn") && html.contains("30/06/2025"));
    }

    async fn account_administration_journey(app) {
        let admin = app.login("anphu.admin").await;
        let desk = agency(&app, "H99.301.01").await;
        let commune = agency(&app, "H99.301").await;
        let bm = agency(&app, "H99.302").await;
        // Granting outside one's scope is refused, per row.
        let r = admin.post_form("/admin/users", &[
            ("username", "anphu.motcua2"), ("full_name", "Lê Thị Mới"), ("agency_id", &desk.id.to_string()),
            ("role", "desk_officer"), ("grant_agency_id", &bm.id.to_string()),
        ]).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().await.unwrap().contains("Bạn không được phân quyền tại"));
        let r = admin.post_form("/admin/users", &[
            ("username", "AnPhu.MotCua2"), ("full_name", "Lê Thị Mới"), ("title", "Công chức một cửa"), ("email", "moi@anphu.example.vn"), ("agency_id", &desk.id.to_string()),
            ("role", "desk_officer"), ("grant_agency_id", &commune.id.to_string()), ("role", ""), ("grant_agency_id", ""),
        ]).await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()["cache-control"], "no-store");
        let html = r.text().await.unwrap();
        let marker = "<code class=\"big\">";
        let start = html.find(marker).unwrap() + marker.len();
        let password = html[start..start + html[start..].find('<').unwrap()].to_owned();
        assert_eq!(password.len(), 19);

        // The new official must change the one-time password first.
        let mut newbie = app.browser();
        let r = newbie.post_form("/login", &[("username", "anphu.motcua2"), ("password", &password)]).await;
        assert_eq!(r.headers()["location"], "/account/password");
        let r = newbie.get("/app").await;
        assert_eq!(r.headers()["location"], "/account/password");
        let html = newbie.get("/account/password").await.text().await.unwrap();
        newbie.csrf = csrf_from_html(&html);
        let r = newbie.post_form("/account/password", &[("current_password", &password), ("new_password", "short"), ("confirm_password", "short")]).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().await.unwrap().contains("ít nhất 10 ký tự"));
        let r = newbie.post_form("/account/password", &[("current_password", &password), ("new_password", "Hoa-sen-no-2026"), ("confirm_password", "Hoa-sen-no-2026")]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(r.headers()["location"], "/app?msg=password_changed");
        let html = newbie.get("/app?msg=password_changed").await.text().await.unwrap();
        assert!(html.contains("Đã đổi mật khẩu") && html.contains("Ủy ban nhân dân xã An Phú"));

        // Deactivation ends the official's sessions at once.
        let user = app.services.accounts.find_user(&motcua_domain::account::Username::parse("anphu.motcua2").unwrap()).await.unwrap().unwrap();
        let r = admin.post_form(&format!("/admin/users/{}", user.id), &[
            ("version", &user.version.to_string()), ("full_name", "Lê Thị Mới"), ("agency_id", &desk.id.to_string()),
        ]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(newbie.get("/app").await.status(), StatusCode::SEE_OTHER);
        let r = newbie.post_form("/login", &[("username", "anphu.motcua2"), ("password", "Hoa-sen-no-2026")]).await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

        // Nobody edits their own grants.
        let me = app.services.accounts.find_user(&motcua_domain::account::Username::parse("anphu.admin").unwrap()).await.unwrap().unwrap();
        let r = admin.post_form(&format!("/admin/users/{}/grants", me.id), &[("role", "admin"), ("grant_agency_id", &commune.id.to_string())]).await;
        assert_eq!(r.status(), StatusCode::CONFLICT);
    }

    async fn api_tokens_from_the_account_page(app) {
        let c = app.login("anphu.lanhdao").await;
        let r = c.post_form("/account/tokens", &[("name", "Báo cáo tự động"), ("expires_in_days", "30")]).await;
        assert_eq!(r.status(), StatusCode::OK);
        let html = r.text().await.unwrap();
        let start = html.find("mct_").unwrap();
        let token = html[start..start + 47].to_owned();
        let api = reqwest::Client::new();
        let me: Value = api.get(app.url("/api/v1/me")).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
        assert_eq!(me["username"], "anphu.lanhdao");
        assert_eq!(me["grants"][0]["role"], "leader");
        let record = app.services.accounts.api_tokens_of(motcua_domain::account::UserId(me["id"].as_i64().unwrap())).await.unwrap();
        let r = c.post_form(&format!("/account/tokens/{}/revoke", record[0].id), &[]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let r = api.get(app.url("/api/v1/me")).bearer_auth(&token).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(r.json::<Value>().await.unwrap()["code"], "invalid_token");
    }

    async fn operators_see_jobs_and_retry_dead_ones(app) {

        let meta = motcua_app::context::RequestMeta::cli();
        app.services.jobs.enqueue_ping(motcua_app::context::Actor::System { label: "test" }, 2, 0, &meta).await.unwrap();
        let worker = app.services.worker(app.services.standard_jobs());
        assert_eq!(worker.run_pending().await.unwrap().succeeded, 2);
        // A job of an unknown kind is never claimed by this worker; a broken payload dies.
        let mut tx = app.db.db.begin().await.unwrap();
        tx.enqueue_job(&motcua_app::jobs::new_job("diagnostics.ping", &json!({"delay_ms": "soon"}), app.services.now(), 1, None).unwrap(), app.services.now()).await.unwrap();
        tx.commit().await.unwrap();
        let s = worker.run_pending().await.unwrap();
        assert_eq!((s.succeeded, s.failed), (0, 1));
        let c = app.login("admin").await;
        let html = c.get("/admin/jobs").await.text().await.unwrap();
        assert!(html.contains("Thất bại (cần xử lý)") && html.contains("diagnostics.ping") && html.contains("invalid type"));
        let (_, jobs) = app.api_as("admin").await.json("/api/v1/jobs?status=dead").await;
        let id = jobs["items"][0]["id"].as_i64().unwrap();
        let r = c.post_form(&format!("/admin/jobs/{id}/retry"), &[]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let (_, detail) = app.api_as("admin").await.json(&format!("/api/v1/jobs/{id}")).await;
        assert_eq!(detail["status"], "pending");
        assert_eq!(detail["attempts_log"].as_array().unwrap().len(), 1);
    }
}
