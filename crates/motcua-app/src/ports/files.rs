use async_trait::async_trait;

/// Where uploaded bytes live (local disk by default). Keys are content hashes, so a file is
/// written once and never changes; the database holds the metadata.
#[async_trait]
pub trait FileStore: Send + Sync + 'static {
    /// Stores `bytes` under `key`; returns once they are durable.
    async fn put(&self, key: &str, bytes: &[u8]) -> anyhow::Result<()>;
    async fn get(&self, key: &str) -> anyhow::Result<Option<Vec<u8>>>;
}
