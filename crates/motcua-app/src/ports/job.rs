use async_trait::async_trait;
use jiff::Timestamp;
use motcua_domain::job::{AfterFailure, JobStatus};
use serde::Serialize;

use super::StoreResult;

#[derive(Debug, Clone)]
pub struct NewJob {
    pub kind: String,
    /// JSON document handed to the handler.
    pub payload: String,
    pub priority: i32,
    pub run_at: Timestamp,
    pub max_attempts: u32,
    /// Enqueueing a second job with the same key does nothing.
    pub dedup_key: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JobRecord {
    pub id: i64,
    pub kind: String,
    pub payload: String,
    pub status: JobStatus,
    pub priority: i32,
    pub attempts: u32,
    pub max_attempts: u32,
    pub run_at: Timestamp,
    pub locked_by: Option<String>,
    pub locked_until: Option<Timestamp>,
    pub last_error: Option<String>,
    pub dedup_key: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub finished_at: Option<Timestamp>,
}

/// A job handed to a worker for one attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedJob {
    pub id: i64,
    pub kind: String,
    pub payload: String,
    /// 1-based number of this attempt.
    pub attempt: u32,
    pub max_attempts: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JobAttempt {
    pub job_id: i64,
    pub attempt: u32,
    pub worker_id: String,
    pub started_at: Timestamp,
    pub finished_at: Option<Timestamp>,
    /// `ok`, `error`, or `None` while running (or if the worker died).
    pub outcome: Option<String>,
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WorkerRecord {
    pub id: String,
    pub hostname: String,
    pub pid: i64,
    pub started_at: Timestamp,
    pub heartbeat_at: Timestamp,
    pub stopped_at: Option<Timestamp>,
}

#[derive(Debug, Clone, Default)]
pub struct JobFilter {
    pub status: Option<JobStatus>,
    pub kind: Option<String>,
    /// Keyset pagination: only jobs with `id` below this (newest first).
    pub before_id: Option<i64>,
    pub limit: i64,
}

#[async_trait]
pub trait JobReads {
    async fn jobs(&self, filter: &JobFilter) -> StoreResult<Vec<JobRecord>>;
    async fn job(&self, id: i64) -> StoreResult<Option<JobRecord>>;
    async fn job_attempts(&self, job_id: i64) -> StoreResult<Vec<JobAttempt>>;
    async fn job_counts(&self) -> StoreResult<Vec<(JobStatus, i64)>>;
    async fn workers(&self) -> StoreResult<Vec<WorkerRecord>>;
}

/// Worker-side queue operations; each is atomic on its own.
#[async_trait]
pub trait JobQueue {
    /// Claims up to `limit` due jobs of the given kinds (pending and due, or running with an
    /// expired lease) for `worker_id` until `lease_until`, and records the attempts. Two workers
    /// never claim the same job for the same lease.
    async fn claim_jobs(
        &self,
        worker_id: &str,
        kinds: &[&str],
        now: Timestamp,
        lease_until: Timestamp,
        limit: i64,
    ) -> StoreResult<Vec<ClaimedJob>>;
    /// Marks a claimed attempt successful. `false` if the worker no longer holds the job.
    async fn complete_job(&self, job: &ClaimedJob, worker_id: &str, now: Timestamp) -> StoreResult<bool>;
    /// Records a failed attempt and schedules a retry or moves the job to the dead letters.
    async fn fail_job(
        &self,
        job: &ClaimedJob,
        worker_id: &str,
        error: &str,
        next: AfterFailure,
        now: Timestamp,
    ) -> StoreResult<bool>;
    async fn register_worker(&self, worker: &WorkerRecord) -> StoreResult<()>;
    async fn heartbeat_worker(&self, worker_id: &str, now: Timestamp) -> StoreResult<()>;
    async fn stop_worker(&self, worker_id: &str, now: Timestamp) -> StoreResult<()>;
    /// Housekeeping: finished jobs and their attempts finished before `before`.
    async fn purge_finished_jobs(&self, before: Timestamp) -> StoreResult<u64>;
    async fn purge_expired_sessions(&self, now: Timestamp, idle_before: Timestamp) -> StoreResult<u64>;
    /// Removes failure counts of unknown names last touched before `before` and no longer locked.
    async fn purge_login_guards(&self, now: Timestamp, before: Timestamp) -> StoreResult<u64>;
    async fn purge_stopped_workers(&self, before: Timestamp) -> StoreResult<u64>;
}

#[async_trait]
pub trait JobWrites {
    /// Adds a job in the caller's transaction (outbox). Returns `None` when a job with the same
    /// dedup key exists.
    async fn enqueue_job(&mut self, job: &NewJob, now: Timestamp) -> StoreResult<Option<i64>>;
    /// Puts a dead job back in the queue with a fresh attempt budget.
    async fn retry_dead_job(&mut self, id: i64, now: Timestamp) -> StoreResult<bool>;
}
