//! Retries: a request carrying a client transaction id is answered, when sent again, with
//! what its first sending recorded, never acted on twice.

use super::DossierView;
use super::Dossiers;
use crate::error::{AppError, StoreError};
use motcua_domain::account::Principal;
use motcua_domain::dossier::DossierState;

/// Another official's request already used this client transaction id.
pub(crate) fn txn_used() -> AppError {
    AppError::Conflict {
        code: "client_txn_id_used",
        message: "Mã giao dịch này đã được dùng cho một yêu cầu khác.".into(),
        field: Some("client_txn_id".into()),
    }
}

impl Dossiers {
    /// What to answer when a request carrying a client transaction id failed: the dossier its
    /// first sending recorded, if `err` is what a retry of it meets, else `err`.
    pub(crate) async fn replay_instead_of(
        &self,
        principal: &Principal,
        txn: Option<&str>,
        err: AppError,
    ) -> Result<DossierView, AppError> {
        let Some(txn) = txn else { return Err(err) };
        match &err {
            AppError::Store(StoreError::Duplicate { key }) if key.contains("client_txn_id") => {
                // Under group commit the first sending may still wait in the open batch, where
                // the unique index saw it but readers do not yet: an empty transaction commits
                // after that batch, so the first sending is durable and readable after it.
                self.core.store.begin().await?.commit().await?;
            }
            AppError::Store(StoreError::Duplicate { .. })
            | AppError::Validation(_)
            | AppError::NotFound(_)
            | AppError::Conflict { .. }
            | AppError::IllegalTransition { .. } => {}
            // Refusals stand: a replay must not show a dossier to someone no longer allowed.
            _ => return Err(err),
        }
        match self.replay(principal, txn).await? {
            Some(view) => Ok(view),
            None => Err(err),
        }
    }

    /// The dossier an earlier request with this client transaction id recorded, if it was
    /// this official's.
    pub(crate) async fn replay(&self, principal: &Principal, txn: &str) -> Result<Option<DossierView>, AppError> {
        let Some(used) = self.core.store.client_txn_use(txn).await? else { return Ok(None) };
        if used.actor_user_id != Some(principal.user_id) {
            return Err(txn_used());
        }
        let events = self.core.store.dossier_events(used.dossier_id).await?;
        let state = DossierState::fold(used.dossier_id, &events).map_err(|e| AppError::Internal(e.into()))?;
        let reference = self.core.snapshot().await?;
        // Who asked may have lost sight of the dossier since.
        self.authorize_view(principal, &reference, &state).await?;
        Ok(Some(self.view_after(principal, &reference, state, events).await?))
    }
}
