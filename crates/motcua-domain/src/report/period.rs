//! Report periods (kỳ báo cáo).
//!
//! Statutory reports run on cut-off periods (NĐ 09/2019 as a province applies it, `legal.md`
//! §5): a month is the 15th of the previous month to the 14th, a quarter the 15th of the month
//! before it to the 14th of its last month, the 6 and 9 months and the year start on 15/12 of
//! the previous year. The national portal and Decision 766 count calendar months, quarters and
//! years instead (§13.2). Both are supported, as is any range of days.
//!
//! Written as `2026-M10`, `2026-Q3`, `2026-H1`, `2026-9M`, `2026`, with the basis chosen apart
//! (`calendar=true`), or as a range `2026-07-01..2026-09-30`.

use std::fmt;

use jiff::ToSpan;
use jiff::civil::{Date, date};
use serde::Serialize;

use crate::time::format_date;

/// Cut-off (statutory) or calendar periods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// 15th of the previous month to the 14th (chế độ báo cáo định kỳ).
    Statutory,
    /// Calendar months, quarters and years (DVCQG, Decision 766).
    Calendar,
}

/// Which span of a year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "number")]
pub enum Span {
    Month(u8),
    Quarter(u8),
    /// The first half (6 tháng đầu năm); the second half only on the calendar basis.
    Half(u8),
    /// 9 tháng.
    NineMonths,
    Year,
}

/// A report period: a span of a year on a basis, or any range of days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReportPeriod {
    Span {
        year: i16,
        span: Span,
        basis: Basis,
    },
    /// From the first to the last day, inclusive.
    Range {
        first: Date,
        last: Date,
    },
}

/// The days a period covers, both inclusive, in Asia/Ho_Chi_Minh.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct DayRange {
    pub first: Date,
    pub last: Date,
}

impl DayRange {
    pub fn contains(&self, day: Date) -> bool {
        self.first <= day && day <= self.last
    }

    pub fn days(&self) -> i64 {
        i64::from((self.last - self.first).get_days()) + 1
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    #[error(
        "kỳ báo cáo không hợp lệ: «{0}» (ví dụ 2026-M10, 2026-Q3, 2026-H1, 2026-9M, 2026 hoặc 2026-07-01..2026-09-30)"
    )]
    Syntax(String),
    #[error("năm {0} nằm ngoài phạm vi 2000–2100")]
    Year(i32),
    #[error("tháng {0} không hợp lệ (1–12)")]
    Month(u32),
    #[error("quý {0} không hợp lệ (1–4)")]
    Quarter(u32),
    #[error("nửa năm {0} không hợp lệ (1–2)")]
    Half(u32),
    #[error("chế độ báo cáo định kỳ không có kỳ 6 tháng cuối năm; dùng kỳ theo lịch (calendar=true) hoặc khoảng ngày")]
    StatutorySecondHalf,
    #[error("ngày bắt đầu {0} sau ngày kết thúc {1}")]
    Reversed(String, String),
    #[error("khoảng ngày dài quá 5 năm")]
    TooLong,
}

const MIN_YEAR: i32 = 2000;
const MAX_YEAR: i32 = 2100;

impl ReportPeriod {
    /// Parses the period syntax; `basis` applies to spans of a year.
    pub fn parse(input: &str, basis: Basis) -> Result<ReportPeriod, PeriodError> {
        let s = input.trim();
        let syntax = || PeriodError::Syntax(s.to_owned());
        if let Some((a, b)) = s.split_once("..") {
            let first: Date = a.trim().parse().map_err(|_| syntax())?;
            let last: Date = b.trim().parse().map_err(|_| syntax())?;
            return ReportPeriod::range(first, last);
        }
        let (year_text, rest) = match s.split_once('-') {
            Some((y, r)) => (y, Some(r)),
            None => (s, None),
        };
        if year_text.len() != 4 || !year_text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(syntax());
        }
        let year: i32 = year_text.parse().map_err(|_| syntax())?;
        if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
            return Err(PeriodError::Year(year));
        }
        let number = |t: &str| -> Result<u32, PeriodError> {
            if t.is_empty() || t.len() > 2 || !t.bytes().all(|b| b.is_ascii_digit()) {
                return Err(syntax());
            }
            t.parse().map_err(|_| syntax())
        };
        let span = match rest.map(str::to_ascii_uppercase) {
            None => Span::Year,
            Some(r) if r == "9M" => Span::NineMonths,
            Some(r) => match r.split_at_checked(1) {
                Some(("M", n)) => match number(n)? {
                    m @ 1..=12 => Span::Month(m as u8),
                    m => return Err(PeriodError::Month(m)),
                },
                Some(("Q", n)) => match number(n)? {
                    q @ 1..=4 => Span::Quarter(q as u8),
                    q => return Err(PeriodError::Quarter(q)),
                },
                Some(("H", n)) => match number(n)? {
                    h @ 1..=2 => Span::Half(h as u8),
                    h => return Err(PeriodError::Half(h)),
                },
                _ => return Err(syntax()),
            },
        };
        if span == Span::Half(2) && basis == Basis::Statutory {
            return Err(PeriodError::StatutorySecondHalf);
        }
        Ok(ReportPeriod::Span { year: year as i16, span, basis })
    }

    /// A range of days, checked.
    pub fn range(first: Date, last: Date) -> Result<ReportPeriod, PeriodError> {
        for y in [first.year(), last.year()] {
            if !(MIN_YEAR..=MAX_YEAR).contains(&i32::from(y)) {
                return Err(PeriodError::Year(i32::from(y)));
            }
        }
        if first > last {
            return Err(PeriodError::Reversed(format_date(first), format_date(last)));
        }
        if (last - first).get_days() > 5 * 366 {
            return Err(PeriodError::TooLong);
        }
        Ok(ReportPeriod::Range { first, last })
    }

    /// The calendar month that contains `day` (the dashboard's "this month").
    pub fn calendar_month_of(day: Date) -> ReportPeriod {
        ReportPeriod::Span { year: day.year(), span: Span::Month(day.month() as u8), basis: Basis::Calendar }
    }

    /// The statutory month whose cut-off period contains `day` (from the 15th it is the next
    /// month's).
    pub fn statutory_month_of(day: Date) -> ReportPeriod {
        let next = if day.day() >= 15 { day.first_of_month() + 1.month() } else { day };
        ReportPeriod::Span { year: next.year(), span: Span::Month(next.month() as u8), basis: Basis::Statutory }
    }

    pub fn days(&self) -> DayRange {
        match *self {
            ReportPeriod::Range { first, last } => DayRange { first, last },
            ReportPeriod::Span { year, span, basis } => span_days(year, span, basis),
        }
    }

    pub fn basis(&self) -> Option<Basis> {
        match self {
            ReportPeriod::Span { basis, .. } => Some(*basis),
            ReportPeriod::Range { .. } => None,
        }
    }

    /// The period in words, as a report's title names it ("Quý III năm 2026").
    pub fn title(&self) -> String {
        match *self {
            ReportPeriod::Range { first, last } => {
                format!("Từ ngày {} đến ngày {}", format_date(first), format_date(last))
            }
            ReportPeriod::Span { year, span, .. } => match span {
                Span::Month(m) => format!("Tháng {m} năm {year}"),
                Span::Quarter(q) => format!("Quý {} năm {year}", roman(q)),
                Span::Half(1) => format!("6 tháng đầu năm {year}"),
                Span::Half(_) => format!("6 tháng cuối năm {year}"),
                Span::NineMonths => format!("9 tháng năm {year}"),
                Span::Year => format!("Năm {year}"),
            },
        }
    }

    /// The title with the days ("Quý III năm 2026 (từ 15/06/2026 đến 14/09/2026)").
    pub fn describe(&self) -> String {
        let d = self.days();
        match self {
            ReportPeriod::Range { .. } => self.title(),
            ReportPeriod::Span { .. } => {
                format!("{} (từ ngày {} đến ngày {})", self.title(), format_date(d.first), format_date(d.last))
            }
        }
    }

    /// The query value that names this period (`2026-Q3`, `2026-07-01..2026-09-30`).
    pub fn key(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for ReportPeriod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReportPeriod::Range { first, last } => write!(f, "{first}..{last}"),
            ReportPeriod::Span { year, span, .. } => match span {
                Span::Month(m) => write!(f, "{year}-M{m}"),
                Span::Quarter(q) => write!(f, "{year}-Q{q}"),
                Span::Half(h) => write!(f, "{year}-H{h}"),
                Span::NineMonths => write!(f, "{year}-9M"),
                Span::Year => write!(f, "{year}"),
            },
        }
    }
}

fn roman(n: u8) -> &'static str {
    ["I", "II", "III", "IV"].get(usize::from(n.saturating_sub(1))).copied().unwrap_or("?")
}

fn last_of_month(year: i16, month: i8) -> Date {
    date(year, month, 1).last_of_month()
}

/// The cut-off start of a span that ends with the 14th of `last_month`: the 15th of the month
/// before `first_month`.
fn cutoff(year: i16, first_month: i8, last_month: i8) -> DayRange {
    let start = date(year, first_month, 15) - 1.month();
    DayRange { first: start, last: date(year, last_month, 14) }
}

fn span_days(year: i16, span: Span, basis: Basis) -> DayRange {
    let (first_month, last_month) = match span {
        Span::Month(m) => (m as i8, m as i8),
        Span::Quarter(q) => (3 * q as i8 - 2, 3 * q as i8),
        Span::Half(h) => (6 * h as i8 - 5, 6 * h as i8),
        Span::NineMonths => (1, 9),
        Span::Year => (1, 12),
    };
    match basis {
        Basis::Calendar => DayRange { first: date(year, first_month, 1), last: last_of_month(year, last_month) },
        // The 6 and 9 months and the year all start on 15/12 of the previous year.
        Basis::Statutory => cutoff(year, first_month, last_month),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn days(s: &str, basis: Basis) -> (String, String) {
        let d = ReportPeriod::parse(s, basis).unwrap().days();
        (format_date(d.first), format_date(d.last))
    }

    fn pair(a: &str, b: &str) -> (String, String) {
        (a.to_owned(), b.to_owned())
    }

    #[test]
    fn statutory_periods_follow_the_cut_off_table() {
        let s = Basis::Statutory;
        assert_eq!(days("2026-M10", s), pair("15/09/2026", "14/10/2026"));
        assert_eq!(days("2026-M1", s), pair("15/12/2025", "14/01/2026"));
        assert_eq!(days("2026-M03", s), pair("15/02/2026", "14/03/2026"));
        assert_eq!(days("2026-Q1", s), pair("15/12/2025", "14/03/2026"));
        assert_eq!(days("2026-Q2", s), pair("15/03/2026", "14/06/2026"));
        assert_eq!(days("2026-Q3", s), pair("15/06/2026", "14/09/2026"));
        assert_eq!(days("2026-Q4", s), pair("15/09/2026", "14/12/2026"));
        assert_eq!(days("2026-H1", s), pair("15/12/2025", "14/06/2026"));
        assert_eq!(days("2026-9M", s), pair("15/12/2025", "14/09/2026"));
        assert_eq!(days("2026", s), pair("15/12/2025", "14/12/2026"));
    }

    #[test]
    fn calendar_periods_are_whole_months() {
        let c = Basis::Calendar;
        assert_eq!(days("2024-M2", c), pair("01/02/2024", "29/02/2024"));
        assert_eq!(days("2026-Q3", c), pair("01/07/2026", "30/09/2026"));
        assert_eq!(days("2026-H2", c), pair("01/07/2026", "31/12/2026"));
        assert_eq!(days("2026-9m", c), pair("01/01/2026", "30/09/2026"));
        assert_eq!(days("2026", c), pair("01/01/2026", "31/12/2026"));
    }

    #[test]
    fn ranges_and_errors() {
        assert_eq!(days("2026-07-01..2026-07-31", Basis::Statutory), pair("01/07/2026", "31/07/2026"));
        for bad in [
            "",
            "26",
            "2026-",
            "2026-M13",
            "2026-M0",
            "2026-Q5",
            "2026-H3",
            "2026-X1",
            "2026-M1x",
            "1999",
            "2026-07-02..2026-07-01",
            "2020-01-01..2026-12-31",
        ] {
            assert!(ReportPeriod::parse(bad, Basis::Calendar).is_err(), "{bad}");
        }
        assert_eq!(ReportPeriod::parse("2026-H2", Basis::Statutory), Err(PeriodError::StatutorySecondHalf));
        assert_eq!(
            ReportPeriod::parse("2026-M13", Basis::Statutory).unwrap_err().to_string(),
            "tháng 13 không hợp lệ (1–12)"
        );
    }

    #[test]
    fn titles_name_the_period_as_reports_do() {
        let p = ReportPeriod::parse("2026-Q3", Basis::Statutory).unwrap();
        assert_eq!(p.title(), "Quý III năm 2026");
        assert_eq!(p.describe(), "Quý III năm 2026 (từ ngày 15/06/2026 đến ngày 14/09/2026)");
        assert_eq!(p.to_string(), "2026-Q3");
        assert_eq!(ReportPeriod::parse("2026-9M", Basis::Calendar).unwrap().title(), "9 tháng năm 2026");
        let r = ReportPeriod::parse("2026-07-01..2026-07-31", Basis::Calendar).unwrap();
        assert_eq!(r.title(), "Từ ngày 01/07/2026 đến ngày 31/07/2026");
        assert_eq!(r.days().days(), 31);
        assert_eq!(ReportPeriod::statutory_month_of(date(2026, 12, 3)).to_string(), "2026-M12");
        assert_eq!(ReportPeriod::statutory_month_of(date(2026, 12, 15)).to_string(), "2027-M1");
        assert!(ReportPeriod::statutory_month_of(date(2026, 12, 15)).days().contains(date(2026, 12, 15)));
    }

    proptest! {
        /// The statutory months of a year tile its statutory year without gap or overlap, and
        /// quarters are unions of their months; the display form parses back to itself.
        #[test]
        fn statutory_months_tile_the_year(year in 2001i32..2100) {
            let s = Basis::Statutory;
            let y = ReportPeriod::parse(&year.to_string(), s).unwrap().days();
            let mut next = y.first;
            for m in 1..=12 {
                let p = ReportPeriod::parse(&format!("{year}-M{m}"), s).unwrap();
                let d = p.days();
                prop_assert_eq!(d.first, next);
                next = d.last.tomorrow().unwrap();
                prop_assert_eq!(ReportPeriod::parse(&p.to_string(), s).unwrap(), p);
                if m % 3 == 0 {
                    let q = ReportPeriod::parse(&format!("{year}-Q{}", m / 3), s).unwrap().days();
                    prop_assert_eq!(q.last, d.last);
                    let first_month = ReportPeriod::parse(&format!("{year}-M{}", m - 2), s).unwrap().days();
                    prop_assert_eq!(q.first, first_month.first);
                }
            }
            prop_assert_eq!(next, y.last.tomorrow().unwrap());
            let c = ReportPeriod::parse(&year.to_string(), Basis::Calendar).unwrap().days();
            prop_assert_eq!(c.days(), y.days());
        }
    }
}
