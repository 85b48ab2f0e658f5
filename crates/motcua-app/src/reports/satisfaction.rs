//! Citizens' satisfaction over a period: how many ratings, how many satisfied, by procedure and by
//! officer (who took the dossier's last step), for an agency and everything under it.

use motcua_domain::agency::Agency;
use motcua_domain::report::ReportPeriod;
use motcua_domain::time::vn_day_start;

use super::{Reports, Viewer};
use crate::error::AppError;
use crate::ports::{RatedBy, Reach, SatisfactionCount, SatisfactionRow};

#[derive(Debug, Clone)]
pub struct SatisfactionReport {
    pub agency: Agency,
    pub period: ReportPeriod,
    pub total: SatisfactionCount,
    pub by_procedure: Vec<SatisfactionRow>,
    pub by_officer: Vec<SatisfactionRow>,
}

impl Reports {
    /// The ratings given in the period on dossiers received within the agency.
    pub async fn satisfaction(
        &self,
        viewer: Viewer<'_>,
        agency: Option<&str>,
        period: ReportPeriod,
    ) -> Result<SatisfactionReport, AppError> {
        let scope = self.scope(viewer, agency).await?;
        let days = period.days();
        let from = vn_day_start(days.first);
        let to = vn_day_start(days.last.tomorrow().unwrap_or(days.last));
        let reach = Reach { subtrees: vec![scope.agency.path.clone()], agencies: Vec::new() };
        let store = &self.core.store;
        Ok(SatisfactionReport {
            total: store.satisfaction(&reach, from, to).await?,
            by_procedure: store.satisfaction_by(&reach, from, to, RatedBy::Procedure).await?,
            by_officer: store.satisfaction_by(&reach, from, to, RatedBy::Officer).await?,
            agency: scope.agency,
            period,
        })
    }
}
