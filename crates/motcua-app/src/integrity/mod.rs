//! Integrity of the hash chains: the full verification (`motcua audit verify`), the periodic
//! checkpoint that verifies what was appended since the last one and seals an anchor, the head
//! check before every dossier action, and the alert when anything does not hold.
//!
//! What is checked, for the audit log and for every dossier: each entry's hash against its
//! stored content, each link, the numbering; for a dossier also that its queryable row and its
//! recorded agencies are what its events fold to. What anchors add: the verified head of every
//! dossier and of the audit log, vouched for by an HMAC under a key kept outside the database,
//! so that a tail deleted or rewritten with recomputed plain hashes is caught too.

mod alert;
mod checkpoint;
mod verify;

pub use crate::notifications::INTEGRITY_ALERT_KIND as ALERT_KIND;
pub use checkpoint::{CheckpointJob, CheckpointOutcome};
pub use verify::IntegrityReport;

use std::sync::Arc;

use std::collections::BTreeSet;
use std::fmt;

use jiff::Timestamp;
use motcua_domain::agency::AgencyId;
use motcua_domain::audit::ChainBreak;
use motcua_domain::dossier::DossierState;
use motcua_domain::dossier::chain::{DossierBreak, StoredEvent, VerifiedHead, verify_chain};
use motcua_domain::integrity::AnchorBreak;

use crate::core::Core;
use crate::ports::DossierRow;

/// Verification and anchoring of the hash chains, and the alert when one breaks.
#[derive(Clone)]
pub struct Integrity {
    pub(crate) core: Arc<Core>,
    audit: crate::audit::Audit,
    notifications: crate::notifications::Notifications,
    anchor_sink: Option<Arc<dyn crate::ports::AnchorSink>>,
}

impl Integrity {
    pub(crate) fn new(
        core: Arc<Core>,
        audit: crate::audit::Audit,
        notifications: crate::notifications::Notifications,
        anchor_sink: Option<Arc<dyn crate::ports::AnchorSink>>,
    ) -> Self {
        Self { core, audit, notifications, anchor_sink }
    }

    pub(crate) fn anchor_sink(&self) -> Option<Arc<dyn crate::ports::AnchorSink>> {
        self.anchor_sink.clone()
    }
}

/// The first thing found not to hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IntegrityFailure {
    Audit(ChainBreak),
    Dossier {
        id: i64,
        code: Option<String>,
        problem: DossierBreak,
    },
    Anchors(AnchorBreak),
    Petition {
        id: i64,
        code: Option<String>,
        problem: motcua_domain::petition::chain::PetitionBreak,
    },
    /// The verified heads are not what the newest anchor vouches for.
    VerifiedHeads {
        anchor: i64,
    },
}

impl fmt::Display for IntegrityFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IntegrityFailure::Audit(b) => write!(f, "nhật ký thao tác, mục {}: {b}", b.seq()),
            IntegrityFailure::Dossier { id, code, problem } => {
                let name = code.clone().unwrap_or_else(|| format!("#{id}"));
                match problem.seq() {
                    Some(seq) => write!(f, "hồ sơ {name}, sự kiện {seq}: {problem}"),
                    None => write!(f, "hồ sơ {name}: {problem}"),
                }
            }
            IntegrityFailure::Anchors(b) => write!(f, "chuỗi neo: {b}"),
            IntegrityFailure::Petition { id, code, problem } => {
                write!(f, "phản ánh, kiến nghị {}: {problem}", code.clone().unwrap_or_else(|| format!("#{id}")))
            }
            IntegrityFailure::VerifiedHeads { anchor } => {
                write!(f, "bảng đầu chuỗi đã xác minh khác với neo số {anchor} (đã bị sửa ngoài hệ thống)")
            }
        }
    }
}

impl IntegrityFailure {
    /// A stable key for this failure, so that it is announced once however often it is found.
    pub fn key(&self) -> String {
        use sha2::{Digest, Sha256};
        hex::encode(&Sha256::digest(self.to_string().as_bytes())[..12])
    }
}

/// Rounds to what the database keeps (microseconds), as a stored row holds it.
fn stored_instant(t: Timestamp) -> Timestamp {
    Timestamp::from_microsecond(t.as_microsecond()).unwrap_or(t)
}

pub(crate) fn stored_row(mut r: DossierRow) -> DossierRow {
    r.submitted_at = stored_instant(r.submitted_at);
    for t in [
        &mut r.received_at,
        &mut r.due_at,
        &mut r.appointment_at,
        &mut r.step_due_at,
        &mut r.resolved_at,
        &mut r.returned_at,
    ] {
        *t = t.map(stored_instant);
    }
    r.updated_at = stored_instant(r.updated_at);
    let f = &mut r.facts;
    for t in [
        &mut f.received_at,
        &mut f.refused_at,
        &mut f.due_at,
        &mut f.overdue_from,
        &mut f.supplement_at,
        &mut f.returned_at,
    ] {
        *t = t.map(stored_instant);
    }
    f.ended = f.ended.map(|(o, at)| (o, stored_instant(at)));
    r
}

/// The columns in which two rows differ.
fn row_differences(a: &DossierRow, b: &DossierRow) -> Vec<&'static str> {
    let mut out = Vec::new();
    macro_rules! cmp {
        ($($f:ident),*) => { $( if a.$f != b.$f { out.push(stringify!($f)); } )* };
    }
    cmp!(
        id,
        code,
        status,
        channel,
        procedure_id,
        procedure_code,
        procedure_name,
        receiving_agency_id,
        resolving_agency_id,
        current_agency_id,
        current_permission,
        step_name,
        assignee_id,
        applicant_name,
        applicant_fold,
        applicant_id_number,
        submitted_at,
        received_at,
        due_at,
        appointment_at,
        step_due_at,
        paused,
        late_by_rule,
        resolved_at,
        returned_at,
        last_seq,
        updated_at,
        facts
    );
    out
}

/// Checks one dossier completely: its chain (against the head verified earlier, if any), that
/// its row is what the events fold to, and that its recorded agencies are every agency it has
/// involved. Returns its head.
pub(crate) fn check_dossier(
    row: &DossierRow,
    events: &[StoredEvent],
    agencies: &BTreeSet<AgencyId>,
    verified: Option<&VerifiedHead>,
) -> Result<VerifiedHead, DossierBreak> {
    let parsed = verify_chain(events, verified)?;
    let mut state = DossierState::fold(row.id, &parsed[..1])
        .map_err(|e| DossierBreak::RowMismatch { field: format!("events do not fold: {e}") })?;
    let mut involved = state.involved_agencies();
    for e in &parsed[1..] {
        state.apply(e);
        involved.extend(state.involved_agencies());
    }
    let diff = row_differences(&stored_row(DossierRow::of(&state)), row);
    if !diff.is_empty() {
        return Err(DossierBreak::RowMismatch { field: diff.join(", ") });
    }
    if involved != *agencies {
        return Err(DossierBreak::RowMismatch { field: "dossier_agencies".into() });
    }
    Ok(VerifiedHead { seq: state.last_seq, hash: state.last_hash })
}
