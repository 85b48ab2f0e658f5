//! Intake (tiếp nhận): recording a dossier at the desk, by post or online, and the desk's
//! decision to accept it (code and appointment issued), ask for a supplement or refuse it.

use motcua_domain::account::Principal;
use motcua_domain::agency::{Agency, AgencyId};
use motcua_domain::catalog::Channel;
use motcua_domain::dossier::event::{HandedDocument, PostalInfo, Submission};
use motcua_domain::dossier::{Context, decide};
use motcua_domain::policy::{Denied, Permission, authorize_dossier, scopes, unit_parents};
use motcua_domain::time::vn_date;
use motcua_domain::validation::{FieldError, ValidationErrors, optional_text};

use super::Dossiers;
use super::input::{Intake, applicant_of};
use super::{DossierView, action_error, actor_of, agency_ref, seal_events, submitted};
use crate::context::RequestMeta;
use crate::error::AppError;
use crate::ports::AgencyProcedure;
use crate::ports::DossierRow;
use crate::snapshot::Snapshot;
use motcua_domain::dossier::ClientTxnId;
use motcua_domain::report::RollupDelta;

/// The result of an intake: the dossier, and whether it was recorded by an earlier request
/// with the same client transaction id.
#[derive(Debug, Clone)]
pub struct IntakeOutcome {
    pub view: DossierView,
    pub replayed: bool,
}

impl Dossiers {
    /// Records a dossier (and accepts it when asked), against the reference data of
    /// `snapshot`. Retries with the same client transaction id return the dossier recorded the
    /// first time.
    pub async fn intake(
        &self,
        principal: &Principal,
        snapshot: &Snapshot,
        input: &Intake,
        meta: &RequestMeta,
    ) -> Result<IntakeOutcome, AppError> {
        let txn = input.client_txn.as_ref().map(ClientTxnId::as_str);
        // A first request is not slowed by looking its id up: a retry is recognised when it
        // cannot be recorded again (the unique index refuses its id, or what it asked for is
        // no longer valid), and then answered with what the first request recorded.
        match self.record_intake(principal, snapshot, input, txn, meta).await {
            Ok(view) => Ok(IntakeOutcome { view, replayed: false }),
            Err(err) => match self.replay_instead_of(principal, txn, err).await {
                Ok(view) => Ok(IntakeOutcome { view, replayed: true }),
                Err(err) => Err(err),
            },
        }
    }

    async fn record_intake(
        &self,
        principal: &Principal,
        reference: &Snapshot,
        input: &Intake,
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
        let agency = reference.agency_by_code(&input.agency).await?;
        let grant = match &agency {
            Some(a) => match authorize_dossier(principal, Permission::ReceiveDossiers, &a.path) {
                Ok(g) => Some(g),
                Err(denied) => return Err(self.refused(principal, "dossier.intake", denied, meta).await),
            },
            None => None,
        };
        let mut e = ValidationErrors::new();
        if agency.is_none() {
            e.push(FieldError::new("agency_code", "not_found", "Không có cơ quan với mã định danh này."));
        }
        let (channel, delivery) = (input.channel, input.delivery);
        let applicant = match applicant_of(&input.applicant, input.cccd_qr.as_deref(), today) {
            Ok(a) => Some(a),
            Err(more) => {
                e.errors.extend(more.errors);
                None
            }
        };
        if let Some(a) = &applicant {
            if input.notify.email && a.email.is_none() {
                e.push(motcua_domain::validation::FieldError::new(
                    "notify_email",
                    "required_for_notice",
                    "Cần địa chỉ thư điện tử của người nộp để gửi thông báo qua thư.",
                ));
            }
            if input.notify.sms && a.phone.is_none() {
                e.push(motcua_domain::validation::FieldError::new(
                    "notify_sms",
                    "required_for_notice",
                    "Cần số điện thoại của người nộp để gửi tin nhắn.",
                ));
            }
        }
        let representative = match &input.representative {
            Some(r) if !r.full_name.trim().is_empty() || r.id_number.is_some() => {
                match r.validated("representative.") {
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
                tracking.map(|t| PostalInfo { tracking_number: t, sender_post_office: office, posted_on: p.posted_on })
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
        let sets = input.sets;
        if !(1..=100).contains(&sets) {
            e.push(FieldError::new("sets", "invalid_number", "Số bộ hồ sơ từ 1 đến 100."));
        }
        e.into_result()?;
        let (Some(agency), Some(grant)) = (agency, grant) else {
            return Err(AppError::Internal(anyhow::anyhow!("intake validated without its agency")));
        };

        let (procedure_id, procedure_code, version) =
            reference.procedure_in_force(&input.procedure, vn_date(now)).await?;
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
            None => super::checklist(case, channel),
        };
        let submission = Submission {
            channel,
            procedure: super::procedure_ref(procedure_id, &procedure_code, &version, case),
            receiving: agency_ref(&agency),
            applicant: applicant.expect("checked"),
            representative,
            documents,
            sets,
            fees_vnd: case.fees.iter().filter_map(|f| f.amount_vnd).sum(),
            delivery,
            postal,
            notes,
            portal: None,
            notify: input.notify,
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
        let (mut state, mut events) = submitted(id, submission, &actor, txn, now)?;
        if let (Some(plan), Some(number)) = (plan, number) {
            let accepting = plan.accept(number, now)?;
            let ctx = Context {
                now,
                calendar: &accepting.calendar,
                agency_calendars: &accepting.agency_calendars,
                reason: None,
            };
            let bodies = decide(&state, accepting.command, &ctx).map_err(action_error)?;
            events.extend(seal_events(&mut state, bodies, &actor, None, None, now)?);
        }
        let agencies: Vec<AgencyId> = state.involved_agencies().into_iter().collect();
        crate::national_portal::nudge(&self.core, &mut *tx, &state, &events).await?;
        crate::notices::queue_for_dossier(&self.core, &mut *tx, &state, &events, now).await?;
        let row = DossierRow::of(&state);
        tx.commit_new_dossier(&row, &events, &agencies, &RollupDelta::between(None, Some(&row.facts))).await?;
        meta.mark_audited();
        tracing::info!(dossier = state.id, code = ?state.code.as_ref().map(ToString::to_string), "dossier received");
        self.view_after(principal, reference, state, events).await
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
