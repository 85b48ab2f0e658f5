//! The edit form of a procedure's content (cases, documents, fees, time) and its drafts: new,
//! edit, save, and the form templates attached to a draft's documents.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect};

use motcua_domain::calendar::TimeUnit;
use motcua_domain::catalog::{
    ApplicantType, Channel, ChannelTime, Fee, FeeKind, FieldCode, FieldRef, FileRef, FormTemplate, LegalBasis, Level,
    OnlineLevel, ProcedureCase, ProcedureContent, RequiredDocument, ResultDocument, Submission, TimeLimit,
};
use motcua_domain::validation::NonBlank;
use motcua_domain::validation::{FieldError, ValidationErrors};

use super::{MsgQuery, read_file};
use crate::auth::PageUser;
use crate::context::Meta;
use crate::error::HttpError;
use crate::pages::{Choice, FormErrors, Layout};
use crate::respond::{FormPairs, PagePath, PageResult, redirect_or_form, render};
use crate::state::AppState;

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

#[cfg(test)]
mod tests {
    use super::*;

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
