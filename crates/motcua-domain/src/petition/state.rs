//! A petition's state, folded from its events, and the state machine that decides which action
//! may follow which.
//!
//! ```text
//! Received ──assign──▶ Processing ──draft──▶ AwaitingApproval ──approve──▶ ReadyToPublish ──publish──▶ Published
//!   │  ▲                 │  ▲  ◀──return draft──┘
//!   │  └──info received──┤  └─ reassign
//!   ├──request info──▶ AwaitingInfo ──refuse──▶ Refused
//!   ├──forward──▶ Received (at the competent agency, clock afresh)
//!   └──refuse──▶ Refused
//! ```

use jiff::Timestamp;
use serde::Serialize;

use super::event::{Attachment, Forward, PetitionEvent, PetitionEventBody, Petitioner};
use super::{PetitionChannel, PetitionKind, PortalReference};
use crate::calendar::Pause;
use crate::dossier::event::{AgencyRef, UserRef};
use crate::validation::{FieldError, ValidationErrors, long_text, optional_text, required_text};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Received, waiting to be classified and assigned.
    Received,
    /// Waiting for the petitioner's information; the answer clock is stopped.
    AwaitingInfo,
    /// An official prepares the answer.
    Processing,
    /// The draft answer waits for the leader.
    AwaitingApproval,
    /// Approved: resolved, waiting to be published.
    ReadyToPublish,
    Published,
    /// Refused (out of scope, not a valid petition).
    Refused,
}

impl Stage {
    pub const ALL: [Stage; 7] = [
        Stage::Received,
        Stage::AwaitingInfo,
        Stage::Processing,
        Stage::AwaitingApproval,
        Stage::ReadyToPublish,
        Stage::Published,
        Stage::Refused,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Received => "received",
            Stage::AwaitingInfo => "awaiting_info",
            Stage::Processing => "processing",
            Stage::AwaitingApproval => "awaiting_approval",
            Stage::ReadyToPublish => "ready_to_publish",
            Stage::Published => "published",
            Stage::Refused => "refused",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Stage::Received => "Mới tiếp nhận",
            Stage::AwaitingInfo => "Chờ bổ sung thông tin",
            Stage::Processing => "Đang xử lý",
            Stage::AwaitingApproval => "Chờ lãnh đạo duyệt",
            Stage::ReadyToPublish => "Chờ công khai",
            Stage::Published => "Đã công khai",
            Stage::Refused => "Từ chối tiếp nhận",
        }
    }

    pub fn parse(s: &str) -> Option<Stage> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// The petition has been dealt with (resolved or refused): 766 counts it as done.
    pub fn is_resolved(self) -> bool {
        matches!(self, Stage::ReadyToPublish | Stage::Published | Stage::Refused)
    }
}

/// What an official asks to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PetitionAction {
    Refuse { reason: String },
    RequestInfo { request: String },
    ReceiveInfo { note: String },
    Assign { petition_kind: PetitionKind, assignee: UserRef, field: Option<String> },
    Forward { to: AgencyRef, reason: String },
    Draft { answer: String },
    ReturnDraft { reason: String },
    Approve { answer: String, opinion: Option<String> },
    Publish,
}

impl PetitionAction {
    pub fn name(&self) -> &'static str {
        match self {
            PetitionAction::Refuse { .. } => "refuse",
            PetitionAction::RequestInfo { .. } => "request_info",
            PetitionAction::ReceiveInfo { .. } => "receive_info",
            PetitionAction::Assign { .. } => "assign",
            PetitionAction::Forward { .. } => "forward",
            PetitionAction::Draft { .. } => "draft",
            PetitionAction::ReturnDraft { .. } => "return_draft",
            PetitionAction::Approve { .. } => "approve",
            PetitionAction::Publish => "publish",
        }
    }

    /// The stages the action may start from.
    pub fn from_stages(name: &str) -> &'static [Stage] {
        use Stage::*;
        match name {
            "refuse" => &[Received, AwaitingInfo, Processing],
            "request_info" => &[Received, Processing],
            "receive_info" => &[AwaitingInfo],
            "assign" | "forward" => &[Received, Processing],
            "draft" => &[Processing],
            "return_draft" | "approve" => &[AwaitingApproval],
            "publish" => &[ReadyToPublish],
            _ => &[],
        }
    }

    /// Every action name, in the order a petition usually meets them.
    pub const NAMES: [&'static str; 9] =
        ["assign", "request_info", "receive_info", "forward", "draft", "return_draft", "approve", "publish", "refuse"];
}

/// Why an action is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PetitionError {
    #[error("phản ánh, kiến nghị đang ở bước «{}»: không thực hiện được thao tác này", .0.label())]
    WrongStage(Stage),
    #[error("không chuyển được cho chính cơ quan đang xử lý")]
    SameAgency,
    #[error(transparent)]
    Invalid(#[from] ValidationErrors),
}

/// The state of a petition after its events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PetitionState {
    pub id: i64,
    pub code: String,
    /// The agency that holds it now.
    pub agency: AgencyRef,
    pub channel: PetitionChannel,
    pub petition_kind: Option<PetitionKind>,
    pub field: Option<String>,
    pub subject: String,
    pub content: String,
    pub petitioner: Petitioner,
    pub procedure_code: Option<String>,
    pub dossier_code: Option<String>,
    pub reraise_of: Option<String>,
    pub attachments: Vec<Attachment>,
    pub notify_email: bool,
    pub notify_sms: bool,
    pub stage: Stage,
    pub received_at: Timestamp,
    /// Forwarded by the national portal.
    pub portal: Option<PortalReference>,
    /// Where the clocks start: the receipt (the portal's forward), or the latest forward.
    pub clock_start: Timestamp,
    /// Waits for the petitioner's information since `clock_start` (the answer clock stops).
    pub pauses: Vec<Pause>,
    /// The first request for information since `clock_start`.
    pub first_info_request_at: Option<Timestamp>,
    pub info_request: Option<String>,
    pub assignee: Option<UserRef>,
    pub draft: Option<String>,
    pub returned_reason: Option<String>,
    pub answer: Option<String>,
    pub opinion: Option<String>,
    /// Approved (resolved) at.
    pub answered_at: Option<Timestamp>,
    pub refused_at: Option<Timestamp>,
    pub refusal_reason: Option<String>,
    pub published_at: Option<Timestamp>,
    pub forwards: Vec<Forward>,
    /// Where it was before the information request (it returns there).
    resume: Stage,
    pub last_seq: i64,
    pub last_hash: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FoldError {
    #[error("lịch sử không bắt đầu bằng sự kiện tiếp nhận")]
    NoReceipt,
    #[error("sự kiện {seq} không hợp lệ ở bước «{}»", .stage.label())]
    Impossible { seq: i64, stage: Stage },
}

impl PetitionState {
    /// Replays the events; each must be possible where it stands.
    pub fn fold(id: i64, events: &[PetitionEvent]) -> Result<PetitionState, FoldError> {
        let (first, rest) = events.split_first().ok_or(FoldError::NoReceipt)?;
        let PetitionEventBody::Received {
            code,
            agency,
            channel,
            petition_kind,
            subject,
            content,
            petitioner,
            procedure_code,
            dossier_code,
            reraise_of,
            attachments,
            notify_email,
            notify_sms,
            portal,
        } = &first.body
        else {
            return Err(FoldError::NoReceipt);
        };
        let mut s = PetitionState {
            id,
            code: code.clone(),
            agency: agency.clone(),
            channel: *channel,
            petition_kind: *petition_kind,
            field: None,
            subject: subject.clone(),
            content: content.clone(),
            petitioner: petitioner.clone(),
            procedure_code: procedure_code.clone(),
            dossier_code: dossier_code.clone(),
            reraise_of: reraise_of.clone(),
            attachments: attachments.clone(),
            notify_email: *notify_email,
            notify_sms: *notify_sms,
            stage: Stage::Received,
            received_at: first.at,
            // The portal measures a forwarded petition from its forward, however late it lands here.
            clock_start: portal.as_ref().map_or(first.at, |p| p.forwarded_at),
            portal: portal.clone(),
            pauses: Vec::new(),
            first_info_request_at: None,
            info_request: None,
            assignee: None,
            draft: None,
            returned_reason: None,
            answer: None,
            opinion: None,
            answered_at: None,
            refused_at: None,
            refusal_reason: None,
            published_at: None,
            forwards: Vec::new(),
            resume: Stage::Received,
            last_seq: first.seq,
            last_hash: first.hash.clone(),
        };
        for e in rest {
            s.apply(e).map_err(|_| FoldError::Impossible { seq: e.seq, stage: s.stage })?;
        }
        Ok(s)
    }

    fn apply(&mut self, e: &PetitionEvent) -> Result<(), ()> {
        let allowed = |name: &str, stage: Stage| PetitionAction::from_stages(name).contains(&stage);
        let at = e.at;
        match &e.body {
            PetitionEventBody::Received { .. } => return Err(()),
            PetitionEventBody::Refused { reason } => {
                if !allowed("refuse", self.stage) {
                    return Err(());
                }
                self.close_pause(at);
                self.stage = Stage::Refused;
                self.refused_at = Some(at);
                self.refusal_reason = Some(reason.clone());
            }
            PetitionEventBody::InfoRequested { request } => {
                if !allowed("request_info", self.stage) {
                    return Err(());
                }
                self.resume = self.stage;
                self.stage = Stage::AwaitingInfo;
                self.first_info_request_at.get_or_insert(at);
                self.info_request = Some(request.clone());
                self.pauses.push(Pause { from: at, until: None });
            }
            PetitionEventBody::InfoReceived { .. } => {
                if !allowed("receive_info", self.stage) {
                    return Err(());
                }
                self.close_pause(at);
                self.stage = self.resume;
            }
            PetitionEventBody::Assigned { petition_kind, assignee, field } => {
                if !allowed("assign", self.stage) {
                    return Err(());
                }
                self.stage = Stage::Processing;
                self.petition_kind = Some(*petition_kind);
                self.assignee = Some(assignee.clone());
                self.field = field.clone();
            }
            PetitionEventBody::Forwarded { from, to, reason } => {
                if !allowed("forward", self.stage) || from.id != self.agency.id || to.id == self.agency.id {
                    return Err(());
                }
                self.forwards.push(Forward {
                    at,
                    from: from.clone(),
                    to: to.clone(),
                    reason: reason.clone(),
                    by: e.actor.user_id.map(|_| e.actor.name.clone()),
                });
                self.agency = to.clone();
                self.stage = Stage::Received;
                self.clock_start = at;
                self.pauses.clear();
                self.first_info_request_at = None;
                self.assignee = None;
                self.draft = None;
                self.returned_reason = None;
            }
            PetitionEventBody::Drafted { answer } => {
                if !allowed("draft", self.stage) {
                    return Err(());
                }
                self.stage = Stage::AwaitingApproval;
                self.draft = Some(answer.clone());
                self.returned_reason = None;
            }
            PetitionEventBody::DraftReturned { reason } => {
                if !allowed("return_draft", self.stage) {
                    return Err(());
                }
                self.stage = Stage::Processing;
                self.returned_reason = Some(reason.clone());
            }
            PetitionEventBody::Approved { answer, opinion } => {
                if !allowed("approve", self.stage) {
                    return Err(());
                }
                self.stage = Stage::ReadyToPublish;
                self.answer = Some(answer.clone());
                self.opinion = opinion.clone();
                self.answered_at = Some(at);
            }
            PetitionEventBody::Published => {
                if !allowed("publish", self.stage) {
                    return Err(());
                }
                self.stage = Stage::Published;
                self.published_at = Some(at);
            }
        }
        self.last_seq = e.seq;
        self.last_hash = e.hash.clone();
        Ok(())
    }

    fn close_pause(&mut self, at: Timestamp) {
        if let Some(p) = self.pauses.last_mut()
            && p.until.is_none()
        {
            p.until = Some(at);
        }
    }

    /// The actions possible now (before asking who may do them).
    pub fn possible_actions(&self) -> Vec<&'static str> {
        PetitionAction::NAMES.into_iter().filter(|n| PetitionAction::from_stages(n).contains(&self.stage)).collect()
    }

    /// Checks an action against the state and its own input; the event it records.
    pub fn decide(&self, action: &PetitionAction) -> Result<PetitionEventBody, PetitionError> {
        if !PetitionAction::from_stages(action.name()).contains(&self.stage) {
            return Err(PetitionError::WrongStage(self.stage));
        }
        let one = |r: Result<String, FieldError>| r.map_err(|e| PetitionError::Invalid(ValidationErrors::single(e)));
        Ok(match action {
            PetitionAction::Refuse { reason } => {
                PetitionEventBody::Refused { reason: one(long_text("reason", reason, 4000))? }
            }
            PetitionAction::RequestInfo { request } => {
                PetitionEventBody::InfoRequested { request: one(long_text("request", request, 4000))? }
            }
            PetitionAction::ReceiveInfo { note } => {
                PetitionEventBody::InfoReceived { note: one(long_text("note", note, 4000))? }
            }
            PetitionAction::Assign { petition_kind, assignee, field } => PetitionEventBody::Assigned {
                petition_kind: *petition_kind,
                assignee: assignee.clone(),
                field: optional_text("field", field.as_deref(), 200)
                    .map_err(|e| PetitionError::Invalid(ValidationErrors::single(e)))?,
            },
            PetitionAction::Forward { to, reason } => {
                if to.id == self.agency.id {
                    return Err(PetitionError::SameAgency);
                }
                PetitionEventBody::Forwarded {
                    from: self.agency.clone(),
                    to: to.clone(),
                    reason: one(required_text("reason", reason, 1000))?,
                }
            }
            PetitionAction::Draft { answer } => {
                PetitionEventBody::Drafted { answer: one(long_text("answer", answer, 20_000))? }
            }
            PetitionAction::ReturnDraft { reason } => {
                PetitionEventBody::DraftReturned { reason: one(long_text("reason", reason, 4000))? }
            }
            PetitionAction::Approve { answer, opinion } => PetitionEventBody::Approved {
                answer: one(long_text("answer", answer, 20_000))?,
                opinion: optional_text("opinion", opinion.as_deref(), 2000)
                    .map_err(|e| PetitionError::Invalid(ValidationErrors::single(e)))?,
            },
            PetitionAction::Publish => PetitionEventBody::Published,
        })
    }
}
