//! The Decision 766 index page: an agency's indicators for a period, and its communes ranked.

use askama::Template;
use axum::extract::{Query, State};
use serde::Deserialize;

use super::Layout;
use super::reports::{AgencyChoice, agency_choices, calendar_input, messages};
use crate::api::index766::{Index766Dto, index_request};
use crate::api::report_input::ReportInput;
use crate::auth::PageUser;
use crate::context::Meta;
use crate::limits::public_limit;
use crate::respond::{PagePath, PageResult, render};
use crate::state::AppState;
use motcua_app::reports::Viewer;

#[derive(Debug, Default, Deserialize)]
pub struct PageInput {
    period: Option<String>,
    calendar: Option<String>,
    from: Option<String>,
    to: Option<String>,
    agency: Option<String>,
}

/// A commune of the ranking, with the page it links to.
pub struct RankRow {
    pub name: String,
    pub href: String,
    pub total: String,
    pub max: String,
}

#[derive(Template)]
#[template(path = "reports/index766.html")]
struct IndexPage {
    layout: Layout,
    agencies: Vec<AgencyChoice>,
    period: String,
    statutory: bool,
    error: Option<String>,
    report: Option<Index766Dto>,
    ranking: Vec<RankRow>,
}

#[derive(Template)]
#[template(path = "reports/public766.html")]
struct PublicPage {
    layout: Layout,
    period: String,
    error: Option<String>,
    report: Option<Index766Dto>,
    ranking: Vec<RankRow>,
}

impl PublicPage {
    fn fmt(v: &Option<f64>) -> String {
        IndexPage::fmt(v)
    }

    fn num(x: &f64) -> String {
        IndexPage::num(x)
    }
}

fn ranking(r: &Index766Dto, href: impl Fn(&str) -> String) -> Vec<RankRow> {
    r.ranking
        .iter()
        .map(|c| RankRow {
            name: c.agency_name.clone(),
            href: href(&c.agency_code),
            total: IndexPage::num(&c.total),
            max: IndexPage::num(&c.max_with_data),
        })
        .collect()
}

impl IndexPage {
    /// Two decimals with the Vietnamese decimal comma; a dash when there is no value.
    fn fmt(v: &Option<f64>) -> String {
        v.as_ref().map_or_else(|| "—".into(), Self::num)
    }

    fn num(x: &f64) -> String {
        format!("{x:.2}").replace('.', ",")
    }
}

pub async fn index766(State(state): State<AppState>, user: PageUser, Query(q): Query<PageInput>) -> PageResult {
    let p = &user.principal;
    let agencies = state.services.reports.report_agencies(p).await?;
    let (input, statutory) = calendar_input(&q.period, &q.calendar, &q.from, &q.to, &q.agency);
    let mut page = IndexPage {
        layout: Layout::new("Chỉ số phục vụ người dân, doanh nghiệp (Quyết định 766)", Some(&user)),
        agencies: Vec::new(),
        period: q.period.clone().unwrap_or_default(),
        statutory,
        error: None,
        report: None,
        ranking: Vec::new(),
    };
    let mut selected = q.agency.clone();
    match index_request(&input, state.services.now()) {
        Err(motcua_app::AppError::Validation(v)) => page.error = Some(messages(&v)),
        Err(e) => return Err(e.into()),
        Ok(r) => {
            let report = state.services.reports.index766(p.into(), r.agency.as_deref(), r.period).await?;
            page.period = r.period.key();
            selected = Some(report.agency.code.to_string());
            let dto: Index766Dto = (&report).into();
            let key = dto.period.key.clone();
            page.ranking = ranking(&dto, |code| {
                format!("/chi-so-766?agency={code}&period={key}{}", if statutory { "&calendar=false" } else { "" })
            });
            page.report = Some(dto);
        }
    }
    page.agencies = agency_choices(&agencies, selected.as_deref());
    Ok(render(&page))
}

#[derive(Debug, Default, Deserialize)]
pub struct PublicInput {
    ky: Option<String>,
}

/// The monthly publication of an agency's index (no sign-in: aggregate figures only), the
/// previous calendar month by default.
pub async fn public(
    State(state): State<AppState>,
    Meta(meta): Meta,
    PagePath(code): PagePath<String>,
    Query(q): Query<PublicInput>,
) -> PageResult {
    public_limit(&state, &meta)?;
    let now = state.services.now();
    let last_month = motcua_domain::time::vn_date(now)
        .first_of_month()
        .yesterday()
        .unwrap_or_else(|_| motcua_domain::time::vn_date(now));
    let period =
        q.ky.clone()
            .filter(|k| !k.trim().is_empty())
            .unwrap_or_else(|| motcua_domain::report::ReportPeriod::calendar_month_of(last_month).key());
    let mut page = PublicPage {
        layout: Layout::new("Công khai chỉ số phục vụ (Quyết định 766)", None),
        period: period.clone(),
        error: None,
        report: None,
        ranking: Vec::new(),
    };
    let input = ReportInput { period: Some(period), agency: Some(code), ..ReportInput::default() };
    match index_request(&input, now) {
        Err(motcua_app::AppError::Validation(v)) => page.error = Some(messages(&v)),
        Err(e) => return Err(e.into()),
        Ok(r) => {
            let report = state.services.reports.index766(Viewer::Public, r.agency.as_deref(), r.period).await?;
            let dto: Index766Dto = (&report).into();
            let key = dto.period.key.clone();
            page.ranking = ranking(&dto, |c| format!("/cong-khai/chi-so-766/{c}?ky={key}"));
            page.period = key;
            page.report = Some(dto);
        }
    }
    Ok(render(&page))
}
