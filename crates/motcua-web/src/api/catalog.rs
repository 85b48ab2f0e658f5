//! The procedure catalogue over HTTP: public search and detail (no login, rate limited per
//! address), fields, export; and the catalogue managers' write endpoints.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use motcua_app::catalog::ImportView;
use motcua_app::catalog::import::{ImportFormat, ImportProblem, ImportReport, parse_import};
use motcua_app::catalog::package::Package;
use motcua_app::catalog::{AgencyCatalogRow, FieldSummary, ProcedureView, SearchResult};
use motcua_app::ports::VersionRecord;
use motcua_domain::agency::AgencyId;
use motcua_domain::catalog::diff::Change;
use motcua_domain::catalog::{ProcedureContent, Standing};
use motcua_domain::time::rfc3339_vn;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::catalog_input::{AgencyCatalogRowDto, EndInput, PublishInput};
use crate::api::catalog_query::ProcedureQueryInput;
use crate::api::catalog_schema::{FieldSummarySchema, SearchResultSchema};
use crate::auth::ApiUser;
use crate::context::Meta;
use crate::error::query_error;
use crate::error::{ApiResult, ErrorBody, HttpError};
use crate::limits::public_limit as limit;
use crate::respond::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;

/// The decision that published a version.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicationDto {
    pub decision_number: Option<String>,
    /// `yyyy-mm-dd`.
    pub decision_date: Option<String>,
    pub signer: Option<String>,
    pub effective_from: Option<String>,
    pub legal_basis_effective_on: Option<String>,
    pub portal_published_on: Option<String>,
}

/// One version in a procedure's history.
#[derive(Debug, Serialize, ToSchema)]
pub struct VersionDto {
    pub number: u32,
    /// `new`, `amended`, `replaced`, `abolished`.
    pub kind: String,
    /// `draft` or `published`.
    pub state: String,
    pub publication: Option<PublicationDto>,
    pub replaced_by: Option<String>,
    /// Send back when saving or publishing a draft.
    pub revision: i64,
    pub published_at: Option<String>,
}

/// An agency that receives or resolves the procedure.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProcedureAgencyDto {
    pub code: String,
    pub name: String,
    pub desk: bool,
    pub postal: bool,
    pub online: bool,
    pub resolves: bool,
}

/// A procedure version in full.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProcedureDto {
    pub code: String,
    /// `in_force`, `ended` (abolished or replaced) or `unpublished`.
    pub status: String,
    /// The version in force (or the last one, once ended).
    pub current_version: Option<u32>,
    /// A published version that takes effect later, with its date.
    pub upcoming_version: Option<u32>,
    pub replaced_by: Option<String>,
    /// The version shown below.
    pub version: VersionDto,
    /// What the version says: name, field, levels, cases (time, fees, documents), results,
    /// steps, conditions, legal basis, online level, channels, flags, applicant types.
    #[schema(value_type = Object)]
    pub content: ProcedureContent,
    /// Items the law requires in a publication that this version lacks (indicator 1.3).
    pub publication_gaps: Vec<String>,
    pub versions: Vec<VersionDto>,
    pub agencies: Vec<ProcedureAgencyDto>,
}

fn date(d: Option<jiff::civil::Date>) -> Option<String> {
    d.map(|d| d.to_string())
}

impl From<&VersionRecord> for VersionDto {
    fn from(v: &VersionRecord) -> Self {
        VersionDto {
            number: v.number,
            kind: v.kind.as_str().to_owned(),
            state: if v.is_draft() { "draft" } else { "published" }.to_owned(),
            publication: v.publication.as_ref().map(|p| PublicationDto {
                decision_number: p.decision_number.clone(),
                decision_date: date(p.decision_date),
                signer: p.signer.clone(),
                effective_from: date(p.effective_from),
                legal_basis_effective_on: date(p.legal_basis_effective_on),
                portal_published_on: date(p.portal_published_on),
            }),
            replaced_by: v.replaced_by.as_ref().map(ToString::to_string),
            revision: v.revision,
            published_at: v.published_at.map(motcua_domain::time::rfc3339_vn),
        }
    }
}

impl From<&ProcedureView> for ProcedureDto {
    fn from(v: &ProcedureView) -> Self {
        let (status, upcoming, replaced_by) = match &v.standing {
            Standing::InForce { upcoming, .. } => ("in_force", upcoming.map(|u| u.0), None),
            Standing::Ended { replaced_by, .. } => ("ended", None, replaced_by.as_ref().map(ToString::to_string)),
            Standing::Unpublished { upcoming } => ("unpublished", upcoming.map(|u| u.0), None),
        };
        ProcedureDto {
            code: v.procedure.code.to_string(),
            status: status.to_owned(),
            current_version: v.standing.current(),
            upcoming_version: upcoming,
            replaced_by,
            version: VersionDto::from(&v.version),
            content: v.version.content.clone(),
            publication_gaps: v.version.content.publication_gaps().into_iter().map(str::to_owned).collect(),
            versions: v.versions.iter().map(VersionDto::from).collect(),
            agencies: v
                .agencies
                .iter()
                .map(|(a, r)| ProcedureAgencyDto {
                    code: a.code.to_string(),
                    name: a.name.clone(),
                    desk: r.desk,
                    postal: r.postal,
                    online: r.online,
                    resolves: r.resolves,
                })
                .collect(),
        }
    }
}

/// Searches the procedures in force: diacritic-insensitive (`dang ky khai sinh` finds
/// "Đăng ký khai sinh"), accent-exact matches first, by name, code, field and document names.
#[utoipa::path(get, path = "/api/v1/procedures", tag = "catalog", params(ProcedureQueryInput),
    responses((status = 200, body = SearchResultSchema), (status = 400, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn search(
    State(state): State<AppState>,
    Meta(meta): Meta,
    ApiQuery(q): ApiQuery<ProcedureQueryInput>,
) -> ApiResult<Json<std::sync::Arc<SearchResult>>> {
    limit(&state, &meta)?;
    let search = q.parse().map_err(|e| query_error(motcua_app::AppError::Validation(e)))?;
    let query = state.services.catalog.procedure_query(&search).await.map_err(query_error)?;
    Ok(Json(state.services.catalog.search_procedures(&query).await?))
}

/// Fields (lĩnh vực) with the number of procedures in force.
#[utoipa::path(get, path = "/api/v1/fields", tag = "catalog",
    responses((status = 200, body = Vec<FieldSummarySchema>), (status = 429, body = ErrorBody)))]
pub async fn fields(State(state): State<AppState>, Meta(meta): Meta) -> ApiResult<Json<Vec<FieldSummary>>> {
    limit(&state, &meta)?;
    Ok(Json(state.services.catalog.catalog_fields().await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VersionQuery {
    /// A published version number (default: the version in force).
    pub version: Option<u32>,
}

/// A procedure: the version in force in full, or `?version=` another published one.
#[utoipa::path(get, path = "/api/v1/procedures/{code}", tag = "catalog", params(("code" = String, Path), VersionQuery),
    responses((status = 200, body = ProcedureDto), (status = 404, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    Meta(meta): Meta,
    ApiPath(code): ApiPath<String>,
    ApiQuery(q): ApiQuery<VersionQuery>,
) -> ApiResult<Json<ProcedureDto>> {
    limit(&state, &meta)?;
    Ok(Json(ProcedureDto::from(&state.services.catalog.procedure_view(&code, q.version, None).await?)))
}

/// A procedure for its managers: drafts included (`?version=` selects one; default the newest).
#[utoipa::path(get, path = "/api/v1/procedures/{code}/manage", tag = "catalog", params(("code" = String, Path), VersionQuery),
    security(("bearer" = [])),
    responses((status = 200, body = ProcedureDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_managed(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    ApiPath(code): ApiPath<String>,
    ApiQuery(q): ApiQuery<VersionQuery>,
) -> ApiResult<Json<ProcedureDto>> {
    if !state.services.catalog.may_manage_catalog(Some(&p)) {
        return Err(HttpError::forbidden().into());
    }
    let view = state.services.catalog.procedure_view(&code, q.version, Some(&p)).await?;
    let view = match q.version {
        Some(_) => view,
        None => {
            let newest = view.versions.last().map(|v| v.number);
            state.services.catalog.procedure_view(&code, newest, Some(&p)).await?
        }
    };
    Ok(Json(ProcedureDto::from(&view)))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateBody {
    pub code: String,
    #[schema(value_type = Object)]
    pub content: ProcedureContent,
}

/// Creates a procedure with a first draft (`ManageCatalog`: province-wide admin or control officer).
#[utoipa::path(post, path = "/api/v1/procedures", tag = "catalog", request_body = CreateBody, security(("bearer" = [])),
    responses((status = 201, body = VersionDto), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Meta(meta): Meta,
    ApiJson(body): ApiJson<CreateBody>,
) -> ApiResult<(StatusCode, Json<VersionDto>)> {
    let v = state.services.catalog.create_procedure(&p, &body.code, body.content, &meta).await?;
    Ok((StatusCode::CREATED, Json(VersionDto::from(&v))))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct DraftBody {
    #[schema(value_type = Object)]
    pub content: ProcedureContent,
    /// The draft's `revision` the editor started from.
    pub revision: i64,
}

/// Saves a draft.
#[utoipa::path(put, path = "/api/v1/procedures/{code}/versions/{number}", tag = "catalog",
    params(("code" = String, Path), ("number" = u32, Path)), request_body = DraftBody, security(("bearer" = [])),
    responses((status = 200, body = VersionDto), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn save_draft(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Meta(meta): Meta,
    ApiPath((code, number)): ApiPath<(String, u32)>,
    ApiJson(body): ApiJson<DraftBody>,
) -> ApiResult<Json<VersionDto>> {
    let v = state.services.catalog.save_draft(&p, &code, number, body.content, body.revision, &meta).await?;
    Ok(Json(VersionDto::from(&v)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RevisionQuery {
    pub revision: i64,
}

/// Discards a draft (never published).
#[utoipa::path(delete, path = "/api/v1/procedures/{code}/versions/{number}", tag = "catalog",
    params(("code" = String, Path), ("number" = u32, Path), RevisionQuery), security(("bearer" = [])),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn discard_draft(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Meta(meta): Meta,
    ApiPath((code, number)): ApiPath<(String, u32)>,
    ApiQuery(q): ApiQuery<RevisionQuery>,
) -> ApiResult<StatusCode> {
    state.services.catalog.discard_draft(&p, &code, number, q.revision, &meta).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct PublishBody {
    pub revision: i64,
    #[serde(flatten)]
    pub decision: PublishInput,
}

/// Publishes a draft with its decision (number, date, signer, effective date). The content
/// must state everything Đ8 k2 NĐ 63/2010 requires.
#[utoipa::path(post, path = "/api/v1/procedures/{code}/versions/{number}/publish", tag = "catalog",
    params(("code" = String, Path), ("number" = u32, Path)), request_body = PublishBody, security(("bearer" = [])),
    responses((status = 200, body = VersionDto), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn publish(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Meta(meta): Meta,
    ApiPath((code, number)): ApiPath<(String, u32)>,
    ApiJson(body): ApiJson<PublishBody>,
) -> ApiResult<Json<VersionDto>> {
    // Who may not publish learns that, not what was wrong with the decision.
    state.services.catalog.authorize_catalog(&p)?;
    let decision = body.decision.parse().map_err(motcua_app::AppError::Validation)?;
    let v = state.services.catalog.publish_draft(&p, &code, number, body.revision, &decision, &meta).await?;
    Ok(Json(VersionDto::from(&v)))
}

/// Starts an amendment: a new draft copied from the version in force.
#[utoipa::path(post, path = "/api/v1/procedures/{code}/amend", tag = "catalog", params(("code" = String, Path)),
    security(("bearer" = [])),
    responses((status = 201, body = VersionDto), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn amend(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Meta(meta): Meta,
    ApiPath(code): ApiPath<String>,
) -> ApiResult<(StatusCode, Json<VersionDto>)> {
    let v = state.services.catalog.start_amendment(&p, &code, &meta).await?;
    Ok((StatusCode::CREATED, Json(VersionDto::from(&v))))
}

/// Abolishes the procedure, or replaces it by another (`replaced_by`), by decision.
#[utoipa::path(post, path = "/api/v1/procedures/{code}/end", tag = "catalog", params(("code" = String, Path)),
    request_body = EndInput, security(("bearer" = [])),
    responses((status = 201, body = VersionDto), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn end(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Meta(meta): Meta,
    ApiPath(code): ApiPath<String>,
    ApiJson(body): ApiJson<EndInput>,
) -> ApiResult<(StatusCode, Json<VersionDto>)> {
    state.services.catalog.authorize_catalog(&p)?;
    let ending = body.parse().map_err(motcua_app::AppError::Validation)?;
    let v = state.services.catalog.end_procedure(&p, &code, &ending, &meta).await?;
    Ok((StatusCode::CREATED, Json(VersionDto::from(&v))))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DiffQuery {
    pub from: u32,
    pub to: u32,
}

/// One difference between two versions.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChangeDto {
    /// `added`, `removed` or `changed`.
    pub change: String,
    pub item: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

impl From<Change> for ChangeDto {
    fn from(c: Change) -> Self {
        match c {
            Change::Added(l) => ChangeDto { change: "added".into(), item: l.label, before: None, after: Some(l.value) },
            Change::Removed(l) => {
                ChangeDto { change: "removed".into(), item: l.label, before: Some(l.value), after: None }
            }
            Change::Changed { label, before, after } => {
                ChangeDto { change: "changed".into(), item: label, before: Some(before), after: Some(after) }
            }
        }
    }
}

/// What changed between two published versions.
#[utoipa::path(get, path = "/api/v1/procedures/{code}/diff", tag = "catalog", params(("code" = String, Path), DiffQuery),
    responses((status = 200, body = Vec<ChangeDto>), (status = 404, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn diff(
    State(state): State<AppState>,
    Meta(meta): Meta,
    ApiPath(code): ApiPath<String>,
    ApiQuery(q): ApiQuery<DiffQuery>,
) -> ApiResult<Json<Vec<ChangeDto>>> {
    limit(&state, &meta)?;
    let changes = state.services.catalog.version_diff(None, &code, q.from, q.to).await?;
    Ok(Json(changes.into_iter().map(ChangeDto::from).collect()))
}

/// Imports procedures: the national package as JSON (`Content-Type: application/json`) or the
/// XLSX template. Every row is checked first; any bad row rejects the whole file (422, one
/// `fields` entry per bad row) and nothing changes.
#[utoipa::path(post, path = "/api/v1/procedures/import", tag = "catalog", request_body(content = String,
        description = "JSON package or XLSX file", content_type = "application/json"), security(("bearer" = [])),
    responses((status = 200, body = ImportReportDto), (status = 403, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn import(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Meta(meta): Meta,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<ImportReportDto>> {
    state.services.catalog.authorize_catalog(&p)?;
    let format = body_format(&headers)?;
    let parsed =
        tokio::task::spawn_blocking(move || parse_import(&body, format)).await.map_err(|_| HttpError::internal())?;
    Ok(Json(state.services.catalog.import_procedures(Some(&p), parsed, &meta, &|_, _| {}).await?.into()))
}

/// The import format named by the request's `Content-Type`.
fn body_format(headers: &HeaderMap) -> Result<ImportFormat, HttpError> {
    let ct = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    if ct.starts_with("application/json") {
        Ok(ImportFormat::Json)
    } else if ct.starts_with(XLSX_TYPE) {
        Ok(ImportFormat::Xlsx)
    } else {
        Err(HttpError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            format!("Gửi tệp JSON (application/json) hoặc XLSX ({XLSX_TYPE})."),
        ))
    }
}

const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QueueImportQuery {
    /// The file's name as people will see it in the import list (default `goi-thu-tuc.json` or
    /// `mau-thu-tuc.xlsx`).
    pub file_name: Option<String>,
}

/// The outcome of an applied import.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportReportDto {
    pub total: usize,
    pub created: usize,
    pub amended: usize,
    pub unchanged: usize,
}

impl From<ImportReport> for ImportReportDto {
    fn from(r: ImportReport) -> Self {
        Self { total: r.total, created: r.created, amended: r.amended, unchanged: r.unchanged }
    }
}

/// A row that could not be imported, and why.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportProblemDto {
    pub row: String,
    pub reason: String,
}

impl From<ImportProblem> for ImportProblemDto {
    fn from(p: ImportProblem) -> Self {
        Self { row: p.row, reason: p.reason }
    }
}

/// A background import and how far it is.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportDto {
    pub id: i64,
    pub file_name: String,
    /// `json` or `xlsx`.
    pub format: String,
    /// Procedures in the file.
    pub row_count: i64,
    /// `queued`, `running`, `succeeded` or `failed`.
    pub status: String,
    /// Procedures written so far, while it runs in the answering process.
    pub done: Option<usize>,
    /// Counts once it has succeeded.
    pub report: Option<ImportReportDto>,
    /// Reasons once it has failed (nothing was imported).
    pub problems: Vec<ImportProblemDto>,
    pub created_by: String,
    pub created_at: String,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
}

impl From<ImportView> for ImportDto {
    fn from(v: ImportView) -> Self {
        let i = v.record;
        Self {
            id: i.id,
            file_name: i.file_name,
            format: i.format.as_str().to_owned(),
            row_count: i.row_count,
            status: i.status.as_str().to_owned(),
            done: v.progress.map(|(d, _)| d),
            report: i.report.map(ImportReportDto::from),
            problems: i.problems.into_iter().map(ImportProblemDto::from).collect(),
            created_by: i.created_by,
            created_at: rfc3339_vn(i.created_at),
            started_at: i.started_at.map(rfc3339_vn),
            finished_at: i.finished_at.map(rfc3339_vn),
        }
    }
}

/// Queues an import (the body as for `POST /api/v1/procedures/import`). The file is checked at
/// once: a bad file gets 422 with every bad row and nothing is stored. An accepted file is
/// applied in the background; poll the `Location` for its progress and outcome.
#[utoipa::path(post, path = "/api/v1/procedures/imports", tag = "catalog", params(QueueImportQuery),
    request_body(content = String, description = "JSON package or XLSX file", content_type = "application/json"),
    security(("bearer" = [])),
    responses((status = 202, body = ImportDto), (status = 403, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn queue_import(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Meta(meta): Meta,
    ApiQuery(q): ApiQuery<QueueImportQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    state.services.catalog.authorize_catalog(&p)?;
    let format = body_format(&headers)?;
    let name = q.file_name.unwrap_or_else(|| {
        match format {
            ImportFormat::Json => "goi-thu-tuc.json",
            ImportFormat::Xlsx => "mau-thu-tuc.xlsx",
        }
        .to_owned()
    });
    let id = state.services.catalog.queue_import(&p, &name, format, body.to_vec(), &meta).await?;
    let view = state.services.catalog.catalog_import(&p, id).await?;
    let location = format!("/api/v1/procedures/imports/{id}");
    Ok((StatusCode::ACCEPTED, [(header::LOCATION, location)], Json(ImportDto::from(view))).into_response())
}

/// One background import: status, progress and outcome.
#[utoipa::path(get, path = "/api/v1/procedures/imports/{id}", tag = "catalog", params(("id" = i64, Path)),
    security(("bearer" = [])),
    responses((status = 200, body = ImportDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn import_status(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<ImportDto>> {
    Ok(Json(state.services.catalog.catalog_import(&p, id).await?.into()))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// `json` (default) or `xlsx`.
    pub format: Option<String>,
}

/// Exports the procedures in force as the national package (JSON) or the XLSX template.
#[utoipa::path(get, path = "/api/v1/procedures/export", tag = "catalog", params(ExportQuery),
    responses((status = 200, description = "JSON array or XLSX file"), (status = 400, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn export(
    State(state): State<AppState>,
    Meta(meta): Meta,
    ApiQuery(q): ApiQuery<ExportQuery>,
) -> ApiResult<Response> {
    limit(&state, &meta)?;
    export_response(&state, q.format.as_deref()).await
}

pub(crate) async fn export_response(state: &AppState, format: Option<&str>) -> ApiResult<Response> {
    match format.unwrap_or("json") {
        "json" => {
            let items: Vec<Package> = state.services.catalog.export_package().await?;
            Ok(([(header::CONTENT_DISPOSITION, "attachment; filename=\"thu-tuc-hanh-chinh.json\"")], Json(items))
                .into_response())
        }
        "xlsx" => {
            let bytes = state.services.catalog.export_xlsx().await?;
            Ok((
                [
                    (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
                    (header::CONTENT_DISPOSITION, "attachment; filename=\"thu-tuc-hanh-chinh.xlsx\""),
                ],
                bytes,
            )
                .into_response())
        }
        other => Err(HttpError::bad_request(
            "invalid_query",
            format!("format: dùng json hoặc xlsx (nhận được \"{other}\")."),
        )
        .into()),
    }
}

/// An agency's procedure list.
#[utoipa::path(get, path = "/api/v1/agencies/{id}/procedures", tag = "catalog", params(("id" = i64, Path)),
    security(("bearer" = [])),
    responses((status = 200, body = Vec<AgencyCatalogRowDto>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn agency_list(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Vec<AgencyCatalogRowDto>>> {
    let (_, rows) = state.services.catalog.agency_catalog(&p, AgencyId(id)).await?;
    Ok(Json(rows.iter().map(|r| AgencyCatalogRow::from(r).into()).collect()))
}

/// Replaces an agency's procedure list (`ManageAgencies` over the agency).
#[utoipa::path(put, path = "/api/v1/agencies/{id}/procedures", tag = "catalog", params(("id" = i64, Path)),
    request_body = Vec<AgencyCatalogRowDto>, security(("bearer" = [])),
    responses((status = 200, body = Vec<AgencyCatalogRowDto>), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn agency_put(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Meta(meta): Meta,
    ApiPath(id): ApiPath<i64>,
    ApiJson(rows): ApiJson<Vec<AgencyCatalogRowDto>>,
) -> ApiResult<Json<Vec<AgencyCatalogRowDto>>> {
    let rows: Vec<AgencyCatalogRow> = rows.into_iter().map(AgencyCatalogRow::from).collect();
    state.services.catalog.set_agency_catalog(&p, AgencyId(id), &rows, &meta).await?;
    agency_list(State(state), ApiUser(p), ApiPath(id)).await
}
