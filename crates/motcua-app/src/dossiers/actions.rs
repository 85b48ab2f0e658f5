//! Officials' actions on a received dossier.

use jiff::Timestamp;
use motcua_domain::account::{Principal, Username};
use motcua_domain::agency::AgencyCode;
use motcua_domain::audit::Outcome;
use motcua_domain::dossier::action::CorrectionDraft;
use motcua_domain::dossier::action::requirement;
use motcua_domain::dossier::correction::ResultParticulars;
use motcua_domain::dossier::event::{PaymentMethod, ResultDelivery, UserRef};
use motcua_domain::dossier::{ActionError, ActionKind, Command, Context, DossierState, decide};
use motcua_domain::policy::{Denied, authorize_dossier};
use motcua_domain::validation::NonBlank;

use super::Dossiers;
use super::action_error;
use super::retry::txn_used;
use super::{Before, DossierView, actor_of, agency_ref, commit_events, seal_events};
use crate::context::{Actor, RequestMeta};
use crate::error::AppError;
use crate::snapshot::Snapshot;
use motcua_domain::dossier::ClientTxnId;

/// An action on a dossier with what it needs; which fields matter depends on `kind`. The
/// values whose form is fixed arrive parsed (see [`super::input`]); what the action requires of
/// them is checked here.
#[derive(Debug, Clone)]
pub struct Action {
    pub kind: ActionKind,
    /// Why (required for send_back, reject, stop, extend, a second supplement request and
    /// every correction action).
    pub reason: Option<String>,
    pub client_txn: Option<ClientTxnId>,
    /// The event number the client saw last: if the dossier changed since, the action is
    /// refused instead of applied to a state nobody looked at.
    pub expected_seq: Option<i64>,
    /// Supplement or payment items; refusal reasons.
    pub items: Vec<String>,
    /// The official to assign or forward to.
    pub assignee: Option<Username>,
    /// Step index to send back to (default: the previous step).
    pub to_step: Option<usize>,
    /// The agency to consult.
    pub agency: Option<AgencyCode>,
    pub question: Option<String>,
    /// Working days the consulted agency has to answer.
    pub working_days: Option<u32>,
    pub consultation_id: Option<u32>,
    pub opinion: Option<String>,
    pub amount_vnd: Option<u64>,
    /// Fee receipt number.
    pub receipt: Option<String>,
    /// How the fees were paid (default: at the desk).
    pub payment_method: Option<PaymentMethod>,
    /// Result document number (số, ký hiệu).
    pub number: Option<String>,
    /// Signing date of the result (default today).
    pub signed_on: Option<jiff::civil::Date>,
    pub signer: Option<String>,
    /// Where the result goes (default: what the applicant chose).
    pub delivery: Option<ResultDelivery>,
    /// Who received the result.
    pub receiver: Option<String>,
    /// New appointment of an extension.
    pub appointment_at: Option<Timestamp>,
    /// What `request_correction` corrects.
    pub correct: Option<CorrectionTarget>,
    /// The applicant as it should read, for a correction of the applicant.
    pub applicant: Option<motcua_domain::dossier::applicant::Applicant>,
}

impl Action {
    /// `kind` with nothing else (add what the action needs).
    pub fn new(kind: ActionKind) -> Self {
        Self {
            kind,
            reason: None,
            client_txn: None,
            expected_seq: None,
            items: Vec::new(),
            assignee: None,
            to_step: None,
            agency: None,
            question: None,
            working_days: None,
            consultation_id: None,
            opinion: None,
            amount_vnd: None,
            receipt: None,
            payment_method: None,
            number: None,
            signed_on: None,
            signer: None,
            delivery: None,
            receiver: None,
            appointment_at: None,
            correct: None,
            applicant: None,
        }
    }
}

/// What a correction (đính chính) corrects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CorrectionTarget {
    /// The applicant's particulars (send `applicant`).
    Applicant,
    /// The result document's number, date or signer (those left out keep their value).
    Result,
    /// Who received the result.
    Receiver,
}

impl CorrectionTarget {
    pub const ALL: [CorrectionTarget; 3] = [Self::Applicant, Self::Result, Self::Receiver];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Applicant => "applicant",
            Self::Result => "result",
            Self::Receiver => "receiver",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s.trim())
    }
}

/// A file handed in with an action: the result document of `issue_result` (the signed
/// decision, certificate or licence, scanned or digitally signed).
#[derive(Debug, Clone)]
pub struct Attachment {
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// Largest result document.
pub const MAX_RESULT_FILE: usize = 20 * 1024 * 1024;

/// The content type of a result document, from its bytes: PDF (signed or scanned) or a scan
/// as PNG or JPEG. Anything else is refused (no office files: a result is a final document).
fn sniff_result_type(bytes: &[u8]) -> Option<&'static str> {
    if crate::upload::is_pdf(bytes) { Some("application/pdf") } else { crate::upload::image_type(bytes) }
}

/// Checks an attachment before anything is stored; returns its safe name and content type.
fn check_attachment(kind: ActionKind, a: &Attachment) -> Result<(String, &'static str), AppError> {
    if kind != ActionKind::IssueResult {
        return Err(AppError::field("file", "not_expected", "Chỉ đính kèm tệp khi ban hành kết quả."));
    }
    let name = crate::catalog::safe_file_name(&a.file_name)?;
    if a.bytes.is_empty() {
        return Err(AppError::field("file", "empty", "Tệp rỗng."));
    }
    if a.bytes.len() > MAX_RESULT_FILE {
        return Err(AppError::field("file", "too_large", "Tệp kết quả tối đa 20 MB."));
    }
    let content_type = sniff_result_type(&a.bytes).ok_or_else(|| {
        AppError::field(
            "file",
            "unsupported_type",
            "Văn bản kết quả phải là tệp PDF, PNG hoặc JPEG hợp lệ (tệp gửi lên không đọc được theo định dạng đó).",
        )
    })?;
    Ok((name, content_type))
}

/// Whether this is a decision on the official's own correction request (four eyes).
pub(crate) fn own_correction(
    state: &motcua_domain::dossier::DossierState,
    kind: ActionKind,
    principal: &Principal,
) -> bool {
    matches!(kind, ActionKind::ApproveCorrection | ActionKind::RejectCorrection)
        && state.pending_correction().is_some_and(|c| c.requested_by_id == Some(principal.user_id))
}

/// The corrected value an official sent.
fn correction_draft(
    state: &motcua_domain::dossier::DossierState,
    input: &Action,
    now: Timestamp,
) -> Result<CorrectionDraft, AppError> {
    match input.correct {
        Some(CorrectionTarget::Applicant) => {
            let a = input.applicant.as_ref().ok_or_else(|| {
                AppError::field("applicant", "required", "Cần nhập thông tin người nộp hồ sơ đã đính chính.")
            })?;
            let applicant =
                super::input::applicant_of(a, None, motcua_domain::time::vn_date(now)).map_err(AppError::Validation)?;
            Ok(CorrectionDraft::Applicant(applicant))
        }
        Some(CorrectionTarget::Result) => {
            let r = state.result.as_ref();
            let keep = |v: &Option<String>, current: Option<&String>| {
                v.clone().filter(|s| !s.trim().is_empty()).or_else(|| current.cloned()).unwrap_or_default()
            };
            let signed_on =
                input.signed_on.unwrap_or_else(|| r.map_or_else(|| motcua_domain::time::vn_date(now), |r| r.signed_on));
            Ok(CorrectionDraft::Result(ResultParticulars {
                number: keep(&input.number, r.map(|r| &r.number)),
                signed_on,
                signer: keep(&input.signer, r.map(|r| &r.signer)),
            }))
        }
        Some(CorrectionTarget::Receiver) => Ok(CorrectionDraft::Receiver(input.receiver.clone().unwrap_or_default())),
        None => Err(AppError::field("correct", "required", "Nội dung đính chính là applicant, result hoặc receiver.")),
    }
}

/// A value the action needs.
fn required<T>(field: &str, v: Option<T>, what: &str) -> Result<T, AppError> {
    v.ok_or_else(|| AppError::field(field, "required", format!("Cần nhập {what}.")))
}

impl Dossiers {
    /// Records a refused attempt in the audit log and returns the error to answer with.
    pub(crate) async fn refused(
        &self,
        principal: &Principal,
        action: &str,
        denied: Denied,
        meta: &RequestMeta,
    ) -> AppError {
        let event = Actor::Official { principal, grant: None }
            .did(action)
            .outcome(Outcome::Denied)
            .detail(denied.to_string())
            .event(meta, self.core.now());
        if let Err(e) = self.core.record_audit(event, meta).await {
            tracing::error!(error = %e, "could not audit a refused dossier action");
        }
        AppError::Forbidden(denied)
    }

    /// The grant that allows `kind` on the dossier now, or why none does.
    async fn action_grant<'p>(
        &self,
        principal: &'p Principal,
        reference: &Snapshot,
        state: &DossierState,
        kind: ActionKind,
    ) -> Result<Result<&'p motcua_domain::account::Grant, Denied>, AppError> {
        let (perm, agency_id) = requirement(state, kind);
        let agency = reference.agency(agency_id).await?.ok_or(AppError::NotFound("cơ quan"))?;
        Ok(authorize_dossier(principal, perm, &agency.path)
            .and_then(|g| if own_correction(state, kind, principal) { Err(Denied::OwnRequest) } else { Ok(g) }))
    }

    /// A change refused because the dossier's history does not hold: raises the alert, and
    /// answers `integrity_error` to who may see the dossier ("not found" to anyone else).
    async fn refuse_broken_dossier(
        &self,
        principal: &Principal,
        reference: &Snapshot,
        id: i64,
        problem: motcua_domain::dossier::chain::DossierBreak,
    ) -> AppError {
        let row = self.core.store.dossier_row(id).await.ok().flatten();
        let failure = crate::integrity::IntegrityFailure::Dossier {
            id,
            code: row.as_ref().and_then(|r| r.code.clone()),
            problem,
        };
        self.integrity.raise_integrity_alert(&failure).await;
        let visible = match self.core.store.dossier_agency_ids(id).await {
            Ok(agencies) => self.authorize_view_through(principal, reference, agencies).await,
            Err(e) => Err(e.into()),
        };
        match visible {
            Ok(()) => AppError::Conflict {
                code: "integrity_error",
                message: format!(
                    "Lịch sử của hồ sơ không còn nguyên vẹn ({failure}); không thể thao tác trên hồ sơ này. \
                     Quản trị hệ thống đã được báo."
                ),
                field: None,
            },
            Err(e) => e,
        }
    }

    /// For a request refused as invalid: answers "not found" to who may not see the dossier and
    /// "forbidden" to who may not take the action, so that only those who may act learn what
    /// was wrong with their input.
    async fn authorize_action(
        &self,
        principal: &Principal,
        key: &str,
        kind: Option<ActionKind>,
        meta: &RequestMeta,
    ) -> Result<(), AppError> {
        let (state, _) = self.load_dossier(key).await?;
        let reference = self.core.snapshot().await?;
        self.authorize_view(principal, &reference, &state).await?;
        if let Some(kind) = kind
            && let Err(denied) = self.action_grant(principal, &reference, &state, kind).await?
        {
            return Err(self.refused(principal, &format!("dossier.{}", kind.as_str()), denied, meta).await);
        }
        Ok(())
    }

    /// Takes an action on a dossier, against the reference data of `snapshot`. The dossier is
    /// locked for the transaction; a retry with the same client transaction id returns the
    /// dossier without acting again.
    pub async fn act(
        &self,
        principal: &Principal,
        snapshot: &Snapshot,
        key: &str,
        input: &Action,
        meta: &RequestMeta,
    ) -> Result<DossierView, AppError> {
        self.act_with(principal, snapshot, key, input, None, meta).await
    }

    /// [`Dossiers::act`] with a file: the result document of `issue_result`, stored in the
    /// same transaction as the event that names it.
    pub async fn act_with(
        &self,
        principal: &Principal,
        snapshot: &Snapshot,
        key: &str,
        input: &Action,
        attachment: Option<&Attachment>,
        meta: &RequestMeta,
    ) -> Result<DossierView, AppError> {
        let kind = input.kind;
        // A document (up to 20 MB) is parsed only for who may see the dossier. The action's
        // own permission is checked on the locked state, after a retry is recognised: a retry
        // of an issue whose step has moved on must still get its answer.
        if attachment.is_some() {
            self.authorize_action(principal, key, None, meta).await?;
        }
        let checked = match attachment.map(|a| check_attachment(kind, a).map(|(n, t)| (n, t, a))).transpose() {
            Ok(checked) => checked,
            Err(e) => {
                // Who may not take this action learns that, not what was wrong with the file.
                self.authorize_action(principal, key, Some(kind), meta).await?;
                return Err(e);
            }
        };
        let txn = input.client_txn.as_ref().map(ClientTxnId::as_str);
        match self.record_action(principal, snapshot, key, kind, input, checked, txn, meta).await {
            Ok(view) => Ok(view),
            Err(err) => self.replay_instead_of(principal, txn, err).await,
        }
    }

    #[expect(clippy::too_many_arguments, reason = "the checked parts of one request")]
    async fn record_action(
        &self,
        principal: &Principal,
        reference: &Snapshot,
        key: &str,
        kind: ActionKind,
        input: &Action,
        checked: Option<(String, &'static str, &Attachment)>,
        txn: Option<&str>,
        meta: &RequestMeta,
    ) -> Result<DossierView, AppError> {
        let id = self.dossier_id(key).await?;
        let now = self.core.now();

        // Everything is decided on the locked events: a concurrent hand-over cannot slip an
        // action past the checks, and the events are read once.
        let mut tx = self.core.store.begin().await?;
        let locked = tx.lock_dossier_events(id).await?;
        // Nothing is written on a history that no longer holds at its head.
        let mut events = match motcua_domain::dossier::chain::check_head(&locked.events, locked.verified.as_ref()) {
            Ok(events) => events,
            Err(problem) => {
                drop(tx);
                return Err(self.refuse_broken_dossier(principal, reference, id, problem).await);
            }
        };
        let mut state = motcua_domain::dossier::DossierState::fold(id, &events)
            .map_err(|e| AppError::Internal(anyhow::anyhow!("dossier {id}: {e}")))?;
        self.authorize_view(principal, reference, &state).await?;
        // A retry of an action this dossier already recorded gets the dossier as it is.
        if let Some(t) = txn
            && let Some(first) = events.iter().find(|e| e.client_txn_id.as_deref() == Some(t))
        {
            let own = first.actor.user_id == Some(principal.user_id);
            // Under group commit the first sending may still wait in the open batch: committing
            // this (read-only) transaction waits for that batch, so the answer is durable.
            tx.commit().await?;
            if !own {
                return Err(txn_used());
            }
            return self.view_after(principal, reference, state, events).await;
        }
        // Permission before anything about the dossier's state: a viewer trying to refuse learns
        // that they may not, not which actions the status allows.
        let grant = match self.action_grant(principal, reference, &state, kind).await? {
            Ok(g) => g,
            Err(denied) => {
                drop(tx);
                return Err(self.refused(principal, &format!("dossier.{}", kind.as_str()), denied, meta).await);
            }
        };
        if let Some(seen) = input.expected_seq
            && seen != state.last_seq
        {
            return Err(AppError::stale("Hồ sơ"));
        }
        if !motcua_domain::dossier::action::allows(&state, kind) {
            let allowed = motcua_domain::dossier::allowed_actions(&state);
            return Err(action_error(ActionError::NotAllowed { action: kind, status: state.status, allowed }));
        }
        let (mut cmd, calendar, agency_calendars) = if kind == ActionKind::Accept {
            let plan = self.plan_for_recorded(reference, &state).await?;
            // The counter row stays locked from here to commit, so this is the last read of
            // the transaction.
            let number = tx.next_dossier_number(plan.resolving.id, motcua_domain::time::vn_date(now)).await?;
            let accepting = plan.accept(number, now)?;
            (accepting.command, accepting.calendar, accepting.agency_calendars)
        } else {
            let cmd = self.command(&state, kind, input, now).await?;
            // The dossier's own deadlines run on the receiving agency's hours, as the receipt's
            // did; each step and consultation on the hours of the agency doing it.
            let receiving =
                reference.agency(state.submission.receiving.id).await?.ok_or(AppError::NotFound("cơ quan"))?;
            let calendar = reference.agency_calendar(&receiving).await?.calendar;
            let consulted = match &cmd {
                Command::Consult { agency, .. } => Some(agency.id),
                _ => None,
            };
            let agencies = state.steps.iter().map(|p| p.agency.id).chain(consulted).collect();
            let others = reference.calendars_of(agencies).await?;
            (cmd, calendar, others)
        };
        if let (Command::IssueResult { file_id, file_name, .. }, Some((name, content_type, a))) = (&mut cmd, checked) {
            *file_id = Some(self.core.keep_file(&mut *tx, &name, content_type, &a.bytes, principal, now).await?);
            *file_name = Some(name);
        }
        let reason = input.reason.as_deref().non_blank();
        let ctx = Context { now, calendar: &calendar, agency_calendars: &agency_calendars, reason };
        let bodies = decide(&state, cmd, &ctx).map_err(action_error)?;
        let before = Before::of(&state);
        let actor = actor_of(principal, grant);
        let new = seal_events(&mut state, bodies, &actor, reason, txn, now)?;
        crate::national_portal::nudge(&self.core, &mut *tx, &state, &new).await?;
        crate::notices::queue_for_dossier(&self.core, &mut *tx, &state, &new, now).await?;
        commit_events(tx, &before, &state, &new).await?;
        meta.mark_audited();
        events.extend(new);
        self.view_after(principal, reference, state, events).await
    }

    /// The result document of a dossier, for those who may see the dossier.
    pub async fn result_file(
        &self,
        principal: &Principal,
        key: &str,
    ) -> Result<(crate::ports::StoredFile, Vec<u8>), AppError> {
        let (state, _) = self.load_dossier(key).await?;
        self.authorize_view(principal, &*self.core.snapshot().await?, &state).await?;
        let id = state.result.as_ref().and_then(|r| r.file_id).ok_or(AppError::NotFound("tệp kết quả"))?;
        let meta = self.core.store.stored_file(id).await?.ok_or(AppError::NotFound("tệp kết quả"))?;
        let bytes = self.core.files.get(&meta.sha256).await?.ok_or(AppError::NotFound("tệp kết quả"))?;
        Ok((meta, bytes))
    }

    /// A file submitted with a portal dossier (or its supplement), for those who may see it.
    pub async fn portal_file(
        &self,
        principal: &Principal,
        key: &str,
        file_id: i64,
    ) -> Result<(crate::ports::StoredFile, Vec<u8>), AppError> {
        let (state, _) = self.load_dossier(key).await?;
        self.authorize_view(principal, &*self.core.snapshot().await?, &state).await?;
        let not_found = || AppError::NotFound("tệp của hồ sơ");
        let listed = state.portal_files.iter().find(|f| f.file_id == file_id).ok_or_else(not_found)?;
        let meta = self.core.store.stored_file(listed.file_id).await?.ok_or_else(not_found)?;
        let bytes = self.core.files.get(&meta.sha256).await?.ok_or_else(not_found)?;
        Ok((meta, bytes))
    }

    /// Turns the input into a command, looking up the people and agencies it names.
    async fn command(
        &self,
        state: &motcua_domain::dossier::DossierState,
        kind: ActionKind,
        input: &Action,
        now: Timestamp,
    ) -> Result<Command, AppError> {
        Ok(match kind {
            ActionKind::Accept => unreachable!("accept is built from its plan (accept.rs)"),
            ActionKind::RequestSupplement => Command::RequestSupplement { items: input.items.clone() },
            ActionKind::ReceiveSupplement => Command::ReceiveSupplement,
            ActionKind::Refuse => Command::Refuse { reasons: input.items.clone() },
            ActionKind::Assign => Command::Assign {
                assignee: self
                    .assignee(state, input)
                    .await?
                    .ok_or_else(|| AppError::field("assignee", "required", "Cần chọn người được phân công."))?,
            },
            ActionKind::Forward => {
                // The person must be able to do the next step.
                let next = state.step.as_ref().map_or(0, |c| c.index + 1);
                let assignee = match &input.assignee {
                    None => None,
                    Some(name) => Some(self.qualified_user(name, state.steps.get(next)).await?),
                };
                Command::Forward { assignee }
            }
            ActionKind::SendBack => Command::SendBack { to: input.to_step },
            ActionKind::Consult => {
                let code = required("agency_code", input.agency.as_ref(), "cơ quan được xin ý kiến")?;
                let agency = self.core.store.agency_by_code(code).await?.filter(|a| a.active).ok_or_else(|| {
                    AppError::field("agency_code", "not_found", "Không có cơ quan đang hoạt động với mã này.")
                })?;
                Command::Consult {
                    agency: agency_ref(&agency),
                    question: input.question.clone().unwrap_or_default(),
                    working_days: input.working_days.unwrap_or(3),
                }
            }
            ActionKind::AnswerConsultation => Command::AnswerConsultation {
                id: input
                    .consultation_id
                    .or_else(|| state.consultations.iter().find(|c| c.opinion.is_none()).map(|c| c.id))
                    .unwrap_or(0),
                opinion: input.opinion.clone().unwrap_or_default(),
            },
            ActionKind::RequestPayment => {
                Command::RequestPayment { items: input.items.clone(), amount_vnd: input.amount_vnd.unwrap_or(0) }
            }
            ActionKind::ReceivePayment => Command::ReceivePayment {
                receipt: input.receipt.clone(),
                method: input.payment_method.unwrap_or(PaymentMethod::Desk),
            },
            ActionKind::Approve => Command::Approve,
            ActionKind::Reject => Command::Reject,
            ActionKind::IssueResult => {
                let signed_on = input.signed_on.unwrap_or_else(|| motcua_domain::time::vn_date(now));
                Command::IssueResult {
                    number: input.number.clone().unwrap_or_default(),
                    signed_on,
                    signer: input.signer.clone().unwrap_or_default(),
                    file_id: None,
                    file_name: None,
                }
            }
            ActionKind::ReturnResult => {
                let delivery = input.delivery.unwrap_or(state.submission.delivery);
                Command::ReturnResult { delivery, receiver: input.receiver.clone().unwrap_or_default() }
            }
            ActionKind::RequestCorrection => Command::RequestCorrection { draft: correction_draft(state, input, now)? },
            ActionKind::ApproveCorrection => Command::ApproveCorrection,
            ActionKind::RejectCorrection => Command::RejectCorrection,
            ActionKind::RequestWithdrawal => Command::RequestWithdrawal,
            ActionKind::Stop => Command::Stop,
            ActionKind::Extend => Command::Extend {
                appointment_at: required("appointment_at", input.appointment_at, "ngày hẹn trả mới")?,
                signer: input.signer.clone().unwrap_or_default(),
            },
        })
    }

    async fn assignee(
        &self,
        state: &motcua_domain::dossier::DossierState,
        input: &Action,
    ) -> Result<Option<UserRef>, AppError> {
        match &input.assignee {
            None => Ok(None),
            Some(name) => Ok(Some(self.qualified_user(name, state.current_step()).await?)),
        }
    }

    /// The named official, if they can do the step (its permission over its agency).
    async fn qualified_user(
        &self,
        username: &Username,
        step: Option<&motcua_domain::dossier::event::PlannedStep>,
    ) -> Result<UserRef, AppError> {
        let user = self.core.store.user_by_username(username).await?.filter(|u| u.active).ok_or_else(|| {
            AppError::field("assignee", "not_found", "Không có tài khoản đang hoạt động với tên này.")
        })?;
        if let Some(step) = step {
            let target = self.core.store.agency(step.agency.id).await?.ok_or(AppError::NotFound("cơ quan"))?;
            let p = self.accounts.principal_of(&user).await?;
            let perm = motcua_domain::dossier::action::step_permission(step.kind);
            if authorize_dossier(&p, perm, &target.path).is_err() {
                return Err(AppError::field(
                    "assignee",
                    "not_qualified",
                    format!(
                        "{} không có quyền thực hiện bước \"{}\" tại {}.",
                        user.full_name, step.name, step.agency.name
                    ),
                ));
            }
        }
        Ok(UserRef { id: user.id, name: user.full_name })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, bytes: &[u8]) -> Attachment {
        Attachment { file_name: name.into(), bytes: bytes.to_vec() }
    }

    #[test]
    fn result_documents_are_pdf_or_scans_by_their_bytes() {
        use motcua_testkit::files::{SAMPLE_PNG, sample_jpeg, sample_pdf};
        let ok = |n: &str, b: &[u8]| check_attachment(ActionKind::IssueResult, &file(n, b)).map(|(_, t)| t);
        let pdf = sample_pdf("Quyết định");
        assert_eq!(ok("kq.pdf", &pdf).unwrap(), "application/pdf");
        assert_eq!(ok("scan.png", SAMPLE_PNG).unwrap(), "image/png");
        assert_eq!(ok("scan.jpg", &sample_jpeg()).unwrap(), "image/jpeg");
        // The name does not decide: an executable named .pdf is refused, as are office files,
        // and a page that only starts like a PDF or an image.
        assert!(ok("kq.pdf", b"MZ\x90\x00").is_err());
        assert!(ok("kq.docx", b"PK\x03\x04").is_err());
        assert!(ok("kq.pdf", b"").is_err());
        assert!(ok("kq.pdf", b"%PDF-1.7\n<html><script>alert(1)</script></html>").is_err());
        assert!(ok("scan.jpg", &[0xFF, 0xD8, 0xFF, 0xE0]).is_err());
        assert!(ok("scan.png", b"\x89PNG\r\n\x1a\n....").is_err());
        assert!(ok("../kq.pdf", &pdf).map(|_| ()).is_ok(), "the path is dropped, the name kept");
        assert!(ok(".env", &pdf).is_err());
        assert!(check_attachment(ActionKind::Approve, &file("kq.pdf", &pdf)).is_err());
        let big = vec![b'%'; MAX_RESULT_FILE + 1];
        assert!(ok("kq.pdf", &big).is_err());
    }
}
