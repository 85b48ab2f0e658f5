use async_trait::async_trait;
use motcua_domain::agency::AgencyPath;
use motcua_domain::audit::{AuditEntry, AuditEvent, ChainHead, Outcome};

use super::StoreResult;

/// A page of the audit log for people, newest first.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Entries whose actor unit lies in one of these subtrees. `None` means everything,
    /// including entries without a unit (failed anonymous logins, CLI actions).
    pub scopes: Option<Vec<AgencyPath>>,
    /// Prefix of the action, e.g. `agency.`.
    pub action_prefix: Option<String>,
    pub outcome: Option<Outcome>,
    pub actor_username: Option<String>,
    /// Keyset pagination: only entries with `seq` below this.
    pub before_seq: Option<i64>,
    pub limit: i64,
}

#[async_trait]
pub trait AuditReads {
    /// Entries with `seq > after_seq` in ascending order, for verification and export.
    async fn audit_entries_after(&self, after_seq: i64, limit: i64) -> StoreResult<Vec<AuditEntry>>;
    async fn audit_search(&self, filter: &AuditFilter) -> StoreResult<Vec<AuditEntry>>;
    async fn audit_head(&self) -> StoreResult<Option<ChainHead>>;
}

#[async_trait]
pub trait AuditWrites {
    /// Appends one entry at the end of the chain. Implementations serialise appends so the
    /// chain never forks, and number entries without gaps.
    async fn append_audit(&mut self, event: &AuditEvent) -> StoreResult<AuditEntry>;
}
