use async_trait::async_trait;
use motcua_app::ports::{MetaReads, MetaWrites, StoreResult};

use crate::Db;
use crate::convert::db_err;
use crate::tx::DbTx;

#[async_trait]
impl MetaReads for Db {
    async fn meta(&self, key: &str) -> StoreResult<Option<String>> {
        sqlx::query_scalar("SELECT value FROM system_meta WHERE key = $1")
            .bind(key.to_owned())
            .fetch_optional(self.read_pool())
            .await
            .map_err(db_err)
    }

    async fn reference_revision(&self) -> StoreResult<i64> {
        sqlx::query_scalar("SELECT revision FROM reference_state WHERE id = 1")
            .fetch_one(self.read_pool())
            .await
            .map_err(db_err)
    }
}

#[async_trait]
impl MetaWrites for DbTx {
    async fn set_meta(&mut self, key: &str, value: &str) -> StoreResult<()> {
        sqlx::query("INSERT INTO system_meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
            .bind(key.to_owned())
            .bind(value.to_owned())
            .execute(self.conn().await?)
            .await
            .map_err(db_err)?;
        Ok(())
    }
}
