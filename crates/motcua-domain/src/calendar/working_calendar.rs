//! The working calendar of an agency: which days are worked (weekly rest days, holidays,
//! make-up days, for every year of the range at once) and the office hours of each day.
//!
//! Time is measured on a *working clock*: the number of working minutes since the start of the
//! range. Every working day adds exactly [`DAY_MINUTES`]; nights, breaks, weekends and holidays
//! add nothing. Two arrays make moving between instants and the working clock O(1): for each day
//! the count of working days before it, and the list of working days. Deadlines are then plain
//! additions on the working clock.

use std::collections::BTreeMap;
use std::sync::Arc;

use jiff::Timestamp;
use jiff::civil::Date;

use crate::calendar::day::{DayNumber, day_number, from_day_number, vn_day_minute, vn_instant};
use crate::calendar::holiday::{DayKind, FIRST_YEAR, LAST_YEAR, YearTable, is_weekend, statutory_defaults};
use crate::calendar::notice::shipped_notice;
use crate::calendar::office_hours::{DAY_MINUTES, OfficeHours, WorkSchedule};

/// The year tables in force: administrators' edits over shipped notices over statutory rules.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HolidayTables {
    edited: BTreeMap<i16, YearTable>,
}

impl HolidayTables {
    pub fn new(edited: impl IntoIterator<Item = YearTable>) -> HolidayTables {
        HolidayTables { edited: edited.into_iter().map(|t| (t.year, t)).collect() }
    }

    /// The table in force for a year.
    pub fn year(&self, year: i16) -> YearTable {
        self.edited.get(&year).cloned().or_else(|| shipped_notice(year)).unwrap_or_else(|| statutory_defaults(year))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("thời điểm nằm ngoài phạm vi lịch làm việc (01/01/{FIRST_YEAR} – 31/12/{LAST_YEAR})")]
    OutOfRange,
}

/// Which days of the range are worked. Shared by every agency (weekly rest days and holidays
/// are national); built once per revision of the holiday tables.
#[derive(Debug)]
pub struct WorkingDays {
    first: DayNumber,
    /// `before[i]`: working days in `[first, first + i)`; one longer than the range.
    before: Vec<u32>,
    /// The working days, in order.
    days: Vec<DayNumber>,
}

impl WorkingDays {
    pub fn build(tables: &HolidayTables) -> WorkingDays {
        let first = day_number(jiff::civil::date(FIRST_YEAR, 1, 1));
        let last = day_number(jiff::civil::date(LAST_YEAR, 12, 31));
        let len = (last - first + 1) as usize;
        let mut before = Vec::with_capacity(len + 1);
        let mut days = Vec::with_capacity(len * 5 / 7 + 400);
        for year in FIRST_YEAR..=LAST_YEAR {
            let table = tables.year(year);
            let mut entries = table.entries.iter().peekable();
            let mut day = day_number(jiff::civil::date(year, 1, 1));
            let end = day_number(jiff::civil::date(year, 12, 31));
            while day <= end {
                let date = from_day_number(day);
                let mut working = !is_weekend(date);
                while entries.peek().is_some_and(|e| e.date < date) {
                    entries.next();
                }
                if let Some(e) = entries.peek().filter(|e| e.date == date) {
                    working = e.kind == DayKind::Working;
                }
                before.push(days.len() as u32);
                if working {
                    days.push(day);
                }
                day += 1;
            }
        }
        before.push(days.len() as u32);
        WorkingDays { first, before, days }
    }

    fn index(&self, day: DayNumber) -> Result<usize, CalendarError> {
        let i = day - self.first;
        if i < 0 || i as usize + 1 >= self.before.len() {
            return Err(CalendarError::OutOfRange);
        }
        Ok(i as usize)
    }

    pub fn is_working(&self, date: Date) -> Result<bool, CalendarError> {
        let i = self.index(day_number(date))?;
        Ok(self.before[i + 1] > self.before[i])
    }

    /// The `n`-th working day strictly after `date` (n ≥ 1), or the first working day on or
    /// after it for n = 0.
    pub fn nth_after(&self, date: Date, n: u32) -> Result<Date, CalendarError> {
        let i = self.index(day_number(date))?;
        let k = if n == 0 { self.before[i] } else { self.before[i + 1] + n - 1 };
        self.days.get(k as usize).map(|d| from_day_number(*d)).ok_or(CalendarError::OutOfRange)
    }
}

/// An agency's calendar: the national working days and the agency's office hours.
#[derive(Debug, Clone)]
pub struct WorkingCalendar {
    days: Arc<WorkingDays>,
    schedule: WorkSchedule,
}

/// A position on the working clock: working minutes since the start of the range.
pub type WorkingMinute = i64;

impl WorkingCalendar {
    pub fn new(days: Arc<WorkingDays>, schedule: WorkSchedule) -> WorkingCalendar {
        WorkingCalendar { days, schedule }
    }

    /// The national calendar with the standard office hours (for tests and the CLI default).
    pub fn standard(tables: &HolidayTables) -> WorkingCalendar {
        WorkingCalendar::new(Arc::new(WorkingDays::build(tables)), WorkSchedule::default())
    }

    pub fn days(&self) -> &WorkingDays {
        &self.days
    }

    pub fn schedule(&self) -> &WorkSchedule {
        &self.schedule
    }

    pub fn hours_on(&self, day: DayNumber) -> &OfficeHours {
        if self.schedule.seasons.is_empty() {
            return &self.schedule.hours;
        }
        let date = from_day_number(day);
        self.schedule.hours_on(date.month(), date.day())
    }

    /// The working clock at an instant. Outside office hours it reads the same as at the end of
    /// the last working period (equivalently, the start of the next one).
    pub fn clock(&self, at: Timestamp) -> Result<WorkingMinute, CalendarError> {
        let (day, minute) = vn_day_minute(at);
        let i = self.days.index(day)?;
        let before = i64::from(self.days.before[i]);
        let working = self.days.before[i + 1] > self.days.before[i];
        let today = if working { i64::from(self.hours_on(day).worked(minute)) } else { 0 };
        Ok(before * i64::from(DAY_MINUTES) + today)
    }

    /// The earliest instant at which the working clock reads `w`: a minute inside office hours,
    /// or the close of a working day when `w` is a whole number of days.
    pub fn instant(&self, w: WorkingMinute) -> Result<Timestamp, CalendarError> {
        if w < 0 {
            return Err(CalendarError::OutOfRange);
        }
        let (n, r) = (w / i64::from(DAY_MINUTES), (w % i64::from(DAY_MINUTES)) as u16);
        let (index, worked) = if r == 0 && n > 0 { (n - 1, DAY_MINUTES) } else { (n, r) };
        let day = *self.days.days.get(index as usize).ok_or(CalendarError::OutOfRange)?;
        Ok(vn_instant(day, self.hours_on(day).clock_at(worked)))
    }

    /// The close of office hours on a working day.
    pub fn closing_instant(&self, date: Date) -> Timestamp {
        let day = day_number(date);
        vn_instant(day, self.hours_on(day).closing().minutes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn cal() -> WorkingCalendar {
        WorkingCalendar::standard(&HolidayTables::default())
    }

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn notices_and_weekends_decide_working_days() {
        let c = cal();
        let d = c.days();
        assert!(!d.is_working(date(2026, 2, 16)).unwrap(), "Tết");
        assert!(!d.is_working(date(2026, 2, 14)).unwrap(), "Saturday");
        assert!(d.is_working(date(2026, 8, 22)).unwrap(), "make-up Saturday");
        assert!(!d.is_working(date(2026, 8, 31)).unwrap(), "swapped Monday");
        assert!(!d.is_working(date(2026, 11, 24)).unwrap(), "Culture Day");
        assert!(d.is_working(date(2026, 11, 23)).unwrap());
        assert_eq!(d.nth_after(date(2026, 2, 13), 1).unwrap(), date(2026, 2, 23));
        assert_eq!(d.nth_after(date(2026, 2, 14), 0).unwrap(), date(2026, 2, 23));
        assert_eq!(d.nth_after(date(2026, 2, 23), 0).unwrap(), date(2026, 2, 23));
        assert!(d.is_working(date(1899, 12, 31)).is_err());
        assert!(d.nth_after(date(2199, 12, 31), 1).is_err());
    }

    #[test]
    fn edited_tables_override_notices() {
        let edited = YearTable::edited(
            2026,
            vec![crate::calendar::holiday::CalendarEntry {
                date: date(2026, 3, 2),
                kind: DayKind::Off,
                name: "Nghỉ đặc biệt".into(),
                source: "QĐ thử".into(),
            }],
        )
        .unwrap();
        let c = WorkingCalendar::standard(&HolidayTables::new([edited]));
        assert!(!c.days().is_working(date(2026, 3, 2)).unwrap());
        // The edited table replaces the whole year: Tết days are no longer off.
        assert!(c.days().is_working(date(2026, 2, 16)).unwrap());
        assert!(!c.days().is_working(date(2025, 1, 27)).unwrap(), "other years keep their notice");
    }

    #[test]
    fn the_working_clock_stands_still_outside_office_hours() {
        let c = cal();
        let friday_close = c.clock(at("2026-02-13T17:00:00+07:00")).unwrap();
        assert_eq!(c.clock(at("2026-02-13T20:00:00+07:00")).unwrap(), friday_close);
        assert_eq!(c.clock(at("2026-02-18T10:00:00+07:00")).unwrap(), friday_close, "Tết");
        assert_eq!(c.clock(at("2026-02-23T07:30:00+07:00")).unwrap(), friday_close);
        assert_eq!(c.clock(at("2026-02-23T08:30:00+07:00")).unwrap(), friday_close + 60);
        assert_eq!(c.clock(at("2026-02-23T12:15:00+07:00")).unwrap(), friday_close + 240);
        assert_eq!(c.instant(friday_close).unwrap(), at("2026-02-13T17:00:00+07:00"));
        assert_eq!(c.instant(friday_close + 240).unwrap(), at("2026-02-23T11:30:00+07:00"));
        assert_eq!(c.instant(friday_close + 241).unwrap(), at("2026-02-23T13:01:00+07:00"));
        assert!(c.instant(-1).is_err());
        assert!(c.clock(at("2300-01-01T00:00:00Z")).is_err());
    }

    #[test]
    fn seasonal_hours_apply_by_date() {
        use crate::calendar::office_hours::{ClockTime, MonthDay, Period, Season};
        let summer = OfficeHours::new(
            vec![
                Period { start: ClockTime::hm(7, 0), end: ClockTime::hm(11, 30) },
                Period { start: ClockTime::hm(13, 30), end: ClockTime::hm(17, 0) },
            ],
            "h",
        )
        .unwrap();
        let schedule = WorkSchedule {
            hours: OfficeHours::standard(),
            seasons: vec![Season {
                name: "Mùa hè".into(),
                from: MonthDay { month: 5, day: 1 },
                to: MonthDay { month: 9, day: 30 },
                hours: summer,
            }],
        };
        let c = WorkingCalendar::new(cal().days.clone(), schedule);
        let june = c.clock(at("2026-06-01T07:00:00+07:00")).unwrap();
        assert_eq!(c.clock(at("2026-06-01T07:30:00+07:00")).unwrap(), june + 30);
        assert_eq!(c.instant(june).unwrap(), at("2026-05-29T17:00:00+07:00"));
        assert_eq!(c.instant(june + 1).unwrap(), at("2026-06-01T07:01:00+07:00"));
        assert_eq!(c.closing_instant(date(2026, 1, 5)), at("2026-01-05T17:00:00+07:00"));
    }
}
