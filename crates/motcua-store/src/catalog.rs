use async_trait::async_trait;
use jiff::Timestamp;
use motcua_app::StoreError;
use motcua_app::catalog::import::{ImportFormat, ImportProblem, ImportReport};
use motcua_app::ports::{
    AgencyCatalogEntry, AgencyProcedure, CatalogReads, CatalogWrites, ImportRecord, ImportStatus, NewImport,
    ProcedureHead, ProcedureRecord, StoreResult, StoredFile, VersionRecord,
};
use motcua_domain::account::UserId;
use motcua_domain::agency::AgencyId;
use motcua_domain::catalog::fold::fold;
use motcua_domain::catalog::{ChangeKind, ProcedureCode, ProcedureContent, Publication};
use motcua_domain::validation::NonBlank;
use sqlx::any::AnyRow;

use crate::Db;
use crate::convert::{RowExt, date_text, db_err, json, opt_us, to_json, us};
use crate::sql::SqlBuilder;
use crate::tx::DbTx;

fn code(text: String) -> StoreResult<ProcedureCode> {
    ProcedureCode::try_from(text).map_err(StoreError::Backend)
}

fn number(r: &AnyRow) -> StoreResult<u32> {
    u32::try_from(r.i64("number")?).map_err(StoreError::backend)
}

fn kind(r: &AnyRow) -> StoreResult<ChangeKind> {
    let k = r.text("kind")?;
    ChangeKind::parse(&k).ok_or_else(|| StoreError::Backend(format!("unknown version kind {k}")))
}

fn procedure_from_row(r: &AnyRow, id_col: &str) -> StoreResult<ProcedureRecord> {
    Ok(ProcedureRecord { id: r.i64(id_col)?, code: code(r.text("code")?)?, created_at: r.ts("procedure_created_at")? })
}

fn version_from_row(r: &AnyRow) -> StoreResult<VersionRecord> {
    let publication = if r.text("state")? == "published" {
        Some(Publication {
            decision_number: r.opt_text("decision_number")?,
            decision_date: r.opt_date("decision_date")?,
            signer: r.opt_text("signer")?,
            effective_from: r.opt_date("effective_from")?,
            legal_basis_effective_on: r.opt_date("legal_basis_effective_on")?,
            portal_published_on: r.opt_date("portal_published_on")?,
        })
    } else {
        None
    };
    Ok(VersionRecord {
        id: r.i64("id")?,
        procedure_id: r.i64("procedure_id")?,
        number: number(r)?,
        kind: kind(r)?,
        publication,
        content: json("content", &r.text("content")?)?,
        replaced_by: r.opt_text("replaced_by")?.map(code).transpose()?,
        created_by: r.opt_text("created_by")?,
        created_at: r.ts("created_at")?,
        updated_at: r.ts("updated_at")?,
        published_by: r.opt_text("published_by")?,
        published_at: r.opt_ts("published_at")?,
        revision: r.i64("revision")?,
    })
}

fn agency_procedure_from_row(r: &AnyRow) -> StoreResult<AgencyProcedure> {
    Ok(AgencyProcedure {
        agency_id: AgencyId(r.i64("agency_id")?),
        procedure_id: r.i64("procedure_id")?,
        desk: r.flag("desk")?,
        postal: r.flag("postal")?,
        online: r.flag("online")?,
        resolves: r.flag("resolves")?,
    })
}

fn file_from_row(r: &AnyRow) -> StoreResult<StoredFile> {
    Ok(StoredFile {
        id: r.i64("id")?,
        sha256: r.text("sha256")?,
        file_name: r.text("file_name")?,
        content_type: r.text("content_type")?,
        size: r.i64("size")?,
        created_by: r.opt_text("created_by")?,
        created_at: r.ts("created_at")?,
    })
}

fn import_from_row(r: &AnyRow) -> StoreResult<ImportRecord> {
    let format = r.text("format")?;
    let status = r.text("status")?;
    let status =
        ImportStatus::parse(&status).ok_or_else(|| StoreError::Backend(format!("unknown import status {status}")))?;
    let count = |col: &str| -> StoreResult<usize> {
        usize::try_from(r.opt_i64(col)?.unwrap_or(0)).map_err(StoreError::backend)
    };
    let report = if status == ImportStatus::Succeeded {
        let (created, amended, unchanged) = (count("created")?, count("amended")?, count("unchanged")?);
        Some(ImportReport { total: created + amended + unchanged, created, amended, unchanged })
    } else {
        None
    };
    let problems: Vec<ImportProblem> = match r.opt_text("problems")? {
        Some(text) => json("problems", &text)?,
        None => Vec::new(),
    };
    Ok(ImportRecord {
        id: r.i64("id")?,
        file_id: r.i64("file_id")?,
        file_name: r.text("file_name")?,
        format: ImportFormat::parse(&format)
            .ok_or_else(|| StoreError::Backend(format!("unknown import format {format}")))?,
        row_count: r.i64("row_count")?,
        status,
        report,
        problems,
        user_id: UserId(r.i64("user_id")?),
        created_by: r.text("created_by")?,
        created_at: r.ts("created_at")?,
        started_at: r.opt_ts("started_at")?,
        finished_at: r.opt_ts("finished_at")?,
    })
}

/// Escapes `%`, `_` and `\` for a LIKE pattern with `ESCAPE '\'`.
fn like_escape(s: &str) -> String {
    s.chars()
        .flat_map(|c| match c {
            '%' | '_' | '\\' => vec!['\\', c],
            c => vec![c],
        })
        .collect()
}

const LATEST: &str = "procedure_versions v JOIN procedures p ON p.id = v.procedure_id \
     WHERE v.number = (SELECT MAX(l.number) FROM procedure_versions l WHERE l.procedure_id = v.procedure_id)";

#[async_trait]
impl CatalogReads for Db {
    async fn catalog_revision(&self) -> StoreResult<i64> {
        sqlx::query_scalar("SELECT revision FROM catalog_state WHERE id = 1")
            .fetch_one(self.read_pool())
            .await
            .map_err(db_err)
    }

    async fn procedure_by_code(&self, c: &ProcedureCode) -> StoreResult<Option<ProcedureRecord>> {
        sqlx::query("SELECT id, code, created_at AS procedure_created_at FROM procedures WHERE code = $1")
            .bind(c.as_str().to_owned())
            .fetch_optional(self.read_pool())
            .await
            .map_err(db_err)?
            .map(|r| procedure_from_row(&r, "id"))
            .transpose()
    }

    async fn procedure_versions(&self, procedure_id: i64) -> StoreResult<Vec<VersionRecord>> {
        sqlx::query("SELECT * FROM procedure_versions WHERE procedure_id = $1 ORDER BY number")
            .bind(procedure_id)
            .fetch_all(self.read_pool())
            .await
            .map_err(db_err)?
            .iter()
            .map(version_from_row)
            .collect()
    }

    async fn published_versions(&self) -> StoreResult<Vec<(ProcedureRecord, VersionRecord)>> {
        sqlx::query(
            "SELECT v.*, p.code, p.created_at AS procedure_created_at FROM procedure_versions v \
             JOIN procedures p ON p.id = v.procedure_id WHERE v.state = 'published' ORDER BY v.procedure_id, v.number",
        )
        .fetch_all(self.read_pool())
        .await
        .map_err(db_err)?
        .iter()
        .map(|r| Ok((procedure_from_row(r, "procedure_id")?, version_from_row(r)?)))
        .collect()
    }

    async fn procedure_heads(
        &self,
        search: Option<&str>,
        offset: i64,
        limit: i64,
    ) -> StoreResult<(i64, Vec<ProcedureHead>)> {
        let filter = |b: &mut SqlBuilder| {
            if let Some(q) = search.non_blank() {
                let pattern = like_escape(&fold(q));
                b.push(" AND (v.name_folded LIKE ")
                    .bind(format!("%{pattern}%"))
                    .push(" ESCAPE '\\' OR p.code LIKE ")
                    .bind(format!("{pattern}%"))
                    .push(" ESCAPE '\\')");
            }
        };
        let mut count = SqlBuilder::new(&format!("SELECT COUNT(*) AS n FROM {LATEST}"));
        filter(&mut count);
        let total = count.build().fetch_one(self.read_pool()).await.map_err(db_err)?;
        let mut page =
            SqlBuilder::new(&format!("SELECT v.*, p.code, p.created_at AS procedure_created_at FROM {LATEST}"));
        filter(&mut page);
        page.push(" ORDER BY v.name_folded, p.code LIMIT ").bind(limit).push(" OFFSET ").bind(offset);
        let rows = page.build().fetch_all(self.read_pool()).await.map_err(db_err)?;
        let heads = rows
            .iter()
            .map(|r| {
                Ok(ProcedureHead {
                    procedure: procedure_from_row(r, "procedure_id")?,
                    latest_number: number(r)?,
                    latest_kind: kind(r)?,
                    latest_is_draft: r.text("state")? == "draft",
                    name: r.text("name")?,
                    field_name: r.text("field_name")?,
                    updated_at: r.ts("updated_at")?,
                })
            })
            .collect::<StoreResult<Vec<_>>>()?;
        Ok((total.i64("n")?, heads))
    }

    async fn all_agency_procedures(&self) -> StoreResult<Vec<AgencyProcedure>> {
        sqlx::query("SELECT * FROM agency_procedures ORDER BY agency_id, procedure_id")
            .fetch_all(self.read_pool())
            .await
            .map_err(db_err)?
            .iter()
            .map(agency_procedure_from_row)
            .collect()
    }

    async fn procedure_agencies(&self, procedure_id: i64) -> StoreResult<Vec<AgencyProcedure>> {
        sqlx::query("SELECT * FROM agency_procedures WHERE procedure_id = $1 ORDER BY agency_id")
            .bind(procedure_id)
            .fetch_all(self.read_pool())
            .await
            .map_err(db_err)?
            .iter()
            .map(agency_procedure_from_row)
            .collect()
    }

    async fn agency_catalog(&self, agency: AgencyId) -> StoreResult<Vec<AgencyCatalogEntry>> {
        sqlx::query(
            "SELECT a.*, p.code, v.name FROM agency_procedures a JOIN procedures p ON p.id = a.procedure_id \
             JOIN procedure_versions v ON v.procedure_id = p.id AND v.number = \
             (SELECT MAX(l.number) FROM procedure_versions l WHERE l.procedure_id = p.id) \
             WHERE a.agency_id = $1 ORDER BY p.code",
        )
        .bind(agency.0)
        .fetch_all(self.read_pool())
        .await
        .map_err(db_err)?
        .iter()
        .map(|r| {
            Ok(AgencyCatalogEntry {
                code: code(r.text("code")?)?,
                name: r.text("name")?,
                row: agency_procedure_from_row(r)?,
            })
        })
        .collect()
    }

    async fn stored_file(&self, id: i64) -> StoreResult<Option<StoredFile>> {
        sqlx::query("SELECT * FROM stored_files WHERE id = $1")
            .bind(id)
            .fetch_optional(self.read_pool())
            .await
            .map_err(db_err)?
            .map(|r| file_from_row(&r))
            .transpose()
    }

    async fn catalog_import(&self, id: i64) -> StoreResult<Option<ImportRecord>> {
        sqlx::query("SELECT * FROM catalog_imports WHERE id = $1")
            .bind(id)
            .fetch_optional(self.read_pool())
            .await
            .map_err(db_err)?
            .map(|r| import_from_row(&r))
            .transpose()
    }

    async fn recent_catalog_imports(&self, limit: i64) -> StoreResult<Vec<ImportRecord>> {
        sqlx::query("SELECT * FROM catalog_imports ORDER BY id DESC LIMIT $1")
            .bind(limit)
            .fetch_all(self.read_pool())
            .await
            .map_err(db_err)?
            .iter()
            .map(import_from_row)
            .collect()
    }
}

#[async_trait]
impl CatalogWrites for DbTx {
    async fn insert_procedure(&mut self, c: &ProcedureCode, now: Timestamp) -> StoreResult<ProcedureRecord> {
        let id: i64 = sqlx::query_scalar("INSERT INTO procedures (code, created_at) VALUES ($1, $2) RETURNING id")
            .bind(c.as_str().to_owned())
            .bind(us(now))
            .fetch_one(self.conn().await?)
            .await
            .map_err(db_err)?;
        Ok(ProcedureRecord { id, code: c.clone(), created_at: now })
    }

    async fn insert_version(&mut self, v: &VersionRecord) -> StoreResult<i64> {
        let p = v.publication.clone().unwrap_or_default();
        sqlx::query_scalar(
            "INSERT INTO procedure_versions (procedure_id, number, kind, state, name, name_folded, field_name, content, \
             replaced_by, decision_number, decision_date, signer, effective_from, legal_basis_effective_on, \
             portal_published_on, created_by, created_at, updated_at, published_by, published_at, revision) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21) \
             RETURNING id",
        )
        .bind(v.procedure_id)
        .bind(i64::from(v.number))
        .bind(v.kind.as_str())
        .bind(if v.publication.is_some() { "published" } else { "draft" })
        .bind(v.content.name.clone())
        .bind(fold(&v.content.name))
        .bind(v.content.field.name.clone())
        .bind(to_json(&v.content)?)
        .bind(v.replaced_by.as_ref().map(|c| c.as_str().to_owned()))
        .bind(p.decision_number)
        .bind(date_text(p.decision_date))
        .bind(p.signer)
        .bind(date_text(p.effective_from))
        .bind(date_text(p.legal_basis_effective_on))
        .bind(date_text(p.portal_published_on))
        .bind(v.created_by.clone())
        .bind(us(v.created_at))
        .bind(us(v.updated_at))
        .bind(v.published_by.clone())
        .bind(opt_us(v.published_at))
        .bind(v.revision)
        .fetch_one(self.conn().await?)
        .await
        .map_err(db_err)
    }

    async fn update_draft(
        &mut self,
        version_id: i64,
        content: &ProcedureContent,
        expected_revision: i64,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE procedure_versions SET content = $1, name = $2, name_folded = $3, field_name = $4, \
             updated_at = $5, revision = revision + 1 WHERE id = $6 AND state = 'draft' AND revision = $7",
        )
        .bind(to_json(content)?)
        .bind(content.name.clone())
        .bind(fold(&content.name))
        .bind(content.field.name.clone())
        .bind(us(now))
        .bind(version_id)
        .bind(expected_revision)
        .execute(self.conn().await?)
        .await
        .map_err(db_err)?;
        Ok(done.rows_affected() == 1)
    }

    async fn publish_draft(
        &mut self,
        version_id: i64,
        p: &Publication,
        by: &str,
        expected_revision: i64,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE procedure_versions SET state = 'published', decision_number = $1, decision_date = $2, signer = $3, \
             effective_from = $4, legal_basis_effective_on = $5, portal_published_on = $6, published_by = $7, \
             published_at = $8, updated_at = $8, revision = revision + 1 \
             WHERE id = $9 AND state = 'draft' AND revision = $10",
        )
        .bind(p.decision_number.clone())
        .bind(date_text(p.decision_date))
        .bind(p.signer.clone())
        .bind(date_text(p.effective_from))
        .bind(date_text(p.legal_basis_effective_on))
        .bind(date_text(p.portal_published_on))
        .bind(by.to_owned())
        .bind(us(now))
        .bind(version_id)
        .bind(expected_revision)
        .execute(self.conn().await?)
        .await
        .map_err(db_err)?;
        Ok(done.rows_affected() == 1)
    }

    async fn delete_draft(&mut self, version_id: i64, expected_revision: i64) -> StoreResult<bool> {
        let done = sqlx::query("DELETE FROM procedure_versions WHERE id = $1 AND state = 'draft' AND revision = $2")
            .bind(version_id)
            .bind(expected_revision)
            .execute(self.conn().await?)
            .await
            .map_err(db_err)?;
        Ok(done.rows_affected() == 1)
    }

    async fn bump_catalog_revision(&mut self) -> StoreResult<()> {
        sqlx::query("UPDATE catalog_state SET revision = revision + 1 WHERE id = 1")
            .execute(self.conn().await?)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn replace_agency_procedures(&mut self, agency: AgencyId, rows: &[AgencyProcedure]) -> StoreResult<()> {
        sqlx::query("DELETE FROM agency_procedures WHERE agency_id = $1")
            .bind(agency.0)
            .execute(self.conn().await?)
            .await
            .map_err(db_err)?;
        self.upsert_agency_procedures(rows).await
    }

    async fn upsert_agency_procedures(&mut self, rows: &[AgencyProcedure]) -> StoreResult<()> {
        for chunk in rows.chunks(200) {
            let mut b = SqlBuilder::new(
                "INSERT INTO agency_procedures (agency_id, procedure_id, desk, postal, online, resolves) VALUES ",
            );
            for (i, r) in chunk.iter().enumerate() {
                b.push(if i == 0 { "(" } else { ", (" });
                b.bind(r.agency_id.0).push(", ").bind(r.procedure_id).push(", ").bind(r.desk).push(", ");
                b.bind(r.postal).push(", ").bind(r.online).push(", ").bind(r.resolves).push(")");
            }
            b.push(
                " ON CONFLICT (agency_id, procedure_id) DO UPDATE SET desk = excluded.desk, postal = excluded.postal, \
                 online = excluded.online, resolves = excluded.resolves",
            );
            b.build().execute(self.conn().await?).await.map_err(db_err)?;
        }
        Ok(())
    }

    async fn insert_stored_file(&mut self, f: &StoredFile) -> StoreResult<i64> {
        sqlx::query_scalar(
            "INSERT INTO stored_files (sha256, file_name, content_type, size, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(f.sha256.clone())
        .bind(f.file_name.clone())
        .bind(f.content_type.clone())
        .bind(f.size)
        .bind(f.created_by.clone())
        .bind(us(f.created_at))
        .fetch_one(self.conn().await?)
        .await
        .map_err(db_err)
    }

    async fn insert_catalog_import(&mut self, i: &NewImport) -> StoreResult<i64> {
        sqlx::query_scalar(
            "INSERT INTO catalog_imports (file_id, file_name, format, row_count, status, user_id, created_by, \
             created_at) VALUES ($1, $2, $3, $4, 'queued', $5, $6, $7) RETURNING id",
        )
        .bind(i.file_id)
        .bind(i.file_name.clone())
        .bind(i.format.as_str())
        .bind(i.row_count)
        .bind(i.user_id.0)
        .bind(i.created_by.clone())
        .bind(us(i.created_at))
        .fetch_one(self.conn().await?)
        .await
        .map_err(db_err)
    }

    async fn start_catalog_import(&mut self, id: i64, now: Timestamp) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE catalog_imports SET status = 'running', started_at = COALESCE(started_at, $2) \
             WHERE id = $1 AND status IN ('queued', 'running')",
        )
        .bind(id)
        .bind(us(now))
        .execute(self.conn().await?)
        .await
        .map_err(db_err)?;
        Ok(done.rows_affected() == 1)
    }

    async fn finish_catalog_import(
        &mut self,
        id: i64,
        outcome: &Result<ImportReport, Vec<ImportProblem>>,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let (status, report, problems) = match outcome {
            Ok(r) => (ImportStatus::Succeeded, Some(r), None),
            Err(p) => (ImportStatus::Failed, None, Some(to_json(p)?)),
        };
        let n = |f: fn(&ImportReport) -> usize| report.map(|r| i64::try_from(f(r)).unwrap_or(i64::MAX));
        let done = sqlx::query(
            "UPDATE catalog_imports SET status = $2, created = $3, amended = $4, unchanged = $5, problems = $6, \
             finished_at = $7 WHERE id = $1 AND status IN ('queued', 'running')",
        )
        .bind(id)
        .bind(status.as_str())
        .bind(n(|r| r.created))
        .bind(n(|r| r.amended))
        .bind(n(|r| r.unchanged))
        .bind(problems)
        .bind(us(now))
        .execute(self.conn().await?)
        .await
        .map_err(db_err)?;
        Ok(done.rows_affected() == 1)
    }
}
