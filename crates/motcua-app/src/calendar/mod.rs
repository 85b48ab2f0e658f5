//! The legal calendar in use: holiday tables (shipped notices, statutory defaults, administrators'
//! edits), agencies' office hours, and the deadline calculator over them.
//!
//! Edits never rewrite the past: each save appends a revision, and a dossier keeps the due
//! instant printed on its receipt (computed once at intake with the revision then in force). A
//! later edit is reported through the dates it changed, so the people whose open dossiers span
//! those dates can be told.

use std::sync::Arc;

use motcua_domain::calendar::deadline::DeadlineError;

use crate::core::Core;
use crate::error::AppError;

mod holidays;
mod queries;
mod schedules;

pub use crate::snapshot::AgencyCalendar;
pub use holidays::{YearEdit, YearView};
pub use queries::{
    DueResult, LunarConversion, lunar_query, parse_instant, parse_lunar, parse_processing_time, parse_year,
};
pub use schedules::{ScheduleEdit, describe_schedule};

/// The holiday calendar, agencies' office hours and due-date computations.
#[derive(Clone)]
pub struct Calendar {
    core: Arc<Core>,
    agencies: crate::agencies::Agencies,
}

impl Calendar {
    pub(crate) fn new(core: Arc<Core>, agencies: crate::agencies::Agencies) -> Self {
        Self { core, agencies }
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
