//! The catalogue's list, its import from files (checked at once, applied in the background) and
//! its export.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use motcua_app::catalog::import::ImportFormat;

use motcua_app::ports::{ImportRecord, ProcedureHead};
use motcua_domain::time::format_datetime;
use serde::Deserialize;

use super::read_file;
use crate::auth::PageUser;
use crate::context::Meta;
use crate::error::HttpError;
use crate::pages::{FormErrors, Layout};
use crate::respond::{PagePath, PageResult, render, render_form_error};
use crate::state::AppState;

const PER_PAGE: i64 = 50;

#[derive(Template)]
#[template(path = "admin/procedures.html")]
struct ListPage {
    layout: Layout,
    q: String,
    total: i64,
    heads: Vec<ProcedureHead>,
    page: i64,
    pages: i64,
    imports: Vec<ImportView>,
    errors: FormErrors,
}

/// A row of the recent imports.
struct ImportView {
    i: ImportRecord,
    created_at: String,
}

#[derive(Deserialize)]
pub struct ListQuery {
    q: Option<String>,
    page: Option<i64>,
    msg: Option<String>,
}

async fn list_page(state: &AppState, user: &PageUser, q: Option<String>, page: i64) -> Result<ListPage, HttpError> {
    let (total, heads) = state.services.catalog.procedure_heads(&user.principal, q.as_deref(), page, PER_PAGE).await?;
    Ok(ListPage {
        layout: Layout::new("Quản lý thủ tục hành chính", Some(user)),
        q: q.unwrap_or_default(),
        total,
        heads,
        page,
        pages: ((total + PER_PAGE - 1) / PER_PAGE).max(1),
        imports: state
            .services
            .catalog
            .recent_catalog_imports(&user.principal)
            .await?
            .into_iter()
            .map(|i| ImportView { created_at: format_datetime(i.created_at), i })
            .collect(),
        errors: FormErrors::default(),
    })
}

/// `/admin/procedures`
pub async fn index(State(state): State<AppState>, user: PageUser, Query(q): Query<ListQuery>) -> PageResult {
    let page = q.page.unwrap_or(1).max(1);
    let mut p = list_page(&state, &user, q.q, page).await?;
    p.layout = p.layout.with_flash(q.msg.as_deref());
    Ok(render(&p))
}

/// `POST /admin/procedures/import` (multipart: `file`): checks the file at once, then queues it
/// and shows its progress page.
pub async fn import(
    State(state): State<AppState>,
    user: PageUser,
    Meta(meta): Meta,
    crate::respond::Upload(mp): crate::respond::Upload,
) -> PageResult {
    state.services.catalog.authorize_catalog(&user.principal)?;
    let (name, _, bytes, _) = read_file(mp).await?;
    let queued = match ImportFormat::of_file(&name) {
        Ok(format) => state.services.catalog.queue_import(&user.principal, &name, format, bytes, &meta).await,
        Err(e) => Err(e),
    };
    match queued {
        Ok(id) => Ok(Redirect::to(&format!("/admin/procedures/imports/{id}")).into_response()),
        Err(e) => {
            let e = crate::respond::form_error(e)?;
            let mut p = list_page(&state, &user, None, 1).await?;
            p.errors = FormErrors::from_http(&e);
            Ok(render_form_error(e, &p))
        }
    }
}

#[derive(Template)]
#[template(path = "admin/procedure_import.html")]
struct ImportPage {
    layout: Layout,
    i: ImportRecord,
    /// Percent written, while running in this process.
    percent: Option<usize>,
    done: usize,
    total: usize,
    created_at: String,
    finished_at: String,
}

/// `GET /admin/procedures/imports/{id}`: status and progress; reloads itself until finished.
pub async fn import_status(State(state): State<AppState>, user: PageUser, PagePath(id): PagePath<i64>) -> PageResult {
    let view = state.services.catalog.catalog_import(&user.principal, id).await?;
    let i = view.record;
    let mut layout = Layout::new(format!("Nhập thủ tục từ tệp {}", i.file_name), Some(&user));
    if !i.status.is_finished() {
        layout.refresh = Some(2);
    }
    let (done, total) = view.progress.unwrap_or((0, usize::try_from(i.row_count).unwrap_or(0)));
    Ok(render(&ImportPage {
        layout,
        percent: view.progress.map(|(d, t)| (d * 100).checked_div(t).unwrap_or(100)),
        done,
        total,
        created_at: format_datetime(i.created_at),
        finished_at: i.finished_at.map(format_datetime).unwrap_or_default(),
        i,
    }))
}

/// `GET /admin/procedures/export?format=`
pub async fn export(State(state): State<AppState>, _user: PageUser, Query(q): Query<ExportParam>) -> Response {
    match crate::api::catalog::export_response(&state, q.format.as_deref()).await {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}

#[derive(Deserialize)]
pub struct ExportParam {
    format: Option<String>,
}
