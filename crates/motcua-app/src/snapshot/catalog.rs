//! The catalogue's search section of a snapshot: the procedures in force on one civil day at
//! one catalogue revision, indexed for search, with the result pages already served.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use jiff::civil::Date;
use motcua_domain::agency::Agency;
use motcua_domain::catalog::{ProcedureCode, SearchDoc, SearchFilter, SearchIndex, Standing, standing};
use serde::Serialize;

use crate::error::AppError;
use crate::ports::{ProcedureRecord, Store, VersionRecord};

/// A procedure in result lists. Serialised as it is: the cached result pages are answered
/// without a copy; the web crate documents the shape (`api::catalog_schema`) and a test there
/// holds the two together.
#[derive(Debug, Clone, Serialize)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldSummary {
    pub code: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub procedures: Option<usize>,
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

#[derive(Debug, Clone, Serialize)]
pub struct SearchResult {
    pub total: usize,
    pub page: usize,
    pub per_page: usize,
    pub items: Vec<ProcedureSummary>,
    /// The query as the search read it, when it corrected a word ("Có phải bạn muốn tìm …").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<String>,
}

impl SearchResult {
    pub fn pages(&self) -> usize {
        self.total.div_ceil(self.per_page.max(1)).max(1)
    }
}

pub(crate) struct CatalogIndex {
    pub(crate) day: Date,
    pub(crate) index: SearchIndex<ProcedureSummary>,
    pub(crate) fields: Vec<FieldSummary>,
    /// Result pages already computed on this snapshot. Searches repeat a lot (the popular
    /// procedures), and a snapshot never changes, so a hit is exact; a new snapshot starts
    /// empty. The cache's eviction (S3-FIFO) keeps one-off queries from pushing out the
    /// popular ones.
    pub(crate) results: quick_cache::sync::Cache<ResultKey, Arc<SearchResult>>,
}

impl CatalogIndex {
    pub(crate) fn search(&self, query: &ProcedureQuery) -> SearchResult {
        let offset = (query.page - 1) * query.per_page;
        let page = self.index.search(&query.q, &query.filter, offset, query.per_page);
        SearchResult {
            total: page.total,
            page: query.page,
            per_page: query.per_page,
            items: page.hits.into_iter().cloned().collect(),
            suggestion: page.suggestion,
        }
    }
}

/// A search as the result cache knows it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct ResultKey {
    pub(crate) q: String,
    pub(crate) filter: SearchFilter,
    pub(crate) page: usize,
    pub(crate) per_page: usize,
}

/// Result pages kept per snapshot.
const CACHED_RESULTS: usize = 4096;

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

impl CatalogIndex {
    /// Indexes the procedures in force on `day`.
    pub(crate) async fn build(store: &dyn Store, day: Date) -> Result<Self, AppError> {
        let started = std::time::Instant::now();
        let current = in_force(store.published_versions().await?, day);
        let mut agencies: HashMap<i64, Vec<i64>> = HashMap::new();
        for r in store.all_agency_procedures().await? {
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
        Ok(Self { day, index, fields, results: quick_cache::sync::Cache::new(CACHED_RESULTS) })
    }
}
