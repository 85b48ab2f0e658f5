//! Account administration: officials, their grants, and password resets.

use motcua_domain::account::{Grant, Principal, Role, UserId, Username};
use motcua_domain::agency::AgencyId;
use motcua_domain::policy::{Denied, Permission, Target, authorize, may_grant, scopes};
use motcua_domain::validation::NonBlank;
use motcua_domain::validation::{FieldError, ValidationErrors, optional_text, required_text};

use crate::context::{Actor, RequestMeta};
use crate::error::{AppError, StoreError};
use crate::ports::{NewUser, UserFilter, UserProfile, UserRecord};
use crate::secret;

use super::Accounts;

#[derive(Debug, Clone, Default)]
pub struct UserInput {
    /// Only read when creating.
    pub username: String,
    pub full_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub title: Option<String>,
    pub agency_id: i64,
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
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

impl Accounts {
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
        let filter = UserFilter { scopes, query: query.non_blank().map(str::to_owned), include_inactive, limit: 500 };
        Ok(self.core.store.users_within(&filter).await?)
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
        Ok(self.core.store.agencies_within(&scopes, false).await?)
    }

    /// An account and its grants, if its unit is in the principal's scope.
    /// The signed-in official's own account record.
    pub async fn own_account(&self, principal: &Principal) -> Result<UserRecord, AppError> {
        self.core.store.user(principal.user_id).await?.ok_or(AppError::NotFound("tài khoản"))
    }

    /// An account by name, for the installation's own tools (the command line acts as the
    /// system, with no principal to scope it).
    pub async fn find_user(&self, username: &Username) -> Result<Option<UserRecord>, AppError> {
        Ok(self.core.store.user_by_username(username).await?)
    }

    pub async fn get_user(&self, principal: &Principal, id: UserId) -> Result<UserDetail, AppError> {
        let user = self.core.store.user(id).await?.ok_or(AppError::NotFound("tài khoản"))?;
        let unit = self.core.store.agency(user.agency_id).await?.ok_or(AppError::NotFound("tài khoản"))?;
        authorize(principal, Permission::ViewUsers, Target::Agency(&unit.path))
            .map_err(|_| AppError::NotFound("tài khoản"))?;
        let grants = self.core.store.grants_of(id).await?;
        Ok(UserDetail { user, grants })
    }

    async fn check_grants(&self, principal: &Principal, grants: &[(Role, AgencyId)]) -> Result<(), AppError> {
        let mut errs = ValidationErrors::new();
        for (i, (_, agency_id)) in grants.iter().enumerate() {
            match self.core.store.agency(*agency_id).await? {
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
            .core
            .store
            .agency(AgencyId(input.agency_id))
            .await?
            .ok_or_else(|| AppError::field("agency_id", "not_found", "Không tìm thấy đơn vị."))?;
        let grant = authorize(principal, Permission::ManageUsers, Target::Agency(&unit.path))?;
        self.check_grants(principal, &grants).await?;
        let password = secret::random_password();
        let hash = self.hasher.hash(&password).await?;
        let now = self.core.now();
        let mut tx = self.core.store.begin().await?;
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
        let event = Actor::Official { principal, grant: Some(grant) }
            .did("user.create")
            .on("user", id.to_string())
            .detail(format!("{username}; quyền: {}", roles.join(", ")))
            .event(meta, now);
        self.core.commit_audited(tx, event, meta).await?;
        let user = self.core.store.user(id).await?.ok_or(AppError::NotFound("tài khoản"))?;
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
        let old_unit = self.core.store.agency(detail.user.agency_id).await?.ok_or(AppError::NotFound("đơn vị"))?;
        let grant = authorize(principal, Permission::ManageUsers, Target::Agency(&old_unit.path))?;
        let mut errs = ValidationErrors::new();
        let valid = validate_user(input, &mut errs);
        errs.into_result()?;
        let valid = valid.expect("validated");
        let new_unit = self
            .core
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
        let now = self.core.now();
        let profile = UserProfile {
            full_name: valid.full_name,
            email: valid.email,
            phone: valid.phone,
            title: valid.title,
            agency_id: new_unit.id,
            active: input.active,
        };
        let mut tx = self.core.store.begin().await?;
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
        let event =
            Actor::Official { principal, grant: Some(grant) }.did(action).on("user", id.to_string()).event(meta, now);
        self.core.commit_audited(tx, event, meta).await?;
        self.core.store.user(id).await?.ok_or(AppError::NotFound("tài khoản"))
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
        let unit = self.core.store.agency(detail.user.agency_id).await?.ok_or(AppError::NotFound("đơn vị"))?;
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
        let now = self.core.now();
        let mut tx = self.core.store.begin().await?;
        tx.replace_grants(id, &merged, principal.username.as_str(), now).await?;
        let desc: Vec<String> = merged.iter().map(|(r, a)| format!("{r}@{a}")).collect();
        let event = Actor::Official { principal, grant: Some(grant) }
            .did("user.set_grants")
            .on("user", id.to_string())
            .detail(desc.join(", "))
            .event(meta, now);
        self.core.commit_audited(tx, event, meta).await?;
        Ok(self.core.store.grants_of(id).await?)
    }

    /// Issues a new one-time password and ends the account's sessions and lock.
    pub async fn reset_user_password(
        &self,
        principal: &Principal,
        id: UserId,
        meta: &RequestMeta,
    ) -> Result<String, AppError> {
        let detail = self.get_user(principal, id).await?;
        let unit = self.core.store.agency(detail.user.agency_id).await?.ok_or(AppError::NotFound("đơn vị"))?;
        let grant = authorize(principal, Permission::ManageUsers, Target::Agency(&unit.path))?;
        let password = secret::random_password();
        let hash = self.hasher.hash(&password).await?;
        let now = self.core.now();
        let mut tx = self.core.store.begin().await?;
        tx.set_password(id, &hash, true, now).await?;
        tx.record_login_success(id, now).await?;
        tx.delete_sessions_of(id).await?;
        let event = Actor::Official { principal, grant: Some(grant) }
            .did("user.reset_password")
            .on("user", id.to_string())
            .event(meta, now);
        self.core.commit_audited(tx, event, meta).await?;
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
