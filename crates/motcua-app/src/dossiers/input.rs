//! What recording a dossier takes. The values whose form is fixed (codes, the channel, the
//! delivery, dates, the client transaction id) arrive parsed: the edge that read the request
//! checked them (`motcua-web`'s request types, later the national portal's). What the content
//! must satisfy (names, ID numbers, lengths, dates not in the future, what the procedure asks)
//! is checked here, after permission.

use jiff::civil::Date;
use motcua_domain::agency::AgencyCode;
use motcua_domain::catalog::{Channel, ProcedureCode};
use motcua_domain::dossier::ClientTxnId;
use motcua_domain::dossier::applicant::{Applicant, Representative};
use motcua_domain::dossier::cccd::parse_cccd_qr;
use motcua_domain::dossier::event::{HandedDocument, ResultDelivery};
use motcua_domain::validation::ValidationErrors;

/// Recording a dossier (and accepting it at once, with `accept`).
#[derive(Debug, Clone)]
pub struct Intake {
    pub procedure: ProcedureCode,
    /// The case (trường hợp) by name; `None` when the procedure has one case.
    pub case: Option<String>,
    /// The receiving agency.
    pub agency: AgencyCode,
    pub channel: Channel,
    /// As typed; the QR's fields fill those left empty.
    pub applicant: Applicant,
    /// The text of the chip ID card's QR code, as a scanner types it.
    pub cccd_qr: Option<String>,
    pub representative: Option<Representative>,
    /// What was handed in; the case's checklist when `None`.
    pub documents: Option<Vec<HandedDocument>>,
    pub sets: u32,
    /// Where the applicant wants the result.
    pub delivery: ResultDelivery,
    pub postal: Option<Postal>,
    pub notes: Option<String>,
    /// The applicant's choice of notices (by e-mail, by SMS).
    pub notify: motcua_domain::dossier::event::Notify,
    pub client_txn: Option<ClientTxnId>,
    pub accept: bool,
}

impl Intake {
    /// A dossier handed in at `agency`'s desk by a person named `applicant`, one set, the
    /// checklist of the procedure's only case, the result to be collected at the desk.
    pub fn at_desk(procedure: ProcedureCode, agency: AgencyCode, applicant: &str) -> Self {
        Self {
            procedure,
            case: None,
            agency,
            channel: Channel::Desk,
            applicant: Applicant { full_name: applicant.to_owned(), ..Applicant::default() },
            cccd_qr: None,
            representative: None,
            documents: None,
            sets: 1,
            delivery: ResultDelivery::Desk,
            postal: None,
            notes: None,
            notify: Default::default(),
            client_txn: None,
            accept: false,
        }
    }
}

/// The postal details of a dossier sent by post.
#[derive(Debug, Clone, Default)]
pub struct Postal {
    pub tracking_number: String,
    pub sender_post_office: Option<String>,
    pub posted_on: Option<Date>,
}

/// The applicant an official typed (or scanned from the chip ID card's QR), checked.
pub(crate) fn applicant_of(
    typed: &Applicant,
    cccd_qr: Option<&str>,
    today: jiff::civil::Date,
) -> Result<Applicant, ValidationErrors> {
    let mut e = ValidationErrors::new();
    let mut applicant = typed.clone();
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
