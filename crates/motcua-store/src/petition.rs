//! Petitions: the append-only events (triggers refuse any change), the queryable row, the code
//! counters, the votes and the per-province deadlines.

use async_trait::async_trait;
use jiff::Timestamp;
use jiff::civil::Date;
use motcua_app::error::StoreError;
use motcua_app::ports::{
    DatedDeadlines, PetitionQuery, PetitionReads, PetitionRow, PetitionWrites, Reach, StoreResult,
};
use motcua_domain::account::UserId;
use motcua_domain::agency::AgencyId;
use motcua_domain::petition::chain::StoredPetitionEvent;
use motcua_domain::petition::{PetitionChannel, PetitionDeadlines, PetitionKind, Stage};
use sqlx::any::AnyRow;

use crate::Db;
use crate::convert::{RowExt, db_err, opt_us, us};
use crate::dossier::push_reach;
use crate::sql::SqlBuilder;
use crate::tx::DbTx;

const COLUMNS: &str = "p.id, p.code, p.agency_id, p.received_agency_id, p.channel, p.petition_kind, p.stage, p.subject, \
     p.field, p.petitioner_name, p.procedure_code, p.dossier_code, p.reraise_of, p.assignee_id, p.received_at, \
     p.clock_start, p.due_at, p.answer_due_at, p.answered_at, p.refused_at, p.published_at, p.answer_late, \
     p.search_text, p.likes, p.dislikes, p.last_seq, p.updated_at, p.portal_reference";

fn row(r: &AnyRow) -> StoreResult<PetitionRow> {
    let bad = |what: &str, v: String| StoreError::backend(format!("petitions.{what}: {v}"));
    let channel = r.text("channel")?;
    let stage = r.text("stage")?;
    Ok(PetitionRow {
        id: r.i64("id")?,
        code: r.text("code")?,
        agency_id: AgencyId(r.i64("agency_id")?),
        received_agency_id: AgencyId(r.i64("received_agency_id")?),
        channel: PetitionChannel::parse(&channel).ok_or_else(|| bad("channel", channel.clone()))?,
        petition_kind: r.opt_text("petition_kind")?.and_then(|k| PetitionKind::parse(&k)),
        stage: Stage::parse(&stage).ok_or_else(|| bad("stage", stage.clone()))?,
        subject: r.text("subject")?,
        field: r.opt_text("field")?,
        petitioner_name: r.text("petitioner_name")?,
        procedure_code: r.opt_text("procedure_code")?,
        dossier_code: r.opt_text("dossier_code")?,
        reraise_of: r.opt_text("reraise_of")?,
        assignee_id: r.opt_i64("assignee_id")?.map(UserId),
        received_at: r.ts("received_at")?,
        clock_start: r.ts("clock_start")?,
        due_at: r.opt_ts("due_at")?,
        answer_due_at: r.opt_ts("answer_due_at")?,
        answered_at: r.opt_ts("answered_at")?,
        refused_at: r.opt_ts("refused_at")?,
        published_at: r.opt_ts("published_at")?,
        answer_late: r.opt_i64("answer_late")?.map(|v| v != 0),
        search_text: r.text("search_text")?,
        likes: r.i64("likes")?,
        dislikes: r.i64("dislikes")?,
        last_seq: r.i64("last_seq")?,
        updated_at: r.ts("updated_at")?,
        portal_reference: r.opt_text("portal_reference")?,
    })
}

fn event(r: &AnyRow) -> StoreResult<StoredPetitionEvent> {
    Ok(StoredPetitionEvent {
        petition_id: r.i64("petition_id")?,
        seq: r.i64("seq")?,
        at: r.ts("at")?,
        kind: r.text("kind")?,
        actor_user_id: r.opt_i64("actor_user_id")?,
        actor_json: r.text("actor_json")?,
        body_json: r.text("body_json")?,
        prev_hash: r.text("prev_hash")?,
        hash: r.text("hash")?,
    })
}

fn push_filters(b: &mut SqlBuilder, q: &PetitionQuery) {
    b.push(" WHERE 1 = 1");
    if let Some(reach) = &q.reach {
        b.push(" AND EXISTS (SELECT 1 FROM agencies a WHERE a.id = p.agency_id AND ");
        push_reach(b, "a.path", reach);
        b.push(")");
    }
    if !q.stages.is_empty() {
        b.push(" AND p.stage IN (");
        for (i, s) in q.stages.iter().enumerate() {
            if i > 0 {
                b.push(", ");
            }
            b.bind(s.as_str());
        }
        b.push(")");
    }
    if let Some(t) = q.due_before {
        b.push(" AND p.due_at IS NOT NULL AND p.due_at <= ").bind(us(t));
    }
    if let Some(t) = q.due_after {
        b.push(" AND p.due_at IS NOT NULL AND p.due_at > ").bind(us(t));
    }
    if let Some(u) = q.assignee {
        b.push(" AND p.assignee_id = ").bind(u.0);
    }
    if let Some(f) = &q.field {
        b.push(" AND p.field = ").bind(f.clone());
    }
    for w in &q.words {
        b.push_contains("p.search_text", w);
    }
}

#[async_trait]
impl PetitionReads for Db {
    async fn petition_id_by_code(&self, code: &str) -> StoreResult<Option<i64>> {
        sqlx::query_scalar("SELECT id FROM petitions WHERE code = $1")
            .bind(code.to_owned())
            .fetch_optional(self.read_pool())
            .await
            .map_err(db_err)
    }

    async fn petition_id_by_portal_reference(&self, reference: &str) -> StoreResult<Option<i64>> {
        sqlx::query_scalar("SELECT id FROM petitions WHERE portal_reference = $1")
            .bind(reference.to_owned())
            .fetch_optional(self.read_pool())
            .await
            .map_err(db_err)
    }

    async fn petition_row(&self, id: i64) -> StoreResult<Option<PetitionRow>> {
        let r = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM petitions p WHERE p.id = $1")))
            .bind(id)
            .fetch_optional(self.read_pool())
            .await
            .map_err(db_err)?;
        r.as_ref().map(row).transpose()
    }

    async fn petition_events(&self, id: i64) -> StoreResult<Vec<StoredPetitionEvent>> {
        let rows = sqlx::query("SELECT * FROM petition_events WHERE petition_id = $1 ORDER BY seq")
            .bind(id)
            .fetch_all(self.read_pool())
            .await
            .map_err(db_err)?;
        rows.iter().map(event).collect()
    }

    async fn petitions(&self, q: &PetitionQuery) -> StoreResult<Vec<PetitionRow>> {
        let mut b = SqlBuilder::new(&format!("SELECT {COLUMNS} FROM petitions p"));
        push_filters(&mut b, q);
        b.push(" ORDER BY p.received_at DESC, p.id DESC LIMIT ").bind(q.limit.clamp(1, 500));
        b.push(" OFFSET ").bind(q.offset.max(0));
        let rows = b.build().fetch_all(self.read_pool()).await.map_err(db_err)?;
        rows.iter().map(row).collect()
    }

    async fn count_petitions(&self, q: &PetitionQuery) -> StoreResult<i64> {
        let mut b = SqlBuilder::new("SELECT COUNT(*) AS n FROM petitions p");
        push_filters(&mut b, q);
        let r = b.build().fetch_one(self.read_pool()).await.map_err(db_err)?;
        r.i64("n")
    }

    async fn petition_ids_after(&self, after: i64, limit: i64) -> StoreResult<Vec<i64>> {
        sqlx::query_scalar("SELECT id FROM petitions WHERE id > $1 ORDER BY id LIMIT $2")
            .bind(after)
            .bind(limit)
            .fetch_all(self.read_pool())
            .await
            .map_err(db_err)
    }

    async fn petition_deadlines(&self, agencies: &[AgencyId]) -> StoreResult<Vec<DatedDeadlines>> {
        if agencies.is_empty() {
            return Ok(Vec::new());
        }
        let mut b = SqlBuilder::new("SELECT * FROM petition_deadlines WHERE agency_id IN (");
        for (i, a) in agencies.iter().enumerate() {
            if i > 0 {
                b.push(", ");
            }
            b.bind(a.0);
        }
        b.push(") ORDER BY effective_from");
        let rows = b.build().fetch_all(self.read_pool()).await.map_err(db_err)?;
        let days = |r: &AnyRow, c: &str| r.i64(c).map(|v| u32::try_from(v).unwrap_or(u32::MAX));
        rows.iter()
            .map(|r| {
                Ok(DatedDeadlines {
                    agency_id: AgencyId(r.i64("agency_id")?),
                    effective_from: r.ts("effective_from")?,
                    deadlines: PetitionDeadlines {
                        refuse: days(r, "refuse")?,
                        info_request: days(r, "info_request")?,
                        answer: days(r, "answer")?,
                        publish: days(r, "publish")?,
                    },
                    updated_at: r.ts("updated_at")?,
                    updated_by: r.opt_text("updated_by")?,
                })
            })
            .collect()
    }

    async fn petition_vote(&self, petition_id: i64, voter: &str) -> StoreResult<Option<i64>> {
        sqlx::query_scalar("SELECT vote FROM petition_votes WHERE petition_id = $1 AND voter = $2")
            .bind(petition_id)
            .bind(voter.to_owned())
            .fetch_optional(self.read_pool())
            .await
            .map_err(db_err)
    }

    async fn reraised(&self, codes: &[String]) -> StoreResult<Vec<String>> {
        let mut out = Vec::new();
        for chunk in codes.chunks(200) {
            let mut b = SqlBuilder::new("SELECT DISTINCT reraise_of FROM petitions WHERE reraise_of IN (");
            for (i, c) in chunk.iter().enumerate() {
                if i > 0 {
                    b.push(", ");
                }
                b.bind(c.clone());
            }
            b.push(")");
            let rows = b.build().fetch_all(self.read_pool()).await.map_err(db_err)?;
            for r in &rows {
                out.push(r.text("reraise_of")?);
            }
        }
        Ok(out)
    }

    async fn petitions_received(&self, reach: &Reach, from: Timestamp, to: Timestamp) -> StoreResult<Vec<PetitionRow>> {
        let mut b = SqlBuilder::new(&format!(
            "SELECT {COLUMNS} FROM petitions p JOIN agencies a ON a.id = p.received_agency_id WHERE p.received_at >= "
        ));
        b.bind(us(from)).push(" AND p.received_at < ").bind(us(to)).push(" AND ");
        push_reach(&mut b, "a.path", reach);
        b.push(" ORDER BY p.id");
        let rows = b.build().fetch_all(self.read_pool()).await.map_err(db_err)?;
        rows.iter().map(row).collect()
    }
}

/// Binds the row's columns after `code` in the order of [`COLUMNS`].
fn bind_row(b: &mut SqlBuilder, p: &PetitionRow) {
    b.bind(p.agency_id.0).push(", ").bind(p.received_agency_id.0).push(", ").bind(p.channel.as_str()).push(", ");
    b.bind(p.petition_kind.map(|k| k.as_str().to_owned())).push(", ").bind(p.stage.as_str()).push(", ");
    b.bind(p.subject.clone()).push(", ").bind(p.field.clone()).push(", ").bind(p.petitioner_name.clone()).push(", ");
    b.bind(p.procedure_code.clone()).push(", ").bind(p.dossier_code.clone()).push(", ").bind(p.reraise_of.clone());
    b.push(", ").bind(p.assignee_id.map(|u| u.0)).push(", ").bind(us(p.received_at)).push(", ");
    b.bind(us(p.clock_start)).push(", ").bind(opt_us(p.due_at)).push(", ").bind(opt_us(p.answer_due_at)).push(", ");
    b.bind(opt_us(p.answered_at)).push(", ").bind(opt_us(p.refused_at)).push(", ").bind(opt_us(p.published_at));
    b.push(", ").bind(p.answer_late.map(i64::from)).push(", ").bind(p.search_text.clone()).push(", ");
    b.bind(p.last_seq).push(", ").bind(us(p.updated_at)).push(", ").bind(p.portal_reference.clone());
}

/// The columns a write sets, in the order [`bind_row`] binds them.
const WRITTEN: [&str; 24] = [
    "agency_id",
    "received_agency_id",
    "channel",
    "petition_kind",
    "stage",
    "subject",
    "field",
    "petitioner_name",
    "procedure_code",
    "dossier_code",
    "reraise_of",
    "assignee_id",
    "received_at",
    "clock_start",
    "due_at",
    "answer_due_at",
    "answered_at",
    "refused_at",
    "published_at",
    "answer_late",
    "search_text",
    "last_seq",
    "updated_at",
    "portal_reference",
];

#[async_trait]
impl PetitionWrites for DbTx {
    async fn next_petition_number(&mut self, agency: AgencyId, day: Date) -> StoreResult<u32> {
        let n: i64 = sqlx::query_scalar(
            "INSERT INTO petition_code_counters (agency_id, day, last_value) VALUES ($1, $2, 1) \
             ON CONFLICT (agency_id, day) DO UPDATE SET last_value = petition_code_counters.last_value + 1 \
             RETURNING last_value",
        )
        .bind(agency.0)
        .bind(day.to_string())
        .fetch_one(self.conn().await?)
        .await
        .map_err(db_err)?;
        u32::try_from(n).map_err(StoreError::backend)
    }

    async fn insert_petition(&mut self, p: &PetitionRow) -> StoreResult<i64> {
        let mut b = SqlBuilder::new(&format!("INSERT INTO petitions (code, {}) VALUES (", WRITTEN.join(", ")));
        b.bind(p.code.clone()).push(", ");
        bind_row(&mut b, p);
        b.push(") RETURNING id");
        let r = b.build().fetch_one(self.conn().await?).await.map_err(db_err)?;
        r.i64("id")
    }

    async fn update_petition(&mut self, p: &PetitionRow, expected_seq: i64) -> StoreResult<bool> {
        // The row's columns are rewritten whole: one tuple assignment keeps the binding order
        // of the insert.
        let mut b = SqlBuilder::new(&format!("UPDATE petitions SET ({}) = (", WRITTEN.join(", ")));
        bind_row(&mut b, p);
        b.push(") WHERE id = ").bind(p.id).push(" AND last_seq = ").bind(expected_seq);
        let done = b.build().execute(self.conn().await?).await.map_err(db_err)?;
        Ok(done.rows_affected() == 1)
    }

    async fn append_petition_event(&mut self, e: &StoredPetitionEvent) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO petition_events (petition_id, seq, at, kind, actor_user_id, actor_json, body_json, prev_hash, hash) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(e.petition_id)
        .bind(e.seq)
        .bind(us(e.at))
        .bind(e.kind.clone())
        .bind(e.actor_user_id)
        .bind(e.actor_json.clone())
        .bind(e.body_json.clone())
        .bind(e.prev_hash.clone())
        .bind(e.hash.clone())
        .execute(self.conn().await?)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn vote_petition(&mut self, petition_id: i64, voter: &str, vote: i64, at: Timestamp) -> StoreResult<bool> {
        let done = sqlx::query(
            "INSERT INTO petition_votes (petition_id, voter, vote, at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (petition_id, voter) DO NOTHING",
        )
        .bind(petition_id)
        .bind(voter.to_owned())
        .bind(vote)
        .bind(us(at))
        .execute(self.conn().await?)
        .await
        .map_err(db_err)?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        let column = if vote > 0 { "likes" } else { "dislikes" };
        sqlx::query(sqlx::AssertSqlSafe(format!("UPDATE petitions SET {column} = {column} + 1 WHERE id = $1")))
            .bind(petition_id)
            .execute(self.conn().await?)
            .await
            .map_err(db_err)?;
        Ok(true)
    }

    async fn put_petition_deadlines(&mut self, d: &DatedDeadlines) -> StoreResult<()> {
        let x = &d.deadlines;
        sqlx::query(
            "INSERT INTO petition_deadlines (agency_id, effective_from, refuse, info_request, answer, publish, updated_at, \
             updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(d.agency_id.0)
        .bind(us(d.effective_from))
        .bind(i64::from(x.refuse))
        .bind(i64::from(x.info_request))
        .bind(i64::from(x.answer))
        .bind(i64::from(x.publish))
        .bind(us(d.updated_at))
        .bind(d.updated_by.clone())
        .execute(self.conn().await?)
        .await
        .map_err(db_err)?;
        Ok(())
    }
}
