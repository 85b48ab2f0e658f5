//! The OpenAPI document against the running server, by schemathesis (installed by
//! `scripts/test` into its virtualenv): a bounded run of generated requests, valid and invalid,
//! over every operation, as the province's administrator, failing on any server error, any
//! status the document does not declare, any response whose content type or body does not
//! match its schema. The seed is fixed, so a run is repeatable.

use motcua_testkit::{Backend, TestApp};

fn schemathesis() -> String {
    std::env::var("MOTCUA_TEST_SCHEMATHESIS").unwrap_or_else(|_| {
        panic!("schemathesis is needed: run the tests with scripts/test, which installs it (MOTCUA_TEST_SCHEMATHESIS)")
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_answers_as_its_openapi_document_says() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let token = app.api_as("admin").await.bearer.expect("token");
    let work = motcua_testkit::TempDir::new("motcua-schemathesis");
    let out = tokio::process::Command::new(schemathesis())
        .args(["run", &app.url("/api/v1/openapi.json")])
        .args(["--header", &format!("Authorization: Bearer {token}")])
        .args([
            "--checks",
            "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
        ])
        .args(["--phases", "examples,coverage,fuzzing", "--max-examples", "25", "--seed", "20261203"])
        .args(["--workers", "2", "--no-color", "--continue-on-failure", "--generation-database", "none"])
        .current_dir(&work.path)
        .output()
        .await
        .expect("run schemathesis");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "schemathesis found problems:\n{stdout}\n{stderr}");
    // Every operation of the document was exercised.
    let (_, doc) = app.browser().json("/api/v1/openapi.json").await;
    let operations: usize = doc["paths"].as_object().unwrap().values().map(|p| p.as_object().unwrap().len()).sum();
    assert!(stdout.contains(&format!("Tested: {operations}")), "{operations} operations, but:\n{stdout}");
}
