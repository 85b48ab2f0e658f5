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

/// Builds an audit event. `target` is `(type, id)`.
pub fn audit_event(
    actor: Actor<'_>,
    action: &str,
    target: Option<(&str, String)>,
    outcome: Outcome,
    detail: Option<String>,
    meta: &RequestMeta,
    now: Timestamp,
) -> AuditEvent {
    let (user_id, username, role, unit) = match actor {
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
    let (target_type, target_id) = match target {
        Some((t, id)) => (Some(t.to_owned()), Some(id)),
        None => (None, None),
    };
    AuditEvent {
        occurred_at: now,
        actor_user_id: user_id,
        actor_username: username,
        actor_role: role.filter(|r| !r.is_empty()),
        actor_unit_id: unit,
        action: action.to_owned(),
        target_type,
        target_id,
        request_id: meta.request_id.clone(),
        outcome,
        detail,
    }
}
