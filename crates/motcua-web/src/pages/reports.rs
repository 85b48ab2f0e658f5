//! The report pages: Biểu 06 (and 06a) with every number linking to the dossiers behind it,
//! downloads in the official layout, and the list behind a number.

use askama::Template;
use axum::extract::{Query, State};
use motcua_domain::report::Measure;
use motcua_domain::report::form06::{Cells, HEADINGS, Variant, group_number};
use serde::Deserialize;

use super::Layout;
use super::dossiers::{QueueRow, queue_row};
use crate::api::report_input::{ReportInput, today};
use crate::api::reports::CellInput;
use crate::auth::PageUser;
use crate::error::HttpError;
use crate::respond::{PageResult, render};
use crate::state::AppState;

/// One number of the table and where it leads.
pub struct Num {
    pub value: i64,
    /// The list behind it (none for zero).
    pub href: Option<String>,
}

pub struct Line {
    pub number: String,
    pub label: String,
    pub strong: bool,
    pub nums: Vec<Num>,
}

pub struct AgencyChoice {
    pub code: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "reports/form06.html")]
struct Form06Page {
    layout: Layout,
    agencies: Vec<AgencyChoice>,
    period: String,
    calendar: bool,
    form: String,
    error: Option<String>,
    report: Option<Shown>,
}

/// A computed report as the page shows it.
pub struct Shown {
    pub form_number: String,
    pub title: String,
    pub agency: String,
    pub period: String,
    pub lines: Vec<Line>,
    pub note: Option<String>,
    /// The report's own query (for downloads).
    pub query: String,
}

/// The report's parameters as a page's query carries them (every value a string, as a form
/// sends it); the list behind a number adds its cell.
/// The report's parameters as a page's query carries them (every value a string, as a form
/// sends it); the list behind a number adds its cell.
#[derive(Debug, Default, Deserialize)]
pub struct PageInput {
    period: Option<String>,
    calendar: Option<String>,
    from: Option<String>,
    to: Option<String>,
    agency: Option<String>,
    form: Option<String>,
    column: Option<String>,
    /// Instead of a column: a dashboard figure (`report::Measure`), or the near-due dossiers.
    measure: Option<String>,
    near_due: Option<String>,
    field: Option<String>,
    after: Option<String>,
}

impl PageInput {
    fn report_input(&self) -> ReportInput {
        ReportInput {
            period: self.period.clone(),
            calendar: Some(self.calendar.as_deref().is_some_and(|c| c == "true" || c == "on")),
            from: self.from.clone(),
            to: self.to.clone(),
            agency: self.agency.clone(),
            form: self.form.clone(),
            format: None,
        }
    }
}

/// The messages of a refused report request, as one line for the page.
pub(crate) fn messages(e: &motcua_domain::validation::ValidationErrors) -> String {
    e.errors.iter().map(|f| f.message.clone()).collect::<Vec<_>>().join(" ")
}

/// A report request counting calendar periods unless the page says `calendar=false` (the 766
/// index and the dashboard, as DVCQG counts); whether it asked for statutory periods.
pub(crate) fn calendar_input(
    period: &Option<String>,
    calendar: &Option<String>,
    from: &Option<String>,
    to: &Option<String>,
    agency: &Option<String>,
) -> (ReportInput, bool) {
    let statutory = calendar.as_deref() == Some("false");
    let input = ReportInput {
        period: period.clone(),
        calendar: Some(!statutory),
        from: from.clone(),
        to: to.clone(),
        agency: agency.clone(),
        ..ReportInput::default()
    };
    (input, statutory)
}

/// The agencies an official reports on, indented under the widest, `selected` chosen.
pub(crate) fn agency_choices(agencies: &[motcua_domain::agency::Agency], selected: Option<&str>) -> Vec<AgencyChoice> {
    let top = agencies.iter().map(|a| a.path.depth()).min().unwrap_or(0);
    agencies
        .iter()
        .map(|a| AgencyChoice {
            code: a.code.to_string(),
            label: format!("{}{}", "— ".repeat(a.path.depth().saturating_sub(top)), a.name),
            selected: selected == Some(a.code.as_str()),
        })
        .collect()
}

pub(crate) fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The query naming a report (its links and downloads carry it).
fn report_query(period: &motcua_domain::report::ReportPeriod, agency: &str, variant: Variant) -> String {
    format!(
        "period={}&calendar={}&agency={}&form={}",
        enc(&period.key()),
        period.basis() == Some(motcua_domain::report::Basis::Calendar),
        enc(agency),
        variant.as_str()
    )
}

fn nums(cells: &Cells, base: &str, field: Option<&str>) -> Vec<Num> {
    (3u8..=13)
        .zip(cells.values())
        .map(|(column, value)| Num {
            value,
            href: (value != 0).then(|| {
                let field = field.map(|f| format!("&field={}", enc(f))).unwrap_or_default();
                format!("/bao-cao/ho-so?{base}&column={column}{field}")
            }),
        })
        .collect()
}

pub async fn form06(State(state): State<AppState>, user: PageUser, Query(q): Query<PageInput>) -> PageResult {
    let p = &user.principal;
    let agencies = state.services.reports.report_agencies(p).await?;
    let mut page = Form06Page {
        layout: Layout::new("Báo cáo giải quyết TTHC", Some(&user)),
        agencies: Vec::new(),
        period: q.period.clone().unwrap_or_default(),
        calendar: q.report_input().calendar.unwrap_or(false),
        form: q.form.clone().unwrap_or_else(|| "06".into()),
        error: None,
        report: None,
    };
    match q.report_input().parse(today(state.services.now())) {
        Err(e) => page.error = Some(messages(&e)),
        Ok(r) => {
            let report = state.services.reports.form06(p.into(), r.agency.as_deref(), r.period, r.variant).await?;
            page.period = r.period.key();
            let query = report_query(&r.period, report.agency.code.as_str(), report.variant);
            let mut lines = Vec::new();
            for (i, g) in report.table.groups.iter().enumerate() {
                lines.push(Line {
                    number: group_number(i).into(),
                    label: g.tier.label().into(),
                    strong: true,
                    nums: nums(&g.subtotal, &query, None),
                });
                for (j, row) in g.rows.iter().enumerate() {
                    lines.push(Line {
                        number: (j + 1).to_string(),
                        label: row.field.clone(),
                        strong: false,
                        nums: nums(&row.cells, &query, Some(&row.field)),
                    });
                }
            }
            lines.push(Line {
                number: String::new(),
                label: "Tổng cộng".into(),
                strong: true,
                nums: nums(&report.table.total, &query, None),
            });
            page.form = report.variant.as_str().into();
            page.report = Some(Shown {
                form_number: report.variant.form_number().into(),
                title: report.variant.title().into(),
                agency: report.agency.name.clone(),
                period: report.period.describe(),
                lines,
                note: report.note(),
                query,
            });
            page.agencies = agency_choices(&agencies, Some(report.agency.code.as_str()));
        }
    }
    if page.agencies.is_empty() {
        page.agencies = agency_choices(&agencies, q.agency.as_deref());
    }
    Ok(render(&page))
}

#[derive(Template)]
#[template(path = "reports/cell.html")]
struct CellPage {
    layout: Layout,
    heading: String,
    context: String,
    back: String,
    back_label: &'static str,
    rows: Vec<QueueRow>,
    next: Option<String>,
}

pub async fn cell(State(state): State<AppState>, user: PageUser, Query(q): Query<PageInput>) -> PageResult {
    if q.measure.as_deref().is_some_and(|m| !m.is_empty()) || q.near_due.as_deref() == Some("true") {
        return figure(state, user, q).await;
    }
    let r = q.report_input().parse(today(state.services.now())).map_err(motcua_app::AppError::Validation)?;
    let bad = |m: &str| HttpError::bad_request("invalid_query", m.to_owned());
    let column = match q.column.as_deref().filter(|c| !c.is_empty()) {
        None => 3,
        Some(c) => c.parse::<u8>().ok().filter(|c| (3..=13).contains(c)).ok_or_else(|| bad("Cột phải từ 3 đến 13."))?,
    };
    let after = match q.after.as_deref().filter(|a| !a.is_empty()) {
        None => None,
        Some(a) => Some(a.parse::<i64>().map_err(|_| bad("after: số không hợp lệ."))?),
    };
    let c = CellInput { column: Some(column), field: q.field.clone(), after, limit: Some(50) };
    let page = state
        .services
        .reports
        .form06_dossiers(
            (&user.principal).into(),
            r.agency.as_deref(),
            r.period,
            r.variant,
            column,
            c.field.as_deref(),
            c.after,
            50,
        )
        .await?;
    let base = report_query(&r.period, r.agency.as_deref().unwrap_or_default(), r.variant);
    let field = q.field.as_deref().map(|f| format!("&field={}", enc(f))).unwrap_or_default();
    let group = match column {
        3..=6 => "Số hồ sơ nhận giải quyết",
        7..=10 => "Số hồ sơ đã giải quyết",
        _ => "Số hồ sơ đang giải quyết",
    };
    let now = state.services.now();
    Ok(render(&CellPage {
        layout: Layout::new("Hồ sơ sau con số báo cáo", Some(&user)),
        heading: format!("{group}: {} (cột {column})", HEADINGS[usize::from(column) - 1]),
        context: format!(
            "{} · {} · {}{}",
            if r.variant == Variant::Centre { "Biểu II.06a" } else { "Biểu 06" },
            q.field.as_deref().unwrap_or("Tổng cộng"),
            r.period.describe(),
            r.agency.as_deref().map(|a| format!(" · {a}")).unwrap_or_default()
        ),
        back: format!("/bao-cao?{base}"),
        back_label: "Về báo cáo",
        rows: page.dossiers.iter().map(|d| queue_row(d, now)).collect(),
        next: page.next.map(|n| format!("/bao-cao/ho-so?{base}&column={column}{field}&after={n}")),
    }))
}

/// The dossiers behind a dashboard figure.
async fn figure(state: AppState, user: PageUser, q: PageInput) -> PageResult {
    let mut input = q.report_input();
    // The dashboard counts calendar periods unless told otherwise.
    input.calendar = Some(q.calendar.as_deref() != Some("false"));
    let r = input.parse(today(state.services.now())).map_err(motcua_app::AppError::Validation)?;
    let near_due = q.near_due.as_deref() == Some("true");
    let measure = crate::api::dashboard::parse_measure(q.measure.as_deref())?;
    let after = match q.after.as_deref().filter(|a| !a.is_empty()) {
        None => None,
        Some(a) => {
            Some(a.parse::<i64>().map_err(|_| HttpError::bad_request("invalid_query", "after: số không hợp lệ."))?)
        }
    };
    let page = state
        .services
        .reports
        .measure_dossiers(
            (&user.principal).into(),
            r.agency.as_deref(),
            r.period,
            measure,
            near_due,
            q.field.as_deref(),
            after,
            50,
        )
        .await?;
    let calendar = r.period.basis() != Some(motcua_domain::report::Basis::Statutory);
    let base = format!(
        "period={}&calendar={calendar}&agency={}",
        enc(&r.period.key()),
        enc(r.agency.as_deref().unwrap_or_default())
    );
    let which = if near_due { "near_due=true".to_owned() } else { format!("measure={}", measure.as_str()) };
    let field = q.field.as_deref().map(|f| format!("&field={}", enc(f))).unwrap_or_default();
    let now = state.services.now();
    Ok(render(&CellPage {
        layout: Layout::new("Hồ sơ sau con số thống kê", Some(&user)),
        heading: if near_due { "Hồ sơ sắp đến hạn".to_owned() } else { measure.label().to_owned() },
        context: format!(
            "{}{}{}",
            if near_due {
                "Đang giải quyết trong hạn, sắp quá hạn (tính đến lúc này)".to_owned()
            } else {
                r.period.describe()
            },
            q.field.as_deref().map(|f| format!(" · {f}")).unwrap_or_default(),
            r.agency.as_deref().map(|a| format!(" · {a}")).unwrap_or_default()
        ),
        back_label: "Về thống kê",
        back: format!(
            "/thong-ke?period={}&calendar={}&agency={}",
            enc(&r.period.key()),
            if calendar { "" } else { "false" },
            enc(r.agency.as_deref().unwrap_or_default())
        ),
        rows: page
            .dossiers
            .iter()
            .map(|d| {
                let mut row = queue_row(d, now);
                if matches!(measure, Measure::ResolvedNotFullOnline | Measure::ResolvedFullOnline) && !near_due {
                    row.note = d
                        .facts
                        .full_online
                        .filter(|s| !s.is_empty())
                        .map(|s| format!("Không toàn trình: {}", s.describe()));
                }
                row
            })
            .collect(),
        next: page.next.map(|n| format!("/bao-cao/ho-so?{base}&{which}{field}&after={n}")),
    }))
}

#[derive(Template)]
#[template(path = "reports/productivity.html")]
struct ProductivityPage {
    layout: Layout,
    agencies: Vec<AgencyChoice>,
    period: String,
    calendar: bool,
    error: Option<String>,
    report: Option<crate::api::reports::ProductivityDto>,
}

impl ProductivityPage {
    fn num(v: &Option<f64>) -> String {
        v.map_or_else(|| "—".into(), |x| format!("{x:.1}").replace('.', ","))
    }
}

pub async fn productivity(State(state): State<AppState>, user: PageUser, Query(q): Query<PageInput>) -> PageResult {
    let p = &user.principal;
    let shell = report_shell(&state, &user, &q, async |r| {
        let x = state.services.reports.productivity(p.into(), r.agency.as_deref(), r.period).await?;
        Ok(((&x).into(), x.agency.code.to_string()))
    })
    .await?;
    Ok(render(&ProductivityPage {
        layout: Layout::new("Năng suất tiếp nhận hồ sơ", Some(&user)),
        agencies: shell.agencies,
        period: shell.period,
        calendar: shell.calendar,
        error: shell.error,
        report: shell.report,
    }))
}

/// What a report page shows around its report: the agencies the official may pick, the period as
/// typed (or as understood), and either the report or why the input was refused.
struct ReportShell<R> {
    agencies: Vec<AgencyChoice>,
    period: String,
    calendar: bool,
    error: Option<String>,
    report: Option<R>,
}

/// Parses the page's input and runs the report on it; `run` answers the report with the agency
/// it covered (to keep it selected).
async fn report_shell<R>(
    state: &AppState,
    user: &PageUser,
    q: &PageInput,
    run: impl AsyncFnOnce(crate::api::report_input::ReportRequest) -> Result<(R, String), motcua_app::AppError>,
) -> Result<ReportShell<R>, crate::respond::PageError> {
    let agencies = state.services.reports.report_agencies(&user.principal).await?;
    let input = q.report_input();
    let mut shell = ReportShell {
        agencies: Vec::new(),
        period: q.period.clone().unwrap_or_default(),
        calendar: input.calendar.unwrap_or(false),
        error: None,
        report: None,
    };
    let mut selected = q.agency.clone();
    match input.parse(today(state.services.now())) {
        Err(e) => shell.error = Some(messages(&e)),
        Ok(r) => {
            shell.period = r.period.key();
            let (report, agency) = run(r).await?;
            selected = Some(agency);
            shell.report = Some(report);
        }
    }
    shell.agencies = agency_choices(&agencies, selected.as_deref());
    Ok(shell)
}

#[derive(Template)]
#[template(path = "reports/satisfaction.html")]
struct SatisfactionPage {
    layout: Layout,
    agencies: Vec<AgencyChoice>,
    period: String,
    calendar: bool,
    error: Option<String>,
    report: Option<SatisfactionView>,
}

struct SatisfactionView {
    agency: String,
    title: String,
    total: String,
    /// (name, rated, satisfied, rate, average points).
    by_procedure: Vec<(String, i64, i64, String, String)>,
    by_officer: Vec<(String, i64, i64, String, String)>,
}

fn satisfaction_rows(
    rows: &[motcua_app::ports::SatisfactionRow],
    procedure: bool,
) -> Vec<(String, i64, i64, String, String)> {
    rows.iter()
        .map(|x| {
            let name = match (procedure, x.key.is_empty()) {
                (true, _) => format!("{} ({})", x.name, x.key),
                (false, true) => "Không rõ".to_owned(),
                (false, false) => format!("{} ({})", x.name, x.key),
            };
            let rate = super::statistics::pct((x.rated > 0).then(|| x.satisfied as f64 * 100.0 / x.rated as f64));
            let average = if x.rated > 0 {
                format!("{:.1}", x.points as f64 / x.rated as f64).replace('.', ",")
            } else {
                "—".into()
            };
            (name, x.rated, x.satisfied, rate, average)
        })
        .collect()
}

/// `/bao-cao/hai-long`: the citizens' ratings of a period, by procedure and by officer.
pub async fn satisfaction(State(state): State<AppState>, user: PageUser, Query(q): Query<PageInput>) -> PageResult {
    let p = &user.principal;
    let shell = report_shell(&state, &user, &q, async |r| {
        let x = state.services.reports.satisfaction(p.into(), r.agency.as_deref(), r.period).await?;
        let t = x.total;
        let view = SatisfactionView {
            agency: x.agency.name.clone(),
            title: crate::api::reports::PeriodDto::from(&x.period).title,
            total: if t.rated == 0 {
                "chưa có đánh giá".into()
            } else {
                format!(
                    "{} hài lòng ({}/{} lượt đánh giá)",
                    super::statistics::pct(Some(t.satisfied as f64 * 100.0 / t.rated as f64)),
                    t.satisfied,
                    t.rated
                )
            },
            by_procedure: satisfaction_rows(&x.by_procedure, true),
            by_officer: satisfaction_rows(&x.by_officer, false),
        };
        Ok((view, x.agency.code.to_string()))
    })
    .await?;
    Ok(render(&SatisfactionPage {
        layout: Layout::new("Mức độ hài lòng của người dân", Some(&user)),
        agencies: shell.agencies,
        period: shell.period,
        calendar: shell.calendar,
        error: shell.error,
        report: shell.report,
    }))
}

#[derive(Template)]
#[template(path = "reports/petitions.html")]
struct PetitionsReportPage {
    layout: Layout,
    agencies: Vec<AgencyChoice>,
    period: String,
    calendar: bool,
    error: Option<String>,
    report: Option<PetitionsView>,
}

struct PetitionsView {
    agency: String,
    title: String,
    as_of: String,
    query: String,
    /// The report's rows after its heading (section, item, count, in time, late, pending, overdue, rate).
    rows: Vec<Vec<String>>,
}

/// `/bao-cao/phan-anh`: petitions first received in a period, by channel, kind, stage, step
/// and receiving agency, with CSV and XLSX.
pub async fn petitions(State(state): State<AppState>, user: PageUser, Query(q): Query<PageInput>) -> PageResult {
    let p = &user.principal;
    let shell = report_shell(&state, &user, &q, async |r| {
        let x = state.services.petitions.stats(p, r.agency.as_deref(), r.period).await?;
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        query.append_pair("agency", x.agency.code.as_str());
        query.append_pair("period", &x.period.key());
        if q.calendar.is_some() {
            query.append_pair("calendar", "true");
        }
        let view = PetitionsView {
            agency: x.agency.name.clone(),
            title: crate::api::reports::PeriodDto::from(&x.period).title,
            as_of: motcua_domain::time::format_datetime(x.as_of),
            query: query.finish(),
            rows: x.rows().into_iter().skip(1).collect(),
        };
        Ok((view, x.agency.code.to_string()))
    })
    .await?;
    Ok(render(&PetitionsReportPage {
        layout: Layout::new("Tình hình tiếp nhận, xử lý phản ánh, kiến nghị", Some(&user)),
        agencies: shell.agencies,
        period: shell.period,
        calendar: shell.calendar,
        error: shell.error,
        report: shell.report,
    }))
}
