//! The `motcua` binary as operators use it: separate processes, real ports, real databases.

use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use motcua_app::ports::{JobFilter, JobQueue as _, JobReads};
use motcua_domain::job::JobStatus;
use motcua_store::{Db, DbOptions};
use motcua_testkit::{TempDir, pg};

const BIN: &str = env!("CARGO_BIN_EXE_motcua");

fn motcua(args: &[&str]) -> Command {
    let mut c = Command::new(BIN);
    c.args(args);
    // Never let the developer's own configuration leak into a test.
    for (k, _) in std::env::vars().filter(|(k, _)| k.starts_with("MOTCUA_")) {
        c.env_remove(k);
    }
    c.env("RUST_LOG", "warn").current_dir(std::env::temp_dir());
    // The tests count their own dossiers; the demo history has a test of its own.
    c.env("MOTCUA_DOSSIERS_DEMO_HISTORY_PER_AGENCY", "0");
    c
}

fn run(args: &[&str]) -> Output {
    motcua(args).output().expect("run motcua")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A child process stopped (SIGTERM, then kill) when dropped.
struct Proc(Child);

impl Proc {
    fn terminate(&mut self) -> Option<std::process::ExitStatus> {
        let _ = Command::new("kill").arg("-TERM").arg(self.0.id().to_string()).status();
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(Some(s)) = self.0.try_wait() {
                return Some(s);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        if self.0.try_wait().ok().flatten().is_none() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

async fn wait_until<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(60);
    while !check().await {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[test]
fn help_explains_every_command_in_one_line() {
    let out = run(&["--help"]);
    assert!(out.status.success());
    let help = text(&out.stdout);
    for cmd in ["serve", "worker", "migrate", "demo", "init", "token", "audit", "config", "jobs", "calendar", "forms"] {
        let line = help
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("{cmd} ")))
            .unwrap_or_else(|| panic!("{cmd} missing:\n{help}"));
        assert!(line.split_whitespace().count() > 2, "{cmd} has no description");
    }
}

#[test]
fn config_print_shows_effective_values_without_secrets() {
    let out = motcua(&["config", "print"])
        .env("MOTCUA_DATABASE_URL", "postgres://motcua:hunter2@db.internal/motcua")
        .env("MOTCUA_AUTH_LOCKOUT_THRESHOLD", "7")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let s = text(&out.stdout);
    assert!(s.contains("lockout_threshold = 7") && !s.contains("hunter2") && s.contains("MOTCUA_DATABASE_URL"), "{s}");
    let out = motcua(&["config", "print"]).env("MOTCUA_AUTH_LOCKOUT_THRESHOLD", "seven").output().unwrap();
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("MOTCUA_AUTH_LOCKOUT_THRESHOLD"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_demo_then_token_then_scoped_api() {
    let dir = TempDir::new("motcua-cli-serve");
    let data = dir.path.join("data");
    let data = data.to_str().unwrap();
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let mut server = Proc(
        motcua(&["serve", "--demo", "--data-dir", data, "--listen", &listen])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let base = format!("http://{listen}");
    let http = reqwest::Client::new();
    wait_until("readiness", || async {
        http.get(format!("{base}/readyz")).send().await.is_ok_and(|r| r.status().is_success())
    })
    .await;
    assert!(std::path::Path::new(data).join("motcua.db").exists());
    assert!(std::path::Path::new(data).join("files").is_dir());
    let home = http.get(format!("{base}/")).send().await.unwrap().text().await.unwrap();
    assert!(home.contains("Đăng nhập cán bộ"));

    // A token made by the CLI while the server runs on the same SQLite file.
    let out = run(&["token", "create", "--user", "binhminh.motcua", "--name", "kiểm thử", "--data-dir", data]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let token = text(&out.stdout).trim().to_owned();
    assert!(token.starts_with("mct_"));
    let r = http.get(format!("{base}/api/v1/agencies")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["items"].as_array().unwrap().len(), 1);
    assert_eq!(body["items"][0]["code"], "H99.302");
    let r = http.get(format!("{base}/api/v1/agencies")).send().await.unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(r.json::<serde_json::Value>().await.unwrap()["code"], "unauthenticated");
    let r = http.get(format!("{base}/api/v1/jobs")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(r.status(), 403);

    let status = server.terminate().expect("server stops on SIGTERM");
    assert!(status.success());
    let mut stdout = String::new();
    use std::io::Read as _;
    server.0.stdout.take().unwrap().read_to_string(&mut stdout).unwrap();
    assert!(
        stdout.contains("motcua-demo")
            && stdout.contains("anphu.motcua")
            && stdout.contains(&format!("http://{listen}/")),
        "{stdout}"
    );

    // Starting again keeps the data and does not reload it.
    let out = run(&["demo", "--data-dir", data]);
    assert!(out.status.success());
    assert!(text(&out.stderr).contains("đã có sẵn"));
}

#[test]
fn demo_history_verifies_and_reports() {
    let dir = TempDir::new("motcua-cli-history");
    let data = dir.path.to_str().unwrap();
    let out = motcua(&["demo", "--data-dir", data])
        .env("MOTCUA_DOSSIERS_DEMO_HISTORY_PER_AGENCY", "40")
        .output()
        .expect("run motcua");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("Đã sinh lịch sử mẫu một năm: 200 hồ sơ"), "{}", text(&out.stderr));
    // The generated events chain and fold like real ones, and the counters agree with them.
    let verify = run(&["audit", "verify", "--data-dir", data]);
    assert!(verify.status.success(), "{}{}", text(&verify.stdout), text(&verify.stderr));
    // The history and the demo's three online dossiers.
    assert!(text(&verify.stdout).contains("203 hồ sơ"), "{}", text(&verify.stdout));
    let verify = run(&["report", "verify", "--data-dir", data]);
    assert!(verify.status.success(), "{}", text(&verify.stderr));
    let year =
        run(&["report", "06", "--period", "2026", "--calendar", "--format", "csv", "--out", "-", "--data-dir", data]);
    assert!(year.status.success(), "{}", text(&year.stderr));
    let csv = text(&year.stdout);
    let total = csv.lines().find(|l| l.contains("Tổng cộng")).expect("a total row");
    let received: i64 = total.split(',').nth(2).unwrap().parse().unwrap();
    assert!(received > 100, "{csv}");
    let bad = run(&["report", "06", "--period", "2026-Q9", "--out", "-", "--data-dir", data]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(text(&bad.stderr).contains("quý 9 không hợp lệ"), "{}", text(&bad.stderr));
}

#[test]
fn demo_refuses_a_database_with_real_data() {
    let dir = TempDir::new("motcua-cli-real");
    let data = dir.path.to_str().unwrap();
    let out = run(&[
        "init",
        "--province-code",
        "H56",
        "--province-name",
        "Ủy ban nhân dân tỉnh Khánh Hòa",
        "--data-dir",
        data,
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let s = text(&out.stdout);
    assert!(s.contains("mật khẩu dùng một lần"), "{s}");
    let again = run(&["init", "--province-code", "H56", "--province-name", "X", "--data-dir", data]);
    assert!(!again.status.success());
    for args in
        [vec!["demo", "--data-dir", data], vec!["serve", "--demo", "--listen", "127.0.0.1:0", "--data-dir", data]]
    {
        let out = run(&args);
        assert!(!out.status.success(), "{args:?} must refuse");
        assert!(text(&out.stderr).contains("dữ liệu thật"), "{}", text(&out.stderr));
    }
}

async fn tamper_then_verify(url: &str) {
    let args = |extra: &[&str]| -> Vec<String> {
        let mut v: Vec<String> = extra.iter().map(|s| s.to_string()).collect();
        v.extend(["--database-url".to_owned(), url.to_owned()]);
        v
    };
    let run_s = |a: Vec<String>| run(&a.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(run_s(args(&["demo"])).status.success());
    assert!(run_s(args(&["token", "create", "--user", "admin"])).status.success());
    let ok = run_s(args(&["audit", "verify"]));
    assert!(ok.status.success(), "{}", text(&ok.stderr));
    // The demo's load, its petitions, the token.
    assert!(text(&ok.stdout).starts_with("OK: 3 "), "{}", text(&ok.stdout));
    let head = text(&run_s(args(&["audit", "head"])).stdout).trim().to_owned();
    assert!(head.starts_with("3:"));
    let anchored = run_s(args(&["audit", "verify", "--anchor", &head]));
    assert!(anchored.status.success());

    // A database administrator removes the protection and rewrites history.
    let db = Db::connect(url, &DbOptions::default()).await.unwrap();
    let drop_trigger = match db.backend() {
        motcua_store::Backend::Sqlite => "DROP TRIGGER audit_log_no_update",
        motcua_store::Backend::Postgres => "DROP TRIGGER audit_log_no_update ON audit_log",
    };
    db.execute_unchecked(drop_trigger).await.unwrap();
    db.execute_unchecked("UPDATE audit_log SET detail = 'nothing happened' WHERE seq = 1").await.unwrap();
    db.close().await;
    let bad = run_s(args(&["audit", "verify"]));
    assert_eq!(bad.status.code(), Some(1));
    let err = text(&bad.stderr);
    assert!(err.contains("entry 1") && err.contains("altered"), "{err}");
}

/// A dossier's history rewritten in the database file after an anchor: `audit verify` names
/// the dossier and the event, and exits 1.
async fn tampered_dossier_is_named(url: &str) {
    let dir = TempDir::new("motcua-cli-integrity");
    let data = dir.path.display().to_string();
    let with = |extra: &[&str]| -> Vec<String> {
        let mut v: Vec<String> = extra.iter().map(|s| s.to_string()).collect();
        v.extend(["--data-dir".to_owned(), data.clone(), "--database-url".to_owned(), url.to_owned()]);
        v
    };
    let run_s = |a: Vec<String>| run(&a.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(run_s(with(&["demo"])).status.success());
    assert!(dir.path.join("anchor.key").exists(), "demo creates the anchor key");

    // A desk officer takes a dossier in (through the library, on the same database).
    let (id, code) = desk_intakes(&dir.path, url, &["Nguyễn Văn An"]).await.remove(0);
    let db = std::sync::Arc::new(Db::connect(url, &DbOptions::default()).await.unwrap());

    let anchor = run_s(with(&["audit", "anchor"]));
    assert!(anchor.status.success(), "{}", text(&anchor.stderr));
    assert!(text(&anchor.stdout).contains("Đã ghi neo số 1"), "{}", text(&anchor.stdout));
    let ok = run_s(with(&["audit", "verify"]));
    assert!(ok.status.success(), "{}", text(&ok.stderr));
    // The desk's dossier (submitted, accepted) and the demo's three online dossiers (submitted);
    // the demo's petitions.
    let out = text(&ok.stdout);
    assert!(out.contains("4 hồ sơ, 5 sự kiện; 17 phản ánh, kiến nghị, ") && out.contains("1 neo đã xác thực"), "{out}");

    // The acceptance removed and the row's last_seq lowered.
    let drops: &[&str] = match db.backend() {
        motcua_store::Backend::Sqlite => &["DROP TRIGGER dossier_events_no_delete"],
        motcua_store::Backend::Postgres => &["DROP TRIGGER dossier_events_no_update ON dossier_events"],
    };
    for d in drops {
        db.execute_unchecked(d).await.unwrap();
    }
    db.execute_unchecked(&format!("DELETE FROM dossier_events WHERE dossier_id = {id} AND seq = 2")).await.unwrap();
    db.execute_unchecked(&format!("UPDATE dossiers SET last_seq = 1 WHERE id = {id}")).await.unwrap();
    db.close().await;
    let bad = run_s(with(&["audit", "verify"]));
    assert_eq!(bad.status.code(), Some(1), "{}", text(&bad.stdout));
    let err = text(&bad.stderr);
    assert!(err.contains(&format!("hồ sơ {code}, sự kiện 2")), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_verify_names_a_tampered_dossier_on_sqlite() {
    let dir = TempDir::new("motcua-cli-dossier");
    tampered_dossier_is_named(&format!("sqlite://{}/motcua.db", dir.path.display())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_verify_names_a_tampered_dossier_on_postgres() {
    tampered_dossier_is_named(&pg::fresh_database().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_verify_fails_after_an_update_on_sqlite() {
    let dir = TempDir::new("motcua-cli-audit");
    tamper_then_verify(&format!("sqlite://{}/motcua.db", dir.path.display())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_verify_fails_after_an_update_on_postgres() {
    tamper_then_verify(&pg::fresh_database().await).await;
}

/// Two worker processes on one PostgreSQL queue: every job runs exactly once, and both
/// workers take part.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_workers_on_postgres_run_each_job_once() {
    let url = pg::fresh_database().await;
    assert!(run(&["migrate", "--database-url", &url]).status.success());
    let spawn_worker = || {
        Proc(
            motcua(&["worker", "--database-url", &url])
                .env("MOTCUA_WORKER_POLL_INTERVAL_MS", "20")
                .env("MOTCUA_WORKER_BATCH_SIZE", "3")
                .stderr(Stdio::null())
                .spawn()
                .unwrap(),
        )
    };
    let mut w1 = spawn_worker();
    let mut w2 = spawn_worker();
    let db = Db::connect(&url, &DbOptions::default()).await.unwrap();
    wait_until("two workers", || async { db.workers().await.unwrap().len() == 2 }).await;

    const N: usize = 300;
    let out = run(&["jobs", "ping", "--count", &N.to_string(), "--delay-ms", "3", "--database-url", &url]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let done = |db: &Db| {
        let db = db.clone();
        async move {
            db.jobs(&JobFilter {
                status: Some(JobStatus::Done),
                kind: Some("diagnostics.ping".into()),
                limit: 1000,
                ..Default::default()
            })
            .await
            .unwrap()
        }
    };
    wait_until("all jobs done", || async { done(&db).await.len() == N }).await;

    let jobs = done(&db).await;
    let mut by_worker = std::collections::BTreeMap::<String, usize>::new();
    for j in &jobs {
        assert_eq!(j.attempts, 1, "job {} ran more than once", j.id);
        let attempts = db.job_attempts(j.id).await.unwrap();
        assert_eq!(attempts.len(), 1, "job {} has {} attempts", j.id, attempts.len());
        assert_eq!(attempts[0].outcome.as_deref(), Some("ok"));
        *by_worker.entry(attempts[0].worker_id.clone()).or_default() += 1;
    }
    assert_eq!(by_worker.len(), 2, "both workers should have taken jobs: {by_worker:?}");
    assert_eq!(by_worker.values().sum::<usize>(), N);

    assert!(w1.terminate().is_some_and(|s| s.success()));
    assert!(w2.terminate().is_some_and(|s| s.success()));
    let workers = db.workers().await.unwrap();
    assert!(workers.iter().all(|w| w.stopped_at.is_some()), "workers record their clean stop");
    let _ = db.purge_stopped_workers(jiff::Timestamp::UNIX_EPOCH).await;
    db.close().await;
}

#[test]
fn calendar_commands_answer_in_text_and_json() {
    let out = run(&["calendar", "lunar", "--solar", "2026-02-17"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout).trim(), "1/1/2026 (Bính Ngọ)");
    let out = run(&["calendar", "lunar", "--solar", "2026-02-17", "--json"]);
    assert_eq!(
        text(&out.stdout).trim(),
        r#"{"solar":"2026-02-17","lunar_day":1,"lunar_month":1,"lunar_year":2026,"leap":false}"#
    );
    let out = run(&["calendar", "lunar", "--lunar", "2026-01-01"]);
    assert_eq!(text(&out.stdout).trim(), "17/02/2026 (Thứ Ba)");
    let out = run(&["calendar", "lunar", "--lunar", "2025-12-30"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("chỉ có 29 ngày"), "{}", text(&out.stderr));

    // Holidays and due dates read the database when there is one; a fresh folder gets the
    // shipped calendar.
    let dir = TempDir::new("motcua-cli-calendar");
    let data = dir.path.to_str().unwrap();
    let out = run(&["calendar", "holidays", "--year", "2025", "--json", "--data-dir", data]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let off: Vec<&str> = v["days_off"].as_array().unwrap().iter().map(|d| d["date"].as_str().unwrap()).collect();
    assert_eq!(
        off,
        [
            "2025-01-01",
            "2025-01-27",
            "2025-01-28",
            "2025-01-29",
            "2025-01-30",
            "2025-01-31",
            "2025-04-07",
            "2025-04-30",
            "2025-05-01",
            "2025-05-02",
            "2025-09-01",
            "2025-09-02"
        ]
    );
    assert_eq!(v["working_weekend_days"][0]["date"], "2025-04-26");

    assert!(run(&["migrate", "--data-dir", data]).status.success());
    let out = run(&[
        "calendar",
        "due",
        "--start",
        "2026-02-13T16:00",
        "--duration",
        "3",
        "--unit",
        "working_days",
        "--json",
        "--data-dir",
        data,
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["due"], "2026-02-25T16:00:00+07:00");
    let out = run(&[
        "calendar",
        "due",
        "--start",
        "2026-02-13T16:00",
        "--unit",
        "same_day",
        "--cutoff",
        "15:00",
        "--data-dir",
        data,
    ]);
    assert!(text(&out.stdout).contains("Hạn trả kết quả: 17:00 23/02/2026 (Thứ Hai)"), "{}", text(&out.stdout));
    let out = run(&[
        "calendar",
        "due",
        "--start",
        "2026-02-13T16:00",
        "--duration",
        "3",
        "--unit",
        "weeks",
        "--data-dir",
        data,
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("error: unit:"), "{}", text(&out.stderr));
}

#[test]
fn form_templates_export_edit_check_and_preview() {
    let dir = TempDir::new("motcua-forms");
    let templates = dir.path.join("mau");
    let out = run(&["forms", "export", templates.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(templates.join("01-giay-tiep-nhan.txt").is_file() && templates.join("_dau-trang.txt").is_file());

    // A province's own header: checked, then rendered into the previews.
    std::fs::write(templates.join("_dau-trang.txt"), "@center **TỈNH SƠN HÀ**\n@center {{ org.unit | upper }}\n")
        .unwrap();
    let out = run(&["forms", "check", templates.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let previews = dir.path.join("pdf");
    let out = run(&["forms", "preview", "--templates", templates.to_str().unwrap(), previews.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let receipt = std::fs::read(previews.join("mau-01-mau.pdf")).unwrap();
    let t = motcua_testkit::pdf_text(&receipt);
    assert!(t.contains("TỈNH SƠN HÀ") && !t.contains("CỘNG HÒA"), "{t}");

    // A broken edit is named with its file and line; so is a file that is no form.
    std::fs::write(templates.join("02-yeu-cau-bo-sung.txt"), "@page A5\n{% for x in %}\n").unwrap();
    std::fs::write(templates.join("08-khac.txt"), "x").unwrap();
    let out = run(&["forms", "check", templates.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(err.contains("02-yeu-cau-bo-sung.txt") && err.contains("dòng 2") && err.contains("08-khac.txt"), "{err}");

    // The server refuses to start on broken templates instead of failing at the desk.
    let out = motcua(&["serve", "--listen", &format!("127.0.0.1:{}", free_port())])
        .env("MOTCUA_DATA_DIR", dir.path.join("data"))
        .env("MOTCUA_DOSSIERS_FORM_TEMPLATES_DIR", &templates)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("dossiers.form_templates_dir"), "{}", text(&out.stderr));
}

/// Takes dossiers in at An Phú's desk through the library, on the database of `data`.
async fn desk_intakes(data: &std::path::Path, url: &str, names: &[&str]) -> Vec<(i64, String)> {
    let db = std::sync::Arc::new(Db::connect(url, &DbOptions::default()).await.unwrap());
    let files = std::sync::Arc::new(motcua_store::files::LocalFiles::new(data.join("files")));
    let services = motcua_app::Services::new(
        db.clone(),
        files,
        std::sync::Arc::new(motcua_app::clock::SystemClock),
        motcua_testkit::test_settings(),
    )
    .unwrap();
    let desk = services
        .accounts
        .find_user(&motcua_domain::account::Username::parse("anphu.motcua").unwrap())
        .await
        .unwrap()
        .unwrap();
    let principal = services.accounts.principal_of(&desk).await.unwrap();
    let mut out = Vec::new();
    for name in names {
        let input = motcua_app::dossiers::Intake {
            accept: true,
            ..motcua_app::dossiers::Intake::at_desk(
                motcua_domain::catalog::ProcedureCode::parse("1.001193").unwrap(),
                motcua_domain::agency::AgencyCode::parse("H99.301").unwrap(),
                name,
            )
        };
        let view = services
            .dossiers
            .intake(&principal, &services.snapshot().await.unwrap(), &input, &motcua_app::context::RequestMeta::cli())
            .await
            .unwrap()
            .view;
        out.push((view.state.id, view.state.code.unwrap().to_string()));
    }
    db.close().await;
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn portal_reconcile_reports_a_planted_difference_and_the_dossiers_behind_it() {
    use motcua_app::clock::Clock as _;
    let dir = TempDir::new("motcua-cli-reconcile");
    let data = dir.path.display().to_string();
    assert!(run(&["demo", "--data-dir", &data]).status.success());
    let url = format!("sqlite://{}/motcua.db", data);
    // Two dossiers received today; no portal is configured, so the portal never heard of them.
    let taken = desk_intakes(&dir.path, &url, &["Nguyễn Văn Một", "Nguyễn Văn Hai"]).await;

    // The portal publishes one dossier at An Phú for this month: a difference planted.
    let peer = motcua_portal_peer::Peer::start_local(Default::default()).await.unwrap();
    peer.publish("dvc-progress-tree", serde_json::json!([{"code": "H99.301", "received": 1, "onTime": 1}]));
    peer.publish("provide-online-tree", serde_json::json!([{"code": "H99.301", "received": 2, "online": 0}]));
    let today = motcua_domain::time::vn_date(motcua_app::clock::SystemClock.now());
    let period = format!("{}-M{}", today.year(), today.month());
    let evaluation = format!("{}{}", peer.url(), motcua_portal_peer::EVALUATION_PATH);
    let reconcile = |format: &str| {
        motcua(&[
            "portal",
            "reconcile",
            "--period",
            &period,
            "--agency",
            "H99.301",
            "--format",
            format,
            "--data-dir",
            &data,
        ])
        .env("MOTCUA_PORTAL_EVALUATION_URL", &evaluation)
        .output()
        .expect("run motcua")
    };
    let out = reconcile("json");
    assert_eq!(out.status.code(), Some(3), "{}{}", text(&out.stdout), text(&out.stderr));
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["differences"], 1, "{r}");
    let cell = &r["indicators"][0]["cells"][0];
    assert_eq!(
        (cell["agency_code"].as_str(), cell["ours"].clone(), cell["portal"].clone()),
        (Some("H99.301"), serde_json::json!([2, 2]), serde_json::json!([1, 1]))
    );
    let ids: Vec<i64> = taken.iter().map(|(id, _)| *id).collect();
    assert_eq!(cell["dossiers"], serde_json::json!(ids), "the dossiers behind it: {r}");
    let out = reconcile("text");
    let shown = text(&out.stdout);
    assert!(shown.contains("LỆCH") && taken.iter().all(|(_, code)| shown.contains(code.as_str())), "{shown}");
    // Once the portal's figures agree, the command says so and exits 0.
    peer.publish("dvc-progress-tree", serde_json::json!([{"code": "H99.301", "received": 2, "onTime": 2}]));
    let out = reconcile("text");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    assert!(text(&out.stdout).contains("OK: số liệu khớp"), "{}", text(&out.stdout));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kill_in_the_middle_of_a_sync_burst_loses_nothing_and_counts_nothing_twice() {
    use motcua_portal_peer::{Faults, Peer};
    let dir = TempDir::new("motcua-cli-kill");
    let data = dir.path.display().to_string();
    assert!(run(&["demo", "--data-dir", &data]).status.success());
    let url = format!("sqlite://{data}/motcua.db");
    // Forty dossiers queued for the portal before it is configured.
    let names: Vec<String> = (1..=40).map(|i| format!("Người nộp số {i}")).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let mut taken = desk_intakes(&dir.path, &url, &names).await;
    // A portal that takes its time, so that the burst is still going when the server dies.
    let peer = Peer::start_local(Default::default()).await.unwrap();
    peer.set_faults(Faults { slow_ms: 30, ..Faults::default() });
    let serve = |listen: &str| {
        Proc(
            motcua(&["serve", "--data-dir", &data, "--listen", listen])
                .env("MOTCUA_PORTAL_REST_URL", peer.url())
                .env("MOTCUA_PORTAL_CREATE_PATH", motcua_portal_peer::CREATE_PATH)
                .env("MOTCUA_PORTAL_UPDATE_PATH", motcua_portal_peer::UPDATE_PATH)
                .env("MOTCUA_PORTAL_STEPS_PATH", motcua_portal_peer::STEPS_PATH)
                // A short call timeout: a dossier held by the killed sender is taken up again
                // when its claim (the timeout and 15 s) ends.
                .env("MOTCUA_PORTAL_TIMEOUT_SECONDS", "2")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap(),
        )
    };
    let listen = format!("127.0.0.1:{}", free_port());
    let mut server = serve(&listen);
    wait_until("a sync burst under way", || async { peer.recorded().dossiers.len() >= 8 }).await;
    server.0.kill().unwrap(); // SIGKILL: no chance to finish anything
    server.0.wait().unwrap();
    let at_kill = peer.recorded().dossiers.len();
    assert!(at_kill < 40, "the burst ended before the kill ({at_kill}); the test proves nothing");

    // Started again; the next change wakes the sender, which takes up where it stood.
    let listen = format!("127.0.0.1:{}", free_port());
    let mut server = serve(&listen);
    let base = format!("http://{listen}");
    let http = reqwest::Client::new();
    wait_until("readiness", || async {
        http.get(format!("{base}/readyz")).send().await.is_ok_and(|r| r.status().is_success())
    })
    .await;
    let out = run(&["token", "create", "--user", "anphu.motcua", "--name", "kiểm thử", "--data-dir", &data]);
    let token = text(&out.stdout).trim().to_owned();
    let r = http
        .post(format!("{base}/api/v1/dossiers"))
        .bearer_auth(&token)
        .json(&serde_json::json!({"procedure_code": "1.001193", "agency_code": "H99.301", "channel": "desk",
            "applicant": {"kind": "person", "full_name": "Người nộp số 41"}, "accept": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let last: serde_json::Value = r.json().await.unwrap();
    taken.push((last["id"].as_i64().unwrap(), last["code"].as_str().unwrap().to_owned()));
    wait_until("every dossier on the portal", || async { peer.recorded().steps.len() >= taken.len() }).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(server.terminate().is_some());

    let rec = peer.recorded();
    assert_eq!(rec.violations, Vec::<String>::new());
    // Every dossier once, with its one step: nothing lost, nothing counted twice. A call in
    // flight at the kill may be sent again (the dossier as an update, the step as a repeat the
    // portal recognises), never more than that one.
    for (_, code) in &taken {
        let steps: Vec<String> = rec.steps_of(code).into_iter().map(|(s, _)| s).collect();
        assert_eq!(steps, ["2"], "{code}");
        assert!((1..=2).contains(&rec.versions_of(code).len()), "{code}: {:?}", rec.versions_of(code));
    }
    assert_eq!(rec.steps.len(), taken.len());
    assert!(rec.dossiers.len() <= taken.len() + 1, "{} versions for {} dossiers", rec.dossiers.len(), taken.len());
    assert!(rec.resent_steps <= 1, "{}", rec.resent_steps);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn portal_catalogue_updates_procedures_from_the_national_database() {
    let dir = TempDir::new("motcua-cli-catalogue");
    let data = dir.path.display().to_string();
    assert!(run(&["demo", "--data-dir", &data]).status.success());
    let file = dir.path.join("thu-tuc.json");
    let out = run(&["export", "procedures", file.to_str().unwrap(), "--data-dir", &data]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let all: Vec<serde_json::Value> = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    let mut birth = all.into_iter().find(|p| p["MATTHC"] == "1.001193").expect("1.001193 in the demo catalogue");
    // The national database has a newer wording.
    birth["TENTTHC"] = serde_json::json!("Đăng ký khai sinh (cập nhật từ CSDL quốc gia)");
    let peer = motcua_portal_peer::Peer::start_local(motcua_portal_peer::PeerOptions {
        lgsp: Some(("tinh-son-ha".into(), "mat-khau-lgsp".into())),
        ..Default::default()
    })
    .await
    .unwrap();
    peer.set_catalogue(vec![birth]);
    let catalogue = |args: &[&str]| {
        let mut all = vec!["portal", "catalogue"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--data-dir", &data]);
        motcua(&all)
            .env("MOTCUA_PORTAL_LGSP_URL", peer.url())
            .env("MOTCUA_PORTAL_LGSP_AUTH_PATH", "/lgsp/auth")
            .env("MOTCUA_PORTAL_LGSP_INTEGRATION_PATH", "/lgsp/integration")
            .env("MOTCUA_PORTAL_LGSP_USERNAME", "tinh-son-ha")
            .env("MOTCUA_PORTAL_LGSP_PASSWORD", "mat-khau-lgsp")
            .env("MOTCUA_PORTAL_LGSP_AGENCY", "H99")
            .output()
            .expect("run motcua")
    };
    let out = catalogue(&["--code", "1.001193", "--code", "9.999999"]);
    assert!(out.status.success(), "{}{}", text(&out.stdout), text(&out.stderr));
    assert!(text(&out.stderr).contains("Cổng không có thủ tục 9.999999"), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("Đã nhập 1 thủ tục: 0 mới, 1 sửa đổi"), "{}", text(&out.stdout));
    // The whole list again: nothing new to take.
    let out = catalogue(&["--all"]);
    assert!(text(&out.stdout).contains("1 không thay đổi"), "{}{}", text(&out.stdout), text(&out.stderr));
    let calls: Vec<String> = peer.recorded().calls.into_iter().map(|c| c.kind).collect();
    assert!(
        calls.contains(&"lgsp/LayThuTuc".to_owned()) && calls.contains(&"lgsp/LayDanhSachTTHC".to_owned()),
        "{calls:?}"
    );
    assert_eq!(peer.recorded().violations, Vec::<String>::new());
    // Without the adapter configured, the command says what is missing.
    let out = run(&["portal", "catalogue", "--all", "--data-dir", &data]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("portal.lgsp_url"), "{}", text(&out.stderr));
}
