//! Petitions counted for a period: by channel, kind and stage, and each statutory step against
//! its deadline (done in time or late, pending within time or overdue) as of an instant.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::Serialize;

use super::{PetitionChannel, PetitionClocks, PetitionKind, PetitionState, Stage, StepTimeliness};
use crate::calendar::Timeliness;
use crate::calendar::deadline::PendingTimeliness;

/// How one step stands over many petitions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct StepTally {
    pub done_in_time: i64,
    pub done_late: i64,
    pub pending_in_time: i64,
    pub pending_overdue: i64,
}

impl StepTally {
    fn add(&mut self, t: StepTimeliness) {
        match t {
            StepTimeliness::Finished(Timeliness::Late) => self.done_late += 1,
            StepTimeliness::Finished(_) => self.done_in_time += 1,
            StepTimeliness::Pending(PendingTimeliness::Overdue) => self.pending_overdue += 1,
            StepTimeliness::Pending(PendingTimeliness::InTime) => self.pending_in_time += 1,
        }
    }

    pub fn done(&self) -> i64 {
        self.done_in_time + self.done_late
    }

    /// Percent of the finished ones done in time (`None` when none finished).
    pub fn on_time_rate(&self) -> Option<f64> {
        (self.done() > 0).then(|| self.done_in_time as f64 * 100.0 / self.done() as f64)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PetitionStats {
    pub total: i64,
    pub by_channel: BTreeMap<PetitionChannel, i64>,
    /// `None`: not yet classified.
    pub by_kind: BTreeMap<Option<PetitionKind>, i64>,
    pub by_stage: BTreeMap<Stage, i64>,
    /// Refusals against the refusal deadline.
    pub refuse: StepTally,
    /// First information requests against theirs.
    pub info_request: StepTally,
    /// The answer (approval or refusal) against the answer's deadline.
    pub answer: StepTally,
    /// Publication of approved answers.
    pub publish: StepTally,
}

impl PetitionStats {
    /// Counts a petition as it stands at `at`.
    pub fn add(&mut self, s: &PetitionState, c: &PetitionClocks, at: Timestamp) {
        self.total += 1;
        *self.by_channel.entry(s.channel).or_default() += 1;
        *self.by_kind.entry(s.petition_kind).or_default() += 1;
        *self.by_stage.entry(s.stage).or_default() += 1;
        if s.refused_at.is_some() {
            self.refuse.add(c.answer_timeliness(s, at));
        }
        if let Some(t) = c.info_request_timeliness(s) {
            self.info_request.add(t);
        }
        self.answer.add(c.answer_timeliness(s, at));
        if let Some(t) = c.publish_timeliness(s, at) {
            self.publish.add(t);
        }
    }

    pub fn merge(&mut self, o: &PetitionStats) {
        self.total += o.total;
        for (k, v) in &o.by_channel {
            *self.by_channel.entry(*k).or_default() += v;
        }
        for (k, v) in &o.by_kind {
            *self.by_kind.entry(*k).or_default() += v;
        }
        for (k, v) in &o.by_stage {
            *self.by_stage.entry(*k).or_default() += v;
        }
        for (mine, theirs) in [
            (&mut self.refuse, &o.refuse),
            (&mut self.info_request, &o.info_request),
            (&mut self.answer, &o.answer),
            (&mut self.publish, &o.publish),
        ] {
            mine.done_in_time += theirs.done_in_time;
            mine.done_late += theirs.done_late;
            mine.pending_in_time += theirs.pending_in_time;
            mine.pending_overdue += theirs.pending_overdue;
        }
    }
}
