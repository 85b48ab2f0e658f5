//! The legal calendar in use: holiday tables (shipped notices, statutory defaults, administrators'
//! edits), agencies' office hours, and the deadline calculator over them.
//!
//! Edits never rewrite the past: each save appends a revision, and a dossier keeps the due
//! instant printed on its receipt (computed once at intake with the revision then in force). A
//! later edit is reported through the dates it changed, so the people whose open dossiers span
//! those dates can be told.

use std::sync::{Arc, RwLock};

use jiff::Timestamp;
use jiff::civil::Date;
use motcua_domain::account::Principal;
use motcua_domain::agency::{Agency, AgencyCode, AgencyId};
use motcua_domain::audit::Outcome;
use motcua_domain::calendar::deadline::DeadlineError;
use motcua_domain::calendar::office_hours::{MonthDay, Period};
use motcua_domain::calendar::{
    CalendarEntry, Counting, DayKind, HolidayTables, LunarDate, ProcessingTime, TableOrigin, TimeUnit, WorkSchedule,
    WorkingCalendar, WorkingDays, YearTable, lunar,
};
use motcua_domain::policy::{Permission, Target, authorize};
use motcua_domain::time::parse_date;
use motcua_domain::validation::{FieldError, ValidationErrors, required_text};
use serde::{Deserialize, Serialize};

use crate::context::{Actor, RequestMeta, audit_event};
use crate::error::AppError;
use crate::ports::{AgencySchedule, CalendarRevision};
use crate::services::Services;

/// The national working days of one calendar revision, built once and shared.
pub(crate) struct Compiled {
    revision: i64,
    tables: HolidayTables,
    days: Arc<WorkingDays>,
}

/// Caches the compiled calendar of the newest revision. Every use checks the revision number
/// (one indexed read), so an edit made by another process is picked up on the next request.
#[derive(Default)]
pub struct CalendarCache {
    compiled: RwLock<Option<Arc<Compiled>>>,
}

/// A year's table in force and where it comes from.
#[derive(Debug, Clone, Serialize)]
pub struct YearView {
    pub table: YearTable,
    /// The revision in force when the year was edited here; `None` for notices and defaults.
    pub revision: Option<i64>,
    pub calendar_revision: i64,
}

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

/// The calendar an agency works by, and which agency set its hours.
#[derive(Debug, Clone)]
pub struct AgencyCalendar {
    pub calendar: WorkingCalendar,
    pub counting: Counting,
    /// The agency whose own schedule applies; `None` for the installation default.
    pub schedule_from: Option<AgencyId>,
    /// This agency's own schedule record, if it has one.
    pub own: Option<AgencySchedule>,
    pub calendar_revision: i64,
}

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

impl Services {
    pub(crate) async fn compiled(&self) -> Result<Arc<Compiled>, AppError> {
        let revision = self.store.calendar_revision().await?;
        if let Some(c) = self.calendar.compiled.read().expect("calendar cache lock").as_ref()
            && c.revision == revision
        {
            return Ok(c.clone());
        }
        let current = self.store.current_calendar_revisions().await?;
        let tables =
            HolidayTables::new(current.into_iter().filter_map(|r| {
                r.entries.map(|entries| YearTable { year: r.year, origin: TableOrigin::Edited, entries })
            }));
        let days = Arc::new(WorkingDays::build(&tables));
        let compiled = Arc::new(Compiled { revision, tables, days });
        *self.calendar.compiled.write().expect("calendar cache lock") = Some(compiled.clone());
        Ok(compiled)
    }

    /// The table in force for a year (public information).
    pub async fn holiday_year(&self, year: i16) -> Result<YearView, AppError> {
        check_year(year)?;
        let compiled = self.compiled().await?;
        let table = compiled.tables.year(year);
        let revision = self.store.calendar_history(year).await?.last().map(|r| r.revision);
        Ok(YearView { table, revision, calendar_revision: compiled.revision })
    }

    /// Every saved change of a year, oldest first.
    pub async fn holiday_history(&self, principal: &Principal, year: i16) -> Result<Vec<CalendarRevision>, AppError> {
        // The calendar is the same for every agency: any official with a role may read its history.
        if principal.grants.is_empty() {
            return Err(motcua_domain::policy::Denied::MissingPermission.into());
        }
        Ok(self.store.calendar_history(year).await?)
    }

    /// Whether the principal may set an agency's office hours (for showing the form).
    pub fn may_change_agency_hours(&self, principal: &Principal, agency: &Agency) -> bool {
        authorize(principal, Permission::ManageAgencies, Target::Agency(&agency.path)).is_ok()
    }

    /// Whether the principal may edit holiday tables (for showing the buttons).
    pub fn may_edit_calendar(&self, principal: &Principal) -> bool {
        authorize(principal, Permission::ManageCalendar, Target::System).is_ok()
    }

    /// Replaces a year's table with an edited one.
    pub async fn save_holiday_year(
        &self,
        principal: &Principal,
        year: i16,
        input: &YearInput,
        meta: &RequestMeta,
    ) -> Result<YearView, AppError> {
        let grant = authorize(principal, Permission::ManageCalendar, Target::System)?;
        check_year(year)?;
        let (entries, mut errors) = parse_entries(&input.entries);
        let reason = errors.check(required_text("reason", &input.reason, 500));
        let table = match YearTable::edited(year, entries) {
            Ok(t) if errors.is_empty() => t,
            Ok(_) => return Err(errors.into()),
            Err(e) => {
                errors.errors.extend(e.errors);
                return Err(errors.into());
            }
        };
        self.append_year_revision(
            principal,
            grant,
            year,
            Some(table),
            reason.unwrap_or_default(),
            input.base_revision,
            meta,
        )
        .await
    }

    /// Returns a year to the shipped notice or the statutory defaults.
    pub async fn reset_holiday_year(
        &self,
        principal: &Principal,
        year: i16,
        reason: &str,
        base_revision: i64,
        meta: &RequestMeta,
    ) -> Result<YearView, AppError> {
        let grant = authorize(principal, Permission::ManageCalendar, Target::System)?;
        check_year(year)?;
        let reason = required_text("reason", reason, 500).map_err(ValidationErrors::single)?;
        self.append_year_revision(principal, grant, year, None, reason, base_revision, meta).await
    }

    #[expect(clippy::too_many_arguments, reason = "one internal step shared by save and reset")]
    async fn append_year_revision(
        &self,
        principal: &Principal,
        grant: &motcua_domain::account::Grant,
        year: i16,
        table: Option<YearTable>,
        reason: String,
        base_revision: i64,
        meta: &RequestMeta,
    ) -> Result<YearView, AppError> {
        let history = self.store.calendar_history(year).await?;
        let current_revision = history.last().map_or(0, |r| r.revision);
        if current_revision != base_revision {
            return Err(AppError::stale(&format!("Lịch nghỉ năm {year}")));
        }
        let compiled = self.compiled().await?;
        let before = compiled.tables.year(year);
        let after = match &table {
            Some(t) => t.clone(),
            None => HolidayTables::default().year(year),
        };
        let changed_dates = before.changed_dates(&after);
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let revision = tx
            .insert_calendar_revision(&CalendarRevision {
                revision: 0,
                year,
                entries: table.map(|t| t.entries),
                reason: reason.clone(),
                changed_dates: changed_dates.clone(),
                changed_by: Some(principal.username.to_string()),
                recorded_at: now,
            })
            .await?;
        let changed = if changed_dates.is_empty() {
            "không đổi ngày nào".to_owned()
        } else {
            changed_dates.iter().map(|d| motcua_domain::time::format_date(*d)).collect::<Vec<_>>().join(", ")
        };
        let action = if after.origin == TableOrigin::Edited { "calendar.year.update" } else { "calendar.year.reset" };
        let event = audit_event(
            Actor::Official { principal, grant: Some(grant) },
            action,
            Some(("calendar_year", year.to_string())),
            Outcome::Success,
            Some(format!("Phiên bản {revision}; ngày thay đổi: {changed}; lý do: {reason}")),
            meta,
            now,
        );
        self.commit_audited(tx, event, meta).await?;
        self.holiday_year(year).await
    }

    /// The calendar an agency works by: national working days, its own office hours or the
    /// nearest ancestor's, else the installation default.
    pub async fn agency_calendar(&self, agency: &Agency) -> Result<AgencyCalendar, AppError> {
        let reference = self.reference().await?;
        self.agency_calendar_at(&reference, agency).await
    }

    /// [`Services::agency_calendar`] from reference data the caller already holds.
    pub(crate) async fn agency_calendar_at(
        &self,
        reference: &crate::reference::Reference,
        agency: &Agency,
    ) -> Result<AgencyCalendar, AppError> {
        let compiled = self.ref_compiled(reference).await?;
        let ids = agency.path.ids();
        let schedules = self.ref_schedules(reference, ids.clone()).await?;
        let own = schedules.iter().find(|s| s.agency_id == agency.id).cloned();
        let nearest = ids.iter().rev().find_map(|id| schedules.iter().find(|s| s.agency_id == *id));
        let (schedule, counting, from) = match nearest {
            Some(s) => (s.schedule.clone(), s.counting, Some(s.agency_id)),
            None => (WorkSchedule::default(), Counting::default(), None),
        };
        Ok(AgencyCalendar {
            calendar: WorkingCalendar::new(compiled.days.clone(), schedule),
            counting,
            schedule_from: from,
            own,
            calendar_revision: compiled.revision,
        })
    }

    /// The calendars of several agencies (each step of an interagency dossier is timed on the
    /// office hours of the agency doing it).
    pub(crate) async fn calendars_of(
        &self,
        reference: &crate::reference::Reference,
        agencies: Vec<AgencyId>,
    ) -> Result<std::collections::HashMap<AgencyId, WorkingCalendar>, AppError> {
        let mut out = std::collections::HashMap::new();
        for id in agencies {
            if let std::collections::hash_map::Entry::Vacant(slot) = out.entry(id) {
                slot.insert(self.calendar_of_agency(reference, Some(id)).await?);
            }
        }
        Ok(out)
    }

    /// The calendar an agency works by; the default office hours for no agency, or one that
    /// no longer exists.
    pub(crate) async fn calendar_of_agency(
        &self,
        reference: &crate::reference::Reference,
        agency: Option<AgencyId>,
    ) -> Result<WorkingCalendar, AppError> {
        let found = match agency {
            Some(id) => self.ref_agency(reference, id).await?,
            None => None,
        };
        match found {
            Some(a) => Ok(self.agency_calendar_at(reference, &a).await?.calendar),
            None => Ok(WorkingCalendar::new(self.ref_compiled(reference).await?.days.clone(), WorkSchedule::default())),
        }
    }

    /// The calendar with the default office hours, for computations not tied to an agency.
    pub async fn default_calendar(&self) -> Result<(WorkingCalendar, i64), AppError> {
        let compiled = self.compiled().await?;
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
        let (calendar, default_counting, revision, agency_code) = match agency {
            Some(code) => {
                let code = AgencyCode::parse(code).map_err(|e| {
                    AppError::Validation(ValidationErrors::single(FieldError { field: "agency".into(), ..e }))
                })?;
                let agency =
                    self.store.agency_by_code(&code).await?.ok_or_else(|| {
                        AppError::field("agency", "not_found", format!("Không có cơ quan mã {code}."))
                    })?;
                let c = self.agency_calendar(&agency).await?;
                (c.calendar, c.counting, c.calendar_revision, Some(agency.code.to_string()))
            }
            None => {
                let (c, rev) = self.default_calendar().await?;
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

    /// Sets an agency's own office hours and counting convention (its subtree inherits them).
    pub async fn set_agency_schedule(
        &self,
        principal: &Principal,
        agency_id: AgencyId,
        input: &ScheduleInput,
        meta: &RequestMeta,
    ) -> Result<AgencySchedule, AppError> {
        let agency = self.get_agency(principal, agency_id).await?;
        let grant = authorize(principal, Permission::ManageAgencies, Target::Agency(&agency.path))?;
        let mut errors = ValidationErrors::new();
        let hours = errors.check(parse_periods("hours", &input.hours)).unwrap_or_default();
        let mut seasons = Vec::new();
        for (i, s) in input.seasons.iter().enumerate() {
            let from = errors.check(parse_month_day(&format!("seasons[{i}].from"), &s.from));
            let to = errors.check(parse_month_day(&format!("seasons[{i}].to"), &s.to));
            let periods = errors.check(parse_periods(&format!("seasons[{i}].hours"), &s.hours));
            if let (Some(from), Some(to), Some(periods)) = (from, to, periods) {
                seasons.push((s.name.clone(), from, to, periods));
            }
        }
        let counting = match input.counting.as_deref().map(str::trim) {
            None | Some("") => Counting::default(),
            Some(c) => errors
                .check(c.parse().map_err(|m: String| FieldError::new("counting", "invalid_counting", m)))
                .unwrap_or_default(),
        };
        let schedule = match WorkSchedule::validated(hours, seasons) {
            Ok(s) if errors.is_empty() => s,
            Ok(_) => return Err(errors.into()),
            Err(e) => {
                errors.errors.extend(e.errors);
                return Err(errors.into());
            }
        };
        let now = self.now();
        let record = AgencySchedule { agency_id, schedule, counting, version: input.version + 1, updated_at: now };
        let mut tx = self.store.begin().await?;
        if !tx.put_agency_schedule(&record, input.version).await? {
            return Err(AppError::stale("Giờ làm việc của cơ quan"));
        }
        let event = audit_event(
            Actor::Official { principal, grant: Some(grant) },
            "agency.schedule.update",
            Some(("agency", agency.id.to_string())),
            Outcome::Success,
            Some(format!("{}; {}", describe_schedule(&record.schedule), record.counting.as_str())),
            meta,
            now,
        );
        self.commit_audited(tx, event, meta).await?;
        Ok(record)
    }

    /// Removes an agency's own office hours: it inherits its parent's again.
    pub async fn clear_agency_schedule(
        &self,
        principal: &Principal,
        agency_id: AgencyId,
        version: i64,
        meta: &RequestMeta,
    ) -> Result<(), AppError> {
        let agency = self.get_agency(principal, agency_id).await?;
        let grant = authorize(principal, Permission::ManageAgencies, Target::Agency(&agency.path))?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        if !tx.delete_agency_schedule(agency_id, version).await? {
            return Err(AppError::stale("Giờ làm việc của cơ quan"));
        }
        let event = audit_event(
            Actor::Official { principal, grant: Some(grant) },
            "agency.schedule.reset",
            Some(("agency", agency.id.to_string())),
            Outcome::Success,
            None,
            meta,
            now,
        );
        self.commit_audited(tx, event, meta).await?;
        Ok(())
    }
}

/// `07:30–11:30, 13:00–17:00; Mùa hè (01/05–30/09): 07:00–11:30, 13:30–17:00`.
pub fn describe_schedule(s: &WorkSchedule) -> String {
    let mut out = s.hours.describe();
    for season in &s.seasons {
        out.push_str(&format!(
            "; {} ({:02}/{:02}–{:02}/{:02}): {}",
            season.name,
            season.from.day,
            season.from.month,
            season.to.day,
            season.to.month,
            season.hours.describe()
        ));
    }
    out
}

fn check_year(year: i16) -> Result<(), AppError> {
    use motcua_domain::calendar::holiday::{FIRST_YEAR, LAST_YEAR};
    if (FIRST_YEAR..=LAST_YEAR).contains(&year) {
        Ok(())
    } else {
        Err(AppError::field("year", "out_of_range", format!("Năm phải từ {FIRST_YEAR} đến {LAST_YEAR}.")))
    }
}

/// A deadline that falls outside the calendar is bad input, not a server fault.
pub fn deadline_error(e: DeadlineError) -> AppError {
    let field = match e {
        DeadlineError::InvalidAmount => "duration",
        DeadlineError::CutoffWithoutSameDay => "cutoff",
        DeadlineError::Calendar(_) => "start",
    };
    AppError::field(field, "invalid_deadline", e.to_string())
}

// Queries shared by the command line and the API, so both answer in the same shape.

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

impl LunarAnswer {
    fn new(solar: Date, l: LunarDate) -> Self {
        LunarAnswer { solar, lunar_day: l.day, lunar_month: l.month, lunar_year: l.year, leap: l.leap }
    }

    pub fn lunar(&self) -> LunarDate {
        LunarDate { year: self.lunar_year, month: self.lunar_month, day: self.lunar_day, leap: self.leap }
    }
}

/// Converts one way or the other: exactly one of `solar` (`yyyy-mm-dd` or `dd/mm/yyyy`) and
/// `lunar` (`yyyy-mm-dd`, with `leap` for a leap month) must be given.
pub fn lunar_query(solar: Option<&str>, lunar: Option<&str>, leap: bool) -> Result<LunarAnswer, AppError> {
    let field_err =
        |field: &str, e: lunar::LunarError| AppError::field(field, "invalid_date", capitalize(&e.to_string()));
    match (solar.map(str::trim).filter(|s| !s.is_empty()), lunar.map(str::trim).filter(|s| !s.is_empty())) {
        (Some(s), None) => {
            let date = parse_date("solar", s).map_err(ValidationErrors::single)?;
            let l = lunar::to_lunar(date).map_err(|e| field_err("solar", e))?;
            Ok(LunarAnswer::new(date, l))
        }
        (None, Some(s)) => {
            let l = parse_lunar("lunar", s, leap)?;
            let date = lunar::to_solar(l).map_err(|e| field_err("lunar", e))?;
            Ok(LunarAnswer::new(date, l))
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
    let amount = match duration.map(str::trim).filter(|s| !s.is_empty()) {
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
    let cutoff = match cutoff.map(str::trim).filter(|s| !s.is_empty()) {
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
