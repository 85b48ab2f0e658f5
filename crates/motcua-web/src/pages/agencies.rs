//! Administration of the agency tree.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect};
use motcua_app::agencies::{ActivationInput, AgencyInput, build_tree, flatten_tree};
use motcua_domain::agency::{Agency, AgencyCodeShape, AgencyId, AgencyLevel};
use motcua_domain::policy::{Permission, Target, authorize, scopes};
use motcua_domain::time::{format_date, format_datetime};
use serde::Deserialize;

use super::{Choice, FormErrors, Layout, agency_choices};
use crate::auth::PageUser;
use crate::context::Meta;
use crate::error::HttpError;
use crate::respond::{FormPairs, PagePath, PageResult, form_error, redirect_or_form, render, render_form_error};
use crate::state::AppState;

pub struct AgencyRow {
    pub id: i64,
    pub depth: usize,
    pub name: String,
    pub code: String,
    pub level: &'static str,
    pub validity: String,
    pub active: bool,
}

pub(crate) fn validity(a: &Agency) -> String {
    match (a.valid_from, a.valid_to) {
        (None, None) => "—".into(),
        (Some(f), None) => format!("từ {}", format_date(f)),
        (None, Some(t)) => format!("đến {}", format_date(t)),
        (Some(f), Some(t)) => format!("{} – {}", format_date(f), format_date(t)),
    }
}

#[derive(Template)]
#[template(path = "admin/agencies.html")]
struct IndexPage {
    layout: Layout,
    rows: Vec<AgencyRow>,
    include_inactive: bool,
    can_manage: bool,
}

#[derive(Deserialize)]
pub struct IndexQuery {
    inactive: Option<String>,
    msg: Option<String>,
}

pub async fn index(State(state): State<AppState>, user: PageUser, Query(q): Query<IndexQuery>) -> PageResult {
    let include_inactive = q.inactive.is_some();
    let list = state.services.agencies.list_agencies(&user.principal, include_inactive).await?;
    let rows = flatten_tree(&build_tree(list))
        .into_iter()
        .map(|(depth, a)| AgencyRow {
            id: a.id.0,
            depth: depth.min(8),
            name: a.name.clone(),
            code: a.code.to_string(),
            level: a.level.label_vi(),
            validity: validity(a),
            active: a.active,
        })
        .collect();
    Ok(render(&IndexPage {
        layout: Layout::new("Cơ quan, đơn vị", Some(&user)).with_flash(q.msg.as_deref()),
        rows,
        include_inactive,
        can_manage: !scopes(&user.principal, Permission::ManageAgencies).is_empty(),
    }))
}

/// Values shown in the form (as typed, so a rejected form comes back as it was).
#[derive(Default)]
pub struct FormData {
    pub version: i64,
    pub parent_id: Option<i64>,
    pub code: String,
    pub name: String,
    pub short_name: String,
    pub level: String,
    pub valid_from: String,
    pub valid_to: String,
    pub effective_date: String,
    pub reason: String,
}

impl FormData {
    fn from_form(f: &FormPairs) -> Self {
        Self {
            version: f.int("version"),
            parent_id: f.get("parent_id").and_then(|v| v.parse().ok()),
            code: f.text("code"),
            name: f.text("name"),
            short_name: f.text("short_name"),
            level: f.text("level"),
            valid_from: f.text("valid_from"),
            valid_to: f.text("valid_to"),
            effective_date: f.text("effective_date"),
            reason: f.text("reason"),
        }
    }

    fn from_agency(a: &Agency) -> Self {
        Self {
            version: a.version,
            parent_id: a.parent_id.map(|p| p.0),
            code: a.code.to_string(),
            name: a.name.clone(),
            short_name: a.short_name.clone().unwrap_or_default(),
            level: a.level.as_str().to_owned(),
            valid_from: a.valid_from.map(|d| d.to_string()).unwrap_or_default(),
            valid_to: a.valid_to.map(|d| d.to_string()).unwrap_or_default(),
            effective_date: String::new(),
            reason: String::new(),
        }
    }

    fn input(&self) -> AgencyInput {
        let opt = |s: &str| (!s.trim().is_empty()).then(|| s.to_owned());
        AgencyInput {
            parent_id: self.parent_id,
            code: self.code.clone(),
            name: self.name.clone(),
            short_name: opt(&self.short_name),
            level: self.level.clone(),
            valid_from: opt(&self.valid_from),
            valid_to: opt(&self.valid_to),
            effective_date: opt(&self.effective_date),
            reason: opt(&self.reason),
        }
    }
}

#[derive(Template)]
#[template(path = "admin/agency_form.html")]
struct FormPage {
    layout: Layout,
    action: String,
    cancel: String,
    is_root: bool,
    parents: Vec<Choice>,
    levels: Vec<Choice>,
    form: FormData,
    errors: FormErrors,
}

async fn form_page(
    state: &AppState,
    user: &PageUser,
    editing: Option<&Agency>,
    form: FormData,
    errors: FormErrors,
) -> Result<FormPage, HttpError> {
    let mut parents = state.services.agencies.manageable_agencies(&user.principal).await?;
    if let Some(a) = editing {
        // An agency cannot move under itself or its own units.
        parents.retain(|p| !a.path.contains(&p.path));
    }
    let is_root = editing.is_some_and(|a| a.parent_id.is_none());
    let levels = AgencyLevel::ALL
        .iter()
        .filter(|l| is_root == (**l == AgencyLevel::Province))
        .map(|l| Choice {
            value: l.as_str().to_owned(),
            label: l.label_vi().to_owned(),
            selected: form.level == l.as_str(),
        })
        .collect();
    let (title, action, cancel) = match editing {
        Some(a) => {
            (format!("Sửa: {}", a.name), format!("/admin/agencies/{}", a.id), format!("/admin/agencies/{}", a.id))
        }
        None => ("Thêm cơ quan, đơn vị".to_owned(), "/admin/agencies".to_owned(), "/admin/agencies".to_owned()),
    };
    Ok(FormPage {
        layout: Layout::new(title, Some(user)),
        action,
        cancel,
        is_root,
        parents: agency_choices(&parents, form.parent_id),
        levels,
        form,
        errors,
    })
}

#[derive(Deserialize)]
pub struct NewQuery {
    parent: Option<i64>,
}

pub async fn new_form(State(state): State<AppState>, user: PageUser, Query(q): Query<NewQuery>) -> PageResult {
    if scopes(&user.principal, Permission::ManageAgencies).is_empty() {
        return Err(HttpError::forbidden().into());
    }
    let form =
        FormData { parent_id: q.parent, level: AgencyLevel::Department.as_str().to_owned(), ..FormData::default() };
    Ok(render(&form_page(&state, &user, None, form, FormErrors::default()).await?))
}

pub async fn create(State(state): State<AppState>, user: PageUser, Meta(meta): Meta, f: FormPairs) -> PageResult {
    let form = FormData::from_form(&f);
    let result = state.services.agencies.create_agency(&user.principal, &form.input(), &meta).await;
    redirect_or_form(
        result,
        |a| format!("/admin/agencies/{}?msg=agency_created", a.id),
        async |errors| form_page(&state, &user, None, form, errors).await,
    )
    .await
}

pub struct RevisionRow {
    pub version: i64,
    pub effective: String,
    pub code: String,
    pub name: String,
    pub status: &'static str,
    pub reason: String,
    pub by: String,
    pub recorded: String,
}

#[derive(Template)]
#[template(path = "admin/agency.html")]
struct ShowPage {
    layout: Layout,
    a: Agency,
    code_shape: &'static str,
    level: &'static str,
    parent: Option<(i64, String)>,
    has_parent: bool,
    validity: String,
    children: Vec<(i64, String)>,
    history: Vec<RevisionRow>,
    can_manage: bool,
    can_add_units: bool,
    status_error: Option<String>,
}

#[derive(Deserialize)]
pub struct Msg {
    msg: Option<String>,
}

async fn show_page(
    state: &AppState,
    user: &PageUser,
    id: AgencyId,
    layout: Layout,
    status_error: Option<String>,
) -> Result<ShowPage, HttpError> {
    let a = state.services.agencies.get_agency(&user.principal, id).await?;
    let history = state
        .services
        .agencies
        .agency_history(&user.principal, id)
        .await?
        .into_iter()
        .rev()
        .map(|r| RevisionRow {
            version: r.version,
            effective: format_date(r.effective_date),
            code: r.code.to_string(),
            name: r.name,
            status: if r.active { "Hoạt động" } else { "Ngừng hoạt động" },
            reason: r.reason.unwrap_or_default(),
            by: r.changed_by.unwrap_or_default(),
            recorded: format_datetime(r.recorded_at),
        })
        .collect();
    let parent = match a.parent_id {
        Some(pid) => state
            .services
            .agencies
            .get_agency(&user.principal, pid)
            .await
            .ok()
            .map(|p| (p.id.0, format!("{} ({})", p.name, p.code))),
        None => None,
    };
    let children = state
        .services
        .agencies
        .list_agencies(&user.principal, true)
        .await?
        .into_iter()
        .filter(|c| c.parent_id == Some(a.id))
        .map(|c| (c.id.0, if c.active { c.name } else { format!("{} (đã ngừng hoạt động)", c.name) }))
        .collect();
    Ok(ShowPage {
        layout,
        code_shape: match a.code.shape() {
            AgencyCodeShape::Current => "(dạng mã hiện hành)",
            AgencyCodeShape::Legacy => "(dạng mã cũ theo QCVN 102:2016/BTTTT)",
            AgencyCodeShape::Other => "",
        },
        level: a.level.label_vi(),
        validity: validity(&a),
        has_parent: a.parent_id.is_some(),
        can_manage: state.services.agencies.may_change_agency(&user.principal, &a).await,
        can_add_units: authorize(&user.principal, Permission::ManageAgencies, Target::Agency(&a.path)).is_ok(),
        parent,
        children,
        history,
        status_error,
        a,
    })
}

pub async fn show(
    State(state): State<AppState>,
    user: PageUser,
    PagePath(id): PagePath<i64>,
    Query(q): Query<Msg>,
) -> PageResult {
    let layout = Layout::new("Cơ quan, đơn vị", Some(&user)).with_flash(q.msg.as_deref());
    let mut page = show_page(&state, &user, AgencyId(id), layout, None).await?;
    page.layout.title = page.a.name.clone();
    Ok(render(&page))
}

pub async fn edit_form(State(state): State<AppState>, user: PageUser, PagePath(id): PagePath<i64>) -> PageResult {
    let a = state.services.agencies.get_agency(&user.principal, AgencyId(id)).await?;
    // The same rule as saving: an agency's own record is decided one level up.
    if !state.services.agencies.may_change_agency(&user.principal, &a).await {
        return Err(crate::error::HttpError::forbidden().into());
    }
    Ok(render(&form_page(&state, &user, Some(&a), FormData::from_agency(&a), FormErrors::default()).await?))
}

pub async fn update(
    State(state): State<AppState>,
    user: PageUser,
    Meta(meta): Meta,
    PagePath(id): PagePath<i64>,
    f: FormPairs,
) -> PageResult {
    let form = FormData::from_form(&f);
    let result =
        state.services.agencies.update_agency(&user.principal, AgencyId(id), form.version, &form.input(), &meta).await;
    redirect_or_form(
        result,
        |a| format!("/admin/agencies/{}?msg=agency_saved", a.id),
        async |errors| {
            let a = state.services.agencies.get_agency(&user.principal, AgencyId(id)).await?;
            form_page(&state, &user, Some(&a), form, errors).await
        },
    )
    .await
}

pub async fn set_status(
    State(state): State<AppState>,
    user: PageUser,
    Meta(meta): Meta,
    PagePath(id): PagePath<i64>,
    f: FormPairs,
) -> PageResult {
    let input = ActivationInput {
        version: f.int("version"),
        active: f.get("active") == Some("true"),
        valid_to: f.opt("valid_to"),
        reason: f.opt("reason"),
    };
    match state.services.agencies.set_agency_active(&user.principal, AgencyId(id), &input, &meta).await {
        Ok(a) => {
            let msg = if a.active { "agency_activated" } else { "agency_deactivated" };
            Ok(Redirect::to(&format!("/admin/agencies/{id}?msg={msg}")).into_response())
        }
        Err(e) => {
            let e = form_error(e)?;
            let detail = e.fields.first().map(|f| f.message.clone()).unwrap_or_else(|| e.message.clone());
            let page =
                show_page(&state, &user, AgencyId(id), Layout::new("Cơ quan, đơn vị", Some(&user)), Some(detail))
                    .await?;
            Ok(render_form_error(e, &page))
        }
    }
}
