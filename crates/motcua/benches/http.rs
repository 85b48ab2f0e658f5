//! HTTP benchmark: the real router on a loopback port, driven by concurrent clients in the same
//! process, on SQLite and on a durable PostgreSQL. Prints a Markdown table.
//!
//! `cargo bench -p motcua --bench http` (`MOTCUA_BENCH_SECS`, `MOTCUA_BENCH_CLIENTS` to tune).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use motcua_testkit::{Backend, TestApp};

struct Stats {
    requests: usize,
    errors: usize,
    secs: f64,
    latencies_us: Vec<u64>,
}

impl Stats {
    fn pct(&self, p: f64) -> f64 {
        if self.latencies_us.is_empty() {
            return 0.0;
        }
        let i = ((self.latencies_us.len() as f64 - 1.0) * p).round() as usize;
        self.latencies_us[i] as f64 / 1000.0
    }
}

async fn load<F, Fut>(clients: usize, secs: u64, make: F) -> Stats
where
    F: Fn(usize, u64) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let make = Arc::new(make);
    let seq = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let deadline = start + Duration::from_secs(secs);
    let mut tasks = Vec::new();
    for c in 0..clients {
        let make = make.clone();
        let seq = seq.clone();
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut errors = 0;
            while Instant::now() < deadline {
                let n = seq.fetch_add(1, Ordering::Relaxed);
                let t = Instant::now();
                if !make(c, n).await {
                    errors += 1;
                }
                lat.push(t.elapsed().as_micros() as u64);
            }
            (lat, errors)
        }));
    }
    let mut latencies_us = Vec::new();
    let mut errors = 0;
    for t in tasks {
        let (l, e) = t.await.unwrap();
        latencies_us.extend(l);
        errors += e;
    }
    let secs = start.elapsed().as_secs_f64();
    latencies_us.sort_unstable();
    Stats { requests: latencies_us.len(), errors, secs, latencies_us }
}

fn env_num(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let durable = std::env::var_os("MOTCUA_TEST_PG_DURABLE").is_some();
    if !durable && std::env::var_os("MOTCUA_TEST_PG_URL").is_none() {
        eprintln!(
            "note: PostgreSQL runs with fsync off; scripts/bench sets MOTCUA_TEST_PG_DURABLE=1 to measure it durable"
        );
    }
    let secs = env_num("MOTCUA_BENCH_SECS", 5);
    let clients = env_num("MOTCUA_BENCH_CLIENTS", 16) as usize;
    println!("| backend | scenario | clients | requests | errors | req/s | p50 ms | p99 ms |");
    println!("|---|---|---|---|---|---|---|---|");
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let app = TestApp::spawn(backend).await;
        let token = app.api_as("admin").await.bearer.unwrap();
        let http = reqwest::Client::builder().pool_max_idle_per_host(clients).build().unwrap();
        let parent = {
            use motcua_app::ports::AgencyReads;
            app.db
                .db
                .agency_by_code(&motcua_domain::agency::AgencyCode::parse("H99.301").unwrap())
                .await
                .unwrap()
                .unwrap()
                .id
                .0
        };
        let base = app.base.clone();
        let name = match backend {
            Backend::Sqlite => "SQLite (WAL, synchronous=FULL)",
            Backend::Postgres if durable => "PostgreSQL (fsync on)",
            Backend::Postgres => "PostgreSQL (fsync off)",
        };
        type Scenario = (
            &'static str,
            Box<dyn Fn(usize, u64) -> std::pin::Pin<Box<dyn std::future::Future<Output = bool> + Send>> + Send + Sync>,
        );
        let scenarios: Vec<Scenario> = vec![
            ("GET /healthz", {
                let (http, base) = (http.clone(), base.clone());
                Box::new(move |_, _| {
                    let (http, base) = (http.clone(), base.clone());
                    Box::pin(async move {
                        http.get(format!("{base}/healthz")).send().await.is_ok_and(|r| r.status().is_success())
                    })
                })
            }),
            ("GET /api/v1/agencies (bearer, 27-node tree)", {
                let (http, base, token) = (http.clone(), base.clone(), token.clone());
                Box::new(move |_, _| {
                    let (http, base, token) = (http.clone(), base.clone(), token.clone());
                    Box::pin(async move {
                        http.get(format!("{base}/api/v1/agencies"))
                            .bearer_auth(token)
                            .send()
                            .await
                            .is_ok_and(|r| r.status().is_success())
                    })
                })
            }),
            ("POST /api/v1/agencies (audited write)", {
                let (http, base, token) = (http.clone(), base.clone(), token.clone());
                Box::new(move |_, n| {
                    let (http, base, token) = (http.clone(), base.clone(), token.clone());
                    Box::pin(async move {
                        let body = serde_json::json!({"parent_id": parent, "code": format!("H99.301.B{n}"), "name": format!("Đơn vị thử {n}"), "level": "department"});
                        http.post(format!("{base}/api/v1/agencies"))
                            .bearer_auth(token)
                            .json(&body)
                            .send()
                            .await
                            .is_ok_and(|r| r.status().as_u16() == 201)
                    })
                })
            }),
        ];
        for (label, f) in scenarios {
            let f = Arc::new(f);
            let s = load(clients, secs, move |c, n| f(c, n)).await;
            println!(
                "| {name} | {label} | {clients} | {} | {} | {:.0} | {:.2} | {:.2} |",
                s.requests,
                s.errors,
                s.requests as f64 / s.secs,
                s.pct(0.5),
                s.pct(0.99)
            );
        }
        // The audit chain stayed intact under concurrent writers.
        assert!(app.services.audit.verify_audit(None).await.unwrap().is_ok());
    }
}
