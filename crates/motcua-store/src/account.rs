use async_trait::async_trait;
use jiff::Timestamp;
use motcua_app::StoreError;
use motcua_app::ports::{
    AccountReads, AccountWrites, ApiTokenRecord, LoginGuard, NewUser, SessionRecord, StoreResult, TokenHolder,
    UserFilter, UserProfile, UserRecord,
};
use motcua_domain::account::{Grant, Role, UserId, Username};
use motcua_domain::agency::{AgencyId, AgencyLevel, AgencyPath};
use sqlx::any::AnyRow;

use crate::Db;
use crate::convert::{RowExt, db_err, opt_us, us};
use crate::meta::REVISIONS_COLS;
use crate::sql::SqlBuilder;
use crate::tx::DbTx;

const USER_COLS: &str = "u.id, u.username, u.full_name, u.email, u.phone, u.title, u.agency_id, u.password_hash, u.must_change_password, \
                         u.active, u.failed_logins, u.locked_until, u.last_login_at, u.version, u.created_at, u.updated_at";

fn user_from_row(r: &AnyRow) -> StoreResult<UserRecord> {
    let username = r.text("username")?;
    Ok(UserRecord {
        id: UserId(r.i64("id")?),
        username: Username::parse(&username)
            .map_err(|_| StoreError::Backend(format!("stored username is invalid: {username:?}")))?,
        full_name: r.text("full_name")?,
        email: r.opt_text("email")?,
        phone: r.opt_text("phone")?,
        title: r.opt_text("title")?,
        agency_id: AgencyId(r.i64("agency_id")?),
        password_hash: r.opt_text("password_hash")?,
        must_change_password: r.flag("must_change_password")?,
        active: r.flag("active")?,
        failed_logins: u32::try_from(r.i64("failed_logins")?).unwrap_or(u32::MAX),
        locked_until: r.opt_ts("locked_until")?,
        last_login_at: r.opt_ts("last_login_at")?,
        version: r.i64("version")?,
        created_at: r.ts("created_at")?,
        updated_at: r.ts("updated_at")?,
    })
}

fn session_from_row(r: &AnyRow) -> StoreResult<SessionRecord> {
    Ok(SessionRecord {
        id_hash: r.text("id_hash")?,
        user_id: UserId(r.i64("user_id")?),
        csrf_token: r.text("csrf_token")?,
        created_at: r.ts("created_at")?,
        last_seen_at: r.ts("last_seen_at")?,
        expires_at: r.ts("expires_at")?,
        client_ip: r.opt_text("client_ip")?,
        user_agent: r.opt_text("user_agent")?,
    })
}

/// The columns [`grant_from_row`] reads, over `grants g`, `agencies a` (the grant's agency) and
/// `agencies pa` (its parent, outer-joined).
const GRANT_COLS: &str = "g.role, g.agency_id AS g_agency_id, a.path, a.level AS g_level, pa.level AS g_parent_level";

/// A grant from [`GRANT_COLS`]; `None` for the empty side of an outer join.
fn grant_from_row(r: &AnyRow) -> StoreResult<Option<Grant>> {
    let Some(role) = r.opt_text("role")? else { return Ok(None) };
    let path = r.text("path")?;
    let agency_id = r.i64("g_agency_id")?;
    let level = |col: &str, s: String| {
        AgencyLevel::parse(col, &s).map_err(|_| StoreError::Backend(format!("stored level is invalid: {s:?}")))
    };
    let unit_of_parent = match r.opt_text("g_parent_level")? {
        Some(parent) => level("g_level", r.text("g_level")?)?.is_unit_within(level("g_parent_level", parent)?),
        None => false,
    };
    Ok(Some(Grant {
        unit_of_parent,
        role: Role::parse("role", &role)
            .map_err(|_| StoreError::Backend(format!("stored role is invalid: {role:?}")))?,
        agency_id: AgencyId(agency_id),
        agency_path: AgencyPath::parse(&path)
            .ok_or_else(|| StoreError::Backend(format!("stored path is invalid: {path:?}")))?,
    }))
}

fn token_from_row(r: &AnyRow) -> StoreResult<ApiTokenRecord> {
    token_from_row_as(r, "")
}

/// A token from columns named with `prefix` where they would clash with a joined row's.
fn token_from_row_as(r: &AnyRow, prefix: &str) -> StoreResult<ApiTokenRecord> {
    Ok(ApiTokenRecord {
        id: r.i64(&format!("{prefix}id"))?,
        user_id: UserId(r.i64(&format!("{prefix}user_id"))?),
        name: r.text(&format!("{prefix}name"))?,
        token_prefix: r.text("token_prefix")?,
        created_at: r.ts(&format!("{prefix}created_at"))?,
        expires_at: r.opt_ts("expires_at")?,
        last_used_at: r.opt_ts("last_used_at")?,
        revoked_at: r.opt_ts("revoked_at")?,
    })
}

const TOKEN_COLS: &str = "id, user_id, name, token_prefix, created_at, expires_at, last_used_at, revoked_at";

#[async_trait]
impl AccountReads for Db {
    async fn user(&self, id: UserId) -> StoreResult<Option<UserRecord>> {
        sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {USER_COLS} FROM users u WHERE u.id = $1")))
            .bind(id.0)
            .fetch_optional(self.read_pool())
            .await
            .map_err(db_err)?
            .map(|r| user_from_row(&r))
            .transpose()
    }

    async fn user_by_username(&self, username: &Username) -> StoreResult<Option<UserRecord>> {
        sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {USER_COLS} FROM users u WHERE u.username = $1")))
            .bind(username.as_str().to_owned())
            .fetch_optional(self.read_pool())
            .await
            .map_err(db_err)?
            .map(|r| user_from_row(&r))
            .transpose()
    }

    async fn grants_of(&self, user: UserId) -> StoreResult<Vec<Grant>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {GRANT_COLS} FROM grants g JOIN agencies a ON a.id = g.agency_id LEFT JOIN agencies pa ON pa.id = a.parent_id WHERE g.user_id = $1 ORDER BY a.path, g.role")))
            .bind(user.0)
            .fetch_all(self.read_pool())
            .await
            .map_err(db_err)?;
        rows.iter().filter_map(|r| grant_from_row(r).transpose()).collect()
    }

    async fn api_token_holder(&self, token_hash: &str) -> StoreResult<Option<TokenHolder>> {
        // One round trip for what every API request needs: the token, its owner and the
        // owner's grants (one row per grant, or one row with no grant).
        let sql = format!(
            "SELECT t.id AS t_id, t.user_id AS t_user_id, t.name AS t_name, t.token_prefix, t.created_at AS t_created_at, \
             t.expires_at, t.last_used_at, t.revoked_at, {USER_COLS}, {GRANT_COLS}, \
             {REVISIONS_COLS} \
             FROM api_tokens t JOIN users u ON u.id = t.user_id \
             LEFT JOIN grants g ON g.user_id = u.id LEFT JOIN agencies a ON a.id = g.agency_id \
             LEFT JOIN agencies pa ON pa.id = a.parent_id \
             WHERE t.token_hash = $1 ORDER BY a.path, g.role"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(token_hash.to_owned())
            .fetch_all(self.read_pool())
            .await
            .map_err(db_err)?;
        let Some(first) = rows.first() else { return Ok(None) };
        let token = token_from_row_as(first, "t_")?;
        let user = user_from_row(first)?;
        let grants = rows.iter().filter_map(|r| grant_from_row(r).transpose()).collect::<StoreResult<_>>()?;
        let revisions = crate::meta::revisions_from(first)?;
        Ok(Some(TokenHolder { token, user, grants, revisions }))
    }

    async fn users_within(&self, filter: &UserFilter) -> StoreResult<Vec<UserRecord>> {
        let mut b =
            SqlBuilder::new(&format!("SELECT {USER_COLS} FROM users u JOIN agencies a ON a.id = u.agency_id WHERE "));
        b.push_subtrees("a.path", &filter.scopes);
        if !filter.include_inactive {
            b.push(" AND u.active = ").bind(true);
        }
        if let Some(q) = &filter.query {
            // Usernames are lower-case ASCII; names are matched case-insensitively by lowering
            // both sides (LOWER handles ASCII identically on both backends).
            let pattern = format!("%{}%", q.to_lowercase().replace(['%', '_'], ""));
            b.push(" AND (u.username LIKE ")
                .bind(pattern.clone())
                .push(" OR LOWER(u.full_name) LIKE ")
                .bind(pattern)
                .push(")");
        }
        b.push(" ORDER BY u.username LIMIT ").bind(filter.limit.max(1));
        b.build().fetch_all(self.read_pool()).await.map_err(db_err)?.iter().map(user_from_row).collect()
    }

    async fn session(&self, id_hash: &str) -> StoreResult<Option<SessionRecord>> {
        sqlx::query("SELECT * FROM sessions WHERE id_hash = $1")
            .bind(id_hash.to_owned())
            .fetch_optional(self.read_pool())
            .await
            .map_err(db_err)?
            .map(|r| session_from_row(&r))
            .transpose()
    }

    async fn api_token_by_hash(&self, token_hash: &str) -> StoreResult<Option<ApiTokenRecord>> {
        sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {TOKEN_COLS} FROM api_tokens WHERE token_hash = $1")))
            .bind(token_hash.to_owned())
            .fetch_optional(self.read_pool())
            .await
            .map_err(db_err)?
            .map(|r| token_from_row(&r))
            .transpose()
    }

    async fn api_tokens_of(&self, user: UserId) -> StoreResult<Vec<ApiTokenRecord>> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {TOKEN_COLS} FROM api_tokens WHERE user_id = $1 ORDER BY id DESC"
        )))
        .bind(user.0)
        .fetch_all(self.read_pool())
        .await
        .map_err(db_err)?
        .iter()
        .map(token_from_row)
        .collect()
    }

    async fn count_users(&self) -> StoreResult<i64> {
        sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(self.read_pool()).await.map_err(db_err)
    }

    async fn login_guard(&self, name_digest: &str) -> StoreResult<Option<LoginGuard>> {
        let row = sqlx::query("SELECT failed_logins, locked_until FROM login_guards WHERE name_digest = $1")
            .bind(name_digest.to_owned())
            .fetch_optional(self.read_pool())
            .await
            .map_err(db_err)?;
        row.map(|r| {
            Ok(LoginGuard {
                failed_logins: u32::try_from(r.i64("failed_logins")?).unwrap_or(u32::MAX),
                locked_until: r.opt_ts("locked_until")?,
            })
        })
        .transpose()
    }
}

#[async_trait]
impl AccountWrites for DbTx {
    async fn insert_user(&mut self, u: &NewUser, now: Timestamp) -> StoreResult<UserId> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO users (username, full_name, email, phone, title, agency_id, password_hash, must_change_password, active, failed_logins, \
             password_changed_at, version, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, $10, 1, $10, $10) RETURNING id",
        )
        .bind(u.username.as_str().to_owned())
        .bind(u.full_name.clone())
        .bind(u.email.clone())
        .bind(u.phone.clone())
        .bind(u.title.clone())
        .bind(u.agency_id.0)
        .bind(u.password_hash.clone())
        .bind(u.must_change_password)
        .bind(u.active)
        .bind(us(now))
        .fetch_one(self.conn().await?)
        .await
        .map_err(db_err)?;
        Ok(UserId(id))
    }

    async fn update_user_profile(
        &mut self,
        id: UserId,
        p: &UserProfile,
        expected_version: i64,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let r = sqlx::query(
            "UPDATE users SET full_name = $1, email = $2, phone = $3, title = $4, agency_id = $5, active = $6, version = version + 1, updated_at = $7 \
             WHERE id = $8 AND version = $9",
        )
        .bind(p.full_name.clone())
        .bind(p.email.clone())
        .bind(p.phone.clone())
        .bind(p.title.clone())
        .bind(p.agency_id.0)
        .bind(p.active)
        .bind(us(now))
        .bind(id.0)
        .bind(expected_version)
        .execute(self.conn().await?)
        .await
        .map_err(db_err)?;
        Ok(r.rows_affected() == 1)
    }

    async fn set_password(
        &mut self,
        id: UserId,
        password_hash: &str,
        must_change: bool,
        now: Timestamp,
    ) -> StoreResult<()> {
        sqlx::query("UPDATE users SET password_hash = $1, must_change_password = $2, password_changed_at = $3, updated_at = $3, version = version + 1 WHERE id = $4")
            .bind(password_hash.to_owned())
            .bind(must_change)
            .bind(us(now))
            .bind(id.0)
            .execute(self.conn().await?)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn replace_grants(
        &mut self,
        id: UserId,
        grants: &[(Role, AgencyId)],
        granted_by: &str,
        now: Timestamp,
    ) -> StoreResult<()> {
        sqlx::query("DELETE FROM grants WHERE user_id = $1")
            .bind(id.0)
            .execute(self.conn().await?)
            .await
            .map_err(db_err)?;
        for (role, agency) in grants {
            sqlx::query(
                "INSERT INTO grants (user_id, role, agency_id, granted_at, granted_by) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(id.0)
            .bind(role.as_str())
            .bind(agency.0)
            .bind(us(now))
            .bind(granted_by.to_owned())
            .execute(self.conn().await?)
            .await
            .map_err(db_err)?;
        }
        Ok(())
    }

    async fn record_login_failure(
        &mut self,
        id: UserId,
        failed_logins: u32,
        locked_until: Option<Timestamp>,
        now: Timestamp,
    ) -> StoreResult<()> {
        sqlx::query("UPDATE users SET failed_logins = $1, locked_until = $2, updated_at = $3 WHERE id = $4")
            .bind(i64::from(failed_logins))
            .bind(opt_us(locked_until))
            .bind(us(now))
            .bind(id.0)
            .execute(self.conn().await?)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn record_login_guard(&mut self, name_digest: &str, guard: LoginGuard, now: Timestamp) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO login_guards (name_digest, failed_logins, locked_until, updated_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (name_digest) DO UPDATE SET failed_logins = excluded.failed_logins, \
             locked_until = excluded.locked_until, updated_at = excluded.updated_at",
        )
        .bind(name_digest.to_owned())
        .bind(i64::from(guard.failed_logins))
        .bind(opt_us(guard.locked_until))
        .bind(us(now))
        .execute(self.conn().await?)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn record_login_success(&mut self, id: UserId, now: Timestamp) -> StoreResult<()> {
        sqlx::query("UPDATE users SET failed_logins = 0, locked_until = NULL, last_login_at = $1 WHERE id = $2")
            .bind(us(now))
            .bind(id.0)
            .execute(self.conn().await?)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn insert_session(&mut self, s: &SessionRecord) -> StoreResult<()> {
        sqlx::query("INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen_at, expires_at, client_ip, user_agent) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
            .bind(s.id_hash.clone())
            .bind(s.user_id.0)
            .bind(s.csrf_token.clone())
            .bind(us(s.created_at))
            .bind(us(s.last_seen_at))
            .bind(us(s.expires_at))
            .bind(s.client_ip.clone())
            .bind(s.user_agent.clone())
            .execute(self.conn().await?)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn delete_session(&mut self, id_hash: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
            .bind(id_hash.to_owned())
            .execute(self.conn().await?)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn delete_sessions_of(&mut self, user: UserId) -> StoreResult<u64> {
        let r = sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user.0)
            .execute(self.conn().await?)
            .await
            .map_err(db_err)?;
        Ok(r.rows_affected())
    }

    async fn touch_session(&mut self, id_hash: &str, now: Timestamp) -> StoreResult<()> {
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2")
            .bind(us(now))
            .bind(id_hash.to_owned())
            .execute(self.conn().await?)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn insert_api_token(
        &mut self,
        user: UserId,
        name: &str,
        token_hash: &str,
        token_prefix: &str,
        expires_at: Option<Timestamp>,
        now: Timestamp,
    ) -> StoreResult<i64> {
        sqlx::query_scalar("INSERT INTO api_tokens (user_id, name, token_hash, token_prefix, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id")
            .bind(user.0)
            .bind(name.to_owned())
            .bind(token_hash.to_owned())
            .bind(token_prefix.to_owned())
            .bind(us(now))
            .bind(opt_us(expires_at))
            .fetch_one(self.conn().await?)
            .await
            .map_err(db_err)
    }

    async fn revoke_api_token(&mut self, id: i64, now: Timestamp) -> StoreResult<bool> {
        let r = sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind(us(now))
            .bind(id)
            .execute(self.conn().await?)
            .await
            .map_err(db_err)?;
        Ok(r.rows_affected() == 1)
    }

    async fn touch_api_token(&mut self, id: i64, now: Timestamp) -> StoreResult<()> {
        sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
            .bind(us(now))
            .bind(id)
            .execute(self.conn().await?)
            .await
            .map_err(db_err)?;
        Ok(())
    }
}
