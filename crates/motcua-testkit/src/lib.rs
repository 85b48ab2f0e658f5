//! Test fixtures shared by every crate's integration tests.
//!
//! * [`TestDb`]: a fresh, migrated database per test, on SQLite (a temporary file) or
//!   PostgreSQL (a new database in a throwaway cluster, see [`pg`]).
//! * [`backend_tests!`]: writes each test once and runs it on both backends.

pub mod app;
pub mod desk;
pub mod files;
pub mod pg;
pub mod smtp;

pub use app::{TEST_PORTAL_TOKEN, TestApp, TestClient};
pub use smtp::{ReceivedMail, SmtpPeer};

use std::path::PathBuf;
use std::sync::Arc;

use jiff::Timestamp;
use motcua_app::Services;
use motcua_app::clock::{Clock, ManualClock};
use motcua_app::password::Argon2Params;
use motcua_app::settings::{AuthSettings, Settings};
use motcua_store::{Db, DbOptions};

pub use motcua_store::Backend;

/// A migrated database that belongs to one test.
pub struct TestDb {
    pub backend: Backend,
    pub url: String,
    pub db: Arc<Db>,
    _dir: Option<TempDir>,
    /// Uploaded files of this test.
    pub files: TempDir,
}

impl TestDb {
    pub async fn new(backend: Backend) -> Self {
        let (url, dir) = match backend {
            Backend::Sqlite => {
                let dir = TempDir::new("motcua-test");
                (format!("sqlite://{}/motcua.db", dir.path.display()), Some(dir))
            }
            Backend::Postgres => (pg::fresh_database().await, None),
        };
        let db = Db::connect(&url, &DbOptions::default()).await.expect("connect test database");
        db.migrate().await.expect("migrate test database");
        Self { backend, url, db: Arc::new(db), _dir: dir, files: TempDir::new("motcua-files") }
    }

    /// Use cases over this database with `clock`, and settings fast enough for tests.
    pub fn services(&self, clock: Arc<dyn Clock>) -> Services {
        self.services_with(clock, test_settings())
    }

    pub fn services_with(&self, clock: Arc<dyn Clock>, settings: Settings) -> Services {
        let files = Arc::new(motcua_store::files::LocalFiles::new(self.files.path.clone()));
        Services::new(self.db.clone(), files, clock, settings).expect("services")
    }

    /// A manual clock at a fixed, realistic instant (a Monday, 09:00 in Vietnam).
    pub fn manual_clock() -> Arc<ManualClock> {
        Arc::new(ManualClock::new(fixed_now()))
    }
}

/// 2026-11-23 09:00 Asia/Ho_Chi_Minh.
pub fn fixed_now() -> Timestamp {
    "2026-11-23T02:00:00Z".parse().expect("valid instant")
}

/// Settings with cheap password hashing (Argon2's smallest sane parameters): tests hash many
/// passwords and do not test Argon2's strength.
pub fn test_settings() -> Settings {
    Settings {
        auth: AuthSettings {
            argon2: Argon2Params { memory_kib: 1024, iterations: 1, parallelism: 1 },
            ..AuthSettings::default()
        },
        integrity: motcua_app::settings::IntegritySettings {
            anchor_key: Some(test_anchor_key()),
            ..Default::default()
        },
        ..Settings::default()
    }
}

/// The anchor key every test installation uses.
pub fn test_anchor_key() -> motcua_domain::integrity::AnchorKey {
    motcua_domain::integrity::AnchorKey::from_random([0x5a; 32])
}

/// A temporary directory removed on drop.
pub struct TempDir {
    pub path: PathBuf,
}

impl TempDir {
    pub fn new(prefix: &str) -> Self {
        let path =
            std::env::temp_dir().join(format!("{prefix}-{}-{}", std::process::id(), motcua_app::secret::random_hex(6)));
        std::fs::create_dir_all(&path).expect("create temp dir");
        Self { path }
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// Writes async tests once and runs each on SQLite and on PostgreSQL, as `sqlite::name` and
/// `postgres::name`:
///
/// ```ignore
/// motcua_testkit::backend_tests! {
///     async fn creates_things(db) { /* db: TestDb */ }
/// }
/// ```
#[macro_export]
macro_rules! backend_tests {
    ($(async fn $name:ident($db:ident) $body:block)*) => {
        mod sqlite {
            #[allow(unused_imports)]
            use super::*;
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let $db = $crate::TestDb::new($crate::Backend::Sqlite).await;
                    $body
                }
            )*
        }
        mod postgres {
            #[allow(unused_imports)]
            use super::*;
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let $db = $crate::TestDb::new($crate::Backend::Postgres).await;
                    $body
                }
            )*
        }
    };
}

/// Like [`backend_tests!`], but each test gets a running [`TestApp`] with the demo province.
#[macro_export]
macro_rules! app_tests {
    ($(async fn $name:ident($app:ident) $body:block)*) => {
        mod sqlite {
            #[allow(unused_imports)]
            use super::*;
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let $app = $crate::TestApp::spawn($crate::Backend::Sqlite).await;
                    $body
                }
            )*
        }
        mod postgres {
            #[allow(unused_imports)]
            use super::*;
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let $app = $crate::TestApp::spawn($crate::Backend::Postgres).await;
                    $body
                }
            )*
        }
    };
}

/// The text of a PDF as `pdftotext` (poppler-utils, installed by `scripts/test`) extracts it:
/// what a reader copying from the document, or a search index, gets.
pub fn pdf_text(pdf: &[u8]) -> String {
    use std::io::Write;
    let mut child = std::process::Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8", "-", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("pdftotext (poppler-utils) is needed: run the tests with scripts/test, which installs it");
    child.stdin.take().expect("stdin").write_all(pdf).expect("write pdf");
    let out = child.wait_with_output().expect("pdftotext runs");
    assert!(out.status.success(), "pdftotext failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf-8 text")
}
