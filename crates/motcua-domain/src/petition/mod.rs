//! Petitions (phản ánh, kiến nghị — PAKN) about administrative rules and about how officials
//! handle procedures (`legal.md` §6, §13.4): who sent them and how, what happened to them as
//! append-only hash-chained events, and the statutory clocks they run against.

pub mod chain;
pub mod channel;
pub mod clock;
pub mod code;
pub mod deadlines;
pub mod event;
pub mod intake;
pub mod kind;
pub mod measure;
pub mod portal;
pub mod state;
pub mod stats;
#[cfg(test)]
mod tests;

pub use channel::PetitionChannel;
pub use clock::{PetitionClocks, StepTimeliness};
pub use code::PetitionCode;
pub use deadlines::PetitionDeadlines;
pub use event::{Attachment, Forward, PetitionEvent, PetitionEventBody, Petitioner};
pub use intake::PetitionIntake;
pub use kind::PetitionKind;
pub use portal::PortalReference;
pub use state::{PetitionAction, PetitionState, Stage};
