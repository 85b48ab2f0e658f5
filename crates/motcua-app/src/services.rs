//! The bundle every use case runs on: the store, the clock and the settings.

use std::sync::Arc;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use motcua_domain::audit::{AuditEntry, AuditEvent};
use motcua_domain::job::Backoff;
use motcua_domain::lockout::LockoutPolicy;

use crate::clock::Clock;
use crate::context::RequestMeta;
use crate::error::AppError;
use crate::password::{Argon2Params, PasswordHasher};
use crate::ports::{FileStore, Store, StoreTx};

#[derive(Debug, Clone)]
pub struct AuthSettings {
    pub argon2: Argon2Params,
    /// A session ends after this long without requests…
    pub session_idle: SignedDuration,
    /// …and in any case this long after login.
    pub session_absolute: SignedDuration,
    pub lockout: LockoutPolicy,
}

impl Default for AuthSettings {
    fn default() -> Self {
        Self {
            argon2: Argon2Params::default(),
            session_idle: SignedDuration::from_hours(2),
            session_absolute: SignedDuration::from_hours(12),
            lockout: LockoutPolicy::default(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct WorkerSettings {
    pub poll_interval: Duration,
    pub batch_size: i64,
    /// How long a claimed job stays with its worker before another may take it over.
    pub lease: SignedDuration,
    pub backoff: Backoff,
    /// Finished jobs are kept this long for inspection.
    pub retention: SignedDuration,
}

impl Default for WorkerSettings {
    fn default() -> Self {
        Self {
            poll_interval: Duration::from_secs(1),
            batch_size: 10,
            lease: SignedDuration::from_mins(5),
            backoff: Backoff::default(),
            retention: SignedDuration::from_hours(24 * 30),
        }
    }
}

#[derive(Debug, Clone)]
pub struct DossierSettings {
    /// A dossier due within this many working days is "near due" in the queues.
    pub near_due_working_days: u32,
    /// A province's form templates (files named like the built-ins); `None`: the built-ins.
    pub form_templates_dir: Option<std::path::PathBuf>,
}

impl Default for DossierSettings {
    fn default() -> Self {
        Self { near_due_working_days: 1, form_templates_dir: None }
    }
}

/// Where e-mail goes out.
#[derive(Debug, Clone)]
pub struct MailSettings {
    /// `smtp://host:port` (add `?tls=required` for STARTTLS), `smtps://host:port` for TLS;
    /// credentials as `smtp://user:password@host`.
    pub smtp_url: String,
    /// The sender, e.g. `Một cửa Sơn Hà <motcua@sonha.gov.vn>`.
    pub from: String,
    pub timeout: Duration,
}

#[derive(Debug, Clone)]
pub struct NotificationSettings {
    /// `None`: notifications stay in the application, no e-mail.
    pub mail: Option<MailSettings>,
    /// The address people use (links in e-mails); `None`: links are paths only.
    pub public_url: Option<String>,
    /// How often the reminder scan runs.
    pub scan_interval: SignedDuration,
    /// A step due within this many working hours is reminded to its people.
    pub step_lead_working_hours: u32,
}

impl Default for NotificationSettings {
    fn default() -> Self {
        Self { mail: None, public_url: None, scan_interval: SignedDuration::from_mins(10), step_lead_working_hours: 4 }
    }
}

/// How the hash chains are checked and anchored.
#[derive(Debug, Clone)]
pub struct IntegritySettings {
    /// Authenticates the anchors (from configuration, never stored in the database). `None`:
    /// the chains are verified but nothing is anchored.
    pub anchor_key: Option<motcua_domain::integrity::AnchorKey>,
    /// How often the checkpoint job verifies what was appended and writes an anchor.
    pub checkpoint_interval: SignedDuration,
}

impl Default for IntegritySettings {
    fn default() -> Self {
        Self { anchor_key: None, checkpoint_interval: SignedDuration::from_mins(10) }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub auth: AuthSettings,
    pub worker: WorkerSettings,
    pub dossiers: DossierSettings,
    pub notifications: NotificationSettings,
    pub integrity: IntegritySettings,
}

#[derive(Clone)]
pub struct Services {
    pub store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
    pub settings: Arc<Settings>,
    pub(crate) hasher: PasswordHasher,
    pub(crate) calendar: Arc<crate::calendar::CalendarCache>,
    pub(crate) catalog: Arc<crate::catalog::CatalogCache>,
    pub(crate) reference: Arc<crate::reference::ReferenceCache>,
    pub(crate) import_progress: Arc<crate::catalog::ImportProgress>,
    pub files: Arc<dyn FileStore>,
    pub(crate) mailer: Option<Arc<crate::notifications::Mailer>>,
    /// Where anchors are exported besides the database.
    pub(crate) anchor_sink: Option<Arc<dyn crate::ports::AnchorSink>>,
}

impl Services {
    pub fn new(
        store: Arc<dyn Store>,
        files: Arc<dyn FileStore>,
        clock: Arc<dyn Clock>,
        settings: Settings,
    ) -> anyhow::Result<Self> {
        let hasher = PasswordHasher::new(settings.auth.argon2)?;
        let mailer =
            settings.notifications.mail.as_ref().map(crate::notifications::Mailer::new).transpose()?.map(Arc::new);
        Ok(Self {
            mailer,
            store,
            files,
            clock,
            settings: Arc::new(settings),
            hasher,
            calendar: Arc::default(),
            catalog: Arc::default(),
            reference: Arc::default(),
            import_progress: Arc::default(),
            anchor_sink: None,
        })
    }

    /// Exports every anchor to `sink` as well as the database.
    pub fn with_anchor_sink(mut self, sink: Arc<dyn crate::ports::AnchorSink>) -> Self {
        self.anchor_sink = Some(sink);
        self
    }

    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    pub fn hasher(&self) -> &PasswordHasher {
        &self.hasher
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
    pub async fn record_audit(&self, event: AuditEvent, meta: &RequestMeta) -> Result<AuditEntry, AppError> {
        let tx = self.store.begin().await?;
        self.commit_audited(tx, event, meta).await
    }
}
