//! Anchors: checkpoints of every hash chain, authenticated with a key that is not in the
//! database.
//!
//! Plain hash chains show that a history was changed only to someone who kept an earlier hash:
//! whoever can write the database can delete the newest entries, or rewrite an entry and
//! recompute every later hash. An anchor records, at one instant, the audit log's head and a
//! digest over the verified head (number and hash) of every dossier, and carries an
//! HMAC-SHA-256 over those facts and the previous anchor's MAC under a key from configuration.
//! Without the key nobody can make an anchor that verifies, so a tail removed or rewritten
//! before the newest anchor is detected; anchors chain, so removing anchors leaves a gap or is
//! seen against a copy exported elsewhere.

use std::fmt;

use hmac::{KeyInit, Mac};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The `prev_mac` of the first anchor.
pub const GENESIS_MAC: &str = "0000000000000000000000000000000000000000000000000000000000000000";

type HmacSha256 = hmac::Hmac<sha2_mac::Sha256>;

/// The secret that authenticates anchors. Never stored in the database; printed nowhere.
#[derive(Clone, PartialEq, Eq)]
pub struct AnchorKey(Vec<u8>);

impl fmt::Debug for AnchorKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AnchorKey({})", self.id())
    }
}

impl AnchorKey {
    /// At least 256 bits.
    pub const MIN_BYTES: usize = 32;

    /// A key as configured: 64 or more hexadecimal digits, or any text of at least 32 bytes.
    pub fn parse(s: &str) -> Result<Self, String> {
        let s = s.trim();
        let bytes = match hex::decode(s) {
            Ok(b) if s.len() >= 2 * Self::MIN_BYTES => b,
            _ => s.as_bytes().to_vec(),
        };
        if bytes.len() < Self::MIN_BYTES {
            return Err(format!(
                "khóa neo phải dài ít nhất {} byte (64 chữ số thập lục phân hoặc 32 ký tự trở lên)",
                Self::MIN_BYTES
            ));
        }
        Ok(Self(bytes))
    }

    /// A key from fresh random bytes (the caller draws them: this crate does no IO).
    pub fn from_random(bytes: [u8; 32]) -> Self {
        Self(bytes.to_vec())
    }

    pub fn to_hex(&self) -> String {
        hex::encode(&self.0)
    }

    /// A short public name of the key, recorded in each anchor so that a verifier can tell
    /// "another key" from "forged". Derived one way: it reveals nothing of the key.
    pub fn id(&self) -> String {
        let mut h = Sha256::new();
        h.update(b"motcua-anchor-key-id-v1");
        h.update(&self.0);
        hex::encode(&h.finalize()[..8])
    }

    fn mac(&self) -> HmacSha256 {
        <HmacSha256 as KeyInit>::new_from_slice(&self.0).expect("HMAC takes keys of any length")
    }
}

/// Why an anchor was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnchorReason {
    /// The periodic checkpoint job.
    Periodic,
    /// The server stopping.
    Shutdown,
    /// An operator (`motcua audit anchor`).
    Manual,
}

impl AnchorReason {
    pub fn as_str(self) -> &'static str {
        match self {
            AnchorReason::Periodic => "periodic",
            AnchorReason::Shutdown => "shutdown",
            AnchorReason::Manual => "manual",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [AnchorReason::Periodic, AnchorReason::Shutdown, AnchorReason::Manual].into_iter().find(|r| r.as_str() == s)
    }
}

/// The facts an anchor vouches for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnchorFacts {
    pub at: Timestamp,
    pub reason: AnchorReason,
    /// The audit log's head: entry number and hash (0 and the genesis hash when empty).
    pub audit_seq: i64,
    pub audit_hash: String,
    /// How many dossiers the digest covers, and the digest over their verified heads.
    pub dossiers: i64,
    pub heads_digest: String,
}

/// One checkpoint, as stored and as exported (one JSON line each).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Anchor {
    pub seq: i64,
    #[serde(flatten)]
    pub facts: AnchorFacts,
    pub key_id: String,
    pub prev_mac: String,
    pub mac: String,
}

impl Anchor {
    /// Seals `facts` as the anchor after `prev` (or the first one).
    pub fn seal(key: &AnchorKey, facts: AnchorFacts, prev: Option<&Anchor>) -> Anchor {
        let mut a = Anchor {
            seq: prev.map_or(1, |p| p.seq + 1),
            facts,
            key_id: key.id(),
            prev_mac: prev.map_or_else(|| GENESIS_MAC.to_owned(), |p| p.mac.clone()),
            mac: String::new(),
        };
        let mut m = key.mac();
        m.update(&a.encoding());
        a.mac = hex::encode(m.finalize().into_bytes());
        a
    }

    /// Whether the MAC is this key's over this content (in constant time).
    pub fn holds(&self, key: &AnchorKey) -> bool {
        let Ok(expected) = hex::decode(&self.mac) else { return false };
        let mut m = key.mac();
        m.update(&self.encoding());
        m.verify_slice(&expected).is_ok()
    }

    /// A length-prefixed encoding of every field but the MAC: unambiguous, so no two anchors
    /// share one.
    fn encoding(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(400);
        let mut field = |b: &[u8]| {
            out.extend_from_slice(&(b.len() as u64).to_be_bytes());
            out.extend_from_slice(b);
        };
        field(b"motcua-anchor-v1");
        field(&self.seq.to_be_bytes());
        let f = &self.facts;
        field(&f.at.as_microsecond().to_be_bytes());
        field(f.reason.as_str().as_bytes());
        field(&f.audit_seq.to_be_bytes());
        field(f.audit_hash.as_bytes());
        field(&f.dossiers.to_be_bytes());
        field(f.heads_digest.as_bytes());
        field(self.key_id.as_bytes());
        field(self.prev_mac.as_bytes());
        out
    }

    /// One line of the export file.
    pub fn to_line(&self) -> String {
        serde_json::to_string(self).expect("an anchor serialises")
    }

    pub fn from_line(line: &str) -> Result<Anchor, String> {
        serde_json::from_str(line).map_err(|e| e.to_string())
    }
}

/// A digest over the verified heads of every dossier, fed in ascending dossier id, in constant
/// memory.
#[derive(Debug, Clone)]
pub struct HeadsDigest {
    hash: Sha256,
    count: i64,
}

impl Default for HeadsDigest {
    fn default() -> Self {
        let mut hash = Sha256::new();
        hash.update(b"motcua-dossier-heads-v1");
        Self { hash, count: 0 }
    }
}

impl HeadsDigest {
    pub fn push(&mut self, dossier_id: i64, seq: i64, hash: &str) {
        self.hash.update(dossier_id.to_be_bytes());
        self.hash.update(seq.to_be_bytes());
        self.hash.update((hash.len() as u64).to_be_bytes());
        self.hash.update(hash.as_bytes());
        self.count += 1;
    }

    /// The number of heads and the digest.
    pub fn finish(self) -> (i64, String) {
        (self.count, hex::encode(self.hash.finalize()))
    }
}

/// What is wrong with the chain of anchors.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnchorBreak {
    #[error("neo số {seq}: số thứ tự phải là {expected} (thiếu hoặc đảo neo)")]
    Gap { seq: i64, expected: i64 },
    #[error("neo số {seq}: không nối với neo trước (neo đã bị xóa hoặc thay)")]
    BrokenLink { seq: i64 },
    #[error("neo số {seq}: mã xác thực sai (neo bị sửa hoặc giả mạo)")]
    Forged { seq: i64 },
    #[error("neo số {seq} được ký bằng khóa {key_id}, không phải khóa đang cấu hình")]
    OtherKey { seq: i64, key_id: String },
    #[error(
        "neo số {seq} của bản sao xuất ra không có hoặc khác trong cơ sở dữ liệu (các neo mới nhất đã bị xóa hoặc sửa)"
    )]
    MissingFromDatabase { seq: i64 },
}

/// Walks anchors in order, one at a time: numbering, links and MACs.
#[derive(Debug, Clone)]
pub struct AnchorVerifier<'k> {
    key: &'k AnchorKey,
    last: Option<Anchor>,
}

impl<'k> AnchorVerifier<'k> {
    pub fn new(key: &'k AnchorKey) -> Self {
        Self { key, last: None }
    }

    pub fn push(&mut self, a: &Anchor) -> Result<(), AnchorBreak> {
        let expected = self.last.as_ref().map_or(1, |l| l.seq + 1);
        if a.seq != expected {
            return Err(AnchorBreak::Gap { seq: a.seq, expected });
        }
        let prev = self.last.as_ref().map_or(GENESIS_MAC, |l| l.mac.as_str());
        if a.prev_mac != prev {
            return Err(AnchorBreak::BrokenLink { seq: a.seq });
        }
        if a.key_id != self.key.id() {
            return Err(AnchorBreak::OtherKey { seq: a.seq, key_id: a.key_id.clone() });
        }
        if !a.holds(self.key) {
            return Err(AnchorBreak::Forged { seq: a.seq });
        }
        self.last = Some(a.clone());
        Ok(())
    }

    /// The newest anchor verified.
    pub fn last(&self) -> Option<&Anchor> {
        self.last.as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(b: u8) -> AnchorKey {
        AnchorKey::from_random([b; 32])
    }

    fn facts(n: i64) -> AnchorFacts {
        let mut d = HeadsDigest::default();
        for id in 1..=n {
            d.push(id, 3, &format!("{id:064x}"));
        }
        let (dossiers, heads_digest) = d.finish();
        AnchorFacts {
            at: Timestamp::from_second(1_800_000_000 + n).unwrap(),
            reason: AnchorReason::Periodic,
            audit_seq: n * 10,
            audit_hash: format!("{:064x}", n),
            dossiers,
            heads_digest,
        }
    }

    fn anchors(k: &AnchorKey, n: i64) -> Vec<Anchor> {
        let mut out: Vec<Anchor> = Vec::new();
        for i in 1..=n {
            let a = Anchor::seal(k, facts(i), out.last());
            out.push(a);
        }
        out
    }

    #[test]
    fn keys_parse_from_hex_or_long_text_and_never_print() {
        let hex64 = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
        assert_eq!(AnchorKey::parse(hex64).unwrap().0.len(), 32);
        assert!(AnchorKey::parse("một câu đủ dài để làm khóa neo của tỉnh").unwrap().0.len() >= 32);
        assert!(AnchorKey::parse("ngắn quá").is_err());
        assert!(AnchorKey::parse(&hex64[..30]).is_err());
        let k = AnchorKey::parse(hex64).unwrap();
        assert!(!format!("{k:?}").contains("0011223344"));
        assert_eq!(k.id().len(), 16);
        assert_ne!(k.id(), key(1).id());
        assert_eq!(AnchorKey::parse(&k.to_hex()).unwrap(), k);
    }

    #[test]
    fn a_chain_of_anchors_verifies_with_its_key_only() {
        let k = key(7);
        let list = anchors(&k, 4);
        let mut v = AnchorVerifier::new(&k);
        for a in &list {
            v.push(a).unwrap();
        }
        assert_eq!(v.last().unwrap().seq, 4);
        assert_eq!(list[0].prev_mac, GENESIS_MAC);
        let other = key(8);
        assert_eq!(AnchorVerifier::new(&other).push(&list[0]), Err(AnchorBreak::OtherKey { seq: 1, key_id: k.id() }));
        // The line format round-trips.
        assert_eq!(Anchor::from_line(&list[2].to_line()).unwrap(), list[2]);
    }

    #[test]
    fn changed_removed_or_forged_anchors_are_caught() {
        let k = key(7);
        let list = anchors(&k, 4);
        // A fact changed after sealing.
        let mut bad = list.clone();
        bad[1].facts.heads_digest = facts(9).heads_digest;
        let mut v = AnchorVerifier::new(&k);
        v.push(&bad[0]).unwrap();
        assert_eq!(v.push(&bad[1]), Err(AnchorBreak::Forged { seq: 2 }));
        // An anchor removed from the middle.
        let mut v = AnchorVerifier::new(&k);
        v.push(&list[0]).unwrap();
        assert_eq!(v.push(&list[2]), Err(AnchorBreak::Gap { seq: 3, expected: 2 }));
        // Renumbered to hide the removal: the link breaks.
        let mut renumbered = list[2].clone();
        renumbered.seq = 2;
        assert_eq!(v.push(&renumbered), Err(AnchorBreak::BrokenLink { seq: 2 }));
        // Forged under another key but claiming this key's id.
        let mut forged = Anchor::seal(&key(9), facts(2), Some(&list[0]));
        forged.key_id = k.id();
        assert_eq!(v.push(&forged), Err(AnchorBreak::Forged { seq: 2 }));
    }

    #[test]
    fn the_heads_digest_depends_on_every_head_and_their_order() {
        let digest = |heads: &[(i64, i64, &str)]| {
            let mut d = HeadsDigest::default();
            for (id, seq, h) in heads {
                d.push(*id, *seq, h);
            }
            d.finish()
        };
        let base = digest(&[(1, 3, "aa"), (2, 5, "bb")]);
        assert_eq!(base.0, 2);
        assert_ne!(base, digest(&[(1, 3, "aa"), (2, 4, "bb")]));
        assert_ne!(base, digest(&[(1, 3, "aa"), (2, 5, "bc")]));
        assert_ne!(base, digest(&[(1, 3, "aa")]));
        assert_ne!(base, digest(&[(2, 5, "bb"), (1, 3, "aa")]));
        assert_eq!(base, digest(&[(1, 3, "aa"), (2, 5, "bb")]));
    }
}
