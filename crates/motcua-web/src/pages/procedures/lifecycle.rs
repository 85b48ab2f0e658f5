//! A procedure's life: its history page, publication, discarding a draft, amendment, abolition
//! or replacement, and the differences between versions.

use askama::Template;
use axum::extract::{Query, State};

use crate::api::catalog_input::{EndInput, PublishInput};
use motcua_domain::catalog::diff::Change;
use serde::Deserialize;

use super::MsgQuery;
use crate::auth::PageUser;
use crate::context::Meta;
use crate::error::HttpError;
use crate::pages::catalog::Detail;
use crate::pages::{FormErrors, Layout};
use crate::respond::{FormPairs, PagePath, PageResult, redirect_or_form, render};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "admin/procedure.html")]
struct ShowPage {
    layout: Layout,
    d: Detail,
    code: String,
    versions: Vec<motcua_app::ports::VersionRecord>,
    has_draft: bool,
    in_force: bool,
    latest: u32,
    errors: FormErrors,
    base: &'static str,
}

impl ShowPage {
    fn date(d: &jiff::civil::Date) -> String {
        motcua_domain::time::format_date(*d)
    }
}

async fn show_page(state: &AppState, user: &PageUser, code: &str, errors: FormErrors) -> Result<ShowPage, HttpError> {
    let view = state.services.catalog.procedure_view(code, None, Some(&user.principal)).await?;
    if !state.services.catalog.may_manage_catalog(Some(&user.principal)) {
        return Err(HttpError::forbidden());
    }
    Ok(ShowPage {
        layout: Layout::new(format!("Thủ tục {code}"), Some(user)),
        has_draft: view.versions.iter().any(|v| v.is_draft()),
        in_force: view.standing.is_in_force(),
        latest: view.versions.last().map_or(1, |v| v.number),
        code: view.procedure.code.to_string(),
        versions: view.versions.clone(),
        d: Detail::new(&view),
        errors,
        base: "/thu-tuc",
    })
}

/// `GET /admin/procedures/{code}`: history and actions.
pub async fn show(
    State(state): State<AppState>,
    user: PageUser,
    PagePath(code): PagePath<String>,
    Query(q): Query<MsgQuery>,
) -> PageResult {
    let mut p = show_page(&state, &user, &code, FormErrors::default()).await?;
    p.layout = p.layout.with_flash(q.msg.as_deref());
    Ok(render(&p))
}

/// `POST /admin/procedures/{code}/versions/{n}/publish`
pub async fn publish(
    State(state): State<AppState>,
    user: PageUser,
    Meta(meta): Meta,
    PagePath((code, n)): PagePath<(String, u32)>,
    form: FormPairs,
) -> PageResult {
    // Who may not publish learns that, not what was wrong with the decision.
    state.services.catalog.authorize_catalog(&user.principal)?;
    let result = match publish_input(&form).parse() {
        Ok(decision) => {
            state
                .services
                .catalog
                .publish_draft(&user.principal, &code, n, form.int("revision"), &decision, &meta)
                .await
        }
        Err(e) => Err(motcua_app::AppError::Validation(e)),
    };
    redirect_or_form(
        result,
        |_| format!("/admin/procedures/{code}?msg=procedure_published"),
        async |errors| show_page(&state, &user, &code, errors).await,
    )
    .await
}

fn publish_input(form: &FormPairs) -> PublishInput {
    PublishInput {
        decision_number: form.text("decision_number"),
        decision_date: form.text("decision_date"),
        signer: form.text("signer"),
        effective_from: form.text("effective_from"),
        legal_basis_effective_on: form.opt("legal_basis_effective_on"),
        portal_published_on: form.opt("portal_published_on"),
    }
}

/// `POST /admin/procedures/{code}/versions/{n}/discard`
pub async fn discard(
    State(state): State<AppState>,
    user: PageUser,
    Meta(meta): Meta,
    PagePath((code, n)): PagePath<(String, u32)>,
    form: FormPairs,
) -> PageResult {
    let result = state.services.catalog.discard_draft(&user.principal, &code, n, form.int("revision"), &meta).await;
    redirect_or_form(
        result,
        |_| format!("/admin/procedures/{code}?msg=draft_discarded"),
        async |errors| show_page(&state, &user, &code, errors).await,
    )
    .await
}

/// `POST /admin/procedures/{code}/amend`
pub async fn amend(
    State(state): State<AppState>,
    user: PageUser,
    Meta(meta): Meta,
    PagePath(code): PagePath<String>,
    _form: FormPairs,
) -> PageResult {
    let result = state.services.catalog.start_amendment(&user.principal, &code, &meta).await;
    redirect_or_form(
        result,
        |v| format!("/admin/procedures/{code}/versions/{}?msg=amendment_started", v.number),
        async |errors| show_page(&state, &user, &code, errors).await,
    )
    .await
}

/// `POST /admin/procedures/{code}/end`: abolish or replace.
pub async fn end(
    State(state): State<AppState>,
    user: PageUser,
    Meta(meta): Meta,
    PagePath(code): PagePath<String>,
    form: FormPairs,
) -> PageResult {
    state.services.catalog.authorize_catalog(&user.principal)?;
    let input = EndInput { decision: publish_input(&form), replaced_by: form.opt("replaced_by") };
    let result = match input.parse() {
        Ok(ending) => state.services.catalog.end_procedure(&user.principal, &code, &ending, &meta).await,
        Err(e) => Err(motcua_app::AppError::Validation(e)),
    };
    redirect_or_form(
        result,
        |_| format!("/admin/procedures/{code}?msg=procedure_ended"),
        async |errors| show_page(&state, &user, &code, errors).await,
    )
    .await
}

#[derive(Template)]
#[template(path = "admin/procedure_diff.html")]
struct DiffPage {
    layout: Layout,
    code: String,
    from: u32,
    to: u32,
    changes: Vec<Change>,
}

#[derive(Deserialize)]
pub struct DiffParams {
    from: Option<u32>,
    to: Option<u32>,
}

/// `GET /admin/procedures/{code}/diff?from=&to=`
pub async fn diff(
    State(state): State<AppState>,
    user: PageUser,
    PagePath(code): PagePath<String>,
    Query(q): Query<DiffParams>,
) -> PageResult {
    let (Some(from), Some(to)) = (q.from, q.to) else {
        return Err(HttpError::bad_request("invalid_query", "Chọn hai phiên bản để so sánh.").into());
    };
    let changes = state.services.catalog.version_diff(Some(&user.principal), &code, from, to).await?;
    Ok(render(&DiffPage {
        layout: Layout::new(format!("So sánh phiên bản {from} và {to} – {code}"), Some(&user)),
        code,
        from,
        to,
        changes,
    }))
}
