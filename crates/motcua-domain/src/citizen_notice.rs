//! Notices to citizens about their petitions (and, later, their dossiers): by e-mail, or by SMS
//! or Zalo through the province's gateway behind an HTTP webhook. What a notice is about, the
//! channels, the built-in wording, and the webhook's signature.

use hmac::{KeyInit, Mac};
use serde::{Deserialize, Serialize};

type HmacSha256 = hmac::Hmac<sha2_mac::Sha256>;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    PetitionReceived,
    PetitionInfoRequested,
    PetitionAnswered,
    PetitionRefused,
    DossierReceived,
    DossierSupplementRequested,
    DossierRefused,
    /// The result is issued and waits for the applicant (with the rating link).
    DossierResultReady,
    /// The appointment is moved with an apology (form 04).
    DossierLate,
}

impl NoticeKind {
    pub const ALL: [NoticeKind; 9] = [
        NoticeKind::PetitionReceived,
        NoticeKind::PetitionInfoRequested,
        NoticeKind::PetitionAnswered,
        NoticeKind::PetitionRefused,
        NoticeKind::DossierReceived,
        NoticeKind::DossierSupplementRequested,
        NoticeKind::DossierRefused,
        NoticeKind::DossierResultReady,
        NoticeKind::DossierLate,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            NoticeKind::PetitionReceived => "petition_received",
            NoticeKind::PetitionInfoRequested => "petition_info_requested",
            NoticeKind::PetitionAnswered => "petition_answered",
            NoticeKind::PetitionRefused => "petition_refused",
            NoticeKind::DossierReceived => "dossier_received",
            NoticeKind::DossierSupplementRequested => "dossier_supplement_requested",
            NoticeKind::DossierRefused => "dossier_refused",
            NoticeKind::DossierResultReady => "dossier_result_ready",
            NoticeKind::DossierLate => "dossier_late",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            NoticeKind::PetitionReceived => "Đã tiếp nhận phản ánh, kiến nghị",
            NoticeKind::PetitionInfoRequested => "Đề nghị bổ sung thông tin",
            NoticeKind::PetitionAnswered => "Đã có trả lời",
            NoticeKind::PetitionRefused => "Từ chối tiếp nhận",
            NoticeKind::DossierReceived => "Đã tiếp nhận hồ sơ",
            NoticeKind::DossierSupplementRequested => "Yêu cầu bổ sung hồ sơ",
            NoticeKind::DossierRefused => "Từ chối hồ sơ",
            NoticeKind::DossierResultReady => "Đã có kết quả",
            NoticeKind::DossierLate => "Xin lỗi, hẹn lại ngày trả kết quả",
        }
    }

    pub fn parse(s: &str) -> Option<NoticeKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The built-in subject and body (MiniJinja; variables: `code`, `subject` (the petition's
    /// subject or the procedure's name), `agency`, `due` (the answer's deadline or the
    /// appointment), `text`, `link`, `rating` (a dossier's rating page, else empty)). The SMS text
    /// is the body's first paragraph.
    pub fn default_template(self) -> (&'static str, &'static str) {
        match self {
            NoticeKind::PetitionReceived => (
                "[Một cửa] Đã tiếp nhận phản ánh, kiến nghị {{ code }}",
                "{{ agency }} đã tiếp nhận phản ánh, kiến nghị \"{{ subject }}\" của ông/bà, mã {{ code }}; hạn trả lời chậm nhất {{ due }}.\n\nTra cứu tình trạng: {{ link }}",
            ),
            NoticeKind::PetitionInfoRequested => (
                "[Một cửa] Đề nghị bổ sung thông tin cho phản ánh, kiến nghị {{ code }}",
                "{{ agency }} đề nghị ông/bà bổ sung thông tin cho phản ánh, kiến nghị {{ code }}: {{ text }}\n\nThời hạn trả lời tạm dừng đến khi nhận được thông tin. Tra cứu: {{ link }}",
            ),
            NoticeKind::PetitionAnswered => (
                "[Một cửa] Trả lời phản ánh, kiến nghị {{ code }}",
                "{{ agency }} đã trả lời phản ánh, kiến nghị {{ code }} của ông/bà.\n\n{{ text }}\n\nXem trả lời: {{ link }}",
            ),
            NoticeKind::PetitionRefused => (
                "[Một cửa] Phản ánh, kiến nghị {{ code }} không được tiếp nhận",
                "{{ agency }} không tiếp nhận phản ánh, kiến nghị {{ code }} của ông/bà. Lý do: {{ text }}\n\nTra cứu: {{ link }}",
            ),
            NoticeKind::DossierReceived => (
                "[Một cửa] Đã tiếp nhận hồ sơ {{ code }}",
                "{{ agency }} đã tiếp nhận hồ sơ {{ code }} ({{ subject }}); hẹn trả kết quả {{ due }}.\n\nTra cứu tiến độ: {{ link }}",
            ),
            NoticeKind::DossierSupplementRequested => (
                "[Một cửa] Yêu cầu bổ sung hồ sơ {{ code }}",
                "{{ agency }} đề nghị ông/bà bổ sung hồ sơ {{ code }}: {{ text }}\n\nThời gian giải quyết tạm dừng đến khi nhận đủ hồ sơ. Tra cứu: {{ link }}",
            ),
            NoticeKind::DossierRefused => (
                "[Một cửa] Hồ sơ {{ code }} không được giải quyết",
                "{{ agency }} từ chối hồ sơ {{ code }} ({{ subject }}). Lý do: {{ text }}\n\nTra cứu: {{ link }}",
            ),
            NoticeKind::DossierResultReady => (
                "[Một cửa] Hồ sơ {{ code }} đã có kết quả",
                "Hồ sơ {{ code }} ({{ subject }}) đã có kết quả tại {{ agency }}.\n\nTra cứu: {{ link }}\nĐánh giá việc giải quyết hồ sơ (không cần đăng nhập): {{ rating }}",
            ),
            NoticeKind::DossierLate => (
                "[Một cửa] Xin lỗi về việc chậm trả kết quả hồ sơ {{ code }}",
                "{{ agency }} xin lỗi ông/bà vì hồ sơ {{ code }} chưa có kết quả đúng hẹn; ngày hẹn trả mới: {{ due }}.\n\nTra cứu: {{ link }}",
            ),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeChannel {
    Email,
    /// SMS or Zalo through the gateway's webhook.
    Webhook,
}

impl NoticeChannel {
    pub fn as_str(self) -> &'static str {
        match self {
            NoticeChannel::Email => "email",
            NoticeChannel::Webhook => "webhook",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            NoticeChannel::Email => "Thư điện tử",
            NoticeChannel::Webhook => "Tin nhắn (SMS/Zalo)",
        }
    }

    pub fn parse(s: &str) -> Option<NoticeChannel> {
        [NoticeChannel::Email, NoticeChannel::Webhook].into_iter().find(|c| c.as_str() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeStatus {
    /// Waiting for the worker (or for a retry after a failed attempt).
    Queued,
    Sent,
    /// Every attempt failed.
    Failed,
    /// The channel is not configured in this installation: kept, not sent.
    Skipped,
}

impl NoticeStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            NoticeStatus::Queued => "queued",
            NoticeStatus::Sent => "sent",
            NoticeStatus::Failed => "failed",
            NoticeStatus::Skipped => "skipped",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            NoticeStatus::Queued => "Đang chờ gửi",
            NoticeStatus::Sent => "Đã gửi",
            NoticeStatus::Failed => "Gửi không được",
            NoticeStatus::Skipped => "Không gửi (kênh chưa cấu hình)",
        }
    }

    pub fn parse(s: &str) -> Option<NoticeStatus> {
        [NoticeStatus::Queued, NoticeStatus::Sent, NoticeStatus::Failed, NoticeStatus::Skipped]
            .into_iter()
            .find(|x| x.as_str() == s)
    }
}

/// The notices a dossier's new events owe its applicant, with the text each carries.
pub fn dossier_notices(events: &[crate::dossier::DossierEvent]) -> Vec<(NoticeKind, String)> {
    use crate::dossier::EventBody;
    events
        .iter()
        .filter_map(|e| match &e.body {
            EventBody::Accepted { .. } => Some((NoticeKind::DossierReceived, String::new())),
            EventBody::SupplementRequested { items, .. } => {
                Some((NoticeKind::DossierSupplementRequested, items.join("; ")))
            }
            EventBody::Refused { reasons } => Some((NoticeKind::DossierRefused, reasons.join("; "))),
            EventBody::ResultIssued { .. } => Some((NoticeKind::DossierResultReady, String::new())),
            EventBody::Extended { .. } => Some((NoticeKind::DossierLate, String::new())),
            _ => None,
        })
        .collect()
}

/// The webhook's signature header: `sha256=` and the hex HMAC-SHA-256, under the shared secret,
/// of the timestamp header's value, a dot and the exact body bytes. The receiver recomputes it
/// and refuses a request whose timestamp is stale (replays).
pub fn webhook_signature(secret: &[u8], timestamp: &str, body: &[u8]) -> String {
    let mut mac = HmacSha256::new_from_slice(secret).expect("HMAC takes keys of any length");
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// The SMS text of a body: its first paragraph (gateways charge per segment).
pub fn sms_text(body: &str) -> &str {
    body.split("\n\n").next().unwrap_or(body).trim()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_covers_timestamp_and_body_and_matches_a_known_value() {
        // Computed independently: printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac 'bí mật'
        let s = webhook_signature("bí mật".as_bytes(), "1700000000", br#"{"a":1}"#);
        assert_eq!(s, "sha256=278f8e88995891a36d7612c5e9598a048120ea4512073ff8bf9167a347ec11e1");
        assert_ne!(s, webhook_signature("bí mật".as_bytes(), "1700000001", br#"{"a":1}"#));
        assert_ne!(s, webhook_signature("bí mật".as_bytes(), "1700000000", br#"{"a":2}"#));
        assert_ne!(s, webhook_signature(b"khac", "1700000000", br#"{"a":1}"#));
    }

    #[test]
    fn names_read_back_and_sms_keeps_the_first_paragraph() {
        for k in NoticeKind::ALL {
            assert_eq!(NoticeKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(sms_text("Một.\n\nHai."), "Một.");
        assert_eq!(NoticeStatus::parse("sent"), Some(NoticeStatus::Sent));
    }
}
