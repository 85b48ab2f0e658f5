//! Telling the national portal (Cổng DVC quốc gia) about dossiers: the sender that empties the
//! outbox the dossiers' transactions fill (`legal.md` §7).
//!
//! For each dossier with untold changes, in the order they were queued: the dossier as it now
//! stands (created the first time; updated after, or when the portal says it already has it),
//! then the steps not told yet, ten at a time. Progress is saved after every call, so a crash
//! repeats at most the one call in flight; a refusal or an unreachable portal is retried with
//! backoff, and after repeated failures the dossier waits for an operator ("dead").
//!
//! Network calls are made outside any database transaction: the desk never waits on the portal.

use std::collections::HashMap;
use std::sync::Arc;

use jiff::Timestamp;
use motcua_domain::agency::AgencyId;
use motcua_domain::dossier::DossierState;
use motcua_domain::job::{AfterFailure, Backoff};
use motcua_domain::national_portal::{PortalAnswer, PortalContext, PortalDossier, STEP_CHUNK, steps};

mod inbound;
mod reconcile;

pub use inbound::InboundOutcome;
pub use reconcile::{CellView, IndicatorCells, Reconciliation};

use crate::core::Core;
use crate::error::AppError;
use crate::ports::{PortalCall, PortalDue, PortalSyncRow, PortalTransport};

/// Attempts before a dossier waits for an operator.
const MAX_ATTEMPTS: u32 = 12;
const BACKOFF: Backoff = Backoff { base_seconds: 30, max_seconds: 3600 };

/// What one round of the sender did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncRound {
    /// Dossiers brought up to date.
    pub synced: u64,
    /// Dossiers whose sending failed this time (to be retried, or given up).
    pub failed: u64,
    /// Calls made.
    pub calls: u64,
}

#[derive(Clone)]
pub struct NationalPortal {
    core: Arc<Core>,
    transport: Option<Arc<dyn PortalTransport>>,
    figures: Option<Arc<dyn crate::ports::PortalFigures>>,
}

impl NationalPortal {
    pub(crate) fn new(
        core: Arc<Core>,
        transport: Option<Arc<dyn PortalTransport>>,
        figures: Option<Arc<dyn crate::ports::PortalFigures>>,
    ) -> Self {
        Self { core, transport, figures }
    }

    pub(crate) fn figures(&self) -> Option<Arc<dyn crate::ports::PortalFigures>> {
        self.figures.clone()
    }

    /// Whether a transport is configured (without one, changes stay queued).
    pub fn configured(&self) -> bool {
        self.transport.is_some()
    }

    pub(crate) fn transport(&self) -> Option<Arc<dyn PortalTransport>> {
        self.transport.clone()
    }

    /// Sends what is due, up to `limit` dossiers.
    pub async fn send_due(&self, limit: i64) -> Result<SyncRound, AppError> {
        let Some(transport) = self.transport.clone() else { return Ok(SyncRound::default()) };
        let mut round = SyncRound::default();
        for due in self.core.store.portal_due(self.core.now(), limit).await? {
            match self.send_one(&*transport, &due, &mut round).await? {
                Some(true) => round.synced += 1,
                Some(false) => round.failed += 1,
                // Another sender holds it.
                None => {}
            }
        }
        Ok(round)
    }

    /// How long a sender holds a dossier between two saved calls: longer than a call may take.
    fn claim(&self) -> jiff::SignedDuration {
        self.core.settings.portal.claim
    }

    /// Saves the row with its claim let go.
    async fn release(&self, row: &mut PortalSyncRow) -> Result<(), AppError> {
        row.claimed_until = None;
        let mut tx = self.core.store.begin().await?;
        tx.save_portal_sync(row, self.core.now()).await?;
        tx.commit().await?;
        Ok(())
    }

    /// One dossier: whether it is now up to date (`None`: another sender has it).
    async fn send_one(
        &self,
        t: &dyn PortalTransport,
        due: &PortalDue,
        round: &mut SyncRound,
    ) -> Result<Option<bool>, AppError> {
        let store = &self.core.store;
        // Claimed first, read after: what another sender told before is in the row.
        let now = self.core.now();
        let claimed = {
            let mut tx = store.begin().await?;
            let row = tx.claim_portal_sync(due.dossier_id, now, now + self.claim()).await?;
            tx.commit().await?;
            row
        };
        let Some(mut row) = claimed else {
            // Held by another sender, or by one that died mid-call: look again when its claim
            // ends, rather than at the minute's sweep.
            if let Some(until) = store.portal_sync_row(due.dossier_id).await?.and_then(|r| r.claimed_until) {
                let job = crate::jobs::new_job(
                    PortalSendJob::KIND,
                    &serde_json::json!({"nudge": true}),
                    until,
                    3,
                    Some(format!("{}@claim:{}:{}", PortalSendJob::KIND, due.dossier_id, until.as_second())),
                )
                .map_err(AppError::Internal)?;
                let mut tx = store.begin().await?;
                crate::jobs::enqueue(&mut *tx, &job, now).await?;
                tx.commit().await?;
            }
            return Ok(None);
        };
        let events = store.dossier_events(due.dossier_id).await?;
        let state =
            DossierState::fold(due.dossier_id, &events).map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?;
        if row.dead || row.synced_seq >= state.last_seq {
            self.release(&mut row).await?;
            return Ok(Some(!row.dead));
        }
        let ctx = self.context(&state).await?;
        let Some(dossier) = PortalDossier::of(&state, &ctx) else {
            self.release(&mut row).await?;
            return Ok(Some(true));
        };
        let status = state.status.national_code();
        // The dossier itself: create the first time (a dossier submitted on the portal is there
        // already); the portal may also say it already has it.
        let mut update = row.created || state.submission.portal.is_some();
        let told_from = row.synced_seq + 1;
        loop {
            let answer = t.send_dossier(&dossier, update).await;
            round.calls += 1;
            let call = if update { "update" } else { "create" };
            let exists = matches!(answer, Ok(PortalAnswer::AlreadyExists)) && !update;
            let ok = matches!(answer, Ok(PortalAnswer::Accepted));
            if ok {
                row.created = true;
            }
            self.record(&mut row, call, (told_from, state.last_seq), status, &answer, ok || exists).await?;
            if exists {
                update = true;
                continue;
            }
            if !ok {
                return Ok(Some(false));
            }
            break;
        }
        // The steps not told yet, ten at a time, each chunk saved as it is accepted.
        let names = self.unit_names(&events).await?;
        let pending = steps(due.dossier_id, &events, row.step_seq, &|id| names.get(&id).cloned().unwrap_or_default());
        for chunk in pending.chunks(STEP_CHUNK) {
            let answer = t.send_steps(chunk).await;
            round.calls += 1;
            let (first, last) = (chunk[0].seq, chunk[chunk.len() - 1].seq);
            let ok = matches!(answer, Ok(PortalAnswer::Accepted));
            if ok {
                row.step_seq = last;
            }
            self.record(&mut row, "steps", (first, last), status, &answer, ok).await?;
            if !ok {
                return Ok(Some(false));
            }
        }
        row.synced_seq = state.last_seq;
        row.attempts = 0;
        row.next_attempt_at = None;
        row.last_error = None;
        self.release(&mut row).await?;
        Ok(Some(true))
    }

    /// Logs a call and saves the progress; a failure schedules the retry (or gives up).
    async fn record(
        &self,
        row: &mut PortalSyncRow,
        call: &'static str,
        (seq_from, seq_to): (i64, i64),
        status: u8,
        answer: &anyhow::Result<PortalAnswer>,
        ok: bool,
    ) -> Result<(), AppError> {
        let now = self.core.now();
        // The claim runs on while the calls succeed; a failure lets it go with the retry time.
        row.claimed_until = ok.then_some(now + self.claim());
        let (answer_code, answer_message) = match answer {
            Ok(PortalAnswer::Accepted) => ("0".to_owned(), "thành công".to_owned()),
            Ok(PortalAnswer::AlreadyExists) => ("3".to_owned(), "đã tồn tại".to_owned()),
            Ok(PortalAnswer::Failed { code, message }) => (code.clone(), message.clone()),
            Err(e) => ("transport".to_owned(), e.to_string().chars().take(500).collect()),
        };
        if !ok {
            row.attempts += 1;
            row.last_error = Some(format!("{call}: {answer_code} {answer_message}"));
            match BACKOFF.after_failure(row.dossier_id, row.attempts, MAX_ATTEMPTS, now) {
                AfterFailure::RetryAt(at) => row.next_attempt_at = Some(at),
                AfterFailure::GiveUp => row.dead = true,
            }
        }
        metrics::counter!("motcua_portal_calls_total", "call" => call, "ok" => if ok { "true" } else { "false" })
            .increment(1);
        let mut tx = self.core.store.begin().await?;
        tx.log_portal_call(&PortalCall {
            dossier_id: row.dossier_id,
            at: now,
            call,
            seq_from,
            seq_to,
            status,
            ok,
            answer_code,
            answer_message,
        })
        .await?;
        tx.save_portal_sync(row, now).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn context(&self, s: &DossierState) -> Result<PortalContext, AppError> {
        let fields = self.core.store.procedure_fields().await?;
        let field = fields.iter().find(|f| f.procedure_id == s.submission.procedure.id);
        Ok(PortalContext {
            // The field's national code is not kept in the catalogue yet: only its name.
            field_code: String::new(),
            field_name: field.map(|f| f.field.clone()).unwrap_or_default(),
            resolving_name: s
                .resolving
                .as_ref()
                .map_or_else(|| s.submission.receiving.name.clone(), |r| r.name.clone()),
        })
    }

    async fn unit_names(
        &self,
        events: &[motcua_domain::dossier::DossierEvent],
    ) -> Result<HashMap<AgencyId, String>, AppError> {
        let snapshot = self.core.recent_snapshot().await?;
        let mut names = HashMap::new();
        for id in events.iter().filter_map(|e| e.actor.unit) {
            if let std::collections::hash_map::Entry::Vacant(slot) = names.entry(id)
                && let Some(a) = snapshot.agency(id).await?
            {
                slot.insert(a.name);
            }
        }
        Ok(names)
    }

    /// When the oldest untold change was queued (the sync lag), if any.
    pub async fn oldest_untold(&self) -> Result<Option<Timestamp>, AppError> {
        Ok(self.core.store.portal_due(Timestamp::MAX, 1).await?.first().map(|d| d.since))
    }
}

/// Empties the portal's outbox: woken by each change (`nudge`), and every minute for the
/// retries whose time has come (the worker runs one at a time).
pub struct PortalSendJob {
    portal: NationalPortal,
}

impl PortalSendJob {
    pub const KIND: &'static str = "portal.send";

    pub(crate) fn new(portal: NationalPortal) -> Self {
        Self { portal }
    }
}

#[async_trait::async_trait]
impl crate::jobs::JobHandler for PortalSendJob {
    fn kind(&self) -> &'static str {
        Self::KIND
    }

    fn every(&self) -> Option<jiff::SignedDuration> {
        // The sweep for retries; changes wake the sender themselves (`nudge`).
        self.portal.configured().then(|| jiff::SignedDuration::from_secs(60))
    }

    async fn run(&self, job: &crate::ports::ClaimedJob) -> anyhow::Result<()> {
        let round = self.portal.send_due(500).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        // The outbox's state for the metrics endpoint (failures per hour; the sync lag), on the
        // minute's sweep rather than after every change.
        let sweep = !job.payload.contains("nudge");
        if sweep && let Ok(b) = self.portal.backlog().await {
            let now = self.portal.core.now();
            metrics::gauge!("motcua_portal_untold_dossiers").set(b.untold_dossiers as f64);
            metrics::gauge!("motcua_portal_dead_dossiers").set(b.dead as f64);
            metrics::gauge!("motcua_portal_failures_last_hour").set(b.failures_last_hour as f64);
            metrics::gauge!("motcua_portal_oldest_untold_seconds")
                .set(b.oldest_untold.map_or(0.0, |t| now.duration_since(t).as_secs_f64().max(0.0)));
        }
        if round.failed > 0 {
            tracing::warn!(
                synced = round.synced,
                failed = round.failed,
                "national portal: some dossiers wait for a retry"
            );
        }
        Ok(())
    }
}

/// Wakes the sender for a change the portal must hear of, in the change's own transaction: a
/// `portal.send` job at the next two-second boundary (one per boundary; the worker polls every
/// second), so the sync lag is seconds, not the periodic sweep's minute. Nothing when no portal
/// is configured.
pub(crate) async fn nudge(
    core: &Core,
    tx: &mut dyn crate::ports::StoreTx,
    state: &DossierState,
    events: &[motcua_domain::dossier::DossierEvent],
) -> Result<(), AppError> {
    if !core.portal_linked.load(std::sync::atomic::Ordering::Relaxed)
        || !motcua_domain::national_portal::concerns(state.portal_code().is_some(), events)
    {
        return Ok(());
    }
    let now = core.now();
    // The job for the next boundary of NUDGE_SECONDS: every change until then shares it, and
    // none finds its window's job already run (which would leave it to the minute's sweep).
    let next = now.as_second().div_euclid(NUDGE_SECONDS) + 1;
    let run_at = jiff::Timestamp::from_second(next * NUDGE_SECONDS).unwrap_or(now);
    let job = crate::jobs::new_job(
        PortalSendJob::KIND,
        &serde_json::json!({"nudge": true}),
        run_at,
        3,
        Some(format!("{}@nudge:{next}", PortalSendJob::KIND)),
    )
    .map_err(AppError::Internal)?;
    crate::jobs::enqueue(tx, &job, now).await?;
    Ok(())
}

/// Changes within this many seconds share one wake-up of the sender.
const NUDGE_SECONDS: i64 = 2;

/// Pulls a failing dossier is asked for again before the cursor moves past it.
const PULL_RETRIES: i64 = 5;

/// Where the pull resumes: the start of the last pull that received everything it was given.
const PULL_CURSOR: &str = "portal.pull_since";

impl NationalPortal {
    /// Pulls the dossiers submitted on the portal since the last complete pull and receives
    /// them. The cursor moves only when every dossier was taken or refused for good, so a
    /// dossier whose file could not be fetched is asked for again next time.
    pub async fn pull(&self) -> Result<Vec<InboundOutcome>, AppError> {
        let Some(transport) = self.transport.clone() else { return Ok(Vec::new()) };
        let started = self.core.now();
        let since = self.core.store.meta(PULL_CURSOR).await?.and_then(|s| s.parse::<Timestamp>().ok());
        let items = transport
            .pull_dossiers(since)
            .await
            .map_err(|e| AppError::Internal(anyhow::anyhow!("pulling from the national portal: {e:#}")))?;
        let outcomes = self.receive(&items).await;
        // A dossier that failed (a file not fetched, the database down) is asked for again,
        // up to a few times; one that keeps failing stays in the operator's list and no longer
        // holds the cursor back.
        let mut retry = false;
        for o in &outcomes {
            if let InboundOutcome::Failed { portal_code, .. } = o
                && self.core.store.portal_inbound_failures(portal_code).await? < PULL_RETRIES
            {
                retry = true;
            }
        }
        if !retry {
            let mut tx = self.core.store.begin().await?;
            // A little overlap: the portal's clock and ours may differ; repeats change nothing.
            tx.set_meta(PULL_CURSOR, &(started - jiff::SignedDuration::from_mins(5)).to_string()).await?;
            tx.commit().await?;
        }
        Ok(outcomes)
    }
}

/// Pulls the portal's submitted dossiers on the configured interval.
pub struct PortalPullJob {
    portal: NationalPortal,
}

impl PortalPullJob {
    pub const KIND: &'static str = "portal.pull";

    pub(crate) fn new(portal: NationalPortal) -> Self {
        Self { portal }
    }
}

#[async_trait::async_trait]
impl crate::jobs::JobHandler for PortalPullJob {
    fn kind(&self) -> &'static str {
        Self::KIND
    }

    fn every(&self) -> Option<jiff::SignedDuration> {
        let pulls = self.portal.transport.as_ref().is_some_and(|t| t.pulls());
        pulls.then(|| self.portal.core.settings.portal.pull_interval)
    }

    async fn run(&self, _job: &crate::ports::ClaimedJob) -> anyhow::Result<()> {
        let outcomes = self.portal.pull().await.map_err(|e| anyhow::anyhow!("{e}"))?;
        let received = outcomes.iter().filter(|o| matches!(o, InboundOutcome::Received { .. })).count();
        let bad = outcomes.iter().filter(|o| !o.accepted()).count();
        if received > 0 || bad > 0 {
            tracing::info!(received, not_taken = bad, "national portal: dossiers pulled");
        }
        Ok(())
    }
}
