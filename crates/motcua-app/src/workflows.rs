//! Workflow definitions (quy trình nội bộ điện tử): which steps, units, roles and time budgets a
//! procedure's dossiers follow, per case and per agency when they differ. Saved definitions are
//! checked against the procedure in force (the budgets must add up to the legal time); the text
//! format (TOML, see `WorkflowFile`) is what admins export, edit and import.
//!
//! At intake the most specific definition wins: case and agency, case, agency, the procedure;
//! without one the generic five-stage workflow applies.

use motcua_domain::validation::NonBlank;
use std::sync::Arc;

use motcua_domain::account::Principal;
use motcua_domain::agency::{Agency, AgencyCode, AgencyId};
use motcua_domain::calendar::ProcessingTime;
use motcua_domain::catalog::{Channel, ProcedureContent};
use motcua_domain::dossier::{Workflow, WorkflowStep};
use motcua_domain::policy::{Permission, Target, authorize};
use motcua_domain::time::vn_date;
use motcua_domain::validation::{FieldError, ValidationErrors};
use serde::{Deserialize, Serialize};

use crate::context::{Actor, RequestMeta};
use crate::core::Core;
use crate::error::AppError;
use crate::ports::WorkflowRecord;
use crate::snapshot::Snapshot;

/// Internal workflows (quy trình nội bộ) of procedures.
#[derive(Clone)]
pub struct Workflows {
    core: Arc<Core>,
}

impl Workflows {
    pub(crate) fn new(core: Arc<Core>) -> Self {
        Self { core }
    }
}

/// One definition in the text format.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkflowEntry {
    /// Procedure code, e.g. `2.000908`.
    pub procedure: String,
    /// A case of the procedure by name; absent: every case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case: Option<String>,
    /// An agency e-ID; absent: every agency that handles the procedure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agency: Option<String>,
    /// The steps in order.
    #[serde(rename = "step", alias = "steps")]
    pub steps: Vec<WorkflowStep>,
    /// For an edit: the version it started from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<i64>,
}

/// The text format: `[[workflow]]` tables, each with `[[workflow.step]]` tables.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkflowFile {
    #[serde(default, rename = "workflow")]
    pub workflows: Vec<WorkflowEntry>,
}

/// A stored definition as the admin pages and the API show it.
#[derive(Debug, Clone)]
pub struct WorkflowView {
    pub id: i64,
    pub procedure: String,
    pub procedure_name: Option<String>,
    pub case: Option<String>,
    pub agency: Option<String>,
    pub agency_name: Option<String>,
    pub version: i64,
    pub updated_by: String,
    pub updated_at: String,
    pub timed: bool,
    pub steps: Vec<WorkflowStep>,
}

impl WorkflowView {
    /// The definition in the text format's shape (for export and the editor).
    pub fn entry(&self) -> WorkflowEntry {
        WorkflowEntry {
            procedure: self.procedure.clone(),
            case: self.case.clone(),
            agency: self.agency.clone(),
            steps: self.steps.clone(),
            version: Some(self.version),
        }
    }
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkflowImport {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
}

/// The text of one definition, as the editor shows it.
pub fn entry_text(entry: &WorkflowEntry) -> String {
    toml::to_string(&WorkflowFile { workflows: vec![entry.clone()] }).unwrap_or_default()
}

/// Parses the text format; a syntax error names its line.
pub fn parse_file(text: &str) -> Result<WorkflowFile, AppError> {
    toml::from_str::<WorkflowFile>(text).map_err(|e| {
        let line = e.span().map(|s| text[..s.start.min(text.len())].lines().count().max(1));
        let at = line.map(|l| format!("dòng {l}: ")).unwrap_or_default();
        AppError::field("definition", "invalid_toml", format!("{at}{}", e.message()))
    })
}

impl Workflows {
    /// Who may define workflows: catalogue managers; for every agency only with a
    /// province-wide grant, for one agency with a grant over it.
    fn workflow_grant<'p>(
        &self,
        principal: &'p Principal,
        agency: Option<&Agency>,
    ) -> Result<&'p motcua_domain::account::Grant, AppError> {
        let target = match agency {
            Some(a) => Target::Agency(&a.path),
            None => Target::System,
        };
        Ok(authorize(principal, Permission::ManageCatalog, target)?)
    }

    /// Who manages the catalogue nowhere may not touch workflows at all; checked before any
    /// input is read.
    pub fn authorize_workflows(&self, principal: &Principal) -> Result<(), AppError> {
        if motcua_domain::policy::scopes(principal, Permission::ManageCatalog).is_empty() {
            return Err(AppError::Forbidden(motcua_domain::policy::Denied::MissingPermission));
        }
        Ok(())
    }

    /// Whether a catalogue manager sees a workflow: the general ones (they apply everywhere),
    /// and those of a single agency within their scope.
    async fn workflow_visible(&self, principal: &Principal, r: &WorkflowRecord) -> Result<bool, AppError> {
        Ok(match r.agency_id {
            None => true,
            Some(id) => match self.core.store.agency(id).await? {
                Some(a) => authorize(principal, Permission::ManageCatalog, Target::Agency(&a.path)).is_ok(),
                None => false,
            },
        })
    }

    pub async fn list_workflows(&self, principal: &Principal) -> Result<Vec<WorkflowView>, AppError> {
        self.authorize_workflows(principal)?;
        let mut out = Vec::new();
        for r in self.core.store.workflows().await? {
            if self.workflow_visible(principal, &r).await? {
                out.push(self.workflow_view(r).await?);
            }
        }
        Ok(out)
    }

    pub async fn workflow_by_id(&self, principal: &Principal, id: i64) -> Result<WorkflowView, AppError> {
        self.authorize_workflows(principal)?;
        let r = self.core.store.workflow(id).await?.ok_or(AppError::NotFound("quy trình"))?;
        if !self.workflow_visible(principal, &r).await? {
            return Err(AppError::NotFound("quy trình"));
        }
        self.workflow_view(r).await
    }

    async fn workflow_view(&self, r: WorkflowRecord) -> Result<WorkflowView, AppError> {
        let agency = match r.agency_id {
            Some(id) => self.core.store.agency(id).await?,
            None => None,
        };
        let today = vn_date(self.core.now());
        let name = self
            .core
            .snapshot()
            .await?
            .version_in_force(&r.procedure_code, today)
            .await
            .ok()
            .map(|(_, _, v)| v.content.name);
        Ok(WorkflowView {
            id: r.id,
            procedure: r.procedure_code,
            procedure_name: name,
            case: r.case_name,
            agency: agency.as_ref().map(|a| a.code.to_string()),
            agency_name: agency.map(|a| a.name),
            version: r.version,
            updated_by: r.updated_by,
            updated_at: motcua_domain::time::format_datetime(r.updated_at),
            timed: r.workflow.is_timed(),
            steps: r.workflow.steps,
        })
    }

    /// Checks an entry against the catalogue and the agency tree.
    async fn check_entry(
        &self,
        snapshot: &Snapshot,
        entry: &WorkflowEntry,
        prefix: &str,
    ) -> Result<(Option<Agency>, Workflow), ValidationErrors> {
        let mut e = ValidationErrors::new();
        let field = |f: &str| format!("{prefix}{f}");
        let workflow = Workflow { steps: entry.steps.clone() };
        let content: Option<ProcedureContent> =
            match snapshot.version_in_force(&entry.procedure, vn_date(self.core.now())).await {
                Ok((_, _, v)) => Some(v.content),
                Err(_) => {
                    e.push(FieldError::new(
                        field("procedure"),
                        "not_in_force",
                        format!("Không có thủ tục mã \"{}\" đang có hiệu lực.", entry.procedure),
                    ));
                    None
                }
            };
        let agency = match entry.agency.as_deref().non_blank() {
            Some(code) => match AgencyCode::parse(code) {
                Ok(c) => match self.core.store.agency_by_code(&c).await {
                    Ok(Some(a)) => Some(a),
                    _ => {
                        e.push(FieldError::new(field("agency"), "not_found", format!("Không có cơ quan mã {code}.")));
                        None
                    }
                },
                Err(_) => {
                    e.push(FieldError::new(
                        field("agency"),
                        "invalid_format",
                        format!("\"{code}\" không phải mã định danh."),
                    ));
                    None
                }
            },
            None => None,
        };
        // The legal time the budgets must fill: the case's, or every case's when they agree.
        let mut legal: Option<ProcessingTime> = None;
        if let Some(content) = &content {
            match entry.case.as_deref().non_blank() {
                Some(name) => match content.cases.iter().find(|c| c.name == name) {
                    Some(case) => legal = case.time.processing_time(Channel::Desk),
                    None => e.push(FieldError::new(
                        field("case"),
                        "not_found",
                        format!(
                            "Thủ tục không có trường hợp \"{name}\"; các trường hợp: {}.",
                            content.cases.iter().map(|c| format!("\"{}\"", c.name)).collect::<Vec<_>>().join(", ")
                        ),
                    )),
                },
                None => {
                    let times: Vec<Option<ProcessingTime>> =
                        content.cases.iter().map(|c| c.time.processing_time(Channel::Desk)).collect();
                    if workflow.is_timed() && times.windows(2).any(|w| w[0] != w[1]) {
                        e.push(FieldError::new(
                            field("case"),
                            "times_differ",
                            "Các trường hợp của thủ tục có thời gian giải quyết khác nhau: quy trình có phân bổ thời gian phải ghi rõ trường hợp.",
                        ));
                    }
                    legal = times.into_iter().next().flatten();
                }
            }
            if let Err(more) = workflow.validate(legal.as_ref()) {
                for mut f in more.errors {
                    f.field = field(&f.field);
                    e.push(f);
                }
            }
        }
        // Named units must exist; units relative to the resolving agency are checked at intake.
        for (i, s) in workflow.steps.iter().enumerate() {
            if let Some(motcua_domain::dossier::UnitRef::Agency(code)) = &s.unit
                && !matches!(self.core.store.agency_by_code(code).await, Ok(Some(_)))
            {
                e.push(FieldError::new(
                    field(&format!("steps[{i}].unit")),
                    "not_found",
                    format!("Không có cơ quan mã {code}."),
                ));
            }
        }
        e.into_result().map(|()| (agency, workflow))
    }

    /// Creates or replaces (under a version check) one definition.
    pub async fn save_workflow(
        &self,
        principal: &Principal,
        entry: &WorkflowEntry,
        meta: &RequestMeta,
    ) -> Result<WorkflowView, AppError> {
        self.authorize_workflows(principal)?;
        let (agency, workflow) = self.check_entry(&*self.core.snapshot().await?, entry, "").await?;
        let grant = self.workflow_grant(principal, agency.as_ref())?;
        let record = self.record(entry, agency.as_ref().map(|a| a.id), workflow, principal);
        let mut tx = self.core.store.begin().await?;
        let Some((id, _)) = tx.save_workflow(&record, entry.version).await? else {
            return Err(match entry.version {
                None => AppError::Conflict {
                    code: "duplicate_workflow",
                    message: "Đã có quy trình cho thủ tục, trường hợp và cơ quan này; hãy sửa quy trình đó.".into(),
                    field: Some("procedure".into()),
                },
                Some(_) => AppError::stale("Quy trình"),
            });
        };
        let event = Actor::Official { principal, grant: Some(grant) }
            .did(if entry.version.is_some() { "workflow.update" } else { "workflow.create" })
            .on("workflow", id.to_string())
            .detail(format!("{} {}", entry.procedure, entry.case.as_deref().unwrap_or("")))
            .event(meta, self.core.now());
        self.core.commit_audited(tx, event, meta).await?;
        let r = self.core.store.workflow(id).await?.ok_or(AppError::NotFound("quy trình"))?;
        self.workflow_view(r).await
    }

    fn record(
        &self,
        entry: &WorkflowEntry,
        agency: Option<AgencyId>,
        workflow: Workflow,
        p: &Principal,
    ) -> WorkflowRecord {
        WorkflowRecord {
            id: 0,
            procedure_code: entry.procedure.trim().to_owned(),
            case_name: entry.case.as_deref().non_blank().map(str::to_owned),
            agency_id: agency,
            workflow,
            version: 0,
            updated_by: p.full_name.clone(),
            updated_at: self.core.now(),
        }
    }

    pub async fn delete_workflow(
        &self,
        principal: &Principal,
        id: i64,
        version: i64,
        meta: &RequestMeta,
    ) -> Result<(), AppError> {
        self.authorize_workflows(principal)?;
        let r = self.core.store.workflow(id).await?.ok_or(AppError::NotFound("quy trình"))?;
        if !self.workflow_visible(principal, &r).await? {
            return Err(AppError::NotFound("quy trình"));
        }
        let agency = match r.agency_id {
            Some(a) => self.core.store.agency(a).await?,
            None => None,
        };
        let grant = self.workflow_grant(principal, agency.as_ref())?;
        let mut tx = self.core.store.begin().await?;
        if !tx.delete_workflow(id, version).await? {
            return Err(AppError::stale("Quy trình"));
        }
        let event = Actor::Official { principal, grant: Some(grant) }
            .did("workflow.delete")
            .on("workflow", id.to_string())
            .detail(r.procedure_code)
            .event(meta, self.core.now());
        self.core.commit_audited(tx, event, meta).await?;
        Ok(())
    }

    /// Every definition in the text format.
    pub async fn export_workflows(&self, principal: &Principal) -> Result<String, AppError> {
        let views = self.list_workflows(principal).await?;
        let file =
            WorkflowFile { workflows: views.iter().map(|v| WorkflowEntry { version: None, ..v.entry() }).collect() };
        let body = toml::to_string(&file).map_err(|e| AppError::Internal(e.into()))?;
        Ok(format!(
            "# Quy trình nội bộ điện tử — xuất từ motcua. Mỗi [[workflow]] là một quy trình;\n\
             # nhập lại bằng: Quản trị → Quy trình → Nhập tệp, hoặc POST /api/v1/workflows/import.\n\n{body}"
        ))
    }

    /// Imports a file: every definition is checked first; one bad entry changes nothing. An
    /// entry for an existing procedure, case and agency replaces it.
    pub async fn import_workflows(
        &self,
        principal: &Principal,
        text: &str,
        meta: &RequestMeta,
    ) -> Result<WorkflowImport, AppError> {
        self.authorize_workflows(principal)?;
        let file = parse_file(text)?;
        if file.workflows.is_empty() {
            return Err(AppError::field("definition", "empty", "Tệp không có quy trình nào ([[workflow]])."));
        }
        let mut e = ValidationErrors::new();
        let mut checked = Vec::new();
        let snapshot = self.core.snapshot().await?;
        for (i, entry) in file.workflows.iter().enumerate() {
            match self.check_entry(&snapshot, entry, &format!("workflow[{i}].")).await {
                Ok((agency, workflow)) => {
                    self.workflow_grant(principal, agency.as_ref())?;
                    checked.push((entry, agency, workflow));
                }
                Err(more) => e.errors.extend(more.errors),
            }
        }
        e.into_result()?;
        let grant = self.workflow_grant(principal, None).or_else(|_| {
            principal
                .grants
                .iter()
                .find(|g| motcua_domain::policy::role_permissions(g.role).contains(&Permission::ManageCatalog))
                .ok_or(AppError::Forbidden(motcua_domain::policy::Denied::MissingPermission))
        })?;
        let existing = self.core.store.workflows().await?;
        let mut summary = WorkflowImport::default();
        let mut tx = self.core.store.begin().await?;
        for (entry, agency, workflow) in checked {
            let record = self.record(entry, agency.as_ref().map(|a| a.id), workflow, principal);
            let current = existing.iter().find(|r| {
                r.procedure_code == record.procedure_code
                    && r.case_name == record.case_name
                    && r.agency_id == record.agency_id
            });
            match current {
                Some(c) if c.workflow == record.workflow => summary.unchanged += 1,
                Some(c) => {
                    tx.save_workflow(&record, Some(c.version)).await?.ok_or_else(|| AppError::stale("Quy trình"))?;
                    summary.updated += 1;
                }
                None => {
                    tx.save_workflow(&record, None).await?.ok_or_else(|| AppError::stale("Quy trình"))?;
                    summary.created += 1;
                }
            }
        }
        let event = Actor::Official { principal, grant: Some(grant) }
            .did("workflow.import")
            .detail(format!("{} mới, {} sửa, {} giữ nguyên", summary.created, summary.updated, summary.unchanged))
            .event(meta, self.core.now());
        self.core.commit_audited(tx, event, meta).await?;
        Ok(summary)
    }
}
