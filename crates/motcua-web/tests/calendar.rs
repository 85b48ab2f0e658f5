//! The legal calendar over HTTP: public queries, editing a year (versioned, audited, refused
//! outside a province-wide grant), agencies' office hours and the admin month grid.

mod common;

use common::agency;
use motcua_testkit::app_tests;
use reqwest::StatusCode;
use serde_json::{Value, json};

fn dates(list: &Value) -> Vec<&str> {
    list.as_array().unwrap().iter().map(|d| d["date"].as_str().unwrap()).collect()
}

app_tests! {
    async fn public_calendar_queries_need_no_login(app) {
        let web = app.browser();
        let (s, v) = web.json("/api/v1/calendar/lunar?solar=2026-02-17").await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(v, json!({"solar":"2026-02-17","lunar_day":1,"lunar_month":1,"lunar_year":2026,"leap":false}));
        let (_, v) = web.json("/api/v1/calendar/lunar?lunar=2025-06-01&leap=true").await;
        assert_eq!(v["solar"], "2025-07-25");
        let (_, v) = web.json("/api/v1/calendar/lunar?lunar=1985-01-01").await;
        assert_eq!(v["solar"], "1985-01-21", "Vietnam's Tết 1985, a month before China's");

        // Dates that do not exist are refused with the reason.
        let (s, v) = web.json("/api/v1/calendar/lunar?lunar=2025-12-30").await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
        assert_eq!(v["code"], "invalid_query");
        assert!(v["message"].as_str().unwrap().contains("chỉ có 29 ngày"), "{v}");
        let (s, v) = web.json("/api/v1/calendar/lunar?lunar=2026-05-01&leap=true").await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
        assert!(v["message"].as_str().unwrap().contains("không có tháng 5 nhuận"), "{v}");
        let (s, _) = web.json("/api/v1/calendar/lunar?solar=1899-12-31").await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
        let (s, v) = web.json("/api/v1/calendar/lunar").await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
        assert_eq!(v["fields"][0]["code"], "exactly_one");

        let (s, v) = web.json("/api/v1/calendar/holidays?year=2026").await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(
            dates(&v["days_off"]),
            ["2026-01-01", "2026-02-16", "2026-02-17", "2026-02-18", "2026-02-19", "2026-02-20", "2026-04-27", "2026-04-30", "2026-05-01", "2026-08-31", "2026-09-01", "2026-09-02", "2026-11-24"]
        );
        assert_eq!(dates(&v["working_weekend_days"]), ["2026-08-22"]);
        assert!(v["days_off"][1]["source"].as_str().unwrap().contains("9441/TB-BNV"));
        let (s, _) = web.json("/api/v1/calendar/holidays?year=2300").await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
        let (s, _) = web.json("/api/v1/calendar/holidays?year=abc").await;
        assert_eq!(s, StatusCode::BAD_REQUEST);

        let (s, v) = web.json("/api/v1/calendar/due?start=2026-02-13T16:00:00%2B07:00&duration=3&unit=working_days").await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["due"], "2026-02-25T16:00:00+07:00", "due after the Tết break");
        assert_eq!(v["working_minutes"], 1440);
        let (_, v) = web.json("/api/v1/calendar/due?start=2025-12-31T01:00:00Z&duration=5&unit=working_days").await;
        assert_eq!(v["due"], "2026-01-08T08:00:00+07:00", "1/1/2026 is a holiday");
        let (_, v) = web.json("/api/v1/calendar/due?start=2026-03-02T15:30:00%2B07:00&unit=same_day&cutoff=15:00").await;
        assert_eq!(v["due"], "2026-03-03T17:00:00+07:00");
        let (_, v) = web.json("/api/v1/calendar/due?start=2026-02-13T16:00:00%2B07:00&duration=3&unit=working_days&counting=civil_days").await;
        assert_eq!(v["due"], "2026-02-25T17:00:00+07:00");

        let (s, v) = web.json("/api/v1/calendar/due?start=2026-02-13T16:00&duration=3&unit=working_days").await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
        assert_eq!(v["fields"][0]["code"], "missing_offset");
        let (s, v) = web.json("/api/v1/calendar/due?start=2026-02-13T16:00:00%2B07:00&duration=3&unit=weeks").await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
        assert_eq!(v["fields"][0]["field"], "unit");
        let (s, v) = web.json("/api/v1/calendar/due?start=2026-02-13T16:00:00%2B07:00&duration=0&unit=working_days").await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
        assert_eq!(v["fields"][0]["field"], "duration");
        let (s, v) = web.json("/api/v1/calendar/due?start=2026-02-13T16:00:00%2B07:00&duration=2&unit=working_days&agency=H99.999").await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
        assert_eq!(v["fields"][0]["field"], "agency");

        let (_, doc) = web.json("/api/v1/openapi.json").await;
        for path in ["/api/v1/calendar/lunar", "/api/v1/calendar/holidays", "/api/v1/calendar/due", "/api/v1/calendar/years/{year}", "/api/v1/agencies/{id}/schedule"] {
            assert!(doc["paths"].get(path).is_some(), "{path} documented");
        }
    }

    async fn editing_a_year_is_versioned_audited_and_province_wide_only(app) {
        let commune_admin = app.api_as("anphu.admin").await;
        let admin = app.api_as("admin").await;
        let before = app.audit_count().await;
        let entry = |date: &str, kind: &str, name: &str| json!({"date": date, "kind": kind, "name": name, "source": "Thông báo 1/TB-BNV"});

        let (s, y) = admin.json("/api/v1/calendar/years/2027").await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(y["origin"], "statutory");
        assert_eq!(y["revision"], 0);
        let mut entries: Vec<Value> = y["entries"].as_array().unwrap().clone();
        entries.push(entry("2027-03-08", "off", "Nghỉ theo quyết định của tỉnh"));

        let r = commune_admin.put_json("/api/v1/calendar/years/2027", &json!({"entries": entries, "reason": "x", "base_revision": 0})).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "a commune cannot change the province's calendar");

        // Every bad row is named, by its own position; nothing is saved. What cannot be read
        // (a date, a kind) comes back first, all of it; then what the table may not say.
        let bad = json!({"entries": [entry("2027-02-31", "off", "a"), entry("2027-03-03", "working", "b"), entry("2027-03-04", "maybe", "c")], "reason": " ", "base_revision": 0});
        let r = admin.put_json("/api/v1/calendar/years/2027", &bad).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let v: Value = r.json().await.unwrap();
        let fields: Vec<&str> = v["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
        assert_eq!(fields, ["entries[0].date", "entries[2].kind"], "{v}");
        let readable = json!({"entries": [entry("2027-03-02", "off", "a"), entry("2027-03-03", "working", "b")], "reason": " ", "base_revision": 0});
        let r = admin.put_json("/api/v1/calendar/years/2027", &readable).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let v: Value = r.json().await.unwrap();
        let fields: Vec<&str> = v["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
        assert_eq!(fields, ["reason", "entries[1].kind"], "a working Wednesday is named where it stands: {v}");
        let (_, h) = admin.json("/api/v1/calendar/years/2027/history").await;
        assert!(h["items"].as_array().unwrap().is_empty());

        // Friday 05/03/2027 + 1 working day is Monday, until Monday becomes a day off.
        let q = "/api/v1/calendar/due?start=2027-03-05T09:00:00%2B07:00&duration=1&unit=working_days";
        assert_eq!(app.browser().json(q).await.1["due"], "2027-03-08T09:00:00+07:00");
        let r = admin.put_json("/api/v1/calendar/years/2027", &json!({"entries": entries, "reason": "Quyết định 5/QĐ-UBND", "base_revision": 0})).await;
        assert_eq!(r.status(), StatusCode::OK);
        let saved: Value = r.json().await.unwrap();
        assert_eq!(saved["origin"], "edited");
        let revision = saved["revision"].as_i64().unwrap();
        assert!(revision > 0);
        assert_eq!(app.browser().json(q).await.1["due"], "2027-03-09T09:00:00+07:00");

        // A second editor who loaded the year before the save is refused.
        let r = admin.put_json("/api/v1/calendar/years/2027", &json!({"entries": [], "reason": "ghi đè", "base_revision": 0})).await;
        assert_eq!(r.status(), StatusCode::CONFLICT);
        assert_eq!(r.json::<Value>().await.unwrap()["code"], "stale_version");

        let (_, h) = admin.json("/api/v1/calendar/years/2027/history").await;
        let items = h["items"].as_array().unwrap();
        assert_eq!(items.len(), 1);
        assert_eq!(items[0]["changed_dates"], json!(["2027-03-08"]));
        assert_eq!(items[0]["changed_by"], "admin");

        let r = admin.post_json("/api/v1/calendar/years/2027/reset", &json!({"reason": "Nhập nhầm", "base_revision": revision})).await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.json::<Value>().await.unwrap()["origin"], "statutory");
        assert_eq!(app.browser().json(q).await.1["due"], "2027-03-08T09:00:00+07:00");
        let (_, h) = admin.json("/api/v1/calendar/years/2027/history").await;
        assert_eq!(h["items"].as_array().unwrap().len(), 2, "the history keeps both revisions");

        let (_, audit) = admin.json("/api/v1/audit?action=calendar.&limit=10").await;
        let actions: Vec<&str> = audit["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
        assert!(actions.contains(&"calendar.year.update") && actions.contains(&"calendar.year.reset"), "{actions:?}");
        // Refused, unreadable, invalid, saved, stale, reset: one audit entry each.
        assert_eq!(app.audit_count().await, before + 6);
    }

    async fn office_hours_are_set_per_agency_and_inherited(app) {
        let commune = agency(&app, "H99.301").await;
        let other = agency(&app, "H99.302").await;
        let admin = app.api_as("anphu.admin").await;
        let (s, v) = admin.json(&format!("/api/v1/agencies/{}/schedule", commune.id)).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(v["version"], 0);
        assert_eq!(v["inherited_from"], Value::Null);
        assert_eq!(v["description"], "07:30–11:30, 13:00–17:00");

        let r = admin.put_json(&format!("/api/v1/agencies/{}/schedule", commune.id), &json!({"hours": [["07:30", "11:30"], ["13:00", "16:30"]], "version": 0})).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json::<Value>().await.unwrap()["fields"][0]["code"], "not_eight_hours");

        let summer = json!({"name": "Mùa hè", "from": "01/05", "to": "30/09", "hours": [["07:00", "11:00"], ["13:30", "17:30"]]});
        let body = json!({"hours": [["07:00", "11:30"], ["13:30", "17:00"]], "seasons": [summer], "counting": "working_time", "version": 0});
        let r = admin.put_json(&format!("/api/v1/agencies/{}/schedule", commune.id), &body).await;
        assert_eq!(r.status(), StatusCode::OK);
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["version"], 1);
        assert_eq!(v["inherited_from"], commune.id.0);

        // The commune's one-stop centre inherits the hours: one working hour from 07:00 ends at 08:00.
        let web = app.browser();
        let (_, due) = web.json("/api/v1/calendar/due?start=2026-03-02T07:00:00%2B07:00&duration=1&unit=working_hours&agency=H99.301.01").await;
        assert_eq!(due["due"], "2026-03-02T08:00:00+07:00", "{due}");
        let (_, due) = web.json("/api/v1/calendar/due?start=2026-06-01T16:30:00%2B07:00&duration=1&unit=working_hours&agency=H99.301.01").await;
        assert_eq!(due["due"], "2026-06-01T17:30:00+07:00", "summer hours close at 17:30");
        let (_, due) = web.json("/api/v1/calendar/due?start=2026-03-02T07:00:00%2B07:00&duration=1&unit=working_hours&agency=H99.302.01").await;
        assert_eq!(due["due"], "2026-03-02T08:30:00+07:00", "another commune keeps the default");

        // Another commune's admin can neither see nor change these hours.
        let other_admin = app.api_as("admin").await;
        let binhminh = app.api_as("binhminh.lanhdao").await;
        let (s, _) = binhminh.json(&format!("/api/v1/agencies/{}/schedule", commune.id)).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let r = admin.put_json(&format!("/api/v1/agencies/{}/schedule", other.id), &body).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND);

        let r = admin.send_json(reqwest::Method::DELETE, &format!("/api/v1/agencies/{}/schedule?version=0", commune.id), &json!({})).await;
        assert_eq!(r.status(), StatusCode::CONFLICT);
        let r = other_admin.send_json(reqwest::Method::DELETE, &format!("/api/v1/agencies/{}/schedule?version=1", commune.id), &json!({})).await;
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        let (_, due) = web.json("/api/v1/calendar/due?start=2026-03-02T07:00:00%2B07:00&duration=1&unit=working_hours&agency=H99.301.01").await;
        assert_eq!(due["due"], "2026-03-02T08:30:00+07:00");
    }

    async fn the_month_grid_and_the_edit_form(app) {
        let desk = app.login("anphu.motcua").await;
        let page = desk.get("/admin/calendar?year=2026").await;
        assert_eq!(page.status(), StatusCode::OK);
        let html = page.text().await.unwrap();
        assert!(html.contains("Tết Nguyên đán (mùng 1 tháng Giêng)"));
        assert!(html.contains("Thông báo 9441/TB-BNV"));
        assert!(html.contains("Tháng 12"));
        assert!(!html.contains("Lưu phiên bản mới"), "only province administrators edit");
        let r = desk.post_form("/admin/calendar/2026", &[("rows", "0"), ("reason", "x"), ("base_revision", "0")]).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);

        let admin = app.login("admin").await;
        let html = admin.get("/admin/calendar?year=2028").await.text().await.unwrap();
        assert!(html.contains("Lưu phiên bản mới"));
        assert!(html.contains("Mặc định theo Bộ luật Lao động"));
        // A bad row comes back with its message and the typed values.
        let r = admin.post_form("/admin/calendar/2028", &[("rows", "1"), ("date_0", "03/03/2028"), ("kind_0", "working"), ("name_0", "Làm bù"), ("source_0", "TB"), ("reason", "Thông báo năm 2028"), ("base_revision", "0")]).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.text().await.unwrap();
        assert!(html.contains("chỉ Thứ Bảy hoặc Chủ nhật"), "{html}");
        let r = admin.post_form("/admin/calendar/2028", &[("rows", "1"), ("date_0", "04/03/2028"), ("kind_0", "working"), ("name_0", "Làm bù"), ("source_0", "TB 1/TB-BNV"), ("reason", "Thông báo năm 2028"), ("base_revision", "0")]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(r.headers()["location"], "/admin/calendar?year=2028&msg=calendar_saved");
        let html = admin.get("/admin/calendar?year=2028&msg=calendar_saved").await.text().await.unwrap();
        assert!(html.contains("Đã lưu lịch nghỉ"));
        assert!(html.contains("Đã được quản trị viên cập nhật"));
        assert!(html.contains("TB 1/TB-BNV"));

        let html = admin.get(&format!("/admin/agencies/{}/schedule", agency(&app, "H99.301").await.id)).await.text().await.unwrap();
        assert!(html.contains("Lưu giờ làm việc"));
    }
}
