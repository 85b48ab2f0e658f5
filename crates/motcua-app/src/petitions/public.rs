//! What anyone may see: where a petition stands by its code, and the published answers with
//! their likes and dislikes. Never the petitioner's name, address or contacts.

use jiff::Timestamp;
use motcua_domain::catalog::fold::fold;
use motcua_domain::petition::{PetitionKind, Stage};

use super::Petitions;
use crate::context::{Actor, RequestMeta};
use crate::error::AppError;
use crate::ports::{PetitionQuery, PetitionRow};

/// A petition's progress for whoever holds its code.
#[derive(Debug, Clone)]
pub struct Tracking {
    pub code: String,
    pub subject: String,
    pub agency: String,
    pub stage: Stage,
    pub received_at: Timestamp,
    pub answer_due: Option<Timestamp>,
    /// Once published.
    pub answer: Option<PublicPetition>,
}

/// A published answer.
#[derive(Debug, Clone)]
pub struct PublicPetition {
    pub code: String,
    pub subject: String,
    /// The question as asked, without who asked it.
    pub content: String,
    pub petition_kind: Option<PetitionKind>,
    pub field: Option<String>,
    pub agency: String,
    pub received_at: Timestamp,
    pub answered_at: Option<Timestamp>,
    pub published_at: Option<Timestamp>,
    pub answer: String,
    pub likes: i64,
    pub dislikes: i64,
    pub reraise_of: Option<String>,
}

/// The public page's search.
#[derive(Debug, Clone, Default)]
pub struct PublishedFilter {
    pub text: Option<String>,
    pub field: Option<String>,
    pub page: i64,
}

/// Answers per page.
const PER_PAGE: i64 = 20;
/// Pages beyond this are empty anyway; the bound keeps offsets from overflowing.
pub(crate) const MAX_PAGE: i64 = 100_000;

impl Petitions {
    async fn public_of(&self, row: &PetitionRow) -> Result<Option<PublicPetition>, AppError> {
        if row.stage != Stage::Published {
            return Ok(None);
        }
        let (s, _) = self.load(&row.id.to_string()).await?;
        Ok(Some(PublicPetition {
            code: s.code.clone(),
            subject: s.subject.clone(),
            content: s.content.clone(),
            petition_kind: s.petition_kind,
            field: s.field.clone(),
            agency: s.agency.name.clone(),
            received_at: s.received_at,
            answered_at: s.answered_at,
            published_at: s.published_at,
            answer: s.answer.clone().unwrap_or_default(),
            likes: row.likes,
            dislikes: row.dislikes,
            reraise_of: s.reraise_of.clone(),
        }))
    }

    /// Where a petition stands, for whoever holds its code.
    pub async fn track(&self, code: &str) -> Result<Tracking, AppError> {
        let not_found = || AppError::NotFound("phản ánh, kiến nghị");
        let code = motcua_domain::petition::PetitionCode::parse(code).ok_or_else(not_found)?;
        let id = self.core.store.petition_id_by_code(code.as_str()).await?.ok_or_else(not_found)?;
        let row = self.core.store.petition_row(id).await?.ok_or_else(not_found)?;
        let agency = self.core.store.agency(row.agency_id).await?.map(|a| a.name).unwrap_or_default();
        Ok(Tracking {
            code: row.code.clone(),
            subject: row.subject.clone(),
            agency,
            stage: row.stage,
            received_at: row.received_at,
            answer_due: row.answer_due_at,
            answer: self.public_of(&row).await?,
        })
    }

    /// A published answer by its code.
    pub async fn published(&self, code: &str) -> Result<PublicPetition, AppError> {
        let t = self.track(code).await?;
        t.answer.ok_or(AppError::NotFound("trả lời phản ánh, kiến nghị"))
    }

    /// Published answers, newest first, with their total.
    pub async fn published_list(&self, f: &PublishedFilter) -> Result<(Vec<PublicPetition>, i64), AppError> {
        let q = PetitionQuery {
            stages: vec![Stage::Published],
            words: f
                .text
                .as_deref()
                .map(|t| fold(t).split_whitespace().map(str::to_owned).collect())
                .unwrap_or_default(),
            field: f.field.clone().filter(|x| !x.trim().is_empty()),
            limit: PER_PAGE,
            offset: (f.page.clamp(1, MAX_PAGE) - 1) * PER_PAGE,
            ..PetitionQuery::default()
        };
        let total = self.core.store.count_petitions(&q).await?;
        let mut out = Vec::new();
        for row in self.core.store.petitions(&q).await? {
            if let Some(p) = self.public_of(&row).await? {
                out.push(p);
            }
        }
        Ok((out, total))
    }

    /// Records a browser's like (`true`) or dislike on a published answer; `false` when this
    /// browser already voted on it (nothing changes).
    pub async fn vote(&self, code: &str, voter: &str, like: bool, meta: &RequestMeta) -> Result<bool, AppError> {
        let not_found = || AppError::NotFound("trả lời phản ánh, kiến nghị");
        if voter.len() < 16 || voter.len() > 100 {
            return Err(AppError::field("voter", "invalid", "Trình duyệt chưa có mã bình chọn; hãy tải lại trang."));
        }
        let code = motcua_domain::petition::PetitionCode::parse(code).ok_or_else(not_found)?;
        let id = self.core.store.petition_id_by_code(code.as_str()).await?.ok_or_else(not_found)?;
        let row = self.core.store.petition_row(id).await?.ok_or_else(not_found)?;
        if row.stage != Stage::Published {
            return Err(not_found());
        }
        let now = self.core.now();
        let mut tx = self.core.store.begin().await?;
        let voted = tx.vote_petition(id, voter, if like { 1 } else { -1 }, now).await?;
        if !voted {
            return Ok(false);
        }
        let event = Actor::Anonymous { attempted: None }
            .did("petition.vote")
            .on("petition", id)
            .detail(if like { "{\"vote\":\"like\"}" } else { "{\"vote\":\"dislike\"}" })
            .event(meta, now);
        self.core.commit_audited(tx, event, meta).await?;
        Ok(true)
    }
}
