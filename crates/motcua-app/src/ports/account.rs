use async_trait::async_trait;
use jiff::Timestamp;
use motcua_domain::account::{Grant, Role, UserId, Username};
use motcua_domain::agency::{AgencyId, AgencyPath};
use serde::Serialize;

use super::StoreResult;

/// An official's account as stored. The password hash never leaves the app layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRecord {
    pub id: UserId,
    pub username: Username,
    pub full_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// Position (chức vụ), e.g. "Phó Chủ tịch UBND xã".
    pub title: Option<String>,
    pub agency_id: AgencyId,
    pub password_hash: Option<String>,
    pub must_change_password: bool,
    pub active: bool,
    pub failed_logins: u32,
    pub locked_until: Option<Timestamp>,
    pub last_login_at: Option<Timestamp>,
    pub version: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: Username,
    pub full_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub title: Option<String>,
    pub agency_id: AgencyId,
    pub password_hash: Option<String>,
    pub must_change_password: bool,
    pub active: bool,
}

/// Profile fields an account manager edits.
#[derive(Debug, Clone)]
pub struct UserProfile {
    pub full_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub title: Option<String>,
    pub agency_id: AgencyId,
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    /// SHA-256 of the cookie value: a database leak does not hand out live sessions.
    pub id_hash: String,
    pub user_id: UserId,
    pub csrf_token: String,
    pub created_at: Timestamp,
    pub last_seen_at: Timestamp,
    pub expires_at: Timestamp,
    pub client_ip: Option<String>,
    pub user_agent: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiTokenRecord {
    pub id: i64,
    pub user_id: UserId,
    pub name: String,
    /// First characters of the token, shown so people can tell their tokens apart.
    pub token_prefix: String,
    pub created_at: Timestamp,
    pub expires_at: Option<Timestamp>,
    pub last_used_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
}

/// Failed sign-ins under a name that has no usable account (see `Accounts::login`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LoginGuard {
    pub failed_logins: u32,
    pub locked_until: Option<Timestamp>,
}

#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    pub scopes: Vec<AgencyPath>,
    /// Matches username or full name (case-insensitive substring).
    pub query: Option<String>,
    pub include_inactive: bool,
    pub limit: i64,
}

#[async_trait]
pub trait AccountReads {
    async fn user(&self, id: UserId) -> StoreResult<Option<UserRecord>>;
    async fn user_by_username(&self, username: &Username) -> StoreResult<Option<UserRecord>>;
    /// Grants with the current path of their agency; grants on inactive agencies are kept
    /// (history) but callers decide whether they count.
    async fn grants_of(&self, user: UserId) -> StoreResult<Vec<Grant>>;
    /// Users whose own unit lies inside one of the scopes, ordered by username.
    async fn users_within(&self, filter: &UserFilter) -> StoreResult<Vec<UserRecord>>;
    async fn session(&self, id_hash: &str) -> StoreResult<Option<SessionRecord>>;
    async fn api_token_by_hash(&self, token_hash: &str) -> StoreResult<Option<ApiTokenRecord>>;
    /// The token with this hash, its owner and the owner's grants, in one read.
    async fn api_token_holder(&self, token_hash: &str) -> StoreResult<Option<TokenHolder>>;
    async fn api_tokens_of(&self, user: UserId) -> StoreResult<Vec<ApiTokenRecord>>;
    async fn count_users(&self) -> StoreResult<i64>;
    /// The failures recorded under a name without an account, by the digest of the name.
    async fn login_guard(&self, name_digest: &str) -> StoreResult<Option<LoginGuard>>;
}

#[async_trait]
pub trait AccountWrites {
    async fn insert_user(&mut self, user: &NewUser, now: Timestamp) -> StoreResult<UserId>;
    /// Optimistic update of the profile; `false` when the version moved.
    async fn update_user_profile(
        &mut self,
        id: UserId,
        profile: &UserProfile,
        expected_version: i64,
        now: Timestamp,
    ) -> StoreResult<bool>;
    async fn set_password(
        &mut self,
        id: UserId,
        password_hash: &str,
        must_change: bool,
        now: Timestamp,
    ) -> StoreResult<()>;
    async fn replace_grants(
        &mut self,
        id: UserId,
        grants: &[(Role, AgencyId)],
        granted_by: &str,
        now: Timestamp,
    ) -> StoreResult<()>;
    async fn record_login_failure(
        &mut self,
        id: UserId,
        failed_logins: u32,
        locked_until: Option<Timestamp>,
        now: Timestamp,
    ) -> StoreResult<()>;
    async fn record_login_success(&mut self, id: UserId, now: Timestamp) -> StoreResult<()>;
    /// Records the failures under a name without an account (insert or replace).
    async fn record_login_guard(&mut self, name_digest: &str, guard: LoginGuard, now: Timestamp) -> StoreResult<()>;
    async fn insert_session(&mut self, session: &SessionRecord) -> StoreResult<()>;
    async fn delete_session(&mut self, id_hash: &str) -> StoreResult<()>;
    async fn delete_sessions_of(&mut self, user: UserId) -> StoreResult<u64>;
    async fn touch_session(&mut self, id_hash: &str, now: Timestamp) -> StoreResult<()>;
    async fn insert_api_token(
        &mut self,
        user: UserId,
        name: &str,
        token_hash: &str,
        token_prefix: &str,
        expires_at: Option<Timestamp>,
        now: Timestamp,
    ) -> StoreResult<i64>;
    async fn revoke_api_token(&mut self, id: i64, now: Timestamp) -> StoreResult<bool>;
    async fn touch_api_token(&mut self, id: i64, now: Timestamp) -> StoreResult<()>;
}

/// An API token with the account that holds it and that account's grants.
#[derive(Debug, Clone)]
pub struct TokenHolder {
    pub token: ApiTokenRecord,
    pub user: UserRecord,
    pub grants: Vec<Grant>,
    /// The reference data's revisions, read in the same statement: the request's snapshot then
    /// needs no read of its own (see `crate::snapshot`).
    pub revisions: super::Revisions,
}
