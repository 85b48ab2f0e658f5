//! The procedure catalogue: what citizens look up and what every dossier is received under.
//!
//! The database is the source of truth. Each process keeps a search index of the procedures in
//! force, rebuilt when the catalogue revision (bumped in the same transaction as every publish,
//! import or agency-list change) or the civil date (effective dates) changes.

mod admin;
mod demo_source;
pub mod import;
mod import_queue;
pub mod package;
pub mod xlsx;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, RwLock};

use jiff::civil::Date;
use motcua_domain::account::Principal;
use motcua_domain::agency::{Agency, AgencyCode};
use motcua_domain::catalog::{
    Channel, FieldCode, Level, OnlineLevel, ProcedureCode, ProcedureContent, SearchDoc, SearchFilter, SearchIndex,
    Standing, standing,
};
use motcua_domain::policy::{Permission, Target, authorize};
use motcua_domain::time::vn_date;
use motcua_domain::validation::{FieldError, ValidationErrors};
use serde::{Deserialize, Serialize};

pub(crate) use admin::safe_file_name;
pub use admin::{AgencyCatalogRow, EndInput, PublishInput};
pub(crate) use demo_source::demo_rows;
pub(crate) use import_queue::ImportProgress;
pub use import_queue::{CatalogImportJob, ImportView};

use crate::error::AppError;
use crate::ports::{AgencyProcedure, ProcedureRecord, VersionRecord};
use crate::services::Services;

/// A procedure in result lists.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProcedureSummary {
    pub code: String,
    pub name: String,
    pub field: FieldSummary,
    /// `province`, `commune`, `ministry`, `other`.
    pub levels: Vec<String>,
    /// The time limit in words (first case).
    pub processing_time: String,
    /// The fees in words ("Miễn phí", "50.000 đồng", …).
    pub fees: String,
    /// `full`, `partial`, `none`; absent when not published.
    pub online_level: Option<String>,
    /// The version in force.
    pub version: u32,
}

/// A field (lĩnh vực) and how many procedures in force it has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FieldSummary {
    pub code: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub procedures: Option<usize>,
}

struct Snapshot {
    revision: i64,
    day: Date,
    index: SearchIndex<ProcedureSummary>,
    fields: Vec<FieldSummary>,
    /// Result pages already computed on this snapshot. Searches repeat a lot (the popular
    /// procedures), and a snapshot never changes, so a hit is exact; a new snapshot starts
    /// empty. The cache's eviction (S3-FIFO) keeps one-off queries from pushing out the
    /// popular ones.
    results: quick_cache::sync::Cache<ResultKey, Arc<SearchResult>>,
}

impl Snapshot {
    fn search(&self, query: &ProcedureQuery) -> SearchResult {
        let offset = (query.page - 1) * query.per_page;
        let page = self.index.search(&query.q, &query.filter, offset, query.per_page);
        SearchResult {
            total: page.total,
            page: query.page,
            per_page: query.per_page,
            items: page.hits.into_iter().cloned().collect(),
        }
    }
}

/// A search as the result cache knows it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct ResultKey {
    q: String,
    filter: SearchFilter,
    page: usize,
    per_page: usize,
}

/// Result pages kept per snapshot.
const CACHED_RESULTS: usize = 4096;

/// The search index of one process.
#[derive(Default)]
pub struct CatalogCache {
    snapshot: RwLock<Option<Arc<Snapshot>>>,
    /// When the snapshot's revision was last compared with the database.
    checked: std::sync::Mutex<Option<std::time::Instant>>,
}

/// How long a process trusts its index before asking the database whether another process
/// changed the catalogue. Changes made through this process are seen at once.
const RECHECK: std::time::Duration = std::time::Duration::from_millis(500);

impl CatalogCache {
    /// Forgets the index after a change made here.
    pub(crate) fn invalidate(&self) {
        *self.snapshot.write().expect("catalog cache lock") = None;
        *self.checked.lock().expect("catalog cache lock") = None;
    }

    fn fresh(&self) -> bool {
        self.checked.lock().expect("catalog cache lock").is_some_and(|t| t.elapsed() < RECHECK)
    }

    fn mark_checked(&self) {
        *self.checked.lock().expect("catalog cache lock") = Some(std::time::Instant::now());
    }
}

/// A search as the API and pages send it (every value a string, validated here).
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProcedureQueryInput {
    /// Words of the name, code, field or document names; with or without Vietnamese marks.
    #[serde(default)]
    pub q: Option<String>,
    /// Field code (see `/api/v1/fields`).
    #[serde(default)]
    pub field: Option<String>,
    /// Electronic identifier of an agency: only procedures in its list.
    #[serde(default)]
    pub agency: Option<String>,
    /// `province` or `commune` (also `ministry`, `other`).
    #[serde(default)]
    pub level: Option<String>,
    /// `full`, `partial` or `none`.
    #[serde(default)]
    pub online: Option<String>,
    /// From 1.
    #[serde(default)]
    pub page: Option<String>,
    /// Results per page, 1–100 (default 20).
    #[serde(default)]
    pub per_page: Option<String>,
}

/// A validated search.
#[derive(Debug, Clone, Default)]
pub struct ProcedureQuery {
    pub q: String,
    pub filter: SearchFilter,
    pub agency: Option<Agency>,
    pub page: usize,
    pub per_page: usize,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SearchResult {
    pub total: usize,
    pub page: usize,
    pub per_page: usize,
    pub items: Vec<ProcedureSummary>,
}

impl SearchResult {
    pub fn pages(&self) -> usize {
        self.total.div_ceil(self.per_page.max(1)).max(1)
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

fn summary(code: &ProcedureCode, v: &VersionRecord) -> ProcedureSummary {
    let c = &v.content;
    ProcedureSummary {
        code: code.to_string(),
        name: c.name.clone(),
        field: FieldSummary { code: c.field.code.to_string(), name: c.field.name.clone(), procedures: None },
        levels: c.levels.iter().map(|l| l.as_str().to_owned()).collect(),
        processing_time: c.time_summary(),
        fees: c.fee_summary(),
        online_level: c.online_level.map(|o| o.as_str().to_owned()),
        version: v.number,
    }
}

fn parse_choice<T>(
    field: &str,
    raw: &Option<String>,
    parse: fn(&str) -> Option<T>,
    all: &[&str],
) -> Result<Option<T>, FieldError> {
    match raw.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) => parse(s).map(Some).ok_or_else(|| {
            FieldError::new(
                field,
                "invalid_value",
                format!("Giá trị không hợp lệ: \"{s}\"; dùng một trong: {}.", all.join(", ")),
            )
        }),
    }
}

fn parse_count(field: &str, raw: &Option<String>, default: usize, max: usize) -> Result<usize, FieldError> {
    match raw.as_deref().map(str::trim) {
        None | Some("") => Ok(default),
        Some(s) => s
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=max).contains(n))
            .ok_or_else(|| FieldError::new(field, "invalid_number", format!("Phải là số nguyên từ 1 đến {max}."))),
    }
}

impl Services {
    async fn snapshot(&self) -> Result<Arc<Snapshot>, AppError> {
        let day = vn_date(self.now());
        let cached = self.catalog.snapshot.read().expect("catalog cache lock").clone();
        if let Some(s) = &cached
            && s.day == day
            && self.catalog.fresh()
        {
            return Ok(s.clone());
        }
        let revision = self.store.catalog_revision().await?;
        if let Some(s) = cached
            && s.revision == revision
            && s.day == day
        {
            self.catalog.mark_checked();
            return Ok(s);
        }
        let started = std::time::Instant::now();
        let current = in_force(self.store.published_versions().await?, day);
        let mut agencies: HashMap<i64, Vec<i64>> = HashMap::new();
        for r in self.store.all_agency_procedures().await? {
            agencies.entry(r.procedure_id).or_default().push(r.agency_id.0);
        }
        let mut docs = Vec::new();
        let mut fields: BTreeMap<String, FieldSummary> = BTreeMap::new();
        for (p, v) in current {
            let c = &v.content;
            let f = fields.entry(c.field.code.to_string()).or_insert_with(|| FieldSummary {
                code: c.field.code.to_string(),
                name: c.field.name.clone(),
                procedures: Some(0),
            });
            f.procedures = Some(f.procedures.unwrap_or(0) + 1);
            let mut documents: Vec<String> = c.document_names().into_iter().map(str::to_owned).collect();
            documents.extend(c.results.iter().map(|r| r.name.clone()));
            docs.push(SearchDoc {
                code: p.code.to_string(),
                name: c.name.clone(),
                field_name: c.field.name.clone(),
                documents,
                field_code: c.field.code.clone(),
                levels: c.levels.clone(),
                online_level: c.online_level,
                agencies: agencies.remove(&p.id).unwrap_or_default(),
                payload: summary(&p.code, &v),
            });
        }
        let mut fields: Vec<FieldSummary> = fields.into_values().collect();
        fields.sort_by(|a, b| {
            motcua_domain::catalog::fold::fold(&a.name).cmp(&motcua_domain::catalog::fold::fold(&b.name))
        });
        let index = SearchIndex::build(docs);
        tracing::debug!(procedures = index.len(), elapsed_ms = started.elapsed().as_millis(), "catalogue index built");
        let snapshot =
            Arc::new(Snapshot { revision, day, index, fields, results: quick_cache::sync::Cache::new(CACHED_RESULTS) });
        *self.catalog.snapshot.write().expect("catalog cache lock") = Some(snapshot.clone());
        self.catalog.mark_checked();
        Ok(snapshot)
    }

    /// Builds the search index now (at start-up), so the first visitor does not wait.
    pub async fn warm_catalog(&self) -> Result<usize, AppError> {
        Ok(self.snapshot().await?.index.len())
    }

    /// Validates a search.
    pub async fn procedure_query(&self, input: &ProcedureQueryInput) -> Result<ProcedureQuery, AppError> {
        let mut e = ValidationErrors::new();
        let q = input.q.clone().unwrap_or_default();
        if q.chars().count() > 200 {
            e.push(FieldError::new("q", "too_long", "Tối đa 200 ký tự."));
        }
        let field = match input.field.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(f) => e.check(FieldCode::parse(f).map_err(|mut x| {
                x.field = "field".into();
                x
            })),
        };
        let levels: Vec<&str> = Level::ALL.iter().map(|l| l.as_str()).collect();
        let level = e.check(parse_choice("level", &input.level, Level::parse, &levels)).flatten();
        let onlines: Vec<&str> = OnlineLevel::ALL.iter().map(|l| l.as_str()).collect();
        let online = e.check(parse_choice("online", &input.online, OnlineLevel::parse, &onlines)).flatten();
        let page = e.check(parse_count("page", &input.page, 1, 10_000)).unwrap_or(1);
        let per_page = e.check(parse_count("per_page", &input.per_page, 20, 100)).unwrap_or(20);
        let agency = match input.agency.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(a) => match AgencyCode::parse(a) {
                Ok(code) => match self.store.agency_by_code(&code).await? {
                    Some(agency) => Some(agency),
                    None => {
                        e.push(FieldError::new("agency", "unknown", format!("Không có cơ quan mã \"{a}\".")));
                        None
                    }
                },
                Err(_) => {
                    e.push(FieldError::new("agency", "invalid_format", format!("Mã cơ quan không hợp lệ: \"{a}\".")));
                    None
                }
            },
        };
        e.into_result()?;
        let filter = SearchFilter { field, level, online, agency: agency.as_ref().map(|a| a.id.0) };
        Ok(ProcedureQuery { q, filter, agency, page, per_page })
    }

    /// Searches the procedures in force (public).
    pub async fn search_procedures(&self, query: &ProcedureQuery) -> Result<Arc<SearchResult>, AppError> {
        let snapshot = self.snapshot().await?;
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
        Ok(self.snapshot().await?.search(query))
    }

    /// Fields with procedures in force (public).
    pub async fn catalog_fields(&self) -> Result<Vec<FieldSummary>, AppError> {
        Ok(self.snapshot().await?.fields.clone())
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
        let procedure = self.store.procedure_by_code(&code).await?.ok_or(AppError::NotFound("thủ tục"))?;
        let all = self.store.procedure_versions(procedure.id).await?;
        let manager = self.may_manage_catalog(principal);
        let facts: Vec<_> = all.iter().map(VersionRecord::facts).collect();
        let standing = standing(&facts, vn_date(self.now()));
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
        for r in self.store.procedure_agencies(procedure.id).await? {
            if let Some(a) = self.store.agency(r.agency_id).await?
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
        let meta = self.store.stored_file(file_id).await?.ok_or(AppError::NotFound("biểu mẫu"))?;
        let bytes = self.files.get(&meta.sha256).await?.ok_or(AppError::NotFound("biểu mẫu"))?;
        Ok((meta, bytes))
    }
}

/// The version in force on `day` of each procedure, from published versions ordered by
/// procedure (as the store returns them).
pub(crate) fn in_force(
    rows: Vec<(ProcedureRecord, VersionRecord)>,
    day: Date,
) -> Vec<(ProcedureRecord, VersionRecord)> {
    let mut out = Vec::new();
    for group in rows.chunk_by(|a, b| a.0.id == b.0.id) {
        let facts: Vec<_> = group.iter().map(|(_, v)| v.facts()).collect();
        if let Standing::InForce { current, .. } = standing(&facts, day)
            && let Some(found) = group.iter().find(|(_, v)| v.number == current)
        {
            out.push(found.clone());
        }
    }
    out
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
