//! Statutory reports over HTTP on both backends: a small history built by hand (a supplement
//! round trip, a late dossier with an apology, a withdrawal, a stop, a correction, an
//! interagency dossier, one crossing the period's end, one received on a weekend, one refused,
//! one online) and every cell of Biểu 06 and 06a checked against values worked out by hand;
//! the dossiers behind the numbers, the raw export, the XLSX (opened with openpyxl) and the PDF.

mod common;

use motcua_testkit::{TestApp, TestClient, app_tests};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn post(c: &TestClient, path: &str, body: Value) -> (StatusCode, Value) {
    let r = c.post_json(path, &body).await;
    let s = r.status();
    (s, r.json().await.unwrap_or(Value::Null))
}

async fn put(c: &TestClient, path: &str, body: &Value) -> (StatusCode, Value) {
    let r = c.put_json(path, body).await;
    let s = r.status();
    (s, r.json().await.unwrap_or(Value::Null))
}

async fn ok(c: &TestClient, code: &str, body: Value) -> Value {
    let (s, v) = post(c, &format!("/api/v1/dossiers/{code}/actions"), body.clone()).await;
    assert_eq!(s, StatusCode::OK, "{code} {body}: {v}");
    v
}

fn at(app: &TestApp, when: &str) {
    app.clock.set(format!("{when}:00+07:00").parse::<jiff::Timestamp>().unwrap());
}

/// The officials of the commune An Phú (H99.301).
struct Commune {
    desk: TestClient,
    specialist: TestClient,
    leader: TestClient,
    clerk: TestClient,
}

impl Commune {
    async fn new(app: &TestApp) -> Self {
        Self {
            desk: app.api_as("anphu.motcua").await,
            specialist: app.api_as("anphu.chuyenvien").await,
            leader: app.api_as("anphu.lanhdao").await,
            clerk: app.api_as("anphu.vanthu").await,
        }
    }

    /// Received at the desk now; the dossier as the API answers.
    async fn receive(&self, procedure: &str, channel: &str, name: &str) -> Value {
        let (s, d) = post(
            &self.desk,
            "/api/v1/dossiers",
            json!({"procedure_code": procedure, "agency_code": "H99.301", "channel": channel,
                   "applicant": {"kind": "person", "full_name": name, "id_number": "001203004567"}, "accept": true}),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{d}");
        d
    }

    /// Through the steps to the issued result (status 9).
    async fn resolve(&self, code: &str) -> Value {
        let v = ok(&self.desk, code, json!({"action": "forward"})).await;
        if v["current_step"]["kind"] == "process" {
            ok(&self.specialist, code, json!({"action": "forward"})).await;
        }
        ok(&self.leader, code, json!({"action": "approve"})).await;
        let v = ok(&self.clerk, code, json!({"action": "issue_result", "number": "1/KQ", "signer": "Trương Văn Lãnh"}))
            .await;
        assert_eq!(v["status"], 9, "{v}");
        v
    }
}

fn code(d: &Value) -> String {
    d["code"].as_str().unwrap().to_owned()
}

/// Columns 3–13 of a row.
fn cells(row: &Value) -> [i64; 11] {
    let c = &row["cells"];
    let c = if c.is_null() { row } else { c };
    [
        "total",
        "online",
        "direct",
        "carried_over",
        "resolved",
        "early",
        "on_time",
        "late",
        "pending",
        "in_time",
        "overdue",
    ]
    .map(|k| c[k].as_i64().unwrap_or_else(|| panic!("{k} in {c}")))
}

async fn report(c: &TestClient, query: &str) -> Value {
    let (s, r) = c.json(&format!("/api/v1/reports/06?{query}")).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    r
}

async fn behind(c: &TestClient, query: &str, column: u8) -> Vec<String> {
    let (s, v) = c.json(&format!("/api/v1/reports/06/dossiers?{query}&column={column}&limit=200")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let mut codes: Vec<String> =
        v["items"].as_array().unwrap().iter().map(|d| d["code"].as_str().unwrap().to_owned()).collect();
    codes.sort();
    codes
}

fn sorted(v: &[&String]) -> Vec<String> {
    let mut v: Vec<String> = v.iter().map(|s| (*s).clone()).collect();
    v.sort();
    v
}

app_tests! {
    async fn biểu_06_counts_a_hand_built_history_exactly(app) {
        let c = Commune::new(&app).await;
        // D1: received Thursday 12/11 (before the period) for 1 working day, resolved late on
        // Monday 16/11: carried over, then resolved late.
        at(&app, "2026-11-12T09:00");
        let d1 = code(&c.receive("2.000908", "desk", "Dossier Một").await);
        // D2: received and resolved on 12/11: in no column of the period.
        at(&app, "2026-11-12T09:30");
        let d2 = code(&c.receive("1.001193", "desk", "Dossier Hai").await);
        at(&app, "2026-11-12T10:00");
        c.resolve(&d2).await;
        at(&app, "2026-11-16T10:00");
        let v = c.resolve(&d1).await;
        assert_eq!(v["timeliness"], "late");

        // D3: a supplement round trip; the clock pauses while the applicant holds the dossier.
        at(&app, "2026-11-16T09:00");
        let d3 = code(&c.receive("2.000908", "desk", "Dossier Ba").await);
        ok(&c.desk, &d3, json!({"action": "forward"})).await;
        at(&app, "2026-11-16T10:00");
        ok(&c.specialist, &d3, json!({"action": "request_supplement", "items": ["Bản sao giấy khai sinh"]})).await;
        at(&app, "2026-11-18T08:30");
        let v = ok(&c.desk, &d3, json!({"action": "receive_supplement"})).await;
        let due3 = v["due_at"].as_str().unwrap().to_owned();
        // Due Tuesday 09:00, paused after an hour: the remaining 7 working hours run from
        // Wednesday 08:30.
        assert_eq!(due3, "2026-11-18T17:00:00+07:00", "the paused time moves the due instant");
        at(&app, "2026-11-18T09:00");
        ok(&c.specialist, &d3, json!({"action": "forward"})).await;
        ok(&c.leader, &d3, json!({"action": "approve"})).await;
        let v = ok(&c.clerk, &d3, json!({"action": "issue_result", "number": "3/KQ", "signer": "Trương Văn Lãnh"})).await;
        assert_eq!(v["timeliness"], "on_time", "resolved on its due day");
        // D14: due Thursday 09:00, resolved on Wednesday: early.
        at(&app, "2026-11-25T09:00");
        let d14 = code(&c.receive("2.000908", "desk", "Dossier Mười Bốn").await);
        at(&app, "2026-11-25T14:00");
        assert_eq!(c.resolve(&d14).await["timeliness"], "early");

        // D4: due at 17:00 the day it is received; the head apologises and extends at 16:00;
        // resolved the next day: late whatever the new appointment says.
        at(&app, "2026-11-17T09:00");
        let d4 = code(&c.receive("1.001193", "desk", "Dossier Bốn").await);
        at(&app, "2026-11-17T16:00");
        ok(&c.leader, &d4, json!({"action": "extend", "appointment_at": "18/11/2026 16:00", "signer": "Trương Văn Lãnh", "reason": "Chờ xác minh"})).await;
        at(&app, "2026-11-18T10:00");
        let v = c.resolve(&d4).await;
        assert_eq!(v["timeliness"], "late");

        // D5: withdrawn at the applicant's request; D6: stopped by the head.
        at(&app, "2026-11-19T09:00");
        let d5 = code(&c.receive("2.000908", "desk", "Dossier Năm").await);
        at(&app, "2026-11-19T10:00");
        ok(&c.desk, &d5, json!({"action": "request_withdrawal", "reason": "Đơn xin rút hồ sơ"})).await;
        ok(&c.desk, &d5, json!({"action": "stop"})).await;
        at(&app, "2026-11-19T09:30");
        let d6 = code(&c.receive("2.000908", "desk", "Dossier Sáu").await);
        at(&app, "2026-11-20T09:00");
        let v = ok(&c.leader, &d6, json!({"action": "stop", "reason": "Hồ sơ giả mạo"})).await;
        assert_eq!(v["status"], 8);

        // D7: resolved on time the same day and returned, then the applicant's name corrected
        // with the leader's approval: the counts do not move.
        at(&app, "2026-11-20T09:00");
        let d7 = code(&c.receive("1.001193", "desk", "Dossier Bẩy").await);
        at(&app, "2026-11-20T10:00");
        c.resolve(&d7).await;
        ok(&c.desk, &d7, json!({"action": "return_result", "receiver": "Dossier Bẩy"})).await;
        at(&app, "2026-11-20T11:00");
        let fixed = json!({"kind": "person", "full_name": "Dossier Bảy", "id_number": "001203004567"});
        ok(&c.desk, &d7, json!({"action": "request_correction", "correct": "applicant", "applicant": fixed, "reason": "Sai chính tả"})).await;
        ok(&c.leader, &d7, json!({"action": "approve_correction", "reason": "Đúng theo CCCD"})).await;

        // D8: interagency, received at the province's service centre (H99.02), resolved by the
        // Department of Justice (H99.10): pending at the period's end.
        at(&app, "2026-11-23T09:00");
        let centre = app.api_as("tinh.motcua").await;
        let (s, d) = post(&centre, "/api/v1/dossiers", json!({"procedure_code": "3.000333", "agency_code": "H99.02", "channel": "desk",
            "applicant": {"kind": "person", "full_name": "Dossier Tám", "id_number": "001203004567"}, "accept": true})).await;
        assert_eq!(s, StatusCode::CREATED, "{d}");
        let d8 = code(&d);
        assert_eq!(d["resolving_agency"]["code"], "H99.10", "{d}");

        // D10: received on Saturday 28/11 (a weekend): counted on the day it came, timed from
        // the next working period; resolved on Monday 30/11, the due day: on time.
        at(&app, "2026-11-28T10:00");
        let v = c.receive("1.001193", "desk", "Dossier Mười").await;
        assert_eq!(v["due_at"], "2026-11-30T17:00:00+07:00", "{v}");
        let d10 = code(&v);
        at(&app, "2026-11-30T09:00");
        assert_eq!(c.resolve(&d10).await["timeliness"], "on_time");

        // D11: recorded, then refused at the desk: never received.
        at(&app, "2026-11-25T09:00");
        let (_, d) = post(&c.desk, "/api/v1/dossiers", json!({"procedure_code": "1.001193", "agency_code": "H99.301", "channel": "desk",
            "applicant": {"kind": "person", "full_name": "Dossier Mười Một"}, "accept": false})).await;
        ok(&c.desk, &d["id"].to_string(), json!({"action": "refuse", "items": ["Không thuộc thẩm quyền"]})).await;

        // D12: due 10/12 at 17:00, never resolved: overdue at the end of the period.
        at(&app, "2026-12-10T09:00");
        let d12 = code(&c.receive("1.001193", "desk", "Dossier Mười Hai").await);
        // D13: online on the last day, due the next: pending in time at the end.
        at(&app, "2026-12-14T09:00");
        let d13 = code(&c.receive("2.000908", "online", "Dossier Mười Ba").await);
        // D9: received on the last day at 16:00, resolved in the next period.
        at(&app, "2026-12-14T16:00");
        let d9 = code(&c.receive("2.000908", "desk", "Dossier Chín").await);
        at(&app, "2026-12-15T10:00");
        assert_eq!(c.resolve(&d9).await["timeliness"], "on_time");
        at(&app, "2026-12-16T08:00");

        let leader = &c.leader;
        // Period 2026-M12 (statutory: 15/11–14/12). Received 10 (1 online), carried over 1 (D1);
        // resolved 6: early D14, on time D3 D7 D10, late D1 D4; stopped or withdrawn 2 (D5,
        // D6); pending at the end 3: in time D9 D13, overdue D12. 11 = 6 + 3 + 2.
        let q = "period=2026-M12&agency=H99.301";
        let r = report(leader, q).await;
        assert_eq!(r["period"]["from"], "2026-11-15");
        assert_eq!(r["period"]["to"], "2026-12-14");
        assert_eq!(r["groups"].as_array().unwrap().len(), 1, "{r}");
        assert_eq!(r["groups"][0]["label"], "Cấp xã");
        // By field: Chứng thực (2.000908) holds D1 carried over, D3 D5 D6 D9 D13 D14; Hộ tịch
        // (1.001193) D4 D7 D10 D12.
        let rows = r["groups"][0]["rows"].as_array().unwrap();
        assert_eq!((rows[0]["field"].as_str(), rows[1]["field"].as_str()), (Some("Chứng thực"), Some("Hộ tịch")), "{r}");
        assert_eq!(cells(&rows[0]), [7, 1, 5, 1, 3, 1, 1, 1, 2, 2, 0]);
        assert_eq!(cells(&rows[1]), [4, 0, 4, 0, 3, 0, 2, 1, 1, 0, 1]);
        assert_eq!(cells(&r["total"]), [11, 1, 9, 1, 6, 1, 3, 2, 3, 2, 1], "{r}");
        assert_eq!(r["stopped"], 2);
        assert!(r["note"].as_str().unwrap().contains("2 hồ sơ dừng xử lý"));
        let fields: Vec<&str> = r["groups"][0]["rows"].as_array().unwrap().iter().map(|x| x["field"].as_str().unwrap()).collect();
        let mut sum = [0i64; 11];
        for x in r["groups"][0]["rows"].as_array().unwrap() {
            for (s, v) in sum.iter_mut().zip(cells(x)) {
                *s += v;
            }
        }
        assert_eq!(sum, cells(&r["total"]), "the rows ({fields:?}) add up to the total");

        // Every number opens as the list of the dossiers counted in it.
        assert_eq!(behind(leader, q, 3).await, sorted(&[&d1, &d3, &d4, &d5, &d6, &d7, &d9, &d10, &d12, &d13, &d14]));
        assert_eq!(behind(leader, q, 4).await, sorted(&[&d13]));
        assert_eq!(behind(leader, q, 6).await, sorted(&[&d1]));
        assert_eq!(behind(leader, q, 8).await, sorted(&[&d14]));
        assert_eq!(behind(leader, q, 9).await, sorted(&[&d3, &d7, &d10]));
        assert_eq!(behind(leader, q, 10).await, sorted(&[&d1, &d4]));
        assert_eq!(behind(leader, q, 12).await, sorted(&[&d9, &d13]));
        assert_eq!(behind(leader, q, 13).await, sorted(&[&d12]));
        assert!(!behind(leader, q, 3).await.contains(&d2), "resolved before the period");

        // The one-stop centre's variant counts stops and withdrawals as resolved on time.
        let a = report(leader, &format!("{q}&form=06a")).await;
        assert_eq!(cells(&a["total"]), [11, 1, 9, 1, 8, 1, 5, 2, 3, 2, 1], "{a}");
        assert_eq!(behind(leader, &format!("{q}&form=06a"), 9).await, sorted(&[&d3, &d5, &d6, &d7, &d10]));

        // The next period: D9, D12, D13 carried over; D9 resolved on its due day; at this
        // moment (16/12 08:00) D12 and D13 are pending and both overdue (D13 was due 15/12).
        let next = report(leader, "period=2027-M1&agency=H99.301").await;
        assert_eq!(cells(&next["total"]), [3, 0, 0, 3, 1, 0, 1, 0, 2, 0, 2], "{next}");

        // The province sees the department's dossier under its own level.
        let province = app.api_as("tinh.xem").await;
        let p = report(&province, "period=2026-M12&agency=H99").await;
        let labels: Vec<&str> = p["groups"].as_array().unwrap().iter().map(|g| g["label"].as_str().unwrap()).collect();
        assert_eq!(labels, ["Cấp tỉnh", "Cấp xã"], "{p}");
        assert_eq!(cells(&p["groups"][0]["subtotal"])[..4], [1, 0, 1, 0]);
        assert_eq!(cells(&p["total"])[0], 12);
        // The service centre's variant counts it where it was received.
        let centre_report = report(&province, "period=2026-M12&agency=H99.02&form=06a").await;
        assert_eq!(cells(&centre_report["total"])[0], 1, "{centre_report}");
        let justice = report(&province, "period=2026-M12&agency=H99.10").await;
        assert_eq!(cells(&justice["total"])[0], 1);
        assert_eq!(behind(&province, "period=2026-M12&agency=H99.10", 11).await, sorted(&[&d8]));

        // Calendar periods: the commune received D1–D7, D10 and D14 in November 2026.
        let nov = report(leader, "period=2026-M11&calendar=true&agency=H99.301").await;
        assert_eq!(nov["period"]["from"], "2026-11-01");
        assert_eq!(cells(&nov["total"])[..4], [9, 0, 9, 0], "{nov}");

        // Another commune's official sees neither the report nor the dossiers behind it.
        let other = app.api_as("binhminh.lanhdao").await;
        let (s, _) = other.json(&format!("/api/v1/reports/06?{q}")).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (s, _) = other.json(&format!("/api/v1/reports/06/dossiers?{q}&column=3")).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (s, e) = leader.json("/api/v1/reports/06?period=2026-M13").await;
        assert_eq!((s, e["fields"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("period")), "{e}");

        // The raw export: one row per dossier the period counts, with the instants behind it.
        let r = leader.get(&format!("/api/v1/reports/dossiers?{q}&format=csv")).await;
        assert_eq!(r.status(), StatusCode::OK);
        let csv = r.text().await.unwrap();
        let lines: Vec<&str> = csv.lines().collect();
        assert!(lines[0].trim_start_matches('\u{feff}').starts_with("code,counted_agency,receiving_agency"), "{}", lines[0]);
        assert_eq!(lines.len() - 1, 12, "11 counted and the refused one: {csv}");
        let d12_line = lines.iter().find(|l| l.starts_with(&d12)).unwrap();
        assert!(d12_line.ends_with(",pending_overdue"), "{d12_line}");
        let d5_line = lines.iter().find(|l| l.starts_with(&d5)).unwrap();
        assert!(d5_line.contains(",withdrawn,"), "{d5_line}");

        // Decision 766, indicator 2.1 over the same period: finished early or on time (D14; D3
        // D7 D10; the stopped D5 D6) or pending in time (D9 D13), over received or carried over.
        let (s, x) = leader.json("/api/v1/index766?period=2026-M12&calendar=false&agency=H99.301").await;
        assert_eq!(s, StatusCode::OK, "{x}");
        let ind = |id: &str| x["index"]["indicators"].as_array().unwrap().iter().find(|i| i["id"] == id).unwrap().clone();
        let progress = ind("2.1");
        assert_eq!((progress["numerator"].as_i64(), progress["denominator"].as_i64()), (Some(8), Some(11)), "{progress}");
        assert!((progress["points"].as_f64().unwrap() - 20.0 * 8.0 / 11.0).abs() < 1e-9);
        let online = ind("3.3");
        assert_eq!((online["kind"].as_str(), online["numerator"].as_i64(), online["denominator"].as_i64()), (Some("monitored"), Some(1), Some(10)));
        assert_eq!(ind("2.2")["denominator"], 6, "average time over the 6 resolved");
        assert_eq!(ind("1.4")["kind"], "no_data");
        // 5.4 from the same dossiers: 100 % − 3 late of 11 (no petition, no rating).
        let tthc = ind("5.4");
        let expected_54 = 100.0 - 300.0 / 11.0;
        assert!((tthc["value"].as_f64().unwrap() - expected_54).abs() < 1e-9, "{tthc}");
        assert!(ind("5.2")["points"].is_null(), "no petitions is no score");
        assert_eq!(x["index"]["max_with_data"], 26.0);
        assert!(x["index"]["grade"].is_null(), "no grade while indicators lack data");
        // The calendar month of November (the default basis): D1–D7, D10, D14 received, all ended:
        // early D14, on time D2 D3 D7 D10, stopped D5 D6 in time, late D1 D4.
        let (_, nov) = leader.json("/api/v1/index766?period=2026-M11&agency=H99.301").await;
        let p21 = nov["index"]["indicators"].as_array().unwrap().iter().find(|i| i["id"] == "2.1").unwrap().clone();
        assert_eq!((p21["numerator"].as_i64(), p21["denominator"].as_i64()), (Some(7), Some(9)), "{nov}");
        // The province ranks its communes; An Phú has handled dossiers, the others none.
        let (_, prov) = province.json("/api/v1/index766?period=2026-M12&calendar=false&agency=H99").await;
        let ranking = prov["ranking"].as_array().unwrap();
        assert_eq!(ranking[0]["agency_code"], "H99.301", "{prov}");
        let total = 20.0 * 8.0 / 11.0 + 6.0 * expected_54 / 90.0;
        assert!((ranking[0]["total"].as_f64().unwrap() - total).abs() < 1e-9);
        assert_eq!(ranking[1]["max_with_data"], 0.0, "a commune with nothing handled has no score");
        let html = app.login("anphu.lanhdao").await.get("/chi-so-766?period=2026-M12&calendar=false").await.text().await.unwrap();
        assert!(html.contains("Chưa có dữ liệu") && html.contains("19,39") && html.contains("chưa xếp loại"), "{html}");

        // The monthly publication needs no sign-in and shows only aggregate figures.
        let public = app.browser();
        let r = public.get("/cong-khai/chi-so-766/H99.301?ky=2026-M11").await;
        assert_eq!(r.status(), StatusCode::OK);
        let html = r.text().await.unwrap();
        assert!(html.contains("Hồ sơ giải quyết trước hạn, đúng hạn") && html.contains("Tháng 11 năm 2026"), "{html}");
        assert!(!html.contains("Dossier Một") && !html.contains("001203004567"), "no personal data in public");
        assert_eq!(public.get("/cong-khai/chi-so-766/H99.999").await.status(), StatusCode::NOT_FOUND);

        // Productivity: the desk officer accepted the ten dossiers received in the period.
        let (s, pr) = leader.json("/api/v1/reports/productivity?period=2026-M12&agency=H99.301").await;
        assert_eq!(s, StatusCode::OK, "{pr}");
        let officials = pr["officials"].as_array().unwrap();
        assert_eq!(officials.len(), 1, "{pr}");
        assert_eq!(officials[0]["received"], 10);
        let days = pr["working_days"].as_i64().unwrap();
        assert!((20..=23).contains(&days), "{pr}");
        assert!((officials[0]["per_day"].as_f64().unwrap() - 10.0 / days as f64).abs() < 1e-9);
        assert_eq!(pr["desks"][0]["received"], 10);

        // The rollups equal a recomputation from the events.
        assert!(app.services.reports.verify_rollups().await.unwrap().is_empty());
    }

    async fn the_toàn_trình_rate_the_dashboard_and_the_targets(app) {
        let c = Commune::new(&app).await;
        let admin = app.api_as("admin").await;
        // Through the steps to a result with (or without) its electronic document.
        let resolve = |code: String, file: bool| {
            let c = &c;
            let app = &app;
            async move {
                ok(&c.desk, &code, json!({"action": "forward"})).await;
                ok(&c.specialist, &code, json!({"action": "forward"})).await;
                ok(&c.leader, &code, json!({"action": "approve"})).await;
                if file {
                    let form = reqwest::multipart::Form::new()
                        .text("number", "7/KQ")
                        .text("signer", "Trương Văn Lãnh")
                        .part("file", reqwest::multipart::Part::bytes(motcua_testkit::files::sample_pdf("Kết quả")).file_name("ketqua.pdf"));
                    let r = c.clerk.http.post(app.url(&format!("/api/v1/dossiers/{code}/result")))
                        .bearer_auth(c.clerk.bearer.clone().unwrap()).multipart(form).send().await.unwrap();
                    assert_eq!(r.status(), StatusCode::OK);
                } else {
                    ok(&c.clerk, &code, json!({"action": "issue_result", "number": "7/KQ", "signer": "Trương Văn Lãnh"})).await;
                }
            }
        };
        let give = |code: String, delivery: &'static str| {
            let c = &c;
            async move { ok(&c.desk, &code, json!({"action": "return_result", "receiver": "Người nộp", "delivery": delivery})).await; }
        };
        let pay = |code: String, method: &'static str| {
            let c = &c;
            async move {
                ok(&c.desk, &code, json!({"action": "request_payment", "items": ["Lệ phí"], "amount_vnd": 8000})).await;
                ok(&c.desk, &code, json!({"action": "receive_payment", "receipt": "BL-1", "payment_method": method})).await;
            }
        };
        // March 2027, all resolved the day they come.
        at(&app, "2027-03-01T09:00");
        // T1: online, electronic result, returned online: toàn trình.
        let t1 = code(&c.receive("1.001193", "online", "Toàn Trình Một").await);
        resolve(t1.clone(), true).await;
        give(t1.clone(), "electronic").await;
        // T2: the same with a fee paid online.
        let t2 = code(&c.receive("1.001193", "online", "Toàn Trình Hai").await);
        pay(t2.clone(), "online").await;
        resolve(t2.clone(), true).await;
        give(t2.clone(), "electronic").await;
        // T3: the fee paid at the desk.
        let t3 = code(&c.receive("1.001193", "online", "Toàn Trình Ba").await);
        pay(t3.clone(), "desk").await;
        resolve(t3.clone(), true).await;
        give(t3.clone(), "electronic").await;
        // T4: a paper result, sent by post.
        let t4 = code(&c.receive("1.001193", "online", "Toàn Trình Bốn").await);
        resolve(t4.clone(), false).await;
        give(t4.clone(), "post").await;
        // T5: submitted at the desk, result collected there.
        let t5 = code(&c.receive("1.001193", "desk", "Toàn Trình Năm").await);
        resolve(t5.clone(), true).await;
        give(t5.clone(), "desk").await;
        // T6: online, electronic result, not returned yet.
        let t6 = code(&c.receive("1.001193", "online", "Toàn Trình Sáu").await);
        resolve(t6.clone(), true).await;
        // T7: received Friday 09:00, due 17:00 the same day, still pending at 10:00: near due.
        at(&app, "2027-03-05T09:00");
        let t7 = code(&c.receive("1.001193", "online", "Toàn Trình Bảy").await);
        at(&app, "2027-03-05T10:00");

        // The averages are entered as data: only an administrator of the agency may.
        let targets = json!({"agency": "H99", "year": 2027, "values": {"full_online_national_average": "40", "full_online_provincial_average": "30"}});
        let (s, _) = put(&c.leader, "/api/v1/targets", &targets).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "a commune's leader does not see the province");
        let (s, e) = put(&admin, "/api/v1/targets", &json!({"agency": "H99", "year": 2027, "values": {"online_share": "120", "digitised": "80"}})).await;
        assert_eq!((s, e["fields"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("online_share")), "{e}");
        let (s, t) = admin.json("/api/v1/targets?agency=H99&year=2027").await;
        assert_eq!(s, StatusCode::OK);
        assert!(t["targets"].as_array().unwrap().iter().all(|x| x["source"] != "own"), "a rejected request changes nothing: {t}");
        let (s, t) = put(&admin, "/api/v1/targets", &targets).await;
        assert_eq!(s, StatusCode::OK, "{t}");
        let (_, t) = c.leader.json("/api/v1/targets?agency=H99.301&year=2027").await;
        let avg = t["targets"].as_array().unwrap().iter().find(|x| x["metric"] == "full_online_provincial_average").unwrap().clone();
        assert_eq!((avg["value"].as_f64(), avg["source"].as_str()), (Some(30.0), Some("inherited")), "{t}");
        assert_eq!(t["editable"], false);

        // Resolved 6, toàn trình 2 (T1, T2): 33.33 %, against the provincial 30 %: 6 full steps
        // of 0.5 point of percentage, 3 + 6 × 0.25 = 4.5 points.
        let (s, r) = c.leader.json("/api/v1/reports/full-online?agency=H99.301&year=2027").await;
        assert_eq!(s, StatusCode::OK, "{r}");
        assert_eq!((r["total"]["resolved"].as_i64(), r["total"]["full_online"].as_i64()), (Some(6), Some(2)), "{r}");
        assert!((r["total"]["rate"].as_f64().unwrap() - 100.0 / 3.0).abs() < 1e-9);
        assert_eq!((r["total"]["level"].as_str(), r["total"]["points"].as_f64()), (Some("commune"), Some(4.5)), "{r}");
        // The province: 33.33 % against the national 40 %: the base 2 points; its communes listed.
        let province = app.api_as("tinh.xem").await;
        let (_, r) = province.json("/api/v1/reports/full-online?agency=H99&year=2027").await;
        assert_eq!((r["total"]["level"].as_str(), r["total"]["points"].as_f64()), (Some("province"), Some(2.0)), "{r}");
        assert_eq!(r["communes"][0]["agency_code"], "H99.301");
        assert_eq!(r["communes"][0]["points"], 4.5);
        // The dossiers that fell short, with the reason.
        let (_, v) = c.leader.json("/api/v1/dashboard/dossiers?agency=H99.301&period=2027&calendar=true&measure=resolved_not_full_online").await;
        let mut short: Vec<&str> = v["items"].as_array().unwrap().iter().map(|d| d["code"].as_str().unwrap()).collect();
        short.sort();
        assert_eq!(short, sorted(&[&t3, &t4, &t5, &t6]), "{v}");
        let html = app.login("anphu.lanhdao").await
            .get("/bao-cao/ho-so?period=2027&calendar=true&agency=H99.301&measure=resolved_not_full_online").await.text().await.unwrap();
        for reason in ["Không thanh toán trực tuyến", "Kết quả không có bản điện tử", "Không nộp trực tuyến; Nhận kết quả trực tiếp", "Chưa trả kết quả"] {
            assert!(html.contains(reason), "{reason}: {html}");
        }

        // The dashboard of March: 7 received (6 online), 6 resolved, 5 with an electronic
        // result; T7 pending in time and near due.
        let (s, d) = c.leader.json("/api/v1/dashboard?agency=H99.301&period=2027-M3").await;
        assert_eq!(s, StatusCode::OK, "{d}");
        let f = &d["period_figures"];
        assert_eq!((f["received"].as_i64(), f["received_online"].as_i64(), f["received_desk"].as_i64()), (Some(7), Some(6), Some(1)), "{d}");
        assert_eq!((f["resolved"].as_i64(), f["resolved_full_online"].as_i64(), f["resolved_electronic"].as_i64()), (Some(6), Some(2), Some(5)));
        assert_eq!((f["pending_in_time"].as_i64(), f["pending_overdue"].as_i64(), f["returned"].as_i64()), (Some(1), Some(0), Some(5)));
        assert_eq!(d["near_due"], 1, "{d}");
        assert_eq!((d["today"]["received"].as_i64(), d["today"]["resolved"].as_i64()), (Some(1), Some(0)));
        let trend: i64 = d["trend"].as_array().unwrap().iter().map(|p| p["received"].as_i64().unwrap()).sum();
        assert_eq!(trend, 7, "the trend adds up");
        assert_eq!(d["trend"][0]["from"], "2027-03-01");
        let target = |m: &str| d["targets"].as_array().unwrap().iter().find(|t| t["metric"] == m).unwrap().clone();
        assert_eq!(target("online_share")["target"], 50.0);
        assert_eq!(target("online_share")["progress"], 100.0, "6/7 online, past the 50 % aim");
        assert!((target("electronic_results")["actual"].as_f64().unwrap() - 500.0 / 6.0).abs() < 1e-9);
        assert!(target("satisfaction")["actual"].is_null(), "no ratings yet: no data, not zero");
        let (_, near) = c.leader.json("/api/v1/dashboard/dossiers?agency=H99.301&near_due=true").await;
        assert_eq!(near["items"].as_array().unwrap().iter().map(|d| d["code"].as_str().unwrap()).collect::<Vec<_>>(), [t7.as_str()]);
        // The page: every figure links to its list; the charts are drawn on the server.
        let web = app.login("anphu.lanhdao").await;
        let html = web.get("/thong-ke?agency=H99.301&period=2027-M3").await.text().await.unwrap();
        assert!(html.contains("<svg class=\"chart\"") && html.contains("Hồ sơ tiếp nhận và giải quyết theo thời gian"), "{html}");
        assert!(html.contains("measure=resolved_on_time") && html.contains("near_due=true"), "{html}");
        assert!(html.contains("chưa có dữ liệu"), "satisfaction without ratings");
        // Another commune sees none of it.
        let other = app.api_as("binhminh.lanhdao").await;
        assert_eq!(other.json("/api/v1/dashboard?agency=H99.301").await.0, StatusCode::NOT_FOUND);
        assert_eq!(other.json("/api/v1/reports/full-online?agency=H99.301").await.0, StatusCode::NOT_FOUND);
        assert!(app.services.reports.verify_rollups().await.unwrap().is_empty());
    }

    async fn the_files_follow_the_official_layout(app) {
        let c = Commune::new(&app).await;
        let d = c.receive("1.001193", "desk", "Nguyễn Văn An").await;
        c.resolve(&code(&d)).await;
        let q = "period=2026-M12&agency=H99.301";

        let r = c.leader.get(&format!("/api/v1/reports/06?{q}&format=xlsx")).await;
        assert_eq!(r.status(), StatusCode::OK);
        assert!(r.headers()["content-disposition"].to_str().unwrap().contains("bieu-06-H99.301-2026-M12.xlsx"));
        let bytes = r.bytes().await.unwrap();
        let dir = tempfile_dir();
        let file = dir.join("bieu06.xlsx");
        std::fs::write(&file, &bytes).unwrap();
        let python = std::env::var("MOTCUA_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
        let script = r#"
import json, sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
ws = wb.active
rows = [[c.value for c in row] for row in ws.iter_rows(min_row=1, max_row=14)]
print(json.dumps({"rows": rows, "merged": sorted(str(m) for m in ws.merged_cells.ranges)}, ensure_ascii=False, default=str))
"#;
        let out = std::process::Command::new(python).args(["-c", script]).arg(&file).output().expect("python runs");
        assert!(out.status.success(), "openpyxl: {}", String::from_utf8_lossy(&out.stderr));
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        let rows = v["rows"].as_array().unwrap();
        assert_eq!(rows[0][0], "ỦY BAN NHÂN DÂN XÃ AN PHÚ");
        assert_eq!(rows[0][5], "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM");
        assert_eq!(rows[0][11], "Biểu số 06/VPCP/KSTT");
        assert_eq!(rows[1][5], "Độc lập - Tự do - Hạnh phúc");
        assert!(rows[3][0].as_str().unwrap().starts_with("TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH"));
        assert_eq!(rows[6][0], "STT");
        assert_eq!(rows[6][1], "Lĩnh vực, công việc giải quyết theo cấp");
        assert_eq!(rows[6][2], "Số hồ sơ nhận giải quyết");
        assert_eq!(rows[6][6], "Kết quả giải quyết");
        assert_eq!(rows[7][2], "Tổng số");
        assert_eq!(rows[7][3], "Trong đó");
        assert_eq!(rows[7][6], "Số hồ sơ đã giải quyết");
        assert_eq!(rows[7][10], "Số hồ sơ đang giải quyết");
        let level3: Vec<&str> = rows[8].as_array().unwrap()[3..].iter().map(|c| c.as_str().unwrap()).collect();
        assert_eq!(level3, ["Trực tuyến", "Trực tiếp, dịch vụ bưu chính", "Từ kỳ trước", "Tổng số", "Trước hạn", "Đúng hạn", "Quá hạn", "Tổng số", "Trong hạn", "Quá hạn"]);
        let numbers: Vec<&str> = rows[9].as_array().unwrap().iter().map(|c| c.as_str().unwrap()).collect();
        assert_eq!(numbers, (1..=13).map(|n| format!("({n})")).collect::<Vec<_>>());
        assert_eq!(rows[10][1], "Cấp xã");
        assert_eq!(rows[11][1], "Hộ tịch");
        assert_eq!(rows[11][2], 1.0);
        assert_eq!(rows[12][1], "Tổng cộng");
        let merged: Vec<&str> = v["merged"].as_array().unwrap().iter().map(|m| m.as_str().unwrap()).collect();
        for m in ["A7:A9", "B7:B9", "C7:F7", "G7:M7", "C8:C9", "D8:F8", "G8:J8", "K8:M8"] {
            assert!(merged.contains(&m), "{m} merged: {merged:?}");
        }

        let r = c.leader.get(&format!("/api/v1/reports/06?{q}&format=pdf")).await;
        assert_eq!(r.status(), StatusCode::OK);
        let text = motcua_testkit::pdf_text(&r.bytes().await.unwrap());
        for needle in ["Biểu số 06/VPCP/KSTT", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "Tháng 12 năm 2026", "Lĩnh vực, công việc giải quyết", "Hộ tịch", "Tổng cộng", "THỦ TRƯỞNG CƠ QUAN"] {
            assert!(text.contains(needle), "{needle} in {text}");
        }

        let r = c.leader.get(&format!("/api/v1/reports/06?{q}&format=csv")).await;
        let csv = r.text().await.unwrap();
        assert!(csv.contains("Hộ tịch,1,0,1,0,1,"), "{csv}");

        // The page: the table with its merged headings, each number a link to its dossiers.
        let page = app.login("anphu.lanhdao").await;
        let html = page.get(&format!("/bao-cao?{q}")).await.text().await.unwrap();
        assert!(html.contains("Biểu số 06/VPCP/KSTT") && html.contains("colspan=\"4\">Số hồ sơ nhận giải quyết"), "{html}");
        assert!(html.contains("/bao-cao/ho-so?period=2026-M12&#38;calendar=false&#38;agency=H99.301&#38;form=06&#38;column=3"), "{html}");
        let list = page.get(&format!("/bao-cao/ho-so?{q}&form=06&column=7")).await.text().await.unwrap();
        assert!(list.contains(d["code"].as_str().unwrap()), "{list}");
    }
}

fn tempfile_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("motcua-report-{}-{}", std::process::id(), rand_suffix()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn rand_suffix() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(0);
    h.finish()
}
