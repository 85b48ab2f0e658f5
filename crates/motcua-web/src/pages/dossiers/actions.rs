//! The dossier's actions: the forms that take them (on the dossier page for what is expected
//! next, on a page of their own for the rest), the confirmation of the destructive ones, and
//! the post that takes them, sending a refused form back with its errors by its fields.

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect};
use motcua_app::dossiers::DossierView;
use motcua_domain::dossier::ActionKind;
use motcua_domain::dossier::event::{PaymentMethod, ResultDelivery};
use motcua_domain::dossier::next_action::{is_destructive, opinion, plan};

use super::intake::applicant_input;
use super::lines;
use super::show::{CorrectionPrefill, CorrectionRow, correction_prefill, correction_row};
use crate::api::dossier_input::ActionInput;
use crate::auth::PageUser;
use crate::context::Meta;
use crate::error::HttpError;
use crate::pages::{Choice, FormErrors, Layout};
use crate::respond::{FormPairs, PagePath, PageResult, form_error, render, render_form_error};
use crate::state::AppState;

/// One action's form.
pub struct ActionForm {
    pub action: &'static str,
    pub label: &'static str,
    pub needs_reason: bool,
    /// Ends or turns away the dossier: a reason and a ticked confirmation first.
    pub destructive: bool,
    /// The opinion the step's decision states ("Ý kiến thẩm định", "Ý kiến phê duyệt").
    pub opinion: Option<&'static str>,
    /// What the action does, when it is not obvious (and always for a destructive one).
    pub explain: &'static str,
    pub confirm: String,
    /// For assigning and forwarding: who can do the step, with their load.
    pub candidates: Vec<Choice>,
}

/// What every action form of a dossier needs.
pub struct ActionContext {
    pub key: String,
    pub csrf: String,
    pub last_seq: i64,
    pub txn: String,
    /// The form sits on the dossier page (under a heading of its own) rather than on its page.
    pub inline: bool,
    pub delivery: &'static str,
    pub deliveries: Vec<(&'static str, &'static str)>,
    pub payment_methods: Vec<(&'static str, &'static str)>,
    pub has_result: bool,
    pub delivered: bool,
    pub prefill: CorrectionPrefill,
    pub corrections: Vec<CorrectionRow>,
    pub errors: FormErrors,
    /// The values sent, kept when the form comes back with errors.
    pub f: FormPairs,
}

impl ActionContext {
    pub fn new(user: &PageUser, key: &str, v: &DossierView, inline: bool) -> Self {
        let s = &v.state;
        Self {
            key: key.to_owned(),
            csrf: user.csrf.clone(),
            last_seq: s.last_seq,
            txn: motcua_app::secret::random_hex(16),
            inline,
            delivery: s.submission.delivery.as_str(),
            deliveries: ResultDelivery::ALL.iter().map(|d| (d.as_str(), d.label())).collect(),
            payment_methods: PaymentMethod::ALL.iter().map(|m| (m.as_str(), m.label())).collect(),
            has_result: s.result.is_some(),
            delivered: s.delivered.is_some(),
            prefill: correction_prefill(s),
            corrections: s.corrections.iter().map(correction_row).collect(),
            errors: FormErrors::default(),
            f: FormPairs(Vec::new()),
        }
    }
}

fn explain(action: ActionKind) -> &'static str {
    match action {
        ActionKind::Refuse => {
            "Hồ sơ bị từ chối tiếp nhận; người nộp nhận phiếu từ chối (mẫu 03) nêu các lý do dưới đây. Không thể hoàn tác."
        }
        ActionKind::RequestWithdrawal => {
            "Ghi nhận đơn xin rút hồ sơ của người nộp. Hồ sơ chờ dừng xử lý; việc này được báo lên Cổng Dịch vụ công quốc gia."
        }
        ActionKind::Stop => "Hồ sơ dừng xử lý và kết thúc tại đây; không thể tiếp tục xử lý hồ sơ này.",
        ActionKind::Reject => "Hồ sơ chuyển sang ban hành văn bản trả lời không giải quyết, nêu rõ lý do dưới đây.",
        ActionKind::SendBack => "Hồ sơ quay lại bước trước để làm lại; lý do được ghi vào phiếu kiểm soát.",
        ActionKind::Extend => "Ban hành phiếu xin lỗi và hẹn lại ngày trả kết quả (mẫu 04).",
        ActionKind::Assign => "Giao hồ sơ cho một người ở bước hiện tại.",
        _ => "",
    }
}

/// The success message's key: it names what was done.
fn done_key(action: ActionKind) -> String {
    format!("done_{}", action.as_str())
}

/// The forms of `actions`, in that order; `with_candidates` looks up who can take the step.
pub async fn action_forms(
    state: &AppState,
    v: &DossierView,
    actions: &[ActionKind],
    with_candidates: bool,
) -> Result<Vec<ActionForm>, motcua_app::AppError> {
    let mut out = Vec::new();
    for &a in actions {
        let candidates = if with_candidates && matches!(a, ActionKind::Assign | ActionKind::Forward) {
            state
                .services
                .dossiers
                .assignees(&v.state, a)
                .await?
                .into_iter()
                .map(|c| Choice {
                    label: format!(
                        "{} ({}) — {}",
                        c.full_name,
                        c.username,
                        if c.load == 0 {
                            "chưa giữ hồ sơ nào".to_owned()
                        } else {
                            format!("đang giữ {} hồ sơ", c.load)
                        }
                    ),
                    value: c.username,
                    selected: false,
                })
                .collect()
        } else {
            Vec::new()
        };
        let code = v.state.code.as_ref().map_or_else(|| format!("#{}", v.state.id), ToString::to_string);
        out.push(ActionForm {
            action: a.as_str(),
            label: a.label(),
            needs_reason: a.needs_reason(),
            destructive: is_destructive(a),
            opinion: opinion(&v.state, a).map(|o| o.label()),
            explain: explain(a),
            confirm: format!("Tôi xác nhận thực hiện \u{201c}{}\u{201d} đối với hồ sơ {code}.", a.label()),
            candidates,
        });
    }
    Ok(out)
}

/// The dossier page's split: the forms of what is expected next, and the rest (links to their
/// own pages).
pub async fn panel(
    state: &AppState,
    v: &DossierView,
) -> Result<(Vec<ActionForm>, Vec<ActionForm>), motcua_app::AppError> {
    let p = plan(&v.state, &v.actions);
    Ok((action_forms(state, v, &p.primary, true).await?, action_forms(state, v, &p.secondary, false).await?))
}

#[derive(Template)]
#[template(path = "dossiers/action.html")]
struct ActionPage {
    layout: Layout,
    a: ActionForm,
    ax: ActionContext,
    title: String,
    applicant: String,
    procedure: String,
    status: &'static str,
    step: String,
}

async fn action_page(
    state: &AppState,
    user: &PageUser,
    key: &str,
    v: DossierView,
    action: ActionKind,
    errors: FormErrors,
    f: FormPairs,
) -> Result<ActionPage, crate::respond::PageError> {
    let s = &v.state;
    let code = s.code.as_ref().map_or_else(|| format!("#{}", s.id), ToString::to_string);
    let a = action_forms(state, &v, &[action], true).await?.pop().ok_or_else(HttpError::not_found)?;
    let mut ax = ActionContext::new(user, key, &v, false);
    ax.errors = errors;
    ax.f = f;
    Ok(ActionPage {
        layout: Layout::new(format!("{} — hồ sơ {code}", action.label()), Some(user)),
        title: action.label().to_owned(),
        applicant: s.submission.applicant.full_name.clone(),
        procedure: s.submission.procedure.name.clone(),
        status: s.status.label(),
        step: s.current_step().map(|p| p.name.clone()).unwrap_or_default(),
        a,
        ax,
    })
}

/// `/ho-so/{key}/thao-tac/{action}`: one action's own page, for those who may take it now.
pub async fn action_form(
    State(state): State<AppState>,
    user: PageUser,
    PagePath((key, action)): PagePath<(String, String)>,
) -> PageResult {
    let action = ActionKind::parse(&action).ok_or_else(HttpError::not_found)?;
    let v = state.services.dossiers.dossier(&user.principal, &key).await?;
    if !v.actions.contains(&action) {
        return Err(HttpError::new(
            axum::http::StatusCode::CONFLICT,
            "action_not_allowed",
            format!("Không thể \u{201c}{}\u{201d} hồ sơ này lúc này.", action.label()),
        )
        .into());
    }
    Ok(render(&action_page(&state, &user, &key, v, action, FormErrors::default(), FormPairs(Vec::new())).await?))
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
    act_page(&state, &user, &meta, &key, f, None).await
}

/// Issuing the result with its document (multipart: the CSRF token first, then the action's
/// fields and the file).
pub async fn issue(
    State(state): State<AppState>,
    user: PageUser,
    Meta(meta): Meta,
    PagePath(key): PagePath<String>,
    crate::respond::Upload(mp): crate::respond::Upload,
) -> PageResult {
    let (file, mut fields) = crate::respond::read_multipart(mp).await?;
    fields.retain(|(k, _)| k != "action");
    fields.push(("action".into(), "issue_result".into()));
    let attachment = file.map(|f| motcua_app::dossiers::Attachment { file_name: f.file_name, bytes: f.bytes });
    act_page(&state, &user, &meta, &key, FormPairs(fields), attachment.as_ref()).await
}

async fn act_page(
    state: &AppState,
    user: &PageUser,
    meta: &motcua_app::context::RequestMeta,
    key: &str,
    f: FormPairs,
    attachment: Option<&motcua_app::dossiers::Attachment>,
) -> PageResult {
    let input = action_input(&f);
    let kind = ActionKind::parse(&input.action);
    // The page asks twice before an action that cannot be undone; the API's callers decide for
    // themselves.
    let mut unconfirmed = kind.is_some_and(is_destructive) && !f.checked("confirm") && f.get("confirm") != Some("yes");
    if unconfirmed {
        // Who may not take the action is told so (by the use case), not asked to confirm.
        let v = state.services.dossiers.dossier(&user.principal, key).await?;
        unconfirmed = kind.is_some_and(|k| v.actions.contains(&k));
    }
    let done = if unconfirmed {
        Err(motcua_app::AppError::field("confirm", "required", "Hãy đánh dấu ô xác nhận trước khi thực hiện."))
    } else {
        match input.parse() {
            Ok(action) => {
                let snapshot = state.services.snapshot().await?;
                state.services.dossiers.act_with(&user.principal, &snapshot, key, &action, attachment, meta).await
            }
            Err(e) => Err(motcua_app::AppError::Validation(e)),
        }
    };
    match done {
        Ok(v) => {
            let key = v.state.code.as_ref().map_or(v.state.id.to_string(), ToString::to_string);
            let msg = kind.map_or_else(|| "dossier_action_done".to_owned(), done_key);
            Ok(Redirect::to(&format!("/ho-so/{key}?msg={msg}")).into_response())
        }
        Err(e) => {
            let e = form_error(e)?;
            let v = state.services.dossiers.dossier(&user.principal, key).await?;
            // The form comes back on the action's own page, its values kept and each error by its
            // field; an action no longer open (someone else moved the dossier) leaves the
            // dossier page to tell why.
            match kind.filter(|k| v.actions.contains(k)) {
                Some(kind) => {
                    let mut errors = FormErrors::from_http(&e);
                    if attachment.is_some() || f.get("file").is_some() {
                        errors
                            .fields
                            .push(("file".into(), "Hãy chọn lại tệp: trình duyệt không giữ tệp đã chọn.".into()));
                    }
                    let page = action_page(state, user, key, v, kind, errors, f).await?;
                    Ok(render_form_error(e, &page))
                }
                None => {
                    let detail = e.fields.iter().map(|f| f.message.clone()).collect::<Vec<_>>().join(" ");
                    let message = if detail.is_empty() { e.message.clone() } else { format!("{} {detail}", e.message) };
                    let page = super::show::show_page(state, user, key, v, None, Some(message)).await?;
                    Ok(render_form_error(e, &page))
                }
            }
        }
    }
}
