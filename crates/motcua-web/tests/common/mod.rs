#![allow(dead_code)]

use motcua_app::ports::AgencyReads;
use motcua_domain::agency::{Agency, AgencyCode};
use motcua_testkit::TestApp;

pub async fn agency(app: &TestApp, code: &str) -> Agency {
    app.db
        .db
        .agency_by_code(&AgencyCode::parse(code).unwrap())
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("no agency {code}"))
}

pub fn codes(v: &serde_json::Value) -> Vec<String> {
    v["items"].as_array().unwrap().iter().map(|a| a["code"].as_str().unwrap().to_owned()).collect()
}

/// The province agency itself receives and resolves `1.001193`, a desk officer of the province
/// takes a dossier in there; its code.
pub async fn province_held_dossier(app: &TestApp) -> String {
    let province = agency(app, "H99").await;
    let admin = app.api_as("admin").await;
    let r = admin
        .put_json(
            &format!("/api/v1/agencies/{}/procedures", province.id),
            &serde_json::json!([{"code": "1.001193", "desk": true, "resolves": true}]),
        )
        .await;
    assert_eq!(r.status(), reqwest::StatusCode::OK);
    let r = admin
        .post_json("/api/v1/users", &serde_json::json!({"username": "tinh.tiepnhan", "full_name": "Cán bộ tiếp nhận tỉnh", "agency_id": province.id.0, "grants": [{"role": "desk_officer", "agency_id": province.id.0}]}))
        .await;
    assert_eq!(r.status(), reqwest::StatusCode::CREATED);
    let desk = app.api_as("tinh.tiepnhan").await;
    let r = desk
        .post_json("/api/v1/dossiers", &serde_json::json!({"procedure_code": "1.001193", "agency_code": "H99", "channel": "desk",
            "applicant": {"kind": "person", "full_name": "Trần Thị Tỉnh", "id_number": "001203009999"}, "accept": true}))
        .await;
    assert_eq!(r.status(), reqwest::StatusCode::CREATED);
    let v: serde_json::Value = r.json().await.unwrap();
    let code = v["code"].as_str().unwrap().to_owned();
    assert!(code.starts_with("H99-"), "{code}");
    code
}
