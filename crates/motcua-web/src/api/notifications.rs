//! Notifications over the API: the caller's own list, marking read, the templates
//! administrators edit, and a test message to check the mail settings.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use motcua_app::notifications::NotificationTemplate;
use motcua_app::ports::NotificationRecord;
use motcua_domain::time::rfc3339_vn;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::calendar::VersionQuery;
use crate::auth::ApiUser;
use crate::context::Meta;
use crate::error::{ApiResult, ErrorBody};
use crate::respond::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationDto {
    pub id: i64,
    /// `step_due_soon`, `step_overdue` or `appointment_near`.
    pub kind: String,
    pub kind_label: String,
    pub subject: String,
    pub body: String,
    /// Path of what the notification is about (e.g. `/ho-so/H99.301-261123-0001`).
    pub link: String,
    pub created_at: String,
    pub read_at: Option<String>,
    /// When the e-mail went out (absent: not mailed, or not yet).
    pub mailed_at: Option<String>,
}

impl From<&NotificationRecord> for NotificationDto {
    fn from(n: &NotificationRecord) -> Self {
        Self {
            id: n.id,
            kind: n.kind.clone(),
            kind_label: motcua_app::notifications::kind_label_vi(&n.kind).to_owned(),
            subject: n.subject.clone(),
            body: n.body.clone(),
            link: n.link.clone(),
            created_at: rfc3339_vn(n.created_at),
            read_at: n.read_at.map(rfc3339_vn),
            mailed_at: n.mailed_at.map(rfc3339_vn),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationList {
    pub items: Vec<NotificationDto>,
    /// The caller's unread notifications in all.
    pub unread: i64,
    pub next_before: Option<i64>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only unread ones.
    pub unread: Option<bool>,
    /// Only notifications with a smaller id (keyset pagination).
    pub before: Option<i64>,
    /// 1–200, default 50.
    pub limit: Option<i64>,
}

/// The caller's own notifications, newest first.
#[utoipa::path(get, path = "/api/v1/notifications", tag = "notifications", params(ListQuery), security(("bearer" = [])),
    responses((status = 200, body = NotificationList), (status = 401, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<NotificationList>> {
    let page = state.services.notifications.my_notifications(&p, q.unread.unwrap_or(false), q.before, q.limit).await?;
    Ok(Json(NotificationList {
        items: page.items.iter().map(NotificationDto::from).collect(),
        unread: page.unread,
        next_before: page.next_before,
    }))
}

/// Marks one of the caller's notifications read (someone else's is 404).
#[utoipa::path(post, path = "/api/v1/notifications/{id}/read", tag = "notifications", params(("id" = i64, Path)),
    security(("bearer" = [])), responses((status = 200, body = NotificationDto), (status = 404, body = ErrorBody)))]
pub async fn read(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<NotificationDto>> {
    Ok(Json(NotificationDto::from(&state.services.notifications.read_notification(&p, id).await?)))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReadAll {
    /// How many were unread.
    pub marked: u64,
}

/// Marks all the caller's notifications read.
#[utoipa::path(post, path = "/api/v1/notifications/read-all", tag = "notifications", security(("bearer" = [])),
    responses((status = 200, body = ReadAll)))]
pub async fn read_all(State(state): State<AppState>, ApiUser(p): ApiUser) -> ApiResult<Json<ReadAll>> {
    Ok(Json(ReadAll { marked: state.services.notifications.read_all_notifications(&p).await? }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TemplateDto {
    pub kind: String,
    pub label: String,
    pub subject: String,
    pub body: String,
    /// Absent: the built-in wording (create by PUT without `version`).
    pub version: Option<i64>,
    pub updated_by: Option<String>,
    pub updated_at: Option<String>,
}

impl From<&NotificationTemplate> for TemplateDto {
    fn from(t: &NotificationTemplate) -> Self {
        Self {
            kind: t.kind.as_str().to_owned(),
            label: t.kind.label_vi().to_owned(),
            subject: t.subject.clone(),
            body: t.body.clone(),
            version: t.version,
            updated_by: t.updated_by.clone(),
            updated_at: t.updated_at.map(rfc3339_vn),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TemplateList {
    pub items: Vec<TemplateDto>,
    /// Variables templates may use: `{{ code }}`, `{{ link }}`…, with their meaning.
    pub variables: Vec<(String, String)>,
    /// Whether e-mail is configured (`mail.smtp_url`).
    pub mail_enabled: bool,
}

/// The wording of each notification kind (province administrators).
#[utoipa::path(get, path = "/api/v1/notification-templates", tag = "notifications", security(("bearer" = [])),
    responses((status = 200, body = TemplateList), (status = 403, body = ErrorBody)))]
pub async fn templates(State(state): State<AppState>, ApiUser(p): ApiUser) -> ApiResult<Json<TemplateList>> {
    let items = state.services.notifications.notification_templates(&p).await?;
    Ok(Json(TemplateList {
        items: items.iter().map(TemplateDto::from).collect(),
        variables: motcua_app::notifications::VARIABLES
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        mail_enabled: state.services.notifications.mail_enabled(),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct TemplateInput {
    /// One line; MiniJinja syntax (`{{ code }}`).
    pub subject: String,
    pub body: String,
    /// The version edited; absent when replacing the built-in wording.
    pub version: Option<i64>,
}

/// Replaces a kind's wording. The template must render with the known variables; an unknown
/// variable or a syntax error is a 422 naming the field and line.
#[utoipa::path(put, path = "/api/v1/notification-templates/{kind}", tag = "notifications", params(("kind" = String, Path)),
    request_body = TemplateInput, security(("bearer" = [])),
    responses((status = 200, body = TemplateDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_template(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Meta(meta): Meta,
    ApiPath(kind): ApiPath<String>,
    ApiJson(input): ApiJson<TemplateInput>,
) -> ApiResult<Json<TemplateDto>> {
    let t = state
        .services
        .notifications
        .save_notification_template(&p, &kind, &input.subject, &input.body, input.version, &meta)
        .await?;
    Ok(Json(TemplateDto::from(&t)))
}

/// Goes back to the built-in wording.
#[utoipa::path(delete, path = "/api/v1/notification-templates/{kind}", tag = "notifications",
    params(("kind" = String, Path), VersionQuery), security(("bearer" = [])),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn delete_template(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Meta(meta): Meta,
    ApiPath(kind): ApiPath<String>,
    ApiQuery(q): ApiQuery<VersionQuery>,
) -> ApiResult<StatusCode> {
    state.services.notifications.reset_notification_template(&p, &kind, q.version, &meta).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MailTestResult {
    pub sent_to: String,
}

/// Sends a test message to the caller's own address now (province administrators).
#[utoipa::path(post, path = "/api/v1/mail/test", tag = "notifications", security(("bearer" = [])),
    responses((status = 200, body = MailTestResult), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn mail_test(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Meta(meta): Meta,
) -> ApiResult<Json<MailTestResult>> {
    Ok(Json(MailTestResult { sent_to: state.services.notifications.send_test_mail(&p, &meta).await? }))
}

/// The wording of one kind of notice to citizens at an agency, and whose words it is.
#[derive(Debug, Serialize, ToSchema)]
pub struct NoticeTemplateDto {
    /// `petition_received`, `dossier_result_ready`, …
    pub kind: String,
    pub label: String,
    pub subject: String,
    /// The SMS/Zalo message is its first paragraph.
    pub body: String,
    /// `built_in`, `inherited` (from `inherited_from`) or `own` (with `version`).
    pub source: String,
    pub inherited_from: Option<String>,
    /// The agency's own version: send it back to replace or remove its wording.
    pub version: Option<i64>,
    pub updated_by: Option<String>,
    pub updated_at: Option<String>,
}

impl From<&motcua_app::notices::NoticeTemplate> for NoticeTemplateDto {
    fn from(t: &motcua_app::notices::NoticeTemplate) -> Self {
        use motcua_app::notices::TemplateSource as S;
        let (source, inherited_from, updated_by, updated_at) = match &t.source {
            S::BuiltIn => ("built_in", None, None, None),
            S::Inherited { agency, .. } => ("inherited", Some(agency.clone()), None, None),
            S::Own { updated_by, updated_at, .. } => {
                ("own", None, Some(updated_by.clone()), Some(motcua_domain::time::rfc3339_vn(*updated_at)))
            }
        };
        Self {
            kind: t.kind.as_str().to_owned(),
            label: t.kind.label().to_owned(),
            subject: t.subject.clone(),
            body: t.body.clone(),
            source: source.to_owned(),
            inherited_from,
            version: t.own_version(),
            updated_by,
            updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NoticeTemplateList {
    pub items: Vec<NoticeTemplateDto>,
    /// The variables a wording may use, with their meaning.
    pub variables: Vec<(String, String)>,
    /// Whether the caller may change this agency's wording.
    pub may_edit: bool,
}

/// The wording of every notice to citizens at an agency the caller sees: its own, else its
/// nearest ancestor's, else the built-in wording.
#[utoipa::path(get, path = "/api/v1/agencies/{id}/citizen-notice-templates", tag = "notifications",
    params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = NoticeTemplateList), (status = 404, body = ErrorBody)))]
pub async fn notice_templates(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<NoticeTemplateList>> {
    let (_, items, may_edit) =
        state.services.citizen_notices.templates(&p, motcua_domain::agency::AgencyId(id)).await?;
    Ok(Json(NoticeTemplateList {
        items: items.iter().map(NoticeTemplateDto::from).collect(),
        variables: motcua_app::notices::NOTICE_VARIABLES
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        may_edit,
    }))
}

/// Sets the agency's own wording of a kind (its administrators), for it and the agencies under
/// it without their own. Unknown variables or a syntax error: 422 naming the field and line.
#[utoipa::path(put, path = "/api/v1/agencies/{id}/citizen-notice-templates/{notice}", tag = "notifications",
    params(("id" = i64, Path), ("notice" = String, Path)), request_body = TemplateInput, security(("bearer" = [])),
    responses((status = 200, body = NoticeTemplateDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_notice_template(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Meta(meta): Meta,
    ApiPath((id, kind)): ApiPath<(i64, String)>,
    ApiJson(input): ApiJson<TemplateInput>,
) -> ApiResult<Json<NoticeTemplateDto>> {
    let agency = motcua_domain::agency::AgencyId(id);
    let t = state
        .services
        .citizen_notices
        .save_template(&p, agency, &kind, &input.subject, &input.body, input.version, &meta)
        .await?;
    Ok(Json(NoticeTemplateDto::from(&t)))
}

/// Removes the agency's own wording of a kind: it speaks again with what it inherits.
#[utoipa::path(delete, path = "/api/v1/agencies/{id}/citizen-notice-templates/{notice}", tag = "notifications",
    params(("id" = i64, Path), ("notice" = String, Path), VersionQuery), security(("bearer" = [])),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)))]
pub async fn delete_notice_template(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Meta(meta): Meta,
    ApiPath((id, kind)): ApiPath<(i64, String)>,
    ApiQuery(q): ApiQuery<VersionQuery>,
) -> ApiResult<StatusCode> {
    let agency = motcua_domain::agency::AgencyId(id);
    state.services.citizen_notices.reset_template(&p, agency, &kind, q.version, &meta).await?;
    Ok(StatusCode::NO_CONTENT)
}
