use async_trait::async_trait;

use super::StoreResult;

/// Keys of the installation's own facts.
pub mod meta_keys {
    /// `demo` when the database was filled by the demo loader.
    pub const DATASET: &str = "dataset";
    pub const DEMO: &str = "demo";
}

/// Where the reference data stands. Each number only grows, with every committed change of its
/// part; a snapshot read at one set of revisions is exactly what the database held then.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Revisions {
    /// Agencies, office hours, procedure versions, who handles them, workflows and the holiday
    /// calendar: bumped by database triggers, whoever writes.
    pub reference: i64,
    /// The published catalogue (bumped in the transaction of every publish, import or
    /// agency-list change).
    pub catalog: i64,
    /// The holiday calendar (the newest saved revision).
    pub calendar: i64,
}

impl Revisions {
    /// Whether `self` is at least as new as `other` in every part.
    pub fn covers(&self, other: &Revisions) -> bool {
        self.reference >= other.reference && self.catalog >= other.catalog && self.calendar >= other.calendar
    }
}

#[async_trait]
pub trait MetaReads {
    async fn meta(&self, key: &str) -> StoreResult<Option<String>>;
    /// The revisions of the reference data, read together in one statement.
    async fn revisions(&self) -> StoreResult<Revisions>;
}

#[async_trait]
pub trait MetaWrites {
    async fn set_meta(&mut self, key: &str, value: &str) -> StoreResult<()>;
}
