use async_trait::async_trait;
use jiff::Timestamp;
use jiff::civil::Date;
use motcua_domain::account::UserId;
use motcua_domain::agency::{AgencyId, AgencyPath};
use motcua_domain::catalog::fold::fold;
use motcua_domain::dossier::chain::{StoredEvent, VerifiedHead};
use motcua_domain::dossier::{DossierCode, DossierEvent, DossierState};
use motcua_domain::policy::Permission;
use motcua_domain::report::{DossierFacts, RollupDelta};

use super::StoreResult;

/// The queryable columns of a dossier, recomputed from its events after every change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DossierRow {
    pub id: i64,
    pub code: Option<String>,
    /// National status code 1–10.
    pub status: u8,
    pub channel: String,
    pub procedure_id: i64,
    pub procedure_code: String,
    pub procedure_name: String,
    pub receiving_agency_id: AgencyId,
    pub resolving_agency_id: Option<AgencyId>,
    pub current_agency_id: AgencyId,
    /// The permission the current step needs (`None` when nothing is to be done).
    pub current_permission: Option<String>,
    pub step_name: Option<String>,
    pub assignee_id: Option<UserId>,
    pub applicant_name: String,
    /// The name folded (no diacritics, lower case) for searching.
    pub applicant_fold: String,
    pub applicant_id_number: Option<String>,
    pub submitted_at: Timestamp,
    /// A dossier submitted on the national portal: its code there, and by when the desk must
    /// decide on it.
    pub portal_code: Option<String>,
    pub reception_due_at: Option<Timestamp>,
    pub received_at: Option<Timestamp>,
    pub due_at: Option<Timestamp>,
    pub appointment_at: Option<Timestamp>,
    pub step_due_at: Option<Timestamp>,
    pub paused: bool,
    pub late_by_rule: bool,
    pub resolved_at: Option<Timestamp>,
    pub returned_at: Option<Timestamp>,
    pub last_seq: i64,
    pub updated_at: Timestamp,
    /// What the statistics count of it (stored beside the row for the lists behind the
    /// numbers and the raw export).
    pub facts: DossierFacts,
}

/// Which list of dossiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Queue {
    /// Everything the viewer may see.
    #[default]
    All,
    /// Waiting for an action the viewer's roles can take, in the viewer's units.
    ToProcess,
    /// Assigned to the viewer.
    Mine,
    /// Waiting for the applicant (supplement or payment).
    WaitingApplicant,
    /// Consultations asked of the viewer's units and not yet answered.
    Consultations,
    /// A correction waits for a decision of a leader where the viewer decides (`act_scopes`).
    Corrections,
}

/// Where a permission reaches: whole subtrees, and single agencies (the parents of the units a
/// grant names; see `policy::authorize_dossier`).
#[derive(Debug, Clone, Default)]
pub struct Reach {
    pub subtrees: Vec<AgencyPath>,
    pub agencies: Vec<AgencyPath>,
}

impl Reach {
    pub fn is_empty(&self) -> bool {
        self.subtrees.is_empty() && self.agencies.is_empty()
    }
}

/// A dossier list query. Scopes are computed by the caller from the policy.
#[derive(Debug, Clone, Default)]
pub struct DossierQuery {
    /// Where the viewer may see dossiers (ViewDossiers).
    pub view_scopes: Reach,
    /// For [`Queue::ToProcess`] and [`Queue::Corrections`]: per permission, where the viewer
    /// holds it.
    pub act_scopes: Vec<(Permission, Reach)>,
    pub queue: Queue,
    pub viewer: Option<UserId>,
    /// National status codes.
    pub statuses: Vec<u8>,
    pub procedure_code: Option<String>,
    pub channel: Option<String>,
    /// Only dossiers received by this agency (the register of a desk).
    pub receiving_agency_id: Option<AgencyId>,
    pub received_from: Option<Timestamp>,
    pub received_until: Option<Timestamp>,
    /// Due no later than this (near-due and overdue lists).
    pub due_before: Option<Timestamp>,
    /// An exact dossier code.
    pub code: Option<String>,
    /// An exact ID number or tax code.
    pub id_number: Option<String>,
    /// A folded fragment of the applicant's name.
    pub name_fold: Option<String>,
    /// Keyset: only dossiers with a smaller id.
    pub before_id: Option<i64>,
    pub limit: i64,
}

/// A dossier's history as a change reads it.
#[derive(Debug, Clone, Default)]
pub struct LockedEvents {
    pub events: Vec<StoredEvent>,
    pub verified: Option<VerifiedHead>,
}

/// Where a client transaction id was used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TxnUse {
    pub dossier_id: i64,
    pub actor_user_id: Option<UserId>,
    pub seq: i64,
}

#[async_trait]
pub trait DossierReads {
    async fn dossier_id_by_code(&self, code: &str) -> StoreResult<Option<i64>>;
    /// The dossier submitted on the national portal under this code.
    async fn dossier_id_by_portal_code(&self, portal_code: &str) -> StoreResult<Option<i64>>;
    async fn dossier_row(&self, id: i64) -> StoreResult<Option<DossierRow>>;
    async fn dossier_events(&self, id: i64) -> StoreResult<Vec<DossierEvent>>;
    /// The id and the events, oldest first, of the dossier with this code, in one read.
    async fn dossier_history_by_code(&self, code: &DossierCode) -> StoreResult<Option<(i64, Vec<DossierEvent>)>>;
    async fn dossier_agency_ids(&self, id: i64) -> StoreResult<Vec<AgencyId>>;
    async fn client_txn_use(&self, client_txn_id: &str) -> StoreResult<Option<TxnUse>>;
    async fn dossiers(&self, query: &DossierQuery) -> StoreResult<Vec<DossierRow>>;
    async fn count_dossiers(&self, query: &DossierQuery) -> StoreResult<i64>;
    /// Whether any dossier exists.
    async fn has_dossiers(&self) -> StoreResult<bool>;
}

/// Dossiers written together (a generated history): rows, their events and involved agencies,
/// the counters they add, and the code counters reached.
#[derive(Debug, Clone, Default)]
pub struct DossierBatch {
    pub rows: Vec<DossierRow>,
    pub events: Vec<(i64, Vec<DossierEvent>)>,
    pub agencies: Vec<(i64, Vec<AgencyId>)>,
    pub rollups: RollupDelta,
    /// The last code number of each agency and day.
    pub counters: Vec<(AgencyId, Date, u32)>,
}

/// Writes of dossiers. A use case writes a dossier in as few round trips as it can: they are
/// most of its time, and at acceptance they are spent holding the agency's code counter.
#[async_trait]
pub trait DossierWrites {
    /// Reserves the id of a new dossier and, with `code_of`, the next number of that agency's
    /// codes on that day (1 for the first): one round trip. The counter row stays locked until
    /// the transaction ends, and a rollback gives the number back, so numbers have no gaps.
    async fn reserve_dossier(&mut self, code_of: Option<(AgencyId, Date)>) -> StoreResult<(i64, Option<u32>)>;
    /// Writes a new dossier under its reserved id (the row, the first events, the agencies it
    /// involves and its rollup counters) in one round trip, and commits the transaction. A used client transaction
    /// id is a [`crate::StoreError::Duplicate`] whose key names `client_txn_id`, and nothing
    /// of the transaction remains.
    async fn commit_new_dossier(
        self: Box<Self>,
        row: &DossierRow,
        events: &[DossierEvent],
        agencies: &[AgencyId],
        rollups: &RollupDelta,
    ) -> StoreResult<()>;
    /// The dossier's events exactly as stored and the head the integrity job verified last
    /// (so the head can be checked before a change), locking the dossier against concurrent
    /// changes until commit.
    async fn lock_dossier_events(&mut self, id: i64) -> StoreResult<LockedEvents>;
    /// Records a change of a dossier in one round trip (appends the events, rewrites the row,
    /// adds the agencies it now involves, moves the rollup counters) and commits the
    /// transaction. A repeated `(dossier, seq)` or client transaction id is a [`crate::StoreError::Duplicate`], and
    /// nothing of the transaction remains.
    async fn commit_dossier_change(
        self: Box<Self>,
        row: &DossierRow,
        events: &[DossierEvent],
        added: &[AgencyId],
        rollups: &RollupDelta,
    ) -> StoreResult<()>;
    /// The next number of an agency's dossier codes on a day (1 for the first). Called last in
    /// the accepting transaction: the counter row stays locked until commit.
    async fn next_dossier_number(&mut self, agency: AgencyId, day: Date) -> StoreResult<u32>;
    /// Writes dossiers under the ids their rows carry (into a database whose dossiers are all
    /// written this way: ids and code counters are the caller's).
    async fn insert_dossier_batch(&mut self, batch: &DossierBatch) -> StoreResult<()>;
}

impl DossierRow {
    /// What the dossiers table holds of a folded state (its listing and queue columns).
    pub fn of(s: &DossierState) -> Self {
        let sub = &s.submission;
        Self {
            id: s.id,
            code: s.code.as_ref().map(ToString::to_string),
            status: s.status.national_code(),
            channel: sub.channel.as_str().to_owned(),
            procedure_id: sub.procedure.id,
            procedure_code: sub.procedure.code.clone(),
            procedure_name: sub.procedure.name.clone(),
            receiving_agency_id: sub.receiving.id,
            resolving_agency_id: s.resolving.as_ref().map(|r| r.id),
            current_agency_id: s.current_agency(),
            current_permission: s.current_permission().map(|p| p.as_str().to_owned()),
            step_name: s.current_step().map(|p| p.name.clone()),
            assignee_id: s.step.as_ref().and_then(|c| c.assignee.as_ref()).map(|a| a.id),
            applicant_name: sub.applicant.full_name.clone(),
            applicant_fold: fold(&sub.applicant.full_name),
            applicant_id_number: sub.applicant.id_number.clone(),
            submitted_at: s.submitted_at,
            portal_code: sub.portal.as_ref().map(|p| p.code.clone()),
            reception_due_at: s.reception_due_at,
            received_at: s.received_at,
            due_at: s.due_at,
            appointment_at: s.appointment_at,
            step_due_at: s.step.as_ref().and_then(|c| c.due_at),
            paused: s.paused.is_some(),
            late_by_rule: s.late_by_rule(),
            resolved_at: s.resolved_at,
            returned_at: s.returned_at,
            last_seq: s.last_seq,
            updated_at: s.updated_at,
            facts: DossierFacts::of(s),
        }
    }
}
