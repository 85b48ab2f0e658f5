//! The Vietnamese lunisolar calendar (âm lịch), computed for the meridian of UTC+7.
//!
//! Written from the astronomical method (J. Meeus, *Astronomical Formulae for Calculators*, mean
//! new-moon series with its periodic terms and the low-precision solar longitude), following the
//! rules the reference (`legal.md` §8.2) states: a lunar month starts on the local day of a new
//! moon; the month holding the winter solstice is month 11; a year with 13 months repeats the
//! first month after month 11 that contains no major solar term. Vietnam fixes the calendar at
//! 105°E (Decision 121-CP, 1967), so it differs from China's (UTC+8) in some years: Tết 1985 was
//! 21/01 here and 20/02 there.
//!
//! All months of the supported range are computed once into a table ([`LunarCalendar`]), so a
//! conversion either way is a binary search.

use std::sync::OnceLock;

use jiff::civil::{Date, Weekday};
use serde::Serialize;

use crate::calendar::day::{DayNumber, day_number, from_day_number};

/// First solar date with a lunar date: Tết (1/1) of the lunar year 1900.
pub const FIRST_SOLAR: Date = jiff::civil::date(1900, 1, 31);
/// Last solar date of the supported range.
pub const LAST_SOLAR: Date = jiff::civil::date(2199, 12, 31);

/// Vietnam's time zone in hours, the meridian the calendar is computed for.
const VIETNAM_TZ_HOURS: f64 = 7.0;
/// Mean synodic month in days.
const SYNODIC_MONTH: f64 = 29.530588853;
/// Julian date (UT) of the mean new moon of 1900-01-01, the origin of the lunation count.
const LUNATION_EPOCH: f64 = 2415021.076998695;
/// Julian day number of 1970-01-01, to move between Julian days and [`DayNumber`]s.
const JDN_UNIX_EPOCH: i64 = 2440588;

/// A date of the lunar calendar. `year` is the Gregorian number of the year whose Tết starts it
/// (lunar 1/1/2026 is 17/02/2026).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct LunarDate {
    pub year: i32,
    pub month: u8,
    pub day: u8,
    /// The month is the repeated (nhuận) one of a 13-month year.
    pub leap: bool,
}

impl LunarDate {
    /// `1/1/2026 (Bính Ngọ)`, with ` nhuận` after the month of a leap month.
    pub fn display(&self) -> String {
        let leap = if self.leap { " nhuận" } else { "" };
        format!("{}/{}{leap}/{} ({})", self.day, self.month, self.year, year_name(self.year))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LunarError {
    #[error("ngày {0} nằm ngoài phạm vi lịch hỗ trợ (31/01/1900 – 31/12/2199)")]
    SolarOutOfRange(String),
    #[error("năm âm lịch {0} nằm ngoài phạm vi hỗ trợ (1900 – 2199)")]
    YearOutOfRange(i32),
    #[error("tháng âm lịch phải từ 1 đến 12, nhận được {0}")]
    InvalidMonth(u8),
    #[error("năm {year} ({name}) không có tháng {month} nhuận")]
    NoSuchLeapMonth { year: i32, name: String, month: u8 },
    #[error("tháng {month}{leap} năm {year} ({name}) chỉ có {length} ngày, không có ngày {day}")]
    NoSuchDay { year: i32, name: String, month: u8, leap: &'static str, length: u8, day: u8 },
}

const STEMS: [&str; 10] = ["Giáp", "Ất", "Bính", "Đinh", "Mậu", "Kỷ", "Canh", "Tân", "Nhâm", "Quý"];
const BRANCHES: [&str; 12] = ["Tý", "Sửu", "Dần", "Mão", "Thìn", "Tỵ", "Ngọ", "Mùi", "Thân", "Dậu", "Tuất", "Hợi"];

/// The sexagenary (can chi) name of a lunar year: 2026 → `Bính Ngọ`.
pub fn year_name(year: i32) -> String {
    let stem = STEMS[(year + 6).rem_euclid(10) as usize];
    let branch = BRANCHES[(year + 8).rem_euclid(12) as usize];
    format!("{stem} {branch}")
}

/// The traditional name of a lunar month (Giêng for 1, Chạp for 12).
pub fn month_name(month: u8) -> String {
    match month {
        1 => "Giêng".to_owned(),
        12 => "Chạp".to_owned(),
        m => m.to_string(),
    }
}

/// The traditional name of a lunar day within its month (`mùng 1` … `mùng 10`, then the number).
pub fn day_name(day: u8) -> String {
    if day <= 10 { format!("mùng {day}") } else { day.to_string() }
}

/// One lunar month of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Month {
    start: DayNumber,
    year: i32,
    month: u8,
    leap: bool,
}

/// Every lunar month of a range of years, for one meridian.
#[derive(Debug)]
pub struct LunarCalendar {
    months: Vec<Month>,
    /// Day after the last day of the last month.
    end: DayNumber,
}

impl LunarCalendar {
    /// The Vietnamese calendar over the supported range, computed on first use.
    pub fn vietnam() -> &'static LunarCalendar {
        static TABLE: OnceLock<LunarCalendar> = OnceLock::new();
        TABLE.get_or_init(|| LunarCalendar::compute(VIETNAM_TZ_HOURS, 1899, 2199))
    }

    /// The months from month 11 of lunar year `first` to the end of month 10 of `last + 1`,
    /// computed for a meridian `tz_hours` east of Greenwich.
    pub fn compute(tz_hours: f64, first: i32, last: i32) -> LunarCalendar {
        let astro = Astro { tz_hours };
        let mut months = Vec::with_capacity(((last - first + 1) * 13) as usize);
        let mut end = 0;
        let mut a11 = astro.month_11(first);
        for y in first..=last {
            let next_a11 = astro.month_11(y + 1);
            let k0 = ((a11 as f64 + JDN_UNIX_EPOCH as f64 - LUNATION_EPOCH) / SYNODIC_MONTH).round() as i64;
            let count = if next_a11 - a11 > 365 { 13 } else { 12 };
            let leap_at = (count == 13).then(|| astro.leap_offset(k0));
            for i in 0..count {
                let shift = usize::from(leap_at.is_some_and(|l| i >= l));
                let raw = i - shift; // 0 = month 11, 1 = month 12, 2 = month 1 …
                months.push(Month {
                    start: astro.new_moon_day(k0 + i as i64),
                    year: if raw < 2 { y } else { y + 1 },
                    month: ((10 + raw) % 12 + 1) as u8,
                    leap: leap_at == Some(i),
                });
            }
            debug_assert_eq!(astro.new_moon_day(k0 + count as i64), next_a11);
            end = next_a11;
            a11 = next_a11;
        }
        LunarCalendar { months, end }
    }

    fn length(&self, index: usize) -> u8 {
        let next = self.months.get(index + 1).map_or(self.end, |m| m.start);
        (next - self.months[index].start) as u8
    }

    /// Solar → lunar.
    pub fn to_lunar(&self, date: Date) -> Result<LunarDate, LunarError> {
        if date < FIRST_SOLAR || date > LAST_SOLAR {
            return Err(LunarError::SolarOutOfRange(crate::time::format_date(date)));
        }
        let day = day_number(date);
        let i = self.months.partition_point(|m| m.start <= day) - 1;
        let m = self.months[i];
        Ok(LunarDate { year: m.year, month: m.month, day: (day - m.start + 1) as u8, leap: m.leap })
    }

    /// Lunar → solar, refusing dates that do not exist (a 30th of a 29-day month, a leap month
    /// in a year without it).
    pub fn to_solar(&self, lunar: LunarDate) -> Result<Date, LunarError> {
        if !(1900..=2199).contains(&lunar.year) {
            return Err(LunarError::YearOutOfRange(lunar.year));
        }
        if !(1..=12).contains(&lunar.month) {
            return Err(LunarError::InvalidMonth(lunar.month));
        }
        let key = (lunar.year, lunar.month, lunar.leap);
        let found = self.months.binary_search_by(|m| (m.year, m.month, m.leap).cmp(&key));
        let Ok(i) = found else {
            return Err(LunarError::NoSuchLeapMonth {
                year: lunar.year,
                name: year_name(lunar.year),
                month: lunar.month,
            });
        };
        let length = self.length(i);
        if lunar.day == 0 || lunar.day > length {
            return Err(LunarError::NoSuchDay {
                year: lunar.year,
                name: year_name(lunar.year),
                month: lunar.month,
                leap: if lunar.leap { " nhuận" } else { "" },
                length,
                day: lunar.day,
            });
        }
        let date = from_day_number(self.months[i].start + i32::from(lunar.day) - 1);
        if date > LAST_SOLAR {
            return Err(LunarError::SolarOutOfRange(crate::time::format_date(date)));
        }
        Ok(date)
    }

    /// Number of days of a lunar month (29 or 30).
    pub fn month_length(&self, year: i32, month: u8, leap: bool) -> Option<u8> {
        let i = self.months.binary_search_by(|m| (m.year, m.month, m.leap).cmp(&(year, month, leap))).ok()?;
        Some(self.length(i))
    }

    /// The leap month of a lunar year, if it has 13 months.
    pub fn leap_month(&self, year: i32) -> Option<u8> {
        let start = self.months.partition_point(|m| m.year < year);
        self.months[start..].iter().take_while(|m| m.year == year).find(|m| m.leap).map(|m| m.month)
    }
}

/// Solar → lunar on the Vietnamese calendar.
pub fn to_lunar(date: Date) -> Result<LunarDate, LunarError> {
    LunarCalendar::vietnam().to_lunar(date)
}

/// Lunar → solar on the Vietnamese calendar.
pub fn to_solar(lunar: LunarDate) -> Result<Date, LunarError> {
    LunarCalendar::vietnam().to_solar(lunar)
}

/// Tết Nguyên đán (lunar 1/1) of a year.
pub fn tet(year: i32) -> Result<Date, LunarError> {
    to_solar(LunarDate { year, month: 1, day: 1, leap: false })
}

/// The astronomy, for one meridian.
struct Astro {
    tz_hours: f64,
}

impl Astro {
    /// Julian date (UT) of the new moon of lunation `k` (k = 0 near 1900-01-01): the mean phase
    /// corrected by the main periodic terms of the Sun and Moon, minus ΔT.
    fn new_moon_jd(&self, k: i64) -> f64 {
        let k = k as f64;
        let t = k / 1236.85;
        let (t2, t3) = (t * t, t * t * t);
        let rad = std::f64::consts::PI / 180.0;
        let mean = 2415020.75933 + 29.53058868 * k + 0.0001178 * t2 - 0.000000155 * t3
            + 0.00033 * ((166.56 + 132.87 * t - 0.009173 * t2) * rad).sin();
        let sun_anomaly = (359.2242 + 29.10535608 * k - 0.0000333 * t2 - 0.00000347 * t3) * rad;
        let moon_anomaly = (306.0253 + 385.81691806 * k + 0.0107306 * t2 + 0.00001236 * t3) * rad;
        let latitude_arg = (21.2964 + 390.67050646 * k - 0.0016528 * t2 - 0.00000239 * t3) * rad;
        let (m, mp, f) = (sun_anomaly, moon_anomaly, latitude_arg);
        let correction = (0.1734 - 0.000393 * t) * m.sin() + 0.0021 * (2.0 * m).sin() - 0.4068 * mp.sin()
            + 0.0161 * (2.0 * mp).sin()
            - 0.0004 * (3.0 * mp).sin()
            + 0.0104 * (2.0 * f).sin()
            - 0.0051 * (m + mp).sin()
            - 0.0074 * (m - mp).sin()
            + 0.0004 * (2.0 * f + m).sin()
            - 0.0004 * (2.0 * f - m).sin()
            - 0.0006 * (2.0 * f + mp).sin()
            + 0.0010 * (2.0 * f - mp).sin()
            + 0.0005 * (2.0 * mp + m).sin();
        // ΔT (dynamical minus universal time) in days, as two polynomials in centuries from 1900.
        let delta_t = if t < -11.0 {
            0.001 + 0.000839 * t + 0.0002261 * t2 - 0.00000845 * t3 - 0.000000081 * t * t3
        } else {
            -0.000278 + 0.000265 * t + 0.000262 * t2
        };
        mean + correction - delta_t
    }

    /// The local civil day on which new moon `k` falls.
    fn new_moon_day(&self, k: i64) -> DayNumber {
        ((self.new_moon_jd(k) + 0.5 + self.tz_hours / 24.0).floor() as i64 - JDN_UNIX_EPOCH) as DayNumber
    }

    /// The 30° sector (0 = 0°–30° … 11) of the Sun's apparent longitude at the local midnight
    /// that starts `day`. Sector 9 begins at the winter solstice.
    fn sun_sector(&self, day: DayNumber) -> i32 {
        let jd = (i64::from(day) + JDN_UNIX_EPOCH) as f64 - 0.5 - self.tz_hours / 24.0;
        let t = (jd - 2451545.0) / 36525.0;
        let t2 = t * t;
        let rad = std::f64::consts::PI / 180.0;
        let mean_anomaly = (357.52910 + 35999.05030 * t - 0.0001559 * t2 - 0.00000048 * t * t2) * rad;
        let mean_longitude = 280.46645 + 36000.76983 * t + 0.0003032 * t2;
        let centre = (1.914600 - 0.004817 * t - 0.000014 * t2) * mean_anomaly.sin()
            + (0.019993 - 0.000101 * t) * (2.0 * mean_anomaly).sin()
            + 0.000290 * (3.0 * mean_anomaly).sin();
        let node = (125.04 - 1934.136 * t) * rad;
        let apparent = mean_longitude + centre - 0.00569 - 0.00478 * node.sin();
        (apparent.rem_euclid(360.0) / 30.0).floor() as i32
    }

    /// The first day of lunar month 11 of year `y`: the new moon on or before 31 December whose
    /// day does not yet have the Sun past the winter solstice, else the one before.
    fn month_11(&self, y: i32) -> DayNumber {
        let dec31 = day_number(jiff::civil::date(y as i16, 12, 31));
        let days_since_epoch = (i64::from(dec31) + JDN_UNIX_EPOCH) as f64 - LUNATION_EPOCH;
        let k = (days_since_epoch / SYNODIC_MONTH).floor() as i64;
        let day = self.new_moon_day(k);
        if self.sun_sector(day) >= 9 { self.new_moon_day(k - 1) } else { day }
    }

    /// In a 13-month year starting at month 11 = lunation `k0`, the offset (1–12) of the leap
    /// month: the first month whose start shares the Sun's sector with the next month's start,
    /// i.e. during which no major solar term begins.
    fn leap_offset(&self, k0: i64) -> usize {
        let mut previous = self.sun_sector(self.new_moon_day(k0 + 1));
        for i in 1..13 {
            let next = self.sun_sector(self.new_moon_day(k0 + i as i64 + 1));
            if next == previous {
                return i;
            }
            previous = next;
        }
        12
    }
}

/// The weekday name in Vietnamese (`Thứ Hai` … `Chủ nhật`).
pub fn weekday_name(weekday: Weekday) -> &'static str {
    match weekday {
        Weekday::Monday => "Thứ Hai",
        Weekday::Tuesday => "Thứ Ba",
        Weekday::Wednesday => "Thứ Tư",
        Weekday::Thursday => "Thứ Năm",
        Weekday::Friday => "Thứ Sáu",
        Weekday::Saturday => "Thứ Bảy",
        Weekday::Sunday => "Chủ nhật",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use proptest::prelude::*;

    fn lunar(year: i32, month: u8, day: u8) -> LunarDate {
        LunarDate { year, month, day, leap: false }
    }

    #[test]
    fn tet_and_hung_kings_match_the_reference_vectors() {
        // legal.md §8.2 test vectors, 2020–2035.
        let vectors = [
            (2020, (1, 25), (4, 2)),
            (2021, (2, 12), (4, 21)),
            (2022, (2, 1), (4, 10)),
            (2023, (1, 22), (4, 29)),
            (2024, (2, 10), (4, 18)),
            (2025, (1, 29), (4, 7)),
            (2026, (2, 17), (4, 26)),
            (2027, (2, 6), (4, 16)),
            (2028, (1, 26), (4, 4)),
            (2029, (2, 13), (4, 23)),
            (2030, (2, 2), (4, 12)),
            (2031, (1, 23), (4, 1)),
            (2032, (2, 11), (4, 19)),
            (2033, (1, 31), (4, 9)),
            (2034, (2, 19), (4, 28)),
            (2035, (2, 8), (4, 17)),
        ];
        for (year, (tm, td), (hm, hd)) in vectors {
            assert_eq!(tet(year).unwrap(), date(year as i16, tm, td), "Tết {year}");
            assert_eq!(to_solar(lunar(year, 3, 10)).unwrap(), date(year as i16, hm, hd), "Giỗ Tổ {year}");
        }
    }

    #[test]
    fn vietnam_and_china_differ_in_1985() {
        assert_eq!(tet(1985).unwrap(), date(1985, 1, 21));
        let china = LunarCalendar::compute(8.0, 1984, 1985);
        assert_eq!(china.to_solar(lunar(1985, 1, 1)).unwrap(), date(1985, 2, 20));
    }

    #[test]
    fn the_2026_notice_pairs_hold() {
        assert_eq!(to_lunar(date(2026, 2, 14)).unwrap(), lunar(2025, 12, 27));
        assert_eq!(to_lunar(date(2026, 2, 16)).unwrap(), lunar(2025, 12, 29));
        assert_eq!(LunarCalendar::vietnam().month_length(2025, 12, false), Some(29));
        assert_eq!(to_lunar(date(2026, 2, 22)).unwrap(), lunar(2026, 1, 6));
        assert_eq!(to_lunar(date(2026, 2, 17)).unwrap().display(), "1/1/2026 (Bính Ngọ)");
    }

    #[test]
    fn known_leap_months() {
        // Leap months of recent Vietnamese calendars.
        let cal = LunarCalendar::vietnam();
        for (year, month) in [(2012, 4), (2014, 9), (2017, 6), (2020, 4), (2023, 2), (2025, 6), (2028, 5)] {
            assert_eq!(cal.leap_month(year), Some(month), "leap month of {year}");
        }
        for year in [2021, 2022, 2024, 2026, 2027] {
            assert_eq!(cal.leap_month(year), None, "{year} has no leap month");
        }
        assert_eq!(to_lunar(date(2025, 7, 25)).unwrap(), LunarDate { year: 2025, month: 6, day: 1, leap: true });
    }

    #[test]
    fn range_edges_and_errors() {
        assert_eq!(to_lunar(FIRST_SOLAR).unwrap(), lunar(1900, 1, 1));
        assert!(to_lunar(LAST_SOLAR).is_ok());
        assert!(matches!(to_lunar(date(1900, 1, 30)), Err(LunarError::SolarOutOfRange(_))));
        assert!(matches!(to_lunar(date(2200, 1, 1)), Err(LunarError::SolarOutOfRange(_))));
        assert!(matches!(to_solar(lunar(1899, 1, 1)), Err(LunarError::YearOutOfRange(1899))));
        assert!(matches!(to_solar(lunar(2026, 13, 1)), Err(LunarError::InvalidMonth(13))));
        let e = to_solar(lunar(2025, 12, 30)).unwrap_err();
        assert_eq!(e.to_string(), "tháng 12 năm 2025 (Ất Tỵ) chỉ có 29 ngày, không có ngày 30");
        let e = to_solar(LunarDate { year: 2026, month: 5, day: 1, leap: true }).unwrap_err();
        assert_eq!(e.to_string(), "năm 2026 (Bính Ngọ) không có tháng 5 nhuận");
        assert!(to_solar(lunar(2026, 1, 0)).is_err());
    }

    #[test]
    fn year_names() {
        assert_eq!(year_name(2026), "Bính Ngọ");
        assert_eq!(year_name(2025), "Ất Tỵ");
        assert_eq!(year_name(1984), "Giáp Tý");
        assert_eq!(year_name(1900), "Canh Tý");
    }

    #[test]
    fn every_day_of_the_range_round_trips_and_months_are_well_formed() {
        let cal = LunarCalendar::vietnam();
        let mut day = FIRST_SOLAR;
        let mut previous: Option<LunarDate> = None;
        while day <= LAST_SOLAR {
            let l = cal.to_lunar(day).unwrap();
            assert_eq!(cal.to_solar(l).unwrap(), day, "{day} → {l:?}");
            if let Some(p) = previous {
                if l.day == 1 {
                    assert!(p.day == 29 || p.day == 30, "month before {day} had {} days", p.day);
                } else {
                    assert_eq!((l.year, l.month, l.leap, l.day), (p.year, p.month, p.leap, p.day + 1));
                }
            }
            previous = Some(l);
            day = day.tomorrow().unwrap();
        }
        for year in 1900..=2199 {
            let t = tet(year).unwrap();
            assert!(t >= date(year as i16, 1, 21) && t <= date(year as i16, 2, 20), "Tết {year} on {t}");
            let months = cal.months.iter().filter(|m| m.year == year).count();
            if year < 2199 {
                assert_eq!(months, if cal.leap_month(year).is_some() { 13 } else { 12 }, "{year}");
            }
        }
    }

    #[test]
    fn month_11_holds_the_winter_solstice() {
        let astro = Astro { tz_hours: 7.0 };
        let cal = LunarCalendar::vietnam();
        for year in 1900..2199 {
            let solstice = day_number(date(year as i16, 12, 22));
            let l = cal.to_lunar(from_day_number(solstice)).unwrap();
            // Around the solstice (21–22/12), the lunar month is 11 (or 10/12 only if the
            // solstice falls within a day of a month boundary; the sector rule decides).
            let start = solstice - i32::from(l.day) + 1;
            let end = start + i32::from(cal.month_length(l.year, l.month, l.leap).unwrap());
            let holds = (start..end).any(|d| astro.sun_sector(d) == 8 && astro.sun_sector(d + 1) == 9);
            assert_eq!(holds, l.month == 11 && !l.leap, "{year}: {l:?}");
        }
    }

    proptest! {
        #[test]
        fn lunar_to_solar_is_the_inverse(offset in 0i32..109_185) {
            let d = from_day_number(day_number(FIRST_SOLAR) + offset);
            let l = to_lunar(d).unwrap();
            prop_assert_eq!(to_solar(l).unwrap(), d);
        }
    }
}
