//! Field-level validation errors shared by every edge (web forms, JSON API, CLI, imports).
//!
//! A field error carries a stable machine `code` (snake_case, part of the API contract) and a
//! human message in Vietnamese, the product's primary language.

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// Name of the offending field as the client sent it (`code`, `parent_id`, …).
    pub field: String,
    /// Stable snake_case reason, e.g. `required`, `invalid_format`, `too_long`.
    pub code: String,
    /// Vietnamese explanation for people.
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), code: code.into(), message: message.into() }
    }

    pub fn required(field: impl Into<String>) -> Self {
        Self::new(field, "required", "Trường này là bắt buộc.")
    }
}

/// A non-empty list of field errors. Validation functions collect every problem at once so a
/// person fixing a form sees all of them, not one per round trip.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, thiserror::Error)]
#[error("dữ liệu không hợp lệ: {}", .errors.iter().map(|e| e.field.as_str()).collect::<Vec<_>>().join(", "))]
pub struct ValidationErrors {
    pub errors: Vec<FieldError>,
}

impl ValidationErrors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn single(error: FieldError) -> Self {
        Self { errors: vec![error] }
    }

    pub fn push(&mut self, error: FieldError) {
        self.errors.push(error);
    }

    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    /// Records the error of a parse attempt and returns the value when it succeeded.
    pub fn check<T>(&mut self, result: Result<T, FieldError>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(e) => {
                self.push(e);
                None
            }
        }
    }

    /// `Ok(())` when nothing was collected.
    pub fn into_result(self) -> Result<(), ValidationErrors> {
        if self.errors.is_empty() { Ok(()) } else { Err(self) }
    }
}

/// Trims and NFC-agnostic checks for a required human text (names, titles).
pub fn required_text(field: &str, value: &str, max_chars: usize) -> Result<String, FieldError> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(FieldError::required(field));
    }
    if trimmed.chars().count() > max_chars {
        return Err(FieldError::new(field, "too_long", format!("Tối đa {max_chars} ký tự.")));
    }
    if trimmed.chars().any(|c| c.is_control()) {
        return Err(FieldError::new(field, "invalid_characters", "Không được chứa ký tự điều khiển."));
    }
    Ok(trimmed.to_owned())
}

/// Like [`required_text`] but an empty value is `None`.
pub fn optional_text(field: &str, value: Option<&str>, max_chars: usize) -> Result<Option<String>, FieldError> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => required_text(field, v, max_chars).map(Some),
    }
}

/// A required text of several lines (a petition's content, an answer): like
/// [`required_text`] but line breaks and tabs are allowed; line endings become `\n`.
pub fn long_text(field: &str, value: &str, max_chars: usize) -> Result<String, FieldError> {
    let text = value.replace("\r\n", "\n").replace('\r', "\n");
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(FieldError::required(field));
    }
    if trimmed.chars().count() > max_chars {
        return Err(FieldError::new(field, "too_long", format!("Tối đa {max_chars} ký tự.")));
    }
    if trimmed.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(FieldError::new(field, "invalid_characters", "Không được chứa ký tự điều khiển."));
    }
    Ok(trimmed.to_owned())
}

/// Optional text as people send it: trimmed, and blank taken as absent.
pub trait NonBlank<'a> {
    fn non_blank(self) -> Option<&'a str>;
}

impl<'a> NonBlank<'a> for Option<&'a str> {
    fn non_blank(self) -> Option<&'a str> {
        self.map(str::trim).filter(|s| !s.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_text_keeps_lines_and_refuses_other_controls() {
        assert_eq!(long_text("c", " a\r\nb\tc \n", 50).unwrap(), "a\nb\tc");
        assert_eq!(long_text("c", "  \n ", 50).unwrap_err().code, "required");
        assert_eq!(long_text("c", "a\u{7}b", 50).unwrap_err().code, "invalid_characters");
        assert_eq!(long_text("c", "ab", 1).unwrap_err().code, "too_long");
    }

    #[test]
    fn required_text_trims_and_rejects_empty_long_and_control() {
        assert_eq!(required_text("name", "  Xã An Phú ", 50).unwrap(), "Xã An Phú");
        assert_eq!(required_text("name", "   ", 50).unwrap_err().code, "required");
        assert_eq!(required_text("name", "ab", 1).unwrap_err().code, "too_long");
        assert_eq!(required_text("name", "a\u{7}b", 10).unwrap_err().code, "invalid_characters");
        // Length counts characters, not bytes: Vietnamese letters are multi-byte.
        assert!(required_text("name", "Đắk Lắk", 7).is_ok());
    }

    #[test]
    fn optional_text_maps_blank_to_none() {
        assert_eq!(optional_text("x", Some("  "), 5).unwrap(), None);
        assert_eq!(optional_text("x", None, 5).unwrap(), None);
        assert_eq!(optional_text("x", Some(" a "), 5).unwrap(), Some("a".into()));
    }

    #[test]
    fn collector_keeps_every_error() {
        let mut errs = ValidationErrors::new();
        assert_eq!(errs.check(Ok::<_, FieldError>(1)), Some(1));
        assert_eq!(errs.check::<i32>(Err(FieldError::required("a"))), None);
        assert_eq!(errs.check::<i32>(Err(FieldError::required("b"))), None);
        let e = errs.into_result().unwrap_err();
        assert_eq!(e.errors.len(), 2);
        assert_eq!(e.to_string(), "dữ liệu không hợp lệ: a, b");
    }

    #[test]
    fn blank_text_is_absent_and_text_is_trimmed() {
        assert_eq!(Some("  Sơn Hà ").non_blank(), Some("Sơn Hà"));
        assert_eq!(Some(" \t\n").non_blank(), None);
        assert_eq!(Some("").non_blank(), None);
        assert_eq!(None.non_blank(), None);
    }
}
