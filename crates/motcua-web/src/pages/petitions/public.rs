//! The public side of petitions: the form (`/phan-anh/gui`), a petition's page by its code
//! (`/phan-anh/{code}`: where it stands, and its answer once published) and the published
//! answers (`/phan-anh`) with one like or dislike per browser. Nothing shows who sent a petition.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use motcua_app::petitions::{PublicPetition, PublishedFilter, Tracking};
use motcua_domain::petition::{PetitionKind, Stage};
use serde::Deserialize;

use super::{files_of, intake_of, when};
use crate::auth::{MaybeUser, cookie};
use crate::context::Meta;
use crate::pages::{Choice, FormErrors, Layout};
use crate::respond::{FormPairs, PagePath, PageResult, Upload, form_error, render, render_form_error};
use crate::state::AppState;

/// The cookie that makes one vote per browser.
const VOTER_COOKIE: &str = "motcua_pakn";

#[derive(Template)]
#[template(path = "petitions/public_form.html")]
struct FormPage {
    layout: Layout,
    csrf: String,
    agencies: Vec<Choice>,
    kinds: Vec<(&'static str, &'static str)>,
    values: FormPairs,
    errors: FormErrors,
}

#[derive(Deserialize)]
pub struct FormQuery {
    neu_lai: Option<String>,
    co_quan: Option<i64>,
}

async fn form_page(
    state: &AppState,
    csrf: String,
    values: FormPairs,
    errors: FormErrors,
) -> Result<FormPage, crate::respond::PageError> {
    let selected = values.get("agency").and_then(|v| v.parse().ok());
    let agencies = state
        .services
        .petitions
        .addressees()
        .await?
        .into_iter()
        .map(|a| Choice { value: a.id.0.to_string(), selected: selected == Some(a.id.0), label: a.name })
        .collect();
    Ok(FormPage {
        layout: Layout::new("Gửi phản ánh, kiến nghị", None),
        csrf,
        agencies,
        kinds: PetitionKind::ALL.iter().map(|k| (k.as_str(), k.label())).collect(),
        values,
        errors,
    })
}

/// `GET /phan-anh/gui`: the form; `?neu_lai=CODE` raises a published answer again.
pub async fn form(State(state): State<AppState>, MaybeUser(user): MaybeUser, Query(q): Query<FormQuery>) -> PageResult {
    let mut values = Vec::new();
    if let Some(code) = q.neu_lai.filter(|c| !c.trim().is_empty()) {
        let old = state.services.petitions.published(&code).await?;
        values.push(("reraise_of".to_owned(), old.code.clone()));
        values.push(("subject".to_owned(), format!("Nêu lại: {}", old.subject)));
    }
    if let Some(a) = q.co_quan {
        values.push(("agency".to_owned(), a.to_string()));
    }
    let csrf = user.map(|u| u.csrf).unwrap_or_default();
    Ok(render(&form_page(&state, csrf, FormPairs(values), FormErrors::default()).await?))
}

/// `POST /phan-anh/gui` (multipart: the fields and up to five files).
pub async fn submit(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    Meta(meta): Meta,
    Upload(mp): Upload,
) -> PageResult {
    crate::limits::tracking_limit(&state, &meta)?;
    let (files, fields) = crate::respond::read_multipart_files(mp, "files").await?;
    let f = FormPairs(fields);
    let agency = motcua_domain::agency::AgencyId(f.int("agency"));
    match state.services.petitions.submit(agency, &intake_of(&f), &files_of(files), &meta).await {
        Ok(r) => Ok(Redirect::to(&format!("/phan-anh/{}?moi=1", r.code)).into_response()),
        Err(e) => {
            let e = form_error(e)?;
            let csrf = user.map(|u| u.csrf).unwrap_or_default();
            let page = form_page(&state, csrf, f, FormErrors::from_http(&e)).await?;
            Ok(render_form_error(e, &page))
        }
    }
}

/// A published answer as the public page shows it.
pub(crate) struct AnswerCard {
    pub p: PublicPetition,
    pub kind: &'static str,
    pub received: String,
    pub published: String,
}

fn card(p: PublicPetition) -> AnswerCard {
    AnswerCard {
        kind: p.petition_kind.map(|k| k.label()).unwrap_or_default(),
        received: when(Some(p.received_at)),
        published: when(p.published_at),
        p,
    }
}

#[derive(Template)]
#[template(path = "petitions/public_show.html")]
struct ShowPage {
    layout: Layout,
    csrf: String,
    t: Tracking,
    stage: &'static str,
    received: String,
    due: String,
    fresh: bool,
    answer: Option<AnswerCard>,
    voted: Option<&'static str>,
}

#[derive(Deserialize)]
pub struct ShowQuery {
    moi: Option<String>,
    binh_chon: Option<String>,
}

/// `GET /phan-anh/{code}`: the receipt and progress; the answer once published.
pub async fn show(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    Meta(meta): Meta,
    PagePath(code): PagePath<String>,
    Query(q): Query<ShowQuery>,
) -> PageResult {
    crate::limits::tracking_limit(&state, &meta)?;
    let mut t = state.services.petitions.track(&code).await?;
    let answer = t.answer.take().map(card);
    let voted = match q.binh_chon.as_deref() {
        Some("ok") => Some("Cảm ơn ông/bà đã cho ý kiến về câu trả lời."),
        Some("da_co") => Some("Trình duyệt này đã bình chọn câu trả lời này rồi; mỗi trình duyệt bình chọn một lần."),
        _ => None,
    };
    Ok(render(&ShowPage {
        layout: Layout::new(format!("Phản ánh, kiến nghị {}", t.code), None),
        csrf: user.map(|u| u.csrf).unwrap_or_default(),
        stage: public_stage(t.stage),
        received: when(Some(t.received_at)),
        due: when(t.answer_due),
        fresh: q.moi.is_some(),
        answer,
        voted,
        t,
    }))
}

/// How the stage is told to the public (the internal steps are not their concern).
fn public_stage(s: Stage) -> &'static str {
    match s {
        Stage::Received => "Đã tiếp nhận, đang phân loại",
        Stage::AwaitingInfo => "Cơ quan đề nghị bổ sung thông tin (đã liên hệ với người gửi)",
        Stage::Processing | Stage::AwaitingApproval => "Đang xem xét, trả lời",
        Stage::ReadyToPublish => "Đã có trả lời, chờ công khai",
        Stage::Published => "Đã trả lời và công khai",
        Stage::Refused => "Không thuộc phạm vi tiếp nhận (đã thông báo lý do cho người gửi)",
    }
}

#[derive(Template)]
#[template(path = "petitions/public_list.html")]
struct ListPage {
    layout: Layout,
    answers: Vec<AnswerCard>,
    total: i64,
    q: String,
    field: String,
    lookup: String,
    not_found: bool,
    next: Option<String>,
    prev: Option<String>,
}

#[derive(Deserialize)]
pub struct ListQuery {
    q: Option<String>,
    linh_vuc: Option<String>,
    trang: Option<i64>,
    ma: Option<String>,
}

/// `GET /phan-anh`: published answers, searchable; a code typed in the lookup box opens its page.
pub async fn index(State(state): State<AppState>, Meta(meta): Meta, Query(q): Query<ListQuery>) -> PageResult {
    let lookup = q.ma.clone().unwrap_or_default().trim().to_owned();
    let mut not_found = false;
    if !lookup.is_empty() {
        crate::limits::tracking_limit(&state, &meta)?;
        match state.services.petitions.track(&lookup).await {
            Ok(t) => return Ok(Redirect::to(&format!("/phan-anh/{}", t.code)).into_response()),
            Err(motcua_app::AppError::NotFound(_)) => not_found = true,
            Err(e) => return Err(crate::error::HttpError::from(e).into()),
        }
    }
    let page = q.trang.unwrap_or(1).clamp(1, 100_000);
    let filter = PublishedFilter { text: q.q.clone(), field: q.linh_vuc.clone(), page };
    let (answers, total) = state.services.petitions.published_list(&filter).await?;
    let link = |p: i64| {
        let mut s = url::form_urlencoded::Serializer::new(String::new());
        if let Some(t) = q.q.as_deref().filter(|t| !t.is_empty()) {
            s.append_pair("q", t);
        }
        if let Some(t) = q.linh_vuc.as_deref().filter(|t| !t.is_empty()) {
            s.append_pair("linh_vuc", t);
        }
        s.append_pair("trang", &p.to_string());
        format!("/phan-anh?{}", s.finish())
    };
    Ok(render(&ListPage {
        layout: Layout::new("Trả lời phản ánh, kiến nghị", None),
        next: (page * 20 < total).then(|| link(page + 1)),
        prev: (page > 1).then(|| link(page - 1)),
        answers: answers.into_iter().map(card).collect(),
        total,
        q: q.q.unwrap_or_default(),
        field: q.linh_vuc.unwrap_or_default(),
        lookup,
        not_found,
    }))
}

/// `POST /phan-anh/{code}/binh-chon`: a like (`y_kien=hai_long`) or dislike, once per browser.
pub async fn vote(
    State(state): State<AppState>,
    Meta(meta): Meta,
    headers: HeaderMap,
    PagePath(code): PagePath<String>,
    f: FormPairs,
) -> PageResult {
    crate::limits::tracking_limit(&state, &meta)?;
    let like = match f.get("y_kien") {
        Some("hai_long") => true,
        Some("khong_hai_long") => false,
        _ => {
            return Err(
                crate::error::HttpError::bad_request("invalid_vote", "Hãy chọn hài lòng hoặc không hài lòng.").into()
            );
        }
    };
    let (voter, fresh) = match cookie(&headers, VOTER_COOKIE).filter(|v| v.len() >= 16 && v.len() <= 100) {
        Some(v) => (v.to_owned(), false),
        None => (motcua_app::secret::random_token("v_"), true),
    };
    let counted = state.services.petitions.vote(&code, &voter, like, &meta).await?;
    let t = state.services.petitions.track(&code).await?;
    let mut resp: Response =
        Redirect::to(&format!("/phan-anh/{}?binh_chon={}#binh-chon", t.code, if counted { "ok" } else { "da_co" }))
            .into_response();
    if fresh {
        let secure = if state.config.secure_cookies() { "; Secure" } else { "" };
        let c = format!("{VOTER_COOKIE}={voter}; Path=/phan-anh; HttpOnly; SameSite=Lax; Max-Age=31536000{secure}");
        if let Ok(v) = c.parse() {
            resp.headers_mut().insert(header::SET_COOKIE, v);
        }
    }
    Ok(resp)
}
