//! The answers of the calendar queries, in one shape for the API and the command line.

use jiff::civil::Date;
use motcua_app::calendar::{DueResult, LunarConversion};
use motcua_domain::calendar::{CalendarEntry, LunarDate, YearTable};
use serde::Serialize;

/// A date in both calendars: `{"solar":"2026-02-17","lunar_day":1,"lunar_month":1,"lunar_year":2026,"leap":false}`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LunarAnswer {
    #[schema(value_type = String, example = "2026-02-17")]
    pub solar: Date,
    pub lunar_day: u8,
    pub lunar_month: u8,
    pub lunar_year: i32,
    pub leap: bool,
}

impl From<LunarConversion> for LunarAnswer {
    fn from(c: LunarConversion) -> Self {
        let l = c.lunar;
        LunarAnswer { solar: c.solar, lunar_day: l.day, lunar_month: l.month, lunar_year: l.year, leap: l.leap }
    }
}

impl LunarAnswer {
    pub fn lunar(&self) -> LunarDate {
        LunarDate { year: self.lunar_year, month: self.lunar_month, day: self.lunar_day, leap: self.leap }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct HolidayDay {
    #[schema(value_type = String, example = "2026-01-01")]
    pub date: Date,
    pub name: String,
    pub source: String,
}

/// A year's weekdays off and worked weekend days.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct HolidaysAnswer {
    pub year: i16,
    pub days_off: Vec<HolidayDay>,
    pub working_weekend_days: Vec<HolidayDay>,
}

impl From<&YearTable> for HolidaysAnswer {
    fn from(t: &YearTable) -> Self {
        let day = |e: &CalendarEntry| HolidayDay { date: e.date, name: e.name.clone(), source: e.source.clone() };
        HolidaysAnswer {
            year: t.year,
            days_off: t.weekdays_off().map(day).collect(),
            working_weekend_days: t.working_weekend_days().map(day).collect(),
        }
    }
}

/// The JSON shape of a due computation.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DueAnswer {
    /// RFC 3339 with +07:00.
    #[schema(example = "2026-02-25T16:00:00+07:00")]
    pub due: String,
    #[schema(example = "16:00 25/02/2026")]
    pub due_display: String,
    pub start: String,
    pub duration: u32,
    pub unit: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cutoff: Option<String>,
    pub counting: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agency: Option<String>,
    pub office_hours: String,
    pub working_minutes: i64,
    pub calendar_revision: i64,
}

impl From<&DueResult> for DueAnswer {
    fn from(r: &DueResult) -> Self {
        use motcua_domain::time::{format_datetime, rfc3339_vn};
        DueAnswer {
            due: rfc3339_vn(r.due),
            due_display: format_datetime(r.due),
            start: rfc3339_vn(r.start),
            duration: r.time.amount,
            unit: r.time.unit.as_str().to_owned(),
            cutoff: r.time.cutoff.map(|c| c.to_string()),
            counting: r.counting.as_str().to_owned(),
            agency: r.agency.clone(),
            office_hours: r.office_hours.clone(),
            working_minutes: r.working_minutes,
            calendar_revision: r.calendar_revision,
        }
    }
}
