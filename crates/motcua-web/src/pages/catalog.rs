//! Public catalogue pages (no login): search and browse, a printable page per procedure, form
//! downloads, and the lobby kiosk.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Query, State};
use motcua_app::catalog::{FieldSummary, ProcedureSummary, ProcedureView, SearchResult};

use crate::api::catalog_query::ProcedureQueryInput;
use motcua_domain::catalog::{Level, OnlineLevel, ProcedureContent, Standing};
use motcua_domain::time::format_date;
use serde::Deserialize;

use super::{Choice, Layout};
use crate::auth::MaybeUser;
use crate::error::HttpError;
use crate::respond::{PagePath, PageResult, render};
use crate::state::AppState;

/// A result row as pages show it.
pub struct Row {
    pub code: String,
    pub name: String,
    pub field: String,
    pub time: String,
    pub fees: String,
    pub online: String,
    pub levels: String,
}

impl From<&ProcedureSummary> for Row {
    fn from(s: &ProcedureSummary) -> Self {
        Row {
            code: s.code.clone(),
            name: s.name.clone(),
            field: s.field.name.clone(),
            time: s.processing_time.clone(),
            fees: s.fees.clone(),
            online: s
                .online_level
                .as_deref()
                .and_then(OnlineLevel::parse)
                .map(|o| o.label().to_owned())
                .unwrap_or_default(),
            levels: s.levels.iter().filter_map(|l| Level::parse(l)).map(|l| l.label()).collect::<Vec<_>>().join(", "),
        }
    }
}

/// Links to the other pages of a result list, keeping the filters.
pub struct Pager {
    pub page: usize,
    pub pages: usize,
    pub prev: Option<String>,
    pub next: Option<String>,
}

fn pager(base: &str, q: &ProcedureQueryInput, result: &SearchResult) -> Pager {
    let link = |page: usize| {
        let mut params: Vec<(&str, String)> = Vec::new();
        for (k, v) in
            [("q", &q.q), ("field", &q.field), ("level", &q.level), ("online", &q.online), ("agency", &q.agency)]
        {
            if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
                params.push((k, v.to_owned()));
            }
        }
        params.push(("page", page.to_string()));
        let query = params
            .iter()
            .map(|(k, v)| format!("{k}={}", url::form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>()))
            .collect::<Vec<_>>()
            .join("&");
        format!("{base}?{query}")
    };
    let pages = result.pages();
    Pager {
        page: result.page,
        pages,
        prev: (result.page > 1).then(|| link(result.page - 1)),
        next: (result.page < pages).then(|| link(result.page + 1)),
    }
}

fn choices<T: Copy + PartialEq>(
    all: &[T],
    selected: Option<&str>,
    code: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
) -> Vec<Choice> {
    all.iter()
        .map(|v| Choice {
            value: code(*v).to_owned(),
            label: label(*v).to_owned(),
            selected: selected == Some(code(*v)),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "catalog/index.html")]
struct IndexPage {
    layout: Layout,
    q: String,
    fields: Vec<FieldSummary>,
    field_choices: Vec<Choice>,
    level_choices: Vec<Choice>,
    online_choices: Vec<Choice>,
    agency_name: Option<String>,
    agency: String,
    searched: bool,
    total: usize,
    rows: Vec<Row>,
    pager: Pager,
    error: Option<String>,
    /// "Có phải bạn muốn tìm …": the corrected query and its link (filters kept).
    suggestion: Option<(String, String)>,
}

/// `/thu-tuc`: search and browse.
pub async fn index(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    Query(q): Query<ProcedureQueryInput>,
) -> PageResult {
    let fields = state.services.catalog.catalog_fields().await?;
    let query = match q.parse() {
        Ok(search) => state.services.catalog.procedure_query(&search).await,
        Err(e) => Err(motcua_app::AppError::Validation(e)),
    };
    let (result, error, agency_name) = match query {
        Ok(query) => {
            let name = query.agency.as_ref().map(|a| a.name.clone());
            (state.services.catalog.search_procedures(&query).await?, None, name)
        }
        Err(motcua_app::AppError::Validation(v)) => (
            Arc::new(SearchResult { total: 0, page: 1, per_page: 20, items: vec![], suggestion: None }),
            Some(v.errors.iter().map(|e| e.message.clone()).collect::<Vec<_>>().join(" ")),
            None,
        ),
        Err(e) => return Err(e.into()),
    };
    let searched = [&q.q, &q.field, &q.level, &q.online, &q.agency]
        .iter()
        .any(|v| v.as_deref().is_some_and(|v| !v.trim().is_empty()));
    let field_choices = fields
        .iter()
        .map(|f| Choice {
            value: f.code.clone(),
            label: format!("{} ({})", f.name, f.procedures.unwrap_or(0)),
            selected: q.field.as_deref() == Some(f.code.as_str()),
        })
        .collect();
    render_ok(&IndexPage {
        layout: Layout::new("Thủ tục hành chính", user.as_ref()),
        q: q.q.clone().unwrap_or_default(),
        field_choices,
        level_choices: choices(&[Level::Commune, Level::Province], q.level.as_deref(), Level::as_str, Level::label),
        online_choices: choices(OnlineLevel::ALL, q.online.as_deref(), OnlineLevel::as_str, OnlineLevel::label),
        fields,
        agency_name,
        agency: q.agency.clone().unwrap_or_default(),
        searched,
        total: result.total,
        rows: result.items.iter().map(Row::from).collect(),
        pager: pager("/thu-tuc", &q, &result),
        error,
        suggestion: result.suggestion.clone().map(|s| {
            let mut link = url::form_urlencoded::Serializer::new(String::new());
            link.append_pair("q", &s);
            for (k, v) in [("field", &q.field), ("level", &q.level), ("online", &q.online), ("agency", &q.agency)] {
                if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
                    link.append_pair(k, v);
                }
            }
            (s, format!("/thu-tuc?{}", link.finish()))
        }),
    })
}

fn render_ok(t: &impl Template) -> PageResult {
    Ok(render(t))
}

/// A version's content prepared for reading.
pub struct Detail {
    pub code: String,
    pub content: ProcedureContent,
    pub number: u32,
    pub is_current: bool,
    /// "Đang có hiệu lực", "Đã bị bãi bỏ từ …", …
    pub status: String,
    pub ended: bool,
    pub replaced_by: Option<String>,
    pub decision: String,
    pub levels: String,
    pub channels: String,
    pub online: String,
    pub applicants: String,
    pub agencies: Vec<(String, String, String)>,
    pub versions: Vec<(u32, String, String, bool)>,
    pub query_suffix: String,
}

impl Detail {
    pub fn new(v: &ProcedureView) -> Detail {
        let c = &v.version.content;
        let (status, ended, replaced_by) = match &v.standing {
            Standing::InForce { .. } => ("Đang có hiệu lực".to_owned(), false, None),
            Standing::Ended { kind, since, replaced_by, .. } => (
                format!(
                    "{} {}",
                    match kind {
                        motcua_domain::catalog::ChangeKind::Replaced => "Đã được thay thế",
                        _ => "Đã bị bãi bỏ",
                    },
                    since.map(|d| format!("từ ngày {}", format_date(d))).unwrap_or_default()
                ),
                true,
                replaced_by.as_ref().map(ToString::to_string),
            ),
            Standing::Unpublished { .. } => ("Chưa có hiệu lực".to_owned(), false, None),
        };
        let decision = match &v.version.publication {
            Some(p) => {
                let mut parts = Vec::new();
                if let Some(n) = &p.decision_number {
                    parts.push(format!("Quyết định công bố số {n}"));
                }
                if let Some(d) = p.decision_date {
                    parts.push(format!("ngày {}", format_date(d)));
                }
                if let Some(e) = p.effective_from {
                    parts.push(format!("có hiệu lực từ ngày {}", format_date(e)));
                }
                parts.join(", ")
            }
            None => "Bản nháp (chưa công bố)".to_owned(),
        };
        let join =
            |labels: Vec<&str>| if labels.is_empty() { "Chưa công bố".to_owned() } else { labels.join("; ") };
        Detail {
            code: v.procedure.code.to_string(),
            number: v.version.number,
            is_current: v.is_current(),
            status,
            ended,
            replaced_by,
            decision,
            levels: join(c.levels.iter().map(|l| l.label()).collect()),
            channels: join(c.channels.iter().map(|l| l.label()).collect()),
            online: c.online_level.map(|o| o.label().to_owned()).unwrap_or_else(|| "Chưa công bố".to_owned()),
            applicants: join(c.applicant_types.iter().map(|l| l.label()).collect()),
            agencies: v
                .agencies
                .iter()
                .map(|(a, r)| {
                    let how =
                        motcua_app::catalog::row_channels(r).iter().map(|c| c.label()).collect::<Vec<_>>().join(", ");
                    (a.name.clone(), a.code.to_string(), how)
                })
                .collect(),
            versions: v
                .versions
                .iter()
                .map(|x| {
                    let when = x
                        .publication
                        .as_ref()
                        .and_then(|p| p.effective_from)
                        .map(|d| format!("hiệu lực từ {}", format_date(d)))
                        .unwrap_or_else(|| if x.is_draft() { "bản nháp".into() } else { "đã công bố".into() });
                    (x.number, x.kind.label().to_owned(), when, x.number == v.version.number)
                })
                .collect(),
            query_suffix: if v.is_current() { String::new() } else { format!("?version={}", v.version.number) },
            content: c.clone(),
        }
    }

    pub fn count_text(n: &u32) -> String {
        if *n == 0 { "—".to_owned() } else { format!("{n:02}") }
    }
}

#[derive(Template)]
#[template(path = "catalog/show.html")]
struct ShowPage {
    layout: Layout,
    d: Detail,
    base: &'static str,
}

#[derive(Deserialize)]
pub struct VersionParam {
    version: Option<String>,
}

fn version_param(v: &VersionParam) -> Result<Option<u32>, HttpError> {
    match v.version.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) => s.parse().map(Some).map_err(|_| HttpError::not_found()),
    }
}

/// `/thu-tuc/{code}`: everything a citizen needs, printable.
pub async fn show(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    PagePath(code): PagePath<String>,
    Query(v): Query<VersionParam>,
) -> PageResult {
    let view = state.services.catalog.procedure_view(&code, version_param(&v)?, None).await?;
    let d = Detail::new(&view);
    render_ok(&ShowPage { layout: Layout::new(d.content.name.clone(), user.as_ref()), d, base: "/thu-tuc" })
}

/// `/thu-tuc/{code}/bieu-mau/{file}`: a form template of the version shown.
pub async fn form_file(
    State(state): State<AppState>,
    PagePath((code, file)): PagePath<(String, i64)>,
    Query(v): Query<VersionParam>,
) -> PageResult {
    let (meta, bytes) = state.services.catalog.form_file(&code, version_param(&v)?, file, None).await?;
    Ok(crate::respond::file_download(&meta.file_name, &meta.content_type, bytes))
}

#[derive(Template)]
#[template(path = "kiosk/index.html")]
struct KioskPage {
    title: String,
    idle: u32,
    q: String,
    fields: Vec<FieldSummary>,
    field: String,
    searched: bool,
    total: usize,
    rows: Vec<Row>,
    pager: Pager,
    keys: Vec<Vec<&'static str>>,
}

#[derive(Deserialize)]
pub struct KioskQuery {
    #[serde(flatten)]
    search: ProcedureQueryInput,
    /// A key of the on-screen keyboard pressed without JavaScript.
    key: Option<String>,
}

const KEYS: [&str; 4] = ["1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm"];

/// `/kiosk`: the lobby touch screen. Large type, an on-screen keyboard (works without
/// JavaScript: each key submits the form), back to start after inactivity, no login links.
pub async fn kiosk(State(state): State<AppState>, Query(mut kq): Query<KioskQuery>) -> PageResult {
    if let Some(key) = kq.key.as_deref() {
        let q = kq.search.q.get_or_insert_with(String::new);
        match key {
            "back" => {
                q.pop();
            }
            "clear" => q.clear(),
            "space" => q.push(' '),
            k if k.chars().count() == 1 && k.chars().all(|c| c.is_ascii_alphanumeric()) => q.push_str(k),
            _ => {}
        }
    }
    let q = kq.search.clone();
    let searched =
        [&q.q, &q.field].iter().any(|v| v.as_deref().is_some_and(|v| !v.trim().is_empty())) && kq.key.is_none();
    let query = match (ProcedureQueryInput { per_page: Some("10".into()), agency: None, ..q.clone() }).parse() {
        Ok(search) => state.services.catalog.procedure_query(&search).await,
        Err(e) => Err(motcua_app::AppError::Validation(e)),
    };
    let result = match query {
        Ok(query) if searched => state.services.catalog.search_procedures(&query).await?,
        _ => Arc::new(SearchResult { total: 0, page: 1, per_page: 10, items: vec![], suggestion: None }),
    };
    let keys = KEYS.iter().map(|row| row.split("").filter(|s| !s.is_empty()).collect()).collect();
    render_ok(&KioskPage {
        title: "Tra cứu thủ tục hành chính".into(),
        idle: state.config.kiosk_idle_seconds,
        q: q.q.clone().unwrap_or_default(),
        fields: state.services.catalog.catalog_fields().await?,
        field: q.field.clone().unwrap_or_default(),
        searched,
        total: result.total,
        rows: result.items.iter().map(Row::from).collect(),
        pager: pager("/kiosk", &q, &result),
        keys,
    })
}

#[derive(Template)]
#[template(path = "kiosk/show.html")]
struct KioskShowPage {
    title: String,
    idle: u32,
    d: Detail,
    base: &'static str,
}

/// `/kiosk/thu-tuc/{code}`: the procedure page in kiosk type.
pub async fn kiosk_show(State(state): State<AppState>, PagePath(code): PagePath<String>) -> PageResult {
    let view = state.services.catalog.procedure_view(&code, None, None).await?;
    let d = Detail::new(&view);
    render_ok(&KioskShowPage {
        title: d.content.name.clone(),
        idle: state.config.kiosk_idle_seconds,
        d,
        base: "/kiosk/thu-tuc",
    })
}
