//! Agencies' office hours: the calendar each works by and the administrators' edits.

use motcua_domain::account::Principal;
use motcua_domain::agency::{Agency, AgencyId};
use motcua_domain::calendar::office_hours::{MonthDay, Period};
use motcua_domain::calendar::{Counting, WorkSchedule};
use motcua_domain::policy::{Permission, Target, authorize};

use super::AgencyCalendar;
use super::Calendar;
use crate::context::{Actor, RequestMeta};
use crate::error::AppError;
use crate::ports::AgencySchedule;

/// Office hours as an administrator sets them, their times and days parsed.
#[derive(Debug, Clone, Default)]
pub struct ScheduleEdit {
    pub hours: Vec<Period>,
    /// `(name, from, to, hours)` of each season with hours of its own.
    pub seasons: Vec<(String, MonthDay, MonthDay, Vec<Period>)>,
    pub counting: Counting,
    /// The version of the agency's own schedule the editor started from (0 if none).
    pub version: i64,
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
        input: &ScheduleEdit,
        meta: &RequestMeta,
    ) -> Result<AgencySchedule, AppError> {
        let agency = self.agencies.get_agency(principal, agency_id).await?;
        let grant = authorize(principal, Permission::ManageAgencies, Target::Agency(&agency.path))?;
        let schedule = WorkSchedule::validated(input.hours.clone(), input.seasons.clone())?;
        let now = self.core.now();
        let record = AgencySchedule {
            agency_id,
            schedule,
            counting: input.counting,
            version: input.version + 1,
            updated_at: now,
        };
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
