//! The calendar section of a snapshot: the holiday tables in force at one calendar revision
//! and the working-day index built from them, and the calendar each agency works by.

use std::sync::Arc;

use motcua_domain::agency::AgencyId;
use motcua_domain::calendar::{Counting, HolidayTables, TableOrigin, WorkingCalendar, WorkingDays, YearTable};

use crate::error::AppError;
use crate::ports::{AgencySchedule, Store};

/// The national working days of one calendar revision, built once and shared.
pub(crate) struct CompiledCalendar {
    pub(crate) revision: i64,
    pub(crate) tables: HolidayTables,
    pub(crate) days: Arc<WorkingDays>,
}

impl CompiledCalendar {
    /// Reads the tables in force and indexes their working days (a few milliseconds for
    /// 1900–2199; done once per calendar revision).
    pub(crate) async fn build(store: &dyn Store, revision: i64) -> Result<Self, AppError> {
        let current = store.current_calendar_revisions().await?;
        let tables =
            HolidayTables::new(current.into_iter().filter_map(|r| {
                r.entries.map(|entries| YearTable { year: r.year, origin: TableOrigin::Edited, entries })
            }));
        let days = Arc::new(WorkingDays::build(&tables));
        Ok(Self { revision, tables, days })
    }
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
