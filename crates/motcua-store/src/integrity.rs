//! Reads for verifying the hash chains, and the verified heads and anchors.

use async_trait::async_trait;
use motcua_app::StoreError;
use motcua_app::ports::{DossierRow, HeadRow, IntegrityReads, IntegrityWrites, StoreResult};
use motcua_domain::agency::AgencyId;
use motcua_domain::dossier::chain::{StoredEvent, VerifiedHead};
use motcua_domain::integrity::{Anchor, AnchorFacts, AnchorReason};
use sqlx::any::AnyRow;

use crate::Db;
use crate::convert::{RowExt, db_err, us};
use crate::dossier::{row_from, stored_from};
use crate::sql::SqlBuilder;
use crate::tx::DbTx;

/// The rows of `{select} IN (ids) ORDER BY {order}` (`select` ends with the id column).
async fn of_ids(db: &Db, select: &str, ids: &[i64], order: &str) -> StoreResult<Vec<AnyRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut b = SqlBuilder::new(&format!("{select} IN ("));
    for (i, id) in ids.iter().enumerate() {
        b.push(if i == 0 { "" } else { ", " }).bind(*id);
    }
    b.push(") ORDER BY ").push(order);
    b.build().fetch_all(db.read_pool()).await.map_err(db_err)
}

fn anchor_from(r: &AnyRow) -> StoreResult<Anchor> {
    let reason = r.text("reason")?;
    Ok(Anchor {
        seq: r.i64("seq")?,
        facts: AnchorFacts {
            at: r.ts("at")?,
            reason: AnchorReason::parse(&reason)
                .ok_or_else(|| StoreError::Backend(format!("stored anchor reason is invalid: {reason:?}")))?,
            audit_seq: r.i64("audit_seq")?,
            audit_hash: r.text("audit_hash")?,
            dossiers: r.i64("dossiers")?,
            heads_digest: r.text("heads_digest")?,
        },
        key_id: r.text("key_id")?,
        prev_mac: r.text("prev_mac")?,
        mac: r.text("mac")?,
    })
}

fn verified_from(r: &AnyRow) -> StoreResult<Option<VerifiedHead>> {
    Ok(match r.opt_i64("v_seq")? {
        Some(seq) => Some(VerifiedHead { seq, hash: r.text("v_hash")? }),
        None => None,
    })
}

#[async_trait]
impl IntegrityReads for Db {
    async fn dossier_heads(&self, after: i64, limit: i64) -> StoreResult<Vec<HeadRow>> {
        // The head event's columns keep their names (`stored_from` reads them); the dossier's
        // own are aliased.
        let rows = sqlx::query(
            "SELECT d.id AS d_id, d.code AS d_code, d.last_seq AS d_last_seq, e.*, \
             h.seq AS v_seq, h.hash AS v_hash \
             FROM dossiers d \
             LEFT JOIN dossier_events e ON e.dossier_id = d.id AND e.seq = d.last_seq \
             LEFT JOIN integrity_heads h ON h.dossier_id = d.id \
             WHERE d.id > $1 ORDER BY d.id LIMIT $2",
        )
        .bind(after)
        .bind(limit)
        .fetch_all(self.read_pool())
        .await
        .map_err(db_err)?;
        rows.iter()
            .map(|r| {
                Ok(HeadRow {
                    dossier_id: r.i64("d_id")?,
                    code: r.opt_text("d_code")?,
                    last_seq: r.i64("d_last_seq")?,
                    head: match r.opt_i64("seq")? {
                        Some(_) => Some(stored_from(r)?),
                        None => None,
                    },
                    verified: verified_from(r)?,
                })
            })
            .collect()
    }

    async fn dossier_rows_of(&self, ids: &[i64]) -> StoreResult<Vec<DossierRow>> {
        of_ids(self, "SELECT * FROM dossiers WHERE id", ids, "id").await?.iter().map(row_from).collect()
    }

    async fn stored_events_of(&self, ids: &[i64]) -> StoreResult<Vec<StoredEvent>> {
        let rows = of_ids(self, "SELECT * FROM dossier_events WHERE dossier_id", ids, "dossier_id, seq").await?;
        rows.iter().map(stored_from).collect()
    }

    async fn dossier_agencies_of(&self, ids: &[i64]) -> StoreResult<Vec<(i64, AgencyId)>> {
        let select = "SELECT dossier_id, agency_id FROM dossier_agencies WHERE dossier_id";
        let rows = of_ids(self, select, ids, "dossier_id, agency_id").await?;
        rows.iter().map(|r| Ok((r.i64("dossier_id")?, AgencyId(r.i64("agency_id")?)))).collect()
    }

    async fn dossiers_without_row(&self) -> StoreResult<Vec<i64>> {
        sqlx::query_scalar(
            "SELECT dossier_id FROM integrity_heads h WHERE NOT EXISTS (SELECT 1 FROM dossiers d WHERE d.id = h.dossier_id) \
             UNION SELECT DISTINCT dossier_id FROM dossier_events e WHERE NOT EXISTS (SELECT 1 FROM dossiers d WHERE d.id = e.dossier_id) \
             ORDER BY 1 LIMIT 1000",
        )
        .fetch_all(self.read_pool())
        .await
        .map_err(db_err)
    }

    async fn anchors_after(&self, after: i64, limit: i64) -> StoreResult<Vec<Anchor>> {
        sqlx::query("SELECT * FROM integrity_anchors WHERE seq > $1 ORDER BY seq LIMIT $2")
            .bind(after)
            .bind(limit)
            .fetch_all(self.read_pool())
            .await
            .map_err(db_err)?
            .iter()
            .map(anchor_from)
            .collect()
    }

    async fn last_anchor(&self) -> StoreResult<Option<Anchor>> {
        sqlx::query("SELECT * FROM integrity_anchors ORDER BY seq DESC LIMIT 1")
            .fetch_optional(self.read_pool())
            .await
            .map_err(db_err)?
            .map(|r| anchor_from(&r))
            .transpose()
    }
}

#[async_trait]
impl IntegrityWrites for DbTx {
    async fn put_verified_heads(&mut self, heads: &[(i64, VerifiedHead)]) -> StoreResult<()> {
        // A few hundred rows per statement keep well under both backends' parameter limits.
        for chunk in heads.chunks(300) {
            let mut b = SqlBuilder::new("INSERT INTO integrity_heads (dossier_id, seq, hash) VALUES ");
            for (i, (id, head)) in chunk.iter().enumerate() {
                b.push(if i == 0 { "(" } else { ", (" });
                b.bind(*id).push(", ").bind(head.seq).push(", ").bind(head.hash.clone()).push(")");
            }
            b.push(" ON CONFLICT (dossier_id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash");
            b.build().execute(self.conn().await?).await.map_err(db_err)?;
        }
        Ok(())
    }

    async fn append_anchor(&mut self, a: &Anchor) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO integrity_anchors (seq, at, reason, audit_seq, audit_hash, dossiers, heads_digest, key_id, \
             prev_mac, mac) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(a.seq)
        .bind(us(a.facts.at))
        .bind(a.facts.reason.as_str())
        .bind(a.facts.audit_seq)
        .bind(a.facts.audit_hash.clone())
        .bind(a.facts.dossiers)
        .bind(a.facts.heads_digest.clone())
        .bind(a.key_id.clone())
        .bind(a.prev_mac.clone())
        .bind(a.mac.clone())
        .execute(self.conn().await?)
        .await
        .map_err(db_err)?;
        Ok(())
    }
}
