//! What an installation configures for its use cases (from `motcua.toml` and the environment).

use std::time::Duration;

use jiff::SignedDuration;
use motcua_domain::job::Backoff;
use motcua_domain::lockout::LockoutPolicy;

use crate::password::Argon2Params;

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
}

impl Default for DossierSettings {
    fn default() -> Self {
        Self { near_due_working_days: 1 }
    }
}

#[derive(Debug, Clone)]
pub struct NotificationSettings {
    /// The address people use (links in e-mails); `None`: links are paths only.
    pub public_url: Option<String>,
    /// How often the reminder scan runs.
    pub scan_interval: SignedDuration,
    /// A step due within this many working hours is reminded to its people.
    pub step_lead_working_hours: u32,
}

impl Default for NotificationSettings {
    fn default() -> Self {
        Self { public_url: None, scan_interval: SignedDuration::from_mins(10), step_lead_working_hours: 4 }
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

/// The Decision 766 index's targets and grade bands.
#[derive(Debug, Clone, Default)]
pub struct ReportSettings {
    pub targets: motcua_domain::report::index766::Targets,
    pub bands: motcua_domain::report::index766::Bands,
}

/// Dossiers from the national portal.
#[derive(Debug, Clone)]
pub struct PortalSettings {
    /// An online dossier arriving at or after this time of a working day (or on a day off) is
    /// due to be decided by the close of the next working day (`legal.md` §13.1).
    pub reception_cutoff: motcua_domain::calendar::ClockTime,
    /// The largest file fetched with a portal dossier…
    pub max_file_bytes: usize,
    /// …and the most its files may weigh together.
    pub max_dossier_bytes: usize,
    /// How often the portal's list of submitted dossiers is pulled (when a pull path is set).
    pub pull_interval: SignedDuration,
    /// How long a sender holds a dossier between two saved calls (a call's timeout and a
    /// margin): after a crash mid-call, the dossier is taken up again then.
    pub claim: SignedDuration,
}

impl Default for PortalSettings {
    fn default() -> Self {
        Self {
            reception_cutoff: motcua_domain::calendar::ClockTime::hm(17, 0),
            max_file_bytes: 20 * 1024 * 1024,
            max_dossier_bytes: 100 * 1024 * 1024,
            pull_interval: SignedDuration::from_mins(1),
            claim: SignedDuration::from_secs(45),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub portal: PortalSettings,
    pub auth: AuthSettings,
    pub worker: WorkerSettings,
    pub dossiers: DossierSettings,
    pub notifications: NotificationSettings,
    pub integrity: IntegritySettings,
    pub reports: ReportSettings,
}
