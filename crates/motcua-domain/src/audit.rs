//! The audit log's hash chain.
//!
//! Every entry's hash covers its own fields and the previous entry's hash, so altering any row
//! changes its hash and breaks the link from the next row, and removing a row leaves a gap in the
//! sequence or a broken link. The head (last sequence number and hash) can be written down
//! elsewhere; checking against it also catches removal of the newest rows.

use std::fmt;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The `prev_hash` of the first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The change was made.
    Success,
    /// The actor was not allowed (not signed in, missing permission, out of scope).
    Denied,
    /// The request was refused as invalid or conflicting; nothing changed.
    Rejected,
    /// The server failed; nothing changed.
    Failed,
}

impl Outcome {
    pub const ALL: [Outcome; 4] = [Outcome::Success, Outcome::Denied, Outcome::Rejected, Outcome::Failed];

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::Denied => "denied",
            Outcome::Rejected => "rejected",
            Outcome::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.as_str() == s)
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Outcome::Success => "Thành công",
            Outcome::Denied => "Bị từ chối quyền",
            Outcome::Rejected => "Không hợp lệ",
            Outcome::Failed => "Lỗi hệ thống",
        }
    }

    /// The outcome of an HTTP request from its status code.
    pub fn from_http_status(status: u16) -> Self {
        match status {
            200..=399 => Outcome::Success,
            401 | 403 => Outcome::Denied,
            400..=499 => Outcome::Rejected,
            _ => Outcome::Failed,
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a caller supplies to append one entry; the store assigns `seq`, `prev_hash`, `hash`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEvent {
    pub occurred_at: Timestamp,
    pub actor_user_id: Option<i64>,
    pub actor_username: Option<String>,
    /// Role the actor acted in (the grant that allowed it) or their roles, comma-separated.
    pub actor_role: Option<String>,
    /// The unit of the actor's grant or account.
    pub actor_unit_id: Option<i64>,
    /// Dotted verb, e.g. `agency.create`, `auth.login`.
    pub action: String,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    pub request_id: Option<String>,
    pub outcome: Outcome,
    /// Short JSON or text with the essentials of the change (never passwords or personal data
    /// beyond what identifies the target).
    pub detail: Option<String>,
}

/// An entry as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    pub seq: i64,
    #[serde(flatten)]
    pub event: AuditEvent,
    pub prev_hash: String,
    pub hash: String,
}

/// SHA-256 over a length-prefixed encoding of every field and the previous hash. Length prefixes
/// make the encoding unambiguous: no two different entries serialise to the same bytes.
pub fn entry_hash(seq: i64, event: &AuditEvent, prev_hash: &str) -> String {
    let mut h = Sha256::new();
    let mut field = |bytes: Option<&[u8]>| match bytes {
        None => h.update([0u8]),
        Some(b) => {
            h.update([1u8]);
            h.update((b.len() as u64).to_be_bytes());
            h.update(b);
        }
    };
    field(Some(b"motcua-audit-v1"));
    field(Some(&seq.to_be_bytes()));
    field(Some(&event.occurred_at.as_microsecond().to_be_bytes()));
    field(event.actor_user_id.map(i64::to_be_bytes).as_ref().map(|b| b.as_slice()));
    field(event.actor_username.as_deref().map(str::as_bytes));
    field(event.actor_role.as_deref().map(str::as_bytes));
    field(event.actor_unit_id.map(i64::to_be_bytes).as_ref().map(|b| b.as_slice()));
    field(Some(event.action.as_bytes()));
    field(event.target_type.as_deref().map(str::as_bytes));
    field(event.target_id.as_deref().map(str::as_bytes));
    field(event.request_id.as_deref().map(str::as_bytes));
    field(Some(event.outcome.as_str().as_bytes()));
    field(event.detail.as_deref().map(str::as_bytes));
    field(Some(prev_hash.as_bytes()));
    hex::encode(h.finalize())
}

/// Seals an event as entry number `seq` after an entry whose hash is `prev_hash`.
pub fn seal(seq: i64, event: AuditEvent, prev_hash: &str) -> AuditEntry {
    let hash = entry_hash(seq, &event, prev_hash);
    AuditEntry { seq, event, prev_hash: prev_hash.to_owned(), hash }
}

/// The last verified entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainHead {
    pub seq: i64,
    pub hash: String,
}

impl fmt::Display for ChainHead {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.seq, self.hash)
    }
}

impl ChainHead {
    /// Parses `SEQ:HASH` as printed by [`fmt::Display`].
    pub fn parse(s: &str) -> Option<Self> {
        let (seq, hash) = s.split_once(':')?;
        let seq = seq.parse().ok()?;
        (hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit()))
            .then(|| ChainHead { seq, hash: hash.to_ascii_lowercase() })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainBreak {
    #[error("entry {seq}: expected sequence number {expected} (entries missing or reordered)")]
    Gap { seq: i64, expected: i64 },
    #[error("entry {seq}: prev_hash does not match the hash of entry {prev} (an entry was altered or removed)")]
    BrokenLink { seq: i64, prev: i64 },
    #[error("entry {seq}: stored hash does not match its content (the entry was altered)")]
    Altered { seq: i64 },
    #[error(
        "the log ends at entry {found} but the anchor names entry {anchor} (newest entries were removed or the anchor is from another log)"
    )]
    Truncated { found: i64, anchor: i64 },
    #[error("entry {seq} differs from the anchor's hash (the anchored entry was altered)")]
    AnchorMismatch { seq: i64 },
}

impl ChainBreak {
    /// Sequence number of the first bad entry.
    pub fn seq(&self) -> i64 {
        match self {
            ChainBreak::Gap { seq, .. }
            | ChainBreak::BrokenLink { seq, .. }
            | ChainBreak::Altered { seq }
            | ChainBreak::AnchorMismatch { seq } => *seq,
            ChainBreak::Truncated { found, .. } => *found + 1,
        }
    }
}

/// Walks entries in sequence order, one at a time, so arbitrarily long logs verify in constant
/// memory.
#[derive(Debug, Clone)]
pub struct ChainVerifier {
    expected_seq: i64,
    prev_hash: String,
    anchor: Option<ChainHead>,
    anchor_seen: bool,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        Self::new(None)
    }
}

impl ChainVerifier {
    pub fn new(anchor: Option<ChainHead>) -> Self {
        Self { expected_seq: 1, prev_hash: GENESIS_HASH.to_owned(), anchor, anchor_seen: false }
    }

    /// Continues after an entry verified earlier: the next entry must follow `head`.
    pub fn resume(head: &ChainHead) -> Self {
        Self { expected_seq: head.seq + 1, prev_hash: head.hash.clone(), anchor: None, anchor_seen: false }
    }

    pub fn push(&mut self, entry: &AuditEntry) -> Result<(), ChainBreak> {
        if entry.seq != self.expected_seq {
            return Err(ChainBreak::Gap { seq: entry.seq, expected: self.expected_seq });
        }
        if entry.prev_hash != self.prev_hash {
            return Err(ChainBreak::BrokenLink { seq: entry.seq, prev: entry.seq - 1 });
        }
        if entry_hash(entry.seq, &entry.event, &entry.prev_hash) != entry.hash {
            return Err(ChainBreak::Altered { seq: entry.seq });
        }
        if let Some(anchor) = &self.anchor
            && anchor.seq == entry.seq
        {
            if anchor.hash != entry.hash {
                return Err(ChainBreak::AnchorMismatch { seq: entry.seq });
            }
            self.anchor_seen = true;
        }
        self.expected_seq += 1;
        self.prev_hash = entry.hash.clone();
        Ok(())
    }

    /// Ends the walk; returns the head, or `None` for an empty log.
    pub fn finish(self) -> Result<Option<ChainHead>, ChainBreak> {
        let last = self.expected_seq - 1;
        if let Some(anchor) = &self.anchor
            && !self.anchor_seen
        {
            return Err(ChainBreak::Truncated { found: last, anchor: anchor.seq });
        }
        Ok((last > 0).then_some(ChainHead { seq: last, hash: self.prev_hash }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn event(action: &str, n: i64) -> AuditEvent {
        AuditEvent {
            occurred_at: Timestamp::from_second(1_760_000_000 + n).unwrap(),
            actor_user_id: Some(n),
            actor_username: Some(format!("user{n}")),
            actor_role: Some("admin".into()),
            actor_unit_id: Some(1),
            action: action.into(),
            target_type: Some("agency".into()),
            target_id: Some(n.to_string()),
            request_id: Some(format!("req-{n}")),
            outcome: Outcome::Success,
            detail: None,
        }
    }

    fn chain(n: i64) -> Vec<AuditEntry> {
        let mut prev = GENESIS_HASH.to_owned();
        (1..=n)
            .map(|i| {
                let e = seal(i, event("agency.update", i), &prev);
                prev = e.hash.clone();
                e
            })
            .collect()
    }

    fn verify(entries: &[AuditEntry], anchor: Option<ChainHead>) -> Result<Option<ChainHead>, ChainBreak> {
        let mut v = ChainVerifier::new(anchor);
        for e in entries {
            v.push(e)?;
        }
        v.finish()
    }

    #[test]
    fn verification_resumes_after_a_verified_head() {
        let c = chain(5);
        let mut v = ChainVerifier::resume(&ChainHead { seq: 2, hash: c[1].hash.clone() });
        for e in &c[2..] {
            v.push(e).unwrap();
        }
        assert_eq!(v.finish().unwrap().unwrap().seq, 5);
        // An entry that does not follow the verified head is a break.
        let mut v = ChainVerifier::resume(&ChainHead { seq: 2, hash: c[0].hash.clone() });
        assert_eq!(v.push(&c[2]), Err(ChainBreak::BrokenLink { seq: 3, prev: 2 }));
        let mut v = ChainVerifier::resume(&ChainHead { seq: 3, hash: c[2].hash.clone() });
        assert_eq!(v.push(&c[4]), Err(ChainBreak::Gap { seq: 5, expected: 4 }));
    }

    #[test]
    fn an_intact_chain_verifies() {
        let c = chain(5);
        let head = verify(&c, None).unwrap().unwrap();
        assert_eq!(head.seq, 5);
        assert_eq!(head.hash, c[4].hash);
        assert_eq!(verify(&[], None).unwrap(), None);
    }

    #[test]
    fn altering_a_field_is_caught_at_that_entry() {
        let mut c = chain(5);
        c[2].event.outcome = Outcome::Denied;
        assert_eq!(verify(&c, None), Err(ChainBreak::Altered { seq: 3 }));
    }

    #[test]
    fn rehashing_an_altered_entry_breaks_the_next_link() {
        let mut c = chain(5);
        c[2].event.actor_username = Some("someone-else".into());
        c[2].hash = entry_hash(3, &c[2].event, &c[2].prev_hash);
        assert_eq!(verify(&c, None), Err(ChainBreak::BrokenLink { seq: 4, prev: 3 }));
    }

    #[test]
    fn removing_an_entry_leaves_a_gap() {
        let mut c = chain(5);
        c.remove(1);
        assert_eq!(verify(&c, None), Err(ChainBreak::Gap { seq: 3, expected: 2 }));
        assert_eq!(verify(&c, None).unwrap_err().seq(), 3);
    }

    #[test]
    fn truncation_is_caught_only_with_an_anchor() {
        let c = chain(5);
        let anchor = ChainHead { seq: 5, hash: c[4].hash.clone() };
        assert!(verify(&c[..3], None).is_ok());
        assert_eq!(verify(&c[..3], Some(anchor.clone())), Err(ChainBreak::Truncated { found: 3, anchor: 5 }));
        assert!(verify(&c, Some(anchor)).is_ok());
        // An anchor from another log does not match.
        let foreign = ChainHead { seq: 2, hash: "f".repeat(64) };
        assert_eq!(verify(&c, Some(foreign)), Err(ChainBreak::AnchorMismatch { seq: 2 }));
    }

    #[test]
    fn anchor_text_round_trips() {
        let head = ChainHead { seq: 42, hash: "ab".repeat(32) };
        assert_eq!(ChainHead::parse(&head.to_string()), Some(head));
        assert_eq!(ChainHead::parse("42:xyz"), None);
        assert_eq!(ChainHead::parse("x:".to_owned().as_str()), None);
    }

    #[test]
    fn none_and_empty_hash_differently() {
        let mut a = event("x", 1);
        let mut b = event("x", 1);
        a.detail = None;
        b.detail = Some(String::new());
        assert_ne!(entry_hash(1, &a, GENESIS_HASH), entry_hash(1, &b, GENESIS_HASH));
    }

    #[test]
    fn http_status_maps_to_outcome() {
        assert_eq!(Outcome::from_http_status(201), Outcome::Success);
        assert_eq!(Outcome::from_http_status(303), Outcome::Success);
        assert_eq!(Outcome::from_http_status(403), Outcome::Denied);
        assert_eq!(Outcome::from_http_status(422), Outcome::Rejected);
        assert_eq!(Outcome::from_http_status(503), Outcome::Failed);
        for o in Outcome::ALL {
            assert_eq!(Outcome::parse(o.as_str()), Some(o));
        }
    }

    proptest! {
        /// Moving bytes between adjacent fields changes the hash (length prefixes at work).
        #[test]
        fn field_boundaries_matter(a in "[a-z]{0,6}", b in "[a-z]{0,6}", split in 0usize..6) {
            let joined = format!("{a}{b}");
            let cut = split.min(joined.len());
            let mut e1 = event("x", 1);
            e1.target_type = Some(a.clone());
            e1.target_id = Some(b.clone());
            let mut e2 = event("x", 1);
            e2.target_type = Some(joined[..cut].to_owned());
            e2.target_id = Some(joined[cut..].to_owned());
            let same = e1 == e2;
            prop_assert_eq!(entry_hash(1, &e1, GENESIS_HASH) == entry_hash(1, &e2, GENESIS_HASH), same);
        }

        /// Any single-field change anywhere in a chain is detected.
        #[test]
        fn any_tampering_is_detected(n in 1i64..8, victim in 0usize..8, new_action in "[a-z.]{1,10}") {
            let mut c = chain(n);
            let i = victim % c.len();
            prop_assume!(c[i].event.action != new_action);
            c[i].event.action = new_action;
            prop_assert!(verify(&c, None).is_err());
        }
    }
}
