//! Notifications to officials (thông báo): each person's list in the application, e-mail
//! through the outbox, the reminder and escalation scan, and the wording administrators edit.

mod mail;
mod reminders;
pub mod templates;

pub(crate) use mail::enqueue_mail;
pub use mail::{MailPayload, NotificationMailJob};
pub use reminders::{ReminderScanJob, ScanSummary};
pub use templates::{NotificationTemplate, TemplateContext, VARIABLES};

use std::sync::Arc;

use motcua_domain::account::Principal;

use crate::core::Core;
use crate::error::AppError;
use crate::ports::{NotificationFilter, NotificationRecord};

/// Officials' notifications, their e-mail, reminders and wording.
#[derive(Clone)]
pub struct Notifications {
    pub(crate) core: Arc<Core>,
    mail: Option<Arc<dyn crate::ports::MailSender>>,
}

impl Notifications {
    pub(crate) fn new(core: Arc<Core>, mail: Option<Arc<dyn crate::ports::MailSender>>) -> Self {
        Self { core, mail }
    }

    pub(crate) fn mail_sender(&self) -> Option<Arc<dyn crate::ports::MailSender>> {
        self.mail.clone()
    }

    /// Whether `address` can be mailed (mail configured and the address one it takes).
    pub(crate) fn can_mail(&self, address: Option<&str>) -> bool {
        self.mail.as_ref().is_some_and(|m| address.is_some_and(|a| m.accepts(a)))
    }
}

/// The kind of the notification that tells administrators a hash chain broke (raised by
/// `crate::integrity`; the reminder kinds are the domain's `NotificationKind`).
pub const INTEGRITY_ALERT_KIND: &str = "integrity_alert";

/// The label of a stored notification's kind: a reminder's, or the integrity alert's.
pub fn kind_label_vi(kind: &str) -> &'static str {
    match motcua_domain::notification::NotificationKind::parse(kind) {
        Some(k) => k.label_vi(),
        None if kind == INTEGRITY_ALERT_KIND => "Cảnh báo toàn vẹn dữ liệu",
        None => "",
    }
}

/// One page of a person's notifications.
#[derive(Debug, Clone)]
pub struct NotificationPage {
    pub items: Vec<NotificationRecord>,
    pub unread: i64,
    /// Pass as `before` for the next page.
    pub next_before: Option<i64>,
}

impl Notifications {
    /// The signed-in person's own notifications, newest first. Nobody reads another's list.
    pub async fn my_notifications(
        &self,
        principal: &Principal,
        unread_only: bool,
        before: Option<i64>,
        limit: Option<i64>,
    ) -> Result<NotificationPage, AppError> {
        let limit = limit.unwrap_or(50).clamp(1, 200);
        let items = self
            .core
            .store
            .notifications(principal.user_id, &NotificationFilter { unread_only, before_id: before, limit })
            .await?;
        let next_before = (items.len() as i64 == limit).then(|| items.last().map(|n| n.id)).flatten();
        let unread = self.core.store.count_unread_notifications(principal.user_id).await?;
        Ok(NotificationPage { items, unread, next_before })
    }

    pub async fn unread_notifications(&self, principal: &Principal) -> Result<i64, AppError> {
        Ok(self.core.store.count_unread_notifications(principal.user_id).await?)
    }

    /// Marks one of the person's notifications read and returns it, read (for its link). Another
    /// person's notification is "not found", as if it did not exist.
    pub async fn read_notification(&self, principal: &Principal, id: i64) -> Result<NotificationRecord, AppError> {
        let n = self
            .core
            .store
            .notification(id)
            .await?
            .filter(|n| n.user_id == principal.user_id)
            .ok_or(AppError::NotFound("thông báo"))?;
        if n.read_at.is_some() {
            return Ok(n);
        }
        let now = self.core.now();
        let mut tx = self.core.store.begin().await?;
        tx.mark_notification_read(principal.user_id, id, now).await?;
        tx.commit().await?;
        Ok(NotificationRecord { read_at: Some(now), ..n })
    }

    pub async fn read_all_notifications(&self, principal: &Principal) -> Result<u64, AppError> {
        let mut tx = self.core.store.begin().await?;
        let n = tx.mark_all_notifications_read(principal.user_id, self.core.now()).await?;
        tx.commit().await?;
        Ok(n)
    }
}
