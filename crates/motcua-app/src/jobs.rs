//! The durable job queue: handlers, the worker loop, and administration of dead letters.
//!
//! Jobs are rows written in the same transaction as the change that causes them (the outbox),
//! so a committed change always gets its follow-up work and a rolled-back one never does.
//! Handlers must be idempotent: a worker that dies mid-job leaves it to be taken over when its
//! lease ends, so any job may run more than once.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use jiff::Timestamp;
use motcua_domain::account::Principal;
use motcua_domain::audit::Outcome;
use motcua_domain::job::JobStatus;
use motcua_domain::policy::{Permission, Target, authorize};
use serde::{Deserialize, Serialize};
use tokio::sync::watch;

use crate::context::{Actor, RequestMeta, audit_event};
use crate::error::AppError;
use crate::ports::{ClaimedJob, JobAttempt, JobFilter, JobRecord, NewJob, StoreTx, WorkerRecord};
use crate::services::Services;

/// One kind of background work.
#[async_trait]
pub trait JobHandler: Send + Sync + 'static {
    fn kind(&self) -> &'static str;
    async fn run(&self, services: &Services, job: &ClaimedJob) -> anyhow::Result<()>;
}

/// Handlers by kind. A worker only claims kinds it has handlers for, so during a rolling
/// upgrade an old worker leaves new kinds to new workers instead of failing them.
#[derive(Clone, Default)]
pub struct JobRegistry {
    handlers: HashMap<&'static str, Arc<dyn JobHandler>>,
}

impl JobRegistry {
    /// The handlers every installation runs.
    pub fn standard() -> Self {
        let mut r = Self::default();
        r.register(MaintenancePurge);
        r.register(DiagnosticsPing);
        r.register(crate::catalog::CatalogImportJob);
        r.register(crate::notifications::ReminderScanJob);
        r.register(crate::notifications::NotificationMailJob);
        r.register(crate::integrity::CheckpointJob);
        r
    }

    pub fn register(&mut self, handler: impl JobHandler) {
        self.handlers.insert(handler.kind(), Arc::new(handler));
    }

    pub fn kinds(&self) -> Vec<&'static str> {
        let mut k: Vec<_> = self.handlers.keys().copied().collect();
        k.sort_unstable();
        k
    }

    fn get(&self, kind: &str) -> Option<&Arc<dyn JobHandler>> {
        self.handlers.get(kind)
    }
}

/// Builds a job row for `enqueue`.
pub fn new_job<P: Serialize>(
    kind: &str,
    payload: &P,
    run_at: Timestamp,
    max_attempts: u32,
    dedup_key: Option<String>,
) -> anyhow::Result<NewJob> {
    Ok(NewJob {
        kind: kind.to_owned(),
        payload: serde_json::to_string(payload)?,
        priority: 0,
        run_at,
        max_attempts,
        dedup_key,
    })
}

/// Adds a job inside the caller's transaction.
pub async fn enqueue(tx: &mut dyn StoreTx, job: &NewJob, now: Timestamp) -> Result<Option<i64>, AppError> {
    Ok(tx.enqueue_job(job, now).await?)
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunSummary {
    pub succeeded: usize,
    pub failed: usize,
}

impl RunSummary {
    pub fn total(&self) -> usize {
        self.succeeded + self.failed
    }
}

pub struct Worker {
    id: String,
    services: Services,
    registry: JobRegistry,
}

impl Worker {
    pub fn new(services: Services, registry: JobRegistry) -> Self {
        let host = std::env::var("HOSTNAME").ok().filter(|h| !h.is_empty()).unwrap_or_else(|| "localhost".into());
        let id = format!("{host}-{}-{}", std::process::id(), crate::secret::random_hex(4));
        Self { id, services, registry }
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    /// Claims one batch of due jobs and runs them; returns what happened.
    pub async fn run_once(&self) -> Result<RunSummary, AppError> {
        let now = self.services.now();
        let settings = &self.services.settings.worker;
        let lease_until = now.checked_add(settings.lease).map_err(anyhow::Error::from)?;
        let kinds = self.registry.kinds();
        let claimed = self.services.store.claim_jobs(&self.id, &kinds, now, lease_until, settings.batch_size).await?;
        let mut summary = RunSummary::default();
        for job in claimed {
            let result = match self.registry.get(&job.kind) {
                Some(h) => h.run(&self.services, &job).await,
                None => Err(anyhow::anyhow!("no handler for job kind {}", job.kind)),
            };
            let finished = self.services.now();
            match result {
                Ok(()) => {
                    self.services.store.complete_job(&job, &self.id, finished).await?;
                    metrics::counter!("motcua_jobs_total", "kind" => job.kind.clone(), "outcome" => "ok").increment(1);
                    summary.succeeded += 1;
                }
                Err(e) => {
                    let next = settings.backoff.after_failure(job.id, job.attempt, job.max_attempts, finished);
                    let message = format!("{e:#}");
                    tracing::warn!(job_id = job.id, kind = %job.kind, attempt = job.attempt, error = %message, "job failed");
                    self.services.store.fail_job(&job, &self.id, &message, next, finished).await?;
                    metrics::counter!("motcua_jobs_total", "kind" => job.kind.clone(), "outcome" => "error")
                        .increment(1);
                    summary.failed += 1;
                }
            }
        }
        Ok(summary)
    }

    /// Runs batches until nothing is due at the clock's current time. Tests call this with a
    /// manual clock to run the queue synchronously.
    pub async fn run_pending(&self) -> Result<RunSummary, AppError> {
        let mut total = RunSummary::default();
        loop {
            let s = self.run_once().await?;
            if s.total() == 0 {
                return Ok(total);
            }
            total.succeeded += s.succeeded;
            total.failed += s.failed;
        }
    }

    /// Enqueues the periodic jobs of the current period (each at most once per period, by
    /// dedup key, however many workers run): the hourly purge, the reminder scan and the
    /// integrity checkpoint.
    pub async fn schedule_periodic(&self) -> Result<(), AppError> {
        let now = self.services.now();
        let settings = &self.services.settings;
        // One job per kind and period: the period's number is in its dedup key.
        let periodic = |kind: &str, every_secs: i64| {
            let every = every_secs.max(60);
            let slot = now.as_second().div_euclid(every);
            new_job(kind, &serde_json::json!({}), now, 3, Some(format!("{kind}@{every}:{slot}")))
        };
        let purge = periodic(MaintenancePurge::KIND, 3600)?;
        let scan =
            periodic(crate::notifications::ReminderScanJob::KIND, settings.notifications.scan_interval.as_secs())?;
        let checkpoint =
            periodic(crate::integrity::CheckpointJob::KIND, settings.integrity.checkpoint_interval.as_secs())?;
        let mut tx = self.services.store.begin().await?;
        tx.enqueue_job(&purge, now).await?;
        tx.enqueue_job(&scan, now).await?;
        if self.services.settings.integrity.anchor_key.is_some() {
            tx.enqueue_job(&checkpoint, now).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The worker loop: registers itself, then polls until `shutdown` turns true. Errors (the
    /// database restarting, say) are logged and retried; they never end the loop.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        let store = self.services.store.clone();
        let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "localhost".into());
        let now = self.services.now();
        let record = WorkerRecord {
            id: self.id.clone(),
            hostname: host,
            pid: i64::from(std::process::id()),
            started_at: now,
            heartbeat_at: now,
            stopped_at: None,
        };
        if let Err(e) = store.register_worker(&record).await {
            tracing::error!(error = %e, "could not register worker");
        }
        tracing::info!(worker = %self.id, kinds = ?self.registry.kinds(), "worker started");
        let poll = self.services.settings.worker.poll_interval;
        let settings = &self.services.settings;
        let every = settings
            .notifications
            .scan_interval
            .as_secs()
            .min(settings.integrity.checkpoint_interval.as_secs())
            .clamp(60, 3600);
        let mut last_slot = i64::MIN;
        let mut last_beat = now;
        loop {
            if *shutdown.borrow() {
                break;
            }
            let now = self.services.now();
            let slot = now.as_second().div_euclid(every);
            if slot != last_slot {
                match self.schedule_periodic().await {
                    Ok(()) => last_slot = slot,
                    Err(e) => tracing::error!(error = %e, "could not schedule periodic jobs"),
                }
            }
            if now.duration_since(last_beat).as_secs() >= 15 {
                if let Err(e) = store.heartbeat_worker(&self.id, now).await {
                    tracing::warn!(error = %e, "worker heartbeat failed");
                }
                last_beat = now;
            }
            let busy = match self.run_once().await {
                Ok(s) => s.total() > 0,
                Err(e) => {
                    tracing::error!(error = %e, "job batch failed");
                    false
                }
            };
            if !busy {
                tokio::select! {
                    _ = tokio::time::sleep(poll) => {}
                    _ = shutdown.changed() => {}
                }
            }
        }
        let _ = store.stop_worker(&self.id, self.services.now()).await;
        tracing::info!(worker = %self.id, "worker stopped");
    }
}

// ----- administration -----------------------------------------------------------------------

#[derive(Debug, Clone)]
pub struct JobOverview {
    pub counts: Vec<(JobStatus, i64)>,
    pub workers: Vec<WorkerRecord>,
}

impl Services {
    fn check_operator<'p>(&self, principal: &'p Principal) -> Result<&'p motcua_domain::account::Grant, AppError> {
        Ok(authorize(principal, Permission::OperateSystem, Target::System)?)
    }

    pub async fn job_overview(&self, principal: &Principal) -> Result<JobOverview, AppError> {
        self.check_operator(principal)?;
        Ok(JobOverview { counts: self.store.job_counts().await?, workers: self.store.workers().await? })
    }

    pub async fn list_jobs(&self, principal: &Principal, filter: &JobFilter) -> Result<Vec<JobRecord>, AppError> {
        self.check_operator(principal)?;
        let mut f = filter.clone();
        f.limit = f.limit.clamp(1, 500);
        Ok(self.store.jobs(&f).await?)
    }

    pub async fn get_job(&self, principal: &Principal, id: i64) -> Result<(JobRecord, Vec<JobAttempt>), AppError> {
        self.check_operator(principal)?;
        let job = self.store.job(id).await?.ok_or(AppError::NotFound("tác vụ"))?;
        Ok((job, self.store.job_attempts(id).await?))
    }

    /// Gives a dead job a fresh attempt budget, once someone has fixed what made it fail.
    pub async fn retry_job(&self, principal: &Principal, id: i64, meta: &RequestMeta) -> Result<(), AppError> {
        let grant = self.check_operator(principal)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        if !tx.retry_dead_job(id, now).await? {
            return Err(AppError::Conflict {
                code: "not_dead",
                message: "Chỉ chạy lại được tác vụ đã thất bại.".into(),
                field: None,
            });
        }
        let event = audit_event(
            Actor::Official { principal, grant: Some(grant) },
            "job.retry",
            Some(("job", id.to_string())),
            Outcome::Success,
            None,
            meta,
            now,
        );
        self.commit_audited(tx, event, meta).await?;
        Ok(())
    }

    /// Enqueues `count` diagnostic jobs that only sleep `delay_ms`: a quick way to see that
    /// workers are alive and how fast they drain the queue.
    pub async fn enqueue_ping(
        &self,
        actor: Actor<'_>,
        count: u32,
        delay_ms: u64,
        meta: &RequestMeta,
    ) -> Result<Vec<i64>, AppError> {
        if let Actor::Official { principal, .. } = actor {
            self.check_operator(principal)?;
        }
        if count == 0 || count > 10_000 || delay_ms > 60_000 {
            return Err(AppError::field("count", "out_of_range", "Số lượng 1–10000, thời gian chờ tối đa 60000 ms."));
        }
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let mut ids = Vec::with_capacity(count as usize);
        for _ in 0..count {
            let job = new_job(DiagnosticsPing::KIND, &PingPayload { delay_ms }, now, 3, None)?;
            if let Some(id) = tx.enqueue_job(&job, now).await? {
                ids.push(id);
            }
        }
        let event = audit_event(
            actor,
            "job.ping",
            None,
            Outcome::Success,
            Some(format!("{count} tác vụ, {delay_ms} ms")),
            meta,
            now,
        );
        self.commit_audited(tx, event, meta).await?;
        Ok(ids)
    }
}

// ----- standard handlers ----------------------------------------------------------------------

/// Hourly housekeeping: expired sessions, old finished jobs, long-stopped workers, old failure
/// counts of unknown sign-in names.
pub struct MaintenancePurge;

impl MaintenancePurge {
    pub const KIND: &'static str = "maintenance.purge";
}

#[async_trait]
impl JobHandler for MaintenancePurge {
    fn kind(&self) -> &'static str {
        Self::KIND
    }

    async fn run(&self, services: &Services, _job: &ClaimedJob) -> anyhow::Result<()> {
        let now = services.now();
        let idle_before = now.checked_sub(services.settings.auth.session_idle)?;
        let sessions = services.store.purge_expired_sessions(now, idle_before).await?;
        let retention_start = now.checked_sub(services.settings.worker.retention)?;
        let jobs = services.store.purge_finished_jobs(retention_start).await?;
        let workers = services.store.purge_stopped_workers(retention_start).await?;
        let login_guards = services.store.purge_login_guards(now, retention_start).await?;
        tracing::info!(sessions, jobs, workers, login_guards, "maintenance purge");
        Ok(())
    }
}

#[derive(Debug, Serialize, Deserialize)]
pub struct PingPayload {
    #[serde(default)]
    pub delay_ms: u64,
}

pub struct DiagnosticsPing;

impl DiagnosticsPing {
    pub const KIND: &'static str = "diagnostics.ping";
}

#[async_trait]
impl JobHandler for DiagnosticsPing {
    fn kind(&self) -> &'static str {
        Self::KIND
    }

    async fn run(&self, _services: &Services, job: &ClaimedJob) -> anyhow::Result<()> {
        let p: PingPayload = serde_json::from_str(&job.payload)?;
        if p.delay_ms > 0 {
            tokio::time::sleep(Duration::from_millis(p.delay_ms.min(60_000))).await;
        }
        Ok(())
    }
}
