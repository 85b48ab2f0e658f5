//! The desk's intake form: the CCCD QR, the procedure and its case, the applicant and the checklist of papers handed in.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect};
use motcua_domain::policy::{Permission, scopes};
use serde::Deserialize;

use crate::api::dossier_input::{ApplicantInput, DocumentInput, IntakeInput, PostalInput, RepresentativeInput};
use crate::auth::PageUser;
use crate::context::Meta;
use crate::error::HttpError;
use crate::pages::{Choice, FormErrors, Layout};
use crate::respond::{FormPairs, PageResult, form_error, render, render_form_error};
use crate::state::AppState;
#[derive(Template)]
#[template(path = "dossiers/intake.html")]
struct IntakePage {
    layout: Layout,
    errors: FormErrors,
    f: FormPairs,
    agencies: Vec<Choice>,
    /// The procedure's cases, when it has more than one.
    cases: Vec<Choice>,
    /// The checklist of documents handed in, with their counts.
    documents: Vec<DocumentRow>,
    /// Procedures whose name matches what was typed in the procedure field (not a code):
    /// (code, name), to pick from.
    matches: Vec<(String, String)>,
    txn: String,
}

/// One line of the intake checklist.
pub struct DocumentRow {
    pub name: String,
    pub originals: String,
    pub copies: String,
    pub note: &'static str,
    /// Ticked: handed in. A paper asked for only in some situations starts unticked.
    pub given: bool,
    pub conditional: bool,
}

/// The checklist of the procedure and case the form names: what the desk officer posted (a
/// form sent back with an error), else the case's required documents for the channel.
async fn checklist(state: &AppState, user: &PageUser, f: &FormPairs) -> (Vec<Choice>, Vec<DocumentRow>) {
    let posted = f.all("doc_name");
    let originals = f.all("doc_originals");
    let copies = f.all("doc_copies");
    let given = given_rows(f);
    let conditional = f.all("doc_conditional");
    let posted_rows = || -> Vec<DocumentRow> {
        posted
            .iter()
            .enumerate()
            .map(|(i, n)| DocumentRow {
                name: (*n).to_owned(),
                originals: originals.get(i).copied().unwrap_or("0").to_owned(),
                copies: copies.get(i).copied().unwrap_or("0").to_owned(),
                note: "",
                given: given.as_ref().is_none_or(|g| g.contains(&i)),
                conditional: conditional.contains(&i.to_string().as_str()),
            })
            .collect()
    };
    let code = f.text("procedure_code");
    let view = if code.trim().is_empty() {
        None
    } else {
        state.services.catalog.procedure_view(code.trim(), None, Some(&user.principal)).await.ok()
    };
    let Some(view) = view else {
        return (Vec::new(), posted_rows());
    };
    let content = view.content();
    let wanted = f.opt("case");
    let case =
        wanted.as_deref().and_then(|w| content.cases.iter().find(|c| c.name == w)).or_else(|| content.cases.first());
    let cases = if !content.cases.is_empty() {
        content
            .cases
            .iter()
            .map(|c| Choice {
                value: c.name.clone(),
                label: c.name.clone(),
                selected: case.is_some_and(|k| k.name == c.name),
            })
            .collect()
    } else {
        Vec::new()
    };
    if !posted.is_empty() {
        return (cases, posted_rows());
    }
    let channel = f
        .opt("channel")
        .and_then(|c| motcua_domain::catalog::Channel::parse(&c))
        .unwrap_or(motcua_domain::catalog::Channel::Desk);
    let rows = case
        .map(|c| {
            c.documents
                .iter()
                .filter(|d| d.channels.is_empty() || d.channels.contains(&channel))
                .map(|d| DocumentRow {
                    name: d.name.clone(),
                    originals: d.originals.to_string(),
                    copies: d.copies.to_string(),
                    given: !d.is_conditional(),
                    conditional: d.is_conditional(),
                    note: if d.is_conditional() {
                        "Chỉ nộp khi thuộc trường hợp này: đánh dấu nếu người nộp có nộp."
                    } else if d.from_data_store {
                        "Có thể khai thác từ kho dữ liệu điện tử, không bắt buộc nộp lại."
                    } else if d.digitization_required {
                        "Phải số hóa khi tiếp nhận."
                    } else {
                        ""
                    },
                })
                .collect()
        })
        .unwrap_or_default();
    (cases, rows)
}

/// The checklist's ticked rows, when the form has ticks (`doc_ticks`); `None` for a form that
/// only counts (a line with no original and no copy was then not handed in).
fn given_rows(f: &FormPairs) -> Option<Vec<usize>> {
    f.get("doc_ticks").map(|_| f.all("doc_given").iter().filter_map(|v| v.parse().ok()).collect())
}

/// The documents the officer counted on the form (`None`: the form had no checklist, so the
/// case's list is recorded). A line not ticked, or with no original and no copy, was not handed
/// in.
fn documents_from_form(f: &FormPairs) -> Result<Option<Vec<DocumentInput>>, motcua_app::AppError> {
    use motcua_domain::validation::{FieldError, ValidationErrors};
    let names = f.all("doc_name");
    if names.is_empty() {
        return Ok(None);
    }
    let originals = f.all("doc_originals");
    let copies = f.all("doc_copies");
    let given = given_rows(f);
    let mut e = ValidationErrors::new();
    let mut out = Vec::new();
    for (i, name) in names.iter().enumerate() {
        if given.as_ref().is_some_and(|g| !g.contains(&i)) {
            continue;
        }
        let mut count = |field: &str, raw: Option<&&str>| -> u32 {
            let raw = raw.map(|s| s.trim()).unwrap_or("");
            if raw.is_empty() {
                return 0;
            }
            match raw.parse::<u32>() {
                Ok(n) if n <= 99 => n,
                _ => {
                    e.push(FieldError::new(
                        format!("documents[{i}].{field}"),
                        "invalid_value",
                        format!("Số bản của \"{name}\" phải là số từ 0 đến 99."),
                    ));
                    0
                }
            }
        };
        let o = count("originals", originals.get(i));
        let c = count("copies", copies.get(i));
        if given.is_some() && o + c == 0 {
            e.push(FieldError::new(
                format!("documents[{i}].originals"),
                "required",
                format!("\"{name}\" được đánh dấu đã nộp: ghi số bản chính hoặc bản sao."),
            ));
        }
        if o + c > 0 {
            out.push(DocumentInput { name: (*name).to_owned(), originals: o, copies: c });
        }
    }
    e.into_result()?;
    Ok(Some(out))
}

#[derive(Deserialize)]
pub struct IntakeQuery {
    thu_tuc: Option<String>,
    /// The case and channel, when the page reloads the checklist for them.
    case: Option<String>,
    channel: Option<String>,
}

async fn intake_page(
    state: &AppState,
    user: &PageUser,
    f: FormPairs,
    errors: FormErrors,
) -> Result<IntakePage, HttpError> {
    let agencies = state.services.agencies.agencies_for(&user.principal, Permission::ReceiveDossiers, false).await?;
    // The desk picks by e-ID (what the intake takes); the first listed is the default.
    let selected = f.get("agency_code").map(str::to_owned);
    let tree = motcua_app::agencies::build_tree(agencies);
    let choices: Vec<Choice> = motcua_app::agencies::flatten_tree(&tree)
        .into_iter()
        .enumerate()
        .map(|(i, (depth, a))| Choice {
            value: a.code.to_string(),
            label: format!("{}{} ({})", "\u{a0}\u{a0}\u{a0}".repeat(depth), a.name, a.code),
            selected: selected.as_deref().map_or(i == 0, |s| s == a.code.as_str()),
        })
        .collect();
    let (cases, documents) = checklist(state, user, &f).await;
    let typed = f.text("procedure_code");
    let matches = if cases.is_empty() && !typed.trim().is_empty() {
        procedures_named(state, typed.trim()).await
    } else {
        Vec::new()
    };
    Ok(IntakePage {
        layout: Layout::new("Tiếp nhận hồ sơ", Some(user)),
        errors,
        f,
        agencies: choices,
        cases,
        documents,
        matches,
        txn: motcua_app::secret::random_hex(16),
    })
}

/// The procedures a name (with or without marks) finds, best first, as the public search ranks
/// them.
async fn procedures_named(state: &AppState, name: &str) -> Vec<(String, String)> {
    let input = crate::api::catalog_query::ProcedureQueryInput {
        q: Some(name.to_owned()),
        per_page: Some("8".into()),
        ..Default::default()
    };
    let Ok(search) = input.parse() else { return Vec::new() };
    let Ok(query) = state.services.catalog.procedure_query(&search).await else { return Vec::new() };
    match state.services.catalog.search_procedures(&query).await {
        Ok(found) => found.items.iter().map(|p| (p.code.clone(), p.name.clone())).collect(),
        Err(_) => Vec::new(),
    }
}

pub async fn intake_form(State(state): State<AppState>, user: PageUser, Query(q): Query<IntakeQuery>) -> PageResult {
    let p = &user.principal;
    if scopes(p, Permission::ReceiveDossiers).is_empty()
        && motcua_domain::policy::unit_parents(p, Permission::ReceiveDossiers).is_empty()
    {
        return Err(HttpError::forbidden().into());
    }
    let mut pairs = vec![("accept".to_owned(), "on".to_owned())];
    if let Some(code) = q.thu_tuc {
        pairs.push(("procedure_code".into(), code));
    }
    for (name, value) in [("case", q.case), ("channel", q.channel)] {
        if let Some(v) = value.filter(|v| !v.trim().is_empty()) {
            pairs.push((name.into(), v));
        }
    }
    Ok(render(&intake_page(&state, &user, FormPairs(pairs), FormErrors::default()).await?))
}

/// The applicant fields of a form (the intake form, and the correction form that edits them).
pub(super) fn applicant_input(f: &FormPairs) -> ApplicantInput {
    ApplicantInput {
        kind: f.opt("applicant_kind"),
        full_name: f.text("full_name"),
        id_number: f.opt("id_number"),
        birth_date: f.opt("birth_date"),
        gender: f.opt("gender"),
        address: f.opt("address"),
        phone: f.opt("phone"),
        email: f.opt("email"),
    }
}

fn intake_input(f: &FormPairs) -> IntakeInput {
    IntakeInput {
        procedure_code: f.text("procedure_code"),
        case: f.opt("case"),
        agency_code: f.text("agency_code"),
        channel: f.opt("channel"),
        applicant: applicant_input(f),
        cccd_qr: f.opt("cccd_qr"),
        representative: f.opt("rep_name").map(|name| RepresentativeInput {
            full_name: name,
            id_number: f.opt("rep_id_number"),
            authorisation: f.opt("rep_authorisation"),
            ..RepresentativeInput::default()
        }),
        documents: None,
        sets: None,
        delivery: f.opt("delivery"),
        postal: f.opt("postal_tracking").map(|t| PostalInput { tracking_number: t, ..PostalInput::default() }),
        notes: f.opt("notes"),
        notify_email: f.checked("notify_email"),
        notify_sms: f.checked("notify_sms"),
        client_txn_id: f.opt("client_txn_id"),
        accept: f.checked("accept"),
    }
}

pub async fn intake(State(state): State<AppState>, user: PageUser, Meta(meta): Meta, f: FormPairs) -> PageResult {
    if f.get("load").is_some() || f.get("pick").is_some() {
        // "Load the checklist" (or picking a procedure found by name) changes nothing: the form
        // comes back with the chosen procedure's documents (what was counted for another
        // procedure is dropped).
        meta.mark_audited();
        let pick = f.opt("pick");
        let mut kept: Vec<(String, String)> =
            f.0.into_iter()
                .filter(|(k, _)| !k.starts_with("doc_") && k != "load" && k != "pick")
                .filter(|(k, _)| pick.is_none() || (k != "procedure_code" && k != "case"))
                .collect();
        if let Some(code) = pick {
            kept.push(("procedure_code".into(), code));
        }
        let kept = FormPairs(kept);
        return Ok(render(&intake_page(&state, &user, kept, FormErrors::default()).await?));
    }
    let result = match documents_from_form(&f) {
        Ok(documents) => {
            let input = IntakeInput { documents, ..intake_input(&f) };
            match input.parse() {
                Ok(intake) => {
                    let snapshot = state.services.snapshot().await?;
                    state.services.dossiers.intake(&user.principal, &snapshot, &intake, &meta).await
                }
                Err(e) => Err(motcua_app::AppError::Validation(e)),
            }
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(out) => {
            let key = out.view.state.code.as_ref().map_or(out.view.state.id.to_string(), ToString::to_string);
            Ok(Redirect::to(&format!("/ho-so/{key}?msg=dossier_received")).into_response())
        }
        Err(e) => {
            let e = form_error(e)?;
            let page = intake_page(&state, &user, f, FormErrors::from_http(&e)).await?;
            Ok(render_form_error(e, &page))
        }
    }
}
