//! Intake (tiếp nhận): recording a dossier at the desk, by post or online, and the desk's
//! decision to accept it (code and appointment issued), ask for a supplement or refuse it.

use motcua_domain::account::Principal;
use motcua_domain::agency::{Agency, AgencyCode, AgencyId};
use motcua_domain::catalog::Channel;
use motcua_domain::dossier::applicant::{Applicant, ApplicantKind, Representative};
use motcua_domain::dossier::cccd::parse_cccd_qr;
use motcua_domain::dossier::event::{HandedDocument, PostalInfo, ProcedureRef, ResultDelivery, Submission};
use motcua_domain::dossier::{Context, DossierEvent, DossierState, EventBody, decide};
use motcua_domain::policy::{Denied, Permission, authorize_dossier, scopes, unit_parents};
use motcua_domain::time::{parse_date, vn_date};
use motcua_domain::validation::{FieldError, ValidationErrors, optional_text};
use serde::Deserialize;

use super::Dossiers;
use super::{DossierView, actor_of, agency_ref, involved_agencies, row_of, seal_events};
use crate::context::RequestMeta;
use crate::error::{AppError, StoreError};
use crate::ports::AgencyProcedure;
use crate::snapshot::Snapshot;

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

/// The result of an intake: the dossier, and whether it was recorded by an earlier request
/// with the same client transaction id.
#[derive(Debug, Clone)]
pub struct IntakeOutcome {
    pub view: DossierView,
    pub replayed: bool,
}

/// Another official's request already used this client transaction id.
pub(crate) fn txn_used() -> AppError {
    AppError::Conflict {
        code: "client_txn_id_used",
        message: "Mã giao dịch này đã được dùng cho một yêu cầu khác.".into(),
        field: Some("client_txn_id".into()),
    }
}

pub(crate) fn check_txn_id(raw: Option<&str>) -> Result<Option<String>, AppError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) if s.len() <= 100 && s.bytes().all(|b| b.is_ascii_graphic()) => Ok(Some(s.to_owned())),
        Some(_) => Err(AppError::field(
            "client_txn_id",
            "invalid_format",
            "Mã giao dịch của máy khách gồm 1–100 ký tự ASCII in được, không có khoảng trắng.",
        )),
    }
}

fn applicant_from(input: &IntakeInput, today: jiff::civil::Date) -> Result<Applicant, ValidationErrors> {
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
    let birth = match a.birth_date.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
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

impl Dossiers {
    /// Records a dossier (and accepts it when asked), against the reference data of
    /// `snapshot`. Retries with the same client transaction id return the dossier recorded the
    /// first time.
    pub async fn intake(
        &self,
        principal: &Principal,
        snapshot: &Snapshot,
        input: &IntakeInput,
        meta: &RequestMeta,
    ) -> Result<IntakeOutcome, AppError> {
        let txn = check_txn_id(input.client_txn_id.as_deref())?;
        // A first request is not slowed by looking its id up: a retry is recognised when it
        // cannot be recorded again (the unique index refuses its id, or what it asked for is
        // no longer valid), and then answered with what the first request recorded.
        match self.record_intake(principal, snapshot, input, txn.as_deref(), meta).await {
            Ok(view) => Ok(IntakeOutcome { view, replayed: false }),
            Err(err) => match self.replay_instead_of(principal, txn.as_deref(), err).await {
                Ok(view) => Ok(IntakeOutcome { view, replayed: true }),
                Err(err) => Err(err),
            },
        }
    }

    async fn record_intake(
        &self,
        principal: &Principal,
        reference: &Snapshot,
        input: &IntakeInput,
        txn: Option<&str>,
        meta: &RequestMeta,
    ) -> Result<DossierView, AppError> {
        let now = self.core.now();
        let today = vn_date(now);
        // Permission over the receiving agency comes before anything about the input: who may
        // not receive there learns only that.
        if scopes(principal, Permission::ReceiveDossiers).is_empty()
            && unit_parents(principal, Permission::ReceiveDossiers).is_empty()
        {
            return Err(self.refused(principal, "dossier.intake", Denied::MissingPermission, meta).await);
        }
        let agency_code =
            AgencyCode::parse(&input.agency_code).map_err(|err| FieldError { field: "agency_code".into(), ..err });
        let agency = match &agency_code {
            Ok(code) => reference.agency_by_code(code).await?,
            Err(_) => None,
        };
        let grant = match &agency {
            Some(a) => match authorize_dossier(principal, Permission::ReceiveDossiers, &a.path) {
                Ok(g) => Some(g),
                Err(denied) => return Err(self.refused(principal, "dossier.intake", denied, meta).await),
            },
            None => None,
        };
        let mut e = ValidationErrors::new();
        match agency_code {
            Err(err) => e.push(err),
            Ok(_) if agency.is_none() => {
                e.push(FieldError::new("agency_code", "not_found", "Không có cơ quan với mã định danh này."))
            }
            Ok(_) => {}
        }
        let channel = match input.channel.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => Channel::Desk,
            Some(c) => Channel::parse(c).unwrap_or_else(|| {
                e.push(FieldError::new("channel", "invalid_value", "Kênh nộp là desk, postal hoặc online."));
                Channel::Desk
            }),
        };
        let delivery = match input.delivery.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => ResultDelivery::Desk,
            Some(d) => ResultDelivery::parse(d).unwrap_or_else(|| {
                e.push(FieldError::new("delivery", "invalid_value", "Nơi nhận kết quả là desk, post hoặc electronic."));
                ResultDelivery::Desk
            }),
        };
        let applicant = match applicant_from(input, today) {
            Ok(a) => Some(a),
            Err(more) => {
                e.errors.extend(more.errors);
                None
            }
        };
        let representative = match &input.representative {
            Some(r) if !r.full_name.trim().is_empty() || r.id_number.is_some() => {
                let rep = Representative {
                    full_name: r.full_name.clone(),
                    id_number: r.id_number.clone(),
                    address: r.address.clone(),
                    phone: r.phone.clone(),
                    email: r.email.clone(),
                    authorisation: r.authorisation.clone(),
                };
                match rep.validated("representative.") {
                    Ok(v) => Some(v),
                    Err(more) => {
                        e.errors.extend(more.errors);
                        None
                    }
                }
            }
            _ => None,
        };
        let postal = match (&input.postal, channel) {
            (Some(p), _) => {
                let tracking =
                    e.check(motcua_domain::validation::required_text("postal.tracking_number", &p.tracking_number, 60));
                let office =
                    e.check(optional_text("postal.sender_post_office", p.sender_post_office.as_deref(), 200)).flatten();
                let posted = match p.posted_on.as_deref().filter(|s| !s.trim().is_empty()) {
                    Some(d) => e.check(parse_date("postal.posted_on", d)),
                    None => None,
                };
                tracking.map(|t| PostalInfo { tracking_number: t, sender_post_office: office, posted_on: posted })
            }
            (None, Channel::Postal) => {
                e.push(FieldError::new(
                    "postal.tracking_number",
                    "required",
                    "Hồ sơ qua bưu chính cần số hiệu bưu gửi.",
                ));
                None
            }
            (None, _) => None,
        };
        let notes = e.check(optional_text("notes", input.notes.as_deref(), 2000)).flatten();
        let sets = input.sets.unwrap_or(1);
        if !(1..=100).contains(&sets) {
            e.push(FieldError::new("sets", "invalid_number", "Số bộ hồ sơ từ 1 đến 100."));
        }
        e.into_result()?;
        let (Some(agency), Some(grant)) = (agency, grant) else {
            return Err(AppError::Internal(anyhow::anyhow!("intake validated without its agency")));
        };

        let (procedure_id, procedure_code, version) =
            reference.version_in_force(&input.procedure_code, vn_date(now)).await?;
        let content = &version.content;
        let case = content.case(input.case.as_deref()).ok_or_else(|| {
            let names: Vec<&str> = content.cases.iter().map(|c| c.name.as_str()).collect();
            AppError::field("case", "unknown_case", format!("Chọn một trường hợp của thủ tục: {}.", names.join("; ")))
        })?;
        let handling = self.handling(reference, &agency, procedure_id, channel).await?;
        let documents: Vec<HandedDocument> = match &input.documents {
            Some(list) => {
                let mut e = ValidationErrors::new();
                let docs: Vec<HandedDocument> = list
                    .iter()
                    .enumerate()
                    .filter_map(|(i, d)| {
                        e.check(motcua_domain::validation::required_text(
                            &format!("documents[{i}].name"),
                            &d.name,
                            1000,
                        ))
                        .map(|name| HandedDocument {
                            name,
                            originals: d.originals.min(99),
                            copies: d.copies.min(99),
                        })
                    })
                    .collect();
                e.into_result()?;
                docs
            }
            None => case
                .documents
                .iter()
                .filter(|d| d.channels.is_empty() || d.channels.contains(&channel))
                .map(|d| HandedDocument { name: d.name.clone(), originals: d.originals, copies: d.copies })
                .collect(),
        };
        let submission = Submission {
            channel,
            procedure: ProcedureRef {
                id: procedure_id,
                code: procedure_code.to_string(),
                name: content.name.clone(),
                version_id: version.id,
                version: version.number,
                case: case.name.clone(),
            },
            receiving: agency_ref(&agency),
            applicant: applicant.expect("checked"),
            representative,
            documents,
            sets,
            fees_vnd: case.fees.iter().filter_map(|f| f.amount_vnd).sum(),
            delivery,
            postal,
            notes,
        };
        let actor = actor_of(principal, grant);
        // Accepting needs the plan first: a refusal of the plan must leave nothing recorded.
        let plan = if input.accept {
            Some(
                self.acceptance_plan(reference, &agency, &handling, content, case, channel, procedure_code.as_str())
                    .await?,
            )
        } else {
            None
        };

        let mut tx = self.core.store.begin().await?;
        let (id, number) = tx.reserve_dossier(plan.as_ref().map(|p| (p.resolving.id, vn_date(now)))).await?;
        let first = EventBody::Submitted(Box::new(submission));
        let provisional = DossierEvent {
            seq: 1,
            at: now,
            actor: actor.clone(),
            body: first.clone(),
            reason: None,
            client_txn_id: None,
            prev_hash: String::new(),
            hash: String::new(),
        };
        // Seal the first event again onto an empty chain; applying `Submitted` to the folded
        // state only advances the chain.
        let mut state = DossierState::fold(id, &[provisional]).map_err(|e| AppError::Internal(e.into()))?;
        state.last_seq = 0;
        state.last_hash = String::new();
        let mut events = seal_events(&mut state, vec![first], &actor, None, txn, now)?;
        if let (Some(plan), Some(number)) = (plan, number) {
            let accepting = plan.accept(number, now)?;
            let ctx = Context {
                now,
                calendar: &accepting.calendar,
                agency_calendars: &accepting.agency_calendars,
                reason: None,
            };
            let bodies = decide(&state, accepting.command, &ctx).map_err(super::actions::action_error)?;
            events.extend(seal_events(&mut state, bodies, &actor, None, None, now)?);
        }
        let agencies: Vec<AgencyId> = involved_agencies(&state).into_iter().collect();
        tx.commit_new_dossier(&row_of(&state), &events, &agencies).await?;
        meta.mark_audited();
        tracing::info!(dossier = state.id, code = ?state.code.as_ref().map(ToString::to_string), "dossier received");
        self.view_after(principal, reference, state, events).await
    }

    /// What to answer when a request carrying a client transaction id failed: the dossier its
    /// first sending recorded, if `err` is what a retry of it meets, else `err`.
    pub(crate) async fn replay_instead_of(
        &self,
        principal: &Principal,
        txn: Option<&str>,
        err: AppError,
    ) -> Result<DossierView, AppError> {
        let Some(txn) = txn else { return Err(err) };
        match &err {
            AppError::Store(StoreError::Duplicate { key }) if key.contains("client_txn_id") => {
                // Under group commit the first sending may still wait in the open batch, where
                // the unique index saw it but readers do not yet: an empty transaction commits
                // after that batch, so the first sending is durable and readable after it.
                self.core.store.begin().await?.commit().await?;
            }
            AppError::Store(StoreError::Duplicate { .. })
            | AppError::Validation(_)
            | AppError::NotFound(_)
            | AppError::Conflict { .. }
            | AppError::IllegalTransition { .. } => {}
            // Refusals stand: a replay must not show a dossier to someone no longer allowed.
            _ => return Err(err),
        }
        match self.replay(principal, txn).await? {
            Some(view) => Ok(view),
            None => Err(err),
        }
    }

    /// The dossier an earlier request with this client transaction id recorded, if it was
    /// this official's.
    pub(crate) async fn replay(&self, principal: &Principal, txn: &str) -> Result<Option<DossierView>, AppError> {
        let Some(used) = self.core.store.client_txn_use(txn).await? else { return Ok(None) };
        if used.actor_user_id != Some(principal.user_id) {
            return Err(txn_used());
        }
        let events = self.core.store.dossier_events(used.dossier_id).await?;
        let state = DossierState::fold(used.dossier_id, &events).map_err(|e| AppError::Internal(e.into()))?;
        let reference = self.core.snapshot().await?;
        // Who asked may have lost sight of the dossier since.
        self.authorize_view(principal, &reference, &state).await?;
        Ok(Some(self.view_after(principal, &reference, state, events).await?))
    }

    /// How the agency handles the procedure on this channel.
    async fn handling(
        &self,
        reference: &Snapshot,
        agency: &Agency,
        procedure_id: i64,
        channel: Channel,
    ) -> Result<AgencyProcedure, AppError> {
        let row = self.handling_row(reference, agency, procedure_id).await?;
        let open = match channel {
            Channel::Desk => row.desk,
            Channel::Postal => row.postal,
            Channel::Online => row.online,
        };
        if !open || !agency.active || !agency.exists_on(vn_date(self.core.now())) {
            return Err(AppError::field(
                "channel",
                "channel_closed",
                format!("{} không tiếp nhận thủ tục này qua kênh {}.", agency.name, channel.label()),
            ));
        }
        Ok(row)
    }
}
