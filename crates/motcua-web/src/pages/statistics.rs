//! The leader's statistics pages: the dashboard (`/thong-ke`), the "toàn trình" rate
//! (`/bao-cao/toan-trinh`) and the targets (`/bao-cao/chi-tieu`). Every figure links to the
//! dossiers behind it.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use motcua_app::reports::{Dashboard, Figures, FullOnlineReport, TargetSheet, TargetSource};
use motcua_domain::report::Measure;
use motcua_domain::report::target::Metric;
use serde::Deserialize;

use super::Layout;
use super::reports::{AgencyChoice, agency_choices, calendar_input, messages};
use crate::api::report_input::today;
use crate::auth::PageUser;
use crate::charts::{Item, Series, bars, columns};
use crate::context::Meta;
use crate::respond::{FormPairs, PageResult, render};
use crate::state::AppState;

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// "52,3 %", or a dash without data.
pub(crate) fn pct(v: Option<f64>) -> String {
    v.map_or_else(|| "—".into(), |x| format!("{x:.1} %").replace('.', ","))
}

fn num1(v: Option<f64>) -> String {
    v.map_or_else(|| "—".into(), |x| format!("{x:.1}").replace('.', ","))
}

/// A figure and the list behind it.
pub struct Stat {
    pub label: &'static str,
    pub value: String,
    pub href: Option<String>,
    /// A warning colour (overdue).
    pub alert: bool,
}

pub struct TargetLine {
    pub label: &'static str,
    pub target: String,
    pub actual: String,
    /// 0–100, for the meter.
    pub progress: Option<f64>,
    pub note: Option<&'static str>,
}

pub struct ProcedureLine {
    pub name: String,
    pub resolved: i64,
    pub average_days: String,
    pub on_time: String,
}

#[derive(Template)]
#[template(path = "reports/dashboard.html")]
struct DashboardPage {
    layout: Layout,
    agencies: Vec<AgencyChoice>,
    period: String,
    statutory: bool,
    error: Option<String>,
    shown: Option<Shown>,
}

struct Shown {
    agency: String,
    period_title: String,
    generated: String,
    today: Vec<Stat>,
    current: Vec<Stat>,
    rates: Vec<Stat>,
    trend_svg: String,
    field_svg: String,
    commune_svg: Option<String>,
    procedures: Vec<ProcedureLine>,
    targets: Vec<TargetLine>,
    targets_href: String,
    full_online_href: String,
    /// The same agency and period beside the national portal's figures.
    reconcile_href: String,
    report_href: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct DashboardInput {
    period: Option<String>,
    calendar: Option<String>,
    agency: Option<String>,
}

const OUTCOMES: [Series; 4] = [
    Series { name: "Trước hạn", color: "#2e8b57" },
    Series { name: "Đúng hạn", color: "#7fb77e" },
    Series { name: "Quá hạn", color: "#d9822b" },
    Series { name: "Đang giải quyết quá hạn", color: "#c0392b" },
];
const OUTCOME_MEASURES: [Measure; 4] =
    [Measure::ResolvedEarly, Measure::ResolvedOnTime, Measure::ResolvedLate, Measure::PendingOverdue];

fn outcome_value(f: &Figures, m: Measure) -> i64 {
    match m {
        Measure::ResolvedEarly => f.resolved_early,
        Measure::ResolvedOnTime => f.resolved_on_time,
        Measure::ResolvedLate => f.resolved_late,
        _ => f.pending_overdue,
    }
}

fn outcome_item(label: String, f: &Figures, link: impl Fn(Measure) -> String) -> Item {
    let values = OUTCOME_MEASURES.iter().map(|m| outcome_value(f, *m)).collect();
    Item { label, links: OUTCOME_MEASURES.iter().map(|m| Some(link(*m))).collect(), values }
}

/// Today's figures, each leading to its dossiers (the dashboard's first row, the home page).
fn today_stats_of(d: &Dashboard) -> Vec<Stat> {
    let day = motcua_domain::time::vn_date(d.generated_at);
    let agency = enc(d.agency.code.as_str());
    let today_stat = |label, v: i64, m: Measure| Stat {
        label,
        value: v.to_string(),
        href: (v != 0).then(|| format!("/bao-cao/ho-so?period={day}..{day}&agency={agency}&measure={}", m.as_str())),
        alert: false,
    };
    let t = &d.today;
    vec![
        today_stat("Tiếp nhận hôm nay", t.received(), Measure::Received),
        today_stat("Trong đó trực tuyến", t.received_online, Measure::ReceivedOnline),
        today_stat("Giải quyết hôm nay", t.resolved(), Measure::Resolved),
        today_stat("Trả kết quả hôm nay", t.returned, Measure::Returned),
        Stat {
            label: "Sắp đến hạn",
            value: d.near_due.to_string(),
            href: (d.near_due != 0).then(|| format!("/bao-cao/ho-so?agency={agency}&near_due=true")),
            alert: false,
        },
        Stat {
            alert: t.pending_overdue != 0,
            ..today_stat("Đang quá hạn", t.pending_overdue, Measure::PendingOverdue)
        },
    ]
}

fn shown(d: &Dashboard, statutory: bool, rated: motcua_app::ports::SatisfactionCount) -> Shown {
    let base =
        format!("period={}&calendar={}&agency={}", enc(&d.period.key()), !statutory, enc(d.agency.code.as_str()));
    let list = |m: Measure, extra: &str| format!("/bao-cao/ho-so?{base}&measure={}{extra}", m.as_str());
    let stat = |label, v: i64, m: Measure, alert: bool| Stat {
        label,
        value: v.to_string(),
        href: (v != 0).then(|| list(m, "")),
        alert: alert && v != 0,
    };
    let c = &d.current;
    let today = today_stats_of(d);
    let current = vec![
        stat("Tiếp nhận", c.received(), Measure::Received, false),
        stat("Trực tuyến", c.received_online, Measure::ReceivedOnline, false),
        stat("Trực tiếp", c.received_desk, Measure::ReceivedDesk, false),
        stat("Bưu chính", c.received_postal, Measure::ReceivedPostal, false),
        stat("Giải quyết trước hạn", c.resolved_early, Measure::ResolvedEarly, false),
        stat("Giải quyết đúng hạn", c.resolved_on_time, Measure::ResolvedOnTime, false),
        stat("Giải quyết quá hạn", c.resolved_late, Measure::ResolvedLate, true),
        stat("Đang giải quyết trong hạn", c.pending_in_time, Measure::PendingInTime, false),
        stat("Đang giải quyết quá hạn", c.pending_overdue, Measure::PendingOverdue, true),
        stat("Yêu cầu bổ sung", c.supplemented, Measure::Supplemented, false),
        stat("Từ chối tiếp nhận", c.refused, Measure::Refused, false),
    ];
    let rates = vec![
        Stat { label: "Tỷ lệ trực tuyến", value: pct(c.online_share()), href: None, alert: false },
        Stat { label: "Tỷ lệ đúng hạn", value: pct(c.on_time_rate()), href: None, alert: false },
        Stat { label: "Tỷ lệ yêu cầu bổ sung", value: pct(c.supplement_rate()), href: None, alert: false },
        Stat {
            label: "Thời gian giải quyết bình quân (ngày)",
            value: num1(c.average_days()),
            href: None,
            alert: false,
        },
        Stat { label: "Tỷ lệ kết quả điện tử", value: pct(c.electronic_rate()), href: None, alert: false },
        Stat {
            label: "Mức độ hài lòng",
            value: if rated.rated == 0 {
                "chưa có đánh giá".into()
            } else {
                format!(
                    "{} ({}/{} lượt)",
                    pct(Some(rated.satisfied as f64 * 100.0 / rated.rated as f64)),
                    rated.satisfied,
                    rated.rated
                )
            },
            href: None,
            alert: false,
        },
    ];
    let trend_items: Vec<Item> = d
        .trend
        .iter()
        .map(|p| {
            let label = if p.first == p.last {
                format!("{:02}/{:02}", p.first.day(), p.first.month())
            } else {
                format!("{:02}/{}", p.first.month(), p.first.year())
            };
            let range = format!("period={}..{}&agency={}", p.first, p.last, enc(d.agency.code.as_str()));
            Item {
                label,
                values: vec![p.received, p.resolved],
                links: vec![
                    Some(format!("/bao-cao/ho-so?{range}&measure=received")),
                    Some(format!("/bao-cao/ho-so?{range}&measure=resolved")),
                ],
            }
        })
        .collect();
    let trend_svg = columns(
        "Hồ sơ tiếp nhận và giải quyết theo thời gian",
        &[Series { name: "Tiếp nhận", color: "#1f5fa8" }, Series { name: "Đã giải quyết", color: "#2e8b57" }],
        &trend_items,
    );
    let field_items: Vec<Item> = d
        .by_field
        .iter()
        .filter(|f| OUTCOME_MEASURES.iter().any(|m| outcome_value(&f.figures, *m) != 0))
        .take(12)
        .map(|f| outcome_item(f.name.clone(), &f.figures, |m| list(m, &format!("&field={}", enc(&f.name)))))
        .collect();
    let field_svg = bars("Kết quả giải quyết theo lĩnh vực", &OUTCOMES, &field_items);
    let commune_svg = (!d.by_commune.is_empty()).then(|| {
        let items: Vec<Item> = d
            .by_commune
            .iter()
            .map(|n| {
                let code = n.agency.as_ref().map(|a| a.code.to_string()).unwrap_or_default();
                let base = format!("period={}&calendar={}&agency={}", enc(&d.period.key()), !statutory, enc(&code));
                outcome_item(n.name.clone(), &n.figures, |m| format!("/bao-cao/ho-so?{base}&measure={}", m.as_str()))
            })
            .collect();
        bars("Kết quả giải quyết theo xã, phường", &OUTCOMES, &items)
    });
    let procedures = d
        .by_procedure
        .iter()
        .map(|p| ProcedureLine {
            name: p.name.clone(),
            resolved: p.figures.resolved(),
            average_days: num1(p.figures.average_days()),
            on_time: pct(p.figures.on_time_rate()),
        })
        .collect();
    let targets = d
        .targets
        .iter()
        .map(|t| TargetLine {
            label: t.metric.label(),
            target: t.target.map_or_else(|| "—".into(), |v| t.metric.format_value(v)),
            actual: match (t.actual, t.metric.unit()) {
                (None, _) => "chưa có dữ liệu".into(),
                (Some(a), motcua_domain::report::target::Unit::Percent) => pct(Some(a)),
                (Some(a), _) => num1(Some(a)),
            },
            progress: t.progress,
            note: (t.metric == Metric::PerDeskDay).then_some("xem trang năng suất tiếp nhận"),
        })
        .collect();
    let year = d.period.days().last.year();
    Shown {
        agency: d.agency.name.clone(),
        period_title: d.period.describe(),
        generated: motcua_domain::time::format_datetime(d.generated_at),
        today,
        current,
        rates,
        trend_svg,
        field_svg,
        commune_svg,
        procedures,
        targets,
        targets_href: format!("/bao-cao/chi-tieu?agency={}&year={year}", enc(d.agency.code.as_str())),
        full_online_href: format!("/bao-cao/toan-trinh?agency={}&year={year}", enc(d.agency.code.as_str())),
        reconcile_href: format!(
            "/bao-cao/doi-soat?agency={}&period={}",
            enc(d.agency.code.as_str()),
            enc(&d.period.key())
        ),
        report_href: format!("/bao-cao?{base}"),
    }
}

/// Today's figures of the official's widest agency (empty for those who see no dossiers).
pub(crate) async fn today_stats(state: &AppState, p: &motcua_domain::account::Principal) -> Vec<Stat> {
    let day = today(state.services.now());
    let Ok(period) = motcua_domain::report::ReportPeriod::range(day, day) else { return Vec::new() };
    match state.services.reports.dashboard(p.into(), None, period).await {
        Ok(d) => today_stats_of(&d),
        // The home page stays usable; the failure is in the log.
        Err(e) => {
            tracing::warn!(error = %e, "today's figures for the home page");
            Vec::new()
        }
    }
}

pub async fn dashboard(State(state): State<AppState>, user: PageUser, Query(q): Query<DashboardInput>) -> PageResult {
    let p = &user.principal;
    let agencies = state.services.reports.report_agencies(p).await?;
    let (input, statutory) = calendar_input(&q.period, &q.calendar, &None, &None, &q.agency);
    let mut page = DashboardPage {
        layout: Layout::new("Thống kê, theo dõi", Some(&user)),
        agencies: Vec::new(),
        period: q.period.clone().unwrap_or_default(),
        statutory,
        error: None,
        shown: None,
    };
    let mut selected = q.agency.clone();
    match input.parse(today(state.services.now())) {
        Err(e) => page.error = Some(messages(&e)),
        Ok(r) => {
            let d = state.services.reports.dashboard(p.into(), r.agency.as_deref(), r.period).await?;
            page.period = r.period.key();
            selected = Some(d.agency.code.to_string());
            // The citizens' ratings of dossiers received within the agency, given in the period.
            let days = d.period.days();
            let reach = motcua_app::ports::Reach { subtrees: vec![d.agency.path.clone()], agencies: Vec::new() };
            let rated = state
                .services
                .dossiers
                .satisfaction(
                    &reach,
                    motcua_domain::time::vn_day_start(days.first),
                    motcua_domain::time::vn_day_start(days.last.tomorrow().unwrap_or(days.last)),
                )
                .await?;
            page.shown = Some(shown(&d, statutory, rated));
        }
    }
    page.agencies = agency_choices(&agencies, selected.as_deref());
    Ok(render(&page))
}

/// `/dashboard`: the English name of the same page.
pub async fn dashboard_alias() -> Response {
    Redirect::to("/thong-ke").into_response()
}

pub struct FullOnlineLine {
    pub name: String,
    pub resolved: i64,
    pub full_online: i64,
    pub rate: String,
    pub average: String,
    pub points: String,
    pub short_href: Option<String>,
}

#[derive(Template)]
#[template(path = "reports/full_online.html")]
struct FullOnlinePage {
    layout: Layout,
    agencies: Vec<AgencyChoice>,
    year: i16,
    total: Option<FullOnlineLine>,
    communes: Vec<FullOnlineLine>,
    scale: Option<String>,
    targets_href: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct YearQuery {
    agency: Option<String>,
    year: Option<String>,
    msg: Option<String>,
}

impl YearQuery {
    fn year(&self, now: jiff::Timestamp) -> Result<i16, crate::error::HttpError> {
        match self.year.as_deref().map(str::trim).filter(|y| !y.is_empty()) {
            None => Ok(today(now).year()),
            Some(y) => y
                .parse::<i16>()
                .ok()
                .filter(|y| (2000..=2100).contains(y))
                .ok_or_else(|| crate::error::HttpError::bad_request("invalid_query", "Năm từ 2000 đến 2100.")),
        }
    }
}

fn full_online_line(r: &motcua_app::reports::FullOnlineRow, year: i16) -> FullOnlineLine {
    FullOnlineLine {
        name: r.agency.name.clone(),
        resolved: r.resolved,
        full_online: r.full_online,
        rate: pct(r.rate),
        average: r.average.map_or_else(|| "chưa nhập".into(), |v| Metric::FullOnlineNationalAverage.format_value(v)),
        points: match (r.level, r.points) {
            (None, _) => "—".into(),
            (Some(_), None) if r.average.is_none() => "cần nhập bình quân".into(),
            (Some(_), None) => "chưa có hồ sơ".into(),
            (Some(l), Some(p)) => format!("{} / {}", num2(p), num2(l.max_points())),
        },
        short_href: (r.resolved > r.full_online).then(|| {
            format!(
                "/bao-cao/ho-so?period={year}&calendar=true&agency={}&measure=resolved_not_full_online",
                enc(r.agency.code.as_str())
            )
        }),
    }
}

fn num2(v: f64) -> String {
    format!("{v:.2}").replace('.', ",")
}

pub async fn full_online(State(state): State<AppState>, user: PageUser, Query(q): Query<YearQuery>) -> PageResult {
    let p = &user.principal;
    let year = q.year(state.services.now())?;
    let agencies = state.services.reports.report_agencies(p).await?;
    let r: FullOnlineReport = state.services.reports.full_online(p.into(), q.agency.as_deref(), year).await?;
    let scale = r.total.level.map(|l| match l {
        motcua_domain::report::full_online::ScoredLevel::Province => {
            "Cấp tỉnh (NĐ 307/2025, Điều 5): bằng hoặc thấp hơn bình quân cả nước 2 điểm; mỗi 2 % cao hơn cộng 0,25 điểm; tối đa 3 điểm.".to_owned()
        }
        motcua_domain::report::full_online::ScoredLevel::Commune => {
            "Cấp xã (NĐ 307/2025, Điều 6, 7): bằng hoặc thấp hơn bình quân của tỉnh 3 điểm; mỗi 0,5 % cao hơn cộng 0,25 điểm; tối đa 5 điểm.".to_owned()
        }
    });
    let page = FullOnlinePage {
        layout: Layout::new("Tỷ lệ hồ sơ toàn trình", Some(&user)),
        agencies: agency_choices(&agencies, Some(r.total.agency.code.as_str())),
        year,
        total: Some(full_online_line(&r.total, year)),
        communes: r.communes.iter().map(|c| full_online_line(c, year)).collect(),
        scale,
        targets_href: format!("/bao-cao/chi-tieu?agency={}&year={year}", enc(r.total.agency.code.as_str())),
    };
    Ok(render(&page))
}

pub struct TargetField {
    pub metric: &'static str,
    pub label: &'static str,
    pub unit: &'static str,
    /// The agency's own value, as entered.
    pub own: String,
    /// What applies without it.
    pub fallback: String,
}

#[derive(Template)]
#[template(path = "reports/targets.html")]
struct TargetsPage {
    layout: Layout,
    agencies: Vec<AgencyChoice>,
    agency_code: String,
    agency_name: String,
    year: i16,
    editable: bool,
    fields: Vec<TargetField>,
    error: Option<String>,
}

fn target_fields(s: &TargetSheet) -> Vec<TargetField> {
    s.targets
        .iter()
        .map(|t| TargetField {
            metric: t.metric.as_str(),
            label: t.metric.label(),
            unit: match t.metric.unit() {
                motcua_domain::report::target::Unit::Percent => "%",
                motcua_domain::report::target::Unit::PerDay => "hồ sơ/ngày",
            },
            own: match t.source {
                TargetSource::Own => t.value.map(|v| t.metric.format_value(v).trim_end_matches(" %").to_owned()),
                _ => None,
            }
            .unwrap_or_default(),
            fallback: match &t.source {
                TargetSource::Own => "đặt riêng cho đơn vị".into(),
                TargetSource::Inherited(from) => {
                    format!("theo {from}: {}", t.value.map(|v| t.metric.format_value(v)).unwrap_or_default())
                }
                TargetSource::Default => {
                    format!("mặc định: {}", t.value.map(|v| t.metric.format_value(v)).unwrap_or_default())
                }
                TargetSource::Missing => "chưa nhập".into(),
            },
        })
        .collect()
}

async fn targets_page(
    state: &AppState,
    user: &PageUser,
    sheet: &TargetSheet,
    error: Option<(String, &FormPairs)>,
    flash: Option<&str>,
) -> PageResult {
    let mut fields = target_fields(sheet);
    // A refused form shows what was typed, to be corrected, not the stored values.
    if let Some((_, form)) = &error {
        for f in &mut fields {
            f.own = form.text(f.metric);
        }
    }
    // Administrators set targets without reading dossiers: the agencies they see.
    let mut agencies = state.services.reports.report_agencies(&user.principal).await?;
    if agencies.is_empty() {
        agencies = state.services.agencies.list_agencies(&user.principal, false).await?;
    }
    Ok(render(&TargetsPage {
        layout: Layout::new("Chỉ tiêu theo năm", Some(user)).with_flash(flash),
        agencies: agency_choices(&agencies, Some(sheet.agency.code.as_str())),
        agency_code: sheet.agency.code.to_string(),
        agency_name: sheet.agency.name.clone(),
        year: sheet.year,
        editable: sheet.editable,
        fields,
        error: error.map(|(message, _)| message),
    }))
}

pub async fn targets(State(state): State<AppState>, user: PageUser, Query(q): Query<YearQuery>) -> PageResult {
    let year = q.year(state.services.now())?;
    let sheet = state.services.reports.targets((&user.principal).into(), q.agency.as_deref(), year).await?;
    targets_page(&state, &user, &sheet, None, q.msg.as_deref()).await
}

pub async fn save_targets(State(state): State<AppState>, user: PageUser, Meta(meta): Meta, f: FormPairs) -> PageResult {
    let agency = f.text("agency");
    let year = f
        .text("year")
        .trim()
        .parse::<i16>()
        .map_err(|_| crate::error::HttpError::bad_request("invalid_form", "Năm không hợp lệ."))?;
    let values: Vec<(Metric, String)> = Metric::ALL.iter().map(|m| (*m, f.text(m.as_str()))).collect();
    match state.services.reports.set_targets(&user.principal, &agency, year, &values, &meta).await {
        Ok(sheet) => Ok(Redirect::to(&format!(
            "/bao-cao/chi-tieu?agency={}&year={}&msg=targets_saved",
            enc(sheet.agency.code.as_str()),
            sheet.year
        ))
        .into_response()),
        Err(motcua_app::AppError::Validation(v)) => {
            let sheet = state.services.reports.targets((&user.principal).into(), Some(&agency), year).await?;
            let message = v.errors.iter().map(|e| format!("{}: {}", label_of(&e.field), e.message)).collect::<Vec<_>>();
            let mut page = targets_page(&state, &user, &sheet, Some((message.join(" "), &f)), None).await?;
            *page.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(page)
        }
        Err(e) => Err(e.into()),
    }
}

fn label_of(field: &str) -> String {
    Metric::parse(field).map_or_else(|| field.to_owned(), |m| m.label().to_owned())
}
