//! Notices to citizens and the outcome of their delivery.

use async_trait::async_trait;
use jiff::Timestamp;
use motcua_app::error::StoreError;
use motcua_app::ports::{CitizenNotice, NoticeReads, NoticeWrites, StoreResult};
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

#[async_trait]
impl NoticeReads for Db {
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
