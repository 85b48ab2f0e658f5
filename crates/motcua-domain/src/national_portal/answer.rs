//! What the portal answers (`legal.md` §7.1): `{"error_code": …, "message": …}` for the
//! dossier calls, sometimes plain text for the steps. Read strictly: only an answer that says
//! success is one; anything unreadable is a failure to retry, never a silent success.

use serde::Deserialize;

/// The meaning of an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PortalAnswer {
    Accepted,
    /// The dossier already exists on the portal: send it again as an update.
    AlreadyExists,
    /// Refused or unreadable, with what the portal said (kept for the operator).
    Failed {
        code: String,
        message: String,
    },
}

#[derive(Deserialize)]
struct Body {
    #[serde(default)]
    error_code: Option<serde_json::Value>,
    #[serde(default)]
    message: Option<serde_json::Value>,
}

fn text(v: Option<serde_json::Value>) -> String {
    match v {
        Some(serde_json::Value::String(s)) => s,
        Some(serde_json::Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

fn says_success(message: &str) -> bool {
    message.to_lowercase().contains("thành công")
}

impl PortalAnswer {
    /// An answer of the REST transport. `require_message`: the REST calls confirm success in
    /// the message ("thành công") as well as with code 0.
    pub fn read(body: &str, require_message: bool) -> PortalAnswer {
        let trimmed = body.trim();
        let Ok(b) = serde_json::from_str::<Body>(trimmed) else {
            // The steps' endpoint may answer in plain text.
            return if says_success(trimmed) {
                PortalAnswer::Accepted
            } else {
                PortalAnswer::Failed { code: String::new(), message: truncate(trimmed) }
            };
        };
        let code = text(b.error_code);
        let message = text(b.message);
        let code_ok = matches!(code.trim(), "0" | "00");
        if code_ok && (!require_message || says_success(&message)) {
            PortalAnswer::Accepted
        } else if matches!(code.trim(), "3" | "-3") && message.to_lowercase().contains("đã tồn tại") {
            PortalAnswer::AlreadyExists
        } else {
            PortalAnswer::Failed { code, message: truncate(&message) }
        }
    }
}

/// What is kept of a long answer (a portal that answers with a whole HTML error page).
fn truncate(s: &str) -> String {
    s.chars().take(500).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn success_needs_code_zero_and_the_word_when_asked() {
        assert_eq!(
            PortalAnswer::read(r#"{"error_code":"0","message":"Đồng bộ thành công"}"#, true),
            PortalAnswer::Accepted
        );
        assert_eq!(PortalAnswer::read(r#"{"error_code":0,"message":"Thành công"}"#, true), PortalAnswer::Accepted);
        assert_eq!(PortalAnswer::read(r#"{"error_code":"00"}"#, false), PortalAnswer::Accepted);
        assert!(matches!(PortalAnswer::read(r#"{"error_code":"0","message":"?"}"#, true), PortalAnswer::Failed { .. }));
    }

    #[test]
    fn already_exists_means_update() {
        for code in ["3", "-3"] {
            let body = format!(r#"{{"error_code":"{code}","message":"Hồ sơ đã tồn tại trên hệ thống"}}"#);
            assert_eq!(PortalAnswer::read(&body, true), PortalAnswer::AlreadyExists);
        }
        assert!(matches!(
            PortalAnswer::read(r#"{"error_code":"3","message":"Sai định dạng"}"#, true),
            PortalAnswer::Failed { .. }
        ));
    }

    #[test]
    fn plain_text_and_garbage() {
        assert_eq!(PortalAnswer::read("Cập nhật tiến độ thành công", true), PortalAnswer::Accepted);
        let html = format!("<html>{}</html>", "x".repeat(2000));
        match PortalAnswer::read(&html, true) {
            PortalAnswer::Failed { message, .. } => assert_eq!(message.chars().count(), 500),
            other => panic!("{other:?}"),
        }
        assert!(matches!(PortalAnswer::read("", false), PortalAnswer::Failed { .. }));
        assert!(matches!(
            PortalAnswer::read(r#"{"error_code":"500","message":"Lỗi hệ thống"}"#, false),
            PortalAnswer::Failed { code, .. } if code == "500"
        ));
    }
}
