//! Citizens rate how their dossier was handled: through the dossier's link (the QR on the
//! receipt, the result notification) or at the counter (the officer opens the same link on the
//! desk's tablet). One rating per dossier, once the dossier is closed for the citizen (result
//! returned, refused, stopped); staff can read it, never change it.

use motcua_domain::account::Principal;
use motcua_domain::audit::{AuditEvent, Outcome};
use motcua_domain::dossier::{DossierEvent, DossierState, Status};
use motcua_domain::rating::{Answers, IndicatorSet, RatingChannel, default_set, validate};

use super::Dossiers;
use crate::context::RequestMeta;
use crate::error::AppError;
use crate::ports::{RatingRecord, Reach, SatisfactionCount};

/// What the rating page shows.
#[derive(Debug, Clone)]
pub struct RatingForm {
    pub code: String,
    pub procedure: String,
    pub agency: String,
    pub set: IndicatorSet,
    /// Why it cannot be rated now (not closed yet, already rated), when it cannot.
    pub closed: Option<&'static str>,
}

/// The dossier's state allows a rating: the citizen has had the outcome.
fn rateable(s: &DossierState) -> bool {
    matches!(s.status, Status::Returned | Status::Refused | Status::Stopped)
}

impl Dossiers {
    /// The dossier's rating token, made the first time it is asked for, for whoever may see the
    /// dossier (the desk prints it, opens it on the counter's tablet).
    pub async fn rating_link(&self, principal: &Principal, key: &str) -> Result<String, AppError> {
        let view = self.dossier(principal, key).await?;
        self.rating_token(view.state.id).await
    }

    /// The dossier's rating token, made the first time (the caller has checked access).
    pub(crate) async fn rating_token(&self, dossier_id: i64) -> Result<String, AppError> {
        if let Some(token) = self.core.store.rating_link(dossier_id).await? {
            return Ok(token);
        }
        let mut tx = self.core.store.begin().await?;
        let token = tx.ensure_rating_link(dossier_id, &crate::secret::random_token("dg_"), self.core.now()).await?;
        tx.commit().await?;
        Ok(token)
    }

    async fn rated_dossier(&self, token: &str) -> Result<(DossierState, Vec<DossierEvent>), AppError> {
        let token = token.trim();
        if token.is_empty() || token.len() > 100 {
            return Err(AppError::NotFound("đường dẫn đánh giá"));
        }
        let id = self.core.store.rating_link_dossier(token).await?.ok_or(AppError::NotFound("đường dẫn đánh giá"))?;
        let events = self.core.store.dossier_events(id).await?;
        let state = DossierState::fold(id, &events).map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?;
        Ok((state, events))
    }

    /// The rating page of a token: the dossier in a few words, the questions, and whether it can
    /// be rated now.
    pub async fn rating_form(&self, token: &str) -> Result<RatingForm, AppError> {
        let (s, _) = self.rated_dossier(token).await?;
        let closed = if self.core.store.dossier_rating(s.id).await?.is_some() {
            Some("Hồ sơ này đã được đánh giá. Cảm ơn ông/bà đã góp ý.")
        } else if !rateable(&s) {
            Some("Hồ sơ chưa trả kết quả: ông/bà đánh giá được sau khi nhận kết quả.")
        } else {
            None
        };
        Ok(RatingForm {
            code: s.code.as_ref().map_or_else(|| format!("#{}", s.id), ToString::to_string),
            procedure: s.submission.procedure.name.clone(),
            agency: s.submission.receiving.name.clone(),
            set: default_set(),
            closed,
        })
    }

    /// Records the citizen's rating; the link is then spent. Refused (nothing written) when the
    /// answers are incomplete, the dossier is not closed yet, or it was rated already.
    pub async fn rate(
        &self,
        token: &str,
        answers: &Answers,
        channel: RatingChannel,
        meta: &RequestMeta,
    ) -> Result<RatingRecord, AppError> {
        let (s, events) = self.rated_dossier(token).await?;
        let rating = validate(&default_set(), answers).map_err(AppError::Validation)?;
        if !rateable(&s) {
            return Err(AppError::Conflict {
                code: "not_rateable_yet",
                message: "Hồ sơ chưa trả kết quả: ông/bà đánh giá được sau khi nhận kết quả.".into(),
                field: None,
            });
        }
        let now = self.core.now();
        let record = RatingRecord {
            dossier_id: s.id,
            agency_id: s.submission.receiving.id,
            procedure_code: s.submission.procedure.code.clone(),
            officer_id: events.last().and_then(|e| e.actor.user_id),
            rating,
            channel,
            rated_at: now,
        };
        let mut tx = self.core.store.begin().await?;
        if !tx.insert_rating(&record).await? {
            return Err(AppError::Conflict {
                code: "already_rated",
                message: "Hồ sơ này đã được đánh giá; mỗi hồ sơ chỉ đánh giá một lần.".into(),
                field: None,
            });
        }
        let event = AuditEvent {
            occurred_at: now,
            actor_user_id: None,
            actor_username: None,
            actor_role: Some("citizen".into()),
            actor_unit_id: None,
            action: "rating.submit".into(),
            target_type: Some("dossier".into()),
            target_id: Some(s.id.to_string()),
            request_id: meta.request_id.clone(),
            outcome: Outcome::Success,
            detail: Some(format!(
                "{{\"channel\":\"{}\",\"total\":{},\"satisfied\":{}}}",
                channel.as_str(),
                record.rating.total(),
                record.rating.satisfied()
            )),
        };
        self.core.commit_audited(tx, event, meta).await?;
        Ok(record)
    }

    /// The rating of a dossier the official has opened (a view is only had through an
    /// authorized read), and whether the desk may still invite one.
    pub async fn rating_of(&self, view: &super::DossierView) -> Result<(Option<RatingRecord>, bool), AppError> {
        let rating = self.core.store.dossier_rating(view.state.id).await?;
        let open = rating.is_none() && rateable(&view.state);
        Ok((rating, open))
    }

    /// The notices sent to the applicant of a dossier the official has opened (a view is only
    /// had through an authorized read), oldest first.
    pub async fn notices_of(&self, view: &super::DossierView) -> Result<Vec<crate::ports::CitizenNotice>, AppError> {
        Ok(self.core.store.dossier_notices(view.state.id).await?)
    }

    /// Ratings of the dossiers received within `reach`, in `[from, to)`.
    pub async fn satisfaction(
        &self,
        reach: &Reach,
        from: jiff::Timestamp,
        to: jiff::Timestamp,
    ) -> Result<SatisfactionCount, AppError> {
        Ok(self.core.store.satisfaction(reach, from, to).await?)
    }
}
