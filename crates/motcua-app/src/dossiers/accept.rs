//! Accepting a dossier (tiếp nhận hồ sơ): the plan (the legal processing time, the resolving
//! agency, the workflow's steps on their agencies, the calendars they run on) and the one
//! command that issues the dossier code and the appointment, whether the desk accepts at
//! intake ([`super::intake`]) or a recorded dossier later ([`super::actions`]).

use std::collections::HashMap;

use jiff::Timestamp;
use motcua_domain::agency::{Agency, AgencyCode, AgencyId};
use motcua_domain::calendar::WorkingCalendar;
use motcua_domain::catalog::{Channel, ProcedureContent};
use motcua_domain::dossier::event::PlannedStep;
use motcua_domain::dossier::workflow::StepKind;
use motcua_domain::dossier::{Command, DossierCode, DossierState, UnitRef};
use motcua_domain::time::vn_date;

use super::{Dossiers, agency_ref};
use crate::error::AppError;
use crate::ports::AgencyProcedure;
use crate::snapshot::Snapshot;

/// What accepting a dossier needs, computed before the transaction opens.
pub(super) struct AcceptancePlan {
    pub resolving: Agency,
    pub time: motcua_domain::calendar::ProcessingTime,
    pub counting: motcua_domain::calendar::Counting,
    pub steps: Vec<PlannedStep>,
    /// The receiving agency's calendar: the due instant and the appointment on the receipt.
    pub calendar: motcua_domain::calendar::WorkingCalendar,
    /// The calendars of the agencies doing the steps.
    pub agency_calendars: std::collections::HashMap<AgencyId, motcua_domain::calendar::WorkingCalendar>,
    pub calendar_revision: i64,
}

impl Dossiers {
    /// How the agency handles the procedure (`not_handled` when it does not).
    pub(super) async fn handling_row(
        &self,
        reference: &Snapshot,
        agency: &Agency,
        procedure_id: i64,
    ) -> Result<AgencyProcedure, AppError> {
        let rows = reference.handling(procedure_id).await?;
        rows.iter().find(|r| r.agency_id == agency.id).cloned().ok_or_else(|| {
            AppError::field("agency_code", "not_handled", format!("{} không tiếp nhận thủ tục này.", agency.name))
        })
    }

    /// The plan of accepting a recorded dossier, from what was submitted: the procedure version
    /// received under, the case, the channel.
    pub(super) async fn plan_for_recorded(
        &self,
        reference: &Snapshot,
        state: &DossierState,
    ) -> Result<AcceptancePlan, AppError> {
        let sub = &state.submission;
        let not_found = || AppError::NotFound("phiên bản thủ tục");
        let code = motcua_domain::catalog::ProcedureCode::parse(&sub.procedure.code).map_err(|_| not_found())?;
        let (_, versions) = reference.procedure(&code).await?.ok_or_else(not_found)?;
        let version = versions.iter().find(|v| v.id == sub.procedure.version_id).ok_or_else(not_found)?;
        let case = version.content.case(Some(&sub.procedure.case)).ok_or(AppError::NotFound("trường hợp thủ tục"))?;
        let receiving = reference.agency(sub.receiving.id).await?.ok_or(AppError::NotFound("cơ quan"))?;
        let handling = self.handling_row(reference, &receiving, sub.procedure.id).await?;
        self.acceptance_plan(reference, &receiving, &handling, &version.content, case, sub.channel, &sub.procedure.code)
            .await
    }

    #[expect(clippy::too_many_arguments, reason = "the facts of one intake, each from a different lookup")]
    pub(super) async fn acceptance_plan(
        &self,
        reference: &Snapshot,
        receiving: &Agency,
        handling: &AgencyProcedure,
        content: &ProcedureContent,
        case: &motcua_domain::catalog::ProcedureCase,
        channel: Channel,
        procedure_code: &str,
    ) -> Result<AcceptancePlan, AppError> {
        let time = case.time.processing_time(channel).ok_or_else(|| {
            AppError::field(
                "case",
                "no_processing_time",
                format!(
                    "Thời gian giải quyết của thủ tục \"{}\" chưa được công bố theo đơn vị tính được; cần bổ sung trong danh mục trước khi tiếp nhận.",
                    content.name
                ),
            )
        })?;
        let mut workflow = reference.workflow_for(procedure_code, &case.name, receiving.id).await?;
        let unit = |code: String| async move {
            let found = match AgencyCode::parse(&code) {
                Ok(c) => reference.agency_by_code(&c).await?,
                Err(_) => None,
            };
            found.filter(|a| a.active).ok_or_else(|| {
                AppError::field(
                    "workflow",
                    "unit_missing",
                    format!(
                        "Quy trình của thủ tục này giao bước cho đơn vị {code}, nhưng không có đơn vị đó; quản trị cần sửa quy trình."
                    ),
                )
            })
        };
        // The approval step's unit names the resolving agency when another agency decides (a
        // province desk receiving for a department); otherwise the receiving agency resolves.
        let resolving = match workflow.approving_unit() {
            Some(UnitRef::Agency(code)) => unit(code.to_string()).await?,
            _ => receiving.clone(),
        };
        if resolving.id == receiving.id && !handling.resolves {
            return Err(AppError::field(
                "agency_code",
                "no_resolving_agency",
                format!(
                    "{} chỉ tiếp nhận thủ tục này; chưa cấu hình cơ quan giải quyết nên chưa thể tiếp nhận chính thức.",
                    receiving.name
                ),
            ));
        }
        // A timed workflow whose budgets no longer fill the legal time (the procedure or the
        // channel's time differs) still routes the dossier, judged against its due date only.
        if workflow.is_timed() {
            let budgets: Vec<_> = workflow.steps.iter().filter_map(|s| s.budget).collect();
            if motcua_domain::calendar::deadline::check_step_budgets(&time, &budgets).is_err() {
                tracing::warn!(procedure = procedure_code, case = %case.name, "workflow budgets do not match the legal time; steps untimed");
                for s in &mut workflow.steps {
                    s.budget = None;
                }
            }
        }
        let mut steps = Vec::with_capacity(workflow.steps.len());
        for s in &workflow.steps {
            let agency = match &s.unit {
                Some(u) => unit(u.resolve(&resolving.code)).await?,
                None => match s.kind {
                    StepKind::Intake | StepKind::Return => receiving.clone(),
                    _ => resolving.clone(),
                },
            };
            steps.push(PlannedStep {
                kind: s.kind,
                name: s.name.clone(),
                role: s.role,
                agency: agency_ref(&agency),
                budget: s.budget,
            });
        }
        let cal = reference.agency_calendar(receiving).await?;
        let agency_calendars = reference.calendars_of(steps.iter().map(|s| s.agency.id).collect()).await?;
        Ok(AcceptancePlan {
            resolving,
            time,
            counting: cal.counting,
            steps,
            calendar: cal.calendar,
            agency_calendars,
            calendar_revision: cal.calendar_revision,
        })
    }
}

/// The accept command of a plan, with the calendars its deadlines run on.
pub(super) struct Accepting {
    pub command: Command,
    /// The receiving agency's calendar: the due instant and the appointment on the receipt.
    pub calendar: WorkingCalendar,
    /// The calendars of the agencies doing the steps.
    pub agency_calendars: HashMap<AgencyId, WorkingCalendar>,
}

impl AcceptancePlan {
    /// Accepts with `number`, the resolving agency's next code number of `now`'s day.
    pub(super) fn accept(self, number: u32, now: Timestamp) -> Result<Accepting, AppError> {
        let code = DossierCode::new(self.resolving.code.clone(), vn_date(now), number)
            .map_err(|e| AppError::Internal(anyhow::anyhow!("dossier code: {}", e.message)))?;
        Ok(Accepting {
            command: Command::Accept {
                code,
                processing_time: self.time,
                counting: self.counting,
                resolving: agency_ref(&self.resolving),
                steps: self.steps,
                calendar_revision: self.calendar_revision,
            },
            calendar: self.calendar,
            agency_calendars: self.agency_calendars,
        })
    }
}
