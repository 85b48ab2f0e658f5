//! Workflow definitions over the API: list, read, save, delete, and the TOML file format for
//! export and import.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use motcua_app::workflows::{WorkflowEntry, WorkflowImport, WorkflowView};

use crate::api::calendar::VersionQuery;
use crate::auth::ApiUser;
use crate::context::Meta;
use crate::error::{ApiResult, ErrorBody};
use crate::respond::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;

/// One definition as the API sends it (the same fields as a `[[workflow]]` of the text format).
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkflowEntryDto {
    /// Procedure code, e.g. `2.000908`.
    pub procedure: String,
    /// A case of the procedure by name; absent: every case.
    #[serde(default)]
    pub case: Option<String>,
    /// An agency e-ID; absent: every agency that handles the procedure.
    #[serde(default)]
    pub agency: Option<String>,
    /// The steps in order.
    #[serde(rename = "step", alias = "steps")]
    #[schema(value_type = Vec<Object>)]
    pub steps: Vec<motcua_domain::dossier::WorkflowStep>,
    /// For an edit: the version it started from.
    #[serde(default)]
    pub version: Option<i64>,
}

impl From<WorkflowEntryDto> for WorkflowEntry {
    fn from(e: WorkflowEntryDto) -> Self {
        Self { procedure: e.procedure, case: e.case, agency: e.agency, steps: e.steps, version: e.version }
    }
}

/// A stored definition.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct WorkflowDto {
    pub id: i64,
    pub procedure: String,
    pub procedure_name: Option<String>,
    pub case: Option<String>,
    pub agency: Option<String>,
    pub agency_name: Option<String>,
    pub version: i64,
    pub updated_by: String,
    pub updated_at: String,
    /// Whether the steps carry time budgets (each budget then counts against the legal time).
    pub timed: bool,
    #[schema(value_type = Vec<Object>)]
    pub steps: Vec<motcua_domain::dossier::WorkflowStep>,
}

impl From<WorkflowView> for WorkflowDto {
    fn from(w: WorkflowView) -> Self {
        Self {
            id: w.id,
            procedure: w.procedure,
            procedure_name: w.procedure_name,
            case: w.case,
            agency: w.agency,
            agency_name: w.agency_name,
            version: w.version,
            updated_by: w.updated_by,
            updated_at: w.updated_at,
            timed: w.timed,
            steps: w.steps,
        }
    }
}

/// What an import did.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct WorkflowImportDto {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
}

impl From<WorkflowImport> for WorkflowImportDto {
    fn from(i: WorkflowImport) -> Self {
        Self { created: i.created, updated: i.updated, unchanged: i.unchanged }
    }
}

/// Every workflow definition (catalogue managers).
#[utoipa::path(get, path = "/api/v1/workflows", tag = "workflows", security(("bearer" = [])),
    responses((status = 200, body = Vec<WorkflowDto>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list(State(state): State<AppState>, ApiUser(p): ApiUser) -> ApiResult<Json<Vec<WorkflowDto>>> {
    Ok(Json(state.services.workflows.list_workflows(&p).await?.into_iter().map(WorkflowDto::from).collect()))
}

/// Creates a definition, or replaces one when `version` names the version it was read at.
/// Steps: `kind` (intake, process, approve, issue, return), `name`, `role`, optional `unit`
/// (an agency e-ID, or `.02` for a unit of the resolving agency) and `budget`
/// (`{"amount": 4, "unit": "working_hours"}`); budgets must add up to the legal time.
#[utoipa::path(post, path = "/api/v1/workflows", tag = "workflows", request_body = WorkflowEntryDto, security(("bearer" = [])),
    responses((status = 200, body = WorkflowDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn save(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Meta(meta): Meta,
    ApiJson(entry): ApiJson<WorkflowEntryDto>,
) -> ApiResult<Json<WorkflowDto>> {
    Ok(Json(state.services.workflows.save_workflow(&p, &entry.into(), &meta).await?.into()))
}

#[utoipa::path(get, path = "/api/v1/workflows/{id}", tag = "workflows", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = WorkflowDto), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<WorkflowDto>> {
    Ok(Json(state.services.workflows.workflow_by_id(&p, id).await?.into()))
}

#[utoipa::path(delete, path = "/api/v1/workflows/{id}", tag = "workflows", params(("id" = i64, Path), VersionQuery), security(("bearer" = [])),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn delete(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Meta(meta): Meta,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<VersionQuery>,
) -> ApiResult<StatusCode> {
    state.services.workflows.delete_workflow(&p, id, q.version, &meta).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Every definition as a TOML file (`[[workflow]]` with `[[workflow.step]]`).
#[utoipa::path(get, path = "/api/v1/workflows/export", tag = "workflows", security(("bearer" = [])),
    responses((status = 200, content_type = "application/toml", body = String)))]
pub async fn export(State(state): State<AppState>, ApiUser(p): ApiUser) -> ApiResult<Response> {
    export_response(&state, &p).await
}

pub(crate) async fn export_response(state: &AppState, p: &motcua_domain::account::Principal) -> ApiResult<Response> {
    let text = state.services.workflows.export_workflows(p).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/toml; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"quy-trinh.toml\""),
        ],
        text,
    )
        .into_response())
}

/// Imports a TOML file of definitions: all are checked first and one bad entry changes
/// nothing; an entry for an existing procedure, case and agency replaces it.
#[utoipa::path(post, path = "/api/v1/workflows/import", tag = "workflows", request_body(content((String = "application/toml"), (String = "text/plain")), description = "The definitions as TOML text"),
    security(("bearer" = [])),
    responses((status = 200, body = WorkflowImportDto), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn import(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Meta(meta): Meta,
    body: String,
) -> ApiResult<Json<WorkflowImportDto>> {
    Ok(Json(state.services.workflows.import_workflows(&p, &body, &meta).await?.into()))
}
