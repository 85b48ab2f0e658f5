use async_trait::async_trait;
use motcua_domain::agency::AgencyId;
use motcua_domain::report::measure::Window;
use motcua_domain::report::rollup::BucketRange;
use motcua_domain::report::target::Metric;
use motcua_domain::report::{Counters, DossierFacts, Grain, Measure, RollupDelta};

use super::{DossierRow, StoreResult};

/// Which agency column a statistic is counted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CountedBy {
    /// The agency that resolves (Biểu 06, the index, dashboards).
    #[default]
    Resolving,
    /// The agency that received (the one-stop centre's variant).
    Receiving,
}

/// Sums of rollup counters.
#[derive(Debug, Clone, Default)]
pub struct RollupQuery {
    pub by: CountedBy,
    pub agencies: Vec<AgencyId>,
    /// Summed together (see `report::rollup::ranges`).
    pub ranges: Vec<BucketRange>,
    /// One sum per bucket for all the agencies and procedures together (trends; the sums'
    /// agency and procedure are then 0), instead of one per agency and procedure.
    pub per_bucket: bool,
    /// Only the pending balances (`open`, `overdue`; the rest 0), and only where they are not
    /// zero: what the sums before a period are needed for.
    pub balance_only: bool,
}

/// One sum: per agency and procedure (and bucket, when asked).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RollupSum {
    pub agency: AgencyId,
    pub procedure_id: i64,
    pub bucket: Option<(Grain, i64)>,
    pub counters: Counters,
}

/// A stored rollup row, for verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRollup {
    pub grain: Grain,
    pub bucket: i64,
    pub receiving: AgencyId,
    pub procedure_id: i64,
    pub counters: Counters,
}

/// The dossiers behind a number (those any of `measures` counts), or every dossier a period's
/// report counts (`measures` empty).
#[derive(Debug, Clone)]
pub struct CountedQuery {
    pub by: CountedBy,
    pub agencies: Vec<AgencyId>,
    /// Only these procedures (a field's row).
    pub procedures: Option<Vec<i64>>,
    pub measures: Vec<Measure>,
    pub window: Window,
    /// Only dossiers that turn overdue before this instant (the near-due ones among those
    /// pending in time).
    pub overdue_before: Option<jiff::Timestamp>,
    /// Keyset: only dossiers with a greater id, oldest first.
    pub after_id: Option<i64>,
    pub limit: i64,
}

/// How many dossiers one official accepted at one agency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acceptances {
    pub user_id: Option<motcua_domain::account::UserId>,
    /// The official's name as the events recorded it.
    pub name: String,
    pub agency: AgencyId,
    pub count: i64,
}

/// A procedure and the field (lĩnh vực) of its latest version, for the rows of reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcedureField {
    pub procedure_id: i64,
    pub code: String,
    pub name: String,
    pub field: String,
}

/// A target set for an agency and a year (`report::target`), value in hundredths.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredTarget {
    pub agency: AgencyId,
    pub year: i16,
    pub metric: Metric,
    pub value: u32,
    pub updated_by: String,
    pub updated_at: jiff::Timestamp,
}

#[async_trait]
pub trait ReportReads {
    /// The targets set for these agencies in a year.
    async fn agency_targets(&self, agencies: &[AgencyId], year: i16) -> StoreResult<Vec<StoredTarget>>;
    async fn rollup_sums(&self, query: &RollupQuery) -> StoreResult<Vec<RollupSum>>;
    async fn counted_dossiers(&self, query: &CountedQuery) -> StoreResult<Vec<DossierRow>>;
    /// Per agency and procedure, the dossiers pending at `from` whose overdue instant falls in
    /// `[from, until)`.
    async fn overdue_between(
        &self,
        by: CountedBy,
        agencies: &[AgencyId],
        from: jiff::Timestamp,
        until: jiff::Timestamp,
    ) -> StoreResult<Vec<(AgencyId, i64, i64)>>;
    async fn procedure_fields(&self) -> StoreResult<Vec<ProcedureField>>;
    /// Acceptances (tiếp nhận) in `[from, until)` at these receiving agencies, per official
    /// and agency.
    async fn acceptances(
        &self,
        agencies: &[AgencyId],
        from: jiff::Timestamp,
        until: jiff::Timestamp,
    ) -> StoreResult<Vec<Acceptances>>;
    /// Whether the counters were built for the dossiers present (false after the migration
    /// that added them to a database holding dossiers, until a rebuild).
    async fn rollups_built(&self) -> StoreResult<bool>;
}

#[async_trait]
pub trait ReportWrites {
    /// Rewrites rows of dossiers (the columns a change rewrites), without touching counters.
    async fn rewrite_dossier_rows(&mut self, rows: &[DossierRow]) -> StoreResult<()>;
    /// Keeps concurrent changes from moving counters until the transaction ends (PostgreSQL;
    /// on SQLite the one writer already does).
    async fn lock_rollups(&mut self) -> StoreResult<()>;
    /// The counting facts of the dossiers counted at an agency, as stored, read inside the
    /// transaction.
    async fn facts_counted_at(&mut self, agency: AgencyId) -> StoreResult<Vec<DossierFacts>>;
    /// Replaces an agency's counters by `delta` (whose keys all name it).
    async fn replace_rollups(&mut self, agency: AgencyId, delta: &RollupDelta) -> StoreResult<()>;
    async fn set_rollups_built(&mut self, built: bool) -> StoreResult<()>;
    /// The rollup rows of an agency as stored, read inside the transaction.
    async fn stored_rollups(&mut self, agency: AgencyId) -> StoreResult<Vec<StoredRollup>>;
    /// Sets a target (replacing the one set before), or clears it (`value` `None`).
    async fn set_agency_target(
        &mut self,
        agency: AgencyId,
        year: i16,
        metric: Metric,
        value: Option<(u32, &str, jiff::Timestamp)>,
    ) -> StoreResult<()>;
}
