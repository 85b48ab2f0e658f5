use async_trait::async_trait;
use motcua_app::StoreError;
use motcua_app::ports::{AuditFilter, AuditReads, AuditWrites, StoreResult};
use motcua_domain::audit::{AuditEntry, AuditEvent, ChainHead, GENESIS_HASH, Outcome, seal};
use sqlx::any::AnyRow;

use crate::Db;
use crate::convert::{RowExt, db_err, us};
use crate::sql::SqlBuilder;
use crate::tx::DbTx;

fn entry_from_row(r: &AnyRow) -> StoreResult<AuditEntry> {
    let outcome = r.text("outcome")?;
    Ok(AuditEntry {
        seq: r.i64("seq")?,
        event: AuditEvent {
            occurred_at: r.ts("occurred_at")?,
            actor_user_id: r.opt_i64("actor_user_id")?,
            actor_username: r.opt_text("actor_username")?,
            actor_role: r.opt_text("actor_role")?,
            actor_unit_id: r.opt_i64("actor_unit_id")?,
            action: r.text("action")?,
            target_type: r.opt_text("target_type")?,
            target_id: r.opt_text("target_id")?,
            request_id: r.opt_text("request_id")?,
            // An unknown outcome is kept visible as "failed"; verification still catches it
            // because the hash covers the stored text.
            outcome: Outcome::parse(&outcome).unwrap_or(Outcome::Failed),
            detail: r.opt_text("detail")?,
        },
        prev_hash: r.text("prev_hash")?,
        hash: r.text("hash")?,
    })
}

const COLS: &str = "l.seq, l.occurred_at, l.actor_user_id, l.actor_username, l.actor_role, l.actor_unit_id, l.action, l.target_type, l.target_id, \
                    l.request_id, l.outcome, l.detail, l.prev_hash, l.hash";

#[async_trait]
impl AuditReads for Db {
    async fn audit_entries_after(&self, after_seq: i64, limit: i64) -> StoreResult<Vec<AuditEntry>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLS} FROM audit_log l WHERE l.seq > $1 ORDER BY l.seq LIMIT $2"
        )))
        .bind(after_seq)
        .bind(limit)
        .fetch_all(self.read_pool())
        .await
        .map_err(db_err)?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let mut e = entry_from_row(r)?;
            // Verification must see the stored outcome text exactly; a value outside the
            // known set is tampering, so make sure it cannot hash equal to a real outcome.
            let stored = r.text("outcome")?;
            if Outcome::parse(&stored).is_none() {
                e.hash = format!("unknown outcome {stored:?}");
            }
            out.push(e);
        }
        Ok(out)
    }

    async fn audit_search(&self, f: &AuditFilter) -> StoreResult<Vec<AuditEntry>> {
        let mut b = SqlBuilder::new(&format!("SELECT {COLS} FROM audit_log l"));
        if let Some(scopes) = &f.scopes {
            b.push(" JOIN agencies a ON a.id = l.actor_unit_id WHERE ");
            b.push_subtrees("a.path", scopes);
        } else {
            b.push(" WHERE 1 = 1");
        }
        if let Some(p) = &f.action_prefix {
            b.push(" AND substr(l.action, 1, CAST(")
                .bind(p.chars().count() as i64)
                .push(" AS INTEGER)) = ")
                .bind(p.as_str());
        }
        if let Some(o) = f.outcome {
            b.push(" AND l.outcome = ").bind(o.as_str());
        }
        if let Some(u) = &f.actor_username {
            b.push(" AND l.actor_username = ").bind(u.trim().to_lowercase());
        }
        if let Some(before) = f.before_seq {
            b.push(" AND l.seq < ").bind(before);
        }
        b.push(" ORDER BY l.seq DESC LIMIT ").bind(f.limit.max(1));
        b.build().fetch_all(self.read_pool()).await.map_err(db_err)?.iter().map(entry_from_row).collect()
    }

    async fn audit_head(&self) -> StoreResult<Option<ChainHead>> {
        let row = sqlx::query("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
            .fetch_optional(self.read_pool())
            .await
            .map_err(db_err)?;
        row.map(|r| Ok(ChainHead { seq: r.i64("seq")?, hash: r.text("hash")? })).transpose()
    }
}

#[async_trait]
impl AuditWrites for DbTx {
    async fn append_audit(&mut self, event: &AuditEvent) -> StoreResult<AuditEntry> {
        if let Some(lock) = self.backend.audit_append_lock() {
            sqlx::query(lock).execute(self.conn().await?).await.map_err(db_err)?;
        }
        let head = sqlx::query("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
            .fetch_optional(self.conn().await?)
            .await
            .map_err(db_err)?;
        let (seq, prev) = match head {
            Some(r) => (r.i64("seq")? + 1, r.text("hash")?),
            None => (1, GENESIS_HASH.to_owned()),
        };
        let entry = seal(seq, event.clone(), &prev);
        let e = &entry.event;
        sqlx::query(
            "INSERT INTO audit_log (seq, occurred_at, actor_user_id, actor_username, actor_role, actor_unit_id, action, target_type, target_id, \
             request_id, outcome, detail, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        )
        .bind(entry.seq)
        .bind(us(e.occurred_at))
        .bind(e.actor_user_id)
        .bind(e.actor_username.clone())
        .bind(e.actor_role.clone())
        .bind(e.actor_unit_id)
        .bind(e.action.clone())
        .bind(e.target_type.clone())
        .bind(e.target_id.clone())
        .bind(e.request_id.clone())
        .bind(e.outcome.as_str())
        .bind(e.detail.clone())
        .bind(entry.prev_hash.clone())
        .bind(entry.hash.clone())
        .execute(self.conn().await?)
        .await
        .map_err(|err| match db_err(err) {
            StoreError::Duplicate { .. } => StoreError::Backend("audit chain head moved during append".into()),
            other => other,
        })?;
        Ok(entry)
    }
}
