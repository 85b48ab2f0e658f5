//! Group commit for SQLite's one writer.
//!
//! SQLite makes a commit durable with an fsync of its write-ahead log, and one writer commits
//! at a time: one fsync per transaction caps a busy desk at the disk's fsync rate, and loses
//! most when neighbours on a shared machine keep the disk busy. Here transactions that queue
//! for the writer share one real transaction. Each runs inside its own savepoint, so it rolls
//! back alone; its commit releases the savepoint into the batch, and the real `COMMIT` runs
//! when no other transaction is waiting for the writer (or the batch is full). A caller is told
//! "committed" only after the `COMMIT` that covers its changes has returned, so an acknowledged
//! change is durable, and a failed `COMMIT` fails every transaction of its batch.
//!
//! Each statement is a hand-over to the connection's own thread, and while a transaction holds
//! the writer nobody else writes, so a transaction costs as few of them as it can: its
//! `SAVEPOINT` (and the batch's `BEGIN IMMEDIATE`) are owed until its first statement and may
//! be sent with it, and the last transaction of a batch releases and commits in one call.
//! Every earlier savepoint of the batch has been released, so if an owed savepoint never ran,
//! rolling back to it fails (there is no other savepoint of that name), and the whole batch
//! fails with nobody told "committed".
//!
//! Inside a batch the writer sees the batch's changes and readers do not until the commit, the
//! same as for one transaction that has not committed yet.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyConnection, AnyPool, Executor as _};
use tokio::sync::{Mutex, OwnedMutexGuard, oneshot};

/// Transactions in one batch at most, so the first of a long queue waits a bounded time.
const MAX_BATCH: usize = 64;

/// How long a transaction waiting for its batch's commit lets others run before it commits
/// the batch itself (when those that were queued went away).
const FLUSH_AFTER: Duration = Duration::from_millis(20);

pub(crate) struct GroupCommit {
    pool: AnyPool,
    writer: Arc<Mutex<Writer>>,
    /// Transactions queued for the writer.
    waiting: AtomicUsize,
}

#[derive(Default)]
struct Writer {
    /// The writer connection while a batch is open (it goes back to the pool between batches,
    /// so that the job queue's own short transactions can run).
    conn: Option<PoolConnection<Any>>,
    /// Whether `BEGIN IMMEDIATE` has run on `conn`.
    begun: bool,
    /// Transactions committed into the open batch, waiting for its commit.
    batch: Vec<oneshot::Sender<Result<(), String>>>,
    /// A transaction was dropped without committing after it ran statements: its savepoint is
    /// still open.
    abandoned: bool,
    /// The dossier numbers this batch has reached.
    numbering: Numbering,
}

/// The last dossier id and each agency's last code number of a day, as the open batch's own
/// statements left them, so that the next intake in the batch takes the following ones
/// without a call to the connection.
///
/// Nobody else writes while the batch holds `BEGIN IMMEDIATE`, and the batch's transactions
/// run one after the other; what is here stays true as long as every statement since was a
/// dossier write that keeps it up to date. So it is forgotten when a new batch starts, when any
/// other statement runs ([`GroupedTx::forget_numbering`]), and when a transaction rolls back
/// (its numbers must be given again, or a code would be skipped).
#[derive(Default)]
pub(crate) struct Numbering {
    last_id: Option<i64>,
    last_code: HashMap<(i64, String), u32>,
}

impl Numbering {
    /// The next id and, for `code_of`, the next code number, if both are known; they count as
    /// taken from here on.
    pub(crate) fn take_next(&mut self, code_of: Option<(i64, &str)>) -> Option<(i64, Option<u32>)> {
        let id = self.last_id? + 1;
        let number = match code_of {
            Some((agency, day)) => {
                let last = self.last_code.get_mut(&(agency, day.to_owned()))?;
                *last += 1;
                Some(*last)
            }
            None => None,
        };
        self.last_id = Some(id);
        Some((id, number))
    }

    /// Notes what the database gave a transaction of the batch.
    pub(crate) fn note(&mut self, id: i64, code: Option<(i64, &str, u32)>) {
        self.last_id = Some(id);
        if let Some((agency, day, number)) = code {
            self.last_code.insert((agency, day.to_owned()), number);
        }
    }

    fn forget(&mut self) {
        self.last_id = None;
        self.last_code.clear();
    }
}

/// Counts a caller as queued while it waits for the writer (also when it is cancelled).
struct Queued<'a>(&'a AtomicUsize);

impl<'a> Queued<'a> {
    fn new(n: &'a AtomicUsize) -> Self {
        n.fetch_add(1, Ordering::SeqCst);
        Self(n)
    }
}

impl Drop for Queued<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Writer {
    fn conn(&mut self) -> &mut AnyConnection {
        self.conn.as_mut().expect("a batch is open")
    }

    /// Rolls back what an abandoned transaction left.
    async fn clean_up(&mut self) -> Result<(), sqlx::Error> {
        if std::mem::take(&mut self.abandoned)
            && let Some(c) = self.conn.as_mut()
        {
            c.execute("ROLLBACK TO tx; RELEASE tx").await?;
        }
        Ok(())
    }

    /// Commits the open batch with `commit` (`COMMIT`, possibly after the release of the last
    /// savepoint) and tells its transactions how it went.
    async fn flush(&mut self, commit: &'static str) {
        let Some(c) = self.conn.as_mut() else { return };
        match c.execute(commit).await {
            Ok(_) => self.committed(),
            Err(e) => fail_batch_with(self, e.to_string()).await,
        }
    }

    /// The open batch has committed: tells its transactions.
    fn committed(&mut self) {
        self.conn = None;
        self.begun = false;
        for waiter in self.batch.drain(..) {
            let _ = waiter.send(Ok(()));
        }
    }

    /// Whether the transaction about to commit ends the batch: nobody else waits for the
    /// writer, or the batch is full.
    fn ends_batch(&self, queued: usize) -> bool {
        queued == 0 || self.batch.len() + 1 >= MAX_BATCH
    }

    /// Ends the open batch when nobody else will: commits what it holds, or closes it empty.
    async fn settle(&mut self, queued: usize) {
        if queued > 0 {
            return;
        }
        if self.batch.is_empty() {
            if let Some(mut c) = self.conn.take()
                && std::mem::take(&mut self.begun)
            {
                let _ = c.execute("ROLLBACK").await;
            }
        } else {
            self.flush("COMMIT").await;
        }
    }
}

impl std::fmt::Debug for GroupCommit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GroupCommit").field("waiting", &self.waiting.load(Ordering::Relaxed)).finish_non_exhaustive()
    }
}

impl GroupCommit {
    pub(crate) fn new(pool: AnyPool) -> Arc<Self> {
        Arc::new(Self { pool, writer: Arc::default(), waiting: AtomicUsize::new(0) })
    }

    /// Opens a transaction: a savepoint in the open batch, or in a new one. Nothing is sent
    /// yet; the savepoint goes with the transaction's first statement.
    pub(crate) async fn begin(self: &Arc<Self>) -> Result<GroupedTx, sqlx::Error> {
        let queued = Queued::new(&self.waiting);
        let mut w = self.writer.clone().lock_owned().await;
        drop(queued);
        if let Err(e) = w.clean_up().await {
            fail_batch(&mut w).await;
            return Err(e);
        }
        if w.conn.is_none() {
            w.numbering.forget();
            w.conn = Some(self.pool.acquire().await?);
        }
        let owed = if w.begun { "SAVEPOINT tx" } else { "BEGIN IMMEDIATE; SAVEPOINT tx" };
        Ok(GroupedTx { writer: Some(w), group: self.clone(), owed: Some(owed), released: false })
    }
}

/// Why [`GroupedTx::commit_after`] failed.
pub(crate) enum CommitError {
    /// The last statement failed (a constraint, say): nothing of the transaction remains.
    Statement(sqlx::Error),
    /// The batch's commit failed.
    Commit(String),
}

/// Rolls the open batch back after the connection failed under it: nobody in it was told
/// "committed" yet, and each of them gets the error.
async fn fail_batch(w: &mut Writer) {
    fail_batch_with(w, "the write batch was rolled back".into()).await;
}

async fn fail_batch_with(w: &mut Writer, why: String) {
    if let Some(mut c) = w.conn.take() {
        let _ = c.execute("ROLLBACK").await;
    }
    w.begun = false;
    w.abandoned = false;
    for waiter in w.batch.drain(..) {
        let _ = waiter.send(Err(why.clone()));
    }
}

/// One transaction of a batch. Dropping it without [`GroupedTx::commit`] rolls back its
/// savepoint only.
pub(crate) struct GroupedTx {
    writer: Option<OwnedMutexGuard<Writer>>,
    group: Arc<GroupCommit>,
    /// What must run before this transaction's first statement (its savepoint, and the
    /// batch's `BEGIN IMMEDIATE` when it opens the batch); `None` once sent.
    owed: Option<&'static str>,
    /// The transaction's savepoint is closed: its last statement released it, or it was
    /// rolled back after that statement failed.
    released: bool,
}

impl GroupedTx {
    fn writer(&mut self) -> &mut Writer {
        self.writer.as_mut().expect("open transaction")
    }

    /// The connection for any statement of the transaction: the numbering is forgotten first
    /// (the statement may write dossiers or code counters in a way it does not follow) and what
    /// the transaction owes is sent. Besides [`GroupedTx::fetch_owed`] and the dossier methods
    /// below, the only way to the connection.
    pub(crate) async fn conn(&mut self) -> Result<&mut AnyConnection, sqlx::Error> {
        self.writer().numbering.forget();
        self.settle_owed().await?;
        Ok(self.writer().conn())
    }

    /// Runs `sql` with what the transaction owes in front of it, in one call. With `forget`,
    /// the numbering is forgotten as by [`GroupedTx::conn`]; without, only for the dossier
    /// reservation, whose statement moves it by exactly what it returns (and the caller notes
    /// that with [`GroupedTx::note_dossier_numbers`]).
    pub(crate) async fn fetch_owed(
        &mut self,
        sql: &str,
        bind: impl FnOnce(
            sqlx::query::Query<'static, Any, sqlx::any::AnyArguments>,
        ) -> sqlx::query::Query<'static, Any, sqlx::any::AnyArguments>,
        forget: bool,
    ) -> Result<Vec<sqlx::any::AnyRow>, sqlx::Error> {
        if forget {
            self.writer().numbering.forget();
        }
        let q = match self.take_owed() {
            Some(owed) => sqlx::query(sqlx::AssertSqlSafe(format!("{owed}; {sql}"))),
            None => sqlx::query(sqlx::AssertSqlSafe(sql.to_owned())),
        };
        bind(q).fetch_all(self.writer().conn()).await
    }

    /// The next dossier id and code number from the batch's numbering, when it knows them (an
    /// intake that follows another in the batch); they count as taken from here on.
    pub(crate) fn take_dossier_numbers(&mut self, code_of: Option<(i64, &str)>) -> Option<(i64, Option<u32>)> {
        self.writer().numbering.take_next(code_of)
    }

    /// Notes what the reservation statement gave, for the next intake of the batch.
    pub(crate) fn note_dossier_numbers(&mut self, id: i64, code: Option<(i64, &str, u32)>) {
        self.writer().numbering.note(id, code);
    }

    /// Whether the batch's numbering knows where ids stand (for tests).
    #[cfg(test)]
    pub(crate) fn knows_numbering(&mut self) -> bool {
        self.writer().numbering.last_id.is_some()
    }

    /// The statements owed before this transaction's first one, to send in front of it in the
    /// same call; from here on the transaction counts as having run statements.
    fn take_owed(&mut self) -> Option<&'static str> {
        let owed = self.owed.take()?;
        self.writer().begun = true;
        Some(owed)
    }

    /// Sends what is owed on its own, before a statement that cannot carry it.
    async fn settle_owed(&mut self) -> Result<(), sqlx::Error> {
        let Some(owed) = self.take_owed() else { return Ok(()) };
        if let Err(e) = self.writer().conn().execute(owed).await {
            // Whether the savepoint exists is unknown: end the batch, nobody was acknowledged.
            fail_batch(self.writer()).await;
            return Err(e);
        }
        Ok(())
    }

    /// Runs the transaction's last statement and commits: `last(owed, ends)` builds it, its
    /// text starting with `owed` (the savepoint, when no statement ran yet: an intake whose
    /// numbers came from the batch's numbering) and ending with `RELEASE tx`, or with
    /// `RELEASE tx; COMMIT` when `ends` (the batch ends with this transaction), so that a lone
    /// transaction commits in the same call. Both run in a task of their own, so a caller that
    /// goes away cannot leave the statement half done with its savepoint released. If the call
    /// fails, its savepoint tells where: still there, the statement failed before the release
    /// and only this transaction is rolled back; gone, the commit failed and the whole batch is.
    pub(crate) async fn commit_after<F>(mut self, last: F) -> Result<(), CommitError>
    where
        F: FnOnce(Option<&'static str>, bool) -> sqlx::query::Query<'static, Any, sqlx::any::AnyArguments>
            + Send
            + 'static,
    {
        let task = tokio::spawn(async move {
            // If the owed savepoint fails, rolling back to it fails too, which fails the batch
            // (see the module's notes).
            let owed = self.take_owed();
            let queued = self.group.waiting.load(Ordering::SeqCst);
            let ends = self.writer().ends_batch(queued);
            let outcome = last(owed, ends).execute(self.writer().conn()).await;
            match (outcome, ends) {
                (Ok(_), false) => {
                    self.released = true;
                    self.commit().await.map_err(CommitError::Commit)
                }
                (Ok(_), true) => {
                    self.released = true;
                    self.writer.take().expect("open transaction").committed();
                    Ok(())
                }
                (Err(e), false) => Err(CommitError::Statement(e)),
                (Err(e), true) => {
                    let rolled_back = self.writer().conn().execute("ROLLBACK TO tx; RELEASE tx").await.is_ok();
                    self.released = true;
                    if rolled_back {
                        // The statement failed; the batch goes on without this transaction.
                        Err(CommitError::Statement(e))
                    } else {
                        fail_batch_with(self.writer(), e.to_string()).await;
                        Err(CommitError::Commit(e.to_string()))
                    }
                }
            }
        });
        task.await.map_err(|e| CommitError::Commit(e.to_string()))?
    }

    pub(crate) async fn commit(mut self) -> Result<(), String> {
        let mut w = self.writer.take().expect("open transaction");
        // A transaction that ran nothing has no savepoint; it still waits for the open batch.
        let ran_nothing = self.owed.take().is_some();
        let savepoint_open = !ran_nothing && !self.released;
        if ran_nothing && !w.begun {
            // Nothing ran and no batch is open: there is nothing to commit or to wait for.
            w.conn = None;
            return Ok(());
        }
        let (done, mut outcome) = oneshot::channel();
        w.batch.push(done);
        if w.ends_batch(self.group.waiting.load(Ordering::SeqCst)) {
            // The batch ends with this transaction: release and commit in one call. Either
            // failing fails the whole batch, as a failed commit does.
            w.flush(if savepoint_open { "RELEASE tx; COMMIT" } else { "COMMIT" }).await;
            return outcome.try_recv().unwrap_or_else(|_| Err("the write batch was dropped".into()));
        }
        if savepoint_open && let Err(e) = w.conn().execute("RELEASE tx").await {
            w.batch.pop();
            w.abandoned = true;
            w.numbering.forget();
            return Err(e.to_string());
        }
        drop(w);
        // Wait in a task of its own: if this caller goes away, the batch still gets committed.
        let group = self.group.clone();
        let wait = tokio::spawn(async move {
            let mut outcome = outcome;
            loop {
                match tokio::time::timeout(FLUSH_AFTER, &mut outcome).await {
                    Ok(r) => return r.unwrap_or_else(|_| Err("the write batch was dropped".into())),
                    Err(_) => {
                        let mut w = group.writer.clone().lock_owned().await;
                        let queued = group.waiting.load(Ordering::SeqCst);
                        if w.clean_up().await.is_err() {
                            fail_batch(&mut w).await;
                        }
                        w.settle(queued).await;
                    }
                }
            }
        });
        wait.await.map_err(|e| e.to_string())?
    }
}

impl Drop for GroupedTx {
    fn drop(&mut self) {
        let Some(mut w) = self.writer.take() else { return };
        w.abandoned = self.owed.is_none() && !self.released;
        // Numbers it took are free again.
        w.numbering.forget();
        drop(w);
        // The next transaction rolls the savepoint back before it starts; if none is queued,
        // this task does, and ends the batch.
        let group = self.group.clone();
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            rt.spawn(async move {
                let mut w = group.writer.clone().lock_owned().await;
                let queued = group.waiting.load(Ordering::SeqCst);
                if w.clean_up().await.is_err() {
                    fail_batch(&mut w).await;
                }
                w.settle(queued).await;
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Db, DbOptions};

    struct Fixture {
        db: Db,
        group: Arc<GroupCommit>,
        dir: std::path::PathBuf,
    }

    impl Drop for Fixture {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }

    async fn fixture(name: &str) -> Fixture {
        let dir = std::env::temp_dir().join(format!("motcua-group-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let db = Db::connect(&format!("sqlite://{}", dir.join("t.db").display()), &DbOptions::default()).await.unwrap();
        sqlx::query("CREATE TABLE t (k TEXT PRIMARY KEY)").execute(&db.write).await.unwrap();
        let group = db.group.clone().unwrap();
        Fixture { db, group, dir }
    }

    impl Fixture {
        async fn keys(&self) -> String {
            sqlx::query_scalar::<_, String>(
                "SELECT COALESCE(group_concat(k, ','), '') FROM (SELECT k FROM t ORDER BY k)",
            )
            .fetch_one(&self.db.read)
            .await
            .unwrap()
        }

        /// A transaction that has inserted `k`.
        async fn wrote(&self, k: &str) -> GroupedTx {
            let mut tx = self.group.begin().await.unwrap();
            sqlx::query("INSERT INTO t (k) VALUES ($1)")
                .bind(k.to_owned())
                .execute(tx.conn().await.unwrap())
                .await
                .unwrap();
            tx
        }

        /// A transaction that wrote `k` and went into the open batch (someone waited), and the
        /// one that waited, now holding the writer.
        async fn batched_then_next(&self, k: &str) -> (tokio::task::JoinHandle<Result<(), String>>, GroupedTx) {
            let first = self.wrote(k).await;
            let next = self.queue_one().await;
            let first = committing(first);
            (first, next.await.unwrap())
        }

        /// Starts a transaction that waits for the writer, and returns once it is queued.
        async fn queue_one(&self) -> tokio::task::JoinHandle<GroupedTx> {
            let group = self.group.clone();
            let before = self.group.waiting.load(Ordering::SeqCst);
            let queued = tokio::spawn(async move { group.begin().await.unwrap() });
            while self.group.waiting.load(Ordering::SeqCst) == before {
                tokio::task::yield_now().await;
            }
            queued
        }
    }

    /// The final write: inserts `k` and releases (and commits, when the batch ends).
    fn last_insert(
        k: &'static str,
    ) -> impl FnOnce(Option<&'static str>, bool) -> sqlx::query::Query<'static, Any, sqlx::any::AnyArguments> {
        move |owed, ends| {
            let head = owed.map(|o| format!("{o}; ")).unwrap_or_default();
            let tail = if ends { "RELEASE tx; COMMIT" } else { "RELEASE tx" };
            sqlx::query(sqlx::AssertSqlSafe(format!("{head}INSERT INTO t (k) VALUES ($1); {tail}"))).bind(k)
        }
    }

    /// Waits, in a task, for a transaction's commit.
    fn committing(tx: GroupedTx) -> tokio::task::JoinHandle<Result<(), String>> {
        tokio::spawn(tx.commit())
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_lone_final_write_commits_in_its_call_with_the_batch_before_it() {
        let f = fixture("lone-ok").await;
        // `a` goes into the batch (someone waits), then `b` is alone and ends the batch.
        let (a, b) = f.batched_then_next("a").await;
        b.commit_after(last_insert("b")).await.ok().unwrap();
        a.await.unwrap().unwrap();
        assert_eq!(f.keys().await, "a,b");
        // The writer is free: a new batch starts and commits.
        let c = f.wrote("c").await;
        c.commit().await.unwrap();
        assert_eq!(f.keys().await, "a,b,c");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_failing_final_write_that_would_end_the_batch_rolls_back_alone() {
        let f = fixture("lone-fail").await;
        let (a, mut b) = f.batched_then_next("a").await;
        sqlx::query("INSERT INTO t (k) VALUES ('b')").execute(b.conn().await.unwrap()).await.unwrap();
        // Its last statement repeats a key: `b` fails, `a` is committed all the same.
        match b.commit_after(last_insert("a")).await {
            Err(CommitError::Statement(_)) => {}
            Err(CommitError::Commit(e)) => panic!("the batch failed: {e}"),
            Ok(()) => panic!("a duplicate key was written"),
        }
        a.await.unwrap().unwrap();
        assert_eq!(f.keys().await, "a");
        let c = f.wrote("c").await;
        c.commit_after(last_insert("d")).await.ok().unwrap();
        assert_eq!(f.keys().await, "a,c,d");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_final_write_that_is_the_first_statement_carries_the_savepoint() {
        let f = fixture("owed").await;
        // A new batch: `BEGIN IMMEDIATE; SAVEPOINT tx` go in the same call.
        let x = f.group.begin().await.unwrap();
        x.commit_after(last_insert("x")).await.ok().unwrap();
        assert_eq!(f.keys().await, "x");
        // An open batch: the savepoint goes with it; a failing one rolls back alone.
        let (a, b) = f.batched_then_next("a").await;
        assert!(matches!(b.commit_after(last_insert("x")).await, Err(CommitError::Statement(_))));
        a.await.unwrap().unwrap();
        let c = f.group.begin().await.unwrap();
        c.commit_after(last_insert("c")).await.ok().unwrap();
        assert_eq!(f.keys().await, "a,c,x");
    }

    #[test]
    fn numbering_continues_only_what_it_knows() {
        let mut n = Numbering::default();
        assert_eq!(n.take_next(None), None, "no id known yet");
        n.note(7, Some((1, "2026-11-24", 3)));
        assert_eq!(n.take_next(Some((1, "2026-11-24"))), Some((8, Some(4))));
        assert_eq!(n.take_next(None), Some((9, None)));
        // Another agency, or another day, is not known: nothing is taken.
        assert_eq!(n.take_next(Some((2, "2026-11-24"))), None);
        assert_eq!(n.take_next(Some((1, "2026-11-25"))), None);
        assert_eq!(n.take_next(Some((1, "2026-11-24"))), Some((10, Some(5))));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_numbering_is_forgotten_when_a_transaction_rolls_back_or_a_batch_ends() {
        let f = fixture("numbering").await;
        let code = Some((1, "2026-11-24"));
        let mut a = f.wrote("a").await;
        a.note_dossier_numbers(7, Some((1, "2026-11-24", 3)));
        let b = f.queue_one().await;
        let a = committing(a);
        let mut b = b.await.unwrap();
        // `a`'s numbers are in the batch: `b` continues them, then rolls back.
        assert_eq!(b.take_dossier_numbers(code), Some((8, Some(4))));
        let c = f.queue_one().await;
        drop(b);
        // `b`'s numbers must be given again, which only the database can tell.
        let mut c = c.await.unwrap();
        assert_eq!(c.take_dossier_numbers(code), None);
        c.note_dossier_numbers(8, Some((1, "2026-11-24", 4)));
        let d = f.queue_one().await;
        let c = committing(c);
        let mut d = d.await.unwrap();
        assert_eq!(d.take_dossier_numbers(code), Some((9, Some(5))));
        // Any other statement may have written dossiers: the only way to the connection
        // forgets the numbering.
        sqlx::query("SELECT 1").execute(d.conn().await.unwrap()).await.unwrap();
        assert!(!d.knows_numbering());
        assert_eq!(d.take_dossier_numbers(code), None);
        d.note_dossier_numbers(9, Some((1, "2026-11-24", 5)));
        // So does a statement sent with what the transaction owes, unless it is the
        // reservation's.
        d.fetch_owed("SELECT 1", |q| q, false).await.unwrap();
        assert!(d.knows_numbering());
        d.fetch_owed("SELECT 1", |q| q, true).await.unwrap();
        assert!(!d.knows_numbering());
        d.note_dossier_numbers(9, Some((1, "2026-11-24", 5)));
        d.commit().await.unwrap();
        a.await.unwrap().unwrap();
        c.await.unwrap().unwrap();
        // A new batch starts with nothing known: another process may have written in between.
        let mut e = f.group.begin().await.unwrap();
        assert_eq!(e.take_dossier_numbers(code), None);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_failing_final_write_inside_a_batch_rolls_back_alone() {
        let f = fixture("batch-fail").await;
        let (a, b) = f.batched_then_next("a").await;
        // Someone waits behind `b`: its final write does not end the batch.
        let c = f.queue_one().await;
        assert!(matches!(b.commit_after(last_insert("a")).await, Err(CommitError::Statement(_))));
        let c = c.await.unwrap();
        c.commit_after(last_insert("c")).await.ok().unwrap();
        a.await.unwrap().unwrap();
        assert_eq!(f.keys().await, "a,c");
    }
}
