//! Scoping: an official of one commune can neither read nor change another commune's data,
//! through the API or through pages; every demo role sees a home page scoped to its units.
//! Every test runs on SQLite and on PostgreSQL.

mod common;

use common::{agency, codes};
use motcua_app::demo::DEMO_USERS;
use motcua_testkit::app_tests;
use reqwest::StatusCode;
use serde_json::json;

app_tests! {
    async fn communes_and_departments_cannot_reach_the_provinces_own_dossiers(app) {
        let code = common::province_held_dossier(&app).await;
        let (s, v) = app.api_as("tinh.lanhdao").await.json(&format!("/api/v1/dossiers/{code}")).await;
        assert_eq!(s, StatusCode::OK, "the province's leader sees it: {v}");
        let (s, _) = app.api_as("tinh.motcua").await.json(&format!("/api/v1/dossiers/{code}")).await;
        assert_eq!(s, StatusCode::OK, "the province's service centre receives for the province");
        let today = "23/11/2026";
        for user in ["binhminh.motcua", "anphu.chuyenvien", "anphu.lanhdao", "sotuphap.chuyenvien", "sotuphap.lanhdao"] {
            let c = app.api_as(user).await;
            let (s, v) = c.json(&format!("/api/v1/dossiers/{code}")).await;
            assert_eq!(s, StatusCode::NOT_FOUND, "{user}: {v}");
            assert!(!v.to_string().contains("001203009999"));
            let (s, v) = c.json(&format!("/api/v1/dossiers?queue=all&q={code}")).await;
            assert_eq!(s, StatusCode::OK);
            assert!(v["items"].as_array().unwrap().is_empty(), "{user}: {v}");
            let (s, v) = c.json("/api/v1/dossiers?queue=all&q=Tran%20Thi%20Tinh").await;
            assert!(s == StatusCode::OK && v["items"].as_array().unwrap().is_empty(), "{user}: {v}");
            let r = c.get(&format!("/api/v1/dossiers/{code}/forms/01")).await;
            assert_eq!(r.status(), StatusCode::NOT_FOUND, "{user}");
            let r = c.get(&format!("/api/v1/dossier-register?agency=H99&from={today}&to={today}")).await;
            assert_eq!(r.status(), StatusCode::NOT_FOUND, "{user}");
            assert!(!r.text().await.unwrap().contains("Tỉnh"));
            let r = c.post_json(&format!("/api/v1/dossiers/{code}/actions"), &json!({"action": "forward"})).await;
            assert_eq!(r.status(), StatusCode::NOT_FOUND, "{user}");
            let page = app.login(user).await;
            assert_eq!(page.get(&format!("/ho-so/{code}")).await.status(), StatusCode::NOT_FOUND, "{user}");
            let list = page.get("/ho-so?q=Tran+Thi+Tinh").await.text().await.unwrap();
            assert!(!list.contains(&code), "{user}");
        }
        // Nothing moved.
        let (_, v) = app.api_as("tinh.lanhdao").await.json(&format!("/api/v1/dossiers/{code}")).await;
        assert_eq!(v["status"], 2);
    }

    async fn api_shows_each_official_only_their_subtree(app) {
        let desk = app.api_as("anphu.motcua").await;
        let (s, body) = desk.json("/api/v1/agencies?format=flat").await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(codes(&body), ["H99.301", "H99.301.01", "H99.301.02", "H99.301.03", "H99.301.04"]);
        // Tree format nests the same agencies.
        let (_, tree) = desk.json("/api/v1/agencies").await;
        assert_eq!(tree["items"].as_array().unwrap().len(), 1);
        assert_eq!(tree["items"][0]["children"].as_array().unwrap().len(), 4);

        let province = app.api_as("admin").await;
        let (_, all) = province.json("/api/v1/agencies?format=flat").await;
        assert_eq!(codes(&all).len(), 27, "the province sees every active agency");
        let (_, with_history) = province.json("/api/v1/agencies?format=flat&include_inactive=true").await;
        assert!(codes(&with_history).contains(&"000.00.21.H99".to_owned()), "the abolished district is history");
        assert!(!codes(&all).contains(&"000.00.21.H99".to_owned()));
    }

    async fn another_communes_agency_is_invisible_and_unchangeable_through_the_api(app) {
        let bm = agency(&app, "H99.302").await;
        let bm_desk = agency(&app, "H99.302.01").await;
        let anphu_admin = app.api_as("anphu.admin").await;
        let (s, body) = anphu_admin.json(&format!("/api/v1/agencies/{}", bm.id)).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        assert_eq!(body["code"], "not_found");
        let (s, _) = anphu_admin.json(&format!("/api/v1/agencies/{}/history", bm.id)).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let before = app.audit_count().await;
        let r = anphu_admin
            .put_json(&format!("/api/v1/agencies/{}", bm_desk.id), &json!({"version": 1, "parent_id": bm.id, "code": "H99.302.01", "name": "Bị đổi tên", "level": "one_stop_desk"}))
            .await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        let r = anphu_admin.post_json("/api/v1/agencies", &json!({"parent_id": bm.id, "code": "H99.302.99", "name": "Chen ngang", "level": "department"})).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        assert_eq!(r.json::<serde_json::Value>().await.unwrap()["code"], "out_of_scope");
        let r = anphu_admin.post_json(&format!("/api/v1/agencies/{}/deactivate", bm_desk.id), &json!({"version": 1})).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        // Nothing changed, and each refused request left exactly one audit entry.
        assert_eq!(agency(&app, "H99.302.01").await, bm_desk);
        assert_eq!(app.audit_count().await, before + 3);
    }

    async fn another_communes_users_are_invisible(app) {
        let leader = app.api_as("anphu.lanhdao").await;
        let (s, body) = leader.json("/api/v1/users").await;
        assert_eq!(s, StatusCode::OK);
        let names: Vec<&str> = body["items"].as_array().unwrap().iter().map(|u| u["username"].as_str().unwrap()).collect();
        assert!(names.iter().all(|n| n.starts_with("anphu.")), "{names:?}");
        assert!(names.contains(&"anphu.motcua"));
        let bm_user = app.services.accounts.find_user(&motcua_domain::account::Username::parse("binhminh.motcua").unwrap()).await.unwrap().unwrap();
        let (s, _) = leader.json(&format!("/api/v1/users/{}", bm_user.id)).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        // A desk officer may not list accounts at all.
        let (s, body) = app.api_as("anphu.motcua").await.json("/api/v1/users").await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        assert_eq!(body["code"], "forbidden");
    }

    async fn pages_refuse_another_communes_data(app) {
        let bm = agency(&app, "H99.302").await;
        let bm_desk = agency(&app, "H99.302.01").await;
        let c = app.login("anphu.admin").await;
        let r = c.get(&format!("/admin/agencies/{}", bm.id)).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        assert!(r.text().await.unwrap().contains("Không tìm thấy"));
        assert_eq!(c.get(&format!("/admin/agencies/{}/edit", bm_desk.id)).await.status(), StatusCode::NOT_FOUND);
        let r = c
            .post_form(&format!("/admin/agencies/{}", bm_desk.id), &[("version", "1"), ("parent_id", &bm.id.to_string()), ("code", "H99.302.01"), ("name", "Bị đổi tên"), ("level", "one_stop_desk")])
            .await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        let r = c.post_form("/admin/agencies", &[("parent_id", &bm.id.to_string()), ("code", "H99.302.77"), ("name", "Chen ngang"), ("level", "department")]).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        assert_eq!(agency(&app, "H99.302.01").await.name, bm_desk.name);
        let list = c.get("/admin/agencies").await.text().await.unwrap();
        assert!(list.contains("Ủy ban nhân dân xã An Phú") && !list.contains("Bình Minh"));
        let users = c.get("/admin/users").await.text().await.unwrap();
        assert!(users.contains("anphu.motcua") && !users.contains("binhminh."));
        // Operating the installation needs a province-wide grant.
        assert_eq!(c.get("/admin/jobs").await.status(), StatusCode::FORBIDDEN);
    }

    async fn every_demo_official_sees_a_home_page_scoped_to_their_units(app) {
        // Demo codes are hierarchical, so "covers" is a code-prefix relation here.
        let covers = |grant: &str, code: &str| code == grant || code.starts_with(&format!("{grant}."));
        let units = ["H99", "H99.02", "H99.10", "H99.301", "H99.301.03", "H99.302", "H99.302.04", "H99.303", "H99.304"];
        for u in DEMO_USERS {
            let c = app.login(u.username).await;
            let r = c.get("/app").await;
            assert_eq!(r.status(), StatusCode::OK, "{}", u.username);
            let html = r.text().await.unwrap();
            assert!(html.contains(u.full_name), "{} greeting", u.username);
            for (role, _) in u.grants {
                assert!(html.contains(role.label_vi()), "{} role", u.username);
            }
            for code in units {
                let expected = u.grants.iter().any(|(_, g)| covers(g, code));
                let shown = html.contains(&format!("<span class=\"code\">{code}</span>"));
                assert_eq!(shown, expected, "{} and unit {code}", u.username);
            }
        }
    }
}
