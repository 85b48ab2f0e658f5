//! Reading the audit log.

use askama::Template;
use axum::extract::{Query, State};
use motcua_app::audit::AuditQuery;
use motcua_domain::audit::Outcome;
use motcua_domain::time::format_datetime;
use serde::Deserialize;

use super::{Choice, Layout};
use crate::auth::PageUser;
use crate::respond::{PageResult, render};
use crate::state::AppState;

pub struct AuditRow {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub role: String,
    pub action: String,
    pub action_label: String,
    pub target: String,
    pub outcome: &'static str,
    pub outcome_class: &'static str,
    pub detail: String,
    pub request_id: String,
}

#[derive(Template)]
#[template(path = "admin/audit.html")]
struct AuditPage {
    layout: Layout,
    rows: Vec<AuditRow>,
    action: String,
    actor: String,
    outcomes: Vec<Choice>,
    older: Option<String>,
    head: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct AuditParams {
    action: Option<String>,
    actor: Option<String>,
    outcome: Option<String>,
    before: Option<i64>,
}

const PAGE: i64 = 50;

/// Vietnamese name of an audit action; unknown actions show their code.
fn action_label(action: &str) -> String {
    let label = match action {
        "auth.login" => "Đăng nhập",
        "auth.logout" => "Đăng xuất",
        "account.change_password" => "Đổi mật khẩu",
        "agency.create" => "Thêm cơ quan, đơn vị",
        "agency.update" => "Sửa cơ quan, đơn vị",
        "agency.deactivate" => "Ngừng hoạt động cơ quan",
        "agency.activate" => "Khôi phục hoạt động cơ quan",
        "user.create" => "Thêm tài khoản",
        "user.update" => "Sửa tài khoản",
        "user.activate" => "Kích hoạt tài khoản",
        "user.deactivate" => "Vô hiệu hóa tài khoản",
        "user.set_grants" => "Phân quyền",
        "user.reset_password" => "Cấp lại mật khẩu",
        "api_token.create" => "Tạo khóa API",
        "api_token.revoke" => "Thu hồi khóa API",
        "job.retry" => "Chạy lại tác vụ nền",
        "job.ping" => "Kiểm tra tác vụ nền",
        "demo.load" => "Nạp dữ liệu mẫu",
        "system.init" => "Khởi tạo hệ thống",
        other => match other.strip_prefix("http.") {
            Some(method) => return format!("Yêu cầu {} không được xử lý", method.to_uppercase()),
            None => return other.to_owned(),
        },
    };
    label.to_owned()
}

/// Vietnamese role names of an audit entry's `actor_role` (one role or a comma-separated list).
fn roles_label(roles: &str) -> String {
    roles
        .split(',')
        .map(|r| match r {
            "system" => "Hệ thống".to_owned(),
            r => motcua_domain::account::Role::parse("role", r)
                .map(|r| r.label_vi().to_owned())
                .unwrap_or_else(|_| r.to_owned()),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

pub async fn index(State(state): State<AppState>, user: PageUser, Query(p): Query<AuditParams>) -> PageResult {
    let outcome = p.outcome.as_deref().and_then(Outcome::parse);
    let query = AuditQuery {
        action_prefix: p.action.clone(),
        outcome,
        actor_username: p.actor.clone(),
        before_seq: p.before,
        limit: Some(PAGE),
    };
    let entries = state.services.audit.search_audit(&user.principal, &query).await?;
    let older = (entries.len() as i64 == PAGE).then(|| {
        let last = entries.last().map(|e| e.seq).unwrap_or_default();
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        q.append_pair("before", &last.to_string());
        for (k, v) in [("action", &p.action), ("actor", &p.actor), ("outcome", &p.outcome)] {
            if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
                q.append_pair(k, v);
            }
        }
        format!("/admin/audit?{}", q.finish())
    });
    let rows = entries
        .into_iter()
        .map(|e| AuditRow {
            seq: e.seq,
            at: format_datetime(e.event.occurred_at),
            actor: e.event.actor_username.unwrap_or_default(),
            role: e.event.actor_role.as_deref().map(roles_label).unwrap_or_default(),
            action_label: action_label(&e.event.action),
            action: e.event.action,
            target: match (e.event.target_type, e.event.target_id) {
                (Some(t), Some(i)) => format!("{t} {i}"),
                _ => String::new(),
            },
            outcome: e.event.outcome.label_vi(),
            outcome_class: if e.event.outcome == Outcome::Success { "on" } else { "off" },
            detail: e.event.detail.unwrap_or_default(),
            request_id: e.event.request_id.unwrap_or_default(),
        })
        .collect();
    let head = state.services.audit.head().await?.map(|h| h.to_string());
    Ok(render(&AuditPage {
        layout: Layout::new("Nhật ký thao tác", Some(&user)),
        rows,
        action: p.action.unwrap_or_default(),
        actor: p.actor.unwrap_or_default(),
        outcomes: Outcome::ALL
            .iter()
            .map(|o| Choice { value: o.as_str().into(), label: o.label_vi().into(), selected: outcome == Some(*o) })
            .collect(),
        older,
        head,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_vietnamese() {
        assert_eq!(action_label("auth.login"), "Đăng nhập");
        assert_eq!(action_label("http.post"), "Yêu cầu POST không được xử lý");
        assert_eq!(action_label("future.thing"), "future.thing");
        assert_eq!(roles_label("admin"), "Quản trị hệ thống");
        assert_eq!(roles_label("leader,control_officer"), "Lãnh đạo, Cán bộ đầu mối KSTTHC");
        assert_eq!(roles_label("system"), "Hệ thống");
    }
}
