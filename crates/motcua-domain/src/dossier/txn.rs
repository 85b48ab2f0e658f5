//! The client transaction id: a client's own unique id of one request, so that sending the
//! request again (after a timeout, a lost answer) has no second effect.

use crate::validation::FieldError;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ClientTxnId(String);

impl ClientTxnId {
    /// 1–100 printable ASCII characters without spaces (surrounding blanks are trimmed).
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let s = raw.trim();
        if !s.is_empty() && s.len() <= 100 && s.bytes().all(|b| b.is_ascii_graphic()) {
            Ok(Self(s.to_owned()))
        } else {
            Err(FieldError::new(
                "client_txn_id",
                "invalid_format",
                "Mã giao dịch của máy khách gồm 1–100 ký tự ASCII in được, không có khoảng trắng.",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_short_printable_ascii() {
        assert_eq!(ClientTxnId::parse(" desk-1/2026 ").unwrap().as_str(), "desk-1/2026");
        for bad in ["", "   ", "có dấu", "two words", &"x".repeat(101)] {
            assert!(ClientTxnId::parse(bad).is_err(), "{bad:?}");
        }
        assert!(ClientTxnId::parse(&"x".repeat(100)).is_ok());
    }
}
