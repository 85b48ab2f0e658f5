//! What happened to a petition, as facts appended one after another. Each event's hash covers
//! the stored texts and the previous hash, as a dossier's do (`dossier::event`).

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{PetitionChannel, PetitionKind, PortalReference};
use crate::dossier::EventActor;
use crate::dossier::event::{AgencyRef, UserRef};

/// Who sent the petition. The law requires name, address and a contact to process it; none of
/// it is ever shown publicly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Petitioner {
    pub name: String,
    pub address: String,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    /// An organisation sending it, when not a private person.
    #[serde(default)]
    pub organisation: Option<String>,
}

/// A file sent with the petition (kept in the file store like a dossier's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    pub file_id: i64,
    pub name: String,
    pub content_type: String,
    pub size: i64,
}

/// One move of a petition between agencies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Forward {
    pub at: Timestamp,
    pub from: AgencyRef,
    pub to: AgencyRef,
    pub reason: String,
    pub by: Option<String>,
}

// A petition has a handful of events, each read whole; boxing the receipt would buy nothing.
#[expect(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PetitionEventBody {
    /// The petition is received and numbered.
    Received {
        code: String,
        agency: AgencyRef,
        channel: PetitionChannel,
        /// What the petitioner said it is about; the officer classifies it later if not given.
        #[serde(default)]
        petition_kind: Option<PetitionKind>,
        subject: String,
        content: String,
        petitioner: Petitioner,
        #[serde(default)]
        procedure_code: Option<String>,
        #[serde(default)]
        dossier_code: Option<String>,
        /// The published petition this one raises again ("nêu lại").
        #[serde(default)]
        reraise_of: Option<String>,
        #[serde(default)]
        attachments: Vec<Attachment>,
        /// The petitioner agreed to be told by e-mail / by SMS.
        #[serde(default)]
        notify_email: bool,
        #[serde(default)]
        notify_sms: bool,
        /// Forwarded by the national portal: its reference and the times its clocks count from.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        portal: Option<PortalReference>,
    },
    /// Not within the agency's competence or not a valid petition; the reasons go to the petitioner.
    Refused { reason: String },
    /// More information asked of the petitioner; the answer clock stops.
    InfoRequested { request: String },
    /// The petitioner's information arrived; the clock runs again.
    InfoReceived { note: String },
    /// Classified and given to an official to prepare the answer.
    Assigned {
        petition_kind: PetitionKind,
        assignee: UserRef,
        #[serde(default)]
        field: Option<String>,
    },
    /// Sent to the competent agency, whose clock starts afresh.
    Forwarded { from: AgencyRef, to: AgencyRef, reason: String },
    /// A draft answer submitted for the leader's approval.
    Drafted { answer: String },
    /// The leader sent the draft back.
    DraftReturned { reason: String },
    /// The leader approved the answer: the petition is resolved and waits to be published.
    Approved {
        answer: String,
        #[serde(default)]
        opinion: Option<String>,
    },
    /// The answer is on the public page.
    Published,
}

impl PetitionEventBody {
    pub fn kind(&self) -> &'static str {
        match self {
            PetitionEventBody::Received { .. } => "received",
            PetitionEventBody::Refused { .. } => "refused",
            PetitionEventBody::InfoRequested { .. } => "info_requested",
            PetitionEventBody::InfoReceived { .. } => "info_received",
            PetitionEventBody::Assigned { .. } => "assigned",
            PetitionEventBody::Forwarded { .. } => "forwarded",
            PetitionEventBody::Drafted { .. } => "drafted",
            PetitionEventBody::DraftReturned { .. } => "draft_returned",
            PetitionEventBody::Approved { .. } => "approved",
            PetitionEventBody::Published => "published",
        }
    }

    /// What the event is called in the petition's history.
    pub fn label(&self) -> &'static str {
        match self {
            PetitionEventBody::Received { .. } => "Tiếp nhận phản ánh, kiến nghị",
            PetitionEventBody::Refused { .. } => "Từ chối tiếp nhận",
            PetitionEventBody::InfoRequested { .. } => "Đề nghị bổ sung thông tin",
            PetitionEventBody::InfoReceived { .. } => "Đã nhận thông tin bổ sung",
            PetitionEventBody::Assigned { .. } => "Phân loại, giao xử lý",
            PetitionEventBody::Forwarded { .. } => "Chuyển cơ quan có thẩm quyền",
            PetitionEventBody::Drafted { .. } => "Trình dự thảo trả lời",
            PetitionEventBody::DraftReturned { .. } => "Trả lại dự thảo",
            PetitionEventBody::Approved { .. } => "Duyệt trả lời",
            PetitionEventBody::Published => "Công khai kết quả trả lời",
        }
    }
}

/// A recorded event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PetitionEvent {
    /// 1, 2, … within the petition.
    pub seq: i64,
    pub at: Timestamp,
    pub actor: EventActor,
    pub body: PetitionEventBody,
    pub prev_hash: String,
    pub hash: String,
}

/// SHA-256 over the event as stored (length-prefixed fields; actor and body as the JSON texts
/// kept in the database), chained to the previous event's hash.
pub fn petition_event_hash(
    petition_id: i64,
    seq: i64,
    at: Timestamp,
    actor_json: &str,
    body_json: &str,
    prev_hash: &str,
) -> String {
    let mut h = Sha256::new();
    for field in [
        &b"motcua-petition-event-v1"[..],
        &petition_id.to_be_bytes(),
        &seq.to_be_bytes(),
        &at.as_microsecond().to_be_bytes(),
        actor_json.as_bytes(),
        body_json.as_bytes(),
        prev_hash.as_bytes(),
    ] {
        h.update((field.len() as u64).to_be_bytes());
        h.update(field);
    }
    hex::encode(h.finalize())
}

/// The texts and hash of the next event, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedEvent {
    pub seq: i64,
    pub at: Timestamp,
    pub kind: &'static str,
    pub actor_user_id: Option<i64>,
    pub actor_json: String,
    pub body_json: String,
    pub prev_hash: String,
    pub hash: String,
}

/// Seals an event after `prev` (the previous event's seq and hash; `None` for the first).
pub fn seal(
    petition_id: i64,
    prev: Option<(i64, &str)>,
    at: Timestamp,
    actor: &EventActor,
    body: &PetitionEventBody,
) -> SealedEvent {
    let (seq, prev_hash) = prev.map_or((1, String::new()), |(s, h)| (s + 1, h.to_owned()));
    let actor_json = serde_json::to_string(actor).expect("an actor serializes");
    let body_json = serde_json::to_string(body).expect("a body serializes");
    let hash = petition_event_hash(petition_id, seq, at, &actor_json, &body_json, &prev_hash);
    SealedEvent {
        seq,
        at,
        kind: body.kind(),
        actor_user_id: actor.user_id.map(|u| u.0),
        actor_json,
        body_json,
        prev_hash,
        hash,
    }
}
