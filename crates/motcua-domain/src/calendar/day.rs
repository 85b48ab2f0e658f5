//! Day numbers: civil dates as consecutive integers, so calendars can be arrays indexed by day.
//!
//! The conversions are H. Hinnant's proleptic-Gregorian `days_from_civil` / `civil_from_days`,
//! exact for every date jiff can represent and free of allocation, which matters because the
//! deadline calculator converts on every query.

use jiff::Timestamp;
use jiff::civil::{Date, Weekday};

/// Days since 1970-01-01 (negative before).
pub type DayNumber = i32;

/// Seconds Vietnam civil time is ahead of UTC.
const VN_OFFSET_SECONDS: i64 = 7 * 3600;

pub fn day_number(date: Date) -> DayNumber {
    let (y, m, d) = (i32::from(date.year()), i32::from(date.month()), i32::from(date.day()));
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

pub fn from_day_number(n: DayNumber) -> Date {
    let z = n + 719468;
    let era = z.div_euclid(146097);
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i32::from(m <= 2);
    jiff::civil::date(y as i16, m as i8, d as i8)
}

pub fn weekday(n: DayNumber) -> Weekday {
    // 1970-01-01 was a Thursday.
    Weekday::from_monday_zero_offset(((n + 3).rem_euclid(7)) as i8).expect("offset in 0..7")
}

/// The Vietnam civil day and minute of the day (0–1439) of an instant.
pub fn vn_day_minute(at: Timestamp) -> (DayNumber, u16) {
    let local = at.as_second() + VN_OFFSET_SECONDS;
    (local.div_euclid(86_400) as DayNumber, (local.rem_euclid(86_400) / 60) as u16)
}

/// The instant of a Vietnam civil day and minute of the day.
pub fn vn_instant(day: DayNumber, minute: u16) -> Timestamp {
    let seconds = i64::from(day) * 86_400 + i64::from(minute) * 60 - VN_OFFSET_SECONDS;
    Timestamp::from_second(seconds).expect("calendar days are within jiff's range")
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use proptest::prelude::*;

    #[test]
    fn known_days() {
        assert_eq!(day_number(date(1970, 1, 1)), 0);
        assert_eq!(day_number(date(2000, 3, 1)), 11017);
        assert_eq!(from_day_number(-25567), date(1900, 1, 1));
        assert_eq!(weekday(day_number(date(2026, 2, 17))), Weekday::Tuesday);
        assert_eq!(weekday(day_number(date(1900, 1, 1))), Weekday::Monday);
    }

    #[test]
    fn instants_round_trip_in_vietnam_time() {
        let at: Timestamp = "2026-02-13T09:00:00Z".parse().unwrap();
        let (day, minute) = vn_day_minute(at);
        assert_eq!(from_day_number(day), date(2026, 2, 13));
        assert_eq!(minute, 16 * 60);
        assert_eq!(vn_instant(day, minute), at);
    }

    proptest! {
        #[test]
        fn agrees_with_jiff(n in -80_000i32..90_000) {
            let d = from_day_number(n);
            prop_assert_eq!(day_number(d), n);
            let epoch = date(1970, 1, 1);
            prop_assert_eq!(i64::from(n), (d - epoch).get_days() as i64);
            prop_assert_eq!(weekday(n), d.weekday());
        }
    }
}
