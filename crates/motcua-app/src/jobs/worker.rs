//! The worker: claims due jobs of the kinds it has handlers for, runs them, records each
//! outcome with backoff, and enqueues the periodic jobs of its handlers.

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use jiff::{SignedDuration, Timestamp};
use serde::Serialize;
use tokio::sync::watch;

use crate::core::Core;
use crate::error::AppError;
use crate::ports::{ClaimedJob, NewJob, StoreTx, WorkerRecord};

/// One kind of background work.
#[async_trait]
pub trait JobHandler: Send + Sync + 'static {
    fn kind(&self) -> &'static str;

    /// How often the worker enqueues this job by itself (`None`: only when something else
    /// enqueues it).
    fn every(&self) -> Option<SignedDuration> {
        None
    }

    async fn run(&self, job: &ClaimedJob) -> anyhow::Result<()>;
}

/// Handlers by kind. A worker only claims kinds it has handlers for, so during a rolling
/// upgrade an old worker leaves new kinds to new workers instead of failing them.
#[derive(Clone, Default)]
pub struct JobRegistry {
    handlers: HashMap<&'static str, Arc<dyn JobHandler>>,
}

impl JobRegistry {
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

    /// The periodic kinds with their periods, by kind.
    fn periodic(&self) -> Vec<(&'static str, SignedDuration)> {
        let mut p: Vec<_> = self.handlers.values().filter_map(|h| h.every().map(|e| (h.kind(), e))).collect();
        p.sort_unstable_by_key(|(k, _)| *k);
        p
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
    core: Arc<Core>,
    registry: JobRegistry,
}

impl Worker {
    pub(crate) fn new(core: Arc<Core>, registry: JobRegistry) -> Self {
        let host = std::env::var("HOSTNAME").ok().filter(|h| !h.is_empty()).unwrap_or_else(|| "localhost".into());
        let id = format!("{host}-{}-{}", std::process::id(), crate::secret::random_hex(4));
        Self { id, core, registry }
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    /// Claims one batch of due jobs and runs them; returns what happened.
    pub async fn run_once(&self) -> Result<RunSummary, AppError> {
        let now = self.core.now();
        let settings = &self.core.settings.worker;
        let lease_until = now.checked_add(settings.lease).map_err(anyhow::Error::from)?;
        let kinds = self.registry.kinds();
        let claimed = self.core.store.claim_jobs(&self.id, &kinds, now, lease_until, settings.batch_size).await?;
        let mut summary = RunSummary::default();
        for job in claimed {
            let result = match self.registry.get(&job.kind) {
                Some(h) => h.run(&job).await,
                None => Err(anyhow::anyhow!("no handler for job kind {}", job.kind)),
            };
            let finished = self.core.now();
            match result {
                Ok(()) => {
                    self.core.store.complete_job(&job, &self.id, finished).await?;
                    metrics::counter!("motcua_jobs_total", "kind" => job.kind.clone(), "outcome" => "ok").increment(1);
                    summary.succeeded += 1;
                }
                Err(e) => {
                    let next = settings.backoff.after_failure(job.id, job.attempt, job.max_attempts, finished);
                    let message = format!("{e:#}");
                    tracing::warn!(job_id = job.id, kind = %job.kind, attempt = job.attempt, error = %message, "job failed");
                    self.core.store.fail_job(&job, &self.id, &message, next, finished).await?;
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
    /// dedup key, however many workers run): the hourly purge, the reminder scan, the
    /// integrity checkpoint, whatever the handlers ask for.
    pub async fn schedule_periodic(&self) -> Result<(), AppError> {
        let now = self.core.now();
        let mut tx = self.core.store.begin().await?;
        for (kind, every) in self.registry.periodic() {
            // One job per kind and period: the period's number is in its dedup key.
            let every = every.as_secs().max(60);
            let slot = now.as_second().div_euclid(every);
            let job = new_job(kind, &serde_json::json!({}), now, 3, Some(format!("{kind}@{every}:{slot}")))?;
            tx.enqueue_job(&job, now).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The worker loop: registers itself, then polls until `shutdown` turns true. Errors (the
    /// database restarting, say) are logged and retried; they never end the loop.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        let store = self.core.store.clone();
        let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "localhost".into());
        let now = self.core.now();
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
        let poll = self.core.settings.worker.poll_interval;
        let every = self.registry.periodic().iter().map(|(_, e)| e.as_secs()).min().unwrap_or(3600).clamp(60, 3600);
        let mut last_slot = i64::MIN;
        let mut last_beat = now;
        loop {
            if *shutdown.borrow() {
                break;
            }
            let now = self.core.now();
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
        let _ = store.stop_worker(&self.id, self.core.now()).await;
        tracing::info!(worker = %self.id, "worker stopped");
    }
}
