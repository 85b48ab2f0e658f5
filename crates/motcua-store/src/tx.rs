//! The write transaction handed to use cases.

use async_trait::async_trait;
use motcua_app::ports::{StoreResult, StoreTx};
use sqlx::any::{AnyArguments, AnyRow};
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

/// The connection statements of a transaction run on. It gives no access to the raw
/// connection: statements go through [`DbTx::conn`] (or [`DbTx::fetch_owed`]), which on SQLite
/// forget the batch's dossier numbering, so no write path can move ids or code counters behind
/// it; only the dossier reservation and the final dossier write keep it, through the
/// [`GroupedTx`] methods named for them.
pub(crate) enum Conn {
    /// A transaction of its own (PostgreSQL).
    Own(Transaction<'static, Any>),
    /// A savepoint in a group-committed batch (SQLite).
    Grouped(GroupedTx),
}

impl DbTx {
    /// The connection to run a statement on, after what the transaction still owes it (on
    /// SQLite, its savepoint). Any statement may write dossiers or counters behind the batch's
    /// numbering, so the numbering is forgotten.
    pub(crate) async fn conn(&mut self) -> StoreResult<&mut AnyConnection> {
        match &mut self.tx {
            Conn::Own(t) => Ok(&mut **t),
            Conn::Grouped(g) => g.conn().await.map_err(db_err),
        }
    }

    /// Runs `sql` (with `bind` applied) and returns its rows; on SQLite what the transaction
    /// still owes goes in front of it in the same call. Forgets the numbering, as
    /// [`DbTx::conn`] does.
    pub(crate) async fn fetch_owed(
        &mut self,
        sql: &str,
        bind: impl FnOnce(Query<'static, Any, AnyArguments>) -> Query<'static, Any, AnyArguments>,
    ) -> StoreResult<Vec<AnyRow>> {
        match &mut self.tx {
            Conn::Own(t) => bind(sqlx::query(AssertSqlSafe(sql.to_owned()))).fetch_all(&mut **t).await.map_err(db_err),
            Conn::Grouped(g) => g.fetch_owed(sql, bind, true).await.map_err(db_err),
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

#[cfg(test)]
mod tests {
    use jiff::Timestamp;
    use motcua_app::ports::{AccountWrites, AuditWrites, DossierWrites, IntegrityWrites, LoginGuard};
    use motcua_domain::agency::AgencyId;
    use motcua_domain::audit::{AuditEvent, Outcome};
    use motcua_domain::dossier::chain::VerifiedHead;

    use super::*;
    use crate::{Db, DbOptions};

    fn knows(tx: &mut DbTx) -> bool {
        match &mut tx.tx {
            Conn::Grouped(g) => g.knows_numbering(),
            Conn::Own(_) => false,
        }
    }

    /// Every write other than the dossier reservation and the dossier writes forgets the
    /// batch's numbering: they reach the connection only through `conn` and `fetch_owed`.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn any_statement_but_the_dossier_writes_forgets_the_numbering() {
        let dir = std::env::temp_dir().join(format!("motcua-tx-{}", motcua_app::secret::random_hex(6)));
        let db = Db::connect(&format!("sqlite://{}/t.db", dir.display()), &DbOptions::default()).await.unwrap();
        db.migrate().await.unwrap();
        sqlx::query("INSERT INTO agencies (id, code, name, level, path, depth, active, version, created_at, updated_at) VALUES (1, 'H99', 'Tỉnh', 'province', '/1/', 1, 1, 1, 0, 0)")
            .execute(db.write_pool())
            .await
            .unwrap();
        let now = Timestamp::from_second(1_800_000_000).unwrap();
        let audit = AuditEvent {
            occurred_at: now,
            actor_user_id: None,
            actor_username: None,
            actor_role: None,
            actor_unit_id: None,
            action: "test".into(),
            target_type: None,
            target_id: None,
            request_id: None,
            outcome: Outcome::Success,
            detail: None,
        };
        let writes: Vec<&str> = vec!["audit", "login guard", "verified heads", "locked events"];
        for write in writes {
            let group = db.group.clone().expect("SQLite group-commits");
            let mut tx =
                DbTx { backend: db.backend(), tx: Conn::Grouped(group.begin().await.unwrap()), counter_owed: None };
            let day = jiff::civil::date(2026, 11, 24);
            tx.reserve_dossier(Some((AgencyId(1), day))).await.unwrap();
            assert!(knows(&mut tx), "the reservation notes its numbers");
            match write {
                "audit" => drop(tx.append_audit(&audit).await.unwrap()),
                "login guard" => tx.record_login_guard("x", LoginGuard::default(), now).await.unwrap(),
                "verified heads" => {
                    tx.put_verified_heads(&[(1, VerifiedHead { seq: 1, hash: "h".into() })]).await.unwrap()
                }
                _ => drop(tx.lock_dossier_events(1).await.unwrap()),
            }
            assert!(!knows(&mut tx), "{write} forgets the numbering");
            drop(tx);
        }
        db.close().await;
        let _ = std::fs::remove_dir_all(dir);
    }
}
