//! The full verification: every anchor, the whole audit log, every dossier from its first
//! event, and the verified heads against the newest anchor. It walks the database one page at
//! a time, so memory stays bounded whatever the number of dossiers.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use motcua_domain::agency::AgencyId;
use motcua_domain::audit::ChainHead;
use motcua_domain::dossier::chain::{DossierBreak, StoredEvent, VerifiedHead};
use motcua_domain::integrity::{Anchor, AnchorBreak, AnchorVerifier, GENESIS_MAC, HeadsDigest};

use super::Integrity;
use super::{IntegrityFailure, check_dossier};
use crate::error::AppError;
use crate::ports::DossierRow;

/// Dossiers read per page.
const PAGE: i64 = 500;
/// A dossier that looks broken is read again this many times before it is reported: a change
/// committing between two reads of one page makes its row and its events disagree for a moment.
const RECHECKS: usize = 3;

/// What a full verification covered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntegrityReport {
    pub anchors: i64,
    /// Whether the anchors were authenticated (a key is configured).
    pub anchors_authenticated: bool,
    pub newest_anchor: Option<Anchor>,
    pub audit_entries: i64,
    pub audit_head: Option<ChainHead>,
    pub dossiers: i64,
    pub events: i64,
    pub petitions: i64,
    pub petition_events: i64,
}

/// One page of dossiers with everything needed to check them.
pub(crate) struct Page {
    pub(crate) rows: Vec<DossierRow>,
    events: HashMap<i64, Vec<StoredEvent>>,
    agencies: HashMap<i64, BTreeSet<AgencyId>>,
}

impl Integrity {
    pub(crate) async fn read_page(&self, ids: &[i64]) -> Result<Page, AppError> {
        let rows = self.core.store.dossier_rows_of(ids).await?;
        let mut events: HashMap<i64, Vec<StoredEvent>> = HashMap::new();
        for e in self.core.store.stored_events_of(ids).await? {
            events.entry(e.dossier_id).or_default().push(e);
        }
        let mut agencies: HashMap<i64, BTreeSet<AgencyId>> = HashMap::new();
        for (d, a) in self.core.store.dossier_agencies_of(ids).await? {
            agencies.entry(d).or_default().insert(a);
        }
        Ok(Page { rows, events, agencies })
    }

    /// Checks one dossier, reading it again when it looks broken (it may have changed between
    /// two reads); the head, or the failure that persisted.
    pub(crate) async fn check_one(
        &self,
        page: &Page,
        row: &DossierRow,
        verified: Option<&VerifiedHead>,
    ) -> Result<Result<VerifiedHead, IntegrityFailure>, AppError> {
        let check = |p: &Page, r: &DossierRow| {
            check_dossier(
                r,
                p.events.get(&r.id).map_or(&[][..], Vec::as_slice),
                p.agencies.get(&r.id).unwrap_or(&BTreeSet::new()),
                verified,
            )
        };
        let mut result = check(page, row);
        for _ in 0..RECHECKS {
            if result.is_ok() {
                break;
            }
            let again = self.read_page(&[row.id]).await?;
            match again.rows.first() {
                Some(r) => result = check(&again, r),
                None => result = Err(DossierBreak::Missing),
            }
        }
        Ok(result.map_err(|problem| IntegrityFailure::Dossier { id: row.id, code: row.code.clone(), problem }))
    }

    /// Verifies everything from the beginning. `exported`: anchors read back from the export
    /// file, each of which must still be in the database unchanged.
    pub async fn verify_integrity(
        &self,
        exported: &[Anchor],
    ) -> Result<Result<IntegrityReport, IntegrityFailure>, AppError> {
        // Anchors: numbering, links and (with the key) MACs; the exported copy against them.
        let key = self.core.settings.integrity.anchor_key.as_ref();
        let mut verifier = key.map(AnchorVerifier::new);
        let mut wanted: BTreeMap<i64, &Anchor> = exported.iter().map(|a| (a.seq, a)).collect();
        let mut newest: Option<Anchor> = None;
        let mut anchors = 0;
        loop {
            let page = self.core.store.anchors_after(newest.as_ref().map_or(0, |a| a.seq), 500).await?;
            for a in &page {
                let step = match verifier.as_mut() {
                    Some(v) => v.push(a),
                    None => keyless_link(newest.as_ref(), a),
                };
                if let Err(b) = step {
                    return Ok(Err(IntegrityFailure::Anchors(b)));
                }
                if let Some(copy) = wanted.remove(&a.seq)
                    && copy != a
                {
                    return Ok(Err(IntegrityFailure::Anchors(AnchorBreak::MissingFromDatabase { seq: a.seq })));
                }
                anchors += 1;
                newest = Some(a.clone());
            }
            if (page.len() as i64) < 500 {
                break;
            }
        }
        if let Some((seq, _)) = wanted.into_iter().next() {
            return Ok(Err(IntegrityFailure::Anchors(AnchorBreak::MissingFromDatabase { seq })));
        }

        // The audit log, up to the newest anchor's head at least.
        let audit_anchor = newest
            .as_ref()
            .filter(|a| a.facts.audit_seq > 0)
            .map(|a| ChainHead { seq: a.facts.audit_seq, hash: a.facts.audit_hash.clone() });
        let audit = match self.audit.verify_audit(audit_anchor).await? {
            Ok(r) => r,
            Err(b) => return Ok(Err(IntegrityFailure::Audit(b))),
        };

        // Every dossier, and the digest of the verified heads.
        let mut after = 0;
        let mut dossiers = 0;
        let mut events = 0;
        let mut digest = HeadsDigest::default();
        loop {
            let heads = self.core.store.dossier_heads(after, PAGE).await?;
            let Some(last) = heads.last() else { break };
            let verified: HashMap<i64, VerifiedHead> =
                heads.iter().filter_map(|h| h.verified.clone().map(|v| (h.dossier_id, v))).collect();
            for h in &heads {
                if let Some(v) = &h.verified {
                    digest.push(h.dossier_id, v.seq, &v.hash);
                }
            }
            let ids: Vec<i64> = heads.iter().map(|h| h.dossier_id).collect();
            let page = self.read_page(&ids).await?;
            for row in &page.rows {
                if let Err(f) = self.check_one(&page, row, verified.get(&row.id)).await? {
                    return Ok(Err(f));
                }
                dossiers += 1;
                events += page.events.get(&row.id).map_or(0, Vec::len) as i64;
            }
            after = last.dossier_id;
            if (heads.len() as i64) < PAGE {
                break;
            }
        }
        if let Some(id) = self.core.store.dossiers_without_row().await?.first() {
            return Ok(Err(IntegrityFailure::Dossier { id: *id, code: None, problem: DossierBreak::Missing }));
        }
        if let Some(anchor) = &newest {
            let found = digest.finish();
            if found != (anchor.facts.dossiers, anchor.facts.heads_digest.clone())
                && !self.anchored_since(anchor).await?
            {
                return Ok(Err(IntegrityFailure::VerifiedHeads { anchor: anchor.seq }));
            }
        }
        let (petitions, petition_events) = match self.verify_petitions().await? {
            Ok(counts) => counts,
            Err(f) => return Ok(Err(f)),
        };
        Ok(Ok(IntegrityReport {
            anchors,
            anchors_authenticated: key.is_some(),
            newest_anchor: newest,
            audit_entries: audit.entries,
            audit_head: audit.head,
            dossiers,
            events,
            petitions,
            petition_events,
        }))
    }

    /// Every petition's chain from its first event, and its row against what the events say.
    async fn verify_petitions(&self) -> Result<Result<(i64, i64), IntegrityFailure>, AppError> {
        use motcua_domain::petition::chain::{PetitionBreak, verify};
        let (mut after, mut petitions, mut events) = (0, 0, 0);
        loop {
            let ids = self.core.store.petition_ids_after(after, PAGE).await?;
            for id in &ids {
                let stored = self.core.store.petition_events(*id).await?;
                let row = self.core.store.petition_row(*id).await?;
                let checked = verify(*id, &stored).and_then(|(_, s)| {
                    let Some(r) = &row else { return Err(PetitionBreak::RowMismatch("dòng")) };
                    if r.code != s.code {
                        return Err(PetitionBreak::RowMismatch("code"));
                    }
                    if r.stage != s.stage {
                        return Err(PetitionBreak::RowMismatch("stage"));
                    }
                    if r.agency_id != s.agency.id {
                        return Err(PetitionBreak::RowMismatch("agency_id"));
                    }
                    if r.last_seq != s.last_seq {
                        return Err(PetitionBreak::RowMismatch("last_seq"));
                    }
                    Ok(())
                });
                if let Err(problem) = checked {
                    // A change committing between the two reads: read once more before telling.
                    let again = self.core.store.petition_events(*id).await?;
                    let row_again = self.core.store.petition_row(*id).await?;
                    let settled = verify(*id, &again).is_ok_and(|(_, s)| {
                        row_again.as_ref().is_some_and(|r| {
                            r.stage == s.stage
                                && r.last_seq == s.last_seq
                                && r.code == s.code
                                && r.agency_id == s.agency.id
                        })
                    });
                    if !settled || again.len() == stored.len() {
                        return Ok(Err(IntegrityFailure::Petition { id: *id, code: row.map(|r| r.code), problem }));
                    }
                }
                petitions += 1;
                events += stored.len() as i64;
            }
            match ids.last() {
                Some(last) if ids.len() as i64 == PAGE => after = *last,
                _ => break,
            }
        }
        Ok(Ok((petitions, events)))
    }

    /// Whether a checkpoint wrote a newer anchor than `anchor` meanwhile (its heads then moved
    /// with it, and the digest read is of neither).
    pub(crate) async fn anchored_since(&self, anchor: &Anchor) -> Result<bool, AppError> {
        Ok(self.core.store.last_anchor().await?.is_some_and(|a| a.seq > anchor.seq))
    }
}

/// Without the key, anchors can still be checked for numbering and links.
fn keyless_link(prev: Option<&Anchor>, a: &Anchor) -> Result<(), AnchorBreak> {
    let expected = prev.map_or(1, |p| p.seq + 1);
    if a.seq != expected {
        return Err(AnchorBreak::Gap { seq: a.seq, expected });
    }
    if a.prev_mac != prev.map_or(GENESIS_MAC, |p| p.mac.as_str()) {
        return Err(AnchorBreak::BrokenLink { seq: a.seq });
    }
    Ok(())
}
