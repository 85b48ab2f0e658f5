use async_trait::async_trait;
use jiff::Timestamp;

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
}
