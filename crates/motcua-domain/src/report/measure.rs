//! The measures every report cell, index indicator and dashboard figure is made of, each with
//! the exact rule that selects the dossiers behind it, so that every number can be opened as a
//! list of dossiers and recomputed from the raw export.

use jiff::Timestamp;
use serde::Serialize;

use super::facts::{DossierFacts, Outcome};
use super::period::DayRange;
use super::rollup::Counters;
use crate::calendar::deadline::Timeliness;
use crate::catalog::Channel;
use crate::time::vn_day_start;

macro_rules! measures {
    ($($variant:ident => $key:literal, $label:literal;)*) => {
        /// A count over a period.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
        #[serde(rename_all = "snake_case")]
        pub enum Measure { $($variant,)* }

        impl Measure {
            pub const ALL: &'static [Measure] = &[$(Measure::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self { $(Measure::$variant => $key,)* }
            }

            pub fn label(self) -> &'static str {
                match self { $(Measure::$variant => $label,)* }
            }

            pub fn parse(s: &str) -> Option<Measure> {
                Measure::ALL.iter().copied().find(|m| m.as_str() == s.trim())
            }
        }
    };
}

measures! {
    Received => "received", "Tiếp nhận trong kỳ";
    ReceivedOnline => "received_online", "Tiếp nhận trực tuyến";
    ReceivedDirect => "received_direct", "Tiếp nhận trực tiếp và qua bưu chính";
    ReceivedDesk => "received_desk", "Tiếp nhận trực tiếp";
    ReceivedPostal => "received_postal", "Tiếp nhận qua bưu chính";
    CarriedOver => "carried_over", "Từ kỳ trước chuyển sang";
    Resolved => "resolved", "Đã giải quyết";
    ResolvedEarly => "resolved_early", "Giải quyết trước hạn";
    ResolvedOnTime => "resolved_on_time", "Giải quyết đúng hạn";
    ResolvedLate => "resolved_late", "Giải quyết quá hạn";
    Stopped => "stopped", "Dừng xử lý";
    Withdrawn => "withdrawn", "Rút hồ sơ";
    Pending => "pending", "Đang giải quyết";
    PendingInTime => "pending_in_time", "Đang giải quyết trong hạn";
    PendingOverdue => "pending_overdue", "Đang giải quyết quá hạn";
    Supplemented => "supplemented", "Yêu cầu bổ sung";
    Refused => "refused", "Từ chối tiếp nhận";
    Returned => "returned", "Đã trả kết quả";
    ResolvedFullOnline => "resolved_full_online", "Giải quyết toàn trình";
    ResolvedNotFullOnline => "resolved_not_full_online", "Giải quyết không toàn trình";
    ResolvedElectronic => "resolved_electronic", "Giải quyết có kết quả điện tử";
}

/// The instants bounding a period: from the first day's start to the next day's start after the
/// last (the report's "đến 23:59:59").
pub fn bounds(days: DayRange) -> (Timestamp, Timestamp) {
    (vn_day_start(days.first), vn_day_start(days.last.tomorrow().expect("date in range")))
}

/// A period as counted at a moment: its days, and the instant (exclusive) at which the pending
/// columns are taken: the period's end, or now while the period runs (a running month shows
/// what is overdue now, not what will be by its last day).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub days: DayRange,
    pub start: Timestamp,
    pub end: Timestamp,
    pub cutoff: Timestamp,
}

impl Window {
    pub fn new(days: DayRange, now: Timestamp) -> Window {
        let (start, end) = bounds(days);
        // Exclusive: what happened at `now` itself has happened.
        let now = now + jiff::SignedDuration::from_micros(1);
        Window { days, start, end, cutoff: end.min(now).max(start) }
    }

    /// The days whose counters are summed: the period's, up to the cutoff's day (later days
    /// hold only overdue instants still to come).
    pub fn counted_days(&self) -> Option<DayRange> {
        if self.cutoff <= self.start {
            return None;
        }
        let last = crate::time::vn_date(self.cutoff - jiff::SignedDuration::from_micros(1));
        Some(DayRange { first: self.days.first, last: last.min(self.days.last) })
    }

    /// When the cutoff falls inside a day, the rest of that day: dossiers that become overdue
    /// in it are in that day's counter but not overdue yet.
    pub fn rest_of_day(&self) -> Option<(Timestamp, Timestamp)> {
        let day = crate::time::vn_date(self.cutoff);
        let day_start = vn_day_start(day);
        (day_start != self.cutoff).then(|| (self.cutoff, vn_day_start(day.tomorrow().expect("date in range"))))
    }

    /// Whether a dossier is pending at the cutoff.
    pub fn pending(&self, f: &DossierFacts) -> bool {
        f.received_at.is_some_and(|r| r < self.cutoff) && f.ended.is_none_or(|(_, e)| e >= self.cutoff)
    }

    /// Whether a dossier is pending and overdue at the cutoff.
    pub fn overdue(&self, f: &DossierFacts) -> bool {
        self.pending(f) && f.overdue_from.is_some_and(|o| o < self.cutoff)
    }
}

impl Measure {
    /// Whether a dossier counts in this measure for the window: the rule the lists and the
    /// export follow, and that the rollup sums agree with.
    pub fn counts(self, f: &DossierFacts, w: &Window) -> bool {
        let (start, end) = (w.start, w.end);
        let within = |t: Option<Timestamp>| t.is_some_and(|t| start <= t && t < end);
        let outcome = |o: Outcome| f.ended.is_some_and(|(x, at)| x == o && start <= at && at < end);
        let received = within(f.received_at);
        match self {
            Measure::Received => received,
            Measure::ReceivedOnline => received && f.channel == Channel::Online,
            Measure::ReceivedDirect => received && f.channel != Channel::Online,
            Measure::ReceivedDesk => received && f.channel == Channel::Desk,
            Measure::ReceivedPostal => received && f.channel == Channel::Postal,
            Measure::CarriedOver => f.received_at.is_some_and(|r| r < start) && f.ended.is_none_or(|(_, e)| e >= start),
            Measure::Resolved => {
                f.ended.is_some_and(|(o, at)| matches!(o, Outcome::Resolved(_)) && start <= at && at < end)
            }
            Measure::ResolvedEarly => outcome(Outcome::Resolved(Timeliness::Early)),
            Measure::ResolvedOnTime => outcome(Outcome::Resolved(Timeliness::OnTime)),
            Measure::ResolvedLate => outcome(Outcome::Resolved(Timeliness::Late)),
            Measure::Stopped => outcome(Outcome::Stopped),
            Measure::Withdrawn => outcome(Outcome::Withdrawn),
            Measure::Pending => w.pending(f),
            Measure::PendingInTime => w.pending(f) && !w.overdue(f),
            Measure::PendingOverdue => w.overdue(f),
            Measure::Supplemented => within(f.supplement_at),
            Measure::Refused => within(f.refused_at),
            Measure::Returned => within(f.returned_at),
            Measure::ResolvedFullOnline => {
                Measure::Resolved.counts(f, w) && f.full_online.is_some_and(|s| s.is_empty())
            }
            Measure::ResolvedNotFullOnline => {
                Measure::Resolved.counts(f, w) && !f.full_online.is_some_and(|s| s.is_empty())
            }
            Measure::ResolvedElectronic => {
                Measure::Resolved.counts(f, w)
                    && f.full_online.is_some_and(|s| !s.contains(super::full_online::Shortfall::NoElectronicResult))
            }
        }
    }

    /// The measure from counter sums: `period` over the window's counted days, `before` over
    /// every day before the period (only its `open` and `overdue` balances are read), and
    /// `later_today`: the pending dossiers that become overdue in the rest of the cutoff's day
    /// (counted in its counter, not overdue yet).
    pub fn total(self, period: &Counters, before: &Counters, later_today: i64) -> i64 {
        let through = *before + *period;
        match self {
            Measure::Received => period.received(),
            Measure::ReceivedOnline => period.received_online,
            Measure::ReceivedDirect => period.received_desk + period.received_postal,
            Measure::ReceivedDesk => period.received_desk,
            Measure::ReceivedPostal => period.received_postal,
            Measure::CarriedOver => before.open,
            Measure::Resolved => period.resolved(),
            Measure::ResolvedEarly => period.resolved_early,
            Measure::ResolvedOnTime => period.resolved_on_time,
            Measure::ResolvedLate => period.resolved_late,
            Measure::Stopped => period.stopped,
            Measure::Withdrawn => period.withdrawn,
            Measure::Pending => through.open,
            Measure::PendingInTime => through.open - through.overdue + later_today,
            Measure::PendingOverdue => through.overdue - later_today,
            Measure::Supplemented => period.supplemented,
            Measure::Refused => period.refused,
            Measure::Returned => period.returned,
            Measure::ResolvedFullOnline => period.resolved_full_online,
            Measure::ResolvedNotFullOnline => period.resolved() - period.resolved_full_online,
            Measure::ResolvedElectronic => period.resolved_electronic,
        }
    }
}

/// Where a dossier stood at the window's cutoff, as the reports count it (the raw export's
/// last column).
pub fn standing_at_end(f: &DossierFacts, w: &Window) -> &'static str {
    if f.refused_at.is_some_and(|t| t < w.cutoff) {
        return "refused";
    }
    match (f.received_at, f.ended) {
        (None, _) => "not_received",
        (Some(r), _) if r >= w.cutoff => "not_received",
        (_, Some((o, at))) if at < w.cutoff => o.as_str(),
        _ if w.overdue(f) => "pending_overdue",
        _ => "pending_in_time",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agency::AgencyId;
    use crate::report::rollup::{Grain, RollupDelta, ranges, ranges_before};
    use jiff::civil::{Date, date};
    use proptest::prelude::*;

    /// Instants within 60 days from 01/06/2026, at minute precision.
    fn instant(minutes: i64) -> Timestamp {
        vn_day_start(date(2026, 6, 1)) + jiff::SignedDuration::from_mins(minutes)
    }

    prop_compose! {
        fn facts()(
            channel in 0u8..3,
            received in proptest::option::of(0i64..86_400),
            refused in any::<bool>(),
            due_after in 0i64..30_000,
            end in proptest::option::of((0u8..5, 0i64..40_000)),
            overdue_shift in proptest::option::of(-5_000i64..5_000),
            supplement in proptest::option::of(0i64..20_000),
            returned in proptest::option::of(0i64..5_000),
            full_bits in 0u8..32,
        ) -> DossierFacts {
            let received_at = received.map(instant);
            let ended = match (received, end) {
                (Some(r), Some((o, after))) => Some((
                    [Outcome::Resolved(Timeliness::Early), Outcome::Resolved(Timeliness::OnTime),
                     Outcome::Resolved(Timeliness::Late), Outcome::Stopped, Outcome::Withdrawn][o as usize],
                    instant(r + after),
                )),
                _ => None,
            };
            DossierFacts {
                agency: AgencyId(1),
                receiving: AgencyId(1),
                procedure_id: 1,
                channel: Channel::ALL[channel as usize],
                received_at,
                refused_at: (received.is_none() && refused).then(|| instant(due_after)),
                due_at: received.map(|r| instant(r + due_after)),
                ended,
                overdue_from: received.zip(overdue_shift).map(|(r, s)| instant(r + due_after + s).max(instant(r))),
                supplement_at: received.zip(supplement).map(|(r, s)| instant(r + s)),
                returned_at: received.zip(ended).zip(returned).map(|((_, (_, e)), x)| e + jiff::SignedDuration::from_mins(x)),
                processing_minutes: None,
                full_online: ended
                    .filter(|(o, _)| matches!(o, Outcome::Resolved(_)))
                    .map(|_| crate::report::full_online::Shortfalls::from_bits(full_bits)),
            }
        }
    }

    fn sum(delta: &RollupDelta, first: Date, last: Date, before: bool) -> Counters {
        let rs = if before {
            ranges_before(first)
        } else if first <= last {
            ranges(first, last)
        } else {
            vec![]
        };
        let mut c = Counters::default();
        for (k, v) in &delta.0 {
            // Stored at both grains; a range of one grain sums only that grain.
            for r in &rs {
                let b = r.grain.bucket(k.day);
                if r.from <= b && b <= r.to && (r.grain == Grain::Day || r.grain == Grain::Month) {
                    c += *v;
                }
            }
        }
        c
    }

    proptest! {
        /// Every measure summed from the day counters equals the count of dossiers its rule
        /// selects: the numbers and the lists behind them cannot disagree.
        #[test]
        fn rollup_sums_equal_the_dossiers_behind_them(
            dossiers in proptest::collection::vec(facts(), 0..40),
            start in 0i32..90,
            len in 0i32..60,
            now_minutes in 0i64..200_000,
        ) {
            let first = date(2026, 6, 1).checked_add(jiff::Span::new().days(start - 10)).unwrap();
            let last = first.checked_add(jiff::Span::new().days(len)).unwrap();
            let now = instant(now_minutes);
            // What has happened by now (the instants to come are only overdue ones).
            let dossiers: Vec<DossierFacts> = dossiers
                .into_iter()
                .filter(|f| {
                    [f.received_at, f.refused_at, f.ended.map(|e| e.1), f.supplement_at, f.returned_at]
                        .iter()
                        .all(|t| t.is_none_or(|t| t <= now))
                })
                .collect();
            let w = Window::new(DayRange { first, last }, now);
            let mut delta = RollupDelta::default();
            for f in &dossiers {
                delta.include(f);
            }
            let period = w.counted_days().map_or_else(Counters::default, |d| sum(&delta, d.first, d.last, false));
            let before = sum(&delta, first, last, true);
            let later = w.rest_of_day().map_or(0, |(from, until)| {
                dossiers.iter().filter(|f| w.pending(f) && f.overdue_from.is_some_and(|o| from <= o && o < until)).count() as i64
            });
            // Only the balances before the period matter (the store sums no more).
            let balances = Counters { open: before.open, overdue: before.overdue, ..Counters::default() };
            for m in Measure::ALL {
                let listed = dossiers.iter().filter(|f| m.counts(f, &w)).count() as i64;
                prop_assert_eq!(m.total(&period, &before, later), listed, "{}", m.as_str());
                prop_assert_eq!(m.total(&period, &balances, later), listed, "{}", m.as_str());
            }
        }

        /// A change moves the counters by the difference of contributions.
        #[test]
        fn deltas_compose(a in facts(), b in facts()) {
            let mut total = RollupDelta::between(None, Some(&a));
            for (k, v) in RollupDelta::between(Some(&a), Some(&b)).0 {
                let slot = total.0.entry(k).or_default();
                *slot += v;
                if slot.is_zero() { total.0.remove(&k); }
            }
            prop_assert_eq!(total, RollupDelta::between(None, Some(&b)));
        }
    }
}
