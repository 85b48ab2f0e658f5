//! The JSON (and form) shapes of recording, acting on, listing and tracking dossiers, and the
//! parsing of requests into the use cases' commands: codes, the channel, the delivery, dates,
//! the queue, the action and the client transaction id are checked here, every error of the
//! request at once, so the use cases receive valid values only. What the content must satisfy
//! is checked by the use case, after permission.

use motcua_app::dossiers::{Action, CorrectionTarget, DossierFilter, Intake, ListQueue, Postal, RegisterPeriod};
use motcua_domain::account::Username;
use motcua_domain::agency::AgencyCode;
use motcua_domain::catalog::{Channel, ProcedureCode};
use motcua_domain::dossier::applicant::{Applicant, ApplicantKind, Representative};
use motcua_domain::dossier::event::{HandedDocument, PaymentMethod, ResultDelivery};
use motcua_domain::dossier::{ActionKind, ClientTxnId, Status};
use motcua_domain::validation::{FieldError, NonBlank, ValidationErrors};
use serde::Deserialize;

use super::fields::{choice, date, optional};

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
    /// The applicant asks to be told of the receipt, a supplement request, the result, a delay
    /// by e-mail (needs `applicant.email`)…
    #[serde(default)]
    pub notify_email: bool,
    /// …or by SMS/Zalo (needs `applicant.phone`).
    #[serde(default)]
    pub notify_sms: bool,
    /// The client's unique id of this request: a retry with the same id returns the dossier
    /// already recorded instead of recording a second one.
    #[serde(default)]
    pub client_txn_id: Option<String>,
    /// Receive and accept in one call (the code and appointment are issued).
    #[serde(default)]
    pub accept: bool,
}

/// An action with its input; which fields matter depends on `action`.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ActionInput {
    /// `accept`, `request_supplement`, `receive_supplement`, `refuse`, `assign`, `forward`,
    /// `send_back`, `consult`, `answer_consultation`, `request_payment`, `receive_payment`,
    /// `approve`, `reject`, `issue_result`, `return_result`, `request_withdrawal`, `stop`,
    /// `extend`, `request_correction`, `approve_correction`, `reject_correction`.
    #[schema(
        pattern = "^(accept|request_supplement|receive_supplement|refuse|assign|forward|send_back|consult|answer_consultation|request_payment|receive_payment|approve|reject|issue_result|return_result|request_withdrawal|stop|extend|request_correction|approve_correction|reject_correction)$"
    )]
    pub action: String,
    /// Why (required for send_back, reject, stop, extend, a second supplement request and
    /// every correction action).
    #[serde(default)]
    pub reason: Option<String>,
    /// The client's unique id of this request: a retry has no second effect.
    #[serde(default)]
    pub client_txn_id: Option<String>,
    /// The event number the client saw last: if the dossier changed since, the action is
    /// refused instead of applied to a state nobody looked at.
    #[serde(default)]
    pub expected_seq: Option<i64>,
    /// Supplement or payment items; refusal reasons.
    #[serde(default)]
    pub items: Vec<String>,
    /// Username of the official to assign or forward to.
    #[serde(default)]
    pub assignee: Option<String>,
    /// Step index to send back to (default: the previous step).
    #[serde(default)]
    pub to_step: Option<usize>,
    /// E-ID of the agency to consult.
    #[serde(default)]
    pub agency_code: Option<String>,
    #[serde(default)]
    pub question: Option<String>,
    /// Working days the consulted agency has to answer.
    #[serde(default)]
    pub working_days: Option<u32>,
    #[serde(default)]
    pub consultation_id: Option<u32>,
    #[serde(default)]
    pub opinion: Option<String>,
    #[serde(default)]
    pub amount_vnd: Option<u64>,
    /// Fee receipt number.
    #[serde(default)]
    pub receipt: Option<String>,
    /// How the fees were paid: `online` (the DVCQG payment platform) or `desk` (default).
    #[serde(default)]
    pub payment_method: Option<String>,
    /// Result document number (số, ký hiệu).
    #[serde(default)]
    pub number: Option<String>,
    /// Signing date of the result (dd/mm/yyyy or yyyy-mm-dd; default today).
    #[serde(default)]
    pub signed_on: Option<String>,
    #[serde(default)]
    pub signer: Option<String>,
    /// `desk`, `post` or `electronic` (default: what the applicant chose).
    #[serde(default)]
    pub delivery: Option<String>,
    /// Who received the result.
    #[serde(default)]
    pub receiver: Option<String>,
    /// New appointment of an extension: RFC 3339, or `dd/mm/yyyy HH:MM` in Vietnam time.
    #[serde(default)]
    pub appointment_at: Option<String>,
    /// What `request_correction` corrects: `applicant` (send `applicant`), `result` (send
    /// `number`, `signed_on`, `signer`; those left out keep their value) or `receiver` (send
    /// `receiver`).
    #[serde(default)]
    pub correct: Option<String>,
    /// The applicant as it should read, for `correct: applicant`.
    #[serde(default)]
    pub applicant: Option<ApplicantInput>,
}

/// Input of a list query as forms and the API send it.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListInput {
    /// `all` (default), `to_process`, `mine`, `near_due`, `overdue`, `waiting`, `consultations`,
    /// `corrections` (waiting for the viewer's decision as a leader).
    pub queue: Option<String>,
    /// National status codes or names, comma-separated.
    pub status: Option<String>,
    pub procedure: Option<String>,
    /// `desk`, `online` or `postal`.
    pub channel: Option<String>,
    /// Received on or after (dd/mm/yyyy or yyyy-mm-dd).
    pub from: Option<String>,
    /// Received on or before.
    pub to: Option<String>,
    /// A dossier code, an ID number or a part of the applicant's name.
    pub q: Option<String>,
    pub before: Option<i64>,
    pub limit: Option<i64>,
}

/// Input of the register (mẫu 07).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RegisterInput {
    /// The receiving agency's code (default: the official's first agency where they receive dossiers).
    pub agency: Option<String>,
    /// First day (dd/mm/yyyy or yyyy-mm-dd).
    pub from: Option<String>,
    /// Last day, included.
    pub to: Option<String>,
}

/// The public view of a dossier: where it is, without the applicant's personal data beyond a
/// masked name.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct PublicDossier {
    pub code: String,
    /// National status code 1–10.
    pub status: u8,
    pub status_label: String,
    pub procedure_code: String,
    pub procedure_name: String,
    pub receiving_agency: String,
    pub applicant: String,
    #[schema(value_type = Option<String>)]
    pub received_at: Option<jiff::Timestamp>,
    /// The appointment the applicant holds (after any extension).
    #[schema(value_type = Option<String>)]
    pub appointment_at: Option<jiff::Timestamp>,
    pub current_step: Option<String>,
    pub history: Vec<PublicStep>,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct PublicStep {
    /// What happened ("Tiếp nhận hồ sơ", "Chuyển bước xử lý"…).
    pub label: String,
    /// The unit it happened at or went to.
    pub unit: Option<String>,
    #[schema(value_type = String)]
    pub at: jiff::Timestamp,
}

impl From<motcua_app::dossiers::PublicDossier> for PublicDossier {
    fn from(d: motcua_app::dossiers::PublicDossier) -> Self {
        Self {
            code: d.code,
            status: d.status,
            status_label: d.status_label,
            procedure_code: d.procedure_code,
            procedure_name: d.procedure_name,
            receiving_agency: d.receiving_agency,
            applicant: d.applicant,
            received_at: d.received_at,
            appointment_at: d.appointment_at,
            current_step: d.current_step,
            history: d.history.into_iter().map(|s| PublicStep { label: s.label, unit: s.unit, at: s.at }).collect(),
        }
    }
}

impl ListInput {
    /// The list query, or every error of its parameters.
    pub fn parse(&self) -> Result<DossierFilter, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let queue = optional(&mut e, "queue", self.queue.as_deref(), |q| {
            choice(
                q,
                ListQueue::parse,
                &format!("Hàng đợi không hợp lệ: \"{q}\"; dùng {}.", ListQueue::ALL.map(ListQueue::as_str).join(", ")),
            )
        });
        let mut statuses = Vec::new();
        for part in self.status.as_deref().non_blank().into_iter().flat_map(|s| s.split(',')) {
            match Status::parse(part) {
                Some(s) => statuses.push(s),
                None => e.push(FieldError::new(
                    "status",
                    "invalid_value",
                    format!("Trạng thái không hợp lệ: \"{}\".", part.trim()),
                )),
            }
        }
        let channel = optional(&mut e, "channel", self.channel.as_deref(), |c| {
            choice(c, Channel::parse, "Kênh là desk, online hoặc postal.")
        });
        let from = optional(&mut e, "from", self.from.as_deref(), date);
        let to = optional(&mut e, "to", self.to.as_deref(), date);
        e.into_result()?;
        Ok(DossierFilter {
            queue: queue.unwrap_or_default(),
            statuses,
            procedure: self.procedure.clone(),
            channel,
            from,
            to,
            text: self.q.clone(),
            before: self.before,
            limit: self.limit,
        })
    }
}

impl RegisterInput {
    /// The register's period, or every error of its parameters.
    pub fn parse(&self) -> Result<RegisterPeriod, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let agency = optional(&mut e, "agency", self.agency.as_deref(), AgencyCode::parse);
        let from = optional(&mut e, "from", self.from.as_deref(), date);
        let to = optional(&mut e, "to", self.to.as_deref(), date);
        e.into_result()?;
        Ok(RegisterPeriod { agency, from, to })
    }
}

fn txn(e: &mut ValidationErrors, raw: Option<&str>) -> Option<ClientTxnId> {
    optional(e, "client_txn_id", raw, ClientTxnId::parse)
}

impl ApplicantInput {
    fn parse(&self, e: &mut ValidationErrors, prefix: &str) -> Applicant {
        let kind = optional(e, &format!("{prefix}kind"), self.kind.as_deref(), |k| {
            choice(k, ApplicantKind::parse, "Loại người nộp là person hoặc organisation.")
        });
        Applicant {
            kind: kind.unwrap_or_default(),
            full_name: self.full_name.clone(),
            id_number: self.id_number.clone(),
            birth_date: optional(e, &format!("{prefix}birth_date"), self.birth_date.as_deref(), date),
            gender: self.gender.clone(),
            address: self.address.clone(),
            phone: self.phone.clone(),
            email: self.email.clone(),
        }
    }
}

impl IntakeInput {
    /// The intake command, or every error of the request's syntax.
    pub fn parse(&self) -> Result<Intake, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let procedure = e.check(
            ProcedureCode::parse(&self.procedure_code)
                .map_err(|err| FieldError { field: "procedure_code".into(), ..err }),
        );
        let agency = e.check(
            AgencyCode::parse(&self.agency_code).map_err(|err| FieldError { field: "agency_code".into(), ..err }),
        );
        let channel = optional(&mut e, "channel", self.channel.as_deref(), |c| {
            choice(c, Channel::parse, "Kênh nộp là desk, postal hoặc online.")
        });
        let delivery = optional(&mut e, "delivery", self.delivery.as_deref(), |d| {
            choice(d, ResultDelivery::parse, "Nơi nhận kết quả là desk, post hoặc electronic.")
        });
        let applicant = self.applicant.parse(&mut e, "applicant.");
        let postal = self.postal.as_ref().map(|p| Postal {
            tracking_number: p.tracking_number.clone(),
            sender_post_office: p.sender_post_office.clone(),
            posted_on: optional(&mut e, "postal.posted_on", p.posted_on.as_deref(), date),
        });
        let client_txn = txn(&mut e, self.client_txn_id.as_deref());
        e.into_result()?;
        let (Some(procedure), Some(agency)) = (procedure, agency) else {
            return Err(ValidationErrors::single(FieldError::required("procedure_code")));
        };
        Ok(Intake {
            procedure,
            case: self.case.clone(),
            agency,
            channel: channel.unwrap_or(Channel::Desk),
            applicant,
            cccd_qr: self.cccd_qr.clone(),
            representative: self.representative.as_ref().map(|r| Representative {
                full_name: r.full_name.clone(),
                id_number: r.id_number.clone(),
                address: r.address.clone(),
                phone: r.phone.clone(),
                email: r.email.clone(),
                authorisation: r.authorisation.clone(),
            }),
            documents: self.documents.as_ref().map(|list| {
                list.iter()
                    .map(|d| HandedDocument { name: d.name.clone(), originals: d.originals, copies: d.copies })
                    .collect()
            }),
            sets: self.sets.unwrap_or(1),
            delivery: delivery.unwrap_or(ResultDelivery::Desk),
            postal,
            notes: self.notes.clone(),
            notify: motcua_domain::dossier::event::Notify { email: self.notify_email, sms: self.notify_sms },
            client_txn,
            accept: self.accept,
        })
    }
}

impl ActionInput {
    /// The action command, or every error of the request's syntax.
    pub fn parse(&self) -> Result<Action, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let kind = e.check(ActionKind::parse(&self.action).ok_or_else(|| {
            FieldError::new(
                "action",
                "invalid_value",
                format!("Thao tác không hợp lệ; dùng một trong: {}.", ActionKind::ALL.map(|a| a.as_str()).join(", ")),
            )
        }));
        let assignee = optional(&mut e, "assignee", self.assignee.as_deref(), Username::parse);
        let agency = optional(&mut e, "agency_code", self.agency_code.as_deref(), AgencyCode::parse);
        let signed_on = optional(&mut e, "signed_on", self.signed_on.as_deref(), date);
        let delivery = optional(&mut e, "delivery", self.delivery.as_deref(), |d| {
            choice(d, ResultDelivery::parse, "Hình thức trả là desk, post hoặc electronic.")
        });
        let payment_method = optional(&mut e, "payment_method", self.payment_method.as_deref(), |m| {
            choice(m, PaymentMethod::parse, "Hình thức nộp phí là online hoặc desk.")
        });
        let appointment_at = optional(&mut e, "appointment_at", self.appointment_at.as_deref(), |s| {
            motcua_app::calendar::parse_instant("appointment_at", s, true).map_err(|err| match err {
                motcua_app::AppError::Validation(mut v) if !v.errors.is_empty() => v.errors.remove(0),
                other => FieldError::new("", "invalid_instant", other.to_string()),
            })
        });
        let correct = optional(&mut e, "correct", self.correct.as_deref(), |c| {
            choice(c, CorrectionTarget::parse, "Nội dung đính chính là applicant, result hoặc receiver.")
        });
        let applicant = self.applicant.as_ref().map(|a| a.parse(&mut e, "applicant."));
        let client_txn = txn(&mut e, self.client_txn_id.as_deref());
        e.into_result()?;
        let Some(kind) = kind else { return Err(ValidationErrors::single(FieldError::required("action"))) };
        Ok(Action {
            kind,
            reason: self.reason.clone(),
            client_txn,
            expected_seq: self.expected_seq,
            items: self.items.clone(),
            assignee,
            to_step: self.to_step,
            agency,
            question: self.question.clone(),
            working_days: self.working_days,
            consultation_id: self.consultation_id,
            opinion: self.opinion.clone(),
            amount_vnd: self.amount_vnd,
            receipt: self.receipt.clone(),
            payment_method,
            number: self.number.clone(),
            signed_on,
            signer: self.signer.clone(),
            delivery,
            receiver: self.receiver.clone(),
            appointment_at,
            correct,
            applicant,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The pattern the OpenAPI document gives `action` is every action, and nothing else.
    #[test]
    fn the_documented_actions_are_the_actions() {
        let schema = serde_json::to_value(<ActionInput as utoipa::PartialSchema>::schema()).unwrap();
        let all: Vec<&str> = ActionKind::ALL.iter().map(|a| a.as_str()).collect();
        assert_eq!(schema["properties"]["action"]["pattern"], format!("^({})$", all.join("|")));
    }

    #[test]
    fn every_syntax_error_of_an_intake_comes_back_at_once() {
        let input = IntakeInput {
            procedure_code: "1.00119".into(),
            agency_code: "h99 301".into(),
            channel: Some("fax".into()),
            delivery: Some("drone".into()),
            applicant: ApplicantInput {
                kind: Some("robot".into()),
                birth_date: Some("31/02/2001".into()),
                ..Default::default()
            },
            postal: Some(PostalInput {
                tracking_number: "EB1".into(),
                posted_on: Some("hôm qua".into()),
                ..Default::default()
            }),
            client_txn_id: Some("có dấu".into()),
            ..Default::default()
        };
        let e = input.parse().unwrap_err();
        let fields: Vec<&str> = e.errors.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "procedure_code",
                "agency_code",
                "channel",
                "delivery",
                "applicant.kind",
                "applicant.birth_date",
                "postal.posted_on",
                "client_txn_id"
            ]
        );
    }

    #[test]
    fn blank_optional_values_take_their_defaults() {
        let input = IntakeInput {
            procedure_code: "1.001193".into(),
            agency_code: "H99.301".into(),
            channel: Some(" ".into()),
            delivery: Some(String::new()),
            client_txn_id: Some("  ".into()),
            ..Default::default()
        };
        let intake = input.parse().unwrap();
        assert_eq!((intake.channel, intake.delivery, intake.sets), (Channel::Desk, ResultDelivery::Desk, 1));
        assert!(intake.client_txn.is_none());
        let action = ActionInput {
            action: "extend".into(),
            appointment_at: Some("25/02/2026 16:00".into()),
            ..Default::default()
        };
        assert_eq!(action.parse().unwrap().appointment_at, Some("2026-02-25T09:00:00Z".parse().unwrap()));
        let bad = ActionInput { action: "fly".into(), correct: Some("everything".into()), ..Default::default() };
        let fields: Vec<String> = bad.parse().unwrap_err().errors.into_iter().map(|f| f.field).collect();
        assert_eq!(fields, ["action", "correct"]);
    }
}
