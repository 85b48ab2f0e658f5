//! Upkeep of the counters: recompute everything from the events (`motcua report rebuild`),
//! and check that what is stored equals a recomputation (`motcua report verify`, also part of
//! `motcua audit verify`).

use std::collections::BTreeMap;

use motcua_domain::agency::AgencyId;
use motcua_domain::dossier::DossierState;
use motcua_domain::report::{Counters, Grain, RollupDelta};

use super::Reports;
use crate::error::AppError;
use crate::integrity::stored_row;
use crate::ports::{DossierRow, StoredRollup};

const PAGE: i64 = 500;

/// What a rebuild did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RebuildSummary {
    pub dossiers: u64,
    /// Rows whose counting facts were stale and were recomputed.
    pub rows_rewritten: u64,
    pub agencies: u64,
    pub buckets: u64,
}

/// A stored counter row that differs from the recomputation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RollupMismatch {
    pub agency: AgencyId,
    pub grain: Grain,
    pub bucket: i64,
    pub receiving: AgencyId,
    pub procedure_id: i64,
    pub stored: Counters,
    pub computed: Counters,
}

type Key = (Grain, i64, AgencyId, i64);

fn by_bucket(delta: &RollupDelta) -> BTreeMap<Key, Counters> {
    let mut out: BTreeMap<Key, Counters> = BTreeMap::new();
    for (k, c) in &delta.0 {
        for grain in [Grain::Day, Grain::Month] {
            *out.entry((grain, grain.bucket(k.day), k.receiving, k.procedure_id)).or_default() += *c;
        }
    }
    out
}

impl Reports {
    /// Recomputes every dossier's counting facts from its events and every agency's counters
    /// from the facts. Safe while the system runs: each agency is rebuilt in one transaction
    /// that holds concurrent counter changes back until it commits.
    pub async fn rebuild(&self) -> Result<RebuildSummary, AppError> {
        let store = &self.core.store;
        let mut summary = RebuildSummary::default();
        let mut after = 0;
        loop {
            let heads = store.dossier_heads(after, PAGE).await?;
            let Some(last) = heads.last() else { break };
            after = last.dossier_id;
            let ids: Vec<i64> = heads.iter().map(|h| h.dossier_id).collect();
            summary.dossiers += ids.len() as u64;
            // Every row is refolded under its lock; only rows that differ are written.
            let mut tx = store.begin().await?;
            let mut rewritten = Vec::new();
            for id in &ids {
                let locked = tx.lock_dossier_events(*id).await?;
                let events = locked
                    .events
                    .iter()
                    .map(|e| e.parse())
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|e| AppError::Internal(anyhow::anyhow!("dossier {id}: {e}")))?;
                let state = DossierState::fold(*id, &events)
                    .map_err(|e| AppError::Internal(anyhow::anyhow!("dossier {id}: {e}")))?;
                rewritten.push(DossierRow::of(&state));
            }
            let current = store.dossier_rows_of(&ids).await?;
            let changed: Vec<DossierRow> = rewritten
                .into_iter()
                .filter(|r| {
                    current.iter().find(|c| c.id == r.id).is_none_or(|c| stored_row(r.clone()).facts != c.facts)
                })
                .collect();
            summary.rows_rewritten += changed.len() as u64;
            tx.rewrite_dossier_rows(&changed).await?;
            tx.commit().await?;
        }
        for agency in self.all_agencies().await? {
            let mut tx = store.begin().await?;
            tx.lock_rollups().await?;
            let mut delta = RollupDelta::default();
            for f in tx.facts_counted_at(agency).await? {
                delta.include(&f);
            }
            summary.buckets += by_bucket(&delta).len() as u64;
            tx.replace_rollups(agency, &delta).await?;
            tx.commit().await?;
            summary.agencies += 1;
        }
        let mut tx = store.begin().await?;
        tx.set_rollups_built(true).await?;
        tx.commit().await?;
        Ok(summary)
    }

    /// Rebuilds when the database says the counters were never built (after the migration
    /// that introduced them); returns whether it did.
    pub async fn rebuild_if_needed(&self) -> Result<bool, AppError> {
        if self.core.store.rollups_built().await? {
            return Ok(false);
        }
        self.rebuild().await?;
        Ok(true)
    }

    /// Compares every agency's stored counters with a recomputation from its dossiers' facts;
    /// returns the differences (none when all is well).
    pub async fn verify_rollups(&self) -> Result<Vec<RollupMismatch>, AppError> {
        let mut out = Vec::new();
        for agency in self.all_agencies().await? {
            // One transaction, so the facts and the counters are read at the same moment.
            let mut tx = self.core.store.begin().await?;
            tx.lock_rollups().await?;
            let mut delta = RollupDelta::default();
            for f in tx.facts_counted_at(agency).await? {
                delta.include(&f);
            }
            let stored: Vec<StoredRollup> = tx.stored_rollups(agency).await?;
            drop(tx);
            let mut computed = by_bucket(&delta);
            for s in stored {
                let key = (s.grain, s.bucket, s.receiving, s.procedure_id);
                let c = computed.remove(&key).unwrap_or_default();
                if c != s.counters {
                    out.push(RollupMismatch {
                        agency,
                        grain: s.grain,
                        bucket: s.bucket,
                        receiving: s.receiving,
                        procedure_id: s.procedure_id,
                        stored: s.counters,
                        computed: c,
                    });
                }
            }
            for ((grain, bucket, receiving, procedure_id), c) in computed {
                if !c.is_zero() {
                    out.push(RollupMismatch {
                        agency,
                        grain,
                        bucket,
                        receiving,
                        procedure_id,
                        stored: Counters::default(),
                        computed: c,
                    });
                }
            }
        }
        Ok(out)
    }

    async fn all_agencies(&self) -> Result<Vec<AgencyId>, AppError> {
        let roots: Vec<_> = self.core.store.root_agencies().await?.into_iter().map(|a| a.path).collect();
        if roots.is_empty() {
            return Ok(Vec::new());
        }
        Ok(self.core.store.agencies_within(&roots, true).await?.into_iter().map(|a| a.id).collect())
    }
}
