//! Petitions the national portal's PAKN system forwards to an agency of the province
//! (`legal.md` §6). Idempotent on the portal's reference: the same petition delivered again
//! changes nothing and answers with the code it was given the first time.

use motcua_domain::agency::AgencyId;
use motcua_domain::dossier::EventActor;
use motcua_domain::petition::{PetitionChannel, PetitionIntake, PortalReference};
use serde::Serialize;

use super::{Petitions, Receipt};
use crate::context::{Actor, RequestMeta};
use crate::error::{AppError, StoreError};

/// A petition as the portal forwards it: the agency it is addressed to (its electronic
/// identifier), the portal's reference and times, and the petition itself.
#[derive(Debug, Clone)]
pub struct PortalPetition {
    pub agency: AgencyId,
    pub reference: String,
    pub submitted_at: jiff::Timestamp,
    pub forwarded_at: jiff::Timestamp,
    pub intake: PetitionIntake,
}

/// What became of a forwarded petition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum PortalPetitionOutcome {
    /// Received and numbered; its clocks count from the forward.
    Received { code: String, answer_due: Option<jiff::Timestamp> },
    /// Already here under this reference: nothing changed.
    Repeated { code: String },
}

impl Petitions {
    /// Receives a petition the portal forwarded (no attachments: the portal keeps them).
    pub async fn receive_from_portal(
        &self,
        input: &PortalPetition,
        meta: &RequestMeta,
    ) -> Result<PortalPetitionOutcome, AppError> {
        let now = self.core.now();
        let portal = PortalReference::checked(&input.reference, input.submitted_at, input.forwarded_at, now)
            .map_err(AppError::Validation)?;
        if let Some(code) = self.by_portal_reference(&portal.reference).await? {
            return Ok(PortalPetitionOutcome::Repeated { code });
        }
        let channel = PetitionChannel::NationalPortal;
        let (agency, mut valid) = self.checked(input.agency, &input.intake, channel, &[]).await?;
        valid.portal = Some(portal.clone());
        let actor =
            EventActor { user_id: None, name: "Cổng Dịch vụ công quốc gia".into(), role: None, unit: None };
        let created =
            self.create(&agency, channel, valid, &[], actor, Actor::System { label: "national_portal" }, meta).await;
        match created {
            Ok(Receipt { code, answer_due, .. }) => Ok(PortalPetitionOutcome::Received { code, answer_due }),
            // The same petition delivered twice at once: the other delivery kept it.
            Err(AppError::Store(StoreError::Duplicate { key })) if key == "petitions.portal_reference" => {
                match self.by_portal_reference(&portal.reference).await? {
                    Some(code) => Ok(PortalPetitionOutcome::Repeated { code }),
                    None => Err(AppError::Internal(anyhow::anyhow!("petition {} conflicted", portal.reference))),
                }
            }
            Err(e) => Err(e),
        }
    }

    async fn by_portal_reference(&self, reference: &str) -> Result<Option<String>, AppError> {
        Ok(match self.core.store.petition_id_by_portal_reference(reference).await? {
            Some(id) => self.core.store.petition_row(id).await?.map(|r| r.code),
            None => None,
        })
    }
}
