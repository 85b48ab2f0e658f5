//! Catalogue management: drafts, publication, amendment, replacement, abolition, each agency's
//! list, form files. Every change is audited and bumps the catalogue revision when the public
//! catalogue can see it.

use motcua_domain::account::{Grant, Principal};
use motcua_domain::agency::AgencyId;
use motcua_domain::catalog::diff::{Change, diff};
use motcua_domain::catalog::{ChangeKind, FileRef, ProcedureCode, ProcedureContent, Publication, Standing, standing};
use motcua_domain::policy::{Permission, Target, authorize};
use motcua_domain::time::vn_date;
use motcua_domain::validation::{FieldError, ValidationErrors};

use super::Catalog;
use crate::context::{Actor, RequestMeta};
use crate::error::AppError;
use crate::ports::{AgencyCatalogEntry, AgencyProcedure, ProcedureHead, ProcedureRecord, StoreTx, VersionRecord};

/// Abolition or replacement by decision.
#[derive(Debug, Clone)]
pub struct Ending {
    pub decision: Publication,
    /// For a replacement: the procedure that replaces this one.
    pub replaced_by: Option<ProcedureCode>,
}

/// One row of an agency's procedure list.
#[derive(Debug, Clone)]
pub struct AgencyCatalogRow {
    pub code: String,
    pub desk: bool,
    pub postal: bool,
    pub online: bool,
    pub resolves: bool,
}

impl From<&AgencyCatalogEntry> for AgencyCatalogRow {
    fn from(e: &AgencyCatalogEntry) -> Self {
        AgencyCatalogRow {
            code: e.code.to_string(),
            desk: e.row.desk,
            postal: e.row.postal,
            online: e.row.online,
            resolves: e.row.resolves,
        }
    }
}

/// Largest form template accepted.
pub const MAX_FORM_FILE: usize = 10 * 1024 * 1024;

/// What a publication must state (Đ8 k2 NĐ 63/2010), every missing item at once.
fn checked(publication: &Publication) -> Result<(), AppError> {
    Ok(publication.validate(true)?)
}

fn lifecycle(e: motcua_domain::catalog::LifecycleError) -> AppError {
    AppError::Conflict { code: "catalog_lifecycle", message: e.to_string(), field: None }
}

impl Catalog {
    fn catalog_grant<'p>(&self, principal: &'p Principal) -> Result<&'p Grant, AppError> {
        Ok(authorize(principal, Permission::ManageCatalog, Target::System)?)
    }

    /// Refuses who may not manage the catalogue, before an edge reads any input (a form, an
    /// uploaded file).
    pub fn authorize_catalog(&self, principal: &Principal) -> Result<(), AppError> {
        self.catalog_grant(principal).map(|_| ())
    }

    async fn load_procedure(&self, code: &str) -> Result<(ProcedureRecord, Vec<VersionRecord>), AppError> {
        let code = ProcedureCode::parse(code).map_err(|_| AppError::NotFound("thủ tục"))?;
        let p = self.core.store.procedure_by_code(&code).await?.ok_or(AppError::NotFound("thủ tục"))?;
        let versions = self.core.store.procedure_versions(p.id).await?;
        Ok((p, versions))
    }

    #[expect(clippy::too_many_arguments, reason = "one audited commit shared by every catalogue action")]
    async fn commit_catalog(
        &self,
        tx: Box<dyn StoreTx>,
        principal: &Principal,
        grant: &Grant,
        action: &str,
        target: String,
        detail: String,
        meta: &RequestMeta,
    ) -> Result<(), AppError> {
        let event = Actor::Official { principal, grant: Some(grant) }
            .did(action)
            .on("procedure", target)
            .detail(detail)
            .event(meta, self.core.now());
        self.core.commit_audited(tx, event, meta).await?;
        Ok(())
    }

    /// Procedures with their newest version, for the managers' list.
    pub async fn procedure_heads(
        &self,
        principal: &Principal,
        search: Option<&str>,
        page: i64,
        per_page: i64,
    ) -> Result<(i64, Vec<ProcedureHead>), AppError> {
        self.catalog_grant(principal)?;
        Ok(self.core.store.procedure_heads(search, (page.max(1) - 1) * per_page, per_page).await?)
    }

    /// Creates a procedure with its first draft.
    pub async fn create_procedure(
        &self,
        principal: &Principal,
        code: &str,
        content: ProcedureContent,
        meta: &RequestMeta,
    ) -> Result<VersionRecord, AppError> {
        let grant = self.catalog_grant(principal)?;
        let mut e = ValidationErrors::new();
        let code = e.check(ProcedureCode::parse(code));
        if let Err(more) = content.validate() {
            e.errors.extend(more.errors);
        }
        e.into_result()?;
        let code = code.expect("validated");
        if self.core.store.procedure_by_code(&code).await?.is_some() {
            return Err(AppError::Conflict {
                code: "duplicate_code",
                message: format!("Đã có thủ tục mã {code}."),
                field: Some("code".into()),
            });
        }
        let now = self.core.now();
        let mut tx = self.core.store.begin().await?;
        let p = tx.insert_procedure(&code, now).await?;
        let mut v = VersionRecord {
            id: 0,
            procedure_id: p.id,
            number: 1,
            kind: ChangeKind::New,
            publication: None,
            content,
            replaced_by: None,
            created_by: Some(principal.username.to_string()),
            created_at: now,
            updated_at: now,
            published_by: None,
            published_at: None,
            revision: 1,
        };
        v.id = tx.insert_version(&v).await?;
        self.commit_catalog(
            tx,
            principal,
            grant,
            "procedure.create",
            code.to_string(),
            "Tạo bản nháp phiên bản 1".into(),
            meta,
        )
        .await?;
        Ok(v)
    }

    /// Saves a draft's content.
    pub async fn save_draft(
        &self,
        principal: &Principal,
        code: &str,
        number: u32,
        content: ProcedureContent,
        revision: i64,
        meta: &RequestMeta,
    ) -> Result<VersionRecord, AppError> {
        let grant = self.catalog_grant(principal)?;
        content.validate()?;
        let (p, versions) = self.load_procedure(code).await?;
        let v = versions.into_iter().find(|v| v.number == number).ok_or(AppError::NotFound("phiên bản thủ tục"))?;
        if !v.is_draft() {
            return Err(lifecycle(motcua_domain::catalog::LifecycleError::NotDraft(number)));
        }
        let now = self.core.now();
        let mut tx = self.core.store.begin().await?;
        if !tx.update_draft(v.id, &content, revision, now).await? {
            return Err(AppError::stale(&format!("Bản nháp phiên bản {number}")));
        }
        self.commit_catalog(
            tx,
            principal,
            grant,
            "procedure.draft.update",
            p.code.to_string(),
            format!("Phiên bản {number}"),
            meta,
        )
        .await?;
        Ok(VersionRecord { content, revision: revision + 1, updated_at: now, ..v })
    }

    /// Starts an amendment: a new draft with the content of the version in force.
    pub async fn start_amendment(
        &self,
        principal: &Principal,
        code: &str,
        meta: &RequestMeta,
    ) -> Result<VersionRecord, AppError> {
        let grant = self.catalog_grant(principal)?;
        let (p, versions) = self.load_procedure(code).await?;
        if let Some(d) = versions.iter().find(|v| v.is_draft()) {
            return Err(lifecycle(motcua_domain::catalog::LifecycleError::DraftExists(d.number)));
        }
        let facts: Vec<_> = versions.iter().map(VersionRecord::facts).collect();
        let base = match standing(&facts, vn_date(self.core.now())) {
            Standing::InForce { current, upcoming } => upcoming.map_or(current, |(n, _)| n),
            Standing::Unpublished { upcoming: Some((n, _)) } => n,
            Standing::Unpublished { upcoming: None } => {
                return Err(lifecycle(motcua_domain::catalog::LifecycleError::NothingInForce));
            }
            Standing::Ended { .. } => return Err(lifecycle(motcua_domain::catalog::LifecycleError::AlreadyEnded)),
        };
        let content = versions.iter().find(|v| v.number == base).expect("base exists").content.clone();
        let number = versions.last().map_or(1, |v| v.number + 1);
        let now = self.core.now();
        let mut v = VersionRecord {
            id: 0,
            procedure_id: p.id,
            number,
            kind: ChangeKind::Amended,
            publication: None,
            content,
            replaced_by: None,
            created_by: Some(principal.username.to_string()),
            created_at: now,
            updated_at: now,
            published_by: None,
            published_at: None,
            revision: 1,
        };
        let mut tx = self.core.store.begin().await?;
        v.id = tx.insert_version(&v).await?;
        self.commit_catalog(
            tx,
            principal,
            grant,
            "procedure.amend",
            p.code.to_string(),
            format!("Bản nháp sửa đổi phiên bản {number} từ phiên bản {base}"),
            meta,
        )
        .await?;
        Ok(v)
    }

    /// Publishes a draft with its decision. The content must be complete (Đ8 k2 NĐ 63/2010).
    pub async fn publish_draft(
        &self,
        principal: &Principal,
        code: &str,
        number: u32,
        revision: i64,
        publication: &Publication,
        meta: &RequestMeta,
    ) -> Result<VersionRecord, AppError> {
        let grant = self.catalog_grant(principal)?;
        checked(publication)?;
        let publication = publication.clone();
        let (p, versions) = self.load_procedure(code).await?;
        let v = versions.iter().find(|v| v.number == number).ok_or(AppError::NotFound("phiên bản thủ tục"))?;
        if !v.is_draft() {
            return Err(lifecycle(motcua_domain::catalog::LifecycleError::NotDraft(number)));
        }
        let gaps = v.content.publication_gaps();
        if !gaps.is_empty() {
            return Err(lifecycle(motcua_domain::catalog::LifecycleError::Incomplete(gaps)));
        }
        let now = self.core.now();
        let mut tx = self.core.store.begin().await?;
        if !tx.publish_draft(v.id, &publication, principal.username.as_str(), revision, now).await? {
            return Err(AppError::stale(&format!("Bản nháp phiên bản {number}")));
        }
        tx.bump_catalog_revision().await?;
        let detail = format!(
            "Công bố phiên bản {number} ({}) theo {}; hiệu lực từ {}",
            v.kind.label(),
            publication.decision_number.as_deref().unwrap_or_default(),
            publication.effective_from.map(motcua_domain::time::format_date).unwrap_or_default()
        );
        self.commit_catalog(tx, principal, grant, "procedure.publish", p.code.to_string(), detail, meta).await?;
        self.core.reference_changed();
        Ok(VersionRecord {
            publication: Some(publication),
            published_by: Some(principal.username.to_string()),
            published_at: Some(now),
            revision: revision + 1,
            ..v.clone()
        })
    }

    /// Discards a draft (it was never published, so nothing of legal weight is lost).
    pub async fn discard_draft(
        &self,
        principal: &Principal,
        code: &str,
        number: u32,
        revision: i64,
        meta: &RequestMeta,
    ) -> Result<(), AppError> {
        let grant = self.catalog_grant(principal)?;
        let (p, versions) = self.load_procedure(code).await?;
        let v = versions.iter().find(|v| v.number == number).ok_or(AppError::NotFound("phiên bản thủ tục"))?;
        if !v.is_draft() {
            return Err(lifecycle(motcua_domain::catalog::LifecycleError::NotDraft(number)));
        }
        let mut tx = self.core.store.begin().await?;
        if !tx.delete_draft(v.id, revision).await? {
            return Err(AppError::stale(&format!("Bản nháp phiên bản {number}")));
        }
        self.commit_catalog(
            tx,
            principal,
            grant,
            "procedure.draft.discard",
            p.code.to_string(),
            format!("Xóa bản nháp phiên bản {number}"),
            meta,
        )
        .await
    }

    /// Abolishes (`replaced_by: None`) or replaces the procedure by decision.
    pub async fn end_procedure(
        &self,
        principal: &Principal,
        code: &str,
        input: &Ending,
        meta: &RequestMeta,
    ) -> Result<VersionRecord, AppError> {
        let grant = self.catalog_grant(principal)?;
        checked(&input.decision)?;
        let publication = input.decision.clone();
        let replaced_by = input.replaced_by.clone();
        let (p, versions) = self.load_procedure(code).await?;
        if let Some(d) = versions.iter().find(|v| v.is_draft()) {
            return Err(lifecycle(motcua_domain::catalog::LifecycleError::DraftExists(d.number)));
        }
        if let Some(r) = &replaced_by {
            if r == &p.code {
                return Err(lifecycle(motcua_domain::catalog::LifecycleError::ReplacedBySelf));
            }
            let Some(successor) = self.core.store.procedure_by_code(r).await? else {
                return Err(AppError::field("replaced_by", "unknown", format!("Không có thủ tục mã {r}.")));
            };
            if !self.core.store.procedure_versions(successor.id).await?.iter().any(|v| !v.is_draft()) {
                return Err(AppError::field("replaced_by", "unpublished", format!("Thủ tục {r} chưa được công bố.")));
            }
        }
        let facts: Vec<_> = versions.iter().map(VersionRecord::facts).collect();
        let st = standing(&facts, vn_date(self.core.now()));
        let base = match &st {
            Standing::InForce { current, .. } => *current,
            Standing::Ended { .. } => return Err(lifecycle(motcua_domain::catalog::LifecycleError::AlreadyEnded)),
            Standing::Unpublished { .. } => {
                return Err(lifecycle(motcua_domain::catalog::LifecycleError::NothingInForce));
            }
        };
        let content = versions.iter().find(|v| v.number == base).expect("base exists").content.clone();
        let number = versions.last().map_or(1, |v| v.number + 1);
        let kind = if replaced_by.is_some() { ChangeKind::Replaced } else { ChangeKind::Abolished };
        let now = self.core.now();
        let mut v = VersionRecord {
            id: 0,
            procedure_id: p.id,
            number,
            kind,
            publication: Some(publication.clone()),
            content,
            replaced_by: replaced_by.clone(),
            created_by: Some(principal.username.to_string()),
            created_at: now,
            updated_at: now,
            published_by: Some(principal.username.to_string()),
            published_at: Some(now),
            revision: 1,
        };
        let mut tx = self.core.store.begin().await?;
        v.id = tx.insert_version(&v).await?;
        tx.bump_catalog_revision().await?;
        let detail = format!(
            "{} theo {}; hiệu lực từ {}{}",
            kind.label(),
            publication.decision_number.as_deref().unwrap_or_default(),
            publication.effective_from.map(motcua_domain::time::format_date).unwrap_or_default(),
            replaced_by.map(|r| format!("; thay bằng {r}")).unwrap_or_default()
        );
        let action = if kind == ChangeKind::Replaced { "procedure.replace" } else { "procedure.abolish" };
        self.commit_catalog(tx, principal, grant, action, p.code.to_string(), detail, meta).await?;
        self.core.reference_changed();
        Ok(v)
    }

    /// What changed from version `from` to version `to`.
    pub async fn version_diff(
        &self,
        principal: Option<&Principal>,
        code: &str,
        from: u32,
        to: u32,
    ) -> Result<Vec<Change>, AppError> {
        let view = self.procedure_view(code, None, principal).await?;
        let find = |n: u32| view.versions.iter().find(|v| v.number == n).ok_or(AppError::NotFound("phiên bản thủ tục"));
        Ok(diff(&find(from)?.content, &find(to)?.content))
    }

    /// Stores an uploaded form template and returns the reference a draft keeps.
    pub async fn upload_form_file(
        &self,
        principal: &Principal,
        file_name: &str,
        content_type: &str,
        bytes: &[u8],
        meta: &RequestMeta,
    ) -> Result<FileRef, AppError> {
        let grant = self.catalog_grant(principal)?;
        let file_name = safe_file_name(file_name)?;
        if bytes.is_empty() {
            return Err(AppError::field("file", "empty", "Tệp rỗng."));
        }
        if bytes.len() > MAX_FORM_FILE {
            return Err(AppError::field("file", "too_large", "Tệp biểu mẫu tối đa 10 MB."));
        }
        let content_type = sniff_form_type(&file_name, bytes).ok_or_else(|| {
            AppError::field(
                "file",
                "unsupported_type",
                format!("Chỉ nhận biểu mẫu PDF, DOC, DOCX, XLS, XLSX, ODT (tệp gửi lên: {content_type})."),
            )
        })?;
        let now = self.core.now();
        let mut tx = self.core.store.begin().await?;
        let id = self.core.keep_file(&mut *tx, &file_name, content_type, bytes, principal, now).await?;
        let event = Actor::Official { principal, grant: Some(grant) }
            .did("file.upload")
            .on("file", id.to_string())
            .detail(format!("{file_name} ({} byte)", bytes.len()))
            .event(meta, now);
        self.core.commit_audited(tx, event, meta).await?;
        Ok(FileRef { id, file_name })
    }

    /// An agency's procedure list, by code.
    pub async fn agency_catalog(
        &self,
        principal: &Principal,
        agency: AgencyId,
    ) -> Result<(motcua_domain::agency::Agency, Vec<AgencyCatalogEntry>), AppError> {
        let a = self.agencies.get_agency(principal, agency).await?;
        let rows = self.core.store.agency_catalog(agency).await?;
        Ok((a, rows))
    }

    /// Replaces an agency's procedure list.
    pub async fn set_agency_catalog(
        &self,
        principal: &Principal,
        agency: AgencyId,
        rows: &[AgencyCatalogRow],
        meta: &RequestMeta,
    ) -> Result<usize, AppError> {
        let a = self.agencies.get_agency(principal, agency).await?;
        let grant = authorize(principal, Permission::ManageAgencies, Target::Agency(&a.path))?;
        let mut e = ValidationErrors::new();
        let mut out: Vec<AgencyProcedure> = Vec::new();
        for (i, r) in rows.iter().enumerate() {
            let field = format!("procedures[{i}].code");
            let Ok(code) = ProcedureCode::parse(&r.code) else {
                e.push(FieldError::new(field, "invalid_format", format!("Mã thủ tục không hợp lệ: \"{}\".", r.code)));
                continue;
            };
            let Some(p) = self.core.store.procedure_by_code(&code).await? else {
                e.push(FieldError::new(field, "unknown", format!("Không có thủ tục mã {code}.")));
                continue;
            };
            if out.iter().any(|o| o.procedure_id == p.id) {
                e.push(FieldError::new(field, "duplicate", format!("Thủ tục {code} bị lặp.")));
                continue;
            }
            if !(r.desk || r.postal || r.online || r.resolves) {
                e.push(FieldError::new(
                    field,
                    "no_role",
                    format!("Thủ tục {code}: chọn ít nhất một cách tiếp nhận hoặc giải quyết."),
                ));
                continue;
            }
            out.push(AgencyProcedure {
                agency_id: agency,
                procedure_id: p.id,
                desk: r.desk,
                postal: r.postal,
                online: r.online,
                resolves: r.resolves,
            });
        }
        e.into_result()?;
        let mut tx = self.core.store.begin().await?;
        tx.replace_agency_procedures(agency, &out).await?;
        tx.bump_catalog_revision().await?;
        let event = Actor::Official { principal, grant: Some(grant) }
            .did("agency.catalog.update")
            .on("agency", agency.0.to_string())
            .detail(format!("{} thủ tục", out.len()))
            .event(meta, self.core.now());
        self.core.commit_audited(tx, event, meta).await?;
        self.core.reference_changed();
        Ok(out.len())
    }
}

/// Keeps the last path segment, refuses control characters and hidden names.
pub(crate) fn safe_file_name(raw: &str) -> Result<String, AppError> {
    let name = raw.rsplit(['/', '\\']).next().unwrap_or_default().trim();
    if name.is_empty() || name.starts_with('.') || name.chars().count() > 200 || name.chars().any(char::is_control) {
        return Err(AppError::field("file", "invalid_name", "Tên tệp không hợp lệ."));
    }
    Ok(name.to_owned())
}

/// The content type from the bytes (not from what the browser claims), for the formats form
/// templates come in.
fn sniff_form_type(name: &str, bytes: &[u8]) -> Option<&'static str> {
    let ext = name.rsplit('.').next().unwrap_or_default().to_ascii_lowercase();
    let zip = bytes.starts_with(b"PK\x03\x04");
    let ole = bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]);
    match ext.as_str() {
        "pdf" if crate::upload::is_pdf(bytes) => Some("application/pdf"),
        "docx" if zip => Some("application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        "xlsx" if zip => Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        "odt" if zip => Some("application/vnd.oasis.opendocument.text"),
        "doc" if ole => Some("application/msword"),
        "xls" if ole => Some("application/vnd.ms-excel"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_and_types() {
        assert_eq!(safe_file_name("C:\\x\\Tờ khai.pdf").unwrap(), "Tờ khai.pdf");
        assert!(safe_file_name("../.env").is_err());
        let pdf = motcua_forms::markup_to_pdf("m", "@page A5\nTờ khai").unwrap();
        assert_eq!(sniff_form_type("a.PDF", &pdf), Some("application/pdf"));
        assert_eq!(sniff_form_type("a.pdf", b"%PDF-1.7 ..."), None);
        assert_eq!(sniff_form_type("a.pdf", b"<html>"), None);
        assert_eq!(sniff_form_type("a.exe", b"MZ"), None);
    }
}
