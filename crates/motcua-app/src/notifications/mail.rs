//! E-mail over SMTP (lettre). Notifications are sent by a job enqueued in the transaction that
//! created them (the outbox), so a notification that exists is mailed, retried with backoff
//! while the mail server is down, and found in the dead letters if it never gets through.

use async_trait::async_trait;
use lettre::message::header::ContentType;
use lettre::message::{Mailbox, Message};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use motcua_domain::account::Principal;
use motcua_domain::audit::Outcome;
use serde::{Deserialize, Serialize};

use crate::context::{Actor, RequestMeta, audit_event};
use crate::error::AppError;
use crate::jobs::JobHandler;
use crate::ports::ClaimedJob;
use crate::services::{MailSettings, Services};

/// A configured SMTP connection (opened per message; reminders are not a mass mailing).
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

/// One outgoing message.
#[derive(Debug, Clone)]
pub struct OutgoingMail {
    pub to_name: String,
    pub to_address: String,
    pub subject: String,
    pub body: String,
}

impl Mailer {
    pub fn new(settings: &MailSettings) -> anyhow::Result<Self> {
        let from: Mailbox = settings
            .from
            .parse()
            .map_err(|e| anyhow::anyhow!("mail sender {:?} is not an address: {e}", settings.from))?;
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&settings.smtp_url)
            .map_err(|e| anyhow::anyhow!("SMTP address is invalid: {e}"))?
            .timeout(Some(settings.timeout))
            .build();
        Ok(Self { transport, from })
    }

    pub async fn send(&self, mail: &OutgoingMail) -> anyhow::Result<()> {
        let to = Mailbox::new(
            Some(mail.to_name.clone()),
            mail.to_address.parse().map_err(|e| anyhow::anyhow!("recipient address is invalid: {e}"))?,
        );
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject.clone())
            .header(ContentType::TEXT_PLAIN)
            .body(mail.body.clone())?;
        self.transport.send(message).await?;
        Ok(())
    }
}

/// Checks an e-mail address the way the mail builder will read it.
pub fn address_is_valid(address: &str) -> bool {
    address.parse::<lettre::Address>().is_ok()
}

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
pub struct NotificationMailJob;

impl NotificationMailJob {
    pub const KIND: &'static str = "notification.mail";
}

#[async_trait]
impl JobHandler for NotificationMailJob {
    fn kind(&self) -> &'static str {
        Self::KIND
    }

    async fn run(&self, services: &Services, job: &ClaimedJob) -> anyhow::Result<()> {
        let p: MailPayload = serde_json::from_str(&job.payload)?;
        let Some(n) = services.store.notification(p.notification_id).await? else {
            return Ok(());
        };
        if n.mailed_at.is_some() {
            return Ok(());
        }
        let Some(mailer) = services.mailer.as_ref() else {
            // Mail was turned off after the job was queued: the notification stays in the app.
            return Ok(());
        };
        let Some(user) = services.store.user(n.user_id).await? else {
            return Ok(());
        };
        let Some(address) = user.email.filter(|a| address_is_valid(a)) else {
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
        let mut tx = services.store.begin().await?;
        tx.mark_notification_mailed(n.id, &address, services.now()).await?;
        tx.commit().await?;
        metrics::counter!("motcua_mail_sent_total", "kind" => n.kind).increment(1);
        Ok(())
    }
}

impl Services {
    /// Whether e-mail is configured.
    pub fn mail_enabled(&self) -> bool {
        self.mailer.is_some()
    }

    /// Sends a test message to the administrator's own address, now, and says what happened:
    /// the quickest way to check the SMTP settings.
    pub async fn send_test_mail(&self, principal: &Principal, meta: &RequestMeta) -> Result<String, AppError> {
        let grant = motcua_domain::policy::authorize(
            principal,
            motcua_domain::policy::Permission::OperateSystem,
            motcua_domain::policy::Target::System,
        )?;
        let mailer = self.mailer.as_ref().ok_or(AppError::Conflict {
            code: "mail_disabled",
            message: "Chưa cấu hình máy chủ thư (mail.smtp_url).".into(),
            field: None,
        })?;
        let user = self.store.user(principal.user_id).await?.ok_or(AppError::NotFound("tài khoản"))?;
        let address = user.email.filter(|a| address_is_valid(a)).ok_or_else(|| {
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
                motcua_domain::time::format_datetime(self.now()),
            ),
        };
        let outcome = mailer.send(&mail).await;
        let event = audit_event(
            Actor::Official { principal, grant: Some(grant) },
            "mail.test",
            None,
            if outcome.is_ok() { Outcome::Success } else { Outcome::Failed },
            outcome.as_ref().err().map(|e| format!("{e:#}")),
            meta,
            self.now(),
        );
        self.record_audit(event, meta).await?;
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
