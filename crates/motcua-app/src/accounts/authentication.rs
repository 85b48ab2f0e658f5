//! Sign-in: password checks with lock-out, sessions, sign-out and the own password.

use jiff::{SignedDuration, Timestamp};
use motcua_domain::account::{Principal, UserId, Username, check_new_password};
use motcua_domain::audit::Outcome;
use motcua_domain::validation::{FieldError, ValidationErrors};

use crate::context::{Actor, RequestMeta};
use crate::error::AppError;
use crate::ports::{LoginGuard, SessionRecord, UserRecord};
use crate::secret;

use super::Accounts;

pub(super) const SESSION_TOUCH_EVERY: SignedDuration = SignedDuration::from_secs(60);

#[derive(Debug, Clone)]
pub struct LoginOutcome {
    /// Cookie value; only its digest is stored.
    pub session_token: String,
    pub csrf_token: String,
    pub principal: Principal,
    pub must_change_password: bool,
    pub expires_at: Timestamp,
}

#[derive(Debug, Clone)]
pub struct AuthSession {
    pub principal: Principal,
    pub session: SessionRecord,
    pub must_change_password: bool,
}

impl Accounts {
    /// A new session of `user` from the request in `meta`: the cookie value (returned once) and
    /// the record, which keeps only its digest.
    fn new_session(
        &self,
        user: UserId,
        meta: &RequestMeta,
        now: Timestamp,
    ) -> Result<(String, SessionRecord), AppError> {
        let token = secret::random_token("");
        let expires_at = now.checked_add(self.core.settings.auth.session_absolute).map_err(anyhow::Error::from)?;
        let record = SessionRecord {
            id_hash: secret::digest(&token),
            user_id: user,
            csrf_token: secret::random_token(""),
            created_at: now,
            last_seen_at: now,
            expires_at,
            client_ip: meta.client_ip.clone(),
            user_agent: meta.user_agent.as_deref().map(|ua| ua.chars().take(300).collect()),
        };
        Ok((token, record))
    }

    // ----- login and sessions -------------------------------------------------------------

    pub async fn principal_of(&self, user: &UserRecord) -> Result<Principal, AppError> {
        Ok(Principal {
            user_id: user.id,
            username: user.username.clone(),
            full_name: user.full_name.clone(),
            agency_id: user.agency_id,
            grants: self.core.store.grants_of(user.id).await?,
        })
    }

    /// Checks a username and password. Failures are counted and lock the account per the
    /// lock-out policy; every attempt is audited. `previous_session` is the cookie the browser
    /// still had, which is ended so a session id is never carried across a login.
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        previous_session: Option<&str>,
        meta: &RequestMeta,
    ) -> Result<LoginOutcome, AppError> {
        let now = self.core.now();
        let attempted = username.trim().to_lowercase();
        let refuse = |outcome: Outcome, detail: &str| {
            Actor::Anonymous { attempted: Some(&attempted) }
                .did("auth.login")
                .outcome(outcome)
                .detail(detail.to_owned())
                .event(meta, now)
        };
        let user = match Username::parse(username) {
            Ok(u) => self.core.store.user_by_username(&u).await?,
            Err(_) => None,
        };
        let Some(user) = user.filter(|u| u.active && u.password_hash.is_some()) else {
            // A name without a usable account is counted and locked exactly like an account,
            // so the answers (401, then 423) do not tell which accounts exist.
            let digest = secret::digest(&attempted);
            let guard = self.core.store.login_guard(&digest).await?.unwrap_or_default();
            metrics::counter!("motcua_login_failures_total").increment(1);
            if let Some(until) = guard.locked_until.filter(|t| *t > now) {
                self.core.record_audit(refuse(Outcome::Denied, "tên đăng nhập đang tạm khóa"), meta).await?;
                return Err(AppError::AccountLocked { until });
            }
            self.hasher.verify_dummy(password).await;
            let failures = guard.failed_logins.saturating_add(1);
            let lock = self.core.settings.auth.lockout.lock_until(failures, now);
            let mut tx = self.core.store.begin().await?;
            tx.record_login_guard(&digest, LoginGuard { failed_logins: failures, locked_until: lock }, now).await?;
            self.core.commit_audited(tx, refuse(Outcome::Rejected, "sai tên đăng nhập hoặc mật khẩu"), meta).await?;
            return Err(match lock {
                Some(until) => AppError::AccountLocked { until },
                None => AppError::InvalidCredentials,
            });
        };
        if let Some(until) = user.locked_until.filter(|t| *t > now) {
            self.core.record_audit(refuse(Outcome::Denied, "tài khoản đang tạm khóa"), meta).await?;
            metrics::counter!("motcua_login_failures_total").increment(1);
            return Err(AppError::AccountLocked { until });
        }
        let hash = user.password_hash.clone().unwrap_or_default();
        if !self.hasher.verify(password, &hash).await? {
            let failures = user.failed_logins.saturating_add(1);
            let lock = self.core.settings.auth.lockout.lock_until(failures, now);
            let mut tx = self.core.store.begin().await?;
            tx.record_login_failure(user.id, failures, lock, now).await?;
            let detail = match lock {
                Some(_) => format!("sai mật khẩu lần {failures}; khóa tạm thời"),
                None => format!("sai mật khẩu lần {failures}"),
            };
            self.core.commit_audited(tx, refuse(Outcome::Rejected, &detail), meta).await?;
            metrics::counter!("motcua_login_failures_total").increment(1);
            return Err(match lock {
                Some(until) => AppError::AccountLocked { until },
                None => AppError::InvalidCredentials,
            });
        }

        let principal = self.principal_of(&user).await?;
        let (session_token, session) = self.new_session(user.id, meta, now)?;
        let (csrf_token, expires_at) = (session.csrf_token.clone(), session.expires_at);
        // Rehash with current parameters while we hold the plaintext.
        let rehash = if self.hasher.needs_rehash(&hash) { Some(self.hasher.hash(password).await?) } else { None };
        let mut tx = self.core.store.begin().await?;
        if let Some(old) = previous_session {
            tx.delete_session(&secret::digest(old)).await?;
        }
        tx.record_login_success(user.id, now).await?;
        if let Some(h) = rehash {
            tx.set_password(user.id, &h, user.must_change_password, now).await?;
        }
        tx.insert_session(&session).await?;
        let event = Actor::Official { principal: &principal, grant: None }.did("auth.login").event(meta, now);
        self.core.commit_audited(tx, event, meta).await?;
        Ok(LoginOutcome {
            session_token,
            csrf_token,
            principal,
            must_change_password: user.must_change_password,
            expires_at,
        })
    }

    /// Resolves a session cookie. Expired sessions, and sessions of deactivated accounts,
    /// resolve to nothing.
    pub async fn authenticate_session(&self, token: &str) -> Result<Option<AuthSession>, AppError> {
        if token.is_empty() || token.len() > 100 {
            return Ok(None);
        }
        let now = self.core.now();
        let id_hash = secret::digest(token);
        let Some(session) = self.core.store.session(&id_hash).await? else { return Ok(None) };
        let idle_end = session.last_seen_at.checked_add(self.core.settings.auth.session_idle).unwrap_or(now);
        if session.expires_at <= now || idle_end <= now {
            return Ok(None);
        }
        let Some(user) = self.core.store.user(session.user_id).await?.filter(|u| u.active) else { return Ok(None) };
        if now.duration_since(session.last_seen_at) >= SESSION_TOUCH_EVERY {
            let mut tx = self.core.store.begin().await?;
            tx.touch_session(&id_hash, now).await?;
            tx.commit().await?;
        }
        let principal = self.principal_of(&user).await?;
        Ok(Some(AuthSession { principal, session, must_change_password: user.must_change_password }))
    }

    pub async fn logout(&self, principal: &Principal, token: &str, meta: &RequestMeta) -> Result<(), AppError> {
        let now = self.core.now();
        let mut tx = self.core.store.begin().await?;
        tx.delete_session(&secret::digest(token)).await?;
        let event = Actor::Official { principal, grant: None }.did("auth.logout").event(meta, now);
        self.core.commit_audited(tx, event, meta).await?;
        Ok(())
    }

    /// Changes one's own password; every session of the account ends and a fresh one is
    /// returned for the browser that made the change.
    pub async fn change_own_password(
        &self,
        principal: &Principal,
        current: &str,
        new: &str,
        confirm: &str,
        meta: &RequestMeta,
    ) -> Result<LoginOutcome, AppError> {
        let user = self.core.store.user(principal.user_id).await?.ok_or(AppError::Unauthenticated)?;
        let mut errs = ValidationErrors::new();
        let hash = user.password_hash.clone().unwrap_or_default();
        if !self.hasher.verify(current, &hash).await? {
            errs.push(FieldError::new("current_password", "wrong_password", "Mật khẩu hiện tại không đúng."));
        }
        errs.check(check_new_password("new_password", new, &user.username));
        if new != confirm {
            errs.push(FieldError::new("confirm_password", "mismatch", "Mật khẩu nhập lại không khớp."));
        }
        if current == new {
            errs.push(FieldError::new("new_password", "unchanged", "Mật khẩu mới phải khác mật khẩu hiện tại."));
        }
        errs.into_result()?;
        let new_hash = self.hasher.hash(new).await?;
        let now = self.core.now();
        let (session_token, session) = self.new_session(user.id, meta, now)?;
        let (csrf_token, expires_at) = (session.csrf_token.clone(), session.expires_at);
        let mut tx = self.core.store.begin().await?;
        tx.set_password(user.id, &new_hash, false, now).await?;
        tx.delete_sessions_of(user.id).await?;
        tx.insert_session(&session).await?;
        let event = Actor::Official { principal, grant: None }
            .did("account.change_password")
            .on("user", user.id.to_string())
            .event(meta, now);
        self.core.commit_audited(tx, event, meta).await?;
        Ok(LoginOutcome {
            session_token,
            csrf_token,
            principal: principal.clone(),
            must_change_password: false,
            expires_at,
        })
    }
}
