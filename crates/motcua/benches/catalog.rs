//! Catalogue search benchmark: a synthetic catalogue of 5,000 procedures (the demo procedures
//! varied by code, name and field), searched through the real HTTP API by concurrent clients
//! in this process, plus the index alone on one core. Prints Markdown tables.
//!
//! `cargo bench -p motcua --bench catalog` (`MOTCUA_BENCH_SECS`, `MOTCUA_BENCH_CLIENTS`,
//! `MOTCUA_BENCH_PROCEDURES` to tune).

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
    let report = app.services.import_procedures(None, parsed, &RequestMeta::cli(), &|_, _| {}).await.unwrap();
    let import_secs = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let indexed = app.services.warm_catalog().await.unwrap();
    let index_ms = t.elapsed().as_secs_f64() * 1000.0;
    println!("| catalogue | import (parse + check + write) | index build |");
    println!("|---|---|---|");
    println!("| {indexed} procedures in force ({} new) | {import_secs:.2} s | {index_ms:.0} ms |", report.created);
    println!();

    // The index alone, one core, no HTTP.
    let query = |q: &str| motcua_app::catalog::ProcedureQueryInput { q: Some(q.to_owned()), ..Default::default() };
    let mut lat = Vec::new();
    let t = Instant::now();
    while t.elapsed() < Duration::from_secs(2) {
        for q in QUERIES {
            let parsed = app.services.procedure_query(&query(q)).await.unwrap();
            let s = Instant::now();
            std::hint::black_box(app.services.search_procedures(&parsed).await.unwrap());
            lat.push(s.elapsed().as_micros() as u64);
        }
    }
    lat.sort_unstable();
    println!("| search (in process) | queries | p50 ms | p99 ms |");
    println!("|---|---|---|---|");
    println!("| {} mixed queries | {} | {:.3} | {:.3} |", QUERIES.len(), lat.len(), pct(&lat, 0.5), pct(&lat, 0.99));
    println!();

    // Through HTTP with concurrent clients.
    let http = reqwest::Client::builder().pool_max_idle_per_host(clients).build().unwrap();
    let seq = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs(secs);
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (http, base, seq, errors) = (http.clone(), app.base.clone(), seq.clone(), errors.clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            while Instant::now() < deadline {
                let n = seq.fetch_add(1, Ordering::Relaxed) as usize;
                let q: String = url::form_urlencoded::byte_serialize(QUERIES[n % QUERIES.len()].as_bytes()).collect();
                let filter = if n.is_multiple_of(4) { "&level=commune" } else { "" };
                let s = Instant::now();
                let ok = match http.get(format!("{base}/api/v1/procedures?q={q}{filter}")).send().await {
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
    println!("| search through HTTP | clients | requests | errors | req/s | p50 ms | p99 ms |");
    println!("|---|---|---|---|---|---|---|");
    println!(
        "| GET /api/v1/procedures?q=… ({procedures} procedures) | {clients} | {} | {} | {:.0} | {:.2} | {:.2} |",
        all.len(),
        errors.load(Ordering::Relaxed),
        all.len() as f64 / elapsed,
        pct(&all, 0.5),
        pct(&all, 0.99)
    );
}
