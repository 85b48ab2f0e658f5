//! Reports benchmark: a synthetic history of `MOTCUA_BENCH_DOSSIERS` dossiers (default
//! 200,000) over `MOTCUA_BENCH_YEARS` years (default 1) in the demo province, written through
//! the dossiers' own rules (`motcua bench gen`), then, per backend, the time of Biểu 06 for a
//! quarter and a year, for the whole province and for one commune (warm: the median of five
//! runs after one), and the intake throughput with the counters kept in the same transaction.
//! Prints a Markdown table.
//!
//! `cargo bench -p motcua --bench reports`; `MOTCUA_BENCH_BACKENDS` (`sqlite,postgres`).

use std::sync::Arc;
use std::time::Instant;

use motcua_app::context::RequestMeta;
use motcua_app::dossiers::{Intake, SyntheticHistory};
use motcua_app::reports::Viewer;
use motcua_domain::account::Username;
use motcua_domain::agency::AgencyCode;
use motcua_domain::catalog::ProcedureCode;
use motcua_domain::report::form06::Variant;
use motcua_domain::report::period::{Basis, ReportPeriod};
use motcua_testkit::{Backend, TestDb};

fn env_num(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

struct Row {
    backend: &'static str,
    what: String,
    value: String,
}

async fn median_ms(mut f: impl AsyncFnMut()) -> f64 {
    f().await;
    let mut v = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        f().await;
        v.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[2]
}

async fn intakes_per_second(services: &motcua_app::Services, seconds: f64) -> f64 {
    let desk = services.accounts.find_user(&Username::parse("anphu.motcua").unwrap()).await.unwrap().unwrap();
    let principal = Arc::new(services.accounts.principal_of(&desk).await.unwrap());
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..16 {
        let (services, principal) = (services.clone(), principal.clone());
        tasks.push(tokio::spawn(async move {
            let mut n = 0u64;
            while started.elapsed().as_secs_f64() < seconds {
                let input = Intake {
                    accept: true,
                    ..Intake::at_desk(
                        ProcedureCode::parse("1.001193").unwrap(),
                        AgencyCode::parse("H99.301").unwrap(),
                        &format!("Người nộp {c}-{n}"),
                    )
                };
                let snapshot = services.snapshot().await.unwrap();
                services.dossiers.intake(&principal, &snapshot, &input, &RequestMeta::cli()).await.expect("intake");
                n += 1;
            }
            n
        }));
    }
    let mut total = 0;
    for t in tasks {
        total += t.await.unwrap();
    }
    total as f64 / started.elapsed().as_secs_f64()
}

async fn bench(backend: Backend, name: &'static str, n: u64, years: i64, communes: usize, out: &mut Vec<Row>) {
    let db = TestDb::new(backend).await;
    let services = db.services(Arc::new(motcua_app::clock::SystemClock));
    services.load_demo_province(&RequestMeta::cli(), communes).await.expect("demo");
    let snapshot = services.snapshot().await.unwrap();
    let agencies = services.dossiers.synthetic_agencies(&snapshot).await.unwrap().max(1) as u64;
    let history = SyntheticHistory {
        per_agency: n.div_ceil(agencies) as usize,
        days: 365 * years,
        end: services.now(),
        seed: 7,
        batch: 5_000,
    };
    let t = Instant::now();
    let s = services.dossiers.write_synthetic_history(&snapshot, &history, &|_| {}).await.unwrap();
    let secs = t.elapsed().as_secs_f64();
    out.push(Row {
        backend: name,
        what: format!("history written: {} dossiers, {} events", s.dossiers, s.events),
        value: format!("{secs:.1} s ({:.0} dossiers/s)", s.dossiers as f64 / secs),
    });
    let year = motcua_domain::time::vn_date(services.now()).year();
    let reports = &services.reports;
    for (agency, label) in [("H99", "province"), ("H99.301", "one commune")] {
        for (period, pname) in [(format!("{year}-Q3"), "a quarter"), (format!("{year}"), "a year")] {
            let p = ReportPeriod::parse(&period, Basis::Statutory).unwrap();
            let mut total = 0;
            let ms = median_ms(async || {
                let r = reports.form06(Viewer::Operator, Some(agency), p, Variant::Resolving).await.unwrap();
                total = r.table.total.total;
            })
            .await;
            out.push(Row {
                backend: name,
                what: format!("Biểu 06, {pname} ({period}), {label} ({total} dossiers counted)"),
                value: format!("{ms:.1} ms"),
            });
        }
    }
    let today = motcua_domain::time::vn_date(services.now());
    let month = ReportPeriod::calendar_month_of(today);
    let ms = median_ms(async || {
        reports.index766(Viewer::Operator, Some("H99"), month).await.unwrap();
    })
    .await;
    out.push(Row {
        backend: name,
        what: format!("766 index, a month ({}), province", month.key()),
        value: format!("{ms:.1} ms"),
    });
    for (agency, label) in [("H99", "province"), ("H99.301", "one commune")] {
        let ms = median_ms(async || {
            reports.dashboard(Viewer::Operator, Some(agency), month).await.unwrap();
        })
        .await;
        out.push(Row { backend: name, what: format!("dashboard, this month, {label}"), value: format!("{ms:.1} ms") });
    }
    let y = year;
    let ms = median_ms(async || {
        reports.full_online(Viewer::Operator, Some("H99"), y).await.unwrap();
    })
    .await;
    out.push(Row {
        backend: name,
        what: format!("toàn trình rate, a year ({year}), province"),
        value: format!("{ms:.1} ms"),
    });
    let rate = intakes_per_second(&services, 5.0).await;
    out.push(Row { backend: name, what: "intake with counters, 16 clients".into(), value: format!("{rate:.0} /s") });
}

fn main() {
    let n = env_num("MOTCUA_BENCH_DOSSIERS", 200_000);
    let years = env_num("MOTCUA_BENCH_YEARS", 1) as i64;
    let communes = env_num("MOTCUA_BENCH_COMMUNES", 4) as usize;
    let backends = std::env::var("MOTCUA_BENCH_BACKENDS").unwrap_or_else(|_| "sqlite,postgres".into());
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let mut rows = Vec::new();
    rt.block_on(async {
        if backends.contains("sqlite") {
            bench(Backend::Sqlite, "SQLite", n, years, communes, &mut rows).await;
        }
        if backends.contains("postgres") {
            bench(Backend::Postgres, "PostgreSQL", n, years, communes, &mut rows).await;
        }
    });
    println!("| backend | measure | value |");
    println!("|---|---|---:|");
    for r in rows {
        println!("| {} | {} | {} |", r.backend, r.what, r.value);
    }
}
