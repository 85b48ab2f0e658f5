//! Who acts, and the request around the action, as the audit log needs them.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use jiff::Timestamp;
use motcua_domain::account::{Grant, Principal, Role};
use motcua_domain::audit::{AuditEvent, Outcome};

/// Facts about the request that caused an action.
#[derive(Debug, Clone, Default)]
pub struct RequestMeta {
    pub request_id: Option<String>,
    pub client_ip: Option<String>,
    pub user_agent: Option<String>,
    /// Set once the action's audit entry is committed, so the HTTP layer does not write a
    /// second, generic one for the same request.
    audited: Arc<AtomicBool>,
}

impl RequestMeta {
    pub fn new(request_id: Option<String>, client_ip: Option<String>, user_agent: Option<String>) -> Self {
        Self { request_id, client_ip, user_agent, audited: Arc::default() }
    }

    /// For actions started from the command line.
    pub fn cli() -> Self {
        Self::new(Some(format!("cli-{}", crate::secret::random_hex(8))), None, None)
    }

    pub fn mark_audited(&self) {
        self.audited.store(true, Ordering::SeqCst);
    }

    pub fn is_audited(&self) -> bool {
        self.audited.load(Ordering::SeqCst)
    }
}

/// The subject of an audit entry.
#[derive(Debug, Clone, Copy)]
pub enum Actor<'a> {
    /// An official acting through a grant (the one the policy chose).
    Official { principal: &'a Principal, grant: Option<&'a Grant> },
    /// Someone not (yet) identified, e.g. a failed login for `attempted` username.
    Anonymous { attempted: Option<&'a str> },
    /// The installation itself: CLI commands, the demo loader, background jobs.
    System { label: &'a str },
}

impl Actor<'_> {
    pub fn label(&self) -> String {
        match self {
            Actor::Official { principal, .. } => principal.username.to_string(),
            Actor::Anonymous { attempted } => attempted.unwrap_or("(ẩn danh)").to_owned(),
            Actor::System { label } => format!("system:{label}"),
        }
    }
}

/// An audit entry being described: who did what, to which target, with what outcome. Begun
/// with [`Actor::did`], finished with [`Audited::event`].
#[must_use]
pub struct Audited<'a> {
    actor: Actor<'a>,
    action: &'a str,
    target: Option<(&'a str, String)>,
    outcome: Outcome,
    detail: Option<String>,
}

impl<'a> Actor<'a> {
    /// `action` (`agency.update`, `dossier.accept`, …) done by this actor, successfully unless
    /// [`Audited::outcome`] says otherwise.
    pub fn did(self, action: &'a str) -> Audited<'a> {
        Audited { actor: self, action, target: None, outcome: Outcome::Success, detail: None }
    }
}

impl<'a> Audited<'a> {
    /// What was acted on: a kind (`agency`, `user`, `dossier`…) and its id.
    pub fn on(self, kind: &'a str, id: impl ToString) -> Self {
        Self { target: Some((kind, id.to_string())), ..self }
    }

    pub fn target(self, target: Option<(&'a str, String)>) -> Self {
        Self { target, ..self }
    }

    pub fn outcome(self, outcome: Outcome) -> Self {
        Self { outcome, ..self }
    }

    pub fn detail(self, detail: impl Into<String>) -> Self {
        Self { detail: Some(detail.into()), ..self }
    }

    pub fn detail_opt(self, detail: Option<String>) -> Self {
        Self { detail, ..self }
    }

    /// The entry, in the request `meta` at `now`.
    pub fn event(self, meta: &RequestMeta, now: Timestamp) -> AuditEvent {
        let (user_id, username, role, unit) = match self.actor {
            Actor::Official { principal, grant } => {
                let role = match grant {
                    Some(g) => g.role.as_str().to_owned(),
                    None => principal.roles().iter().map(|r: &Role| r.as_str()).collect::<Vec<_>>().join(","),
                };
                let unit = grant.map(|g| g.agency_id).unwrap_or(principal.agency_id);
                (Some(principal.user_id.0), Some(principal.username.to_string()), Some(role), Some(unit.0))
            }
            Actor::Anonymous { attempted } => (None, attempted.map(str::to_owned), None, None),
            Actor::System { label } => (None, Some(format!("system:{label}")), Some("system".to_owned()), None),
        };
        let (target_type, target_id) = match self.target {
            Some((t, id)) => (Some(t.to_owned()), Some(id)),
            None => (None, None),
        };
        AuditEvent {
            occurred_at: now,
            actor_user_id: user_id,
            actor_username: username,
            actor_role: role.filter(|r| !r.is_empty()),
            actor_unit_id: unit,
            action: self.action.to_owned(),
            target_type,
            target_id,
            request_id: meta.request_id.clone(),
            outcome: self.outcome,
            detail: self.detail,
        }
    }
}
