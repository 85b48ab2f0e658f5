//! The dossier page: its facts, papers, steps, control sheet, portal sync and history, and its printed forms.

use askama::Template;
use axum::extract::{Query, State};
use motcua_app::dossiers::DossierView;
use motcua_domain::time::format_datetime;
use serde::Deserialize;

use super::actions::{ActionContext, ActionForm};
use super::when;
use crate::auth::PageUser;
use crate::pages::Layout;
use crate::respond::{PagePath, PageResult, render};
use crate::state::AppState;
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

pub(super) fn correction_row(c: &motcua_domain::dossier::correction::CorrectionRecord) -> CorrectionRow {
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

pub(super) fn correction_prefill(s: &motcua_domain::dossier::DossierState) -> CorrectionPrefill {
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
pub(super) struct ShowPage {
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
    events: Vec<EventRow>,
    /// What the person is expected to do next (its forms), and the rest of what they may do.
    next: Vec<ActionForm>,
    more: Vec<ActionForm>,
    ax: ActionContext,
    /// Printable forms: (number, title).
    forms: Vec<(&'static str, &'static str)>,
    /// A portal dossier: its code there, its reception standing and its files.
    portal_origin: Option<PortalOriginRow>,
    /// The citizen's rating, in a line; or whether the desk may invite one now.
    rating: Option<String>,
    rateable: bool,
    /// What the applicant was told: (when, what, channel, status).
    notices: Vec<(String, &'static str, &'static str, String)>,
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

pub(super) async fn show_page(
    state: &AppState,
    user: &PageUser,
    key: &str,
    v: DossierView,
    msg: Option<&str>,
    error: Option<String>,
) -> Result<ShowPage, motcua_app::AppError> {
    let (next, more) = super::actions::panel(state, &v).await?;
    let ax = ActionContext::new(user, key, &v, true);
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
    Ok(ShowPage {
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
        events,
        next,
        more,
        ax,
        forms: motcua_app::dossiers::available_forms(&v.state).into_iter().map(|f| (f.number(), f.title())).collect(),
        portal_origin: portal_origin_row(&v.state, v.now),
        rating: None,
        rateable: false,
        notices: Vec::new(),
        v,
    })
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
    let (rating, rateable) = state.services.dossiers.rating_of(&v).await?;
    let notices = state.services.dossiers.notices_of(&v).await?;
    let mut page = show_page(&state, &user, &key, v, q.msg.as_deref(), None).await?;
    page.portal = Some(portal_section(&timeline));
    page.rateable = rateable;
    page.notices = notices
        .into_iter()
        .map(|n| {
            let status = match &n.last_error {
                Some(e) if n.status != motcua_domain::citizen_notice::NoticeStatus::Sent => {
                    format!("{} ({e})", n.status.label())
                }
                _ => n.status.label().to_owned(),
            };
            (motcua_domain::time::format_datetime(n.created_at), n.kind.label(), n.channel.label(), status)
        })
        .collect();
    page.rating = rating.map(|r| {
        format!(
            "{} · {}/{} điểm ({}) · {}, {}{}",
            r.rating.overall().label(),
            r.rating.total(),
            motcua_domain::rating::default_set().max_points(),
            r.rating.grade().label(),
            r.channel.label().to_lowercase(),
            format_datetime(r.rated_at),
            r.rating.comment.as_deref().map(|c| format!(" · ý kiến: \u{201c}{c}\u{201d}")).unwrap_or_default()
        )
    });
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
