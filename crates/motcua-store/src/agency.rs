use async_trait::async_trait;
use jiff::Timestamp;
use motcua_app::StoreError;
use motcua_app::ports::{AgencyReads, AgencyWrites, NewAgency, StoreResult};
use motcua_domain::agency::{Agency, AgencyCode, AgencyId, AgencyLevel, AgencyPath, AgencyRevision};
use sqlx::any::AnyRow;

use crate::Db;
use crate::convert::{RowExt, date_text, db_err, us};
use crate::sql::SqlBuilder;
use crate::tx::DbTx;

const COLS: &str =
    "id, parent_id, path, code, name, short_name, level, valid_from, valid_to, active, version, created_at, updated_at";

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Backend(format!("stored {what} is invalid: {value:?}"))
}

pub(crate) fn agency_from_row(r: &AnyRow) -> StoreResult<Agency> {
    let code = r.text("code")?;
    let path = r.text("path")?;
    let level = r.text("level")?;
    Ok(Agency {
        id: AgencyId(r.i64("id")?),
        parent_id: r.opt_i64("parent_id")?.map(AgencyId),
        path: AgencyPath::parse(&path).ok_or_else(|| corrupt("agency path", &path))?,
        code: AgencyCode::parse(&code).map_err(|_| corrupt("agency code", &code))?,
        name: r.text("name")?,
        short_name: r.opt_text("short_name")?,
        level: AgencyLevel::parse("level", &level).map_err(|_| corrupt("agency level", &level))?,
        valid_from: r.opt_date("valid_from")?,
        valid_to: r.opt_date("valid_to")?,
        active: r.flag("active")?,
        version: r.i64("version")?,
        created_at: r.ts("created_at")?,
        updated_at: r.ts("updated_at")?,
    })
}

fn revision_from_row(r: &AnyRow) -> StoreResult<AgencyRevision> {
    let code = r.text("code")?;
    let level = r.text("level")?;
    Ok(AgencyRevision {
        agency_id: AgencyId(r.i64("agency_id")?),
        version: r.i64("version")?,
        code: AgencyCode::parse(&code).map_err(|_| corrupt("agency code", &code))?,
        name: r.text("name")?,
        short_name: r.opt_text("short_name")?,
        level: AgencyLevel::parse("level", &level).map_err(|_| corrupt("agency level", &level))?,
        parent_id: r.opt_i64("parent_id")?.map(AgencyId),
        valid_from: r.opt_date("valid_from")?,
        valid_to: r.opt_date("valid_to")?,
        active: r.flag("active")?,
        effective_date: r.date("effective_date")?,
        reason: r.opt_text("reason")?,
        changed_by: r.opt_text("changed_by")?,
        recorded_at: r.ts("recorded_at")?,
    })
}

#[async_trait]
impl AgencyReads for Db {
    async fn agency(&self, id: AgencyId) -> StoreResult<Option<Agency>> {
        let sql = format!("SELECT {COLS} FROM agencies WHERE id = $1");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id.0)
            .fetch_optional(self.read_pool())
            .await
            .map_err(db_err)?
            .map(|r| agency_from_row(&r))
            .transpose()
    }

    async fn agency_by_code(&self, code: &AgencyCode) -> StoreResult<Option<Agency>> {
        let sql = format!("SELECT {COLS} FROM agencies WHERE code = $1");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(code.as_str().to_owned())
            .fetch_optional(self.read_pool())
            .await
            .map_err(db_err)?
            .map(|r| agency_from_row(&r))
            .transpose()
    }

    async fn agencies_within(&self, scopes: &[AgencyPath], include_inactive: bool) -> StoreResult<Vec<Agency>> {
        let mut b = SqlBuilder::new(&format!("SELECT {COLS} FROM agencies WHERE "));
        b.push_subtrees("path", scopes);
        if !include_inactive {
            b.push(" AND active = ").bind(true);
        }
        b.push(" ORDER BY path");
        b.build().fetch_all(self.read_pool()).await.map_err(db_err)?.iter().map(agency_from_row).collect()
    }

    async fn agency_revisions(&self, id: AgencyId) -> StoreResult<Vec<AgencyRevision>> {
        sqlx::query("SELECT * FROM agency_revisions WHERE agency_id = $1 ORDER BY version")
            .bind(id.0)
            .fetch_all(self.read_pool())
            .await
            .map_err(db_err)?
            .iter()
            .map(revision_from_row)
            .collect()
    }

    async fn count_agencies(&self) -> StoreResult<i64> {
        sqlx::query_scalar("SELECT COUNT(*) FROM agencies").fetch_one(self.read_pool()).await.map_err(db_err)
    }

    async fn root_agencies(&self) -> StoreResult<Vec<Agency>> {
        let sql = format!("SELECT {COLS} FROM agencies WHERE parent_id IS NULL ORDER BY id");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(self.read_pool())
            .await
            .map_err(db_err)?
            .iter()
            .map(agency_from_row)
            .collect()
    }
}

#[async_trait]
impl AgencyWrites for DbTx {
    async fn insert_agency(&mut self, new: &NewAgency, now: Timestamp) -> StoreResult<Agency> {
        let err = db_err;
        // The path contains the new id, which exists only after the insert: insert with a
        // placeholder that is unique because codes are, then set the real path.
        let placeholder = format!("#{}", new.code);
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO agencies (parent_id, path, depth, code, name, short_name, level, valid_from, valid_to, active, version, created_at, updated_at) \
             VALUES ($1, $2, 0, $3, $4, $5, $6, $7, $8, $9, 1, $10, $10) RETURNING id",
        )
        .bind(new.parent.as_ref().map(|(id, _)| id.0))
        .bind(placeholder)
        .bind(new.code.as_str().to_owned())
        .bind(new.name.clone())
        .bind(new.short_name.clone())
        .bind(new.level.as_str())
        .bind(date_text(new.valid_from))
        .bind(date_text(new.valid_to))
        .bind(new.active)
        .bind(us(now))
        .fetch_one(self.conn().await?)
        .await
        .map_err(&err)?;
        let path = match &new.parent {
            Some((_, parent_path)) => parent_path.child(AgencyId(id)),
            None => AgencyPath::root(AgencyId(id)),
        };
        sqlx::query("UPDATE agencies SET path = $1, depth = $2 WHERE id = $3")
            .bind(path.as_str().to_owned())
            .bind(path.depth() as i64)
            .bind(id)
            .execute(self.conn().await?)
            .await
            .map_err(&err)?;
        Ok(Agency {
            id: AgencyId(id),
            parent_id: new.parent.as_ref().map(|(id, _)| *id),
            path,
            code: new.code.clone(),
            name: new.name.clone(),
            short_name: new.short_name.clone(),
            level: new.level,
            valid_from: new.valid_from,
            valid_to: new.valid_to,
            active: new.active,
            version: 1,
            created_at: now,
            updated_at: now,
        })
    }

    async fn update_agency(&mut self, a: &Agency, expected_version: i64) -> StoreResult<bool> {
        let r = sqlx::query(
            "UPDATE agencies SET parent_id = $1, path = $2, depth = $3, code = $4, name = $5, short_name = $6, level = $7, \
             valid_from = $8, valid_to = $9, active = $10, version = $11, updated_at = $12 WHERE id = $13 AND version = $14",
        )
        .bind(a.parent_id.map(|p| p.0))
        .bind(a.path.as_str().to_owned())
        .bind(a.path.depth() as i64)
        .bind(a.code.as_str().to_owned())
        .bind(a.name.clone())
        .bind(a.short_name.clone())
        .bind(a.level.as_str())
        .bind(date_text(a.valid_from))
        .bind(date_text(a.valid_to))
        .bind(a.active)
        .bind(a.version)
        .bind(us(a.updated_at))
        .bind(a.id.0)
        .bind(expected_version)
        .execute(self.conn().await?)
        .await
        .map_err(db_err)?;
        Ok(r.rows_affected() == 1)
    }

    async fn move_agency_subtree(&mut self, from: &AgencyPath, to: &AgencyPath, now: Timestamp) -> StoreResult<()> {
        let delta = to.depth() as i64 - from.depth() as i64;
        let mut b = SqlBuilder::new("UPDATE agencies SET path = ");
        // CAST: PostgreSQL has no substr(text, bigint) and parameters arrive as BIGINT.
        b.bind(to.as_str())
            .push(" || substr(path, CAST(")
            .bind(from.as_str().len() as i64 + 1)
            .push(" AS INTEGER)), depth = depth + ")
            .bind(delta);
        b.push(", updated_at = ").bind(us(now)).push(" WHERE ");
        b.push_subtrees("path", std::slice::from_ref(from));
        b.build().execute(self.conn().await?).await.map_err(db_err)?;
        Ok(())
    }

    async fn insert_agency_revision(&mut self, r: &AgencyRevision) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO agency_revisions (agency_id, version, code, name, short_name, level, parent_id, valid_from, valid_to, active, effective_date, reason, changed_by, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        )
        .bind(r.agency_id.0)
        .bind(r.version)
        .bind(r.code.as_str().to_owned())
        .bind(r.name.clone())
        .bind(r.short_name.clone())
        .bind(r.level.as_str())
        .bind(r.parent_id.map(|p| p.0))
        .bind(date_text(r.valid_from))
        .bind(date_text(r.valid_to))
        .bind(r.active)
        .bind(r.effective_date.to_string())
        .bind(r.reason.clone())
        .bind(r.changed_by.clone())
        .bind(us(r.recorded_at))
        .execute(self.conn().await?)
        .await
        .map_err(db_err)?;
        Ok(())
    }
}
