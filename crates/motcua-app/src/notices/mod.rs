//! Notices to citizens: recorded in the transaction of the change that causes them (the outbox)
//! and delivered by a job, by e-mail over SMTP or through the SMS/Zalo gateway's signed webhook,
//! retried with backoff by the job queue, each attempt's outcome kept on the notice.

use std::sync::Arc;

use async_trait::async_trait;
use jiff::Timestamp;
use minijinja::{Environment, UndefinedBehavior};
use motcua_domain::citizen_notice::{NoticeChannel, NoticeKind, NoticeStatus, sms_text};
use motcua_domain::petition::PetitionState;
use serde::{Deserialize, Serialize};

use crate::core::Core;
use crate::error::AppError;
use crate::jobs::JobHandler;
use crate::ports::{CitizenNotice, ClaimedJob, MailSender, NoticeWebhook, OutgoingMail, StoreTx, WebhookMessage};

/// What a notice's template is filled with.
#[derive(Debug, Clone, Serialize)]
struct Context<'a> {
    code: &'a str,
    subject: &'a str,
    agency: &'a str,
    due: String,
    text: &'a str,
    link: String,
}

fn render(template: &str, ctx: &Context<'_>) -> Result<String, AppError> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.render_str(template, minijinja::value::Serde(ctx))
        .map_err(|e| AppError::Internal(anyhow::anyhow!("notice template: {e}")))
}

/// Records the notices of a petition's change for the channels its petitioner chose (and has
/// an address for), each with its delivery job, in `tx`.
pub(crate) async fn queue_for_petition(
    core: &Core,
    tx: &mut dyn StoreTx,
    s: &PetitionState,
    kind: NoticeKind,
    text: &str,
    answer_due: Option<Timestamp>,
    now: Timestamp,
) -> Result<(), AppError> {
    let mut channels = Vec::new();
    if s.notify_email
        && let Some(m) = &s.petitioner.email
    {
        channels.push((NoticeChannel::Email, m.clone()));
    }
    if s.notify_sms
        && let Some(p) = &s.petitioner.phone
    {
        channels.push((NoticeChannel::Webhook, p.clone()));
    }
    if channels.is_empty() {
        return Ok(());
    }
    let base = core.settings.notifications.public_url.as_deref().unwrap_or("").trim_end_matches('/');
    let ctx = Context {
        code: &s.code,
        subject: &s.subject,
        agency: &s.agency.name,
        due: answer_due.map(motcua_domain::time::format_datetime).unwrap_or_default(),
        text,
        link: format!("{base}/phan-anh/{}", s.code),
    };
    let (subject, body) = kind.default_template();
    let subject = render(subject, &ctx)?;
    let body = render(body, &ctx)?;
    for (channel, recipient) in channels {
        let id = tx
            .insert_notice(&CitizenNotice {
                id: 0,
                kind,
                channel,
                recipient,
                petition_id: Some(s.id),
                agency_id: s.agency.id,
                reference: s.code.clone(),
                subject: subject.clone(),
                body: body.clone(),
                status: NoticeStatus::Queued,
                attempts: 0,
                last_error: None,
                created_at: now,
                sent_at: None,
            })
            .await?;
        let job = crate::jobs::new_job(
            CitizenNoticeJob::KIND,
            &Payload { notice_id: id },
            now,
            8,
            Some(format!("notice:{id}")),
        )?;
        tx.enqueue_job(&job, now).await?;
    }
    Ok(())
}

#[derive(Debug, Serialize, Deserialize)]
struct Payload {
    notice_id: i64,
}

/// Delivers one notice. A notice already sent is not sent again; a failed attempt is recorded
/// and the job retried with backoff; a channel this installation has not configured leaves the
/// notice kept and marked as not sent.
pub struct CitizenNoticeJob {
    core: Arc<Core>,
    mail: Option<Arc<dyn MailSender>>,
    webhook: Option<Arc<dyn NoticeWebhook>>,
}

impl CitizenNoticeJob {
    pub const KIND: &'static str = "citizen_notice.deliver";

    pub(crate) fn new(
        core: Arc<Core>,
        mail: Option<Arc<dyn MailSender>>,
        webhook: Option<Arc<dyn NoticeWebhook>>,
    ) -> Self {
        Self { core, mail, webhook }
    }

    async fn record(&self, id: i64, status: NoticeStatus, error: Option<&str>) -> anyhow::Result<()> {
        let mut tx = self.core.store.begin().await?;
        tx.record_notice_attempt(id, status, error, self.core.now()).await?;
        tx.commit().await?;
        Ok(())
    }
}

#[async_trait]
impl JobHandler for CitizenNoticeJob {
    fn kind(&self) -> &'static str {
        Self::KIND
    }

    async fn run(&self, job: &ClaimedJob) -> anyhow::Result<()> {
        let p: Payload = serde_json::from_str(&job.payload)?;
        let Some(n) = self.core.store.citizen_notice(p.notice_id).await? else { return Ok(()) };
        if n.status == NoticeStatus::Sent {
            return Ok(());
        }
        let outcome = match n.channel {
            NoticeChannel::Email => match self.mail.as_ref().filter(|m| m.accepts(&n.recipient)) {
                None => return self.record(n.id, NoticeStatus::Skipped, None).await,
                Some(m) => {
                    m.send(&OutgoingMail {
                        to_name: String::new(),
                        to_address: n.recipient.clone(),
                        subject: n.subject.clone(),
                        body: n.body.clone(),
                    })
                    .await
                }
            },
            NoticeChannel::Webhook => match self.webhook.as_ref() {
                None => return self.record(n.id, NoticeStatus::Skipped, None).await,
                Some(w) => {
                    w.deliver(
                        &WebhookMessage {
                            id: n.id,
                            kind: n.kind.as_str().to_owned(),
                            to: n.recipient.clone(),
                            text: sms_text(&n.body).to_owned(),
                            reference: n.reference.clone(),
                        },
                        self.core.now(),
                    )
                    .await
                }
            },
        };
        match outcome {
            Ok(()) => {
                self.record(n.id, NoticeStatus::Sent, None).await?;
                metrics::counter!("motcua_citizen_notices_sent_total", "channel" => n.channel.as_str()).increment(1);
                Ok(())
            }
            Err(e) => {
                // The last attempt leaves the notice failed; earlier ones queued for the retry.
                let last = job.attempt >= job.max_attempts;
                let status = if last { NoticeStatus::Failed } else { NoticeStatus::Queued };
                self.record(n.id, status, Some(&format!("{e:#}"))).await?;
                Err(e)
            }
        }
    }
}
