//! Imports uploaded through the web run in the background so that a large file shows its
//! progress. The upload is read and checked at once: a bad file is refused with every bad row
//! and nothing is stored. An accepted file is kept in the file store and queued; the job
//! applies it in one transaction that also records the outcome, so a failed import changes
//! nothing and a succeeded one cannot be half-recorded.

use std::collections::HashMap;
use std::sync::Mutex;

use async_trait::async_trait;
use motcua_domain::account::Principal;
use motcua_domain::audit::Outcome;
use motcua_domain::policy::{Permission, Target, authorize};
use serde::{Deserialize, Serialize};

use super::Catalog;
use super::admin::safe_file_name;
use super::import::{ImportFormat, ImportProblem, check_rows, parse_import, problems_error};
use crate::context::{Actor, RequestMeta};
use crate::error::AppError;
use crate::jobs::{JobHandler, new_job};
use crate::ports::{ClaimedJob, ImportRecord, NewImport};

/// How far the imports running in this process are: id → (procedures written, total). Only
/// the process that runs the job knows; others show the stored status alone.
#[derive(Debug, Default)]
pub(crate) struct ImportProgress {
    running: Mutex<HashMap<i64, (usize, usize)>>,
}

impl ImportProgress {
    fn set(&self, id: i64, done: usize, total: usize) {
        self.running.lock().expect("progress lock").insert(id, (done, total));
    }

    fn get(&self, id: i64) -> Option<(usize, usize)> {
        self.running.lock().expect("progress lock").get(&id).copied()
    }

    fn clear(&self, id: i64) {
        self.running.lock().expect("progress lock").remove(&id);
    }
}

/// An import as its page shows it.
#[derive(Debug, Clone)]
pub struct ImportView {
    pub record: ImportRecord,
    /// (procedures written, total) while it runs in this process.
    pub progress: Option<(usize, usize)>,
}

#[derive(Debug, Serialize, Deserialize)]
struct ImportPayload {
    import: i64,
}

fn job_meta(id: i64) -> RequestMeta {
    RequestMeta::new(Some(format!("import-{id}")), None, None)
}

/// What a refused import tells its uploader.
fn problems_of(e: &AppError) -> Vec<ImportProblem> {
    match e {
        AppError::Validation(v) => {
            v.errors.iter().map(|f| ImportProblem { row: f.field.clone(), reason: f.message.clone() }).collect()
        }
        // Details of server faults go to the log, not to pages.
        AppError::Store(_) | AppError::Internal(_) => vec![ImportProblem {
            row: String::new(),
            reason: "Lỗi máy chủ khi nhập; không thủ tục nào bị thay đổi. Quản trị viên xem nhật ký máy chủ.".into(),
        }],
        other => vec![ImportProblem { row: String::new(), reason: other.to_string() }],
    }
}

impl Catalog {
    /// Checks an uploaded file and queues it; returns the import's id. A file with bad rows is
    /// refused here with all of them, and nothing is stored.
    pub async fn queue_import(
        &self,
        principal: &Principal,
        file_name: &str,
        format: ImportFormat,
        bytes: Vec<u8>,
        meta: &RequestMeta,
    ) -> Result<i64, AppError> {
        let grant = authorize(principal, Permission::ManageCatalog, Target::System)?;
        let file_name = safe_file_name(file_name)?;
        if bytes.is_empty() {
            return Err(AppError::field("file", "empty", "Tệp rỗng."));
        }
        let (parsed, bytes) = tokio::task::spawn_blocking(move || (parse_import(&bytes, format), bytes))
            .await
            .map_err(anyhow::Error::from)?;
        let rows = check_rows(parsed).map_err(problems_error)?;
        let content_type = match format {
            ImportFormat::Json => "application/json",
            ImportFormat::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        };
        let now = self.core.now();
        let mut tx = self.core.store.begin().await?;
        let file_id = self.core.keep_file(&mut *tx, &file_name, content_type, &bytes, principal, now).await?;
        let id = tx
            .insert_catalog_import(&NewImport {
                file_id,
                file_name: file_name.clone(),
                format,
                row_count: i64::try_from(rows.len()).unwrap_or(i64::MAX),
                user_id: principal.user_id,
                created_by: principal.username.to_string(),
                created_at: now,
            })
            .await?;
        let job = new_job(CatalogImportJob::KIND, &ImportPayload { import: id }, now, 3, Some(format!("import-{id}")))?;
        tx.enqueue_job(&job, now).await?;
        let event = Actor::Official { principal, grant: Some(grant) }
            .did("catalog.import.queue")
            .on("catalog_import", id.to_string())
            .detail(format!("{file_name}: {} thủ tục", rows.len()))
            .event(meta, now);
        self.core.commit_audited(tx, event, meta).await?;
        Ok(id)
    }

    /// One import with its progress.
    pub async fn catalog_import(&self, principal: &Principal, id: i64) -> Result<ImportView, AppError> {
        authorize(principal, Permission::ManageCatalog, Target::System)?;
        let record = self.core.store.catalog_import(id).await?.ok_or(AppError::NotFound("lần nhập"))?;
        let progress = if record.status.is_finished() { None } else { self.import_progress.get(id) };
        Ok(ImportView { record, progress })
    }

    /// The latest imports, newest first.
    pub async fn recent_catalog_imports(&self, principal: &Principal) -> Result<Vec<ImportRecord>, AppError> {
        authorize(principal, Permission::ManageCatalog, Target::System)?;
        Ok(self.core.store.recent_catalog_imports(10).await?)
    }

    /// The job's work. Refusals (a draft opened meanwhile, the uploader lost the right) end the
    /// import as failed with their reasons; infrastructure errors are retried by the queue and
    /// recorded as the failure on the last attempt.
    async fn run_catalog_import(&self, id: i64, job: &ClaimedJob) -> anyhow::Result<()> {
        let Some(record) = self.core.store.catalog_import(id).await? else {
            tracing::warn!(import = id, "queued import no longer exists");
            return Ok(());
        };
        let mut tx = self.core.store.begin().await?;
        let started = tx.start_catalog_import(id, self.core.now()).await?;
        tx.commit().await?;
        if !started {
            return Ok(());
        }
        let result = self.apply_queued_import(&record).await;
        self.import_progress.clear(id);
        let refused = match result {
            Ok(_) => return Ok(()),
            // Server faults are retried by the queue until the last attempt.
            Err(e @ (AppError::Store(_) | AppError::Internal(_))) if job.attempt < job.max_attempts => {
                return Err(anyhow::anyhow!(e.to_string()));
            }
            Err(e) => e,
        };
        if matches!(refused, AppError::Store(_) | AppError::Internal(_)) {
            tracing::error!(import = id, error = %refused, "catalogue import failed on its last attempt");
        }
        let problems = problems_of(&refused);
        let outcome = match refused {
            AppError::Store(_) | AppError::Internal(_) => Outcome::Failed,
            AppError::Forbidden(_) => Outcome::Denied,
            _ => Outcome::Rejected,
        };
        let now = self.core.now();
        let meta = job_meta(id);
        let mut tx = self.core.store.begin().await?;
        tx.finish_catalog_import(id, &Err(problems.clone()), now).await?;
        let event = Actor::System { label: "import" }
            .did("catalog.import")
            .on("catalog_import", id.to_string())
            .outcome(outcome)
            .detail(format!("{} gửi {}: {} lỗi", record.created_by, record.file_name, problems.len()))
            .event(&meta, now);
        self.core.commit_audited(tx, event, &meta).await?;
        Ok(())
    }

    async fn apply_queued_import(&self, record: &ImportRecord) -> Result<(), AppError> {
        let user = self.core.store.user(record.user_id).await?.ok_or(AppError::NotFound("người gửi tệp"))?;
        if !user.active {
            return Err(AppError::Conflict {
                code: "user_inactive",
                message: format!("Tài khoản {} đã ngừng hoạt động.", user.username),
                field: None,
            });
        }
        let principal = self.accounts.principal_of(&user).await?;
        let grant = authorize(&principal, Permission::ManageCatalog, Target::System)?;
        let file = self.core.store.stored_file(record.file_id).await?.ok_or(AppError::NotFound("tệp nhập"))?;
        let bytes = self
            .core
            .files
            .get(&file.sha256)
            .await?
            .ok_or_else(|| anyhow::anyhow!("import file {} is missing from the file store", file.sha256))?;
        let format = record.format;
        let parsed =
            tokio::task::spawn_blocking(move || parse_import(&bytes, format)).await.map_err(anyhow::Error::from)?;
        let rows = check_rows(parsed).map_err(problems_error)?;
        let id = record.id;
        let progress = |done: usize, total: usize| self.import_progress.set(id, done, total);
        progress(0, rows.len());
        let actor = Actor::Official { principal: &principal, grant: Some(grant) };
        self.apply_import(actor, rows, Some(id), &job_meta(id), &progress).await?;
        Ok(())
    }
}

/// Applies a queued catalogue import.
pub struct CatalogImportJob {
    catalog: super::Catalog,
}

impl CatalogImportJob {
    pub(crate) fn new(catalog: super::Catalog) -> Self {
        Self { catalog }
    }

    pub const KIND: &'static str = "catalog.import";
}

#[async_trait]
impl JobHandler for CatalogImportJob {
    fn kind(&self) -> &'static str {
        Self::KIND
    }

    async fn run(&self, job: &ClaimedJob) -> anyhow::Result<()> {
        let p: ImportPayload = serde_json::from_str(&job.payload)?;
        self.catalog.run_catalog_import(p.import, job).await
    }
}
