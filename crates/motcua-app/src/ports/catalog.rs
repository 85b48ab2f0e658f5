use async_trait::async_trait;
use jiff::Timestamp;
use motcua_domain::account::UserId;
use motcua_domain::agency::AgencyId;
use motcua_domain::catalog::{ChangeKind, ProcedureCode, ProcedureContent, Publication, VersionFacts};

use serde::{Deserialize, Serialize};

use super::StoreResult;
use crate::error::AppError;

/// A procedure's identity; everything it says lives in its versions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcedureRecord {
    pub id: i64,
    pub code: ProcedureCode,
    pub created_at: Timestamp,
}

/// One version of a procedure. Published versions never change (the database refuses it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionRecord {
    pub id: i64,
    pub procedure_id: i64,
    pub number: u32,
    pub kind: ChangeKind,
    /// `None` while a draft.
    pub publication: Option<Publication>,
    pub content: ProcedureContent,
    pub replaced_by: Option<ProcedureCode>,
    pub created_by: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub published_by: Option<String>,
    pub published_at: Option<Timestamp>,
    /// Optimistic lock of drafts: every save increments it.
    pub revision: i64,
}

impl VersionRecord {
    pub fn facts(&self) -> VersionFacts {
        VersionFacts {
            number: self.number,
            kind: self.kind,
            published: self.publication.is_some(),
            effective_from: self.publication.as_ref().and_then(|p| p.effective_from),
            replaced_by: self.replaced_by.clone(),
        }
    }

    pub fn is_draft(&self) -> bool {
        self.publication.is_none()
    }
}

/// One row of the administrators' list: a procedure and its newest version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcedureHead {
    pub procedure: ProcedureRecord,
    pub latest_number: u32,
    pub latest_kind: ChangeKind,
    pub latest_is_draft: bool,
    pub name: String,
    pub field_name: String,
    pub updated_at: Timestamp,
}

/// Whether and how an agency handles a procedure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AgencyProcedure {
    pub agency_id: AgencyId,
    pub procedure_id: i64,
    /// Received at the agency's one-stop desk.
    pub desk: bool,
    /// Received through the public postal service.
    pub postal: bool,
    /// Received online.
    pub online: bool,
    /// The agency resolves it (not only receives it).
    pub resolves: bool,
}

/// A row of an agency's list as its page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgencyCatalogEntry {
    pub code: ProcedureCode,
    /// The name of the procedure's newest version.
    pub name: String,
    pub row: AgencyProcedure,
}

/// Metadata of an uploaded file; the bytes are in the file store under its SHA-256.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFile {
    pub id: i64,
    pub sha256: String,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub created_by: Option<String>,
    pub created_at: Timestamp,
}

/// Where a background catalogue import stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportStatus {
    Queued,
    Running,
    Succeeded,
    Failed,
}

impl ImportStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ImportStatus::Queued => "queued",
            ImportStatus::Running => "running",
            ImportStatus::Succeeded => "succeeded",
            ImportStatus::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [ImportStatus::Queued, ImportStatus::Running, ImportStatus::Succeeded, ImportStatus::Failed]
            .into_iter()
            .find(|v| v.as_str() == s)
    }

    pub fn is_finished(self) -> bool {
        matches!(self, ImportStatus::Succeeded | ImportStatus::Failed)
    }

    pub fn label(self) -> &'static str {
        match self {
            ImportStatus::Queued => "Đang chờ xử lý",
            ImportStatus::Running => "Đang nhập",
            ImportStatus::Succeeded => "Đã nhập xong",
            ImportStatus::Failed => "Không nhập được",
        }
    }
}

/// An import file accepted for the background queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewImport {
    pub file_id: i64,
    pub file_name: String,
    pub format: ImportFormat,
    /// Procedures in the file (all passed the checks when it was accepted).
    pub row_count: i64,
    pub user_id: UserId,
    pub created_by: String,
    pub created_at: Timestamp,
}

/// A background catalogue import and its outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRecord {
    pub id: i64,
    pub file_id: i64,
    pub file_name: String,
    pub format: ImportFormat,
    pub row_count: i64,
    pub status: ImportStatus,
    /// When it succeeded.
    pub report: Option<ImportReport>,
    /// Why it failed.
    pub problems: Vec<ImportProblem>,
    pub user_id: UserId,
    pub created_by: String,
    pub created_at: Timestamp,
    pub started_at: Option<Timestamp>,
    pub finished_at: Option<Timestamp>,
}

#[async_trait]
pub trait CatalogReads {
    /// Changes whenever something the public catalogue shows changes.
    async fn catalog_revision(&self) -> StoreResult<i64>;
    async fn procedure_by_code(&self, code: &ProcedureCode) -> StoreResult<Option<ProcedureRecord>>;
    /// Every version of a procedure, oldest first.
    async fn procedure_versions(&self, procedure_id: i64) -> StoreResult<Vec<VersionRecord>>;
    /// Every published version of every procedure with the procedure's code, ordered by
    /// procedure and number (to build the public index).
    async fn published_versions(&self) -> StoreResult<Vec<(ProcedureRecord, VersionRecord)>>;
    /// A page of procedures by newest version, optionally those whose newest name (folded)
    /// contains `name_folded` or whose code starts with it.
    async fn procedure_heads(
        &self,
        search: Option<&str>,
        offset: i64,
        limit: i64,
    ) -> StoreResult<(i64, Vec<ProcedureHead>)>;
    /// Every agency's list (to build the search index).
    async fn all_agency_procedures(&self) -> StoreResult<Vec<AgencyProcedure>>;
    /// The agencies that list one procedure.
    async fn procedure_agencies(&self, procedure_id: i64) -> StoreResult<Vec<AgencyProcedure>>;
    /// One agency's list with each procedure's code and newest name, by code.
    async fn agency_catalog(&self, agency: AgencyId) -> StoreResult<Vec<AgencyCatalogEntry>>;
    async fn stored_file(&self, id: i64) -> StoreResult<Option<StoredFile>>;
    async fn catalog_import(&self, id: i64) -> StoreResult<Option<ImportRecord>>;
    /// The newest imports first.
    async fn recent_catalog_imports(&self, limit: i64) -> StoreResult<Vec<ImportRecord>>;
}

#[async_trait]
pub trait CatalogWrites {
    async fn insert_procedure(&mut self, code: &ProcedureCode, now: Timestamp) -> StoreResult<ProcedureRecord>;
    /// Appends a version; the store assigns `id`.
    async fn insert_version(&mut self, version: &VersionRecord) -> StoreResult<i64>;
    /// Saves a draft's content if its revision is still `expected_revision` (the new revision
    /// is `expected_revision + 1`); `false` means it changed meanwhile or is no longer a draft.
    async fn update_draft(
        &mut self,
        version_id: i64,
        content: &ProcedureContent,
        expected_revision: i64,
        now: Timestamp,
    ) -> StoreResult<bool>;
    /// Turns a draft into a published version, under the same revision check.
    async fn publish_draft(
        &mut self,
        version_id: i64,
        publication: &Publication,
        by: &str,
        expected_revision: i64,
        now: Timestamp,
    ) -> StoreResult<bool>;
    async fn delete_draft(&mut self, version_id: i64, expected_revision: i64) -> StoreResult<bool>;
    async fn bump_catalog_revision(&mut self) -> StoreResult<()>;
    /// Replaces an agency's whole list.
    async fn replace_agency_procedures(&mut self, agency: AgencyId, rows: &[AgencyProcedure]) -> StoreResult<()>;
    /// Adds or updates rows, keeping the agency's other procedures.
    async fn upsert_agency_procedures(&mut self, rows: &[AgencyProcedure]) -> StoreResult<()>;
    async fn insert_stored_file(&mut self, file: &StoredFile) -> StoreResult<i64>;
    async fn insert_catalog_import(&mut self, import: &NewImport) -> StoreResult<i64>;
    /// Marks a queued (or interrupted running) import as running; `false` when it has already
    /// finished.
    async fn start_catalog_import(&mut self, id: i64, now: Timestamp) -> StoreResult<bool>;
    /// Records the outcome; `false` when it had already finished.
    async fn finish_catalog_import(
        &mut self,
        id: i64,
        outcome: &Result<ImportReport, Vec<ImportProblem>>,
        now: Timestamp,
    ) -> StoreResult<bool>;
}

/// A row that cannot be imported, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportProblem {
    pub row: String,
    pub reason: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportFormat {
    Json,
    Xlsx,
}

impl ImportFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            ImportFormat::Json => "json",
            ImportFormat::Xlsx => "xlsx",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "json" => Some(ImportFormat::Json),
            "xlsx" => Some(ImportFormat::Xlsx),
            _ => None,
        }
    }

    /// From a file name's extension, refusing other files.
    pub fn of_file(name: &str) -> Result<ImportFormat, AppError> {
        Self::from_file_name(name).ok_or_else(|| {
            AppError::field("file", "unsupported_type", "Chỉ nhận tệp .json (gói thủ tục) hoặc .xlsx (theo mẫu).")
        })
    }

    /// From a file name's extension.
    pub fn from_file_name(name: &str) -> Option<ImportFormat> {
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".json") {
            Some(ImportFormat::Json)
        } else if lower.ends_with(".xlsx") {
            Some(ImportFormat::Xlsx)
        } else {
            None
        }
    }
}

/// The outcome of an applied import.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    pub total: usize,
    pub created: usize,
    pub amended: usize,
    pub unchanged: usize,
}
