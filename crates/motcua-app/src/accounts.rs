//! Officials' accounts: login and sessions, API tokens, and account administration.

use jiff::{SignedDuration, Timestamp};
use motcua_domain::account::{Grant, Principal, Role, UserId, Username, check_new_password};
use motcua_domain::agency::AgencyId;
use motcua_domain::audit::Outcome;
use motcua_domain::policy::{Denied, Permission, Target, authorize, may_grant, scopes};
use motcua_domain::validation::{FieldError, ValidationErrors, optional_text, required_text};
use serde::Deserialize;

use crate::context::{Actor, RequestMeta, audit_event};
use crate::error::{AppError, StoreError};
use crate::ports::{ApiTokenRecord, LoginGuard, NewUser, SessionRecord, UserFilter, UserProfile, UserRecord};
use crate::secret;
use crate::services::Services;

/// Prefix of API tokens, so leaked tokens are recognisable by secret scanners.
pub const API_TOKEN_PREFIX: &str = "mct_";
/// A session's `last_seen_at` is refreshed at most this often, to keep reads from writing.
const SESSION_TOUCH_EVERY: SignedDuration = SignedDuration::from_secs(60);

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

#[derive(Debug, Clone, Default, Deserialize)]
pub struct UserInput {
    /// Only read when creating.
    #[serde(default)]
    pub username: String,
    pub full_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub title: Option<String>,
    pub agency_id: i64,
    #[serde(default = "default_true")]
    pub active: bool,
}

fn default_true() -> bool {
    true
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct GrantInput {
    pub role: String,
    pub agency_id: i64,
}

/// An account with its grants, as administrators see it.
#[derive(Debug, Clone)]
pub struct UserDetail {
    pub user: UserRecord,
    pub grants: Vec<Grant>,
}

fn validate_email(v: Option<&str>) -> Result<Option<String>, FieldError> {
    let Some(s) = optional_text("email", v, 254)? else { return Ok(None) };
    let ok = s.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.')
    }) && !s.contains(char::is_whitespace);
    if ok {
        Ok(Some(s))
    } else {
        Err(FieldError::new("email", "invalid_format", "Địa chỉ thư điện tử không hợp lệ."))
    }
}

fn validate_phone(v: Option<&str>) -> Result<Option<String>, FieldError> {
    let Some(s) = optional_text("phone", v, 20)? else { return Ok(None) };
    let digits = s.chars().filter(char::is_ascii_digit).count();
    let ok = s.chars().all(|c| c.is_ascii_digit() || matches!(c, '+' | ' ' | '.' | '-')) && (8..=15).contains(&digits);
    if ok {
        Ok(Some(s))
    } else {
        Err(FieldError::new("phone", "invalid_format", "Số điện thoại không hợp lệ."))
    }
}

struct ValidUser {
    full_name: String,
    email: Option<String>,
    phone: Option<String>,
    title: Option<String>,
}

fn validate_user(input: &UserInput, errs: &mut ValidationErrors) -> Option<ValidUser> {
    let full_name = errs.check(required_text("full_name", &input.full_name, 200));
    let email = errs.check(validate_email(input.email.as_deref()));
    let phone = errs.check(validate_phone(input.phone.as_deref()));
    let title = errs.check(optional_text("title", input.title.as_deref(), 200));
    Some(ValidUser { full_name: full_name?, email: email?, phone: phone?, title: title? })
}

fn parse_grants(grants: &[GrantInput]) -> Result<Vec<(Role, AgencyId)>, ValidationErrors> {
    let mut errs = ValidationErrors::new();
    let mut out = Vec::new();
    for (i, g) in grants.iter().enumerate() {
        if let Some(role) = errs.check(Role::parse(&format!("grants[{i}].role"), &g.role)) {
            let pair = (role, AgencyId(g.agency_id));
            if !out.contains(&pair) {
                out.push(pair);
            }
        }
    }
    errs.into_result().map(|()| out)
}

impl Services {
    // ----- login and sessions -------------------------------------------------------------

    pub async fn principal_of(&self, user: &UserRecord) -> Result<Principal, AppError> {
        Ok(Principal {
            user_id: user.id,
            username: user.username.clone(),
            full_name: user.full_name.clone(),
            agency_id: user.agency_id,
            grants: self.store.grants_of(user.id).await?,
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
        let now = self.now();
        let attempted = username.trim().to_lowercase();
        let refuse = |outcome: Outcome, detail: &str| {
            audit_event(
                Actor::Anonymous { attempted: Some(&attempted) },
                "auth.login",
                None,
                outcome,
                Some(detail.to_owned()),
                meta,
                now,
            )
        };
        let user = match Username::parse(username) {
            Ok(u) => self.store.user_by_username(&u).await?,
            Err(_) => None,
        };
        let Some(user) = user.filter(|u| u.active && u.password_hash.is_some()) else {
            // A name without a usable account is counted and locked exactly like an account,
            // so the answers (401, then 423) do not tell which accounts exist.
            let digest = secret::digest(&attempted);
            let guard = self.store.login_guard(&digest).await?.unwrap_or_default();
            metrics::counter!("motcua_login_failures_total").increment(1);
            if let Some(until) = guard.locked_until.filter(|t| *t > now) {
                self.record_audit(refuse(Outcome::Denied, "tên đăng nhập đang tạm khóa"), meta).await?;
                return Err(AppError::AccountLocked { until });
            }
            self.hasher.verify_dummy(password).await;
            let failures = guard.failed_logins.saturating_add(1);
            let lock = self.settings.auth.lockout.lock_until(failures, now);
            let mut tx = self.store.begin().await?;
            tx.record_login_guard(&digest, LoginGuard { failed_logins: failures, locked_until: lock }, now).await?;
            self.commit_audited(tx, refuse(Outcome::Rejected, "sai tên đăng nhập hoặc mật khẩu"), meta).await?;
            return Err(match lock {
                Some(until) => AppError::AccountLocked { until },
                None => AppError::InvalidCredentials,
            });
        };
        if let Some(until) = user.locked_until.filter(|t| *t > now) {
            self.record_audit(refuse(Outcome::Denied, "tài khoản đang tạm khóa"), meta).await?;
            metrics::counter!("motcua_login_failures_total").increment(1);
            return Err(AppError::AccountLocked { until });
        }
        let hash = user.password_hash.clone().unwrap_or_default();
        if !self.hasher.verify(password, &hash).await? {
            let failures = user.failed_logins.saturating_add(1);
            let lock = self.settings.auth.lockout.lock_until(failures, now);
            let mut tx = self.store.begin().await?;
            tx.record_login_failure(user.id, failures, lock, now).await?;
            let detail = match lock {
                Some(_) => format!("sai mật khẩu lần {failures}; khóa tạm thời"),
                None => format!("sai mật khẩu lần {failures}"),
            };
            self.commit_audited(tx, refuse(Outcome::Rejected, &detail), meta).await?;
            metrics::counter!("motcua_login_failures_total").increment(1);
            return Err(match lock {
                Some(until) => AppError::AccountLocked { until },
                None => AppError::InvalidCredentials,
            });
        }

        let principal = self.principal_of(&user).await?;
        let session_token = secret::random_token("");
        let csrf_token = secret::random_token("");
        let expires_at = now.checked_add(self.settings.auth.session_absolute).map_err(anyhow::Error::from)?;
        let session = SessionRecord {
            id_hash: secret::digest(&session_token),
            user_id: user.id,
            csrf_token: csrf_token.clone(),
            created_at: now,
            last_seen_at: now,
            expires_at,
            client_ip: meta.client_ip.clone(),
            user_agent: meta.user_agent.as_deref().map(|ua| ua.chars().take(300).collect()),
        };
        // Rehash with current parameters while we hold the plaintext.
        let rehash = if self.hasher.needs_rehash(&hash) { Some(self.hasher.hash(password).await?) } else { None };
        let mut tx = self.store.begin().await?;
        if let Some(old) = previous_session {
            tx.delete_session(&secret::digest(old)).await?;
        }
        tx.record_login_success(user.id, now).await?;
        if let Some(h) = rehash {
            tx.set_password(user.id, &h, user.must_change_password, now).await?;
        }
        tx.insert_session(&session).await?;
        let event = audit_event(
            Actor::Official { principal: &principal, grant: None },
            "auth.login",
            None,
            Outcome::Success,
            None,
            meta,
            now,
        );
        self.commit_audited(tx, event, meta).await?;
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
        let now = self.now();
        let id_hash = secret::digest(token);
        let Some(session) = self.store.session(&id_hash).await? else { return Ok(None) };
        let idle_end = session.last_seen_at.checked_add(self.settings.auth.session_idle).unwrap_or(now);
        if session.expires_at <= now || idle_end <= now {
            return Ok(None);
        }
        let Some(user) = self.store.user(session.user_id).await?.filter(|u| u.active) else { return Ok(None) };
        if now.duration_since(session.last_seen_at) >= SESSION_TOUCH_EVERY {
            let mut tx = self.store.begin().await?;
            tx.touch_session(&id_hash, now).await?;
            tx.commit().await?;
        }
        let principal = self.principal_of(&user).await?;
        Ok(Some(AuthSession { principal, session, must_change_password: user.must_change_password }))
    }

    pub async fn logout(&self, principal: &Principal, token: &str, meta: &RequestMeta) -> Result<(), AppError> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        tx.delete_session(&secret::digest(token)).await?;
        let event = audit_event(
            Actor::Official { principal, grant: None },
            "auth.logout",
            None,
            Outcome::Success,
            None,
            meta,
            now,
        );
        self.commit_audited(tx, event, meta).await?;
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
        let user = self.store.user(principal.user_id).await?.ok_or(AppError::Unauthenticated)?;
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
        let now = self.now();
        let session_token = secret::random_token("");
        let csrf_token = secret::random_token("");
        let expires_at = now.checked_add(self.settings.auth.session_absolute).map_err(anyhow::Error::from)?;
        let mut tx = self.store.begin().await?;
        tx.set_password(user.id, &new_hash, false, now).await?;
        tx.delete_sessions_of(user.id).await?;
        tx.insert_session(&SessionRecord {
            id_hash: secret::digest(&session_token),
            user_id: user.id,
            csrf_token: csrf_token.clone(),
            created_at: now,
            last_seen_at: now,
            expires_at,
            client_ip: meta.client_ip.clone(),
            user_agent: meta.user_agent.as_deref().map(|ua| ua.chars().take(300).collect()),
        })
        .await?;
        let event = audit_event(
            Actor::Official { principal, grant: None },
            "account.change_password",
            Some(("user", user.id.to_string())),
            Outcome::Success,
            None,
            meta,
            now,
        );
        self.commit_audited(tx, event, meta).await?;
        Ok(LoginOutcome {
            session_token,
            csrf_token,
            principal: principal.clone(),
            must_change_password: false,
            expires_at,
        })
    }

    // ----- API tokens ---------------------------------------------------------------------

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
        let user = self.store.user_by_username(&username).await?.ok_or(AppError::NotFound("tài khoản"))?;
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
        let now = self.now();
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
        let mut tx = self.store.begin().await?;
        let id = tx.insert_api_token(user.id, &name, &secret::digest(&token), &prefix, expires_at, now).await?;
        let event = audit_event(
            actor,
            "api_token.create",
            Some(("api_token", id.to_string())),
            Outcome::Success,
            Some(format!("{} cho {}", name, user.username)),
            meta,
            now,
        );
        self.commit_audited(tx, event, meta).await?;
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

    /// Resolves `Authorization: Bearer …`, and notes in `meta` the reference revision read with
    /// it.
    pub async fn authenticate_token(&self, token: &str, meta: &RequestMeta) -> Result<Option<Principal>, AppError> {
        if !token.starts_with(API_TOKEN_PREFIX) || token.len() > 100 {
            return Ok(None);
        }
        let now = self.now();
        let Some(holder) = self.store.api_token_holder(&secret::digest(token)).await? else { return Ok(None) };
        meta.saw_reference_revision(holder.reference_revision);
        let (record, user) = (holder.token, holder.user);
        if record.revoked_at.is_some() || record.expires_at.is_some_and(|e| e <= now) || !user.active {
            return Ok(None);
        }
        if record.last_used_at.is_none_or(|t| now.duration_since(t) >= SESSION_TOUCH_EVERY) {
            let mut tx = self.store.begin().await?;
            tx.touch_api_token(record.id, now).await?;
            tx.commit().await?;
        }
        Ok(Some(Principal {
            user_id: user.id,
            username: user.username,
            full_name: user.full_name,
            agency_id: user.agency_id,
            grants: holder.grants,
        }))
    }

    pub async fn api_tokens_of(&self, user: UserId) -> Result<Vec<ApiTokenRecord>, AppError> {
        Ok(self.store.api_tokens_of(user).await?)
    }

    /// Revokes a token: its owner may, and so may the CLI.
    pub async fn revoke_api_token(&self, actor: Actor<'_>, token_id: i64, meta: &RequestMeta) -> Result<(), AppError> {
        if let Actor::Official { principal, .. } = actor {
            let mine = self.store.api_tokens_of(principal.user_id).await?;
            if !mine.iter().any(|t| t.id == token_id) {
                return Err(AppError::NotFound("khóa API"));
            }
        }
        let now = self.now();
        let mut tx = self.store.begin().await?;
        if !tx.revoke_api_token(token_id, now).await? {
            return Err(AppError::NotFound("khóa API"));
        }
        let event = audit_event(
            actor,
            "api_token.revoke",
            Some(("api_token", token_id.to_string())),
            Outcome::Success,
            None,
            meta,
            now,
        );
        self.commit_audited(tx, event, meta).await?;
        Ok(())
    }

    // ----- account administration ---------------------------------------------------------

    pub async fn list_users(
        &self,
        principal: &Principal,
        query: Option<&str>,
        include_inactive: bool,
    ) -> Result<Vec<UserRecord>, AppError> {
        let scopes = scopes(principal, Permission::ViewUsers);
        if scopes.is_empty() {
            return Err(AppError::Forbidden(motcua_domain::policy::Denied::MissingPermission));
        }
        let filter = UserFilter {
            scopes,
            query: query.map(str::trim).filter(|q| !q.is_empty()).map(str::to_owned),
            include_inactive,
            limit: 500,
        };
        Ok(self.store.users_within(&filter).await?)
    }

    /// Active agencies in which the principal manages accounts (for unit and grant pickers).
    pub async fn manageable_units(
        &self,
        principal: &Principal,
    ) -> Result<Vec<motcua_domain::agency::Agency>, AppError> {
        let scopes = scopes(principal, Permission::ManageUsers);
        if scopes.is_empty() {
            return Ok(vec![]);
        }
        Ok(self.store.agencies_within(&scopes, false).await?)
    }

    /// An account and its grants, if its unit is in the principal's scope.
    pub async fn get_user(&self, principal: &Principal, id: UserId) -> Result<UserDetail, AppError> {
        let user = self.store.user(id).await?.ok_or(AppError::NotFound("tài khoản"))?;
        let unit = self.store.agency(user.agency_id).await?.ok_or(AppError::NotFound("tài khoản"))?;
        authorize(principal, Permission::ViewUsers, Target::Agency(&unit.path))
            .map_err(|_| AppError::NotFound("tài khoản"))?;
        let grants = self.store.grants_of(id).await?;
        Ok(UserDetail { user, grants })
    }

    async fn check_grants(&self, principal: &Principal, grants: &[(Role, AgencyId)]) -> Result<(), AppError> {
        let mut errs = ValidationErrors::new();
        for (i, (_, agency_id)) in grants.iter().enumerate() {
            match self.store.agency(*agency_id).await? {
                None => {
                    errs.push(FieldError::new(format!("grants[{i}].agency_id"), "not_found", "Không tìm thấy đơn vị."))
                }
                Some(a) => {
                    if may_grant(principal, &a.path).is_err() {
                        errs.push(FieldError::new(
                            format!("grants[{i}].agency_id"),
                            "out_of_scope",
                            format!("Bạn không được phân quyền tại {}.", a.name),
                        ));
                    }
                }
            }
        }
        errs.into_result().map_err(AppError::from)
    }

    /// Creates an account with a one-time password (returned; the official must change it at
    /// first login) and its grants.
    pub async fn create_user(
        &self,
        principal: &Principal,
        input: &UserInput,
        grants: &[GrantInput],
        meta: &RequestMeta,
    ) -> Result<(UserRecord, String), AppError> {
        if scopes(principal, Permission::ManageUsers).is_empty() {
            return Err(AppError::Forbidden(Denied::MissingPermission));
        }
        let mut errs = ValidationErrors::new();
        let username = errs.check(Username::parse(&input.username));
        let valid = validate_user(input, &mut errs);
        let grants = match parse_grants(grants) {
            Ok(g) => Some(g),
            Err(e) => {
                errs.errors.extend(e.errors);
                None
            }
        };
        errs.into_result()?;
        let (username, valid, grants) =
            (username.expect("validated"), valid.expect("validated"), grants.expect("validated"));
        let unit = self
            .store
            .agency(AgencyId(input.agency_id))
            .await?
            .ok_or_else(|| AppError::field("agency_id", "not_found", "Không tìm thấy đơn vị."))?;
        let grant = authorize(principal, Permission::ManageUsers, Target::Agency(&unit.path))?;
        self.check_grants(principal, &grants).await?;
        let password = secret::random_password();
        let hash = self.hasher.hash(&password).await?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let new = NewUser {
            username: username.clone(),
            full_name: valid.full_name,
            email: valid.email,
            phone: valid.phone,
            title: valid.title,
            agency_id: unit.id,
            password_hash: Some(hash),
            must_change_password: true,
            active: input.active,
        };
        let id = tx.insert_user(&new, now).await.map_err(|e| match e {
            StoreError::Duplicate { .. } => AppError::Conflict {
                code: "duplicate_username",
                message: "Tên đăng nhập đã tồn tại.".into(),
                field: Some("username".into()),
            },
            other => other.into(),
        })?;
        tx.replace_grants(id, &grants, principal.username.as_str(), now).await?;
        let roles: Vec<String> = grants.iter().map(|(r, a)| format!("{r}@{a}")).collect();
        let event = audit_event(
            Actor::Official { principal, grant: Some(grant) },
            "user.create",
            Some(("user", id.to_string())),
            Outcome::Success,
            Some(format!("{username}; quyền: {}", roles.join(", "))),
            meta,
            now,
        );
        self.commit_audited(tx, event, meta).await?;
        let user = self.store.user(id).await?.ok_or(AppError::NotFound("tài khoản"))?;
        Ok((user, password))
    }

    pub async fn update_user(
        &self,
        principal: &Principal,
        id: UserId,
        version: i64,
        input: &UserInput,
        meta: &RequestMeta,
    ) -> Result<UserRecord, AppError> {
        let detail = self.get_user(principal, id).await?;
        let old_unit = self.store.agency(detail.user.agency_id).await?.ok_or(AppError::NotFound("đơn vị"))?;
        let grant = authorize(principal, Permission::ManageUsers, Target::Agency(&old_unit.path))?;
        let mut errs = ValidationErrors::new();
        let valid = validate_user(input, &mut errs);
        errs.into_result()?;
        let valid = valid.expect("validated");
        let new_unit = self
            .store
            .agency(AgencyId(input.agency_id))
            .await?
            .ok_or_else(|| AppError::field("agency_id", "not_found", "Không tìm thấy đơn vị."))?;
        authorize(principal, Permission::ManageUsers, Target::Agency(&new_unit.path))?;
        if id == principal.user_id && !input.active {
            return Err(AppError::field("active", "self", "Không thể tự vô hiệu hóa tài khoản của mình."));
        }
        if detail.user.version != version {
            return Err(AppError::stale("Tài khoản"));
        }
        let now = self.now();
        let profile = UserProfile {
            full_name: valid.full_name,
            email: valid.email,
            phone: valid.phone,
            title: valid.title,
            agency_id: new_unit.id,
            active: input.active,
        };
        let mut tx = self.store.begin().await?;
        if !tx.update_user_profile(id, &profile, version, now).await? {
            return Err(AppError::stale("Tài khoản"));
        }
        if !input.active {
            tx.delete_sessions_of(id).await?;
        }
        let action = match (detail.user.active, input.active) {
            (true, false) => "user.deactivate",
            (false, true) => "user.activate",
            _ => "user.update",
        };
        let event = audit_event(
            Actor::Official { principal, grant: Some(grant) },
            action,
            Some(("user", id.to_string())),
            Outcome::Success,
            None,
            meta,
            now,
        );
        self.commit_audited(tx, event, meta).await?;
        self.store.user(id).await?.ok_or(AppError::NotFound("tài khoản"))
    }

    /// Replaces an account's grants. Nobody edits their own grants, and nobody grants beyond
    /// their own scope; grants the editor cannot see are kept as they are.
    pub async fn set_user_grants(
        &self,
        principal: &Principal,
        id: UserId,
        grants: &[GrantInput],
        meta: &RequestMeta,
    ) -> Result<Vec<Grant>, AppError> {
        let detail = self.get_user(principal, id).await?;
        let unit = self.store.agency(detail.user.agency_id).await?.ok_or(AppError::NotFound("đơn vị"))?;
        let grant = authorize(principal, Permission::ManageUsers, Target::Agency(&unit.path))?;
        let wanted = parse_grants(grants)?;
        if id == principal.user_id {
            return Err(AppError::Conflict {
                code: "self_grant",
                message: "Không thể tự thay đổi quyền của chính mình.".into(),
                field: None,
            });
        }
        self.check_grants(principal, &wanted).await?;
        let mut merged: Vec<(Role, AgencyId)> = detail
            .grants
            .iter()
            .filter(|g| may_grant(principal, &g.agency_path).is_err())
            .map(|g| (g.role, g.agency_id))
            .collect();
        merged.extend(wanted.iter().copied());
        let now = self.now();
        let mut tx = self.store.begin().await?;
        tx.replace_grants(id, &merged, principal.username.as_str(), now).await?;
        let desc: Vec<String> = merged.iter().map(|(r, a)| format!("{r}@{a}")).collect();
        let event = audit_event(
            Actor::Official { principal, grant: Some(grant) },
            "user.set_grants",
            Some(("user", id.to_string())),
            Outcome::Success,
            Some(desc.join(", ")),
            meta,
            now,
        );
        self.commit_audited(tx, event, meta).await?;
        Ok(self.store.grants_of(id).await?)
    }

    /// Issues a new one-time password and ends the account's sessions and lock.
    pub async fn reset_user_password(
        &self,
        principal: &Principal,
        id: UserId,
        meta: &RequestMeta,
    ) -> Result<String, AppError> {
        let detail = self.get_user(principal, id).await?;
        let unit = self.store.agency(detail.user.agency_id).await?.ok_or(AppError::NotFound("đơn vị"))?;
        let grant = authorize(principal, Permission::ManageUsers, Target::Agency(&unit.path))?;
        let password = secret::random_password();
        let hash = self.hasher.hash(&password).await?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        tx.set_password(id, &hash, true, now).await?;
        tx.record_login_success(id, now).await?;
        tx.delete_sessions_of(id).await?;
        let event = audit_event(
            Actor::Official { principal, grant: Some(grant) },
            "user.reset_password",
            Some(("user", id.to_string())),
            Outcome::Success,
            None,
            meta,
            now,
        );
        self.commit_audited(tx, event, meta).await?;
        Ok(password)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_and_phone_checks() {
        assert_eq!(validate_email(Some(" a@b.vn ")).unwrap(), Some("a@b.vn".into()));
        assert_eq!(validate_email(Some("")).unwrap(), None);
        for bad in ["a@b", "@b.vn", "a b@c.vn", "a@.vn", "a@b."] {
            assert!(validate_email(Some(bad)).is_err(), "{bad}");
        }
        assert_eq!(validate_phone(Some("0912 345 678")).unwrap(), Some("0912 345 678".into()));
        assert!(validate_phone(Some("+84 912345678")).is_ok());
        assert!(validate_phone(Some("12345")).is_err());
        assert!(validate_phone(Some("09x2345678")).is_err());
    }

    #[test]
    fn grants_are_parsed_and_deduplicated() {
        let g = parse_grants(&[
            GrantInput { role: "leader".into(), agency_id: 3 },
            GrantInput { role: "leader".into(), agency_id: 3 },
            GrantInput { role: "clerk".into(), agency_id: 3 },
        ])
        .unwrap();
        assert_eq!(g, vec![(Role::Leader, AgencyId(3)), (Role::Clerk, AgencyId(3))]);
        let e = parse_grants(&[GrantInput { role: "boss".into(), agency_id: 1 }]).unwrap_err();
        assert_eq!(e.errors[0].field, "grants[0].role");
    }
}
