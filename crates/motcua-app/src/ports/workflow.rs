use async_trait::async_trait;
use jiff::Timestamp;
use motcua_domain::agency::AgencyId;
use motcua_domain::dossier::Workflow;

use super::StoreResult;

/// A stored workflow definition.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkflowRecord {
    pub id: i64,
    pub procedure_code: String,
    /// `None`: every case of the procedure.
    pub case_name: Option<String>,
    /// `None`: every agency that handles the procedure.
    pub agency_id: Option<AgencyId>,
    pub workflow: Workflow,
    pub version: i64,
    pub updated_by: String,
    pub updated_at: Timestamp,
}

#[async_trait]
pub trait WorkflowReads {
    /// Every definition, by procedure code, case and agency.
    async fn workflows(&self) -> StoreResult<Vec<WorkflowRecord>>;
    async fn workflow(&self, id: i64) -> StoreResult<Option<WorkflowRecord>>;
    /// The definitions of one procedure (the lookup at intake picks the most specific).
    async fn procedure_workflows(&self, procedure_code: &str) -> StoreResult<Vec<WorkflowRecord>>;
}

#[async_trait]
pub trait WorkflowWrites {
    /// Inserts a definition, or replaces the one with the same procedure, case and agency when
    /// its version is `expected_version` (`None`: it must not exist). Returns the stored id and
    /// version, or `None` when the expected version did not match.
    async fn save_workflow(
        &mut self,
        w: &WorkflowRecord,
        expected_version: Option<i64>,
    ) -> StoreResult<Option<(i64, i64)>>;
    /// Deletes a definition at the given version; `false` if it changed or is gone.
    async fn delete_workflow(&mut self, id: i64, expected_version: i64) -> StoreResult<bool>;
}
