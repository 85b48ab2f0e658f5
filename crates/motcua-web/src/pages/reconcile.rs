//! The reconciliation with the national portal (`/bao-cao/doi-soat`): our Decision 766 figures
//! beside the portal's for a calendar period, the dossiers it does not hold as they stand, the
//! outbox's state, and the operator's resend of a given-up dossier.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect};
use motcua_domain::policy::{Permission, Target, authorize};
use motcua_domain::time::format_datetime;
use serde::Deserialize;

use super::layout::Layout;
use super::reports::{AgencyChoice, agency_choices};
use crate::api::portal::calendar_period;
use crate::auth::PageUser;
use crate::context::Meta;
use crate::respond::{FormPairs, PageResult, render};
use crate::state::AppState;

pub struct CellRow {
    pub agency: String,
    pub ours: String,
    pub portal: String,
    pub differs: bool,
    /// Links to the dossiers behind a difference: (href, label).
    pub dossiers: Vec<(String, String)>,
}

pub struct IndicatorSection {
    pub indicator: &'static str,
    pub label: &'static str,
    pub endpoint: &'static str,
    pub error: Option<String>,
    pub rows: Vec<CellRow>,
}

pub struct ProblemRow {
    pub id: i64,
    pub href: String,
    pub label: String,
    pub status: u8,
    pub told: String,
    pub since: String,
    pub state: String,
    pub dead: bool,
}

#[derive(Template)]
#[template(path = "reports/reconcile.html")]
struct ReconcilePage {
    layout: Layout,
    agencies: Vec<AgencyChoice>,
    period: String,
    agency_name: String,
    checked_at: String,
    differences: usize,
    complete: bool,
    sections: Vec<IndicatorSection>,
    problems: Vec<ProblemRow>,
    backlog: Vec<(&'static str, String)>,
    /// (portal code, when, refused or failed, why)
    not_taken: Vec<(String, String, &'static str, String)>,
    operator: bool,
}

#[derive(Deserialize)]
pub struct ReconcileInput {
    period: Option<String>,
    agency: Option<String>,
    msg: Option<String>,
}

fn dossier_key(code: &Option<String>, portal: &Option<String>, id: i64) -> String {
    code.clone().or_else(|| portal.clone()).unwrap_or_else(|| id.to_string())
}

pub async fn page(State(state): State<AppState>, user: PageUser, Query(q): Query<ReconcileInput>) -> PageResult {
    let p = &user.principal;
    let today = motcua_domain::time::vn_date(state.services.now());
    let period = calendar_period(q.period.as_deref(), today)?;
    let department = state.config.portal_department.clone();
    let r =
        state.services.national_portal.reconcile(p.into(), q.agency.as_deref(), period, department.as_deref()).await?;
    let agencies = state.services.reports.report_agencies(p).await?;
    let key_of = |id: i64| {
        r.problems
            .iter()
            .find(|x| x.dossier_id == id)
            .map(|x| dossier_key(&x.code, &x.portal_code, id))
            .unwrap_or_else(|| id.to_string())
    };
    let sections = r
        .indicators
        .iter()
        .map(|i| IndicatorSection {
            indicator: i.compared.indicator,
            label: i.compared.label,
            endpoint: i.compared.endpoint,
            error: i.portal_error.clone(),
            rows: i
                .cells
                .iter()
                .map(|c| CellRow {
                    agency: c.agency_name.clone(),
                    ours: format!("{} / {}", c.cell.ours.0, c.cell.ours.1),
                    portal: c.cell.portal.map_or_else(|| "—".to_owned(), |(n, d)| format!("{n} / {d}")),
                    differs: i.portal_error.is_none() && c.cell.differs(),
                    dossiers: c
                        .problems
                        .iter()
                        .take(20)
                        .map(|id| {
                            let key = key_of(*id);
                            (format!("/ho-so/{key}"), key)
                        })
                        .collect(),
                })
                .collect(),
        })
        .collect();
    let problems = r
        .problems
        .iter()
        .map(|x| {
            let key = dossier_key(&x.code, &x.portal_code, x.dossier_id);
            ProblemRow {
                id: x.dossier_id,
                href: format!("/ho-so/{key}"),
                label: key,
                status: x.status,
                told: x.told_status.map_or_else(|| "chưa lần nào".to_owned(), |s| s.to_string()),
                since: x.untold_since.map(format_datetime).unwrap_or_default(),
                state: if x.dead {
                    format!("Đã dừng gửi sau {} lần lỗi: {}", x.attempts, x.last_error.clone().unwrap_or_default())
                } else if x.attempts > 0 {
                    format!("Đang thử lại ({} lần lỗi): {}", x.attempts, x.last_error.clone().unwrap_or_default())
                } else {
                    "Chờ gửi".to_owned()
                },
                dead: x.dead,
            }
        })
        .collect();
    let b = &r.backlog;
    let backlog = vec![
        ("Hồ sơ còn thay đổi chưa gửi", b.untold_dossiers.to_string()),
        ("Thay đổi chờ lâu nhất từ", b.oldest_untold.map(format_datetime).unwrap_or_else(|| "—".to_owned())),
        ("Hồ sơ đã dừng gửi, chờ vận hành", b.dead.to_string()),
        ("Lần gọi lỗi trong một giờ qua", b.failures_last_hour.to_string()),
    ];
    let flash = match q.msg.as_deref() {
        Some("resent") => Some("Đã đặt lại để gửi hồ sơ lên Cổng."),
        _ => None,
    };
    Ok(render(&ReconcilePage {
        layout: Layout::new("Đối soát với Cổng Dịch vụ công quốc gia", Some(&user)).with_flash(flash),
        agencies: agency_choices(&agencies, Some(r.agency.code.as_str())),
        period: r.period.key(),
        agency_name: r.agency.name.clone(),
        checked_at: format_datetime(r.checked_at),
        differences: r.differences(),
        complete: r.complete(),
        sections,
        problems,
        backlog,
        not_taken: r
            .not_taken
            .iter()
            .map(|e| {
                (
                    e.portal_code.clone().unwrap_or_default(),
                    format_datetime(e.at),
                    if e.outcome == "failed" { "Chưa nhận được (sẽ thử lại)" } else { "Bị từ chối" },
                    e.message.clone(),
                )
            })
            .collect(),
        operator: authorize(p, Permission::OperateSystem, Target::System).is_ok(),
    }))
}

/// The operator's resend of a given-up dossier.
pub async fn resend(State(state): State<AppState>, user: PageUser, Meta(meta): Meta, f: FormPairs) -> PageResult {
    state.services.national_portal.resend(Some(&user.principal), &f.text("dossier"), &meta).await?;
    let back = format!(
        "/bao-cao/doi-soat?period={}&agency={}&msg=resent",
        super::reports::enc(&f.text("period")),
        super::reports::enc(&f.text("agency"))
    );
    Ok(Redirect::to(&back).into_response())
}
