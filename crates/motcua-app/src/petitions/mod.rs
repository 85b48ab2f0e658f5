//! Petitions (phản ánh, kiến nghị): received from the public form, recorded by officials from
//! letters, calls, e-mails and the desk; handled against the statutory clocks; their answers
//! published for everyone, without the petitioner's personal data.
//!
//! The events are the truth (hash-chained, append-only); the row is rewritten from them at each
//! change with the clocks computed on the holding agency's calendar and the province's deadlines.

mod demo;
mod handling;
mod intake;
mod public;
mod queues;
mod stats;

use std::sync::Arc;

use jiff::Timestamp;
use motcua_domain::agency::{Agency, AgencyId};
use motcua_domain::catalog::fold::fold;
use motcua_domain::petition::chain::{StoredPetitionEvent, verify};
use motcua_domain::petition::event::SealedEvent;
use motcua_domain::petition::{PetitionClocks, PetitionDeadlines, PetitionEvent, PetitionState, Stage};

use crate::core::Core;
use crate::error::AppError;
use crate::ports::PetitionRow;

pub use handling::{ActionInput, PetitionView, action_label, action_permission};
pub use intake::{NewFile, Receipt};
pub use public::{PublicPetition, PublishedFilter, Tracking};
pub use queues::{PetitionFilter, PetitionPage, PetitionQueue};
pub use stats::{PetitionReport, STEPS, kind_label};

/// The petitions area.
#[derive(Clone)]
pub struct Petitions {
    core: Arc<Core>,
    accounts: crate::accounts::Accounts,
}

impl Petitions {
    pub(crate) fn new(core: Arc<Core>, accounts: crate::accounts::Accounts) -> Self {
        Self { core, accounts }
    }

    /// The deadlines an agency works by: its own, the nearest ancestor's, else the national
    /// defaults.
    pub async fn deadlines_of(&self, agency: &Agency) -> Result<PetitionDeadlines, AppError> {
        let ids = agency.path.ids();
        let set = self.core.store.petition_deadlines(&ids).await?;
        Ok(ids.iter().rev().find_map(|id| set.iter().find(|(a, _)| a == id).map(|(_, d)| *d)).unwrap_or_default())
    }

    /// The clocks of a petition on its holding agency's calendar.
    async fn clocks(&self, s: &PetitionState) -> Result<(PetitionClocks, PetitionDeadlines), AppError> {
        let snapshot = self.core.snapshot().await?;
        let agency = snapshot.agency(s.agency.id).await?.ok_or(AppError::NotFound("cơ quan"))?;
        let cal = snapshot.agency_calendar(&agency).await?;
        let deadlines = self.deadlines_of(&agency).await?;
        let clocks =
            PetitionClocks::of(s, &cal.calendar, cal.counting, &deadlines).map_err(crate::calendar::deadline_error)?;
        Ok((clocks, deadlines))
    }

    /// A petition by code or id, its events verified and folded.
    async fn load(&self, key: &str) -> Result<(PetitionState, Vec<PetitionEvent>), AppError> {
        let key = key.trim();
        let id = if !key.is_empty() && key.bytes().all(|b| b.is_ascii_digit()) {
            key.parse::<i64>().ok()
        } else {
            match motcua_domain::petition::PetitionCode::parse(key) {
                Some(code) => self.core.store.petition_id_by_code(code.as_str()).await?,
                None => None,
            }
        };
        let id = id.ok_or(AppError::NotFound("phản ánh, kiến nghị"))?;
        let stored = self.core.store.petition_events(id).await?;
        if stored.is_empty() {
            return Err(AppError::NotFound("phản ánh, kiến nghị"));
        }
        let (events, state) =
            verify(id, &stored).map_err(|e| AppError::Internal(anyhow::anyhow!("phản ánh {id}: {e}")))?;
        Ok((state, events))
    }
}

/// The row a state is kept as, with its clocks.
pub(crate) fn row_of(
    s: &PetitionState,
    clocks: &PetitionClocks,
    received_agency: AgencyId,
    now: Timestamp,
) -> PetitionRow {
    let answer_late = s.stage.is_resolved().then(|| clocks.answer_timeliness(s, now).is_late());
    let mut search = format!("{} {}", s.code, s.subject);
    if s.stage == Stage::Published
        && let Some(a) = &s.answer
    {
        search.push(' ');
        search.push_str(a);
    }
    PetitionRow {
        id: s.id,
        code: s.code.clone(),
        agency_id: s.agency.id,
        received_agency_id: received_agency,
        channel: s.channel,
        petition_kind: s.petition_kind,
        stage: s.stage,
        subject: s.subject.clone(),
        field: s.field.clone(),
        petitioner_name: s.petitioner.name.clone(),
        procedure_code: s.procedure_code.clone(),
        dossier_code: s.dossier_code.clone(),
        reraise_of: s.reraise_of.clone(),
        assignee_id: s.assignee.as_ref().map(|u| u.id),
        received_at: s.received_at,
        clock_start: s.clock_start,
        due_at: clocks.current_due(s.stage),
        answer_due_at: match clocks.answer_due {
            motcua_domain::calendar::DueState::Due(t) => Some(t),
            motcua_domain::calendar::DueState::Suspended { .. } => None,
        },
        answered_at: s.answered_at,
        refused_at: s.refused_at,
        published_at: s.published_at,
        answer_late,
        search_text: fold(&search),
        likes: 0,
        dislikes: 0,
        last_seq: s.last_seq,
        updated_at: now,
    }
}

/// The stored form of a sealed event.
pub(crate) fn stored(petition_id: i64, s: SealedEvent) -> StoredPetitionEvent {
    StoredPetitionEvent {
        petition_id,
        seq: s.seq,
        at: s.at,
        kind: s.kind.to_owned(),
        actor_user_id: s.actor_user_id,
        actor_json: s.actor_json,
        body_json: s.body_json,
        prev_hash: s.prev_hash,
        hash: s.hash,
    }
}
