//! Calendar benchmark: due-date computations, elapsed working time and lunar conversions per
//! second on one core, and the cost of compiling a calendar revision. Prints a Markdown table.
//!
//! `cargo bench -p motcua-domain --bench calendar` (or `scripts/bench calendar`).

use std::hint::black_box;
use std::time::{Duration, Instant};

use jiff::Timestamp;
use motcua_domain::calendar::day::{from_day_number, vn_instant};
use motcua_domain::calendar::{Counting, HolidayTables, ProcessingTime, TimeUnit, WorkingCalendar, WorkingDays, lunar};

/// Start instants spread over 2000–2099 at odd minutes, so no cache sees a pattern.
fn starts(n: usize) -> Vec<Timestamp> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let day = 10_957 + (x % 36_500) as i32;
            let minute = ((x >> 20) % 1440) as u16;
            vn_instant(day, minute)
        })
        .collect()
}

/// Runs `f` over the inputs until at least `min` has passed; returns operations per second.
fn rate<T>(inputs: &[T], min: Duration, mut f: impl FnMut(&T)) -> f64 {
    let mut ops = 0u64;
    let start = Instant::now();
    while start.elapsed() < min {
        for i in inputs {
            f(i);
        }
        ops += inputs.len() as u64;
    }
    ops as f64 / start.elapsed().as_secs_f64()
}

fn main() {
    let min = Duration::from_millis(if std::env::args().any(|a| a == "--quick") { 200 } else { 1500 });
    let t0 = Instant::now();
    let days = WorkingDays::build(&HolidayTables::default());
    let build = t0.elapsed();
    let calendar = WorkingCalendar::new(std::sync::Arc::new(days), Default::default());
    let inputs = starts(100_000);

    println!("| Calendar operation (one core) | per second | ns each |");
    println!("|---|---:|---:|");
    let row = |name: &str, per_sec: f64| println!("| {name} | {:.2} M | {:.0} |", per_sec / 1e6, 1e9 / per_sec);
    for (name, amount, unit, counting) in [
        ("due: 3 working_days (working time)", 3, TimeUnit::WorkingDays, Counting::WorkingTime),
        ("due: 20 working_days (civil days)", 20, TimeUnit::WorkingDays, Counting::CivilDays),
        ("due: 8 working_hours", 8, TimeUnit::WorkingHours, Counting::WorkingTime),
        ("due: 15 calendar_days", 15, TimeUnit::CalendarDays, Counting::WorkingTime),
        ("due: 1 months", 1, TimeUnit::Months, Counting::WorkingTime),
        ("due: same_day (cut-off 15:00)", 1, TimeUnit::SameDay, Counting::WorkingTime),
    ] {
        let time = ProcessingTime::new(amount, unit, None).expect("valid");
        let per_sec = rate(&inputs, min, |s| {
            black_box(calendar.due(black_box(*s), &time, counting).expect("in range"));
        });
        row(name, per_sec);
    }
    let pairs: Vec<(Timestamp, Timestamp)> = inputs.windows(2).map(|w| (w[0].min(w[1]), w[0].max(w[1]))).collect();
    row(
        "elapsed working minutes between two instants",
        rate(&pairs, min, |(a, b)| {
            black_box(calendar.elapsed(black_box(*a), black_box(*b)).expect("in range"));
        }),
    );
    let dates: Vec<jiff::civil::Date> = (0..100_000).map(|i| from_day_number(-25_000 + (i * 7919) % 109_000)).collect();
    row(
        "solar → lunar conversion",
        rate(&dates, min, |d| {
            black_box(lunar::to_lunar(black_box(*d)).expect("in range"));
        }),
    );
    println!();
    println!("Building the working days of a calendar revision (1900–2199): {:.1} ms", build.as_secs_f64() * 1e3);
}
