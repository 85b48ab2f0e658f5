//! Civil time in Vietnam.
//!
//! Instants are stored and compared as UTC [`Timestamp`]s; civil dates (the day a dossier was
//! received, the day an agency was renamed) are taken in Vietnam time. Vietnam has used a fixed
//! UTC+07:00 with no daylight saving since 1975, so a constant offset is exact for every date
//! the system handles and does not depend on the host's time-zone database.

use jiff::Timestamp;
use jiff::civil::{Date, DateTime};
use jiff::tz::{Offset, TimeZone};

use crate::validation::FieldError;

/// UTC+07:00, the offset of `Asia/Ho_Chi_Minh`.
pub const VN_OFFSET: Offset = Offset::constant(7);

pub fn vn_time_zone() -> TimeZone {
    TimeZone::fixed(VN_OFFSET)
}

/// The civil date and time in Vietnam at an instant.
pub fn vn_datetime(at: Timestamp) -> DateTime {
    VN_OFFSET.to_datetime(at)
}

/// The civil date in Vietnam at an instant.
pub fn vn_date(at: Timestamp) -> Date {
    vn_datetime(at).date()
}

/// The instant a Vietnam civil day begins (00:00 +07:00), for date ranges given in days.
pub fn vn_day_start(date: Date) -> Timestamp {
    // A fixed offset has no gaps or folds, so midnight always exists.
    VN_OFFSET.to_timestamp(date.to_datetime(jiff::civil::Time::midnight())).unwrap_or(Timestamp::MIN)
}

/// `ngày 23 tháng 11 năm 2026`, as state documents date themselves.
pub fn format_date_long(date: Date) -> String {
    date.strftime("ngày %d tháng %m năm %Y").to_string()
}

/// `dd/mm/yyyy`, the format Vietnamese readers and state documents use.
pub fn format_date(date: Date) -> String {
    date.strftime("%d/%m/%Y").to_string()
}

/// `HH:MM dd/mm/yyyy` in Vietnam time.
pub fn format_datetime(at: Timestamp) -> String {
    vn_datetime(at).strftime("%H:%M %d/%m/%Y").to_string()
}

/// RFC 3339 with the Vietnam offset (`2026-02-13T16:00:00+07:00`), for APIs.
pub fn rfc3339_vn(at: Timestamp) -> String {
    at.to_zoned(vn_time_zone()).strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

/// Parses a date from a form or API: ISO `yyyy-mm-dd` (what `<input type=date>` sends) or the
/// Vietnamese `dd/mm/yyyy`.
pub fn parse_date(field: &str, input: &str) -> Result<Date, FieldError> {
    let s = input.trim();
    let parsed = if s.contains('/') { Date::strptime("%d/%m/%Y", s) } else { s.parse::<Date>() };
    parsed
        .map_err(|_| FieldError::new(field, "invalid_date", "Ngày không hợp lệ; dùng dạng dd/mm/yyyy hoặc yyyy-mm-dd."))
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn a_vietnam_day_starts_at_17_utc_the_day_before_and_is_written_in_full() {
        let start = vn_day_start(date(2026, 11, 23));
        assert_eq!(start.to_string(), "2026-11-22T17:00:00Z");
        assert_eq!(vn_date(start), date(2026, 11, 23));
        assert_eq!(format_date_long(date(2026, 3, 9)), "ngày 09 tháng 03 năm 2026");
    }

    #[test]
    fn vietnam_date_changes_at_17_utc() {
        let before: Timestamp = "2026-02-13T16:59:59Z".parse().unwrap();
        let after: Timestamp = "2026-02-13T17:00:00Z".parse().unwrap();
        assert_eq!(vn_date(before), date(2026, 2, 13));
        assert_eq!(vn_date(after), date(2026, 2, 14));
    }

    #[test]
    fn formats_follow_vietnamese_convention() {
        let at: Timestamp = "2026-02-13T09:00:00Z".parse().unwrap();
        assert_eq!(format_datetime(at), "16:00 13/02/2026");
        assert_eq!(format_date(date(2026, 1, 5)), "05/01/2026");
        assert_eq!(rfc3339_vn(at), "2026-02-13T16:00:00+07:00");
    }

    #[test]
    fn parses_both_date_shapes_and_rejects_garbage() {
        assert_eq!(parse_date("d", "2025-07-01").unwrap(), date(2025, 7, 1));
        assert_eq!(parse_date("d", "01/07/2025").unwrap(), date(2025, 7, 1));
        assert_eq!(parse_date("d", "31/02/2025").unwrap_err().code, "invalid_date");
        assert_eq!(parse_date("d", "hôm nay").unwrap_err().field, "d");
    }
}
