use async_trait::async_trait;
use jiff::Timestamp;
use motcua_app::StoreError;
use motcua_app::ports::{
    ClaimedJob, JobAttempt, JobFilter, JobQueue, JobReads, JobRecord, JobWrites, NewJob, StoreResult, WorkerRecord,
};
use motcua_domain::job::{AfterFailure, JobStatus};
use sqlx::any::AnyRow;

use crate::Db;
use crate::convert::{RowExt, db_err, opt_us, us};
use crate::sql::SqlBuilder;
use crate::tx::DbTx;

fn u32_of(v: i64) -> u32 {
    u32::try_from(v).unwrap_or(u32::MAX)
}

fn job_from_row(r: &AnyRow) -> StoreResult<JobRecord> {
    let status = r.text("status")?;
    Ok(JobRecord {
        id: r.i64("id")?,
        kind: r.text("kind")?,
        payload: r.text("payload")?,
        status: JobStatus::parse(&status)
            .ok_or_else(|| StoreError::Backend(format!("stored job status is invalid: {status:?}")))?,
        priority: i32::try_from(r.i64("priority")?).unwrap_or_default(),
        attempts: u32_of(r.i64("attempts")?),
        max_attempts: u32_of(r.i64("max_attempts")?),
        run_at: r.ts("run_at")?,
        locked_by: r.opt_text("locked_by")?,
        locked_until: r.opt_ts("locked_until")?,
        last_error: r.opt_text("last_error")?,
        dedup_key: r.opt_text("dedup_key")?,
        created_at: r.ts("created_at")?,
        updated_at: r.ts("updated_at")?,
        finished_at: r.opt_ts("finished_at")?,
    })
}

fn worker_from_row(r: &AnyRow) -> StoreResult<WorkerRecord> {
    Ok(WorkerRecord {
        id: r.text("id")?,
        hostname: r.text("hostname")?,
        pid: r.i64("pid")?,
        started_at: r.ts("started_at")?,
        heartbeat_at: r.ts("heartbeat_at")?,
        stopped_at: r.opt_ts("stopped_at")?,
    })
}

#[async_trait]
impl JobReads for Db {
    async fn jobs(&self, f: &JobFilter) -> StoreResult<Vec<JobRecord>> {
        let mut b = SqlBuilder::new("SELECT * FROM jobs WHERE 1 = 1");
        if let Some(s) = f.status {
            b.push(" AND status = ").bind(s.as_str());
        }
        if let Some(k) = &f.kind {
            b.push(" AND kind = ").bind(k.as_str());
        }
        if let Some(before) = f.before_id {
            b.push(" AND id < ").bind(before);
        }
        b.push(" ORDER BY id DESC LIMIT ").bind(f.limit.max(1));
        b.build().fetch_all(self.read_pool()).await.map_err(db_err)?.iter().map(job_from_row).collect()
    }

    async fn job(&self, id: i64) -> StoreResult<Option<JobRecord>> {
        sqlx::query("SELECT * FROM jobs WHERE id = $1")
            .bind(id)
            .fetch_optional(self.read_pool())
            .await
            .map_err(db_err)?
            .map(|r| job_from_row(&r))
            .transpose()
    }

    async fn job_attempts(&self, job_id: i64) -> StoreResult<Vec<JobAttempt>> {
        let rows = sqlx::query("SELECT * FROM job_attempts WHERE job_id = $1 ORDER BY attempt")
            .bind(job_id)
            .fetch_all(self.read_pool())
            .await
            .map_err(db_err)?;
        rows.iter()
            .map(|r| {
                Ok(JobAttempt {
                    job_id: r.i64("job_id")?,
                    attempt: u32_of(r.i64("attempt")?),
                    worker_id: r.text("worker_id")?,
                    started_at: r.ts("started_at")?,
                    finished_at: r.opt_ts("finished_at")?,
                    outcome: r.opt_text("outcome")?,
                    error: r.opt_text("error")?,
                })
            })
            .collect()
    }

    async fn job_counts(&self) -> StoreResult<Vec<(JobStatus, i64)>> {
        let rows = sqlx::query("SELECT status, COUNT(*) AS n FROM jobs GROUP BY status")
            .fetch_all(self.read_pool())
            .await
            .map_err(db_err)?;
        let mut out: Vec<(JobStatus, i64)> = JobStatus::ALL.iter().map(|s| (*s, 0)).collect();
        for r in &rows {
            if let Some(s) = JobStatus::parse(&r.text("status")?)
                && let Some(slot) = out.iter_mut().find(|(k, _)| *k == s)
            {
                slot.1 = r.i64("n")?;
            }
        }
        Ok(out)
    }

    async fn workers(&self) -> StoreResult<Vec<WorkerRecord>> {
        sqlx::query("SELECT * FROM workers ORDER BY started_at DESC LIMIT 100")
            .fetch_all(self.read_pool())
            .await
            .map_err(db_err)?
            .iter()
            .map(worker_from_row)
            .collect()
    }
}

#[async_trait]
impl JobQueue for Db {
    async fn claim_jobs(
        &self,
        worker_id: &str,
        kinds: &[&str],
        now: Timestamp,
        lease_until: Timestamp,
        limit: i64,
    ) -> StoreResult<Vec<ClaimedJob>> {
        if kinds.is_empty() {
            return Ok(vec![]);
        }
        let mut tx = self.write_pool().begin().await.map_err(db_err)?;
        let mut b = SqlBuilder::new("UPDATE jobs SET status = 'running', attempts = attempts + 1, locked_by = ");
        b.bind(worker_id).push(", locked_until = ").bind(us(lease_until)).push(", updated_at = ").bind(us(now));
        b.push(" WHERE id IN (SELECT id FROM jobs WHERE ((status = 'pending' AND run_at <= ").bind(us(now));
        b.push(") OR (status = 'running' AND locked_until < ").bind(us(now)).push(")) AND kind IN (");
        for (i, k) in kinds.iter().enumerate() {
            if i > 0 {
                b.push(", ");
            }
            b.bind(*k);
        }
        b.push(") ORDER BY priority DESC, run_at, id LIMIT ").bind(limit.max(1));
        b.push(self.backend().skip_locked());
        b.push(") RETURNING id, kind, payload, attempts, max_attempts");
        let rows = b.build().fetch_all(&mut *tx).await.map_err(db_err)?;
        let mut claimed = Vec::with_capacity(rows.len());
        for r in &rows {
            let job = ClaimedJob {
                id: r.i64("id")?,
                kind: r.text("kind")?,
                payload: r.text("payload")?,
                attempt: u32_of(r.i64("attempts")?),
                max_attempts: u32_of(r.i64("max_attempts")?),
            };
            // An earlier attempt still open belonged to a worker whose lease ran out.
            sqlx::query(
                "UPDATE job_attempts SET outcome = 'lost', finished_at = $1 WHERE job_id = $2 AND finished_at IS NULL",
            )
            .bind(us(now))
            .bind(job.id)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
            sqlx::query("INSERT INTO job_attempts (job_id, attempt, worker_id, started_at) VALUES ($1, $2, $3, $4)")
                .bind(job.id)
                .bind(i64::from(job.attempt))
                .bind(worker_id.to_owned())
                .bind(us(now))
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
            claimed.push(job);
        }
        tx.commit().await.map_err(db_err)?;
        claimed.sort_by_key(|j| j.id);
        Ok(claimed)
    }

    async fn complete_job(&self, job: &ClaimedJob, worker_id: &str, now: Timestamp) -> StoreResult<bool> {
        let mut tx = self.write_pool().begin().await.map_err(db_err)?;
        let r = sqlx::query("UPDATE jobs SET status = 'done', finished_at = $1, updated_at = $1, locked_by = NULL, locked_until = NULL, last_error = NULL WHERE id = $2 AND locked_by = $3 AND attempts = $4 AND status = 'running'")
            .bind(us(now))
            .bind(job.id)
            .bind(worker_id.to_owned())
            .bind(i64::from(job.attempt))
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        sqlx::query("UPDATE job_attempts SET outcome = 'ok', finished_at = $1 WHERE job_id = $2 AND attempt = $3")
            .bind(us(now))
            .bind(job.id)
            .bind(i64::from(job.attempt))
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        tx.commit().await.map_err(db_err)?;
        Ok(r.rows_affected() == 1)
    }

    async fn fail_job(
        &self,
        job: &ClaimedJob,
        worker_id: &str,
        error: &str,
        next: AfterFailure,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let error: String = error.chars().take(2000).collect();
        let (status, run_at, finished) = match next {
            AfterFailure::RetryAt(at) => ("pending", Some(at), None),
            AfterFailure::GiveUp => ("dead", None, Some(now)),
        };
        let mut tx = self.write_pool().begin().await.map_err(db_err)?;
        let r = sqlx::query(
            "UPDATE jobs SET status = $1, run_at = COALESCE($2, run_at), finished_at = $3, updated_at = $4, locked_by = NULL, locked_until = NULL, last_error = $5 \
             WHERE id = $6 AND locked_by = $7 AND attempts = $8 AND status = 'running'",
        )
        .bind(status)
        .bind(opt_us(run_at))
        .bind(opt_us(finished))
        .bind(us(now))
        .bind(error.clone())
        .bind(job.id)
        .bind(worker_id.to_owned())
        .bind(i64::from(job.attempt))
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        sqlx::query("UPDATE job_attempts SET outcome = 'error', error = $1, finished_at = $2 WHERE job_id = $3 AND attempt = $4")
            .bind(error)
            .bind(us(now))
            .bind(job.id)
            .bind(i64::from(job.attempt))
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        tx.commit().await.map_err(db_err)?;
        Ok(r.rows_affected() == 1)
    }

    async fn register_worker(&self, w: &WorkerRecord) -> StoreResult<()> {
        sqlx::query("INSERT INTO workers (id, hostname, pid, started_at, heartbeat_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(w.id.clone())
            .bind(w.hostname.clone())
            .bind(w.pid)
            .bind(us(w.started_at))
            .bind(us(w.heartbeat_at))
            .execute(self.write_pool())
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn heartbeat_worker(&self, worker_id: &str, now: Timestamp) -> StoreResult<()> {
        sqlx::query("UPDATE workers SET heartbeat_at = $1 WHERE id = $2")
            .bind(us(now))
            .bind(worker_id.to_owned())
            .execute(self.write_pool())
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn stop_worker(&self, worker_id: &str, now: Timestamp) -> StoreResult<()> {
        sqlx::query("UPDATE workers SET stopped_at = $1, heartbeat_at = $1 WHERE id = $2")
            .bind(us(now))
            .bind(worker_id.to_owned())
            .execute(self.write_pool())
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn purge_finished_jobs(&self, before: Timestamp) -> StoreResult<u64> {
        let r = sqlx::query("DELETE FROM jobs WHERE status = 'done' AND finished_at < $1")
            .bind(us(before))
            .execute(self.write_pool())
            .await
            .map_err(db_err)?;
        Ok(r.rows_affected())
    }

    async fn purge_expired_sessions(&self, now: Timestamp, idle_before: Timestamp) -> StoreResult<u64> {
        let r = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2")
            .bind(us(now))
            .bind(us(idle_before))
            .execute(self.write_pool())
            .await
            .map_err(db_err)?;
        Ok(r.rows_affected())
    }

    async fn purge_login_guards(&self, now: Timestamp, before: Timestamp) -> StoreResult<u64> {
        let r = sqlx::query(
            "DELETE FROM login_guards WHERE updated_at < $1 AND (locked_until IS NULL OR locked_until <= $2)",
        )
        .bind(us(before))
        .bind(us(now))
        .execute(self.write_pool())
        .await
        .map_err(db_err)?;
        Ok(r.rows_affected())
    }

    async fn purge_stopped_workers(&self, before: Timestamp) -> StoreResult<u64> {
        let r = sqlx::query("DELETE FROM workers WHERE heartbeat_at < $1")
            .bind(us(before))
            .execute(self.write_pool())
            .await
            .map_err(db_err)?;
        Ok(r.rows_affected())
    }
}

#[async_trait]
impl JobWrites for DbTx {
    async fn enqueue_job(&mut self, job: &NewJob, now: Timestamp) -> StoreResult<Option<i64>> {
        let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO jobs (kind, payload, status, priority, attempts, max_attempts, run_at, dedup_key, created_at, updated_at) \
             VALUES ($1, $2, 'pending', $3, 0, $4, $5, $6, $7, $7) ON CONFLICT (dedup_key) DO NOTHING RETURNING id",
        )
        .bind(job.kind.clone())
        .bind(job.payload.clone())
        .bind(i64::from(job.priority))
        .bind(i64::from(job.max_attempts.max(1)))
        .bind(us(job.run_at))
        .bind(job.dedup_key.clone())
        .bind(us(now))
        .fetch_optional(self.conn().await?)
        .await
        .map_err(db_err)?;
        Ok(id)
    }

    async fn retry_dead_job(&mut self, id: i64, now: Timestamp) -> StoreResult<bool> {
        let r = sqlx::query("UPDATE jobs SET status = 'pending', run_at = $1, updated_at = $1, finished_at = NULL, max_attempts = attempts + 1 WHERE id = $2 AND status = 'dead'")
            .bind(us(now))
            .bind(id)
            .execute(self.conn().await?)
            .await
            .map_err(db_err)?;
        Ok(r.rows_affected() == 1)
    }
}
