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
