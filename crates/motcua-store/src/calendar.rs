use async_trait::async_trait;
use motcua_app::StoreError;
use motcua_app::ports::{AgencySchedule, CalendarReads, CalendarRevision, CalendarWrites, StoreResult};
use motcua_domain::agency::AgencyId;
use sqlx::any::AnyRow;

use crate::Db;
use crate::convert::{RowExt, db_err, json, to_json, us};
use crate::sql::SqlBuilder;
use crate::tx::DbTx;

fn revision_from_row(r: &AnyRow) -> StoreResult<CalendarRevision> {
    Ok(CalendarRevision {
        revision: r.i64("revision")?,
        year: i16::try_from(r.i64("year")?).map_err(StoreError::backend)?,
        entries: r.opt_text("entries")?.map(|t| json("entries", &t)).transpose()?,
        reason: r.text("reason")?,
        changed_dates: json("changed_dates", &r.text("changed_dates")?)?,
        changed_by: r.opt_text("changed_by")?,
        recorded_at: r.ts("recorded_at")?,
    })
}

fn schedule_from_row(r: &AnyRow) -> StoreResult<AgencySchedule> {
    let counting = r.text("counting")?;
    Ok(AgencySchedule {
        agency_id: AgencyId(r.i64("agency_id")?),
        schedule: json("schedule", &r.text("schedule")?)?,
        counting: counting.parse().map_err(StoreError::Backend)?,
        version: r.i64("version")?,
        updated_at: r.ts("updated_at")?,
    })
}

#[async_trait]
impl CalendarReads for Db {
    async fn calendar_revision(&self) -> StoreResult<i64> {
        sqlx::query_scalar("SELECT COALESCE(MAX(revision), 0) FROM calendar_revisions")
            .fetch_one(self.read_pool())
            .await
            .map_err(db_err)
    }

    async fn current_calendar_revisions(&self) -> StoreResult<Vec<CalendarRevision>> {
        sqlx::query(
            "SELECT * FROM calendar_revisions c WHERE revision = \
             (SELECT MAX(revision) FROM calendar_revisions l WHERE l.year = c.year) ORDER BY year",
        )
        .fetch_all(self.read_pool())
        .await
        .map_err(db_err)?
        .iter()
        .map(revision_from_row)
        .collect()
    }

    async fn calendar_history(&self, year: i16) -> StoreResult<Vec<CalendarRevision>> {
        sqlx::query("SELECT * FROM calendar_revisions WHERE year = $1 ORDER BY revision")
            .bind(i64::from(year))
            .fetch_all(self.read_pool())
            .await
            .map_err(db_err)?
            .iter()
            .map(revision_from_row)
            .collect()
    }

    async fn agency_schedules(&self, agencies: &[AgencyId]) -> StoreResult<Vec<AgencySchedule>> {
        if agencies.is_empty() {
            return Ok(Vec::new());
        }
        let mut b = SqlBuilder::new("SELECT * FROM agency_schedules WHERE agency_id IN (");
        for (i, id) in agencies.iter().enumerate() {
            if i > 0 {
                b.push(", ");
            }
            b.bind(id.0);
        }
        b.push(")");
        b.build().fetch_all(self.read_pool()).await.map_err(db_err)?.iter().map(schedule_from_row).collect()
    }
}

#[async_trait]
impl CalendarWrites for DbTx {
    async fn insert_calendar_revision(&mut self, r: &CalendarRevision) -> StoreResult<i64> {
        let entries = r.entries.as_ref().map(to_json).transpose()?;
        sqlx::query_scalar(
            "INSERT INTO calendar_revisions (year, entries, reason, changed_dates, changed_by, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING revision",
        )
        .bind(i64::from(r.year))
        .bind(entries)
        .bind(r.reason.clone())
        .bind(to_json(&r.changed_dates)?)
        .bind(r.changed_by.clone())
        .bind(us(r.recorded_at))
        .fetch_one(self.conn().await?)
        .await
        .map_err(db_err)
    }

    async fn put_agency_schedule(&mut self, s: &AgencySchedule, expected_version: i64) -> StoreResult<bool> {
        let schedule = to_json(&s.schedule)?;
        let done = if expected_version == 0 {
            sqlx::query(
                "INSERT INTO agency_schedules (agency_id, schedule, counting, version, updated_at) \
                 VALUES ($1, $2, $3, 1, $4) ON CONFLICT (agency_id) DO NOTHING",
            )
            .bind(s.agency_id.0)
            .bind(schedule)
            .bind(s.counting.as_str())
            .bind(us(s.updated_at))
            .execute(self.conn().await?)
            .await
        } else {
            sqlx::query(
                "UPDATE agency_schedules SET schedule = $1, counting = $2, version = version + 1, updated_at = $3 \
                 WHERE agency_id = $4 AND version = $5",
            )
            .bind(schedule)
            .bind(s.counting.as_str())
            .bind(us(s.updated_at))
            .bind(s.agency_id.0)
            .bind(expected_version)
            .execute(self.conn().await?)
            .await
        };
        Ok(done.map_err(db_err)?.rows_affected() == 1)
    }

    async fn delete_agency_schedule(&mut self, agency: AgencyId, expected_version: i64) -> StoreResult<bool> {
        let done = sqlx::query("DELETE FROM agency_schedules WHERE agency_id = $1 AND version = $2")
            .bind(agency.0)
            .bind(expected_version)
            .execute(self.conn().await?)
            .await
            .map_err(db_err)?;
        Ok(done.rows_affected() == 1)
    }
}
