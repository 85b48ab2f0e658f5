//! The checkpoint: verifies what was appended since the newest anchor and, when everything
//! holds, seals the next anchor and exports it.
//!
//! Incremental: the audit log is verified from the anchored entry on; a dossier whose head is
//! the one verified last costs one hash (its head's seal) and a comparison, and only dossiers
//! with new events are read and checked in full. Every run still reads the heads of all
//! dossiers once, since the digest the anchor vouches for is over all of them; that pass is
//! what catches a verified head altered beside a truncated history.

use std::collections::HashMap;

use async_trait::async_trait;
use motcua_domain::audit::{ChainHead, ChainVerifier, GENESIS_HASH};
use motcua_domain::dossier::chain::{DossierBreak, VerifiedHead};
use motcua_domain::integrity::{Anchor, AnchorBreak, AnchorFacts, AnchorReason, HeadsDigest};

use super::Integrity;
use super::IntegrityFailure;
use crate::error::{AppError, StoreError};
use crate::jobs::JobHandler;
use crate::ports::{ClaimedJob, HeadRow};

const PAGE: i64 = 1000;

/// What a checkpoint did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckpointOutcome {
    /// Everything held; this anchor was written.
    Anchored(Anchor),
    /// Something does not hold: nothing was anchored and the alert was raised.
    Broken(IntegrityFailure),
    /// No key is configured: nothing can be anchored.
    NoKey,
    /// Another checkpoint wrote an anchor meanwhile; this one stood back.
    Superseded,
}

impl Integrity {
    /// Verifies what was appended since the newest anchor and anchors it.
    pub async fn checkpoint(&self, reason: AnchorReason) -> Result<CheckpointOutcome, AppError> {
        let Some(key) = self.core.settings.integrity.anchor_key.clone() else {
            return Ok(CheckpointOutcome::NoKey);
        };
        let started = std::time::Instant::now();
        let outcome = match self.checkpoint_with(&key, reason).await? {
            Ok(anchor) => {
                metrics::gauge!("motcua_integrity_ok").set(1.0);
                metrics::counter!("motcua_integrity_anchors_total").increment(1);
                metrics::gauge!("motcua_integrity_last_anchor_seconds").set(anchor.facts.at.as_second() as f64);
                if let Some(sink) = &self.anchor_sink
                    && let Err(e) = sink.append(&anchor).await
                {
                    // The anchor is in the database; the copy elsewhere is missing one line,
                    // which the next verification against that copy will show.
                    metrics::counter!("motcua_integrity_export_failures_total").increment(1);
                    tracing::error!(error = %e, sink = %sink.describe(), "could not export the anchor");
                }
                tracing::info!(
                    anchor = anchor.seq,
                    dossiers = anchor.facts.dossiers,
                    audit = anchor.facts.audit_seq,
                    ms = started.elapsed().as_millis() as u64,
                    "integrity checkpoint"
                );
                CheckpointOutcome::Anchored(anchor)
            }
            Err(Some(failure)) => {
                self.raise_integrity_alert(&failure).await;
                CheckpointOutcome::Broken(failure)
            }
            Err(None) => CheckpointOutcome::Superseded,
        };
        metrics::histogram!("motcua_integrity_checkpoint_seconds").record(started.elapsed().as_secs_f64());
        Ok(outcome)
    }

    /// The anchor written, or the failure found (`None`: another checkpoint got there first).
    async fn checkpoint_with(
        &self,
        key: &motcua_domain::integrity::AnchorKey,
        reason: AnchorReason,
    ) -> Result<Result<Anchor, Option<IntegrityFailure>>, AppError> {
        let last = self.core.store.last_anchor().await?;
        if let Some(a) = &last {
            if a.key_id != key.id() {
                let b = AnchorBreak::OtherKey { seq: a.seq, key_id: a.key_id.clone() };
                return Ok(Err(Some(IntegrityFailure::Anchors(b))));
            }
            if !a.holds(key) {
                return Ok(Err(Some(IntegrityFailure::Anchors(AnchorBreak::Forged { seq: a.seq }))));
            }
        }

        let audit_head = match self.audit_since(last.as_ref()).await? {
            Ok(h) => h,
            Err(f) => return Ok(Err(Some(f))),
        };

        // Every dossier's head against the one verified last.
        let mut old = HeadsDigest::default();
        let mut new = HeadsDigest::default();
        let mut moved: Vec<(i64, VerifiedHead)> = Vec::new();
        let mut after = 0;
        loop {
            let heads = self.core.store.dossier_heads(after, PAGE).await?;
            let Some(last_row) = heads.last() else { break };
            let mut recheck: Vec<&HeadRow> = Vec::new();
            let mut page_heads: HashMap<i64, VerifiedHead> = HashMap::new();
            for h in &heads {
                if let Some(v) = &h.verified {
                    old.push(h.dossier_id, v.seq, &v.hash);
                }
                match (&h.head, &h.verified) {
                    // Unchanged since verified: one hash and a comparison.
                    (Some(e), Some(v)) if h.last_seq == v.seq && e.hash == v.hash && e.seal_holds() => {
                        page_heads.insert(h.dossier_id, v.clone());
                    }
                    // New, grown, or looking broken: read in full.
                    _ => recheck.push(h),
                }
            }
            if !recheck.is_empty() {
                let ids: Vec<i64> = recheck.iter().map(|h| h.dossier_id).collect();
                let page = self.read_page(&ids).await?;
                for h in &recheck {
                    let Some(row) = page.rows.iter().find(|r| r.id == h.dossier_id) else {
                        let problem = DossierBreak::Missing;
                        return Ok(Err(Some(IntegrityFailure::Dossier {
                            id: h.dossier_id,
                            code: h.code.clone(),
                            problem,
                        })));
                    };
                    match self.check_one(&page, row, h.verified.as_ref()).await? {
                        Ok(head) => {
                            if h.verified.as_ref() != Some(&head) {
                                moved.push((h.dossier_id, head.clone()));
                            }
                            page_heads.insert(h.dossier_id, head);
                        }
                        Err(f) => return Ok(Err(Some(f))),
                    }
                }
            }
            for h in &heads {
                if let Some(v) = page_heads.get(&h.dossier_id) {
                    new.push(h.dossier_id, v.seq, &v.hash);
                }
            }
            after = last_row.dossier_id;
            if (heads.len() as i64) < PAGE {
                break;
            }
        }
        if let Some(id) = self.core.store.dossiers_without_row().await?.first() {
            return Ok(Err(Some(IntegrityFailure::Dossier { id: *id, code: None, problem: DossierBreak::Missing })));
        }
        // The verified heads must be what the newest anchor vouched for.
        if let Some(a) = &last
            && old.finish() != (a.facts.dossiers, a.facts.heads_digest.clone())
        {
            if self.anchored_since(a).await? {
                return Ok(Err(None));
            }
            return Ok(Err(Some(IntegrityFailure::VerifiedHeads { anchor: a.seq })));
        }

        let (dossiers, heads_digest) = new.finish();
        let facts = AnchorFacts {
            at: self.core.now(),
            reason,
            audit_seq: audit_head.as_ref().map_or(0, |h| h.seq),
            audit_hash: audit_head.map_or_else(|| GENESIS_HASH.to_owned(), |h| h.hash),
            dossiers,
            heads_digest,
        };
        let anchor = Anchor::seal(key, facts, last.as_ref());
        let mut tx = self.core.store.begin().await?;
        tx.put_verified_heads(&moved).await?;
        match tx.append_anchor(&anchor).await {
            Ok(()) => {}
            // The next number is taken: another checkpoint anchored meanwhile.
            Err(StoreError::Duplicate { .. }) => return Ok(Err(None)),
            Err(e) => return Err(e.into()),
        }
        match tx.commit().await {
            Ok(()) => Ok(Ok(anchor)),
            Err(StoreError::Duplicate { .. }) => Ok(Err(None)),
            Err(e) => Err(e.into()),
        }
    }

    /// Verifies the audit log from the newest anchor's entry on; its head.
    async fn audit_since(
        &self,
        last: Option<&Anchor>,
    ) -> Result<Result<Option<ChainHead>, IntegrityFailure>, AppError> {
        use motcua_domain::audit::ChainBreak;
        let from = last
            .filter(|a| a.facts.audit_seq > 0)
            .map(|a| ChainHead { seq: a.facts.audit_seq, hash: a.facts.audit_hash.clone() });
        let mut verifier = match &from {
            Some(h) => {
                // The anchored entry must still be there, unchanged.
                let at = self.core.store.audit_entries_after(h.seq - 1, 1).await?;
                match at.first() {
                    Some(e) if e.seq == h.seq && e.hash == h.hash => {}
                    Some(e) if e.seq == h.seq => {
                        return Ok(Err(IntegrityFailure::Audit(ChainBreak::AnchorMismatch { seq: h.seq })));
                    }
                    _ => {
                        let found = self.core.store.audit_head().await?.map_or(0, |h| h.seq);
                        return Ok(Err(IntegrityFailure::Audit(ChainBreak::Truncated { found, anchor: h.seq })));
                    }
                }
                ChainVerifier::resume(h)
            }
            None => ChainVerifier::new(None),
        };
        let mut after = from.as_ref().map_or(0, |h| h.seq);
        loop {
            let page = self.core.store.audit_entries_after(after, 2000).await?;
            for e in &page {
                if let Err(b) = verifier.push(e) {
                    return Ok(Err(IntegrityFailure::Audit(b)));
                }
                after = e.seq;
            }
            if page.len() < 2000 {
                break;
            }
        }
        Ok(verifier.finish().map_err(IntegrityFailure::Audit).map(|h| h.or(from)))
    }
}

/// The periodic checkpoint, queued by the worker every `integrity.checkpoint_interval`.
pub struct CheckpointJob {
    integrity: super::Integrity,
}

impl CheckpointJob {
    pub(crate) fn new(integrity: super::Integrity) -> Self {
        Self { integrity }
    }

    pub const KIND: &'static str = "integrity.checkpoint";
}

#[async_trait]
impl JobHandler for CheckpointJob {
    fn kind(&self) -> &'static str {
        Self::KIND
    }

    /// Only where an anchor key is configured: without one there is nothing to anchor.
    fn every(&self) -> Option<jiff::SignedDuration> {
        let s = &self.integrity.core.settings.integrity;
        s.anchor_key.as_ref().map(|_| s.checkpoint_interval)
    }

    async fn run(&self, _job: &ClaimedJob) -> anyhow::Result<()> {
        // A broken chain is reported by the alert, not by failing the job: retrying would not
        // mend it.
        self.integrity.checkpoint(AnchorReason::Periodic).await?;
        Ok(())
    }
}
