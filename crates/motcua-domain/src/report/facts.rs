//! What the statistics count of one dossier: its counting facts, read from its folded state.
//!
//! Every figure of the reports, the index and the dashboards is a sum over dossiers of what
//! these facts contribute ([`super::rollup`]). They are a function of the events alone (through
//! the fold), so a correction recorded as an event shows up as a correction, and a full
//! recomputation gives the same numbers as the running counters.
//!
//! The instants, as `legal.md` §5 and §4 (indicator 2.1) name them:
//! - received (NgayTiepNhan): acceptance; dossiers refused at intake are never received;
//! - due (NgayHenTra): the legal due instant, moved by the applicant's paused time, never by an
//!   extension;
//! - resolved (NgayKetThucXuLy): the result issued (status 9), the end of processing that
//!   timeliness is judged on; returned (NgayTra) is kept apart;
//! - ended: resolved, or stopped (at the applicant's request: withdrawn);
//! - overdue from: when a pending dossier starts to count as "quá hạn";
//! - full online: once resolved, what it lacked to be "toàn trình" ([`super::full_online`]).

use jiff::Timestamp;
use serde::Serialize;

use super::full_online::Shortfalls;
use crate::agency::AgencyId;
use crate::calendar::deadline::Timeliness;
use crate::catalog::Channel;
use crate::dossier::{DossierState, Status};

/// How a received dossier left the pending set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Đã giải quyết, with its timeliness.
    Resolved(Timeliness),
    /// Dừng xử lý by the agency.
    Stopped,
    /// Dừng xử lý at the applicant's request (rút hồ sơ).
    Withdrawn,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Resolved(Timeliness::Early) => "resolved_early",
            Outcome::Resolved(Timeliness::OnTime) => "resolved_on_time",
            Outcome::Resolved(Timeliness::Late) => "resolved_late",
            Outcome::Stopped => "stopped",
            Outcome::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Option<Outcome> {
        [
            Outcome::Resolved(Timeliness::Early),
            Outcome::Resolved(Timeliness::OnTime),
            Outcome::Resolved(Timeliness::Late),
            Outcome::Stopped,
            Outcome::Withdrawn,
        ]
        .into_iter()
        .find(|o| o.as_str() == s)
    }
}

/// The counting facts of one dossier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DossierFacts {
    /// Where it is counted: the resolving agency once received, the receiving one before.
    pub agency: AgencyId,
    pub receiving: AgencyId,
    pub procedure_id: i64,
    pub channel: Channel,
    pub received_at: Option<Timestamp>,
    /// Refused at intake (không được tiếp nhận).
    pub refused_at: Option<Timestamp>,
    pub due_at: Option<Timestamp>,
    /// How and when it ended.
    pub ended: Option<(Outcome, Timestamp)>,
    /// From when it counts as overdue while pending; `None` while it is in time for good (its
    /// clock stopped before the due instant).
    pub overdue_from: Option<Timestamp>,
    /// The first supplement request during processing.
    pub supplement_at: Option<Timestamp>,
    pub returned_at: Option<Timestamp>,
    /// Minutes from reception to resolution, without the applicant's paused time.
    pub processing_minutes: Option<i64>,
    /// Once resolved: what it lacked to be "toàn trình" (empty when it was).
    pub full_online: Option<Shortfalls>,
}

impl DossierFacts {
    pub fn of(s: &DossierState) -> DossierFacts {
        let received_at = s.received_at;
        let ended = match (s.resolved_at, s.stopped_at) {
            (Some(at), _) => Some((Outcome::Resolved(s.timeliness().unwrap_or(Timeliness::OnTime)), at)),
            (None, Some(at)) if received_at.is_some() => {
                Some((if s.withdrawal_requested_at.is_some() { Outcome::Withdrawn } else { Outcome::Stopped }, at))
            }
            _ => None,
        };
        let processing_minutes = match (received_at, s.resolved_at) {
            (Some(from), Some(to)) => {
                let paused: i64 = s
                    .pauses()
                    .iter()
                    .filter(|p| p.from >= from)
                    .map(|p| (p.until.unwrap_or(to).min(to) - p.from.min(to)).get_seconds())
                    .sum();
                Some(((to - from).get_seconds() - paused).max(0) / 60)
            }
            _ => None,
        };
        DossierFacts {
            agency: s.resolving.as_ref().map_or(s.submission.receiving.id, |r| r.id),
            receiving: s.submission.receiving.id,
            procedure_id: s.submission.procedure.id,
            channel: s.submission.channel,
            received_at,
            refused_at: (s.status == Status::Refused).then_some(s.updated_at),
            due_at: s.due_at,
            ended,
            overdue_from: received_at.and(overdue_from(s)),
            supplement_at: s.supplements.iter().find(|r| !r.before_intake).map(|r| r.requested_at),
            returned_at: s.returned_at,
            processing_minutes,
            full_online: super::full_online::shortfalls(s),
        }
    }

    /// Whether the dossier was pending (received, not ended) at `at`.
    pub fn pending_at(&self, at: Timestamp) -> bool {
        self.received_at.is_some_and(|r| r <= at) && self.ended.is_none_or(|(_, end)| end > at)
    }

    /// Whether it counted as overdue at `at` (pending and past its overdue instant).
    pub fn overdue_at(&self, at: Timestamp) -> bool {
        self.pending_at(at) && self.overdue_from.is_some_and(|o| o <= at)
    }
}

/// When a dossier starts to count as overdue while pending. Late by rule (an extension with
/// apology, a repeated supplement request) counts from that event; a dossier whose clock is
/// stopped (waiting for the applicant) is judged at the moment it stopped (766, indicator 2.1):
/// overdue only if it stopped after the due instant.
fn overdue_from(s: &DossierState) -> Option<Timestamp> {
    let rule = s
        .extensions
        .iter()
        .map(|e| e.at)
        .chain(s.supplements.iter().filter(|r| r.repeated).map(|r| r.requested_at))
        .min();
    let due = s.due_at.map(|d| d + jiff::SignedDuration::from_secs(1));
    let by_due = match (s.paused, due) {
        (Some((_, since)), Some(due)) => (since >= due).then_some(due),
        (None, due) => due,
        (_, None) => None,
    };
    match (rule, by_due) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}
