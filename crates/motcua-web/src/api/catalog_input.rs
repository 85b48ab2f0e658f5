//! The catalogue's edit shapes as the API and the pages send them: a publication decision, an
//! ending, an agency's procedure list; parsed here (dates, codes) into the use cases' values.
//! What a decision must state is checked by the use case.

use motcua_app::catalog::{AgencyCatalogRow, Ending};
use motcua_domain::catalog::{ProcedureCode, Publication};
use motcua_domain::validation::{FieldError, NonBlank, ValidationErrors};
use serde::{Deserialize, Serialize};

use super::fields::{date, optional};

/// The publication decision as a form or JSON body sends it.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct PublishInput {
    pub decision_number: String,
    /// `dd/mm/yyyy` or `yyyy-mm-dd`.
    pub decision_date: String,
    pub signer: String,
    pub effective_from: String,
    #[serde(default)]
    pub legal_basis_effective_on: Option<String>,
    #[serde(default)]
    pub portal_published_on: Option<String>,
}

/// Abolition or replacement.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct EndInput {
    #[serde(flatten)]
    pub decision: PublishInput,
    /// For a replacement: the code of the procedure that replaces this one.
    #[serde(default)]
    pub replaced_by: Option<String>,
}

/// One row of an agency's procedure list.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct AgencyCatalogRowDto {
    pub code: String,
    #[serde(default)]
    pub desk: bool,
    #[serde(default)]
    pub postal: bool,
    #[serde(default)]
    pub online: bool,
    #[serde(default)]
    pub resolves: bool,
}

impl From<AgencyCatalogRowDto> for AgencyCatalogRow {
    fn from(r: AgencyCatalogRowDto) -> Self {
        Self { code: r.code, desk: r.desk, postal: r.postal, online: r.online, resolves: r.resolves }
    }
}

impl From<AgencyCatalogRow> for AgencyCatalogRowDto {
    fn from(r: AgencyCatalogRow) -> Self {
        Self { code: r.code, desk: r.desk, postal: r.postal, online: r.online, resolves: r.resolves }
    }
}

impl PublishInput {
    fn read(&self, e: &mut ValidationErrors) -> Publication {
        Publication {
            decision_number: Some(self.decision_number.as_str()).non_blank().map(str::to_owned),
            decision_date: optional(e, "decision_date", Some(&self.decision_date), date),
            signer: Some(self.signer.as_str()).non_blank().map(str::to_owned),
            effective_from: optional(e, "effective_from", Some(&self.effective_from), date),
            legal_basis_effective_on: optional(
                e,
                "legal_basis_effective_on",
                self.legal_basis_effective_on.as_deref(),
                date,
            ),
            portal_published_on: optional(e, "portal_published_on", self.portal_published_on.as_deref(), date),
        }
    }

    /// The decision, or every date that cannot be read.
    pub fn parse(&self) -> Result<Publication, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let p = self.read(&mut e);
        e.into_result().map(|()| p)
    }
}

impl EndInput {
    /// The ending, or every date and code that cannot be read.
    pub fn parse(&self) -> Result<Ending, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let decision = self.decision.read(&mut e);
        let replaced_by = self.replaced_by.as_deref().non_blank().and_then(|raw| {
            e.check(ProcedureCode::parse(raw).map_err(|x| FieldError { field: "replaced_by".into(), ..x }))
        });
        e.into_result().map(|()| Ending { decision, replaced_by })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_decision_comes_back_with_every_date_and_code_that_cannot_be_read() {
        let end = EndInput {
            decision: PublishInput {
                decision_number: " 12/QĐ-UBND ".into(),
                decision_date: "31/02/2026".into(),
                effective_from: "2026-03-01".into(),
                portal_published_on: Some("hôm qua".into()),
                ..Default::default()
            },
            replaced_by: Some("1.00119".into()),
        };
        let fields: Vec<String> = end.parse().unwrap_err().errors.into_iter().map(|f| f.field).collect();
        assert_eq!(fields, ["decision_date", "portal_published_on", "replaced_by"]);
        let ok = PublishInput { decision_number: " 12/QĐ-UBND ".into(), signer: " ".into(), ..Default::default() };
        let p = ok.parse().unwrap();
        assert_eq!((p.decision_number.as_deref(), p.signer, p.decision_date), (Some("12/QĐ-UBND"), None, None));
    }
}
