//! The procedure catalogue over HTTP: public search, pages and kiosk on the demo catalogue;
//! versioning (amend, publish, abolish, replace) through the API; imports that reject bad rows
//! and change nothing; form templates; each agency's list; authorization.

use motcua_testkit::{TestApp, app_tests};
use reqwest::StatusCode;
use rust_xlsxwriter::Workbook;
use serde_json::{Value, json};
use unicode_normalization::UnicodeNormalization;

fn codes(v: &Value) -> Vec<String> {
    v["items"].as_array().unwrap().iter().map(|i| i["code"].as_str().unwrap().to_owned()).collect()
}

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

const DECISION: [(&str, &str); 4] = [
    ("decision_number", "15/QĐ-UBND"),
    ("decision_date", "20/11/2026"),
    ("signer", "Trần Văn Bình"),
    ("effective_from", "23/11/2026"),
];

fn decision(revision: i64) -> Value {
    let mut v = json!({ "revision": revision });
    for (k, val) in DECISION {
        v[k] = json!(val);
    }
    v
}

/// A sheet: name, header, rows.
type Sheet<'a> = (&'a str, &'a [&'a str], &'a [&'a [&'a str]]);

/// An XLSX in the template's layout with the given rows per sheet.
fn workbook(sheets: &[Sheet<'_>]) -> Vec<u8> {
    let mut wb = Workbook::new();
    for (name, headers, rows) in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(*name).unwrap();
        for (i, h) in headers.iter().enumerate() {
            ws.write_string(0, u16::try_from(i).unwrap(), *h).unwrap();
        }
        for (r, row) in rows.iter().enumerate() {
            for (i, c) in row.iter().enumerate() {
                if !c.is_empty() {
                    ws.write_string(u32::try_from(r + 1).unwrap(), u16::try_from(i).unwrap(), *c).unwrap();
                }
            }
        }
    }
    wb.save_to_buffer().unwrap()
}

async fn import_xlsx(app: &TestApp, user: &str, bytes: Vec<u8>) -> (StatusCode, Value) {
    let api = app.api_as(user).await;
    let r = api
        .http
        .post(app.url("/api/v1/procedures/import"))
        .bearer_auth(api.bearer.as_ref().unwrap())
        .header("content-type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        .body(bytes)
        .send()
        .await
        .unwrap();
    let s = r.status();
    (s, r.json().await.unwrap())
}

use motcua_app::catalog::xlsx::{CASES, DOCUMENTS, FEES, PROCEDURES};

fn procedure_row<'a>(code: &'a str, name: &'a str, level: &'a str) -> Vec<&'a str> {
    let mut row = vec![
        code,
        name,
        "",
        "Hộ tịch",
        level,
        "UBND cấp xã",
        "Công dân Việt Nam",
        "Trực tiếp",
        "",
        "",
        "",
        "Nộp hồ sơ; nhận kết quả",
        "",
        "123/2015/NĐ-CP",
        "Giấy xác nhận",
    ];
    row.extend(["", "1/QĐ-UBND", "01/11/2026", "Nguyễn Văn A", "01/11/2026"]);
    row
}

app_tests! {
    async fn demo_catalogue_search_is_diacritic_insensitive(app) {
        let web = app.browser();
        let (s, v) = web.json(&format!("/api/v1/procedures?q={}", enc("dang ky khai sinh"))).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        let plain = codes(&v);
        assert_eq!(plain[0], "1.001193", "Đăng ký khai sinh first: {plain:?}");
        assert_eq!(v["items"][0]["name"], "Thủ tục đăng ký khai sinh");
        assert!(v["items"][0]["processing_time"].as_str().unwrap().starts_with("Trong ngày"));
        let (_, accented) = web.json(&format!("/api/v1/procedures?q={}", enc("đăng ký khai sinh"))).await;
        assert_eq!(codes(&accented), plain);
        let decomposed: String = "Đăng ký khai sinh".nfd().collect();
        let (_, nfd) = web.json(&format!("/api/v1/procedures?q={}", enc(&decomposed))).await;
        assert_eq!(codes(&nfd), plain);
        // Typos in short queries, codes, document names.
        let (_, v) = web.json(&format!("/api/v1/procedures?q={}", enc("thuong tru"))).await;
        assert_eq!(codes(&v)[0], "1.004222");
        let (_, v) = web.json(&format!("/api/v1/procedures?q={}", enc("thuongg tru"))).await;
        assert_eq!(codes(&v)[0], "1.004222");
        let (_, v) = web.json("/api/v1/procedures?q=1.013978").await;
        assert_eq!(codes(&v), ["1.013978"]);
        // Filters.
        let (_, v) = web.json("/api/v1/procedures?field=ho-tich&per_page=100").await;
        assert_eq!(v["total"], 17);
        let (_, v) = web.json("/api/v1/procedures?level=province&per_page=100").await;
        assert!(codes(&v).contains(&"1.012786".to_owned()));
        assert!(!codes(&v).contains(&"1.001193".to_owned()));
        let (_, v) = web.json("/api/v1/procedures?agency=H99.301&per_page=100").await;
        assert!(codes(&v).contains(&"1.001193".to_owned()));
        assert!(!codes(&v).contains(&"1.012786".to_owned()), "a commune does not receive province-level procedures");
        let (_, v) = web.json("/api/v1/procedures?online=full&per_page=100").await;
        assert_eq!(v["total"], 11);
        let (s, v) = web.json("/api/v1/procedures?level=district").await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
        assert_eq!(v["fields"][0]["field"], "level");
        let (_, v) = web.json("/api/v1/fields").await;
        assert!(v.as_array().unwrap().iter().any(|f| f["name"] == "Hộ tịch" && f["procedures"] == 17));
        // The entry without a national code was not loaded; nothing was invented for it.
        let (_, v) = web.json("/api/v1/procedures?per_page=100").await;
        assert_eq!(v["total"], 90);
    }

    async fn procedure_detail_shows_documents_fees_and_time(app) {
        let web = app.browser();
        let (s, v) = web.json("/api/v1/procedures/1.001193").await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["status"], "in_force");
        let case = &v["content"]["cases"][0];
        assert_eq!(case["time"]["unit"], "same_day");
        assert_eq!(case["time"]["cutoff"], "15:00");
        assert_eq!(case["fees"][0]["amount_vnd"], 0);
        assert_eq!(case["fees"][1]["amount_vnd"], Value::Null, "unknown amounts stay empty");
        assert!(case["documents"].as_array().unwrap().iter().any(|d| d["name"].as_str().unwrap().starts_with("Giấy chứng sinh")));
        assert_eq!(v["version"]["publication"]["decision_number"], "163/QĐ-BTP");
        assert!(v["agencies"].as_array().unwrap().iter().any(|a| a["code"] == "H99.301"));
        let (_, land) = web.json("/api/v1/procedures/1.013978").await;
        assert_eq!(land["content"]["cases"][0]["time"]["amount"], 27);
        assert_eq!(land["content"]["cases"][0]["time"]["by_channel"][0], json!({"channel":"online","amount":17,"unit":"working_days"}));
        let (s, _) = web.json("/api/v1/procedures/9.999999").await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (s, _) = web.json("/api/v1/procedures/not-a-code").await;
        assert_eq!(s, StatusCode::NOT_FOUND);

        let html = web.get("/thu-tuc/1.001193").await.text().await.unwrap();
        assert!(html.contains("Thủ tục đăng ký khai sinh"));
        assert!(html.contains("Giấy chứng sinh"));
        assert!(html.contains("Miễn phí"));
        assert!(html.contains("Trong ngày (hồ sơ nhận sau 15:00"));
        assert!(html.contains("Ủy ban nhân dân xã An Phú"));
        // The data collector's remarks about the national database are not for citizens.
        for staff_note in ["CSDLQG", "bản ghi", "mô tả trình tự"] {
            assert!(!html.contains(staff_note), "{staff_note}: {html}");
        }
        let html_death = web.get("/thu-tuc/1.000656").await.text().await.unwrap();
        assert!(html_death.contains("Chỉ thu khi có yêu cầu cấp bản sao; mức theo Thông tư 281/2016/TT-BTC."), "{html_death}");
        let html = web.get(&format!("/thu-tuc?q={}", enc("khai tu"))).await.text().await.unwrap();
        assert!(html.contains("/thu-tuc/1.000656"), "search page lists Đăng ký khai tử");
    }

    async fn kiosk_searches_without_login_links(app) {
        let web = app.browser();
        let r = web.get("/kiosk").await;
        assert_eq!(r.status(), StatusCode::OK);
        let html = r.text().await.unwrap();
        assert!(html.contains("http-equiv=\"refresh\""), "returns to start without JavaScript");
        assert!(!html.contains("/login"), "no login links on the kiosk");
        assert!(html.contains("Hộ tịch"));
        // The on-screen keyboard works without JavaScript: each key reloads with the query.
        let html = web.get("/kiosk?q=khai+sin&key=h").await.text().await.unwrap();
        assert!(html.contains("value=\"khai sinh\""), "key appended");
        let html = web.get("/kiosk?q=khai+sinh").await.text().await.unwrap();
        assert!(html.contains("/kiosk/thu-tuc/1.001193"));
        assert!(!html.contains("/login"));
        let html = web.get("/kiosk/thu-tuc/1.001193").await.text().await.unwrap();
        assert!(html.contains("Giấy chứng sinh"));
        assert!(!html.contains("/login"));
    }

    async fn amendment_keeps_the_old_version_readable(app) {
        let before = app.audit_count().await;
        let admin = app.api_as("admin").await;
        let r = admin.post_json("/api/v1/procedures/1.001193/amend", &json!({})).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let draft: Value = r.json().await.unwrap();
        assert_eq!(draft["number"], 2);
        assert_eq!(draft["state"], "draft");
        // A second amendment while a draft is open is refused.
        let r = admin.post_json("/api/v1/procedures/1.001193/amend", &json!({})).await;
        assert_eq!(r.status(), StatusCode::CONFLICT);
        // The public sees only the version in force.
        let (_, v) = app.browser().json("/api/v1/procedures/1.001193").await;
        assert_eq!(v["current_version"], 1);
        assert_eq!(v["versions"].as_array().unwrap().len(), 1);

        let (_, managed) = admin.json("/api/v1/procedures/1.001193/manage").await;
        assert_eq!(managed["version"]["number"], 2);
        let mut content = managed["content"].clone();
        content["cases"][0]["fees"][0]["amount_vnd"] = json!(8000);
        content["steps"] = json!("Nộp hồ sơ tại Bộ phận Một cửa; công chức tư pháp – hộ tịch kiểm tra và cấp Giấy khai sinh.");
        content["implementing_agencies"] = json!("Ủy ban nhân dân cấp xã");
        content["applicant_types"] = json!(["citizen"]);
        let r = admin.put_json("/api/v1/procedures/1.001193/versions/2", &json!({"content": content, "revision": 1})).await;
        assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
        // A stale revision loses nothing and says so.
        let r = admin.put_json("/api/v1/procedures/1.001193/versions/2", &json!({"content": content, "revision": 1})).await;
        assert_eq!(r.status(), StatusCode::CONFLICT);
        // Publication needs the decision.
        let r = admin.post_json("/api/v1/procedures/1.001193/versions/2/publish", &json!({"revision": 2, "decision_number": "", "decision_date": "", "signer": "", "effective_from": ""})).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["fields"].as_array().unwrap().len(), 4, "{v}");
        // Not a catalogue manager: refused.
        let commune = app.api_as("anphu.admin").await;
        let r = commune.post_json("/api/v1/procedures/1.001193/versions/2/publish", &decision(2)).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);

        let r = admin.post_json("/api/v1/procedures/1.001193/versions/2/publish", &decision(2)).await;
        assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
        let web = app.browser();
        let (_, v) = web.json("/api/v1/procedures/1.001193").await;
        assert_eq!(v["current_version"], 2);
        assert_eq!(v["version"]["kind"], "amended");
        assert_eq!(v["content"]["cases"][0]["fees"][0]["amount_vnd"], 8000);
        assert_eq!(v["publication_gaps"], json!([]));
        let (s, old) = web.json("/api/v1/procedures/1.001193?version=1").await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(old["content"]["cases"][0]["fees"][0]["amount_vnd"], 0, "the old version stays readable");
        let (_, changes) = web.json("/api/v1/procedures/1.001193/diff?from=1&to=2").await;
        assert!(changes.as_array().unwrap().iter().any(|c| c["change"] == "changed" && c["after"].as_str().unwrap().starts_with("8.000 đồng")), "{changes}");
        // The search index follows the publication.
        let (_, v) = web.json("/api/v1/procedures?q=1.001193").await;
        assert_eq!(v["items"][0]["version"], 2);
        assert_eq!(v["items"][0]["fees"], "8.000 đồng; khoản khác theo quy định");
        let html = web.get("/thu-tuc/1.001193?version=1").await.text().await.unwrap();
        assert!(html.contains("không phải phiên bản đang áp dụng"));
        // amend, save, publish: one audit entry each (the refused publish is audited by the fallback).
        assert!(app.audit_count().await >= before + 3);
    }

    async fn abolition_and_replacement_end_a_procedure(app) {
        let admin = app.api_as("admin").await;
        let mut body = decision(0);
        body["replaced_by"] = json!("1.001193");
        let r = admin.post_json("/api/v1/procedures/1.004884/end", &body).await;
        assert_eq!(r.status(), StatusCode::CREATED, "{}", r.text().await.unwrap());
        let web = app.browser();
        let (_, v) = web.json("/api/v1/procedures/1.004884").await;
        assert_eq!(v["status"], "ended");
        assert_eq!(v["replaced_by"], "1.001193");
        assert_eq!(v["current_version"], 1, "the last version in force stays readable");
        let (_, v) = web.json(&format!("/api/v1/procedures?q={}", enc("dang ky lai khai sinh"))).await;
        assert!(!codes(&v).contains(&"1.004884".to_owned()), "ended procedures leave the search");
        let html = web.get("/thu-tuc/1.004884").await.text().await.unwrap();
        assert!(html.contains("Đã được thay thế"));
        // Ending it twice is refused; replacing by an unknown code too.
        let r = admin.post_json("/api/v1/procedures/1.004884/end", &decision(0)).await;
        assert_eq!(r.status(), StatusCode::CONFLICT);
        let mut body = decision(0);
        body["replaced_by"] = json!("9.999999");
        let r = admin.post_json("/api/v1/procedures/1.000656/end", &body).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }

    async fn xlsx_with_two_bad_rows_is_rejected_whole(app) {
        let (_, before) = app.browser().json("/api/v1/procedures").await;
        let good = procedure_row("1.999001", "Thủ tục thử nghiệm một", "Cấp xã");
        let bad_code = procedure_row("1.99900", "Mã thiếu một chữ số", "Cấp xã");
        let bad_level = procedure_row("1.999003", "Cấp không tồn tại", "Cấp huyện");
        let rows: Vec<&[&str]> = vec![&good, &bad_code, &bad_level];
        let bytes = workbook(&[
            (PROCEDURES.0, PROCEDURES.1, &rows),
            (CASES.0, CASES.1, &[&["1.999001", "", "5", "Ngày làm việc"]]),
            (DOCUMENTS.0, DOCUMENTS.1, &[&["1.999001", "", "Tờ khai", "1", "0"]]),
            (FEES.0, FEES.1, &[]),
        ]);
        let (s, v) = import_xlsx(&app, "admin", bytes).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        let named: Vec<&str> = v["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
        assert_eq!(named, ["Sheet ThuTuc, dòng 3", "Sheet ThuTuc, dòng 4"], "{v}");
        assert!(v["fields"][1]["message"].as_str().unwrap().contains("Cấp huyện"));
        let (_, after) = app.browser().json("/api/v1/procedures").await;
        assert_eq!(after["total"], before["total"], "nothing imported");
        let (s, _) = app.browser().json("/api/v1/procedures/1.999001").await;
        assert_eq!(s, StatusCode::NOT_FOUND);

        // The good row alone imports, published; importing it again changes nothing.
        let rows: Vec<&[&str]> = vec![&good];
        let file = || workbook(&[
            (PROCEDURES.0, PROCEDURES.1, &rows),
            (CASES.0, CASES.1, &[&["1.999001", "", "5", "Ngày làm việc"]]),
            (DOCUMENTS.0, DOCUMENTS.1, &[&["1.999001", "", "Tờ khai", "1", "0"]]),
            (FEES.0, FEES.1, &[&["1.999001", "", "Lệ phí", "Lệ phí thử", "10.000"]]),
        ]);
        let (s, v) = import_xlsx(&app, "admin", file()).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v, json!({"total":1,"created":1,"amended":0,"unchanged":0}));
        let (s, v) = import_xlsx(&app, "admin", file()).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(v["unchanged"], 1);
        let (_, v) = app.browser().json("/api/v1/procedures/1.999001").await;
        assert_eq!(v["content"]["cases"][0]["fees"][0]["amount_vnd"], 10000);
        assert_eq!(v["version"]["publication"]["decision_number"], "1/QĐ-UBND");
        // Only catalogue managers import.
        let (s, _) = import_xlsx(&app, "anphu.admin", file()).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
    }

    async fn web_import_is_checked_at_once_then_applied_in_the_background(app) {
        let web = app.login("admin").await;
        let upload = |name: &'static str, bytes: Vec<u8>| {
            let form = reqwest::multipart::Form::new()
                .text("_csrf", web.csrf.clone().unwrap())
                .part("file", reqwest::multipart::Part::bytes(bytes).file_name(name));
            web.http.post(app.url("/admin/procedures/import")).multipart(form).send()
        };
        let good = procedure_row("1.999011", "Thủ tục nhập trong nền", "Cấp xã");
        let bad = procedure_row("1.99901", "Mã sai", "Cấp xã");
        let file = |rows: &[&[&str]]| workbook(&[
            (PROCEDURES.0, PROCEDURES.1, rows),
            (CASES.0, CASES.1, &[&["1.999011", "", "5", "Ngày làm việc"]]),
            (DOCUMENTS.0, DOCUMENTS.1, &[&["1.999011", "", "Tờ khai", "1", "0"]]),
            (FEES.0, FEES.1, &[]),
        ]);
        // A bad file is refused on the spot with its row named; nothing is stored or queued.
        let r = upload("thu-tuc.xlsx", file(&[&good, &bad])).await.unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.text().await.unwrap();
        assert!(html.contains("Sheet ThuTuc, dòng 3"), "{html}");
        assert!(!html.contains("recent-imports"));
        let r = upload("thu-tuc.csv", b"a,b".to_vec()).await.unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);

        // A good file is queued and its page follows it until done.
        let r = upload("thu-tuc.xlsx", file(&[&good])).await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let page = r.headers()["location"].to_str().unwrap().to_owned();
        assert!(page.starts_with("/admin/procedures/imports/"), "{page}");
        let html = web.get(&page).await.text().await.unwrap();
        assert!(html.contains("data-status=\"queued\""), "{html}");
        assert!(html.contains("http-equiv=\"refresh\""), "reloads itself while pending");
        let (s, _) = app.browser().json("/api/v1/procedures/1.999011").await;
        assert_eq!(s, StatusCode::NOT_FOUND, "nothing changes before the job runs");

        let worker = app.services.worker(app.services.standard_jobs());
        assert_eq!(worker.run_pending().await.unwrap().succeeded, 1);
        let html = web.get(&page).await.text().await.unwrap();
        assert!(html.contains("data-status=\"succeeded\""), "{html}");
        assert!(html.contains("Đã nhập 1 thủ tục: 1 mới"), "{html}");
        assert!(!html.contains("http-equiv=\"refresh\""));
        let (s, _) = app.browser().json("/api/v1/procedures/1.999011").await;
        assert_eq!(s, StatusCode::OK);
        let list = web.get("/admin/procedures").await.text().await.unwrap();
        assert!(list.contains("recent-imports") && list.contains("Đã nhập xong"));

        // Through the API: a draft opened after the upload makes the job refuse the file whole.
        let api = app.api_as("admin").await;
        let r = api.post_json("/api/v1/procedures/1.999011/amend", &json!({})).await;
        assert_eq!(r.status(), StatusCode::CREATED, "{}", r.text().await.unwrap());
        let changed = procedure_row("1.999011", "Thủ tục nhập trong nền (sửa)", "Cấp xã");
        let r = api.http.post(app.url("/api/v1/procedures/imports?file_name=sua.xlsx"))
            .bearer_auth(api.bearer.as_ref().unwrap())
            .header("content-type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            .body(file(&[&changed])).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::ACCEPTED);
        let location = r.headers()["location"].to_str().unwrap().to_owned();
        let v: Value = r.json().await.unwrap();
        assert_eq!((v["status"].as_str(), v["file_name"].as_str(), v["row_count"].as_i64()), (Some("queued"), Some("sua.xlsx"), Some(1)));
        worker.run_pending().await.unwrap();
        let (s, v) = api.json(&location).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(v["status"], "failed", "{v}");
        assert!(v["problems"][0]["reason"].as_str().unwrap().contains("bản nháp"), "{v}");
        let (_, p) = app.browser().json("/api/v1/procedures/1.999011").await;
        assert_eq!(p["content"]["name"], "Thủ tục nhập trong nền", "nothing changed");
        // The job is done with it: running the queue again changes nothing.
        assert_eq!(worker.run_pending().await.unwrap().total(), 0);

        // Imports are the catalogue managers' business only.
        let other = app.login("anphu.admin").await;
        assert_eq!(other.get(&page).await.status(), StatusCode::FORBIDDEN);
        let (s, _) = app.api_as("anphu.admin").await.json(&location).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, _) = api.json("/api/v1/procedures/imports/9999").await;
        assert_eq!(s, StatusCode::NOT_FOUND);
    }

    async fn json_export_imports_back_unchanged(app) {
        let web = app.browser();
        let r = web.get("/api/v1/procedures/export").await;
        assert_eq!(r.status(), StatusCode::OK);
        let package: Value = r.json().await.unwrap();
        assert_eq!(package.as_array().unwrap().len(), 90);
        assert!(package[0]["MATTHC"].is_string() && package[0]["CACHTHUCTHUCHIEN"].is_array());
        let admin = app.api_as("admin").await;
        let r = admin.post_json("/api/v1/procedures/import", &package).await;
        assert_eq!(r.status(), StatusCode::OK);
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["unchanged"], 90, "{v}");
        let r = web.get("/api/v1/procedures/export?format=xlsx").await;
        assert_eq!(r.status(), StatusCode::OK);
        assert!(r.bytes().await.unwrap().starts_with(b"PK"));
        // A malformed package is a 422 naming the entry.
        let r = admin.post_json("/api/v1/procedures/import", &json!([{"MATTHC": "1.000001"}])).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }

    async fn admin_pages_create_publish_and_attach_a_form(app) {
        let web = app.login("admin").await;
        let html = web.get("/admin/procedures?q=khai+sinh").await.text().await.unwrap();
        assert!(html.contains("1.001193"));
        let r = web.post_form("/admin/procedures", &[
            ("code", "2.999001"), ("name", "Thủ tục mới của tỉnh"), ("field_name", "Hộ tịch"),
            ("levels", "commune"), ("channels", "desk"), ("applicant_types", "citizen"),
            ("implementing_agencies", "UBND cấp xã"), ("steps", "Nộp hồ sơ"),
            ("case.0.name", "Trường hợp chung"), ("case.0.amount", "3"), ("case.0.unit", "working_days"),
            ("case.0.doc.0.name", "Đơn đề nghị"), ("case.0.doc.0.originals", "1"), ("case.0.doc.0.form", "Mẫu đơn số 01"),
        ]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", r.text().await.unwrap());
        // Bad input re-renders the form with the message and creates nothing.
        let r = web.post_form("/admin/procedures", &[("code", "2.99"), ("name", ""), ("field_name", "Hộ tịch"), ("case.0.name", "Chung")]).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);

        let mau = motcua_testkit::files::sample_pdf("Mẫu đơn");
        let form = reqwest::multipart::Form::new()
            .text("_csrf", web.csrf.clone().unwrap())
            .text("doc", "0.0")
            .part("file", reqwest::multipart::Part::bytes(mau.clone()).file_name("Mẫu 01.pdf").mime_str("application/pdf").unwrap());
        let r = web.http.post(app.url("/admin/procedures/2.999001/versions/1/form-file")).multipart(form).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", r.text().await.unwrap());
        // Without the token the upload is refused.
        let form = reqwest::multipart::Form::new().text("doc", "0.0").part("file", reqwest::multipart::Part::bytes(b"%PDF-1.4".to_vec()).file_name("x.pdf"));
        let r = web.http.post(app.url("/admin/procedures/2.999001/versions/1/form-file")).multipart(form).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);

        let fields: Vec<(&str, &str)> = DECISION.iter().copied().chain([("revision", "2")]).collect();
        let r = web.post_form("/admin/procedures/2.999001/versions/1/publish", &fields).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", r.text().await.unwrap());
        let (_, v) = app.browser().json("/api/v1/procedures/2.999001").await;
        assert_eq!(v["status"], "in_force");
        let file = v["content"]["cases"][0]["documents"][0]["form"]["file"]["id"].as_i64().unwrap();
        let r = app.browser().get(&format!("/thu-tuc/2.999001/bieu-mau/{file}")).await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.bytes().await.unwrap().to_vec(), mau);
        let r = app.browser().get(&format!("/thu-tuc/1.001193/bieu-mau/{file}")).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "files are served only with the procedure that uses them");

        // A published version takes no more files.
        let form = reqwest::multipart::Form::new()
            .text("_csrf", web.csrf.clone().unwrap())
            .text("doc", "0.0")
            .part("file", reqwest::multipart::Part::bytes(b"%PDF-1.4".to_vec()).file_name("x.pdf"));
        let r = web.http.post(app.url("/admin/procedures/2.999001/versions/1/form-file")).multipart(form).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::CONFLICT);
        let html = web.get("/admin/procedures/2.999001").await.text().await.unwrap();
        assert!(html.contains("15/QĐ-UBND"));
        // A desk officer cannot manage the catalogue.
        let desk = app.login("anphu.motcua").await;
        assert_eq!(desk.get("/admin/procedures").await.status(), StatusCode::FORBIDDEN);
    }

    async fn concurrent_creations_of_one_code_answer_409_never_500(app) {
        let c = std::sync::Arc::new(app.api_as("tinh.kstthc").await);
        let (_, v) = c.json("/api/v1/procedures/1.001193").await;
        let body = json!({"code": "9.999001", "content": v["content"]});
        let mut tasks = Vec::new();
        for _ in 0..8 {
            let (c, body) = (c.clone(), body.clone());
            tasks.push(tokio::spawn(async move {
                let r = c.post_json("/api/v1/procedures", &body).await;
                let s = r.status();
                (s, r.json::<serde_json::Value>().await.unwrap())
            }));
        }
        let mut created = 0;
        for t in tasks {
            let (s, v) = t.await.unwrap();
            match s {
                StatusCode::CREATED => created += 1,
                StatusCode::CONFLICT => {
                    assert_eq!(v["code"], "duplicate_code", "{v}");
                    assert_eq!(v["fields"][0]["field"], "code", "{v}");
                }
                other => panic!("{other}: {v}"),
            }
        }
        assert_eq!(created, 1);
    }

    async fn agency_lists_are_scoped(app) {
        let anphu = common::agency(&app, "H99.301").await;
        let binhminh = common::agency(&app, "H99.302").await;
        let own = app.api_as("anphu.admin").await;
        let (s, v) = own.json(&format!("/api/v1/agencies/{}/procedures", anphu.id.0)).await;
        assert_eq!(s, StatusCode::OK);
        assert!(v.as_array().unwrap().len() > 50);
        let r = own.put_json(&format!("/api/v1/agencies/{}/procedures", anphu.id.0), &json!([
            {"code": "1.001193", "desk": true, "online": true, "resolves": true},
            {"code": "1.000656", "desk": true, "resolves": true}
        ])).await;
        assert_eq!(r.status(), StatusCode::OK);
        let (_, v) = app.browser().json("/api/v1/procedures?agency=H99.301").await;
        assert_eq!(v["total"], 2, "the public list follows the agency's catalogue");
        let (_, v) = own.json(&format!("/api/v1/agencies/{}/procedures", anphu.id.0)).await;
        assert_eq!(v, json!([
            {"code": "1.000656", "desk": true, "postal": false, "online": false, "resolves": true},
            {"code": "1.001193", "desk": true, "postal": false, "online": true, "resolves": true}
        ]));
        let page = app.login("anphu.admin").await;
        let html = page.get(&format!("/admin/agencies/{}/procedures", anphu.id.0)).await.text().await.unwrap();
        assert!(html.contains("Thủ tục đăng ký khai sinh") && html.contains("1.001193 tructiep,tructuyen,giaiquyet"), "{html}");
        assert_eq!(page.get(&format!("/admin/agencies/{}/procedures", binhminh.id.0)).await.status(), StatusCode::NOT_FOUND);
        let r = own.put_json(&format!("/api/v1/agencies/{}/procedures", binhminh.id.0), &json!([])).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "another commune's list is out of scope, and not even seen");
        let r = own.put_json(&format!("/api/v1/agencies/{}/procedures", anphu.id.0), &json!([{"code": "9.999999", "desk": true}])).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let (_, v) = app.browser().json("/api/v1/procedures?agency=H99.301").await;
        assert_eq!(v["total"], 2, "a rejected list changes nothing");
    }
}

mod common;
