//! Notices to citizens and the outcome of their delivery.

use async_trait::async_trait;
use jiff::Timestamp;
use motcua_app::error::StoreError;
use motcua_app::ports::{CitizenNotice, NoticeReads, NoticeTemplateRecord, NoticeWrites, StoreResult};
use motcua_domain::agency::AgencyId;
use motcua_domain::citizen_notice::{NoticeChannel, NoticeKind, NoticeStatus};
use sqlx::any::AnyRow;

use crate::Db;
use crate::convert::{RowExt, db_err, opt_us, us};
use crate::tx::DbTx;

fn notice(r: &AnyRow) -> StoreResult<CitizenNotice> {
    let bad = |c: &str, v: String| StoreError::backend(format!("citizen_notices.{c}: {v}"));
    let (kind, channel, status) = (r.text("kind")?, r.text("channel")?, r.text("status")?);
    Ok(CitizenNotice {
        id: r.i64("id")?,
        kind: NoticeKind::parse(&kind).ok_or_else(|| bad("kind", kind.clone()))?,
        channel: NoticeChannel::parse(&channel).ok_or_else(|| bad("channel", channel.clone()))?,
        recipient: r.text("recipient")?,
        petition_id: r.opt_i64("petition_id")?,
        dossier_id: r.opt_i64("dossier_id")?,
        agency_id: AgencyId(r.i64("agency_id")?),
        reference: r.text("reference")?,
        subject: r.text("subject")?,
        body: r.text("body")?,
        status: NoticeStatus::parse(&status).ok_or_else(|| bad("status", status.clone()))?,
        attempts: r.i64("attempts")?,
        last_error: r.opt_text("last_error")?,
        created_at: r.ts("created_at")?,
        sent_at: r.opt_ts("sent_at")?,
    })
}

fn template(r: &AnyRow) -> StoreResult<NoticeTemplateRecord> {
    let kind = r.text("kind")?;
    Ok(NoticeTemplateRecord {
        agency_id: AgencyId(r.i64("agency_id")?),
        kind: NoticeKind::parse(&kind)
            .ok_or_else(|| StoreError::backend(format!("citizen_notice_templates.kind: {kind}")))?,
        subject: r.text("subject")?,
        body: r.text("body")?,
        version: r.i64("version")?,
        updated_by: r.text("updated_by")?,
        updated_at: r.ts("updated_at")?,
    })
}

#[async_trait]
impl NoticeReads for Db {
    async fn notice_templates(&self, agencies: &[AgencyId]) -> StoreResult<Vec<NoticeTemplateRecord>> {
        if agencies.is_empty() {
            return Ok(Vec::new());
        }
        let mut b = crate::sql::SqlBuilder::new("SELECT * FROM citizen_notice_templates WHERE agency_id IN (");
        for (i, a) in agencies.iter().enumerate() {
            if i > 0 {
                b.push(", ");
            }
            b.bind(a.0);
        }
        b.push(") ORDER BY agency_id, kind");
        let rows = b.build().fetch_all(self.read_pool()).await.map_err(db_err)?;
        rows.iter().map(template).collect()
    }

    async fn citizen_notice(&self, id: i64) -> StoreResult<Option<CitizenNotice>> {
        let r = sqlx::query("SELECT * FROM citizen_notices WHERE id = $1")
            .bind(id)
            .fetch_optional(self.read_pool())
            .await
            .map_err(db_err)?;
        r.as_ref().map(notice).transpose()
    }

    async fn petition_notices(&self, petition_id: i64) -> StoreResult<Vec<CitizenNotice>> {
        let rows = sqlx::query("SELECT * FROM citizen_notices WHERE petition_id = $1 ORDER BY id")
            .bind(petition_id)
            .fetch_all(self.read_pool())
            .await
            .map_err(db_err)?;
        rows.iter().map(notice).collect()
    }

    async fn dossier_notices(&self, dossier_id: i64) -> StoreResult<Vec<CitizenNotice>> {
        let rows = sqlx::query("SELECT * FROM citizen_notices WHERE dossier_id = $1 ORDER BY id")
            .bind(dossier_id)
            .fetch_all(self.read_pool())
            .await
            .map_err(db_err)?;
        rows.iter().map(notice).collect()
    }
}

#[async_trait]
impl NoticeWrites for DbTx {
    async fn save_notice_template(
        &mut self,
        t: &NoticeTemplateRecord,
        expected_version: Option<i64>,
    ) -> StoreResult<Option<i64>> {
        match expected_version {
            None => sqlx::query_scalar(
                "INSERT INTO citizen_notice_templates (agency_id, kind, subject, body, version, updated_by, updated_at) \
                 VALUES ($1, $2, $3, $4, 1, $5, $6) ON CONFLICT (agency_id, kind) DO NOTHING RETURNING version",
            )
            .bind(t.agency_id.0)
            .bind(t.kind.as_str())
            .bind(t.subject.clone())
            .bind(t.body.clone())
            .bind(t.updated_by.clone())
            .bind(us(t.updated_at))
            .fetch_optional(self.conn().await?)
            .await
            .map_err(db_err),
            Some(v) => sqlx::query_scalar(
                "UPDATE citizen_notice_templates SET subject = $1, body = $2, version = version + 1, updated_by = $3, \
                 updated_at = $4 WHERE agency_id = $5 AND kind = $6 AND version = $7 RETURNING version",
            )
            .bind(t.subject.clone())
            .bind(t.body.clone())
            .bind(t.updated_by.clone())
            .bind(us(t.updated_at))
            .bind(t.agency_id.0)
            .bind(t.kind.as_str())
            .bind(v)
            .fetch_optional(self.conn().await?)
            .await
            .map_err(db_err),
        }
    }

    async fn delete_notice_template(
        &mut self,
        agency: AgencyId,
        kind: NoticeKind,
        expected_version: i64,
    ) -> StoreResult<bool> {
        let n = sqlx::query("DELETE FROM citizen_notice_templates WHERE agency_id = $1 AND kind = $2 AND version = $3")
            .bind(agency.0)
            .bind(kind.as_str())
            .bind(expected_version)
            .execute(self.conn().await?)
            .await
            .map_err(db_err)?;
        Ok(n.rows_affected() == 1)
    }

    async fn insert_notice(&mut self, n: &CitizenNotice) -> StoreResult<i64> {
        sqlx::query_scalar(
            "INSERT INTO citizen_notices (kind, channel, recipient, petition_id, dossier_id, agency_id, reference, subject, \
             body, status, attempts, last_error, created_at, sent_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
        )
        .bind(n.kind.as_str())
        .bind(n.channel.as_str())
        .bind(n.recipient.clone())
        .bind(n.petition_id)
        .bind(n.dossier_id)
        .bind(n.agency_id.0)
        .bind(n.reference.clone())
        .bind(n.subject.clone())
        .bind(n.body.clone())
        .bind(n.status.as_str())
        .bind(n.attempts)
        .bind(n.last_error.clone())
        .bind(us(n.created_at))
        .bind(opt_us(n.sent_at))
        .fetch_one(self.conn().await?)
        .await
        .map_err(db_err)
    }

    async fn record_notice_attempt(
        &mut self,
        id: i64,
        status: NoticeStatus,
        error: Option<&str>,
        at: Timestamp,
    ) -> StoreResult<()> {
        let sent = (status == NoticeStatus::Sent).then_some(us(at));
        sqlx::query(
            "UPDATE citizen_notices SET status = $1, attempts = attempts + 1, last_error = $2, \
             sent_at = COALESCE($3, sent_at) WHERE id = $4",
        )
        .bind(status.as_str())
        .bind(error.map(str::to_owned))
        .bind(sent)
        .bind(id)
        .execute(self.conn().await?)
        .await
        .map_err(db_err)?;
        Ok(())
    }
}
