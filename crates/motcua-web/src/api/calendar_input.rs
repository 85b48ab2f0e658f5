//! The JSON (and form) shapes of editing the calendar: a year's holiday table and an agency's
//! office hours, parsed here (dates, times, day kinds, counting) into the use cases' edits; what
//! the edit must satisfy (a reason, hours that total a working day) is checked by the use case.

use motcua_app::calendar::{ScheduleEdit, YearEdit};
use motcua_domain::calendar::office_hours::{MonthDay, Period};
use motcua_domain::calendar::{CalendarEntry, Counting, DayKind};
use motcua_domain::time::parse_date;
use motcua_domain::validation::{FieldError, NonBlank, ValidationErrors};
use serde::{Deserialize, Serialize};

/// One entry as a form or JSON body sends it.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct EntryInput {
    /// `yyyy-mm-dd` or `dd/mm/yyyy`.
    pub date: String,
    /// `off` or `working`.
    pub kind: String,
    pub name: String,
    pub source: String,
}

/// A year's new table.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct YearInput {
    pub entries: Vec<EntryInput>,
    /// Why (the notice number, a correction…), kept in the history.
    pub reason: String,
    /// The year's revision the editor started from (0 if it was never edited here); a
    /// concurrent edit makes the save fail instead of overwriting it.
    pub base_revision: i64,
}

fn parse_entries(input: &[EntryInput]) -> (Vec<CalendarEntry>, ValidationErrors) {
    let mut errors = ValidationErrors::new();
    let mut entries = Vec::new();
    for (i, e) in input.iter().enumerate() {
        let date = errors.check(parse_date(&format!("entries[{i}].date"), &e.date));
        let kind = match e.kind.trim() {
            "off" => Some(DayKind::Off),
            "working" => Some(DayKind::Working),
            other => {
                errors.push(FieldError::new(
                    format!("entries[{i}].kind"),
                    "invalid_kind",
                    format!("Loại ngày không hợp lệ: \"{other}\"; dùng off (nghỉ) hoặc working (làm bù)."),
                ));
                None
            }
        };
        if let (Some(date), Some(kind)) = (date, kind) {
            entries.push(CalendarEntry { date, kind, name: e.name.clone(), source: e.source.clone() });
        }
    }
    (entries, errors)
}

/// Office hours as a form or JSON body sends them.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct ScheduleInput {
    /// `[["07:30","11:30"],["13:00","17:00"]]`.
    #[schema(value_type = Vec<Vec<String>>)]
    pub hours: Vec<(String, String)>,
    #[serde(default)]
    pub seasons: Vec<SeasonInput>,
    /// `working_time` (default) or `civil_days`.
    #[serde(default)]
    pub counting: Option<String>,
    /// The version of the agency's own schedule the editor started from (0 if none).
    #[serde(default)]
    pub version: i64,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct SeasonInput {
    pub name: String,
    /// `dd/mm`.
    pub from: String,
    pub to: String,
    #[schema(value_type = Vec<Vec<String>>)]
    pub hours: Vec<(String, String)>,
}

fn parse_periods(field: &str, raw: &[(String, String)]) -> Result<Vec<Period>, FieldError> {
    raw.iter()
        .map(|(a, b)| {
            let parse = |s: &str| s.parse().map_err(|m: String| FieldError::new(field, "invalid_time", m));
            Ok(Period { start: parse(a)?, end: parse(b)? })
        })
        .collect()
}

fn parse_month_day(field: &str, s: &str) -> Result<MonthDay, FieldError> {
    let bad = || FieldError::new(field, "invalid_date", format!("Ngày/tháng không hợp lệ: \"{s}\"; dùng dạng dd/mm."));
    let (d, m) = s.trim().split_once('/').ok_or_else(bad)?;
    Ok(MonthDay { month: m.trim().parse().map_err(|_| bad())?, day: d.trim().parse().map_err(|_| bad())? })
}

impl YearInput {
    /// The edit, or every error of its entries' dates and kinds.
    pub fn parse(&self) -> Result<YearEdit, ValidationErrors> {
        let (entries, errors) = parse_entries(&self.entries);
        errors.into_result()?;
        Ok(YearEdit { entries, reason: self.reason.clone(), base_revision: self.base_revision })
    }
}

impl ScheduleInput {
    /// The edit, or every error of its times, days and counting.
    pub fn parse(&self) -> Result<ScheduleEdit, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let hours = errors.check(parse_periods("hours", &self.hours)).unwrap_or_default();
        let mut seasons = Vec::new();
        for (i, s) in self.seasons.iter().enumerate() {
            let from = errors.check(parse_month_day(&format!("seasons[{i}].from"), &s.from));
            let to = errors.check(parse_month_day(&format!("seasons[{i}].to"), &s.to));
            let periods = errors.check(parse_periods(&format!("seasons[{i}].hours"), &s.hours));
            if let (Some(from), Some(to), Some(periods)) = (from, to, periods) {
                seasons.push((s.name.clone(), from, to, periods));
            }
        }
        let counting = match self.counting.as_deref().non_blank() {
            None => Counting::default(),
            Some(c) => errors
                .check(c.parse().map_err(|m: String| FieldError::new("counting", "invalid_counting", m)))
                .unwrap_or_default(),
        };
        errors.into_result()?;
        Ok(ScheduleEdit { hours, seasons, counting, version: self.version })
    }
}

/// Office hours as the editing form (and the API) send them.
pub fn schedule_to_input(
    s: &motcua_domain::calendar::WorkSchedule,
    counting: Option<String>,
    version: i64,
) -> ScheduleInput {
    let periods = |h: &motcua_domain::calendar::OfficeHours| {
        h.periods().iter().map(|p| (p.start.to_string(), p.end.to_string())).collect::<Vec<_>>()
    };
    ScheduleInput {
        hours: periods(&s.hours),
        seasons: s
            .seasons
            .iter()
            .map(|season| SeasonInput {
                name: season.name.clone(),
                from: format!("{:02}/{:02}", season.from.day, season.from.month),
                to: format!("{:02}/{:02}", season.to.day, season.to.month),
                hours: periods(&season.hours),
            })
            .collect(),
        counting,
        version,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_year_and_a_schedule_come_back_with_every_error_of_their_form() {
        let year = YearInput {
            entries: vec![
                EntryInput { date: "31/02/2027".into(), kind: "off".into(), ..Default::default() },
                EntryInput { date: "2027-01-02".into(), kind: "holiday".into(), ..Default::default() },
                EntryInput { date: "2027-01-03".into(), kind: "working".into(), ..Default::default() },
            ],
            ..Default::default()
        };
        let fields: Vec<String> = year.parse().unwrap_err().errors.into_iter().map(|f| f.field).collect();
        assert_eq!(fields, ["entries[0].date", "entries[1].kind"]);
        let schedule = ScheduleInput {
            hours: vec![("07:30".into(), "25:00".into())],
            seasons: vec![SeasonInput { name: "Hè".into(), from: "1/5".into(), to: "30-09".into(), hours: vec![] }],
            counting: Some("lunar".into()),
            version: 0,
        };
        let fields: Vec<String> = schedule.parse().unwrap_err().errors.into_iter().map(|f| f.field).collect();
        assert_eq!(fields, ["hours", "seasons[0].to", "counting"]);
        let ok = ScheduleInput { hours: vec![("07:30".into(), "11:30".into())], ..Default::default() };
        let edit = ok.parse().unwrap();
        assert_eq!((edit.hours.len(), edit.counting), (1, Counting::default()));
    }
}
