//! Bulk import of procedures (national JSON package, the XLSX template, the demo file).
//!
//! Every row is checked before anything is written; one bad row rejects the whole file and
//! every bad row is reported with its reason. An accepted file is applied in one transaction:
//! new procedures get a published first version, changed ones a published amendment, identical
//! ones nothing (importing the same file twice changes nothing).

use std::collections::HashSet;

use jiff::Timestamp;
use motcua_domain::account::Principal;
use motcua_domain::catalog::{ChangeKind, ProcedureCode, ProcedureContent, Publication, standing};
use motcua_domain::policy::{Permission, Target, authorize};
use motcua_domain::validation::{FieldError, ValidationErrors};

use super::Catalog;
pub use super::json::parse_json;
use super::package::Package;
pub use super::rows::{ImportFormat, ImportProblem, ImportReport, ImportRow, ParsedImport};
use crate::context::{Actor, RequestMeta};
use crate::error::AppError;
use crate::ports::{StoreTx, VersionRecord};

/// Reads a file in either format.
pub fn parse_import(bytes: &[u8], format: ImportFormat) -> ParsedImport {
    match format {
        ImportFormat::Json => super::json::parse_json(bytes),
        ImportFormat::Xlsx => super::xlsx::read(bytes),
    }
}

/// Rows checked and ready to write.
#[derive(Debug)]
pub(crate) struct CheckedRow {
    pub code: ProcedureCode,
    pub content: ProcedureContent,
    pub publication: Publication,
}

/// Checks every row; all problems at once.
pub(crate) fn check_rows(parsed: ParsedImport) -> Result<Vec<CheckedRow>, Vec<ImportProblem>> {
    let mut problems = parsed.problems;
    let mut seen = HashSet::new();
    let mut rows = Vec::new();
    for r in parsed.rows {
        let mut reasons: Vec<String> = Vec::new();
        let code = match ProcedureCode::parse(&r.code) {
            Ok(c) => Some(c),
            Err(e) => {
                reasons.push(e.message);
                None
            }
        };
        if let Some(c) = &code
            && !seen.insert(c.clone())
        {
            reasons.push(format!("mã {c} xuất hiện nhiều lần trong tệp"));
        }
        if let Err(e) = r.content.validate() {
            reasons.extend(e.errors.into_iter().map(|e| format!("{}: {}", e.field, e.message)));
        }
        if let Err(e) = r.publication.validate(false) {
            reasons.extend(e.errors.into_iter().map(|e| format!("{}: {}", e.field, e.message)));
        }
        match code {
            Some(code) if reasons.is_empty() => {
                rows.push(CheckedRow { code, content: r.content, publication: r.publication })
            }
            _ => problems.push(ImportProblem { row: r.label, reason: reasons.join("; ") }),
        }
    }
    if rows.is_empty() && problems.is_empty() {
        problems.push(ImportProblem { row: "Tệp".into(), reason: "không có thủ tục nào".into() });
    }
    if problems.is_empty() {
        Ok(rows)
    } else {
        problems.sort_by_key(|p| natural_key(&p.row));
        Err(problems)
    }
}

/// Orders "Sheet X, dòng 10" after "Sheet X, dòng 9" and "Thủ tục thứ 10 (…)" after "thứ 9".
fn natural_key(s: &str) -> Vec<(String, u64)> {
    let mut out = Vec::new();
    let mut text = String::new();
    let mut num = String::new();
    for c in s.chars() {
        if c.is_ascii_digit() {
            num.push(c);
        } else {
            if !num.is_empty() {
                out.push((std::mem::take(&mut text), num.parse().unwrap_or(u64::MAX)));
                num.clear();
            }
            text.push(c);
        }
    }
    out.push((text, num.parse().unwrap_or(0)));
    out
}

/// The problems as a validation error (one field per bad row).
pub fn problems_error(problems: Vec<ImportProblem>) -> AppError {
    AppError::Validation(ValidationErrors {
        errors: problems.into_iter().map(|p| FieldError::new(p.row, "invalid_row", p.reason)).collect(),
    })
}

/// Writes checked rows inside `tx`. Refuses procedures with an open draft (the import would
/// publish around it).
pub(crate) async fn apply_rows(
    tx: &mut dyn StoreTx,
    store: &dyn crate::ports::Store,
    rows: Vec<CheckedRow>,
    by: &str,
    now: Timestamp,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<(ImportReport, Vec<(ProcedureCode, i64, ProcedureContent)>), AppError> {
    let total = rows.len();
    let mut report = ImportReport { total, ..ImportReport::default() };
    let mut written = Vec::new();
    let mut problems = Vec::new();
    let today = motcua_domain::time::vn_date(now);
    for (i, r) in rows.into_iter().enumerate() {
        if i % 250 == 0 {
            progress(i, total);
        }
        let version = |procedure_id: i64, number: u32, kind: ChangeKind, r: &CheckedRow| VersionRecord {
            id: 0,
            procedure_id,
            number,
            kind,
            publication: Some(r.publication.clone()),
            content: r.content.clone(),
            replaced_by: None,
            created_by: Some(by.to_owned()),
            created_at: now,
            updated_at: now,
            published_by: Some(by.to_owned()),
            published_at: Some(now),
            revision: 1,
        };
        match store.procedure_by_code(&r.code).await? {
            None => {
                let p = tx.insert_procedure(&r.code, now).await?;
                tx.insert_version(&version(p.id, 1, ChangeKind::New, &r)).await?;
                report.created += 1;
                written.push((r.code, p.id, r.content));
            }
            Some(p) => {
                let versions = store.procedure_versions(p.id).await?;
                if let Some(d) = versions.iter().find(|v| v.is_draft()) {
                    problems.push(ImportProblem {
                        row: r.code.to_string(),
                        reason: format!(
                            "thủ tục đang có bản nháp phiên bản {}; hoàn thiện hoặc xóa bản nháp trước",
                            d.number
                        ),
                    });
                    continue;
                }
                let facts: Vec<_> = versions.iter().map(VersionRecord::facts).collect();
                let current = standing(&facts, today).current();
                let same = current
                    .and_then(|n| versions.iter().find(|v| v.number == n))
                    .is_some_and(|v| v.content == r.content);
                if same {
                    report.unchanged += 1;
                    continue;
                }
                let number = versions.last().map_or(1, |v| v.number + 1);
                tx.insert_version(&version(p.id, number, ChangeKind::Amended, &r)).await?;
                report.amended += 1;
                written.push((r.code, p.id, r.content));
            }
        }
    }
    progress(total, total);
    if !problems.is_empty() {
        return Err(problems_error(problems));
    }
    if report.created + report.amended > 0 {
        tx.bump_catalog_revision().await?;
    }
    Ok((report, written))
}

impl Catalog {
    /// Imports a file's procedures as `principal` (or the installation, for the CLI).
    pub async fn import_procedures(
        &self,
        principal: Option<&Principal>,
        parsed: ParsedImport,
        meta: &RequestMeta,
        progress: &(dyn Fn(usize, usize) + Sync),
    ) -> Result<ImportReport, AppError> {
        let grant = match principal {
            Some(p) => Some(authorize(p, Permission::ManageCatalog, Target::System)?),
            None => None,
        };
        let rows = check_rows(parsed).map_err(problems_error)?;
        let actor = match principal {
            Some(p) => Actor::Official { principal: p, grant },
            None => Actor::System { label: "import" },
        };
        self.apply_import(actor, rows, None, meta, progress).await
    }

    /// Writes checked rows in one transaction with the audit entry and, for a queued import,
    /// its outcome.
    pub(crate) async fn apply_import(
        &self,
        actor: Actor<'_>,
        rows: Vec<CheckedRow>,
        import_id: Option<i64>,
        meta: &RequestMeta,
        progress: &(dyn Fn(usize, usize) + Sync),
    ) -> Result<ImportReport, AppError> {
        let now = self.core.now();
        let by = match &actor {
            Actor::Official { principal, .. } => principal.username.to_string(),
            _ => "system:import".to_owned(),
        };
        let mut tx = self.core.store.begin().await?;
        let (report, _) = apply_rows(&mut *tx, &*self.core.store, rows, &by, now, progress).await?;
        if let Some(id) = import_id
            && !tx.finish_catalog_import(id, &Ok(report.clone()), now).await?
        {
            return Err(AppError::Conflict {
                code: "import_finished",
                message: "Lần nhập này đã kết thúc.".into(),
                field: None,
            });
        }
        let event = actor
            .did("catalog.import")
            .target(import_id.map(|id| ("catalog_import", id.to_string())))
            .detail(format!(
                "{} thủ tục: {} mới, {} sửa đổi, {} không đổi",
                report.total, report.created, report.amended, report.unchanged
            ))
            .event(meta, now);
        self.core.commit_audited(tx, event, meta).await?;
        self.core.reference_changed();
        Ok(report)
    }

    /// Every procedure in force as the national package.
    pub async fn export_package(&self) -> Result<Vec<Package>, AppError> {
        Ok(self
            .versions_in_force()
            .await?
            .iter()
            .map(|(code, v)| Package::from_content(code, &v.content, v.publication.as_ref()))
            .collect())
    }
}

impl Catalog {
    /// The procedures in force in the XLSX template.
    pub async fn export_xlsx(&self) -> Result<Vec<u8>, AppError> {
        let current = self.versions_in_force().await?;
        let items: Vec<(String, &VersionRecord)> = current.iter().map(|(c, v)| (c.clone(), v)).collect();
        super::xlsx::write(&items).map_err(|e| AppError::Internal(anyhow::anyhow!("xlsx export: {e}")))
    }
}

impl Catalog {
    /// The version in force of every procedure that has one, by code.
    async fn versions_in_force(&self) -> Result<Vec<(String, VersionRecord)>, AppError> {
        let today = motcua_domain::time::vn_date(self.core.now());
        let mut out: Vec<(String, VersionRecord)> = super::in_force(self.core.store.published_versions().await?, today)
            .into_iter()
            .map(|(p, v)| (p.code.to_string(), v))
            .collect();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use motcua_domain::calendar::TimeUnit;
    use motcua_domain::catalog::{Channel, TimeLimit};

    use super::*;
    use crate::catalog::json::demo_rows;

    #[test]
    fn the_demo_file_reads_with_one_entry_without_code() {
        let parsed = demo_rows();
        assert_eq!(parsed.rows.len(), 90);
        assert_eq!(parsed.problems.len(), 1, "{:?}", parsed.problems);
        assert!(parsed.problems[0].reason.contains("không có mã"));
        let checked = check_rows(ParsedImport { rows: parsed.rows.clone(), problems: vec![] });
        assert!(checked.is_ok(), "{:?}", checked.err());
        let birth = parsed.rows.iter().find(|r| r.code == "1.001193").unwrap();
        assert_eq!(birth.content.cases[0].time.unit, Some(TimeUnit::SameDay));
        assert_eq!(birth.content.cases[0].fees[0].amount_vnd, Some(0));
        assert_eq!(birth.content.cases[0].fees[1].amount_vnd, None, "null stays empty");
        assert_eq!(birth.publication.decision_number.as_deref(), Some("163/QĐ-BTP"));
        let land = parsed.rows.iter().find(|r| r.code == "1.013978").unwrap();
        assert_eq!(land.content.cases[0].time.amount, Some(27));
        assert_eq!(land.content.cases[0].time.processing_time(Channel::Online).unwrap().amount, 17);
        let split = parsed.rows.iter().find(|r| r.code == "1.010824").unwrap();
        assert_eq!(split.content.cases.len(), 2);
        let unknown = parsed.rows.iter().find(|r| r.code == "1.012592").unwrap();
        assert_eq!(unknown.content.cases[0].time, TimeLimit::default());
    }
}
