use async_trait::async_trait;
use jiff::Timestamp;

use motcua_domain::agency::AgencyId;
use motcua_domain::citizen_notice::{NoticeChannel, NoticeKind, NoticeStatus};

use super::StoreResult;

/// A notice to a citizen, as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CitizenNotice {
    pub id: i64,
    pub kind: NoticeKind,
    pub channel: NoticeChannel,
    /// The e-mail address or phone number.
    pub recipient: String,
    pub petition_id: Option<i64>,
    pub dossier_id: Option<i64>,
    pub agency_id: AgencyId,
    /// The petition's (or dossier's) code.
    pub reference: String,
    pub subject: String,
    pub body: String,
    pub status: NoticeStatus,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: Timestamp,
    pub sent_at: Option<Timestamp>,
}

/// An agency's own wording of one kind of notice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeTemplateRecord {
    pub agency_id: AgencyId,
    pub kind: NoticeKind,
    pub subject: String,
    pub body: String,
    pub version: i64,
    pub updated_by: String,
    pub updated_at: Timestamp,
}

/// What the SMS/Zalo gateway's webhook receives (JSON).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct WebhookMessage {
    /// The notice's id: the gateway drops a repeat (a retry after a lost answer).
    pub id: i64,
    pub kind: String,
    pub to: String,
    pub text: String,
    pub reference: String,
}

/// The SMS/Zalo gateway behind a configurable HTTP webhook (implemented outside the use cases).
#[async_trait]
pub trait NoticeWebhook: Send + Sync + 'static {
    /// Posts one message, signed and stamped `now`; an error is retried by the job that sends it.
    async fn deliver(&self, message: &WebhookMessage, now: Timestamp) -> anyhow::Result<()>;
}

#[async_trait]
pub trait NoticeReads {
    async fn citizen_notice(&self, id: i64) -> StoreResult<Option<CitizenNotice>>;
    /// A petition's notices, oldest first.
    async fn petition_notices(&self, petition_id: i64) -> StoreResult<Vec<CitizenNotice>>;
    /// A dossier's notices, oldest first.
    async fn dossier_notices(&self, dossier_id: i64) -> StoreResult<Vec<CitizenNotice>>;
    /// The wording these agencies set for themselves.
    async fn notice_templates(&self, agencies: &[AgencyId]) -> StoreResult<Vec<NoticeTemplateRecord>>;
}

#[async_trait]
pub trait NoticeWrites {
    /// Records a queued notice (its `id` ignored); the new id.
    async fn insert_notice(&mut self, n: &CitizenNotice) -> StoreResult<i64>;
    /// Creates (`expected_version` `None`) or replaces an agency's wording of a kind; the new
    /// version, or `None` when one exists already (create) or the version moved (replace).
    async fn save_notice_template(
        &mut self,
        t: &NoticeTemplateRecord,
        expected_version: Option<i64>,
    ) -> StoreResult<Option<i64>>;
    /// Removes an agency's wording of a kind (back to what it inherits); `false` if the version moved.
    async fn delete_notice_template(
        &mut self,
        agency: AgencyId,
        kind: NoticeKind,
        expected_version: i64,
    ) -> StoreResult<bool>;
    /// Records one attempt's outcome.
    async fn record_notice_attempt(
        &mut self,
        id: i64,
        status: NoticeStatus,
        error: Option<&str>,
        at: Timestamp,
    ) -> StoreResult<()>;
}
