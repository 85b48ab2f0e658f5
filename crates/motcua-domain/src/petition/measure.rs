//! What Decision 766 group 5 counts of petitions (`legal.md` §4, §6): among the petitions first
//! received in a period, how many are about rules and procedures or about officials' conduct
//! (5.1), how many were answered in time or are still within time (5.2), and how many were
//! neither rated unsatisfying (more dislikes than likes), late, nor raised again (5.3).

use jiff::Timestamp;
use serde::Serialize;

use super::PetitionKind;

/// One petition as the index sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PetitionFact {
    pub kind: Option<PetitionKind>,
    /// Approved or refused at.
    pub resolved_at: Option<Timestamp>,
    /// Once resolved: whether after its deadline.
    pub resolved_late: Option<bool>,
    /// The answer's deadline (none while the clock is stopped for information).
    pub answer_due: Option<Timestamp>,
    pub likes: i64,
    pub dislikes: i64,
    /// Another petition raises it again.
    pub reraised: bool,
}

impl PetitionFact {
    /// In time as of `at`: resolved by its deadline, or pending and not past it (a stopped
    /// clock is in time).
    pub fn in_time(&self, at: Timestamp) -> bool {
        match (self.resolved_at, self.resolved_late) {
            (Some(r), Some(late)) if r <= at => !late,
            _ => self.answer_due.is_none_or(|due| at <= due),
        }
    }
}

/// Petitions counted for group 5.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct PetitionTally {
    pub total: i64,
    pub rules: i64,
    pub conduct: i64,
    pub in_time: i64,
    /// Not unsatisfying, not late, not raised again.
    pub satisfying: i64,
}

impl PetitionTally {
    /// Counts a petition as of `at` (the period's end, or now when earlier).
    pub fn add(&mut self, f: &PetitionFact, at: Timestamp) {
        self.total += 1;
        match f.kind {
            Some(PetitionKind::Rules) => self.rules += 1,
            Some(PetitionKind::Conduct) => self.conduct += 1,
            None => {}
        }
        let in_time = f.in_time(at);
        if in_time {
            self.in_time += 1;
        }
        if in_time && f.dislikes <= f.likes && !f.reraised {
            self.satisfying += 1;
        }
    }

    pub fn merge(&mut self, o: &PetitionTally) {
        self.total += o.total;
        self.rules += o.rules;
        self.conduct += o.conduct;
        self.in_time += o.in_time;
        self.satisfying += o.satisfying;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        format!("{s}:00+07:00").parse().unwrap()
    }

    fn fact() -> PetitionFact {
        PetitionFact {
            kind: Some(PetitionKind::Rules),
            resolved_at: None,
            resolved_late: None,
            answer_due: Some(at("2026-05-18T09:00")),
            likes: 0,
            dislikes: 0,
            reraised: false,
        }
    }

    #[test]
    fn each_petition_counts_once_for_the_worst_that_happened_to_it() {
        let end = at("2026-05-31T23:59");
        let mut t = PetitionTally::default();
        // Answered in time, liked.
        t.add(
            &PetitionFact { resolved_at: Some(at("2026-05-10T09:00")), resolved_late: Some(false), likes: 3, ..fact() },
            end,
        );
        // Answered late.
        t.add(&PetitionFact { resolved_at: Some(at("2026-05-20T09:00")), resolved_late: Some(true), ..fact() }, end);
        // In time but more dislikes than likes, and raised again besides.
        let disliked = PetitionFact {
            kind: Some(PetitionKind::Conduct),
            resolved_at: Some(at("2026-05-10T09:00")),
            resolved_late: Some(false),
            likes: 1,
            dislikes: 4,
            reraised: true,
            ..fact()
        };
        t.add(&disliked, end);
        // Pending past its deadline; pending with the clock stopped; not yet classified.
        t.add(&fact(), end);
        t.add(&PetitionFact { answer_due: None, kind: None, ..fact() }, end);
        assert_eq!(t, PetitionTally { total: 5, rules: 3, conduct: 1, in_time: 3, satisfying: 2 });
    }

    #[test]
    fn a_petition_resolved_after_the_period_is_judged_as_pending_at_its_end() {
        let late_answer =
            PetitionFact { resolved_at: Some(at("2026-06-02T09:00")), resolved_late: Some(true), ..fact() };
        assert!(late_answer.in_time(at("2026-05-15T17:00")), "still within time on 15/05");
        assert!(!late_answer.in_time(at("2026-05-31T23:59")), "past due at the end of May");
    }
}
