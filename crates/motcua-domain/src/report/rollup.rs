//! Rollups: per-agency, per-procedure, per-day counters of what dossiers contribute, kept in
//! the same transaction as each event so that reports and dashboards sum a few rows instead of
//! scanning history.
//!
//! A dossier's contribution is a function of its [`DossierFacts`] alone. On every change the
//! store adds `contribution(after) − contribution(before)`: a correction moves the counters by
//! exactly what it corrects, and summing the contributions of every dossier from scratch (a
//! rebuild) gives the same counters. Days are civil days in Asia/Ho_Chi_Minh.
//!
//! Pending counts are kept as deltas: `open` is +1 on the day a dossier is received and −1 on
//! the day it ends, `overdue` +1 on the day it becomes overdue and −1 on the day it ends after
//! that. The pending (or overdue) dossiers at the end of a day are the sum of the deltas of all
//! days up to it, so the carried-over column is the sum before the period's first day.

use std::collections::BTreeMap;
use std::ops::{Add, AddAssign, Neg};

use jiff::Timestamp;
use jiff::civil::Date;
use serde::Serialize;

use super::facts::{DossierFacts, Outcome};
use super::full_online::Shortfall;
use crate::agency::AgencyId;
use crate::calendar::deadline::Timeliness;
use crate::catalog::Channel;
use crate::time::vn_date;

/// The counters of one bucket. Each is a count of dossiers, except `processing_minutes`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counters {
    pub received_online: i64,
    pub received_desk: i64,
    pub received_postal: i64,
    pub refused: i64,
    pub resolved_early: i64,
    pub resolved_on_time: i64,
    pub resolved_late: i64,
    pub stopped: i64,
    pub withdrawn: i64,
    /// Delta of the pending dossiers (received − ended).
    pub open: i64,
    /// Delta of the pending dossiers that are overdue.
    pub overdue: i64,
    /// Dossiers whose first supplement request during processing fell on the day.
    pub supplemented: i64,
    pub returned: i64,
    /// Minutes of processing of the dossiers resolved on the day (without paused time).
    pub processing_minutes: i64,
    /// Dossiers resolved on the day that were "toàn trình".
    pub resolved_full_online: i64,
    /// Dossiers resolved on the day with an electronic result document.
    pub resolved_electronic: i64,
}

/// The column names, in the order of [`Counters::values`] (the store's columns).
pub const COUNTER_COLUMNS: [&str; 16] = [
    "received_online",
    "received_desk",
    "received_postal",
    "refused",
    "resolved_early",
    "resolved_on_time",
    "resolved_late",
    "stopped",
    "withdrawn",
    "open_delta",
    "overdue_delta",
    "supplemented",
    "returned",
    "processing_minutes",
    "resolved_full_online",
    "resolved_electronic",
];

impl Counters {
    pub fn values(&self) -> [i64; 16] {
        [
            self.received_online,
            self.received_desk,
            self.received_postal,
            self.refused,
            self.resolved_early,
            self.resolved_on_time,
            self.resolved_late,
            self.stopped,
            self.withdrawn,
            self.open,
            self.overdue,
            self.supplemented,
            self.returned,
            self.processing_minutes,
            self.resolved_full_online,
            self.resolved_electronic,
        ]
    }

    pub fn from_values(v: [i64; 16]) -> Counters {
        Counters {
            received_online: v[0],
            received_desk: v[1],
            received_postal: v[2],
            refused: v[3],
            resolved_early: v[4],
            resolved_on_time: v[5],
            resolved_late: v[6],
            stopped: v[7],
            withdrawn: v[8],
            open: v[9],
            overdue: v[10],
            supplemented: v[11],
            returned: v[12],
            processing_minutes: v[13],
            resolved_full_online: v[14],
            resolved_electronic: v[15],
        }
    }

    pub fn is_zero(&self) -> bool {
        self.values().iter().all(|v| *v == 0)
    }

    pub fn received(&self) -> i64 {
        self.received_online + self.received_desk + self.received_postal
    }

    pub fn resolved(&self) -> i64 {
        self.resolved_early + self.resolved_on_time + self.resolved_late
    }
}

impl Add for Counters {
    type Output = Counters;
    fn add(self, o: Counters) -> Counters {
        let (a, b) = (self.values(), o.values());
        Counters::from_values(std::array::from_fn(|i| a[i] + b[i]))
    }
}

impl AddAssign for Counters {
    fn add_assign(&mut self, o: Counters) {
        *self = *self + o;
    }
}

impl Neg for Counters {
    type Output = Counters;
    fn neg(self) -> Counters {
        Counters::from_values(self.values().map(|v| -v))
    }
}

/// Where a contribution is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct BucketKey {
    /// The agency the dossier is counted at (resolving; receiving before acceptance).
    pub agency: AgencyId,
    /// The agency that received it (the one-stop desk's variant of the reports counts there).
    pub receiving: AgencyId,
    pub procedure_id: i64,
    pub day: Date,
}

/// Counter changes by bucket, zero entries removed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RollupDelta(pub BTreeMap<BucketKey, Counters>);

impl RollupDelta {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn add(&mut self, key: BucketKey, c: Counters) {
        let slot = self.0.entry(key).or_default();
        *slot += c;
        if slot.is_zero() {
            self.0.remove(&key);
        }
    }

    /// What a change of a dossier's facts does to the counters (`None`: no dossier before, or
    /// none after).
    pub fn between(before: Option<&DossierFacts>, after: Option<&DossierFacts>) -> RollupDelta {
        let mut d = RollupDelta::default();
        if before == after {
            return d;
        }
        for (k, c) in before.map(contribution).unwrap_or_default() {
            d.add(k, -c);
        }
        for (k, c) in after.map(contribution).unwrap_or_default() {
            d.add(k, c);
        }
        d
    }

    /// Adds a whole dossier (a rebuild).
    pub fn include(&mut self, facts: &DossierFacts) {
        for (k, c) in contribution(facts) {
            self.add(k, c);
        }
    }
}

/// What one dossier contributes, day by day.
pub fn contribution(f: &DossierFacts) -> Vec<(BucketKey, Counters)> {
    let key = |at: Timestamp| BucketKey {
        agency: f.agency,
        receiving: f.receiving,
        procedure_id: f.procedure_id,
        day: vn_date(at),
    };
    let mut out: Vec<(BucketKey, Counters)> = Vec::new();
    let mut put = |at: Timestamp, c: Counters| out.push((key(at), c));
    if let Some(at) = f.refused_at {
        put(at, Counters { refused: 1, ..Counters::default() });
    }
    let Some(received) = f.received_at else { return out };
    let mut c = Counters { open: 1, ..Counters::default() };
    match f.channel {
        Channel::Online => c.received_online = 1,
        Channel::Desk => c.received_desk = 1,
        Channel::Postal => c.received_postal = 1,
    }
    put(received, c);
    let end = f.ended.map(|(_, at)| at);
    if let Some(from) = f.overdue_from.filter(|o| end.is_none_or(|e| *o < e)) {
        put(from.max(received), Counters { overdue: 1, ..Counters::default() });
        if let Some(e) = end {
            put(e, Counters { overdue: -1, ..Counters::default() });
        }
    }
    if let Some((outcome, at)) = f.ended {
        let mut c = Counters { open: -1, ..Counters::default() };
        match outcome {
            Outcome::Resolved(Timeliness::Early) => c.resolved_early = 1,
            Outcome::Resolved(Timeliness::OnTime) => c.resolved_on_time = 1,
            Outcome::Resolved(Timeliness::Late) => c.resolved_late = 1,
            Outcome::Stopped => c.stopped = 1,
            Outcome::Withdrawn => c.withdrawn = 1,
        }
        if let Outcome::Resolved(_) = outcome {
            c.processing_minutes = f.processing_minutes.unwrap_or(0);
            c.resolved_full_online = i64::from(f.full_online.is_some_and(|s| s.is_empty()));
            c.resolved_electronic =
                i64::from(f.full_online.is_some_and(|s| !s.contains(Shortfall::NoElectronicResult)));
        }
        put(at, c);
    }
    if let Some(at) = f.supplement_at {
        put(at, Counters { supplemented: 1, ..Counters::default() });
    }
    if let Some(at) = f.returned_at {
        put(at, Counters { returned: 1, ..Counters::default() });
    }
    out
}

/// The grain of a stored bucket: a day (`yyyymmdd`) or a month (`yyyymm`). Every contribution
/// is stored at both, so a long period sums months and only its ragged edges sum days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Grain {
    Day,
    Month,
}

impl Grain {
    pub fn code(self) -> i64 {
        match self {
            Grain::Day => 1,
            Grain::Month => 2,
        }
    }

    pub fn bucket(self, day: Date) -> i64 {
        let ym = i64::from(day.year()) * 100 + i64::from(day.month());
        match self {
            Grain::Day => ym * 100 + i64::from(day.day()),
            Grain::Month => ym,
        }
    }
}

/// Stored buckets `[from, to]` (inclusive) of one grain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct BucketRange {
    pub grain: Grain,
    pub from: i64,
    pub to: i64,
}

/// The stored ranges whose sum covers the days `first..=last` exactly: whole months as months,
/// the rest as days.
pub fn ranges(first: Date, last: Date) -> Vec<BucketRange> {
    if first > last {
        return Vec::new();
    }
    let day = |d: Date| Grain::Day.bucket(d);
    let month = |d: Date| Grain::Month.bucket(d);
    // The first whole month starts on or after `first`; the last whole month ends on or
    // before `last`.
    let first_whole = if first.day() == 1 { first } else { first.last_of_month().tomorrow().expect("date in range") };
    let last_whole_end =
        if last == last.last_of_month() { last } else { last.first_of_month().yesterday().expect("date in range") };
    if first_whole > last_whole_end {
        return vec![BucketRange { grain: Grain::Day, from: day(first), to: day(last) }];
    }
    let mut v = Vec::new();
    if first < first_whole {
        v.push(BucketRange { grain: Grain::Day, from: day(first), to: day(first_whole.yesterday().expect("date")) });
    }
    v.push(BucketRange { grain: Grain::Month, from: month(first_whole), to: month(last_whole_end) });
    if last_whole_end < last {
        v.push(BucketRange { grain: Grain::Day, from: day(last_whole_end.tomorrow().expect("date")), to: day(last) });
    }
    v
}

/// The stored ranges covering every day before `day` (for the carried-over and pending sums).
pub fn ranges_before(day: Date) -> Vec<BucketRange> {
    let Ok(last) = day.yesterday() else { return Vec::new() };
    ranges(Date::new(1900, 1, 1).expect("date"), last)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use proptest::prelude::*;

    fn covered(rs: &[BucketRange]) -> Vec<Date> {
        let mut days = Vec::new();
        for r in rs {
            let mut d = bucket_start(r.grain, r.from);
            let end = bucket_end(r.grain, r.to);
            while d <= end {
                days.push(d);
                d = d.tomorrow().unwrap();
            }
        }
        days
    }

    fn bucket_start(g: Grain, b: i64) -> Date {
        match g {
            Grain::Day => date((b / 10000) as i16, ((b / 100) % 100) as i8, (b % 100) as i8),
            Grain::Month => date((b / 100) as i16, (b % 100) as i8, 1),
        }
    }

    fn bucket_end(g: Grain, b: i64) -> Date {
        match g {
            Grain::Day => bucket_start(g, b),
            Grain::Month => bucket_start(g, b).last_of_month(),
        }
    }

    #[test]
    fn a_cut_off_quarter_is_two_ragged_edges_and_two_months() {
        let r = ranges(date(2026, 6, 15), date(2026, 9, 14));
        assert_eq!(
            r,
            vec![
                BucketRange { grain: Grain::Day, from: 20260615, to: 20260630 },
                BucketRange { grain: Grain::Month, from: 202607, to: 202608 },
                BucketRange { grain: Grain::Day, from: 20260901, to: 20260914 },
            ]
        );
        assert_eq!(
            ranges(date(2026, 7, 1), date(2026, 9, 30)),
            vec![BucketRange { grain: Grain::Month, from: 202607, to: 202609 }]
        );
        assert_eq!(
            ranges(date(2026, 7, 3), date(2026, 7, 9)),
            vec![BucketRange { grain: Grain::Day, from: 20260703, to: 20260709 }]
        );
        assert!(ranges(date(2026, 7, 3), date(2026, 7, 2)).is_empty());
    }

    proptest! {
        #[test]
        fn ranges_cover_exactly_the_days(a in 0i32..3000, len in 0i32..800) {
            let first = date(2024, 1, 1).checked_add(jiff::Span::new().days(a)).unwrap();
            let last = first.checked_add(jiff::Span::new().days(len)).unwrap();
            let days = covered(&ranges(first, last));
            prop_assert_eq!(days.len() as i32, len + 1);
            prop_assert_eq!(days.first().copied(), Some(first));
            prop_assert_eq!(days.last().copied(), Some(last));
            prop_assert!(days.windows(2).all(|w| w[0].tomorrow().unwrap() == w[1]));
        }
    }
}
