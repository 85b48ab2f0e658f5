//! Workflow definitions for catalogue managers: the list, an editor of one definition in the
//! text format, and file export and import.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect};
use motcua_app::workflows::{WorkflowEntry, WorkflowView, entry_text, parse_file};
use motcua_domain::dossier::Workflow;
use serde::Deserialize;

use super::{FormErrors, Layout};
use crate::auth::PageUser;
use crate::context::Meta;
use crate::respond::{FormPairs, PagePath, PageResult, form_error, redirect_or_form, render, render_form_error};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "admin/workflows.html")]
struct IndexPage {
    layout: Layout,
    workflows: Vec<WorkflowView>,
    msg: Option<String>,
    errors: FormErrors,
    import_text: String,
}

#[derive(Deserialize)]
pub struct IndexQuery {
    msg: Option<String>,
}

async fn index_page(
    state: &AppState,
    user: &PageUser,
    msg: Option<String>,
    errors: FormErrors,
    import_text: String,
) -> Result<IndexPage, crate::error::HttpError> {
    Ok(IndexPage {
        layout: Layout::new("Quy trình nội bộ điện tử", Some(user)),
        workflows: state.services.workflows.list_workflows(&user.principal).await?,
        msg,
        errors,
        import_text,
    })
}

pub async fn index(State(state): State<AppState>, user: PageUser, Query(q): Query<IndexQuery>) -> PageResult {
    Ok(render(&index_page(&state, &user, q.msg, FormErrors::default(), String::new()).await?))
}

#[derive(Template)]
#[template(path = "admin/workflow.html")]
struct EditPage {
    layout: Layout,
    id: Option<i64>,
    version: Option<i64>,
    text: String,
    errors: FormErrors,
}

/// A starting point: the generic workflow for a procedure to fill in.
fn template_entry() -> WorkflowEntry {
    WorkflowEntry {
        procedure: "2.000908".into(),
        case: None,
        agency: None,
        steps: Workflow::generic().steps,
        version: None,
    }
}

pub async fn new_form(user: PageUser) -> PageResult {
    if motcua_domain::policy::scopes(&user.principal, motcua_domain::policy::Permission::ManageCatalog).is_empty() {
        return Err(crate::error::HttpError::forbidden().into());
    }
    Ok(render(&EditPage {
        layout: Layout::new("Thêm quy trình", Some(&user)),
        id: None,
        version: None,
        text: entry_text(&template_entry()),
        errors: FormErrors::default(),
    }))
}

async fn edit_page(
    state: &AppState,
    user: &PageUser,
    id: i64,
    errors: FormErrors,
) -> Result<EditPage, crate::error::HttpError> {
    let v = state.services.workflows.workflow_by_id(&user.principal, id).await?;
    Ok(EditPage {
        layout: Layout::new(format!("Quy trình thủ tục {}", v.procedure), Some(user)),
        id: Some(id),
        version: Some(v.version),
        text: entry_text(&WorkflowEntry { version: None, ..v.entry() }),
        errors,
    })
}

pub async fn edit_form(State(state): State<AppState>, user: PageUser, PagePath(id): PagePath<i64>) -> PageResult {
    Ok(render(&edit_page(&state, &user, id, FormErrors::default()).await?))
}

/// Saves the one definition in the editor's text (`version` from the hidden field for edits).
pub async fn save(State(state): State<AppState>, user: PageUser, Meta(meta): Meta, f: FormPairs) -> PageResult {
    state.services.workflows.authorize_workflows(&user.principal)?;
    let text = f.text("definition");
    let version = f.opt("version").and_then(|v| v.parse::<i64>().ok());
    let id = f.opt("id").and_then(|v| v.parse::<i64>().ok());
    let result = async {
        let file = parse_file(&text)?;
        let [entry] = <[WorkflowEntry; 1]>::try_from(file.workflows).map_err(|_| {
            motcua_app::AppError::field("definition", "one_workflow", "Ô soạn thảo chứa đúng một [[workflow]].")
        })?;
        state.services.workflows.save_workflow(&user.principal, &WorkflowEntry { version, ..entry }, &meta).await
    }
    .await;
    redirect_or_form(
        result,
        |v| format!("/admin/workflows?msg=saved-{}", v.id),
        async |errors| {
            Ok::<_, crate::error::HttpError>(EditPage {
                layout: Layout::new("Quy trình", Some(&user)),
                id,
                version,
                text: text.clone(),
                errors,
            })
        },
    )
    .await
}

pub async fn delete(
    State(state): State<AppState>,
    user: PageUser,
    Meta(meta): Meta,
    PagePath(id): PagePath<i64>,
    f: FormPairs,
) -> PageResult {
    let version = f.int("version");
    let result = state.services.workflows.delete_workflow(&user.principal, id, version, &meta).await;
    redirect_or_form(
        result,
        |()| "/admin/workflows?msg=deleted".to_owned(),
        async |errors| edit_page(&state, &user, id, errors).await,
    )
    .await
}

pub async fn export(State(state): State<AppState>, user: PageUser) -> PageResult {
    crate::api::workflows::export_response(&state, &user.principal).await.map_err(|e| e.0.into())
}

pub async fn import(State(state): State<AppState>, user: PageUser, Meta(meta): Meta, f: FormPairs) -> PageResult {
    state.services.workflows.authorize_workflows(&user.principal)?;
    let text = f.text("file_text");
    match state.services.workflows.import_workflows(&user.principal, &text, &meta).await {
        Ok(s) => {
            Ok(Redirect::to(&format!("/admin/workflows?msg=imported-{}-{}-{}", s.created, s.updated, s.unchanged))
                .into_response())
        }
        Err(e) => {
            let e = form_error(e)?;
            let page = index_page(&state, &user, None, FormErrors::from_http(&e), text).await?;
            Ok(render_form_error(e, &page))
        }
    }
}
