//! The national portal's outbox: what is queued (written with the dossiers' events, see
//! `dossier::push_outbox`) and how far each dossier has been told.

use async_trait::async_trait;
use motcua_app::ports::{PortalDue, PortalQueued, PortalReads, StoreResult};

use crate::Db;
use crate::convert::{RowExt, db_err, us};

#[async_trait]
impl PortalReads for Db {
    async fn portal_due(&self, now: jiff::Timestamp, limit: i64) -> StoreResult<Vec<PortalDue>> {
        let rows = sqlx::query(
            "SELECT o.dossier_id, MAX(o.seq) AS seq, MIN(o.queued_at) AS since FROM portal_outbox o \
             LEFT JOIN portal_sync s ON s.dossier_id = o.dossier_id \
             WHERE o.seq > COALESCE(s.synced_seq, 0) AND COALESCE(s.dead, 0) = 0 \
             AND (s.next_attempt_at IS NULL OR s.next_attempt_at <= $1) \
             GROUP BY o.dossier_id ORDER BY MIN(o.id) LIMIT $2",
        )
        .bind(us(now))
        .bind(limit.clamp(1, 10_000))
        .fetch_all(self.read_pool())
        .await
        .map_err(db_err)?;
        rows.iter()
            .map(|r| Ok(PortalDue { dossier_id: r.i64("dossier_id")?, seq: r.i64("seq")?, since: r.ts("since")? }))
            .collect()
    }

    async fn portal_queued(&self, dossier_id: i64) -> StoreResult<Vec<PortalQueued>> {
        let rows = sqlx::query("SELECT seq, queued_at FROM portal_outbox WHERE dossier_id = $1 ORDER BY seq")
            .bind(dossier_id)
            .fetch_all(self.read_pool())
            .await
            .map_err(db_err)?;
        rows.iter().map(|r| Ok(PortalQueued { seq: r.i64("seq")?, queued_at: r.ts("queued_at")? })).collect()
    }
}
