//! A dossier's current state: a fold of its events. Nothing here is stored as truth; the
//! database keeps a copy of the fold for queries and rebuilds it from the events at will.

use jiff::Timestamp;
use jiff::civil::Date;
use serde::Serialize;

use std::collections::BTreeSet;

use crate::agency::AgencyId;
use crate::calendar::deadline::{
    ClockEvent, Counting, Pause, PauseReason, PendingTimeliness, ProcessingTime, Timeliness, classify_finished,
    pauses_from_events,
};
use crate::dossier::code::DossierCode;
use crate::dossier::correction::{Correction, CorrectionDecision, CorrectionRecord};
use crate::dossier::event::{
    AgencyRef, ConsultationId, DossierEvent, EventActor, EventBody, PaymentMethod, PlannedStep, ResultDelivery,
    Submission, UserRef,
};
use crate::dossier::status::Status;
use crate::dossier::workflow::StepKind;
use crate::policy::Permission;

/// The step the dossier is at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CurrentStep {
    pub index: usize,
    pub entered_at: Timestamp,
    pub due_at: Option<Timestamp>,
    pub assignee: Option<UserRef>,
}

/// One hand-over of the process control sheet (form 06).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HandOver {
    pub from_step: Option<usize>,
    pub to_step: Option<usize>,
    pub at: Timestamp,
    pub by: String,
    pub to: Option<String>,
    /// Timeliness of the step just finished (against its own budget, else the appointment).
    pub result: Option<Timeliness>,
    pub sent_back: bool,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Consultation {
    pub id: ConsultationId,
    pub agency: AgencyRef,
    pub question: String,
    pub requested_at: Timestamp,
    pub due_at: Timestamp,
    pub requested_by: String,
    pub opinion: Option<String>,
    pub answered_at: Option<Timestamp>,
    pub answered_by: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IssuedResult {
    pub number: String,
    pub signed_on: Date,
    pub signer: String,
    pub file_id: Option<i64>,
    pub file_name: Option<String>,
    pub issued_at: Timestamp,
    pub approved: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Extension {
    pub at: Timestamp,
    pub previous: Timestamp,
    pub appointment_at: Timestamp,
    pub signer: String,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SupplementRound {
    pub requested_at: Timestamp,
    pub items: Vec<String>,
    pub received_at: Option<Timestamp>,
    /// Requested before the dossier was received (at the desk check), not during processing.
    pub before_intake: bool,
    pub repeated: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentState {
    None,
    Requested,
    Paid,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DossierState {
    pub id: i64,
    pub status: Status,
    pub code: Option<DossierCode>,
    pub submission: Submission,
    pub submitted_at: Timestamp,
    /// A portal dossier: by when the desk must decide on it (moved by a supplement sent before
    /// it was received).
    pub reception_due_at: Option<Timestamp>,
    /// A portal dossier's files: submitted with it and sent with supplements.
    pub portal_files: Vec<crate::dossier::event::PortalFile>,
    /// The portal's ids of files that came and were not kept.
    pub portal_refused: Vec<String>,
    /// When the desk decided on a portal dossier (accepted, asked for a supplement or
    /// refused), since its reception clock last started.
    pub reception_decided_at: Option<Timestamp>,
    pub received_at: Option<Timestamp>,
    pub processing_time: Option<ProcessingTime>,
    pub counting: Counting,
    /// Ngày hẹn trả printed on the receipt.
    pub receipt_due_at: Option<Timestamp>,
    /// The legal due instant: the receipt's, moved by paused working time. Extensions do not
    /// move it; lateness is judged against it.
    pub due_at: Option<Timestamp>,
    /// What the applicant was last promised (the due instant, or the extension's new date).
    pub appointment_at: Option<Timestamp>,
    pub resolving: Option<AgencyRef>,
    pub steps: Vec<PlannedStep>,
    pub step: Option<CurrentStep>,
    pub hand_overs: Vec<HandOver>,
    pub supplements: Vec<SupplementRound>,
    /// Since when the clock is stopped and why (supplement or payment).
    pub paused: Option<(PauseReason, Timestamp)>,
    pub clock_events: Vec<ClockEvent>,
    pub consultations: Vec<Consultation>,
    /// The leader's decision on the current pass through approval.
    pub decision: Option<bool>,
    pub result: Option<IssuedResult>,
    pub resolved_at: Option<Timestamp>,
    pub returned_at: Option<Timestamp>,
    pub delivered: Option<(ResultDelivery, String)>,
    pub payment: PaymentState,
    pub payment_amount_vnd: u64,
    /// How the last payment was made, if recorded.
    pub payment_method: Option<PaymentMethod>,
    pub extensions: Vec<Extension>,
    pub refusal: Option<Vec<String>>,
    pub withdrawal_requested_at: Option<Timestamp>,
    pub stopped_at: Option<Timestamp>,
    /// Corrections requested, decided or pending (the last one, if undecided).
    pub corrections: Vec<CorrectionRecord>,
    /// The status before a pause or a withdrawal request, restored afterwards.
    resume_status: Option<Status>,
    pub last_seq: i64,
    pub last_hash: String,
    pub updated_at: Timestamp,
}

/// Why events cannot be folded (a corrupted or foreign history).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FoldError {
    #[error("lịch sử hồ sơ rỗng")]
    Empty,
    #[error("sự kiện đầu tiên của hồ sơ phải là nộp hồ sơ")]
    NotSubmittedFirst,
    #[error("sự kiện số {0} không liền sau sự kiện trước")]
    Gap(i64),
}

impl DossierState {
    /// The permission the dossier's next move needs from the people of its current agency.
    pub fn current_permission(&self) -> Option<Permission> {
        match self.status {
            Status::Submitted
            | Status::AwaitingSupplement
            | Status::AwaitingPayment
            | Status::WithdrawalRequested
            | Status::Resolved => Some(Permission::ReceiveDossiers),
            Status::Received | Status::Processing => Some(
                self.current_step()
                    .map_or(Permission::ReceiveDossiers, |p| crate::dossier::workflow::step_permission(p.kind)),
            ),
            Status::Refused | Status::Stopped | Status::Returned => None,
        }
    }

    /// Every agency the dossier involves.
    pub fn involved_agencies(&self) -> BTreeSet<AgencyId> {
        let mut set = BTreeSet::new();
        set.insert(self.submission.receiving.id);
        set.extend(self.resolving.as_ref().map(|r| r.id));
        set.extend(self.steps.iter().map(|p| p.agency.id));
        set.extend(self.consultations.iter().map(|c| c.agency.id));
        set
    }

    /// Folds a dossier's events, oldest first.
    pub fn fold(id: i64, events: &[DossierEvent]) -> Result<DossierState, FoldError> {
        let first = events.first().ok_or(FoldError::Empty)?;
        let EventBody::Submitted(submission) = &first.body else {
            return Err(FoldError::NotSubmittedFirst);
        };
        let mut s = DossierState {
            id,
            status: Status::Submitted,
            code: None,
            submission: (**submission).clone(),
            submitted_at: first.at,
            reception_due_at: submission.portal.as_ref().map(|p| p.reception_due_at),
            portal_files: submission.portal.as_ref().map(|p| p.files.clone()).unwrap_or_default(),
            portal_refused: submission.portal.as_ref().map(|p| p.refused.clone()).unwrap_or_default(),
            reception_decided_at: None,
            received_at: None,
            processing_time: None,
            counting: Counting::default(),
            receipt_due_at: None,
            due_at: None,
            appointment_at: None,
            resolving: None,
            steps: Vec::new(),
            step: None,
            hand_overs: Vec::new(),
            supplements: Vec::new(),
            paused: None,
            clock_events: Vec::new(),
            consultations: Vec::new(),
            decision: None,
            result: None,
            resolved_at: None,
            returned_at: None,
            delivered: None,
            payment: PaymentState::None,
            payment_method: None,
            payment_amount_vnd: 0,
            extensions: Vec::new(),
            refusal: None,
            withdrawal_requested_at: None,
            stopped_at: None,
            corrections: Vec::new(),
            resume_status: None,
            last_seq: first.seq,
            last_hash: first.hash.clone(),
            updated_at: first.at,
        };
        if first.seq != 1 {
            return Err(FoldError::Gap(first.seq));
        }
        for e in &events[1..] {
            if e.seq != s.last_seq + 1 {
                return Err(FoldError::Gap(e.seq));
            }
            s.apply(e);
        }
        Ok(s)
    }

    /// Applies one event. Events were checked when decided, so applying never fails; an event
    /// that does not fit (impossible unless the history was tampered with) changes what it can.
    pub fn apply(&mut self, e: &DossierEvent) {
        self.last_seq = e.seq;
        self.last_hash = e.hash.clone();
        self.updated_at = e.at;
        let actor = &e.actor;
        let deciding = matches!(
            e.body,
            EventBody::Accepted { .. } | EventBody::Refused { .. } | EventBody::SupplementRequested { .. }
        );
        if deciding && self.status == Status::Submitted && self.reception_decided_at.is_none() {
            self.reception_decided_at = Some(e.at);
        }
        match &e.body {
            EventBody::Submitted(_) => {}
            EventBody::Accepted { code, processing_time, counting, due_at, resolving, steps, step_due_at, .. } => {
                self.status = Status::Received;
                self.code = Some(code.clone());
                self.received_at = Some(e.at);
                self.processing_time = Some(*processing_time);
                self.counting = *counting;
                self.receipt_due_at = Some(*due_at);
                self.due_at = Some(*due_at);
                self.appointment_at = Some(*due_at);
                self.resolving = Some(resolving.clone());
                self.steps = steps.clone();
                self.step = Some(CurrentStep {
                    index: 0,
                    entered_at: e.at,
                    due_at: *step_due_at,
                    assignee: actor.user_id.map(|id| UserRef { id, name: actor.name.clone() }),
                });
                self.hand_overs.push(HandOver {
                    from_step: None,
                    to_step: Some(0),
                    at: e.at,
                    by: actor.name.clone(),
                    to: Some(actor.name.clone()),
                    result: None,
                    sent_back: false,
                    note: None,
                });
            }
            EventBody::SupplementRequested { items, repeated } => {
                let before_intake = self.received_at.is_none();
                self.supplements.push(SupplementRound {
                    requested_at: e.at,
                    items: items.clone(),
                    received_at: None,
                    before_intake,
                    repeated: *repeated,
                });
                self.pause(PauseReason::Supplement, e.at, !before_intake);
                self.status = Status::AwaitingSupplement;
            }
            EventBody::SupplementReceived { due_at, reception_due_at, files, refused, appointment_at, step_due_at } => {
                if let Some(r) = self.supplements.last_mut() {
                    r.received_at = Some(e.at);
                }
                if reception_due_at.is_some() {
                    self.reception_due_at = *reception_due_at;
                    self.reception_decided_at = None;
                }
                self.portal_files.extend(files.iter().cloned());
                self.portal_refused.extend(refused.iter().cloned());
                self.resume(PauseReason::Supplement, e.at, *due_at, *appointment_at, *step_due_at);
            }
            EventBody::Refused { reasons } => {
                self.refusal = Some(reasons.clone());
                self.status = Status::Refused;
            }
            EventBody::Assigned { assignee } => {
                if let Some(step) = &mut self.step {
                    step.assignee = Some(assignee.clone());
                }
            }
            EventBody::Forwarded { from, to, step_due_at, assignee } => {
                let result = self.step_result(e.at);
                self.hand_overs.push(HandOver {
                    from_step: Some(*from),
                    to_step: Some(*to),
                    at: e.at,
                    by: actor.name.clone(),
                    to: assignee.as_ref().map(|a| a.name.clone()),
                    result,
                    sent_back: false,
                    note: e.reason.clone(),
                });
                self.step = Some(CurrentStep {
                    index: *to,
                    entered_at: e.at,
                    due_at: *step_due_at,
                    assignee: assignee.clone(),
                });
                if self.status == Status::Received && *to > 0 {
                    self.status = Status::Processing;
                }
            }
            EventBody::SentBack { from, to, step_due_at } => {
                self.hand_overs.push(HandOver {
                    from_step: Some(*from),
                    to_step: Some(*to),
                    at: e.at,
                    by: actor.name.clone(),
                    to: None,
                    result: None,
                    sent_back: true,
                    note: e.reason.clone(),
                });
                // A decision belongs to the draft it approved; a returned draft needs a new one.
                let approval = self.steps.iter().position(|s| s.kind == StepKind::Approve);
                if approval.is_some_and(|a| *to <= a) {
                    self.decision = None;
                }
                self.step = Some(CurrentStep { index: *to, entered_at: e.at, due_at: *step_due_at, assignee: None });
            }
            EventBody::ConsultationRequested { id, agency, question, due_at } => {
                self.consultations.push(Consultation {
                    id: *id,
                    agency: agency.clone(),
                    question: question.clone(),
                    requested_at: e.at,
                    due_at: *due_at,
                    requested_by: actor.name.clone(),
                    opinion: None,
                    answered_at: None,
                    answered_by: None,
                });
            }
            EventBody::ConsultationAnswered { id, opinion } => {
                if let Some(c) = self.consultations.iter_mut().find(|c| c.id == *id) {
                    c.opinion = Some(opinion.clone());
                    c.answered_at = Some(e.at);
                    c.answered_by = Some(actor.name.clone());
                }
            }
            EventBody::PaymentRequested { amount_vnd, .. } => {
                self.payment = PaymentState::Requested;
                self.payment_amount_vnd = *amount_vnd;
                self.pause(PauseReason::FinancialObligation, e.at, true);
                self.status = Status::AwaitingPayment;
            }
            EventBody::PaymentReceived { due_at, appointment_at, step_due_at, method, .. } => {
                self.payment = PaymentState::Paid;
                self.payment_method = *method;
                self.resume(PauseReason::FinancialObligation, e.at, *due_at, *appointment_at, *step_due_at);
            }
            EventBody::Decided { approved } => {
                self.decision = Some(*approved);
            }
            EventBody::ResultIssued { number, signed_on, signer, file_id, file_name } => {
                self.result = Some(IssuedResult {
                    number: number.clone(),
                    signed_on: *signed_on,
                    signer: signer.clone(),
                    file_id: *file_id,
                    file_name: file_name.clone(),
                    issued_at: e.at,
                    approved: self.decision.unwrap_or(true),
                });
                self.resolved_at = Some(e.at);
                self.status = Status::Resolved;
            }
            EventBody::ResultReturned { delivery, receiver } => {
                let result = self.step_result(e.at);
                self.hand_overs.push(HandOver {
                    from_step: self.step.as_ref().map(|s| s.index),
                    to_step: None,
                    at: e.at,
                    by: actor.name.clone(),
                    to: Some(receiver.clone()),
                    result,
                    sent_back: false,
                    note: None,
                });
                self.step = None;
                self.returned_at = Some(e.at);
                self.delivered = Some((*delivery, receiver.clone()));
                self.status = Status::Returned;
            }
            EventBody::WithdrawalRequested => {
                self.withdrawal_requested_at = Some(e.at);
                if self.resume_status.is_none() {
                    self.resume_status = Some(self.status);
                }
                self.status = Status::WithdrawalRequested;
            }
            EventBody::Stopped { .. } => {
                self.stopped_at = Some(e.at);
                self.step = None;
                self.status = Status::Stopped;
            }
            EventBody::Extended { appointment_at, signer } => {
                self.extensions.push(Extension {
                    at: e.at,
                    previous: self.appointment_at.unwrap_or(e.at),
                    appointment_at: *appointment_at,
                    signer: signer.clone(),
                    reason: e.reason.clone(),
                });
                self.appointment_at = Some(*appointment_at);
            }
            EventBody::CorrectionRequested { id, correction } => {
                self.corrections.push(CorrectionRecord {
                    id: *id,
                    correction: correction.clone(),
                    requested_at: e.at,
                    requested_by: actor.name.clone(),
                    requested_by_id: actor.user_id,
                    reason: e.reason.clone(),
                    decision: None,
                });
            }
            EventBody::CorrectionDecided { id, approved } => {
                let Some(record) = self.corrections.iter_mut().find(|c| c.id == *id) else { return };
                record.decision = Some(CorrectionDecision {
                    approved: *approved,
                    at: e.at,
                    by: actor.name.clone(),
                    reason: e.reason.clone(),
                });
                if *approved {
                    let correction = record.correction.clone();
                    self.correct(&correction);
                }
            }
        }
    }

    /// Applies an approved correction to what the dossier shows.
    fn correct(&mut self, c: &Correction) {
        match c {
            Correction::Applicant { after, .. } => self.submission.applicant = (**after).clone(),
            Correction::Result { after, .. } => {
                if let Some(r) = &mut self.result {
                    r.number = after.number.clone();
                    r.signed_on = after.signed_on;
                    r.signer = after.signer.clone();
                }
            }
            Correction::Receiver { after, .. } => {
                if let Some((_, receiver)) = &mut self.delivered {
                    *receiver = after.clone();
                }
            }
        }
    }

    /// The correction waiting for a leader's decision, if any.
    pub fn pending_correction(&self) -> Option<&CorrectionRecord> {
        self.corrections.last().filter(|c| c.decision.is_none())
    }

    fn pause(&mut self, reason: PauseReason, at: Timestamp, clock: bool) {
        if self.resume_status.is_none() {
            self.resume_status = Some(self.status);
        }
        if clock {
            self.clock_events.push(ClockEvent { at, reason, stop: true });
            self.paused.get_or_insert((reason, at));
        }
    }

    fn resume(
        &mut self,
        reason: PauseReason,
        at: Timestamp,
        due_at: Option<Timestamp>,
        appointment_at: Option<Timestamp>,
        step_due_at: Option<Timestamp>,
    ) {
        if self.received_at.is_some() {
            self.clock_events.push(ClockEvent { at, reason, stop: false });
        }
        self.paused = None;
        self.status = self.resume_status.take().unwrap_or(Status::Submitted);
        if due_at.is_some() {
            self.due_at = due_at;
        }
        if appointment_at.is_some() {
            self.appointment_at = appointment_at;
        }
        if let Some(step) = &mut self.step
            && step_due_at.is_some()
        {
            step.due_at = step_due_at;
        }
    }

    /// How the current step ends if it ends at `at`: against its budget, or the appointment
    /// when the workflow is untimed.
    fn step_result(&self, at: Timestamp) -> Option<Timeliness> {
        let due = self.step.as_ref().and_then(|s| s.due_at).or(self.due_at)?;
        Some(classify_finished(at, due))
    }

    pub fn current_step(&self) -> Option<&PlannedStep> {
        self.step.as_ref().and_then(|s| self.steps.get(s.index))
    }

    /// The agency whose officials act on the dossier now.
    pub fn current_agency(&self) -> AgencyId {
        match (self.status, self.current_step()) {
            (Status::Submitted | Status::Refused, _) => self.submission.receiving.id,
            (_, Some(step)) => step.agency.id,
            _ => self.submission.receiving.id,
        }
    }

    /// The clock's pauses so far.
    pub fn pauses(&self) -> Vec<Pause> {
        pauses_from_events(&self.clock_events)
    }

    /// Counted late whatever the finish time: a second supplement request during processing
    /// (Decision 766, indicator 2.1) or an extension with apology.
    pub fn late_by_rule(&self) -> bool {
        !self.extensions.is_empty() || self.supplements.iter().any(|s| s.repeated)
    }

    /// Timeliness of a resolved dossier (trước hạn / đúng hạn / quá hạn).
    pub fn timeliness(&self) -> Option<Timeliness> {
        let resolved = self.resolved_at?;
        if self.late_by_rule() {
            return Some(Timeliness::Late);
        }
        Some(classify_finished(resolved, self.due_at?))
    }

    /// Timeliness of a pending dossier at `now` (trong hạn / quá hạn). A dossier waiting for the
    /// applicant is judged at the moment it was handed back (766 indicator 2.1).
    pub fn pending_timeliness(&self, now: Timestamp) -> Option<PendingTimeliness> {
        if !self.status.is_pending() {
            return None;
        }
        if self.late_by_rule() {
            return Some(PendingTimeliness::Overdue);
        }
        let due = self.due_at?;
        let at = self.paused.map_or(now, |(_, since)| since);
        Some(if at > due { PendingTimeliness::Overdue } else { PendingTimeliness::InTime })
    }

    /// The dossier's code on the national portal: the portal's own for a dossier submitted
    /// there, else the code issued here (none before acceptance).
    pub fn portal_code(&self) -> Option<String> {
        match &self.submission.portal {
            Some(p) => Some(p.code.clone()),
            None => self.code.as_ref().map(ToString::to_string),
        }
    }

    /// A portal dossier's reception at `now`: decided in time or late, or still waiting and
    /// whether its deadline has passed. `None` for dossiers not from the portal.
    pub fn reception(&self, now: Timestamp) -> Option<Reception> {
        let due = self.reception_due_at?;
        Some(match self.reception_decided_at {
            Some(at) => Reception::Decided { at, late: at > due },
            None if self.status == Status::Submitted => Reception::Waiting { due, late: now > due },
            // Withdrawn or stopped before the desk decided: nothing was late by the desk.
            None => Reception::Decided { at: self.updated_at, late: false },
        })
    }

    /// Whether the portal's file with this id came already (kept or refused).
    pub fn portal_file_seen(&self, portal_id: &str) -> bool {
        self.portal_files.iter().any(|f| f.portal_id == portal_id) || self.portal_refused.iter().any(|r| r == portal_id)
    }

    /// The step of a given index, for display.
    pub fn step_name(&self, index: usize) -> Option<&str> {
        self.steps.get(index).map(|s| s.name.as_str())
    }
}

/// Where a portal dossier stands against its reception deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Reception {
    /// Still waiting for the desk; `late` once its deadline has passed.
    Waiting { due: Timestamp, late: bool },
    /// The desk decided at `at` (late after the deadline).
    Decided { at: Timestamp, late: bool },
}

/// An actor for facts recorded by the system itself (jobs, imports).
pub fn system_actor() -> EventActor {
    EventActor { user_id: None, name: "system".into(), role: None, unit: None }
}
