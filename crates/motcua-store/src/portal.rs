//! The national portal's outbox: what is queued (written with the dossiers' events, see
//! `dossier::push_outbox`) and how far each dossier has been told.

use async_trait::async_trait;
use motcua_app::ports::{
    PortalBacklog, PortalCall, PortalDue, PortalProblem, PortalQueued, PortalReads, PortalSyncRow, PortalWrites,
    StoreResult,
};
use motcua_domain::agency::AgencyId;

use crate::convert::{RowExt, db_err, us};
use crate::tx::DbTx;
use crate::{Backend, Db};

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

    async fn portal_calls(&self, dossier_id: i64) -> StoreResult<Vec<PortalCall>> {
        let rows = sqlx::query(
            "SELECT dossier_id, at, call, seq_from, seq_to, status, ok, answer_code, answer_message \
             FROM portal_sync_log WHERE dossier_id = $1 ORDER BY id",
        )
        .bind(dossier_id)
        .fetch_all(self.read_pool())
        .await
        .map_err(db_err)?;
        rows.iter()
            .map(|r| {
                let call = r.text("call")?;
                Ok(PortalCall {
                    dossier_id: r.i64("dossier_id")?,
                    at: r.ts("at")?,
                    call: match call.as_str() {
                        "create" => "create",
                        "update" => "update",
                        _ => "steps",
                    },
                    seq_from: r.i64("seq_from")?,
                    seq_to: r.i64("seq_to")?,
                    status: u8::try_from(r.i64("status")?).unwrap_or_default(),
                    ok: r.i64("ok")? != 0,
                    answer_code: r.text("answer_code")?,
                    answer_message: r.text("answer_message")?,
                })
            })
            .collect()
    }

    async fn portal_sync_row(&self, dossier_id: i64) -> StoreResult<Option<PortalSyncRow>> {
        let r = sqlx::query(SYNC_ROW).bind(dossier_id).fetch_optional(self.read_pool()).await.map_err(db_err)?;
        r.map(|r| sync_row(dossier_id, &r)).transpose()
    }

    async fn portal_problems(&self, agencies: &[AgencyId], limit: i64) -> StoreResult<Vec<PortalProblem>> {
        if agencies.is_empty() {
            return Ok(Vec::new());
        }
        let mut b = crate::sql::SqlBuilder::new("");
        b.push(
            "SELECT d.id, d.code, d.portal_code, d.receiving_agency_id, d.status,              COALESCE(s.attempts, 0) AS attempts, COALESCE(s.dead, 0) AS dead, s.last_error,              (SELECT MIN(o.queued_at) FROM portal_outbox o WHERE o.dossier_id = d.id               AND o.seq > COALESCE(s.synced_seq, 0)) AS untold_since,              (SELECT l.status FROM portal_sync_log l WHERE l.dossier_id = d.id AND l.ok = 1               ORDER BY l.id DESC LIMIT 1) AS told_status              FROM dossiers d LEFT JOIN portal_sync s ON s.dossier_id = d.id WHERE d.receiving_agency_id IN (",
        );
        for (i, a) in agencies.iter().enumerate() {
            b.push(if i == 0 { "" } else { ", " }).bind(a.0);
        }
        b.push(
            ") AND (COALESCE(s.dead, 0) = 1 OR COALESCE(s.attempts, 0) > 0 OR EXISTS (SELECT 1 FROM portal_outbox o              WHERE o.dossier_id = d.id AND o.seq > COALESCE(s.synced_seq, 0))) ORDER BY d.id LIMIT ",
        )
        .bind(limit.clamp(1, 10_000));
        let rows = b.build().fetch_all(self.read_pool()).await.map_err(db_err)?;
        rows.iter()
            .map(|r| {
                Ok(PortalProblem {
                    dossier_id: r.i64("id")?,
                    code: r.opt_text("code")?,
                    portal_code: r.opt_text("portal_code")?,
                    receiving_agency_id: AgencyId(r.i64("receiving_agency_id")?),
                    status: u8::try_from(r.i64("status")?).unwrap_or_default(),
                    told_status: r.opt_i64("told_status")?.and_then(|s| u8::try_from(s).ok()),
                    untold_since: r.opt_ts("untold_since")?,
                    attempts: u32::try_from(r.i64("attempts")?).unwrap_or_default(),
                    dead: r.i64("dead")? != 0,
                    last_error: r.opt_text("last_error")?,
                })
            })
            .collect()
    }

    async fn portal_inbound_log(&self, limit: i64) -> StoreResult<Vec<motcua_app::ports::PortalInboundEntry>> {
        let rows =
            sqlx::query("SELECT portal_code, at, outcome, message FROM portal_inbound_log ORDER BY id DESC LIMIT $1")
                .bind(limit.clamp(1, 10_000))
                .fetch_all(self.read_pool())
                .await
                .map_err(db_err)?;
        rows.iter()
            .map(|r| {
                Ok(motcua_app::ports::PortalInboundEntry {
                    portal_code: r.opt_text("portal_code")?,
                    at: r.ts("at")?,
                    outcome: if r.text("outcome")? == "failed" { "failed" } else { "rejected" },
                    message: r.text("message")?,
                })
            })
            .collect()
    }

    async fn portal_inbound_failures(&self, portal_code: &str) -> StoreResult<i64> {
        sqlx::query_scalar("SELECT COUNT(*) FROM portal_inbound_log WHERE portal_code = $1 AND outcome = 'failed'")
            .bind(portal_code.to_owned())
            .fetch_one(self.read_pool())
            .await
            .map_err(db_err)
    }

    async fn portal_backlog(&self, now: jiff::Timestamp) -> StoreResult<PortalBacklog> {
        let r = sqlx::query(
            "SELECT COUNT(*) AS untold, MIN(since) AS oldest FROM (SELECT o.dossier_id, MIN(o.queued_at) AS since              FROM portal_outbox o LEFT JOIN portal_sync s ON s.dossier_id = o.dossier_id              WHERE o.seq > COALESCE(s.synced_seq, 0) GROUP BY o.dossier_id) u",
        )
        .fetch_one(self.read_pool())
        .await
        .map_err(db_err)?;
        let dead: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM portal_sync WHERE dead = 1")
            .fetch_one(self.read_pool())
            .await
            .map_err(db_err)?;
        let failures: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM portal_sync_log WHERE ok = 0 AND at > $1")
            .bind(us(now - jiff::SignedDuration::from_hours(1)))
            .fetch_one(self.read_pool())
            .await
            .map_err(db_err)?;
        Ok(PortalBacklog {
            untold_dossiers: r.i64("untold")?,
            oldest_untold: r.opt_ts("oldest")?,
            dead,
            failures_last_hour: failures,
        })
    }
}

fn sync_row(dossier_id: i64, r: &sqlx::any::AnyRow) -> StoreResult<PortalSyncRow> {
    Ok(PortalSyncRow {
        dossier_id,
        synced_seq: r.i64("synced_seq")?,
        step_seq: r.i64("step_seq")?,
        created: r.i64("created")? != 0,
        attempts: u32::try_from(r.i64("attempts")?).unwrap_or_default(),
        next_attempt_at: r.opt_ts("next_attempt_at")?,
        dead: r.i64("dead")? != 0,
        last_error: r.opt_text("last_error")?,
        claimed_until: r.opt_ts("claimed_until")?,
    })
}

const SYNC_ROW: &str = "SELECT synced_seq, step_seq, created, attempts, next_attempt_at, dead, last_error, claimed_until \
                        FROM portal_sync WHERE dossier_id = $1";

/// Makes sure the dossier has its sync row (a dossier never synced has none yet).
async fn ensure_sync_row(tx: &mut DbTx, dossier_id: i64) -> StoreResult<()> {
    sqlx::query("INSERT INTO portal_sync (dossier_id, updated_at) VALUES ($1, 0) ON CONFLICT (dossier_id) DO NOTHING")
        .bind(dossier_id)
        .execute(tx.conn().await?)
        .await
        .map_err(db_err)?;
    Ok(())
}

#[async_trait]
impl PortalWrites for DbTx {
    async fn lock_portal_sync(&mut self, dossier_id: i64) -> StoreResult<PortalSyncRow> {
        ensure_sync_row(self, dossier_id).await?;
        const LOCKED: &str = "SELECT synced_seq, step_seq, created, attempts, next_attempt_at, dead, last_error, \
                              claimed_until FROM portal_sync WHERE dossier_id = $1 FOR UPDATE";
        // The row was just made sure of; on PostgreSQL it stays locked until the commit.
        let r = sqlx::query(if self.backend == Backend::Postgres { LOCKED } else { SYNC_ROW })
            .bind(dossier_id)
            .fetch_one(self.conn().await?)
            .await
            .map_err(db_err)?;
        sync_row(dossier_id, &r)
    }

    async fn claim_portal_sync(
        &mut self,
        dossier_id: i64,
        now: jiff::Timestamp,
        until: jiff::Timestamp,
    ) -> StoreResult<Option<PortalSyncRow>> {
        ensure_sync_row(self, dossier_id).await?;
        let claimed = sqlx::query(
            "UPDATE portal_sync SET claimed_until = $1 WHERE dossier_id = $2 \
             AND (claimed_until IS NULL OR claimed_until <= $3)",
        )
        .bind(us(until))
        .bind(dossier_id)
        .bind(us(now))
        .execute(self.conn().await?)
        .await
        .map_err(db_err)?
        .rows_affected();
        if claimed == 0 {
            return Ok(None);
        }
        let r = sqlx::query(SYNC_ROW).bind(dossier_id).fetch_one(self.conn().await?).await.map_err(db_err)?;
        sync_row(dossier_id, &r).map(Some)
    }

    async fn log_portal_inbound(&mut self, e: &motcua_app::ports::PortalInboundEntry) -> StoreResult<()> {
        sqlx::query("INSERT INTO portal_inbound_log (portal_code, at, outcome, message) VALUES ($1, $2, $3, $4)")
            .bind(e.portal_code.clone())
            .bind(us(e.at))
            .bind(e.outcome)
            .bind(e.message.chars().take(2000).collect::<String>())
            .execute(self.conn().await?)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn save_portal_sync(&mut self, row: &PortalSyncRow, at: jiff::Timestamp) -> StoreResult<()> {
        sqlx::query(
            "UPDATE portal_sync SET synced_seq = $1, step_seq = $2, created = $3, attempts = $4, \
             next_attempt_at = $5, dead = $6, last_error = $7, updated_at = $8, claimed_until = $10 WHERE dossier_id = $9",
        )
        .bind(row.synced_seq)
        .bind(row.step_seq)
        .bind(i64::from(row.created))
        .bind(i64::from(row.attempts))
        .bind(row.next_attempt_at.map(us))
        .bind(i64::from(row.dead))
        .bind(row.last_error.clone())
        .bind(us(at))
        .bind(row.dossier_id)
        .bind(row.claimed_until.map(us))
        .execute(self.conn().await?)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn log_portal_call(&mut self, c: &PortalCall) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO portal_sync_log (dossier_id, at, call, seq_from, seq_to, status, ok, answer_code, \
             answer_message) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(c.dossier_id)
        .bind(us(c.at))
        .bind(c.call)
        .bind(c.seq_from)
        .bind(c.seq_to)
        .bind(i64::from(c.status))
        .bind(i64::from(c.ok))
        .bind(c.answer_code.clone())
        .bind(c.answer_message.clone())
        .execute(self.conn().await?)
        .await
        .map_err(db_err)?;
        Ok(())
    }
}
