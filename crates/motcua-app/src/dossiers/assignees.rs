//! Who an action can hand a dossier to: the people able to do the step (its permission over its
//! agency), each with the dossiers they already hold, so the one assigning can spread the work.

use motcua_domain::dossier::{ActionKind, DossierState};
use motcua_domain::policy::authorize_dossier;

use super::Dossiers;
use crate::error::AppError;
use crate::ports::{DossierQuery, Queue, Reach, UserFilter};

/// A person who can take the step, and their load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignee {
    pub username: String,
    pub full_name: String,
    /// Dossiers in processing assigned to them in the step's agency.
    pub load: i64,
}

impl Dossiers {
    /// The people of the step's agency who can do the step that `action` assigns (the current
    /// step) or hands the dossier to (the next), least loaded first. Empty for other actions.
    pub async fn assignees(&self, state: &DossierState, action: ActionKind) -> Result<Vec<Assignee>, AppError> {
        let step = match action {
            ActionKind::Assign => state.current_step(),
            ActionKind::Forward => state.steps.get(state.step.as_ref().map_or(0, |c| c.index + 1)),
            _ => None,
        };
        let Some(step) = step else { return Ok(Vec::new()) };
        let Some(agency) = self.core.store.agency(step.agency.id).await? else { return Ok(Vec::new()) };
        let filter = UserFilter { scopes: vec![agency.path.clone()], query: None, include_inactive: false, limit: 200 };
        let permission = motcua_domain::dossier::action::step_permission(step.kind);
        let mut out = Vec::new();
        for user in self.core.store.users_within(&filter).await? {
            let principal = self.accounts.principal_of(&user).await?;
            if authorize_dossier(&principal, permission, &agency.path).is_err() {
                continue;
            }
            let held = DossierQuery {
                view_scopes: Reach { subtrees: vec![agency.path.clone()], agencies: Vec::new() },
                queue: Queue::Mine,
                viewer: Some(user.id),
                limit: 1,
                ..DossierQuery::default()
            };
            let load = self.core.store.count_dossiers(&held).await?;
            out.push(Assignee { username: user.username.to_string(), full_name: user.full_name, load });
        }
        out.sort_by(|a, b| a.load.cmp(&b.load).then_with(|| a.full_name.cmp(&b.full_name)));
        Ok(out)
    }
}
