//! Queries shared by the command line and the API, so both answer in the same shape: due
//! dates, lunar conversions, a year's holidays, and the parsing of their parameters.

use jiff::Timestamp;
use jiff::civil::Date;
use motcua_domain::agency::AgencyCode;
use motcua_domain::calendar::{Counting, LunarDate, ProcessingTime, TimeUnit, WorkSchedule, WorkingCalendar, lunar};
use motcua_domain::time::parse_date;
use motcua_domain::validation::NonBlank;
use motcua_domain::validation::{FieldError, ValidationErrors};
use serde::Serialize;

use super::Calendar;
use super::deadline_error;
use super::describe_schedule;
use super::holidays::check_year;
use crate::error::AppError;

/// A due-date computation with what it was computed under.
#[derive(Debug, Clone, Serialize)]
pub struct DueResult {
    pub start: Timestamp,
    pub due: Timestamp,
    pub time: ProcessingTime,
    pub counting: Counting,
    pub agency: Option<String>,
    pub office_hours: String,
    pub calendar_revision: i64,
    /// Working minutes from the start to the due instant.
    pub working_minutes: i64,
}

impl Calendar {
    /// The calendar with the default office hours, for computations not tied to an agency.
    pub async fn default_calendar(&self) -> Result<(WorkingCalendar, i64), AppError> {
        let compiled = self.core.snapshot().await?.compiled_calendar().await?;
        Ok((WorkingCalendar::new(compiled.days.clone(), WorkSchedule::default()), compiled.revision))
    }

    /// Computes a due instant, for an agency (by its code) or with the default office hours.
    pub async fn compute_due(
        &self,
        agency: Option<&str>,
        start: Timestamp,
        time: ProcessingTime,
        counting: Option<Counting>,
    ) -> Result<DueResult, AppError> {
        let snapshot = self.core.snapshot().await?;
        let (calendar, default_counting, revision, agency_code) = match agency {
            Some(code) => {
                let code = AgencyCode::parse(code).map_err(|e| {
                    AppError::Validation(ValidationErrors::single(FieldError { field: "agency".into(), ..e }))
                })?;
                let agency = snapshot
                    .agency_by_code(&code)
                    .await?
                    .ok_or_else(|| AppError::field("agency", "not_found", format!("Không có cơ quan mã {code}.")))?;
                let c = snapshot.agency_calendar(&agency).await?;
                (c.calendar, c.counting, c.calendar_revision, Some(agency.code.to_string()))
            }
            None => {
                let (c, rev) = (snapshot.default_calendar().await?, snapshot.revisions().calendar);
                (c, Counting::default(), rev, None)
            }
        };
        let counting = counting.unwrap_or(default_counting);
        let due = calendar.due(start, &time, counting).map_err(deadline_error)?;
        let working_minutes = calendar.elapsed(start, due).map_err(deadline_error)?;
        let office_hours = describe_schedule(calendar.schedule());
        Ok(DueResult {
            start,
            due,
            time,
            counting,
            agency: agency_code,
            office_hours,
            calendar_revision: revision,
            working_minutes,
        })
    }
}

/// Converts one way or the other: exactly one of `solar` (`yyyy-mm-dd` or `dd/mm/yyyy`) and
/// `lunar` (`yyyy-mm-dd`, with `leap` for a leap month) must be given.
/// A date in both calendars.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LunarConversion {
    pub solar: Date,
    pub lunar: LunarDate,
}

pub fn lunar_query(solar: Option<&str>, lunar: Option<&str>, leap: bool) -> Result<LunarConversion, AppError> {
    let field_err =
        |field: &str, e: lunar::LunarError| AppError::field(field, "invalid_date", capitalize(&e.to_string()));
    match (solar.non_blank(), lunar.non_blank()) {
        (Some(s), None) => {
            let date = parse_date("solar", s).map_err(ValidationErrors::single)?;
            let l = lunar::to_lunar(date).map_err(|e| field_err("solar", e))?;
            Ok(LunarConversion { solar: date, lunar: l })
        }
        (None, Some(s)) => {
            let l = parse_lunar("lunar", s, leap)?;
            let date = lunar::to_solar(l).map_err(|e| field_err("lunar", e))?;
            Ok(LunarConversion { solar: date, lunar: l })
        }
        _ => Err(AppError::field(
            "solar",
            "exactly_one",
            "Cần đúng một trong hai: solar (ngày dương lịch) hoặc lunar (ngày âm lịch).",
        )),
    }
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect::<String>() + ".",
        None => String::new(),
    }
}

/// `2026-01-01` as a lunar date; not a Gregorian date (lunar 2026-02-30 may exist).
pub fn parse_lunar(field: &str, s: &str, leap: bool) -> Result<LunarDate, AppError> {
    let bad =
        || AppError::field(field, "invalid_date", format!("Ngày âm lịch không hợp lệ: \"{s}\"; dùng dạng yyyy-mm-dd."));
    let parts: Vec<&str> = s.split('-').collect();
    let [y, m, d] = parts.as_slice() else { return Err(bad()) };
    Ok(LunarDate {
        year: y.parse().map_err(|_| bad())?,
        month: m.parse().map_err(|_| bad())?,
        day: d.parse().map_err(|_| bad())?,
        leap,
    })
}

/// Parses a year from text.
pub fn parse_year(s: &str) -> Result<i16, AppError> {
    let year: i16 =
        s.trim().parse().map_err(|_| AppError::field("year", "invalid_year", format!("Năm không hợp lệ: \"{s}\".")))?;
    check_year(year)?;
    Ok(year)
}

/// The processing time of a due query: `duration` + `unit` (+ `cutoff` for `same_day`).
pub fn parse_processing_time(
    duration: Option<&str>,
    unit: &str,
    cutoff: Option<&str>,
) -> Result<ProcessingTime, AppError> {
    let mut errors = ValidationErrors::new();
    let unit: Option<TimeUnit> =
        errors.check(unit.trim().parse().map_err(|m: String| FieldError::new("unit", "invalid_unit", capitalize(&m))));
    let amount = match duration.non_blank() {
        Some(d) => errors.check(d.parse::<u32>().map_err(|_| {
            FieldError::new(
                "duration",
                "invalid_duration",
                format!("Thời gian giải quyết phải là số nguyên dương, nhận được \"{d}\"."),
            )
        })),
        None if unit == Some(TimeUnit::SameDay) => Some(1),
        None => {
            errors.push(FieldError::required("duration"));
            None
        }
    };
    let cutoff = match cutoff.non_blank() {
        Some(c) => errors
            .check(c.parse().map(Some).map_err(|m: String| FieldError::new("cutoff", "invalid_time", capitalize(&m)))),
        None => Some(None),
    };
    match (unit, amount, cutoff) {
        (Some(unit), Some(amount), Some(cutoff)) if errors.is_empty() => {
            ProcessingTime::new(amount, unit, cutoff).map_err(deadline_error)
        }
        _ => Err(errors.into()),
    }
}

/// An instant with its offset (`2026-02-13T16:00+07:00`, `…Z`). With `assume_vietnam`, a civil
/// time without offset is taken in Vietnam time (for the command line, where people type local
/// times); the API insists on the offset so that no client's time zone is guessed.
pub fn parse_instant(field: &str, s: &str, assume_vietnam: bool) -> Result<Timestamp, AppError> {
    let s = s.trim();
    if let Ok(t) = s.parse::<Timestamp>() {
        return Ok(t);
    }
    // People type `dd/mm/yyyy HH:MM`; machines send ISO.
    let civil = s.parse::<jiff::civil::DateTime>().or_else(|_| jiff::civil::DateTime::strptime("%d/%m/%Y %H:%M", s));
    if let Ok(civil) = civil {
        if assume_vietnam {
            return motcua_domain::time::vn_time_zone()
                .to_timestamp(civil)
                .map_err(|e| AppError::field(field, "invalid_instant", e.to_string()));
        }
        return Err(AppError::field(
            field,
            "missing_offset",
            format!("Thời điểm \"{s}\" thiếu múi giờ; ghi rõ, ví dụ 2026-02-13T16:00+07:00."),
        ));
    }
    Err(AppError::field(
        field,
        "invalid_instant",
        format!("Thời điểm không hợp lệ: \"{s}\"; dùng dạng 2026-02-13T16:00+07:00."),
    ))
}
