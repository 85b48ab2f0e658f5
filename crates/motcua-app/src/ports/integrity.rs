use async_trait::async_trait;
use motcua_domain::agency::AgencyId;
use motcua_domain::dossier::chain::{StoredEvent, VerifiedHead};
use motcua_domain::integrity::Anchor;

use super::{DossierRow, StoreResult};

/// A dossier's current head beside the head last verified, for the incremental check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeadRow {
    pub dossier_id: i64,
    pub code: Option<String>,
    /// The row's `last_seq`.
    pub last_seq: i64,
    /// The stored event numbered `last_seq`, if there is one.
    pub head: Option<StoredEvent>,
    /// What the integrity job verified last.
    pub verified: Option<VerifiedHead>,
}

/// Reads for verifying the hash chains, one page at a time so that any number of dossiers
/// verifies in bounded memory.
#[async_trait]
pub trait IntegrityReads {
    /// Dossiers with `id > after`, ascending, at most `limit`.
    async fn dossier_heads(&self, after: i64, limit: i64) -> StoreResult<Vec<HeadRow>>;
    /// The rows of these dossiers (a page: a few hundred ids), ascending.
    async fn dossier_rows_of(&self, ids: &[i64]) -> StoreResult<Vec<DossierRow>>;
    /// Their events exactly as stored, by dossier and number.
    async fn stored_events_of(&self, ids: &[i64]) -> StoreResult<Vec<StoredEvent>>;
    /// The agencies recorded as involved, by dossier.
    async fn dossier_agencies_of(&self, ids: &[i64]) -> StoreResult<Vec<(i64, AgencyId)>>;
    /// Dossier ids that have events or a verified head but no row.
    async fn dossiers_without_row(&self) -> StoreResult<Vec<i64>>;
    /// Anchors with `seq > after`, ascending, at most `limit`.
    async fn anchors_after(&self, after: i64, limit: i64) -> StoreResult<Vec<Anchor>>;
    async fn last_anchor(&self) -> StoreResult<Option<Anchor>>;
}

#[async_trait]
pub trait IntegrityWrites {
    /// Records verified heads (insert or replace).
    async fn put_verified_heads(&mut self, heads: &[(i64, VerifiedHead)]) -> StoreResult<()>;
    async fn append_anchor(&mut self, anchor: &Anchor) -> StoreResult<()>;
}
