//! Dossiers (hồ sơ): their codes, statuses, events, workflow and state machine.
//!
//! The events are the truth. [`state::DossierState::fold`] computes the current state from
//! them, [`action::decide`] turns an official's action into new events after checking that the
//! state allows it, and [`action::requirement`] names the permission and agency the caller must
//! authorize before recording them.

pub mod action;
pub mod agency_clock;
pub mod applicant;
pub mod cccd;
pub mod chain;
pub mod code;
pub mod correction;
pub mod event;
pub mod next_action;
pub mod state;
pub mod status;
pub mod txn;
pub mod workflow;

#[cfg(test)]
mod journey_tests;

pub use action::{ActionError, ActionKind, Command, Context, allowed_actions, decide, requirement};
pub use agency_clock::{AgencyClock, ClockStanding, agency_clocks, describe_working_minutes};
pub use code::DossierCode;
pub use event::{DossierEvent, EventActor, EventBody};
pub use state::DossierState;
pub use status::Status;
pub use txn::ClientTxnId;
pub use workflow::{StepKind, UnitRef, Workflow, WorkflowStep};
