//! Targets per agency and year: set by administrators of the agency, inherited down the tree
//! (a province's target holds for its communes unless a commune has its own), the seed plans'
//! values where nobody set one.

use std::collections::HashMap;

use motcua_domain::account::Principal;
use motcua_domain::agency::{Agency, AgencyId};
use motcua_domain::policy::{Permission, Target, authorize};
use motcua_domain::report::target::Metric;
use motcua_domain::validation::{FieldError, ValidationErrors};

use super::{Reports, Viewer};
use crate::context::{Actor, RequestMeta};
use crate::error::AppError;
use crate::ports::StoredTarget;

/// Where a target's value comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetSource {
    /// Set on this agency.
    Own,
    /// Set on an agency above it (its name).
    Inherited(String),
    /// The seed plans' value.
    Default,
    /// Nothing set and no default (the "toàn trình" averages until entered).
    Missing,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EffectiveTarget {
    pub metric: Metric,
    /// In hundredths of the metric's unit.
    pub value: Option<u32>,
    pub source: TargetSource,
    /// Who set it and when, for a value set on this agency.
    pub updated: Option<(String, jiff::Timestamp)>,
}

/// An agency's targets for a year.
#[derive(Debug, Clone)]
pub struct TargetSheet {
    pub agency: Agency,
    pub year: i16,
    pub targets: Vec<EffectiveTarget>,
    /// Whether the viewer may change them.
    pub editable: bool,
}

impl TargetSheet {
    pub fn get(&self, metric: Metric) -> Option<u32> {
        self.targets.iter().find(|t| t.metric == metric).and_then(|t| t.value)
    }
}

/// The targets of a set of agencies for a year, read at once: each agency's own values, its
/// ancestors', the defaults (a province's communes, or one agency's sheet).
pub(crate) struct TargetLookup {
    /// Parent and name of every agency of the set and of its ancestors.
    agencies: HashMap<AgencyId, (Option<AgencyId>, String)>,
    stored: HashMap<(AgencyId, Metric), StoredTarget>,
}

impl TargetLookup {
    /// The value that holds for `agency`, and where it comes from.
    pub(crate) fn effective(&self, agency: AgencyId, metric: Metric) -> EffectiveTarget {
        let mut at = Some(agency);
        while let Some(id) = at {
            if let Some(t) = self.stored.get(&(id, metric)) {
                let (source, updated) = if id == agency {
                    (TargetSource::Own, Some((t.updated_by.clone(), t.updated_at)))
                } else {
                    let name = self.agencies.get(&id).map(|(_, n)| n.clone()).unwrap_or_default();
                    (TargetSource::Inherited(name), None)
                };
                return EffectiveTarget { metric, value: Some(t.value), source, updated };
            }
            at = self.agencies.get(&id).and_then(|(parent, _)| *parent);
        }
        let value = metric.default_value();
        let source = if value.is_some() { TargetSource::Default } else { TargetSource::Missing };
        EffectiveTarget { metric, value, source, updated: None }
    }

    pub(crate) fn get(&self, agency: AgencyId, metric: Metric) -> Option<u32> {
        self.effective(agency, metric).value
    }
}

impl Reports {
    /// The targets of `agencies` (all under `top`) and of `top`'s ancestors.
    async fn lookup(&self, agencies: &[Agency], top: &Agency, year: i16) -> Result<TargetLookup, AppError> {
        let snapshot = self.core.recent_snapshot().await?;
        let mut known: HashMap<AgencyId, (Option<AgencyId>, String)> =
            agencies.iter().chain([top]).map(|a| (a.id, (a.parent_id, a.name.clone()))).collect();
        let mut up = top.parent_id;
        while let Some(id) = up {
            let Some(a) = snapshot.agency(id).await? else { break };
            up = a.parent_id;
            known.insert(a.id, (a.parent_id, a.name));
        }
        let ids: Vec<AgencyId> = known.keys().copied().collect();
        let stored =
            self.core.store.agency_targets(&ids, year).await?.into_iter().map(|t| ((t.agency, t.metric), t)).collect();
        Ok(TargetLookup { agencies: known, stored })
    }

    pub(crate) async fn target_lookup(&self, scope: &super::ReportScope, year: i16) -> Result<TargetLookup, AppError> {
        self.lookup(&scope.agencies, &scope.agency, year).await
    }

    /// The targets of `agency` (with its ancestors') for a year.
    pub async fn targets(&self, viewer: Viewer<'_>, agency: Option<&str>, year: i16) -> Result<TargetSheet, AppError> {
        let agency = self.target_agency(viewer, agency).await?;
        self.targets_of(viewer, agency, year).await
    }

    /// The agency whose targets are asked for: seen by those who see its dossiers (leaders)
    /// or its record (administrators, who set the targets without reading dossiers).
    async fn target_agency(&self, viewer: Viewer<'_>, code: Option<&str>) -> Result<Agency, AppError> {
        let Viewer::Official(p) = viewer else { return Ok(self.scope(viewer, code).await?.agency) };
        if let Ok(scope) = self.scope(viewer, code).await {
            return Ok(scope.agency);
        }
        let agency = match code.map(str::trim).filter(|c| !c.is_empty()) {
            Some(code) => {
                let code = motcua_domain::agency::AgencyCode::parse(code)
                    .map_err(|e| AppError::field("agency", "invalid", e.message))?;
                self.core.store.agency_by_code(&code).await?.ok_or(AppError::NotFound("cơ quan"))?
            }
            // The widest agency the administrator sees.
            None => {
                let widest = motcua_domain::policy::scopes(p, Permission::ViewAgencies)
                    .into_iter()
                    .min_by_key(|path| path.depth())
                    .ok_or(AppError::NotFound("cơ quan"))?;
                let id = *widest.ids().last().ok_or(AppError::NotFound("cơ quan"))?;
                self.core.store.agency(id).await?.ok_or(AppError::NotFound("cơ quan"))?
            }
        };
        authorize(p, Permission::ViewAgencies, Target::Agency(&agency.path))
            .map_err(|_| AppError::NotFound("cơ quan"))?;
        Ok(agency)
    }

    pub(crate) async fn targets_of(
        &self,
        viewer: Viewer<'_>,
        agency: Agency,
        year: i16,
    ) -> Result<TargetSheet, AppError> {
        let lookup = self.lookup(&[], &agency, year).await?;
        let targets = Metric::ALL.into_iter().map(|m| lookup.effective(agency.id, m)).collect();
        let editable = match viewer {
            Viewer::Official(p) => authorize(p, Permission::ManageAgencies, Target::Agency(&agency.path)).is_ok(),
            Viewer::Operator => true,
            Viewer::Public => false,
        };
        Ok(TargetSheet { agency, year, targets, editable })
    }

    /// Sets an agency's targets for a year: each metric's value as entered ("50", "50,5"), or
    /// empty to clear it (the inherited or default value applies again). All or nothing.
    pub async fn set_targets(
        &self,
        principal: &Principal,
        agency: &str,
        year: i16,
        values: &[(Metric, String)],
        meta: &RequestMeta,
    ) -> Result<TargetSheet, AppError> {
        let agency = self.target_agency(Viewer::Official(principal), Some(agency)).await?;
        let grant = authorize(principal, Permission::ManageAgencies, Target::Agency(&agency.path))?;
        if !(2000..=2100).contains(&year) {
            return Err(AppError::field("year", "invalid", "Năm từ 2000 đến 2100."));
        }
        let mut errors = ValidationErrors::default();
        let mut parsed = Vec::with_capacity(values.len());
        for (metric, raw) in values {
            let raw = raw.trim();
            if raw.is_empty() {
                parsed.push((*metric, None));
                continue;
            }
            match metric.parse_value(raw) {
                Ok(v) => parsed.push((*metric, Some(v))),
                Err(message) => errors.push(FieldError::new(metric.as_str(), "invalid", message)),
            }
        }
        errors.into_result()?;
        let now = self.core.now();
        let by = principal.username.to_string();
        let mut tx = self.core.store.begin().await?;
        let mut changed = Vec::new();
        for (metric, value) in &parsed {
            tx.set_agency_target(agency.id, year, *metric, value.map(|v| (v, by.as_str(), now))).await?;
            changed.push(format!(
                "{}={}",
                metric.as_str(),
                value.map_or_else(|| "(mặc định)".to_owned(), |v| metric.format_value(v))
            ));
        }
        let event = Actor::Official { principal, grant: Some(grant) }
            .did("report.targets")
            .on("agency", agency.id.to_string())
            .detail(format!("{} năm {year}: {}", agency.code, changed.join(", ")))
            .event(meta, now);
        self.core.commit_audited(tx, event, meta).await?;
        self.targets_of(Viewer::Official(principal), agency, year).await
    }
}
