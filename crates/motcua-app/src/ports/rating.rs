use async_trait::async_trait;
use jiff::Timestamp;

use motcua_domain::account::UserId;
use motcua_domain::agency::AgencyId;
use motcua_domain::rating::{Rating, RatingChannel};

use super::{Reach, StoreResult};

/// A stored rating with what it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RatingRecord {
    pub dossier_id: i64,
    /// The receiving agency (its desk is the one rated).
    pub agency_id: AgencyId,
    pub procedure_code: String,
    /// Who took the dossier's last step (returned the result, refused, stopped).
    pub officer_id: Option<UserId>,
    pub rating: Rating,
    pub channel: RatingChannel,
    pub rated_at: Timestamp,
}

/// Ratings counted over agencies and a period.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SatisfactionCount {
    pub rated: i64,
    pub satisfied: i64,
}

/// What ratings are grouped by in a satisfaction report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RatedBy {
    Procedure,
    Officer,
}

/// One group of a satisfaction report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SatisfactionRow {
    /// The procedure's code, or the officer's user name ("" when nobody is known).
    pub key: String,
    pub name: String,
    pub rated: i64,
    pub satisfied: i64,
    /// Points of the indicators, summed over the ratings.
    pub points: i64,
}

#[async_trait]
pub trait RatingReads {
    /// The dossier a rating link's token belongs to.
    async fn rating_link_dossier(&self, token: &str) -> StoreResult<Option<i64>>;
    /// A dossier's rating link, when one was made.
    async fn rating_link(&self, dossier_id: i64) -> StoreResult<Option<String>>;
    async fn dossier_rating(&self, dossier_id: i64) -> StoreResult<Option<RatingRecord>>;
    /// Ratings of dossiers received by agencies within `reach`, rated in `[from, to)`.
    async fn satisfaction(&self, reach: &Reach, from: Timestamp, to: Timestamp) -> StoreResult<SatisfactionCount>;
    /// Decision 766 indicator 5.4: per receiving agency within `reach`, the dossiers received in
    /// `[from, to)` that a petition received before `to` names or whose citizen rated the handling
    /// unsatisfying before `to`, each dossier once.
    async fn complained_dossiers_by_agency(
        &self,
        reach: &Reach,
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<Vec<(AgencyId, i64)>>;
    /// The same ratings grouped by procedure or by officer, most rated first.
    async fn satisfaction_by(
        &self,
        reach: &Reach,
        from: Timestamp,
        to: Timestamp,
        by: RatedBy,
    ) -> StoreResult<Vec<SatisfactionRow>>;
}

#[async_trait]
pub trait RatingWrites {
    /// Records the dossier's link unless it has one; returns the token it has.
    async fn ensure_rating_link(&mut self, dossier_id: i64, token: &str, now: Timestamp) -> StoreResult<String>;
    /// Stores a rating; `false` when the dossier already has one (nothing is written).
    async fn insert_rating(&mut self, r: &RatingRecord) -> StoreResult<bool>;
}
