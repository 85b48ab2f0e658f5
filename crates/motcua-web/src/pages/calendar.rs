//! The legal calendar for officials: a year as a month grid with holidays, make-up days and
//! their sources; editing a year (province-wide administrators); an agency's office hours.

use askama::Template;
use axum::extract::{Query, State};

use jiff::civil::{Date, Weekday};
use motcua_app::calendar::describe_schedule;

use crate::api::calendar_input::{EntryInput, ScheduleInput, SeasonInput, YearInput};
use motcua_app::ports::CalendarRevision;
use motcua_domain::agency::{Agency, AgencyId};
use motcua_domain::calendar::holiday::{FIRST_YEAR, LAST_YEAR};
use motcua_domain::calendar::lunar::{self, weekday_name};
use motcua_domain::calendar::{DayKind, YearTable};
use motcua_domain::time::{format_date, format_datetime, vn_date};
use serde::Deserialize;

use super::{FormErrors, Layout};
use crate::api::calendar_input::schedule_to_input;
use crate::auth::PageUser;
use crate::context::Meta;
use crate::respond::{FormPairs, PagePath, PageResult, redirect_or_form, render};
use crate::shapes::origin_str;
use crate::state::AppState;

pub struct DayCell {
    pub day: i8,
    /// CSS classes: `weekend`, `off`, `makeup`, `today`, `blank`.
    pub class: String,
    pub title: String,
    /// Lunar day; `d/m` on the first of a lunar month.
    pub lunar: String,
}

pub struct MonthGrid {
    pub name: String,
    pub weeks: Vec<Vec<DayCell>>,
}

pub struct EntryRow {
    pub date: String,
    pub iso: String,
    pub weekday: &'static str,
    pub kind: &'static str,
    pub off: bool,
    pub name: String,
    pub source: String,
}

pub struct RevisionRow {
    pub revision: i64,
    pub at: String,
    pub by: String,
    pub reason: String,
    pub changed: String,
    pub reset: bool,
}

#[derive(Template)]
#[template(path = "admin/calendar.html")]
struct CalendarPage {
    layout: Layout,
    year: i16,
    prev: Option<i16>,
    next: Option<i16>,
    origin: &'static str,
    origin_label: &'static str,
    revision: i64,
    months: Vec<MonthGrid>,
    entries: Vec<EntryRow>,
    may_edit: bool,
    /// Rows of the edit form (the table in force, or what was submitted) plus blank rows.
    rows: Vec<EntryRow>,
    reason: String,
    history: Vec<RevisionRow>,
    errors: FormErrors,
    weekdays_off: usize,
}

fn origin_label(t: &YearTable) -> &'static str {
    match origin_str(t.origin) {
        "statutory" => "Mặc định theo Bộ luật Lao động (chưa có thông báo của năm)",
        "notice" => "Theo thông báo chính thức kèm theo hệ thống",
        _ => "Đã được quản trị viên cập nhật",
    }
}

fn month_grids(table: &YearTable, today: Date) -> Vec<MonthGrid> {
    (1..=12)
        .map(|m| {
            let first = jiff::civil::date(table.year, m, 1);
            let mut weeks = Vec::new();
            let mut week: Vec<DayCell> = Vec::new();
            let blank = || DayCell { day: 0, class: "blank".into(), title: String::new(), lunar: String::new() };
            for _ in 0..first.weekday().to_monday_zero_offset() {
                week.push(blank());
            }
            let mut d = first;
            while d.month() == m {
                let weekend = matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday);
                let entry = table.entry(d);
                let mut class = match entry.map(|e| e.kind) {
                    Some(DayKind::Off) => "off".to_owned(),
                    Some(DayKind::Working) => "makeup".to_owned(),
                    None if weekend => "weekend".to_owned(),
                    None => String::new(),
                };
                if d == today {
                    class.push_str(" today");
                }
                let lunar = lunar::to_lunar(d)
                    .map(|l| {
                        if l.day == 1 {
                            format!("{}/{}{}", l.day, l.month, if l.leap { "N" } else { "" })
                        } else {
                            l.day.to_string()
                        }
                    })
                    .unwrap_or_default();
                let title = entry.map(|e| format!("{} — {}", e.name, e.source)).unwrap_or_default();
                week.push(DayCell { day: d.day(), class, title, lunar });
                if week.len() == 7 {
                    weeks.push(std::mem::take(&mut week));
                }
                d = d.tomorrow().expect("in range");
            }
            if !week.is_empty() {
                while week.len() < 7 {
                    week.push(blank());
                }
                weeks.push(week);
            }
            MonthGrid { name: format!("Tháng {m}"), weeks }
        })
        .collect()
}

fn entry_rows(table: &YearTable) -> Vec<EntryRow> {
    table
        .entries
        .iter()
        .map(|e| EntryRow {
            date: format_date(e.date),
            iso: e.date.to_string(),
            weekday: weekday_name(e.date.weekday()),
            kind: if e.kind == DayKind::Off { "Nghỉ" } else { "Làm bù" },
            off: e.kind == DayKind::Off,
            name: e.name.clone(),
            source: e.source.clone(),
        })
        .collect()
}

fn revision_row(r: &CalendarRevision) -> RevisionRow {
    RevisionRow {
        revision: r.revision,
        at: format_datetime(r.recorded_at),
        by: r.changed_by.clone().unwrap_or_default(),
        reason: r.reason.clone(),
        changed: r.changed_dates.iter().map(|d| format_date(*d)).collect::<Vec<_>>().join(", "),
        reset: r.entries.is_none(),
    }
}

const BLANK_ROWS: usize = 5;

fn with_blanks(mut rows: Vec<EntryRow>) -> Vec<EntryRow> {
    for _ in 0..BLANK_ROWS {
        rows.push(EntryRow {
            date: String::new(),
            iso: String::new(),
            weekday: "",
            kind: "",
            off: true,
            name: String::new(),
            source: String::new(),
        });
    }
    rows
}

async fn page(
    state: &AppState,
    user: &PageUser,
    year: i16,
    submitted: Option<(Vec<EntryRow>, String)>,
    errors: FormErrors,
) -> Result<CalendarPage, crate::respond::PageError> {
    let view = state.services.calendar.holiday_year(year).await?;
    let history = state.services.calendar.holiday_history(&user.principal, year).await?;
    let today = vn_date(state.services.now());
    let table = &view.table;
    let (rows, reason) = submitted.unwrap_or_else(|| (entry_rows(table), String::new()));
    Ok(CalendarPage {
        layout: Layout::new(format!("Lịch nghỉ năm {year}"), Some(user)),
        year,
        prev: (year > FIRST_YEAR).then(|| year - 1),
        next: (year < LAST_YEAR).then(|| year + 1),
        origin: origin_str(table.origin),
        origin_label: origin_label(table),
        revision: view.revision.unwrap_or(0),
        months: month_grids(table, today),
        entries: entry_rows(table),
        may_edit: state.services.calendar.may_edit_calendar(&user.principal),
        rows: with_blanks(rows),
        reason,
        history: history.iter().rev().map(revision_row).collect(),
        errors,
        weekdays_off: table.weekdays_off().count(),
    })
}

#[derive(Deserialize)]
pub struct YearQuery {
    year: Option<String>,
    msg: Option<String>,
}

pub async fn index(State(state): State<AppState>, user: PageUser, Query(q): Query<YearQuery>) -> PageResult {
    let year = match q.year.as_deref() {
        Some(y) => motcua_app::calendar::parse_year(y)?,
        None => vn_date(state.services.now()).year(),
    };
    let mut p = page(&state, &user, year, None, FormErrors::default()).await?;
    p.layout = p.layout.with_flash(q.msg.as_deref());
    Ok(render(&p))
}

/// The edit form's rows: `date_N`, `kind_N`, `name_N`, `source_N`, `remove_N`; rows without a
/// date or marked for removal are dropped.
fn submitted_rows(f: &FormPairs) -> (Vec<EntryInput>, Vec<EntryRow>) {
    let count = f.int("rows").clamp(0, 500) as usize;
    let mut inputs = Vec::new();
    let mut rows = Vec::new();
    for i in 0..count {
        let date = f.text(&format!("date_{i}"));
        if date.trim().is_empty() || f.checked(&format!("remove_{i}")) {
            continue;
        }
        let kind = f.text(&format!("kind_{i}"));
        let input = EntryInput {
            date: date.clone(),
            kind: kind.clone(),
            name: f.text(&format!("name_{i}")),
            source: f.text(&format!("source_{i}")),
        };
        rows.push(EntryRow {
            date: date.clone(),
            iso: date,
            weekday: "",
            kind: "",
            off: kind != "working",
            name: input.name.clone(),
            source: input.source.clone(),
        });
        inputs.push(input);
    }
    (inputs, rows)
}

pub async fn save(
    State(state): State<AppState>,
    user: PageUser,
    Meta(meta): Meta,
    PagePath(year): PagePath<String>,
    f: FormPairs,
) -> PageResult {
    let year = motcua_app::calendar::parse_year(&year)?;
    let (entries, rows) = submitted_rows(&f);
    let input = YearInput { entries, reason: f.text("reason"), base_revision: f.int("base_revision") };
    // Who may not edit the calendar learns that, not what was wrong with the table.
    if !state.services.calendar.may_edit_calendar(&user.principal) {
        return Err(crate::error::HttpError::forbidden().into());
    }
    let result = match input.parse() {
        Ok(edit) => state.services.calendar.save_holiday_year(&user.principal, year, &edit, &meta).await,
        Err(e) => Err(motcua_app::AppError::Validation(e)),
    };
    redirect_or_form(
        result,
        |_| format!("/admin/calendar?year={year}&msg=calendar_saved"),
        async |errors| page(&state, &user, year, Some((rows, input.reason)), errors).await,
    )
    .await
}

pub async fn reset(
    State(state): State<AppState>,
    user: PageUser,
    Meta(meta): Meta,
    PagePath(year): PagePath<String>,
    f: FormPairs,
) -> PageResult {
    let year = motcua_app::calendar::parse_year(&year)?;
    let result = state
        .services
        .calendar
        .reset_holiday_year(&user.principal, year, &f.text("reason"), f.int("base_revision"), &meta)
        .await;
    redirect_or_form(
        result,
        |_| format!("/admin/calendar?year={year}&msg=calendar_reset"),
        async |errors| page(&state, &user, year, None, errors).await,
    )
    .await
}

#[derive(Template)]
#[template(path = "admin/schedule.html")]
struct SchedulePage {
    layout: Layout,
    agency: Agency,
    description: String,
    inherited_from: Option<String>,
    own: bool,
    version: i64,
    /// Three period rows (blank when unused).
    hours: Vec<(String, String)>,
    /// Season rows of the form: the existing ones plus one blank.
    seasons: Vec<SeasonRow>,
    civil: bool,
    may_edit: bool,
    errors: FormErrors,
}

async fn schedule_page(
    state: &AppState,
    user: &PageUser,
    id: i64,
    submitted: Option<ScheduleInput>,
    errors: FormErrors,
) -> Result<SchedulePage, crate::respond::PageError> {
    let agency = state.services.agencies.get_agency(&user.principal, AgencyId(id)).await?;
    let c = state.services.calendar.agency_calendar(&agency).await?;
    let version = c.own.as_ref().map_or(0, |o| o.version);
    let inherited_from = match c.schedule_from {
        Some(from) if from != agency.id => state.services.snapshot().await?.agency(from).await?.map(|a| a.name),
        Some(_) => None,
        None => Some("Mặc định của hệ thống".to_owned()),
    };
    let form = submitted
        .unwrap_or_else(|| schedule_to_input(c.calendar.schedule(), Some(c.counting.as_str().to_owned()), version));
    let mut seasons: Vec<SeasonRow> = form
        .seasons
        .iter()
        .map(|s| SeasonRow {
            name: s.name.clone(),
            from: s.from.clone(),
            to: s.to.clone(),
            hours: three(s.hours.clone()),
        })
        .collect();
    seasons.push(SeasonRow { name: String::new(), from: String::new(), to: String::new(), hours: three(Vec::new()) });
    let may_edit = state.services.calendar.may_change_agency_hours(&user.principal, &agency);
    Ok(SchedulePage {
        layout: Layout::new(format!("Giờ làm việc — {}", agency.name), Some(user)),
        description: describe_schedule(c.calendar.schedule()),
        inherited_from,
        own: c.own.is_some(),
        civil: form.counting.as_deref() == Some("civil_days"),
        seasons,
        version: form.version,
        hours: three(form.hours),
        agency,
        may_edit,
        errors,
    })
}

pub struct SeasonRow {
    pub name: String,
    pub from: String,
    pub to: String,
    pub hours: Vec<(String, String)>,
}

fn three(mut rows: Vec<(String, String)>) -> Vec<(String, String)> {
    rows.resize(3.max(rows.len()), (String::new(), String::new()));
    rows
}

#[derive(Deserialize)]
pub struct Msg {
    msg: Option<String>,
}

pub async fn schedule(
    State(state): State<AppState>,
    user: PageUser,
    PagePath(id): PagePath<i64>,
    Query(q): Query<Msg>,
) -> PageResult {
    let mut p = schedule_page(&state, &user, id, None, FormErrors::default()).await?;
    p.layout = p.layout.with_flash(q.msg.as_deref());
    Ok(render(&p))
}

fn periods(f: &FormPairs, prefix: &str) -> Vec<(String, String)> {
    (0..3)
        .filter_map(|i| {
            let (a, b) = (f.text(&format!("{prefix}start_{i}")), f.text(&format!("{prefix}end_{i}")));
            (!a.trim().is_empty() || !b.trim().is_empty()).then_some((a, b))
        })
        .collect()
}

pub async fn save_schedule(
    State(state): State<AppState>,
    user: PageUser,
    Meta(meta): Meta,
    PagePath(id): PagePath<i64>,
    f: FormPairs,
) -> PageResult {
    let seasons = (0..f.int("season_rows").clamp(0, 12))
        .filter_map(|i| {
            let name = f.text(&format!("season_name_{i}"));
            if name.trim().is_empty() || f.checked(&format!("season_remove_{i}")) {
                return None;
            }
            Some(SeasonInput {
                name,
                from: f.text(&format!("season_from_{i}")),
                to: f.text(&format!("season_to_{i}")),
                hours: periods(&f, &format!("season_{i}_")),
            })
        })
        .collect();
    let input =
        ScheduleInput { hours: periods(&f, ""), seasons, counting: f.opt("counting"), version: f.int("version") };
    let agency = state.services.agencies.get_agency(&user.principal, AgencyId(id)).await?;
    // Who may not set these hours learns that, not what was wrong with them.
    if !state.services.calendar.may_change_agency_hours(&user.principal, &agency) {
        return Err(crate::error::HttpError::forbidden().into());
    }
    let result = match input.parse() {
        Ok(edit) => state.services.calendar.set_agency_schedule(&user.principal, AgencyId(id), &edit, &meta).await,
        Err(e) => Err(motcua_app::AppError::Validation(e)),
    };
    redirect_or_form(
        result,
        |_| format!("/admin/agencies/{id}/schedule?msg=schedule_saved"),
        async |errors| schedule_page(&state, &user, id, Some(input), errors).await,
    )
    .await
}

pub async fn reset_schedule(
    State(state): State<AppState>,
    user: PageUser,
    Meta(meta): Meta,
    PagePath(id): PagePath<i64>,
    f: FormPairs,
) -> PageResult {
    state.services.agencies.get_agency(&user.principal, AgencyId(id)).await?;
    let result =
        state.services.calendar.clear_agency_schedule(&user.principal, AgencyId(id), f.int("version"), &meta).await;
    redirect_or_form(
        result,
        |()| format!("/admin/agencies/{id}/schedule?msg=schedule_reset"),
        async |errors| schedule_page(&state, &user, id, None, errors).await,
    )
    .await
}
