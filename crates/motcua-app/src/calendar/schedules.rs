//! Agencies' office hours: the calendar each works by and the administrators' edits.

use motcua_domain::account::Principal;
use motcua_domain::agency::{Agency, AgencyId};
use motcua_domain::calendar::office_hours::{MonthDay, Period};
use motcua_domain::calendar::{Counting, WorkSchedule};
use motcua_domain::policy::{Permission, Target, authorize};
use motcua_domain::validation::{FieldError, ValidationErrors};
use serde::{Deserialize, Serialize};

use super::AgencyCalendar;
use super::Calendar;
use crate::context::{Actor, RequestMeta};
use crate::error::AppError;
use crate::ports::AgencySchedule;

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

impl Calendar {
    /// Whether the principal may set an agency's office hours (for showing the form).
    pub fn may_change_agency_hours(&self, principal: &Principal, agency: &Agency) -> bool {
        authorize(principal, Permission::ManageAgencies, Target::Agency(&agency.path)).is_ok()
    }

    /// Whether the principal may edit holiday tables (for showing the buttons).
    pub fn may_edit_calendar(&self, principal: &Principal) -> bool {
        authorize(principal, Permission::ManageCalendar, Target::System).is_ok()
    }

    /// The calendar an agency works by: national working days, its own office hours or the
    /// nearest ancestor's, else the installation default.
    pub async fn agency_calendar(&self, agency: &Agency) -> Result<AgencyCalendar, AppError> {
        self.core.snapshot().await?.agency_calendar(agency).await
    }

    /// Sets an agency's own office hours and counting convention (its subtree inherits them).
    pub async fn set_agency_schedule(
        &self,
        principal: &Principal,
        agency_id: AgencyId,
        input: &ScheduleInput,
        meta: &RequestMeta,
    ) -> Result<AgencySchedule, AppError> {
        let agency = self.agencies.get_agency(principal, agency_id).await?;
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
        let now = self.core.now();
        let record = AgencySchedule { agency_id, schedule, counting, version: input.version + 1, updated_at: now };
        let mut tx = self.core.store.begin().await?;
        if !tx.put_agency_schedule(&record, input.version).await? {
            return Err(AppError::stale("Giờ làm việc của cơ quan"));
        }
        let event = Actor::Official { principal, grant: Some(grant) }
            .did("agency.schedule.update")
            .on("agency", agency.id.to_string())
            .detail(format!("{}; {}", describe_schedule(&record.schedule), record.counting.as_str()))
            .event(meta, now);
        self.core.commit_audited(tx, event, meta).await?;
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
        let agency = self.agencies.get_agency(principal, agency_id).await?;
        let grant = authorize(principal, Permission::ManageAgencies, Target::Agency(&agency.path))?;
        let now = self.core.now();
        let mut tx = self.core.store.begin().await?;
        if !tx.delete_agency_schedule(agency_id, version).await? {
            return Err(AppError::stale("Giờ làm việc của cơ quan"));
        }
        let event = Actor::Official { principal, grant: Some(grant) }
            .did("agency.schedule.reset")
            .on("agency", agency.id.to_string())
            .event(meta, now);
        self.core.commit_audited(tx, event, meta).await?;
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
