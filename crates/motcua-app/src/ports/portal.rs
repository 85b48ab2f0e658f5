use async_trait::async_trait;
use jiff::Timestamp;

use motcua_domain::agency::AgencyId;

use super::StoreResult;

/// A dossier the national portal has not been told everything about yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortalDue {
    pub dossier_id: i64,
    /// The dossier's last queued event.
    pub seq: i64,
    /// When its oldest untold change was queued.
    pub since: Timestamp,
}

/// A change queued for the portal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortalQueued {
    pub seq: i64,
    pub queued_at: Timestamp,
}

#[async_trait]
pub trait PortalReads {
    /// Dossiers with changes the portal has not been told, whose retry time has come and that
    /// are not given up, oldest change first.
    async fn portal_due(&self, now: Timestamp, limit: i64) -> StoreResult<Vec<PortalDue>>;
    /// The changes queued for one dossier, oldest first.
    async fn portal_queued(&self, dossier_id: i64) -> StoreResult<Vec<PortalQueued>>;
    /// Every call made about a dossier, oldest first (its sync timeline).
    async fn portal_calls(&self, dossier_id: i64) -> StoreResult<Vec<PortalCall>>;
    /// How far the portal has been told about a dossier (`None`: never tried).
    async fn portal_sync_row(&self, dossier_id: i64) -> StoreResult<Option<PortalSyncRow>>;
    /// Dossiers received by these agencies that the portal does not hold as they stand: with
    /// changes not told yet, failing, or given up; oldest first.
    async fn portal_problems(&self, agencies: &[AgencyId], limit: i64) -> StoreResult<Vec<PortalProblem>>;
    /// The outbox as a whole, for the metrics and the reconciliation page.
    async fn portal_backlog(&self, now: Timestamp) -> StoreResult<PortalBacklog>;
    /// What the portal sent and was not taken, newest first.
    async fn portal_inbound_log(&self, limit: i64) -> StoreResult<Vec<PortalInboundEntry>>;
    /// How many times a dossier of the portal failed to be taken.
    async fn portal_inbound_failures(&self, portal_code: &str) -> StoreResult<i64>;
}

/// A dossier the portal sent that was not taken: refused (what is wrong) or failed (to be
/// sent or pulled again).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortalInboundEntry {
    pub portal_code: Option<String>,
    pub at: Timestamp,
    /// `rejected` or `failed`.
    pub outcome: &'static str,
    pub message: String,
}

/// A dossier the portal does not hold as it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortalProblem {
    pub dossier_id: i64,
    pub code: Option<String>,
    pub portal_code: Option<String>,
    pub receiving_agency_id: AgencyId,
    /// Our status now (1–10).
    pub status: u8,
    /// The status the portal was last told with success, if ever.
    pub told_status: Option<u8>,
    /// When its oldest change not told yet was queued.
    pub untold_since: Option<Timestamp>,
    pub attempts: u32,
    pub dead: bool,
    pub last_error: Option<String>,
}

/// The outbox as a whole.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PortalBacklog {
    /// Dossiers with changes not told yet (given-up ones included).
    pub untold_dossiers: i64,
    /// When the oldest change not told yet was queued.
    pub oldest_untold: Option<Timestamp>,
    /// Dossiers given up after repeated failures.
    pub dead: i64,
    /// Failed calls in the hour before `now`.
    pub failures_last_hour: i64,
}

/// How far the portal has been told about a dossier, and the sender's retry state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PortalSyncRow {
    pub dossier_id: i64,
    pub synced_seq: i64,
    pub step_seq: i64,
    pub created: bool,
    pub attempts: u32,
    pub next_attempt_at: Option<Timestamp>,
    pub dead: bool,
    pub last_error: Option<String>,
    /// A sender holds the dossier until then.
    pub claimed_until: Option<Timestamp>,
}

/// One call to the portal and its answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortalCall {
    pub dossier_id: i64,
    pub at: Timestamp,
    /// `create`, `update` or `steps`.
    pub call: &'static str,
    pub seq_from: i64,
    pub seq_to: i64,
    pub status: u8,
    pub ok: bool,
    pub answer_code: String,
    pub answer_message: String,
}

#[async_trait]
pub trait PortalWrites {
    /// The dossier's sync row (a default one if it was never synced), locked until commit.
    async fn lock_portal_sync(&mut self, dossier_id: i64) -> StoreResult<PortalSyncRow>;
    /// Claims the dossier for one sender until `until`, unless another holds an unexpired
    /// claim (`None`).
    async fn claim_portal_sync(
        &mut self,
        dossier_id: i64,
        now: Timestamp,
        until: Timestamp,
    ) -> StoreResult<Option<PortalSyncRow>>;
    /// Notes a dossier the portal sent that was not taken.
    async fn log_portal_inbound(&mut self, entry: &PortalInboundEntry) -> StoreResult<()>;
    async fn save_portal_sync(&mut self, row: &PortalSyncRow, at: Timestamp) -> StoreResult<()>;
    async fn log_portal_call(&mut self, call: &PortalCall) -> StoreResult<()>;
}

/// Where the national portal publishes its evaluation figures (`legal.md` §13.2).
#[async_trait]
pub trait PortalFigures: Send + Sync + 'static {
    /// POSTs `body` to the evaluation endpoint `endpoint` (`dvc-progress-tree`…) and returns
    /// its JSON answer.
    async fn evaluation(&self, endpoint: &str, body: &serde_json::Value) -> anyhow::Result<serde_json::Value>;
}

/// How the national portal is reached (the REST endpoints or the LGSP/NGSP "service" RPC of
/// `legal.md` §7.1), implemented outside the use cases. An `Err` is a transport failure (the
/// portal unreachable, a timeout): the change is retried later, like a refusal.
#[async_trait]
pub trait PortalTransport: Send + Sync + 'static {
    /// Creates the dossier on the portal, or updates it (`update`).
    async fn send_dossier(
        &self,
        dossier: &motcua_domain::national_portal::PortalDossier,
        update: bool,
    ) -> anyhow::Result<motcua_domain::national_portal::PortalAnswer>;
    /// Sends process steps (at most `STEP_CHUNK` at a time).
    async fn send_steps(
        &self,
        steps: &[motcua_domain::national_portal::PortalStep],
    ) -> anyhow::Result<motcua_domain::national_portal::PortalAnswer>;
    /// Whether this transport can list submitted dossiers (the pull).
    fn pulls(&self) -> bool {
        false
    }
    /// Dossiers submitted on the portal for this province since `since` (the pull), each a
    /// `HoSo` as the portal sends it; `None` asks for what the portal still holds undelivered.
    async fn pull_dossiers(&self, since: Option<jiff::Timestamp>) -> anyhow::Result<Vec<serde_json::Value>>;
    /// A file the portal serves for a dossier (`DuongDanTaiTepTin`), refused past `max` bytes.
    async fn fetch_file(&self, url: &str, max: usize) -> anyhow::Result<Vec<u8>>;
}
