//! The job queue driven synchronously with a controlled clock, on both backends.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use async_trait::async_trait;
use jiff::SignedDuration;
use motcua_app::Services;
use motcua_app::jobs::{JobHandler, Worker, new_job};
use motcua_app::ports::{AccountReads, ClaimedJob, IntegrityReads, JobFilter, JobReads, Store};
use motcua_domain::job::JobStatus;
use motcua_testkit::{TestDb, backend_tests};

/// Fails its first `failures` runs, then succeeds; counts runs.
struct Flaky {
    failures: u32,
    runs: Arc<AtomicU32>,
}

#[async_trait]
impl JobHandler for Flaky {
    fn kind(&self) -> &'static str {
        "test.flaky"
    }

    async fn run(&self, _job: &ClaimedJob) -> anyhow::Result<()> {
        let n = self.runs.fetch_add(1, Ordering::SeqCst);
        if n < self.failures {
            anyhow::bail!("transient failure {n}");
        }
        Ok(())
    }
}

async fn enqueue(store: &dyn Store, services: &Services, max_attempts: u32) -> i64 {
    let mut tx = store.begin().await.unwrap();
    let id = tx
        .enqueue_job(
            &new_job("test.flaky", &serde_json::json!({}), services.now(), max_attempts, None).unwrap(),
            services.now(),
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    id.unwrap()
}

fn worker(services: &Services, failures: u32) -> (Worker, Arc<AtomicU32>) {
    let runs = Arc::new(AtomicU32::new(0));
    let mut registry = services.standard_jobs();
    registry.register(Flaky { failures, runs: runs.clone() });
    (services.worker(registry), runs)
}

backend_tests! {
    async fn failures_retry_with_backoff_on_the_controlled_clock(db) {
        let clock = TestDb::manual_clock();
        let services = db.services(clock.clone());
        let id = enqueue(&*db.db, &services, 5).await;
        let (w, runs) = worker(&services, 2);
        let s = w.run_pending().await.unwrap();
        assert_eq!((s.succeeded, s.failed), (0, 1));
        // Nothing is due until the backoff (10 s base, +≤10 % jitter) has passed.
        clock.advance(SignedDuration::from_secs(9));
        assert_eq!(w.run_pending().await.unwrap().total(), 0);
        clock.advance(SignedDuration::from_secs(3));
        assert_eq!(w.run_pending().await.unwrap().failed, 1);
        // Second retry waits about 20 s.
        clock.advance(SignedDuration::from_secs(12));
        assert_eq!(w.run_pending().await.unwrap().total(), 0);
        clock.advance(SignedDuration::from_secs(11));
        assert_eq!(w.run_pending().await.unwrap().succeeded, 1);
        assert_eq!(runs.load(Ordering::SeqCst), 3);
        let job = db.db.job(id).await.unwrap().unwrap();
        assert_eq!(job.status, JobStatus::Done);
        assert_eq!(job.attempts, 3);
        let attempts = db.db.job_attempts(id).await.unwrap();
        assert_eq!(attempts.iter().map(|a| a.outcome.as_deref().unwrap()).collect::<Vec<_>>(), ["error", "error", "ok"]);
        assert_eq!(attempts[0].error.as_deref(), Some("transient failure 0"));
    }

    async fn the_last_failure_goes_to_the_dead_letters_and_can_be_retried(db) {
        let clock = TestDb::manual_clock();
        let services = db.services(clock.clone());
        let id = enqueue(&*db.db, &services, 2).await;
        let (w, _) = worker(&services, 10);
        w.run_pending().await.unwrap();
        clock.advance(SignedDuration::from_mins(1));
        w.run_pending().await.unwrap();
        let job = db.db.job(id).await.unwrap().unwrap();
        assert_eq!(job.status, JobStatus::Dead);
        clock.advance(SignedDuration::from_hours(10));
        assert_eq!(w.run_pending().await.unwrap().total(), 0, "dead jobs stay put");
        let dead = db.db.jobs(&JobFilter { status: Some(JobStatus::Dead), limit: 10, ..Default::default() }).await.unwrap();
        assert_eq!(dead.len(), 1);
    }

    async fn periodic_jobs_are_enqueued_once_per_period(db) {
        let clock = TestDb::manual_clock();
        let services = db.services(clock.clone());
        let (w, _) = worker(&services, 0);
        w.schedule_periodic().await.unwrap();
        w.schedule_periodic().await.unwrap();
        let (other, _) = worker(&services, 0);
        other.schedule_periodic().await.unwrap();
        let filter = JobFilter { kind: Some("maintenance.purge".into()), limit: 10, ..Default::default() };
        let scans = JobFilter { kind: Some("dossier.reminders".into()), limit: 10, ..Default::default() };
        let checkpoints = JobFilter { kind: Some("integrity.checkpoint".into()), limit: 10, ..Default::default() };
        assert_eq!(db.db.jobs(&filter).await.unwrap().len(), 1);
        assert_eq!(db.db.jobs(&scans).await.unwrap().len(), 1);
        assert_eq!(db.db.jobs(&checkpoints).await.unwrap().len(), 1);
        assert_eq!(w.run_pending().await.unwrap().succeeded, 3, "the purge, the reminder scan and the checkpoint");
        assert_eq!(db.db.last_anchor().await.unwrap().map(|a| a.seq), Some(1), "the checkpoint anchored");
        // The reminder scan and the checkpoint run every 10 minutes, the purge every hour.
        clock.advance(SignedDuration::from_mins(10));
        other.schedule_periodic().await.unwrap();
        assert_eq!(db.db.jobs(&filter).await.unwrap().len(), 1);
        assert_eq!(db.db.jobs(&scans).await.unwrap().len(), 2);
        assert_eq!(db.db.jobs(&checkpoints).await.unwrap().len(), 2);
        clock.advance(SignedDuration::from_hours(1));
        other.schedule_periodic().await.unwrap();
        assert_eq!(db.db.jobs(&filter).await.unwrap().len(), 2);
    }

    async fn maintenance_removes_expired_sessions(db) {
        let clock = TestDb::manual_clock();
        let services = db.services(clock.clone());
        services.load_demo(&motcua_app::context::RequestMeta::cli()).await.unwrap();
        let login = services.accounts.login("anphu.motcua", "motcua-demo", None, &motcua_app::context::RequestMeta::cli()).await.unwrap();
        assert!(services.accounts.authenticate_session(&login.session_token).await.unwrap().is_some());
        clock.advance(SignedDuration::from_hours(3));
        assert!(services.accounts.authenticate_session(&login.session_token).await.unwrap().is_none(), "idle for longer than 2 h");
        let (w, _) = worker(&services, 0);
        w.schedule_periodic().await.unwrap();
        w.run_pending().await.unwrap();
        let hash = motcua_app::secret::digest(&login.session_token);
        assert!(db.db.session(&hash).await.unwrap().is_none(), "the row is purged");
    }
}
