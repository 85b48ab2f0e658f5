//! Public tracking (tra cứu hồ sơ): anyone with a dossier code sees where it is, without the
//! applicant's personal data beyond a masked name.

use jiff::Timestamp;
use motcua_domain::dossier::{DossierCode, EventBody, Status};

use super::Dossiers;
use crate::error::AppError;

#[derive(Debug, Clone)]
pub struct PublicStep {
    /// What happened ("Tiếp nhận hồ sơ", "Chuyển bước xử lý"…).
    pub label: String,
    /// The unit it happened at or went to.
    pub unit: Option<String>,
    pub at: Timestamp,
}

#[derive(Debug, Clone)]
pub struct PublicDossier {
    pub code: String,
    /// National status code 1–10.
    pub status: u8,
    pub status_label: String,
    pub procedure_code: String,
    pub procedure_name: String,
    pub receiving_agency: String,
    pub applicant: String,
    pub received_at: Option<Timestamp>,
    /// The appointment the applicant holds (after any extension).
    pub appointment_at: Option<Timestamp>,
    pub current_step: Option<String>,
    pub history: Vec<PublicStep>,
}

impl Dossiers {
    /// The public view of a dossier. Malformed and unknown codes answer alike.
    pub async fn track_dossier(&self, code: &str) -> Result<PublicDossier, AppError> {
        let code = DossierCode::parse(code).map_err(|_| AppError::NotFound("hồ sơ"))?;
        let (id, events) = self.core.store.dossier_history_by_code(&code).await?.ok_or(AppError::NotFound("hồ sơ"))?;
        let s = motcua_domain::dossier::DossierState::fold(id, &events).map_err(|e| AppError::Internal(e.into()))?;
        let history = events
            .iter()
            .filter_map(|e| {
                let unit = match &e.body {
                    EventBody::Submitted(sub) => Some(sub.receiving.name.clone()),
                    EventBody::Accepted { .. } => Some(s.submission.receiving.name.clone()),
                    EventBody::Forwarded { to, .. } | EventBody::SentBack { to, .. } => {
                        s.steps.get(*to).map(|p| format!("{} – {}", p.name, p.agency.name))
                    }
                    EventBody::ConsultationRequested { agency, .. } => Some(agency.name.clone()),
                    // Internal notes of the workflow are not public.
                    EventBody::Assigned { .. }
                    | EventBody::ConsultationAnswered { .. }
                    | EventBody::CorrectionRequested { .. }
                    | EventBody::CorrectionDecided { .. } => return None,
                    _ => None,
                };
                Some(PublicStep { label: e.body.label().to_owned(), unit, at: e.at })
            })
            .collect();
        Ok(PublicDossier {
            code: code.to_string(),
            status: s.status.national_code(),
            status_label: s.status.label().to_owned(),
            procedure_code: s.submission.procedure.code.clone(),
            procedure_name: s.submission.procedure.name.clone(),
            receiving_agency: s.submission.receiving.name.clone(),
            applicant: s.submission.applicant.masked_name(),
            received_at: s.received_at,
            appointment_at: s.appointment_at,
            current_step: match s.status {
                Status::Received | Status::Processing | Status::Resolved => s.current_step().map(|p| p.name.clone()),
                _ => None,
            },
            history,
        })
    }
}
