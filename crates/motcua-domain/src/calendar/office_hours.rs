//! Office hours (giờ làm việc): the working periods of a day, with the lunch break between them,
//! and seasonal schedules (many provinces keep summer and winter hours).
//!
//! Every schedule totals exactly 8 working hours a day: the law counts a working day as 8
//! working hours, and keeping that invariant lets the deadline calculator treat every working
//! day as the same 480 working minutes whatever the season.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::validation::{FieldError, ValidationErrors};

/// Working minutes in a working day.
pub const DAY_MINUTES: u16 = 480;

/// A time of day to the minute, written `HH:MM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ClockTime(u16);

impl ClockTime {
    pub const fn hm(hour: u16, minute: u16) -> ClockTime {
        ClockTime(hour * 60 + minute)
    }

    pub fn minutes(self) -> u16 {
        self.0
    }

    pub fn from_minutes(minutes: u16) -> Option<ClockTime> {
        (minutes <= 24 * 60).then_some(ClockTime(minutes))
    }
}

impl fmt::Display for ClockTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.0 / 60, self.0 % 60)
    }
}

impl FromStr for ClockTime {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("giờ không hợp lệ: \"{s}\"; dùng dạng HH:MM, ví dụ 07:30");
        let (h, m) = s.trim().split_once(':').ok_or_else(bad)?;
        if h.is_empty() || h.len() > 2 || m.len() != 2 {
            return Err(bad());
        }
        let (h, m): (u16, u16) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
        if h > 23 || m > 59 {
            return Err(bad());
        }
        Ok(ClockTime::hm(h, m))
    }
}

impl Serialize for ClockTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ClockTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// One working period of a day, `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    pub start: ClockTime,
    pub end: ClockTime,
}

/// The working periods of a day, in order and separated by breaks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct OfficeHours(Vec<Period>);

impl OfficeHours {
    /// 07:30–11:30 and 13:00–17:00, the default the issue of the calendar engine fixes.
    pub fn standard() -> OfficeHours {
        OfficeHours(vec![
            Period { start: ClockTime::hm(7, 30), end: ClockTime::hm(11, 30) },
            Period { start: ClockTime::hm(13, 0), end: ClockTime::hm(17, 0) },
        ])
    }

    /// Checks that the periods are ordered, separated and total 8 hours.
    pub fn new(periods: Vec<Period>, field: &str) -> Result<OfficeHours, FieldError> {
        if periods.is_empty() {
            return Err(FieldError::new(field, "required", "Cần ít nhất một khoảng giờ làm việc."));
        }
        let mut total = 0;
        for (i, p) in periods.iter().enumerate() {
            if p.end <= p.start {
                return Err(FieldError::new(
                    field,
                    "invalid_period",
                    format!("Khoảng {}–{}: giờ kết thúc phải sau giờ bắt đầu.", p.start, p.end),
                ));
            }
            if i > 0 && p.start <= periods[i - 1].end {
                return Err(FieldError::new(
                    field,
                    "overlapping_periods",
                    format!(
                        "Khoảng {}–{} phải bắt đầu sau khi khoảng trước kết thúc ({}).",
                        p.start,
                        p.end,
                        periods[i - 1].end
                    ),
                ));
            }
            total += p.end.0 - p.start.0;
        }
        if total != DAY_MINUTES {
            return Err(FieldError::new(
                field,
                "not_eight_hours",
                format!("Tổng giờ làm việc một ngày phải đúng 8 giờ; các khoảng đã nhập cộng lại {} phút.", total),
            ));
        }
        Ok(OfficeHours(periods))
    }

    pub fn periods(&self) -> &[Period] {
        &self.0
    }

    pub fn opening(&self) -> ClockTime {
        self.0[0].start
    }

    pub fn closing(&self) -> ClockTime {
        self.0[self.0.len() - 1].end
    }

    /// Working minutes of the day done by `minute` (0–1440).
    pub fn worked(&self, minute: u16) -> u16 {
        self.0.iter().map(|p| minute.clamp(p.start.0, p.end.0) - p.start.0).sum()
    }

    /// The earliest minute of the day by which `worked` working minutes (0–480) are done. The
    /// end of a period wins over the start of the next: 4 hours into the standard day is
    /// 11:30, not 13:00.
    pub fn clock_at(&self, worked: u16) -> u16 {
        let mut done = 0;
        for p in &self.0 {
            let len = p.end.0 - p.start.0;
            if worked <= done + len {
                return p.start.0 + (worked - done);
            }
            done += len;
        }
        self.closing().0
    }

    /// `07:30–11:30, 13:00–17:00`.
    pub fn describe(&self) -> String {
        self.0.iter().map(|p| format!("{}–{}", p.start, p.end)).collect::<Vec<_>>().join(", ")
    }
}

/// A day of the year, `dd/mm`, for seasons that repeat every year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct MonthDay {
    pub month: i8,
    pub day: i8,
}

impl MonthDay {
    fn valid(self) -> bool {
        // 2000 is a leap year, so 29/02 is accepted.
        jiff::civil::Date::new(2000, self.month, self.day).is_ok()
    }

    fn within(self, from: MonthDay, to: MonthDay) -> bool {
        if from <= to { from <= self && self <= to } else { self >= from || self <= to }
    }
}

/// Office hours that apply between two days of every year (inclusive; may wrap over New Year).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Season {
    pub name: String,
    pub from: MonthDay,
    pub to: MonthDay,
    pub hours: OfficeHours,
}

/// An agency's working hours: the year-round hours and optional seasons that override them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkSchedule {
    pub hours: OfficeHours,
    #[serde(default)]
    pub seasons: Vec<Season>,
}

impl Default for WorkSchedule {
    fn default() -> Self {
        WorkSchedule { hours: OfficeHours::standard(), seasons: Vec::new() }
    }
}

impl WorkSchedule {
    /// Validates a schedule from untrusted input (every period list, season dates, no overlap).
    pub fn validated(
        hours: Vec<Period>,
        seasons: Vec<(String, MonthDay, MonthDay, Vec<Period>)>,
    ) -> Result<WorkSchedule, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let hours = errors.check(OfficeHours::new(hours, "hours"));
        let mut kept = Vec::new();
        for (i, (name, from, to, periods)) in seasons.into_iter().enumerate() {
            let field = |f: &str| format!("seasons[{i}].{f}");
            let name = name.trim().to_owned();
            if name.is_empty() {
                errors.push(FieldError::new(field("name"), "required", "Cần đặt tên cho mùa (ví dụ: Mùa hè)."));
            }
            for (f, md) in [("from", from), ("to", to)] {
                if !md.valid() {
                    errors.push(FieldError::new(field(f), "invalid_date", "Ngày/tháng không hợp lệ."));
                }
            }
            if let Some(h) = errors.check(OfficeHours::new(periods, &field("hours"))) {
                kept.push(Season { name, from, to, hours: h });
            }
        }
        for (i, a) in kept.iter().enumerate() {
            for b in &kept[i + 1..] {
                if a.from.within(b.from, b.to) || b.from.within(a.from, a.to) {
                    errors.push(FieldError::new(
                        "seasons",
                        "overlapping_seasons",
                        format!("Mùa \"{}\" và mùa \"{}\" trùng thời gian.", a.name, b.name),
                    ));
                }
            }
        }
        match (hours, errors.is_empty()) {
            (Some(hours), true) => Ok(WorkSchedule { hours, seasons: kept }),
            _ => Err(errors),
        }
    }

    /// The office hours in force on a day.
    pub fn hours_on(&self, month: i8, day: i8) -> &OfficeHours {
        let md = MonthDay { month, day };
        self.seasons.iter().find(|s| md.within(s.from, s.to)).map_or(&self.hours, |s| &s.hours)
    }
}

/// Whose office hours an agency works by: its own, else those of its nearest ancestor that set
/// some (a commune that set none works by its province's). `path` runs from the root down to the agency itself, as
/// [`crate::agency::AgencyPath::ids`] gives it; `None` means no agency on it set hours, so the
/// installation default applies.
pub fn inherited_hours<'a, T>(
    path: &[crate::agency::AgencyId],
    own: impl Fn(crate::agency::AgencyId) -> Option<&'a T>,
) -> Option<(crate::agency::AgencyId, &'a T)> {
    path.iter().rev().find_map(|id| own(*id).map(|t| (*id, t)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn p(a: (u16, u16), b: (u16, u16)) -> Period {
        Period { start: ClockTime::hm(a.0, a.1), end: ClockTime::hm(b.0, b.1) }
    }

    #[test]
    fn clock_times_parse_strictly() {
        assert_eq!("07:30".parse::<ClockTime>().unwrap(), ClockTime::hm(7, 30));
        assert_eq!("7:05".parse::<ClockTime>().unwrap().to_string(), "07:05");
        for bad in ["24:00", "7", "07:3", "07:60", "ab:cd", "", "-1:00"] {
            assert!(bad.parse::<ClockTime>().is_err(), "{bad}");
        }
    }

    #[test]
    fn worked_minutes_and_clock_are_inverse_at_boundaries() {
        let h = OfficeHours::standard();
        assert_eq!(h.worked(6 * 60), 0);
        assert_eq!(h.worked(9 * 60 + 30), 120);
        assert_eq!(h.worked(12 * 60), 240);
        assert_eq!(h.worked(16 * 60), 420);
        assert_eq!(h.worked(23 * 60), 480);
        assert_eq!(h.clock_at(0), 7 * 60 + 30);
        assert_eq!(h.clock_at(240), 11 * 60 + 30);
        assert_eq!(h.clock_at(241), 13 * 60 + 1);
        assert_eq!(h.clock_at(480), 17 * 60);
    }

    #[test]
    fn office_hours_must_total_eight_hours_in_order() {
        assert_eq!(
            OfficeHours::new(vec![p((7, 0), (11, 30)), p((13, 30), (17, 0))], "h").unwrap().describe(),
            "07:00–11:30, 13:30–17:00"
        );
        assert_eq!(OfficeHours::new(vec![p((7, 0), (11, 0)), p((13, 0), (17, 0))], "h").unwrap().worked(1440), 480);
        assert_eq!(
            OfficeHours::new(vec![p((7, 30), (11, 30)), p((13, 0), (16, 30))], "h").unwrap_err().code,
            "not_eight_hours"
        );
        assert_eq!(
            OfficeHours::new(vec![p((13, 0), (17, 0)), p((7, 30), (11, 30))], "h").unwrap_err().code,
            "overlapping_periods"
        );
        assert_eq!(OfficeHours::new(vec![p((9, 0), (8, 0))], "h").unwrap_err().code, "invalid_period");
        assert_eq!(OfficeHours::new(vec![], "h").unwrap_err().code, "required");
    }

    #[test]
    fn seasons_choose_hours_and_may_wrap_new_year() {
        let summer = vec![p((7, 0), (11, 30)), p((13, 30), (17, 0))];
        let winter = vec![p((7, 30), (11, 30)), p((13, 0), (17, 0))];
        let s = WorkSchedule::validated(
            winter.clone(),
            vec![
                ("Mùa hè".into(), MonthDay { month: 5, day: 1 }, MonthDay { month: 9, day: 30 }, summer.clone()),
                ("Mùa đông".into(), MonthDay { month: 10, day: 1 }, MonthDay { month: 4, day: 30 }, winter.clone()),
            ],
        )
        .unwrap();
        assert_eq!(s.hours_on(7, 1).opening(), ClockTime::hm(7, 0));
        assert_eq!(s.hours_on(1, 15).opening(), ClockTime::hm(7, 30));
        assert_eq!(s.hours_on(12, 31).opening(), ClockTime::hm(7, 30));
        let err = WorkSchedule::validated(
            winter.clone(),
            vec![
                ("A".into(), MonthDay { month: 5, day: 1 }, MonthDay { month: 9, day: 30 }, summer.clone()),
                ("B".into(), MonthDay { month: 9, day: 1 }, MonthDay { month: 10, day: 30 }, summer),
                (" ".into(), MonthDay { month: 2, day: 30 }, MonthDay { month: 3, day: 1 }, vec![]),
            ],
        )
        .unwrap_err();
        let codes: Vec<&str> = err.errors.iter().map(|e| e.code.as_str()).collect();
        assert_eq!(codes, ["required", "invalid_date", "required", "overlapping_seasons"]);
    }

    #[test]
    fn schedules_serialize_as_clock_strings() {
        let json = serde_json::to_string(&WorkSchedule::default()).unwrap();
        assert_eq!(json, r#"{"hours":[{"start":"07:30","end":"11:30"},{"start":"13:00","end":"17:00"}],"seasons":[]}"#);
        let back: WorkSchedule = serde_json::from_str(&json).unwrap();
        assert_eq!(back, WorkSchedule::default());
    }

    proptest! {
        #[test]
        fn clock_at_is_the_earliest_minute_with_that_work(worked in 0u16..=480) {
            let h = OfficeHours::standard();
            let m = h.clock_at(worked);
            prop_assert_eq!(h.worked(m), worked);
            if m > 0 { prop_assert!(h.worked(m - 1) < worked || worked == 0); }
        }
    }

    #[test]
    fn an_agency_works_by_its_own_hours_else_its_nearest_ancestors() {
        use crate::agency::AgencyId;
        let set = [(AgencyId(1), "province"), (AgencyId(5), "commune")];
        let own = |id: AgencyId| set.iter().find(|(a, _)| *a == id).map(|(_, h)| h);
        let path = [AgencyId(1), AgencyId(5), AgencyId(9)];
        assert_eq!(inherited_hours(&path, own), Some((AgencyId(5), &"commune")));
        assert_eq!(inherited_hours(&path[..2], own), Some((AgencyId(5), &"commune")));
        assert_eq!(inherited_hours(&[AgencyId(1), AgencyId(7)], own), Some((AgencyId(1), &"province")));
        assert_eq!(inherited_hours(&[AgencyId(2), AgencyId(7)], own), None);
        assert_eq!(inherited_hours(&[], own), None);
    }
}
