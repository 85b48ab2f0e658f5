//! The deadline calculator: due instants, elapsed working time, clock pauses, timeliness and
//! per-step budgets. One implementation used by intake, workflows, reports and the API.
//!
//! Two counting conventions exist (`legal.md` §8.3):
//! - **working time** (the default, what the national portal's appointments follow): 8 working
//!   hours a day, due at the same working hour N working days later;
//! - **civil days** (Civil Code art. 147): the day of receipt is not counted; the period ends at
//!   the close of office hours of the N-th working day.
//!
//! Hours and half days are always working time. Calendar days and months end at the close of
//! office hours of the last day, moved to the next working day when that day is not worked
//! (Civil Code art. 148).

use std::fmt;
use std::str::FromStr;

use jiff::{Span, Timestamp};
use serde::{Deserialize, Serialize};

use crate::calendar::office_hours::{ClockTime, DAY_MINUTES};
use crate::calendar::working_calendar::{CalendarError, WorkingCalendar};
use crate::time::vn_date;

/// The unit of a processing time (đơn vị tính thời gian giải quyết).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeUnit {
    /// Giờ làm việc.
    WorkingHours,
    /// Ngày làm việc (8 working hours).
    WorkingDays,
    /// Nửa ngày làm việc (4 working hours).
    HalfDays,
    /// Ngày (calendar days).
    CalendarDays,
    /// Tháng.
    Months,
    /// Trong ngày: done the day of receipt, or the next working day after a cut-off hour.
    SameDay,
}

impl TimeUnit {
    pub const ALL: [TimeUnit; 6] = [
        TimeUnit::WorkingHours,
        TimeUnit::WorkingDays,
        TimeUnit::HalfDays,
        TimeUnit::CalendarDays,
        TimeUnit::Months,
        TimeUnit::SameDay,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TimeUnit::WorkingHours => "working_hours",
            TimeUnit::WorkingDays => "working_days",
            TimeUnit::HalfDays => "half_days",
            TimeUnit::CalendarDays => "calendar_days",
            TimeUnit::Months => "months",
            TimeUnit::SameDay => "same_day",
        }
    }

    /// Vietnamese label for pages and printed forms.
    pub fn label(self) -> &'static str {
        match self {
            TimeUnit::WorkingHours => "giờ làm việc",
            TimeUnit::WorkingDays => "ngày làm việc",
            TimeUnit::HalfDays => "nửa ngày làm việc",
            TimeUnit::CalendarDays => "ngày",
            TimeUnit::Months => "tháng",
            TimeUnit::SameDay => "trong ngày",
        }
    }

    /// Working minutes per unit for the units measured on the working clock.
    fn working_minutes(self) -> Option<i64> {
        match self {
            TimeUnit::WorkingHours => Some(60),
            TimeUnit::HalfDays => Some(i64::from(DAY_MINUTES / 2)),
            TimeUnit::WorkingDays => Some(i64::from(DAY_MINUTES)),
            TimeUnit::CalendarDays | TimeUnit::Months | TimeUnit::SameDay => None,
        }
    }
}

impl fmt::Display for TimeUnit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for TimeUnit {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        TimeUnit::ALL.into_iter().find(|u| u.as_str() == s).ok_or_else(|| {
            format!(
                "đơn vị thời gian không hợp lệ: \"{s}\"; dùng một trong: {}",
                TimeUnit::ALL.map(|u| u.as_str()).join(", ")
            )
        })
    }
}

/// Which way days are counted (per agency, or per procedure).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Counting {
    #[default]
    WorkingTime,
    CivilDays,
}

impl Counting {
    pub fn as_str(self) -> &'static str {
        match self {
            Counting::WorkingTime => "working_time",
            Counting::CivilDays => "civil_days",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Counting::WorkingTime => "Tính theo giờ làm việc (8 giờ/ngày, cùng giờ sau N ngày làm việc)",
            Counting::CivilDays => "Tính theo ngày (không tính ngày tiếp nhận, hết giờ làm việc ngày thứ N)",
        }
    }
}

impl FromStr for Counting {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "working_time" => Ok(Counting::WorkingTime),
            "civil_days" => Ok(Counting::CivilDays),
            _ => Err(format!("cách tính không hợp lệ: \"{s}\"; dùng working_time hoặc civil_days")),
        }
    }
}

/// The most a processing time may be: keeps every deadline far inside the calendar's range.
pub const MAX_AMOUNT: u32 = 9_999;

/// A processing time: an amount of a unit, and for same-day procedures the cut-off hour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ProcessingTime {
    pub amount: u32,
    pub unit: TimeUnit,
    /// For [`TimeUnit::SameDay`]: received at or after this time, due the next working day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cutoff: Option<ClockTime>,
}

/// The cut-off of same-day procedures when none is given (`legal.md` §8.3).
pub const DEFAULT_CUTOFF: ClockTime = ClockTime::hm(15, 0);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeadlineError {
    #[error("thời gian giải quyết phải từ 1 đến {MAX_AMOUNT}")]
    InvalidAmount,
    #[error("giờ chốt chỉ dùng cho đơn vị \"trong ngày\" (same_day)")]
    CutoffWithoutSameDay,
    #[error(transparent)]
    Calendar(#[from] CalendarError),
}

impl ProcessingTime {
    /// A validated processing time. Same-day times carry amount 1.
    pub fn new(amount: u32, unit: TimeUnit, cutoff: Option<ClockTime>) -> Result<ProcessingTime, DeadlineError> {
        if unit == TimeUnit::SameDay {
            return Ok(ProcessingTime { amount: 1, unit, cutoff: Some(cutoff.unwrap_or(DEFAULT_CUTOFF)) });
        }
        if cutoff.is_some() {
            return Err(DeadlineError::CutoffWithoutSameDay);
        }
        if amount == 0 || amount > MAX_AMOUNT {
            return Err(DeadlineError::InvalidAmount);
        }
        Ok(ProcessingTime { amount, unit, cutoff: None })
    }

    /// `3 ngày làm việc`, `trong ngày (trước 15:00)`.
    pub fn describe(&self) -> String {
        match self.unit {
            TimeUnit::SameDay => format!(
                "trong ngày (tiếp nhận sau {} trả ngày làm việc tiếp theo)",
                self.cutoff.unwrap_or(DEFAULT_CUTOFF)
            ),
            unit => format!("{} {}", self.amount, unit.label()),
        }
    }

    /// The time on the working clock, for the units measured on it.
    pub fn working_minutes(&self) -> Option<i64> {
        self.unit.working_minutes().map(|m| m * i64::from(self.amount))
    }
}

impl WorkingCalendar {
    /// The due instant of a processing time started at `start` (valid intake), to the minute.
    pub fn due(&self, start: Timestamp, time: &ProcessingTime, counting: Counting) -> Result<Timestamp, DeadlineError> {
        let received = vn_date(start);
        let days = self.days();
        match (time.unit, counting) {
            (TimeUnit::WorkingDays, Counting::CivilDays) => {
                Ok(self.closing_instant(days.nth_after(received, time.amount)?))
            }
            (TimeUnit::WorkingHours | TimeUnit::HalfDays | TimeUnit::WorkingDays, _) => {
                let minutes = time.working_minutes().expect("working unit");
                Ok(self.instant(self.clock(start)? + minutes)?)
            }
            (TimeUnit::CalendarDays, _) => {
                let last = received
                    .checked_add(Span::new().days(i64::from(time.amount)))
                    .map_err(|_| CalendarError::OutOfRange)?;
                Ok(self.closing_instant(days.nth_after(last, 0)?))
            }
            (TimeUnit::Months, _) => {
                // jiff clamps to the month's last day (31/01 + 1 month = 28/02), as art. 147 does.
                let last = received
                    .checked_add(Span::new().months(i64::from(time.amount)))
                    .map_err(|_| CalendarError::OutOfRange)?;
                Ok(self.closing_instant(days.nth_after(last, 0)?))
            }
            (TimeUnit::SameDay, _) => {
                let cutoff = time.cutoff.unwrap_or(DEFAULT_CUTOFF);
                let (_, minute) = crate::calendar::day::vn_day_minute(start);
                let today = days.is_working(received)? && minute < cutoff.minutes();
                let on = if today { received } else { days.nth_after(received, 1)? };
                Ok(self.closing_instant(on))
            }
        }
    }

    /// Working minutes between two instants (negative when `to` is before `from`).
    pub fn elapsed(&self, from: Timestamp, to: Timestamp) -> Result<i64, DeadlineError> {
        Ok(self.clock(to)? - self.clock(from)?)
    }

    /// The due state of a processing time whose clock was stopped during `pauses`: the due
    /// instant moves later by the working time of every pause that began before it was reached.
    /// A pause still open before the due instant suspends the deadline.
    pub fn due_with_pauses(
        &self,
        start: Timestamp,
        time: &ProcessingTime,
        counting: Counting,
        pauses: &[Pause],
    ) -> Result<DueState, DeadlineError> {
        let start_w = self.clock(start)?;
        let mut due = self.due(start, time, counting)?;
        let mut due_w = self.clock(due)?;
        for pause in merge(pauses) {
            if pause.from >= due {
                break;
            }
            let from_w = self.clock(pause.from)?.max(start_w);
            match pause.until {
                None => {
                    return Ok(DueState::Suspended { since: pause.from, remaining_minutes: (due_w - from_w).max(0) });
                }
                Some(until) => {
                    let paused = (self.clock(until)? - from_w).max(0);
                    if paused > 0 {
                        due_w += paused;
                        due = self.instant(due_w)?;
                    }
                }
            }
        }
        Ok(DueState::Due(due))
    }

    /// Working minutes spent between `from` and `to`, not counting pauses.
    pub fn elapsed_excluding(&self, from: Timestamp, to: Timestamp, pauses: &[Pause]) -> Result<i64, DeadlineError> {
        let mut total = self.elapsed(from, to)?;
        for p in merge(pauses) {
            let a = p.from.max(from);
            let b = p.until.unwrap_or(to).min(to);
            if b > a {
                total -= self.elapsed(a, b)?;
            }
        }
        Ok(total)
    }
}

/// Why the clock stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PauseReason {
    /// Chờ bổ sung: the dossier is with the applicant for a supplement.
    Supplement,
    /// Chờ thực hiện nghĩa vụ tài chính.
    FinancialObligation,
}

/// An interval during which the processing clock is stopped; `until: None` while still open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pause {
    pub from: Timestamp,
    pub until: Option<Timestamp>,
}

/// A fact from a dossier's history that stops or restarts its clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ClockEvent {
    pub at: Timestamp,
    pub reason: PauseReason,
    pub stop: bool,
}

/// The pauses a dossier's history implies: the clock is stopped while at least one reason holds.
/// A restart without a matching stop, or a second stop for a reason already holding, changes
/// nothing (histories are append-only and may repeat a notification).
pub fn pauses_from_events(events: &[ClockEvent]) -> Vec<Pause> {
    let mut sorted = events.to_vec();
    sorted.sort_by_key(|e| e.at);
    let mut holding: Vec<PauseReason> = Vec::new();
    let mut out = Vec::new();
    let mut open: Option<Timestamp> = None;
    for e in sorted {
        if e.stop {
            if !holding.contains(&e.reason) {
                holding.push(e.reason);
            }
            open.get_or_insert(e.at);
        } else if let Some(i) = holding.iter().position(|r| *r == e.reason) {
            holding.remove(i);
            if holding.is_empty() {
                out.push(Pause { from: open.take().expect("open while holding"), until: Some(e.at) });
            }
        }
    }
    if let Some(from) = open {
        out.push(Pause { from, until: None });
    }
    out
}

/// Sorted, non-overlapping pauses; an open pause swallows everything after it.
fn merge(pauses: &[Pause]) -> Vec<Pause> {
    let mut sorted: Vec<Pause> = pauses.iter().copied().filter(|p| p.until.is_none_or(|u| u > p.from)).collect();
    sorted.sort_by_key(|p| p.from);
    let mut out: Vec<Pause> = Vec::with_capacity(sorted.len());
    for p in sorted {
        match out.last_mut() {
            Some(last) if last.until.is_none_or(|u| p.from <= u) => {
                last.until = match (last.until, p.until) {
                    (Some(a), Some(b)) => Some(a.max(b)),
                    _ => None,
                };
            }
            _ => out.push(p),
        }
    }
    out
}

/// A deadline at a moment: a due instant, or suspended while the clock is stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum DueState {
    Due(Timestamp),
    /// Stopped since `since`, with this many working minutes left when the clock restarts.
    Suspended {
        since: Timestamp,
        remaining_minutes: i64,
    },
}

/// Timeliness of a finished item (trước hạn / đúng hạn / quá hạn).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Timeliness {
    Early,
    OnTime,
    Late,
}

impl Timeliness {
    pub fn label(self) -> &'static str {
        match self {
            Timeliness::Early => "Trước hạn",
            Timeliness::OnTime => "Đúng hạn",
            Timeliness::Late => "Quá hạn",
        }
    }
}

/// Timeliness of a pending item at an instant (trong hạn / quá hạn).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PendingTimeliness {
    InTime,
    Overdue,
}

/// Early when finished on an earlier calendar day (Vietnam time) than the due date; on time on
/// the due date up to the due instant; late after it.
pub fn classify_finished(finished: Timestamp, due: Timestamp) -> Timeliness {
    if finished > due {
        Timeliness::Late
    } else if vn_date(finished) < vn_date(due) {
        Timeliness::Early
    } else {
        Timeliness::OnTime
    }
}

/// Overdue once the due instant has passed; a suspended deadline is in time (a pause that
/// begins after the due instant does not suspend it, so lateness is never hidden by a pause).
pub fn classify_pending(now: Timestamp, state: DueState) -> PendingTimeliness {
    match state {
        DueState::Due(due) if now > due => PendingTimeliness::Overdue,
        _ => PendingTimeliness::InTime,
    }
}

/// Why the steps of a workflow do not add up to the legal processing time.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BudgetError {
    #[error("tổng thời gian các bước ({steps}) khác thời gian giải quyết theo quy định ({total})")]
    Mismatch { steps: String, total: String },
    #[error("bước {step} dùng đơn vị \"{unit}\", không cộng được với thời gian giải quyết tính bằng \"{total_unit}\"")]
    IncompatibleUnit { step: usize, unit: &'static str, total_unit: &'static str },
}

fn describe_minutes(minutes: i64) -> String {
    let (days, rest) = (minutes / i64::from(DAY_MINUTES), minutes % i64::from(DAY_MINUTES));
    match (days, rest) {
        (d, 0) => format!("{d} ngày làm việc"),
        (0, r) if r % 60 == 0 => format!("{} giờ làm việc", r / 60),
        (0, r) => format!("{r} phút làm việc"),
        (d, r) => format!("{d} ngày làm việc {} phút", r),
    }
}

/// Checks that per-step budgets sum to the legal total. Working-time units (hours, half days,
/// days) add up across units; calendar days and months only with the same unit; a same-day
/// procedure's steps are working hours within one working day.
pub fn check_step_budgets(total: &ProcessingTime, steps: &[ProcessingTime]) -> Result<(), BudgetError> {
    match total.unit {
        TimeUnit::WorkingHours | TimeUnit::HalfDays | TimeUnit::WorkingDays | TimeUnit::SameDay => {
            let mut sum = 0;
            for (i, s) in steps.iter().enumerate() {
                sum += s.working_minutes().ok_or(BudgetError::IncompatibleUnit {
                    step: i + 1,
                    unit: s.unit.label(),
                    total_unit: total.unit.label(),
                })?;
            }
            let ok = match total.working_minutes() {
                Some(t) => sum == t,
                None => sum <= i64::from(DAY_MINUTES),
            };
            if !ok {
                let total_text = total.working_minutes().map_or_else(|| total.describe(), describe_minutes);
                return Err(BudgetError::Mismatch { steps: describe_minutes(sum), total: total_text });
            }
        }
        TimeUnit::CalendarDays | TimeUnit::Months => {
            let mut sum: u64 = 0;
            for (i, s) in steps.iter().enumerate() {
                if s.unit != total.unit {
                    return Err(BudgetError::IncompatibleUnit {
                        step: i + 1,
                        unit: s.unit.label(),
                        total_unit: total.unit.label(),
                    });
                }
                sum += u64::from(s.amount);
            }
            if sum != u64::from(total.amount) {
                return Err(BudgetError::Mismatch {
                    steps: format!("{sum} {}", total.unit.label()),
                    total: total.describe(),
                });
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::day::{from_day_number, vn_day_minute};
    use crate::calendar::working_calendar::HolidayTables;
    use proptest::prelude::*;
    use std::sync::OnceLock;

    fn cal() -> &'static WorkingCalendar {
        static CAL: OnceLock<WorkingCalendar> = OnceLock::new();
        CAL.get_or_init(|| WorkingCalendar::standard(&HolidayTables::default()))
    }

    fn at(s: &str) -> Timestamp {
        format!("{s}:00+07:00").parse().unwrap()
    }

    fn t(amount: u32, unit: TimeUnit) -> ProcessingTime {
        ProcessingTime::new(amount, unit, None).unwrap()
    }

    fn due(start: &str, amount: u32, unit: TimeUnit) -> Timestamp {
        cal().due(at(start), &t(amount, unit), Counting::WorkingTime).unwrap()
    }

    #[test]
    fn received_before_tet_is_due_after_the_break() {
        assert_eq!(due("2026-02-13T16:00", 3, TimeUnit::WorkingDays), at("2026-02-25T16:00"));
        let civil = cal().due(at("2026-02-13T16:00"), &t(3, TimeUnit::WorkingDays), Counting::CivilDays).unwrap();
        assert_eq!(civil, at("2026-02-25T17:00"));
    }

    #[test]
    fn new_year_is_a_holiday_across_the_year_end() {
        // 31/12/2025 is a Wednesday; 1/1/2026 is off, so 5 working days end on Thursday 8/1.
        assert_eq!(due("2025-12-31T08:00", 5, TimeUnit::WorkingDays), at("2026-01-08T08:00"));
        let civil = cal().due(at("2025-12-31T08:00"), &t(5, TimeUnit::WorkingDays), Counting::CivilDays).unwrap();
        assert_eq!(civil, at("2026-01-08T17:00"));
    }

    #[test]
    fn working_hours_cross_the_lunch_break_and_the_night() {
        assert_eq!(due("2026-03-02T10:00", 4, TimeUnit::WorkingHours), at("2026-03-02T15:30"));
        assert_eq!(due("2026-03-02T16:00", 8, TimeUnit::WorkingHours), at("2026-03-03T16:00"));
        assert_eq!(due("2026-03-02T08:00", 1, TimeUnit::HalfDays), at("2026-03-02T13:30"));
        assert_eq!(due("2026-03-02T07:30", 1, TimeUnit::WorkingDays), at("2026-03-02T17:00"));
    }

    #[test]
    fn receipt_outside_office_hours_starts_at_the_next_working_period() {
        assert_eq!(due("2026-03-07T10:00", 1, TimeUnit::WorkingDays), at("2026-03-09T17:00"), "Saturday");
        assert_eq!(due("2026-03-02T18:30", 1, TimeUnit::WorkingDays), at("2026-03-03T17:00"), "evening");
        assert_eq!(due("2026-03-02T06:00", 2, TimeUnit::WorkingHours), at("2026-03-02T09:30"), "early morning");
        assert_eq!(due("2026-03-02T12:00", 1, TimeUnit::WorkingHours), at("2026-03-02T14:00"), "lunch");
        assert_eq!(due("2026-08-21T16:00", 1, TimeUnit::WorkingDays), at("2026-08-22T16:00"), "make-up Saturday");
    }

    #[test]
    fn calendar_days_and_months_end_at_close_of_a_working_day() {
        assert_eq!(due("2026-02-13T09:00", 10, TimeUnit::CalendarDays), at("2026-02-23T17:00"));
        assert_eq!(due("2026-02-06T09:00", 10, TimeUnit::CalendarDays), at("2026-02-23T17:00"), "lands in Tết");
        assert_eq!(due("2026-01-31T09:00", 1, TimeUnit::Months), at("2026-03-02T17:00"), "28/02 is a Saturday");
        assert_eq!(due("2026-03-16T09:00", 1, TimeUnit::Months), at("2026-04-16T17:00"));
    }

    #[test]
    fn same_day_procedures_respect_the_cutoff() {
        let same = |s: &str, cutoff: Option<ClockTime>| {
            cal()
                .due(at(s), &ProcessingTime::new(1, TimeUnit::SameDay, cutoff).unwrap(), Counting::WorkingTime)
                .unwrap()
        };
        assert_eq!(same("2026-03-02T14:59", None), at("2026-03-02T17:00"));
        assert_eq!(same("2026-03-02T15:00", None), at("2026-03-03T17:00"));
        assert_eq!(same("2026-03-06T16:00", None), at("2026-03-09T17:00"), "Friday after the cut-off");
        assert_eq!(same("2026-03-07T09:00", None), at("2026-03-09T17:00"), "Saturday");
        assert_eq!(same("2026-03-02T15:30", Some(ClockTime::hm(16, 0))), at("2026-03-02T17:00"));
    }

    #[test]
    fn processing_times_are_validated() {
        assert_eq!(ProcessingTime::new(0, TimeUnit::WorkingDays, None), Err(DeadlineError::InvalidAmount));
        assert_eq!(ProcessingTime::new(10_000, TimeUnit::Months, None), Err(DeadlineError::InvalidAmount));
        assert_eq!(
            ProcessingTime::new(3, TimeUnit::WorkingDays, Some(DEFAULT_CUTOFF)),
            Err(DeadlineError::CutoffWithoutSameDay)
        );
        assert_eq!(ProcessingTime::new(0, TimeUnit::SameDay, None).unwrap().cutoff, Some(DEFAULT_CUTOFF));
        assert_eq!("working_days".parse::<TimeUnit>(), Ok(TimeUnit::WorkingDays));
        assert!("weeks".parse::<TimeUnit>().unwrap_err().contains("working_hours, working_days"));
        assert_eq!(t(3, TimeUnit::WorkingDays).describe(), "3 ngày làm việc");
    }

    #[test]
    fn the_longest_deadline_stays_in_range() {
        assert!(cal().due(at("2150-01-02T09:00"), &t(MAX_AMOUNT, TimeUnit::Months), Counting::WorkingTime).is_err());
        assert!(
            cal().due(at("2026-01-02T09:00"), &t(MAX_AMOUNT, TimeUnit::WorkingDays), Counting::WorkingTime).is_ok()
        );
    }

    #[test]
    fn a_supplement_pause_moves_the_due_date_by_the_working_time_paused() {
        let time = t(5, TimeUnit::WorkingDays);
        let start = at("2026-03-02T09:00");
        let base = cal().due(start, &time, Counting::WorkingTime).unwrap();
        assert_eq!(base, at("2026-03-09T09:00"));
        let pause = Pause { from: at("2026-03-03T10:00"), until: Some(at("2026-03-05T10:00")) };
        let moved = cal().due_with_pauses(start, &time, Counting::WorkingTime, &[pause]).unwrap();
        assert_eq!(moved, DueState::Due(at("2026-03-11T09:00")));
        // A pause after the due instant changes nothing: the dossier was already late.
        let late = Pause { from: at("2026-03-09T10:00"), until: Some(at("2026-03-12T10:00")) };
        assert_eq!(cal().due_with_pauses(start, &time, Counting::WorkingTime, &[late]).unwrap(), DueState::Due(base));
        // Still with the applicant: suspended, with the working time that was left.
        let open = Pause { from: at("2026-03-06T09:00"), until: None };
        assert_eq!(
            cal().due_with_pauses(start, &time, Counting::WorkingTime, &[open]).unwrap(),
            DueState::Suspended { since: at("2026-03-06T09:00"), remaining_minutes: 480 }
        );
        assert_eq!(
            classify_pending(
                at("2026-04-01T09:00"),
                DueState::Suspended { since: at("2026-03-06T09:00"), remaining_minutes: 480 }
            ),
            PendingTimeliness::InTime
        );
    }

    #[test]
    fn pauses_come_from_the_event_history() {
        let ev = |s: &str, reason, stop| ClockEvent { at: at(s), reason, stop };
        let events = [
            ev("2026-03-03T10:00", PauseReason::Supplement, true),
            ev("2026-03-04T10:00", PauseReason::FinancialObligation, true),
            ev("2026-03-05T10:00", PauseReason::Supplement, false),
            ev("2026-03-06T10:00", PauseReason::FinancialObligation, false),
            ev("2026-03-07T10:00", PauseReason::Supplement, false),
            ev("2026-03-10T10:00", PauseReason::Supplement, true),
            ev("2026-03-10T11:00", PauseReason::Supplement, true),
        ];
        let pauses = pauses_from_events(&events);
        assert_eq!(
            pauses,
            vec![
                Pause { from: at("2026-03-03T10:00"), until: Some(at("2026-03-06T10:00")) },
                Pause { from: at("2026-03-10T10:00"), until: None },
            ]
        );
        let spent = cal().elapsed_excluding(at("2026-03-02T07:30"), at("2026-03-09T17:00"), &pauses).unwrap();
        assert_eq!(spent, 6 * 480 - 3 * 480);
    }

    #[test]
    fn timeliness_is_judged_against_the_due_instant_and_its_day() {
        let due = at("2026-03-09T09:00");
        assert_eq!(classify_finished(at("2026-03-06T16:00"), due), Timeliness::Early);
        assert_eq!(classify_finished(at("2026-03-09T08:00"), due), Timeliness::OnTime);
        assert_eq!(classify_finished(due, due), Timeliness::OnTime);
        assert_eq!(classify_finished(at("2026-03-09T09:01"), due), Timeliness::Late);
        assert_eq!(classify_finished(at("2026-03-09T00:30"), due), Timeliness::OnTime, "same day in Vietnam time");
        assert_eq!(classify_pending(at("2026-03-09T09:00"), DueState::Due(due)), PendingTimeliness::InTime);
        assert_eq!(classify_pending(at("2026-03-09T09:01"), DueState::Due(due)), PendingTimeliness::Overdue);
    }

    #[test]
    fn step_budgets_must_sum_to_the_legal_time() {
        let total = t(3, TimeUnit::WorkingDays);
        assert!(
            check_step_budgets(
                &total,
                &[t(4, TimeUnit::WorkingHours), t(2, TimeUnit::WorkingDays), t(1, TimeUnit::HalfDays)]
            )
            .is_ok()
        );
        let err = check_step_budgets(&total, &[t(2, TimeUnit::WorkingDays)]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "tổng thời gian các bước (2 ngày làm việc) khác thời gian giải quyết theo quy định (3 ngày làm việc)"
        );
        assert!(matches!(
            check_step_budgets(&total, &[t(3, TimeUnit::CalendarDays)]),
            Err(BudgetError::IncompatibleUnit { step: 1, .. })
        ));
        let days = t(15, TimeUnit::CalendarDays);
        assert!(check_step_budgets(&days, &[t(10, TimeUnit::CalendarDays), t(5, TimeUnit::CalendarDays)]).is_ok());
        assert!(check_step_budgets(&days, &[t(10, TimeUnit::CalendarDays)]).is_err());
        let same = ProcessingTime::new(1, TimeUnit::SameDay, None).unwrap();
        assert!(check_step_budgets(&same, &[t(2, TimeUnit::WorkingHours), t(4, TimeUnit::WorkingHours)]).is_ok());
        assert!(check_step_budgets(&same, &[t(2, TimeUnit::WorkingDays)]).is_err());
    }

    fn instant_in(range_days: i32) -> impl Strategy<Value = Timestamp> {
        // 2000-01-01 .. 2000 + range, any minute.
        (0..range_days, 0u16..1440).prop_map(|(d, m)| crate::calendar::day::vn_instant(10_957 + d, m))
    }

    fn unit() -> impl Strategy<Value = TimeUnit> {
        prop::sample::select(TimeUnit::ALL.to_vec())
    }

    fn counting() -> impl Strategy<Value = Counting> {
        prop::sample::select(vec![Counting::WorkingTime, Counting::CivilDays])
    }

    fn inside_office_hours(due: Timestamp) -> bool {
        let (day, minute) = vn_day_minute(due);
        let c = cal();
        c.days().is_working(from_day_number(day)).unwrap()
            && c.hours_on(day).periods().iter().any(|p| p.start.minutes() <= minute && minute <= p.end.minutes())
    }

    proptest! {
        #[test]
        fn due_is_after_start_and_inside_office_hours(start in instant_in(36_500), amount in 1u32..400, unit in unit(), counting in counting()) {
            let time = t(amount, unit);
            let due = cal().due(start, &time, counting).unwrap();
            prop_assert!(due > start);
            prop_assert!(inside_office_hours(due), "{} not in office hours", crate::time::format_datetime(due));
        }

        #[test]
        fn elapsed_to_due_is_the_duration(start in instant_in(36_500), amount in 1u32..400, unit in prop::sample::select(vec![TimeUnit::WorkingHours, TimeUnit::HalfDays, TimeUnit::WorkingDays])) {
            let time = t(amount, unit);
            let due = cal().due(start, &time, Counting::WorkingTime).unwrap();
            prop_assert_eq!(cal().elapsed(start, due).unwrap(), time.working_minutes().unwrap());
        }

        #[test]
        fn a_pause_never_makes_the_due_date_earlier(
            start in instant_in(3_650),
            amount in 1u32..60,
            unit in unit(),
            counting in counting(),
            offset in 0i64..(60 * 24 * 90),
            length in 0i64..(60 * 24 * 30),
            more in prop::collection::vec((0i64..(60 * 24 * 90), 0i64..(60 * 24 * 10)), 0..3),
        ) {
            let time = t(amount, unit);
            let minute = |m: i64| start.checked_add(Span::new().minutes(m)).unwrap();
            let mut pauses: Vec<Pause> = more.iter().map(|(o, l)| Pause { from: minute(*o), until: Some(minute(o + l)) }).collect();
            let before = cal().due_with_pauses(start, &time, counting, &pauses).unwrap();
            pauses.push(Pause { from: minute(offset), until: Some(minute(offset + length)) });
            let after = cal().due_with_pauses(start, &time, counting, &pauses).unwrap();
            match (before, after) {
                (DueState::Due(b), DueState::Due(a)) => {
                    prop_assert!(a >= b);
                    prop_assert!(inside_office_hours(a));
                }
                other => prop_assert!(false, "closed pauses never suspend: {other:?}"),
            }
        }

        #[test]
        fn working_time_due_dates_are_monotonic(start in instant_in(36_500), amount in 1u32..200, unit in unit()) {
            let a = cal().due(start, &t(amount, unit), Counting::WorkingTime).unwrap();
            let b = cal().due(start, &t(amount + 1, unit), Counting::WorkingTime).unwrap();
            prop_assert!(b >= a);
            let later = start.checked_add(Span::new().hours(1)).unwrap();
            prop_assert!(cal().due(later, &t(amount, unit), Counting::WorkingTime).unwrap() >= a);
        }
    }
}
