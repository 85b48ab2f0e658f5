//! The legal calendar over HTTP: public queries (lunar dates, holidays, due dates; no login,
//! rate limited per address) and the administration of holiday tables and office hours.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use motcua_app::AppError;
use motcua_app::calendar::{
    YearView, describe_schedule, lunar_query, parse_instant, parse_processing_time, parse_year,
};
use motcua_app::ports::{AgencySchedule, CalendarRevision};
use motcua_domain::agency::AgencyId;
use motcua_domain::calendar::{CalendarEntry, DayKind};
use motcua_domain::validation::NonBlank;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::calendar_answers::{DueAnswer, HolidaysAnswer, LunarAnswer};
use crate::api::calendar_input::schedule_to_input;
use crate::api::calendar_input::{ScheduleInput, YearInput};
use crate::auth::ApiUser;
use crate::context::Meta;
use crate::error::query_error;
use crate::error::{ApiResult, ErrorBody, HttpError};
use crate::limits::public_limit as limit;
use crate::respond::{ApiJson, ApiPath, ApiQuery};
use crate::shapes::origin_str;
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LunarQuery {
    /// Solar date to convert, `yyyy-mm-dd` (or `dd/mm/yyyy`).
    pub solar: Option<String>,
    /// Lunar date to convert, `yyyy-mm-dd`.
    pub lunar: Option<String>,
    /// With `lunar`: the month is a leap month.
    #[serde(default)]
    pub leap: bool,
}

/// Converts a date between the solar and the Vietnamese lunar calendar (UTC+7), 31/01/1900–31/12/2199.
#[utoipa::path(get, path = "/api/v1/calendar/lunar", tag = "calendar", params(LunarQuery),
    responses((status = 200, body = LunarAnswer), (status = 400, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn lunar(
    State(state): State<AppState>,
    Meta(meta): Meta,
    ApiQuery(q): ApiQuery<LunarQuery>,
) -> ApiResult<Json<LunarAnswer>> {
    limit(&state, &meta)?;
    Ok(Json(lunar_query(q.solar.as_deref(), q.lunar.as_deref(), q.leap).map_err(query_error)?.into()))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HolidaysQuery {
    /// 1900–2199.
    pub year: String,
}

/// A year's weekdays off and worked weekend days for the civil service, each with its source.
#[utoipa::path(get, path = "/api/v1/calendar/holidays", tag = "calendar", params(HolidaysQuery),
    responses((status = 200, body = HolidaysAnswer), (status = 400, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn holidays(
    State(state): State<AppState>,
    Meta(meta): Meta,
    ApiQuery(q): ApiQuery<HolidaysQuery>,
) -> ApiResult<Json<HolidaysAnswer>> {
    limit(&state, &meta)?;
    let year = parse_year(&q.year).map_err(query_error)?;
    let view = state.services.calendar.holiday_year(year).await?;
    Ok(Json(HolidaysAnswer::from(&view.table)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DueQuery {
    /// Start instant with its offset, e.g. `2026-02-13T16:00:00+07:00`.
    pub start: String,
    /// Amount of `unit` (not needed for `same_day`).
    pub duration: Option<String>,
    /// `working_hours`, `working_days`, `half_days`, `calendar_days`, `months` or `same_day`.
    pub unit: String,
    /// For `same_day`: received at or after `HH:MM` (default 15:00), due the next working day.
    pub cutoff: Option<String>,
    /// Electronic identifier of the agency whose office hours apply.
    pub agency: Option<String>,
    /// `working_time` or `civil_days` (default: the agency's, else `working_time`).
    pub counting: Option<String>,
}

/// The due instant of a processing time started at `start`.
#[utoipa::path(get, path = "/api/v1/calendar/due", tag = "calendar", params(DueQuery),
    responses((status = 200, body = DueAnswer), (status = 400, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn due(
    State(state): State<AppState>,
    Meta(meta): Meta,
    ApiQuery(q): ApiQuery<DueQuery>,
) -> ApiResult<Json<DueAnswer>> {
    limit(&state, &meta)?;
    let parsed = (|| {
        let start = parse_instant("start", &q.start, false)?;
        let time = parse_processing_time(q.duration.as_deref(), &q.unit, q.cutoff.as_deref())?;
        let counting = q
            .counting
            .as_deref()
            .filter(|c| !c.trim().is_empty())
            .map(|c| c.trim().parse().map_err(|m: String| AppError::field("counting", "invalid_counting", m)))
            .transpose()?;
        Ok::<_, AppError>((start, time, counting))
    })();
    let (start, time, counting) = parsed.map_err(query_error)?;
    let agency = q.agency.as_deref().non_blank();
    let result = state.services.calendar.compute_due(agency, start, time, counting).await.map_err(query_error)?;
    Ok(Json(DueAnswer::from(&result)))
}

/// One entry of a year's table.
#[derive(Debug, Serialize, ToSchema)]
pub struct EntryDto {
    #[schema(example = "2026-01-01")]
    pub date: String,
    /// `off` or `working`.
    pub kind: String,
    pub name: String,
    pub source: String,
}

impl From<&CalendarEntry> for EntryDto {
    fn from(e: &CalendarEntry) -> Self {
        EntryDto {
            date: e.date.to_string(),
            kind: match e.kind {
                DayKind::Off => "off",
                DayKind::Working => "working",
            }
            .to_owned(),
            name: e.name.clone(),
            source: e.source.clone(),
        }
    }
}

/// A year's table in force.
#[derive(Debug, Serialize, ToSchema)]
pub struct YearDto {
    pub year: i16,
    /// `statutory` (generated from the Labour Code), `notice` (shipped yearly notice) or `edited`.
    pub origin: String,
    /// The year's latest saved revision here (send it back as `base_revision` when saving); 0 if never edited.
    pub revision: i64,
    pub calendar_revision: i64,
    pub entries: Vec<EntryDto>,
}

impl From<&YearView> for YearDto {
    fn from(v: &YearView) -> Self {
        YearDto {
            year: v.table.year,
            origin: origin_str(v.table.origin).to_owned(),
            revision: v.revision.unwrap_or(0),
            calendar_revision: v.calendar_revision,
            entries: v.table.entries.iter().map(EntryDto::from).collect(),
        }
    }
}

fn year_param(raw: &str) -> Result<i16, HttpError> {
    parse_year(raw).map_err(|_| HttpError::not_found())
}

/// A year's full table (every exception, weekend holidays included) and its revision.
#[utoipa::path(get, path = "/api/v1/calendar/years/{year}", tag = "calendar", params(("year" = i16, Path)), security(("bearer" = [])),
    responses((status = 200, body = YearDto), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_year(
    State(state): State<AppState>,
    ApiUser(_p): ApiUser,
    ApiPath(year): ApiPath<String>,
) -> ApiResult<Json<YearDto>> {
    let year = year_param(&year)?;
    Ok(Json(YearDto::from(&state.services.calendar.holiday_year(year).await?)))
}

/// Replaces a year's table (the government's notice, a local decision). Requires a province-wide `admin`.
/// `base_revision` must be the year's current `revision`.
#[utoipa::path(put, path = "/api/v1/calendar/years/{year}", tag = "calendar", params(("year" = i16, Path)), request_body = YearInput,
    security(("bearer" = [])),
    responses((status = 200, body = YearDto), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_year(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Meta(meta): Meta,
    ApiPath(year): ApiPath<String>,
    ApiJson(body): ApiJson<YearInput>,
) -> ApiResult<Json<YearDto>> {
    let year = year_param(&year)?;
    // Who may not edit the calendar learns that, not what was wrong with the table.
    if !state.services.calendar.may_edit_calendar(&p) {
        return Err(AppError::Forbidden(motcua_domain::policy::Denied::MissingPermission).into());
    }
    let edit = body.parse().map_err(AppError::Validation)?;
    Ok(Json(YearDto::from(&state.services.calendar.save_holiday_year(&p, year, &edit, &meta).await?)))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ResetBody {
    pub reason: String,
    pub base_revision: i64,
}

/// Returns a year to the shipped notice or the statutory defaults (kept as a new revision).
#[utoipa::path(post, path = "/api/v1/calendar/years/{year}/reset", tag = "calendar", params(("year" = i16, Path)), request_body = ResetBody,
    security(("bearer" = [])),
    responses((status = 200, body = YearDto), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn reset_year(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Meta(meta): Meta,
    ApiPath(year): ApiPath<String>,
    ApiJson(body): ApiJson<ResetBody>,
) -> ApiResult<Json<YearDto>> {
    let year = year_param(&year)?;
    Ok(Json(YearDto::from(
        &state.services.calendar.reset_holiday_year(&p, year, &body.reason, body.base_revision, &meta).await?,
    )))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RevisionDto {
    pub revision: i64,
    pub year: i16,
    /// `null` when the revision returned the year to the notice or the defaults.
    pub entries: Option<Vec<EntryDto>>,
    pub reason: String,
    /// Dates whose working status the revision changed.
    pub changed_dates: Vec<String>,
    pub changed_by: Option<String>,
    pub recorded_at: String,
}

impl From<&CalendarRevision> for RevisionDto {
    fn from(r: &CalendarRevision) -> Self {
        RevisionDto {
            revision: r.revision,
            year: r.year,
            entries: r.entries.as_ref().map(|e| e.iter().map(EntryDto::from).collect()),
            reason: r.reason.clone(),
            changed_dates: r.changed_dates.iter().map(|d| d.to_string()).collect(),
            changed_by: r.changed_by.clone(),
            recorded_at: motcua_domain::time::rfc3339_vn(r.recorded_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RevisionList {
    pub items: Vec<RevisionDto>,
}

/// Every saved change of a year, oldest first.
#[utoipa::path(get, path = "/api/v1/calendar/years/{year}/history", tag = "calendar", params(("year" = i16, Path)), security(("bearer" = [])),
    responses((status = 200, body = RevisionList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn year_history(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    ApiPath(year): ApiPath<String>,
) -> ApiResult<Json<RevisionList>> {
    let year = year_param(&year)?;
    let items = state.services.calendar.holiday_history(&p, year).await?.iter().map(RevisionDto::from).collect();
    Ok(Json(RevisionList { items }))
}

/// An agency's office hours in force.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScheduleDto {
    pub agency_id: i64,
    /// The schedule in force, as it would be sent back.
    pub schedule: ScheduleInput,
    pub description: String,
    pub counting: String,
    /// The agency whose own schedule applies (this one or an ancestor); `null` for the default.
    pub inherited_from: Option<i64>,
    /// Version of this agency's own schedule (0 when it inherits); send it back to change it.
    pub version: i64,
}

fn schedule_input(s: &AgencySchedule) -> ScheduleInput {
    schedule_to_input(&s.schedule, Some(s.counting.as_str().to_owned()), s.version)
}

async fn schedule_dto(
    state: &AppState,
    p: &motcua_domain::account::Principal,
    id: i64,
) -> Result<ScheduleDto, AppError> {
    let agency = state.services.agencies.get_agency(p, AgencyId(id)).await?;
    let c = state.services.calendar.agency_calendar(&agency).await?;
    let version = c.own.as_ref().map_or(0, |o| o.version);
    let mut schedule = schedule_to_input(c.calendar.schedule(), Some(c.counting.as_str().to_owned()), version);
    if let Some(own) = &c.own {
        schedule = schedule_input(own);
    }
    Ok(ScheduleDto {
        agency_id: id,
        description: describe_schedule(c.calendar.schedule()),
        schedule,
        counting: c.counting.as_str().to_owned(),
        inherited_from: c.schedule_from.map(|a| a.0),
        version,
    })
}

/// An agency's office hours and counting convention (its own, or inherited).
#[utoipa::path(get, path = "/api/v1/agencies/{id}/schedule", tag = "calendar", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = ScheduleDto), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_schedule(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<ScheduleDto>> {
    Ok(Json(schedule_dto(&state, &p, id).await?))
}

/// Sets an agency's own office hours (8 hours a day; optional seasons) and counting convention; its subtree inherits them.
#[utoipa::path(put, path = "/api/v1/agencies/{id}/schedule", tag = "calendar", params(("id" = i64, Path)), request_body = ScheduleInput,
    security(("bearer" = [])),
    responses((status = 200, body = ScheduleDto), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_schedule(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Meta(meta): Meta,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<ScheduleInput>,
) -> ApiResult<Json<ScheduleDto>> {
    let agency = state.services.agencies.get_agency(&p, AgencyId(id)).await?;
    // Who may not set these hours learns that, not what was wrong with them.
    if !state.services.calendar.may_change_agency_hours(&p, &agency) {
        return Err(AppError::Forbidden(motcua_domain::policy::Denied::MissingPermission).into());
    }
    let edit = body.parse().map_err(AppError::Validation)?;
    state.services.calendar.set_agency_schedule(&p, AgencyId(id), &edit, &meta).await?;
    Ok(Json(schedule_dto(&state, &p, id).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VersionQuery {
    pub version: i64,
}

/// Removes an agency's own office hours; it inherits its parent's again.
#[utoipa::path(delete, path = "/api/v1/agencies/{id}/schedule", tag = "calendar", params(("id" = i64, Path), VersionQuery),
    security(("bearer" = [])),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn delete_schedule(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Meta(meta): Meta,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<VersionQuery>,
) -> ApiResult<StatusCode> {
    state.services.agencies.get_agency(&p, AgencyId(id)).await?;
    state.services.calendar.clear_agency_schedule(&p, AgencyId(id), q.version, &meta).await?;
    Ok(StatusCode::NO_CONTENT)
}
