//! "Toàn trình" dossiers (NĐ 307/2025/NĐ-CP, Phụ lục mục 12; `legal.md` §13.3): submitted
//! online, fees paid through the national payment platform, processed to an electronic result
//! and returned online (a paper copy only by public post on request), with no visit in person.
//!
//! A dossier is judged when it is resolved: what it lacked is kept as a set of shortfalls, so
//! the yearly rate (toàn trình ÷ resolved) comes with the list of dossiers that fell short and
//! why. The decree scores the rate against an average entered as data (the national one for a
//! province, the provincial one for a commune or ward), in steps of a quarter point.
//!
//! Not in the data yet, so not judged: field checks and visits in person other than to collect
//! the result (a supplement handed in at the desk, for instance).

use serde::Serialize;

use crate::catalog::Channel;
use crate::dossier::DossierState;
use crate::dossier::event::{PaymentMethod, ResultDelivery};
use crate::dossier::state::PaymentState;

/// Why a resolved dossier is not "toàn trình".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Shortfall {
    /// Submitted at the desk or by post.
    NotOnline,
    /// A payment recorded here that did not go through the online payment platform.
    PaidNotOnline,
    /// The result was issued without an electronic document.
    NoElectronicResult,
    /// The result was handed over at the desk.
    ReturnedInPerson,
    /// Resolved, but the result has not been returned yet.
    NotReturned,
}

impl Shortfall {
    pub const ALL: [Shortfall; 5] = [
        Shortfall::NotOnline,
        Shortfall::PaidNotOnline,
        Shortfall::NoElectronicResult,
        Shortfall::ReturnedInPerson,
        Shortfall::NotReturned,
    ];

    /// Its bit in [`Shortfalls::bits`] (stored, and tested in SQL).
    pub fn bit(self) -> u8 {
        match self {
            Shortfall::NotOnline => 1,
            Shortfall::PaidNotOnline => 2,
            Shortfall::NoElectronicResult => 4,
            Shortfall::ReturnedInPerson => 8,
            Shortfall::NotReturned => 16,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Shortfall::NotOnline => "not_online",
            Shortfall::PaidNotOnline => "paid_not_online",
            Shortfall::NoElectronicResult => "no_electronic_result",
            Shortfall::ReturnedInPerson => "returned_in_person",
            Shortfall::NotReturned => "not_returned",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Shortfall::NotOnline => "Không nộp trực tuyến",
            Shortfall::PaidNotOnline => "Không thanh toán trực tuyến",
            Shortfall::NoElectronicResult => "Kết quả không có bản điện tử",
            Shortfall::ReturnedInPerson => "Nhận kết quả trực tiếp",
            Shortfall::NotReturned => "Chưa trả kết quả",
        }
    }
}

/// A set of shortfalls; empty for a "toàn trình" dossier.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Shortfalls(u8);

impl Shortfalls {
    pub fn bits(self) -> u8 {
        self.0
    }

    /// From stored bits (unknown bits are dropped).
    pub fn from_bits(bits: u8) -> Shortfalls {
        Shortfalls(bits & Shortfall::ALL.iter().fold(0, |a, s| a | s.bit()))
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn contains(self, s: Shortfall) -> bool {
        self.0 & s.bit() != 0
    }

    fn insert(&mut self, s: Shortfall) {
        self.0 |= s.bit();
    }

    pub fn iter(self) -> impl Iterator<Item = Shortfall> {
        Shortfall::ALL.into_iter().filter(move |s| self.contains(*s))
    }

    /// The reasons, in words, separated by "; ".
    pub fn describe(self) -> String {
        self.iter().map(Shortfall::label).collect::<Vec<_>>().join("; ")
    }
}

/// What a resolved dossier lacked to be "toàn trình" (`None` while it is not resolved).
pub fn shortfalls(s: &DossierState) -> Option<Shortfalls> {
    let result = s.result.as_ref().filter(|_| s.resolved_at.is_some())?;
    let mut out = Shortfalls::default();
    if s.submission.channel != Channel::Online {
        out.insert(Shortfall::NotOnline);
    }
    // A payment recorded here must have gone through the platform. Fees paid on DVCQG at
    // submission are not recorded here yet (they come with the portal link), so they do not
    // count against a dossier.
    if s.payment != PaymentState::None && s.payment_method != Some(PaymentMethod::Online) {
        out.insert(Shortfall::PaidNotOnline);
    }
    if result.file_id.is_none() {
        out.insert(Shortfall::NoElectronicResult);
    }
    match s.delivered {
        None => out.insert(Shortfall::NotReturned),
        Some((ResultDelivery::Desk, _)) => out.insert(Shortfall::ReturnedInPerson),
        // Online, or a paper copy by public post on request: both allowed.
        Some((ResultDelivery::Electronic | ResultDelivery::Post, _)) => {}
    }
    Some(out)
}

/// Whom the rate scores, and the decree's scale for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ScoredLevel {
    /// A province, against the national average (Đ5 k3 điểm l): 2 points at or below it,
    /// +0.25 per full 2 percentage points above, at most 3.
    Province,
    /// A commune or ward, against the provincial average (Đ6 k3 điểm e, Đ7 k3 điểm e): 3 points
    /// at or below it, +0.25 per full 0.5 percentage points above, at most 5.
    Commune,
}

impl ScoredLevel {
    /// (base points, step in hundredths of a percentage point, maximum), in quarter points.
    fn scale(self) -> (u32, i128, u32) {
        match self {
            ScoredLevel::Province => (8, 200, 12),
            ScoredLevel::Commune => (12, 50, 20),
        }
    }

    pub fn max_points(self) -> f64 {
        f64::from(self.scale().2) / 4.0
    }

    pub fn average_label(self) -> &'static str {
        match self {
            ScoredLevel::Province => "bình quân cả nước",
            ScoredLevel::Commune => "bình quân của tỉnh",
        }
    }
}

/// The rate of `full` out of `total` dossiers, in percent (`None` without dossiers).
pub fn rate(full: i64, total: i64) -> Option<f64> {
    (total > 0).then(|| full as f64 * 100.0 / total as f64)
}

/// The decree's points for `full` toàn trình dossiers out of `total`, against `average_bp`
/// (the average rate in hundredths of a percent: 3550 = 35.50 %). Exact: the steps are counted
/// in integers, so a rate exactly one step above the average earns the step. `None` without
/// dossiers.
pub fn points(level: ScoredLevel, full: i64, total: i64, average_bp: u32) -> Option<f64> {
    if total <= 0 {
        return None;
    }
    let (base, step, max) = level.scale();
    // rate − average, in hundredths of a percent, times `total`.
    let above = i128::from(full) * 10_000 - i128::from(average_bp) * i128::from(total);
    let steps = if above <= 0 { 0 } else { above / (step * i128::from(total)) };
    let quarters = (i128::from(base) + steps).min(i128::from(max));
    Some(quarters as f64 / 4.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn province_scale_follows_the_decree() {
        let p = |full, total, avg| points(ScoredLevel::Province, full, total, avg).unwrap();
        // At or below the national average: 2 points.
        assert_eq!(p(30, 100, 3000), 2.0);
        assert_eq!(p(10, 100, 3000), 2.0);
        // +0.25 per full 2 points of percentage.
        assert_eq!(p(31, 100, 3000), 2.0);
        assert_eq!(p(32, 100, 3000), 2.25);
        assert_eq!(p(35, 100, 3000), 2.5);
        assert_eq!(p(38, 100, 3000), 3.0);
        // At most 3.
        assert_eq!(p(100, 100, 3000), 3.0);
        assert_eq!(points(ScoredLevel::Province, 0, 0, 3000), None);
    }

    #[test]
    fn commune_scale_follows_the_decree() {
        let p = |full, total, avg| points(ScoredLevel::Commune, full, total, avg).unwrap();
        assert_eq!(p(40, 100, 4000), 3.0);
        assert_eq!(p(401, 1000, 4000), 3.0);
        // 40.5 % against 40 %: one step.
        assert_eq!(p(405, 1000, 4000), 3.25);
        assert_eq!(p(43, 100, 4000), 4.5);
        assert_eq!(p(44, 100, 4000), 5.0);
        assert_eq!(p(90, 100, 4000), 5.0);
    }

    #[test]
    fn shortfall_bits_round_trip() {
        let mut s = Shortfalls::default();
        s.insert(Shortfall::NotOnline);
        s.insert(Shortfall::NotReturned);
        assert_eq!(Shortfalls::from_bits(s.bits()), s);
        assert_eq!(s.iter().collect::<Vec<_>>(), [Shortfall::NotOnline, Shortfall::NotReturned]);
        assert_eq!(s.describe(), "Không nộp trực tuyến; Chưa trả kết quả");
        assert!(Shortfalls::from_bits(0).is_empty());
        assert_eq!(Shortfalls::from_bits(0xff).iter().count(), Shortfall::ALL.len());
    }

    proptest! {
        #[test]
        fn points_stay_on_the_scale_and_grow_with_the_rate(
            total in 1i64..100_000,
            a in 0i64..100_000,
            b in 0i64..100_000,
            avg in 0u32..=10_000,
            commune in any::<bool>(),
        ) {
            let level = if commune { ScoredLevel::Commune } else { ScoredLevel::Province };
            let (lo, hi) = (a.min(b).min(total), a.max(b).min(total));
            let (p_lo, p_hi) = (points(level, lo, total, avg).unwrap(), points(level, hi, total, avg).unwrap());
            let (base, _, max) = level.scale();
            prop_assert!(p_lo <= p_hi);
            prop_assert!(p_lo >= f64::from(base) / 4.0 && p_hi <= f64::from(max) / 4.0);
            // Quarter points only.
            prop_assert_eq!((p_hi * 4.0).fract(), 0.0);
            // At or below the average: the base.
            if (lo as f64) * 10_000.0 <= f64::from(avg) * total as f64 {
                prop_assert_eq!(p_lo, f64::from(base) / 4.0);
            }
        }
    }
}
