//! Account lock-out after repeated failed logins.
//!
//! The first few failures cost nothing (people mistype); from the threshold on, each further
//! failure locks the account for twice as long as the previous one, up to a ceiling. A success
//! resets the count. Combined with the per-address rate limit this makes online guessing slow
//! without letting an attacker lock an official out for long.

use jiff::{SignedDuration, Timestamp};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockoutPolicy {
    /// Failures allowed before the first lock.
    pub threshold: u32,
    /// Length of the first lock.
    pub base_seconds: u32,
    /// Longest lock.
    pub max_seconds: u32,
}

impl Default for LockoutPolicy {
    fn default() -> Self {
        Self { threshold: 5, base_seconds: 60, max_seconds: 3600 }
    }
}

impl LockoutPolicy {
    /// After the `failures`-th consecutive failure at `now`, the instant until which the account
    /// is locked, or `None` while under the threshold.
    pub fn lock_until(&self, failures: u32, now: Timestamp) -> Option<Timestamp> {
        if failures < self.threshold.max(1) {
            return None;
        }
        let doublings = (failures - self.threshold.max(1)).min(31);
        let secs = u64::from(self.base_seconds).saturating_mul(1u64 << doublings).min(u64::from(self.max_seconds));
        now.checked_add(SignedDuration::from_secs(secs as i64)).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_double_from_the_threshold_up_to_the_ceiling() {
        let p = LockoutPolicy { threshold: 3, base_seconds: 60, max_seconds: 600 };
        let now = Timestamp::from_second(1_000_000).unwrap();
        let secs = |n| p.lock_until(n, now).map(|t| t.as_second() - now.as_second());
        assert_eq!(secs(1), None);
        assert_eq!(secs(2), None);
        assert_eq!(secs(3), Some(60));
        assert_eq!(secs(4), Some(120));
        assert_eq!(secs(5), Some(240));
        assert_eq!(secs(6), Some(480));
        assert_eq!(secs(7), Some(600));
        assert_eq!(secs(1000), Some(600));
    }

    #[test]
    fn zero_threshold_behaves_like_one() {
        let p = LockoutPolicy { threshold: 0, base_seconds: 10, max_seconds: 100 };
        let now = Timestamp::UNIX_EPOCH;
        assert_eq!(p.lock_until(0, now), None);
        assert_eq!(p.lock_until(1, now).unwrap().as_second(), 10);
    }
}
