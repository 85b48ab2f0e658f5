use async_trait::async_trait;
use jiff::Timestamp;
use jiff::civil::Date;

use motcua_domain::account::UserId;
use motcua_domain::agency::AgencyId;
use motcua_domain::petition::chain::StoredPetitionEvent;
use motcua_domain::petition::{PetitionChannel, PetitionDeadlines, PetitionKind, Stage};

use super::{Reach, StoreResult};

/// The queryable row of a petition, derived from its events (stage, holding agency, clocks).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PetitionRow {
    pub id: i64,
    pub code: String,
    /// The agency that holds it now.
    pub agency_id: AgencyId,
    pub received_agency_id: AgencyId,
    pub channel: PetitionChannel,
    pub petition_kind: Option<PetitionKind>,
    pub stage: Stage,
    pub subject: String,
    pub field: Option<String>,
    pub petitioner_name: String,
    pub procedure_code: Option<String>,
    pub dossier_code: Option<String>,
    pub reraise_of: Option<String>,
    pub assignee_id: Option<UserId>,
    pub received_at: Timestamp,
    pub clock_start: Timestamp,
    /// The deadline of what the holding agency must do next (none while information is awaited
    /// and once done).
    pub due_at: Option<Timestamp>,
    /// The answer's deadline (none while suspended).
    pub answer_due_at: Option<Timestamp>,
    pub answered_at: Option<Timestamp>,
    pub refused_at: Option<Timestamp>,
    pub published_at: Option<Timestamp>,
    /// Once resolved: whether the answer (or refusal) came after its deadline.
    pub answer_late: Option<bool>,
    /// Folded words of the subject and the published answer, for the public search.
    pub search_text: String,
    pub likes: i64,
    pub dislikes: i64,
    pub last_seq: i64,
    pub updated_at: Timestamp,
    /// The national portal's reference of a petition it forwarded.
    pub portal_reference: Option<String>,
}

/// Which petitions a list shows.
#[derive(Debug, Clone, Default)]
pub struct PetitionQuery {
    /// Held by agencies within this reach (empty: any agency, for the public page).
    pub reach: Option<Reach>,
    pub stages: Vec<Stage>,
    /// Due before this instant (near-due and overdue queues).
    pub due_before: Option<Timestamp>,
    /// Due after this instant (near-due excludes the overdue).
    pub due_after: Option<Timestamp>,
    pub assignee: Option<UserId>,
    /// Every word must occur in the code, subject, petitioner or (published) answer.
    pub words: Vec<String>,
    pub field: Option<String>,
    pub limit: i64,
    pub offset: i64,
}

/// A province's (or any agency's) own deadlines from an instant on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatedDeadlines {
    pub agency_id: AgencyId,
    pub effective_from: Timestamp,
    pub deadlines: PetitionDeadlines,
    pub updated_at: Timestamp,
    pub updated_by: Option<String>,
}

/// Petitions counted over a period.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PetitionCounts {
    /// `(channel, count)` of those received in the period.
    pub by_channel: Vec<(PetitionChannel, i64)>,
    /// `(kind, count)`, `None` while not yet classified.
    pub by_kind: Vec<(Option<PetitionKind>, i64)>,
    pub by_stage: Vec<(Stage, i64)>,
}

#[async_trait]
pub trait PetitionReads {
    async fn petition_id_by_code(&self, code: &str) -> StoreResult<Option<i64>>;
    /// The petition the national portal forwarded under this reference.
    async fn petition_id_by_portal_reference(&self, reference: &str) -> StoreResult<Option<i64>>;
    async fn petition_row(&self, id: i64) -> StoreResult<Option<PetitionRow>>;
    /// Its events exactly as stored, in order.
    async fn petition_events(&self, id: i64) -> StoreResult<Vec<StoredPetitionEvent>>;
    /// Newest first.
    async fn petitions(&self, q: &PetitionQuery) -> StoreResult<Vec<PetitionRow>>;
    async fn count_petitions(&self, q: &PetitionQuery) -> StoreResult<i64>;
    /// Petition ids above `after`, ascending (for verification, a page at a time).
    async fn petition_ids_after(&self, after: i64, limit: i64) -> StoreResult<Vec<i64>>;
    /// The deadlines set for these agencies, each with the instant it took effect (an agency
    /// without its own is absent), oldest first.
    async fn petition_deadlines(&self, agencies: &[AgencyId]) -> StoreResult<Vec<DatedDeadlines>>;
    /// The vote a browser gave a petition.
    async fn petition_vote(&self, petition_id: i64, voter: &str) -> StoreResult<Option<i64>>;
    /// Which of these codes another petition raises again.
    async fn reraised(&self, codes: &[String]) -> StoreResult<Vec<String>>;
    /// Petitions first received within `reach` in `[from, to)`, rows only (the caller counts).
    async fn petitions_received(&self, reach: &Reach, from: Timestamp, to: Timestamp) -> StoreResult<Vec<PetitionRow>>;
}

#[async_trait]
pub trait PetitionWrites {
    /// The next number of an agency's petition codes on a day.
    async fn next_petition_number(&mut self, agency: AgencyId, day: Date) -> StoreResult<u32>;
    /// Inserts the row (its `id` ignored); the new id.
    async fn insert_petition(&mut self, row: &PetitionRow) -> StoreResult<i64>;
    /// Rewrites the row from its events (only if its `last_seq` is the one given: `false` when
    /// another change came first).
    async fn update_petition(&mut self, row: &PetitionRow, expected_seq: i64) -> StoreResult<bool>;
    async fn append_petition_event(&mut self, e: &StoredPetitionEvent) -> StoreResult<()>;
    /// Records a browser's vote (+1 like, −1 dislike) and updates the counts; `false` when this
    /// browser voted on this petition before (nothing changes).
    async fn vote_petition(&mut self, petition_id: i64, voter: &str, vote: i64, at: Timestamp) -> StoreResult<bool>;
    async fn put_petition_deadlines(&mut self, d: &DatedDeadlines) -> StoreResult<()>;
}
