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
}

#[async_trait]
pub trait MetaWrites {
    async fn set_meta(&mut self, key: &str, value: &str) -> StoreResult<()>;
}
