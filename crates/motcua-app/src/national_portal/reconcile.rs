//! Reconciliation with the national portal (`legal.md` §13.2): our Decision 766 figures for a
//! calendar period beside those the portal publishes, cell by cell, with the dossiers that the
//! portal does not hold as they stand (never told, failing, given up), which explain most
//! differences; and the outbox's state.

use jiff::Timestamp;
use motcua_domain::agency::{Agency, AgencyId};
use motcua_domain::national_portal::reconcile::{
    COMPARED, Cell, Compared, compare, evaluation_request, read_published,
};
use motcua_domain::report::ReportPeriod;
use motcua_domain::report::index766::{Index766, Standing};

use super::NationalPortal;
use crate::error::AppError;
use crate::ports::{PortalBacklog, PortalProblem};
use crate::reports::{Reports, Viewer};

/// One cell with what explains it.
#[derive(Debug, Clone)]
pub struct CellView {
    pub cell: Cell,
    pub agency_name: String,
    /// The agency's dossiers the portal does not hold as they stand (ids into `problems`).
    pub problems: Vec<i64>,
}

/// One indicator's cells.
#[derive(Debug, Clone)]
pub struct IndicatorCells {
    pub compared: Compared,
    pub cells: Vec<CellView>,
    /// Why the portal's figures are missing (not configured, unreachable, unreadable).
    pub portal_error: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Reconciliation {
    pub agency: Agency,
    pub period: ReportPeriod,
    pub indicators: Vec<IndicatorCells>,
    pub problems: Vec<PortalProblem>,
    pub backlog: PortalBacklog,
    /// What the portal sent lately that was not taken (refused or failed), newest first.
    pub not_taken: Vec<crate::ports::PortalInboundEntry>,
    pub checked_at: Timestamp,
}

impl Reconciliation {
    /// Cells that disagree.
    pub fn differences(&self) -> usize {
        self.indicators.iter().flat_map(|i| &i.cells).filter(|c| c.cell.differs()).count()
    }

    /// Whether the portal's figures could be read for every indicator.
    pub fn complete(&self) -> bool {
        self.indicators.iter().all(|i| i.portal_error.is_none())
    }
}

/// `(numerator, denominator)` of an indicator in an index.
fn counts(index: &Index766, indicator: &str) -> (i64, i64) {
    index
        .lines
        .iter()
        .find(|l| l.indicator.id == indicator)
        .and_then(|l| match l.standing {
            Standing::Scored { numerator, denominator, .. } | Standing::Monitored { numerator, denominator, .. } => {
                Some((numerator, denominator))
            }
            Standing::NoData { .. } => None,
        })
        .unwrap_or((0, 0))
}

impl NationalPortal {
    /// Reconciles an agency's subtree for a calendar period. `department` is the portal's
    /// `departmentType` (the province's root department id, or its default).
    pub async fn reconcile(
        &self,
        viewer: Viewer<'_>,
        agency: Option<&str>,
        period: ReportPeriod,
        department: Option<&str>,
    ) -> Result<Reconciliation, AppError> {
        let request =
            evaluation_request(&period, department).map_err(|m| AppError::field("period", "not_calendar", m))?;
        let reports = Reports::new(self.core.clone());
        let scope = reports.scope(viewer, agency).await?;
        let index = reports.index766(viewer, Some(scope.agency.code.as_str()), period).await?;
        // Ours per agency: the agency itself, then its communes in the ranking's order.
        let mut ours: Vec<(&Agency, &Index766)> = vec![(&index.agency, &index.index)];
        ours.extend(index.ranking.iter().map(|r| (&r.agency, &r.index)));
        let problems = self.core.store.portal_problems(&scope.ids(), 500).await?;
        let commune_of = |a: AgencyId| scope.commune_of(a).unwrap_or(a);
        let mut indicators = Vec::new();
        for compared in COMPARED {
            let mine: Vec<(String, i64, i64)> = ours
                .iter()
                .map(|(a, i)| {
                    let (n, d) = counts(i, compared.indicator);
                    (a.code.to_string(), n, d)
                })
                .collect();
            let (published, portal_error) = match &self.figures {
                None => (
                    Default::default(),
                    Some("Chưa cấu hình địa chỉ công bố số liệu của Cổng (portal.evaluation_url).".to_owned()),
                ),
                Some(f) => match f.evaluation(compared.endpoint, &request).await {
                    Err(e) => {
                        (Default::default(), Some(format!("Không lấy được số liệu {}: {e:#}", compared.endpoint)))
                    }
                    Ok(answer) => match read_published(&compared, &answer) {
                        Ok(p) => (p, None),
                        Err(e) => (Default::default(), Some(e)),
                    },
                },
            };
            let cells = compare(&compared, &mine, &published)
                .into_iter()
                .zip(&ours)
                .map(|(cell, (a, _))| {
                    let own = |p: &&PortalProblem| {
                        // The agency's own dossiers: all of the subtree for the agency reconciled,
                        // a commune's for each commune.
                        a.id == scope.agency.id || commune_of(p.receiving_agency_id) == a.id
                    };
                    CellView {
                        problems: problems.iter().filter(own).map(|p| p.dossier_id).collect(),
                        agency_name: a.name.clone(),
                        cell: if portal_error.is_some() { Cell { portal: None, ..cell } } else { cell },
                    }
                })
                .collect();
            indicators.push(IndicatorCells { compared, cells, portal_error });
        }
        Ok(Reconciliation {
            agency: scope.agency.clone(),
            period,
            indicators,
            problems,
            backlog: self.core.store.portal_backlog(self.core.now()).await?,
            not_taken: self.core.store.portal_inbound_log(50).await?,
            checked_at: self.core.now(),
        })
    }

    /// The outbox's state (the metrics and the operator's view).
    pub async fn backlog(&self) -> Result<PortalBacklog, AppError> {
        Ok(self.core.store.portal_backlog(self.core.now()).await?)
    }

    /// A dossier by its number, its code or the portal's code.
    pub async fn dossier_id(&self, key: &str) -> Result<i64, AppError> {
        let key = key.trim();
        let store = &self.core.store;
        let found = match key.parse::<i64>() {
            Ok(id) => store.dossier_row(id).await?.map(|r| r.id),
            Err(_) => match store.dossier_id_by_code(key).await? {
                Some(id) => Some(id),
                None => store.dossier_id_by_portal_code(key).await?,
            },
        };
        found.ok_or(AppError::NotFound("hồ sơ"))
    }

    /// Sends a given-up dossier again from where it stopped (an operator's decision, after the
    /// cause is fixed): its retry state is cleared, the sender woken, and the decision audited.
    /// `principal`: the official asking (operators of the installation only); `None`: the CLI.
    pub async fn resend(
        &self,
        principal: Option<&motcua_domain::account::Principal>,
        key: &str,
        meta: &crate::context::RequestMeta,
    ) -> Result<i64, AppError> {
        use motcua_domain::policy::{Permission, Target, authorize};
        let actor = match principal {
            Some(p) => crate::context::Actor::Official {
                principal: p,
                grant: Some(authorize(p, Permission::OperateSystem, Target::System)?),
            },
            None => crate::context::Actor::System { label: "cli" },
        };
        let dossier_id = self.dossier_id(key).await?;
        let now = self.core.now();
        let mut tx = self.core.store.begin().await?;
        let mut row = tx.lock_portal_sync(dossier_id).await?;
        row.dead = false;
        row.attempts = 0;
        row.next_attempt_at = None;
        tx.save_portal_sync(&row, now).await?;
        if self.core.portal_linked.load(std::sync::atomic::Ordering::Relaxed) {
            let job = crate::jobs::new_job(super::PortalSendJob::KIND, &serde_json::json!({}), now, 3, None)
                .map_err(AppError::Internal)?;
            crate::jobs::enqueue(&mut *tx, &job, now).await?;
        }
        let event = actor.did("portal.resend").target(Some(("dossier", dossier_id.to_string()))).event(meta, now);
        self.core.commit_audited(tx, event, meta).await?;
        Ok(dossier_id)
    }
}
