//! The small parsers the request shapes share: an optional value read by its own parser with
//! its error named after the field, a choice among known words, a date.

use jiff::civil::Date;
use motcua_domain::time::parse_date;
use motcua_domain::validation::{FieldError, NonBlank, ValidationErrors};

/// `raw` as `parse` reads it, with its error renamed to `field`; blank is `None`.
pub(crate) fn optional<T>(
    e: &mut ValidationErrors,
    field: &str,
    raw: Option<&str>,
    parse: impl FnOnce(&str) -> Result<T, FieldError>,
) -> Option<T> {
    let raw = raw.non_blank()?;
    e.check(parse(raw).map_err(|err| FieldError { field: field.into(), ..err }))
}

pub(crate) fn choice<T>(raw: &str, parse: impl FnOnce(&str) -> Option<T>, message: &str) -> Result<T, FieldError> {
    parse(raw).ok_or_else(|| FieldError::new("", "invalid_value", message))
}

pub(crate) fn date(raw: &str) -> Result<Date, FieldError> {
    parse_date("", raw)
}
