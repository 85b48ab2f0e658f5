use async_trait::async_trait;
use motcua_app::ports::{MetaReads, MetaWrites, Revisions, StoreResult};

use crate::Db;
use crate::convert::{RowExt, db_err};
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

    async fn revisions(&self) -> StoreResult<Revisions> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {REVISIONS_COLS}")))
            .fetch_one(self.read_pool())
            .await
            .map_err(db_err)?;
        revisions_from(&row)
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

/// The reference data's revisions as select-list columns, for statements that read them along
/// with something else.
pub(crate) const REVISIONS_COLS: &str = "(SELECT revision FROM reference_state WHERE id = 1) AS rev_reference, \
     (SELECT revision FROM catalog_state WHERE id = 1) AS rev_catalog, \
     (SELECT COALESCE(MAX(revision), 0) FROM calendar_revisions) AS rev_calendar";

pub(crate) fn revisions_from(row: &sqlx::any::AnyRow) -> StoreResult<Revisions> {
    Ok(Revisions {
        reference: row.i64("rev_reference")?,
        catalog: row.i64("rev_catalog")?,
        calendar: row.i64("rev_calendar")?,
    })
}
