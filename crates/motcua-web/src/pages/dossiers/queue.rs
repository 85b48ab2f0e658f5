//! The work queues of /ho-so: tabs with their counts, a search over every dossier the official may see.

use askama::Template;
use axum::extract::{Query, State};
use motcua_app::dossiers::ListQueue;
use motcua_domain::policy::{Permission, scopes};
use motcua_domain::time::format_datetime;

use super::when;
use crate::api::dossier_input::ListInput;
use crate::api::dossiers::{DossierSummaryDto, summary};
use crate::auth::PageUser;
use crate::pages::Layout;
use crate::respond::{PageResult, render};
use crate::state::AppState;
const QUEUES: [(&str, &str); 9] = [
    ("to_process", "Cần xử lý"),
    ("online", "Trực tuyến chờ tiếp nhận"),
    ("mine", "Được giao cho tôi"),
    ("near_due", "Sắp đến hạn"),
    ("overdue", "Quá hạn"),
    ("waiting", "Chờ công dân bổ sung, nộp phí"),
    ("consultations", "Có lấy ý kiến"),
    ("corrections", "Chờ duyệt đính chính"),
    ("all", "Tất cả"),
];

pub struct QueueRow {
    pub key: String,
    pub code: String,
    pub applicant: String,
    pub procedure: String,
    pub status: String,
    pub overdue: bool,
    /// Late for something else than its processing (a portal dossier not received in time).
    pub warn: bool,
    pub step: String,
    pub appointment: String,
    pub step_due: String,
    /// Why it is in a list, when the list says (the shortfalls of a "toàn trình" list).
    pub note: Option<String>,
}

pub(crate) fn queue_row(r: &motcua_app::ports::DossierRow, now: jiff::Timestamp) -> QueueRow {
    let d: DossierSummaryDto = summary(r, now);
    // A portal dossier waiting for the desk shows its reception deadline.
    let reception = r.reception_due_at.filter(|_| r.status == 1);
    let late_reception = reception.is_some_and(|due| now > due);
    let note = reception.map(|due| {
        let left = due.duration_since(now);
        let standing = if late_reception {
            " · trễ hạn tiếp nhận"
        } else if left < jiff::SignedDuration::from_hours(2) {
            " · sắp hết hạn tiếp nhận"
        } else {
            ""
        };
        format!("Hạn tiếp nhận: {}{standing}", format_datetime(due))
    });
    QueueRow {
        key: r.code.clone().or_else(|| r.portal_code.clone()).unwrap_or_else(|| r.id.to_string()),
        code: match (&r.code, &r.portal_code) {
            (Some(c), _) => c.clone(),
            (None, Some(p)) => format!("{p} (Cổng DVC quốc gia)"),
            (None, None) => format!("Chưa tiếp nhận #{}", r.id),
        },
        applicant: d.applicant_name,
        procedure: d.procedure_name,
        status: d.status_label,
        overdue: d.overdue,
        warn: late_reception,
        step: d.step_name.unwrap_or_default(),
        appointment: when(r.appointment_at),
        step_due: when(r.step_due_at),
        note,
    }
}

#[derive(Template)]
#[template(path = "dossiers/index.html")]
struct QueuePage {
    layout: Layout,
    tabs: Vec<(&'static str, &'static str, i64, bool)>,
    queue: String,
    q: String,
    rows: Vec<QueueRow>,
    next: Option<String>,
    can_receive: bool,
    /// The list is a search's results over every dossier, not a queue.
    searching: bool,
}

pub async fn index(State(state): State<AppState>, user: PageUser, Query(input): Query<ListInput>) -> PageResult {
    // A search looks through every dossier the official may see, whichever tab it started from.
    let searching = input.q.as_deref().is_some_and(|q| !q.trim().is_empty());
    let queue = if searching {
        "all".to_owned()
    } else {
        input.queue.clone().filter(|q| !q.is_empty()).unwrap_or_else(|| "to_process".into())
    };
    let input = ListInput { queue: Some(queue.clone()), ..input };
    let filter = input.parse().map_err(motcua_app::AppError::Validation)?;
    let page = state.services.dossiers.list_dossiers(&user.principal, &filter).await?;
    let mut tabs = Vec::new();
    for (key, label) in QUEUES {
        let listed = ListQueue::parse(key).ok_or(motcua_app::AppError::NotFound("hàng đợi"))?;
        let n = state.services.dossiers.count_queue(&user.principal, listed).await?;
        tabs.push((key, label, n, key == queue));
    }
    let now = state.services.now();
    let next = page.next_before.map(|b| {
        let q: String =
            url::form_urlencoded::byte_serialize(input.q.as_deref().unwrap_or_default().as_bytes()).collect();
        format!("/ho-so?queue={queue}&q={q}&before={b}")
    });
    Ok(render(&QueuePage {
        layout: Layout::new("Hồ sơ", Some(&user)),
        tabs,
        q: input.q.clone().unwrap_or_default(),
        queue,
        rows: page.rows.iter().map(|r| queue_row(r, now)).collect(),
        next,
        can_receive: !scopes(&user.principal, Permission::ReceiveDossiers).is_empty(),
        searching,
    }))
}
