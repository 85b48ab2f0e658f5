use async_trait::async_trait;
use jiff::Timestamp;
use jiff::civil::Date;
use motcua_domain::agency::AgencyId;
use motcua_domain::calendar::{CalendarEntry, Counting, WorkSchedule};

use super::StoreResult;

/// One saved change of a year's holiday table. Revisions are append-only; the latest one of a
/// year is in force. `entries: None` returns the year to the shipped notice or the statutory
/// defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarRevision {
    /// Installation-wide, increasing: deadlines record the revision they were computed under.
    pub revision: i64,
    pub year: i16,
    pub entries: Option<Vec<CalendarEntry>>,
    pub reason: String,
    /// Dates whose working/non-working status this revision changed.
    pub changed_dates: Vec<Date>,
    pub changed_by: Option<String>,
    pub recorded_at: Timestamp,
}

/// An agency's own working hours and counting convention; agencies without one inherit the
/// nearest ancestor's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgencySchedule {
    pub agency_id: AgencyId,
    pub schedule: WorkSchedule,
    pub counting: Counting,
    pub version: i64,
    pub updated_at: Timestamp,
}

#[async_trait]
pub trait CalendarReads {
    /// The newest revision number, 0 when no year was ever edited.
    async fn calendar_revision(&self) -> StoreResult<i64>;
    /// The revision in force for each edited year.
    async fn current_calendar_revisions(&self) -> StoreResult<Vec<CalendarRevision>>;
    /// Every revision of a year, oldest first.
    async fn calendar_history(&self, year: i16) -> StoreResult<Vec<CalendarRevision>>;
    async fn agency_schedules(&self, agencies: &[AgencyId]) -> StoreResult<Vec<AgencySchedule>>;
}

#[async_trait]
pub trait CalendarWrites {
    /// Appends a revision; the store assigns `revision` and returns it.
    async fn insert_calendar_revision(&mut self, revision: &CalendarRevision) -> StoreResult<i64>;
    /// Creates or replaces an agency's schedule if its stored version is `expected_version`
    /// (0 for "none yet"); `false` means someone else changed it first.
    async fn put_agency_schedule(&mut self, schedule: &AgencySchedule, expected_version: i64) -> StoreResult<bool>;
    /// Removes an agency's own schedule (it inherits again) if the version matches.
    async fn delete_agency_schedule(&mut self, agency: AgencyId, expected_version: i64) -> StoreResult<bool>;
}
