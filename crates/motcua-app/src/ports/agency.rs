use async_trait::async_trait;
use jiff::Timestamp;
use jiff::civil::Date;
use motcua_domain::agency::{Agency, AgencyCode, AgencyId, AgencyLevel, AgencyPath, AgencyRevision};

use super::StoreResult;

/// Fields of a new agency; the store assigns id, path and version 1.
#[derive(Debug, Clone)]
pub struct NewAgency {
    pub parent: Option<(AgencyId, AgencyPath)>,
    pub code: AgencyCode,
    pub name: String,
    pub short_name: Option<String>,
    pub level: AgencyLevel,
    pub valid_from: Option<Date>,
    pub valid_to: Option<Date>,
    pub active: bool,
}

#[async_trait]
pub trait AgencyReads {
    async fn agency(&self, id: AgencyId) -> StoreResult<Option<Agency>>;
    async fn agency_by_code(&self, code: &AgencyCode) -> StoreResult<Option<Agency>>;
    /// Agencies inside any of the subtrees, ordered by path (a depth-first tree walk).
    async fn agencies_within(&self, scopes: &[AgencyPath], include_inactive: bool) -> StoreResult<Vec<Agency>>;
    /// History, oldest first.
    async fn agency_revisions(&self, id: AgencyId) -> StoreResult<Vec<AgencyRevision>>;
    async fn count_agencies(&self) -> StoreResult<i64>;
    /// The roots of the tree (the province), active or not.
    async fn root_agencies(&self) -> StoreResult<Vec<Agency>>;
}

#[async_trait]
pub trait AgencyWrites {
    async fn insert_agency(&mut self, new: &NewAgency, now: Timestamp) -> StoreResult<Agency>;
    /// Writes `agency` (with its version already incremented) if the stored version is still
    /// `expected_version`; `false` means someone else changed it first.
    async fn update_agency(&mut self, agency: &Agency, expected_version: i64) -> StoreResult<bool>;
    /// Rewrites the paths of a moved subtree.
    async fn move_agency_subtree(&mut self, from: &AgencyPath, to: &AgencyPath, now: Timestamp) -> StoreResult<()>;
    async fn insert_agency_revision(&mut self, revision: &AgencyRevision) -> StoreResult<()>;
}
