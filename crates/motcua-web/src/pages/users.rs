//! Administration of officials' accounts and grants.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::Response;
use motcua_app::accounts::{GrantInput, UserInput};
use motcua_domain::account::{Grant, Role, UserId};
use motcua_domain::agency::Agency;
use motcua_domain::policy::{Permission, Target, authorize, scopes};
use motcua_domain::time::format_datetime;
use serde::Deserialize;

use super::{Choice, FormErrors, Layout, agency_choices, role_choices};
use crate::auth::PageUser;
use crate::context::Meta;
use crate::error::HttpError;
use crate::respond::{FormPairs, PagePath, PageResult, form_error, redirect_or_form, render, render_form_error};
use crate::state::AppState;

pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub full_name: String,
    pub unit: String,
    pub last_login: String,
    pub active: bool,
    pub locked: bool,
}

#[derive(Template)]
#[template(path = "admin/users.html")]
struct IndexPage {
    layout: Layout,
    rows: Vec<UserRow>,
    q: String,
    include_inactive: bool,
    can_manage: bool,
}

#[derive(Deserialize)]
pub struct IndexQuery {
    q: Option<String>,
    inactive: Option<String>,
    msg: Option<String>,
}

fn unit_name(agencies: &[Agency], id: motcua_domain::agency::AgencyId) -> String {
    agencies.iter().find(|a| a.id == id).map(|a| a.name.clone()).unwrap_or_else(|| format!("#{id}"))
}

pub async fn index(State(state): State<AppState>, user: PageUser, Query(q): Query<IndexQuery>) -> PageResult {
    let include_inactive = q.inactive.is_some();
    let users = state.services.accounts.list_users(&user.principal, q.q.as_deref(), include_inactive).await?;
    let agencies = state.services.agencies.list_agencies(&user.principal, true).await?;
    let now = state.services.now();
    let rows = users
        .into_iter()
        .map(|u| UserRow {
            id: u.id.0,
            unit: unit_name(&agencies, u.agency_id),
            last_login: u.last_login_at.map(format_datetime).unwrap_or_else(|| "Chưa đăng nhập".into()),
            locked: u.locked_until.is_some_and(|t| t > now),
            username: u.username.to_string(),
            full_name: u.full_name,
            active: u.active,
        })
        .collect();
    Ok(render(&IndexPage {
        layout: Layout::new("Tài khoản cán bộ", Some(&user)).with_flash(q.msg.as_deref()),
        rows,
        q: q.q.unwrap_or_default(),
        include_inactive,
        can_manage: !scopes(&user.principal, Permission::ManageUsers).is_empty(),
    }))
}

#[derive(Default)]
pub struct UserForm {
    pub username: String,
    pub full_name: String,
    pub title: String,
    pub email: String,
    pub phone: String,
    pub agency_id: Option<i64>,
    pub active: bool,
}

impl UserForm {
    fn from_form(f: &FormPairs) -> Self {
        Self {
            username: f.text("username"),
            full_name: f.text("full_name"),
            title: f.text("title"),
            email: f.text("email"),
            phone: f.text("phone"),
            agency_id: f.get("agency_id").and_then(|v| v.parse().ok()),
            active: f.checked("active"),
        }
    }

    fn input(&self, active: bool) -> UserInput {
        let opt = |s: &str| (!s.trim().is_empty()).then(|| s.to_owned());
        UserInput {
            username: self.username.clone(),
            full_name: self.full_name.clone(),
            email: opt(&self.email),
            phone: opt(&self.phone),
            title: opt(&self.title),
            agency_id: self.agency_id.unwrap_or(0),
            active,
        }
    }
}

pub struct GrantRow {
    pub roles: Vec<Choice>,
    pub agencies: Vec<Choice>,
}

/// Grant rows from the repeated `role` / `grant_agency_id` fields; blank rows are dropped.
fn grants_from_form(f: &FormPairs) -> Vec<GrantInput> {
    f.all("role")
        .into_iter()
        .zip(f.all("grant_agency_id"))
        .filter(|(r, _)| !r.is_empty())
        .map(|(r, a)| GrantInput { role: r.to_owned(), agency_id: a.parse().unwrap_or(0) })
        .collect()
}

/// The rows of the grant editor: current grants first, then empty rows to add more.
fn grant_rows(current: &[(Option<Role>, Option<i64>)], grantable: &[Agency]) -> Vec<GrantRow> {
    current
        .iter()
        .copied()
        .chain(std::iter::repeat_n((None, None), 3))
        .map(|(role, agency)| GrantRow { roles: role_choices(role), agencies: agency_choices(grantable, agency) })
        .collect()
}

fn grant_pairs(inputs: &[GrantInput]) -> Vec<(Option<Role>, Option<i64>)> {
    inputs.iter().map(|g| (Role::parse("role", &g.role).ok(), Some(g.agency_id))).collect()
}

#[derive(Template)]
#[template(path = "admin/user_new.html")]
struct NewPage {
    layout: Layout,
    form: UserForm,
    units: Vec<Choice>,
    grant_rows: Vec<GrantRow>,
    errors: FormErrors,
    other_errors: Vec<String>,
}

const USER_FIELDS: &[&str] = &["username", "full_name", "title", "email", "phone", "agency_id", "active"];

async fn new_page(
    state: &AppState,
    user: &PageUser,
    form: UserForm,
    grants: &[GrantInput],
    errors: FormErrors,
) -> Result<NewPage, HttpError> {
    let manageable = state.services.accounts.manageable_units(&user.principal).await?;
    Ok(NewPage {
        layout: Layout::new("Thêm tài khoản", Some(user)),
        units: agency_choices(&manageable, form.agency_id),
        grant_rows: grant_rows(&grant_pairs(grants), &manageable),
        other_errors: errors.other(USER_FIELDS),
        form,
        errors,
    })
}

pub async fn new_form(State(state): State<AppState>, user: PageUser) -> PageResult {
    if scopes(&user.principal, Permission::ManageUsers).is_empty() {
        return Err(HttpError::forbidden().into());
    }
    Ok(render(
        &new_page(&state, &user, UserForm { active: true, ..UserForm::default() }, &[], FormErrors::default()).await?,
    ))
}

#[derive(Template)]
#[template(path = "admin/user_password.html")]
struct PasswordPage {
    layout: Layout,
    id: i64,
    username: String,
    password: String,
}

fn one_time_password_page(user: &PageUser, id: UserId, username: String, password: String) -> Response {
    let mut resp = render(&PasswordPage {
        layout: Layout::new("Mật khẩu dùng một lần", Some(user)),
        id: id.0,
        username,
        password,
    });
    resp.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    resp
}

pub async fn create(State(state): State<AppState>, user: PageUser, Meta(meta): Meta, f: FormPairs) -> PageResult {
    let form = UserForm::from_form(&f);
    let grants = grants_from_form(&f);
    match state.services.accounts.create_user(&user.principal, &form.input(true), &grants, &meta).await {
        Ok((created, password)) => {
            Ok(one_time_password_page(&user, created.id, created.username.to_string(), password))
        }
        Err(e) => {
            let e = form_error(e)?;
            let page = new_page(&state, &user, form, &grants, FormErrors::from_http(&e)).await?;
            Ok(render_form_error(e, &page))
        }
    }
}

#[derive(Template)]
#[template(path = "admin/user.html")]
struct ShowPage {
    layout: Layout,
    id: i64,
    version: i64,
    username: String,
    full_name: String,
    active: bool,
    locked: String,
    last_login: String,
    created: String,
    grants: Vec<String>,
    can_manage: bool,
    is_self: bool,
    form: UserForm,
    units: Vec<Choice>,
    grant_rows: Vec<GrantRow>,
    errors: FormErrors,
    other_errors: Vec<String>,
}

#[derive(Deserialize)]
pub struct Msg {
    msg: Option<String>,
}

async fn show_page(
    state: &AppState,
    user: &PageUser,
    id: UserId,
    form: Option<UserForm>,
    edited_grants: Option<&[GrantInput]>,
    errors: FormErrors,
) -> Result<ShowPage, HttpError> {
    let detail = state.services.accounts.get_user(&user.principal, id).await?;
    let agencies = state.services.agencies.list_agencies(&user.principal, true).await?;
    let unit = state.services.snapshot().await?.agency(detail.user.agency_id).await?;
    let can_manage =
        unit.is_some_and(|u| authorize(&user.principal, Permission::ManageUsers, Target::Agency(&u.path)).is_ok());
    let manageable = if can_manage { state.services.accounts.manageable_units(&user.principal).await? } else { vec![] };
    let u = &detail.user;
    let now = state.services.now();
    let describe = |g: &Grant| format!("{} — {}", g.role.label_vi(), unit_name(&agencies, g.agency_id));
    // Grants the editor may change are editable rows; the rest stay as they are.
    let editable: Vec<(Option<Role>, Option<i64>)> = match edited_grants {
        Some(g) => grant_pairs(g),
        None => detail
            .grants
            .iter()
            .filter(|g| manageable.iter().any(|a| a.id == g.agency_id))
            .map(|g| (Some(g.role), Some(g.agency_id.0)))
            .collect(),
    };
    let form = form.unwrap_or(UserForm {
        username: u.username.to_string(),
        full_name: u.full_name.clone(),
        title: u.title.clone().unwrap_or_default(),
        email: u.email.clone().unwrap_or_default(),
        phone: u.phone.clone().unwrap_or_default(),
        agency_id: Some(u.agency_id.0),
        active: u.active,
    });
    Ok(ShowPage {
        layout: Layout::new(u.full_name.clone(), Some(user)),
        id: u.id.0,
        version: u.version,
        username: u.username.to_string(),
        full_name: u.full_name.clone(),
        active: u.active,
        locked: u.locked_until.filter(|t| *t > now).map(format_datetime).unwrap_or_default(),
        last_login: u.last_login_at.map(format_datetime).unwrap_or_else(|| "Chưa đăng nhập".into()),
        created: format_datetime(u.created_at),
        grants: detail.grants.iter().map(describe).collect(),
        can_manage,
        is_self: u.id == user.principal.user_id,
        units: agency_choices(&manageable, form.agency_id),
        grant_rows: grant_rows(&editable, &manageable),
        other_errors: errors.other(USER_FIELDS),
        form,
        errors,
    })
}

pub async fn show(
    State(state): State<AppState>,
    user: PageUser,
    PagePath(id): PagePath<i64>,
    Query(q): Query<Msg>,
) -> PageResult {
    let mut page = show_page(&state, &user, UserId(id), None, None, FormErrors::default()).await?;
    page.layout = page.layout.with_flash(q.msg.as_deref());
    Ok(render(&page))
}

pub async fn update(
    State(state): State<AppState>,
    user: PageUser,
    Meta(meta): Meta,
    PagePath(id): PagePath<i64>,
    f: FormPairs,
) -> PageResult {
    let form = UserForm::from_form(&f);
    let version = f.int("version");
    let result = state
        .services
        .accounts
        .update_user(&user.principal, UserId(id), version, &form.input(form.active), &meta)
        .await;
    redirect_or_form(
        result,
        |_| format!("/admin/users/{id}?msg=user_saved"),
        async |errors| show_page(&state, &user, UserId(id), Some(form), None, errors).await,
    )
    .await
}

pub async fn set_grants(
    State(state): State<AppState>,
    user: PageUser,
    Meta(meta): Meta,
    PagePath(id): PagePath<i64>,
    f: FormPairs,
) -> PageResult {
    let grants = grants_from_form(&f);
    let result = state.services.accounts.set_user_grants(&user.principal, UserId(id), &grants, &meta).await;
    redirect_or_form(
        result,
        |_| format!("/admin/users/{id}?msg=grants_saved"),
        async |errors| show_page(&state, &user, UserId(id), None, Some(&grants), errors).await,
    )
    .await
}

pub async fn reset_password(
    State(state): State<AppState>,
    user: PageUser,
    Meta(meta): Meta,
    PagePath(id): PagePath<i64>,
) -> PageResult {
    let password = state.services.accounts.reset_user_password(&user.principal, UserId(id), &meta).await?;
    let detail = state.services.accounts.get_user(&user.principal, UserId(id)).await?;
    Ok(one_time_password_page(&user, UserId(id), detail.user.username.to_string(), password))
}
