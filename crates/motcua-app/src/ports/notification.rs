use async_trait::async_trait;
use jiff::Timestamp;
use motcua_domain::account::{Role, UserId};
use motcua_domain::agency::AgencyId;
use serde::Serialize;

use super::{DossierRow, StoreResult};

/// A notification as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NotificationRecord {
    pub id: i64,
    pub user_id: UserId,
    pub kind: String,
    pub dossier_id: Option<i64>,
    pub subject: String,
    pub body: String,
    pub link: String,
    pub dedup_key: String,
    pub created_at: Timestamp,
    pub read_at: Option<Timestamp>,
    pub mailed_to: Option<String>,
    pub mailed_at: Option<Timestamp>,
}

#[derive(Debug, Clone)]
pub struct NewNotification {
    pub user_id: UserId,
    pub kind: String,
    pub dossier_id: Option<i64>,
    pub subject: String,
    pub body: String,
    pub link: String,
    pub dedup_key: String,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, Default)]
pub struct NotificationFilter {
    pub unread_only: bool,
    /// Keyset pagination: only notifications with `id` below this (newest first).
    pub before_id: Option<i64>,
    pub limit: i64,
}

/// An administrator's wording of one notification kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NotificationTemplateRecord {
    pub kind: String,
    pub subject: String,
    pub body: String,
    pub version: i64,
    pub updated_by: String,
    pub updated_at: Timestamp,
}

/// Someone a notification goes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    pub user_id: UserId,
    pub full_name: String,
    pub email: Option<String>,
}

#[async_trait]
pub trait NotificationReads {
    async fn notifications(&self, user: UserId, filter: &NotificationFilter) -> StoreResult<Vec<NotificationRecord>>;
    async fn notification(&self, id: i64) -> StoreResult<Option<NotificationRecord>>;
    async fn count_unread_notifications(&self, user: UserId) -> StoreResult<i64>;
    async fn notification_templates(&self) -> StoreResult<Vec<NotificationTemplateRecord>>;
    /// Active users holding `role` on one of `agencies` (the grant's own agency), each once.
    async fn role_holders(&self, agencies: &[AgencyId], role: Role) -> StoreResult<Vec<Recipient>>;
    /// The occasions (`dedup_key`) already notified, to anyone, about these dossiers.
    async fn notified_occasions(&self, dossier_ids: &[i64]) -> StoreResult<Vec<String>>;
    /// Open dossiers (not refused, stopped or returned) whose current step is due at or before
    /// `step_due_before` or whose appointment is at or before `appointment_before`, by id above
    /// `after_id`, ascending.
    async fn reminder_candidates(
        &self,
        step_due_before: Timestamp,
        appointment_before: Timestamp,
        after_id: i64,
        limit: i64,
    ) -> StoreResult<Vec<DossierRow>>;
}

#[async_trait]
pub trait NotificationWrites {
    /// Adds a notification; `None` when that person already has one for the occasion.
    async fn insert_notification(&mut self, n: &NewNotification) -> StoreResult<Option<i64>>;
    /// Marks one of `user`'s notifications read; `false` if it is not theirs or already read.
    async fn mark_notification_read(&mut self, user: UserId, id: i64, now: Timestamp) -> StoreResult<bool>;
    async fn mark_all_notifications_read(&mut self, user: UserId, now: Timestamp) -> StoreResult<u64>;
    async fn mark_notification_mailed(&mut self, id: i64, to: &str, now: Timestamp) -> StoreResult<()>;
    /// Creates (`expected_version` `None`) or replaces a template; the new version, or `None`
    /// when one exists already (create) or the version moved (replace).
    async fn save_notification_template(
        &mut self,
        t: &NotificationTemplateRecord,
        expected_version: Option<i64>,
    ) -> StoreResult<Option<i64>>;
    async fn delete_notification_template(&mut self, kind: &str, expected_version: i64) -> StoreResult<bool>;
}
