//! API tokens: bearer credentials of integrations and scripts, stored as digests.

use jiff::SignedDuration;
use motcua_domain::account::{Principal, UserId, Username};
use motcua_domain::validation::{ValidationErrors, required_text};

use crate::context::{Actor, RequestMeta};
use crate::error::AppError;
use crate::ports::ApiTokenRecord;
use crate::ports::Revisions;
use crate::secret;

use super::Accounts;
use super::authentication::SESSION_TOUCH_EVERY;

pub const API_TOKEN_PREFIX: &str = "mct_";

impl Accounts {
    /// Creates a bearer token for `username`. The token is returned once; only its digest is
    /// stored. `actor` is the official creating their own token, or the CLI.
    pub async fn create_api_token(
        &self,
        actor: Actor<'_>,
        username: &str,
        name: &str,
        expires_in_days: Option<u32>,
        meta: &RequestMeta,
    ) -> Result<(String, ApiTokenRecord), AppError> {
        let username = Username::parse(username).map_err(ValidationErrors::single)?;
        let name = required_text("name", name, 100).map_err(ValidationErrors::single)?;
        let user = self.core.store.user_by_username(&username).await?.ok_or(AppError::NotFound("tài khoản"))?;
        if let Actor::Official { principal, .. } = actor
            && principal.user_id != user.id
        {
            return Err(AppError::Forbidden(motcua_domain::policy::Denied::MissingPermission));
        }
        if !user.active {
            return Err(AppError::Conflict {
                code: "user_inactive",
                message: "Tài khoản đã bị vô hiệu hóa.".into(),
                field: None,
            });
        }
        let now = self.core.now();
        let expires_at = match expires_in_days {
            Some(0) | None => None,
            Some(d) if d > 3650 => {
                return Err(AppError::field("expires_in_days", "too_large", "Thời hạn tối đa 3650 ngày."));
            }
            Some(d) => {
                Some(now.checked_add(SignedDuration::from_hours(24 * i64::from(d))).map_err(anyhow::Error::from)?)
            }
        };
        let token = secret::random_token(API_TOKEN_PREFIX);
        let prefix: String = token.chars().take(API_TOKEN_PREFIX.len() + 6).collect();
        let mut tx = self.core.store.begin().await?;
        let id = tx.insert_api_token(user.id, &name, &secret::digest(&token), &prefix, expires_at, now).await?;
        let event = actor
            .did("api_token.create")
            .on("api_token", id.to_string())
            .detail(format!("{} cho {}", name, user.username))
            .event(meta, now);
        self.core.commit_audited(tx, event, meta).await?;
        let record = ApiTokenRecord {
            id,
            user_id: user.id,
            name,
            token_prefix: prefix,
            created_at: now,
            expires_at,
            last_used_at: None,
            revoked_at: None,
        };
        Ok((token, record))
    }

    /// Resolves `Authorization: Bearer …`, with the reference data's revisions read along with
    /// it (the request's snapshot then costs no read of its own).
    pub async fn authenticate_token(&self, token: &str) -> Result<Option<(Principal, Revisions)>, AppError> {
        if !token.starts_with(API_TOKEN_PREFIX) || token.len() > 100 {
            return Ok(None);
        }
        let now = self.core.now();
        let Some(holder) = self.core.store.api_token_holder(&secret::digest(token)).await? else { return Ok(None) };
        let (record, user) = (holder.token, holder.user);
        if record.revoked_at.is_some() || record.expires_at.is_some_and(|e| e <= now) || !user.active {
            return Ok(None);
        }
        if record.last_used_at.is_none_or(|t| now.duration_since(t) >= SESSION_TOUCH_EVERY) {
            let mut tx = self.core.store.begin().await?;
            tx.touch_api_token(record.id, now).await?;
            tx.commit().await?;
        }
        let principal = Principal {
            user_id: user.id,
            username: user.username,
            full_name: user.full_name,
            agency_id: user.agency_id,
            grants: holder.grants,
        };
        Ok(Some((principal, holder.revisions)))
    }

    pub async fn api_tokens_of(&self, user: UserId) -> Result<Vec<ApiTokenRecord>, AppError> {
        Ok(self.core.store.api_tokens_of(user).await?)
    }

    /// Revokes a token: its owner may, and so may the CLI.
    pub async fn revoke_api_token(&self, actor: Actor<'_>, token_id: i64, meta: &RequestMeta) -> Result<(), AppError> {
        if let Actor::Official { principal, .. } = actor {
            let mine = self.core.store.api_tokens_of(principal.user_id).await?;
            if !mine.iter().any(|t| t.id == token_id) {
                return Err(AppError::NotFound("khóa API"));
            }
        }
        let now = self.core.now();
        let mut tx = self.core.store.begin().await?;
        if !tx.revoke_api_token(token_id, now).await? {
            return Err(AppError::NotFound("khóa API"));
        }
        let event = actor.did("api_token.revoke").on("api_token", token_id.to_string()).event(meta, now);
        self.core.commit_audited(tx, event, meta).await?;
        Ok(())
    }
}
