//! The catalogue search as the API and the pages send it: every value a string, parsed here into
//! the use case's `ProcedureSearch`, every error at once.

use motcua_app::catalog::ProcedureSearch;
use motcua_domain::agency::AgencyCode;
use motcua_domain::catalog::{FieldCode, Level, OnlineLevel};
use motcua_domain::validation::{FieldError, ValidationErrors};
use serde::Deserialize;

use super::fields::{choice, optional};

/// A search as the API and pages send it (every value a string).
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProcedureQueryInput {
    /// Words of the name, code, field or document names; with or without Vietnamese marks.
    #[serde(default)]
    pub q: Option<String>,
    /// Field code (see `/api/v1/fields`).
    #[serde(default)]
    pub field: Option<String>,
    /// Electronic identifier of an agency: only procedures in its list.
    #[serde(default)]
    pub agency: Option<String>,
    /// `province` or `commune` (also `ministry`, `other`).
    #[serde(default)]
    pub level: Option<String>,
    /// `full`, `partial` or `none`.
    #[serde(default)]
    pub online: Option<String>,
    /// From 1.
    #[serde(default)]
    pub page: Option<String>,
    /// Results per page, 1–100 (default 20).
    #[serde(default)]
    pub per_page: Option<String>,
}

fn parse_count(field: &str, raw: &Option<String>, default: usize, max: usize) -> Result<usize, FieldError> {
    match raw.as_deref().map(str::trim) {
        None | Some("") => Ok(default),
        Some(s) => s
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=max).contains(n))
            .ok_or_else(|| FieldError::new(field, "invalid_number", format!("Phải là số nguyên từ 1 đến {max}."))),
    }
}

impl ProcedureQueryInput {
    /// The search, or every error of its parameters.
    pub fn parse(&self) -> Result<ProcedureSearch, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let q = self.q.clone().unwrap_or_default();
        if q.chars().count() > 200 {
            e.push(FieldError::new("q", "too_long", "Tối đa 200 ký tự."));
        }
        let field = match self.field.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(f) => e.check(FieldCode::parse(f).map_err(|mut x| {
                x.field = "field".into();
                x
            })),
        };
        let one_of =
            |s: &str, all: Vec<&str>| format!("Giá trị không hợp lệ: \"{s}\"; dùng một trong: {}.", all.join(", "));
        let level = optional(&mut e, "level", self.level.as_deref(), |s| {
            choice(s, Level::parse, &one_of(s, Level::ALL.iter().map(|l| l.as_str()).collect()))
        });
        let online = optional(&mut e, "online", self.online.as_deref(), |s| {
            choice(s, OnlineLevel::parse, &one_of(s, OnlineLevel::ALL.iter().map(|l| l.as_str()).collect()))
        });
        let page = e.check(parse_count("page", &self.page, 1, 10_000)).unwrap_or(1);
        let per_page = e.check(parse_count("per_page", &self.per_page, 20, 100)).unwrap_or(20);
        let agency = match self.agency.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(a) => e.check(AgencyCode::parse(a).map_err(|_| {
                FieldError::new("agency", "invalid_format", format!("Mã cơ quan không hợp lệ: \"{a}\"."))
            })),
        };
        e.into_result()?;
        Ok(ProcedureSearch { q, field, agency, level, online, page, per_page })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_search_comes_back_with_every_error_of_its_parameters() {
        let bad = ProcedureQueryInput {
            q: Some("x".repeat(201)),
            field: Some("không phải mã".into()),
            agency: Some("h 99".into()),
            level: Some("district".into()),
            online: Some("maybe".into()),
            page: Some("0".into()),
            per_page: Some("101".into()),
        };
        let fields: Vec<String> = bad.parse().unwrap_err().errors.into_iter().map(|f| f.field).collect();
        assert_eq!(fields, ["q", "field", "level", "online", "page", "per_page", "agency"]);
        let plain = ProcedureQueryInput { q: Some("khai sinh".into()), ..Default::default() }.parse().unwrap();
        assert_eq!((plain.q.as_str(), plain.page, plain.per_page), ("khai sinh", 1, 20));
    }
}
