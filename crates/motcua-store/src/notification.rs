//! Notifications, their templates, and the two reads the reminder scan needs.

use async_trait::async_trait;
use jiff::Timestamp;
use motcua_app::ports::{
    DossierRow, NewNotification, NotificationFilter, NotificationReads, NotificationRecord, NotificationTemplateRecord,
    NotificationWrites, Recipient, StoreResult,
};
use motcua_domain::account::{Role, UserId};
use motcua_domain::agency::AgencyId;
use sqlx::any::AnyRow;

use crate::Db;
use crate::convert::{RowExt, db_err, us};
use crate::sql::SqlBuilder;
use crate::tx::DbTx;

fn notification_from(r: &AnyRow) -> StoreResult<NotificationRecord> {
    Ok(NotificationRecord {
        id: r.i64("id")?,
        user_id: UserId(r.i64("user_id")?),
        kind: r.text("kind")?,
        dossier_id: r.opt_i64("dossier_id")?,
        subject: r.text("subject")?,
        body: r.text("body")?,
        link: r.text("link")?,
        dedup_key: r.text("dedup_key")?,
        created_at: r.ts("created_at")?,
        read_at: r.opt_ts("read_at")?,
        mailed_to: r.opt_text("mailed_to")?,
        mailed_at: r.opt_ts("mailed_at")?,
    })
}

fn template_from(r: &AnyRow) -> StoreResult<NotificationTemplateRecord> {
    Ok(NotificationTemplateRecord {
        kind: r.text("kind")?,
        subject: r.text("subject")?,
        body: r.text("body")?,
        version: r.i64("version")?,
        updated_by: r.text("updated_by")?,
        updated_at: r.ts("updated_at")?,
    })
}

/// `$a, $b, …` binding each value.
fn push_list<T: Clone + Into<crate::sql::Arg>>(b: &mut SqlBuilder, values: &[T]) {
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            b.push(", ");
        }
        b.bind(v.clone());
    }
}

#[async_trait]
impl NotificationReads for Db {
    async fn notifications(&self, user: UserId, filter: &NotificationFilter) -> StoreResult<Vec<NotificationRecord>> {
        let mut b = SqlBuilder::new("SELECT * FROM notifications WHERE user_id = ");
        b.bind(user.0);
        if filter.unread_only {
            b.push(" AND read_at IS NULL");
        }
        if let Some(id) = filter.before_id {
            b.push(" AND id < ").bind(id);
        }
        b.push(" ORDER BY id DESC LIMIT ").bind(filter.limit.clamp(1, 500));
        b.build().fetch_all(self.read_pool()).await.map_err(db_err)?.iter().map(notification_from).collect()
    }

    async fn notification(&self, id: i64) -> StoreResult<Option<NotificationRecord>> {
        sqlx::query("SELECT * FROM notifications WHERE id = $1")
            .bind(id)
            .fetch_optional(self.read_pool())
            .await
            .map_err(db_err)?
            .map(|r| notification_from(&r))
            .transpose()
    }

    async fn count_unread_notifications(&self, user: UserId) -> StoreResult<i64> {
        sqlx::query_scalar("SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL")
            .bind(user.0)
            .fetch_one(self.read_pool())
            .await
            .map_err(db_err)
    }

    async fn notification_templates(&self) -> StoreResult<Vec<NotificationTemplateRecord>> {
        sqlx::query("SELECT * FROM notification_templates ORDER BY kind")
            .fetch_all(self.read_pool())
            .await
            .map_err(db_err)?
            .iter()
            .map(template_from)
            .collect()
    }

    async fn role_holders(&self, agencies: &[AgencyId], role: Role) -> StoreResult<Vec<Recipient>> {
        if agencies.is_empty() {
            return Ok(Vec::new());
        }
        let mut b = SqlBuilder::new(
            "SELECT DISTINCT u.id, u.full_name, u.email FROM grants g JOIN users u ON u.id = g.user_id WHERE u.active = ",
        );
        b.bind(true).push(" AND g.role = ").bind(role.as_str()).push(" AND g.agency_id IN (");
        push_list(&mut b, &agencies.iter().map(|a| a.0).collect::<Vec<_>>());
        b.push(") ORDER BY u.id");
        b.build()
            .fetch_all(self.read_pool())
            .await
            .map_err(db_err)?
            .iter()
            .map(|r| {
                Ok(Recipient {
                    user_id: UserId(r.i64("id")?),
                    full_name: r.text("full_name")?,
                    email: r.opt_text("email")?,
                })
            })
            .collect()
    }

    async fn notified_occasions(&self, dossier_ids: &[i64]) -> StoreResult<Vec<String>> {
        if dossier_ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut b = SqlBuilder::new("SELECT DISTINCT dedup_key FROM notifications WHERE dossier_id IN (");
        push_list(&mut b, dossier_ids);
        b.push(")");
        b.build().fetch_all(self.read_pool()).await.map_err(db_err)?.iter().map(|r| r.text("dedup_key")).collect()
    }

    async fn reminder_candidates(
        &self,
        step_due_before: Timestamp,
        appointment_before: Timestamp,
        after_id: i64,
        limit: i64,
    ) -> StoreResult<Vec<DossierRow>> {
        sqlx::query(
            "SELECT * FROM dossiers WHERE id > $1 AND status NOT IN (3, 8, 10) \
             AND (step_due_at <= $2 OR appointment_at <= $3) ORDER BY id LIMIT $4",
        )
        .bind(after_id)
        .bind(us(step_due_before))
        .bind(us(appointment_before))
        .bind(limit.clamp(1, 1000))
        .fetch_all(self.read_pool())
        .await
        .map_err(db_err)?
        .iter()
        .map(crate::dossier::row_from)
        .collect()
    }
}

#[async_trait]
impl NotificationWrites for DbTx {
    async fn insert_notification(&mut self, n: &NewNotification) -> StoreResult<Option<i64>> {
        sqlx::query_scalar(
            "INSERT INTO notifications (user_id, kind, dossier_id, subject, body, link, dedup_key, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (user_id, dedup_key) DO NOTHING RETURNING id",
        )
        .bind(n.user_id.0)
        .bind(n.kind.clone())
        .bind(n.dossier_id)
        .bind(n.subject.clone())
        .bind(n.body.clone())
        .bind(n.link.clone())
        .bind(n.dedup_key.clone())
        .bind(us(n.created_at))
        .fetch_optional(self.conn().await?)
        .await
        .map_err(db_err)
    }

    async fn mark_notification_read(&mut self, user: UserId, id: i64, now: Timestamp) -> StoreResult<bool> {
        let n = sqlx::query("UPDATE notifications SET read_at = $1 WHERE id = $2 AND user_id = $3 AND read_at IS NULL")
            .bind(us(now))
            .bind(id)
            .bind(user.0)
            .execute(self.conn().await?)
            .await
            .map_err(db_err)?
            .rows_affected();
        Ok(n == 1)
    }

    async fn mark_all_notifications_read(&mut self, user: UserId, now: Timestamp) -> StoreResult<u64> {
        Ok(sqlx::query("UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL")
            .bind(us(now))
            .bind(user.0)
            .execute(self.conn().await?)
            .await
            .map_err(db_err)?
            .rows_affected())
    }

    async fn mark_notification_mailed(&mut self, id: i64, to: &str, now: Timestamp) -> StoreResult<()> {
        sqlx::query("UPDATE notifications SET mailed_to = $1, mailed_at = $2 WHERE id = $3")
            .bind(to.to_owned())
            .bind(us(now))
            .bind(id)
            .execute(self.conn().await?)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn save_notification_template(
        &mut self,
        t: &NotificationTemplateRecord,
        expected_version: Option<i64>,
    ) -> StoreResult<Option<i64>> {
        match expected_version {
            None => sqlx::query_scalar(
                "INSERT INTO notification_templates (kind, subject, body, version, updated_by, updated_at) \
                 VALUES ($1, $2, $3, 1, $4, $5) ON CONFLICT (kind) DO NOTHING RETURNING version",
            )
            .bind(t.kind.clone())
            .bind(t.subject.clone())
            .bind(t.body.clone())
            .bind(t.updated_by.clone())
            .bind(us(t.updated_at))
            .fetch_optional(self.conn().await?)
            .await
            .map_err(db_err),
            Some(v) => sqlx::query_scalar(
                "UPDATE notification_templates SET subject = $1, body = $2, version = version + 1, updated_by = $3, \
                 updated_at = $4 WHERE kind = $5 AND version = $6 RETURNING version",
            )
            .bind(t.subject.clone())
            .bind(t.body.clone())
            .bind(t.updated_by.clone())
            .bind(us(t.updated_at))
            .bind(t.kind.clone())
            .bind(v)
            .fetch_optional(self.conn().await?)
            .await
            .map_err(db_err),
        }
    }

    async fn delete_notification_template(&mut self, kind: &str, expected_version: i64) -> StoreResult<bool> {
        let n = sqlx::query("DELETE FROM notification_templates WHERE kind = $1 AND version = $2")
            .bind(kind.to_owned())
            .bind(expected_version)
            .execute(self.conn().await?)
            .await
            .map_err(db_err)?
            .rows_affected();
        Ok(n == 1)
    }
}
