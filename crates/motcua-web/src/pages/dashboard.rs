//! The official's home page: roles, the units they work on, and shortcuts.

use askama::Template;
use axum::extract::{Query, State};
use motcua_app::agencies::{build_tree, flatten_tree};
use motcua_domain::policy::{Permission, Target, authorize, scopes};
use serde::Deserialize;

use super::Layout;
use crate::auth::PageUser;
use crate::respond::{PageResult, render};
use crate::state::AppState;

pub struct UnitRow {
    pub depth: usize,
    pub name: String,
    pub code: String,
    pub level: &'static str,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    layout: Layout,
    full_name: String,
    title: Option<String>,
    grants: Vec<(String, String)>,
    units: Vec<UnitRow>,
    links: Vec<(&'static str, &'static str)>,
    /// Today's figures of the official's widest agency, for those who see its dossiers.
    today: Vec<super::statistics::Stat>,
}

#[derive(Deserialize)]
pub struct Msg {
    msg: Option<String>,
}

pub async fn dashboard(State(state): State<AppState>, user: PageUser, Query(q): Query<Msg>) -> PageResult {
    let p = &user.principal;
    let agencies = state.services.agencies.list_agencies(p, true).await?;
    let me = Some(state.services.accounts.own_account(p).await?);
    let name_of = |id: motcua_domain::agency::AgencyId| {
        agencies
            .iter()
            .find(|a| a.id == id)
            .map(|a| format!("{} ({})", a.name, a.code))
            .unwrap_or_else(|| format!("#{id}"))
    };
    let grants = p.grants.iter().map(|g| (g.role.label_vi().to_owned(), name_of(g.agency_id))).collect();
    let tree = build_tree(agencies.clone());
    let units = flatten_tree(&tree)
        .into_iter()
        .map(|(depth, a)| UnitRow {
            depth: depth.min(8),
            name: a.name.clone(),
            code: a.code.to_string(),
            level: a.level.label_vi(),
            active: a.active,
        })
        .collect();
    let mut links = Vec::new();
    if !scopes(p, Permission::ManageAgencies).is_empty() {
        links.push(("/admin/agencies", "Quản lý cơ quan, đơn vị"));
        links.push(("/bao-cao/chi-tieu", "Chỉ tiêu năm (trực tuyến, số hóa, hài lòng, toàn trình bình quân…)"));
    }
    if !scopes(p, Permission::ManageUsers).is_empty() {
        links.push(("/admin/users", "Quản lý tài khoản và phân quyền"));
    } else if !scopes(p, Permission::ViewUsers).is_empty() {
        links.push(("/admin/users", "Danh sách cán bộ trong phạm vi"));
    }
    if !scopes(p, Permission::ViewAudit).is_empty() {
        links.push(("/admin/audit", "Nhật ký thao tác"));
    }
    if authorize(p, Permission::OperateSystem, Target::System).is_ok() {
        links.push(("/admin/jobs", "Tác vụ nền và hàng đợi"));
    }
    links.push(("/account", "Tài khoản của tôi, đổi mật khẩu, khóa API"));
    let today = super::statistics::today_stats(&state, p).await;
    let page = DashboardPage {
        today,
        layout: Layout::new("Trang làm việc", Some(&user)).with_flash(q.msg.as_deref()),
        full_name: p.full_name.clone(),
        title: me.and_then(|u| u.title),
        grants,
        units,
        links,
    };
    Ok(render(&page))
}
