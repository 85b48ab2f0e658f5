//! Dossiers over HTTP: intake, every officer action, the queues and search, and public
//! tracking by code.
//!
//! Actions go through one endpoint, `POST /api/v1/dossiers/{key}/actions`, with an `action`
//! field; an action the dossier's status does not allow answers 409 `illegal_transition` with
//! the current `status` and the `allowed_actions`.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use motcua_app::dossiers::DossierView;

use super::dossier_input::{ActionInput, IntakeInput, ListInput, PublicDossier, RegisterInput};
use motcua_app::ports::DossierRow;
use motcua_domain::dossier::event::{AgencyRef, DossierEvent};
use motcua_domain::dossier::state::Reception;
use motcua_domain::dossier::{AgencyClock, ClockStanding, Status};
use motcua_domain::time::rfc3339_vn;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::{ApiUser, RequestSnapshot};
use crate::context::Meta;
use crate::error::query_error;
use crate::error::{ApiResult, ErrorBody, HttpError};
use crate::limits::tracking_limit;
use crate::respond::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;

fn t(v: Timestamp) -> String {
    rfc3339_vn(v)
}

fn ot(v: Option<Timestamp>) -> Option<String> {
    v.map(rfc3339_vn)
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AgencyRefDto {
    pub id: i64,
    pub code: String,
    pub name: String,
}

impl From<&AgencyRef> for AgencyRefDto {
    fn from(a: &AgencyRef) -> Self {
        Self { id: a.id.0, code: a.code.to_string(), name: a.name.clone() }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StepDto {
    pub index: usize,
    /// `intake`, `process`, `approve`, `issue` or `return`.
    pub kind: String,
    pub name: String,
    pub role: String,
    pub agency: AgencyRefDto,
    /// The step's time budget ("2 ngày làm việc"), if the workflow is timed.
    pub budget: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CurrentStepDto {
    pub index: usize,
    pub name: String,
    pub kind: String,
    pub agency: AgencyRefDto,
    pub entered_at: String,
    pub due_at: Option<String>,
    pub assignee: Option<String>,
}

/// One hand-over of the process control sheet.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HandOverDto {
    pub from_step: Option<usize>,
    pub to_step: Option<usize>,
    pub at: String,
    pub by: String,
    pub to: Option<String>,
    /// `early`, `on_time` or `late`: how the step just finished ended.
    pub result: Option<String>,
    pub sent_back: bool,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EventDto {
    pub seq: i64,
    pub at: String,
    pub kind: String,
    pub label: String,
    pub actor: String,
    pub role: Option<String>,
    pub reason: Option<String>,
    /// The event's fields, as recorded.
    #[schema(value_type = Object)]
    pub body: serde_json::Value,
    pub hash: String,
}

impl From<&DossierEvent> for EventDto {
    fn from(e: &DossierEvent) -> Self {
        Self {
            seq: e.seq,
            at: t(e.at),
            kind: e.body.kind().to_owned(),
            label: e.body.label().to_owned(),
            actor: e.actor.name.clone(),
            role: e.actor.role.map(|r| r.as_str().to_owned()),
            reason: e.reason.clone(),
            body: serde_json::to_value(&e.body).unwrap_or(serde_json::Value::Null),
            hash: e.hash.clone(),
        }
    }
}

/// A dossier as an official sees it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DossierDto {
    pub id: i64,
    /// The dossier code, once received.
    pub code: Option<String>,
    /// National status code (TrangThaiHoSo 1–10).
    pub status: u8,
    pub status_key: String,
    pub status_label: String,
    /// `desk`, `online` or `postal`.
    pub channel: String,
    pub procedure_code: String,
    pub procedure_name: String,
    pub procedure_version: u32,
    pub case: String,
    pub receiving_agency: AgencyRefDto,
    pub resolving_agency: Option<AgencyRefDto>,
    /// The applicant, documents, delivery and postal data as submitted.
    #[schema(value_type = Object)]
    pub submission: serde_json::Value,
    pub submitted_at: String,
    pub received_at: Option<String>,
    /// Legal processing time ("trong ngày…", "3 ngày làm việc").
    pub processing_time: Option<String>,
    /// Appointment printed on the receipt.
    pub receipt_due_at: Option<String>,
    /// Legal due instant (moved by pauses, never by extensions).
    pub due_at: Option<String>,
    /// What the applicant holds now (an extension's date, or the due instant).
    pub appointment_at: Option<String>,
    /// `supplement` or `financial_obligation` while the clock is stopped.
    pub paused: Option<String>,
    /// `early`, `on_time`, `late` once resolved.
    pub timeliness: Option<String>,
    /// `in_time` or `overdue` while pending.
    pub pending: Option<String>,
    pub current_step: Option<CurrentStepDto>,
    pub steps: Vec<StepDto>,
    pub hand_overs: Vec<HandOverDto>,
    #[schema(value_type = Vec<Object>)]
    pub supplements: serde_json::Value,
    #[schema(value_type = Vec<Object>)]
    pub consultations: serde_json::Value,
    #[schema(value_type = Option<Object>)]
    pub result: serde_json::Value,
    #[schema(value_type = Vec<Object>)]
    pub extensions: serde_json::Value,
    pub refusal_reasons: Option<Vec<String>>,
    /// Each agency's share of the processing, on its own office hours (liên thông).
    pub agency_clocks: Vec<AgencyClockDto>,
    /// Corrections requested (`correction` with `what`, `before`, `after`), with the leader's
    /// decision once taken.
    #[schema(value_type = Vec<Object>)]
    pub corrections: serde_json::Value,
    /// Submitted on the national portal: its code there.
    pub portal_code: Option<String>,
    /// A portal dossier against its reception deadline: `waiting` (with `due_at`) or `decided`
    /// (with `decided_at`), `late` past the deadline.
    #[schema(value_type = Option<Object>)]
    pub reception: serde_json::Value,
    /// A portal dossier's files (`file_id` downloads at `/api/v1/dossiers/{key}/files/{file_id}`).
    #[schema(value_type = Vec<Object>)]
    pub portal_files: serde_json::Value,
    /// Actions the caller may take now.
    pub allowed_actions: Vec<String>,
    /// The last event's number; send it back as `expected_seq` to act only on this state.
    pub last_seq: i64,
    pub events: Vec<EventDto>,
}

/// One agency's clock: the working time its steps were given and the time it held the dossier.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AgencyClockDto {
    pub agency: AgencyRefDto,
    /// Indexes of its steps.
    pub steps: Vec<usize>,
    /// Working minutes its steps were given (absent when untimed).
    pub budget_minutes: Option<i64>,
    /// Working minutes it held the dossier, pauses left out.
    pub used_minutes: i64,
    pub received_at: Option<String>,
    pub released_at: Option<String>,
    /// `not_reached`, `holding`, `passed` (steps still ahead) or `finished`.
    pub state: String,
    /// `in_time` / `overdue` while holding or passed; `early` / `on_time` / `late` when finished.
    pub timeliness: Option<String>,
}

impl From<&AgencyClock> for AgencyClockDto {
    fn from(c: &AgencyClock) -> Self {
        let (state, timeliness) = match c.standing {
            ClockStanding::NotReached => ("not_reached", None),
            ClockStanding::Holding(p) => ("holding", p.map(|x| snake(&x))),
            ClockStanding::Passed(p) => ("passed", p.map(|x| snake(&x))),
            ClockStanding::Finished(f) => ("finished", f.map(|x| snake(&x))),
        };
        Self {
            agency: (&c.agency).into(),
            steps: c.steps.clone(),
            budget_minutes: c.budget_minutes,
            used_minutes: c.used_minutes,
            received_at: ot(c.received_at),
            released_at: ot(c.released_at),
            state: state.to_owned(),
            timeliness,
        }
    }
}

fn json_of<T: Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or(serde_json::Value::Null)
}

fn snake<T: Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

impl From<&DossierView> for DossierDto {
    fn from(v: &DossierView) -> Self {
        let s = &v.state;
        let sub = &s.submission;
        let step_dto = |i: usize| {
            s.steps.get(i).map(|p| StepDto {
                index: i,
                kind: p.kind.as_str().to_owned(),
                name: p.name.clone(),
                role: p.role.as_str().to_owned(),
                agency: (&p.agency).into(),
                budget: p.budget.map(|b| b.describe()),
            })
        };
        Self {
            id: s.id,
            code: s.code.as_ref().map(ToString::to_string),
            status: s.status.national_code(),
            status_key: s.status.as_str().to_owned(),
            status_label: s.status.label().to_owned(),
            channel: sub.channel.as_str().to_owned(),
            procedure_code: sub.procedure.code.clone(),
            procedure_name: sub.procedure.name.clone(),
            procedure_version: sub.procedure.version,
            case: sub.procedure.case.clone(),
            receiving_agency: (&sub.receiving).into(),
            resolving_agency: s.resolving.as_ref().map(Into::into),
            submission: json_of(sub),
            submitted_at: t(s.submitted_at),
            received_at: ot(s.received_at),
            processing_time: s.processing_time.map(|p| p.describe()),
            receipt_due_at: ot(s.receipt_due_at),
            due_at: ot(s.due_at),
            appointment_at: ot(s.appointment_at),
            paused: s.paused.map(|(r, _)| snake(&r)),
            timeliness: s.timeliness().map(|x| snake(&x)),
            pending: s.pending_timeliness(v.now).map(|x| snake(&x)),
            current_step: s.step.as_ref().and_then(|c| {
                s.steps.get(c.index).map(|p| CurrentStepDto {
                    index: c.index,
                    name: p.name.clone(),
                    kind: p.kind.as_str().to_owned(),
                    agency: (&p.agency).into(),
                    entered_at: t(c.entered_at),
                    due_at: ot(c.due_at),
                    assignee: c.assignee.as_ref().map(|a| a.name.clone()),
                })
            }),
            steps: (0..s.steps.len()).filter_map(step_dto).collect(),
            hand_overs: s
                .hand_overs
                .iter()
                .map(|h| HandOverDto {
                    from_step: h.from_step,
                    to_step: h.to_step,
                    at: t(h.at),
                    by: h.by.clone(),
                    to: h.to.clone(),
                    result: h.result.map(|r| snake(&r)),
                    sent_back: h.sent_back,
                    note: h.note.clone(),
                })
                .collect(),
            supplements: json_of(&s.supplements),
            consultations: json_of(&s.consultations),
            result: json_of(&s.result),
            extensions: json_of(&s.extensions),
            refusal_reasons: s.refusal.clone(),
            agency_clocks: v.agency_clocks.iter().map(AgencyClockDto::from).collect(),
            corrections: json_of(&s.corrections),
            portal_code: sub.portal.as_ref().map(|p| p.code.clone()),
            reception: match s.reception(v.now) {
                Some(Reception::Waiting { due, late }) => {
                    serde_json::json!({"state": "waiting", "due_at": t(due), "late": late})
                }
                Some(Reception::Decided { at, late }) => serde_json::json!({
                    "state": "decided", "decided_at": t(at), "due_at": ot(s.reception_due_at), "late": late
                }),
                None => serde_json::Value::Null,
            },
            portal_files: json_of(&s.portal_files),
            allowed_actions: v.actions.iter().map(|a| a.as_str().to_owned()).collect(),
            last_seq: s.last_seq,
            events: v.events.iter().map(EventDto::from).collect(),
        }
    }
}

/// A row of a dossier list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DossierSummaryDto {
    pub id: i64,
    pub code: Option<String>,
    pub status: u8,
    pub status_label: String,
    pub channel: String,
    pub procedure_code: String,
    pub procedure_name: String,
    pub applicant_name: String,
    pub step_name: Option<String>,
    pub submitted_at: String,
    pub received_at: Option<String>,
    pub due_at: Option<String>,
    pub appointment_at: Option<String>,
    pub step_due_at: Option<String>,
    pub paused: bool,
    /// Past its due instant and still pending (or late by rule).
    pub overdue: bool,
    /// Submitted on the national portal: its code there.
    pub portal_code: Option<String>,
    /// By when the desk must decide on a portal dossier.
    pub reception_due_at: Option<String>,
}

pub fn summary(r: &DossierRow, now: Timestamp) -> DossierSummaryDto {
    let status = Status::from_national_code(r.status).unwrap_or(Status::Submitted);
    let overdue = status.is_pending() && (r.late_by_rule || (!r.paused && r.due_at.is_some_and(|d| now > d)));
    DossierSummaryDto {
        id: r.id,
        code: r.code.clone(),
        status: r.status,
        status_label: status.label().to_owned(),
        channel: r.channel.clone(),
        procedure_code: r.procedure_code.clone(),
        procedure_name: r.procedure_name.clone(),
        applicant_name: r.applicant_name.clone(),
        step_name: r.step_name.clone(),
        submitted_at: t(r.submitted_at),
        received_at: ot(r.received_at),
        due_at: ot(r.due_at),
        appointment_at: ot(r.appointment_at),
        step_due_at: ot(r.step_due_at),
        paused: r.paused,
        overdue,
        portal_code: r.portal_code.clone(),
        reception_due_at: ot(r.reception_due_at),
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DossierListDto {
    pub items: Vec<DossierSummaryDto>,
    /// Pass as `before` to get the next page; absent on the last page.
    pub next_before: Option<i64>,
}

fn created(dto: DossierDto, replayed: bool) -> Response {
    let mut headers = HeaderMap::new();
    if let Ok(v) =
        HeaderValue::from_str(&format!("/api/v1/dossiers/{}", dto.code.clone().unwrap_or(dto.id.to_string())))
    {
        headers.insert(header::LOCATION, v);
    }
    let status = if replayed { StatusCode::OK } else { StatusCode::CREATED };
    (status, headers, Json(dto)).into_response()
}

/// Records a dossier received at the desk, by post or online; with `"accept": true` a desk
/// officer also accepts it (code and appointment issued). A retry with the same
/// `client_txn_id` answers 200 with the dossier recorded the first time.
#[utoipa::path(post, path = "/api/v1/dossiers", tag = "dossiers", request_body = IntakeInput, security(("bearer" = [])),
    responses((status = 201, body = DossierDto), (status = 200, description = "Replay of an earlier request", body = DossierDto),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn intake(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    RequestSnapshot(snapshot): RequestSnapshot,
    Meta(meta): Meta,
    ApiJson(input): ApiJson<IntakeInput>,
) -> ApiResult<Response> {
    let intake = input.parse().map_err(motcua_app::AppError::Validation)?;
    let out = state.services.dossiers.intake(&p, &snapshot, &intake, &meta).await?;
    Ok(created(DossierDto::from(&out.view), out.replayed))
}

/// Lists dossiers the caller may see: all, or a work queue (`to_process`, `mine`, `near_due`,
/// `overdue`, `waiting`, `consultations`), with filters; newest first, keyset pagination.
#[utoipa::path(get, path = "/api/v1/dossiers", tag = "dossiers", params(ListInput), security(("bearer" = [])),
    responses((status = 200, body = DossierListDto), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    ApiQuery(q): ApiQuery<ListInput>,
) -> ApiResult<Json<DossierListDto>> {
    let filter = q.parse().map_err(|e| query_error(motcua_app::AppError::Validation(e)))?;
    let page = state.services.dossiers.list_dossiers(&p, &filter).await.map_err(query_error)?;
    let now = state.services.now();
    Ok(Json(DossierListDto {
        items: page.rows.iter().map(|r| summary(r, now)).collect(),
        next_before: page.next_before,
    }))
}

/// One dossier by code (or numeric id before it has a code), with its history and the actions
/// the caller may take. Dossiers outside the caller's units answer 404.
#[utoipa::path(get, path = "/api/v1/dossiers/{key}", tag = "dossiers", params(("key" = String, Path, description = "Dossier code or id")), security(("bearer" = [])),
    responses((status = 200, body = DossierDto), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    ApiPath(key): ApiPath<String>,
) -> ApiResult<Json<DossierDto>> {
    Ok(Json(DossierDto::from(&state.services.dossiers.dossier(&p, &key).await?)))
}

/// Takes an action on a dossier (see `ActionInput.action`).
#[utoipa::path(post, path = "/api/v1/dossiers/{key}/actions", tag = "dossiers", params(("key" = String, Path)), request_body = ActionInput, security(("bearer" = [])),
    responses((status = 200, body = DossierDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "Not allowed in the current status (illegal_transition) or changed meanwhile (stale_version)", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn act(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    RequestSnapshot(snapshot): RequestSnapshot,
    Meta(meta): Meta,
    ApiPath(key): ApiPath<String>,
    ApiJson(input): ApiJson<ActionInput>,
) -> ApiResult<Json<DossierDto>> {
    let action = input.parse().map_err(motcua_app::AppError::Validation)?;
    Ok(Json(DossierDto::from(&state.services.dossiers.act(&p, &snapshot, &key, &action, &meta).await?)))
}

/// Issues the result with its document in one request (multipart: `file` — PDF, PNG or JPEG,
/// at most 20 MB — and the fields `number`, `signed_on`, `signer`, `client_txn_id`,
/// `expected_seq`). The file is stored with the event that names it, or not at all.
#[utoipa::path(post, path = "/api/v1/dossiers/{key}/result", tag = "dossiers", params(("key" = String, Path)),
    request_body(content = String, content_type = "multipart/form-data", description = "file, number, signed_on, signer, client_txn_id, expected_seq"),
    security(("bearer" = [])),
    responses((status = 200, body = DossierDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn issue_result(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    RequestSnapshot(snapshot): RequestSnapshot,
    Meta(meta): Meta,
    ApiPath(key): ApiPath<String>,
    crate::respond::Upload(mp): crate::respond::Upload,
) -> ApiResult<Json<DossierDto>> {
    let (file, fields) = crate::respond::read_multipart(mp).await?;
    let get =
        |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim().to_owned()).filter(|v| !v.is_empty());
    let expected_seq = match get("expected_seq") {
        Some(v) => Some(v.parse::<i64>().map_err(|_| {
            crate::error::HttpError::from(motcua_app::AppError::field(
                "expected_seq",
                "invalid_value",
                "expected_seq là số nguyên.",
            ))
        })?),
        None => None,
    };
    let input = ActionInput {
        action: "issue_result".into(),
        number: get("number"),
        signed_on: get("signed_on"),
        signer: get("signer"),
        client_txn_id: get("client_txn_id"),
        expected_seq,
        ..ActionInput::default()
    };
    let action = input.parse().map_err(motcua_app::AppError::Validation)?;
    let attachment = file.map(|f| motcua_app::dossiers::Attachment { file_name: f.file_name, bytes: f.bytes });
    Ok(Json(DossierDto::from(
        &state.services.dossiers.act_with(&p, &snapshot, &key, &action, attachment.as_ref(), &meta).await?,
    )))
}

/// The result document of a dossier.
#[utoipa::path(get, path = "/api/v1/dossiers/{key}/result/file", tag = "dossiers", params(("key" = String, Path)),
    security(("bearer" = [])),
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>), (status = 404, body = ErrorBody)))]
pub async fn result_file(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    ApiPath(key): ApiPath<String>,
) -> ApiResult<axum::response::Response> {
    let (meta, bytes) = state.services.dossiers.result_file(&p, &key).await?;
    Ok(crate::respond::file_download(&meta.file_name, &meta.content_type, bytes))
}

/// A file the citizen submitted with a dossier on the national portal.
#[utoipa::path(get, path = "/api/v1/dossiers/{key}/files/{file_id}", tag = "dossiers",
    params(("key" = String, Path), ("file_id" = i64, Path)),
    security(("bearer" = [])),
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>), (status = 404, body = ErrorBody)))]
pub async fn portal_file(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    ApiPath((key, file_id)): ApiPath<(String, i64)>,
) -> ApiResult<axum::response::Response> {
    let (meta, bytes) = state.services.dossiers.portal_file(&p, &key, file_id).await?;
    Ok(crate::respond::file_download(&meta.file_name, &meta.content_type, bytes))
}

/// Public tracking: status, procedure, agency, appointment and history of a dossier, with the
/// applicant's name masked. No login; rate limited per address. Unknown and malformed codes
/// answer the same 404.
#[utoipa::path(get, path = "/api/v1/public/dossiers/{code}", tag = "dossiers", params(("code" = String, Path)),
    responses((status = 200, body = PublicDossier), (status = 404, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn track(
    State(state): State<AppState>,
    Meta(meta): Meta,
    ApiPath(code): ApiPath<String>,
) -> ApiResult<Json<PublicDossier>> {
    tracking_limit(&state, &meta)?;
    Ok(Json(state.services.dossiers.track_dossier(&code).await?.into()))
}

/// A printed form of the dossier as PDF (TT 03/2025/TT-VPCP, Appendix I): `01` receipt and
/// appointment, `02` supplement request, `03` refusal, `04` apology and extension, `05` notice of
/// stopping, `06` process control sheet. A form the dossier does not have answers 409
/// `form_not_applicable`.
#[utoipa::path(get, path = "/api/v1/dossiers/{key}/forms/{form}", tag = "dossiers",
    params(("key" = String, Path, description = "Dossier code or id"), ("form" = String, Path, description = "01–06")),
    security(("bearer" = [])),
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn form(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    headers: HeaderMap,
    ApiPath((key, form)): ApiPath<(String, String)>,
) -> ApiResult<Response> {
    let form = parse_form(&form)?;
    let pdf = state.services.dossiers.dossier_form(&p, &key, form, &crate::respond::base_url(&state, &headers)).await?;
    Ok(crate::respond::pdf_response(pdf, false))
}

pub(crate) fn parse_form(raw: &str) -> Result<motcua_forms::Form, HttpError> {
    motcua_forms::Form::parse(raw)
        .filter(|f| *f != motcua_forms::Form::Register)
        .ok_or(HttpError::from(motcua_app::error::AppError::NotFound("mẫu")))
}

/// The dossier register (sổ theo dõi hồ sơ, form 07) of a receiving agency for a period, as
/// PDF: every dossier received, in order. Defaults: the caller's desk agency, this month.
#[utoipa::path(get, path = "/api/v1/dossier-register", tag = "dossiers", params(RegisterInput), security(("bearer" = [])),
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn register(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<RegisterInput>,
) -> ApiResult<Response> {
    let period = q.parse().map_err(motcua_app::AppError::Validation)?;
    let pdf =
        state.services.dossiers.dossier_register(&p, &period, &crate::respond::base_url(&state, &headers)).await?;
    Ok(crate::respond::pdf_response(pdf, false))
}
