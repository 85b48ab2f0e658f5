//! The durable job queue: handlers, the worker loop, and administration of dead letters.
//!
//! Jobs are rows written in the same transaction as the change that causes them (the outbox),
//! so a committed change always gets its follow-up work and a rolled-back one never does.
//! Handlers must be idempotent: a worker that dies mid-job leaves it to be taken over when its
//! lease ends, so any job may run more than once.

mod worker;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use motcua_domain::account::Principal;
use motcua_domain::job::JobStatus;
use motcua_domain::policy::{Permission, Target, authorize};
use serde::{Deserialize, Serialize};

use crate::context::{Actor, RequestMeta};
use crate::core::Core;
use crate::error::AppError;
use crate::ports::{ClaimedJob, JobAttempt, JobFilter, JobRecord, WorkerRecord};
pub use worker::{JobHandler, JobRegistry, RunSummary, Worker, enqueue, new_job};

/// The operators' view of the background jobs.
#[derive(Clone)]
pub struct Jobs {
    core: Arc<Core>,
}

impl Jobs {
    pub(crate) fn new(core: Arc<Core>) -> Self {
        Self { core }
    }
}

// ----- administration -----------------------------------------------------------------------

#[derive(Debug, Clone)]
pub struct JobOverview {
    pub counts: Vec<(JobStatus, i64)>,
    pub workers: Vec<WorkerRecord>,
}

impl Jobs {
    fn check_operator<'p>(&self, principal: &'p Principal) -> Result<&'p motcua_domain::account::Grant, AppError> {
        Ok(authorize(principal, Permission::OperateSystem, Target::System)?)
    }

    /// How many jobs are in each state, for the command line (the system, no principal).
    pub async fn queue_counts(&self) -> Result<Vec<(JobStatus, i64)>, AppError> {
        Ok(self.core.store.job_counts().await?)
    }

    pub async fn job_overview(&self, principal: &Principal) -> Result<JobOverview, AppError> {
        self.check_operator(principal)?;
        Ok(JobOverview { counts: self.core.store.job_counts().await?, workers: self.core.store.workers().await? })
    }

    pub async fn list_jobs(&self, principal: &Principal, filter: &JobFilter) -> Result<Vec<JobRecord>, AppError> {
        self.check_operator(principal)?;
        let mut f = filter.clone();
        f.limit = f.limit.clamp(1, 500);
        Ok(self.core.store.jobs(&f).await?)
    }

    pub async fn get_job(&self, principal: &Principal, id: i64) -> Result<(JobRecord, Vec<JobAttempt>), AppError> {
        self.check_operator(principal)?;
        let job = self.core.store.job(id).await?.ok_or(AppError::NotFound("tác vụ"))?;
        Ok((job, self.core.store.job_attempts(id).await?))
    }

    /// Gives a dead job a fresh attempt budget, once someone has fixed what made it fail.
    pub async fn retry_job(&self, principal: &Principal, id: i64, meta: &RequestMeta) -> Result<(), AppError> {
        let grant = self.check_operator(principal)?;
        let now = self.core.now();
        let mut tx = self.core.store.begin().await?;
        if !tx.retry_dead_job(id, now).await? {
            return Err(AppError::Conflict {
                code: "not_dead",
                message: "Chỉ chạy lại được tác vụ đã thất bại.".into(),
                field: None,
            });
        }
        let event = Actor::Official { principal, grant: Some(grant) }
            .did("job.retry")
            .on("job", id.to_string())
            .event(meta, now);
        self.core.commit_audited(tx, event, meta).await?;
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
        let now = self.core.now();
        let mut tx = self.core.store.begin().await?;
        let mut ids = Vec::with_capacity(count as usize);
        for _ in 0..count {
            let job = new_job(DiagnosticsPing::KIND, &PingPayload { delay_ms }, now, 3, None)?;
            if let Some(id) = tx.enqueue_job(&job, now).await? {
                ids.push(id);
            }
        }
        let event = actor.did("job.ping").detail(format!("{count} tác vụ, {delay_ms} ms")).event(meta, now);
        self.core.commit_audited(tx, event, meta).await?;
        Ok(ids)
    }
}

// ----- standard handlers ----------------------------------------------------------------------

/// Hourly housekeeping: expired sessions, old finished jobs, long-stopped workers, old failure
/// counts of unknown sign-in names.
pub struct MaintenancePurge {
    core: Arc<Core>,
}

impl MaintenancePurge {
    pub const KIND: &'static str = "maintenance.purge";

    pub(crate) fn new(core: Arc<Core>) -> Self {
        Self { core }
    }
}

#[async_trait]
impl JobHandler for MaintenancePurge {
    fn kind(&self) -> &'static str {
        Self::KIND
    }

    fn every(&self) -> Option<jiff::SignedDuration> {
        Some(jiff::SignedDuration::from_hours(1))
    }

    async fn run(&self, _job: &ClaimedJob) -> anyhow::Result<()> {
        let services = &self.core;
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

    async fn run(&self, job: &ClaimedJob) -> anyhow::Result<()> {
        let p: PingPayload = serde_json::from_str(&job.payload)?;
        if p.delay_ms > 0 {
            tokio::time::sleep(Duration::from_millis(p.delay_ms.min(60_000))).await;
        }
        Ok(())
    }
}
