//! The dossier pages: work queues, the desk's intake form, the dossier page with its control
//! sheet and the actions allowed to the official, and public tracking by code.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect};
use motcua_app::dossiers::{DossierView, ListQueue, PublicDossier};
use motcua_domain::dossier::event::{PaymentMethod, ResultDelivery};
use motcua_domain::policy::{Permission, scopes};
use motcua_domain::time::format_datetime;
use serde::Deserialize;

use super::{Choice, FormErrors, Layout};
use crate::api::dossier_input::{
    ActionInput, ApplicantInput, DocumentInput, IntakeInput, ListInput, PostalInput, RegisterInput, RepresentativeInput,
};
use crate::api::dossiers::{DossierSummaryDto, summary};
use crate::auth::PageUser;
use crate::context::Meta;
use crate::error::HttpError;
use crate::limits::tracking_limit;
use crate::respond::{FormPairs, PagePath, PageResult, form_error, render, render_form_error};
use crate::state::AppState;

fn when(t: Option<jiff::Timestamp>) -> String {
    t.map(format_datetime).unwrap_or_default()
}

fn lines(s: Option<&str>) -> Vec<String> {
    s.unwrap_or_default().lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect()
}

const QUEUES: [(&str, &str); 9] = [
    ("to_process", "Cần xử lý"),
    ("online", "Trực tuyến chờ tiếp nhận"),
    ("mine", "Được giao cho tôi"),
    ("near_due", "Sắp đến hạn"),
    ("overdue", "Quá hạn"),
    ("waiting", "Chờ công dân bổ sung, nộp phí"),
    ("consultations", "Có lấy ý kiến"),
    ("corrections", "Chờ duyệt đính chính"),
    ("all", "Tất cả"),
];

pub struct QueueRow {
    pub key: String,
    pub code: String,
    pub applicant: String,
    pub procedure: String,
    pub status: String,
    pub overdue: bool,
    /// Late for something else than its processing (a portal dossier not received in time).
    pub warn: bool,
    pub step: String,
    pub appointment: String,
    pub step_due: String,
    /// Why it is in a list, when the list says (the shortfalls of a "toàn trình" list).
    pub note: Option<String>,
}

pub(crate) fn queue_row(r: &motcua_app::ports::DossierRow, now: jiff::Timestamp) -> QueueRow {
    let d: DossierSummaryDto = summary(r, now);
    // A portal dossier waiting for the desk shows its reception deadline.
    let reception = r.reception_due_at.filter(|_| r.status == 1);
    let late_reception = reception.is_some_and(|due| now > due);
    let note = reception.map(|due| {
        let left = due.duration_since(now);
        let standing = if late_reception {
            " · trễ hạn tiếp nhận"
        } else if left < jiff::SignedDuration::from_hours(2) {
            " · sắp hết hạn tiếp nhận"
        } else {
            ""
        };
        format!("Hạn tiếp nhận: {}{standing}", format_datetime(due))
    });
    QueueRow {
        key: r.code.clone().or_else(|| r.portal_code.clone()).unwrap_or_else(|| r.id.to_string()),
        code: match (&r.code, &r.portal_code) {
            (Some(c), _) => c.clone(),
            (None, Some(p)) => format!("{p} (Cổng DVC quốc gia)"),
            (None, None) => format!("Chưa tiếp nhận #{}", r.id),
        },
        applicant: d.applicant_name,
        procedure: d.procedure_name,
        status: d.status_label,
        overdue: d.overdue,
        warn: late_reception,
        step: d.step_name.unwrap_or_default(),
        appointment: when(r.appointment_at),
        step_due: when(r.step_due_at),
        note,
    }
}

#[derive(Template)]
#[template(path = "dossiers/index.html")]
struct QueuePage {
    layout: Layout,
    tabs: Vec<(&'static str, &'static str, i64, bool)>,
    queue: String,
    q: String,
    rows: Vec<QueueRow>,
    next: Option<String>,
    can_receive: bool,
    /// The list is a search's results over every dossier, not a queue.
    searching: bool,
}

pub async fn index(State(state): State<AppState>, user: PageUser, Query(input): Query<ListInput>) -> PageResult {
    // A search looks through every dossier the official may see, whichever tab it started from.
    let searching = input.q.as_deref().is_some_and(|q| !q.trim().is_empty());
    let queue = if searching {
        "all".to_owned()
    } else {
        input.queue.clone().filter(|q| !q.is_empty()).unwrap_or_else(|| "to_process".into())
    };
    let input = ListInput { queue: Some(queue.clone()), ..input };
    let filter = input.parse().map_err(motcua_app::AppError::Validation)?;
    let page = state.services.dossiers.list_dossiers(&user.principal, &filter).await?;
    let mut tabs = Vec::new();
    for (key, label) in QUEUES {
        let listed = ListQueue::parse(key).ok_or(motcua_app::AppError::NotFound("hàng đợi"))?;
        let n = state.services.dossiers.count_queue(&user.principal, listed).await?;
        tabs.push((key, label, n, key == queue));
    }
    let now = state.services.now();
    let next = page.next_before.map(|b| {
        let q: String =
            url::form_urlencoded::byte_serialize(input.q.as_deref().unwrap_or_default().as_bytes()).collect();
        format!("/ho-so?queue={queue}&q={q}&before={b}")
    });
    Ok(render(&QueuePage {
        layout: Layout::new("Hồ sơ", Some(&user)),
        tabs,
        q: input.q.clone().unwrap_or_default(),
        queue,
        rows: page.rows.iter().map(|r| queue_row(r, now)).collect(),
        next,
        can_receive: !scopes(&user.principal, Permission::ReceiveDossiers).is_empty(),
        searching,
    }))
}

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
    txn: String,
}

/// One line of the intake checklist.
pub struct DocumentRow {
    pub name: String,
    pub originals: String,
    pub copies: String,
    pub note: &'static str,
}

/// The checklist of the procedure and case the form names: what the desk officer posted (a
/// form sent back with an error), else the case's required documents for the channel.
async fn checklist(state: &AppState, user: &PageUser, f: &FormPairs) -> (Vec<Choice>, Vec<DocumentRow>) {
    let posted = f.all("doc_name");
    let originals = f.all("doc_originals");
    let copies = f.all("doc_copies");
    let posted_rows = || -> Vec<DocumentRow> {
        posted
            .iter()
            .enumerate()
            .map(|(i, n)| DocumentRow {
                name: (*n).to_owned(),
                originals: originals.get(i).copied().unwrap_or("0").to_owned(),
                copies: copies.get(i).copied().unwrap_or("0").to_owned(),
                note: "",
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
    let cases = if content.cases.len() > 1 {
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
                    note: if d.from_data_store {
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

/// The documents the officer counted on the form (`None`: the form had no checklist, so the
/// case's list is recorded). A line with no original and no copy was not handed in.
fn documents_from_form(f: &FormPairs) -> Result<Option<Vec<DocumentInput>>, motcua_app::AppError> {
    use motcua_domain::validation::{FieldError, ValidationErrors};
    let names = f.all("doc_name");
    if names.is_empty() {
        return Ok(None);
    }
    let originals = f.all("doc_originals");
    let copies = f.all("doc_copies");
    let mut e = ValidationErrors::new();
    let mut out = Vec::new();
    for (i, name) in names.iter().enumerate() {
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
    Ok(IntakePage {
        layout: Layout::new("Tiếp nhận hồ sơ", Some(user)),
        errors,
        f,
        agencies: choices,
        cases,
        documents,
        txn: motcua_app::secret::random_hex(16),
    })
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
    Ok(render(&intake_page(&state, &user, FormPairs(pairs), FormErrors::default()).await?))
}

/// The applicant fields of a form (the intake form, and the correction form that edits them).
fn applicant_input(f: &FormPairs) -> ApplicantInput {
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
        client_txn_id: f.opt("client_txn_id"),
        accept: f.checked("accept"),
    }
}

pub async fn intake(State(state): State<AppState>, user: PageUser, Meta(meta): Meta, f: FormPairs) -> PageResult {
    if f.get("load").is_some() {
        // "Load the checklist" changes nothing: the form comes back with the chosen procedure's
        // documents (what was counted for another procedure is dropped).
        meta.mark_audited();
        let kept = FormPairs(f.0.into_iter().filter(|(k, _)| !k.starts_with("doc_") && k != "load").collect());
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

/// An action form on the dossier page.
pub struct ActionForm {
    pub action: &'static str,
    pub label: &'static str,
    pub needs_reason: bool,
}

pub struct StepRow {
    pub index: usize,
    pub name: String,
    pub agency: String,
    pub role: &'static str,
    pub budget: String,
    pub current: bool,
}

pub struct HandOverRow {
    pub from: String,
    pub to: String,
    pub at: String,
    pub by: String,
    pub receiver: String,
    pub result: &'static str,
    pub note: String,
}

/// One agency's share of an interagency dossier's time.
pub struct ClockRow {
    pub agency: String,
    pub steps: String,
    pub budget: String,
    pub used: String,
    pub received: String,
    pub released: String,
    pub standing: String,
    pub late: bool,
}

fn clock_row(c: &motcua_domain::dossier::AgencyClock) -> ClockRow {
    use motcua_domain::calendar::deadline::{PendingTimeliness, Timeliness};
    use motcua_domain::dossier::{ClockStanding, describe_working_minutes};
    let pending = |p: Option<PendingTimeliness>| match p {
        Some(PendingTimeliness::Overdue) => "quá hạn",
        Some(PendingTimeliness::InTime) => "trong hạn",
        None => "",
    };
    let (standing, late) = match c.standing {
        ClockStanding::NotReached => ("Chưa đến".to_owned(), false),
        ClockStanding::Holding(p) => {
            (format!("Đang xử lý {}", pending(p)).trim().to_owned(), p == Some(PendingTimeliness::Overdue))
        }
        ClockStanding::Passed(p) => {
            (format!("Đã chuyển, còn bước sau {}", pending(p)).trim().to_owned(), p == Some(PendingTimeliness::Overdue))
        }
        ClockStanding::Finished(t) => (
            format!("Đã xong{}", t.map(|t| format!(" — {}", t.label().to_lowercase())).unwrap_or_default()),
            t == Some(Timeliness::Late),
        ),
    };
    ClockRow {
        agency: c.agency.name.clone(),
        steps: c.steps.iter().map(|i| (i + 1).to_string()).collect::<Vec<_>>().join(", "),
        budget: c.budget_minutes.map_or_else(|| "—".to_owned(), describe_working_minutes),
        used: describe_working_minutes(c.used_minutes),
        received: when(c.received_at),
        released: when(c.released_at),
        standing,
        late,
    }
}

/// A correction as the dossier page lists it.
pub struct CorrectionRow {
    pub label: &'static str,
    pub changes: Vec<motcua_domain::dossier::correction::FieldChange>,
    pub requested: String,
    pub reason: String,
    pub decision: String,
    pub pending: bool,
}

fn correction_row(c: &motcua_domain::dossier::correction::CorrectionRecord) -> CorrectionRow {
    CorrectionRow {
        label: c.correction.label(),
        changes: c.correction.changes(),
        requested: format!("{}, {}", c.requested_by, format_datetime(c.requested_at)),
        reason: c.reason.clone().unwrap_or_default(),
        decision: match &c.decision {
            None => "Chờ lãnh đạo duyệt".to_owned(),
            Some(d) => format!(
                "{} bởi {}, {}{}",
                if d.approved { "Đã duyệt" } else { "Không duyệt" },
                d.by,
                format_datetime(d.at),
                d.reason.as_deref().map(|r| format!(" — {r}")).unwrap_or_default()
            ),
        },
        pending: c.decision.is_none(),
    }
}

/// The values a correction form starts from: what the dossier records now.
#[derive(Default)]
pub struct CorrectionPrefill {
    pub kind: &'static str,
    pub full_name: String,
    pub id_number: String,
    pub birth_date: String,
    pub gender: String,
    pub address: String,
    pub phone: String,
    pub email: String,
    pub number: String,
    pub signed_on: String,
    pub signer: String,
    pub receiver: String,
}

fn correction_prefill(s: &motcua_domain::dossier::DossierState) -> CorrectionPrefill {
    let a = &s.submission.applicant;
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    CorrectionPrefill {
        kind: a.kind.as_str(),
        full_name: a.full_name.clone(),
        id_number: text(&a.id_number),
        birth_date: a.birth_date.map(motcua_domain::time::format_date).unwrap_or_default(),
        gender: text(&a.gender),
        address: text(&a.address),
        phone: text(&a.phone),
        email: text(&a.email),
        number: s.result.as_ref().map(|r| r.number.clone()).unwrap_or_default(),
        signed_on: s.result.as_ref().map(|r| motcua_domain::time::format_date(r.signed_on)).unwrap_or_default(),
        signer: s.result.as_ref().map(|r| r.signer.clone()).unwrap_or_default(),
        receiver: s.delivered.as_ref().map(|d| d.1.clone()).unwrap_or_default(),
    }
}

pub struct EventRow {
    pub seq: i64,
    pub at: String,
    pub label: &'static str,
    pub actor: String,
    pub reason: String,
}

#[derive(Template)]
#[template(path = "dossiers/show.html")]
struct ShowPage {
    layout: Layout,
    error: Option<String>,
    /// The dossier's sync with the national portal.
    portal: Option<PortalSection>,
    key: String,
    v: DossierView,
    status_label: &'static str,
    status_code: u8,
    applicant_id: String,
    received: String,
    receipt_due: String,
    due: String,
    appointment: String,
    pending: &'static str,
    timeliness: &'static str,
    paused: String,
    steps: Vec<StepRow>,
    hand_overs: Vec<HandOverRow>,
    /// Per-agency clocks, shown when more than one agency does steps.
    clocks: Vec<ClockRow>,
    corrections: Vec<CorrectionRow>,
    prefill: CorrectionPrefill,
    events: Vec<EventRow>,
    actions: Vec<ActionForm>,
    txn: String,
    deliveries: Vec<(&'static str, &'static str)>,
    payment_methods: Vec<(&'static str, &'static str)>,
    /// Printable forms: (number, title).
    forms: Vec<(&'static str, &'static str)>,
    /// A portal dossier: its code there, its reception standing and its files.
    portal_origin: Option<PortalOriginRow>,
}

struct PortalOriginRow {
    code: String,
    submitted: String,
    reception: String,
    late: bool,
    /// (file id, name, component)
    files: Vec<(i64, String, String)>,
}

fn portal_origin_row(s: &motcua_domain::dossier::DossierState, now: jiff::Timestamp) -> Option<PortalOriginRow> {
    use motcua_domain::dossier::state::Reception;
    let p = s.submission.portal.as_ref()?;
    let (reception, late) = match s.reception(now)? {
        Reception::Waiting { due, late: true } => (format!("Quá hạn tiếp nhận (hạn {})", format_datetime(due)), true),
        Reception::Waiting { due, late: false } => (format!("Chờ tiếp nhận, hạn {}", format_datetime(due)), false),
        Reception::Decided { at, late } => (
            format!(
                "Đã xử lý việc tiếp nhận lúc {}{}",
                format_datetime(at),
                if late {
                    format!(" — trễ so với hạn {}", when(s.reception_due_at))
                } else {
                    " — đúng hạn".to_owned()
                }
            ),
            late,
        ),
    };
    Some(PortalOriginRow {
        code: p.code.clone(),
        submitted: format_datetime(p.submitted_at),
        reception,
        late,
        files: s
            .portal_files
            .iter()
            .map(|f| (f.file_id, f.name.clone(), f.component.clone().unwrap_or_default()))
            .collect(),
    })
}

fn show_page(user: &PageUser, key: &str, v: DossierView, msg: Option<&str>, error: Option<String>) -> ShowPage {
    let s = &v.state;
    let title = s.code.as_ref().map_or_else(|| format!("Hồ sơ #{}", s.id), |c| format!("Hồ sơ {c}"));
    let step_name = |i: Option<usize>| i.and_then(|i| s.steps.get(i)).map(|p| p.name.clone()).unwrap_or_default();
    let steps = s
        .steps
        .iter()
        .enumerate()
        .map(|(i, p)| StepRow {
            index: i + 1,
            name: p.name.clone(),
            agency: p.agency.name.clone(),
            role: p.role.label_vi(),
            budget: p.budget.map(|b| b.describe()).unwrap_or_else(|| "—".into()),
            current: s.step.as_ref().is_some_and(|c| c.index == i) && s.status.is_pending(),
        })
        .collect();
    let hand_overs = s
        .hand_overs
        .iter()
        .map(|h| HandOverRow {
            from: step_name(h.from_step),
            to: h.to_step.map_or_else(|| "Người nhận kết quả".to_owned(), |i| step_name(Some(i))),
            at: format_datetime(h.at),
            by: h.by.clone(),
            receiver: h.to.clone().unwrap_or_default(),
            result: if h.sent_back { "Trả lại" } else { h.result.map(|r| r.label()).unwrap_or("") },
            note: h.note.clone().unwrap_or_default(),
        })
        .collect();
    let events = v
        .events
        .iter()
        .rev()
        .map(|e| EventRow {
            seq: e.seq,
            at: format_datetime(e.at),
            label: e.body.label(),
            actor: e.actor.name.clone(),
            reason: e.reason.clone().unwrap_or_default(),
        })
        .collect();
    let actions = v
        .actions
        .iter()
        .map(|a| ActionForm { action: a.as_str(), label: a.label(), needs_reason: a.needs_reason() })
        .collect();
    ShowPage {
        layout: Layout::new(title, Some(user)).with_flash(msg),
        error,
        portal: None,
        key: key.to_owned(),
        status_label: s.status.label(),
        status_code: s.status.national_code(),
        applicant_id: s.submission.applicant.id_number.clone().unwrap_or_default(),
        received: when(s.received_at),
        receipt_due: when(s.receipt_due_at),
        due: when(s.due_at),
        appointment: when(s.appointment_at),
        pending: match s.pending_timeliness(v.now) {
            Some(motcua_domain::calendar::deadline::PendingTimeliness::Overdue) => "Quá hạn",
            Some(motcua_domain::calendar::deadline::PendingTimeliness::InTime) => "Trong hạn",
            None => "",
        },
        timeliness: s.timeliness().map(|t| t.label()).unwrap_or(""),
        paused: s
            .paused
            .map(|(r, since)| {
                let why = match r {
                    motcua_domain::calendar::PauseReason::Supplement => "chờ bổ sung hồ sơ",
                    motcua_domain::calendar::PauseReason::FinancialObligation => "chờ thực hiện nghĩa vụ tài chính",
                };
                format!("Tạm dừng tính thời gian từ {} ({why})", format_datetime(since))
            })
            .unwrap_or_default(),
        steps,
        hand_overs,
        clocks: if v.agency_clocks.len() > 1 { v.agency_clocks.iter().map(clock_row).collect() } else { Vec::new() },
        corrections: s.corrections.iter().map(correction_row).collect(),
        prefill: correction_prefill(s),
        events,
        actions,
        txn: motcua_app::secret::random_hex(16),
        deliveries: ResultDelivery::ALL.iter().map(|d| (d.as_str(), d.label())).collect(),
        payment_methods: PaymentMethod::ALL.iter().map(|m| (m.as_str(), m.label())).collect(),
        forms: motcua_app::dossiers::available_forms(&v.state).into_iter().map(|f| (f.number(), f.title())).collect(),
        portal_origin: portal_origin_row(&v.state, v.now),
        v,
    }
}

#[derive(Deserialize)]
pub struct ShowQuery {
    msg: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    user: PageUser,
    PagePath(key): PagePath<String>,
    Query(q): Query<ShowQuery>,
) -> PageResult {
    let v = state.services.dossiers.dossier(&user.principal, &key).await?;
    let timeline = state.services.dossiers.portal_timeline(&user.principal, &key).await?;
    let mut page = show_page(&user, &key, v, q.msg.as_deref(), None);
    page.portal = Some(portal_section(&timeline));
    Ok(render(&page))
}

struct PortalSection {
    standing: String,
    lines: Vec<PortalLine>,
}

struct PortalLine {
    at: String,
    call: &'static str,
    told: String,
    ok: bool,
    answer: String,
}

fn portal_section(t: &motcua_app::dossiers::PortalTimeline) -> PortalSection {
    let standing = match (&t.sync, t.untold.len()) {
        (Some(s), _) if s.dead => format!(
            "Đã dừng gửi sau {} lần lỗi, chờ cán bộ vận hành xử lý{}.",
            s.attempts,
            s.last_error.as_deref().map(|e| format!(" (lỗi cuối: {e})")).unwrap_or_default()
        ),
        (Some(s), n) if n > 0 && s.attempts > 0 => format!(
            "{n} thay đổi chưa gửi được; thử lại lúc {}.",
            s.next_attempt_at.map(motcua_domain::time::format_datetime).unwrap_or_default()
        ),
        (_, n) if n > 0 => format!("{n} thay đổi đang chờ gửi lên Cổng Dịch vụ công quốc gia."),
        (Some(s), _) if s.created => "Cổng Dịch vụ công quốc gia đã nhận đủ các thay đổi của hồ sơ.".to_owned(),
        _ => "Hồ sơ chưa phải đồng bộ (chưa được tiếp nhận).".to_owned(),
    };
    let lines = t
        .calls
        .iter()
        .map(|c| PortalLine {
            at: motcua_domain::time::format_datetime(c.at),
            call: match c.call {
                "create" => "Thêm mới hồ sơ",
                "update" => "Cập nhật hồ sơ",
                _ => "Cập nhật tiến độ",
            },
            told: if c.call == "steps" {
                format!("bước {}–{}, trạng thái {}", c.seq_from, c.seq_to, c.status)
            } else {
                format!("trạng thái {}", c.status)
            },
            ok: c.ok,
            answer: format!("{} {}", c.answer_code, c.answer_message).trim().to_owned(),
        })
        .collect();
    PortalSection { standing, lines }
}

fn action_input(f: &FormPairs) -> ActionInput {
    ActionInput {
        action: f.text("action"),
        reason: f.opt("reason"),
        client_txn_id: f.opt("client_txn_id"),
        expected_seq: f.opt("expected_seq").and_then(|s| s.parse().ok()),
        items: lines(f.get("items")),
        assignee: f.opt("assignee"),
        to_step: f.opt("to_step").and_then(|s| s.parse::<usize>().ok()).map(|n| n.saturating_sub(1)),
        agency_code: f.opt("agency_code"),
        question: f.opt("question"),
        working_days: f.opt("working_days").and_then(|s| s.parse().ok()),
        consultation_id: f.opt("consultation_id").and_then(|s| s.parse().ok()),
        opinion: f.opt("opinion"),
        amount_vnd: f.opt("amount_vnd").and_then(|s| s.replace(['.', ' '], "").parse().ok()),
        receipt: f.opt("receipt"),
        payment_method: f.opt("payment_method"),
        number: f.opt("number"),
        signed_on: f.opt("signed_on"),
        signer: f.opt("signer"),
        delivery: f.opt("delivery"),
        receiver: f.opt("receiver"),
        appointment_at: f.opt("appointment_at"),
        correct: f.opt("correct"),
        applicant: (f.opt("correct").as_deref() == Some("applicant")).then(|| applicant_input(f)),
    }
}

pub async fn act(
    State(state): State<AppState>,
    user: PageUser,
    Meta(meta): Meta,
    PagePath(key): PagePath<String>,
    f: FormPairs,
) -> PageResult {
    act_page(&state, &user, &meta, &key, &action_input(&f), None).await
}

/// Issuing the result with its document (multipart: the file and the action's fields; the
/// CSRF token travels in the action URL).
pub async fn issue(
    State(state): State<AppState>,
    user: PageUser,
    Meta(meta): Meta,
    PagePath(key): PagePath<String>,
    crate::respond::Upload(mp): crate::respond::Upload,
) -> PageResult {
    let (file, fields) = crate::respond::read_multipart(mp).await?;
    let input = ActionInput { action: "issue_result".into(), ..action_input(&FormPairs(fields)) };
    let attachment = file.map(|f| motcua_app::dossiers::Attachment { file_name: f.file_name, bytes: f.bytes });
    act_page(&state, &user, &meta, &key, &input, attachment.as_ref()).await
}

/// The result document, for those who may see the dossier.
pub async fn portal_file(
    State(state): State<AppState>,
    user: PageUser,
    PagePath((key, file_id)): PagePath<(String, i64)>,
) -> PageResult {
    let (meta, bytes) = state.services.dossiers.portal_file(&user.principal, &key, file_id).await?;
    Ok(crate::respond::file_download(&meta.file_name, &meta.content_type, bytes))
}

pub async fn result_file(State(state): State<AppState>, user: PageUser, PagePath(key): PagePath<String>) -> PageResult {
    let (meta, bytes) = state.services.dossiers.result_file(&user.principal, &key).await?;
    Ok(crate::respond::file_download(&meta.file_name, &meta.content_type, bytes))
}

async fn act_page(
    state: &AppState,
    user: &PageUser,
    meta: &motcua_app::context::RequestMeta,
    key: &str,
    input: &ActionInput,
    attachment: Option<&motcua_app::dossiers::Attachment>,
) -> PageResult {
    let done = match input.parse() {
        Ok(action) => {
            let snapshot = state.services.snapshot().await?;
            state.services.dossiers.act_with(&user.principal, &snapshot, key, &action, attachment, meta).await
        }
        Err(e) => Err(motcua_app::AppError::Validation(e)),
    };
    match done {
        Ok(v) => {
            let key = v.state.code.as_ref().map_or(v.state.id.to_string(), ToString::to_string);
            Ok(Redirect::to(&format!("/ho-so/{key}?msg=dossier_action_done")).into_response())
        }
        Err(e) => {
            let e = form_error(e)?;
            let v = state.services.dossiers.dossier(&user.principal, key).await?;
            let detail = e.fields.iter().map(|f| f.message.clone()).collect::<Vec<_>>().join(" ");
            let message = if detail.is_empty() { e.message.clone() } else { format!("{} {detail}", e.message) };
            let page = show_page(user, key, v, None, Some(message));
            Ok(render_form_error(e, &page))
        }
    }
}

#[derive(Template)]
#[template(path = "dossiers/track.html")]
struct TrackPage {
    layout: Layout,
    code: String,
    found: Option<PublicDossier>,
    not_found: bool,
    received: String,
    appointment: String,
    history: Vec<(String, String, String)>,
}

#[derive(Deserialize)]
pub struct TrackQuery {
    ma: Option<String>,
}

/// `/tra-cuu?ma=…`: the receipt's QR code opens this page.
pub async fn track(State(state): State<AppState>, Meta(meta): Meta, Query(q): Query<TrackQuery>) -> PageResult {
    let code = q.ma.unwrap_or_default().trim().to_owned();
    let (found, not_found) = if code.is_empty() {
        (None, false)
    } else {
        tracking_limit(&state, &meta)?;
        match state.services.dossiers.track_dossier(&code).await {
            Ok(d) => (Some(d), false),
            Err(motcua_app::AppError::NotFound(_)) => (None, true),
            Err(e) => return Err(HttpError::from(e).into()),
        }
    };
    let (received, appointment, history) = match &found {
        Some(d) => (
            when(d.received_at),
            when(d.appointment_at),
            d.history
                .iter()
                .map(|h| (format_datetime(h.at), h.label.clone(), h.unit.clone().unwrap_or_default()))
                .collect(),
        ),
        None => (String::new(), String::new(), Vec::new()),
    };
    Ok(render(&TrackPage {
        layout: Layout::new("Tra cứu hồ sơ", None),
        code,
        found,
        not_found,
        received,
        appointment,
        history,
    }))
}

/// A printed form of the dossier, shown in the browser to print or save.
pub async fn form(
    State(state): State<AppState>,
    user: PageUser,
    headers: axum::http::HeaderMap,
    PagePath((key, form)): PagePath<(String, String)>,
) -> PageResult {
    let form = crate::api::dossiers::parse_form(&form)?;
    let base = crate::respond::base_url(&state, &headers);
    let pdf = state.services.dossiers.dossier_form(&user.principal, &key, form, &base).await?;
    Ok(crate::respond::pdf_response(pdf, true))
}

#[derive(Template)]
#[template(path = "dossiers/register.html")]
struct RegisterPage {
    layout: Layout,
    agencies: Vec<Choice>,
    from: String,
    to: String,
}

/// The register page: choose the desk's agency and the period, then open the PDF (mẫu 07).
pub async fn register_page(State(state): State<AppState>, user: PageUser) -> PageResult {
    let p = &user.principal;
    if scopes(p, Permission::ViewDossiers).is_empty() {
        return Err(HttpError::forbidden().into());
    }
    // Registers belong to the agencies that receive: the desk's own agency or those below a grant.
    let found = state.services.agencies.agencies_for(p, Permission::ReceiveDossiers, true).await?;
    // The official's own desk first: the nearest of these agencies above (or at) their unit.
    let unit_path = state.services.snapshot().await?.agency(p.agency_id).await?.map(|a| a.path);
    let snapshot = state.services.snapshot().await?;
    let mut candidates: Vec<&motcua_domain::agency::Agency> = Vec::new();
    for a in &found {
        use motcua_domain::agency::AgencyLevel::{Commune, HistoricDistrict, OneStopDesk, Province};
        // The province's service centre receives under its own code and keeps its own register;
        // a commune's desk is a unit of the commune, which receives.
        let receives = match a.level {
            Province | Commune | HistoricDistrict => true,
            OneStopDesk => match a.parent_id {
                Some(parent) => snapshot.agency(parent).await?.is_some_and(|p| p.level == Province),
                None => false,
            },
            _ => false,
        };
        if receives
            && motcua_domain::policy::authorize_dossier(p, Permission::ReceiveDossiers, &a.path).is_ok()
            && !candidates.iter().any(|c| c.id == a.id)
        {
            candidates.push(a);
        }
    }
    let own = candidates
        .iter()
        .filter(|a| unit_path.as_ref().is_some_and(|u| u.as_str().starts_with(a.path.as_str())))
        .max_by_key(|a| a.path.depth())
        .or(candidates.first())
        .map(|a| a.id);
    let agencies: Vec<Choice> = candidates
        .iter()
        .map(|a| Choice {
            value: a.code.to_string(),
            label: format!("{} ({})", a.name, a.code),
            selected: Some(a.id) == own,
        })
        .collect();
    let today = motcua_domain::time::vn_date(state.services.now());
    Ok(render(&RegisterPage {
        layout: Layout::new("Sổ theo dõi hồ sơ", Some(&user)),
        agencies,
        from: motcua_domain::time::format_date(today.first_of_month()),
        to: motcua_domain::time::format_date(today),
    }))
}

/// The register as PDF.
pub async fn register_pdf(
    State(state): State<AppState>,
    user: PageUser,
    headers: axum::http::HeaderMap,
    Query(q): Query<RegisterInput>,
) -> PageResult {
    let base = crate::respond::base_url(&state, &headers);
    let period = q.parse().map_err(motcua_app::AppError::Validation)?;
    let pdf = state.services.dossiers.dossier_register(&user.principal, &period, &base).await?;
    Ok(crate::respond::pdf_response(pdf, true))
}
