//! The wording of an agency's notices to citizens (`/admin/agencies/{id}/citizen-notices`): what
//! each notice says at this agency and whose words they are; its administrators edit them.

use askama::Template;
use axum::extract::{Query, State};
use motcua_app::notices::{NOTICE_VARIABLES, NoticeTemplate, TemplateSource};
use motcua_domain::agency::AgencyId;
use motcua_domain::time::format_datetime;
use serde::Deserialize;

use super::{FormErrors, Layout};
use crate::auth::PageUser;
use crate::context::Meta;
use crate::respond::{FormPairs, PagePath, PageResult, redirect_or_form, render};
use crate::state::AppState;

/// Whose words, said for people.
fn source_label(s: &TemplateSource) -> String {
    match s {
        TemplateSource::BuiltIn => "Mẫu mặc định".to_owned(),
        TemplateSource::Inherited { agency, .. } => format!("Theo mẫu của {agency}"),
        TemplateSource::Own { version, updated_by, updated_at } => {
            format!("Mẫu riêng (phiên bản {version}) do {updated_by} sửa lúc {}", format_datetime(*updated_at))
        }
    }
}

pub struct Row {
    kind: &'static str,
    label: &'static str,
    subject: String,
    source: String,
}

#[derive(Template)]
#[template(path = "admin/citizen_notices.html")]
struct ListPage {
    layout: Layout,
    agency_id: i64,
    agency: String,
    rows: Vec<Row>,
    may_edit: bool,
}

#[derive(Deserialize)]
pub struct Msg {
    msg: Option<String>,
}

/// `GET /admin/agencies/{id}/citizen-notices`
pub async fn index(
    State(state): State<AppState>,
    user: PageUser,
    PagePath(id): PagePath<i64>,
    Query(q): Query<Msg>,
) -> PageResult {
    let (agency, all, may_edit) = state.services.citizen_notices.templates(&user.principal, AgencyId(id)).await?;
    Ok(render(&ListPage {
        layout: Layout::new(format!("Thông báo cho người dân: {}", agency.name), Some(&user))
            .with_flash(q.msg.as_deref()),
        agency_id: agency.id.0,
        agency: agency.name,
        rows: all
            .iter()
            .map(|t| Row {
                kind: t.kind.as_str(),
                label: t.kind.label(),
                subject: t.subject.clone(),
                source: source_label(&t.source),
            })
            .collect(),
        may_edit,
    }))
}

#[derive(Template)]
#[template(path = "admin/citizen_notice.html")]
struct EditPage {
    layout: Layout,
    agency_id: i64,
    agency: String,
    kind: &'static str,
    label: &'static str,
    subject: String,
    body: String,
    source: String,
    /// The agency's own version (absent: it has none yet).
    version: Option<i64>,
    may_edit: bool,
    variables: &'static [(&'static str, &'static str)],
    preview_subject: String,
    preview_body: String,
    preview_sms: String,
    errors: FormErrors,
}

fn edit_page(
    user: &PageUser,
    agency: &motcua_domain::agency::Agency,
    t: &NoticeTemplate,
    may_edit: bool,
    errors: FormErrors,
) -> EditPage {
    let preview = motcua_app::notices::preview(t).ok();
    EditPage {
        layout: Layout::new(format!("Thông báo cho người dân: {}", t.kind.label()), Some(user)),
        agency_id: agency.id.0,
        agency: agency.name.clone(),
        kind: t.kind.as_str(),
        label: t.kind.label(),
        subject: t.subject.clone(),
        body: t.body.clone(),
        source: source_label(&t.source),
        version: t.own_version(),
        may_edit,
        variables: NOTICE_VARIABLES,
        preview_sms: preview
            .as_ref()
            .map(|p| motcua_domain::citizen_notice::sms_text(&p.body).to_owned())
            .unwrap_or_default(),
        preview_subject: preview.as_ref().map(|p| p.subject.clone()).unwrap_or_default(),
        preview_body: preview.map(|p| p.body).unwrap_or_default(),
        errors,
    }
}

/// `GET /admin/agencies/{id}/citizen-notices/{notice}`
pub async fn form(
    State(state): State<AppState>,
    user: PageUser,
    PagePath((id, kind)): PagePath<(i64, String)>,
) -> PageResult {
    let (agency, t, may_edit) = state.services.citizen_notices.template(&user.principal, AgencyId(id), &kind).await?;
    Ok(render(&edit_page(&user, &agency, &t, may_edit, FormErrors::default())))
}

/// `POST /admin/agencies/{id}/citizen-notices/{notice}`
pub async fn save(
    State(state): State<AppState>,
    user: PageUser,
    Meta(meta): Meta,
    PagePath((id, kind)): PagePath<(i64, String)>,
    f: FormPairs,
) -> PageResult {
    let (subject, body) = (f.text("subject"), f.text("body"));
    let version = f.opt("version").and_then(|v| v.parse::<i64>().ok());
    let notices = &state.services.citizen_notices;
    let result = notices.save_template(&user.principal, AgencyId(id), &kind, &subject, &body, version, &meta).await;
    redirect_or_form(
        result,
        |_| format!("/admin/agencies/{id}/citizen-notices?msg=notice_template_saved"),
        async |errors| {
            let (agency, current, may_edit) = notices.template(&user.principal, AgencyId(id), &kind).await?;
            // Keep what was typed, with the version the editor started from.
            let mut typed = NoticeTemplate { subject: subject.clone(), body: body.clone(), ..current };
            if let (Some(v), TemplateSource::Own { version, .. }) = (version, &mut typed.source) {
                *version = v;
            }
            Ok::<_, crate::error::HttpError>(edit_page(&user, &agency, &typed, may_edit, errors))
        },
    )
    .await
}

/// `POST /admin/agencies/{id}/citizen-notices/{notice}/reset`
pub async fn reset(
    State(state): State<AppState>,
    user: PageUser,
    Meta(meta): Meta,
    PagePath((id, kind)): PagePath<(i64, String)>,
    f: FormPairs,
) -> PageResult {
    let notices = &state.services.citizen_notices;
    let result = notices.reset_template(&user.principal, AgencyId(id), &kind, f.int("version"), &meta).await;
    redirect_or_form(
        result,
        |()| format!("/admin/agencies/{id}/citizen-notices?msg=notice_template_reset"),
        async |errors| {
            let (agency, current, may_edit) = notices.template(&user.principal, AgencyId(id), &kind).await?;
            Ok::<_, crate::error::HttpError>(edit_page(&user, &agency, &current, may_edit, errors))
        },
    )
    .await
}
