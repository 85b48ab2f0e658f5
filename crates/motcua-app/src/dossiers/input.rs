//! What a desk or an integration sends to record a dossier, and the applicant parsed from it.

use motcua_domain::dossier::applicant::{Applicant, ApplicantKind};
use motcua_domain::dossier::cccd::parse_cccd_qr;
use motcua_domain::time::parse_date;
use motcua_domain::validation::NonBlank;
use motcua_domain::validation::{FieldError, ValidationErrors};
use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ApplicantInput {
    /// `person` (default) or `organisation`.
    #[serde(default)]
    #[schema(pattern = "^(person|organisation)$")]
    pub kind: Option<String>,
    #[serde(default)]
    #[schema(min_length = 1, max_length = 255)]
    pub full_name: String,
    /// 12-digit personal ID (9 for an old ID card), or the organisation's tax code.
    #[serde(default)]
    pub id_number: Option<String>,
    /// dd/mm/yyyy or yyyy-mm-dd.
    #[serde(default)]
    pub birth_date: Option<String>,
    #[serde(default)]
    pub gender: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct RepresentativeInput {
    #[serde(default)]
    pub full_name: String,
    #[serde(default)]
    pub id_number: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub authorisation: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct DocumentInput {
    pub name: String,
    #[serde(default)]
    pub originals: u32,
    #[serde(default)]
    pub copies: u32,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct PostalInput {
    pub tracking_number: String,
    #[serde(default)]
    pub sender_post_office: Option<String>,
    /// dd/mm/yyyy or yyyy-mm-dd.
    #[serde(default)]
    pub posted_on: Option<String>,
}

/// A dossier as the desk, the post room or an integration records it.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct IntakeInput {
    /// National procedure code, e.g. `1.001193`.
    #[schema(pattern = r"^[1-9]\.[0-9]{6}(\.[0-9A-Z.]+)?$", example = "1.001193")]
    pub procedure_code: String,
    /// The case (trường hợp) by name; may be left out when the procedure has one case.
    #[serde(default)]
    pub case: Option<String>,
    /// E-ID of the receiving agency.
    #[schema(pattern = r"^[A-Z0-9]+(\.[A-Z0-9]+)*$", max_length = 35, example = "H99.301")]
    pub agency_code: String,
    /// `desk` (default), `postal` or `online`.
    #[serde(default)]
    #[schema(pattern = "^(desk|postal|online)$")]
    pub channel: Option<String>,
    #[serde(default)]
    pub applicant: ApplicantInput,
    /// The text of the chip ID card's QR code, as a scanner types it; fills the applicant's
    /// empty fields.
    #[serde(default)]
    pub cccd_qr: Option<String>,
    #[serde(default)]
    pub representative: Option<RepresentativeInput>,
    /// What was handed in; the case's checklist when left out.
    #[serde(default)]
    pub documents: Option<Vec<DocumentInput>>,
    #[serde(default)]
    pub sets: Option<u32>,
    /// `desk` (default), `post` or `electronic`: where the applicant wants the result.
    #[serde(default)]
    #[schema(pattern = "^(desk|post|electronic)$")]
    pub delivery: Option<String>,
    #[serde(default)]
    pub postal: Option<PostalInput>,
    #[serde(default)]
    pub notes: Option<String>,
    /// The client's unique id of this request: a retry with the same id returns the dossier
    /// already recorded instead of recording a second one.
    #[serde(default)]
    pub client_txn_id: Option<String>,
    /// Receive and accept in one call (the code and appointment are issued).
    #[serde(default)]
    pub accept: bool,
}

pub(super) fn applicant_from(input: &IntakeInput, today: jiff::civil::Date) -> Result<Applicant, ValidationErrors> {
    applicant_of(&input.applicant, input.cccd_qr.as_deref(), today)
}

/// The applicant an official typed (or scanned from the chip ID card's QR), checked.
pub(crate) fn applicant_of(
    a: &ApplicantInput,
    cccd_qr: Option<&str>,
    today: jiff::civil::Date,
) -> Result<Applicant, ValidationErrors> {
    let mut e = ValidationErrors::new();
    let kind = match a.kind.as_deref() {
        None => ApplicantKind::Person,
        Some(k) => ApplicantKind::parse(k).unwrap_or_else(|| {
            e.push(FieldError::new("applicant.kind", "invalid_value", "Loại người nộp là person hoặc organisation."));
            ApplicantKind::Person
        }),
    };
    let birth = match a.birth_date.as_deref().non_blank() {
        Some(b) => e.check(parse_date("applicant.birth_date", b)),
        None => None,
    };
    let mut applicant = Applicant {
        kind,
        full_name: a.full_name.clone(),
        id_number: a.id_number.clone(),
        birth_date: birth,
        gender: a.gender.clone(),
        address: a.address.clone(),
        phone: a.phone.clone(),
        email: a.email.clone(),
    };
    if let Some(qr) = cccd_qr.filter(|q| !q.trim().is_empty()) {
        match parse_cccd_qr(qr) {
            Ok(card) => {
                let empty = |v: &Option<String>| v.as_deref().is_none_or(|s| s.trim().is_empty());
                if applicant.full_name.trim().is_empty() {
                    applicant.full_name = card.full_name;
                }
                if empty(&applicant.id_number) {
                    applicant.id_number = Some(card.id_number);
                }
                if applicant.birth_date.is_none() {
                    applicant.birth_date = Some(card.birth_date);
                }
                if empty(&applicant.gender) {
                    applicant.gender = Some(card.gender);
                }
                if empty(&applicant.address) {
                    applicant.address = Some(card.address);
                }
            }
            Err(err) => e.push(err),
        }
    }
    match applicant.validated("applicant.", today) {
        Ok(a) if e.is_empty() => Ok(a),
        Ok(_) => Err(e),
        Err(more) => {
            e.errors.extend(more.errors);
            Err(e)
        }
    }
}
