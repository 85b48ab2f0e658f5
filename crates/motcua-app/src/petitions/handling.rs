//! Handling a petition: what an official sees of it and the actions they may take, each checked
//! against the state machine, the official's permission on the holding agency and the row's
//! version, and recorded as a chained event with the clocks recomputed.

use motcua_domain::account::{Principal, Username};
use motcua_domain::agency::AgencyId;
use motcua_domain::dossier::event::{AgencyRef, UserRef};
use motcua_domain::petition::event::seal;
use motcua_domain::petition::state::PetitionError;
use motcua_domain::petition::{
    PetitionAction, PetitionClocks, PetitionDeadlines, PetitionEvent, PetitionKind, PetitionState, StepTimeliness,
};
use motcua_domain::policy::{Permission, authorize_dossier};

use super::{Petitions, row_of, stored};
use crate::context::{Actor, RequestMeta};
use crate::error::AppError;

/// A petition as an official sees it.
#[derive(Debug, Clone)]
pub struct PetitionView {
    pub state: PetitionState,
    pub events: Vec<PetitionEvent>,
    pub clocks: PetitionClocks,
    pub deadlines: PetitionDeadlines,
    /// The answer against its deadline now.
    pub answer: StepTimeliness,
    /// The actions this official may take now.
    pub actions: Vec<&'static str>,
    /// What the petitioner was told, with the delivery's outcome.
    pub notices: Vec<crate::ports::CitizenNotice>,
}

/// An action as an official sends it (the fields it needs).
#[derive(Debug, Clone, Default)]
pub struct ActionInput {
    pub text: String,
    pub petition_kind: Option<String>,
    pub assignee: Option<String>,
    pub field: Option<String>,
    pub to_agency: Option<i64>,
    pub opinion: Option<String>,
    /// The event number the official saw (a stale page is refused).
    pub expected_seq: Option<i64>,
}

/// The permission an action needs on the holding agency.
pub fn action_permission(action: &str) -> Permission {
    match action {
        "draft" => Permission::AnswerPetitions,
        "approve" | "return_draft" => Permission::ApprovePetitions,
        _ => Permission::HandlePetitions,
    }
}

/// What an action is called on its button.
pub fn action_label(action: &str) -> &'static str {
    match action {
        "assign" => "Phân loại, giao xử lý",
        "request_info" => "Đề nghị bổ sung thông tin",
        "receive_info" => "Ghi nhận thông tin bổ sung",
        "forward" => "Chuyển cơ quan có thẩm quyền",
        "draft" => "Trình dự thảo trả lời",
        "return_draft" => "Trả lại dự thảo",
        "approve" => "Duyệt trả lời",
        "publish" => "Công khai trả lời",
        "refuse" => "Từ chối tiếp nhận",
        _ => "Thao tác",
    }
}

fn invalid(e: PetitionError) -> AppError {
    match e {
        PetitionError::Invalid(v) => AppError::Validation(v),
        PetitionError::SameAgency => {
            AppError::field("to_agency", "same_agency", "Hãy chọn một cơ quan khác cơ quan đang xử lý.")
        }
        PetitionError::WrongStage(stage) => AppError::Conflict {
            code: "wrong_stage",
            message: format!("Phản ánh, kiến nghị đang ở bước «{}»: không thực hiện được thao tác này.", stage.label()),
            field: None,
        },
    }
}

impl Petitions {
    async fn authorize_view(&self, principal: &Principal, s: &PetitionState) -> Result<(), AppError> {
        let agency = self.core.store.agency(s.agency.id).await?.ok_or(AppError::NotFound("cơ quan"))?;
        authorize_dossier(principal, Permission::ViewPetitions, &agency.path)?;
        Ok(())
    }

    /// A petition for an official who may see petitions of its holding agency.
    pub async fn petition(&self, principal: &Principal, key: &str) -> Result<PetitionView, AppError> {
        Self::reach(principal)?;
        let (state, events) = self.load(key).await?;
        self.authorize_view(principal, &state).await?;
        self.view(principal, state, events).await
    }

    async fn view(
        &self,
        principal: &Principal,
        state: PetitionState,
        events: Vec<PetitionEvent>,
    ) -> Result<PetitionView, AppError> {
        let (clocks, deadlines) = self.clocks(&state).await?;
        let agency = self.core.store.agency(state.agency.id).await?.ok_or(AppError::NotFound("cơ quan"))?;
        let actions = state
            .possible_actions()
            .into_iter()
            .filter(|a| authorize_dossier(principal, action_permission(a), &agency.path).is_ok())
            .collect();
        let answer = clocks.answer_timeliness(&state, self.core.now());
        let notices = self.core.store.petition_notices(state.id).await?;
        Ok(PetitionView { state, events, clocks, deadlines, answer, actions, notices })
    }

    /// Officials who may draft answers for the holding agency, for the assignment form.
    pub async fn assignees(&self, view: &PetitionView) -> Result<Vec<(String, String)>, AppError> {
        let Some(agency) = self.core.store.agency(view.state.agency.id).await? else { return Ok(Vec::new()) };
        let filter = crate::ports::UserFilter {
            scopes: vec![agency.path.clone()],
            query: None,
            include_inactive: false,
            limit: 200,
        };
        let mut out = Vec::new();
        for user in self.core.store.users_within(&filter).await? {
            let p = self.accounts.principal_of(&user).await?;
            if authorize_dossier(&p, Permission::AnswerPetitions, &agency.path).is_ok() {
                out.push((user.username.to_string(), user.full_name));
            }
        }
        out.sort_by(|a, b| a.1.cmp(&b.1));
        Ok(out)
    }

    /// Takes an action; the petition as it stands after it.
    pub async fn act(
        &self,
        principal: &Principal,
        key: &str,
        name: &str,
        input: &ActionInput,
        meta: &RequestMeta,
    ) -> Result<PetitionView, AppError> {
        Self::reach(principal)?;
        let (state, mut events) = self.load(key).await?;
        self.authorize_view(principal, &state).await?;
        if !PetitionAction::NAMES.contains(&name) {
            return Err(AppError::NotFound("thao tác"));
        }
        let agency = self.core.store.agency(state.agency.id).await?.ok_or(AppError::NotFound("cơ quan"))?;
        let grant = authorize_dossier(principal, action_permission(name), &agency.path)?;
        if input.expected_seq.is_some_and(|seq| seq != state.last_seq) {
            return Err(AppError::stale("Phản ánh, kiến nghị"));
        }
        let action = self.action(&state, name, input).await?;
        let body = state.decide(&action).map_err(invalid)?;
        let now = self.core.now();
        let actor = crate::dossiers::actor_of(principal, grant);
        let sealed = seal(state.id, Some((state.last_seq, &state.last_hash)), now, &actor, &body);
        let event = PetitionEvent {
            seq: sealed.seq,
            at: now,
            actor,
            body,
            prev_hash: sealed.prev_hash.clone(),
            hash: sealed.hash.clone(),
        };
        events.push(event);
        let after = PetitionState::fold(state.id, &events).map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?;
        let (clocks, _) = self.clocks(&after).await?;
        let received_agency =
            self.core.store.petition_row(state.id).await?.map_or(state.agency.id, |r| r.received_agency_id);
        let row = row_of(&after, &clocks, received_agency, now);
        let mut tx = self.core.store.begin().await?;
        if !tx.update_petition(&row, state.last_seq).await? {
            return Err(AppError::stale("Phản ánh, kiến nghị"));
        }
        tx.append_petition_event(&stored(state.id, sealed)).await?;
        // The petitioner hears of what concerns them: a request, the answer, a refusal.
        use motcua_domain::citizen_notice::NoticeKind;
        let notice = match name {
            "request_info" => after.info_request.clone().map(|t| (NoticeKind::PetitionInfoRequested, t)),
            "approve" => after.answer.clone().map(|t| (NoticeKind::PetitionAnswered, t)),
            "refuse" => after.refusal_reason.clone().map(|t| (NoticeKind::PetitionRefused, t)),
            _ => None,
        };
        if let Some((kind, text)) = notice {
            crate::notices::queue_for_petition(&self.core, &mut *tx, &after, kind, &text, row.answer_due_at, now)
                .await?;
        }
        let audit = Actor::Official { principal, grant: Some(grant) }
            .did(match name {
                "assign" => "petition.assign",
                "request_info" => "petition.request_info",
                "receive_info" => "petition.receive_info",
                "forward" => "petition.forward",
                "draft" => "petition.draft",
                "return_draft" => "petition.return_draft",
                "approve" => "petition.approve",
                "publish" => "petition.publish",
                _ => "petition.refuse",
            })
            .on("petition", state.id)
            .detail(format!("{{\"code\":\"{}\",\"seq\":{}}}", after.code, after.last_seq))
            .event(meta, now);
        self.core.commit_audited(tx, audit, meta).await?;
        self.view(principal, after, events).await
    }

    /// Turns the input into an action, looking up the people and agencies it names.
    async fn action(&self, s: &PetitionState, name: &str, input: &ActionInput) -> Result<PetitionAction, AppError> {
        let text = input.text.clone();
        Ok(match name {
            "refuse" => PetitionAction::Refuse { reason: text },
            "request_info" => PetitionAction::RequestInfo { request: text },
            "receive_info" => PetitionAction::ReceiveInfo { note: text },
            "draft" => PetitionAction::Draft { answer: text },
            "return_draft" => PetitionAction::ReturnDraft { reason: text },
            "approve" => {
                // The leader may edit the draft; an empty box approves it as drafted.
                let answer = if text.trim().is_empty() { s.draft.clone().unwrap_or_default() } else { text };
                PetitionAction::Approve { answer, opinion: input.opinion.clone().filter(|o| !o.trim().is_empty()) }
            }
            "publish" => PetitionAction::Publish,
            "assign" => {
                let kind = input.petition_kind.as_deref().and_then(PetitionKind::parse).ok_or_else(|| {
                    AppError::field("petition_kind", "required", "Hãy chọn loại phản ánh, kiến nghị.")
                })?;
                let username = input
                    .assignee
                    .as_deref()
                    .map(str::trim)
                    .filter(|u| !u.is_empty())
                    .ok_or_else(|| AppError::field("assignee", "required", "Hãy chọn người xử lý."))?;
                let user = match Username::parse(username) {
                    Ok(u) => self.core.store.user_by_username(&u).await?,
                    Err(_) => None,
                }
                .ok_or_else(|| AppError::field("assignee", "not_found", "Không có cán bộ với tên đăng nhập này."))?;
                let agency = self.core.store.agency(s.agency.id).await?.ok_or(AppError::NotFound("cơ quan"))?;
                let p = self.accounts.principal_of(&user).await?;
                if !user.active || authorize_dossier(&p, Permission::AnswerPetitions, &agency.path).is_err() {
                    return Err(AppError::field(
                        "assignee",
                        "not_allowed",
                        "Cán bộ này không được giao xử lý phản ánh, kiến nghị của cơ quan.",
                    ));
                }
                PetitionAction::Assign {
                    petition_kind: kind,
                    assignee: UserRef { id: user.id, name: user.full_name },
                    field: input.field.clone(),
                }
            }
            "forward" => {
                let to = input
                    .to_agency
                    .ok_or_else(|| AppError::field("to_agency", "required", "Hãy chọn cơ quan có thẩm quyền."))?;
                let to =
                    self.addressees().await?.into_iter().find(|a| a.id == AgencyId(to)).ok_or_else(|| {
                        AppError::field("to_agency", "not_found", "Hãy chọn cơ quan trong danh sách.")
                    })?;
                PetitionAction::Forward {
                    to: AgencyRef { id: to.id, code: to.code.clone(), name: to.name.clone() },
                    reason: text,
                }
            }
            _ => return Err(AppError::NotFound("thao tác")),
        })
    }
}

impl Petitions {
    /// The agencies the official may record petitions for.
    pub async fn recordable(&self, principal: &Principal) -> Result<Vec<motcua_domain::agency::Agency>, AppError> {
        let mut all = self.addressees().await?;
        all.retain(|a| authorize_dossier(principal, Permission::HandlePetitions, &a.path).is_ok());
        Ok(all)
    }

    /// A file sent with a petition, for those who may see the petition.
    pub async fn petition_file(
        &self,
        principal: &Principal,
        key: &str,
        file_id: i64,
    ) -> Result<(crate::ports::StoredFile, Vec<u8>), AppError> {
        Self::reach(principal)?;
        let (state, _) = self.load(key).await?;
        self.authorize_view(principal, &state).await?;
        let not_found = || AppError::NotFound("tệp gửi kèm");
        let listed = state.attachments.iter().find(|f| f.file_id == file_id).ok_or_else(not_found)?;
        let meta = self.core.store.stored_file(listed.file_id).await?.ok_or_else(not_found)?;
        let bytes = self.core.files.get(&meta.sha256).await?.ok_or_else(not_found)?;
        Ok((meta, bytes))
    }
}
