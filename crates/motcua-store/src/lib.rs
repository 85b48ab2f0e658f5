//! The store port of motcua on SQLite and PostgreSQL.
//!
//! Both backends run through sqlx's `Any` driver with one set of SQL statements: `$N`
//! placeholders, `RETURNING`, `ON CONFLICT` and the column types used here (BIGINT/INTEGER,
//! TEXT, BOOLEAN on PostgreSQL vs 0/1 on SQLite) behave the same on both. What genuinely
//! differs lives in [`dialect`]: job claiming with `FOR UPDATE SKIP LOCKED`, the audit append
//! lock, connection set-up and error decoding. Each backend has its own migration folder with
//! the same version numbers; a test keeps them in step.
//!
//! SQLite gets two pools: many readers and exactly one writer connection, with write
//! transactions opened by `BEGIN IMMEDIATE`. In WAL mode readers never wait for the writer,
//! writers queue on the pool instead of failing with `SQLITE_BUSY`, and other processes (the
//! CLI while the server runs) wait on the busy timeout.

mod account;
mod agency;
mod audit;
mod calendar;
mod catalog;
mod convert;
pub mod dialect;
mod dossier;
pub mod files;
mod group_commit;
mod integrity;
mod job;
mod meta;
pub mod migrations;
mod notice;
mod notification;
mod petition;
mod portal;
mod rating;
mod report;
mod sql;
mod tx;
mod workflow;

use std::time::Duration;

use anyhow::Context as _;
use async_trait::async_trait;
use motcua_app::ports::{Store, StoreResult, StoreTx};
use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, Executor as _};

pub use dialect::Backend;

use crate::convert::db_err;

#[derive(Debug, Clone)]
pub struct DbOptions {
    /// Readers; on PostgreSQL also writers (two pools of this size).
    pub max_connections: u32,
    pub acquire_timeout: Duration,
    /// How long a SQLite connection waits for another process's write lock.
    pub busy_timeout: Duration,
}

impl Default for DbOptions {
    fn default() -> Self {
        Self { max_connections: 8, acquire_timeout: Duration::from_secs(30), busy_timeout: Duration::from_secs(10) }
    }
}

/// How long a PostgreSQL connection may sit idle in the pool and still be used without a ping.
const PG_TRUSTED_IDLE: std::time::Duration = std::time::Duration::from_secs(10);

/// A connected database.
#[derive(Clone, Debug)]
pub struct Db {
    backend: Backend,
    read: AnyPool,
    write: AnyPool,
    /// SQLite's writer, shared by batches of transactions.
    group: Option<std::sync::Arc<group_commit::GroupCommit>>,
}

impl Db {
    /// Connects to `sqlite://path` (the file and its folder are created) or `postgres://…`.
    pub async fn connect(url: &str, options: &DbOptions) -> anyhow::Result<Self> {
        install_default_drivers();
        let backend = Backend::from_url(url)?;
        match backend {
            Backend::Sqlite => {
                let url = dialect::prepare_sqlite_url(url)?;
                let busy_ms = options.busy_timeout.as_millis();
                let pool = |max: u32| {
                    AnyPoolOptions::new()
                        .max_connections(max)
                        .min_connections(1)
                        .acquire_timeout(options.acquire_timeout)
                        // An in-process connection cannot have been dropped by a peer: no ping
                        // (a round trip to the connection's thread) before every use.
                        .test_before_acquire(false)
                        .after_connect(move |conn, _meta| {
                            Box::pin(async move {
                                // Durable on commit (FULL) and readers never blocked by the writer (WAL).
                                conn.execute(sqlx::AssertSqlSafe(format!(
                                    "PRAGMA busy_timeout = {busy_ms}; PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;"
                                )))
                                .await?;
                                Ok(())
                            })
                        })
                };
                // The writer first, so that WAL mode is set before readers open the file.
                let write =
                    pool(1).connect(&url).await.with_context(|| format!("cannot open SQLite database {url}"))?;
                let read = pool(options.max_connections.max(1)).connect(&url).await?;
                let group = Some(group_commit::GroupCommit::new(write.clone()));
                Ok(Self { backend, read, write, group })
            }
            Backend::Postgres => {
                // Two pools here too: a use case that reads reference data while it holds a
                // write transaction must never wait for a connection that another transaction
                // holds while it waits for one in turn (with one shared pool, as many writers as
                // connections would deadlock until the acquire timeout).
                let pool = |max: u32| {
                    AnyPoolOptions::new()
                        .max_connections(max.max(2))
                        .acquire_timeout(options.acquire_timeout)
                        // A connection in steady use proves itself alive; one idle for a while
                        // (the server may have restarted or a firewall dropped it) is pinged
                        // first. Pinging every time would add a round trip to each statement
                        // run on its own and to each transaction.
                        .test_before_acquire(false)
                        .before_acquire(|conn, meta| {
                            Box::pin(async move {
                                if meta.idle_for < PG_TRUSTED_IDLE {
                                    return Ok(true);
                                }
                                Ok(sqlx::Connection::ping(conn).await.is_ok())
                            })
                        })
                };
                let write = pool(options.max_connections).connect(url).await.context("cannot connect to PostgreSQL")?;
                let read = pool(options.max_connections).connect(url).await.context("cannot connect to PostgreSQL")?;
                Ok(Self { backend, read, write, group: None })
            }
        }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Applies this build's migrations that the database lacks.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        let migrator = migrations::migrator(self.backend);
        migrator.run(&self.write).await.context("database migration failed")?;
        Ok(())
    }

    /// Runs a statement outside the port, for operators' tools and tests that need to reach
    /// under the application (e.g. to prove tampering is detected).
    pub async fn execute_unchecked(&self, sql: &str) -> anyhow::Result<u64> {
        let r = self.write.execute(sqlx::AssertSqlSafe(sql.to_owned())).await?;
        Ok(r.rows_affected())
    }

    pub async fn close(&self) {
        self.read.close().await;
        self.write.close().await;
    }

    pub(crate) fn read_pool(&self) -> &AnyPool {
        &self.read
    }

    pub(crate) fn write_pool(&self) -> &AnyPool {
        &self.write
    }
}

#[async_trait]
impl Store for Db {
    fn backend_name(&self) -> &'static str {
        self.backend.as_str()
    }

    async fn begin(&self) -> StoreResult<Box<dyn StoreTx>> {
        let tx = match &self.group {
            Some(group) => tx::Conn::Grouped(group.begin().await.map_err(db_err)?),
            None => tx::Conn::Own(self.write.begin().await.map_err(db_err)?),
        };
        Ok(Box::new(tx::DbTx { backend: self.backend, tx, counter_owed: None }))
    }

    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.read).await.map_err(db_err)?;
        Ok(())
    }

    async fn pending_migrations(&self) -> StoreResult<Vec<i64>> {
        let table_sql = match self.backend {
            Backend::Sqlite => "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
            Backend::Postgres => {
                "SELECT COUNT(*) FROM pg_tables WHERE tablename = '_sqlx_migrations' AND schemaname = current_schema()"
            }
        };
        let has_table: i64 = sqlx::query_scalar(table_sql).fetch_one(&self.read).await.map_err(db_err)?;
        // A database never migrated has no bookkeeping table: everything is pending.
        let applied: Vec<i64> = if has_table == 0 {
            Vec::new()
        } else {
            sqlx::query_scalar("SELECT version FROM _sqlx_migrations").fetch_all(&self.read).await.map_err(db_err)?
        };
        Ok(migrations::migrator(self.backend).iter().map(|m| m.version).filter(|v| !applied.contains(v)).collect())
    }
}
