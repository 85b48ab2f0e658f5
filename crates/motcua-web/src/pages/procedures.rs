//! Catalogue management pages: the list, import and export, drafts, publication, amendment,
//! replacement and abolition, history and differences, form templates, agencies' lists.

use askama::Template;
use axum::extract::{Multipart, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use motcua_app::catalog::AgencyCatalogRow;
use motcua_app::catalog::import::ImportFormat;

use crate::api::catalog_input::{EndInput, PublishInput};
use motcua_app::ports::{ImportRecord, ProcedureHead};
use motcua_domain::agency::AgencyId;
use motcua_domain::calendar::TimeUnit;
use motcua_domain::catalog::diff::Change;
use motcua_domain::catalog::{
    ApplicantType, Channel, ChannelTime, Fee, FeeKind, FieldCode, FieldRef, FileRef, FormTemplate, LegalBasis, Level,
    OnlineLevel, ProcedureCase, ProcedureContent, RequiredDocument, ResultDocument, Submission, TimeLimit,
};
use motcua_domain::time::format_datetime;
use motcua_domain::validation::NonBlank;
use motcua_domain::validation::{FieldError, ValidationErrors};
use serde::Deserialize;

use super::catalog::Detail;
use super::{Choice, FormErrors, Layout};
use crate::auth::PageUser;
use crate::context::Meta;
use crate::error::HttpError;
use crate::respond::{FormPairs, PagePath, PageResult, redirect_or_form, render, render_form_error};
use crate::state::AppState;

const PER_PAGE: i64 = 50;

#[derive(Template)]
#[template(path = "admin/procedures.html")]
struct ListPage {
    layout: Layout,
    q: String,
    total: i64,
    heads: Vec<ProcedureHead>,
    page: i64,
    pages: i64,
    imports: Vec<ImportView>,
    errors: FormErrors,
}

/// A row of the recent imports.
struct ImportView {
    i: ImportRecord,
    created_at: String,
}

#[derive(Deserialize)]
pub struct ListQuery {
    q: Option<String>,
    page: Option<i64>,
    msg: Option<String>,
}

async fn list_page(state: &AppState, user: &PageUser, q: Option<String>, page: i64) -> Result<ListPage, HttpError> {
    let (total, heads) = state.services.catalog.procedure_heads(&user.principal, q.as_deref(), page, PER_PAGE).await?;
    Ok(ListPage {
        layout: Layout::new("Quản lý thủ tục hành chính", Some(user)),
        q: q.unwrap_or_default(),
        total,
        heads,
        page,
        pages: ((total + PER_PAGE - 1) / PER_PAGE).max(1),
        imports: state
            .services
            .catalog
            .recent_catalog_imports(&user.principal)
            .await?
            .into_iter()
            .map(|i| ImportView { created_at: format_datetime(i.created_at), i })
            .collect(),
        errors: FormErrors::default(),
    })
}

/// `/admin/procedures`
pub async fn index(State(state): State<AppState>, user: PageUser, Query(q): Query<ListQuery>) -> PageResult {
    let page = q.page.unwrap_or(1).max(1);
    let mut p = list_page(&state, &user, q.q, page).await?;
    p.layout = p.layout.with_flash(q.msg.as_deref());
    Ok(render(&p))
}

/// Reads the one file of a multipart form and its other fields (the CSRF token travels in
/// the action URL and is checked by the auth layer); the file is required.
async fn read_file(mp: Multipart) -> Result<(String, String, Vec<u8>, Vec<(String, String)>), HttpError> {
    let (file, fields) = crate::respond::read_multipart(mp).await?;
    let f = file.ok_or_else(|| {
        HttpError::new(axum::http::StatusCode::UNPROCESSABLE_ENTITY, "file_required", "Chưa chọn tệp.")
    })?;
    Ok((f.file_name, f.content_type, f.bytes, fields))
}

/// `POST /admin/procedures/import` (multipart: `file`): checks the file at once, then queues it
/// and shows its progress page.
pub async fn import(
    State(state): State<AppState>,
    user: PageUser,
    Meta(meta): Meta,
    crate::respond::Upload(mp): crate::respond::Upload,
) -> PageResult {
    state.services.catalog.authorize_catalog(&user.principal)?;
    let (name, _, bytes, _) = read_file(mp).await?;
    let queued = match ImportFormat::of_file(&name) {
        Ok(format) => state.services.catalog.queue_import(&user.principal, &name, format, bytes, &meta).await,
        Err(e) => Err(e),
    };
    match queued {
        Ok(id) => Ok(Redirect::to(&format!("/admin/procedures/imports/{id}")).into_response()),
        Err(e) => {
            let e = crate::respond::form_error(e)?;
            let mut p = list_page(&state, &user, None, 1).await?;
            p.errors = FormErrors::from_http(&e);
            Ok(render_form_error(e, &p))
        }
    }
}

#[derive(Template)]
#[template(path = "admin/procedure_import.html")]
struct ImportPage {
    layout: Layout,
    i: ImportRecord,
    /// Percent written, while running in this process.
    percent: Option<usize>,
    done: usize,
    total: usize,
    created_at: String,
    finished_at: String,
}

/// `GET /admin/procedures/imports/{id}`: status and progress; reloads itself until finished.
pub async fn import_status(State(state): State<AppState>, user: PageUser, PagePath(id): PagePath<i64>) -> PageResult {
    let view = state.services.catalog.catalog_import(&user.principal, id).await?;
    let i = view.record;
    let mut layout = Layout::new(format!("Nhập thủ tục từ tệp {}", i.file_name), Some(&user));
    if !i.status.is_finished() {
        layout.refresh = Some(2);
    }
    let (done, total) = view.progress.unwrap_or((0, usize::try_from(i.row_count).unwrap_or(0)));
    Ok(render(&ImportPage {
        layout,
        percent: view.progress.map(|(d, t)| (d * 100).checked_div(t).unwrap_or(100)),
        done,
        total,
        created_at: format_datetime(i.created_at),
        finished_at: i.finished_at.map(format_datetime).unwrap_or_default(),
        i,
    }))
}

/// `GET /admin/procedures/export?format=`
pub async fn export(State(state): State<AppState>, _user: PageUser, Query(q): Query<ExportParam>) -> Response {
    match crate::api::catalog::export_response(&state, q.format.as_deref()).await {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}

#[derive(Deserialize)]
pub struct ExportParam {
    format: Option<String>,
}

/// A case row of the edit form.
pub struct CaseForm {
    pub i: usize,
    pub name: String,
    pub amount: String,
    pub unit: String,
    pub cutoff: String,
    pub online: String,
    pub postal: String,
    pub text: String,
    pub docs: Vec<DocForm>,
    pub fees: Vec<FeeForm>,
}

pub struct DocForm {
    pub j: usize,
    pub d: RequiredDocument,
}

pub struct FeeForm {
    pub j: usize,
    pub kind: String,
    pub name: String,
    pub amount: String,
    pub unit: String,
    pub note: String,
}

fn blank_doc() -> RequiredDocument {
    RequiredDocument {
        name: String::new(),
        originals: 1,
        copies: 0,
        form: None,
        digitization_required: false,
        from_data_store: false,
        submission: Submission::Submit,
        channels: vec![],
        note: None,
    }
}

fn case_forms(c: &ProcedureContent) -> Vec<CaseForm> {
    let mut cases: Vec<ProcedureCase> = c.cases.clone();
    cases.push(ProcedureCase { name: String::new(), time: TimeLimit::default(), fees: vec![], documents: vec![] });
    cases
        .into_iter()
        .enumerate()
        .map(|(i, case)| {
            let per = |ch: Channel| {
                case.time.by_channel.iter().find(|b| b.channel == ch).map(|b| b.amount.to_string()).unwrap_or_default()
            };
            let mut docs: Vec<RequiredDocument> = case.documents.clone();
            docs.extend((0..3).map(|_| blank_doc()));
            let mut fees: Vec<FeeForm> = case
                .fees
                .iter()
                .map(|f| FeeForm {
                    j: 0,
                    kind: f.kind.as_str().into(),
                    name: f.name.clone(),
                    amount: f.amount_vnd.map(|a| a.to_string()).unwrap_or_default(),
                    unit: f.unit.clone().unwrap_or_default(),
                    note: f.note.clone().unwrap_or_default(),
                })
                .collect();
            fees.extend((0..2).map(|_| FeeForm {
                j: 0,
                kind: "charge".into(),
                name: String::new(),
                amount: String::new(),
                unit: String::new(),
                note: String::new(),
            }));
            for (j, f) in fees.iter_mut().enumerate() {
                f.j = j;
            }
            CaseForm {
                i,
                online: per(Channel::Online),
                postal: per(Channel::Postal),
                name: case.name,
                amount: case.time.amount.map(|a| a.to_string()).unwrap_or_default(),
                unit: case.time.unit.map(|u| u.as_str().to_owned()).unwrap_or_default(),
                cutoff: case.time.cutoff.map(|c| c.to_string()).unwrap_or_default(),
                text: case.time.text.unwrap_or_default(),
                docs: docs.into_iter().enumerate().map(|(j, d)| DocForm { j, d }).collect(),
                fees,
            }
        })
        .collect()
}

fn unit_choices() -> Vec<(String, String)> {
    TimeUnit::ALL.iter().map(|u| (u.as_str().to_owned(), u.label().to_owned())).collect()
}

/// Reads the edit form into a content; every problem is collected.
fn content_from_form(f: &FormPairs) -> Result<ProcedureContent, ValidationErrors> {
    let mut e = ValidationErrors::new();
    let field_name = f.text("field_name").trim().to_owned();
    let field_code = match f.opt("field_code") {
        Some(c) => e.check(FieldCode::parse(&c)).unwrap_or_else(|| FieldCode::from_name(&field_name)),
        None => FieldCode::from_name(&field_name),
    };
    let mut cases = Vec::new();
    for i in 0..50 {
        let p = |k: &str| format!("case.{i}.{k}");
        if f.get(&p("name")).is_none() {
            break;
        }
        let name = f.text(&p("name")).trim().to_owned();
        let mut documents = Vec::new();
        for j in 0..200 {
            let d = |k: &str| format!("case.{i}.doc.{j}.{k}");
            if f.get(&d("name")).is_none() {
                break;
            }
            let dname = f.text(&d("name")).trim().to_owned();
            if dname.is_empty() {
                continue;
            }
            let mut num = |k: &str| -> u32 {
                match f.get(&d(k)).non_blank() {
                    None => 0,
                    Some(s) => s.parse().unwrap_or_else(|_| {
                        e.push(FieldError::new(d(k), "invalid_number", "Số bản phải là số nguyên."));
                        0
                    }),
                }
            };
            let (originals, copies) = (num("originals"), num("copies"));
            let file = match (f.get(&d("file_id")).and_then(|v| v.parse::<i64>().ok()), f.opt(&d("file_name"))) {
                (Some(id), Some(file_name)) => Some(FileRef { id, file_name }),
                _ => None,
            };
            documents.push(RequiredDocument {
                name: dname,
                originals,
                copies,
                form: f.opt(&d("form")).map(|name| FormTemplate { name, file }),
                digitization_required: f.checked(&d("digitize")),
                from_data_store: f.checked(&d("store")),
                submission: if f.checked(&d("show")) { Submission::Show } else { Submission::Submit },
                channels: f.all(&d("channels")).iter().filter_map(|c| Channel::parse(c)).collect(),
                note: f.opt(&d("note")),
            });
        }
        let mut fees = Vec::new();
        for j in 0..50 {
            let k = |x: &str| format!("case.{i}.fee.{j}.{x}");
            if f.get(&k("name")).is_none() {
                break;
            }
            let Some(fname) = f.opt(&k("name")) else { continue };
            let amount_vnd = match f.opt(&k("amount")) {
                None => None,
                Some(a) => {
                    let digits: String = a.chars().filter(|c| !matches!(c, '.' | ' ')).collect();
                    match digits.parse() {
                        Ok(v) => Some(v),
                        Err(_) => {
                            e.push(FieldError::new(
                                k("amount"),
                                "invalid_number",
                                "Mức thu phải là số đồng (để trống nếu chưa công bố).",
                            ));
                            None
                        }
                    }
                }
            };
            fees.push(Fee {
                kind: FeeKind::parse(&f.text(&k("kind"))).unwrap_or(FeeKind::Charge),
                name: fname,
                amount_vnd,
                unit: f.opt(&k("unit")),
                note: f.opt(&k("note")),
            });
        }
        if name.is_empty() && documents.is_empty() && fees.is_empty() {
            continue;
        }
        let unit = f.opt(&p("unit")).and_then(|u| u.parse::<TimeUnit>().ok());
        let amount = match f.opt(&p("amount")) {
            None => None,
            Some(a) => a.parse().map(Some).unwrap_or_else(|_| {
                e.push(FieldError::new(p("amount"), "invalid_number", "Thời hạn phải là số nguyên."));
                None
            }),
        };
        let cutoff = match f.opt(&p("cutoff")) {
            None if unit == Some(TimeUnit::SameDay) => Some(motcua_domain::calendar::deadline::DEFAULT_CUTOFF),
            None => None,
            Some(c) => c.parse().map(Some).unwrap_or_else(|m: String| {
                e.push(FieldError::new(p("cutoff"), "invalid_time", m));
                None
            }),
        };
        let mut by_channel = Vec::new();
        for (key, channel) in [("online", Channel::Online), ("postal", Channel::Postal)] {
            if let Some(a) = f.opt(&p(key)) {
                match (a.parse::<u32>(), unit) {
                    (Ok(amount), Some(unit)) => by_channel.push(ChannelTime { channel, amount, unit }),
                    _ => e.push(FieldError::new(
                        p(key),
                        "invalid_number",
                        "Thời hạn theo kênh cần số nguyên và đơn vị thời gian.",
                    )),
                }
            }
        }
        cases.push(ProcedureCase {
            name,
            time: TimeLimit { amount, unit, cutoff, text: f.opt(&p("text")), by_channel },
            fees,
            documents,
        });
    }
    let results = f
        .text("results")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|line| match line.rsplit_once('[') {
            Some((n, c)) if c.ends_with(']') => ResultDocument {
                name: n.trim().into(),
                code: Some(c.trim_end_matches(']').trim().into()).filter(|c: &String| !c.is_empty()),
            },
            _ => ResultDocument { name: line.into(), code: None },
        })
        .collect();
    let content = ProcedureContent {
        name: f.text("name").trim().to_owned(),
        field: FieldRef { code: field_code, name: field_name },
        levels: f.all("levels").iter().filter_map(|l| Level::parse(l)).collect(),
        implementing_agencies: f.opt("implementing_agencies"),
        cases,
        results,
        steps: f.opt("steps"),
        conditions: f.opt("conditions"),
        legal_basis: f
            .text("legal_basis")
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(|l| match l.split_once(" - ") {
                Some((n, t)) => LegalBasis { number: n.trim().into(), title: Some(t.trim().into()) },
                None => LegalBasis { number: l.into(), title: None },
            })
            .collect(),
        online_level: f.opt("online_level").and_then(|o| OnlineLevel::parse(&o)),
        channels: f.all("channels").iter().filter_map(|c| Channel::parse(c)).collect(),
        location_independent: f.checked("location_independent"),
        interagency: f.checked("interagency"),
        applicant_types: f.all("applicant_types").iter().filter_map(|a| ApplicantType::parse(a)).collect(),
        notes: f.opt("notes"),
    };
    if let Err(more) = content.validate() {
        e.errors.extend(more.errors);
    }
    e.into_result().map(|()| content)
}

fn multi<T: Copy + PartialEq>(
    all: &[T],
    chosen: &[T],
    code: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
) -> Vec<Choice> {
    all.iter()
        .map(|v| Choice { value: code(*v).into(), label: label(*v).into(), selected: chosen.contains(v) })
        .collect()
}

#[derive(Template)]
#[template(path = "admin/procedure_edit.html")]
struct EditPage {
    layout: Layout,
    /// `None` for a new procedure.
    code: Option<String>,
    number: u32,
    revision: i64,
    c: ProcedureContent,
    code_input: String,
    levels: Vec<Choice>,
    channels: Vec<Choice>,
    applicants: Vec<Choice>,
    online: Vec<Choice>,
    units: Vec<(String, String)>,
    cases: Vec<CaseForm>,
    legal_text: String,
    results_text: String,
    gaps: Vec<&'static str>,
    errors: FormErrors,
}

fn empty_content() -> ProcedureContent {
    ProcedureContent {
        name: String::new(),
        field: FieldRef { code: FieldCode::from_name("khác"), name: String::new() },
        levels: vec![],
        implementing_agencies: None,
        cases: vec![ProcedureCase {
            name: motcua_app::catalog::rows::DEFAULT_CASE.into(),
            time: TimeLimit::default(),
            fees: vec![],
            documents: vec![],
        }],
        results: vec![],
        steps: None,
        conditions: None,
        legal_basis: vec![],
        online_level: None,
        channels: vec![],
        location_independent: false,
        interagency: false,
        applicant_types: vec![],
        notes: None,
    }
}

fn edit_page(
    user: &PageUser,
    code: Option<String>,
    number: u32,
    revision: i64,
    c: ProcedureContent,
    code_input: String,
    errors: FormErrors,
) -> EditPage {
    let title = match &code {
        Some(code) => format!("Bản nháp {code} – phiên bản {number}"),
        None => "Thêm thủ tục".to_owned(),
    };
    EditPage {
        layout: Layout::new(title, Some(user)),
        levels: multi(Level::ALL, &c.levels, Level::as_str, Level::label),
        channels: multi(Channel::ALL, &c.channels, Channel::as_str, Channel::label),
        applicants: multi(ApplicantType::ALL, &c.applicant_types, ApplicantType::as_str, ApplicantType::label),
        online: OnlineLevel::ALL
            .iter()
            .map(|o| Choice { value: o.as_str().into(), label: o.label().into(), selected: c.online_level == Some(*o) })
            .collect(),
        units: unit_choices(),
        cases: case_forms(&c),
        legal_text: c
            .legal_basis
            .iter()
            .map(|l| match &l.title {
                Some(t) => format!("{} - {t}", l.number),
                None => l.number.clone(),
            })
            .collect::<Vec<_>>()
            .join("\n"),
        results_text: c
            .results
            .iter()
            .map(|r| match &r.code {
                Some(code) => format!("{} [{code}]", r.name),
                None => r.name.clone(),
            })
            .collect::<Vec<_>>()
            .join("\n"),
        gaps: c.publication_gaps(),
        code,
        number,
        revision,
        c,
        code_input,
        errors,
    }
}

/// `GET /admin/procedures/new`
pub async fn new_form(State(state): State<AppState>, user: PageUser) -> PageResult {
    if !state.services.catalog.may_manage_catalog(Some(&user.principal)) {
        return Err(HttpError::forbidden().into());
    }
    Ok(render(&edit_page(&user, None, 1, 0, empty_content(), String::new(), FormErrors::default())))
}

/// `POST /admin/procedures`
pub async fn create(State(state): State<AppState>, user: PageUser, Meta(meta): Meta, form: FormPairs) -> PageResult {
    state.services.catalog.authorize_catalog(&user.principal)?;
    let code = form.text("code");
    let result = match content_from_form(&form) {
        Ok(c) => {
            state.services.catalog.create_procedure(&user.principal, &code, c, &meta).await.map_err(HttpError::from)
        }
        Err(v) => Err(HttpError::from(motcua_app::AppError::Validation(v))),
    };
    let back = content_from_form_lossy(&form);
    redirect_or_form(
        result,
        |_| format!("/admin/procedures/{}?msg=procedure_created", code.trim()),
        async |errors| Ok::<_, HttpError>(edit_page(&user, None, 1, 0, back, code.clone(), errors)),
    )
    .await
}

/// What the officer typed, even when invalid, to show the form again.
fn content_from_form_lossy(form: &FormPairs) -> ProcedureContent {
    content_from_form(form).unwrap_or_else(|_| {
        let mut c = empty_content();
        c.name = form.text("name");
        c.field.name = form.text("field_name");
        c.steps = form.opt("steps");
        c.notes = form.opt("notes");
        c
    })
}

#[derive(Template)]
#[template(path = "admin/procedure.html")]
struct ShowPage {
    layout: Layout,
    d: Detail,
    code: String,
    versions: Vec<motcua_app::ports::VersionRecord>,
    has_draft: bool,
    in_force: bool,
    latest: u32,
    errors: FormErrors,
    base: &'static str,
}

impl ShowPage {
    fn date(d: &jiff::civil::Date) -> String {
        motcua_domain::time::format_date(*d)
    }
}

#[derive(Deserialize)]
pub struct MsgQuery {
    msg: Option<String>,
}

async fn show_page(state: &AppState, user: &PageUser, code: &str, errors: FormErrors) -> Result<ShowPage, HttpError> {
    let view = state.services.catalog.procedure_view(code, None, Some(&user.principal)).await?;
    if !state.services.catalog.may_manage_catalog(Some(&user.principal)) {
        return Err(HttpError::forbidden());
    }
    Ok(ShowPage {
        layout: Layout::new(format!("Thủ tục {code}"), Some(user)),
        has_draft: view.versions.iter().any(|v| v.is_draft()),
        in_force: view.standing.is_in_force(),
        latest: view.versions.last().map_or(1, |v| v.number),
        code: view.procedure.code.to_string(),
        versions: view.versions.clone(),
        d: Detail::new(&view),
        errors,
        base: "/thu-tuc",
    })
}

/// `GET /admin/procedures/{code}`: history and actions.
pub async fn show(
    State(state): State<AppState>,
    user: PageUser,
    PagePath(code): PagePath<String>,
    Query(q): Query<MsgQuery>,
) -> PageResult {
    let mut p = show_page(&state, &user, &code, FormErrors::default()).await?;
    p.layout = p.layout.with_flash(q.msg.as_deref());
    Ok(render(&p))
}

/// `GET /admin/procedures/{code}/versions/{n}`: edit a draft (or read a published version).
pub async fn version(
    State(state): State<AppState>,
    user: PageUser,
    PagePath((code, n)): PagePath<(String, u32)>,
    Query(q): Query<MsgQuery>,
) -> PageResult {
    let view = state.services.catalog.procedure_view(&code, Some(n), Some(&user.principal)).await?;
    if !state.services.catalog.may_manage_catalog(Some(&user.principal)) {
        return Err(HttpError::forbidden().into());
    }
    if !view.version.is_draft() {
        return Ok(Redirect::to(&format!("/thu-tuc/{code}?version={n}")).into_response());
    }
    let mut p = edit_page(
        &user,
        Some(view.procedure.code.to_string()),
        n,
        view.version.revision,
        view.version.content.clone(),
        String::new(),
        FormErrors::default(),
    );
    p.layout = p.layout.with_flash(q.msg.as_deref());
    Ok(render(&p))
}

/// `POST /admin/procedures/{code}/versions/{n}`: save the draft.
pub async fn save(
    State(state): State<AppState>,
    user: PageUser,
    Meta(meta): Meta,
    PagePath((code, n)): PagePath<(String, u32)>,
    form: FormPairs,
) -> PageResult {
    state.services.catalog.authorize_catalog(&user.principal)?;
    let revision = form.int("revision");
    let result = match content_from_form(&form) {
        Ok(c) => state
            .services
            .catalog
            .save_draft(&user.principal, &code, n, c, revision, &meta)
            .await
            .map_err(HttpError::from),
        Err(v) => Err(HttpError::from(motcua_app::AppError::Validation(v))),
    };
    let back = content_from_form_lossy(&form);
    redirect_or_form(
        result,
        |_| format!("/admin/procedures/{code}/versions/{n}?msg=draft_saved"),
        async |errors| {
            Ok::<_, HttpError>(edit_page(&user, Some(code.clone()), n, revision, back, String::new(), errors))
        },
    )
    .await
}

/// `POST /admin/procedures/{code}/versions/{n}/publish`
pub async fn publish(
    State(state): State<AppState>,
    user: PageUser,
    Meta(meta): Meta,
    PagePath((code, n)): PagePath<(String, u32)>,
    form: FormPairs,
) -> PageResult {
    // Who may not publish learns that, not what was wrong with the decision.
    state.services.catalog.authorize_catalog(&user.principal)?;
    let result = match publish_input(&form).parse() {
        Ok(decision) => {
            state
                .services
                .catalog
                .publish_draft(&user.principal, &code, n, form.int("revision"), &decision, &meta)
                .await
        }
        Err(e) => Err(motcua_app::AppError::Validation(e)),
    };
    redirect_or_form(
        result,
        |_| format!("/admin/procedures/{code}?msg=procedure_published"),
        async |errors| show_page(&state, &user, &code, errors).await,
    )
    .await
}

fn publish_input(form: &FormPairs) -> PublishInput {
    PublishInput {
        decision_number: form.text("decision_number"),
        decision_date: form.text("decision_date"),
        signer: form.text("signer"),
        effective_from: form.text("effective_from"),
        legal_basis_effective_on: form.opt("legal_basis_effective_on"),
        portal_published_on: form.opt("portal_published_on"),
    }
}

/// `POST /admin/procedures/{code}/versions/{n}/discard`
pub async fn discard(
    State(state): State<AppState>,
    user: PageUser,
    Meta(meta): Meta,
    PagePath((code, n)): PagePath<(String, u32)>,
    form: FormPairs,
) -> PageResult {
    let result = state.services.catalog.discard_draft(&user.principal, &code, n, form.int("revision"), &meta).await;
    redirect_or_form(
        result,
        |_| format!("/admin/procedures/{code}?msg=draft_discarded"),
        async |errors| show_page(&state, &user, &code, errors).await,
    )
    .await
}

/// `POST /admin/procedures/{code}/amend`
pub async fn amend(
    State(state): State<AppState>,
    user: PageUser,
    Meta(meta): Meta,
    PagePath(code): PagePath<String>,
    _form: FormPairs,
) -> PageResult {
    let result = state.services.catalog.start_amendment(&user.principal, &code, &meta).await;
    redirect_or_form(
        result,
        |v| format!("/admin/procedures/{code}/versions/{}?msg=amendment_started", v.number),
        async |errors| show_page(&state, &user, &code, errors).await,
    )
    .await
}

/// `POST /admin/procedures/{code}/end`: abolish or replace.
pub async fn end(
    State(state): State<AppState>,
    user: PageUser,
    Meta(meta): Meta,
    PagePath(code): PagePath<String>,
    form: FormPairs,
) -> PageResult {
    state.services.catalog.authorize_catalog(&user.principal)?;
    let input = EndInput { decision: publish_input(&form), replaced_by: form.opt("replaced_by") };
    let result = match input.parse() {
        Ok(ending) => state.services.catalog.end_procedure(&user.principal, &code, &ending, &meta).await,
        Err(e) => Err(motcua_app::AppError::Validation(e)),
    };
    redirect_or_form(
        result,
        |_| format!("/admin/procedures/{code}?msg=procedure_ended"),
        async |errors| show_page(&state, &user, &code, errors).await,
    )
    .await
}

#[derive(Template)]
#[template(path = "admin/procedure_diff.html")]
struct DiffPage {
    layout: Layout,
    code: String,
    from: u32,
    to: u32,
    changes: Vec<Change>,
}

#[derive(Deserialize)]
pub struct DiffParams {
    from: Option<u32>,
    to: Option<u32>,
}

/// `GET /admin/procedures/{code}/diff?from=&to=`
pub async fn diff(
    State(state): State<AppState>,
    user: PageUser,
    PagePath(code): PagePath<String>,
    Query(q): Query<DiffParams>,
) -> PageResult {
    let (Some(from), Some(to)) = (q.from, q.to) else {
        return Err(HttpError::bad_request("invalid_query", "Chọn hai phiên bản để so sánh.").into());
    };
    let changes = state.services.catalog.version_diff(Some(&user.principal), &code, from, to).await?;
    Ok(render(&DiffPage {
        layout: Layout::new(format!("So sánh phiên bản {from} và {to} – {code}"), Some(&user)),
        code,
        from,
        to,
        changes,
    }))
}

/// `POST /admin/procedures/{code}/versions/{n}/form-file` (multipart: `doc` = "case.doc", `file`).
pub async fn attach_form(
    State(state): State<AppState>,
    user: PageUser,
    Meta(meta): Meta,
    PagePath((code, n)): PagePath<(String, u32)>,
    crate::respond::Upload(mp): crate::respond::Upload,
) -> PageResult {
    state.services.catalog.authorize_catalog(&user.principal)?;
    let (name, content_type, bytes, fields) = read_file(mp).await?;
    let get = |k: &str| fields.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
    let view = state.services.catalog.procedure_view(&code, Some(n), Some(&user.principal)).await?;
    // Refused before the file is stored, so a refused upload leaves nothing behind.
    if !view.version.is_draft() {
        return Err(HttpError::new(
            axum::http::StatusCode::CONFLICT,
            "catalog_lifecycle",
            format!("Phiên bản {n} đã công bố; chỉ đính kèm biểu mẫu vào bản nháp."),
        )
        .into());
    }
    let mut content = view.version.content.clone();
    let (ci, di) = get("doc")
        .split_once('.')
        .and_then(|(a, b)| Some((a.parse::<usize>().ok()?, b.parse::<usize>().ok()?)))
        .ok_or_else(|| HttpError::bad_request("invalid_form", "Chọn giấy tờ cần đính kèm biểu mẫu."))?;
    let doc = content.cases.get_mut(ci).and_then(|c| c.documents.get_mut(di)).ok_or_else(HttpError::not_found)?;
    let file = state.services.catalog.upload_form_file(&user.principal, &name, &content_type, &bytes, &meta).await?;
    let form_name = doc.form.as_ref().map(|f| f.name.clone()).unwrap_or_else(|| doc.name.clone());
    doc.form = Some(FormTemplate { name: form_name, file: Some(file) });
    state.services.catalog.save_draft(&user.principal, &code, n, content, view.version.revision, &meta).await?;
    Ok(Redirect::to(&format!("/admin/procedures/{code}/versions/{n}?msg=form_attached")).into_response())
}

#[derive(Template)]
#[template(path = "admin/agency_procedures.html")]
struct AgencyListPage {
    layout: Layout,
    agency: motcua_domain::agency::Agency,
    rows: Vec<(String, String, AgencyCatalogRow)>,
    text: String,
    errors: FormErrors,
}

async fn agency_page(
    state: &AppState,
    user: &PageUser,
    id: i64,
    errors: FormErrors,
    text: Option<String>,
) -> Result<AgencyListPage, HttpError> {
    let (agency, entries) = state.services.catalog.agency_catalog(&user.principal, AgencyId(id)).await?;
    let out: Vec<(String, String, AgencyCatalogRow)> =
        entries.iter().map(|e| (e.code.to_string(), e.name.clone(), AgencyCatalogRow::from(e))).collect();
    let text = text.unwrap_or_else(|| {
        out.iter()
            .map(|(c, _, r)| {
                let mut flags = Vec::new();
                if r.desk {
                    flags.push("tructiep");
                }
                if r.online {
                    flags.push("tructuyen");
                }
                if r.postal {
                    flags.push("buuchinh");
                }
                if r.resolves {
                    flags.push("giaiquyet");
                }
                format!("{c} {}", flags.join(","))
            })
            .collect::<Vec<_>>()
            .join("\n")
    });
    Ok(AgencyListPage {
        layout: Layout::new(format!("Danh mục thủ tục – {}", agency.name), Some(user)),
        agency,
        rows: out,
        text,
        errors,
    })
}

/// `GET /admin/agencies/{id}/procedures`
pub async fn agency_list(
    State(state): State<AppState>,
    user: PageUser,
    PagePath(id): PagePath<i64>,
    Query(q): Query<MsgQuery>,
) -> PageResult {
    let mut p = agency_page(&state, &user, id, FormErrors::default(), None).await?;
    p.layout = p.layout.with_flash(q.msg.as_deref());
    Ok(render(&p))
}

/// One line per procedure: `CODE flags` with flags among tructiep, tructuyen, buuchinh, giaiquyet.
fn parse_agency_lines(text: &str) -> Result<Vec<AgencyCatalogRow>, ValidationErrors> {
    let mut e = ValidationErrors::new();
    let mut rows = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let (code, flags) = line.split_once(char::is_whitespace).unwrap_or((line, "tructiep,giaiquyet"));
        let mut row =
            AgencyCatalogRow { code: code.to_owned(), desk: false, postal: false, online: false, resolves: false };
        for f in flags.split([',', ' ']).map(str::trim).filter(|f| !f.is_empty()) {
            match f {
                "tructiep" => row.desk = true,
                "tructuyen" => row.online = true,
                "buuchinh" => row.postal = true,
                "giaiquyet" => row.resolves = true,
                other => e.push(FieldError::new(
                    format!("dòng {}", i + 1),
                    "invalid_flag",
                    format!("\"{other}\": dùng tructiep, tructuyen, buuchinh, giaiquyet."),
                )),
            }
        }
        rows.push(row);
    }
    e.into_result().map(|()| rows)
}

/// `POST /admin/agencies/{id}/procedures`
pub async fn agency_save(
    State(state): State<AppState>,
    user: PageUser,
    Meta(meta): Meta,
    PagePath(id): PagePath<i64>,
    form: FormPairs,
) -> PageResult {
    let text = form.text("list");
    let result = match parse_agency_lines(&text) {
        Ok(rows) => state
            .services
            .catalog
            .set_agency_catalog(&user.principal, AgencyId(id), &rows, &meta)
            .await
            .map_err(HttpError::from),
        Err(v) => Err(HttpError::from(motcua_app::AppError::Validation(v))),
    };
    redirect_or_form(
        result,
        |_| format!("/admin/agencies/{id}/procedures?msg=agency_catalog_saved"),
        async |errors| agency_page(&state, &user, id, errors, Some(text.clone())).await,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agency_lines() {
        let rows = parse_agency_lines("1.001193 tructiep,tructuyen\n\n1.000656").unwrap();
        assert!(rows[0].desk && rows[0].online && !rows[0].resolves);
        assert!(rows[1].desk && rows[1].resolves);
        assert!(parse_agency_lines("1.001193 fax").is_err());
    }

    #[test]
    fn edit_form_round_trip() {
        let mut pairs = vec![
            ("name".to_owned(), "Đăng ký khai sinh".to_owned()),
            ("field_name".to_owned(), "Hộ tịch".to_owned()),
            ("levels".to_owned(), "commune".to_owned()),
            ("channels".to_owned(), "desk".to_owned()),
            ("channels".to_owned(), "online".to_owned()),
            ("case.0.name".to_owned(), "Trường hợp chung".to_owned()),
            ("case.0.amount".to_owned(), "".to_owned()),
            ("case.0.unit".to_owned(), "same_day".to_owned()),
            ("case.0.doc.0.name".to_owned(), "Tờ khai".to_owned()),
            ("case.0.doc.0.originals".to_owned(), "1".to_owned()),
            ("case.0.doc.0.digitize".to_owned(), "on".to_owned()),
            ("case.0.doc.1.name".to_owned(), "".to_owned()),
            ("case.0.fee.0.name".to_owned(), "Lệ phí".to_owned()),
            ("case.0.fee.0.amount".to_owned(), "8.000".to_owned()),
            ("case.1.name".to_owned(), "".to_owned()),
        ];
        let c = content_from_form(&FormPairs(pairs.clone())).unwrap();
        assert_eq!(c.cases.len(), 1);
        assert_eq!(c.cases[0].documents.len(), 1);
        assert!(c.cases[0].documents[0].digitization_required);
        assert_eq!(c.cases[0].fees[0].amount_vnd, Some(8000));
        assert_eq!(c.cases[0].time.cutoff, Some(motcua_domain::calendar::deadline::DEFAULT_CUTOFF));
        pairs.push(("case.0.cutoff".to_owned(), "25:00".to_owned()));
        let fields: Vec<String> =
            content_from_form(&FormPairs(pairs)).unwrap_err().errors.into_iter().map(|e| e.field).collect();
        assert_eq!(fields, vec!["case.0.cutoff"]);
    }
}
