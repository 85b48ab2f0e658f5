//! The Decision 766 index page: an agency's indicators for a period, and its communes ranked.

use askama::Template;
use axum::extract::{Query, State};
use serde::Deserialize;

use super::Layout;
use super::reports::{AgencyChoice, agency_choices};
use crate::api::index766::{Index766Dto, index_request};
use crate::api::report_input::ReportInput;
use crate::auth::PageUser;
use crate::respond::{PageResult, render};
use crate::state::AppState;

#[derive(Debug, Default, Deserialize)]
pub struct PageInput {
    period: Option<String>,
    calendar: Option<String>,
    from: Option<String>,
    to: Option<String>,
    agency: Option<String>,
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
    let statutory = q.calendar.as_deref() == Some("false");
    let input = ReportInput {
        period: q.period.clone(),
        calendar: Some(!statutory),
        from: q.from.clone(),
        to: q.to.clone(),
        agency: q.agency.clone(),
        ..ReportInput::default()
    };
    let mut page = IndexPage {
        layout: Layout::new("Chỉ số phục vụ người dân, doanh nghiệp (Quyết định 766)", Some(&user)),
        agencies: Vec::new(),
        period: q.period.clone().unwrap_or_default(),
        statutory,
        error: None,
        report: None,
    };
    let mut selected = q.agency.clone();
    match index_request(&input, state.services.now()) {
        Err(motcua_app::AppError::Validation(v)) => {
            page.error = Some(v.errors.iter().map(|f| f.message.clone()).collect::<Vec<_>>().join(" "))
        }
        Err(e) => return Err(e.into()),
        Ok(r) => {
            let report = state.services.reports.index766(p.into(), r.agency.as_deref(), r.period).await?;
            page.period = r.period.key();
            selected = Some(report.agency.code.to_string());
            page.report = Some((&report).into());
        }
    }
    page.agencies = agency_choices(&agencies, selected.as_deref());
    Ok(render(&page))
}
