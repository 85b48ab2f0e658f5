//! The Decision 766 index of an agency's subtree for a period, and the ranking of its communes.

use std::collections::{HashMap, HashSet};

use jiff::Timestamp;
use motcua_domain::agency::{Agency, AgencyId};
use motcua_domain::report::ReportPeriod;
use motcua_domain::report::form06::{Cells, Variant};
use motcua_domain::report::index766::{Index766, Inputs, score};

use super::{Reports, Viewer};
use crate::error::AppError;
use crate::ports::{CountedBy, Reach};
use motcua_domain::petition::measure::PetitionFact;

/// The index of an agency and a period, with its communes ranked (a province's view).
#[derive(Debug, Clone)]
pub struct Index766Report {
    pub agency: Agency,
    pub period: ReportPeriod,
    pub index: Index766,
    /// The communes under the agency, best first (empty for a commune's own index).
    pub ranking: Vec<RankedAgency>,
    pub generated_at: Timestamp,
}

#[derive(Debug, Clone)]
pub struct RankedAgency {
    pub agency: Agency,
    pub index: Index766,
}

/// What a sum of Biểu 06 cells and counters gives the index.
fn add(inputs: &mut Inputs, cells: &Cells, processing_minutes: i64) {
    // 766 (2.1): finished early or on time, or in progress within time; a stop or withdrawal
    // ends a dossier in time (as the one-stop centre's report counts it).
    inputs.on_time += cells.early + cells.on_time + cells.stopped + cells.in_time;
    inputs.handled += cells.total;
    inputs.resolved += cells.resolved;
    inputs.processing_minutes += processing_minutes;
    inputs.online += cells.online;
    inputs.received += cells.online + cells.direct;
}

impl Reports {
    pub async fn index766(
        &self,
        viewer: Viewer<'_>,
        agency: Option<&str>,
        period: ReportPeriod,
    ) -> Result<Index766Report, AppError> {
        let scope = self.scope(viewer, agency).await?;
        let sums = self.sums(&scope, CountedBy::Resolving, &self.window(&period)).await?;
        let zero = Default::default();
        let mut keys: Vec<_> =
            sums.period.keys().chain(sums.before.keys()).chain(sums.later_today.keys()).copied().collect();
        keys.sort();
        keys.dedup();
        let mut all = Inputs::default();
        let mut by_commune: HashMap<AgencyId, Inputs> = HashMap::new();
        for key in keys {
            let period_counters = sums.period.get(&key).unwrap_or(&zero);
            let cells = Cells::of(
                period_counters,
                sums.before.get(&key).unwrap_or(&zero),
                sums.later_today.get(&key).copied().unwrap_or(0),
                Variant::Resolving,
            );
            add(&mut all, &cells, period_counters.processing_minutes);
            if let Some(c) = scope.commune_of(key.0) {
                add(by_commune.entry(c).or_default(), &cells, period_counters.processing_minutes);
            }
        }
        self.add_voice(&scope, &period, &mut all, &mut by_commune).await?;
        let settings = &self.core.settings.reports;
        let index = score(&all, &settings.targets, &settings.bands);
        let mut ranking: Vec<RankedAgency> = scope
            .agencies
            .iter()
            .filter(|a| a.level == motcua_domain::agency::AgencyLevel::Commune && a.id != scope.agency.id && a.active)
            .map(|a| RankedAgency {
                agency: a.clone(),
                index: score(&by_commune.get(&a.id).copied().unwrap_or_default(), &settings.targets, &settings.bands),
            })
            .collect();
        ranking.sort_by(|a, b| b.index.total.total_cmp(&a.index.total).then_with(|| a.agency.name.cmp(&b.agency.name)));
        Ok(Index766Report { agency: scope.agency, period, index, ranking, generated_at: self.core.now() })
    }

    /// Group 5: the petitions first received in the period (as they stand at its end, or now),
    /// and the dossiers a petition names or whose citizen was not satisfied.
    async fn add_voice(
        &self,
        scope: &super::ReportScope,
        period: &ReportPeriod,
        all: &mut Inputs,
        by_commune: &mut HashMap<AgencyId, Inputs>,
    ) -> Result<(), AppError> {
        let window = self.window(period);
        let reach = Reach { subtrees: vec![scope.agency.path.clone()], agencies: Vec::new() };
        let store = &self.core.store;
        let rows = store.petitions_received(&reach, window.start, window.end).await?;
        let codes: Vec<String> = rows.iter().map(|r| r.code.clone()).collect();
        let reraised: HashSet<String> = store.reraised(&codes).await?.into_iter().collect();
        for r in &rows {
            let fact = PetitionFact {
                kind: r.petition_kind,
                resolved_at: r.answered_at.or(r.refused_at),
                resolved_late: r.answer_late,
                answer_due: r.answer_due_at,
                likes: r.likes,
                dislikes: r.dislikes,
                reraised: reraised.contains(&r.code),
            };
            all.petitions.add(&fact, window.cutoff);
            let commune = scope.commune_of(r.received_agency_id);
            if let Some(c) = commune {
                by_commune.entry(c).or_default().petitions.add(&fact, window.cutoff);
            }
        }
        // 5.4 counts a dossier once whether a petition names it, its citizen was unsatisfied, or both.
        for (agency, n) in store.complained_dossiers_by_agency(&reach, window.start, window.end).await? {
            all.complained += n;
            if let Some(c) = scope.commune_of(agency) {
                by_commune.entry(c).or_default().complained += n;
            }
        }
        Ok(())
    }
}
