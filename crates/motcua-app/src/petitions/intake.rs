//! New petitions: sent by anyone through the public form, or recorded by an official from a
//! letter, a call, an e-mail or a visit to the desk. Each is numbered on receipt and answered
//! with a receipt the petitioner can look it up by.

use jiff::Timestamp;
use motcua_domain::account::Principal;
use motcua_domain::agency::{Agency, AgencyId, AgencyLevel};
use motcua_domain::dossier::EventActor;
use motcua_domain::dossier::event::AgencyRef;
use motcua_domain::petition::event::{Attachment, PetitionEventBody, seal};
use motcua_domain::petition::intake::ValidIntake;
use motcua_domain::petition::{PetitionChannel, PetitionCode, PetitionIntake, PetitionState};
use motcua_domain::policy::{Permission, authorize_dossier};

use super::{Petitions, row_of, stored};
use crate::context::{Actor, RequestMeta};
use crate::error::AppError;

/// A file sent with a petition, as received.
#[derive(Debug, Clone)]
pub struct NewFile {
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// At most this many files with one petition…
pub const MAX_FILES: usize = 5;
/// …each at most this large.
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;

/// What the petitioner is told on receipt.
#[derive(Debug, Clone)]
pub struct Receipt {
    pub code: String,
    pub agency: String,
    pub received_at: Timestamp,
    /// When the answer is due at the latest.
    pub answer_due: Option<Timestamp>,
    pub answer_days: u32,
}

impl Petitions {
    /// The agencies a petition may be addressed to: the province, its communes and its
    /// departments that are in operation (a desk answers for its commune).
    pub async fn addressees(&self) -> Result<Vec<Agency>, AppError> {
        let roots = self.core.store.root_agencies().await?;
        let paths: Vec<_> = roots.iter().map(|a| a.path.clone()).collect();
        let mut all = self.core.store.agencies_within(&paths, false).await?;
        all.retain(|a| {
            a.active && matches!(a.level, AgencyLevel::Province | AgencyLevel::Commune | AgencyLevel::Department)
        });
        all.sort_by(|a, b| a.path.depth().cmp(&b.path.depth()).then_with(|| a.name.cmp(&b.name)));
        Ok(all)
    }

    pub(super) async fn addressee(&self, id: AgencyId) -> Result<Agency, AppError> {
        self.addressees().await?.into_iter().find(|a| a.id == id).ok_or_else(|| {
            AppError::field("agency", "not_found", "Hãy chọn cơ quan nhận phản ánh, kiến nghị trong danh sách.")
        })
    }

    /// A petition sent through the public form (no login).
    pub async fn submit(
        &self,
        agency: AgencyId,
        input: &PetitionIntake,
        files: &[NewFile],
        meta: &RequestMeta,
    ) -> Result<Receipt, AppError> {
        let channel = PetitionChannel::Online;
        let (agency, valid) = self.checked(agency, input, channel, files).await?;
        let actor = EventActor { user_id: None, name: "citizen".into(), role: None, unit: None };
        self.create(&agency, channel, valid, files, actor, Actor::Anonymous { attempted: None }, meta).await
    }

    /// A petition an official records from a letter, a call, an e-mail or the desk, for an
    /// agency they handle petitions of.
    pub async fn record(
        &self,
        principal: &Principal,
        agency: AgencyId,
        channel: PetitionChannel,
        input: &PetitionIntake,
        files: &[NewFile],
        meta: &RequestMeta,
    ) -> Result<Receipt, AppError> {
        if self.recordable(principal).await?.is_empty() {
            return Err(AppError::Forbidden(motcua_domain::policy::Denied::MissingPermission));
        }
        if !PetitionChannel::RECORDED.contains(&channel) {
            return Err(AppError::field("channel", "invalid_choice", "Hãy chọn cách nhận phản ánh, kiến nghị."));
        }
        let target = self.addressee(agency).await?;
        let grant = authorize_dossier(principal, Permission::HandlePetitions, &target.path)?;
        let (agency, valid) = self.checked(agency, input, channel, files).await?;
        let actor = crate::dossiers::actor_of(principal, grant);
        self.create(&agency, channel, valid, files, actor, Actor::Official { principal, grant: Some(grant) }, meta)
            .await
    }

    /// Everything checked before anything is written.
    pub(super) async fn checked(
        &self,
        agency: AgencyId,
        input: &PetitionIntake,
        channel: PetitionChannel,
        files: &[NewFile],
    ) -> Result<(Agency, ValidIntake), AppError> {
        let agency = self.addressee(agency).await;
        let valid = input.validated(channel);
        let (agency, mut valid) = match (agency, valid) {
            (Ok(a), Ok(v)) => (a, v),
            (Err(AppError::Validation(mut a)), Err(v)) => {
                a.errors.extend(v.errors);
                return Err(AppError::Validation(a));
            }
            (Err(e), _) => return Err(e),
            (_, Err(v)) => return Err(AppError::Validation(v)),
        };
        if files.len() > MAX_FILES {
            return Err(AppError::field("files", "too_many", format!("Gửi kèm tối đa {MAX_FILES} tệp.")));
        }
        for f in files {
            let name = crate::catalog::safe_file_name(&f.file_name)?;
            if f.bytes.is_empty() {
                return Err(AppError::field("files", "empty", format!("Tệp «{name}» rỗng.")));
            }
            if f.bytes.len() > MAX_FILE_BYTES {
                return Err(AppError::field("files", "too_large", format!("Tệp «{name}» lớn hơn 10 MB.")));
            }
            let content_type = file_type(&f.bytes).ok_or_else(|| {
                AppError::field(
                    "files",
                    "unsupported_type",
                    format!("Tệp «{name}» không phải PDF, PNG hoặc JPEG hợp lệ."),
                )
            })?;
            valid.attachments.push(Attachment {
                file_id: 0,
                name,
                content_type: content_type.to_owned(),
                size: i64::try_from(f.bytes.len()).unwrap_or(i64::MAX),
            });
        }
        if let Some(old) = &valid.reraise_of {
            let published = match self.core.store.petition_id_by_code(old.as_str()).await? {
                Some(id) => self.core.store.petition_row(id).await?.is_some_and(|r| r.published_at.is_some()),
                None => false,
            };
            if !published {
                return Err(AppError::field(
                    "reraise_of",
                    "not_published",
                    "Chỉ nêu lại được phản ánh, kiến nghị đã có trả lời công khai.",
                ));
            }
        }
        Ok((agency, valid))
    }

    #[expect(clippy::too_many_arguments)]
    pub(super) async fn create(
        &self,
        agency: &Agency,
        channel: PetitionChannel,
        valid: ValidIntake,
        files: &[NewFile],
        actor: EventActor,
        audit_actor: Actor<'_>,
        meta: &RequestMeta,
    ) -> Result<Receipt, AppError> {
        let now = self.core.now();
        let mut tx = self.core.store.begin().await?;
        let mut attachments = valid.attachments.clone();
        for (a, f) in attachments.iter_mut().zip(files) {
            a.file_id = self
                .core
                .keep_file_by(&mut *tx, &a.name, &a.content_type, &f.bytes, Some(actor.name.clone()), now)
                .await?;
        }
        let day = motcua_domain::time::vn_date(now);
        let number = tx.next_petition_number(agency.id, day).await?;
        let code = PetitionCode::new(&agency.code, day, number);
        let agency_ref = AgencyRef { id: agency.id, code: agency.code.clone(), name: agency.name.clone() };
        let body = PetitionEventBody::Received {
            code: code.to_string(),
            agency: agency_ref,
            channel,
            petition_kind: valid.petition_kind,
            subject: valid.subject,
            content: valid.content,
            petitioner: valid.petitioner,
            procedure_code: valid.procedure_code,
            dossier_code: valid.dossier_code,
            reraise_of: valid.reraise_of.map(|c| c.to_string()),
            attachments,
            notify_email: valid.notify_email,
            notify_sms: valid.notify_sms,
            portal: valid.portal,
        };
        // The id is known only once the row exists; the first event's hash covers it.
        let provisional = seal(0, None, now, &actor, &body);
        let first = motcua_domain::petition::PetitionEvent {
            seq: provisional.seq,
            at: now,
            actor: actor.clone(),
            body: body.clone(),
            prev_hash: String::new(),
            hash: provisional.hash.clone(),
        };
        let state = PetitionState::fold(0, std::slice::from_ref(&first))
            .map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?;
        let (clocks, deadlines) = self.clocks(&state).await?;
        let row = row_of(&state, &clocks, agency.id, now);
        let id = tx.insert_petition(&row).await?;
        let sealed = seal(id, None, now, &actor, &body);
        tx.append_petition_event(&stored(id, sealed)).await?;
        let mut state = state;
        state.id = id;
        let kind = motcua_domain::citizen_notice::NoticeKind::PetitionReceived;
        crate::notices::queue_for_petition(&self.core, &mut *tx, &state, kind, "", row.answer_due_at, now).await?;
        let event = audit_actor
            .did("petition.receive")
            .on("petition", id)
            .detail(format!("{{\"code\":\"{code}\",\"channel\":\"{}\"}}", channel.as_str()))
            .event(meta, now);
        self.core.commit_audited(tx, event, meta).await?;
        Ok(Receipt {
            code: code.to_string(),
            agency: agency.name.clone(),
            received_at: now,
            answer_due: row.answer_due_at,
            answer_days: deadlines.answer,
        })
    }
}

/// PDF, PNG or JPEG, from the bytes' structure.
fn file_type(bytes: &[u8]) -> Option<&'static str> {
    if crate::upload::is_pdf(bytes) { Some("application/pdf") } else { crate::upload::image_type(bytes) }
}
