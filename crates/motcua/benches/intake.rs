//! Intake benchmark: the real router on a loopback port, on a fresh database of each backend,
//! driven over HTTP by closed-loop clients (each sends its next request when the previous
//! answer has arrived). Desk officers receive and accept dossiers in one call
//! (`POST /api/v1/dossiers` with `"accept": true`), then forward them to the specialist step
//! (`POST /api/v1/dossiers/{code}/actions`). Prints a Markdown table.
//!
//! The server runs on its own runtime threads, so the CPU it uses (its threads, SQLite's
//! worker threads and the PostgreSQL server processes) is told apart from the clients'. The
//! machine is shared: the table also shows what everything else on it used during each run
//! (other processes, and the time the hypervisor gave to other guests, "steal"), because
//! durable commits lose most when neighbours are busy.
//!
//! `cargo bench -p motcua --bench intake`; `MOTCUA_BENCH_SECS` (default 5),
//! `MOTCUA_BENCH_CLIENTS` (default 32), `MOTCUA_BENCH_BACKENDS` (`sqlite,postgres`).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use motcua_testkit::{Backend, TestApp};
use serde_json::json;

/// The demo communes whose desks receive procedure 1.001193.
const DESKS: [(&str, &str); 4] = [
    ("anphu.motcua", "H99.301"),
    ("binhminh.motcua", "H99.302"),
    ("tanlap.motcua", "H99.303"),
    ("hoabinh.motcua", "H99.304"),
];

fn env_num(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// CPU time in clock ticks, read from /proc.
mod cpu {
    use std::fs;

    fn fields(stat: &str) -> Option<(String, Vec<u64>)> {
        // `pid (comm) state …`: comm may hold spaces and parentheses, so split at the last ')'.
        let open = stat.find('(')?;
        let close = stat.rfind(')')?;
        let comm = stat[open + 1..close].to_owned();
        let rest: Vec<u64> = stat[close + 2..].split(' ').skip(1).map(|f| f.parse().unwrap_or(0)).collect();
        Some((comm, rest))
    }

    /// utime + stime of a stat line (fields 14 and 15; `rest` starts at field 4).
    fn busy(rest: &[u64]) -> u64 {
        rest.get(10).copied().unwrap_or(0) + rest.get(11).copied().unwrap_or(0)
    }

    #[derive(Clone, Copy, Default, Debug)]
    pub struct Sample {
        /// Server runtime threads and SQLite's connection worker threads.
        pub server: u64,
        /// Everything else in this process (the clients, mostly).
        pub clients: u64,
        /// PostgreSQL server processes.
        pub postgres: u64,
        /// All busy time on the machine (user, nice, system, irq, softirq), all cores.
        pub machine: u64,
        /// Time the hypervisor ran other guests while this one wanted to run.
        pub steal: u64,
        /// All time on the machine, all cores.
        pub total: u64,
    }

    pub fn sample() -> Sample {
        let mut s = Sample::default();
        if let Ok(tasks) = fs::read_dir("/proc/self/task") {
            for t in tasks.flatten() {
                let Ok(stat) = fs::read_to_string(t.path().join("stat")) else { continue };
                let Some((comm, rest)) = fields(&stat) else { continue };
                if comm.starts_with("server") || comm.starts_with("sqlx-sqlite") {
                    s.server += busy(&rest);
                } else {
                    s.clients += busy(&rest);
                }
            }
        }
        if let Ok(procs) = fs::read_dir("/proc") {
            for p in procs.flatten() {
                if !p.file_name().to_string_lossy().bytes().all(|b| b.is_ascii_digit()) {
                    continue;
                }
                let Ok(stat) = fs::read_to_string(p.path().join("stat")) else { continue };
                if let Some((comm, rest)) = fields(&stat)
                    && comm == "postgres"
                {
                    s.postgres += busy(&rest);
                }
            }
        }
        if let Ok(stat) = fs::read_to_string("/proc/stat")
            && let Some(line) = stat.lines().next()
        {
            let v: Vec<u64> = line.split_whitespace().skip(1).map(|f| f.parse().unwrap_or(0)).collect();
            let at = |i: usize| v.get(i).copied().unwrap_or(0);
            // user nice system idle iowait irq softirq steal
            s.machine = at(0) + at(1) + at(2) + at(5) + at(6);
            s.steal = at(7);
            s.total = (0..8).map(at).sum();
        }
        s
    }

    pub fn ticks_per_second() -> f64 {
        100.0
    }
}

struct Run {
    requests: u64,
    errors: u64,
    secs: f64,
    latencies_us: Vec<u64>,
    before: cpu::Sample,
    after: cpu::Sample,
}

impl Run {
    fn pct(&self, p: f64) -> f64 {
        if self.latencies_us.is_empty() {
            return 0.0;
        }
        self.latencies_us[((self.latencies_us.len() as f64 - 1.0) * p).round() as usize] as f64 / 1000.0
    }

    fn row(&self, backend: &str, scenario: &str, clients: usize) -> String {
        let hz = cpu::ticks_per_second();
        let d = |f: fn(&cpu::Sample) -> u64| f(&self.after).saturating_sub(f(&self.before)) as f64 / hz;
        let server = d(|s| s.server) + d(|s| s.postgres);
        let ours = server + d(|s| s.clients);
        let others = (d(|s| s.machine) - ours).max(0.0);
        let ok = self.requests - self.errors;
        format!(
            "| {backend} | {scenario} | {clients} | {ok} | {} | {:.0} | {:.2} | {:.2} | {:.0} | {:.2} | {:.2} | {:.2} |",
            self.errors,
            ok as f64 / self.secs,
            self.pct(0.5),
            self.pct(0.99),
            if ok > 0 { server * 1e6 / ok as f64 } else { 0.0 },
            d(|s| s.clients) / self.secs,
            others / self.secs,
            d(|s| s.steal) / self.secs,
        )
    }
}

/// What one request did.
#[derive(PartialEq)]
enum Outcome {
    Done,
    Failed,
    /// Nothing left to do for this client: it stops.
    Exhausted,
}

type Request = Arc<dyn Fn(usize, u64) -> std::pin::Pin<Box<dyn Future<Output = Outcome> + Send>> + Send + Sync>;

/// `clients` closed loops of `request(client, n)` for `secs` seconds on the client runtime.
fn drive(rt: &tokio::runtime::Runtime, clients: usize, secs: u64, request: Request) -> Run {
    rt.block_on(async move {
        let seq = Arc::new(AtomicU64::new(0));
        let before = cpu::sample();
        let start = Instant::now();
        let deadline = start + Duration::from_secs(secs);
        let mut tasks = Vec::new();
        for c in 0..clients {
            let (seq, request) = (seq.clone(), request.clone());
            tasks.push(tokio::spawn(async move {
                let mut lat = Vec::new();
                let mut errors = 0;
                while Instant::now() < deadline {
                    let n = seq.fetch_add(1, Ordering::Relaxed);
                    let t = Instant::now();
                    match request(c, n).await {
                        Outcome::Done => {}
                        Outcome::Failed => errors += 1,
                        Outcome::Exhausted => break,
                    }
                    lat.push(t.elapsed().as_micros() as u64);
                }
                (lat, errors)
            }));
        }
        let mut latencies_us = Vec::new();
        let mut errors = 0;
        for t in tasks {
            let (l, e) = t.await.expect("client");
            latencies_us.extend(l);
            errors += e;
        }
        let secs = start.elapsed().as_secs_f64();
        let after = cpu::sample();
        latencies_us.sort_unstable();
        Run { requests: latencies_us.len() as u64, errors, secs, latencies_us, before, after }
    })
}

/// Codes of accepted dossiers by desk, waiting to be forwarded.
type Accepted = Arc<Vec<Mutex<Vec<String>>>>;

/// The desks' HTTP side: one client, each desk officer's token, what they accepted, and the
/// failures seen (by status and error code).
#[derive(Clone)]
struct Desks {
    http: reqwest::Client,
    base: String,
    tokens: Arc<Vec<String>>,
    accepted: Accepted,
    failures: Arc<Mutex<BTreeMap<String, u64>>>,
}

impl Desks {
    /// Posts `body` as desk `desk`; the status and the JSON answer.
    async fn post(&self, desk: usize, path: &str, body: serde_json::Value) -> Option<(u16, serde_json::Value)> {
        let r = self.http.post(format!("{}{path}", self.base)).bearer_auth(&self.tokens[desk]).json(&body).send().await;
        let r = r.ok()?;
        let status = r.status().as_u16();
        Some((status, r.json().await.unwrap_or_default()))
    }

    fn failed(&self, status: u16, answer: &serde_json::Value) -> Outcome {
        *self.failures.lock().unwrap().entry(format!("{status} {}", answer["code"])).or_default() += 1;
        Outcome::Failed
    }
}

/// Desk `client % desks` receives and accepts one dossier; its code is kept for forwarding.
fn intake(d: &Desks, desks: usize) -> Request {
    let d = d.clone();
    Arc::new(move |client, n| {
        let (d, desk) = (d.clone(), client % desks);
        Box::pin(async move {
            let body = json!({
                "procedure_code": "1.001193",
                "agency_code": DESKS[desk].1,
                "channel": "desk",
                "applicant": {"kind": "person", "full_name": format!("Người nộp {n}"), "id_number": "001203004567"},
                "client_txn_id": format!("bench-{n}-{}", motcua_app::secret::random_hex(4)),
                "accept": true
            });
            let Some((status, v)) = d.post(desk, "/api/v1/dossiers", body).await else { return Outcome::Failed };
            match v["code"].as_str() {
                Some(code) if status == 201 => {
                    d.accepted[desk].lock().unwrap().push(code.to_owned());
                    Outcome::Done
                }
                _ => d.failed(status, &v),
            }
        })
    })
}

/// Desk `client % desks` forwards one of its accepted dossiers to the specialist step.
fn forward(d: &Desks, desks: usize) -> Request {
    let d = d.clone();
    Arc::new(move |client, n| {
        let (d, desk) = (d.clone(), client % desks);
        Box::pin(async move {
            let Some(code) = d.accepted[desk].lock().unwrap().pop() else { return Outcome::Exhausted };
            let body = json!({"action": "forward", "client_txn_id": format!("fwd-{n}-{code}")});
            let path = format!("/api/v1/dossiers/{code}/actions");
            let Some((status, v)) = d.post(desk, &path, body).await else { return Outcome::Failed };
            if status == 200 && v["status"] == 4 { Outcome::Done } else { d.failed(status, &v) }
        })
    })
}

/// The codes a phase got from one agency continue its day's numbering without a gap or a repeat.
fn check_consecutive(codes: &[String], issued_before: usize, agency: &str) {
    let mut seqs: Vec<usize> =
        codes.iter().map(|c| c.rsplit('-').next().and_then(|s| s.parse().ok()).expect("code sequence")).collect();
    seqs.sort_unstable();
    let expected: Vec<usize> = (issued_before + 1..=issued_before + seqs.len()).collect();
    assert!(seqs == expected, "the codes of {agency} are not consecutive");
}

fn main() {
    let secs = env_num("MOTCUA_BENCH_SECS", 5);
    let clients = env_num("MOTCUA_BENCH_CLIENTS", 32) as usize;
    let backends = std::env::var("MOTCUA_BENCH_BACKENDS").unwrap_or_else(|_| "sqlite,postgres".into());
    let durable = std::env::var_os("MOTCUA_TEST_PG_DURABLE").is_some();
    if !durable && backends.contains("postgres") {
        eprintln!(
            "note: PostgreSQL runs with fsync off; scripts/bench sets MOTCUA_TEST_PG_DURABLE=1 to measure it durable"
        );
    }
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
    let server_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(cores)
        .thread_name("server")
        .enable_all()
        .build()
        .expect("server runtime");
    let client_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(cores)
        .thread_name("client")
        .enable_all()
        .build()
        .expect("client runtime");

    println!(
        "| backend | scenario | clients | done | errors | per s | p50 ms | p99 ms | server CPU µs/req | clients' CPU (cores) | others' CPU (cores) | steal (cores) |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|");
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let label = match backend {
            Backend::Sqlite if backends.contains("sqlite") => "SQLite (WAL, synchronous=FULL)",
            Backend::Postgres if backends.contains("postgres") && durable => "PostgreSQL (fsync on)",
            Backend::Postgres if backends.contains("postgres") => "PostgreSQL (fsync off)",
            _ => continue,
        };
        let app = server_rt.block_on(TestApp::spawn(backend));
        let tokens: Vec<String> =
            DESKS.iter().map(|(user, _)| server_rt.block_on(app.api_as(user)).bearer.expect("token")).collect();
        let http = client_rt
            .block_on(async { reqwest::Client::builder().pool_max_idle_per_host(clients).build().expect("client") });
        let desks = Desks {
            http,
            base: app.base.clone(),
            tokens: Arc::new(tokens),
            accepted: Arc::new(DESKS.iter().map(|_| Mutex::new(Vec::new())).collect()),
            failures: Arc::new(Mutex::new(BTreeMap::new())),
        };
        let mut issued = [0usize; DESKS.len()];
        let mut phase = |scenario: &str, clients: usize, agencies: usize, request: Request, intakes: bool| {
            let before: Vec<usize> = desks.accepted.iter().map(|a| a.lock().unwrap().len()).collect();
            let run = drive(&client_rt, clients, secs, request);
            println!("{}", run.row(label, scenario, clients));
            if intakes {
                // Every code of this phase is new and the agency's numbers have no gaps.
                for (d, count) in issued.iter_mut().enumerate().take(agencies) {
                    let codes = desks.accepted[d].lock().unwrap();
                    check_consecutive(&codes[before[d]..], *count, DESKS[d].1);
                    *count += codes.len() - before[d];
                }
            }
        };
        let all = DESKS.len();
        phase("intake + accept, one agency", 1, 1, intake(&desks, 1), true);
        phase("intake + accept, one agency", clients, 1, intake(&desks, 1), true);
        phase("intake + accept, 4 agencies", clients, all, intake(&desks, all), true);
        phase("forward to the next step, 4 agencies", clients, all, forward(&desks, all), false);
        for (what, n) in desks.failures.lock().unwrap().iter() {
            eprintln!("{label}: {n} × {what}");
        }
        server_rt.block_on(async {
            assert!(app.services.audit.verify_audit(None).await.expect("audit").is_ok());
        });
        drop(app);
    }
    println!();
    println!(
        "(`done` counts successful requests; CPU in cores is CPU-seconds per second of the run; \
         server CPU includes the PostgreSQL server processes.)"
    );
}
