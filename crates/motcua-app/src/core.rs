//! What every area's use cases share: the store, the clock, the file store, the settings and
//! the reference snapshots, with the one way a change commits together with its audit entry.
//!
//! The store is private to the use cases: pages, the API and the command line reach the
//! database only through an area's service ([`crate::Services`]).

use std::sync::Arc;

use jiff::Timestamp;
use motcua_domain::account::Principal;
use motcua_domain::agency::AgencyId;
use motcua_domain::audit::{AuditEntry, AuditEvent};
use sha2::{Digest, Sha256};

use crate::clock::Clock;
use crate::context::RequestMeta;
use crate::error::AppError;
use crate::ports::{FileStore, Revisions, Store, StoreTx, StoredFile};
use crate::settings::Settings;
use crate::snapshot::{Snapshot, Snapshots};

pub(crate) struct Core {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) files: Arc<dyn FileStore>,
    pub(crate) settings: Arc<Settings>,
    snapshots: Snapshots,
    /// A transport to the national portal is configured: changes it must hear of wake the
    /// sender at once.
    pub(crate) portal_linked: std::sync::atomic::AtomicBool,
}

impl Core {
    pub(crate) fn new(
        store: Arc<dyn Store>,
        files: Arc<dyn FileStore>,
        clock: Arc<dyn Clock>,
        settings: Arc<Settings>,
    ) -> Self {
        Self {
            store,
            clock,
            files,
            settings,
            snapshots: Snapshots::default(),
            portal_linked: std::sync::atomic::AtomicBool::new(false),
        }
    }

    pub(crate) fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// The reference data as the database holds it now (one read).
    pub(crate) async fn snapshot(&self) -> Result<Arc<Snapshot>, AppError> {
        self.snapshots.latest(&self.store).await
    }

    /// The reference data at revisions read with the request's credentials (no read).
    pub(crate) fn snapshot_at(&self, revisions: Revisions) -> Arc<Snapshot> {
        self.snapshots.at(&self.store, revisions)
    }

    /// For anonymous reads repeated by many visitors: a snapshot at most half a second old.
    pub(crate) async fn recent_snapshot(&self) -> Result<Arc<Snapshot>, AppError> {
        self.snapshots.recent(&self.store).await
    }

    /// After a change made here, the next anonymous read sees it.
    pub(crate) fn reference_changed(&self) {
        self.snapshots.changed();
    }

    /// Appends the action's audit entry as the last statement of `tx` and commits: the change
    /// and its record exist together or not at all.
    pub(crate) async fn commit_audited(
        &self,
        mut tx: Box<dyn StoreTx>,
        event: AuditEvent,
        meta: &RequestMeta,
    ) -> Result<AuditEntry, AppError> {
        let entry = tx.append_audit(&event).await?;
        tx.commit().await?;
        meta.mark_audited();
        Ok(entry)
    }

    /// Records an action that changed nothing (refused, invalid, failed) in its own
    /// transaction.
    pub(crate) async fn record_audit(&self, event: AuditEvent, meta: &RequestMeta) -> Result<AuditEntry, AppError> {
        let tx = self.store.begin().await?;
        self.commit_audited(tx, event, meta).await
    }

    /// Stores the bytes (durable on disk before the row that points at it commits) and adds
    /// their metadata row inside `tx`.
    pub(crate) async fn keep_file(
        &self,
        tx: &mut dyn StoreTx,
        file_name: &str,
        content_type: &str,
        bytes: &[u8],
        by: &Principal,
        now: Timestamp,
    ) -> Result<i64, AppError> {
        self.keep_file_by(tx, file_name, content_type, bytes, Some(by.username.to_string()), now).await
    }

    /// Due before this instant counts as near due: the configured working days (one by
    /// default) from now, on the office hours of `agency`.
    pub(crate) async fn near_due_until(&self, agency: AgencyId, now: Timestamp) -> Result<Timestamp, AppError> {
        let cal = self.snapshot().await?.calendar_of(agency).await?;
        let days = self.settings.dossiers.near_due_working_days.max(1);
        let t =
            motcua_domain::calendar::ProcessingTime::new(days, motcua_domain::calendar::TimeUnit::WorkingDays, None)
                .map_err(crate::calendar::deadline_error)?;
        cal.due(now, &t, motcua_domain::calendar::Counting::WorkingTime).map_err(crate::calendar::deadline_error)
    }

    /// [`Self::keep_file`] by someone or by the system (`None`).
    pub(crate) async fn keep_file_by(
        &self,
        tx: &mut dyn StoreTx,
        file_name: &str,
        content_type: &str,
        bytes: &[u8],
        created_by: Option<String>,
        now: Timestamp,
    ) -> Result<i64, AppError> {
        let sha = hex::encode(Sha256::digest(bytes));
        self.files.put(&sha, bytes).await?;
        Ok(tx
            .insert_stored_file(&StoredFile {
                id: 0,
                sha256: sha,
                file_name: file_name.to_owned(),
                content_type: content_type.to_owned(),
                size: i64::try_from(bytes.len()).unwrap_or(i64::MAX),
                created_by,
                created_at: now,
            })
            .await?)
    }
}
