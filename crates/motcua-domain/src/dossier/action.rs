//! The state machine: which actions a dossier allows, who may take them, and the events an
//! action produces. Pure: the caller passes the calendar, the instant and the actor.

pub use super::workflow::step_permission;
use crate::validation::NonBlank;
use std::collections::HashMap;

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::agency::AgencyId;
use crate::calendar::deadline::{Counting, DeadlineError, ProcessingTime, TimeUnit};
use crate::calendar::working_calendar::WorkingCalendar;
use crate::dossier::applicant::Applicant;
use crate::dossier::code::DossierCode;
use crate::dossier::correction::{Correction, ResultParticulars};
use crate::dossier::event::{AgencyRef, EventBody, PaymentMethod, PlannedStep, ResultDelivery, UserRef};
use crate::dossier::state::DossierState;
use crate::dossier::status::Status;
use crate::dossier::workflow::StepKind;
use crate::policy::Permission;

/// Every action an official can take on a dossier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    Accept,
    RequestSupplement,
    ReceiveSupplement,
    Refuse,
    Assign,
    Forward,
    SendBack,
    Consult,
    AnswerConsultation,
    RequestPayment,
    ReceivePayment,
    Approve,
    Reject,
    IssueResult,
    ReturnResult,
    RequestWithdrawal,
    Stop,
    Extend,
    RequestCorrection,
    ApproveCorrection,
    RejectCorrection,
}

impl ActionKind {
    pub const ALL: [ActionKind; 21] = [
        ActionKind::Accept,
        ActionKind::RequestSupplement,
        ActionKind::ReceiveSupplement,
        ActionKind::Refuse,
        ActionKind::Assign,
        ActionKind::Forward,
        ActionKind::SendBack,
        ActionKind::Consult,
        ActionKind::AnswerConsultation,
        ActionKind::RequestPayment,
        ActionKind::ReceivePayment,
        ActionKind::Approve,
        ActionKind::Reject,
        ActionKind::IssueResult,
        ActionKind::ReturnResult,
        ActionKind::RequestWithdrawal,
        ActionKind::Stop,
        ActionKind::Extend,
        ActionKind::RequestCorrection,
        ActionKind::ApproveCorrection,
        ActionKind::RejectCorrection,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ActionKind::Accept => "accept",
            ActionKind::RequestSupplement => "request_supplement",
            ActionKind::ReceiveSupplement => "receive_supplement",
            ActionKind::Refuse => "refuse",
            ActionKind::Assign => "assign",
            ActionKind::Forward => "forward",
            ActionKind::SendBack => "send_back",
            ActionKind::Consult => "consult",
            ActionKind::AnswerConsultation => "answer_consultation",
            ActionKind::RequestPayment => "request_payment",
            ActionKind::ReceivePayment => "receive_payment",
            ActionKind::Approve => "approve",
            ActionKind::Reject => "reject",
            ActionKind::IssueResult => "issue_result",
            ActionKind::ReturnResult => "return_result",
            ActionKind::RequestWithdrawal => "request_withdrawal",
            ActionKind::Stop => "stop",
            ActionKind::Extend => "extend",
            ActionKind::RequestCorrection => "request_correction",
            ActionKind::ApproveCorrection => "approve_correction",
            ActionKind::RejectCorrection => "reject_correction",
        }
    }

    pub fn parse(s: &str) -> Option<ActionKind> {
        ActionKind::ALL.into_iter().find(|a| a.as_str() == s.trim())
    }

    pub fn label(self) -> &'static str {
        match self {
            ActionKind::Accept => "Tiếp nhận",
            ActionKind::RequestSupplement => "Yêu cầu bổ sung",
            ActionKind::ReceiveSupplement => "Nhận hồ sơ bổ sung",
            ActionKind::Refuse => "Từ chối tiếp nhận",
            ActionKind::Assign => "Phân công",
            ActionKind::Forward => "Chuyển bước tiếp theo",
            ActionKind::SendBack => "Trả lại bước trước",
            ActionKind::Consult => "Lấy ý kiến",
            ActionKind::AnswerConsultation => "Trả lời ý kiến",
            ActionKind::RequestPayment => "Yêu cầu nộp phí, lệ phí",
            ActionKind::ReceivePayment => "Xác nhận đã nộp phí, lệ phí",
            ActionKind::Approve => "Phê duyệt",
            ActionKind::Reject => "Không phê duyệt",
            ActionKind::IssueResult => "Ban hành kết quả",
            ActionKind::ReturnResult => "Trả kết quả",
            ActionKind::RequestWithdrawal => "Ghi nhận yêu cầu rút hồ sơ",
            ActionKind::Stop => "Dừng xử lý",
            ActionKind::Extend => "Xin lỗi và gia hạn",
            ActionKind::RequestCorrection => "Đề nghị đính chính",
            ActionKind::ApproveCorrection => "Duyệt đính chính",
            ActionKind::RejectCorrection => "Không duyệt đính chính",
        }
    }

    /// Whether the action must carry a reason.
    pub fn needs_reason(self) -> bool {
        matches!(
            self,
            ActionKind::SendBack
                | ActionKind::RequestWithdrawal
                | ActionKind::Reject
                | ActionKind::Stop
                | ActionKind::Extend
                | ActionKind::RequestCorrection
                | ActionKind::ApproveCorrection
                | ActionKind::RejectCorrection
        )
    }
}

/// An action with its input, as the caller resolved it (agencies and people looked up).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Accept {
        code: DossierCode,
        processing_time: ProcessingTime,
        counting: Counting,
        resolving: AgencyRef,
        steps: Vec<PlannedStep>,
        calendar_revision: i64,
    },
    RequestSupplement {
        items: Vec<String>,
    },
    ReceiveSupplement,
    /// The applicant's supplement sent on the national portal, with the files it brought and,
    /// before intake, the new reception deadline.
    ReceivePortalSupplement {
        reception_due_at: Option<Timestamp>,
        files: Vec<crate::dossier::event::PortalFile>,
        refused: Vec<String>,
    },
    Refuse {
        reasons: Vec<String>,
    },
    Assign {
        assignee: UserRef,
    },
    Forward {
        assignee: Option<UserRef>,
    },
    SendBack {
        to: Option<usize>,
    },
    Consult {
        agency: AgencyRef,
        question: String,
        working_days: u32,
    },
    AnswerConsultation {
        id: u32,
        opinion: String,
    },
    RequestPayment {
        items: Vec<String>,
        amount_vnd: u64,
    },
    ReceivePayment {
        receipt: Option<String>,
        method: PaymentMethod,
    },
    Approve,
    Reject,
    IssueResult {
        number: String,
        signed_on: Date,
        signer: String,
        file_id: Option<i64>,
        file_name: Option<String>,
    },
    ReturnResult {
        delivery: ResultDelivery,
        receiver: String,
    },
    RequestWithdrawal,
    Stop,
    Extend {
        appointment_at: Timestamp,
        signer: String,
    },
    /// The corrected value (validated by the caller, like every input it resolves).
    RequestCorrection {
        draft: CorrectionDraft,
    },
    ApproveCorrection,
    RejectCorrection,
}

/// The value an official says is right.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CorrectionDraft {
    Applicant(Applicant),
    Result(ResultParticulars),
    Receiver(String),
}

impl Command {
    pub fn kind(&self) -> ActionKind {
        match self {
            Command::Accept { .. } => ActionKind::Accept,
            Command::RequestSupplement { .. } => ActionKind::RequestSupplement,
            Command::ReceiveSupplement | Command::ReceivePortalSupplement { .. } => ActionKind::ReceiveSupplement,
            Command::Refuse { .. } => ActionKind::Refuse,
            Command::Assign { .. } => ActionKind::Assign,
            Command::Forward { .. } => ActionKind::Forward,
            Command::SendBack { .. } => ActionKind::SendBack,
            Command::Consult { .. } => ActionKind::Consult,
            Command::AnswerConsultation { .. } => ActionKind::AnswerConsultation,
            Command::RequestPayment { .. } => ActionKind::RequestPayment,
            Command::ReceivePayment { .. } => ActionKind::ReceivePayment,
            Command::Approve => ActionKind::Approve,
            Command::Reject => ActionKind::Reject,
            Command::IssueResult { .. } => ActionKind::IssueResult,
            Command::ReturnResult { .. } => ActionKind::ReturnResult,
            Command::RequestWithdrawal => ActionKind::RequestWithdrawal,
            Command::Stop => ActionKind::Stop,
            Command::Extend { .. } => ActionKind::Extend,
            Command::RequestCorrection { .. } => ActionKind::RequestCorrection,
            Command::ApproveCorrection => ActionKind::ApproveCorrection,
            Command::RejectCorrection => ActionKind::RejectCorrection,
        }
    }
}

/// Why an action was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ActionError {
    #[error("không thể \"{}\" khi hồ sơ ở trạng thái \"{}\"", .action.label(), .status.label())]
    NotAllowed { action: ActionKind, status: Status, allowed: Vec<ActionKind> },
    #[error("{message}")]
    Invalid { field: &'static str, message: String },
    #[error(transparent)]
    Deadline(#[from] DeadlineError),
}

fn invalid(field: &'static str, message: impl Into<String>) -> ActionError {
    ActionError::Invalid { field, message: message.into() }
}

fn is_active(s: &DossierState) -> bool {
    matches!(s.status, Status::Received | Status::Processing)
}

fn at_step(s: &DossierState, kind: StepKind) -> bool {
    is_active(s) && s.current_step().is_some_and(|p| p.kind == kind)
}

fn supplement_before_intake(s: &DossierState) -> bool {
    s.status == Status::AwaitingSupplement && s.supplements.last().is_some_and(|r| r.before_intake)
}

/// Whether the dossier's state allows an action (who may take it is [`requirement`]'s).
pub fn allows(s: &DossierState, action: ActionKind) -> bool {
    use ActionKind::*;
    let pending = s.status.is_pending();
    match action {
        Accept => s.status == Status::Submitted,
        Refuse => s.status == Status::Submitted || supplement_before_intake(s),
        RequestSupplement => s.status == Status::Submitted || (is_active(s) && s.result.is_none()),
        ReceiveSupplement => s.status == Status::AwaitingSupplement,
        Assign => is_active(s) || s.status == Status::Resolved,
        Forward => {
            is_active(s)
                && s.step.as_ref().is_some_and(|c| c.index + 1 < s.steps.len())
                && s.current_step().is_some_and(|p| !matches!(p.kind, StepKind::Approve | StepKind::Issue))
                && s.steps.get(s.step.as_ref().map_or(0, |c| c.index + 1)).is_some_and(|n| n.kind != StepKind::Return)
        }
        SendBack => s.status == Status::Processing && s.step.as_ref().is_some_and(|c| c.index > 0),
        Consult => is_active(s),
        AnswerConsultation => pending && s.consultations.iter().any(|c| c.opinion.is_none()),
        RequestPayment => is_active(s),
        ReceivePayment => s.status == Status::AwaitingPayment,
        Approve | Reject => at_step(s, StepKind::Approve),
        IssueResult => at_step(s, StepKind::Issue) && s.decision.is_some(),
        ReturnResult => s.status == Status::Resolved,
        RequestWithdrawal => (pending || s.status == Status::Submitted) && s.status != Status::WithdrawalRequested,
        Stop => pending && s.result.is_none(),
        Extend => pending && s.status != Status::WithdrawalRequested && s.appointment_at.is_some(),
        RequestCorrection => s.received_at.is_some() && s.pending_correction().is_none(),
        ApproveCorrection | RejectCorrection => s.pending_correction().is_some(),
    }
}

/// The actions the state allows, in a stable order.
pub fn allowed_actions(s: &DossierState) -> Vec<ActionKind> {
    ActionKind::ALL.into_iter().filter(|a| allows(s, *a)).collect()
}

/// The permission an action needs and the agency it is needed over.
pub fn requirement(s: &DossierState, action: ActionKind) -> (Permission, AgencyId) {
    use ActionKind::*;
    let receiving = s.submission.receiving.id;
    let resolving = s.resolving.as_ref().map_or(receiving, |r| r.id);
    let step = s.current_step();
    let step_agency = step.map_or(receiving, |p| p.agency.id);
    let step_perm = step.map_or(Permission::ReceiveDossiers, |p| step_permission(p.kind));
    match action {
        Accept | Refuse | ReceiveSupplement | ReceivePayment | RequestWithdrawal => {
            (Permission::ReceiveDossiers, receiving)
        }
        RequestSupplement if s.status == Status::Submitted => (Permission::ReceiveDossiers, receiving),
        RequestSupplement | Assign | Forward | SendBack | Consult | RequestPayment => (step_perm, step_agency),
        AnswerConsultation => {
            let agency = s.consultations.iter().find(|c| c.opinion.is_none()).map_or(resolving, |c| c.agency.id);
            (Permission::ProcessDossiers, agency)
        }
        Approve | Reject => (Permission::DecideDossiers, step_agency),
        IssueResult => (Permission::IssueResults, step_agency),
        ReturnResult => (
            Permission::ReceiveDossiers,
            step.filter(|p| p.kind == StepKind::Return).map_or(receiving, |p| p.agency.id),
        ),
        Stop if s.status == Status::WithdrawalRequested => (Permission::ReceiveDossiers, receiving),
        Stop | Extend => (Permission::DecideDossiers, resolving),
        // Anyone of the receiving agency who sees the dossier may point out a wrong fact; a
        // leader of the resolving agency decides.
        RequestCorrection => (Permission::ViewDossiers, receiving),
        ApproveCorrection | RejectCorrection => (Permission::DecideDossiers, resolving),
    }
}

/// The pure inputs of a decision besides the dossier.
pub struct Context<'a> {
    pub now: Timestamp,
    /// The receiving agency's calendar, as on the receipt: the dossier's own due instant and
    /// appointment.
    pub calendar: &'a WorkingCalendar,
    /// The calendars of other agencies, by which the steps they do and the consultations they
    /// answer are timed (an interagency dossier runs on each agency's own office hours). An
    /// agency not listed works by `calendar`.
    pub agency_calendars: &'a HashMap<AgencyId, WorkingCalendar>,
    /// The reason the official gave (required by some actions).
    pub reason: Option<&'a str>,
}

impl Context<'_> {
    /// The calendar an agency works by.
    pub fn calendar_of(&self, agency: AgencyId) -> &WorkingCalendar {
        self.agency_calendars.get(&agency).unwrap_or(self.calendar)
    }
}

const MAX_ITEMS: usize = 100;
const MAX_TEXT: usize = 2000;

fn clean_items(field: &'static str, items: &[String]) -> Result<Vec<String>, ActionError> {
    let items: Vec<String> = items.iter().map(|i| i.trim().to_owned()).filter(|i| !i.is_empty()).collect();
    if items.is_empty() {
        return Err(invalid(field, "Cần liệt kê ít nhất một nội dung."));
    }
    if items.len() > MAX_ITEMS || items.iter().any(|i| i.chars().count() > MAX_TEXT) {
        return Err(invalid(field, format!("Tối đa {MAX_ITEMS} nội dung, mỗi nội dung {MAX_TEXT} ký tự.")));
    }
    Ok(items)
}

fn clean_text(field: &'static str, text: &str, what: &str) -> Result<String, ActionError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(invalid(field, format!("Cần nhập {what}.")));
    }
    if t.chars().count() > MAX_TEXT {
        return Err(invalid(field, format!("{what} tối đa {MAX_TEXT} ký tự.")));
    }
    Ok(t.to_owned())
}

/// The due instant of a step entered at `at`, if it has a budget, on its agency's calendar.
fn step_due(
    ctx: &Context<'_>,
    at: Timestamp,
    step: Option<&PlannedStep>,
    counting: Counting,
) -> Result<Option<Timestamp>, DeadlineError> {
    match step.and_then(|p| p.budget.map(|b| (p, b))) {
        Some((p, b)) => Ok(Some(ctx.calendar_of(p.agency.id).due(at, &b, counting)?)),
        None => Ok(None),
    }
}

/// Moves an instant later by the working time the clock was stopped (from `since` to `now`),
/// unless it had passed before the pause began: a pause never hides lateness.
fn shift(
    cal: &WorkingCalendar,
    instant: Option<Timestamp>,
    since: Timestamp,
    paused: i64,
) -> Result<Option<Timestamp>, DeadlineError> {
    match instant {
        Some(t) if since < t && paused > 0 => Ok(Some(cal.instant(cal.clock(t)? + paused)?)),
        other => Ok(other),
    }
}

/// The due instant, the appointment and the current step's due instant after a pause.
type Resumed = (Option<Timestamp>, Option<Timestamp>, Option<Timestamp>);

/// Deadlines after the clock restarts at `now`: the dossier's on the resolving agency's
/// calendar, the current step's on the calendar of the agency doing it.
fn resumed(s: &DossierState, ctx: &Context<'_>, now: Timestamp) -> Result<Resumed, DeadlineError> {
    let Some((_, since)) = s.paused else { return Ok((None, None, None)) };
    let from = s.received_at.map_or(since, |r| r.max(since));
    let cal = ctx.calendar;
    let paused = cal.elapsed(from, now)?.max(0);
    let step_cal = s.current_step().map_or(cal, |p| ctx.calendar_of(p.agency.id));
    let step_paused = step_cal.elapsed(from, now)?.max(0);
    Ok((
        shift(cal, s.due_at, since, paused)?,
        shift(cal, s.appointment_at, since, paused)?,
        shift(step_cal, s.step.as_ref().and_then(|c| c.due_at), since, step_paused)?,
    ))
}

/// A correction of what the dossier records now into the draft's value.
fn correction_of(s: &DossierState, draft: CorrectionDraft) -> Result<Correction, ActionError> {
    Ok(match draft {
        CorrectionDraft::Applicant(after) => {
            Correction::Applicant { before: Box::new(s.submission.applicant.clone()), after: Box::new(after) }
        }
        CorrectionDraft::Result(after) => {
            let r = s.result.as_ref().ok_or_else(|| invalid("correction", "Hồ sơ chưa có kết quả để đính chính."))?;
            let after = ResultParticulars {
                number: clean_text("number", &after.number, "số, ký hiệu văn bản kết quả")?,
                signer: clean_text("signer", &after.signer, "người ký")?,
                signed_on: after.signed_on,
            };
            let before =
                ResultParticulars { number: r.number.clone(), signed_on: r.signed_on, signer: r.signer.clone() };
            Correction::Result { before, after }
        }
        CorrectionDraft::Receiver(after) => {
            let (_, before) =
                s.delivered.as_ref().ok_or_else(|| invalid("correction", "Hồ sơ chưa trả kết quả để đính chính."))?;
            Correction::Receiver {
                before: before.clone(),
                after: clean_text("receiver", &after, "người nhận kết quả")?,
            }
        }
    })
}

/// Decides an action: the events it produces, or why it cannot be taken now.
pub fn decide(s: &DossierState, cmd: Command, ctx: &Context<'_>) -> Result<Vec<EventBody>, ActionError> {
    let action = cmd.kind();
    if !allows(s, action) {
        return Err(ActionError::NotAllowed { action, status: s.status, allowed: allowed_actions(s) });
    }
    let reason = ctx.reason.non_blank();
    // Stopping at the applicant's own request needs no reason beyond the request itself.
    let applicant_stop = action == ActionKind::Stop && s.status == Status::WithdrawalRequested;
    if action.needs_reason() && !applicant_stop && reason.is_none() {
        return Err(invalid("reason", format!("\"{}\" cần ghi rõ lý do.", action.label())));
    }
    let cal = ctx.calendar;
    let now = ctx.now;
    let next_step = |from: usize| -> Result<EventBody, ActionError> {
        let to = from + 1;
        Ok(EventBody::Forwarded {
            from,
            to,
            step_due_at: step_due(ctx, now, s.steps.get(to), s.counting)?,
            assignee: None,
        })
    };
    let current = s.step.as_ref().map_or(0, |c| c.index);
    let events = match cmd {
        Command::Accept { code, processing_time, counting, resolving, steps, calendar_revision } => {
            if steps.is_empty() {
                return Err(invalid("steps", "Quy trình không có bước nào."));
            }
            let due_at = cal.due(now, &processing_time, counting)?;
            let step_due_at = step_due(ctx, now, steps.first(), counting)?;
            vec![EventBody::Accepted {
                code,
                processing_time,
                counting,
                due_at,
                resolving,
                steps,
                step_due_at,
                calendar_revision,
            }]
        }
        Command::RequestSupplement { items } => {
            let items = clean_items("items", &items)?;
            let repeated = s.status != Status::Submitted && s.supplements.iter().any(|r| !r.before_intake);
            if repeated && reason.is_none() {
                return Err(invalid(
                    "reason",
                    "Hồ sơ đã được yêu cầu bổ sung một lần; yêu cầu lần nữa phải ghi rõ lý do (hồ sơ sẽ bị tính là trễ hạn).",
                ));
            }
            vec![EventBody::SupplementRequested { items, repeated }]
        }
        Command::ReceiveSupplement => {
            let (due_at, appointment_at, step_due_at) = resumed(s, ctx, now)?;
            vec![EventBody::SupplementReceived {
                due_at,
                reception_due_at: None,
                files: Vec::new(),
                refused: Vec::new(),
                appointment_at,
                step_due_at,
            }]
        }
        Command::ReceivePortalSupplement { reception_due_at, files, refused } => {
            let (due_at, appointment_at, step_due_at) = resumed(s, ctx, now)?;
            let before_intake = s.code.is_none();
            vec![EventBody::SupplementReceived {
                due_at,
                reception_due_at: reception_due_at.filter(|_| before_intake),
                files,
                refused,
                appointment_at,
                step_due_at,
            }]
        }
        Command::Refuse { reasons } => vec![EventBody::Refused { reasons: clean_items("reasons", &reasons)? }],
        Command::Assign { assignee } => vec![EventBody::Assigned { assignee }],
        Command::Forward { assignee } => {
            let to = current + 1;
            vec![EventBody::Forwarded {
                from: current,
                to,
                step_due_at: step_due(ctx, now, s.steps.get(to), s.counting)?,
                assignee,
            }]
        }
        Command::SendBack { to } => {
            let to = to.unwrap_or(current.saturating_sub(1));
            if to >= current {
                return Err(invalid("to", "Chỉ trả lại được về một bước trước đó."));
            }
            vec![EventBody::SentBack {
                from: current,
                to,
                step_due_at: step_due(ctx, now, s.steps.get(to), s.counting)?,
            }]
        }
        Command::Consult { agency, question, working_days } => {
            if !(1..=60).contains(&working_days) {
                return Err(invalid("working_days", "Thời hạn trả lời từ 1 đến 60 ngày làm việc."));
            }
            let question = clean_text("question", &question, "nội dung xin ý kiến")?;
            let time = ProcessingTime::new(working_days, TimeUnit::WorkingDays, None)?;
            let due_at = ctx.calendar_of(agency.id).due(now, &time, s.counting)?;
            let id = s.consultations.len() as u32 + 1;
            vec![EventBody::ConsultationRequested { id, agency, question, due_at }]
        }
        Command::AnswerConsultation { id, opinion } => {
            if !s.consultations.iter().any(|c| c.id == id && c.opinion.is_none()) {
                return Err(invalid("id", format!("Không có yêu cầu xin ý kiến số {id} đang chờ trả lời.")));
            }
            vec![EventBody::ConsultationAnswered { id, opinion: clean_text("opinion", &opinion, "ý kiến")? }]
        }
        Command::RequestPayment { items, amount_vnd } => {
            let items = clean_items("items", &items)?;
            vec![EventBody::PaymentRequested { items, amount_vnd }]
        }
        Command::ReceivePayment { receipt, method } => {
            let (due_at, appointment_at, step_due_at) = resumed(s, ctx, now)?;
            let receipt = receipt.map(|r| r.trim().to_owned()).filter(|r| !r.is_empty());
            vec![EventBody::PaymentReceived { receipt, method: Some(method), due_at, appointment_at, step_due_at }]
        }
        Command::Approve => vec![EventBody::Decided { approved: true }, next_step(current)?],
        Command::Reject => vec![EventBody::Decided { approved: false }, next_step(current)?],
        Command::IssueResult { number, signed_on, signer, file_id, file_name } => {
            let number = clean_text("number", &number, "số, ký hiệu văn bản kết quả")?;
            let signer = clean_text("signer", &signer, "người ký")?;
            let mut v = vec![EventBody::ResultIssued { number, signed_on, signer, file_id, file_name }];
            if s.steps.get(current + 1).is_some() {
                v.push(next_step(current)?);
            }
            v
        }
        Command::ReturnResult { delivery, receiver } => {
            vec![EventBody::ResultReturned {
                delivery,
                receiver: clean_text("receiver", &receiver, "người nhận kết quả")?,
            }]
        }
        Command::RequestWithdrawal => vec![EventBody::WithdrawalRequested],
        Command::Stop => vec![EventBody::Stopped { at_applicant_request: s.status == Status::WithdrawalRequested }],
        Command::Extend { appointment_at, signer } => {
            let current = s.appointment_at.unwrap_or(now);
            if appointment_at <= current || appointment_at <= now {
                return Err(invalid("appointment_at", "Ngày hẹn mới phải sau ngày hẹn hiện tại và sau thời điểm này."));
            }
            vec![EventBody::Extended {
                appointment_at,
                signer: clean_text("signer", &signer, "người đứng đầu cơ quan ký")?,
            }]
        }
        Command::RequestCorrection { draft } => {
            let correction = correction_of(s, draft)?;
            if correction.changes().is_empty() {
                return Err(invalid("correction", "Giá trị đề nghị đính chính trùng với thông tin đang ghi nhận."));
            }
            let id = s.corrections.len() as u32 + 1;
            vec![EventBody::CorrectionRequested { id, correction }]
        }
        Command::ApproveCorrection | Command::RejectCorrection => {
            let id = s.pending_correction().map_or(0, |c| c.id);
            vec![EventBody::CorrectionDecided { id, approved: action == ActionKind::ApproveCorrection }]
        }
    };
    Ok(events)
}
