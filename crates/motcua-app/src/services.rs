//! The use cases of one installation, by area. Each area's service runs over the one shared
//! [`Core`]; an area that needs another holds it (accounts, agencies, audit, calendar, jobs,
//! notifications and workflows need none; the catalogue needs accounts and agencies; integrity audit and notifications; dossiers accounts and
//! integrity), so the areas form no cycle.

use std::sync::Arc;

use jiff::Timestamp;

use crate::accounts::Accounts;
use crate::agencies::Agencies;
use crate::audit::Audit;
use crate::calendar::Calendar;
use crate::catalog::Catalog;
use crate::clock::Clock;
use crate::core::Core;
use crate::dossiers::Dossiers;
use crate::error::AppError;
use crate::integrity::Integrity;
use crate::jobs::{JobRegistry, Jobs, Worker};
use crate::notifications::Notifications;
use crate::ports::{AnchorSink, FileStore, FormTemplateSource, MailSender, Store};
use crate::reports::Reports;
use crate::settings::Settings;
use crate::snapshot::Snapshot;
use crate::workflows::Workflows;

/// What a readiness probe learns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Readiness {
    /// The database answered; `pending` lists migrations of this build it has not applied.
    Checked {
        database: &'static str,
        pending: Vec<i64>,
    },
    Unavailable,
}

/// The outside world's implementations of the optional ports.
#[derive(Default)]
struct Adapters {
    mail: Option<Arc<dyn MailSender>>,
    anchor_sink: Option<Arc<dyn AnchorSink>>,
    form_templates: Option<Arc<dyn FormTemplateSource>>,
    portal: Option<Arc<dyn crate::ports::PortalTransport>>,
    figures: Option<Arc<dyn crate::ports::PortalFigures>>,
    webhook: Option<Arc<dyn crate::ports::NoticeWebhook>>,
}

#[derive(Clone)]
pub struct Services {
    pub accounts: Accounts,
    pub agencies: Agencies,
    pub audit: Audit,
    pub calendar: Calendar,
    pub catalog: Catalog,
    /// The wording of notices to citizens, per agency.
    pub citizen_notices: crate::notices::CitizenNotices,
    pub dossiers: Dossiers,
    pub integrity: Integrity,
    pub jobs: Jobs,
    pub notifications: Notifications,
    pub national_portal: crate::national_portal::NationalPortal,
    /// The SMS/Zalo gateway's webhook, when configured.
    webhook: Option<Arc<dyn crate::ports::NoticeWebhook>>,
    pub petitions: crate::petitions::Petitions,
    pub reports: Reports,
    pub workflows: Workflows,
    pub(crate) core: Arc<Core>,
}

impl Services {
    /// Without e-mail (notifications stay in the application), anchor export or a province's
    /// own form templates; add them with the `with_` methods.
    pub fn new(
        store: Arc<dyn Store>,
        files: Arc<dyn FileStore>,
        clock: Arc<dyn Clock>,
        settings: Settings,
    ) -> anyhow::Result<Self> {
        let core = Arc::new(Core::new(store, files, clock, Arc::new(settings)));
        Self::assemble(core, Adapters::default())
    }

    fn assemble(core: Arc<Core>, adapters: Adapters) -> anyhow::Result<Self> {
        if adapters.portal.is_some() {
            core.portal_linked.store(true, std::sync::atomic::Ordering::Relaxed);
        }
        let accounts = Accounts::new(core.clone())?;
        let agencies = Agencies::new(core.clone());
        let audit = Audit::new(core.clone());
        let notifications = Notifications::new(core.clone(), adapters.mail);
        let webhook = adapters.webhook;
        let catalog = Catalog::new(core.clone(), accounts.clone(), agencies.clone());
        let integrity = Integrity::new(core.clone(), audit.clone(), notifications.clone(), adapters.anchor_sink);
        Ok(Self {
            calendar: Calendar::new(core.clone(), agencies.clone()),
            citizen_notices: crate::notices::CitizenNotices::new(core.clone(), agencies.clone()),
            dossiers: Dossiers::new(core.clone(), accounts.clone(), integrity.clone(), adapters.form_templates),
            jobs: Jobs::new(core.clone()),
            national_portal: crate::national_portal::NationalPortal::new(
                core.clone(),
                adapters.portal,
                adapters.figures,
            ),
            petitions: crate::petitions::Petitions::new(core.clone(), accounts.clone()),
            webhook,
            reports: Reports::new(core.clone()),
            workflows: Workflows::new(core.clone()),
            accounts,
            agencies,
            audit,
            catalog,
            integrity,
            notifications,
            core,
        })
    }

    fn adapters(&self) -> Adapters {
        Adapters {
            mail: self.notifications.mail_sender(),
            anchor_sink: self.integrity.anchor_sink(),
            form_templates: self.dossiers.form_templates(),
            portal: self.national_portal.transport(),
            figures: self.national_portal.figures(),
            webhook: self.webhook.clone(),
        }
    }

    /// Tells the national portal about dossiers through `transport`.
    pub fn with_portal(self, transport: Arc<dyn crate::ports::PortalTransport>) -> Self {
        let adapters = Adapters { portal: Some(transport), ..self.adapters() };
        Self::assemble(self.core, adapters).expect("the same settings assembled before")
    }

    /// Reads the national portal's published evaluation figures through `figures`.
    pub fn with_portal_figures(self, figures: Arc<dyn crate::ports::PortalFigures>) -> Self {
        let adapters = Adapters { figures: Some(figures), ..self.adapters() };
        Self::assemble(self.core, adapters).expect("the same settings assembled before")
    }

    /// Exports every anchor to `sink` as well as the database.
    pub fn with_anchor_sink(self, sink: Arc<dyn AnchorSink>) -> Self {
        let adapters = Adapters { anchor_sink: Some(sink), ..self.adapters() };
        Self::assemble(self.core, adapters).expect("the same settings assembled before")
    }

    /// Sends citizens' SMS/Zalo notices through the gateway's `webhook`.
    pub fn with_notice_webhook(self, webhook: Arc<dyn crate::ports::NoticeWebhook>) -> Self {
        let adapters = Adapters { webhook: Some(webhook), ..self.adapters() };
        Self::assemble(self.core, adapters).expect("the same settings assembled before")
    }

    /// Mails notifications through `sender`.
    pub fn with_mail(self, sender: Arc<dyn MailSender>) -> Self {
        let adapters = Adapters { mail: Some(sender), ..self.adapters() };
        Self::assemble(self.core, adapters).expect("the same settings assembled before")
    }

    /// Prints forms with a province's own templates from `source` in front of the built-ins.
    pub fn with_form_templates(self, source: Arc<dyn FormTemplateSource>) -> Self {
        let adapters = Adapters { form_templates: Some(source), ..self.adapters() };
        Self::assemble(self.core, adapters).expect("the same settings assembled before")
    }

    pub fn now(&self) -> Timestamp {
        self.core.now()
    }

    pub fn settings(&self) -> &Settings {
        &self.core.settings
    }

    /// The reference data as the database holds it now.
    pub async fn snapshot(&self) -> Result<Arc<Snapshot>, AppError> {
        self.core.snapshot().await
    }

    /// The reference data at revisions read with a request's credentials (no read).
    pub fn snapshot_at(&self, revisions: crate::ports::Revisions) -> Arc<Snapshot> {
        self.core.snapshot_at(revisions)
    }

    /// `sqlite` or `postgres`.
    pub fn backend_name(&self) -> &'static str {
        self.core.store.backend_name()
    }

    /// Whether the database answers and has every migration of this build.
    pub async fn readiness(&self) -> Readiness {
        let store = &self.core.store;
        let database = store.backend_name();
        match (store.ping().await, store.pending_migrations().await) {
            (Ok(()), Ok(pending)) => Readiness::Checked { database, pending },
            _ => Readiness::Unavailable,
        }
    }

    /// The handlers every installation runs, each over its own area.
    pub fn standard_jobs(&self) -> JobRegistry {
        let mut r = JobRegistry::default();
        r.register(crate::jobs::MaintenancePurge::new(self.core.clone()));
        r.register(crate::jobs::DiagnosticsPing);
        r.register(crate::catalog::CatalogImportJob::new(self.catalog.clone()));
        r.register(crate::notifications::ReminderScanJob::new(self.notifications.clone()));
        r.register(crate::notifications::NotificationMailJob::new(self.notifications.clone()));
        r.register(crate::notices::CitizenNoticeJob::new(
            self.core.clone(),
            self.notifications.mail_sender(),
            self.webhook.clone(),
        ));
        r.register(crate::integrity::CheckpointJob::new(self.integrity.clone()));
        r.register(crate::national_portal::PortalSendJob::new(self.national_portal.clone()));
        r.register(crate::national_portal::PortalPullJob::new(self.national_portal.clone()));
        r
    }

    /// A worker running `registry` (usually [`Self::standard_jobs`]).
    pub fn worker(&self, registry: JobRegistry) -> Worker {
        Worker::new(self.core.clone(), registry)
    }
}
