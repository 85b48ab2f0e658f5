//! Catalogue search benchmark: a synthetic catalogue of 5,000 procedures (the demo procedures
//! varied by code, name and field), searched through the real HTTP API by concurrent clients
//! in this process, plus the index alone on one core. Two workloads: ten popular queries
//! repeated (served from the result cache after their first time) and a long tail of new
//! two-word queries (every one a cache miss). Prints Markdown tables.
//!
//! `cargo bench -p motcua --bench catalog` (`MOTCUA_BENCH_SECS`, `MOTCUA_BENCH_CLIENTS`,
//! `MOTCUA_BENCH_PROCEDURES` to tune; `MOTCUA_BENCH_SLOWEST=1` lists the slowest queries).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use motcua_app::catalog::import::parse_json;
use motcua_app::context::RequestMeta;
use motcua_testkit::{Backend, TestApp};

const WORDS: [&str; 24] = [
    "nông thôn",
    "đô thị",
    "miền núi",
    "ven biển",
    "biên giới",
    "hải đảo",
    "doanh nghiệp nhỏ",
    "hợp tác xã",
    "người cao tuổi",
    "trẻ em",
    "người khuyết tật",
    "đồng bào dân tộc",
    "lao động",
    "học sinh",
    "cựu chiến binh",
    "hộ nghèo",
    "nhà ở xã hội",
    "rừng phòng hộ",
    "thủy sản",
    "chăn nuôi",
    "làng nghề",
    "du lịch",
    "giao thông",
    "môi trường",
];

const QUERIES: [&str; 10] = [
    "dang ky khai sinh",
    "đăng ký kết hôn",
    "chung thuc ban sao",
    "giấy phép xây dựng",
    "thuongg tru",
    "cap lai giay chung nhan",
    "1.001193",
    "tro cap xa hoi",
    "hộ kinh doanh",
    "dat dai nong thon",
];

fn synthetic(n: usize) -> Vec<u8> {
    let demo: serde_json::Value =
        serde_json::from_str(include_str!("../../motcua-app/demo/procedures-demo.json")).expect("demo file");
    let base: Vec<&serde_json::Value> =
        demo["procedures"].as_array().unwrap().iter().filter(|p| p["code"].is_string()).collect();
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let mut p = base[i % base.len()].clone();
        if i >= base.len() {
            let w1 = WORDS[i % WORDS.len()];
            let w2 = WORDS[(i / WORDS.len()) % WORDS.len()];
            p["code"] = serde_json::json!(format!("{}.{:06}", 1 + i % 3, 500_000 + i));
            p["name"] = serde_json::json!(format!("{} tại vùng {w1} cho {w2}", p["name"].as_str().unwrap()));
            p["field"] = serde_json::json!(format!("{} – nhóm {}", p["field"].as_str().unwrap(), i % 40));
        }
        out.push(p);
    }
    serde_json::to_vec(&serde_json::json!({ "procedures": out })).unwrap()
}

fn env_num(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn pct(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize] as f64 / 1000.0
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let secs = env_num("MOTCUA_BENCH_SECS", 10);
    let clients = env_num("MOTCUA_BENCH_CLIENTS", 50) as usize;
    let procedures = env_num("MOTCUA_BENCH_PROCEDURES", 5000) as usize;
    let web = motcua_web::WebConfig { public_api_per_minute: 100_000_000, ..motcua_testkit::app::test_web_config() };
    let app = TestApp::spawn_with(Backend::Sqlite, web).await;

    let t = Instant::now();
    let parsed = parse_json(&synthetic(procedures));
    assert!(parsed.problems.is_empty(), "{:?}", &parsed.problems[..parsed.problems.len().min(3)]);
    let report = app.services.catalog.import_procedures(None, parsed, &RequestMeta::cli(), &|_, _| {}).await.unwrap();
    let import_secs = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let indexed = app.services.catalog.warm_catalog().await.unwrap();
    let index_ms = t.elapsed().as_secs_f64() * 1000.0;
    println!("| catalogue | import (parse + check + write) | index build |");
    println!("|---|---|---|");
    println!("| {indexed} procedures in force ({} new) | {import_secs:.2} s | {index_ms:.0} ms |", report.created);
    println!();

    // The index alone, one core, no HTTP, no result cache.
    let vocabulary = vocabulary(&app).await;
    let popular = |n: usize| QUERIES[n % QUERIES.len()].to_owned();
    let tail = |n: usize| tail_query(&vocabulary, n);
    println!("| search (in process, no cache) | queries | p50 ms | p99 ms | max ms |");
    println!("|---|---|---|---|---|");
    in_process(&app, "10 popular queries", &popular).await;
    in_process(&app, "new two-word queries", &tail).await;
    println!();

    // Through HTTP with concurrent clients: the popular queries again and again (after the
    // first time each is served from the snapshot's result cache), then a long tail of
    // two-word queries that are each new (cache misses: the index does the work).
    let popular = Arc::new(|n: usize| {
        let q: String = url::form_urlencoded::byte_serialize(QUERIES[n % QUERIES.len()].as_bytes()).collect();
        let filter = if n.is_multiple_of(4) { "&level=commune" } else { "" };
        format!("q={q}{filter}")
    });
    let tail = Arc::new(move |n: usize| {
        format!("q={}", url::form_urlencoded::byte_serialize(tail_query(&vocabulary, n).as_bytes()).collect::<String>())
    });
    println!("| search through HTTP | clients | requests | errors | req/s | p50 ms | p99 ms |");
    println!("|---|---|---|---|---|---|---|");
    run_http(&app, clients, secs, "10 popular queries, repeated (result cache)", popular).await;
    run_http(&app, clients, secs, "new two-word queries (no cache hits)", tail).await;
    println!();
    println!(
        "({procedures} procedures, `GET /api/v1/procedures?q=…`, a quarter of the popular ones with `&level=commune`.)"
    );
}

/// The `n`th query of a fixed pseudo-random walk over word pairs, half typed without accents.
fn tail_query(vocabulary: &[String], n: usize) -> String {
    let h = (n as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let a = &vocabulary[(h >> 16) as usize % vocabulary.len()];
    let b = &vocabulary[(h >> 40) as usize % vocabulary.len()];
    let q = format!("{a} {b}");
    if n.is_multiple_of(2) { motcua_domain::catalog::fold::fold(&q) } else { q }
}

/// Times the index for two seconds of queries from `query`.
async fn in_process(app: &TestApp, label: &str, query: &dyn Fn(usize) -> String) {
    let mut lat = Vec::new();
    let mut slowest: Vec<(u64, String)> = Vec::new();
    let t = Instant::now();
    let mut n = 0;
    while t.elapsed() < Duration::from_secs(2) {
        let q = query(n);
        n += 1;
        let input = motcua_app::catalog::ProcedureSearch { q: q.clone(), ..Default::default() };
        let parsed = app.services.catalog.procedure_query(&input).await.unwrap();
        let s = Instant::now();
        std::hint::black_box(app.services.catalog.search_procedures_uncached(&parsed).await.unwrap());
        let us = s.elapsed().as_micros() as u64;
        lat.push(us);
        slowest.push((us, q));
    }
    lat.sort_unstable();
    println!(
        "| {label} | {} | {:.3} | {:.3} | {:.3} |",
        lat.len(),
        pct(&lat, 0.5),
        pct(&lat, 0.99),
        *lat.last().unwrap_or(&0) as f64 / 1000.0
    );
    if std::env::var_os("MOTCUA_BENCH_SLOWEST").is_some() {
        slowest.sort_unstable_by_key(|s| std::cmp::Reverse(s.0));
        slowest.dedup_by(|a, b| a.1 == b.1);
        for (us, q) in slowest.iter().take(10) {
            eprintln!("  {:.3} ms  {q}", *us as f64 / 1000.0);
        }
    }
}

/// Distinct words of the procedure names in force, for generated queries.
async fn vocabulary(app: &TestApp) -> Vec<String> {
    let all = motcua_app::catalog::ProcedureSearch { per_page: 100, ..Default::default() };
    let mut words = std::collections::BTreeSet::new();
    for page in 1..=50 {
        let q = app
            .services
            .catalog
            .procedure_query(&motcua_app::catalog::ProcedureSearch { page, ..all.clone() })
            .await
            .unwrap();
        for item in &app.services.catalog.search_procedures_uncached(&q).await.unwrap().items {
            for w in item.name.split_whitespace() {
                let w = w.trim_matches(|c: char| !c.is_alphanumeric()).to_lowercase();
                if w.chars().count() >= 2 {
                    words.insert(w);
                }
            }
        }
    }
    words.into_iter().collect()
}

/// Closed loop: each client sends its next request when the previous answer has arrived.
async fn run_http(
    app: &TestApp,
    clients: usize,
    secs: u64,
    label: &str,
    query: Arc<dyn Fn(usize) -> String + Send + Sync>,
) {
    let http = reqwest::Client::builder().pool_max_idle_per_host(clients).build().unwrap();
    let seq = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs(secs);
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (http, base, seq, errors, query) =
            (http.clone(), app.base.clone(), seq.clone(), errors.clone(), query.clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            while Instant::now() < deadline {
                let n = seq.fetch_add(1, Ordering::Relaxed) as usize;
                let url = format!("{base}/api/v1/procedures?{}", query(n));
                let s = Instant::now();
                let ok = match http.get(url).send().await {
                    Ok(r) if r.status().is_success() => r.bytes().await.is_ok(),
                    _ => false,
                };
                if !ok {
                    errors.fetch_add(1, Ordering::Relaxed);
                }
                lat.push(s.elapsed().as_micros() as u64);
            }
            lat
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    let elapsed = start.elapsed().as_secs_f64();
    all.sort_unstable();
    println!(
        "| {label} | {clients} | {} | {} | {:.0} | {:.2} | {:.2} |",
        all.len(),
        errors.load(Ordering::Relaxed),
        all.len() as f64 / elapsed,
        pct(&all, 0.5),
        pct(&all, 0.99)
    );
}
