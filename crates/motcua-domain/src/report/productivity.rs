//! Desk productivity: dossiers received per desk officer per working day, against the seed
//! plans' benchmark of 20 a day.

use jiff::civil::Date;

use crate::calendar::WorkingDays;

/// Dossiers a desk officer is expected to receive in a working day (the seed plans' figure).
pub const DAILY_BENCHMARK: f64 = 20.0;

/// Working days from `first` to `last`, both included (national calendar).
pub fn working_days(days: &WorkingDays, first: Date, last: Date) -> i64 {
    let mut n = 0;
    let mut d = first;
    while d <= last {
        if days.is_working(d).unwrap_or(false) {
            n += 1;
        }
        match d.tomorrow() {
            Ok(t) => d = t,
            Err(_) => break,
        }
    }
    n
}

/// Dossiers per working day, and that as a share (percent) of the benchmark (the seed plans'
/// [`DAILY_BENCHMARK`] unless the agency's target says otherwise).
pub fn per_day(received: i64, working_days: i64, benchmark: f64) -> Option<(f64, f64)> {
    (working_days > 0).then(|| {
        let v = received as f64 / working_days as f64;
        (v, if benchmark > 0.0 { v * 100.0 / benchmark } else { 0.0 })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::{HolidayTables, WorkingCalendar};
    use jiff::civil::date;

    #[test]
    fn counts_working_days_and_rates_against_the_benchmark() {
        let cal = WorkingCalendar::standard(&HolidayTables::new([]));
        // February 2026: 20 weekdays, of which the Tết holiday takes five (16–20/02).
        assert_eq!(working_days(cal.days(), date(2026, 2, 1), date(2026, 2, 28)), 15);
        assert_eq!(working_days(cal.days(), date(2026, 3, 2), date(2026, 3, 6)), 5);
        assert_eq!(working_days(cal.days(), date(2026, 3, 7), date(2026, 3, 8)), 0);
        assert_eq!(per_day(300, 15, DAILY_BENCHMARK), Some((20.0, 100.0)));
        assert_eq!(per_day(30, 15, DAILY_BENCHMARK), Some((2.0, 10.0)));
        assert_eq!(per_day(30, 15, 4.0), Some((2.0, 50.0)));
        assert_eq!(per_day(5, 0, DAILY_BENCHMARK), None);
    }
}
