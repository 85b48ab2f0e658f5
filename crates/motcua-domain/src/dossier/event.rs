//! Dossier events: the immutable facts a dossier's state, deadlines and statistics are computed
//! from. An event is never changed or deleted; a mistake is fixed by a later event.
//!
//! Events carry the instants the system computed when they happened (the appointment printed on
//! the receipt, the due instant of a step): replaying history never depends on today's calendar,
//! and a later holiday edit cannot move a promise already made.

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::account::{Role, UserId};
use crate::agency::{AgencyCode, AgencyId};
use crate::calendar::deadline::{Counting, ProcessingTime};
use crate::catalog::Channel;
use crate::dossier::applicant::{Applicant, Representative};
use crate::dossier::code::DossierCode;
use crate::dossier::correction::{Correction, CorrectionId};
use crate::dossier::workflow::StepKind;

/// An agency as a fact remembers it: its id, and its code and name at the time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgencyRef {
    pub id: AgencyId,
    pub code: AgencyCode,
    pub name: String,
}

/// An official as a fact remembers them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRef {
    pub id: UserId,
    pub name: String,
}

/// A step of the dossier's workflow with its unit resolved (what the dossier follows even if the
/// workflow is edited later).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedStep {
    pub kind: StepKind,
    pub name: String,
    pub role: Role,
    pub agency: AgencyRef,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget: Option<ProcessingTime>,
}

/// The procedure and version a dossier was received under.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcedureRef {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub version_id: i64,
    pub version: u32,
    /// The case (trường hợp) chosen, by name.
    pub case: String,
}

/// A document of the checklist and what was handed in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HandedDocument {
    pub name: String,
    #[serde(default)]
    pub originals: u32,
    #[serde(default)]
    pub copies: u32,
}

/// Where the applicant wants the result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResultDelivery {
    /// Tại Bộ phận Một cửa.
    #[default]
    Desk,
    /// Qua dịch vụ bưu chính công ích.
    Post,
    /// Trực tuyến (bản điện tử, kho dữ liệu).
    Electronic,
}

impl ResultDelivery {
    pub const ALL: [ResultDelivery; 3] = [ResultDelivery::Desk, ResultDelivery::Post, ResultDelivery::Electronic];

    pub fn as_str(self) -> &'static str {
        match self {
            ResultDelivery::Desk => "desk",
            ResultDelivery::Post => "post",
            ResultDelivery::Electronic => "electronic",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ResultDelivery::Desk => "Tại Bộ phận Một cửa",
            ResultDelivery::Post => "Qua dịch vụ bưu chính công ích",
            ResultDelivery::Electronic => "Trực tuyến",
        }
    }

    pub fn parse(s: &str) -> Option<ResultDelivery> {
        ResultDelivery::ALL.into_iter().find(|d| d.as_str() == s.trim())
    }
}

/// How fees were paid: through the DVCQG payment platform (or a gateway linked to it), or
/// otherwise (cash or transfer at the desk). Only the first keeps a dossier "toàn trình".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentMethod {
    /// Thanh toán trực tuyến qua nền tảng thanh toán của Cổng DVC quốc gia.
    Online,
    /// Nộp trực tiếp tại Bộ phận Một cửa (tiền mặt, chuyển khoản).
    Desk,
}

impl PaymentMethod {
    pub const ALL: [PaymentMethod; 2] = [PaymentMethod::Online, PaymentMethod::Desk];

    pub fn as_str(self) -> &'static str {
        match self {
            PaymentMethod::Online => "online",
            PaymentMethod::Desk => "desk",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            PaymentMethod::Online => "Trực tuyến qua nền tảng thanh toán",
            PaymentMethod::Desk => "Trực tiếp tại Bộ phận Một cửa",
        }
    }

    pub fn parse(s: &str) -> Option<PaymentMethod> {
        PaymentMethod::ALL.into_iter().find(|m| m.as_str() == s.trim())
    }
}

/// Postal data of a dossier received by post.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PostalInfo {
    /// Mã vận đơn / số hiệu bưu gửi.
    pub tracking_number: String,
    #[serde(default)]
    pub sender_post_office: Option<String>,
    #[serde(default)]
    pub posted_on: Option<Date>,
}

/// A dossier submitted on the national portal (Cổng DVC quốc gia) and received from it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortalOrigin {
    /// The dossier's code on the portal (MaHoSo): every later exchange about it uses it.
    pub code: String,
    /// When the applicant submitted on the portal (NgayNopHoSo).
    pub submitted_at: Timestamp,
    /// By when the desk must accept, ask for a supplement or refuse it: the close of the
    /// working day it was submitted, or of the next one when it came out of hours.
    pub reception_due_at: Timestamp,
    /// The submitter's account on the portal (MaDoiTuong), when the portal sent it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// The files submitted with it, fetched from the portal and kept by content.
    #[serde(default)]
    pub files: Vec<PortalFile>,
    /// The portal's ids of files not kept (not a PDF or an image): a dossier sent again with
    /// them is not a new supplement.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub refused: Vec<String>,
}

/// A file of a portal dossier (TaiLieuNop), as kept here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortalFile {
    /// The portal's id of the file (TepDinhKemId), which tells a re-sent file from a new one.
    pub portal_id: String,
    pub name: String,
    /// The checklist component it answers (MaThanhPhanHoSo), when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub component: Option<String>,
    /// The stored file.
    pub file_id: i64,
    pub sha256: String,
    /// When it arrived (with the dossier, or later with a supplement).
    pub received_at: Timestamp,
}

/// Everything known when a dossier is submitted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Submission {
    pub channel: Channel,
    pub procedure: ProcedureRef,
    pub receiving: AgencyRef,
    pub applicant: Applicant,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub representative: Option<Representative>,
    #[serde(default)]
    pub documents: Vec<HandedDocument>,
    /// Number of sets (số lượng hồ sơ).
    #[serde(default = "one")]
    pub sets: u32,
    /// Fees as listed for the case, in VND (known amounts only).
    #[serde(default)]
    pub fees_vnd: u64,
    #[serde(default)]
    pub delivery: ResultDelivery,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal: Option<PostalInfo>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// Set when the dossier was submitted on the national portal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub portal: Option<PortalOrigin>,
    /// How the applicant chose to be told of the dossier's progress (absent: not at all).
    #[serde(default, skip_serializing_if = "Notify::is_none")]
    pub notify: Notify,
}

/// The applicant's choice of notices, recorded at intake.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notify {
    #[serde(default)]
    pub email: bool,
    #[serde(default)]
    pub sms: bool,
}

impl Notify {
    pub fn is_none(&self) -> bool {
        !self.email && !self.sms
    }
}

fn one() -> u32 {
    1
}

/// A consultation's identity within its dossier (1, 2, …).
pub type ConsultationId = u32;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EventBody {
    /// Nộp hồ sơ: recorded at the desk, by post or online.
    Submitted(Box<Submission>),
    /// Tiếp nhận: the code is issued and the appointment given.
    Accepted {
        code: DossierCode,
        processing_time: ProcessingTime,
        counting: Counting,
        /// Ngày hẹn trả, as printed on the receipt.
        due_at: Timestamp,
        resolving: AgencyRef,
        steps: Vec<PlannedStep>,
        /// Due instant of the first step, if the workflow is timed.
        #[serde(default)]
        step_due_at: Option<Timestamp>,
        calendar_revision: i64,
    },
    /// Yêu cầu bổ sung: everything missing, listed at once (form 02).
    SupplementRequested {
        items: Vec<String>,
        /// Not the first request during processing: allowed with a reason, counted as late.
        #[serde(default)]
        repeated: bool,
    },
    /// The applicant's supplement arrived; the clock restarts with the deadlines moved by the
    /// paused working time.
    SupplementReceived {
        #[serde(default)]
        due_at: Option<Timestamp>,
        /// A portal dossier supplemented before it was received: by when the desk must now
        /// decide on it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reception_due_at: Option<Timestamp>,
        /// Files the applicant sent with the supplement on the portal.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        files: Vec<PortalFile>,
        /// The portal's ids of the files it brought that were not kept.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        refused: Vec<String>,
        #[serde(default)]
        appointment_at: Option<Timestamp>,
        #[serde(default)]
        step_due_at: Option<Timestamp>,
    },
    /// Từ chối tiếp nhận (form 03).
    Refused {
        reasons: Vec<String>,
    },
    /// Phân công: the current step is given to a person.
    Assigned {
        assignee: UserRef,
    },
    /// Chuyển bước: the current step is done and the next begins.
    Forwarded {
        from: usize,
        to: usize,
        #[serde(default)]
        step_due_at: Option<Timestamp>,
        #[serde(default)]
        assignee: Option<UserRef>,
    },
    /// Trả lại bước trước (with a reason).
    SentBack {
        from: usize,
        to: usize,
        #[serde(default)]
        step_due_at: Option<Timestamp>,
    },
    /// Lấy ý kiến: another agency is asked for its opinion by a date.
    ConsultationRequested {
        id: ConsultationId,
        agency: AgencyRef,
        question: String,
        due_at: Timestamp,
    },
    ConsultationAnswered {
        id: ConsultationId,
        opinion: String,
    },
    /// Yêu cầu thực hiện nghĩa vụ tài chính: the clock stops until paid.
    PaymentRequested {
        items: Vec<String>,
        amount_vnd: u64,
    },
    PaymentReceived {
        #[serde(default)]
        receipt: Option<String>,
        /// Absent on payments recorded before the method was asked (counted as not online).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        method: Option<PaymentMethod>,
        #[serde(default)]
        due_at: Option<Timestamp>,
        #[serde(default)]
        appointment_at: Option<Timestamp>,
        #[serde(default)]
        step_due_at: Option<Timestamp>,
    },
    /// The leader's decision: approve, or reject with reasons (the reason of the event).
    Decided {
        approved: bool,
    },
    /// Ban hành kết quả: number, date, signer and the result document.
    ResultIssued {
        number: String,
        signed_on: Date,
        signer: String,
        #[serde(default)]
        file_id: Option<i64>,
        #[serde(default)]
        file_name: Option<String>,
    },
    /// Trả kết quả: how and to whom the result was handed over.
    ResultReturned {
        delivery: ResultDelivery,
        receiver: String,
    },
    /// The applicant asked to withdraw or stop (status 7).
    WithdrawalRequested,
    /// Dừng xử lý (form 05 when asked by the applicant).
    Stopped {
        at_applicant_request: bool,
    },
    /// Gia hạn: apology letter signed by the head of the agency with a new appointment; the
    /// dossier still counts as late.
    Extended {
        appointment_at: Timestamp,
        signer: String,
    },
    /// Đề nghị đính chính: a recorded fact was wrong; the fix waits for a leader's decision.
    CorrectionRequested {
        id: CorrectionId,
        correction: Correction,
    },
    /// The leader's decision on a correction (the reason is the event's).
    CorrectionDecided {
        id: CorrectionId,
        approved: bool,
    },
}

impl EventBody {
    pub fn kind(&self) -> &'static str {
        match self {
            EventBody::Submitted(_) => "submitted",
            EventBody::Accepted { .. } => "accepted",
            EventBody::SupplementRequested { .. } => "supplement_requested",
            EventBody::SupplementReceived { .. } => "supplement_received",
            EventBody::Refused { .. } => "refused",
            EventBody::Assigned { .. } => "assigned",
            EventBody::Forwarded { .. } => "forwarded",
            EventBody::SentBack { .. } => "sent_back",
            EventBody::ConsultationRequested { .. } => "consultation_requested",
            EventBody::ConsultationAnswered { .. } => "consultation_answered",
            EventBody::PaymentRequested { .. } => "payment_requested",
            EventBody::PaymentReceived { .. } => "payment_received",
            EventBody::Decided { .. } => "decided",
            EventBody::ResultIssued { .. } => "result_issued",
            EventBody::ResultReturned { .. } => "result_returned",
            EventBody::WithdrawalRequested => "withdrawal_requested",
            EventBody::Stopped { .. } => "stopped",
            EventBody::Extended { .. } => "extended",
            EventBody::CorrectionRequested { .. } => "correction_requested",
            EventBody::CorrectionDecided { .. } => "correction_decided",
        }
    }

    /// What the history shows.
    pub fn label(&self) -> &'static str {
        match self {
            EventBody::Submitted(_) => "Nộp hồ sơ",
            EventBody::Accepted { .. } => "Tiếp nhận hồ sơ",
            EventBody::SupplementRequested { .. } => "Yêu cầu bổ sung, hoàn thiện hồ sơ",
            EventBody::SupplementReceived { .. } => "Nhận hồ sơ bổ sung",
            EventBody::Refused { .. } => "Từ chối tiếp nhận",
            EventBody::Assigned { .. } => "Phân công xử lý",
            EventBody::Forwarded { .. } => "Chuyển bước xử lý",
            EventBody::SentBack { .. } => "Trả lại bước trước",
            EventBody::ConsultationRequested { .. } => "Lấy ý kiến",
            EventBody::ConsultationAnswered { .. } => "Trả lời ý kiến",
            EventBody::PaymentRequested { .. } => "Yêu cầu thực hiện nghĩa vụ tài chính",
            EventBody::PaymentReceived { .. } => "Hoàn thành nghĩa vụ tài chính",
            EventBody::Decided { approved: true } => "Phê duyệt",
            EventBody::Decided { approved: false } => "Không phê duyệt",
            EventBody::ResultIssued { .. } => "Ban hành kết quả",
            EventBody::ResultReturned { .. } => "Trả kết quả",
            EventBody::WithdrawalRequested => "Công dân yêu cầu rút hồ sơ",
            EventBody::Stopped { .. } => "Dừng xử lý",
            EventBody::Extended { .. } => "Xin lỗi và gia hạn",
            EventBody::CorrectionRequested { .. } => "Đề nghị đính chính thông tin",
            EventBody::CorrectionDecided { approved: true, .. } => "Duyệt đính chính",
            EventBody::CorrectionDecided { approved: false, .. } => "Không duyệt đính chính",
        }
    }
}

/// Who did it, in which role and unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventActor {
    #[serde(default)]
    pub user_id: Option<UserId>,
    /// Full name, or `system` / `citizen`.
    pub name: String,
    #[serde(default)]
    pub role: Option<Role>,
    #[serde(default)]
    pub unit: Option<AgencyId>,
}

/// A recorded event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DossierEvent {
    /// 1, 2, … within the dossier.
    pub seq: i64,
    pub at: Timestamp,
    pub actor: EventActor,
    pub body: EventBody,
    #[serde(default)]
    pub reason: Option<String>,
    /// The client's id of the request that caused it: a retry with the same id has no effect.
    #[serde(default)]
    pub client_txn_id: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

/// SHA-256 over the event as stored (length-prefixed fields; actor and body as the JSON text
/// kept in the database) and the previous event's hash: the events of a dossier form a chain,
/// so an edited or deleted fact is detectable.
#[expect(clippy::too_many_arguments, reason = "one argument per hashed column keeps the encoding explicit")]
pub fn event_hash(
    dossier_id: i64,
    seq: i64,
    at: Timestamp,
    actor_json: &str,
    body_json: &str,
    reason: Option<&str>,
    client_txn_id: Option<&str>,
    prev_hash: &str,
) -> String {
    let mut h = Sha256::new();
    let mut field = |bytes: Option<&[u8]>| match bytes {
        None => h.update([0u8]),
        Some(b) => {
            h.update([1u8]);
            h.update((b.len() as u64).to_be_bytes());
            h.update(b);
        }
    };
    field(Some(b"motcua-dossier-event-v1"));
    field(Some(&dossier_id.to_be_bytes()));
    field(Some(&seq.to_be_bytes()));
    field(Some(&at.as_microsecond().to_be_bytes()));
    field(Some(actor_json.as_bytes()));
    field(Some(body_json.as_bytes()));
    field(reason.map(str::as_bytes));
    field(client_txn_id.map(str::as_bytes));
    field(Some(prev_hash.as_bytes()));
    hex::encode(h.finalize())
}

/// A desk submission of `1.001193` at the commune `H99.301`, for tests.
#[cfg(test)]
pub(crate) fn sample_submission(receiving: AgencyRef) -> Submission {
    Submission {
        channel: Channel::Desk,
        procedure: ProcedureRef {
            id: 1,
            code: "1.001193".into(),
            name: "Đăng ký khai sinh".into(),
            version_id: 1,
            version: 1,
            case: "Chung".into(),
        },
        receiving,
        applicant: super::applicant::Applicant { full_name: "Nguyễn Văn An".into(), ..Default::default() },
        representative: None,
        documents: vec![],
        sets: 1,
        fees_vnd: 0,
        delivery: ResultDelivery::Desk,
        postal: None,
        notes: None,
        portal: None,
        notify: Notify::default(),
    }
}
