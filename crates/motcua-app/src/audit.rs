//! Reading and verifying the audit log.

use std::sync::Arc;

use motcua_domain::account::Principal;
use motcua_domain::audit::{AuditEntry, ChainBreak, ChainHead, ChainVerifier, Outcome};
use motcua_domain::policy::{Denied, Permission, Target, authorize, scopes};

use crate::core::Core;
use crate::error::AppError;
use crate::ports::AuditFilter;

/// The audit log: search and verification of its chain.
#[derive(Clone)]
pub struct Audit {
    core: Arc<Core>,
}

impl Audit {
    pub(crate) fn new(core: Arc<Core>) -> Self {
        Self { core }
    }
}

#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    pub action_prefix: Option<String>,
    pub outcome: Option<Outcome>,
    pub actor_username: Option<String>,
    pub before_seq: Option<i64>,
    pub limit: Option<i64>,
}

/// Result of walking the whole chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    pub entries: i64,
    pub head: Option<ChainHead>,
}

impl Audit {
    /// A page of the audit log, newest first. A province-wide auditor sees everything,
    /// including entries without a unit (anonymous logins, CLI); others see the entries of the
    /// units in their scope.
    pub async fn search_audit(&self, principal: &Principal, q: &AuditQuery) -> Result<Vec<AuditEntry>, AppError> {
        let visible = scopes(principal, Permission::ViewAudit);
        if visible.is_empty() {
            return Err(AppError::Forbidden(Denied::MissingPermission));
        }
        let everything = authorize(principal, Permission::ViewAudit, Target::System).is_ok();
        let filter = AuditFilter {
            scopes: if everything { None } else { Some(visible) },
            action_prefix: q.action_prefix.clone().filter(|s| !s.trim().is_empty()),
            outcome: q.outcome,
            actor_username: q.actor_username.clone().filter(|s| !s.trim().is_empty()),
            before_seq: q.before_seq,
            limit: q.limit.unwrap_or(50).clamp(1, 500),
        };
        Ok(self.core.store.audit_search(&filter).await?)
    }

    /// Walks the chain from the first entry and checks every link; with an anchor (a head
    /// written down earlier) it also catches removal of the newest entries.
    /// Records what the HTTP layer saw of a request whose use case wrote no entry (a refusal
    /// at the edge, a malformed request), in its own transaction.
    pub async fn record(
        &self,
        event: motcua_domain::audit::AuditEvent,
        meta: &crate::context::RequestMeta,
    ) -> Result<AuditEntry, AppError> {
        self.core.record_audit(event, meta).await
    }

    /// The newest entry's position and hash (public to who holds it: it reveals nothing but
    /// lets anyone check a later copy against it).
    pub async fn head(&self) -> Result<Option<ChainHead>, AppError> {
        Ok(self.core.store.audit_head().await?)
    }

    pub async fn verify_audit(&self, anchor: Option<ChainHead>) -> Result<Result<VerifyReport, ChainBreak>, AppError> {
        const PAGE: i64 = 2000;
        let mut verifier = ChainVerifier::new(anchor);
        let mut after = 0;
        let mut count = 0;
        loop {
            let page = self.core.store.audit_entries_after(after, PAGE).await?;
            for e in &page {
                if let Err(b) = verifier.push(e) {
                    return Ok(Err(b));
                }
                count += 1;
                after = e.seq;
            }
            if (page.len() as i64) < PAGE {
                break;
            }
        }
        Ok(verifier.finish().map(|head| VerifyReport { entries: count, head }))
    }
}
