//! Per-agency clocks of a dossier. An interagency (liên thông) dossier passes through several
//! agencies; the citizen sees one status and one appointment, but each agency answers for the
//! share of the legal time its own steps were given. Each agency's clock counts the working
//! time it held the dossier, on its own office hours, with the dossier's pauses left out, and
//! judges it against the sum of its steps' budgets. The steps of an agency's own units (a
//! commune's office, a department's division) count as the agency's.

use jiff::Timestamp;
use serde::Serialize;

use crate::agency::{Agency, AgencyId, AgencyLevel};
use crate::calendar::deadline::{DeadlineError, Pause, PendingTimeliness, Timeliness, classify_finished};
use crate::calendar::working_calendar::WorkingCalendar;
use crate::dossier::event::AgencyRef;
use crate::dossier::state::DossierState;
use crate::dossier::workflow::StepKind;

/// Where an agency's clock stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "state", content = "timeliness", rename_all = "snake_case")]
pub enum ClockStanding {
    /// The dossier has not reached the agency yet.
    NotReached,
    /// The agency holds the dossier now.
    Holding(Option<PendingTimeliness>),
    /// The agency has passed the dossier on and has steps still ahead (the return, typically).
    Passed(Option<PendingTimeliness>),
    /// The agency's steps are all behind the dossier, or the dossier has ended.
    Finished(Option<Timeliness>),
}

/// One agency's share of a dossier's processing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AgencyClock {
    pub agency: AgencyRef,
    /// The indexes of its steps in the dossier's workflow.
    pub steps: Vec<usize>,
    /// The working minutes its steps were given; `None` when none of its steps has a budget on
    /// the working clock (an untimed workflow, or calendar days and months), so no judgement is
    /// possible.
    pub budget_minutes: Option<i64>,
    /// The working minutes it has held the dossier, pauses left out. When it has budgets, only
    /// its budgeted steps count: a step without one (returning a ready result) is outside the
    /// legal time.
    pub used_minutes: i64,
    /// When it first received the dossier.
    pub received_at: Option<Timestamp>,
    /// When it last passed the dossier on.
    pub released_at: Option<Timestamp>,
    pub standing: ClockStanding,
}

impl AgencyClock {
    /// Working minutes left of the budget (negative when over it).
    pub fn remaining_minutes(&self) -> Option<i64> {
        self.budget_minutes.map(|b| b - self.used_minutes)
    }
}

/// Working minutes in words: `1 ngày 2 giờ 15 phút làm việc` (a working day is 8 hours).
pub fn describe_working_minutes(minutes: i64) -> String {
    let sign = if minutes < 0 { "-" } else { "" };
    let m = minutes.unsigned_abs();
    let day = u64::from(crate::calendar::office_hours::DAY_MINUTES);
    let (days, hours, mins) = (m / day, m % day / 60, m % 60);
    let mut parts = Vec::new();
    if days > 0 {
        parts.push(format!("{days} ngày"));
    }
    if hours > 0 {
        parts.push(format!("{hours} giờ"));
    }
    if mins > 0 || parts.is_empty() {
        parts.push(format!("{mins} phút"));
    }
    format!("{sign}{} làm việc", parts.join(" "))
}

/// The agency that answers for the time of a unit, given the unit's chain of agencies from the
/// root down to the unit itself: the highest node below the province (and below a historic
/// district), so a commune answers for its offices and a department for its divisions, while
/// the province's own People's Committee answers for itself.
pub fn answering_agency(chain: &[Agency]) -> Option<&Agency> {
    chain.iter().find(|a| !matches!(a.level, AgencyLevel::Province | AgencyLevel::HistoricDistrict)).or(chain.last())
}

/// A period during which one step of the dossier was open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stint {
    step: usize,
    from: Timestamp,
    until: Timestamp,
    open: bool,
}

/// The periods each step was open, from the hand-overs. The last one ends when the dossier was
/// stopped, when its result was issued (unless a return step follows, which runs until the
/// result is handed over), or runs on until `now`.
fn stints(s: &DossierState, now: Timestamp) -> Vec<Stint> {
    let mut out: Vec<Stint> = Vec::new();
    for h in &s.hand_overs {
        if let Some(last) = out.last_mut()
            && last.open
        {
            last.until = h.at.max(last.from);
            last.open = false;
        }
        if let Some(step) = h.to_step {
            out.push(Stint { step, from: h.at, until: h.at, open: true });
        }
    }
    if let Some(last) = out.last_mut()
        && last.open
    {
        let is_return = s.steps.get(last.step).is_some_and(|p| p.kind == StepKind::Return);
        let end = match (s.stopped_at, s.resolved_at) {
            (Some(stopped), _) => Some(stopped),
            (None, Some(resolved)) if !is_return => Some(resolved),
            _ => None,
        };
        match end {
            Some(end) => {
                last.until = end.max(last.from);
                last.open = false;
            }
            None => last.until = now.max(last.from),
        }
    }
    out
}

/// Every agency of the dossier's workflow in the order it first appears, with its clock at
/// `now`. `owner_of` names the agency answering for a step's unit ([`answering_agency`]);
/// `calendar_of` gives the calendar each agency works by.
pub fn agency_clocks<'c>(
    s: &DossierState,
    now: Timestamp,
    owner_of: impl Fn(&AgencyRef) -> AgencyRef,
    calendar_of: impl Fn(AgencyId) -> &'c WorkingCalendar,
) -> Result<Vec<AgencyClock>, DeadlineError> {
    let pauses: Vec<Pause> = s.pauses();
    let stints = stints(s, now);
    let mut out: Vec<AgencyClock> = Vec::new();
    for (index, step) in s.steps.iter().enumerate() {
        let budget = step.budget.and_then(|b| b.working_minutes());
        let owner = owner_of(&step.agency);
        match out.iter_mut().find(|c| c.agency.id == owner.id) {
            Some(c) => {
                c.steps.push(index);
                c.budget_minutes = match (c.budget_minutes, budget) {
                    (Some(a), Some(b)) => Some(a + b),
                    (a, b) => a.or(b),
                };
            }
            None => out.push(AgencyClock {
                agency: owner,
                steps: vec![index],
                budget_minutes: budget,
                used_minutes: 0,
                received_at: None,
                released_at: None,
                standing: ClockStanding::NotReached,
            }),
        }
    }
    for clock in &mut out {
        let cal = calendar_of(clock.agency.id);
        let mut holding = false;
        let timed = clock.budget_minutes.is_some();
        for stint in stints.iter().filter(|t| clock.steps.contains(&t.step)) {
            clock.received_at.get_or_insert(stint.from);
            let counted = !timed || s.steps.get(stint.step).is_some_and(|p| p.budget.is_some());
            if counted {
                clock.used_minutes += cal.elapsed_excluding(stint.from, stint.until, &pauses)?.max(0);
            }
            holding = stint.open;
            clock.released_at = (!stint.open).then_some(stint.until);
        }
        let pending = clock
            .remaining_minutes()
            .map(|r| if r < 0 { PendingTimeliness::Overdue } else { PendingTimeliness::InTime });
        let ahead = s.step.as_ref().is_some_and(|c| clock.steps.iter().any(|i| *i > c.index));
        clock.standing = match (clock.received_at, holding, clock.released_at) {
            (None, _, _) => ClockStanding::NotReached,
            (Some(_), true, _) => ClockStanding::Holding(pending),
            (Some(_), false, _) if ahead => ClockStanding::Passed(pending),
            (Some(_), false, Some(released)) => ClockStanding::Finished(match clock.remaining_minutes() {
                // The instant its budget would have run out, had it kept the dossier: the
                // same early / on time / late rule as the dossier's (classify_finished).
                Some(r) => Some(classify_finished(released, cal.instant(cal.clock(released)? + r)?)),
                None => None,
            }),
            (Some(_), false, None) => ClockStanding::Finished(None),
        };
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::answering_agency;
    use super::describe_working_minutes as d;
    use crate::agency::{Agency, AgencyCode, AgencyId, AgencyLevel, AgencyPath};

    fn node(parent: Option<&Agency>, id: i64, code: &str, level: AgencyLevel) -> Agency {
        let id = AgencyId(id);
        Agency {
            id,
            parent_id: parent.map(|p| p.id),
            path: parent.map_or_else(|| AgencyPath::root(id), |p| p.path.child(id)),
            code: AgencyCode::parse(code).unwrap(),
            name: code.to_owned(),
            short_name: None,
            level,
            valid_from: None,
            valid_to: None,
            active: true,
            version: 1,
            created_at: jiff::Timestamp::UNIX_EPOCH,
            updated_at: jiff::Timestamp::UNIX_EPOCH,
        }
    }

    #[test]
    fn agencies_answer_for_their_units_and_the_province_for_itself() {
        let province = node(None, 1, "H99", AgencyLevel::Province);
        let commune = node(Some(&province), 2, "H99.301", AgencyLevel::Commune);
        let office = node(Some(&commune), 3, "H99.301.03", AgencyLevel::Department);
        let justice = node(Some(&province), 4, "H99.10", AgencyLevel::Department);
        let division = node(Some(&justice), 5, "H99.10.02", AgencyLevel::Department);
        let district = node(Some(&province), 6, "H99.30", AgencyLevel::HistoricDistrict);
        let old_commune = node(Some(&district), 7, "H99.30.01", AgencyLevel::Commune);
        let id = |chain: &[&Agency]| {
            let chain: Vec<Agency> = chain.iter().map(|a| (*a).clone()).collect();
            answering_agency(&chain).map(|a| a.id.0)
        };
        assert_eq!(id(&[&province, &commune, &office]), Some(2));
        assert_eq!(id(&[&province, &commune]), Some(2));
        assert_eq!(id(&[&province, &justice, &division]), Some(4));
        assert_eq!(id(&[&province]), Some(1));
        assert_eq!(id(&[&province, &district, &old_commune]), Some(7));
        assert_eq!(id(&[]), None);
    }

    #[test]
    fn working_minutes_read_as_days_hours_and_minutes() {
        assert_eq!(d(0), "0 phút làm việc");
        assert_eq!(d(45), "45 phút làm việc");
        assert_eq!(d(480), "1 ngày làm việc");
        assert_eq!(d(480 * 2 + 135), "2 ngày 2 giờ 15 phút làm việc");
        assert_eq!(d(-15), "-15 phút làm việc");
    }
}
