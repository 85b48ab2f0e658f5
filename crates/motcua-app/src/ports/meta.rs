use async_trait::async_trait;

use super::StoreResult;

/// Keys of the installation's own facts.
pub mod meta_keys {
    /// `demo` when the database was filled by the demo loader.
    pub const DATASET: &str = "dataset";
    pub const DEMO: &str = "demo";
}

#[async_trait]
pub trait MetaReads {
    async fn meta(&self, key: &str) -> StoreResult<Option<String>>;
    /// A number that grows with every committed change of the reference data (agencies,
    /// office hours, procedure versions, who handles them, workflows, the holiday calendar).
    async fn reference_revision(&self) -> StoreResult<i64>;
}

#[async_trait]
pub trait MetaWrites {
    async fn set_meta(&mut self, key: &str, value: &str) -> StoreResult<()>;
}
