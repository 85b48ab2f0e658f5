//! Integrity benchmark: how long `motcua audit verify` (the full verification) and the
//! periodic checkpoint take, per backend, on a database of `MOTCUA_BENCH_DOSSIERS` dossiers
//! (default 20,000; each taken in, accepted and forwarded once: three events). Prints a
//! Markdown table.
//!
//! Rows: the full verification (every audit entry, every event's hash, every dossier folded
//! and compared with its row); the first checkpoint (every dossier new to it, so checked in
//! full, then anchored); a checkpoint with nothing new (one pass over the heads); and one
//! after 1 % of the dossiers moved on.
//!
//! `cargo bench -p motcua --bench integrity`; `MOTCUA_BENCH_BACKENDS` (`sqlite,postgres`).

use std::time::Instant;

use motcua_app::context::RequestMeta;
use motcua_app::dossiers::Action;
use motcua_app::integrity::CheckpointOutcome;
use motcua_domain::account::Username;
use motcua_domain::dossier::ActionKind;
use motcua_domain::integrity::AnchorReason;
use motcua_testkit::{Backend, TestDb};

fn env_num(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

struct Row {
    backend: &'static str,
    what: &'static str,
    seconds: f64,
    dossiers: i64,
    events: i64,
}

async fn bench(backend: Backend, name: &'static str, n: u64, out: &mut Vec<Row>) {
    let db = TestDb::new(backend).await;
    let services = db.services(TestDb::manual_clock());
    services.load_demo(&RequestMeta::cli()).await.expect("demo");
    let started = Instant::now();
    let codes = motcua_testkit::desk::accepted_and_forwarded(&services, n, 16).await;
    eprintln!("{name}: {} dossiers written in {:.1} s", codes.len(), started.elapsed().as_secs_f64());

    let t = Instant::now();
    let report = services.integrity.verify_integrity(&[]).await.unwrap().expect("intact");
    out.push(Row {
        backend: name,
        what: "full verification",
        seconds: t.elapsed().as_secs_f64(),
        dossiers: report.dossiers,
        events: report.events,
    });

    let anchor = |what: &'static str| {
        let services = services.clone();
        async move {
            let t = Instant::now();
            let CheckpointOutcome::Anchored(a) = services.integrity.checkpoint(AnchorReason::Manual).await.unwrap()
            else {
                panic!("checkpoint did not anchor")
            };
            Row { backend: name, what, seconds: t.elapsed().as_secs_f64(), dossiers: a.facts.dossiers, events: 0 }
        }
    };
    out.push(anchor("checkpoint, all dossiers new").await);
    out.push(anchor("checkpoint, nothing new").await);
    let desk = services.accounts.find_user(&Username::parse("anphu.chuyenvien").unwrap()).await.unwrap().unwrap();
    let specialist = services.accounts.principal_of(&desk).await.unwrap();
    for code in codes.iter().step_by(100) {
        let forward = Action::new(ActionKind::Forward);
        services
            .dossiers
            .act(&specialist, &services.snapshot().await.unwrap(), code, &forward, &RequestMeta::cli())
            .await
            .expect("forward");
    }
    out.push(anchor("checkpoint, 1 % moved on").await);
}

fn main() {
    let n = env_num("MOTCUA_BENCH_DOSSIERS", 20_000);
    let backends = std::env::var("MOTCUA_BENCH_BACKENDS").unwrap_or_else(|_| "sqlite,postgres".into());
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let mut rows = Vec::new();
    rt.block_on(async {
        if backends.contains("sqlite") {
            bench(Backend::Sqlite, "SQLite", n, &mut rows).await;
        }
        if backends.contains("postgres") {
            bench(Backend::Postgres, "PostgreSQL", n, &mut rows).await;
        }
    });
    println!("| backend | run | dossiers | events | seconds | dossiers/s | events/s |");
    println!("|---|---|---:|---:|---:|---:|---:|");
    for r in rows {
        let rate =
            |x: i64| if r.seconds > 0.0 && x > 0 { format!("{:.0}", x as f64 / r.seconds) } else { "–".into() };
        println!(
            "| {} | {} | {} | {} | {:.2} | {} | {} |",
            r.backend,
            r.what,
            r.dossiers,
            if r.events > 0 { r.events.to_string() } else { "–".into() },
            r.seconds,
            rate(r.dossiers),
            rate(r.events)
        );
    }
}
