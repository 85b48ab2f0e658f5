//! A throwaway PostgreSQL cluster for the tests of one process.
//!
//! With `MOTCUA_TEST_PG_URL` set (an administrator URL of a server tests may create databases
//! on), it is used. Otherwise the first test that needs PostgreSQL creates a cluster with
//! `initdb` in a temporary directory, on a free loopback port, and starts it through a small
//! shell guard that stops the server and deletes the directory when this process exits (its
//! stdin pipe closes). PostgreSQL refuses to run as root, so under root the cluster belongs to
//! the `postgres` system user. The binaries come from `MOTCUA_PG_BIN`, the PATH, or Debian's
//! `/usr/lib/postgresql/<version>/bin`; `scripts/test` installs them when missing.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};

struct Cluster {
    admin_url: String,
    /// Kept alive for the life of the process; its stdin is the guard's lifeline.
    _guard: Option<Child>,
}

static CLUSTER: OnceLock<Result<Cluster, String>> = OnceLock::new();
static START: Mutex<()> = Mutex::new(());

/// URL of a new, empty database for one test.
pub async fn fresh_database() -> String {
    let admin = admin_url();
    let name = format!("t_{}", motcua_app::secret::random_hex(8));
    let base = admin.rsplit_once('/').map(|(b, _)| b.to_owned()).expect("admin URL has a database");
    let db = motcua_store::Db::connect(&admin, &motcua_store::DbOptions { max_connections: 2, ..Default::default() })
        .await
        .expect("connect to test PostgreSQL");
    db.execute_unchecked(&format!("CREATE DATABASE {name}")).await.expect("create test database");
    db.close().await;
    format!("{base}/{name}")
}

/// Administrator URL (`…/postgres`) of the test server, starting it if needed.
pub fn admin_url() -> String {
    let _lock = START.lock().unwrap_or_else(|e| e.into_inner());
    let cluster = CLUSTER.get_or_init(|| {
        if let Ok(url) = std::env::var("MOTCUA_TEST_PG_URL")
            && !url.is_empty()
        {
            return Ok(Cluster { admin_url: url, _guard: None });
        }
        start_cluster().map_err(|e| format!("{e:#}"))
    });
    match cluster {
        Ok(c) => c.admin_url.clone(),
        Err(e) => panic!(
            "PostgreSQL for tests is unavailable: {e}\nRun ./scripts/test (installs PostgreSQL if missing) or set MOTCUA_TEST_PG_URL."
        ),
    }
}

fn find_bin_dir() -> anyhow::Result<PathBuf> {
    if let Ok(dir) = std::env::var("MOTCUA_PG_BIN") {
        return Ok(PathBuf::from(dir));
    }
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output()
        && out.status.success()
    {
        let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if dir.join("initdb").exists() {
            return Ok(dir);
        }
    }
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|rd| {
            rd.filter_map(|e| e.ok()).map(|e| e.path().join("bin")).filter(|p| p.join("initdb").exists()).collect()
        })
        .unwrap_or_default();
    versions.sort();
    if let Some(dir) = versions.pop() {
        return Ok(dir);
    }
    for dir in std::env::var("PATH").unwrap_or_default().split(':') {
        if Path::new(dir).join("initdb").exists() && Path::new(dir).join("postgres").exists() {
            return Ok(PathBuf::from(dir));
        }
    }
    bail!("PostgreSQL server binaries (initdb, postgres) not found")
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0").unwrap_or(false)
}

/// `cmd` as the cluster owner: ourselves, or `postgres` when we are root.
fn as_owner(root: bool, program: &Path) -> Command {
    if root {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(program);
        c
    } else {
        Command::new(program)
    }
}

fn free_port() -> anyhow::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn start_cluster() -> anyhow::Result<Cluster> {
    let bin = find_bin_dir()?;
    let root = is_root();
    let dir =
        std::env::temp_dir().join(format!("motcua-pg-{}-{}", std::process::id(), motcua_app::secret::random_hex(4)));
    std::fs::create_dir_all(&dir)?;
    if root {
        let ok = Command::new("chown").args(["-R", "postgres:postgres"]).arg(&dir).status()?.success();
        if !ok {
            bail!("cannot hand {} to the postgres user", dir.display());
        }
    }
    let data = dir.join("data");
    let out = as_owner(root, &bin.join("initdb"))
        .arg("-D")
        .arg(&data)
        .args(["-U", "postgres", "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync"])
        .output()
        .context("running initdb")?;
    if !out.status.success() {
        bail!("initdb failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    let port = free_port()?;
    // Tests trade durability for speed; benchmarks ask for a durable server to measure honestly.
    let fast = if std::env::var_os("MOTCUA_TEST_PG_DURABLE").is_some() {
        ""
    } else {
        "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    };
    // The guard starts the server, waits for its stdin to close (this process exiting), then
    // stops the server fast and removes the cluster.
    let script = format!(
        "'{postgres}' -D '{data}' -p {port} -k '{dir}' -c listen_addresses=127.0.0.1 {fast} -c max_connections=200 >'{dir}/log' 2>&1 & pid=$!; \
         cat >/dev/null; kill -INT $pid; wait $pid; rm -rf '{dir}'",
        postgres = bin.join("postgres").display(),
        data = data.display(),
        dir = dir.display(),
    );
    let guard = as_owner(root, Path::new("/bin/sh"))
        .arg("-c")
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .context("starting postgres")?;
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let ready = Command::new(bin.join("pg_isready"))
            .args(["-h", "127.0.0.1", "-p", &port.to_string(), "-U", "postgres"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        if ready.map(|s| s.success()).unwrap_or(false) {
            break;
        }
        if Instant::now() > deadline {
            let log = std::fs::read_to_string(dir.join("log")).unwrap_or_default();
            bail!("PostgreSQL did not become ready in 60 s:\n{log}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Ok(Cluster { admin_url: format!("postgres://postgres@127.0.0.1:{port}/postgres"), _guard: Some(guard) })
}
