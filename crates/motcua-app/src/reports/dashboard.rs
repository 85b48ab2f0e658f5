//! The leader's dashboard: today and a period for an agency's subtree, from the rollups alone
//! (a handful of sums, whatever the history's size), with the trend, the fields, the communes
//! and the targets. Every figure is a measure, so every figure opens as its list of dossiers.

use std::collections::{BTreeMap, HashMap};

use jiff::Timestamp;
use jiff::civil::Date;
use motcua_domain::agency::{Agency, AgencyId, AgencyLevel};
use motcua_domain::report::measure::Window;
use motcua_domain::report::rollup::BucketRange;
use motcua_domain::report::target::{Metric, progress};
use motcua_domain::report::{Counters, DayRange, Grain, Measure, ReportPeriod};
use motcua_domain::time::vn_date;

use super::{ReportScope, Reports, Sums, Viewer};
use crate::error::AppError;
use crate::ports::{CountedBy, RollupQuery};

/// The figures of one window.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Figures {
    pub received_online: i64,
    pub received_desk: i64,
    pub received_postal: i64,
    pub resolved_early: i64,
    pub resolved_on_time: i64,
    pub resolved_late: i64,
    pub pending_in_time: i64,
    pub pending_overdue: i64,
    pub supplemented: i64,
    pub refused: i64,
    pub returned: i64,
    pub resolved_full_online: i64,
    pub resolved_electronic: i64,
    /// Minutes of processing of the resolved dossiers (without paused time).
    pub processing_minutes: i64,
}

impl std::ops::Add for Figures {
    type Output = Figures;
    fn add(self, o: Figures) -> Figures {
        Figures {
            received_online: self.received_online + o.received_online,
            received_desk: self.received_desk + o.received_desk,
            received_postal: self.received_postal + o.received_postal,
            resolved_early: self.resolved_early + o.resolved_early,
            resolved_on_time: self.resolved_on_time + o.resolved_on_time,
            resolved_late: self.resolved_late + o.resolved_late,
            pending_in_time: self.pending_in_time + o.pending_in_time,
            pending_overdue: self.pending_overdue + o.pending_overdue,
            supplemented: self.supplemented + o.supplemented,
            refused: self.refused + o.refused,
            returned: self.returned + o.returned,
            resolved_full_online: self.resolved_full_online + o.resolved_full_online,
            resolved_electronic: self.resolved_electronic + o.resolved_electronic,
            processing_minutes: self.processing_minutes + o.processing_minutes,
        }
    }
}

impl Figures {
    fn add(&mut self, period: &Counters, before: &Counters, later_today: i64) {
        let m = |x: Measure| x.total(period, before, later_today);
        self.received_online += m(Measure::ReceivedOnline);
        self.received_desk += m(Measure::ReceivedDesk);
        self.received_postal += m(Measure::ReceivedPostal);
        self.resolved_early += m(Measure::ResolvedEarly);
        self.resolved_on_time += m(Measure::ResolvedOnTime);
        self.resolved_late += m(Measure::ResolvedLate);
        self.pending_in_time += m(Measure::PendingInTime);
        self.pending_overdue += m(Measure::PendingOverdue);
        self.supplemented += m(Measure::Supplemented);
        self.refused += m(Measure::Refused);
        self.returned += m(Measure::Returned);
        self.resolved_full_online += m(Measure::ResolvedFullOnline);
        self.resolved_electronic += m(Measure::ResolvedElectronic);
        self.processing_minutes += period.processing_minutes;
    }

    /// The figures of every agency and procedure, each computed once.
    fn per_key(sums: &Sums) -> Vec<((AgencyId, i64), Figures)> {
        let zero = Counters::default();
        keys(sums)
            .into_iter()
            .map(|key| {
                let mut f = Figures::default();
                f.add(
                    sums.period.get(&key).unwrap_or(&zero),
                    sums.before.get(&key).unwrap_or(&zero),
                    sums.later_today.get(&key).copied().unwrap_or(0),
                );
                (key, f)
            })
            .collect()
    }

    fn total(parts: &[((AgencyId, i64), Figures)]) -> Figures {
        parts.iter().fold(Figures::default(), |a, (_, f)| a + *f)
    }

    pub fn received(&self) -> i64 {
        self.received_online + self.received_desk + self.received_postal
    }

    pub fn resolved(&self) -> i64 {
        self.resolved_early + self.resolved_on_time + self.resolved_late
    }

    pub fn pending(&self) -> i64 {
        self.pending_in_time + self.pending_overdue
    }

    /// Percent of the received dossiers that came online.
    pub fn online_share(&self) -> Option<f64> {
        pct(self.received_online, self.received())
    }

    /// Percent of the received dossiers sent back for a supplement.
    pub fn supplement_rate(&self) -> Option<f64> {
        pct(self.supplemented, self.received())
    }

    /// Percent of the resolved dossiers resolved early or on time.
    pub fn on_time_rate(&self) -> Option<f64> {
        pct(self.resolved_early + self.resolved_on_time, self.resolved())
    }

    pub fn electronic_rate(&self) -> Option<f64> {
        pct(self.resolved_electronic, self.resolved())
    }

    /// Average processing time of the resolved dossiers, in days (24 h, without paused time).
    pub fn average_days(&self) -> Option<f64> {
        (self.resolved() > 0).then(|| self.processing_minutes as f64 / self.resolved() as f64 / 1440.0)
    }
}

fn pct(n: i64, d: i64) -> Option<f64> {
    (d > 0).then(|| n as f64 * 100.0 / d as f64)
}

fn keys(sums: &Sums) -> Vec<(AgencyId, i64)> {
    let mut keys: Vec<_> =
        sums.period.keys().chain(sums.before.keys()).chain(sums.later_today.keys()).copied().collect();
    keys.sort();
    keys.dedup();
    keys
}

/// One point of the trend: a day, or a month for long periods.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrendPoint {
    pub first: Date,
    pub last: Date,
    pub received: i64,
    pub resolved: i64,
    pub resolved_late: i64,
}

#[derive(Debug, Clone)]
pub struct NamedFigures {
    pub name: String,
    /// The agency's code, for a commune's row (its drill-down).
    pub agency: Option<Agency>,
    pub figures: Figures,
}

/// A target with the actual value it is measured against.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetProgress {
    pub metric: Metric,
    /// In hundredths of the unit.
    pub target: Option<u32>,
    /// `None`: no data yet.
    pub actual: Option<f64>,
    /// Percent of the target reached (at most 100).
    pub progress: Option<f64>,
}

#[derive(Debug, Clone)]
pub struct Dashboard {
    pub agency: Agency,
    pub period: ReportPeriod,
    pub today: Figures,
    pub current: Figures,
    /// Pending in time now, turning overdue before `near_due_until`.
    pub near_due: i64,
    pub near_due_until: Timestamp,
    pub trend: Vec<TrendPoint>,
    pub by_field: Vec<NamedFigures>,
    pub by_commune: Vec<NamedFigures>,
    /// The procedures with the most resolved dossiers in the period, with their average time.
    pub by_procedure: Vec<NamedFigures>,
    pub targets: Vec<TargetProgress>,
    pub generated_at: Timestamp,
}

impl Reports {
    pub async fn dashboard(
        &self,
        viewer: Viewer<'_>,
        agency: Option<&str>,
        period: ReportPeriod,
    ) -> Result<Dashboard, AppError> {
        let scope = self.scope(viewer, agency).await?;
        let now = self.core.now();
        let today = vn_date(now);
        let today_window = Window::new(DayRange { first: today, last: today }, now);
        let window = self.window(&period);
        let (today_sums, sums) = (
            self.sums(&scope, CountedBy::Resolving, &today_window).await?,
            self.sums(&scope, CountedBy::Resolving, &window).await?,
        );
        let near_due_until = self.core.near_due_until(scope.agency.id, now).await?;
        let near_due = self
            .core
            .store
            .overdue_between(CountedBy::Resolving, &scope.ids(), now, near_due_until)
            .await?
            .iter()
            .map(|(_, _, n)| n)
            .sum();
        let fields = self.procedure_fields().await?;
        // One pass over the sums: by field, by commune, in all.
        let parts = Figures::per_key(&sums);
        let current = Figures::total(&parts);
        let unknown = "Chưa xác định lĩnh vực".to_owned();
        let mut fields_sum: BTreeMap<&str, Figures> = BTreeMap::new();
        let mut communes_sum: HashMap<AgencyId, Figures> = HashMap::new();
        for ((agency, procedure), f) in &parts {
            let field = fields.get(procedure).map_or(unknown.as_str(), |p| p.field.as_str());
            let slot = fields_sum.entry(field).or_default();
            *slot = *slot + *f;
            if let Some(c) = scope.commune_of(*agency) {
                let slot = communes_sum.entry(c).or_default();
                *slot = *slot + *f;
            }
        }
        let mut by_field: Vec<NamedFigures> = fields_sum
            .into_iter()
            .map(|(name, figures)| NamedFigures { name: name.to_owned(), agency: None, figures })
            .collect();
        by_field.sort_by(|a, b| b.figures.received().cmp(&a.figures.received()).then_with(|| a.name.cmp(&b.name)));
        let mut by_commune: Vec<NamedFigures> = scope
            .agencies
            .iter()
            .filter(|a| a.level == AgencyLevel::Commune && a.id != scope.agency.id)
            .map(|a| NamedFigures {
                name: a.name.clone(),
                agency: Some(a.clone()),
                figures: communes_sum.get(&a.id).copied().unwrap_or_default(),
            })
            .filter(|n| n.agency.as_ref().is_some_and(|a| a.active) || n.figures != Figures::default())
            .collect();
        by_commune.sort_by(|a, b| b.figures.received().cmp(&a.figures.received()).then_with(|| a.name.cmp(&b.name)));
        let mut per_procedure: HashMap<i64, Figures> = HashMap::new();
        let zero = Counters::default();
        for (key, c) in &sums.period {
            per_procedure.entry(key.1).or_default().add(c, &zero, 0);
        }
        let mut by_procedure: Vec<NamedFigures> = per_procedure
            .into_iter()
            .filter(|(_, f)| f.resolved() > 0)
            .map(|(p, figures)| NamedFigures {
                name: fields.get(&p).map_or_else(|| format!("Thủ tục #{p}"), |f| f.name.clone()),
                agency: None,
                figures,
            })
            .collect();
        by_procedure.sort_by(|a, b| b.figures.resolved().cmp(&a.figures.resolved()).then_with(|| a.name.cmp(&b.name)));
        by_procedure.truncate(10);
        let trend = self.trend(&scope, &window).await?;
        let year = window.days.last.year();
        let sheet = self.targets_of(viewer, scope.agency.clone(), year).await?;
        let targets = sheet
            .targets
            .iter()
            .filter(|t| t.metric.is_aim())
            .map(|t| {
                let actual = match t.metric {
                    Metric::OnlineShare => current.online_share(),
                    Metric::ElectronicResults => current.electronic_rate(),
                    // Per desk officer: the productivity page (it reads the acceptances).
                    _ => None,
                };
                TargetProgress {
                    metric: t.metric,
                    target: t.value,
                    actual,
                    progress: t.value.and_then(|v| progress(actual, v)),
                }
            })
            .collect();
        Ok(Dashboard {
            agency: scope.agency,
            period,
            today: Figures::total(&Figures::per_key(&today_sums)),
            current,
            near_due,
            near_due_until,
            trend,
            by_field,
            by_commune,
            by_procedure,
            targets,
            generated_at: now,
        })
    }

    /// Received and resolved per day of the period up to today (per month beyond two months).
    async fn trend(&self, scope: &ReportScope, w: &Window) -> Result<Vec<TrendPoint>, AppError> {
        let Some(days) = w.counted_days() else { return Ok(Vec::new()) };
        // Days, grouped here: month buckets would spill over a cut-off period's edges.
        let rows = self
            .core
            .store
            .rollup_sums(&RollupQuery {
                by: CountedBy::Resolving,
                agencies: scope.ids(),
                ranges: vec![BucketRange {
                    grain: Grain::Day,
                    from: Grain::Day.bucket(days.first),
                    to: Grain::Day.bucket(days.last),
                }],
                per_bucket: true,
                balance_only: false,
            })
            .await?;
        let by_day: BTreeMap<i64, Counters> =
            rows.into_iter().filter_map(|r| Some((r.bucket?.1, r.counters))).collect();
        let monthly = (days.last - days.first).get_days() > 62;
        let mut out: Vec<TrendPoint> = Vec::new();
        let mut day = days.first;
        while day <= days.last {
            let c = by_day.get(&Grain::Day.bucket(day)).copied().unwrap_or_default();
            let same =
                out.last().is_some_and(|p| monthly && (p.first.year(), p.first.month()) == (day.year(), day.month()));
            if !same {
                out.push(TrendPoint { first: day, last: day, received: 0, resolved: 0, resolved_late: 0 });
            }
            let p = out.last_mut().expect("pushed");
            p.last = day;
            p.received += c.received();
            p.resolved += c.resolved();
            p.resolved_late += c.resolved_late;
            let Ok(next) = day.tomorrow() else { break };
            day = next;
        }
        Ok(out)
    }
}
