//! Public holidays (ngày nghỉ lễ, Tết), compensatory days off (nghỉ bù) and make-up working
//! days (làm bù): the exceptions to the weekly pattern, one table per year.
//!
//! A year's table comes from, in order of precedence: an administrator's edit (stored, versioned
//! and audited by the application), the government's yearly notice shipped with the product
//! ([`super::notice`]), or the statutory rules of the Labour Code 2019 ([`statutory_defaults`]).

use std::collections::BTreeMap;

use jiff::civil::{Date, Weekday, date};
use serde::{Deserialize, Serialize};

use crate::calendar::lunar::{self, LunarDate};
use crate::validation::{FieldError, ValidationErrors};

/// First and last year the calendar covers (the range of the lunar calendar).
pub const FIRST_YEAR: i16 = 1900;
pub const LAST_YEAR: i16 = 2199;

/// Whether an exception makes a day a day off or a working day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    /// Nghỉ: a holiday, Tết day, compensatory or swapped day off.
    Off,
    /// Làm việc: a weekly rest day worked (make-up Saturday).
    Working,
}

/// One exception of a year's table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarEntry {
    pub date: Date,
    pub kind: DayKind,
    /// What the day is, in Vietnamese ("Tết Nguyên đán (mùng 1 tháng Giêng)").
    pub name: String,
    /// The legal basis: the article or the notice that makes it so.
    pub source: String,
}

/// Where a year's table comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TableOrigin {
    /// Generated from the Labour Code; the government has not (yet) announced the year.
    Statutory,
    /// The government's yearly notice shipped with motcua.
    Notice,
    /// Edited by an administrator of this installation.
    Edited,
}

/// The exceptions of one year, sorted by date, at most one per date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct YearTable {
    pub year: i16,
    pub origin: TableOrigin,
    pub entries: Vec<CalendarEntry>,
}

impl YearTable {
    /// Validates and normalises an edited table: every date inside the year, one entry per date,
    /// names and sources given, no "working" Monday–Friday (those are working days already).
    pub fn edited(year: i16, entries: Vec<CalendarEntry>) -> Result<YearTable, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        if !(FIRST_YEAR..=LAST_YEAR).contains(&year) {
            errors.push(FieldError::new("year", "out_of_range", format!("Năm phải từ {FIRST_YEAR} đến {LAST_YEAR}.")));
            return Err(errors);
        }
        let mut by_date: BTreeMap<Date, CalendarEntry> = BTreeMap::new();
        for (i, mut e) in entries.into_iter().enumerate() {
            let field = |name: &str| format!("entries[{i}].{name}");
            e.name = e.name.trim().to_owned();
            e.source = e.source.trim().to_owned();
            if e.date.year() != year {
                errors.push(FieldError::new(
                    field("date"),
                    "wrong_year",
                    format!("Ngày {} không thuộc năm {year}.", crate::time::format_date(e.date)),
                ));
            }
            if e.name.is_empty() {
                errors.push(FieldError::new(field("name"), "required", "Cần ghi tên ngày nghỉ hoặc ngày làm bù."));
            }
            if e.name.chars().count() > 200 {
                errors.push(FieldError::new(field("name"), "too_long", "Tên dài quá 200 ký tự."));
            }
            if e.source.is_empty() {
                errors.push(FieldError::new(
                    field("source"),
                    "required",
                    "Cần ghi văn bản căn cứ (số, ngày thông báo hoặc điều luật).",
                ));
            }
            if e.source.chars().count() > 300 {
                errors.push(FieldError::new(field("source"), "too_long", "Căn cứ dài quá 300 ký tự."));
            }
            if e.kind == DayKind::Working && !is_weekend(e.date) {
                errors.push(FieldError::new(
                    field("kind"),
                    "not_a_rest_day",
                    format!(
                        "Ngày {} là ngày làm việc bình thường; chỉ Thứ Bảy hoặc Chủ nhật mới có thể là ngày làm bù.",
                        crate::time::format_date(e.date)
                    ),
                ));
            }
            if by_date.contains_key(&e.date) {
                errors.push(FieldError::new(
                    field("date"),
                    "duplicate",
                    format!("Ngày {} được khai báo hai lần.", crate::time::format_date(e.date)),
                ));
            }
            by_date.insert(e.date, e);
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(YearTable { year, origin: TableOrigin::Edited, entries: by_date.into_values().collect() })
    }

    /// Weekdays (Monday–Friday) that are off: what a civil servant calls the year's holidays.
    pub fn weekdays_off(&self) -> impl Iterator<Item = &CalendarEntry> {
        self.entries.iter().filter(|e| e.kind == DayKind::Off && !is_weekend(e.date))
    }

    /// Saturdays and Sundays that are worked.
    pub fn working_weekend_days(&self) -> impl Iterator<Item = &CalendarEntry> {
        self.entries.iter().filter(|e| e.kind == DayKind::Working && is_weekend(e.date))
    }

    pub fn entry(&self, day: Date) -> Option<&CalendarEntry> {
        self.entries.binary_search_by(|e| e.date.cmp(&day)).ok().map(|i| &self.entries[i])
    }

    /// The dates whose status differs between two tables of the same year, for telling people
    /// whose deadlines a change may move.
    pub fn changed_dates(&self, other: &YearTable) -> Vec<Date> {
        let mut dates: Vec<Date> = self.entries.iter().chain(other.entries.iter()).map(|e| e.date).collect();
        dates.sort();
        dates.dedup();
        dates.retain(|d| self.entry(*d).map(|e| e.kind) != other.entry(*d).map(|e| e.kind));
        dates
    }
}

pub fn is_weekend(day: Date) -> bool {
    matches!(day.weekday(), Weekday::Saturday | Weekday::Sunday)
}

const LABOUR_CODE_112: &str = "Bộ luật Lao động 2019, Điều 112 (mặc định khi chưa có thông báo hằng năm)";
const LABOUR_CODE_111: &str = "Bộ luật Lao động 2019, Điều 111 khoản 3 (nghỉ bù)";
const LABOUR_CODE_COINCIDING: &str =
    "Bộ luật Lao động 2019, Điều 112 (hai ngày lễ trùng nhau: mặc định nghỉ bù, đối chiếu thông báo hằng năm)";
pub(crate) const CULTURE_DAY_SOURCE: &str = "Nghị quyết 28/2026/QH16, Điều 2";

/// `Tết Nguyên đán (29 tháng Chạp)`: a Tết day named by its lunar date.
pub fn tet_day_name(day: Date) -> String {
    match lunar::to_lunar(day) {
        Ok(l) => format!("Tết Nguyên đán ({} tháng {})", lunar::day_name(l.day), lunar::month_name(l.month)),
        Err(_) => "Tết Nguyên đán".to_owned(),
    }
}

/// The year's holidays as the Labour Code 2019 sets them, before the government's notice:
/// New Year's Day; five Tết days (the last day of the old lunar year and the first four of the
/// new one, the pattern of recent notices); Hùng Kings' day (10/3 lunar); 30/4; 1/5; 2/9 with
/// the day before (the day after when the day before is a weekend); a holiday on a Saturday or
/// Sunday made up on the next working day (Art. 111); Vietnamese Culture Day 24/11 from 2026,
/// which has no make-up day.
pub fn statutory_defaults(year: i16) -> YearTable {
    let y = year;
    let mut holidays: Vec<(Date, String)> = vec![(date(y, 1, 1), "Tết Dương lịch".to_owned())];
    if let Ok(tet) = lunar::tet(i32::from(y)) {
        for offset in -1..4i64 {
            let day = tet.checked_add(jiff::Span::new().days(offset)).expect("in range");
            holidays.push((day, tet_day_name(day)));
        }
    }
    if let Ok(hung) = lunar::to_solar(LunarDate { year: i32::from(y), month: 3, day: 10, leap: false }) {
        holidays.push((hung, "Giỗ Tổ Hùng Vương (10/3 âm lịch)".to_owned()));
    }
    holidays.push((date(y, 4, 30), "Ngày Chiến thắng (30/4)".to_owned()));
    holidays.push((date(y, 5, 1), "Ngày Quốc tế Lao động (1/5)".to_owned()));
    let national = date(y, 9, 2);
    let adjacent = if is_weekend(date(y, 9, 1)) { date(y, 9, 3) } else { date(y, 9, 1) };
    holidays.push((adjacent, "Quốc khánh (ngày liền kề)".to_owned()));
    holidays.push((national, "Quốc khánh (2/9)".to_owned()));
    holidays.sort_by_key(|(d, _)| *d);

    let mut entries: BTreeMap<Date, CalendarEntry> = BTreeMap::new();
    // Holidays to make up: those on a weekly rest day (Art. 111) and, by the same logic, one
    // that falls on another holiday (Hùng Kings' day can meet 30/4 in a year with a leap month;
    // the Code is silent, so the default gives the day back and the notice decides).
    let mut to_make_up: Vec<(Date, String, &str)> = Vec::new();
    for (day, name) in &holidays {
        if entries.contains_key(day) {
            to_make_up.push((*day, name.clone(), LABOUR_CODE_COINCIDING));
            continue;
        }
        entries.insert(
            *day,
            CalendarEntry { date: *day, kind: DayKind::Off, name: name.clone(), source: LABOUR_CODE_112.to_owned() },
        );
        if is_weekend(*day) {
            to_make_up.push((*day, name.clone(), LABOUR_CODE_111));
        }
    }
    for (day, name, source) in to_make_up {
        let mut next = day.tomorrow().expect("in range");
        while is_weekend(next) || entries.contains_key(&next) {
            next = next.tomorrow().expect("in range");
        }
        if next.year() == y {
            entries.insert(
                next,
                CalendarEntry {
                    date: next,
                    kind: DayKind::Off,
                    name: format!("Nghỉ bù {} ({})", name, crate::time::format_date(day)),
                    source: source.to_owned(),
                },
            );
        }
    }
    if y >= 2026 {
        let culture = date(y, 11, 24);
        entries.insert(
            culture,
            CalendarEntry {
                date: culture,
                kind: DayKind::Off,
                name: "Ngày Văn hóa Việt Nam (24/11)".to_owned(),
                source: CULTURE_DAY_SOURCE.to_owned(),
            },
        );
    }
    YearTable { year: y, origin: TableOrigin::Statutory, entries: entries.into_values().collect() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offs(t: &YearTable) -> Vec<Date> {
        t.weekdays_off().map(|e| e.date).collect()
    }

    #[test]
    fn defaults_2024_match_what_the_government_chose_for_the_fixed_days() {
        let t = statutory_defaults(2024);
        let days = offs(&t);
        // Tết 2024 was Sat 10/02: eve Fri 09/02, mùng 1–4 Sat–Tue, make-ups Wed 14/02, Thu 15/02.
        for d in [date(2024, 1, 1), date(2024, 2, 9), date(2024, 2, 12), date(2024, 2, 13), date(2024, 2, 14)] {
            assert!(days.contains(&d), "{d} should be off");
        }
        assert!(days.contains(&date(2024, 2, 15)), "second make-up day for Tết");
        assert!(days.contains(&date(2024, 4, 18)), "Giỗ Tổ 2024");
        // 2/9/2024 was a Monday, so the adjacent day is Tuesday 3/9 (1/9 is a Sunday).
        assert!(days.contains(&date(2024, 9, 2)) && days.contains(&date(2024, 9, 3)));
        assert!(!days.contains(&date(2024, 11, 24)), "Culture Day starts in 2026");
    }

    #[test]
    fn a_holiday_on_a_weekend_is_made_up_on_the_next_working_day() {
        // 2/9/2023 was a Saturday; the notice made Monday 4/9 a day off.
        let t = statutory_defaults(2023);
        let days = offs(&t);
        assert!(days.contains(&date(2023, 9, 1)));
        assert!(days.contains(&date(2023, 9, 4)));
        let makeup = t.entry(date(2023, 9, 4)).unwrap();
        assert!(makeup.name.starts_with("Nghỉ bù"), "{}", makeup.name);
        assert_eq!(makeup.source, LABOUR_CODE_111);
    }

    #[test]
    fn culture_day_has_no_make_up() {
        // 24/11/2029 is a Saturday.
        let t = statutory_defaults(2029);
        assert_eq!(t.entry(date(2029, 11, 24)).unwrap().kind, DayKind::Off);
        assert!(t.entry(date(2029, 11, 26)).is_none());
    }

    #[test]
    fn every_year_has_eleven_statutory_days_and_consistent_entries() {
        for year in FIRST_YEAR..=LAST_YEAR {
            let t = statutory_defaults(year);
            let statutory = t.entries.iter().filter(|e| e.source == LABOUR_CODE_112).count();
            let coinciding = t.entries.iter().filter(|e| e.source == LABOUR_CODE_COINCIDING).count();
            assert_eq!(statutory + coinciding, 11, "{year}");
            assert!(t.entries.windows(2).all(|w| w[0].date < w[1].date), "{year} sorted and unique");
            assert!(t.entries.iter().all(|e| e.date.year() == year));
            assert!(t.weekdays_off().count() >= 11, "{year}: every statutory day is a weekday off or made up");
        }
    }

    #[test]
    fn edited_tables_are_validated_all_at_once() {
        let e = |d: Date, kind, name: &str, source: &str| CalendarEntry {
            date: d,
            kind,
            name: name.into(),
            source: source.into(),
        };
        let err = YearTable::edited(
            2027,
            vec![
                e(date(2026, 1, 1), DayKind::Off, "x", "y"),
                e(date(2027, 3, 3), DayKind::Working, "Làm bù", "TB"),
                e(date(2027, 5, 5), DayKind::Off, " ", ""),
                e(date(2027, 5, 5), DayKind::Off, "x", "y"),
            ],
        )
        .unwrap_err();
        let codes: Vec<&str> = err.errors.iter().map(|e| e.code.as_str()).collect();
        assert_eq!(codes, ["wrong_year", "not_a_rest_day", "required", "required", "duplicate"]);
        let ok = YearTable::edited(
            2027,
            vec![
                e(date(2027, 5, 3), DayKind::Off, "Nghỉ hoán đổi", "TB 1/TB-BNV"),
                e(date(2027, 1, 1), DayKind::Off, "Tết Dương lịch", "BLLĐ Điều 112"),
            ],
        )
        .unwrap();
        assert_eq!(ok.entries[0].date, date(2027, 1, 1));
        assert_eq!(ok.origin, TableOrigin::Edited);
        assert!(YearTable::edited(2200, vec![]).is_err());
    }

    #[test]
    fn changed_dates_lists_only_status_changes() {
        let a = statutory_defaults(2027);
        let mut b = a.clone();
        b.entries.retain(|e| e.date != date(2027, 1, 1));
        b.entries[0].name = "renamed".into();
        assert_eq!(a.changed_dates(&b), vec![date(2027, 1, 1)]);
    }
}
