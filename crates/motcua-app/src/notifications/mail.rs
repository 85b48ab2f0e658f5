//! E-mail through the [`crate::ports::MailSender`] port. Notifications are sent by a job enqueued in the transaction that
//! created them (the outbox), so a notification that exists is mailed, retried with backoff
//! while the mail server is down, and found in the dead letters if it never gets through.

use async_trait::async_trait;
use motcua_domain::account::Principal;
use motcua_domain::audit::Outcome;
use serde::{Deserialize, Serialize};

use crate::context::{Actor, RequestMeta};
use crate::error::AppError;
use crate::jobs::JobHandler;
use crate::ports::{ClaimedJob, OutgoingMail};

use super::Notifications;

#[derive(Debug, Serialize, Deserialize)]
pub struct MailPayload {
    pub notification_id: i64,
}

/// Queues the e-mail of a notification, in the transaction that records it.
pub(crate) async fn enqueue_mail(
    tx: &mut dyn crate::ports::StoreTx,
    notification_id: i64,
    now: jiff::Timestamp,
) -> Result<(), crate::error::AppError> {
    let job = crate::jobs::new_job(
        NotificationMailJob::KIND,
        &MailPayload { notification_id },
        now,
        8,
        Some(format!("mail:{notification_id}")),
    )?;
    tx.enqueue_job(&job, now).await?;
    Ok(())
}

/// Sends one notification by e-mail. Idempotent: a notification already mailed is not sent
/// again (a worker dying between the send and the record may still send it twice: SMTP has
/// no exactly-once).
pub struct NotificationMailJob {
    notifications: super::Notifications,
}

impl NotificationMailJob {
    pub(crate) fn new(notifications: super::Notifications) -> Self {
        Self { notifications }
    }

    pub const KIND: &'static str = "notification.mail";
}

#[async_trait]
impl JobHandler for NotificationMailJob {
    fn kind(&self) -> &'static str {
        Self::KIND
    }

    async fn run(&self, job: &ClaimedJob) -> anyhow::Result<()> {
        let services = &self.notifications;
        let p: MailPayload = serde_json::from_str(&job.payload)?;
        let Some(n) = services.core.store.notification(p.notification_id).await? else {
            return Ok(());
        };
        if n.mailed_at.is_some() {
            return Ok(());
        }
        let Some(mailer) = services.mail.as_ref() else {
            // Mail was turned off after the job was queued: the notification stays in the app.
            return Ok(());
        };
        let Some(user) = services.core.store.user(n.user_id).await? else {
            return Ok(());
        };
        let Some(address) = user.email.filter(|a| mailer.accepts(a)) else {
            return Ok(());
        };
        mailer
            .send(&OutgoingMail {
                to_name: user.full_name.clone(),
                to_address: address.clone(),
                subject: n.subject.clone(),
                body: n.body.clone(),
            })
            .await?;
        let mut tx = services.core.store.begin().await?;
        tx.mark_notification_mailed(n.id, &address, services.core.now()).await?;
        tx.commit().await?;
        metrics::counter!("motcua_mail_sent_total", "kind" => n.kind).increment(1);
        Ok(())
    }
}

impl Notifications {
    /// Whether e-mail is configured.
    pub fn mail_enabled(&self) -> bool {
        self.mail.is_some()
    }

    /// Sends a test message to the administrator's own address, now, and says what happened:
    /// the quickest way to check the SMTP settings.
    pub async fn send_test_mail(&self, principal: &Principal, meta: &RequestMeta) -> Result<String, AppError> {
        let grant = motcua_domain::policy::authorize(
            principal,
            motcua_domain::policy::Permission::OperateSystem,
            motcua_domain::policy::Target::System,
        )?;
        let mailer = self.mail.as_ref().ok_or(AppError::Conflict {
            code: "mail_disabled",
            message: "Chưa cấu hình máy chủ thư (mail.smtp_url).".into(),
            field: None,
        })?;
        let user = self.core.store.user(principal.user_id).await?.ok_or(AppError::NotFound("tài khoản"))?;
        let address = user.email.filter(|a| mailer.accepts(a)).ok_or_else(|| {
            AppError::field("email", "required", "Tài khoản của bạn chưa có địa chỉ thư điện tử hợp lệ.")
        })?;
        let mail = OutgoingMail {
            to_name: user.full_name.clone(),
            to_address: address.clone(),
            subject: "[Một cửa] Thư thử cấu hình máy chủ thư".into(),
            body: format!(
                "Kính gửi {},\n\nĐây là thư thử do {} gửi lúc {}. Nếu bạn nhận được thư này, cấu hình máy chủ thư đã đúng.\n",
                user.full_name,
                principal.username.as_str(),
                motcua_domain::time::format_datetime(self.core.now()),
            ),
        };
        let outcome = mailer.send(&mail).await;
        let event = Actor::Official { principal, grant: Some(grant) }
            .did("mail.test")
            .outcome(if outcome.is_ok() { Outcome::Success } else { Outcome::Failed })
            .detail_opt(outcome.as_ref().err().map(|e| format!("{e:#}")))
            .event(meta, self.core.now());
        self.core.record_audit(event, meta).await?;
        match outcome {
            Ok(()) => Ok(address),
            Err(e) => Err(AppError::Conflict {
                code: "mail_failed",
                message: format!("Không gửi được thư: {e:#}"),
                field: None,
            }),
        }
    }
}
