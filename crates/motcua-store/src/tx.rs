//! The write transaction handed to use cases.

use std::ops::{Deref, DerefMut};

use async_trait::async_trait;
use motcua_app::ports::{StoreResult, StoreTx};
use sqlx::{Any, AnyConnection, Transaction};

use crate::Backend;
use crate::convert::db_err;
use crate::group_commit::GroupedTx;

pub(crate) struct DbTx {
    pub(crate) backend: Backend,
    pub(crate) tx: Conn,
}

/// The connection statements of a transaction run on.
pub(crate) enum Conn {
    /// A transaction of its own (PostgreSQL).
    Own(Transaction<'static, Any>),
    /// A savepoint in a group-committed batch (SQLite).
    Grouped(GroupedTx),
}

impl Deref for Conn {
    type Target = AnyConnection;

    fn deref(&self) -> &AnyConnection {
        match self {
            Conn::Own(t) => t,
            Conn::Grouped(g) => g,
        }
    }
}

impl DerefMut for Conn {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        match self {
            Conn::Own(t) => t,
            Conn::Grouped(g) => g,
        }
    }
}

#[async_trait]
impl StoreTx for DbTx {
    async fn commit(self: Box<Self>) -> StoreResult<()> {
        match self.tx {
            Conn::Own(t) => t.commit().await.map_err(db_err),
            Conn::Grouped(g) => g.commit().await.map_err(motcua_app::error::StoreError::Backend),
        }
    }
}
