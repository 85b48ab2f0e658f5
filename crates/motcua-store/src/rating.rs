//! Citizens' ratings: the link per dossier and the ratings, written once (triggers refuse any
//! change).

use async_trait::async_trait;
use jiff::Timestamp;
use motcua_app::ports::{
    RatedBy, RatingReads, RatingRecord, RatingWrites, Reach, SatisfactionCount, SatisfactionRow, StoreResult,
};
use motcua_domain::account::UserId;
use motcua_domain::agency::AgencyId;
use motcua_domain::rating::{Level, Rating, RatingChannel};
use sqlx::any::AnyRow;

use crate::Db;
use crate::convert::{RowExt, db_err, to_json, us};
use crate::dossier::push_reach;
use crate::sql::SqlBuilder;
use crate::tx::DbTx;

fn record(r: &AnyRow) -> StoreResult<RatingRecord> {
    let bad = |e: serde_json::Error| motcua_app::error::StoreError::backend(e);
    let points: Vec<u8> = serde_json::from_str(&r.text("points")?).map_err(bad)?;
    let levels: Vec<Level> = serde_json::from_str(&r.text("levels")?).map_err(bad)?;
    Ok(RatingRecord {
        dossier_id: r.i64("dossier_id")?,
        agency_id: AgencyId(r.i64("agency_id")?),
        procedure_code: r.text("procedure_code")?,
        officer_id: r.opt_i64("officer_id")?.map(UserId),
        rating: Rating { set_version: r.text("set_version")?, points, levels, comment: r.opt_text("comment")? },
        channel: RatingChannel::parse(&r.text("channel")?).unwrap_or(RatingChannel::Link),
        rated_at: r.ts("rated_at")?,
    })
}

#[async_trait]
impl RatingReads for Db {
    async fn rating_link_dossier(&self, token: &str) -> StoreResult<Option<i64>> {
        sqlx::query_scalar("SELECT dossier_id FROM rating_links WHERE token = $1")
            .bind(token.to_owned())
            .fetch_optional(self.read_pool())
            .await
            .map_err(db_err)
    }

    async fn rating_link(&self, dossier_id: i64) -> StoreResult<Option<String>> {
        sqlx::query_scalar("SELECT token FROM rating_links WHERE dossier_id = $1")
            .bind(dossier_id)
            .fetch_optional(self.read_pool())
            .await
            .map_err(db_err)
    }

    async fn dossier_rating(&self, dossier_id: i64) -> StoreResult<Option<RatingRecord>> {
        let row = sqlx::query("SELECT * FROM dossier_ratings WHERE dossier_id = $1")
            .bind(dossier_id)
            .fetch_optional(self.read_pool())
            .await
            .map_err(db_err)?;
        row.as_ref().map(record).transpose()
    }

    async fn satisfaction(&self, reach: &Reach, from: Timestamp, to: Timestamp) -> StoreResult<SatisfactionCount> {
        let mut b = SqlBuilder::new(
            "SELECT COUNT(*) AS rated, CAST(COALESCE(SUM(r.satisfied), 0) AS BIGINT) AS satisfied FROM dossier_ratings r \
             JOIN agencies a ON a.id = r.agency_id WHERE r.rated_at >= ",
        );
        b.bind(us(from)).push(" AND r.rated_at < ").bind(us(to)).push(" AND ");
        push_reach(&mut b, "a.path", reach);
        let row = b.build().fetch_one(self.read_pool()).await.map_err(db_err)?;
        Ok(SatisfactionCount { rated: row.i64("rated")?, satisfied: row.i64("satisfied")? })
    }

    async fn complained_dossiers_by_agency(
        &self,
        reach: &Reach,
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<Vec<(AgencyId, i64)>> {
        let mut b = SqlBuilder::new(
            "SELECT d.receiving_agency_id AS agency_id, COUNT(*) AS n FROM dossiers d \
             JOIN agencies a ON a.id = d.receiving_agency_id WHERE d.received_at >= ",
        );
        b.bind(us(from)).push(" AND d.received_at < ").bind(us(to)).push(" AND ");
        push_reach(&mut b, "a.path", reach);
        b.push(" AND (EXISTS (SELECT 1 FROM petitions p WHERE p.dossier_code = d.code AND p.received_at < ")
            .bind(us(to));
        b.push(") OR EXISTS (SELECT 1 FROM dossier_ratings r WHERE r.dossier_id = d.id AND r.satisfied = 0");
        b.push(" AND r.rated_at < ").bind(us(to)).push(")) GROUP BY d.receiving_agency_id");
        let rows = b.build().fetch_all(self.read_pool()).await.map_err(db_err)?;
        rows.iter().map(|r| Ok((AgencyId(r.i64("agency_id")?), r.i64("n")?))).collect()
    }

    async fn satisfaction_by(
        &self,
        reach: &Reach,
        from: Timestamp,
        to: Timestamp,
        by: RatedBy,
    ) -> StoreResult<Vec<SatisfactionRow>> {
        let (key, name, join, group) = match by {
            RatedBy::Procedure => (
                "r.procedure_code",
                "MAX(d.procedure_name)",
                " JOIN dossiers d ON d.id = r.dossier_id",
                "r.procedure_code",
            ),
            RatedBy::Officer => (
                "COALESCE(MAX(u.username), '')",
                "COALESCE(MAX(u.full_name), '')",
                " LEFT JOIN users u ON u.id = r.officer_id",
                "r.officer_id",
            ),
        };
        let mut b = SqlBuilder::new(&format!(
            "SELECT {key} AS k, {name} AS name, COUNT(*) AS rated, CAST(COALESCE(SUM(r.satisfied), 0) AS BIGINT) AS satisfied, \
             CAST(COALESCE(SUM(r.total), 0) AS BIGINT) AS points FROM dossier_ratings r JOIN agencies a ON a.id = r.agency_id{join} \
             WHERE r.rated_at >= "
        ));
        b.bind(us(from)).push(" AND r.rated_at < ").bind(us(to)).push(" AND ");
        push_reach(&mut b, "a.path", reach);
        b.push(&format!(" GROUP BY {group} ORDER BY COUNT(*) DESC, MIN(r.dossier_id)"));
        let rows = b.build().fetch_all(self.read_pool()).await.map_err(db_err)?;
        rows.iter()
            .map(|r| {
                Ok(SatisfactionRow {
                    key: r.text("k")?,
                    name: r.text("name")?,
                    rated: r.i64("rated")?,
                    satisfied: r.i64("satisfied")?,
                    points: r.i64("points")?,
                })
            })
            .collect()
    }
}

#[async_trait]
impl RatingWrites for DbTx {
    async fn ensure_rating_link(&mut self, dossier_id: i64, token: &str, now: Timestamp) -> StoreResult<String> {
        sqlx::query(
            "INSERT INTO rating_links (dossier_id, token, created_at) VALUES ($1, $2, $3) ON CONFLICT (dossier_id) DO NOTHING",
        )
        .bind(dossier_id)
        .bind(token.to_owned())
        .bind(us(now))
        .execute(self.conn().await?)
        .await
        .map_err(db_err)?;
        sqlx::query_scalar("SELECT token FROM rating_links WHERE dossier_id = $1")
            .bind(dossier_id)
            .fetch_one(self.conn().await?)
            .await
            .map_err(db_err)
    }

    async fn insert_rating(&mut self, r: &RatingRecord) -> StoreResult<bool> {
        let done = sqlx::query(
            "INSERT INTO dossier_ratings (dossier_id, agency_id, procedure_code, officer_id, set_version, points, levels, \
             total, satisfied, comment, channel, rated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
             ON CONFLICT (dossier_id) DO NOTHING",
        )
        .bind(r.dossier_id)
        .bind(r.agency_id.0)
        .bind(r.procedure_code.clone())
        .bind(r.officer_id.map(|u| u.0))
        .bind(r.rating.set_version.clone())
        .bind(to_json(&r.rating.points)?)
        .bind(to_json(&r.rating.levels)?)
        .bind(i64::from(r.rating.total()))
        .bind(i64::from(r.rating.satisfied()))
        .bind(r.rating.comment.clone())
        .bind(r.channel.as_str())
        .bind(us(r.rated_at))
        .execute(self.conn().await?)
        .await
        .map_err(db_err)?;
        Ok(done.rows_affected() == 1)
    }
}
