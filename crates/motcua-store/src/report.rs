//! Statistics: the rollup counters and the dossiers behind each number.

use async_trait::async_trait;
use motcua_app::StoreError;
use motcua_app::ports::{
    Acceptances, CountedBy, CountedQuery, DossierRow, ProcedureField, ReportReads, ReportWrites, RollupQuery,
    RollupSum, StoreResult, StoredRollup, StoredTarget,
};
use motcua_domain::agency::AgencyId;
use motcua_domain::report::full_online::Shortfall;
use motcua_domain::report::measure::Window;
use motcua_domain::report::rollup::COUNTER_COLUMNS;
use motcua_domain::report::target::Metric;
use motcua_domain::report::{Counters, DossierFacts, Grain, Measure, RollupDelta};
use sqlx::any::AnyRow;

use crate::Backend;
use crate::Db;
use crate::convert::{RowExt, db_err, us};
use crate::dossier::{push_rollups, push_row_update, row_from};
use crate::sql::SqlBuilder;
use crate::tx::DbTx;

fn agency_column(by: CountedBy, prefix: &str) -> String {
    match by {
        CountedBy::Resolving => format!("{prefix}counted_agency_id"),
        CountedBy::Receiving => format!("{prefix}receiving_agency_id"),
    }
}

fn rollup_agency_column(by: CountedBy) -> &'static str {
    match by {
        CountedBy::Resolving => "agency_id",
        CountedBy::Receiving => "receiving_agency_id",
    }
}

fn push_in(b: &mut SqlBuilder, column: &str, ids: impl IntoIterator<Item = i64>) {
    b.push(column).push(" IN (");
    let mut any = false;
    for (i, id) in ids.into_iter().enumerate() {
        b.push(if i == 0 { "" } else { ", " }).bind(id);
        any = true;
    }
    if !any {
        b.push("NULL");
    }
    b.push(")");
}

/// The counters a balance (what is pending at an instant) is made of.
const BALANCE_COLUMNS: [&str; 2] = ["open_delta", "overdue_delta"];

fn counters_from(r: &AnyRow) -> StoreResult<Counters> {
    let mut v = [0i64; 16];
    for (slot, c) in v.iter_mut().zip(COUNTER_COLUMNS) {
        *slot = r.i64(c)?;
    }
    Ok(Counters::from_values(v))
}

fn grain_of(code: i64) -> StoreResult<Grain> {
    match code {
        1 => Ok(Grain::Day),
        2 => Ok(Grain::Month),
        g => Err(StoreError::Backend(format!("dossier_rollups.grain: {g}"))),
    }
}

/// The rule of a measure over a window as SQL on `dossiers d` (the mirror of `Measure::counts`,
/// which a conformance test holds it to).
fn push_measure(b: &mut SqlBuilder, m: Option<Measure>, w: &Window) {
    let (start, end, cutoff) = (us(w.start), us(w.end), us(w.cutoff));
    let within = |b: &mut SqlBuilder, col: &str| {
        b.push("(d.").push(col).push(" >= ").bind(start).push(" AND d.").push(col).push(" < ").bind(end).push(")");
    };
    let ended = |b: &mut SqlBuilder, outcomes: &[&str]| {
        b.push("(d.outcome IN (");
        for (i, o) in outcomes.iter().enumerate() {
            b.push(if i == 0 { "" } else { ", " }).bind(*o);
        }
        b.push(") AND d.ended_at >= ").bind(start).push(" AND d.ended_at < ").bind(end).push(")");
    };
    let pending = |b: &mut SqlBuilder| {
        b.push("(d.received_at < ")
            .bind(cutoff)
            .push(" AND (d.ended_at IS NULL OR d.ended_at >= ")
            .bind(cutoff)
            .push("))");
    };
    let Some(m) = m else {
        // Everything any measure of the period counts.
        b.push("((d.received_at < ").bind(end).push(" AND (d.ended_at IS NULL OR d.ended_at >= ").bind(start);
        b.push(")) OR ");
        within(b, "refused_at");
        b.push(" OR ");
        within(b, "returned_at");
        b.push(")");
        return;
    };
    match m {
        Measure::Received => within(b, "received_at"),
        Measure::ReceivedOnline | Measure::ReceivedDirect | Measure::ReceivedDesk | Measure::ReceivedPostal => {
            within(b, "received_at");
            b.push(match m {
                Measure::ReceivedOnline => " AND d.channel = 'online'",
                Measure::ReceivedDirect => " AND d.channel <> 'online'",
                Measure::ReceivedDesk => " AND d.channel = 'desk'",
                _ => " AND d.channel = 'postal'",
            });
        }
        Measure::CarriedOver => {
            b.push("(d.received_at < ").bind(start).push(" AND (d.ended_at IS NULL OR d.ended_at >= ").bind(start);
            b.push("))");
        }
        Measure::Resolved => ended(b, &["resolved_early", "resolved_on_time", "resolved_late"]),
        Measure::ResolvedEarly => ended(b, &["resolved_early"]),
        Measure::ResolvedOnTime => ended(b, &["resolved_on_time"]),
        Measure::ResolvedLate => ended(b, &["resolved_late"]),
        Measure::Stopped => ended(b, &["stopped"]),
        Measure::Withdrawn => ended(b, &["withdrawn"]),
        Measure::Pending => pending(b),
        Measure::PendingOverdue => {
            pending(b);
            b.push(" AND d.overdue_from < ").bind(cutoff);
        }
        Measure::PendingInTime => {
            pending(b);
            b.push(" AND (d.overdue_from IS NULL OR d.overdue_from >= ").bind(cutoff).push(")");
        }
        Measure::Supplemented => within(b, "supplement_at"),
        Measure::Refused => within(b, "refused_at"),
        Measure::Returned => within(b, "returned_at"),
        Measure::ResolvedFullOnline => {
            ended(b, &["resolved_early", "resolved_on_time", "resolved_late"]);
            b.push(" AND d.full_online_shortfalls = 0");
        }
        Measure::ResolvedNotFullOnline => {
            ended(b, &["resolved_early", "resolved_on_time", "resolved_late"]);
            b.push(" AND (d.full_online_shortfalls IS NULL OR d.full_online_shortfalls <> 0)");
        }
        Measure::ResolvedElectronic => {
            ended(b, &["resolved_early", "resolved_on_time", "resolved_late"]);
            let bit = i64::from(Shortfall::NoElectronicResult.bit());
            b.push(" AND (d.full_online_shortfalls & ").bind(bit).push(") = 0");
        }
    }
}

#[async_trait]
impl ReportReads for Db {
    async fn rollup_sums(&self, q: &RollupQuery) -> StoreResult<Vec<RollupSum>> {
        if q.ranges.is_empty() || q.agencies.is_empty() {
            return Ok(Vec::new());
        }
        let agency = rollup_agency_column(q.by);
        let mut b = SqlBuilder::new("");
        for (i, r) in q.ranges.iter().enumerate() {
            b.push(if i == 0 { "" } else { " UNION ALL " });
            b.push(if q.per_bucket {
                "SELECT CAST(0 AS BIGINT) AS a, CAST(0 AS BIGINT) AS procedure_id, grain, bucket"
            } else {
                "SELECT "
            });
            if !q.per_bucket {
                b.push(agency).push(" AS a, procedure_id, CAST(0 AS BIGINT) AS grain, CAST(0 AS BIGINT) AS bucket");
            }
            for c in COUNTER_COLUMNS {
                if q.balance_only && !BALANCE_COLUMNS.contains(&c) {
                    b.push(", CAST(0 AS BIGINT) AS ").push(c);
                } else {
                    b.push(", CAST(SUM(").push(c).push(") AS BIGINT) AS ").push(c);
                }
            }
            b.push(" FROM dossier_rollups WHERE grain = ").bind(r.grain.code()).push(" AND ");
            push_in(&mut b, agency, q.agencies.iter().map(|a| a.0));
            b.push(" AND bucket >= ").bind(r.from).push(" AND bucket <= ").bind(r.to);
            b.push(if q.per_bucket { " GROUP BY grain, bucket" } else { " GROUP BY " });
            if !q.per_bucket {
                b.push(agency).push(", procedure_id");
            }
            if q.balance_only {
                // Procedures with nothing pending add nothing.
                b.push(" HAVING SUM(open_delta) <> 0 OR SUM(overdue_delta) <> 0");
            }
        }
        let rows = b.build().fetch_all(self.read_pool()).await.map_err(db_err)?;
        let mut out: std::collections::BTreeMap<(i64, i64, i64, i64), Counters> = Default::default();
        for r in &rows {
            let key = (r.i64("a")?, r.i64("procedure_id")?, r.i64("grain")?, r.i64("bucket")?);
            *out.entry(key).or_default() += counters_from(r)?;
        }
        out.into_iter()
            .map(|((a, p, g, bucket), counters)| {
                Ok(RollupSum {
                    agency: AgencyId(a),
                    procedure_id: p,
                    bucket: if q.per_bucket { Some((grain_of(g)?, bucket)) } else { None },
                    counters,
                })
            })
            .collect()
    }

    async fn counted_dossiers(&self, q: &CountedQuery) -> StoreResult<Vec<DossierRow>> {
        let mut b = SqlBuilder::new("SELECT d.* FROM dossiers d WHERE ");
        push_in(&mut b, &agency_column(q.by, "d."), q.agencies.iter().map(|a| a.0));
        if let Some(p) = &q.procedures {
            b.push(" AND ");
            push_in(&mut b, "d.procedure_id", p.iter().copied());
        }
        b.push(" AND ");
        if q.measures.is_empty() {
            push_measure(&mut b, None, &q.window);
        } else {
            b.push("(");
            for (i, m) in q.measures.iter().enumerate() {
                b.push(if i == 0 { "" } else { " OR " });
                push_measure(&mut b, Some(*m), &q.window);
            }
            b.push(")");
        }
        if let Some(t) = q.overdue_before {
            b.push(" AND d.overdue_from < ").bind(us(t));
        }
        if let Some(id) = q.after_id {
            b.push(" AND d.id > ").bind(id);
        }
        b.push(" ORDER BY d.id LIMIT ").bind(q.limit.clamp(1, 10_000));
        b.build().fetch_all(self.read_pool()).await.map_err(db_err)?.iter().map(row_from).collect()
    }

    async fn overdue_between(
        &self,
        by: CountedBy,
        agencies: &[AgencyId],
        from: jiff::Timestamp,
        until: jiff::Timestamp,
    ) -> StoreResult<Vec<(AgencyId, i64, i64)>> {
        if agencies.is_empty() {
            return Ok(Vec::new());
        }
        let agency = agency_column(by, "d.");
        let mut b = SqlBuilder::new("SELECT ");
        b.push(&agency).push(" AS a, d.procedure_id, COUNT(*) AS n FROM dossiers d WHERE d.overdue_from >= ");
        b.bind(us(from)).push(" AND d.overdue_from < ").bind(us(until));
        // The unary `+` keeps SQLite's planner on the `overdue_from` index (a few rows of one
        // day) rather than the agency's index over its whole history.
        b.push(" AND +d.received_at < ").bind(us(from));
        b.push(" AND (d.ended_at IS NULL OR d.ended_at >= ").bind(us(from)).push(") AND ");
        push_in(&mut b, &format!("+{agency}"), agencies.iter().map(|a| a.0));
        b.push(" GROUP BY ").push(&agency).push(", d.procedure_id");
        let rows = b.build().fetch_all(self.read_pool()).await.map_err(db_err)?;
        rows.iter().map(|r| Ok((AgencyId(r.i64("a")?), r.i64("procedure_id")?, r.i64("n")?))).collect()
    }

    async fn acceptances(
        &self,
        agencies: &[AgencyId],
        from: jiff::Timestamp,
        until: jiff::Timestamp,
    ) -> StoreResult<Vec<Acceptances>> {
        if agencies.is_empty() {
            return Ok(Vec::new());
        }
        let mut b = SqlBuilder::new(
            "SELECT e.actor_user_id, MAX(e.actor) AS actor, d.receiving_agency_id, COUNT(*) AS n FROM dossier_events e \
             JOIN dossiers d ON d.id = e.dossier_id WHERE e.kind = 'accepted' AND e.at >= ",
        );
        b.bind(us(from)).push(" AND e.at < ").bind(us(until)).push(" AND ");
        push_in(&mut b, "d.receiving_agency_id", agencies.iter().map(|a| a.0));
        b.push(" GROUP BY e.actor_user_id, d.receiving_agency_id ORDER BY n DESC");
        let rows = b.build().fetch_all(self.read_pool()).await.map_err(db_err)?;
        rows.iter()
            .map(|r| {
                let actor: motcua_domain::dossier::EventActor =
                    serde_json::from_str(&r.text("actor")?).map_err(StoreError::backend)?;
                Ok(Acceptances {
                    user_id: r.opt_i64("actor_user_id")?.map(motcua_domain::account::UserId),
                    name: actor.name,
                    agency: AgencyId(r.i64("receiving_agency_id")?),
                    count: r.i64("n")?,
                })
            })
            .collect()
    }

    async fn procedure_fields(&self) -> StoreResult<Vec<ProcedureField>> {
        let rows = sqlx::query(
            "SELECT p.id, p.code, v.name, v.field_name FROM procedures p JOIN procedure_versions v \
             ON v.procedure_id = p.id AND v.number = (SELECT MAX(number) FROM procedure_versions x \
             WHERE x.procedure_id = p.id) ORDER BY p.id",
        )
        .fetch_all(self.read_pool())
        .await
        .map_err(db_err)?;
        rows.iter()
            .map(|r| {
                Ok(ProcedureField {
                    procedure_id: r.i64("id")?,
                    code: r.text("code")?,
                    name: r.text("name")?,
                    field: r.text("field_name")?,
                })
            })
            .collect()
    }

    async fn agency_targets(&self, agencies: &[AgencyId], year: i16) -> StoreResult<Vec<StoredTarget>> {
        if agencies.is_empty() {
            return Ok(Vec::new());
        }
        let mut b = SqlBuilder::new(
            "SELECT agency_id, year, metric, value, updated_by, updated_at FROM agency_targets WHERE year = ",
        );
        b.bind(i64::from(year)).push(" AND ");
        push_in(&mut b, "agency_id", agencies.iter().map(|a| a.0));
        b.push(" ORDER BY agency_id, metric");
        let rows = b.build().fetch_all(self.read_pool()).await.map_err(db_err)?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let metric = r.text("metric")?;
            out.push(StoredTarget {
                agency: AgencyId(r.i64("agency_id")?),
                year: i16::try_from(r.i64("year")?).unwrap_or_default(),
                metric: Metric::parse(&metric)
                    .ok_or_else(|| StoreError::Backend(format!("agency_targets.metric: {metric}")))?,
                value: u32::try_from(r.i64("value")?).unwrap_or_default(),
                updated_by: r.text("updated_by")?,
                updated_at: r.ts("updated_at")?,
            });
        }
        Ok(out)
    }

    async fn rollups_built(&self) -> StoreResult<bool> {
        let built: i64 = sqlx::query_scalar("SELECT built FROM rollup_state WHERE id = 1")
            .fetch_one(self.read_pool())
            .await
            .map_err(db_err)?;
        Ok(built != 0)
    }
}

#[async_trait]
impl ReportWrites for DbTx {
    async fn rewrite_dossier_rows(&mut self, rows: &[DossierRow]) -> StoreResult<()> {
        for d in rows {
            let mut b = SqlBuilder::new("");
            push_row_update(&mut b, d);
            b.build().execute(self.conn().await?).await.map_err(db_err)?;
        }
        Ok(())
    }

    async fn lock_rollups(&mut self) -> StoreResult<()> {
        if self.backend == Backend::Postgres {
            sqlx::query("LOCK TABLE dossier_rollups IN EXCLUSIVE MODE")
                .execute(self.conn().await?)
                .await
                .map_err(db_err)?;
        }
        Ok(())
    }

    async fn facts_counted_at(&mut self, agency: AgencyId) -> StoreResult<Vec<DossierFacts>> {
        let rows = sqlx::query("SELECT * FROM dossiers WHERE counted_agency_id = $1")
            .bind(agency.0)
            .fetch_all(self.conn().await?)
            .await
            .map_err(db_err)?;
        rows.iter().map(|r| Ok(row_from(r)?.facts)).collect()
    }

    async fn replace_rollups(&mut self, agency: AgencyId, delta: &RollupDelta) -> StoreResult<()> {
        sqlx::query("DELETE FROM dossier_rollups WHERE agency_id = $1")
            .bind(agency.0)
            .execute(self.conn().await?)
            .await
            .map_err(db_err)?;
        // Written in slices of a few hundred parameters (see `insert_dossier_batch`).
        let keys: Vec<_> = delta.0.iter().collect();
        for chunk in keys.chunks(8) {
            let part = RollupDelta(chunk.iter().map(|(k, c)| (**k, **c)).collect());
            let mut b = SqlBuilder::new("");
            push_rollups(&mut b, &part);
            b.build().execute(self.conn().await?).await.map_err(db_err)?;
        }
        Ok(())
    }

    async fn stored_rollups(&mut self, agency: AgencyId) -> StoreResult<Vec<StoredRollup>> {
        let rows = sqlx::query(
            "SELECT * FROM dossier_rollups WHERE agency_id = $1 ORDER BY grain, bucket, receiving_agency_id, procedure_id",
        )
        .bind(agency.0)
        .fetch_all(self.conn().await?)
        .await
        .map_err(db_err)?;
        rows.iter()
            .map(|r| {
                Ok(StoredRollup {
                    grain: grain_of(r.i64("grain")?)?,
                    bucket: r.i64("bucket")?,
                    receiving: AgencyId(r.i64("receiving_agency_id")?),
                    procedure_id: r.i64("procedure_id")?,
                    counters: counters_from(r)?,
                })
            })
            .collect()
    }

    async fn set_agency_target(
        &mut self,
        agency: AgencyId,
        year: i16,
        metric: Metric,
        value: Option<(u32, &str, jiff::Timestamp)>,
    ) -> StoreResult<()> {
        let conn = self.conn().await?;
        match value {
            Some((value, by, at)) => sqlx::query(
                "INSERT INTO agency_targets (agency_id, year, metric, value, updated_by, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (agency_id, year, metric) DO UPDATE SET \
                 value = excluded.value, updated_by = excluded.updated_by, updated_at = excluded.updated_at",
            )
            .bind(agency.0)
            .bind(i64::from(year))
            .bind(metric.as_str())
            .bind(i64::from(value))
            .bind(by)
            .bind(us(at))
            .execute(conn)
            .await
            .map_err(db_err)?,
            None => sqlx::query("DELETE FROM agency_targets WHERE agency_id = $1 AND year = $2 AND metric = $3")
                .bind(agency.0)
                .bind(i64::from(year))
                .bind(metric.as_str())
                .execute(conn)
                .await
                .map_err(db_err)?,
        };
        Ok(())
    }

    async fn set_rollups_built(&mut self, built: bool) -> StoreResult<()> {
        sqlx::query("UPDATE rollup_state SET built = $1 WHERE id = 1")
            .bind(i64::from(built))
            .execute(self.conn().await?)
            .await
            .map_err(db_err)?;
        Ok(())
    }
}
