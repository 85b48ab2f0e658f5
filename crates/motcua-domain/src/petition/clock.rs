//! The statutory clocks of a petition (`legal.md` §6): in working days from the receipt or the
//! latest forward, on the holding agency's calendar. Refusal and the first information request
//! run from the start without pause; the answer clock stops while the petitioner's information
//! is awaited; publication runs from the approval.

use jiff::Timestamp;
use serde::Serialize;

use super::{PetitionDeadlines, PetitionState, Stage};
use crate::calendar::deadline::{DeadlineError, PendingTimeliness, classify_finished, classify_pending};
use crate::calendar::{Counting, DueState, ProcessingTime, TimeUnit, Timeliness, WorkingCalendar};

/// The due instants of a petition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PetitionClocks {
    pub refuse_due: Timestamp,
    pub info_request_due: Timestamp,
    /// Suspended while information is awaited.
    pub answer_due: DueState,
    /// Once approved.
    pub publish_due: Option<Timestamp>,
}

/// How a step stands against its clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum StepTimeliness {
    Finished(Timeliness),
    Pending(PendingTimeliness),
}

impl StepTimeliness {
    pub fn is_late(self) -> bool {
        matches!(self, StepTimeliness::Finished(Timeliness::Late) | StepTimeliness::Pending(PendingTimeliness::Overdue))
    }

    pub fn label(self) -> &'static str {
        match self {
            StepTimeliness::Finished(t) => t.label(),
            StepTimeliness::Pending(PendingTimeliness::InTime) => "Trong hạn",
            StepTimeliness::Pending(PendingTimeliness::Overdue) => "Quá hạn",
        }
    }
}

fn days(n: u32) -> Result<ProcessingTime, DeadlineError> {
    ProcessingTime::new(n, TimeUnit::WorkingDays, None)
}

impl PetitionClocks {
    pub fn of(
        s: &PetitionState,
        calendar: &WorkingCalendar,
        counting: Counting,
        d: &PetitionDeadlines,
    ) -> Result<PetitionClocks, DeadlineError> {
        let start = s.clock_start;
        Ok(PetitionClocks {
            refuse_due: calendar.due(start, &days(d.refuse)?, counting)?,
            info_request_due: calendar.due(start, &days(d.info_request)?, counting)?,
            answer_due: calendar.due_with_pauses(start, &days(d.answer)?, counting, &s.pauses)?,
            publish_due: s.answered_at.map(|at| calendar.due(at, &days(d.publish)?, counting)).transpose()?,
        })
    }

    /// The deadline of what the holding agency must do next, for queues: the answer while it is
    /// being handled (none while information is awaited), publication once approved.
    pub fn current_due(&self, stage: Stage) -> Option<Timestamp> {
        match stage {
            Stage::Received | Stage::Processing | Stage::AwaitingApproval => match self.answer_due {
                DueState::Due(t) => Some(t),
                DueState::Suspended { .. } => None,
            },
            Stage::ReadyToPublish => self.publish_due,
            Stage::AwaitingInfo | Stage::Published | Stage::Refused => None,
        }
    }

    /// The answer (766 indicator 5.2): resolved (approved, or refused) by the answer's deadline,
    /// or still within it at `now`. A refusal is judged against the refusal deadline.
    pub fn answer_timeliness(&self, s: &PetitionState, now: Timestamp) -> StepTimeliness {
        match (s.refused_at, s.answered_at) {
            (Some(at), _) => StepTimeliness::Finished(classify_finished(at, self.refuse_due)),
            (None, Some(at)) => StepTimeliness::Finished(match self.answer_due {
                DueState::Due(due) => classify_finished(at, due),
                DueState::Suspended { .. } => Timeliness::OnTime,
            }),
            (None, None) => StepTimeliness::Pending(classify_pending(now, self.answer_due)),
        }
    }

    /// The first information request, when there was one.
    pub fn info_request_timeliness(&self, s: &PetitionState) -> Option<StepTimeliness> {
        s.first_info_request_at.map(|at| StepTimeliness::Finished(classify_finished(at, self.info_request_due)))
    }

    /// Publication, once the answer is approved.
    pub fn publish_timeliness(&self, s: &PetitionState, now: Timestamp) -> Option<StepTimeliness> {
        let due = self.publish_due?;
        Some(match s.published_at {
            Some(at) => StepTimeliness::Finished(classify_finished(at, due)),
            None => StepTimeliness::Pending(classify_pending(now, DueState::Due(due))),
        })
    }
}
