//! Identifiers of the catalogue: national procedure codes and field codes.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::validation::FieldError;

/// A procedure code of the national procedure database (`1.001193`), optionally with a local
/// agency suffix (`2.001218.000.00.00.H38`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ProcedureCode(String);

impl ProcedureCode {
    pub const MAX_LEN: usize = 40;

    pub fn parse(raw: &str) -> Result<ProcedureCode, FieldError> {
        let s = raw.trim();
        let bad = || {
            FieldError::new(
                "code",
                "invalid_format",
                format!(
                    "Mã thủ tục không hợp lệ: \"{s}\"; dạng đúng là 1.001193 (có thể kèm hậu tố địa phương .000.00.00.H38)."
                ),
            )
        };
        if s.is_empty() {
            return Err(FieldError::required("code"));
        }
        if s.len() > Self::MAX_LEN {
            return Err(bad());
        }
        let mut parts = s.split('.');
        let level = parts.next().ok_or_else(bad)?;
        let serial = parts.next().ok_or_else(bad)?;
        if level.len() != 1 || !level.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        if serial.len() != 6 || !serial.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        for suffix in parts {
            if suffix.is_empty() || !suffix.bytes().all(|b| b.is_ascii_alphanumeric()) {
                return Err(bad());
            }
        }
        Ok(ProcedureCode(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The national part without a local suffix (`1.001193`).
    pub fn national(&self) -> &str {
        &self.0[..8]
    }
}

impl fmt::Display for ProcedureCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for ProcedureCode {
    type Error = String;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        ProcedureCode::parse(&value).map_err(|e| e.message)
    }
}

impl From<ProcedureCode> for String {
    fn from(c: ProcedureCode) -> String {
        c.0
    }
}

/// The code of a field (lĩnh vực): the national field code when known, else a slug of its name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct FieldCode(String);

impl FieldCode {
    pub fn parse(raw: &str) -> Result<FieldCode, FieldError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(FieldError::required("field_code"));
        }
        if s.len() > 60 || !s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.') {
            return Err(FieldError::new(
                "field_code",
                "invalid_format",
                format!("Mã lĩnh vực không hợp lệ: \"{s}\"; chỉ dùng chữ, số, dấu gạch và dấu chấm (tối đa 60 ký tự)."),
            ));
        }
        Ok(FieldCode(s.to_owned()))
    }

    /// A stable slug of a field name (`Hộ tịch` → `ho-tich`), for fields that arrive without
    /// a national code.
    pub fn from_name(name: &str) -> FieldCode {
        let folded = super::fold::fold(name);
        let slug =
            folded.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()).collect::<Vec<_>>().join("-");
        let slug: String = slug.chars().take(60).collect();
        FieldCode(if slug.is_empty() { "khac".to_owned() } else { slug })
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for FieldCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for FieldCode {
    type Error = String;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        FieldCode::parse(&value).map_err(|e| e.message)
    }
}

impl From<FieldCode> for String {
    fn from(c: FieldCode) -> String {
        c.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn national_codes_and_local_suffixes() {
        assert_eq!(ProcedureCode::parse(" 1.001193 ").unwrap().as_str(), "1.001193");
        let local = ProcedureCode::parse("2.001218.000.00.00.H38").unwrap();
        assert_eq!(local.national(), "2.001218");
        for bad in ["", "1001193", "1.00119", "12.001193", "1.001193.", "1.001193..H38", "1.0011a3", "1.001193.H-38"] {
            assert!(ProcedureCode::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn field_slugs() {
        assert_eq!(FieldCode::from_name("Hộ tịch").as_str(), "ho-tich");
        assert_eq!(FieldCode::from_name("Tư pháp – hòa giải ở cơ sở").as_str(), "tu-phap-hoa-giai-o-co-so");
        assert_eq!(FieldCode::from_name("Đất đai").as_str(), "dat-dai");
        assert!(FieldCode::parse("a b").is_err());
    }
}
