//! The write transaction handed to use cases.

use std::ops::{Deref, DerefMut};

use async_trait::async_trait;
use motcua_app::ports::{StoreResult, StoreTx};
use sqlx::any::AnyArguments;
use sqlx::query::Query;
use sqlx::{Any, AnyConnection, AssertSqlSafe, Transaction};

use crate::Backend;
use crate::convert::db_err;
use crate::group_commit::GroupedTx;

pub(crate) struct DbTx {
    pub(crate) backend: Backend,
    pub(crate) tx: Conn,
    /// A code number taken from the batch's numbering (SQLite) that the dossier's write must
    /// record in the agency's counter: `(agency, day, number)`.
    pub(crate) counter_owed: Option<(i64, String, u32)>,
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

impl DbTx {
    /// The connection to run a statement on, after what the transaction still owes it (on
    /// SQLite, its savepoint).
    pub(crate) async fn conn(&mut self) -> StoreResult<&mut AnyConnection> {
        if let Conn::Grouped(g) = &mut self.tx {
            // Any statement may write dossiers or counters behind the batch's numbering.
            g.forget_numbering();
            g.settle_owed().await.map_err(db_err)?;
        }
        Ok(&mut self.tx)
    }

    /// A statement preceded by what the transaction still owes, to send both in one call (on
    /// SQLite, which runs `;`-separated statements in one call; a failure is handled by
    /// dropping the transaction, as for any statement).
    pub(crate) fn owed_then(&mut self, sql: &str) -> Query<'static, Any, AnyArguments> {
        match &mut self.tx {
            Conn::Grouped(g) => match g.take_owed() {
                Some(owed) => sqlx::query(AssertSqlSafe(format!("{owed}; {sql}"))),
                None => sqlx::query(AssertSqlSafe(sql.to_owned())),
            },
            Conn::Own(_) => sqlx::query(AssertSqlSafe(sql.to_owned())),
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
