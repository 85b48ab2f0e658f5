//! Statistics and reports: Biểu 06 and its one-stop-centre variant, the dossiers behind every
//! number, the raw export, and the upkeep of the rollup counters (rebuild and verification).
//!
//! Every number is a sum of rollup counters (`report::rollup`); every list behind a number is
//! selected by the same measure's rule (`report::measure`), so the two cannot disagree.

mod dashboard;
mod export;
mod form06;
mod full_online;
mod index766;
mod print;
mod productivity;
mod rebuild;
mod satisfaction;
mod targets;
mod xlsx;

use std::collections::HashMap;
use std::sync::Arc;

use motcua_domain::account::Principal;
use motcua_domain::agency::{Agency, AgencyCode, AgencyId, AgencyLevel};
use motcua_domain::policy::{Denied, Permission, authorize_dossier, scopes, unit_parents};
use motcua_domain::report::form06::Tier;
use motcua_domain::report::measure::Window;
use motcua_domain::report::rollup::{ranges, ranges_before};
use motcua_domain::report::{Counters, ReportPeriod};

pub use self::dashboard::{Dashboard, Figures, NamedFigures, TargetProgress, TrendPoint};
pub use self::export::{EXPORT_COLUMNS, ExportPage, ExportRow, csv_line};
pub use self::form06::{Form06, Form06Row};
pub use self::full_online::{FullOnlineReport, FullOnlineRow};
pub use self::index766::{Index766Report, RankedAgency};
pub use self::productivity::{Productivity, ProductivityRow};
pub use self::rebuild::{RebuildSummary, RollupMismatch};
pub use self::satisfaction::SatisfactionReport;
pub use self::targets::{EffectiveTarget, TargetSheet, TargetSource};
use crate::core::Core;
use crate::error::AppError;
use crate::ports::{CountedBy, ProcedureField, RollupQuery};

#[derive(Clone)]
pub struct Reports {
    core: Arc<Core>,
}

/// Who asks for a report: an official (authorized on the agency), the operator at the command
/// line (the whole installation), or the public (the aggregate figures of a named agency, as the
/// monthly publication of the index requires).
#[derive(Debug, Clone, Copy)]
pub enum Viewer<'a> {
    Official(&'a Principal),
    Operator,
    Public,
}

impl<'a> From<&'a Principal> for Viewer<'a> {
    fn from(p: &'a Principal) -> Self {
        Viewer::Official(p)
    }
}

/// The agencies a report covers: the chosen one and everything under it.
#[derive(Debug, Clone)]
pub struct ReportScope {
    pub agency: Agency,
    pub agencies: Vec<Agency>,
    /// The level each agency reports under.
    tiers: HashMap<AgencyId, Tier>,
    /// The commune each agency belongs to (itself for a commune), if any.
    communes: HashMap<AgencyId, AgencyId>,
}

impl ReportScope {
    pub fn ids(&self) -> Vec<AgencyId> {
        self.agencies.iter().map(|a| a.id).collect()
    }

    pub fn tier(&self, id: AgencyId) -> Tier {
        self.tiers.get(&id).copied().unwrap_or(Tier::Province)
    }

    pub fn commune_of(&self, id: AgencyId) -> Option<AgencyId> {
        self.communes.get(&id).copied()
    }
}

/// Counter sums per agency and procedure: over the window's counted days, over every day
/// before the period, and the pending dossiers becoming overdue later on the cutoff's day.
pub(crate) struct Sums {
    pub(crate) period: HashMap<(AgencyId, i64), Counters>,
    pub(crate) before: HashMap<(AgencyId, i64), Counters>,
    pub(crate) later_today: HashMap<(AgencyId, i64), i64>,
}

impl Reports {
    pub(crate) fn new(core: Arc<Core>) -> Self {
        Self { core }
    }

    /// The agencies whose reports the principal may read (those where dossiers are visible).
    pub async fn report_agencies(&self, principal: &Principal) -> Result<Vec<Agency>, AppError> {
        let mut reach = scopes(principal, Permission::ViewDossiers);
        reach.extend(unit_parents(principal, Permission::ViewDossiers));
        if reach.is_empty() {
            return Ok(Vec::new());
        }
        Ok(self.core.store.agencies_within(&reach, false).await?)
    }

    /// The scope of a report on `code` (default: the official's widest agency, the operator's
    /// province), checked: an official must see the agency's dossiers.
    pub async fn scope(&self, viewer: Viewer<'_>, code: Option<&str>) -> Result<ReportScope, AppError> {
        let snapshot = self.core.recent_snapshot().await?;
        let agency = match code.map(str::trim).filter(|c| !c.is_empty()) {
            Some(c) => {
                let code = AgencyCode::parse(c).map_err(|e| AppError::field("agency", "invalid", e.message))?;
                snapshot.agency_by_code(&code).await?.ok_or(AppError::NotFound("cơ quan"))?
            }
            None => match viewer {
                Viewer::Official(principal) => {
                    // The widest: a unit's staff (a commune's one-stop desk) report on its agency.
                    let first = scopes(principal, Permission::ViewDossiers)
                        .into_iter()
                        .chain(unit_parents(principal, Permission::ViewDossiers))
                        .min_by_key(|p| p.depth())
                        .ok_or(AppError::Forbidden(Denied::MissingPermission))?;
                    let id = *first.ids().last().ok_or(AppError::NotFound("cơ quan"))?;
                    snapshot.agency(id).await?.ok_or(AppError::NotFound("cơ quan"))?
                }
                Viewer::Operator => {
                    self.core.store.root_agencies().await?.into_iter().next().ok_or(AppError::NotFound("cơ quan"))?
                }
                Viewer::Public => return Err(AppError::NotFound("cơ quan")),
            },
        };
        if let Viewer::Official(principal) = viewer {
            // An agency whose dossiers the official does not see looks absent.
            authorize_dossier(principal, Permission::ViewDossiers, &agency.path)
                .map_err(|_| AppError::NotFound("cơ quan"))?;
        }
        let agencies = self.core.store.agencies_within(std::slice::from_ref(&agency.path), true).await?;
        let mut levels: HashMap<AgencyId, (Option<AgencyId>, AgencyLevel)> =
            agencies.iter().map(|a| (a.id, (a.parent_id, a.level))).collect();
        let mut up = agency.parent_id;
        while let Some(id) = up {
            let Some(a) = snapshot.agency(id).await? else { break };
            levels.insert(a.id, (a.parent_id, a.level));
            up = a.parent_id;
        }
        let tiers = agencies.iter().map(|a| (a.id, tier_of(a.id, &levels))).collect();
        let communes = agencies.iter().filter_map(|a| Some((a.id, commune_of(a.id, &levels)?))).collect();
        Ok(ReportScope { agency, agencies, tiers, communes })
    }

    /// Counter sums for a window.
    pub(crate) async fn sums(&self, scope: &ReportScope, by: CountedBy, w: &Window) -> Result<Sums, AppError> {
        let agencies = scope.ids();
        let store = &self.core.store;
        let query = |ranges, balance_only| RollupQuery {
            by,
            agencies: agencies.clone(),
            ranges,
            per_bucket: false,
            balance_only,
        };
        let period = match w.counted_days() {
            Some(d) => store.rollup_sums(&query(ranges(d.first, d.last), false)).await?,
            None => Vec::new(),
        };
        // Before the period only the pending balances count (`Measure::total`).
        let before = store.rollup_sums(&query(ranges_before(w.days.first), true)).await?;
        let later_today = match w.rest_of_day() {
            Some((from, until)) => store.overdue_between(by, &agencies, from, until).await?,
            None => Vec::new(),
        };
        let map =
            |v: Vec<crate::ports::RollupSum>| v.into_iter().map(|s| ((s.agency, s.procedure_id), s.counters)).collect();
        Ok(Sums {
            period: map(period),
            before: map(before),
            later_today: later_today.into_iter().map(|(a, p, n)| ((a, p), n)).collect(),
        })
    }

    /// The window of a period as of now.
    pub fn window(&self, period: &ReportPeriod) -> Window {
        Window::new(period.days(), self.core.now())
    }

    /// Procedures by id, with their fields.
    pub(crate) async fn procedure_fields(&self) -> Result<HashMap<i64, ProcedureField>, AppError> {
        Ok(self.core.store.procedure_fields().await?.into_iter().map(|p| (p.procedure_id, p)).collect())
    }
}

/// The nearest commune at or above an agency.
fn commune_of(id: AgencyId, levels: &HashMap<AgencyId, (Option<AgencyId>, AgencyLevel)>) -> Option<AgencyId> {
    let mut at = Some(id);
    while let Some(current) = at {
        let (parent, level) = levels.get(&current)?;
        if *level == AgencyLevel::Commune {
            return Some(current);
        }
        at = *parent;
    }
    None
}

/// The level an agency reports under: its own, or the nearest above it that is a province, a
/// (former) district or a commune.
fn tier_of(id: AgencyId, levels: &HashMap<AgencyId, (Option<AgencyId>, AgencyLevel)>) -> Tier {
    let mut at = Some(id);
    while let Some(current) = at {
        let Some((parent, level)) = levels.get(&current) else { break };
        match level {
            AgencyLevel::Commune => return Tier::Commune,
            AgencyLevel::HistoricDistrict => return Tier::District,
            AgencyLevel::Province => return Tier::Province,
            AgencyLevel::Department | AgencyLevel::OneStopDesk => at = *parent,
        }
    }
    Tier::Province
}
