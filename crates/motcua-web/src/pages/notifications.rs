//! Each official's notification list, and the notification wording for administrators.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect};
use motcua_app::notifications::{NotificationTemplate, TemplateContext, VARIABLES, templates};
use motcua_domain::time::format_datetime;
use serde::Deserialize;

use super::{FormErrors, Layout};
use crate::auth::PageUser;
use crate::context::Meta;
use crate::respond::{FormPairs, PagePath, PageResult, redirect_or_form, render};
use crate::state::AppState;

pub struct NoticeRow {
    pub id: i64,
    pub kind: &'static str,
    pub subject: String,
    pub body: String,
    pub created: String,
    pub unread: bool,
    pub mailed: String,
}

#[derive(Template)]
#[template(path = "notifications.html")]
struct ListPage {
    layout: Layout,
    rows: Vec<NoticeRow>,
    unread_only: bool,
    unread: i64,
    next_before: Option<i64>,
}

#[derive(Deserialize)]
pub struct ListQuery {
    unread: Option<String>,
    before: Option<i64>,
    msg: Option<String>,
}

pub async fn index(State(state): State<AppState>, user: PageUser, Query(q): Query<ListQuery>) -> PageResult {
    let unread_only = q.unread.as_deref().is_some_and(|v| v == "1");
    let page = state.services.notifications.my_notifications(&user.principal, unread_only, q.before, Some(50)).await?;
    let rows = page
        .items
        .iter()
        .map(|n| NoticeRow {
            id: n.id,
            kind: motcua_app::notifications::kind_label_vi(&n.kind),
            subject: n.subject.clone(),
            body: n.body.clone(),
            created: format_datetime(n.created_at),
            unread: n.read_at.is_none(),
            mailed: match (&n.mailed_to, n.mailed_at) {
                (Some(to), Some(at)) => format!("Đã gửi thư tới {to} lúc {}", format_datetime(at)),
                _ => String::new(),
            },
        })
        .collect();
    Ok(render(&ListPage {
        layout: Layout::new("Thông báo", Some(&user)).with_flash(q.msg.as_deref()),
        rows,
        unread_only,
        unread: page.unread,
        next_before: page.next_before,
    }))
}

/// Opens a notification: marks it read and goes to what it is about.
pub async fn open(State(state): State<AppState>, user: PageUser, PagePath(id): PagePath<i64>) -> PageResult {
    let n = state.services.notifications.read_notification(&user.principal, id).await?;
    let to = crate::auth::safe_next(Some(n.link.as_str())).unwrap_or_else(|| "/thong-bao".to_owned());
    Ok(Redirect::to(&to).into_response())
}

pub async fn read_all(State(state): State<AppState>, user: PageUser) -> PageResult {
    state.services.notifications.read_all_notifications(&user.principal).await?;
    Ok(Redirect::to("/thong-bao?msg=notifications_read").into_response())
}

// ----- templates (administrators) -----------------------------------------------------------

pub struct TemplateRow {
    pub kind: &'static str,
    pub label: &'static str,
    pub subject: String,
    pub state: String,
}

#[derive(Template)]
#[template(path = "admin/notification_templates.html")]
struct TemplatesPage {
    layout: Layout,
    rows: Vec<TemplateRow>,
    mail_enabled: bool,
    test_result: Option<String>,
    test_error: Option<String>,
}

#[derive(Deserialize)]
pub struct TemplatesQuery {
    msg: Option<String>,
}

async fn templates_page(
    state: &AppState,
    user: &PageUser,
    msg: Option<&str>,
    test_result: Option<String>,
    test_error: Option<String>,
) -> Result<TemplatesPage, crate::error::HttpError> {
    let list = state.services.notifications.notification_templates(&user.principal).await?;
    Ok(TemplatesPage {
        layout: Layout::new("Mẫu thông báo", Some(user)).with_flash(msg),
        rows: list
            .iter()
            .map(|t| TemplateRow {
                kind: t.kind.as_str(),
                label: t.kind.label_vi(),
                subject: t.subject.clone(),
                state: match (&t.updated_by, t.updated_at) {
                    (Some(by), Some(at)) => format!(
                        "Đã sửa (phiên bản {}) bởi {by} lúc {}",
                        t.version.unwrap_or_default(),
                        format_datetime(at)
                    ),
                    _ => "Mẫu mặc định".to_owned(),
                },
            })
            .collect(),
        mail_enabled: state.services.notifications.mail_enabled(),
        test_result,
        test_error,
    })
}

pub async fn templates_index(
    State(state): State<AppState>,
    user: PageUser,
    Query(q): Query<TemplatesQuery>,
) -> PageResult {
    Ok(render(&templates_page(&state, &user, q.msg.as_deref(), None, None).await?))
}

/// Sends a test message to the administrator's own address and shows what happened.
pub async fn mail_test(State(state): State<AppState>, user: PageUser, Meta(meta): Meta) -> PageResult {
    let (ok, err) = match state.services.notifications.send_test_mail(&user.principal, &meta).await {
        Ok(to) => (Some(format!("Đã gửi thư thử tới {to}.")), None),
        Err(e) => {
            let e = crate::respond::form_error(e)?;
            if e.status.as_u16() == 403 {
                return Err(e.into());
            }
            (None, Some(e.message))
        }
    };
    Ok(render(&templates_page(&state, &user, None, ok, err).await?))
}

#[derive(Template)]
#[template(path = "admin/notification_template.html")]
struct EditPage {
    layout: Layout,
    kind: &'static str,
    label: &'static str,
    subject: String,
    body: String,
    version: Option<i64>,
    variables: &'static [(&'static str, &'static str)],
    preview_subject: String,
    preview_body: String,
    errors: FormErrors,
}

fn edit_page(user: &PageUser, t: &NotificationTemplate, errors: FormErrors) -> EditPage {
    let preview = templates::render(&t.subject, &t.body, &TemplateContext::sample()).ok();
    EditPage {
        layout: Layout::new(format!("Mẫu thông báo: {}", t.kind.label_vi()), Some(user)),
        kind: t.kind.as_str(),
        label: t.kind.label_vi(),
        subject: t.subject.clone(),
        body: t.body.clone(),
        version: t.version,
        variables: VARIABLES,
        preview_subject: preview.as_ref().map(|p| p.subject.clone()).unwrap_or_default(),
        preview_body: preview.map(|p| p.body).unwrap_or_default(),
        errors,
    }
}

pub async fn template_form(
    State(state): State<AppState>,
    user: PageUser,
    PagePath(kind): PagePath<String>,
) -> PageResult {
    let t = state.services.notifications.notification_template(&user.principal, &kind).await?;
    Ok(render(&edit_page(&user, &t, FormErrors::default())))
}

pub async fn template_save(
    State(state): State<AppState>,
    user: PageUser,
    Meta(meta): Meta,
    PagePath(kind): PagePath<String>,
    f: FormPairs,
) -> PageResult {
    let subject = f.text("subject");
    let body = f.text("body");
    let version = f.opt("version").and_then(|v| v.parse::<i64>().ok());
    let result = state
        .services
        .notifications
        .save_notification_template(&user.principal, &kind, &subject, &body, version, &meta)
        .await;
    redirect_or_form(
        result,
        |_| "/admin/notification-templates?msg=template_saved".to_owned(),
        async |errors| {
            let current = state.services.notifications.notification_template(&user.principal, &kind).await?;
            // Keep what was typed, with the version the editor started from.
            let typed = NotificationTemplate { subject: subject.clone(), body: body.clone(), version, ..current };
            Ok::<_, crate::error::HttpError>(edit_page(&user, &typed, errors))
        },
    )
    .await
}

pub async fn template_reset(
    State(state): State<AppState>,
    user: PageUser,
    Meta(meta): Meta,
    PagePath(kind): PagePath<String>,
    f: FormPairs,
) -> PageResult {
    let result =
        state.services.notifications.reset_notification_template(&user.principal, &kind, f.int("version"), &meta).await;
    redirect_or_form(
        result,
        |()| "/admin/notification-templates?msg=template_reset".to_owned(),
        async |errors| {
            let current = state.services.notifications.notification_template(&user.principal, &kind).await?;
            Ok::<_, crate::error::HttpError>(edit_page(&user, &current, errors))
        },
    )
    .await
}
