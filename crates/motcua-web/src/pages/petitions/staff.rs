//! The officials' side of petitions: the queues (`/phan-anh-kien-nghi`), recording one received
//! by letter, phone, e-mail or at the desk, and a petition's page with its clocks, its history
//! and the actions the official may take.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect};
use motcua_app::petitions::{ActionInput, PetitionFilter, PetitionQueue, PetitionView, action_label};
use motcua_domain::petition::{PetitionChannel, PetitionKind};
use serde::Deserialize;

use super::{files_of, intake_of, when};
use crate::auth::PageUser;
use crate::context::Meta;
use crate::pages::{Choice, FormErrors, Layout};
use crate::respond::{FormPairs, PagePath, PageResult, Upload, form_error, render, render_form_error};
use crate::state::AppState;

/// One row of a queue.
pub(crate) struct Row {
    code: String,
    subject: String,
    petitioner: String,
    channel: &'static str,
    stage: &'static str,
    received: String,
    due: String,
    late: bool,
}

#[derive(Template)]
#[template(path = "petitions/queue.html")]
struct QueuePage {
    layout: Layout,
    tabs: Vec<(&'static str, &'static str, i64, bool)>,
    queue: &'static str,
    q: String,
    rows: Vec<Row>,
    total: i64,
    can_record: bool,
    next: Option<String>,
}

#[derive(Deserialize)]
pub struct QueueQuery {
    queue: Option<String>,
    q: Option<String>,
    trang: Option<i64>,
    msg: Option<String>,
}

/// `GET /phan-anh-kien-nghi`
pub async fn index(State(state): State<AppState>, user: PageUser, Query(q): Query<QueueQuery>) -> PageResult {
    let queue = q.queue.as_deref().and_then(PetitionQueue::parse).unwrap_or_default();
    let petitions = &state.services.petitions;
    let counts = petitions.counts(&user.principal).await?;
    let page = q.trang.unwrap_or(1).clamp(1, 100_000);
    let filter = PetitionFilter { queue, text: q.q.clone().filter(|t| !t.trim().is_empty()), page };
    let list = petitions.list(&user.principal, &filter).await?;
    let now = state.services.now();
    let rows = list
        .rows
        .iter()
        .map(|r| Row {
            code: r.code.clone(),
            subject: r.subject.clone(),
            petitioner: r.petitioner_name.clone(),
            channel: r.channel.label(),
            stage: r.stage.label(),
            received: when(Some(r.received_at)),
            due: when(r.due_at),
            late: r.due_at.is_some_and(|d| d < now) || r.answer_late == Some(true),
        })
        .collect();
    let next = (list.page * list.per_page < list.total).then(|| {
        let mut s = url::form_urlencoded::Serializer::new(String::new());
        s.append_pair("queue", queue.as_str());
        if let Some(t) = &filter.text {
            s.append_pair("q", t);
        }
        s.append_pair("trang", &(page + 1).to_string());
        format!("/phan-anh-kien-nghi?{}", s.finish())
    });
    Ok(render(&QueuePage {
        layout: Layout::new("Phản ánh, kiến nghị", Some(&user)).with_flash(q.msg.as_deref()),
        tabs: counts.iter().map(|(t, n)| (t.as_str(), t.label(), *n, *t == queue)).collect(),
        queue: queue.as_str(),
        q: q.q.unwrap_or_default(),
        rows,
        total: list.total,
        can_record: !petitions.recordable(&user.principal).await?.is_empty(),
        next,
    }))
}

#[derive(Template)]
#[template(path = "petitions/record.html")]
struct RecordPage {
    layout: Layout,
    agencies: Vec<Choice>,
    channels: Vec<(&'static str, &'static str)>,
    kinds: Vec<(&'static str, &'static str)>,
    values: FormPairs,
    errors: FormErrors,
}

async fn record_page(
    state: &AppState,
    user: &PageUser,
    values: FormPairs,
    errors: FormErrors,
) -> Result<RecordPage, crate::respond::PageError> {
    let selected = values.get("agency").and_then(|v| v.parse().ok());
    let list = state.services.petitions.recordable(&user.principal).await?;
    if list.is_empty() {
        return Err(forbidden());
    }
    let only = (list.len() == 1).then(|| list[0].id.0);
    let agencies = list
        .into_iter()
        .map(|a| Choice { value: a.id.0.to_string(), selected: selected.or(only) == Some(a.id.0), label: a.name })
        .collect();
    Ok(RecordPage {
        layout: Layout::new("Ghi nhận phản ánh, kiến nghị", Some(user)),
        agencies,
        channels: PetitionChannel::RECORDED.iter().map(|c| (c.as_str(), c.label())).collect(),
        kinds: PetitionKind::ALL.iter().map(|k| (k.as_str(), k.label())).collect(),
        values,
        errors,
    })
}

/// `GET /phan-anh-kien-nghi/ghi-nhan`
pub async fn record_form(State(state): State<AppState>, user: PageUser) -> PageResult {
    Ok(render(&record_page(&state, &user, FormPairs(Vec::new()), FormErrors::default()).await?))
}

/// `POST /phan-anh-kien-nghi/ghi-nhan` (multipart: the CSRF token first, the fields, the files).
pub async fn record(State(state): State<AppState>, user: PageUser, Meta(meta): Meta, Upload(mp): Upload) -> PageResult {
    let (files, fields) = crate::respond::read_multipart_files(mp, "files").await?;
    let f = FormPairs(fields);
    let agency = motcua_domain::agency::AgencyId(f.int("agency"));
    let channel = f.get("channel").and_then(PetitionChannel::parse).unwrap_or(PetitionChannel::Online);
    let petitions = &state.services.petitions;
    match petitions.record(&user.principal, agency, channel, &intake_of(&f), &files_of(files), &meta).await {
        Ok(r) => Ok(Redirect::to(&format!("/phan-anh-kien-nghi/{}?msg=petition_recorded", r.code)).into_response()),
        Err(e) => {
            let e = form_error(e)?;
            let page = record_page(&state, &user, f, FormErrors::from_http(&e)).await?;
            Ok(render_form_error(e, &page))
        }
    }
}

/// One action form on a petition's page.
pub(crate) struct ActionForm {
    name: &'static str,
    label: &'static str,
    /// What the text box is for (empty: no text).
    text_label: &'static str,
    destructive: bool,
}

fn action_form(name: &'static str) -> ActionForm {
    let text_label = match name {
        "refuse" => "Lý do từ chối (gửi cho người phản ánh)",
        "request_info" => "Nội dung đề nghị bổ sung",
        "receive_info" => "Thông tin đã nhận",
        "forward" => "Lý do chuyển",
        "draft" => "Dự thảo trả lời",
        "return_draft" => "Lý do trả lại",
        "approve" => "Nội dung trả lời (để trống: duyệt đúng như dự thảo)",
        _ => "",
    };
    ActionForm { name, label: action_label(name), text_label, destructive: name == "refuse" }
}

#[derive(Template)]
#[template(path = "petitions/show.html")]
struct ShowPage {
    layout: Layout,
    v: PetitionView,
    key: String,
    received: String,
    answer_due: String,
    refuse_due: String,
    info_due: String,
    publish_due: String,
    answer_standing: &'static str,
    late: bool,
    history: Vec<(String, &'static str, String, String)>,
    forwards: Vec<(String, String, String, String)>,
    actions: Vec<ActionForm>,
    assignees: Vec<Choice>,
    agencies: Vec<Choice>,
    kinds: Vec<(&'static str, &'static str)>,
    /// The kind already chosen (for the assignment form).
    kind_now: &'static str,
    values: FormPairs,
    errors: FormErrors,
    failed: String,
}

impl ShowPage {
    fn when(t: &jiff::Timestamp) -> String {
        when(Some(*t))
    }
}

#[derive(Deserialize)]
pub struct ShowQuery {
    msg: Option<String>,
}

async fn show_page(
    state: &AppState,
    user: &PageUser,
    v: PetitionView,
    flash: Option<&str>,
) -> Result<ShowPage, crate::respond::PageError> {
    let s = &v.state;
    let history = v
        .events
        .iter()
        .map(|e| {
            use motcua_domain::petition::PetitionEventBody as B;
            let detail = match &e.body {
                B::Refused { reason } | B::DraftReturned { reason } => reason.clone(),
                B::InfoRequested { request } => request.clone(),
                B::InfoReceived { note } => note.clone(),
                B::Assigned { petition_kind, assignee, .. } => {
                    format!("{} · giao {}", petition_kind.label(), assignee.name)
                }
                B::Forwarded { to, reason, .. } => format!("→ {}: {reason}", to.name),
                B::Approved { opinion, .. } => opinion.clone().unwrap_or_default(),
                B::Received { channel, .. } => channel.label().to_owned(),
                B::Drafted { .. } | B::Published => String::new(),
            };
            let who = if e.actor.user_id.is_some() { e.actor.name.clone() } else { "Người phản ánh".to_owned() };
            (when(Some(e.at)), e.body.label(), who, detail)
        })
        .collect();
    let forwards = s
        .forwards
        .iter()
        .map(|f| (when(Some(f.at)), f.from.name.clone(), f.to.name.clone(), f.reason.clone()))
        .collect();
    let assignees = if v.actions.contains(&"assign") {
        state
            .services
            .petitions
            .assignees(&v)
            .await?
            .into_iter()
            .map(|(u, n)| Choice { selected: false, label: format!("{n} ({u})"), value: u })
            .collect()
    } else {
        Vec::new()
    };
    let agencies = if v.actions.contains(&"forward") {
        state
            .services
            .petitions
            .addressees()
            .await?
            .into_iter()
            .filter(|a| a.id != s.agency.id)
            .map(|a| Choice { value: a.id.0.to_string(), selected: false, label: a.name })
            .collect()
    } else {
        Vec::new()
    };
    let answer_due = match v.clocks.answer_due {
        motcua_domain::calendar::DueState::Due(t) => when(Some(t)),
        motcua_domain::calendar::DueState::Suspended { .. } => "tạm dừng trong khi chờ bổ sung thông tin".to_owned(),
    };
    Ok(ShowPage {
        layout: Layout::new(format!("Phản ánh, kiến nghị {}", s.code), Some(user)).with_flash(flash),
        key: s.code.clone(),
        received: when(Some(s.received_at)),
        answer_due,
        refuse_due: when(Some(v.clocks.refuse_due)),
        info_due: when(Some(v.clocks.info_request_due)),
        publish_due: when(v.clocks.publish_due),
        answer_standing: v.answer.label(),
        late: v.answer.is_late(),
        history,
        forwards,
        actions: v.actions.iter().map(|a| action_form(a)).collect(),
        assignees,
        agencies,
        kinds: PetitionKind::ALL.iter().map(|k| (k.as_str(), k.label())).collect(),
        kind_now: s.petition_kind.map_or("", |k| k.as_str()),
        values: FormPairs(Vec::new()),
        errors: FormErrors::default(),
        failed: String::new(),
        v,
    })
}

/// `GET /phan-anh-kien-nghi/{code}`
pub async fn show(
    State(state): State<AppState>,
    user: PageUser,
    PagePath(key): PagePath<String>,
    Query(q): Query<ShowQuery>,
) -> PageResult {
    let v = state.services.petitions.petition(&user.principal, &key).await?;
    Ok(render(&show_page(&state, &user, v, q.msg.as_deref()).await?))
}

/// `POST /phan-anh-kien-nghi/{code}/thao-tac`: one action (`action=`), back to the page.
pub async fn act(
    State(state): State<AppState>,
    user: PageUser,
    Meta(meta): Meta,
    PagePath(key): PagePath<String>,
    f: FormPairs,
) -> PageResult {
    let name = f.text("action");
    let input = ActionInput {
        text: f.text("text"),
        petition_kind: f.opt("petition_kind"),
        assignee: f.opt("assignee"),
        field: f.opt("field"),
        to_agency: f.get("to_agency").and_then(|v| v.parse().ok()),
        opinion: f.opt("opinion"),
        expected_seq: f.get("seq").and_then(|v| v.parse().ok()),
    };
    let petitions = &state.services.petitions;
    let done = if name == "refuse" && !f.checked("confirm") {
        // Asked only of those who may refuse: others learn they may not.
        let v = petitions.petition(&user.principal, &key).await?;
        if v.actions.contains(&"refuse") {
            Err(motcua_app::AppError::field("confirm", "required", "Hãy đánh dấu ô xác nhận trước khi từ chối."))
        } else {
            petitions.act(&user.principal, &key, &name, &input, &meta).await
        }
    } else {
        petitions.act(&user.principal, &key, &name, &input, &meta).await
    };
    match done {
        Ok(v) => Ok(Redirect::to(&format!("/phan-anh-kien-nghi/{}?msg=petition_{name}", v.state.code)).into_response()),
        Err(e) => {
            let e = form_error(e)?;
            let v = petitions.petition(&user.principal, &key).await?;
            let mut page = show_page(&state, &user, v, None).await?;
            page.errors = FormErrors::from_http(&e);
            page.failed = name;
            page.values = f;
            Ok(render_form_error(e, &page))
        }
    }
}

/// `GET /phan-anh-kien-nghi/{code}/tep/{file_id}`
pub async fn file(
    State(state): State<AppState>,
    user: PageUser,
    PagePath((key, file_id)): PagePath<(String, i64)>,
) -> PageResult {
    let (meta, bytes) = state.services.petitions.petition_file(&user.principal, &key, file_id).await?;
    Ok(crate::respond::file_download(&meta.file_name, &meta.content_type, bytes))
}

#[derive(Template)]
#[template(path = "petitions/deadlines.html")]
struct DeadlinesPage {
    layout: Layout,
    sheets: Vec<motcua_app::petitions::DeadlineSheet>,
    /// The agency whose form came back with errors, and its values.
    failed: Option<i64>,
    values: FormPairs,
    errors: FormErrors,
}

impl DeadlinesPage {
    fn when(t: &jiff::Timestamp) -> String {
        when(Some(*t))
    }

    /// Whether this agency's form is the one that came back.
    fn mine(&self, id: &motcua_domain::agency::AgencyId) -> bool {
        self.failed == Some(id.0)
    }
}

#[derive(Deserialize)]
pub struct MsgQuery {
    msg: Option<String>,
}

/// `GET /admin/phan-anh/thoi-han`: each managed province's petition deadlines and their history.
pub async fn deadlines(State(state): State<AppState>, user: PageUser, Query(q): Query<MsgQuery>) -> PageResult {
    let sheets = state.services.petitions.deadline_sheets(&user.principal).await?;
    if sheets.is_empty() {
        return Err(forbidden());
    }
    Ok(render(&DeadlinesPage {
        layout: Layout::new("Thời hạn xử lý phản ánh, kiến nghị", Some(&user)).with_flash(q.msg.as_deref()),
        sheets,
        failed: None,
        values: FormPairs(Vec::new()),
        errors: FormErrors::default(),
    }))
}

/// `POST /admin/phan-anh/thoi-han/{id}`: the province's deadlines from now on.
pub async fn save_deadlines(
    State(state): State<AppState>,
    user: PageUser,
    Meta(meta): Meta,
    PagePath(id): PagePath<i64>,
    f: FormPairs,
) -> PageResult {
    let days = |k: &str| f.get(k).and_then(|v| v.trim().parse::<u32>().ok()).unwrap_or(0);
    let d = motcua_domain::petition::PetitionDeadlines {
        refuse: days("refuse"),
        info_request: days("info_request"),
        answer: days("answer"),
        publish: days("publish"),
    };
    let petitions = &state.services.petitions;
    match petitions.set_deadlines(&user.principal, motcua_domain::agency::AgencyId(id), d, &meta).await {
        Ok(()) => Ok(Redirect::to("/admin/phan-anh/thoi-han?msg=petition_deadlines").into_response()),
        Err(e) => {
            let e = form_error(e)?;
            let page = DeadlinesPage {
                layout: Layout::new("Thời hạn xử lý phản ánh, kiến nghị", Some(&user)),
                sheets: petitions.deadline_sheets(&user.principal).await?,
                failed: Some(id),
                errors: FormErrors::from_http(&e),
                values: f,
            };
            Ok(render_form_error(e, &page))
        }
    }
}

/// The refusal of a page that has nothing for this official (no agency they may act for).
fn forbidden() -> crate::respond::PageError {
    crate::error::HttpError::from(motcua_app::AppError::Forbidden(motcua_domain::policy::Denied::MissingPermission))
        .into()
}
