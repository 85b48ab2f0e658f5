//! The yearly "toàn trình" rate of an agency and of each commune under it, scored as NĐ
//! 307/2025 scores it against the averages entered as targets.

use std::collections::HashMap;

use jiff::Timestamp;
use motcua_domain::agency::{Agency, AgencyId, AgencyLevel};
use motcua_domain::report::full_online::{ScoredLevel, points, rate};
use motcua_domain::report::target::Metric;
use motcua_domain::report::{Counters, ReportPeriod};

use super::{Reports, Viewer};
use crate::error::AppError;
use crate::ports::CountedBy;

/// One agency's rate.
#[derive(Debug, Clone, PartialEq)]
pub struct FullOnlineRow {
    pub agency: Agency,
    pub resolved: i64,
    pub full_online: i64,
    /// Percent; `None` without resolved dossiers.
    pub rate: Option<f64>,
    /// How it is scored (a province or a commune), if it is.
    pub level: Option<ScoredLevel>,
    /// The average it is scored against, in hundredths of a percent, when entered.
    pub average: Option<u32>,
    pub points: Option<f64>,
}

#[derive(Debug, Clone)]
pub struct FullOnlineReport {
    pub year: i16,
    pub period: ReportPeriod,
    pub total: FullOnlineRow,
    /// The communes under the agency, best rate first (empty for a commune).
    pub communes: Vec<FullOnlineRow>,
    pub generated_at: Timestamp,
}

fn scored_level(a: &Agency) -> Option<ScoredLevel> {
    match a.level {
        AgencyLevel::Province => Some(ScoredLevel::Province),
        AgencyLevel::Commune => Some(ScoredLevel::Commune),
        _ => None,
    }
}

impl Reports {
    /// The rate for a calendar year (resolved in the year; `legal.md` §13.3).
    pub async fn full_online(
        &self,
        viewer: Viewer<'_>,
        agency: Option<&str>,
        year: i16,
    ) -> Result<FullOnlineReport, AppError> {
        let period = ReportPeriod::parse(&year.to_string(), motcua_domain::report::Basis::Calendar)
            .map_err(|e| AppError::field("year", "invalid", e.to_string()))?;
        let scope = self.scope(viewer, agency).await?;
        let sums = self.sums(&scope, CountedBy::Resolving, &self.window(&period)).await?;
        let mut all = Counters::default();
        let mut by_commune: HashMap<AgencyId, Counters> = HashMap::new();
        for ((agency, _), c) in &sums.period {
            all += *c;
            if let Some(commune) = scope.commune_of(*agency) {
                *by_commune.entry(commune).or_default() += *c;
            }
        }
        let row = |agency: &Agency, c: &Counters, average: Option<u32>| {
            let level = scored_level(agency);
            FullOnlineRow {
                agency: agency.clone(),
                resolved: c.resolved(),
                full_online: c.resolved_full_online,
                rate: rate(c.resolved_full_online, c.resolved()),
                level,
                average,
                points: level.zip(average).and_then(|(l, avg)| points(l, c.resolved_full_online, c.resolved(), avg)),
            }
        };
        let targets = self.target_lookup(&scope, year).await?;
        let own_average = match scored_level(&scope.agency) {
            Some(ScoredLevel::Province) => targets.get(scope.agency.id, Metric::FullOnlineNationalAverage),
            Some(ScoredLevel::Commune) => targets.get(scope.agency.id, Metric::FullOnlineProvincialAverage),
            None => None,
        };
        let total = row(&scope.agency, &all, own_average);
        let mut communes = Vec::new();
        for a in scope.agencies.iter().filter(|a| a.level == AgencyLevel::Commune && a.id != scope.agency.id) {
            let c = by_commune.get(&a.id).copied().unwrap_or_default();
            if !a.active && c.resolved() == 0 {
                continue;
            }
            let average = targets.get(a.id, Metric::FullOnlineProvincialAverage);
            communes.push(row(a, &c, average));
        }
        communes.sort_by(|a, b| {
            b.rate.unwrap_or(-1.0).total_cmp(&a.rate.unwrap_or(-1.0)).then_with(|| a.agency.name.cmp(&b.agency.name))
        });
        Ok(FullOnlineReport { year, period, total, communes, generated_at: self.core.now() })
    }
}
