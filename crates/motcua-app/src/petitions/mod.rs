//! Petitions (phản ánh, kiến nghị): received from the public form, recorded by officials from
//! letters, calls, e-mails and the desk; handled against the statutory clocks; their answers
//! published for everyone, without the petitioner's personal data.
//!
//! The events are the truth (hash-chained, append-only); the row is rewritten from them at each
//! change with the clocks computed on the holding agency's calendar and the province's deadlines.

mod demo;
mod handling;
mod intake;
mod portal;
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
pub use portal::{PortalPetition, PortalPetitionOutcome};
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

    /// The deadlines an agency works by at an instant: its own or the nearest ancestor's in
    /// force then, else the national defaults.
    pub async fn deadlines_of(&self, agency: &Agency, at: Timestamp) -> Result<PetitionDeadlines, AppError> {
        let ids = agency.path.ids();
        let set = self.core.store.petition_deadlines(&ids).await?;
        Ok(ids
            .iter()
            .rev()
            .find_map(|id| set.iter().rev().find(|d| d.agency_id == *id && d.effective_from <= at))
            .map_or_else(PetitionDeadlines::default, |d| d.deadlines))
    }

    /// The clocks of a petition on its holding agency's calendar.
    async fn clocks(&self, s: &PetitionState) -> Result<(PetitionClocks, PetitionDeadlines), AppError> {
        let snapshot = self.core.snapshot().await?;
        let agency = snapshot.agency(s.agency.id).await?.ok_or(AppError::NotFound("cơ quan"))?;
        let cal = snapshot.agency_calendar(&agency).await?;
        let deadlines = self.deadlines_of(&agency, s.clock_start).await?;
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
        portal_reference: s.portal.as_ref().map(|p| p.reference.clone()),
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

/// What an administrator sees of an agency's petition deadlines.
#[derive(Debug, Clone)]
pub struct DeadlineSheet {
    pub agency: Agency,
    /// In force now.
    pub current: PetitionDeadlines,
    /// Whether they are the agency's own (or inherited, or the national defaults).
    pub own: bool,
    /// The agency's own settings, newest first.
    pub history: Vec<crate::ports::DatedDeadlines>,
}

impl Petitions {
    /// The agencies whose petition deadlines the official may set: the provinces (and other
    /// agencies) they manage.
    pub async fn deadline_sheets(
        &self,
        principal: &motcua_domain::account::Principal,
    ) -> Result<Vec<DeadlineSheet>, AppError> {
        let mut out = Vec::new();
        for agency in self.addressees().await? {
            let may = motcua_domain::policy::authorize(
                principal,
                motcua_domain::policy::Permission::ManageAgencies,
                motcua_domain::policy::Target::Agency(&agency.path),
            )
            .is_ok();
            if !may || agency.level != motcua_domain::agency::AgencyLevel::Province {
                continue;
            }
            let mut history = self.core.store.petition_deadlines(&[agency.id]).await?;
            history.reverse();
            let current = self.deadlines_of(&agency, self.core.now()).await?;
            out.push(DeadlineSheet { own: !history.is_empty(), current, history, agency });
        }
        Ok(out)
    }

    /// Sets a province's deadlines from now on; petitions whose clock started before keep theirs.
    pub async fn set_deadlines(
        &self,
        principal: &motcua_domain::account::Principal,
        agency: motcua_domain::agency::AgencyId,
        deadlines: PetitionDeadlines,
        meta: &crate::context::RequestMeta,
    ) -> Result<(), AppError> {
        // Province-wide administrators only (who holds it nowhere learns nothing of the agency).
        motcua_domain::policy::authorize(
            principal,
            motcua_domain::policy::Permission::ManageAgencies,
            motcua_domain::policy::Target::System,
        )?;
        let agency = self.core.store.agency(agency).await?.ok_or(AppError::NotFound("cơ quan"))?;
        let grant = motcua_domain::policy::authorize(
            principal,
            motcua_domain::policy::Permission::ManageAgencies,
            motcua_domain::policy::Target::Agency(&agency.path),
        )?;
        let deadlines = deadlines.validated()?;
        let now = self.core.now();
        let mut tx = self.core.store.begin().await?;
        tx.put_petition_deadlines(&crate::ports::DatedDeadlines {
            agency_id: agency.id,
            effective_from: now,
            deadlines,
            updated_at: now,
            updated_by: Some(principal.username.to_string()),
        })
        .await?;
        let event = crate::context::Actor::Official { principal, grant: Some(grant) }
            .did("petition.deadlines")
            .on("agency", agency.id.0)
            .detail(format!(
                "{{\"refuse\":{},\"info_request\":{},\"answer\":{},\"publish\":{}}}",
                deadlines.refuse, deadlines.info_request, deadlines.answer, deadlines.publish
            ))
            .event(meta, now);
        self.core.commit_audited(tx, event, meta).await?;
        Ok(())
    }
}
