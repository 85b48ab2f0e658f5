//! Dossiers: intake, actions, queues, public tracking.
//!
//! Every change appends events to the dossier's hash-chained history and rewrites the dossier's
//! queryable row, in one transaction. The events are the dossier's audit trail: a successful
//! action is not copied into the installation-wide audit log (whose single chain would make every
//! intake of the province wait for every other), while refused attempts still are.

mod accept;
mod actions;
mod assignees;
pub(crate) mod forms;
mod input;
mod intake;
mod rating;
mod retry;
mod synthetic;
mod tracking;

pub use actions::{Action, Attachment, CorrectionTarget, MAX_RESULT_FILE};
pub use assignees::Assignee;
pub use forms::{FormPdf, RegisterPeriod, available_forms, check_templates, templates_with};
pub use input::{Intake, Postal};
pub use intake::IntakeOutcome;
pub use rating::RatingForm;
pub use synthetic::{SyntheticHistory, SyntheticSummary};
pub use tracking::{PublicDossier, PublicStep};

use motcua_domain::validation::NonBlank;
use std::sync::Arc;

use std::collections::{BTreeSet, HashMap};

use jiff::Timestamp;
use motcua_domain::account::Principal;
use motcua_domain::agency::{Agency, AgencyId};
use motcua_domain::catalog::fold::fold;
use motcua_domain::dossier::action::{allows, requirement};
use motcua_domain::dossier::agency_clock::answering_agency;
use motcua_domain::dossier::event::{AgencyRef, EventActor, event_hash};
use motcua_domain::dossier::{ActionKind, AgencyClock, DossierEvent, DossierState, EventBody, Status, agency_clocks};
use motcua_domain::policy::{Permission, authorize_dossier, scopes, unit_parents};
use motcua_domain::report::{DossierFacts, RollupDelta};

use crate::core::Core;
use crate::error::AppError;
use crate::ports::{DossierQuery, DossierRow, Queue, Reach, StoreTx};
use crate::snapshot::Snapshot;

/// Dossiers: intake, actions, views, queues, forms and public tracking.
#[derive(Clone)]
pub struct Dossiers {
    core: Arc<Core>,
    accounts: crate::accounts::Accounts,
    integrity: crate::integrity::Integrity,
    /// A province's own form templates; `None`: the built-ins.
    form_templates: Option<Arc<dyn crate::ports::FormTemplateSource>>,
}

impl Dossiers {
    pub(crate) fn new(
        core: Arc<Core>,
        accounts: crate::accounts::Accounts,
        integrity: crate::integrity::Integrity,
        form_templates: Option<Arc<dyn crate::ports::FormTemplateSource>>,
    ) -> Self {
        Self { core, accounts, integrity, form_templates }
    }

    pub(crate) fn form_templates(&self) -> Option<Arc<dyn crate::ports::FormTemplateSource>> {
        self.form_templates.clone()
    }
}

/// A dossier as an official sees it.
#[derive(Debug, Clone)]
pub struct DossierView {
    pub state: DossierState,
    pub events: Vec<DossierEvent>,
    /// What this official may do now.
    pub actions: Vec<ActionKind>,
    /// Each agency's share of the processing time, on its own office hours.
    pub agency_clocks: Vec<AgencyClock>,
    pub now: Timestamp,
}

/// A dossier's sync with the national portal.
#[derive(Debug, Clone)]
pub struct PortalTimeline {
    pub calls: Vec<crate::ports::PortalCall>,
    /// Changes queued and not told yet.
    pub untold: Vec<crate::ports::PortalQueued>,
    pub sync: Option<crate::ports::PortalSyncRow>,
}

/// One page of a dossier list.
#[derive(Debug, Clone)]
pub struct DossierPage {
    pub rows: Vec<DossierRow>,
    /// Pass as `before_id` for the next page.
    pub next_before: Option<i64>,
}

/// Which list of dossiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ListQueue {
    /// Everything the official may see.
    #[default]
    All,
    /// Waiting for an action the official's roles can take.
    ToProcess,
    /// Assigned to the official.
    Mine,
    /// To process and due within the near-due window.
    NearDue,
    /// Past their due instant and not resolved.
    Overdue,
    /// Waiting for the applicant (supplement or payment).
    Waiting,
    /// Consultations asked of the official's units.
    Consultations,
    /// Corrections waiting for the official's decision as a leader.
    Corrections,
    /// Submitted on the national portal, waiting for the desk to accept, ask for a supplement
    /// or refuse (within the working day they arrived).
    Online,
}

impl ListQueue {
    pub const ALL: [ListQueue; 9] = [
        Self::All,
        Self::ToProcess,
        Self::Mine,
        Self::NearDue,
        Self::Overdue,
        Self::Waiting,
        Self::Consultations,
        Self::Corrections,
        Self::Online,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::All => "all",
            Self::ToProcess => "to_process",
            Self::Mine => "mine",
            Self::NearDue => "near_due",
            Self::Overdue => "overdue",
            Self::Waiting => "waiting",
            Self::Consultations => "consultations",
            Self::Corrections => "corrections",
            Self::Online => "online",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|q| q.as_str() == s.trim())
    }
}

/// A list query: a queue and filters, already parsed.
#[derive(Debug, Clone, Default)]
pub struct DossierFilter {
    pub queue: ListQueue,
    /// Any of these statuses (none: any status).
    pub statuses: Vec<Status>,
    pub procedure: Option<String>,
    pub channel: Option<motcua_domain::catalog::Channel>,
    /// Received on or after this day.
    pub from: Option<jiff::civil::Date>,
    /// Received on or before this day.
    pub to: Option<jiff::civil::Date>,
    /// A dossier code, an ID number or a part of the applicant's name.
    pub text: Option<String>,
    /// Keyset: only dossiers with a smaller id.
    pub before: Option<i64>,
    pub limit: Option<i64>,
}

pub(crate) fn agency_ref(a: &Agency) -> AgencyRef {
    AgencyRef { id: a.id, code: a.code.clone(), name: a.name.clone() }
}

/// The procedure version and case a dossier is received under, as its facts remember them.
pub(crate) fn procedure_ref(
    id: i64,
    code: &motcua_domain::catalog::ProcedureCode,
    version: &crate::ports::VersionRecord,
    case: &motcua_domain::catalog::ProcedureCase,
) -> motcua_domain::dossier::event::ProcedureRef {
    motcua_domain::dossier::event::ProcedureRef {
        id,
        code: code.to_string(),
        name: version.content.name.clone(),
        version_id: version.id,
        version: version.number,
        case: case.name.clone(),
    }
}

/// The case's checklist for a channel, with the counts it asks for: what an intake that did not
/// count the papers records. Papers asked for only in some situations are left out: nobody said
/// they were handed in, and the receipt must not say so either.
pub(crate) fn checklist(
    case: &motcua_domain::catalog::ProcedureCase,
    channel: motcua_domain::catalog::Channel,
) -> Vec<motcua_domain::dossier::event::HandedDocument> {
    case.documents
        .iter()
        .filter(|d| d.channels.is_empty() || d.channels.contains(&channel))
        .filter(|d| !d.is_conditional())
        .map(|d| motcua_domain::dossier::event::HandedDocument {
            name: d.name.clone(),
            originals: d.originals,
            copies: d.copies,
        })
        .collect()
}

pub(crate) fn to_json<T: serde::Serialize>(v: &T) -> Result<String, AppError> {
    serde_json::to_string(v).map_err(|e| AppError::Internal(e.into()))
}

/// A new dossier: its state and its first event (the submission), sealed onto an empty chain.
pub(crate) fn submitted(
    id: i64,
    submission: motcua_domain::dossier::event::Submission,
    actor: &EventActor,
    client_txn_id: Option<&str>,
    at: Timestamp,
) -> Result<(DossierState, Vec<DossierEvent>), AppError> {
    let first = EventBody::Submitted(Box::new(submission));
    let provisional = DossierEvent {
        seq: 1,
        at,
        actor: actor.clone(),
        body: first.clone(),
        reason: None,
        client_txn_id: None,
        prev_hash: String::new(),
        hash: String::new(),
    };
    // Fold the unsealed event for the initial state, then seal it onto an empty chain
    // (applying `Submitted` only advances the chain).
    let mut state = DossierState::fold(id, &[provisional]).map_err(|e| AppError::Internal(e.into()))?;
    state.last_seq = 0;
    state.last_hash = String::new();
    let events = seal_events(&mut state, vec![first], actor, None, client_txn_id, at)?;
    Ok((state, events))
}

/// Seals new events onto the dossier's chain and applies them to `state`.
pub(crate) fn seal_events(
    state: &mut DossierState,
    bodies: Vec<EventBody>,
    actor: &EventActor,
    reason: Option<&str>,
    client_txn_id: Option<&str>,
    now: Timestamp,
) -> Result<Vec<DossierEvent>, AppError> {
    let actor_json = to_json(actor)?;
    let mut out = Vec::with_capacity(bodies.len());
    for (i, body) in bodies.into_iter().enumerate() {
        let seq = state.last_seq + 1;
        // The client's id marks the first event of its request; the others follow from it.
        let txn = if i == 0 { client_txn_id } else { None };
        let hash = event_hash(state.id, seq, now, &actor_json, &to_json(&body)?, reason, txn, &state.last_hash);
        let e = DossierEvent {
            seq,
            at: now,
            actor: actor.clone(),
            body,
            reason: reason.map(str::to_owned),
            client_txn_id: txn.map(str::to_owned),
            prev_hash: state.last_hash.clone(),
            hash,
        };
        state.apply(&e);
        out.push(e);
    }
    Ok(out)
}

/// What a change is measured against: the dossier before its new events.
pub(crate) struct Before {
    agencies: BTreeSet<AgencyId>,
    facts: DossierFacts,
}

impl Before {
    pub(crate) fn of(state: &DossierState) -> Self {
        Self { agencies: state.involved_agencies(), facts: DossierFacts::of(state) }
    }
}

/// Appends the events, rewrites the row, adds the agencies the dossier now involves, moves the
/// rollup counters by what the change does to the dossier's counting facts, and commits.
pub(crate) async fn commit_events(
    tx: Box<dyn StoreTx>,
    before: &Before,
    state: &DossierState,
    events: &[DossierEvent],
) -> Result<(), AppError> {
    let added: Vec<AgencyId> = state.involved_agencies().difference(&before.agencies).copied().collect();
    let row = DossierRow::of(state);
    let rollups = RollupDelta::between(Some(&before.facts), Some(&row.facts));
    tx.commit_dossier_change(&row, events, &added, &rollups).await?;
    Ok(())
}

pub(crate) fn actor_of(principal: &Principal, grant: &motcua_domain::account::Grant) -> EventActor {
    EventActor {
        user_id: Some(principal.user_id),
        name: principal.full_name.clone(),
        role: Some(grant.role),
        unit: Some(grant.agency_id),
    }
}

impl Dossiers {
    /// Loads and folds a dossier by code or numeric id; with its events.
    /// A dossier by id or code, folded from its events (one read).
    pub(crate) async fn load_dossier(&self, key: &str) -> Result<(DossierState, Vec<DossierEvent>), AppError> {
        let key = key.trim();
        let found = if !key.is_empty() && key.bytes().all(|b| b.is_ascii_digit()) {
            let id: i64 = key.parse().map_err(|_| AppError::NotFound("hồ sơ"))?;
            Some((id, self.core.store.dossier_events(id).await?)).filter(|(_, events)| !events.is_empty())
        } else {
            match motcua_domain::dossier::DossierCode::parse(key) {
                Ok(code) => self.core.store.dossier_history_by_code(&code).await?,
                Err(_) => None,
            }
        };
        // A dossier submitted on the national portal is also known by the portal's code.
        let found = match found {
            Some(f) => Some(f),
            None if key.len() <= 60 => match self.core.store.dossier_id_by_portal_code(key).await? {
                Some(id) => Some((id, self.core.store.dossier_events(id).await?)).filter(|(_, e)| !e.is_empty()),
                None => None,
            },
            None => None,
        };
        let (id, events) = found.ok_or(AppError::NotFound("hồ sơ"))?;
        let state =
            DossierState::fold(id, &events).map_err(|e| AppError::Internal(anyhow::anyhow!("dossier {id}: {e}")))?;
        Ok((state, events))
    }

    async fn dossier_id(&self, key: &str) -> Result<i64, AppError> {
        let key = key.trim();
        let found = if !key.is_empty() && key.bytes().all(|b| b.is_ascii_digit()) {
            let id: i64 = key.parse().map_err(|_| AppError::NotFound("hồ sơ"))?;
            self.core.store.dossier_row(id).await?.map(|r| r.id)
        } else {
            match motcua_domain::dossier::DossierCode::parse(key) {
                Ok(code) => self.core.store.dossier_id_by_code(&code.to_string()).await?,
                Err(_) => None,
            }
        };
        let found = match found {
            None if key.len() <= 60 => self.core.store.dossier_id_by_portal_code(key).await?,
            found => found,
        };
        found.ok_or(AppError::NotFound("hồ sơ"))
    }

    /// Whether the official may see the dossier: a ViewDossiers grant over one of its agencies.
    /// Out of scope reads answer "not found", so codes of other communes cannot be probed.
    pub(crate) async fn authorize_view(
        &self,
        principal: &Principal,
        reference: &Snapshot,
        state: &DossierState,
    ) -> Result<(), AppError> {
        self.authorize_view_through(principal, reference, state.involved_agencies()).await
    }

    /// [`Dossiers::authorize_view`] over the agencies a dossier involves, given as such (when
    /// its history cannot be trusted to tell them, the recorded `dossier_agencies`).
    pub(crate) async fn authorize_view_through(
        &self,
        principal: &Principal,
        reference: &Snapshot,
        agencies: impl IntoIterator<Item = AgencyId>,
    ) -> Result<(), AppError> {
        for id in agencies {
            if let Some(a) = reference.agency(id).await?
                && authorize_dossier(principal, Permission::ViewDossiers, &a.path).is_ok()
            {
                return Ok(());
            }
        }
        Err(AppError::NotFound("hồ sơ"))
    }

    /// The actions the official may take on the dossier now.
    pub(crate) async fn actions_for(
        &self,
        principal: &Principal,
        reference: &Snapshot,
        state: &DossierState,
    ) -> Result<Vec<ActionKind>, AppError> {
        let mut out = Vec::new();
        for action in ActionKind::ALL {
            if !allows(state, action) {
                continue;
            }
            let (perm, agency) = requirement(state, action);
            if let Some(a) = reference.agency(agency).await?
                && authorize_dossier(principal, perm, &a.path).is_ok()
                && !actions::own_correction(state, action, principal)
            {
                out.push(action);
            }
        }
        Ok(out)
    }

    /// What the national portal was told about a dossier, when, and its answers; what is still
    /// queued; the sender's state. For those who may see the dossier.
    pub async fn portal_timeline(&self, principal: &Principal, key: &str) -> Result<PortalTimeline, AppError> {
        let (state, _) = self.load_dossier(key).await?;
        let reference = self.core.snapshot().await?;
        self.authorize_view(principal, &reference, &state).await?;
        let store = &self.core.store;
        let sync = store.portal_sync_row(state.id).await?;
        let told = sync.as_ref().map_or(0, |s| s.synced_seq);
        Ok(PortalTimeline {
            calls: store.portal_calls(state.id).await?,
            untold: store.portal_queued(state.id).await?.into_iter().filter(|q| q.seq > told).collect(),
            sync,
        })
    }

    pub async fn dossier(&self, principal: &Principal, key: &str) -> Result<DossierView, AppError> {
        let (state, events) = self.load_dossier(key).await?;
        let reference = self.core.snapshot().await?;
        self.authorize_view(principal, &reference, &state).await?;
        self.view_after(principal, &reference, state, events).await
    }

    /// The dossier as this official sees it, from its state and all its events.
    pub(crate) async fn view_after(
        &self,
        principal: &Principal,
        reference: &Snapshot,
        state: DossierState,
        events: Vec<DossierEvent>,
    ) -> Result<DossierView, AppError> {
        let actions = self.actions_for(principal, reference, &state).await?;
        let now = self.core.now();
        let agency_clocks = self.agency_clocks(reference, &state, now).await?;
        Ok(DossierView { state, events, actions, agency_clocks, now })
    }

    /// The per-agency clocks of a dossier at `now`.
    pub(crate) async fn agency_clocks(
        &self,
        reference: &Snapshot,
        state: &DossierState,
        now: Timestamp,
    ) -> Result<Vec<AgencyClock>, AppError> {
        if state.steps.is_empty() {
            return Ok(Vec::new());
        }
        // Each step's unit answers through its agency (a commune for its offices).
        let mut owners: HashMap<AgencyId, AgencyRef> = HashMap::new();
        for step in &state.steps {
            if owners.contains_key(&step.agency.id) {
                continue;
            }
            let Some(unit) = reference.agency(step.agency.id).await? else { continue };
            let mut chain = Vec::new();
            for id in unit.path.ids() {
                chain.extend(reference.agency(id).await?);
            }
            if let Some(owner) = answering_agency(&chain) {
                owners.insert(step.agency.id, agency_ref(owner));
            }
        }
        let calendars = reference.calendars_of(owners.values().map(|a| a.id).collect()).await?;
        // A unit whose agency is gone (never, in practice) is timed on the default office hours.
        let fallback = reference.default_calendar().await?;
        agency_clocks(
            state,
            now,
            |unit| owners.get(&unit.id).cloned().unwrap_or_else(|| unit.clone()),
            |id| calendars.get(&id).unwrap_or(&fallback),
        )
        .map_err(crate::calendar::deadline_error)
    }

    /// A page of dossiers the official may see, by queue and filters.
    pub async fn list_dossiers(&self, principal: &Principal, input: &DossierFilter) -> Result<DossierPage, AppError> {
        let q = self.dossier_query(principal, input).await?;
        let rows = self.core.store.dossiers(&q).await?;
        let next_before = (rows.len() as i64 == q.limit).then(|| rows.last().map(|r| r.id)).flatten();
        Ok(DossierPage { rows, next_before })
    }

    /// How many dossiers a queue holds (for the counts on the navigation).
    pub async fn count_queue(&self, principal: &Principal, queue: ListQueue) -> Result<i64, AppError> {
        let q = self.dossier_query(principal, &DossierFilter { queue, ..DossierFilter::default() }).await?;
        Ok(self.core.store.count_dossiers(&q).await?)
    }

    async fn dossier_query(&self, principal: &Principal, input: &DossierFilter) -> Result<DossierQuery, AppError> {
        let reach = |p: Permission| Reach { subtrees: scopes(principal, p), agencies: unit_parents(principal, p) };
        let view_scopes = reach(Permission::ViewDossiers);
        if view_scopes.is_empty() {
            return Err(AppError::Forbidden(motcua_domain::policy::Denied::MissingPermission));
        }
        let now = self.core.now();
        let mut q = DossierQuery {
            view_scopes,
            viewer: Some(principal.user_id),
            limit: input.limit.unwrap_or(50).clamp(1, 200),
            before_id: input.before,
            ..DossierQuery::default()
        };
        match input.queue {
            ListQueue::All => {}
            ListQueue::ToProcess => q.queue = Queue::ToProcess,
            ListQueue::Mine => q.queue = Queue::Mine,
            ListQueue::Waiting => q.queue = Queue::WaitingApplicant,
            ListQueue::Consultations => q.queue = Queue::Consultations,
            ListQueue::Corrections => {
                q.queue = Queue::Corrections;
                let decides = reach(Permission::DecideDossiers);
                q.act_scopes =
                    if decides.is_empty() { Vec::new() } else { vec![(Permission::DecideDossiers, decides)] };
            }
            ListQueue::NearDue => {
                q.queue = Queue::ToProcess;
                q.statuses = vec![2, 4];
                q.due_before = Some(self.core.near_due_until(principal.agency_id, now).await?);
            }
            ListQueue::Overdue => {
                q.statuses = vec![2, 4, 7];
                q.due_before = Some(now);
            }
            ListQueue::Online => {
                q.queue = Queue::ToProcess;
                q.statuses = vec![1];
                q.channel = Some(motcua_domain::catalog::Channel::Online.as_str().to_owned());
            }
        }
        if q.queue == Queue::ToProcess {
            q.act_scopes = [
                Permission::ReceiveDossiers,
                Permission::ProcessDossiers,
                Permission::DecideDossiers,
                Permission::IssueResults,
            ]
            .into_iter()
            .map(|p| (p, reach(p)))
            .filter(|(_, s)| !s.is_empty())
            .collect();
        }
        if !input.statuses.is_empty() {
            let codes: Vec<u8> = input.statuses.iter().map(|s| s.national_code()).collect();
            if q.statuses.is_empty() {
                q.statuses = codes;
            } else {
                q.statuses.retain(|s| codes.contains(s));
                if q.statuses.is_empty() {
                    q.statuses = vec![0];
                }
            }
        }
        q.procedure_code = input.procedure.as_deref().non_blank().map(str::to_owned);
        if let Some(c) = input.channel {
            q.channel = Some(c.as_str().to_owned());
        }
        q.received_from = input.from.map(motcua_domain::time::vn_day_start);
        q.received_until = input.to.and_then(|d| d.tomorrow().ok()).map(motcua_domain::time::vn_day_start);
        if let Some(text) = input.text.as_deref().non_blank() {
            if let Ok(code) = motcua_domain::dossier::DossierCode::parse(text) {
                q.code = Some(code.to_string());
            } else if text.bytes().all(|b| b.is_ascii_digit() || b == b'-') && text.len() >= 9 {
                q.id_number = Some(text.to_owned());
            } else if !text.contains(char::is_whitespace) && text.contains(|c: char| c.is_ascii_digit()) {
                // A code of the national portal (names have no digits).
                q.code = Some(text.to_owned());
            } else {
                q.name_fold = Some(fold(text));
            }
        }
        Ok(q)
    }
}

/// A refusal of the state machine, as the use cases answer it.
pub(crate) fn action_error(e: motcua_domain::dossier::ActionError) -> AppError {
    use motcua_domain::dossier::ActionError;
    match e {
        ActionError::NotAllowed { action, status, allowed } => AppError::IllegalTransition {
            message: format!(
                "Không thể \"{}\" khi hồ sơ ở trạng thái \"{}\" (mã {}). Thao tác được phép: {}.",
                action.label(),
                status.label(),
                status.national_code(),
                if allowed.is_empty() {
                    "không có".to_owned()
                } else {
                    allowed.iter().map(|a| format!("{} ({})", a.label(), a.as_str())).collect::<Vec<_>>().join(", ")
                }
            ),
            status: status.national_code(),
            allowed: allowed.iter().map(|a| a.as_str()).collect(),
        },
        ActionError::Invalid { field, message } => AppError::field(field, "invalid_action_input", message),
        ActionError::Deadline(d) => crate::calendar::deadline_error(d),
    }
}
