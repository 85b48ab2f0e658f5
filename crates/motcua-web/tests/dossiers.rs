//! Dossiers over HTTP on both backends: the desk-to-return journey, supplements that move the
//! appointment, refusals, withdrawals, extensions, idempotent retries, authorization between
//! communes, public tracking, and concurrent code issuing.

use jiff::SignedDuration;
use motcua_app::context::RequestMeta;
use motcua_app::dossiers::{Action, Intake};
use motcua_domain::agency::AgencyCode;
use motcua_domain::catalog::ProcedureCode;
use motcua_domain::dossier::{ActionKind, ClientTxnId};
use motcua_testkit::{Backend, TestApp, TestClient, app_tests};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn post(c: &TestClient, path: &str, body: Value) -> (StatusCode, Value) {
    let r = c.post_json(path, &body).await;
    let s = r.status();
    (s, r.json().await.unwrap_or(Value::Null))
}

fn intake_body(procedure: &str, agency: &str, txn: &str) -> Value {
    json!({
        "procedure_code": procedure,
        "agency_code": agency,
        "channel": "desk",
        "applicant": {"kind": "person", "full_name": "Nguyễn Văn An", "id_number": "001203004567"},
        "client_txn_id": txn,
        "accept": true
    })
}

async fn act(c: &TestClient, code: &str, body: Value) -> (StatusCode, Value) {
    post(c, &format!("/api/v1/dossiers/{code}/actions"), body).await
}

async fn ok(c: &TestClient, code: &str, body: Value) -> Value {
    let (s, v) = act(c, code, body.clone()).await;
    assert_eq!(s, StatusCode::OK, "{body}: {v}");
    v
}

fn queue_codes(v: &Value) -> Vec<String> {
    v["items"].as_array().unwrap().iter().filter_map(|i| i["code"].as_str().map(str::to_owned)).collect()
}

fn location(r: &reqwest::Response) -> String {
    r.headers().get("location").unwrap().to_str().unwrap().to_owned()
}

app_tests! {
    async fn searching_spans_every_dossier_the_official_may_see(app) {
        let desk = app.api_as("anphu.motcua").await;
        let (s, d) = post(&desk, "/api/v1/dossiers", intake_body("1.001193", "H99.301", "tim-kiem-1")).await;
        assert_eq!(s, StatusCode::CREATED, "{d}");
        let code = d["code"].as_str().unwrap().to_owned();
        // Forwarded to the specialist: no longer in the desk's "Cần xử lý".
        ok(&desk, &code, json!({"action": "forward"})).await;
        let page = app.login("anphu.motcua").await;
        let html = page.get("/ho-so?queue=to_process").await.text().await.unwrap();
        assert!(!html.contains(&code), "not the desk's to process any more");
        // Searching from that tab still finds it, by name without diacritics.
        let html = page.get("/ho-so?queue=to_process&q=nguyen+van+an").await.text().await.unwrap();
        assert!(html.contains(&code), "{html}");
        assert!(html.contains("Kết quả tìm trong mọi hồ sơ"), "{html}");
    }

    async fn the_receipt_records_only_the_papers_handed_in(app) {
        let desk = app.login("anphu.motcua").await;
        let form = [
            ("cccd_qr", "046201000152||Võ Việt Dũng|30072001|Nam|Thôn An Lạc, Xã An Phú, Tỉnh Sơn Hà|15082021"),
            ("procedure_code", "1.001193"),
            ("agency_code", "H99.301"),
            ("channel", "desk"),
            ("client_txn_id", "ticks-1"),
            ("accept", "on"),
        ];
        // The checklist page (what the form shows once the procedure is chosen) ticks the
        // papers every applicant hands in, and not those asked for only in some situations.
        let html = desk.get("/ho-so/tiep-nhan?thu_tuc=1.001193").await.text().await.unwrap();
        assert!(html.contains(r#"name="doc_ticks""#), "{html}");
        let rows: Vec<&str> = html.split("<tr").filter(|r| r.contains(r#"name="doc_name""#)).collect();
        let conditional: Vec<&&str> = rows.iter().filter(|r| r.contains("Chỉ nộp khi thuộc trường hợp này")).collect();
        assert!(!conditional.is_empty(), "the demo's birth registration has conditional papers: {html}");
        assert!(conditional.iter().all(|r| !r.contains("checked")), "{conditional:?}");
        assert!(rows.iter().filter(|r| !r.contains("Chỉ nộp khi")).all(|r| r.contains("checked")));
        // Sent without counting (no checklist), the dossier records the case's papers but those.
        let r = desk.post_form("/ho-so/tiep-nhan", &form).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", r.text().await.unwrap());
        let api = app.api_as("anphu.motcua").await;
        let (_, d) = api.json("/api/v1/dossiers/H99.301-261123-0001").await;
        let names: Vec<&str> = d["submission"]["documents"].as_array().unwrap().iter().map(|x| x["name"].as_str().unwrap()).collect();
        assert!(!names.is_empty() && names.iter().all(|n| !n.starts_with("Trường hợp") && !n.contains("trong trường hợp")), "{names:?}");
        // With ticks, an unticked line is not recorded whatever its counts, and a ticked line
        // needs a count.
        let mut ticked = form.to_vec();
        ticked[4] = ("client_txn_id", "ticks-2");
        ticked.extend([
            ("doc_ticks", "1"),
            ("doc_given", "0"), ("doc_name", "Tờ khai"), ("doc_originals", "1"), ("doc_copies", "0"),
            ("doc_name", "Văn bản ủy quyền"), ("doc_originals", "1"), ("doc_copies", "0"),
            ("doc_given", "2"), ("doc_name", "Giấy chứng sinh"), ("doc_originals", "0"), ("doc_copies", "0"),
        ]);
        let r = desk.post_form("/ho-so/tiep-nhan", &ticked).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let back = r.text().await.unwrap();
        assert!(back.contains("được đánh dấu đã nộp: ghi số bản"), "{back}");
        assert!(back.contains(r#"name="doc_given" value="0" checked"#) && !back.contains(r#"name="doc_given" value="1" checked"#), "ticks are kept: {back}");
        let i = ticked.iter().rposition(|(k, _)| *k == "doc_originals").unwrap();
        ticked[i] = ("doc_originals", "1");
        let r = desk.post_form("/ho-so/tiep-nhan", &ticked).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", r.text().await.unwrap());
        let (_, d) = api.json("/api/v1/dossiers/H99.301-261123-0002").await;
        assert_eq!(d["submission"]["documents"], json!([
            {"name": "Tờ khai", "originals": 1, "copies": 0},
            {"name": "Giấy chứng sinh", "originals": 1, "copies": 0},
        ]));
    }

    async fn the_desk_and_the_back_office_work_through_the_pages(app) {
        let desk = app.login("anphu.motcua").await;
        let html = desk.get("/ho-so/tiep-nhan").await.text().await.unwrap();
        assert!(html.contains("Quét mã QR") && html.contains("H99.301"), "{html}");
        let txn = "page-1";
        let form = [
            ("cccd_qr", "046201000152||Võ Việt Dũng|30072001|Nam|Thôn An Lạc, Xã An Phú, Tỉnh Sơn Hà|15082021"),
            ("procedure_code", "1.001193"),
            ("agency_code", "H99.301"),
            ("channel", "desk"),
            ("delivery", "desk"),
            ("client_txn_id", txn),
            ("accept", "on"),
        ];
        // A malformed QR comes back on the form with its message, nothing recorded.
        let mut bad = form.to_vec();
        bad[0] = ("cccd_qr", "046201000152|Võ Việt Dũng");
        let r = desk.post_form("/ho-so/tiep-nhan", &bad).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().await.unwrap().contains("6 hoặc 7 trường"));
        // Loading the checklist brings the case's documents with their counts, and records
        // nothing.
        let mut load = form.to_vec();
        load.push(("load", "1"));
        let html = desk.post_form("/ho-so/tiep-nhan", &load).await.text().await.unwrap();
        assert!(html.contains("name=\"doc_name\""), "{html}");
        let names: Vec<String> = html
            .split("name=\"doc_name\" value=\"")
            .skip(1)
            .map(|p| p.split('"').next().unwrap().to_owned())
            .collect();
        assert!(names.len() >= 2, "{names:?}");
        // What the officer typed (the scanned QR text, whole) is back in its field.
        assert!(html.contains(&format!("name=\"cccd_qr\" value=\"{}\"", form[0].1)), "typed fields are kept: {html}");
        let (_, list) = app.api_as("anphu.motcua").await.json("/api/v1/dossiers").await;
        assert!(list["items"].as_array().unwrap().is_empty(), "loading records nothing: {list}");
        // A count that is not a number comes back with its message.
        let mut counted = form.to_vec();
        counted.extend([
            ("doc_name", names[0].as_str()), ("doc_originals", "1"), ("doc_copies", "x"),
            ("doc_name", names[1].as_str()), ("doc_originals", "0"), ("doc_copies", "0"),
        ]);
        let r = desk.post_form("/ho-so/tiep-nhan", &counted).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().await.unwrap().contains("phải là số từ 0 đến 99"));
        // The officer's counts are what the dossier records; a line with none was not handed in.
        let mut counted = form.to_vec();
        counted.extend([
            ("doc_name", names[0].as_str()), ("doc_originals", "1"), ("doc_copies", "2"),
            ("doc_name", names[1].as_str()), ("doc_originals", "0"), ("doc_copies", "0"),
        ]);
        let r = desk.post_form("/ho-so/tiep-nhan", &counted).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let to = location(&r);
        let (_, d) = app.api_as("anphu.motcua").await.json("/api/v1/dossiers/H99.301-261123-0001").await;
        assert_eq!(d["submission"]["documents"], json!([{"name": names[0], "originals": 1, "copies": 2}]), "{d}");
        assert!(to.starts_with("/ho-so/H99.301-261123-0001"), "{to}");
        // A double click (same form) lands on the same dossier.
        let again = desk.post_form("/ho-so/tiep-nhan", &form).await;
        assert_eq!(location(&again), to);
        let page = desk.get("/ho-so/H99.301-261123-0001").await.text().await.unwrap();
        assert!(page.contains("Võ Việt Dũng") && page.contains("Được tiếp nhận") && page.contains("17:00 23/11/2026"), "{page}");
        assert!(page.contains(&format!("<tr><td>{}</td><td>1</td><td>2</td></tr>", names[0])), "{page}");
        let seq = |html: &str| html.split("name=\"expected_seq\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
        let r = desk.post_form("/ho-so/H99.301-261123-0001/thao-tac", &[("action", "forward"), ("expected_seq", &seq(&page))]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);

        let specialist = app.login("anphu.chuyenvien").await;
        let queue = specialist.get("/ho-so").await.text().await.unwrap();
        assert!(queue.contains("H99.301-261123-0001") && queue.contains("Cần xử lý"), "{queue}");
        let page = specialist.get("/ho-so/H99.301-261123-0001").await.text().await.unwrap();
        assert!(page.contains("data-action=\"forward\""));
        let r = specialist.post_form("/ho-so/H99.301-261123-0001/thao-tac", &[("action", "forward"), ("expected_seq", &seq(&page))]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        // The step has moved on to the leader: the specialist may no longer forward it.
        let r = specialist.post_form("/ho-so/H99.301-261123-0001/thao-tac", &[("action", "forward"), ("expected_seq", &seq(&page))]).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);

        let leader = app.login("anphu.lanhdao").await;
        // The leader's landing page shows what waits for the leader: this dossier, to approve.
        let landing = leader.get("/app").await.text().await.unwrap();
        let waiting = landing.split(r#"id="waiting""#).nth(1).expect("a waiting section").split("</section>").next().unwrap();
        assert!(waiting.contains("Chờ bạn xử lý") && waiting.contains("H99.301-261123-0001") && waiting.contains("Phê duyệt"), "{waiting}");
        let landing = specialist.get("/app").await.text().await.unwrap();
        assert!(!landing.contains("/ho-so/H99.301-261123-0001"), "no longer the specialist's");
        let page = leader.get("/ho-so/H99.301-261123-0001").await.text().await.unwrap();
        let r = leader.post_form("/ho-so/H99.301-261123-0001/thao-tac", &[("action", "reject"), ("expected_seq", &seq(&page))]).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "a rejection needs its reason");
        // And a ticked confirmation: without it the form comes back on the action's own page,
        // the reason kept and the error next to the box; nothing is recorded.
        let r = leader
            .post_form("/ho-so/H99.301-261123-0001/thao-tac", &[("action", "reject"), ("expected_seq", &seq(&page)), ("reason", "Thiếu chữ ký")])
            .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let back = r.text().await.unwrap();
        assert!(back.contains("Hãy đánh dấu ô xác nhận") && back.contains(">Thiếu chữ ký</textarea>"), "{back}");
        assert!(back.contains(r#"name="confirm" value="yes" required"#), "{back}");
        // Acting on a state one has not seen is refused on the page.
        let stale = (seq(&page).parse::<i64>().unwrap() - 1).to_string();
        let r = leader.post_form("/ho-so/H99.301-261123-0001/thao-tac", &[("action", "approve"), ("expected_seq", &stale)]).await;
        assert_eq!(r.status(), StatusCode::CONFLICT);
        let r = leader
            .post_form("/ho-so/H99.301-261123-0001/thao-tac", &[("action", "approve"), ("expected_seq", &seq(&page)), ("reason", "Đồng ý")])
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&r), "/ho-so/H99.301-261123-0001?msg=done_approve", "the message names what was done");
        let page = leader.get("/ho-so/H99.301-261123-0001").await.text().await.unwrap();
        assert!(page.contains("Phiếu kiểm soát quá trình giải quyết") && page.contains("Ban hành kết quả"));

        // Anyone can track it by code; the name is masked.
        let public = app.browser().get("/tra-cuu?ma=H99.301-261123-0001").await.text().await.unwrap();
        assert!(public.contains("V* V*** D***") && public.contains("Đang xử lý"), "{public}");
        assert!(!public.contains("Võ Việt Dũng"));
        let unknown = app.browser().get("/tra-cuu?ma=H99.301-261123-0042").await.text().await.unwrap();
        assert!(unknown.contains("Không tìm thấy hồ sơ"));
    }

    async fn desk_to_returned_journey_over_the_api(app) {
        let desk = app.api_as("anphu.motcua").await;
        let (s, d) = post(&desk, "/api/v1/dossiers", intake_body("1.001193", "H99.301", "t-1")).await;
        assert_eq!(s, StatusCode::CREATED, "{d}");
        let code = d["code"].as_str().unwrap().to_owned();
        assert_eq!(code, "H99.301-261123-0001");
        assert_eq!(d["status"], 2);
        // Same-day procedure received at 09:00 on a working Monday: due at today's close.
        assert_eq!(d["due_at"], "2026-11-23T17:00:00+07:00");
        assert_eq!(d["receiving_agency"]["code"], "H99.301");
        assert_eq!(d["current_step"]["kind"], "intake");

        // A retry of the same request records nothing new.
        let (s, again) = post(&desk, "/api/v1/dossiers", intake_body("1.001193", "H99.301", "t-1")).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(again["code"], code.as_str());
        assert_eq!(again["last_seq"], d["last_seq"]);
        // The same id from someone else is a conflict, not their dossier.
        let other = app.api_as("binhminh.motcua").await;
        let (s, e) = post(&other, "/api/v1/dossiers", intake_body("1.001193", "H99.302", "t-1")).await;
        assert_eq!((s, e["code"].as_str()), (StatusCode::CONFLICT, Some("client_txn_id_used")));

        // An action the desk may take, but not in this status, names the status and the allowed
        // actions; one the desk may never take is refused before the status is looked at.
        let (s, e) = act(&desk, &code, json!({"action": "approve"})).await;
        assert_eq!((s, e["code"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden")), "{e}");
        assert!(e.get("status").is_none() && e.get("allowed_actions").is_none());
        let (s, e) = act(&desk, &code, json!({"action": "receive_supplement"})).await;
        assert_eq!(s, StatusCode::CONFLICT);
        assert_eq!(e["code"], "illegal_transition");
        assert_eq!(e["status"], 2);
        assert!(e["allowed_actions"].as_array().unwrap().contains(&json!("forward")), "{e}");
        assert!(e["message"].as_str().unwrap().contains("Được tiếp nhận"));

        let v = ok(&desk, &code, json!({"action": "forward", "client_txn_id": "t-2"})).await;
        assert_eq!(v["status"], 4);
        assert_eq!(v["current_step"]["kind"], "process");
        let replay = ok(&desk, &code, json!({"action": "forward", "client_txn_id": "t-2"})).await;
        assert_eq!(replay["last_seq"], v["last_seq"], "a retried forward moves nothing");

        // The specialist of the commune's department finds it in the to-process queue.
        let specialist = app.api_as("anphu.chuyenvien").await;
        let (s, q) = specialist.json("/api/v1/dossiers?queue=to_process").await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(queue_codes(&q), [code.as_str()]);
        let (_, q) = desk.json("/api/v1/dossiers?queue=to_process").await;
        assert!(queue_codes(&q).is_empty(), "no longer the desk's work: {q}");
        // The desk cannot do the specialist's step.
        let (s, _) = act(&desk, &code, json!({"action": "forward"})).await;
        assert_eq!(s, StatusCode::FORBIDDEN);

        app.clock.advance(SignedDuration::from_hours(2));
        ok(&specialist, &code, json!({"action": "forward"})).await;
        let leader = app.api_as("anphu.lanhdao").await;
        let (s, e) = act(&leader, &code, json!({"action": "reject"})).await;
        assert_eq!((s, e["fields"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("reason")));
        let v = ok(&leader, &code, json!({"action": "approve"})).await;
        assert_eq!(v["current_step"]["kind"], "issue");

        let clerk = app.api_as("anphu.vanthu").await;
        let (s, _) = act(&clerk, &code, json!({"action": "issue_result", "signer": "Trương Văn Lãnh"})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "a result needs its number");
        let v = ok(&clerk, &code, json!({"action": "issue_result", "number": "15/GKS", "signer": "Trương Văn Lãnh"})).await;
        assert_eq!(v["status"], 9);
        assert_eq!(v["timeliness"], "on_time");
        assert_eq!(v["current_step"]["kind"], "return");

        let v = ok(&desk, &code, json!({"action": "return_result", "receiver": "Nguyễn Văn An"})).await;
        assert_eq!(v["status"], 10);
        assert_eq!(v["allowed_actions"], json!(["request_correction"]), "a returned dossier can only be corrected");
        let kinds: Vec<&str> = v["events"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
        assert_eq!(
            kinds,
            ["submitted", "accepted", "forwarded", "forwarded", "decided", "forwarded", "result_issued", "forwarded", "result_returned"]
        );
        // The process control sheet: every hand-over judged against its step.
        let results: Vec<Value> = v["hand_overs"].as_array().unwrap().iter().map(|h| h["result"].clone()).collect();
        assert!(results.iter().skip(1).all(|r| r == "on_time" || r == "early"), "{results:?}");
        // Each event is chained to the one before.
        let events = v["events"].as_array().unwrap();
        for w in events.windows(2) {
            assert_eq!(w[1]["seq"].as_i64().unwrap(), w[0]["seq"].as_i64().unwrap() + 1);
        }

        // Public tracking: no login, masked name, the same 404 for unknown and malformed codes.
        let public = app.browser();
        let (s, t) = public.json(&format!("/api/v1/public/dossiers/{code}")).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(t["status"], 10);
        assert_eq!(t["applicant"], "N***** V** A*");
        assert!(!t.to_string().contains("001203004567"), "no ID number in public: {t}");
        assert!(!t.to_string().contains("Nguyễn Văn An"));
        let (s1, e1) = public.json("/api/v1/public/dossiers/H99.301-261123-0999").await;
        let (s2, e2) = public.json("/api/v1/public/dossiers/not-a-code").await;
        assert_eq!((s1, s2), (StatusCode::NOT_FOUND, StatusCode::NOT_FOUND));
        assert_eq!((e1["code"].clone(), e1["message"].clone()), (e2["code"].clone(), e2["message"].clone()));
    }

    async fn another_commune_can_neither_see_nor_act(app) {
        let desk = app.api_as("anphu.motcua").await;
        let (_, d) = post(&desk, "/api/v1/dossiers", intake_body("1.001193", "H99.301", "x-1")).await;
        let code = d["code"].as_str().unwrap().to_owned();
        for user in ["binhminh.motcua", "binhminh.lanhdao", "binhminh.chuyenvien"] {
            let c = app.api_as(user).await;
            let (s, _) = c.json(&format!("/api/v1/dossiers/{code}")).await;
            assert_eq!(s, StatusCode::NOT_FOUND, "{user} sees An Phú's dossier");
            let (s, _) = act(&c, &code, json!({"action": "forward"})).await;
            assert_eq!(s, StatusCode::NOT_FOUND, "{user} acts on An Phú's dossier");
            let (_, all) = c.json(&format!("/api/v1/dossiers?q={code}")).await;
            assert!(queue_codes(&all).is_empty(), "{user} lists An Phú's dossier");
        }
        // Nor can An Phú's desk receive for Bình Minh.
        let (s, _) = post(&desk, "/api/v1/dossiers", intake_body("1.001193", "H99.302", "x-2")).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        // The province's viewer sees every commune's dossiers; search by name without accents.
        let viewer = app.api_as("tinh.xem").await;
        let (_, found) = viewer.json("/api/v1/dossiers?q=nguyen%20van").await;
        assert_eq!(queue_codes(&found), [code.as_str()]);
        let (_, found) = viewer.json("/api/v1/dossiers?q=001203004567").await;
        assert_eq!(queue_codes(&found), [code]);
    }

    async fn a_wrong_fact_is_corrected_only_with_a_leaders_approval(app) {
        let desk = app.api_as("anphu.motcua").await;
        let mut body = intake_body("1.001193", "H99.301", "fix-1");
        body["applicant"]["full_name"] = json!("Nguyễn Văn Ân");
        let (s, d) = post(&desk, "/api/v1/dossiers", body).await;
        assert_eq!(s, StatusCode::CREATED, "{d}");
        let code = d["code"].as_str().unwrap().to_owned();
        let fix = json!({"action": "request_correction", "correct": "applicant", "reason": "Nhập sai dấu tên",
            "applicant": {"kind": "person", "full_name": "Nguyễn Văn An", "id_number": "001203004567"}});
        // A reason, a known target and valid values are required; nothing is recorded otherwise.
        let (s, _) = act(&desk, &code, json!({"action": "request_correction", "correct": "applicant",
            "applicant": {"full_name": "Nguyễn Văn An", "id_number": "001203004567"}})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        let (s, e) = act(&desk, &code, json!({"action": "request_correction", "correct": "applicant", "reason": "x",
            "applicant": {"full_name": "Nguyễn Văn An", "id_number": "12"}})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(e["fields"][0]["code"], "invalid_id_number", "{e}");
        let (s, _) = act(&desk, &code, json!({"action": "request_correction", "correct": "result", "reason": "x", "number": "1"})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "no result yet");
        // The desk's page offers the correction with the recorded values filled in, and takes it.
        let page_desk = app.login("anphu.motcua").await;
        let page = page_desk.get(&format!("/ho-so/{code}")).await.text().await.unwrap();
        assert!(page.contains(&format!(r#"href="/ho-so/{code}/thao-tac/request_correction""#)), "{page}");
        let page = page_desk.get(&format!("/ho-so/{code}/thao-tac/request_correction")).await.text().await.unwrap();
        assert!(page.contains(r#"data-action="request_correction""#) && page.contains(r#"value="Nguyễn Văn Ân""#), "{page}");
        let r = page_desk
            .post_form(&format!("/ho-so/{code}/thao-tac"), &[
                ("action", "request_correction"), ("correct", "applicant"), ("applicant_kind", "person"),
                ("full_name", "Nguyễn Văn An"), ("id_number", "001203004567"), ("reason", "Nhập sai dấu tên"),
                ("client_txn_id", "fix-page-1"),
            ])
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", r.text().await.unwrap());
        let (_, v) = desk.json(&format!("/api/v1/dossiers/{code}")).await;
        assert_eq!(v["events"].as_array().unwrap().len(), 3, "{v}");
        assert_eq!(v["submission"]["applicant"]["full_name"], "Nguyễn Văn Ân", "unchanged until approved");
        let (s, _) = act(&desk, &code, fix).await;
        assert_eq!(s, StatusCode::CONFLICT, "one correction at a time");
        assert_eq!(v["corrections"][0]["correction"]["after"]["full_name"], "Nguyễn Văn An");
        assert_eq!(v["corrections"][0]["decision"], Value::Null);
        assert!(!v["allowed_actions"].as_array().unwrap().iter().any(|a| a == "approve_correction"));
        let (s, _) = act(&desk, &code, json!({"action": "approve_correction", "reason": "ok"})).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "the desk does not decide");

        // The commune's leader finds it waiting, other communes' leaders do not.
        let leader = app.api_as("anphu.lanhdao").await;
        let (_, q) = leader.json("/api/v1/dossiers?queue=corrections").await;
        assert_eq!(queue_codes(&q), [code.as_str()]);
        let (_, q) = app.api_as("binhminh.lanhdao").await.json("/api/v1/dossiers?queue=corrections").await;
        assert!(queue_codes(&q).is_empty());
        let (_, q) = desk.json("/api/v1/dossiers?queue=corrections").await;
        assert!(queue_codes(&q).is_empty(), "only those who decide see the queue");
        let (s, _) = act(&leader, &code, json!({"action": "approve_correction"})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "a decision needs a reason");
        let v = ok(&leader, &code, json!({"action": "approve_correction", "reason": "Đối chiếu căn cước"})).await;
        assert_eq!(v["submission"]["applicant"]["full_name"], "Nguyễn Văn An");
        assert_eq!(v["corrections"][0]["decision"]["approved"], true);
        assert_eq!(v["corrections"][0]["correction"]["before"]["full_name"], "Nguyễn Văn Ân", "the old value is kept");
        assert_eq!(v["status"], 2, "a correction does not move the dossier");
        let (_, q) = leader.json("/api/v1/dossiers?queue=corrections").await;
        assert!(queue_codes(&q).is_empty());
        // The list and the search read the corrected name.
        let (_, found) = leader.json("/api/v1/dossiers?q=nguyen%20van%20an").await;
        assert_eq!(queue_codes(&found), [code.as_str()]);
        assert_eq!(found["items"][0]["applicant_name"], "Nguyễn Văn An", "the row shows the corrected name");

        // Four eyes: whoever requests does not approve.
        let again = json!({"action": "request_correction", "correct": "applicant", "reason": "Thiếu địa chỉ",
            "applicant": {"kind": "person", "full_name": "Nguyễn Văn An", "id_number": "001203004567", "address": "Thôn 1, xã An Phú"}});
        let v = ok(&leader, &code, again).await;
        assert!(!v["allowed_actions"].as_array().unwrap().iter().any(|a| a == "approve_correction"), "{}", v["allowed_actions"]);
        let (s, e) = act(&leader, &code, json!({"action": "approve_correction", "reason": "ok"})).await;
        assert_eq!((s, e["code"].as_str()), (StatusCode::FORBIDDEN, Some("own_request")), "{e}");

        // The public sees none of it; the officials' page shows the before and after.
        let (_, public) = app.browser().json(&format!("/api/v1/public/dossiers/{code}")).await;
        assert!(!public.to_string().contains("đính chính"), "{public}");
        let page = app.login("anphu.lanhdao").await.get(&format!("/ho-so/{code}")).await.text().await.unwrap();
        assert!(page.contains("Đính chính thông tin") && page.contains("<del>Nguyễn Văn Ân</del>"), "{page}");
        assert!(page.contains("Chờ lãnh đạo duyệt"), "{page}");
    }

    async fn a_supplement_round_trip_moves_the_appointment_by_the_paused_time(app) {
        let desk = app.api_as("anphu.motcua").await;
        // 1 working day from Monday 09:00; Tuesday 24/11 is a holiday: Wednesday 09:00.
        let (_, d) = post(&desk, "/api/v1/dossiers", intake_body("2.000908", "H99.301", "s-1")).await;
        let code = d["code"].as_str().unwrap().to_owned();
        assert_eq!(d["due_at"], "2026-11-25T09:00:00+07:00");
        ok(&desk, &code, json!({"action": "forward"})).await;
        app.clock.advance(SignedDuration::from_hours(1));
        let specialist = app.api_as("anphu.chuyenvien").await;
        let (s, e) = act(&specialist, &code, json!({"action": "request_supplement", "items": []})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        let v = ok(&specialist, &code, json!({"action": "request_supplement", "items": ["Bản chính giấy tờ tùy thân"]})).await;
        assert_eq!((v["status"].as_i64(), v["paused"].as_str()), (Some(5), Some("supplement")));
        let (_, waiting) = desk.json("/api/v1/dossiers?queue=waiting").await;
        assert_eq!(queue_codes(&waiting), [code.as_str()]);
        // Back on Wednesday 08:30: 390 working minutes later.
        app.clock.set("2026-11-25T08:30:00+07:00".parse::<jiff::Timestamp>().unwrap());
        let v = ok(&desk, &code, json!({"action": "receive_supplement"})).await;
        assert_eq!(v["status"], 4);
        assert_eq!(v["due_at"], "2026-11-25T17:00:00+07:00");
        assert_eq!(v["receipt_due_at"], "2026-11-25T09:00:00+07:00", "the receipt's date is kept");
        // A second request needs a reason and makes the dossier late.
        let (s, _) = act(&specialist, &code, json!({"action": "request_supplement", "items": ["Ảnh"]})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        let v = ok(&specialist, &code, json!({"action": "request_supplement", "items": ["Ảnh"], "reason": "Ảnh không rõ"})).await;
        assert_eq!(v["pending"], "overdue");
    }

    async fn refusal_withdrawal_and_extension(app) {
        let desk = app.api_as("anphu.motcua").await;
        // Recorded without accepting, then refused: no code, status 3.
        let mut body = intake_body("1.001193", "H99.301", "r-1");
        body["accept"] = json!(false);
        let (s, d) = post(&desk, "/api/v1/dossiers", body).await;
        assert_eq!((s, d["status"].as_i64(), d["code"].is_null()), (StatusCode::CREATED, Some(1), true));
        let id = d["id"].to_string();
        let (_, q) = desk.json("/api/v1/dossiers?queue=to_process").await;
        assert_eq!(q["items"][0]["id"].to_string(), id, "{q}");
        let v = ok(&desk, &id, json!({"action": "refuse", "items": ["Hồ sơ không thuộc thẩm quyền của xã"]})).await;
        assert_eq!(v["status"], 3);
        assert_eq!(v["refusal_reasons"][0], "Hồ sơ không thuộc thẩm quyền của xã");

        // Recorded, then accepted later: the code is issued at acceptance.
        let mut body = intake_body("2.000908", "H99.301", "r-2");
        body["accept"] = json!(false);
        let (_, d) = post(&desk, "/api/v1/dossiers", body).await;
        let v = ok(&desk, &d["id"].to_string(), json!({"action": "accept"})).await;
        let code = v["code"].as_str().unwrap().to_owned();
        assert_eq!(code, "H99.301-261123-0001", "refused dossiers take no number");
        ok(&desk, &code, json!({"action": "forward"})).await;
        // The head apologises and extends: a new appointment, the legal due kept, counted late.
        let leader = app.api_as("anphu.lanhdao").await;
        let (s, _) = act(&leader, &code, json!({"action": "extend", "appointment_at": "27/11/2026 16:00", "signer": "Trương Văn Lãnh"})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "an extension needs its reason");
        let v = ok(&leader, &code, json!({"action": "extend", "appointment_at": "27/11/2026 16:00", "signer": "Trương Văn Lãnh", "reason": "Chờ xác minh"})).await;
        assert_eq!(v["appointment_at"], "2026-11-27T16:00:00+07:00");
        assert_eq!(v["due_at"], "2026-11-25T09:00:00+07:00");
        assert_eq!(v["pending"], "overdue");
        // The applicant withdraws; the desk stops processing (form 05).
        ok(&desk, &code, json!({"action": "request_withdrawal", "reason": "Đơn xin rút hồ sơ"})).await;
        let v = ok(&desk, &code, json!({"action": "stop"})).await;
        assert_eq!(v["status"], 8);
        // Stale clients are refused instead of acting on a state nobody saw.
        let (s, e) = act(&desk, &code, json!({"action": "forward", "expected_seq": 1})).await;
        assert_eq!((s, e["code"].as_str()), (StatusCode::CONFLICT, Some("stale_version")));
    }

    async fn a_change_of_reference_data_by_anyone_is_seen_by_the_next_request(app) {
        // Agencies, procedures and workflows are kept in memory between requests; a change made
        // outside this process (here plain SQL, as another server or an operator's tool would)
        // must still be seen at once.
        let desk = app.api_as("tanlap.motcua").await;
        let (s, _) = post(&desk, "/api/v1/dossiers", intake_body("1.001193", "H99.303", "r-1")).await;
        assert_eq!(s, StatusCode::CREATED);
        app.db.db.execute_unchecked("UPDATE agencies SET active = false WHERE code = 'H99.303'").await.unwrap();
        let (s, e) = post(&desk, "/api/v1/dossiers", intake_body("1.001193", "H99.303", "r-2")).await;
        assert_eq!((s, e["fields"][0]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("channel_closed")), "{e}");
        app.db.db.execute_unchecked("UPDATE agencies SET active = true WHERE code = 'H99.303'").await.unwrap();
        app.db
            .db
            .execute_unchecked("UPDATE agency_procedures SET desk = false WHERE agency_id = (SELECT id FROM agencies WHERE code = 'H99.303')")
            .await
            .unwrap();
        let (s, e) = post(&desk, "/api/v1/dossiers", intake_body("1.001193", "H99.303", "r-3")).await;
        assert_eq!((s, e["fields"][0]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("channel_closed")), "{e}");
    }

    async fn intake_validates_everything_and_reads_the_id_card_qr(app) {
        let desk = app.api_as("anphu.motcua").await;
        let (s, e) = post(&desk, "/api/v1/dossiers", json!({
            "procedure_code": "1.001193", "agency_code": "H99.301", "channel": "fax",
            "applicant": {"full_name": "", "id_number": "123", "email": "x"}, "accept": true
        })).await;
        // The form of the values is checked first, every error at once; what they say is
        // checked by the use case, after permission, every error at once.
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        let fields: Vec<&str> = e["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
        assert_eq!(fields, ["channel"]);
        let (s, e) = post(&desk, "/api/v1/dossiers", json!({
            "procedure_code": "1.001193", "agency_code": "H99.301", "channel": "desk",
            "applicant": {"full_name": "", "id_number": "123", "email": "x"}, "accept": true
        })).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        let fields: Vec<&str> = e["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
        assert_eq!(fields, ["applicant.full_name", "applicant.id_number", "applicant.email"]);
        let (s, e) = post(&desk, "/api/v1/dossiers", json!({
            "procedure_code": "1.001193", "agency_code": "H99.301",
            "cccd_qr": "046201000152|Võ Việt Dũng|30072001|Nam", "accept": true
        })).await;
        assert_eq!((s, e["fields"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("cccd_qr")));
        // Eight digits naming no day: the message says the date does not exist.
        let (s, e) = post(&desk, "/api/v1/dossiers", json!({
            "procedure_code": "1.001193", "agency_code": "H99.301",
            "cccd_qr": "046201000152||Võ Việt Dũng|31021990|Nam|Thôn An Lạc|15082021", "accept": true
        })).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(e["fields"][0]["message"].as_str().unwrap().contains("ngày không có thật: 31/02/1990"), "{e}");
        let (_, list) = desk.json("/api/v1/dossiers").await;
        assert!(list["items"].as_array().unwrap().is_empty(), "refused requests record nothing");
        let (s, d) = post(&desk, "/api/v1/dossiers", json!({
            "procedure_code": "1.001193", "agency_code": "H99.301",
            "cccd_qr": "046201000152||Võ Việt Dũng|30072001|Nam|Thôn An Lạc, Xã An Phú, Tỉnh Sơn Hà|15082021",
            "applicant": {"phone": "0912345678"}, "accept": true
        })).await;
        assert_eq!(s, StatusCode::CREATED, "{d}");
        let a = &d["submission"]["applicant"];
        assert_eq!(a["full_name"], "Võ Việt Dũng");
        assert_eq!(a["id_number"], "046201000152");
        assert_eq!(a["birth_date"], "2001-07-30");
        assert_eq!(a["phone"], "0912345678");
    }

    async fn the_result_document_is_kept_with_the_result_and_given_to_those_who_may_see_it(app) {
        let desk = app.api_as("anphu.motcua").await;
        let (_, d) = post(&desk, "/api/v1/dossiers", intake_body("1.001193", "H99.301", "r-1")).await;
        let code = d["code"].as_str().unwrap().to_owned();
        ok(&desk, &code, json!({"action": "forward"})).await;
        ok(&app.api_as("anphu.chuyenvien").await, &code, json!({"action": "forward"})).await;
        ok(&app.api_as("anphu.lanhdao").await, &code, json!({"action": "approve"})).await;
        let clerk = app.api_as("anphu.vanthu").await;
        let send = |file: Vec<u8>, name: &'static str, txn: &'static str| {
            let form = reqwest::multipart::Form::new()
                .text("number", "15/GKS")
                .text("signer", "Trương Văn Lãnh")
                .text("client_txn_id", txn)
                .part("file", reqwest::multipart::Part::bytes(file).file_name(name));
            clerk.http.post(app.url(&format!("/api/v1/dossiers/{code}/result"))).bearer_auth(clerk.bearer.clone().unwrap()).multipart(form).send()
        };
        // A file that is not a PDF or a scan is refused, and nothing changes.
        let r = send(b"MZ\x90\x00 not a document".to_vec(), "ketqua.pdf", "r-bad").await.unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let e: Value = r.json().await.unwrap();
        assert_eq!((e["fields"][0]["field"].as_str(), e["fields"][0]["code"].as_str()), (Some("file"), Some("unsupported_type")));
        let (_, v) = clerk.json(&format!("/api/v1/dossiers/{code}")).await;
        assert_eq!(v["status"], 4);
        // Nor is a page that only starts like a PDF (it would be served back to officials).
        let r = send(b"%PDF-1.7\n<html><script>alert(1)</script></html>".to_vec(), "ketqua.pdf", "r-html").await.unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json::<Value>().await.unwrap()["fields"][0]["code"], "unsupported_type");
        let (_, v) = clerk.json(&format!("/api/v1/dossiers/{code}")).await;
        assert_eq!(v["status"], 4);
        let pdf = motcua_testkit::files::sample_pdf("Giấy khai sinh bản điện tử");
        let r = send(pdf.clone(), "Giấy khai sinh.pdf", "r-2").await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["status"], 9);
        assert_eq!(v["result"]["file_name"], "Giấy khai sinh.pdf");
        assert_eq!(v["result"]["number"], "15/GKS");
        // A retry of the same request stores nothing more and acts once.
        let r = send(pdf.clone(), "Giấy khai sinh.pdf", "r-2").await.unwrap();
        assert_eq!(r.json::<Value>().await.unwrap()["last_seq"], v["last_seq"]);

        let r = desk.get(&format!("/api/v1/dossiers/{code}/result/file")).await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()["content-type"], "application/pdf");
        assert!(r.headers()["content-disposition"].to_str().unwrap().contains("filename*=UTF-8''Gi%E1%BA%A5y%20khai%20sinh.pdf"));
        assert_eq!(r.headers()["cache-control"], "private, no-store");
        assert_eq!(r.bytes().await.unwrap().to_vec(), pdf);
        // Another commune's desk does not know the dossier exists.
        let other = app.api_as("binhminh.motcua").await;
        assert_eq!(other.get(&format!("/api/v1/dossiers/{code}/result/file")).await.status(), StatusCode::NOT_FOUND);

        // In the browser: the page offers the document for download.
        let web = app.login("anphu.motcua").await;
        let html = web.get(&format!("/ho-so/{code}")).await.text().await.unwrap();
        assert!(html.contains("Tải văn bản kết quả: Giấy khai sinh.pdf"), "{html}");
        let r = web.get(&format!("/ho-so/{code}/ket-qua")).await;
        assert_eq!(r.bytes().await.unwrap().to_vec(), pdf);
        // A dossier issued without a file has none to give.
        let (_, d) = post(&desk, "/api/v1/dossiers", intake_body("1.001193", "H99.301", "r-3")).await;
        let code2 = d["code"].as_str().unwrap().to_owned();
        ok(&desk, &code2, json!({"action": "forward"})).await;
        ok(&app.api_as("anphu.chuyenvien").await, &code2, json!({"action": "forward"})).await;
        ok(&app.api_as("anphu.lanhdao").await, &code2, json!({"action": "approve"})).await;
        // The clerk issues it from the page: a multipart form whose first field is the token
        // (never the URL, which reaches history and access logs).
        let clerk_web = app.login("anphu.vanthu").await;
        let html = clerk_web.get(&format!("/ho-so/{code2}")).await.text().await.unwrap();
        assert!(html.contains(&format!("action=\"/ho-so/{code2}/ban-hanh\"")), "{html}");
        assert!(!html.contains("_csrf="), "no token in any URL of the page");
        let form = reqwest::multipart::Form::new().text("number", "16/GKS").text("signer", "Trương Văn Lãnh");
        let r = clerk_web.http.post(app.url(&format!("/ho-so/{code2}/ban-hanh"))).multipart(form).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "no token, no action");
        // A token in the URL is not looked at.
        let form = reqwest::multipart::Form::new().text("number", "16/GKS").text("signer", "Trương Văn Lãnh");
        let url = app.url(&format!("/ho-so/{code2}/ban-hanh?_csrf={}", clerk_web.csrf.as_ref().unwrap()));
        let r = clerk_web.http.post(url).multipart(form).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        // A signing date that does not exist comes back next to its field, the other values
        // kept; nothing is issued.
        let form = reqwest::multipart::Form::new()
            .text("_csrf", clerk_web.csrf.clone().unwrap())
            .text("number", "16/GKS")
            .text("signed_on", "31/02/2026")
            .text("signer", "Trương Văn Lãnh");
        let r = clerk_web.http.post(app.url(&format!("/ho-so/{code2}/ban-hanh"))).multipart(form).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let back = r.text().await.unwrap();
        let field = back.split(r#"name="signed_on""#).nth(1).unwrap().split("</label>").next().unwrap();
        assert!(field.contains(r#"value="31/02/2026""#) && field.contains(r#"class="field-error">"#), "{field}");
        assert!(field.split(r#"class="field-error">"#).nth(1).is_some_and(|m| !m.starts_with('<')), "a message by the field: {field}");
        assert!(back.contains(r#"name="number" required value="16/GKS""#) && back.contains(r#"value="Trương Văn Lãnh""#), "{back}");
        let (_, v) = desk.json(&format!("/api/v1/dossiers/{code2}")).await;
        assert!(v["result"].is_null(), "{v}");
        let form = reqwest::multipart::Form::new()
            .text("_csrf", clerk_web.csrf.clone().unwrap())
            .text("number", "16/GKS")
            .text("signer", "Trương Văn Lãnh");
        let r = clerk_web.http.post(app.url(&format!("/ho-so/{code2}/ban-hanh"))).multipart(form).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(desk.get(&format!("/api/v1/dossiers/{code2}/result/file")).await.status(), StatusCode::NOT_FOUND);
        let (_, v) = desk.json(&format!("/api/v1/dossiers/{code2}")).await;
        assert_eq!((v["status"].as_u64(), v["result"]["number"].as_str()), (Some(9), Some("16/GKS")));
    }
}

async fn concurrent_intakes(app: &TestApp, second: Option<motcua_app::Services>) {
    let desk = app
        .services
        .accounts
        .find_user(&motcua_domain::account::Username::parse("anphu.motcua").unwrap())
        .await
        .unwrap()
        .unwrap();
    let principal = app.services.accounts.principal_of(&desk).await.unwrap();
    let mut tasks = Vec::new();
    // Every fifth request is also sent a second time at once, as a client retrying too early:
    // the retry races its original, takes a number, is refused by the unique index and gives
    // the number back, then answers with the original's dossier.
    for i in (0..500).chain((0..500).step_by(5)) {
        let services =
            if i % 2 == 1 { second.clone().unwrap_or_else(|| app.services.clone()) } else { app.services.clone() };
        let p = principal.clone();
        tasks.push(tokio::spawn(async move {
            let input = Intake {
                client_txn: Some(ClientTxnId::parse(&format!("c-{i}")).unwrap()),
                accept: true,
                ..Intake::at_desk(
                    ProcedureCode::parse("1.001193").unwrap(),
                    AgencyCode::parse("H99.301").unwrap(),
                    &format!("Người nộp {i}"),
                )
            };
            let outcome = services
                .dossiers
                .intake(&p, &services.snapshot().await.unwrap(), &input, &RequestMeta::cli())
                .await
                .expect("intake");
            (i, outcome.view.state.code.unwrap(), outcome.replayed)
        }));
    }
    let mut codes = std::collections::BTreeMap::new();
    let mut replays = 0;
    for t in tasks {
        let (i, code, replayed) = t.await.unwrap();
        replays += usize::from(replayed);
        assert_eq!(*codes.entry(i).or_insert(code.clone()), code, "request {i} and its retry name one dossier");
    }
    assert_eq!(replays, 100, "each retry was answered with its original");
    let mut numbers: Vec<u32> = codes.values().map(|c| c.sequence()).collect();
    numbers.sort_unstable();
    assert_eq!(numbers, (1..=500).collect::<Vec<u32>>());

    // An action sent twice at once with one client transaction id hands the dossier over once,
    // and both sendings answer with it.
    let mut tasks = Vec::new();
    for (n, code) in codes.values().take(20).enumerate() {
        for _ in 0..2 {
            let services =
                if n % 2 == 1 { second.clone().unwrap_or_else(|| app.services.clone()) } else { app.services.clone() };
            let (p, code) = (principal.clone(), code.to_string());
            tasks.push(tokio::spawn(async move {
                let input = Action {
                    client_txn: Some(ClientTxnId::parse(&format!("f-{n}")).unwrap()),
                    ..Action::new(ActionKind::Forward)
                };
                let view = services
                    .dossiers
                    .act(&p, &services.snapshot().await.unwrap(), &code, &input, &RequestMeta::cli())
                    .await
                    .expect("forward");
                let forwards =
                    view.events.iter().filter(|e| e.client_txn_id.as_deref() == Some(&format!("f-{n}"))).count();
                (view.state.status.national_code(), forwards)
            }));
        }
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), (4, 1), "one hand-over, seen by both sendings");
    }
}

/// 500 concurrent intakes at one agency on one day get the codes 0001–0500, once each.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_concurrent_intakes_get_consecutive_codes() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    concurrent_intakes(&app, None).await;
}

/// The same on PostgreSQL, from two independent connection pools (as two `serve` processes).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_concurrent_intakes_from_two_servers_get_consecutive_codes() {
    let app = TestApp::spawn(Backend::Postgres).await;
    let db = motcua_store::Db::connect(&app.db.url, &motcua_store::DbOptions::default()).await.unwrap();
    let files = std::sync::Arc::new(motcua_store::files::LocalFiles::new(app.db.files.path.clone()));
    let second =
        motcua_app::Services::new(std::sync::Arc::new(db), files, app.clock.clone(), motcua_testkit::test_settings())
            .unwrap();
    concurrent_intakes(&app, Some(second)).await;
}
