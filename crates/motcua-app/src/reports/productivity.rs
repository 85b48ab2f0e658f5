//! Desk productivity for a period: dossiers accepted per official and per desk, per working day,
//! against the benchmark of 20.

use std::collections::BTreeMap;

use motcua_domain::agency::Agency;
use motcua_domain::report::ReportPeriod;
use motcua_domain::report::measure::bounds;
use motcua_domain::report::productivity::{DAILY_BENCHMARK, per_day, working_days};
use motcua_domain::report::target::Metric;
use motcua_domain::time::vn_date;

use super::{Reports, Viewer};
use crate::error::AppError;

/// One official's (or one desk's) figures.
#[derive(Debug, Clone, PartialEq)]
pub struct ProductivityRow {
    pub name: String,
    /// The desk (receiving agency).
    pub agency: String,
    pub received: i64,
    /// Officials counted (1 for an official's row).
    pub officials: i64,
    /// Per official per working day, and as a percent of the benchmark.
    pub per_day: Option<(f64, f64)>,
}

#[derive(Debug, Clone)]
pub struct Productivity {
    pub agency: Agency,
    pub period: ReportPeriod,
    /// Working days of the period up to today.
    pub working_days: i64,
    pub officials: Vec<ProductivityRow>,
    pub desks: Vec<ProductivityRow>,
    /// Dossiers per official per working day aimed at (the agency's target for the year).
    pub benchmark: f64,
}

impl Reports {
    pub async fn productivity(
        &self,
        viewer: Viewer<'_>,
        agency: Option<&str>,
        period: ReportPeriod,
    ) -> Result<Productivity, AppError> {
        let scope = self.scope(viewer, agency).await?;
        let w = self.window(&period);
        let snapshot = self.core.recent_snapshot().await?;
        let calendar = snapshot.default_calendar().await?;
        let last = vn_date(w.cutoff - jiff::SignedDuration::from_micros(1)).min(w.days.last);
        let days = if w.cutoff > w.start { working_days(calendar.days(), w.days.first, last) } else { 0 };
        let (start, _) = bounds(w.days);
        let rows = self.core.store.acceptances(&scope.ids(), start, w.cutoff).await?;
        let year = w.days.last.year();
        let benchmark = self
            .targets_of(viewer, scope.agency.clone(), year)
            .await?
            .get(Metric::PerDeskDay)
            .map_or(DAILY_BENCHMARK, |v| f64::from(v) / 100.0);
        let names: BTreeMap<_, _> = scope.agencies.iter().map(|a| (a.id, a.name.clone())).collect();
        let desk_name = |id| names.get(&id).cloned().unwrap_or_default();
        let officials: Vec<ProductivityRow> = rows
            .iter()
            .map(|r| ProductivityRow {
                name: if r.user_id.is_some() { r.name.clone() } else { "Hệ thống (không ghi cán bộ)".into() },
                agency: desk_name(r.agency),
                received: r.count,
                officials: 1,
                per_day: per_day(r.count, days, benchmark),
            })
            .collect();
        let mut by_desk: BTreeMap<String, (i64, i64)> = BTreeMap::new();
        for r in &rows {
            let e = by_desk.entry(desk_name(r.agency)).or_default();
            e.0 += r.count;
            e.1 += i64::from(r.user_id.is_some());
        }
        let desks = by_desk
            .into_iter()
            .map(|(agency, (received, officials))| ProductivityRow {
                name: agency.clone(),
                agency,
                received,
                officials,
                per_day: per_day(received, days * officials.max(1), benchmark),
            })
            .collect();
        Ok(Productivity { agency: scope.agency, period, working_days: days, officials, desks, benchmark })
    }
}
