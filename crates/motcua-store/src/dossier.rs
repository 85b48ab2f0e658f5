//! Dossiers: the append-only events, the queryable row, the code counters.

use async_trait::async_trait;
use jiff::civil::Date;
use motcua_app::StoreError;
use motcua_app::ports::{
    DossierBatch, DossierQuery, DossierReads, DossierRow, DossierWrites, LockedEvents, Queue, Reach, StoreResult,
    TxnUse,
};
use motcua_domain::account::UserId;
use motcua_domain::agency::AgencyId;
use motcua_domain::catalog::Channel;
use motcua_domain::dossier::chain::{StoredEvent, VerifiedHead};
use motcua_domain::dossier::{DossierCode, DossierEvent};
use motcua_domain::report::full_online::Shortfalls;
use motcua_domain::report::rollup::COUNTER_COLUMNS;
use motcua_domain::report::{Counters, DossierFacts, Grain, Outcome, RollupDelta};
use sqlx::AssertSqlSafe;
use sqlx::any::AnyRow;
use std::collections::BTreeMap;

use crate::Backend;
use crate::Db;
use crate::convert::{RowExt, db_err, opt_us, us};
use crate::group_commit::CommitError;
use crate::sql::{Arg, SqlBuilder};
use crate::tx::{Conn, DbTx};

pub(crate) fn row_from(r: &AnyRow) -> StoreResult<DossierRow> {
    Ok(DossierRow {
        id: r.i64("id")?,
        code: r.opt_text("code")?,
        status: u8::try_from(r.i64("status")?).map_err(StoreError::backend)?,
        channel: r.text("channel")?,
        procedure_id: r.i64("procedure_id")?,
        procedure_code: r.text("procedure_code")?,
        procedure_name: r.text("procedure_name")?,
        receiving_agency_id: AgencyId(r.i64("receiving_agency_id")?),
        resolving_agency_id: r.opt_i64("resolving_agency_id")?.map(AgencyId),
        current_agency_id: AgencyId(r.i64("current_agency_id")?),
        current_permission: r.opt_text("current_permission")?,
        step_name: r.opt_text("step_name")?,
        assignee_id: r.opt_i64("assignee_id")?.map(UserId),
        applicant_name: r.text("applicant_name")?,
        applicant_fold: r.text("applicant_fold")?,
        applicant_id_number: r.opt_text("applicant_id_number")?,
        submitted_at: r.ts("submitted_at")?,
        portal_code: r.opt_text("portal_code")?,
        reception_due_at: r.opt_ts("reception_due_at")?,
        received_at: r.opt_ts("received_at")?,
        due_at: r.opt_ts("due_at")?,
        appointment_at: r.opt_ts("appointment_at")?,
        step_due_at: r.opt_ts("step_due_at")?,
        paused: r.flag("paused")?,
        late_by_rule: r.flag("late_by_rule")?,
        resolved_at: r.opt_ts("resolved_at")?,
        returned_at: r.opt_ts("returned_at")?,
        last_seq: r.i64("last_seq")?,
        updated_at: r.ts("updated_at")?,
        facts: facts_from(r)?,
    })
}

fn facts_from(r: &AnyRow) -> StoreResult<DossierFacts> {
    let channel = r.text("channel")?;
    let outcome = match r.opt_text("outcome")? {
        Some(o) => Some(Outcome::parse(&o).ok_or_else(|| StoreError::Backend(format!("dossiers.outcome: {o}")))?),
        None => None,
    };
    let receiving = AgencyId(r.i64("receiving_agency_id")?);
    Ok(DossierFacts {
        agency: r.opt_i64("counted_agency_id")?.map_or(receiving, AgencyId),
        receiving,
        procedure_id: r.i64("procedure_id")?,
        channel: Channel::parse(&channel).ok_or_else(|| StoreError::Backend(format!("dossiers.channel: {channel}")))?,
        received_at: r.opt_ts("received_at")?,
        refused_at: r.opt_ts("refused_at")?,
        due_at: r.opt_ts("due_at")?,
        ended: outcome.zip(r.opt_ts("ended_at")?),
        overdue_from: r.opt_ts("overdue_from")?,
        supplement_at: r.opt_ts("supplement_at")?,
        returned_at: r.opt_ts("returned_at")?,
        processing_minutes: r.opt_i64("processing_minutes")?,
        full_online: r
            .opt_i64("full_online_shortfalls")?
            .map(|b| Shortfalls::from_bits(u8::try_from(b).unwrap_or(u8::MAX))),
    })
}

/// An event row exactly as stored (the columns of `dossier_events`).
pub(crate) fn stored_from(r: &AnyRow) -> StoreResult<StoredEvent> {
    Ok(StoredEvent {
        dossier_id: r.i64("dossier_id")?,
        seq: r.i64("seq")?,
        at: r.ts("at")?,
        kind: r.text("kind")?,
        actor_user_id: r.opt_i64("actor_user_id")?,
        actor_json: r.text("actor")?,
        body_json: r.text("body")?,
        reason: r.opt_text("reason")?,
        client_txn_id: r.opt_text("client_txn_id")?,
        prev_hash: r.text("prev_hash")?,
        hash: r.text("hash")?,
    })
}

fn event_from(r: &AnyRow) -> StoreResult<DossierEvent> {
    stored_from(r)?.parse().map_err(|e| StoreError::Backend(format!("dossier_events: {e}")))
}

/// Takes the next number of an agency's codes on a day (`$1`, `$2`), locking its counter row.
const COUNTER_UPSERT: &str = "INSERT INTO dossier_code_counters (agency_id, day, last_value) VALUES ($1, $2, 1) \
     ON CONFLICT (agency_id, day) DO UPDATE SET last_value = dossier_code_counters.last_value + 1";

const EVENTS_SQL: &str = "SELECT * FROM dossier_events WHERE dossier_id = $1 ORDER BY seq";

const LOCKED_EVENTS_SQL: &str = "SELECT e.*, h.seq AS v_seq, h.hash AS v_hash FROM dossier_events e \
     LEFT JOIN integrity_heads h ON h.dossier_id = e.dossier_id WHERE e.dossier_id = $1 ORDER BY e.seq";

/// `(column in one of the subtrees OR column = one of the agencies)`.
pub(crate) fn push_reach(b: &mut SqlBuilder, column: &str, reach: &Reach) {
    b.push("(");
    b.push_subtrees(column, &reach.subtrees);
    for a in &reach.agencies {
        b.push(" OR ").push(column).push(" = ").bind(a.as_str());
    }
    b.push(")");
}

/// The WHERE clause of a list query (after `FROM dossiers d`).
fn push_filters(b: &mut SqlBuilder, q: &DossierQuery) {
    b.push(
        " WHERE EXISTS (SELECT 1 FROM dossier_agencies da JOIN agencies a ON a.id = da.agency_id \
         WHERE da.dossier_id = d.id AND ",
    );
    push_reach(b, "a.path", &q.view_scopes);
    b.push(")");
    match q.queue {
        Queue::All => {}
        Queue::ToProcess => {
            b.push(" AND d.status IN (1, 2, 4, 7, 9) AND EXISTS (SELECT 1 FROM agencies ca WHERE ca.id = d.current_agency_id AND (");
            if q.act_scopes.is_empty() {
                b.push("1 = 0");
            }
            for (i, (perm, scopes)) in q.act_scopes.iter().enumerate() {
                if i > 0 {
                    b.push(" OR ");
                }
                b.push("(d.current_permission = ").bind(perm.as_str()).push(" AND ");
                push_reach(b, "ca.path", scopes);
                b.push(")");
            }
            b.push("))");
        }
        Queue::Mine => {
            b.push(" AND d.status IN (2, 4, 9) AND d.assignee_id = ").bind(q.viewer.map_or(0, |u| u.0));
        }
        Queue::WaitingApplicant => {
            b.push(" AND d.status IN (5, 6)");
        }
        Queue::Corrections => {
            // The last correction request without a decision after it, on a dossier whose
            // resolving agency is where the viewer decides.
            b.push(
                " AND EXISTS (SELECT 1 FROM dossier_events ce WHERE ce.dossier_id = d.id \
                 AND ce.kind = 'correction_requested' AND NOT EXISTS (SELECT 1 FROM dossier_events cd \
                 WHERE cd.dossier_id = d.id AND cd.kind = 'correction_decided' AND cd.seq > ce.seq)) \
                 AND EXISTS (SELECT 1 FROM agencies ra WHERE ra.id = COALESCE(d.resolving_agency_id, d.receiving_agency_id) AND (",
            );
            match q.act_scopes.first() {
                Some((_, reach)) => push_reach(b, "ra.path", reach),
                None => {
                    b.push("1 = 0");
                }
            }
            b.push("))");
        }
        Queue::Consultations => {
            // Pending dossiers with a consultation, within the viewer's reach (which includes the
            // consulted agencies through `dossier_agencies`); answered ones are not yet told apart.
            b.push(
                " AND d.status IN (2, 4, 5, 6) AND EXISTS (SELECT 1 FROM dossier_events ce WHERE ce.dossier_id = d.id \
                 AND ce.kind = 'consultation_requested')",
            );
        }
    }
    if !q.statuses.is_empty() {
        b.push(" AND d.status IN (");
        for (i, s) in q.statuses.iter().enumerate() {
            if i > 0 {
                b.push(", ");
            }
            b.bind(i64::from(*s));
        }
        b.push(")");
    }
    if let Some(p) = &q.procedure_code {
        b.push(" AND d.procedure_code = ").bind(p.clone());
    }
    if let Some(c) = &q.channel {
        b.push(" AND d.channel = ").bind(c.clone());
    }
    if let Some(a) = q.receiving_agency_id {
        b.push(" AND d.receiving_agency_id = ").bind(a.0);
    }
    if let Some(t) = q.received_from {
        b.push(" AND d.received_at >= ").bind(us(t));
    }
    if let Some(t) = q.received_until {
        b.push(" AND d.received_at < ").bind(us(t));
    }
    if let Some(t) = q.due_before {
        b.push(" AND d.due_at IS NOT NULL AND d.due_at <= ").bind(us(t));
    }
    if let Some(c) = &q.code {
        b.push(" AND (d.code = ").bind(c.clone()).push(" OR d.portal_code = ").bind(c.clone()).push(")");
    }
    if let Some(n) = &q.id_number {
        b.push(" AND d.applicant_id_number = ").bind(n.clone());
    }
    if let Some(f) = &q.name_fold {
        b.push_contains("d.applicant_fold", f);
    }
}

#[async_trait]
impl DossierReads for Db {
    async fn dossier_id_by_code(&self, code: &str) -> StoreResult<Option<i64>> {
        sqlx::query_scalar("SELECT id FROM dossiers WHERE code = $1")
            .bind(code.to_owned())
            .fetch_optional(self.read_pool())
            .await
            .map_err(db_err)
    }

    async fn dossier_id_by_portal_code(&self, portal_code: &str) -> StoreResult<Option<i64>> {
        sqlx::query_scalar("SELECT id FROM dossiers WHERE portal_code = $1")
            .bind(portal_code.to_owned())
            .fetch_optional(self.read_pool())
            .await
            .map_err(db_err)
    }

    async fn dossier_row(&self, id: i64) -> StoreResult<Option<DossierRow>> {
        sqlx::query("SELECT * FROM dossiers WHERE id = $1")
            .bind(id)
            .fetch_optional(self.read_pool())
            .await
            .map_err(db_err)?
            .map(|r| row_from(&r))
            .transpose()
    }

    async fn dossier_events(&self, id: i64) -> StoreResult<Vec<DossierEvent>> {
        sqlx::query(EVENTS_SQL)
            .bind(id)
            .fetch_all(self.read_pool())
            .await
            .map_err(db_err)?
            .iter()
            .map(event_from)
            .collect()
    }

    async fn dossier_history_by_code(&self, code: &DossierCode) -> StoreResult<Option<(i64, Vec<DossierEvent>)>> {
        let rows = sqlx::query(
            "SELECT * FROM dossier_events WHERE dossier_id = (SELECT id FROM dossiers WHERE code = $1) ORDER BY seq",
        )
        .bind(code.to_string())
        .fetch_all(self.read_pool())
        .await
        .map_err(db_err)?;
        let Some(first) = rows.first() else { return Ok(None) };
        let id = first.i64("dossier_id")?;
        Ok(Some((id, rows.iter().map(event_from).collect::<StoreResult<_>>()?)))
    }

    async fn dossier_agency_ids(&self, id: i64) -> StoreResult<Vec<AgencyId>> {
        let ids: Vec<i64> =
            sqlx::query_scalar("SELECT agency_id FROM dossier_agencies WHERE dossier_id = $1 ORDER BY agency_id")
                .bind(id)
                .fetch_all(self.read_pool())
                .await
                .map_err(db_err)?;
        Ok(ids.into_iter().map(AgencyId).collect())
    }

    async fn client_txn_use(&self, client_txn_id: &str) -> StoreResult<Option<TxnUse>> {
        let row = sqlx::query("SELECT dossier_id, actor_user_id, seq FROM dossier_events WHERE client_txn_id = $1")
            .bind(client_txn_id.to_owned())
            .fetch_optional(self.read_pool())
            .await
            .map_err(db_err)?;
        row.map(|r| {
            Ok(TxnUse {
                dossier_id: r.i64("dossier_id")?,
                actor_user_id: r.opt_i64("actor_user_id")?.map(UserId),
                seq: r.i64("seq")?,
            })
        })
        .transpose()
    }

    async fn dossiers(&self, q: &DossierQuery) -> StoreResult<Vec<DossierRow>> {
        let mut b = SqlBuilder::new("SELECT d.* FROM dossiers d");
        push_filters(&mut b, q);
        if let Some(id) = q.before_id {
            b.push(" AND d.id < ").bind(id);
        }
        b.push(" ORDER BY d.id DESC LIMIT ").bind(q.limit.clamp(1, 500));
        b.build().fetch_all(self.read_pool()).await.map_err(db_err)?.iter().map(row_from).collect()
    }

    async fn has_dossiers(&self) -> StoreResult<bool> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM (SELECT 1 FROM dossiers LIMIT 1) x")
            .fetch_one(self.read_pool())
            .await
            .map_err(db_err)?;
        Ok(n > 0)
    }

    async fn count_dossiers(&self, q: &DossierQuery) -> StoreResult<i64> {
        let mut b = SqlBuilder::new("SELECT COUNT(*) AS n FROM dossiers d");
        push_filters(&mut b, q);
        let row = b.build().fetch_one(self.read_pool()).await.map_err(db_err)?;
        row.i64("n")
    }
}

/// The columns of a dossier row with their values, and whether a change rewrites them (the
/// channel, procedure, receiving agency and submission instant are fixed at intake).
fn row_values(d: &DossierRow) -> [(&'static str, bool, Arg); 37] {
    let f = &d.facts;
    [
        ("id", false, d.id.into()),
        ("code", true, d.code.clone().into()),
        ("status", true, i64::from(d.status).into()),
        ("channel", false, d.channel.clone().into()),
        ("procedure_id", false, d.procedure_id.into()),
        ("procedure_code", false, d.procedure_code.clone().into()),
        ("procedure_name", false, d.procedure_name.clone().into()),
        ("receiving_agency_id", false, d.receiving_agency_id.0.into()),
        ("resolving_agency_id", true, d.resolving_agency_id.map(|a| a.0).into()),
        ("current_agency_id", true, d.current_agency_id.0.into()),
        ("current_permission", true, d.current_permission.clone().into()),
        ("step_name", true, d.step_name.clone().into()),
        ("assignee_id", true, d.assignee_id.map(|u| u.0).into()),
        // The applicant changes with an approved correction.
        ("applicant_name", true, d.applicant_name.clone().into()),
        ("applicant_fold", true, d.applicant_fold.clone().into()),
        ("applicant_id_number", true, d.applicant_id_number.clone().into()),
        ("submitted_at", false, us(d.submitted_at).into()),
        ("portal_code", false, d.portal_code.clone().into()),
        ("reception_due_at", true, opt_us(d.reception_due_at).into()),
        ("received_at", true, opt_us(d.received_at).into()),
        ("due_at", true, opt_us(d.due_at).into()),
        ("appointment_at", true, opt_us(d.appointment_at).into()),
        ("step_due_at", true, opt_us(d.step_due_at).into()),
        ("paused", true, d.paused.into()),
        ("late_by_rule", true, d.late_by_rule.into()),
        ("resolved_at", true, opt_us(d.resolved_at).into()),
        ("returned_at", true, opt_us(d.returned_at).into()),
        ("last_seq", true, d.last_seq.into()),
        ("updated_at", true, us(d.updated_at).into()),
        ("counted_agency_id", true, f.agency.0.into()),
        ("refused_at", true, opt_us(f.refused_at).into()),
        ("ended_at", true, opt_us(f.ended.map(|(_, at)| at)).into()),
        ("outcome", true, f.ended.map(|(o, _)| o.as_str().to_owned()).into()),
        ("overdue_from", true, opt_us(f.overdue_from).into()),
        ("supplement_at", true, opt_us(f.supplement_at).into()),
        ("processing_minutes", true, f.processing_minutes.into()),
        ("full_online_shortfalls", true, f.full_online.map(|s| i64::from(s.bits())).into()),
    ]
}

/// Queues the change for the national portal when it concerns it (in the same transaction).
fn push_outbox(w: &mut Writes, d: &DossierRow, events: &[DossierEvent]) {
    let Some(last) = events.last() else { return };
    if !motcua_domain::national_portal::concerns(d.code.is_some() || d.portal_code.is_some(), events) {
        return;
    }
    w.next()
        .push("INSERT INTO portal_outbox (dossier_id, seq, queued_at) VALUES (")
        .bind(d.id)
        .push(", ")
        .bind(last.seq)
        .push(", ")
        .bind(us(last.at))
        .push(")");
}

/// `UPDATE dossiers SET …` of the columns a change rewrites.
pub(crate) fn push_row_update(b: &mut SqlBuilder, d: &DossierRow) {
    b.push("UPDATE dossiers SET ");
    for (i, (column, _, value)) in row_values(d).into_iter().filter(|(_, rewritten, _)| *rewritten).enumerate() {
        b.push(if i == 0 { "" } else { ", " }).push(column).push(" = ").bind(value);
    }
    b.push(" WHERE id = ").bind(d.id);
}

/// `INSERT INTO dossier_rollups … ON CONFLICT DO UPDATE SET c = c + excluded.c`: the counter
/// changes at both grains, one row per bucket (a statement may not touch a row twice).
pub(crate) fn push_rollups(b: &mut SqlBuilder, delta: &RollupDelta) {
    let mut rows: BTreeMap<(i64, i64, i64, i64, i64), Counters> = BTreeMap::new();
    for (k, c) in &delta.0 {
        for grain in [Grain::Day, Grain::Month] {
            *rows.entry((grain.code(), k.agency.0, grain.bucket(k.day), k.receiving.0, k.procedure_id)).or_default() +=
                *c;
        }
    }
    b.push("INSERT INTO dossier_rollups (grain, agency_id, bucket, receiving_agency_id, procedure_id");
    for c in COUNTER_COLUMNS {
        b.push(", ").push(c);
    }
    b.push(") VALUES ");
    for (i, ((grain, agency, bucket, receiving, procedure), c)) in rows.into_iter().enumerate() {
        b.push(if i == 0 { "(" } else { ", (" });
        b.bind(grain)
            .push(", ")
            .bind(agency)
            .push(", ")
            .bind(bucket)
            .push(", ")
            .bind(receiving)
            .push(", ")
            .bind(procedure);
        for v in c.values() {
            b.push(", ").bind(v);
        }
        b.push(")");
    }
    b.push(" ON CONFLICT (grain, agency_id, bucket, receiving_agency_id, procedure_id) DO UPDATE SET ");
    for (i, c) in COUNTER_COLUMNS.iter().enumerate() {
        b.push(if i == 0 { "" } else { ", " }).push(c).push(" = dossier_rollups.").push(c).push(" + excluded.").push(c);
    }
}

/// The one row a statement returns. `fetch_all` rather than `fetch_one` reads it: the `Any`
/// driver's `fetch_one` gives up at the result of a statement sent in front (a savepoint).
fn first_row(rows: Vec<AnyRow>) -> StoreResult<AnyRow> {
    rows.into_iter().next().ok_or_else(|| StoreError::Backend("the statement returned no row".into()))
}

/// `INSERT INTO dossier_events … VALUES (…), (…)`: all of an action's events in one statement.
fn push_events(b: &mut SqlBuilder, dossier_id: i64, events: &[DossierEvent]) -> StoreResult<()> {
    b.push(
        "INSERT INTO dossier_events (dossier_id, seq, at, kind, actor_user_id, actor, body, reason, client_txn_id, \
         prev_hash, hash) VALUES ",
    );
    for (i, e) in events.iter().enumerate() {
        let e = StoredEvent::of(dossier_id, e).map_err(|e| StoreError::Backend(e.to_string()))?;
        b.push(if i == 0 { "(" } else { ", (" });
        b.bind(dossier_id).push(", ").bind(e.seq).push(", ").bind(us(e.at)).push(", ").bind(e.kind);
        b.push(", ").bind(e.actor_user_id).push(", ").bind(e.actor_json);
        b.push(", ").bind(e.body_json).push(", ").bind(e.reason);
        b.push(", ").bind(e.client_txn_id).push(", ").bind(e.prev_hash);
        b.push(", ").bind(e.hash).push(")");
    }
    Ok(())
}

/// `INSERT INTO dossier_agencies … VALUES (…), (…)`.
fn push_agencies(b: &mut SqlBuilder, dossier_id: i64, agencies: &[AgencyId]) {
    b.push("INSERT INTO dossier_agencies (dossier_id, agency_id) VALUES ");
    for (i, a) in agencies.iter().enumerate() {
        b.push(if i == 0 { "(" } else { ", (" }).bind(dossier_id).push(", ").bind(a.0).push(")");
    }
    b.push(" ON CONFLICT DO NOTHING");
}

/// Several writes sent in one round trip: on PostgreSQL one statement whose writes are
/// data-modifying CTEs (each runs to completion; foreign keys are checked at its end), on
/// SQLite statements separated by `;`, which the driver runs in turn in one call. The writes
/// must not depend on each other's effects (PostgreSQL runs them on one snapshot).
struct Writes {
    b: SqlBuilder,
    backend: Backend,
    count: usize,
}

impl Writes {
    fn new(backend: Backend) -> Self {
        Self { b: SqlBuilder::new(""), backend, count: 0 }
    }

    /// Starts the next write; the caller writes its statement into the builder.
    fn next(&mut self) -> &mut SqlBuilder {
        let glue = match (self.backend, self.count) {
            (Backend::Postgres, 0) => "WITH w0 AS (".to_owned(),
            (Backend::Postgres, n) => format!("), w{n} AS ("),
            (Backend::Sqlite, 0) => String::new(),
            (Backend::Sqlite, _) => "; ".to_owned(),
        };
        self.count += 1;
        self.b.push(&glue)
    }

    /// Runs the writes and commits the transaction: on SQLite the savepoint's release goes in
    /// the same call (see [`crate::group_commit::GroupedTx::commit_after`]).
    async fn commit(mut self, mut tx: Box<DbTx>) -> StoreResult<()> {
        let backend = tx.backend;
        match backend {
            Backend::Postgres => {
                if self.count > 0 {
                    self.b.push(") SELECT 1");
                    self.b.build().execute(tx.conn().await?).await.map_err(db_err)?;
                }
                motcua_app::ports::StoreTx::commit(tx).await
            }
            Backend::Sqlite => {
                self.next();
                match tx.tx {
                    Conn::Grouped(g) => g
                        .commit_after(move |owed, ends| {
                            let mut b = self.b;
                            if let Some(owed) = owed {
                                b.prepend(&format!("{owed}; "));
                            }
                            b.push(if ends { "RELEASE tx; COMMIT" } else { "RELEASE tx" });
                            b.build()
                        })
                        .await
                        .map_err(|e| match e {
                            CommitError::Statement(e) => db_err(e),
                            CommitError::Commit(e) => StoreError::Backend(e),
                        }),
                    Conn::Own(_) => Err(StoreError::Backend("SQLite writes are group-committed".into())),
                }
            }
        }
    }
}

#[async_trait]
impl DossierWrites for DbTx {
    async fn reserve_dossier(&mut self, code_of: Option<(AgencyId, Date)>) -> StoreResult<(i64, Option<u32>)> {
        let code_of = code_of.map(|(agency, day)| (agency.0, day.to_string()));
        let key = code_of.as_ref().map(|(agency, day)| (*agency, day.as_str()));
        // SQLite: an intake that follows another in the same batch takes the next numbers
        // without a call; its write then records the code number in the counter.
        if let Conn::Grouped(g) = &mut self.tx
            && let Some((id, number)) = g.take_dossier_numbers(key)
        {
            self.counter_owed = code_of.zip(number).map(|((agency, day), n)| (agency, day, n));
            return Ok((id, number));
        }
        // SQLite: every write runs under the one writer (group commit, `BEGIN IMMEDIATE`), so
        // the next rowid cannot be taken by anyone else before this transaction ends.
        let next_id = match self.backend {
            Backend::Sqlite => "(SELECT COALESCE(MAX(id), 0) + 1 FROM dossiers)",
            Backend::Postgres => "nextval(pg_get_serial_sequence('dossiers', 'id'))",
        };
        let upsert = COUNTER_UPSERT;
        let sql = match (&code_of, self.backend) {
            (None, _) => format!("SELECT {next_id} AS id, NULL AS last_value"),
            (Some(_), Backend::Sqlite) => format!("{upsert} RETURNING {next_id} AS id, last_value"),
            (Some(_), Backend::Postgres) => {
                format!("WITH c AS ({upsert} RETURNING last_value) SELECT {next_id} AS id, last_value FROM c")
            }
        };
        let bind = |q: sqlx::query::Query<'static, sqlx::Any, sqlx::any::AnyArguments>| match &code_of {
            Some((agency, day)) => q.bind(*agency).bind(day.clone()),
            None => q,
        };
        // The transaction's savepoint goes in the same call, which keeps the batch's numbering
        // (this statement moves only what it reports, noted below).
        let rows = match &mut self.tx {
            Conn::Grouped(g) => g.fetch_owed(&sql, bind, false).await.map_err(db_err)?,
            Conn::Own(_) => self.fetch_owed(&sql, bind).await?,
        };
        let row = first_row(rows)?;
        let id = row.i64("id")?;
        let number = match code_of {
            Some(_) => Some(u32::try_from(row.i64("last_value")?).map_err(StoreError::backend)?),
            None => None,
        };
        if let Conn::Grouped(g) = &mut self.tx {
            g.note_dossier_numbers(id, key.zip(number).map(|((agency, day), n)| (agency, day, n)));
        }
        Ok((id, number))
    }

    async fn commit_new_dossier(
        self: Box<Self>,
        d: &DossierRow,
        events: &[DossierEvent],
        agencies: &[AgencyId],
        rollups: &RollupDelta,
    ) -> StoreResult<()> {
        let mut tx = self;
        let mut w = Writes::new(tx.backend);
        if let Some((agency, day, number)) = tx.counter_owed.take() {
            w.next()
                .push("INSERT INTO dossier_code_counters (agency_id, day, last_value) VALUES (")
                .bind(agency)
                .push(", ")
                .bind(day)
                .push(", ")
                .bind(i64::from(number))
                .push(") ON CONFLICT (agency_id, day) DO UPDATE SET last_value = excluded.last_value");
        }
        let values = row_values(d);
        let b = w.next();
        b.push("INSERT INTO dossiers (");
        for (i, (column, _, _)) in values.iter().enumerate() {
            b.push(if i == 0 { "" } else { ", " }).push(column);
        }
        b.push(") VALUES (");
        for (i, (_, _, value)) in values.into_iter().enumerate() {
            b.push(if i == 0 { "" } else { ", " }).bind(value);
        }
        b.push(")");
        if !events.is_empty() {
            push_events(w.next(), d.id, events)?;
        }
        if !agencies.is_empty() {
            push_agencies(w.next(), d.id, agencies);
        }
        if !rollups.is_empty() {
            push_rollups(w.next(), rollups);
        }
        push_outbox(&mut w, d, events);
        w.commit(tx).await
    }

    async fn lock_dossier_events(&mut self, id: i64) -> StoreResult<LockedEvents> {
        if self.backend == Backend::Postgres {
            sqlx::query("SELECT id FROM dossiers WHERE id = $1 FOR UPDATE")
                .bind(id)
                .fetch_optional(self.conn().await?)
                .await
                .map_err(db_err)?;
        }
        // On SQLite the transaction's savepoint goes in the same call; the verified head rides
        // on every row of the same statement.
        let rows = self.fetch_owed(LOCKED_EVENTS_SQL, |q| q.bind(id)).await?;
        let verified = match rows.first() {
            Some(r) => match r.opt_i64("v_seq")? {
                Some(seq) => Some(VerifiedHead { seq, hash: r.text("v_hash")? }),
                None => None,
            },
            None => None,
        };
        Ok(LockedEvents { events: rows.iter().map(stored_from).collect::<StoreResult<_>>()?, verified })
    }

    async fn commit_dossier_change(
        self: Box<Self>,
        d: &DossierRow,
        events: &[DossierEvent],
        added: &[AgencyId],
        rollups: &RollupDelta,
    ) -> StoreResult<()> {
        let mut w = Writes::new(self.backend);
        if !rollups.is_empty() {
            push_rollups(w.next(), rollups);
        }
        if !events.is_empty() {
            push_events(w.next(), d.id, events)?;
        }
        if !added.is_empty() {
            push_agencies(w.next(), d.id, added);
        }
        push_row_update(w.next(), d);
        push_outbox(&mut w, d, events);
        w.commit(self).await
    }

    async fn insert_dossier_batch(&mut self, batch: &DossierBatch) -> StoreResult<()> {
        // Statements of a few hundred parameters: the SQLite driver looks each numbered
        // parameter up by name, so its cost grows with the square of a statement's size.
        for rows in batch.rows.chunks(6) {
            let mut b = SqlBuilder::new("INSERT INTO dossiers (");
            for (i, (column, _, _)) in row_values(&rows[0]).iter().enumerate() {
                b.push(if i == 0 { "" } else { ", " }).push(column);
            }
            b.push(") VALUES ");
            for (r, d) in rows.iter().enumerate() {
                b.push(if r == 0 { "(" } else { ", (" });
                for (i, (_, _, value)) in row_values(d).into_iter().enumerate() {
                    b.push(if i == 0 { "" } else { ", " }).bind(value);
                }
                b.push(")");
            }
            b.build().execute(self.conn().await?).await.map_err(db_err)?;
        }
        let mut events: Vec<(i64, &DossierEvent)> = Vec::new();
        for (id, es) in &batch.events {
            events.extend(es.iter().map(|e| (*id, e)));
        }
        for chunk in events.chunks(18) {
            let mut b = SqlBuilder::new("");
            b.push(
                "INSERT INTO dossier_events (dossier_id, seq, at, kind, actor_user_id, actor, body, reason, client_txn_id, \
                 prev_hash, hash) VALUES ",
            );
            for (i, (id, e)) in chunk.iter().enumerate() {
                let e = StoredEvent::of(*id, e).map_err(|e| StoreError::Backend(e.to_string()))?;
                b.push(if i == 0 { "(" } else { ", (" });
                b.bind(*id).push(", ").bind(e.seq).push(", ").bind(us(e.at)).push(", ").bind(e.kind);
                b.push(", ").bind(e.actor_user_id).push(", ").bind(e.actor_json);
                b.push(", ").bind(e.body_json).push(", ").bind(e.reason);
                b.push(", ").bind(e.client_txn_id).push(", ").bind(e.prev_hash);
                b.push(", ").bind(e.hash).push(")");
            }
            b.build().execute(self.conn().await?).await.map_err(db_err)?;
        }
        let pairs: Vec<(i64, AgencyId)> =
            batch.agencies.iter().flat_map(|(id, agencies)| agencies.iter().map(move |a| (*id, *a))).collect();
        for chunk in pairs.chunks(100) {
            let mut b = SqlBuilder::new("INSERT INTO dossier_agencies (dossier_id, agency_id) VALUES ");
            for (i, (id, a)) in chunk.iter().enumerate() {
                b.push(if i == 0 { "(" } else { ", (" }).bind(*id).push(", ").bind(a.0).push(")");
            }
            b.push(" ON CONFLICT DO NOTHING");
            b.build().execute(self.conn().await?).await.map_err(db_err)?;
        }
        let keys: Vec<_> = batch.rollups.0.iter().collect();
        for chunk in keys.chunks(8) {
            let part = RollupDelta(chunk.iter().map(|(k, c)| (**k, **c)).collect());
            let mut b = SqlBuilder::new("");
            push_rollups(&mut b, &part);
            b.build().execute(self.conn().await?).await.map_err(db_err)?;
        }
        for chunk in batch.counters.chunks(60) {
            let mut b = SqlBuilder::new("INSERT INTO dossier_code_counters (agency_id, day, last_value) VALUES ");
            for (i, (a, day, n)) in chunk.iter().enumerate() {
                b.push(if i == 0 { "(" } else { ", (" }).bind(a.0).push(", ").bind(day.to_string());
                b.push(", ").bind(i64::from(*n)).push(")");
            }
            b.push(" ON CONFLICT (agency_id, day) DO UPDATE SET last_value = excluded.last_value");
            b.build().execute(self.conn().await?).await.map_err(db_err)?;
        }
        if self.backend == Backend::Postgres
            && let Some(last) = batch.rows.iter().map(|r| r.id).max()
        {
            sqlx::query("SELECT setval(pg_get_serial_sequence('dossiers', 'id'), $1)")
                .bind(last)
                .fetch_all(self.conn().await?)
                .await
                .map_err(db_err)?;
        }
        Ok(())
    }

    async fn next_dossier_number(&mut self, agency: AgencyId, day: Date) -> StoreResult<u32> {
        let n: i64 = sqlx::query_scalar(AssertSqlSafe(format!("{COUNTER_UPSERT} RETURNING last_value")))
            .bind(agency.0)
            .bind(day.to_string())
            .fetch_one(self.conn().await?)
            .await
            .map_err(db_err)?;
        u32::try_from(n).map_err(StoreError::backend)
    }
}
