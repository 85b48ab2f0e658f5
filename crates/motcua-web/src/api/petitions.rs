//! Petitions over the API: anyone sends one, follows it by its code, reads and votes on the
//! published answers; officials record those received otherwise, list their queues, read one,
//! act on it, and count a period (JSON, CSV, XLSX).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use motcua_app::petitions::{
    ActionInput, NewFile, PetitionFilter, PetitionQueue, PetitionView, PortalPetition, PortalPetitionOutcome,
    PublicPetition, PublishedFilter,
};
use motcua_domain::petition::{PetitionChannel, PetitionIntake, PetitionKind};
use motcua_domain::time::rfc3339_vn;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::report_input::{Format, ReportInput, today};
use crate::auth::ApiUser;
use crate::context::Meta;
use crate::error::{ApiResult, ErrorBody, HttpError};
use crate::limits::tracking_limit;
use crate::respond::{ApiJson, ApiPath, ApiQuery, file_download};
use crate::state::AppState;

/// A new petition.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PetitionInput {
    /// The addressed agency's code (the province, a commune or a department).
    pub agency_code: String,
    /// `rules` (regulations, procedures) or `conduct` (officials' conduct); optional.
    pub petition_kind: Option<String>,
    pub subject: String,
    pub content: String,
    /// The petitioner: required by law to process it, never published.
    pub name: String,
    pub address: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub organisation: Option<String>,
    pub procedure_code: Option<String>,
    pub dossier_code: Option<String>,
    /// A published petition's code this one raises again.
    pub reraise_of: Option<String>,
    #[serde(default)]
    pub notify_email: bool,
    #[serde(default)]
    pub notify_sms: bool,
}

impl PetitionInput {
    fn intake(&self) -> PetitionIntake {
        PetitionIntake {
            petition_kind: self.petition_kind.as_deref().and_then(PetitionKind::parse),
            subject: self.subject.clone(),
            content: self.content.clone(),
            name: self.name.clone(),
            address: self.address.clone(),
            phone: self.phone.clone(),
            email: self.email.clone(),
            organisation: self.organisation.clone(),
            procedure_code: self.procedure_code.clone(),
            dossier_code: self.dossier_code.clone(),
            reraise_of: self.reraise_of.clone(),
            notify_email: self.notify_email,
            notify_sms: self.notify_sms,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReceiptDto {
    /// The reference code to follow it by.
    pub code: String,
    pub agency: String,
    pub received_at: String,
    /// The answer's deadline (working days on the agency's calendar).
    pub answer_due: Option<String>,
    pub answer_working_days: u32,
}

impl From<motcua_app::petitions::Receipt> for ReceiptDto {
    fn from(r: motcua_app::petitions::Receipt) -> Self {
        Self {
            code: r.code,
            agency: r.agency,
            received_at: rfc3339_vn(r.received_at),
            answer_due: r.answer_due.map(rfc3339_vn),
            answer_working_days: r.answer_days,
        }
    }
}

async fn agency_id(state: &AppState, code: &str) -> Result<motcua_domain::agency::AgencyId, HttpError> {
    let snapshot = state.services.snapshot().await?;
    let code = motcua_domain::agency::AgencyCode::parse(code)
        .map_err(|e| HttpError::from(motcua_app::AppError::field("agency_code", "invalid", e.message)))?;
    Ok(snapshot
        .agency_by_code(&code)
        .await?
        .ok_or_else(|| {
            HttpError::from(motcua_app::AppError::field("agency_code", "not_found", "Không có cơ quan với mã này."))
        })?
        .id)
}

/// Sends a petition (no login; rate limited per address). With attachments: `POST
/// /api/v1/petitions/with-files`.
#[utoipa::path(post, path = "/api/v1/petitions", tag = "petitions", request_body = PetitionInput,
    responses((status = 201, body = ReceiptDto), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn submit(
    State(state): State<AppState>,
    Meta(meta): Meta,
    ApiJson(input): ApiJson<PetitionInput>,
) -> ApiResult<(StatusCode, Json<ReceiptDto>)> {
    tracking_limit(&state, &meta)?;
    let agency = agency_id(&state, &input.agency_code).await?;
    let r = state.services.petitions.submit(agency, &input.intake(), &[], &meta).await?;
    Ok((StatusCode::CREATED, Json(r.into())))
}

/// A petition received by letter, phone, e-mail or at the desk, as an official records it.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RecordInput {
    /// `desk`, `letter`, `phone` or `email`.
    pub channel: String,
    #[serde(flatten)]
    pub petition: PetitionInput,
}

/// Records a petition received otherwise than online, for an agency the official handles
/// petitions of.
#[utoipa::path(post, path = "/api/v1/petitions/recorded", tag = "petitions", request_body = RecordInput,
    security(("bearer" = [])),
    responses((status = 201, body = ReceiptDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn record(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Meta(meta): Meta,
    ApiJson(input): ApiJson<RecordInput>,
) -> ApiResult<(StatusCode, Json<ReceiptDto>)> {
    let agency = agency_id(&state, &input.petition.agency_code).await?;
    let channel = PetitionChannel::parse(&input.channel).unwrap_or(PetitionChannel::Online);
    let r = state.services.petitions.record(&p, agency, channel, &input.petition.intake(), &[], &meta).await?;
    Ok((StatusCode::CREATED, Json(r.into())))
}

/// Reads a petition sent as multipart: the part `petition` holds its JSON, each part `file` one
/// attachment.
async fn read_petition_form<T: serde::de::DeserializeOwned>(
    mp: axum::extract::Multipart,
) -> Result<(T, Vec<NewFile>), HttpError> {
    let (files, fields) = crate::respond::read_multipart_files(mp, "file").await?;
    let json = fields.iter().find(|(k, _)| k == "petition").map(|(_, v)| v.as_str()).ok_or_else(|| {
        HttpError::from(motcua_app::AppError::field("petition", "required", "Thiếu phần «petition» (JSON)."))
    })?;
    let input = serde_json::from_str(json).map_err(|e| {
        HttpError::from(motcua_app::AppError::field(
            "petition",
            "invalid_json",
            format!("Phần «petition» không phải JSON hợp lệ: {e}"),
        ))
    })?;
    let files = files.into_iter().map(|f| NewFile { file_name: f.file_name, bytes: f.bytes }).collect();
    Ok((input, files))
}

/// Sends a petition with attachments (no login; rate limited per address): multipart with the
/// part `petition` (the JSON of `PetitionInput`) and up to five parts `file` (PDF, PNG or
/// JPEG, at most 10 MB each, checked by their content).
#[utoipa::path(post, path = "/api/v1/petitions/with-files", tag = "petitions",
    request_body(content = String, content_type = "multipart/form-data", description = "petition (JSON of PetitionInput), file (0–5)"),
    responses((status = 201, body = ReceiptDto), (status = 400, body = ErrorBody), (status = 413, body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn submit_with_files(
    State(state): State<AppState>,
    Meta(meta): Meta,
    crate::respond::Upload(mp): crate::respond::Upload,
) -> ApiResult<(StatusCode, Json<ReceiptDto>)> {
    tracking_limit(&state, &meta)?;
    let (input, files): (PetitionInput, _) = read_petition_form(mp).await?;
    let agency = agency_id(&state, &input.agency_code).await?;
    let r = state.services.petitions.submit(agency, &input.intake(), &files, &meta).await?;
    Ok((StatusCode::CREATED, Json(r.into())))
}

/// Records a petition received otherwise than online with its attachments (the letter's scan,
/// photos): multipart with the part `petition` (the JSON of `RecordInput`) and up to five
/// parts `file`.
#[utoipa::path(post, path = "/api/v1/petitions/recorded/with-files", tag = "petitions",
    request_body(content = String, content_type = "multipart/form-data", description = "petition (JSON of RecordInput), file (0–5)"),
    security(("bearer" = [])),
    responses((status = 201, body = ReceiptDto), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn record_with_files(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Meta(meta): Meta,
    crate::respond::Upload(mp): crate::respond::Upload,
) -> ApiResult<(StatusCode, Json<ReceiptDto>)> {
    // Refused before the upload is read: an official who records no petition learns nothing
    // from what the form lacks.
    if state.services.petitions.recordable(&p).await?.is_empty() {
        return Err(motcua_app::AppError::Forbidden(motcua_domain::policy::Denied::MissingPermission).into());
    }
    let (input, files): (RecordInput, _) = read_petition_form(mp).await?;
    let agency = agency_id(&state, &input.petition.agency_code).await?;
    let channel = PetitionChannel::parse(&input.channel).unwrap_or(PetitionChannel::Online);
    let r = state.services.petitions.record(&p, agency, channel, &input.petition.intake(), &files, &meta).await?;
    Ok((StatusCode::CREATED, Json(r.into())))
}

/// A petition the national portal's PAKN system forwards to an agency of the province.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PortalPetitionInput {
    /// The portal's own identifier of the petition: the same one sent again changes nothing.
    pub portal_reference: String,
    /// When the citizen submitted it on the portal (RFC 3339).
    pub submitted_at: String,
    /// When the portal forwarded it to this agency (RFC 3339): the clocks count from here.
    pub forwarded_at: String,
    #[serde(flatten)]
    pub petition: PetitionInput,
}

/// What became of a forwarded petition: `received` (numbered now) or `repeated` (already here).
#[derive(Debug, Serialize, ToSchema)]
pub struct PortalPetitionAnswer {
    pub outcome: String,
    /// The petition's code here.
    pub code: String,
    pub answer_due: Option<String>,
}

fn instant(field: &str, value: &str) -> Result<jiff::Timestamp, motcua_domain::validation::FieldError> {
    value.trim().parse::<jiff::Timestamp>().map_err(|_| {
        motcua_domain::validation::FieldError::new(
            field,
            "invalid_format",
            "Thời điểm theo RFC 3339, ví dụ 2026-04-22T09:00:00+07:00.",
        )
    })
}

/// The national portal forwards a petition (bearer token `portal.inbound_token`). Idempotent on
/// `portal_reference`. The fields are this system's (the portal's own interface for this is
/// not public); an adapter maps the portal's message onto them.
#[utoipa::path(post, path = "/api/v1/portal/petitions", tag = "national_portal", request_body = PortalPetitionInput,
    security(("portal_token" = [])),
    responses((status = 201, body = PortalPetitionAnswer), (status = 200, body = PortalPetitionAnswer),
        (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn receive_from_portal(
    State(state): State<AppState>,
    Meta(meta): Meta,
    _portal: crate::api::portal::PortalCaller,
    ApiJson(input): ApiJson<PortalPetitionInput>,
) -> ApiResult<(StatusCode, Json<PortalPetitionAnswer>)> {
    let mut errors = motcua_domain::validation::ValidationErrors::new();
    let submitted_at = errors.check(instant("submitted_at", &input.submitted_at));
    let forwarded_at = errors.check(instant("forwarded_at", &input.forwarded_at));
    let agency = agency_id(&state, &input.petition.agency_code).await;
    errors.into_result().map_err(motcua_app::AppError::Validation)?;
    let forwarded = PortalPetition {
        agency: agency?,
        reference: input.portal_reference.clone(),
        submitted_at: submitted_at.expect("checked"),
        forwarded_at: forwarded_at.expect("checked"),
        intake: input.petition.intake(),
    };
    Ok(match state.services.petitions.receive_from_portal(&forwarded, &meta).await? {
        PortalPetitionOutcome::Received { code, answer_due } => (
            StatusCode::CREATED,
            Json(PortalPetitionAnswer { outcome: "received".into(), code, answer_due: answer_due.map(rfc3339_vn) }),
        ),
        PortalPetitionOutcome::Repeated { code } => {
            (StatusCode::OK, Json(PortalPetitionAnswer { outcome: "repeated".into(), code, answer_due: None }))
        }
    })
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PublicPetitionDto {
    pub code: String,
    pub subject: String,
    pub content: String,
    pub petition_kind: Option<String>,
    pub field: Option<String>,
    pub agency: String,
    pub received_at: String,
    pub answered_at: Option<String>,
    pub published_at: Option<String>,
    pub answer: String,
    pub likes: i64,
    pub dislikes: i64,
    pub reraise_of: Option<String>,
}

impl From<PublicPetition> for PublicPetitionDto {
    fn from(p: PublicPetition) -> Self {
        Self {
            code: p.code,
            subject: p.subject,
            content: p.content,
            petition_kind: p.petition_kind.map(|k| k.as_str().to_owned()),
            field: p.field,
            agency: p.agency,
            received_at: rfc3339_vn(p.received_at),
            answered_at: p.answered_at.map(rfc3339_vn),
            published_at: p.published_at.map(rfc3339_vn),
            answer: p.answer,
            likes: p.likes,
            dislikes: p.dislikes,
            reraise_of: p.reraise_of,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PublicPetitionList {
    pub items: Vec<PublicPetitionDto>,
    pub total: i64,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PublishedQuery {
    /// Words of the subject or the answer (diacritics optional).
    pub q: Option<String>,
    pub field: Option<String>,
    /// 1, 2, … (20 per page).
    pub page: Option<i64>,
}

/// The published answers, newest first; never who asked.
#[utoipa::path(get, path = "/api/v1/public/petitions", tag = "petitions", params(PublishedQuery),
    responses((status = 200, body = PublicPetitionList), (status = 429, body = ErrorBody)))]
pub async fn published(
    State(state): State<AppState>,
    Meta(meta): Meta,
    ApiQuery(q): ApiQuery<PublishedQuery>,
) -> ApiResult<Json<PublicPetitionList>> {
    crate::limits::public_limit(&state, &meta)?;
    let f = PublishedFilter { text: q.q, field: q.field, page: q.page.unwrap_or(1) };
    let (items, total) = state.services.petitions.published_list(&f).await?;
    Ok(Json(PublicPetitionList { items: items.into_iter().map(Into::into).collect(), total }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TrackingDto {
    pub code: String,
    pub subject: String,
    pub agency: String,
    /// `received`, `awaiting_info`, `processing`, `awaiting_approval`, `ready_to_publish`,
    /// `published`, `refused`.
    pub stage: String,
    pub stage_label: String,
    pub received_at: String,
    pub answer_due: Option<String>,
    /// Once published.
    pub answer: Option<PublicPetitionDto>,
}

/// Where a petition stands, by its code (no login; rate limited). No personal data.
#[utoipa::path(get, path = "/api/v1/public/petitions/{code}", tag = "petitions", params(("code" = String, Path)),
    responses((status = 200, body = TrackingDto), (status = 404, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn track(
    State(state): State<AppState>,
    Meta(meta): Meta,
    ApiPath(code): ApiPath<String>,
) -> ApiResult<Json<TrackingDto>> {
    tracking_limit(&state, &meta)?;
    let t = state.services.petitions.track(&code).await?;
    Ok(Json(TrackingDto {
        code: t.code,
        subject: t.subject,
        agency: t.agency,
        stage: t.stage.as_str().to_owned(),
        stage_label: t.stage.label().to_owned(),
        received_at: rfc3339_vn(t.received_at),
        answer_due: t.answer_due.map(rfc3339_vn),
        answer: t.answer.map(Into::into),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct VoteInput {
    /// `like` or `dislike`.
    pub vote: String,
    /// The voter's stable id (a browser's or an app installation's, 16–100 characters).
    pub voter: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VoteResult {
    /// `false`: this voter had voted on it already (nothing changed).
    pub counted: bool,
}

/// A like or dislike on a published answer, once per voter (no login; rate limited).
#[utoipa::path(post, path = "/api/v1/public/petitions/{code}/votes", tag = "petitions", params(("code" = String, Path)),
    request_body = VoteInput,
    responses((status = 200, body = VoteResult), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 429, body = ErrorBody)))]
pub async fn vote(
    State(state): State<AppState>,
    Meta(meta): Meta,
    ApiPath(code): ApiPath<String>,
    ApiJson(v): ApiJson<VoteInput>,
) -> ApiResult<Json<VoteResult>> {
    tracking_limit(&state, &meta)?;
    let like = match v.vote.as_str() {
        "like" => true,
        "dislike" => false,
        _ => return Err(motcua_app::AppError::field("vote", "invalid_choice", "Dùng like hoặc dislike.").into()),
    };
    let counted = state.services.petitions.vote(&code, &v.voter, like, &meta).await?;
    Ok(Json(VoteResult { counted }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PetitionRowDto {
    pub code: String,
    pub subject: String,
    pub petitioner: String,
    pub channel: String,
    pub petition_kind: Option<String>,
    pub stage: String,
    pub received_at: String,
    /// The deadline of the next step due from the holding agency.
    pub due_at: Option<String>,
    pub answer_late: Option<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PetitionPageDto {
    pub items: Vec<PetitionRowDto>,
    pub total: i64,
    pub page: i64,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QueueQuery {
    /// `open` (default), `mine`, `near_due`, `overdue`, `received`, `awaiting_info`,
    /// `processing`, `approval`, `to_publish`, `done`, `all`.
    pub queue: Option<String>,
    /// Words of the code or subject.
    pub q: Option<String>,
    pub page: Option<i64>,
}

/// The petitions the caller may see, by queue (50 per page).
#[utoipa::path(get, path = "/api/v1/petitions", tag = "petitions", params(QueueQuery), security(("bearer" = [])),
    responses((status = 200, body = PetitionPageDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    ApiQuery(q): ApiQuery<QueueQuery>,
) -> ApiResult<Json<PetitionPageDto>> {
    let queue = match q.queue.as_deref() {
        None => PetitionQueue::default(),
        Some(s) => PetitionQueue::parse(s)
            .ok_or_else(|| motcua_app::AppError::field("queue", "invalid_choice", "Hàng đợi không hợp lệ."))?,
    };
    let page =
        state.services.petitions.list(&p, &PetitionFilter { queue, text: q.q, page: q.page.unwrap_or(1) }).await?;
    Ok(Json(PetitionPageDto {
        items: page
            .rows
            .iter()
            .map(|r| PetitionRowDto {
                code: r.code.clone(),
                subject: r.subject.clone(),
                petitioner: r.petitioner_name.clone(),
                channel: r.channel.as_str().to_owned(),
                petition_kind: r.petition_kind.map(|k| k.as_str().to_owned()),
                stage: r.stage.as_str().to_owned(),
                received_at: rfc3339_vn(r.received_at),
                due_at: r.due_at.map(rfc3339_vn),
                answer_late: r.answer_late,
            })
            .collect(),
        total: page.total,
        page: page.page,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PetitionEventDto {
    pub seq: i64,
    pub at: String,
    pub kind: String,
    pub label: String,
    pub actor: String,
    pub hash: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AttachmentDto {
    pub file_id: i64,
    pub name: String,
    pub content_type: String,
    pub size: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PetitionDto {
    pub code: String,
    pub stage: String,
    pub stage_label: String,
    pub agency_code: String,
    pub agency: String,
    pub channel: String,
    pub petition_kind: Option<String>,
    pub field: Option<String>,
    pub subject: String,
    pub content: String,
    pub petitioner_name: String,
    pub petitioner_address: String,
    pub petitioner_phone: Option<String>,
    pub petitioner_email: Option<String>,
    pub assignee: Option<String>,
    pub draft: Option<String>,
    pub answer: Option<String>,
    pub received_at: String,
    /// Forwarded by the national portal: its reference, and when the citizen sent it and the
    /// portal forwarded it (the clocks count from the forward).
    pub portal_reference: Option<String>,
    pub portal_submitted_at: Option<String>,
    pub portal_forwarded_at: Option<String>,
    pub refuse_due: String,
    pub info_request_due: String,
    /// Absent while the clock is stopped for information.
    pub answer_due: Option<String>,
    pub publish_due: Option<String>,
    /// `Trước hạn`, `Đúng hạn`, `Quá hạn`, `Trong hạn`.
    pub answer_standing: String,
    /// Files sent with it: `GET /api/v1/petitions/{code}/files/{file_id}`.
    pub attachments: Vec<AttachmentDto>,
    /// The number of the last event: send it back as `expected_seq`.
    pub last_seq: i64,
    /// What the caller may do now.
    pub actions: Vec<String>,
    pub events: Vec<PetitionEventDto>,
}

impl From<&PetitionView> for PetitionDto {
    fn from(v: &PetitionView) -> Self {
        let s = &v.state;
        Self {
            code: s.code.clone(),
            stage: s.stage.as_str().to_owned(),
            stage_label: s.stage.label().to_owned(),
            agency_code: s.agency.code.to_string(),
            agency: s.agency.name.clone(),
            channel: s.channel.as_str().to_owned(),
            petition_kind: s.petition_kind.map(|k| k.as_str().to_owned()),
            field: s.field.clone(),
            subject: s.subject.clone(),
            content: s.content.clone(),
            petitioner_name: s.petitioner.name.clone(),
            petitioner_address: s.petitioner.address.clone(),
            petitioner_phone: s.petitioner.phone.clone(),
            petitioner_email: s.petitioner.email.clone(),
            assignee: s.assignee.as_ref().map(|u| u.name.clone()),
            draft: s.draft.clone(),
            answer: s.answer.clone(),
            received_at: rfc3339_vn(s.received_at),
            portal_reference: s.portal.as_ref().map(|p| p.reference.clone()),
            portal_submitted_at: s.portal.as_ref().map(|p| rfc3339_vn(p.submitted_at)),
            portal_forwarded_at: s.portal.as_ref().map(|p| rfc3339_vn(p.forwarded_at)),
            refuse_due: rfc3339_vn(v.clocks.refuse_due),
            info_request_due: rfc3339_vn(v.clocks.info_request_due),
            answer_due: match v.clocks.answer_due {
                motcua_domain::calendar::DueState::Due(t) => Some(rfc3339_vn(t)),
                motcua_domain::calendar::DueState::Suspended { .. } => None,
            },
            publish_due: v.clocks.publish_due.map(rfc3339_vn),
            answer_standing: v.answer.label().to_owned(),
            attachments: s
                .attachments
                .iter()
                .map(|a| AttachmentDto {
                    file_id: a.file_id,
                    name: a.name.clone(),
                    content_type: a.content_type.clone(),
                    size: a.size,
                })
                .collect(),
            last_seq: s.last_seq,
            actions: v.actions.iter().map(|a| (*a).to_owned()).collect(),
            events: v
                .events
                .iter()
                .map(|e| PetitionEventDto {
                    seq: e.seq,
                    at: rfc3339_vn(e.at),
                    kind: e.body.kind().to_owned(),
                    label: e.body.label().to_owned(),
                    actor: e.actor.name.clone(),
                    hash: e.hash.clone(),
                })
                .collect(),
        }
    }
}

/// A petition the caller may see, with its clocks, history and the actions open to the caller.
#[utoipa::path(get, path = "/api/v1/petitions/{code}", tag = "petitions", params(("code" = String, Path)),
    security(("bearer" = [])),
    responses((status = 200, body = PetitionDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    ApiPath(code): ApiPath<String>,
) -> ApiResult<Json<PetitionDto>> {
    Ok(Json((&state.services.petitions.petition(&p, &code).await?).into()))
}

/// A file sent with a petition the caller may see.
#[utoipa::path(get, path = "/api/v1/petitions/{code}/files/{file_id}", tag = "petitions",
    params(("code" = String, Path), ("file_id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, content_type = "application/octet-stream", body = Vec<u8>), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn file(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    ApiPath((code, file_id)): ApiPath<(String, i64)>,
) -> ApiResult<Response> {
    let (meta, bytes) = state.services.petitions.petition_file(&p, &code, file_id).await?;
    Ok(crate::respond::file_download(&meta.file_name, &meta.content_type, bytes))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ActionBody {
    /// `assign`, `request_info`, `receive_info`, `forward`, `draft`, `return_draft`, `approve`,
    /// `publish`, `refuse`.
    pub action: String,
    /// The reason, request, note, draft or answer the action carries.
    #[serde(default)]
    pub text: String,
    /// `assign`: `rules` or `conduct`.
    pub petition_kind: Option<String>,
    /// `assign`: the official's user name.
    pub assignee: Option<String>,
    /// `assign`: the field (lĩnh vực).
    pub field: Option<String>,
    /// `forward`: the competent agency's code.
    pub to_agency: Option<String>,
    /// `approve`: the leader's opinion.
    pub opinion: Option<String>,
    /// The `last_seq` the caller saw; a petition changed since answers 409.
    pub expected_seq: Option<i64>,
}

/// Takes an action on a petition; the petition after it.
#[utoipa::path(post, path = "/api/v1/petitions/{code}/actions", tag = "petitions", params(("code" = String, Path)),
    request_body = ActionBody, security(("bearer" = [])),
    responses((status = 200, body = PetitionDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn act(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Meta(meta): Meta,
    ApiPath(code): ApiPath<String>,
    ApiJson(b): ApiJson<ActionBody>,
) -> ApiResult<Json<PetitionDto>> {
    let to_agency = match b.to_agency.as_deref() {
        Some(c) => Some(agency_id(&state, c).await.map_err(|_| {
            HttpError::from(motcua_app::AppError::field("to_agency", "not_found", "Không có cơ quan với mã này."))
        })?),
        None => None,
    };
    let input = ActionInput {
        text: b.text,
        petition_kind: b.petition_kind,
        assignee: b.assignee,
        field: b.field,
        to_agency: to_agency.map(|a| a.0),
        opinion: b.opinion,
        expected_seq: b.expected_seq,
    };
    let v = state.services.petitions.act(&p, &code, &b.action, &input, &meta).await?;
    Ok(Json((&v).into()))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StepDto {
    pub step: String,
    pub label: String,
    pub done_in_time: i64,
    pub done_late: i64,
    pub pending_in_time: i64,
    pub pending_overdue: i64,
    /// Percent of the finished done in time.
    pub on_time_rate: Option<f64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CountDto {
    pub key: String,
    pub label: String,
    pub count: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AgencyCountDto {
    pub agency_code: String,
    pub agency: String,
    pub total: i64,
    pub answer: StepDto,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PetitionStatsDto {
    pub agency_code: String,
    pub agency: String,
    pub period: crate::api::reports::PeriodDto,
    /// Counted as of (the period's end, or now).
    pub as_of: String,
    pub total: i64,
    pub by_channel: Vec<CountDto>,
    pub by_kind: Vec<CountDto>,
    pub by_stage: Vec<CountDto>,
    pub steps: Vec<StepDto>,
    pub by_agency: Vec<AgencyCountDto>,
}

fn step_dto(name: &str, label: &str, t: &motcua_domain::petition::stats::StepTally) -> StepDto {
    StepDto {
        step: name.to_owned(),
        label: label.to_owned(),
        done_in_time: t.done_in_time,
        done_late: t.done_late,
        pending_in_time: t.pending_in_time,
        pending_overdue: t.pending_overdue,
        on_time_rate: t.on_time_rate(),
    }
}

impl From<&motcua_app::petitions::PetitionReport> for PetitionStatsDto {
    fn from(r: &motcua_app::petitions::PetitionReport) -> Self {
        use motcua_domain::petition::Stage;
        let t = &r.total;
        let steps = [&t.refuse, &t.info_request, &t.answer, &t.publish];
        Self {
            agency_code: r.agency.code.to_string(),
            agency: r.agency.name.clone(),
            period: (&r.period).into(),
            as_of: rfc3339_vn(r.as_of),
            total: t.total,
            by_channel: PetitionChannel::ALL
                .iter()
                .map(|c| CountDto {
                    key: c.as_str().into(),
                    label: c.label().into(),
                    count: t.by_channel.get(c).copied().unwrap_or(0),
                })
                .collect(),
            by_kind: [Some(PetitionKind::Rules), Some(PetitionKind::Conduct), None]
                .iter()
                .map(|k| CountDto {
                    key: k.map_or("unclassified", |k| k.as_str()).into(),
                    label: motcua_app::petitions::kind_label(*k).into(),
                    count: t.by_kind.get(k).copied().unwrap_or(0),
                })
                .collect(),
            by_stage: Stage::ALL
                .iter()
                .map(|s| CountDto {
                    key: s.as_str().into(),
                    label: s.label().into(),
                    count: t.by_stage.get(s).copied().unwrap_or(0),
                })
                .collect(),
            steps: motcua_app::petitions::STEPS
                .iter()
                .zip(steps)
                .map(|((name, label), tally)| step_dto(name, label, tally))
                .collect(),
            by_agency: r
                .by_agency
                .iter()
                .map(|(a, s)| AgencyCountDto {
                    agency_code: a.code.to_string(),
                    agency: a.name.clone(),
                    total: s.total,
                    answer: step_dto("answer", "Trả lời (duyệt hoặc từ chối)", &s.answer),
                })
                .collect(),
        }
    }
}

/// The petitions first received in a period at an agency and under it: by channel, kind and
/// stage, each step against its deadline, per receiving agency; JSON, `format=csv` or `xlsx`.
#[utoipa::path(get, path = "/api/v1/petitions/stats", tag = "petitions", params(ReportInput), security(("bearer" = [])),
    responses((status = 200, body = PetitionStatsDto, description = "JSON, or the file asked for by `format`"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn stats(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    ApiQuery(q): ApiQuery<ReportInput>,
) -> ApiResult<Response> {
    let r = q.parse(today(state.services.now())).map_err(motcua_app::AppError::Validation)?;
    let report = state.services.petitions.stats(&p, r.agency.as_deref(), r.period).await?;
    let name = |ext: &str| {
        format!("phan-anh-kien-nghi-{}-{}.{ext}", report.agency.code, report.period.key().replace("..", "_"))
    };
    Ok(match r.format {
        Format::Json => Json(PetitionStatsDto::from(&report)).into_response(),
        Format::Csv => file_download(&name("csv"), "text/csv; charset=utf-8", report.to_csv().into_bytes()),
        Format::Xlsx => file_download(
            &name("xlsx"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            report.to_xlsx().map_err(|e| HttpError::from(motcua_app::AppError::Internal(e.into())))?,
        ),
        Format::Pdf => {
            return Err(motcua_app::AppError::field(
                "format",
                "invalid_choice",
                "Báo cáo này có dạng json, csv hoặc xlsx.",
            )
            .into());
        }
    })
}
