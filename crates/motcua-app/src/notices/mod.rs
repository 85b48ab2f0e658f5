//! Notices to citizens: recorded in the transaction of the change that causes them (the outbox)
//! and delivered by a job, by e-mail over SMTP or through the SMS/Zalo gateway's signed webhook,
//! retried with backoff by the job queue, each attempt's outcome kept on the notice.

use std::sync::Arc;

use async_trait::async_trait;
use jiff::Timestamp;
use motcua_domain::citizen_notice::{NoticeChannel, NoticeKind, NoticeStatus, sms_text};
use motcua_domain::dossier::{DossierEvent, DossierState};
use motcua_domain::petition::PetitionState;
use serde::{Deserialize, Serialize};

pub mod templates;

use templates::NoticeContext;
pub use templates::{CitizenNotices, NOTICE_VARIABLES, NoticeTemplate, TemplateSource, preview};

use crate::core::Core;
use crate::error::AppError;
use crate::jobs::JobHandler;
use crate::ports::{CitizenNotice, ClaimedJob, MailSender, NoticeWebhook, OutgoingMail, StoreTx, WebhookMessage};

/// Who a notice goes to and what it is about.
struct About {
    petition_id: Option<i64>,
    dossier_id: Option<i64>,
    agency_id: motcua_domain::agency::AgencyId,
    /// `(channel, address)` the citizen chose and gave.
    channels: Vec<(NoticeChannel, String)>,
}

/// The channels a citizen chose, those with an address.
fn channels(email: bool, sms: bool, address: Option<&String>, phone: Option<&String>) -> Vec<(NoticeChannel, String)> {
    let mut out = Vec::new();
    if email && let Some(m) = address {
        out.push((NoticeChannel::Email, m.clone()));
    }
    if sms && let Some(p) = phone {
        out.push((NoticeChannel::Webhook, p.clone()));
    }
    out
}

fn base(core: &Core) -> String {
    core.settings.notifications.public_url.as_deref().unwrap_or("").trim_end_matches('/').to_owned()
}

/// Renders the kind's wording and records one notice per channel, each with its delivery job.
async fn queue(
    core: &Core,
    tx: &mut dyn StoreTx,
    about: &About,
    kind: NoticeKind,
    ctx: &NoticeContext<'_>,
    now: Timestamp,
) -> Result<(), AppError> {
    let template = templates::template_for(core, about.agency_id, kind).await?;
    // A wording that no longer renders (checked when saved, so hardly ever) must not keep the
    // citizen uninformed nor undo the official's action: the built-in wording goes instead.
    let rendered = template.render(ctx).or_else(|e| {
        tracing::warn!(kind = kind.as_str(), agency = about.agency_id.0, "notice template failed: {e}");
        let (s, b) = kind.default_template();
        crate::notifications::templates::render(s, b, ctx).map_err(AppError::Validation)
    })?;
    let (subject, body) = (rendered.subject, rendered.body);
    for (channel, recipient) in &about.channels {
        let id = tx
            .insert_notice(&CitizenNotice {
                id: 0,
                kind,
                channel: *channel,
                recipient: recipient.clone(),
                petition_id: about.petition_id,
                dossier_id: about.dossier_id,
                agency_id: about.agency_id,
                reference: ctx.code.to_owned(),
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
    let p = &s.petitioner;
    let about = About {
        petition_id: Some(s.id),
        dossier_id: None,
        agency_id: s.agency.id,
        channels: channels(s.notify_email, s.notify_sms, p.email.as_ref(), p.phone.as_ref()),
    };
    if about.channels.is_empty() {
        return Ok(());
    }
    let ctx = NoticeContext {
        code: &s.code,
        subject: &s.subject,
        agency: &s.agency.name,
        due: answer_due.map(motcua_domain::time::format_datetime).unwrap_or_default(),
        text,
        link: format!("{}/phan-anh/{}", base(core), s.code),
        rating: String::new(),
    };
    queue(core, tx, &about, kind, &ctx, now).await
}

/// Records the notices a dossier's new events owe its applicant (receipt, supplement request,
/// refusal, result ready with the rating link, a later appointment with an apology), in `tx`.
pub(crate) async fn queue_for_dossier(
    core: &Core,
    tx: &mut dyn StoreTx,
    s: &DossierState,
    events: &[DossierEvent],
    now: Timestamp,
) -> Result<(), AppError> {
    let owed = motcua_domain::citizen_notice::dossier_notices(events);
    let a = &s.submission.applicant;
    let notify = s.submission.notify;
    let about = About {
        petition_id: None,
        dossier_id: Some(s.id),
        agency_id: s.submission.receiving.id,
        channels: channels(notify.email, notify.sms, a.email.as_ref(), a.phone.as_ref()),
    };
    if owed.is_empty() || about.channels.is_empty() {
        return Ok(());
    }
    let code = s.code.as_ref().map_or_else(|| format!("#{}", s.id), ToString::to_string);
    for (kind, text) in owed {
        let rating = if kind == NoticeKind::DossierResultReady {
            let token = tx.ensure_rating_link(s.id, &crate::secret::random_token("dg_"), now).await?;
            format!("{}/danh-gia/{token}", base(core))
        } else {
            String::new()
        };
        let ctx = NoticeContext {
            code: &code,
            subject: &s.submission.procedure.name,
            agency: &s.submission.receiving.name,
            due: s.appointment_at.map(motcua_domain::time::format_datetime).unwrap_or_default(),
            text: &text,
            link: format!("{}/tra-cuu?ma={code}", base(core)),
            rating,
        };
        queue(core, tx, &about, kind, &ctx, now).await?;
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
