//! A dossier's events as stored, and the verification of their hash chain.
//!
//! Each event's hash covers the exact texts kept in the database (actor and body as JSON) and
//! the previous event's hash. Verification recomputes every hash from those texts, checks each
//! link and the numbering, and that the columns kept beside the texts for queries (`kind`,
//! `actor_user_id`) agree with them. A head verified earlier (seq and hash, kept elsewhere and
//! authenticated by an anchor) also catches a tail that was removed, or rewritten with freshly
//! computed plain hashes.

use jiff::Timestamp;

use super::event::{DossierEvent, EventActor, EventBody, event_hash};

/// The `prev_hash` of a dossier's first event: the empty text (the audit log's chain starts
/// from zeros instead; each chain keeps the convention it was written with).
pub const DOSSIER_GENESIS: &str = "";

/// One event row exactly as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvent {
    pub dossier_id: i64,
    pub seq: i64,
    pub at: Timestamp,
    /// Kept for queries; must name the body's kind.
    pub kind: String,
    /// Kept for queries; must be the actor's user.
    pub actor_user_id: Option<i64>,
    pub actor_json: String,
    pub body_json: String,
    pub reason: Option<String>,
    pub client_txn_id: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

/// The last event of a dossier that was verified: its number and hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedHead {
    pub seq: i64,
    pub hash: String,
}

/// What is wrong with a dossier's stored history.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DossierBreak {
    #[error("hồ sơ không có sự kiện nào")]
    NoEvents,
    #[error("số thứ tự phải là {expected} (thiếu hoặc đảo sự kiện)")]
    Gap { seq: i64, expected: i64 },
    #[error("prev_hash không khớp mã băm của sự kiện trước (một sự kiện đã bị sửa hoặc xóa)")]
    BrokenLink { seq: i64 },
    #[error("mã băm lưu không khớp nội dung (sự kiện đã bị sửa)")]
    Altered { seq: i64 },
    #[error("cột {column} không khớp nội dung đã băm")]
    ColumnMismatch { seq: i64, column: &'static str },
    #[error("nội dung không đọc được ({reason})")]
    Unreadable { seq: i64, reason: String },
    #[error(
        "không còn: lịch sử dừng ở sự kiện {found} nhưng đã được xác minh tới sự kiện {verified} (các sự kiện mới nhất đã bị xóa)"
    )]
    Truncated { found: i64, verified: i64 },
    #[error("khác mã băm đã được xác minh (lịch sử đã bị viết lại)")]
    HeadMismatch { seq: i64 },
    #[error("dòng hồ sơ không khớp lịch sử sự kiện: {field}")]
    RowMismatch { field: String },
    #[error("hồ sơ đã được xác minh nhưng không còn trong cơ sở dữ liệu")]
    Missing,
}

impl DossierBreak {
    /// The sequence number of the first bad event, when one is known.
    pub fn seq(&self) -> Option<i64> {
        match self {
            DossierBreak::Gap { seq, .. }
            | DossierBreak::BrokenLink { seq }
            | DossierBreak::Altered { seq }
            | DossierBreak::ColumnMismatch { seq, .. }
            | DossierBreak::Unreadable { seq, .. }
            | DossierBreak::HeadMismatch { seq } => Some(*seq),
            DossierBreak::Truncated { found, .. } => Some(found + 1),
            DossierBreak::NoEvents | DossierBreak::RowMismatch { .. } | DossierBreak::Missing => None,
        }
    }
}

impl StoredEvent {
    /// The row of an event about to be stored, with the texts its hash was computed over.
    pub fn of(dossier_id: i64, e: &DossierEvent) -> Result<Self, serde_json::Error> {
        Ok(StoredEvent {
            dossier_id,
            seq: e.seq,
            at: e.at,
            kind: e.body.kind().to_owned(),
            actor_user_id: e.actor.user_id.map(|u| u.0),
            actor_json: serde_json::to_string(&e.actor)?,
            body_json: serde_json::to_string(&e.body)?,
            reason: e.reason.clone(),
            client_txn_id: e.client_txn_id.clone(),
            prev_hash: e.prev_hash.clone(),
            hash: e.hash.clone(),
        })
    }

    /// The hash the stored content gives.
    pub fn seal(&self) -> String {
        event_hash(
            self.dossier_id,
            self.seq,
            self.at,
            &self.actor_json,
            &self.body_json,
            self.reason.as_deref(),
            self.client_txn_id.as_deref(),
            &self.prev_hash,
        )
    }

    /// Whether the stored hash is the hash of the stored content: one hash, cheap enough to
    /// check on the head before every change.
    pub fn seal_holds(&self) -> bool {
        self.seal() == self.hash
    }

    /// The event its texts describe; the query columns must agree with them.
    pub fn parse(&self) -> Result<DossierEvent, DossierBreak> {
        let unreadable = |e: serde_json::Error| DossierBreak::Unreadable { seq: self.seq, reason: e.to_string() };
        let actor: EventActor = serde_json::from_str(&self.actor_json).map_err(unreadable)?;
        let body: EventBody = serde_json::from_str(&self.body_json).map_err(unreadable)?;
        if body.kind() != self.kind {
            return Err(DossierBreak::ColumnMismatch { seq: self.seq, column: "kind" });
        }
        if actor.user_id.map(|u| u.0) != self.actor_user_id {
            return Err(DossierBreak::ColumnMismatch { seq: self.seq, column: "actor_user_id" });
        }
        Ok(DossierEvent {
            seq: self.seq,
            at: self.at,
            actor,
            body,
            reason: self.reason.clone(),
            client_txn_id: self.client_txn_id.clone(),
            prev_hash: self.prev_hash.clone(),
            hash: self.hash.clone(),
        })
    }
}

/// Verifies a dossier's whole history (oldest first): numbering from 1, every hash, every link,
/// the query columns; against `verified`, that the verified event is still there unchanged.
/// Returns the parsed events.
pub fn verify_chain(
    events: &[StoredEvent],
    verified: Option<&VerifiedHead>,
) -> Result<Vec<DossierEvent>, DossierBreak> {
    if events.is_empty() {
        return Err(match verified {
            Some(v) => DossierBreak::Truncated { found: 0, verified: v.seq },
            None => DossierBreak::NoEvents,
        });
    }
    let mut prev = DOSSIER_GENESIS;
    let mut out = Vec::with_capacity(events.len());
    for (i, e) in events.iter().enumerate() {
        let expected = i as i64 + 1;
        if e.seq != expected {
            return Err(DossierBreak::Gap { seq: e.seq, expected });
        }
        if e.prev_hash != prev {
            return Err(DossierBreak::BrokenLink { seq: e.seq });
        }
        if !e.seal_holds() {
            return Err(DossierBreak::Altered { seq: e.seq });
        }
        out.push(e.parse()?);
        prev = &e.hash;
    }
    if let Some(v) = verified {
        let last = events.len() as i64;
        if last < v.seq {
            return Err(DossierBreak::Truncated { found: last, verified: v.seq });
        }
        if events[(v.seq - 1).max(0) as usize].hash != v.hash {
            return Err(DossierBreak::HeadMismatch { seq: v.seq });
        }
    }
    Ok(out)
}

/// The cheap check before a change: the head's own seal and link, the numbering, and the head
/// verified earlier still in place; then the parsed events. A history altered anywhere but at
/// its head with freshly recomputed hashes passes this and is left to the full verification
/// and the checkpoint.
pub fn check_head(events: &[StoredEvent], verified: Option<&VerifiedHead>) -> Result<Vec<DossierEvent>, DossierBreak> {
    let Some(last) = events.last() else {
        return Err(match verified {
            Some(v) => DossierBreak::Truncated { found: 0, verified: v.seq },
            None => DossierBreak::NoEvents,
        });
    };
    if let Some((i, e)) = events.iter().enumerate().find(|(i, e)| e.seq != *i as i64 + 1) {
        return Err(DossierBreak::Gap { seq: e.seq, expected: i as i64 + 1 });
    }
    if !last.seal_holds() {
        return Err(DossierBreak::Altered { seq: last.seq });
    }
    let before = events.len().checked_sub(2).map_or(DOSSIER_GENESIS, |i| events[i].hash.as_str());
    if last.prev_hash != before {
        return Err(DossierBreak::BrokenLink { seq: last.seq });
    }
    if let Some(v) = verified {
        if last.seq < v.seq {
            return Err(DossierBreak::Truncated { found: last.seq, verified: v.seq });
        }
        if events[(v.seq - 1).max(0) as usize].hash != v.hash {
            return Err(DossierBreak::HeadMismatch { seq: v.seq });
        }
    }
    events.iter().map(StoredEvent::parse).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn submitted() -> EventBody {
        let receiving = crate::dossier::event::AgencyRef {
            id: crate::agency::AgencyId(5),
            code: crate::agency::AgencyCode::parse("H99.301").unwrap(),
            name: "UBND xã".into(),
        };
        EventBody::Submitted(Box::new(crate::dossier::event::sample_submission(receiving)))
    }

    /// A chain of `n` sealed events of dossier 7.
    fn chain(n: usize) -> Vec<StoredEvent> {
        let actor =
            EventActor { user_id: Some(crate::account::UserId(3)), name: "Cán bộ".into(), role: None, unit: None };
        let mut prev = DOSSIER_GENESIS.to_owned();
        let mut out = Vec::new();
        for i in 0..n {
            let body = if i == 0 {
                submitted()
            } else {
                EventBody::SupplementReceived {
                    due_at: None,
                    reception_due_at: None,
                    files: Vec::new(),
                    refused: Vec::new(),
                    appointment_at: None,
                    step_due_at: None,
                }
            };
            let at = Timestamp::from_second(1_800_000_000 + i as i64).unwrap();
            let (actor_json, body_json) =
                (serde_json::to_string(&actor).unwrap(), serde_json::to_string(&body).unwrap());
            let seq = i as i64 + 1;
            let hash = event_hash(7, seq, at, &actor_json, &body_json, None, None, &prev);
            out.push(StoredEvent {
                dossier_id: 7,
                seq,
                at,
                kind: body.kind().to_owned(),
                actor_user_id: Some(3),
                actor_json,
                body_json,
                reason: None,
                client_txn_id: None,
                prev_hash: prev.clone(),
                hash: hash.clone(),
            });
            prev = hash;
        }
        out
    }

    /// Recomputes every hash from `from` on, as someone with write access and no key could.
    fn reseal(events: &mut [StoredEvent], from: usize) {
        for i in from..events.len() {
            if i > 0 {
                events[i].prev_hash = events[i - 1].hash.clone();
            }
            events[i].hash = events[i].seal();
        }
    }

    #[test]
    fn an_intact_chain_verifies_and_parses() {
        let c = chain(4);
        let events = verify_chain(&c, None).unwrap();
        assert_eq!(events.len(), 4);
        let head = VerifiedHead { seq: 4, hash: c[3].hash.clone() };
        assert!(verify_chain(&c, Some(&head)).is_ok());
        // A verified head in the middle: the chain may have grown since.
        let mid = VerifiedHead { seq: 2, hash: c[1].hash.clone() };
        assert!(verify_chain(&c, Some(&mid)).is_ok());
        assert!(c.iter().all(StoredEvent::seal_holds));
    }

    #[test]
    fn each_kind_of_tampering_is_named() {
        let mut c = chain(4);
        c[1].body_json = c[1].body_json.replace("null", "1800000000");
        assert!(matches!(verify_chain(&c, None), Err(DossierBreak::Altered { seq: 2 })));

        let mut c = chain(4);
        c[0].body_json = c[0].body_json.replace("Nguyễn Văn An", "Nguyễn Văn Bình");
        assert_eq!(verify_chain(&c, None).unwrap_err(), DossierBreak::Altered { seq: 1 });
        assert!(!c[0].seal_holds());

        let mut c = chain(4);
        c.remove(2);
        assert_eq!(verify_chain(&c, None).unwrap_err(), DossierBreak::Gap { seq: 4, expected: 3 });

        let mut c = chain(4);
        c[2].prev_hash = c[0].hash.clone();
        assert_eq!(verify_chain(&c, None).unwrap_err(), DossierBreak::BrokenLink { seq: 3 });

        let mut c = chain(3);
        c[1].kind = "refused".into();
        assert_eq!(verify_chain(&c, None).unwrap_err(), DossierBreak::ColumnMismatch { seq: 2, column: "kind" });

        let mut c = chain(3);
        c[2].actor_user_id = Some(99);
        assert_eq!(
            verify_chain(&c, None).unwrap_err(),
            DossierBreak::ColumnMismatch { seq: 3, column: "actor_user_id" }
        );

        let mut c = chain(2);
        c[1].body_json = "{not json".into();
        reseal(&mut c, 1);
        assert!(matches!(verify_chain(&c, None), Err(DossierBreak::Unreadable { seq: 2, .. })));
        assert!(matches!(verify_chain(&[], None), Err(DossierBreak::NoEvents)));
    }

    #[test]
    fn a_verified_head_catches_what_plain_hashes_cannot() {
        let c = chain(4);
        let head = VerifiedHead { seq: 4, hash: c[3].hash.clone() };
        // The newest event deleted: the rest is a valid chain on its own.
        let truncated = &c[..3];
        assert!(verify_chain(truncated, None).is_ok());
        assert_eq!(
            verify_chain(truncated, Some(&head)).unwrap_err(),
            DossierBreak::Truncated { found: 3, verified: 4 }
        );
        assert_eq!(verify_chain(&[], Some(&head)).unwrap_err(), DossierBreak::Truncated { found: 0, verified: 4 });
        // An early event rewritten and every later hash recomputed.
        let mut rewritten = c.clone();
        rewritten[1].actor_json = rewritten[1].actor_json.replace("Cán bộ", "Người khác");
        reseal(&mut rewritten, 1);
        assert!(verify_chain(&rewritten, None).is_ok(), "plain hashes alone cannot tell");
        assert_eq!(verify_chain(&rewritten, Some(&head)).unwrap_err(), DossierBreak::HeadMismatch { seq: 4 });
    }

    #[test]
    fn the_head_check_catches_a_changed_head_and_a_removed_tail() {
        let c = chain(4);
        let head = VerifiedHead { seq: 3, hash: c[2].hash.clone() };
        assert_eq!(check_head(&c, Some(&head)).unwrap().len(), 4);
        let mut changed = c.clone();
        changed[3].actor_json = changed[3].actor_json.replace("Cán bộ", "Người khác");
        assert_eq!(check_head(&changed, None).unwrap_err(), DossierBreak::Altered { seq: 4 });
        // The newest event deleted (and the row's last_seq lowered): only the verified head
        // tells.
        let full = VerifiedHead { seq: 4, hash: c[3].hash.clone() };
        assert!(check_head(&c[..3], None).is_ok());
        assert_eq!(check_head(&c[..3], Some(&full)).unwrap_err(), DossierBreak::Truncated { found: 3, verified: 4 });
        let mut gap = c.clone();
        gap.remove(1);
        assert!(matches!(check_head(&gap, None), Err(DossierBreak::Gap { seq: 3, expected: 2 })));
        assert_eq!(check_head(&[], Some(&full)).unwrap_err(), DossierBreak::Truncated { found: 0, verified: 4 });
    }

    proptest! {
        /// Any change of any stored text or hash of an intact chain is caught, with or
        /// without a verified head.
        #[test]
        fn any_single_change_is_caught(n in 1usize..6, at in 0usize..6, field in 0usize..5, byte in 0usize..200) {
            let mut c = chain(n);
            let i = at % n;
            let flip = |s: &mut String| {
                let mut b = s.clone().into_bytes();
                if b.is_empty() {
                    s.push('0');
                    return;
                }
                let k = byte % b.len();
                b[k] = if b[k] == b'0' { b'1' } else { b'0' };
                *s = String::from_utf8_lossy(&b).into_owned();
            };
            match field {
                0 => flip(&mut c[i].actor_json),
                1 => flip(&mut c[i].body_json),
                2 => flip(&mut c[i].hash),
                3 => flip(&mut c[i].prev_hash),
                _ => c[i].at = c[i].at.checked_add(jiff::SignedDuration::from_micros(1)).unwrap(),
            }
            let head = VerifiedHead { seq: n as i64, hash: chain(n)[n - 1].hash.clone() };
            prop_assert!(verify_chain(&c, Some(&head)).is_err());
        }
    }
}
