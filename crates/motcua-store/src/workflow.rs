//! Workflow definitions: one row per procedure, case and agency, replaced under a version check.

use async_trait::async_trait;
use motcua_app::ports::{StoreResult, WorkflowReads, WorkflowRecord, WorkflowWrites};
use motcua_domain::agency::AgencyId;
use sqlx::any::AnyRow;

use crate::Db;
use crate::convert::{RowExt, db_err, json, to_json, us};
use crate::tx::DbTx;

fn record_from(r: &AnyRow) -> StoreResult<WorkflowRecord> {
    let case_name = r.text("case_name")?;
    let agency_id = r.i64("agency_id")?;
    Ok(WorkflowRecord {
        id: r.i64("id")?,
        procedure_code: r.text("procedure_code")?,
        case_name: (!case_name.is_empty()).then_some(case_name),
        agency_id: (agency_id != 0).then_some(AgencyId(agency_id)),
        workflow: json("workflows.definition", &r.text("definition")?)?,
        version: r.i64("version")?,
        updated_by: r.text("updated_by")?,
        updated_at: r.ts("updated_at")?,
    })
}

#[async_trait]
impl WorkflowReads for Db {
    async fn workflows(&self) -> StoreResult<Vec<WorkflowRecord>> {
        sqlx::query("SELECT * FROM workflows ORDER BY procedure_code, case_name, agency_id")
            .fetch_all(self.read_pool())
            .await
            .map_err(db_err)?
            .iter()
            .map(record_from)
            .collect()
    }

    async fn workflow(&self, id: i64) -> StoreResult<Option<WorkflowRecord>> {
        sqlx::query("SELECT * FROM workflows WHERE id = $1")
            .bind(id)
            .fetch_optional(self.read_pool())
            .await
            .map_err(db_err)?
            .map(|r| record_from(&r))
            .transpose()
    }

    async fn procedure_workflows(&self, procedure_code: &str) -> StoreResult<Vec<WorkflowRecord>> {
        sqlx::query("SELECT * FROM workflows WHERE procedure_code = $1 ORDER BY case_name, agency_id")
            .bind(procedure_code.to_owned())
            .fetch_all(self.read_pool())
            .await
            .map_err(db_err)?
            .iter()
            .map(record_from)
            .collect()
    }
}

#[async_trait]
impl WorkflowWrites for DbTx {
    async fn save_workflow(
        &mut self,
        w: &WorkflowRecord,
        expected_version: Option<i64>,
    ) -> StoreResult<Option<(i64, i64)>> {
        let case_name = w.case_name.clone().unwrap_or_default();
        let agency_id = w.agency_id.map_or(0, |a| a.0);
        let definition = to_json(&w.workflow)?;
        match expected_version {
            None => {
                let exists: Option<i64> = sqlx::query_scalar(
                    "SELECT id FROM workflows WHERE procedure_code = $1 AND case_name = $2 AND agency_id = $3",
                )
                .bind(w.procedure_code.clone())
                .bind(case_name.clone())
                .bind(agency_id)
                .fetch_optional(self.conn().await?)
                .await
                .map_err(db_err)?;
                if exists.is_some() {
                    return Ok(None);
                }
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO workflows (procedure_code, case_name, agency_id, definition, version, updated_by, \
                     updated_at) VALUES ($1, $2, $3, $4, 1, $5, $6) RETURNING id",
                )
                .bind(w.procedure_code.clone())
                .bind(case_name)
                .bind(agency_id)
                .bind(definition)
                .bind(w.updated_by.clone())
                .bind(us(w.updated_at))
                .fetch_one(self.conn().await?)
                .await
                .map_err(db_err)?;
                Ok(Some((id, 1)))
            }
            Some(v) => {
                let id: Option<i64> = sqlx::query_scalar(
                    "UPDATE workflows SET definition = $1, version = version + 1, updated_by = $2, updated_at = $3 \
                     WHERE procedure_code = $4 AND case_name = $5 AND agency_id = $6 AND version = $7 RETURNING id",
                )
                .bind(definition)
                .bind(w.updated_by.clone())
                .bind(us(w.updated_at))
                .bind(w.procedure_code.clone())
                .bind(case_name)
                .bind(agency_id)
                .bind(v)
                .fetch_optional(self.conn().await?)
                .await
                .map_err(db_err)?;
                Ok(id.map(|id| (id, v + 1)))
            }
        }
    }

    async fn delete_workflow(&mut self, id: i64, expected_version: i64) -> StoreResult<bool> {
        let n = sqlx::query("DELETE FROM workflows WHERE id = $1 AND version = $2")
            .bind(id)
            .bind(expected_version)
            .execute(self.conn().await?)
            .await
            .map_err(db_err)?
            .rows_affected();
        Ok(n == 1)
    }
}
