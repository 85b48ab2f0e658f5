use async_trait::async_trait;

/// Where uploaded bytes live (local disk by default). Keys are content hashes, so a file is
/// written once and never changes; the database holds the metadata.
#[async_trait]
pub trait FileStore: Send + Sync + 'static {
    /// Stores `bytes` under `key`; returns once they are durable.
    async fn put(&self, key: &str, bytes: &[u8]) -> anyhow::Result<()>;
    async fn get(&self, key: &str) -> anyhow::Result<Option<Vec<u8>>>;
}

/// A second place every anchor is written to (a file; later issues add other sinks), which
/// whoever can rewrite the database cannot rewrite as well.
#[async_trait]
pub trait AnchorSink: Send + Sync + 'static {
    /// Appends one anchor; returns once it is durable.
    async fn append(&self, anchor: &motcua_domain::integrity::Anchor) -> anyhow::Result<()>;
    /// Where it writes, for messages.
    fn describe(&self) -> String;
}

/// A province's own form templates (text files named like the built-ins, `mau-01.txt`…), read at
/// each use so that an edit applies without a restart.
pub trait FormTemplateSource: Send + Sync + 'static {
    /// `(file name, text)` of every template file it holds.
    fn templates(&self) -> anyhow::Result<Vec<(String, String)>>;
}
