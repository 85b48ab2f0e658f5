//! National portal benchmark: how many dossiers a second the sender tells the conformance peer
//! (`tests/portal-peer`, on loopback), and the sync lag (from a desk action's commit to the
//! portal holding its step) with the worker running as `serve` runs it. Prints a Markdown table.
//!
//! Each dossier is taken in, accepted and forwarded (the portal hears a create and one chunk of
//! two steps: two calls). `MOTCUA_BENCH_DOSSIERS` (default 2,000), `MOTCUA_BENCH_BACKENDS`
//! (`sqlite,postgres`). `cargo bench -p motcua --bench portal`, or `scripts/bench portal`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use motcua_app::context::RequestMeta;
use motcua_app::dossiers::Intake;
use motcua_domain::account::Username;
use motcua_domain::agency::AgencyCode;
use motcua_domain::catalog::ProcedureCode;
use motcua_integrations::national_portal::{RestPortal, RestPortalSettings};
use motcua_portal_peer::{Peer, PeerOptions};
use motcua_testkit::{Backend, TestDb};

fn env_num(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn rest(peer: &Peer) -> RestPortal {
    RestPortal::new(&RestPortalSettings {
        base_url: peer.url(),
        create_path: motcua_portal_peer::CREATE_PATH.into(),
        update_path: motcua_portal_peer::UPDATE_PATH.into(),
        steps_path: motcua_portal_peer::STEPS_PATH.into(),
        pull_path: String::new(),
        token: None,
        file_hosts: Vec::new(),
        timeout: Duration::from_secs(10),
    })
    .expect("rest portal")
}

async fn desk(services: &motcua_app::Services) -> motcua_domain::account::Principal {
    let desk = services.accounts.find_user(&Username::parse("anphu.motcua").unwrap()).await.unwrap().unwrap();
    services.accounts.principal_of(&desk).await.unwrap()
}

struct Row {
    backend: &'static str,
    dossiers: u64,
    seconds: f64,
    calls: u64,
    lag_median_ms: f64,
    lag_p95_ms: f64,
}

async fn run(backend: Backend, n: u64) -> Row {
    let db = TestDb::new(backend).await;
    let services = db.services(Arc::new(motcua_app::clock::SystemClock));
    services.load_demo(&RequestMeta::cli()).await.expect("demo");
    motcua_testkit::desk::accepted_and_forwarded(&services, n, 8).await;
    let peer = Peer::start_local(PeerOptions::default()).await.unwrap();
    let services = services.with_portal(Arc::new(rest(&peer)));

    // Throughput: the sender alone, emptying the outbox.
    let started = Instant::now();
    let mut calls = 0;
    loop {
        let round = services.national_portal.send_due(500).await.unwrap();
        calls += round.calls;
        if round.synced + round.failed == 0 {
            break;
        }
        assert_eq!(round.failed, 0, "the peer refused something: {:?}", peer.recorded().violations);
    }
    let seconds = started.elapsed().as_secs_f64();
    assert_eq!(peer.recorded().dossiers.len() as u64, n);

    // Lag: the worker runs as under `serve`; a desk action, then the peer holds its step.
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let worker = services.worker(services.standard_jobs());
    let handle = tokio::spawn(worker.run(stopped));
    let principal = desk(&services).await;
    let mut lags = Vec::new();
    for i in 0..20u64 {
        let input = Intake {
            accept: true,
            ..Intake::at_desk(
                ProcedureCode::parse("1.001193").unwrap(),
                AgencyCode::parse("H99.301").unwrap(),
                &format!("Người nộp thêm {i}"),
            )
        };
        let before = peer.recorded().steps.len();
        let t = Instant::now();
        services
            .dossiers
            .intake(&principal, &services.snapshot().await.unwrap(), &input, &RequestMeta::cli())
            .await
            .unwrap();
        while peer.recorded().steps.len() == before {
            assert!(t.elapsed() < Duration::from_secs(30), "the step never reached the peer");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        lags.push(t.elapsed().as_secs_f64() * 1000.0);
        // Past the nudge's window, each sample at another point of it (a change comes when it
        // comes, not on the window's edge).
        tokio::time::sleep(Duration::from_millis(2_000 + (i * 347) % 2_000)).await;
    }
    let _ = stop.send(true);
    let _ = handle.await;
    lags.sort_by(f64::total_cmp);
    Row {
        backend: backend.as_str(),
        dossiers: n,
        seconds,
        calls,
        lag_median_ms: lags[lags.len() / 2],
        lag_p95_ms: lags[(lags.len() * 95).div_ceil(100) - 1],
    }
}

fn main() {
    let n = env_num("MOTCUA_BENCH_DOSSIERS", 2_000);
    let backends = std::env::var("MOTCUA_BENCH_BACKENDS").unwrap_or_else(|_| "sqlite,postgres".into());
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let mut rows = Vec::new();
    for b in backends.split(',') {
        let backend = match b.trim() {
            "sqlite" => Backend::Sqlite,
            "postgres" => Backend::Postgres,
            other => panic!("unknown backend {other}"),
        };
        rows.push(rt.block_on(run(backend, n)));
    }
    println!("| backend | dossiers sent | seconds | dossiers/s | calls/s | sync lag median | sync lag p95 |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for r in rows {
        println!(
            "| {} | {} | {:.2} | {:.0} | {:.0} | {:.0} ms | {:.0} ms |",
            r.backend,
            r.dossiers,
            r.seconds,
            r.dossiers as f64 / r.seconds,
            r.calls as f64 / r.seconds,
            r.lag_median_ms,
            r.lag_p95_ms
        );
    }
}
