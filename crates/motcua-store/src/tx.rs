//! The write transaction handed to use cases.

use async_trait::async_trait;
use motcua_app::ports::{StoreResult, StoreTx};
use sqlx::{Any, Transaction};

use crate::Backend;
use crate::convert::db_err;

pub(crate) struct DbTx {
    pub(crate) backend: Backend,
    pub(crate) tx: Transaction<'static, Any>,
}

#[async_trait]
impl StoreTx for DbTx {
    async fn commit(self: Box<Self>) -> StoreResult<()> {
        self.tx.commit().await.map_err(db_err)
    }
}
