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
    /// What waits for this person: the queues with their counts, and the first dossiers of
    /// "Cần xử lý" (for a leader, those at the approval step and corrections to decide).
    waiting: Vec<(&'static str, &'static str, i64)>,
    rows: Vec<super::dossiers::QueueRow>,
    next: Option<String>,
}

/// The queues the landing page counts, and what it calls them.
const WAITING: [(&str, &str); 5] = [
    ("to_process", "Chờ bạn xử lý"),
    ("mine", "Được giao cho bạn"),
    ("near_due", "Sắp đến hạn"),
    ("overdue", "Quá hạn"),
    ("corrections", "Chờ duyệt đính chính"),
];

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
    let (mut waiting, mut rows, mut next) = (Vec::new(), Vec::new(), None);
    if !scopes(p, Permission::ViewDossiers).is_empty()
        || !motcua_domain::policy::unit_parents(p, Permission::ViewDossiers).is_empty()
    {
        use motcua_app::dossiers::{DossierFilter, ListQueue};
        for (key, label) in WAITING {
            let queue = ListQueue::parse(key).ok_or(motcua_app::AppError::NotFound("hàng đợi"))?;
            let n = state.services.dossiers.count_queue(p, queue).await?;
            if n > 0 || key == "to_process" {
                waiting.push((key, label, n));
            }
        }
        let filter = DossierFilter { queue: ListQueue::ToProcess, limit: Some(10), ..DossierFilter::default() };
        let page = state.services.dossiers.list_dossiers(p, &filter).await?;
        let now = state.services.now();
        rows = page.rows.iter().map(|r| super::dossiers::queue_row(r, now)).collect();
        if page.next_before.is_some() {
            next = Some("/ho-so?queue=to_process".to_owned());
        }
    }
    let page = DashboardPage {
        today,
        waiting,
        rows,
        next,
        layout: Layout::new("Trang làm việc", Some(&user)).with_flash(q.msg.as_deref()),
        full_name: p.full_name.clone(),
        title: me.and_then(|u| u.title),
        grants,
        units,
        links,
    };
    Ok(render(&page))
}
