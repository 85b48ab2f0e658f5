//! A petition's events as stored, and the verification of their hash chain (the same rules as a
//! dossier's: every hash recomputed from the stored texts, every link and number checked, the
//! columns kept for queries agreeing with the texts).

use jiff::Timestamp;

use super::event::{PetitionEvent, petition_event_hash};
use super::state::PetitionState;

/// One event row exactly as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPetitionEvent {
    pub petition_id: i64,
    pub seq: i64,
    pub at: Timestamp,
    pub kind: String,
    pub actor_user_id: Option<i64>,
    pub actor_json: String,
    pub body_json: String,
    pub prev_hash: String,
    pub hash: String,
}

/// What is wrong with a petition's stored history.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PetitionBreak {
    #[error("phản ánh không có sự kiện nào")]
    NoEvents,
    #[error("sự kiện {seq}: số thứ tự phải là {expected} (thiếu hoặc đảo sự kiện)")]
    Gap { seq: i64, expected: i64 },
    #[error("sự kiện {seq}: prev_hash không khớp mã băm của sự kiện trước (một sự kiện đã bị sửa hoặc xóa)")]
    BrokenLink { seq: i64 },
    #[error("sự kiện {seq}: mã băm lưu không khớp nội dung (sự kiện đã bị sửa)")]
    Altered { seq: i64 },
    #[error("sự kiện {seq}: cột {column} không khớp nội dung đã băm")]
    ColumnMismatch { seq: i64, column: &'static str },
    #[error("sự kiện {seq}: nội dung không đọc được ({reason})")]
    Unreadable { seq: i64, reason: String },
    #[error("lịch sử không hợp lệ: {0}")]
    Impossible(String),
    #[error("dòng phản ánh không khớp lịch sử sự kiện: {0}")]
    RowMismatch(&'static str),
}

/// Checks a petition's stored events in order; the events and the state they fold to.
pub fn verify(
    petition_id: i64,
    stored: &[StoredPetitionEvent],
) -> Result<(Vec<PetitionEvent>, PetitionState), PetitionBreak> {
    if stored.is_empty() {
        return Err(PetitionBreak::NoEvents);
    }
    let mut prev = String::new();
    let mut events = Vec::with_capacity(stored.len());
    for (i, e) in stored.iter().enumerate() {
        let expected = i as i64 + 1;
        if e.seq != expected {
            return Err(PetitionBreak::Gap { seq: e.seq, expected });
        }
        if e.prev_hash != prev {
            return Err(PetitionBreak::BrokenLink { seq: e.seq });
        }
        if petition_event_hash(petition_id, e.seq, e.at, &e.actor_json, &e.body_json, &e.prev_hash) != e.hash {
            return Err(PetitionBreak::Altered { seq: e.seq });
        }
        let unreadable = |err: serde_json::Error| PetitionBreak::Unreadable { seq: e.seq, reason: err.to_string() };
        let actor: crate::dossier::EventActor = serde_json::from_str(&e.actor_json).map_err(unreadable)?;
        let body: super::PetitionEventBody = serde_json::from_str(&e.body_json).map_err(unreadable)?;
        if body.kind() != e.kind {
            return Err(PetitionBreak::ColumnMismatch { seq: e.seq, column: "kind" });
        }
        if actor.user_id.map(|u| u.0) != e.actor_user_id {
            return Err(PetitionBreak::ColumnMismatch { seq: e.seq, column: "actor_user_id" });
        }
        prev = e.hash.clone();
        events.push(PetitionEvent {
            seq: e.seq,
            at: e.at,
            actor,
            body,
            prev_hash: e.prev_hash.clone(),
            hash: e.hash.clone(),
        });
    }
    let state = PetitionState::fold(petition_id, &events).map_err(|e| PetitionBreak::Impossible(e.to_string()))?;
    Ok((events, state))
}
