//! The procedure catalogue: what citizens look up and what every dossier is received under.
//!
//! The database is the source of truth. The search index of the procedures in force is part of
//! the reference snapshot (`crate::snapshot`), rebuilt when the catalogue revision (bumped in the
//! same transaction as every publish, import or agency-list change) or the civil date
//! (effective dates) changes.

mod admin;
mod demo_source;
pub mod import;
mod import_queue;
mod json;
pub mod package;
pub mod rows;
pub mod xlsx;

use std::sync::Arc;

use motcua_domain::account::Principal;
use motcua_domain::agency::{Agency, AgencyCode};
use motcua_domain::catalog::{
    Channel, FieldCode, Level, OnlineLevel, ProcedureCode, ProcedureContent, SearchFilter, Standing, standing,
};
use motcua_domain::policy::{Permission, Target, authorize};
use motcua_domain::time::vn_date;

pub(crate) use admin::safe_file_name;
pub use admin::{AgencyCatalogRow, Ending};
pub(crate) use import_queue::ImportProgress;
pub use import_queue::{CatalogImportJob, ImportView};
pub(crate) use json::demo_rows;

use crate::core::Core;
use crate::error::AppError;
use crate::ports::{AgencyProcedure, ProcedureRecord, VersionRecord};
pub(crate) use crate::snapshot::catalog::in_force;
use crate::snapshot::catalog::{CatalogIndex, ResultKey};
pub use crate::snapshot::catalog::{FieldSummary, ProcedureQuery, ProcedureSummary, SearchResult};

/// The procedure catalogue: search, versions, imports and exports, agency lists.
#[derive(Clone)]
pub struct Catalog {
    core: Arc<Core>,
    accounts: crate::accounts::Accounts,
    agencies: crate::agencies::Agencies,
    import_progress: Arc<ImportProgress>,
}

impl Catalog {
    /// The search index of the procedures in force today. Public searches repeat a lot, so
    /// they use the process's snapshot for up to half a second before reading the revisions
    /// again.
    async fn index(&self) -> Result<Arc<CatalogIndex>, AppError> {
        self.core.recent_snapshot().await?.catalog_index(vn_date(self.core.now())).await
    }

    pub(crate) fn new(
        core: Arc<Core>,
        accounts: crate::accounts::Accounts,
        agencies: crate::agencies::Agencies,
    ) -> Self {
        Self { core, accounts, agencies, import_progress: Arc::default() }
    }
}

/// A search, its values parsed by the edge that read it.
#[derive(Debug, Clone)]
pub struct ProcedureSearch {
    /// Words of the name, code, field or document names; with or without Vietnamese marks.
    pub q: String,
    pub field: Option<FieldCode>,
    /// Only procedures in this agency's list.
    pub agency: Option<AgencyCode>,
    pub level: Option<Level>,
    pub online: Option<OnlineLevel>,
    /// From 1.
    pub page: usize,
    pub per_page: usize,
}

impl Default for ProcedureSearch {
    fn default() -> Self {
        Self { q: String::new(), field: None, agency: None, level: None, online: None, page: 1, per_page: 20 }
    }
}

/// Everything a procedure page shows.
#[derive(Debug, Clone)]
pub struct ProcedureView {
    pub procedure: ProcedureRecord,
    pub standing: Standing,
    /// The version shown.
    pub version: VersionRecord,
    /// Versions the viewer may see, oldest first.
    pub versions: Vec<VersionRecord>,
    /// Agencies that receive or resolve it.
    pub agencies: Vec<(Agency, AgencyProcedure)>,
}

impl ProcedureView {
    pub fn is_current(&self) -> bool {
        self.standing.current() == Some(self.version.number)
    }

    pub fn content(&self) -> &ProcedureContent {
        &self.version.content
    }
}

impl Catalog {
    /// Builds the search index now (at start-up), so the first visitor does not wait.
    pub async fn warm_catalog(&self) -> Result<usize, AppError> {
        Ok(self.index().await?.index.len())
    }

    /// A search with its agency looked up (an unknown agency is refused).
    pub async fn procedure_query(&self, input: &ProcedureSearch) -> Result<ProcedureQuery, AppError> {
        let agency =
            match &input.agency {
                None => None,
                Some(code) => {
                    Some(self.core.store.agency_by_code(code).await?.ok_or_else(|| {
                        AppError::field("agency", "unknown", format!("Không có cơ quan mã \"{code}\"."))
                    })?)
                }
            };
        let filter = SearchFilter {
            field: input.field.clone(),
            level: input.level,
            online: input.online,
            agency: agency.as_ref().map(|a| a.id.0),
        };
        Ok(ProcedureQuery { q: input.q.clone(), filter, agency, page: input.page, per_page: input.per_page })
    }

    /// Searches the procedures in force (public).
    pub async fn search_procedures(&self, query: &ProcedureQuery) -> Result<Arc<SearchResult>, AppError> {
        let snapshot = self.index().await?;
        let key = ResultKey {
            q: query.q.trim().to_owned(),
            filter: query.filter.clone(),
            page: query.page,
            per_page: query.per_page,
        };
        if let Some(hit) = snapshot.results.get(&key) {
            return Ok(hit);
        }
        let result = Arc::new(snapshot.search(query));
        snapshot.results.insert(key, result.clone());
        Ok(result)
    }

    /// Searches without the result cache (to measure the index itself).
    pub async fn search_procedures_uncached(&self, query: &ProcedureQuery) -> Result<SearchResult, AppError> {
        Ok(self.index().await?.search(query))
    }

    /// Fields with procedures in force (public).
    pub async fn catalog_fields(&self) -> Result<Vec<FieldSummary>, AppError> {
        Ok(self.index().await?.fields.clone())
    }

    /// Whether the principal may edit the catalogue.
    pub fn may_manage_catalog(&self, principal: Option<&Principal>) -> bool {
        principal.is_some_and(|p| authorize(p, Permission::ManageCatalog, Target::System).is_ok())
    }

    /// A procedure as citizens (or, with drafts, catalogue managers) see it. `version`: a
    /// specific version; default the current one.
    pub async fn procedure_view(
        &self,
        code: &str,
        version: Option<u32>,
        principal: Option<&Principal>,
    ) -> Result<ProcedureView, AppError> {
        let code = ProcedureCode::parse(code).map_err(|_| AppError::NotFound("thủ tục"))?;
        let procedure = self.core.store.procedure_by_code(&code).await?.ok_or(AppError::NotFound("thủ tục"))?;
        let all = self.core.store.procedure_versions(procedure.id).await?;
        let manager = self.may_manage_catalog(principal);
        let facts: Vec<_> = all.iter().map(VersionRecord::facts).collect();
        let standing = standing(&facts, vn_date(self.core.now()));
        let versions: Vec<VersionRecord> = all.into_iter().filter(|v| manager || !v.is_draft()).collect();
        let wanted = match version {
            Some(n) => Some(n),
            None => standing.current().or_else(|| if manager { versions.last().map(|v| v.number) } else { None }),
        };
        let shown = wanted
            .and_then(|n| versions.iter().find(|v| v.number == n))
            .cloned()
            .ok_or(AppError::NotFound("phiên bản thủ tục"))?;
        let mut agencies = Vec::new();
        for r in self.core.store.procedure_agencies(procedure.id).await? {
            if let Some(a) = self.core.store.agency(r.agency_id).await?
                && a.active
            {
                agencies.push((a, r));
            }
        }
        agencies.sort_by(|a, b| a.0.path.cmp(&b.0.path));
        Ok(ProcedureView { procedure, standing, version: shown, versions, agencies })
    }

    /// The bytes of a form template attached to a version citizens may see.
    pub async fn form_file(
        &self,
        code: &str,
        version: Option<u32>,
        file_id: i64,
        principal: Option<&Principal>,
    ) -> Result<(crate::ports::StoredFile, Vec<u8>), AppError> {
        let view = self.procedure_view(code, version, principal).await?;
        let referenced = view
            .content()
            .cases
            .iter()
            .flat_map(|c| &c.documents)
            .any(|d| d.form.as_ref().and_then(|f| f.file.as_ref()).is_some_and(|f| f.id == file_id));
        if !referenced {
            return Err(AppError::NotFound("biểu mẫu"));
        }
        let meta = self.core.store.stored_file(file_id).await?.ok_or(AppError::NotFound("biểu mẫu"))?;
        let bytes = self.core.files.get(&meta.sha256).await?.ok_or(AppError::NotFound("biểu mẫu"))?;
        Ok((meta, bytes))
    }
}

/// Channels an agency list row receives by.
pub fn row_channels(r: &AgencyProcedure) -> Vec<Channel> {
    let mut out = Vec::new();
    if r.desk {
        out.push(Channel::Desk);
    }
    if r.online {
        out.push(Channel::Online);
    }
    if r.postal {
        out.push(Channel::Postal);
    }
    out
}
