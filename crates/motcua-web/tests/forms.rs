//! The printed forms (mẫu 01–07) over HTTP on both backends: each is a PDF whose Vietnamese
//! text extracts intact (pdftotext), only for dossiers the official may see, and only once the
//! dossier has that form.

use jiff::SignedDuration;
use motcua_testkit::{TestClient, app_tests, pdf_text};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn intake(c: &TestClient, procedure: &str, agency: &str, txn: &str) -> String {
    let body = json!({
        "procedure_code": procedure, "agency_code": agency, "channel": "desk",
        "applicant": {"kind": "person", "full_name": "Nguyễn Văn An", "id_number": "001203004567",
            "address": "Thôn Đông, xã An Phú", "phone": "0912345678"},
        "documents": [{"name": "Tờ khai đăng ký khai sinh", "originals": 1}],
        "client_txn_id": txn, "accept": true
    });
    let r = c.post_json("/api/v1/dossiers", &body).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let v: Value = r.json().await.unwrap();
    v["code"].as_str().unwrap().to_owned()
}

async fn act(c: &TestClient, code: &str, body: Value) {
    let r = c.post_json(&format!("/api/v1/dossiers/{code}/actions"), &body).await;
    assert_eq!(r.status(), StatusCode::OK, "{body}");
}

async fn pdf(c: &TestClient, path: &str) -> String {
    let r = c.get(path).await;
    assert_eq!(r.status(), StatusCode::OK, "{path}");
    assert_eq!(r.headers()["content-type"], "application/pdf");
    assert_eq!(r.headers()["cache-control"], "no-store");
    let bytes = r.bytes().await.unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    pdf_text(&bytes)
}

/// Extracted text with runs of spaces (from the layout) folded, for phrase checks.
fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

app_tests! {
    async fn the_receipt_and_the_control_sheet_print_with_their_facts(app) {
        let desk = app.api_as("anphu.motcua").await;
        let code = intake(&desk, "2.000908", "H99.301", "f-1").await;
        let text = flat(&pdf(&desk, &format!("/api/v1/dossiers/{code}/forms/01")).await);
        for expected in [
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "Độc lập - Tự do - Hạnh phúc",
            "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
            "Mã hồ sơ: H99.301-261123-0001",
            "Nguyễn Văn An",
            "001203004567",
            "Tờ khai đăng ký khai sinh (bản chính: 1; bản sao: 0)",
            "09 giờ 00 phút, ngày 23 tháng 11 năm 2026",
            // One working day; Tuesday 24/11 is a holiday in the test calendar.
            "09 giờ 00 phút, ngày 25 tháng 11 năm 2026",
            "Trung tâm Phục vụ hành chính công xã An Phú",
            "An Phú, ngày 23 tháng 11 năm 2026",
            "Đặng Thị Một Cửa",
            "/tra-cuu",
        ] {
            assert!(text.contains(expected), "missing {expected:?} in {text}");
        }
        // Forms the dossier does not have yet are refused with a reason; unknown forms are 404.
        let r = desk.get(&format!("/api/v1/dossiers/{code}/forms/02")).await;
        assert_eq!(r.status(), StatusCode::CONFLICT);
        let e: Value = r.json().await.unwrap();
        assert_eq!(e["code"], "form_not_applicable");
        assert_eq!(desk.get(&format!("/api/v1/dossiers/{code}/forms/09")).await.status(), StatusCode::NOT_FOUND);
        assert_eq!(desk.get(&format!("/api/v1/dossiers/{code}/forms/07")).await.status(), StatusCode::NOT_FOUND);

        act(&desk, &code, json!({"action": "forward"})).await;
        app.clock.advance(SignedDuration::from_hours(1));
        let specialist = app.api_as("anphu.chuyenvien").await;
        act(&specialist, &code, json!({"action": "forward"})).await;
        let sheet = flat(&pdf(&specialist, &format!("/api/v1/dossiers/{code}/forms/06")).await);
        for expected in ["PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ", "Mã số hồ sơ: H99.301-261123-0001", "Lý Văn Chuyên", "Đúng hạn", "Giao: Tổ chức, cá", "Cơ quan phối hợp giải quyết hồ sơ: không", "2. Nhận: Bộ phận Một", "chuyên môn, Phòng Văn hóa - Xã hội"] {
            assert!(sheet.contains(expected), "missing {expected:?} in {sheet}");
        }
        // The units, not the steps' names, fill the "Tên cơ quan (bộ phận)" column.
        for step in ["Thẩm định, xử lý", "Tiếp nhận hồ sơ"] {
            assert!(!sheet.contains(step), "{step:?} in {sheet}");
        }

        // Another commune's officials cannot print it; the page route serves it inline.
        let other = app.api_as("binhminh.motcua").await;
        assert_eq!(other.get(&format!("/api/v1/dossiers/{code}/forms/01")).await.status(), StatusCode::NOT_FOUND);
        let page = app.login("anphu.motcua").await;
        let html = page.get(&format!("/ho-so/{code}")).await.text().await.unwrap();
        assert!(html.contains(&format!("/ho-so/{code}/mau/01")) && html.contains("data-form=\"06\""), "{html}");
        assert!(!html.contains("data-form=\"02\""));
        let r = page.get(&format!("/ho-so/{code}/mau/01")).await;
        assert_eq!(r.status(), StatusCode::OK);
        let disposition = r.headers()["content-disposition"].to_str().unwrap().to_owned();
        assert_eq!(disposition, format!("inline; filename=\"mau-01-{code}.pdf\""));
    }

    async fn supplement_refusal_apology_and_stop_notices(app) {
        let desk = app.api_as("anphu.motcua").await;
        let code = intake(&desk, "2.000908", "H99.301", "g-1").await;
        act(&desk, &code, json!({"action": "forward"})).await;
        let specialist = app.api_as("anphu.chuyenvien").await;
        act(&specialist, &code, json!({"action": "request_supplement", "items": ["Bản sao giấy chứng nhận kết hôn"], "reason": "Thiếu giấy tờ"})).await;
        let text = flat(&pdf(&specialist, &format!("/api/v1/dossiers/{code}/forms/02")).await);
        assert!(text.contains("PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ"), "{text}");
        assert!(text.contains("1) Bản sao giấy chứng nhận kết hôn") && text.contains("Lý do: Thiếu giấy tờ"), "{text}");
        act(&desk, &code, json!({"action": "receive_supplement"})).await;

        let leader = app.api_as("anphu.lanhdao").await;
        act(&leader, &code, json!({"action": "extend", "appointment_at": "27/11/2026 16:00", "signer": "Trương Văn Lãnh", "reason": "Chờ xác minh"})).await;
        let text = flat(&pdf(&leader, &format!("/api/v1/dossiers/{code}/forms/04")).await);
        for expected in ["PHIẾU XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT", "Lý do: Chờ xác minh", "16 giờ 00 phút, ngày 27 tháng 11 năm 2026", "Trương Văn Lãnh", "Kính gửi: Nguyễn Văn An"] {
            assert!(text.contains(expected), "missing {expected:?} in {text}");
        }

        act(&desk, &code, json!({"action": "request_withdrawal", "reason": "Đơn xin rút hồ sơ"})).await;
        act(&desk, &code, json!({"action": "stop", "reason": "Người nộp rút hồ sơ"})).await;
        let text = flat(&pdf(&desk, &format!("/api/v1/dossiers/{code}/forms/05")).await);
        assert!(text.contains("Dừng giải quyết hồ sơ") && text.contains("Lý do: Người nộp rút hồ sơ"), "{text}");
        assert!(text.contains("Điều 21 Nghị định số 118/2025/NĐ-CP"), "{text}");

        let body = json!({"procedure_code": "1.001193", "agency_code": "H99.301", "channel": "desk",
            "applicant": {"kind": "person", "full_name": "Trần Thị Bình"}, "client_txn_id": "g-2", "accept": false});
        let r = desk.post_json("/api/v1/dossiers", &body).await;
        let id = r.json::<Value>().await.unwrap()["id"].to_string();
        act(&desk, &id, json!({"action": "refuse", "items": ["Không thuộc thẩm quyền của xã"]})).await;
        let text = flat(&pdf(&desk, &format!("/api/v1/dossiers/{id}/forms/03")).await);
        assert!(text.contains("PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ") && text.contains("1) Không thuộc thẩm quyền của xã"), "{text}");
        assert!(text.contains("Trần Thị Bình"));
        // A refused dossier never had a receipt.
        assert_eq!(desk.get(&format!("/api/v1/dossiers/{id}/forms/01")).await.status(), StatusCode::CONFLICT);
    }

    async fn the_register_lists_what_a_desk_received_in_a_period(app) {
        let desk = app.api_as("anphu.motcua").await;
        let first = intake(&desk, "1.001193", "H99.301", "h-1").await;
        let second = intake(&desk, "2.000908", "H99.301", "h-2").await;
        let other_desk = app.api_as("binhminh.motcua").await;
        let theirs = intake(&other_desk, "1.001193", "H99.302", "h-3").await;

        let text = flat(&pdf(&desk, "/api/v1/dossier-register?agency=H99.301&from=01/11/2026&to=30/11/2026").await);
        assert!(text.contains("SỔ THEO DÕI HỒ SƠ") && text.contains("Từ ngày 01/11/2026 đến ngày 30/11/2026"), "{text}");
        assert!(text.contains(&first) && text.contains(&second), "{text}");
        assert!(!text.contains(&theirs));
        assert!(text.find(&first) < text.find(&second), "in the order received");
        assert!(text.contains("Tổng số: 2 hồ sơ."));
        // The desk's own agency is the default; another period is empty.
        let text = flat(&pdf(&desk, "/api/v1/dossier-register").await);
        assert!(text.contains(&first));
        let text = flat(&pdf(&desk, "/api/v1/dossier-register?from=01/10/2026&to=31/10/2026").await);
        assert!(text.contains("Tổng số: 0 hồ sơ."));

        assert_eq!(other_desk.get("/api/v1/dossier-register?agency=H99.301").await.status(), StatusCode::NOT_FOUND);
        let r = desk.get("/api/v1/dossier-register?from=30/11/2026&to=01/11/2026").await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let r = desk.get("/api/v1/dossier-register?from=31/02/2026").await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);

        let page = app.login("anphu.motcua").await;
        let html = page.get("/ho-so/so-theo-doi").await.text().await.unwrap();
        assert!(html.contains("value=\"H99.301\"") && !html.contains("value=\"H99.302\""), "{html}");
        // The register opens on the official's own desk: the commune's for its desk officer,
        // the service centre's (not the province's) for the province's desk officer.
        assert!(html.contains("value=\"H99.301\" selected"), "{html}");
        let centre = app.login("tinh.motcua").await.get("/ho-so/so-theo-doi").await.text().await.unwrap();
        assert!(centre.contains("value=\"H99.02\" selected"), "{centre}");
        let r = page.get("/ho-so/so-theo-doi/pdf?agency=H99.301&from=01/11/2026&to=30/11/2026").await;
        assert_eq!(r.status(), StatusCode::OK);
    }
}
