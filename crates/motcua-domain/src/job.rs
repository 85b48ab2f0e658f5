//! Rules of the durable job queue: states and retry schedule.

use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum JobStatus {
    /// Waiting for `run_at`.
    Pending,
    /// Claimed by a worker until its lease ends.
    Running,
    /// Finished successfully.
    Done,
    /// Gave up after the last attempt; waits for an administrator (dead letter).
    Dead,
}

impl JobStatus {
    pub const ALL: [JobStatus; 4] = [JobStatus::Pending, JobStatus::Running, JobStatus::Done, JobStatus::Dead];

    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Pending => "pending",
            JobStatus::Running => "running",
            JobStatus::Done => "done",
            JobStatus::Dead => "dead",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            JobStatus::Pending => "Chờ chạy",
            JobStatus::Running => "Đang chạy",
            JobStatus::Done => "Hoàn thành",
            JobStatus::Dead => "Thất bại (cần xử lý)",
        }
    }
}

/// Exponential backoff: `base · 2^(attempt−1)`, capped, plus up to 10 % jitter derived from the
/// job id so that jobs failing together (an SMTP outage) do not all retry in the same second,
/// while any one job's schedule stays reproducible in tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    pub base_seconds: u32,
    pub max_seconds: u32,
}

impl Default for Backoff {
    fn default() -> Self {
        Self { base_seconds: 10, max_seconds: 3600 }
    }
}

/// What to do after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterFailure {
    RetryAt(Timestamp),
    GiveUp,
}

impl Backoff {
    pub fn delay_seconds(&self, job_id: i64, attempt: u32) -> u64 {
        let exp = attempt.saturating_sub(1).min(31);
        let raw = u64::from(self.base_seconds).saturating_mul(1u64 << exp).min(u64::from(self.max_seconds));
        // Cheap deterministic mix of the id (SplitMix64 finaliser).
        let mut z = (job_id as u64).wrapping_add(u64::from(attempt)).wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        raw + raw * (z % 11) / 100
    }

    /// `attempt` is the number of the attempt that just failed (1-based).
    pub fn after_failure(&self, job_id: i64, attempt: u32, max_attempts: u32, now: Timestamp) -> AfterFailure {
        if attempt >= max_attempts {
            return AfterFailure::GiveUp;
        }
        let delay = SignedDuration::from_secs(self.delay_seconds(job_id, attempt) as i64);
        match now.checked_add(delay) {
            Ok(at) => AfterFailure::RetryAt(at),
            Err(_) => AfterFailure::GiveUp,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn delays_grow_exponentially_and_are_capped() {
        let b = Backoff { base_seconds: 10, max_seconds: 300 };
        let d: Vec<u64> = (1..=7).map(|a| b.delay_seconds(42, a)).collect();
        let bases = [10, 20, 40, 80, 160, 300, 300];
        for (got, base) in d.iter().zip(bases) {
            assert!(*got >= base && *got <= base + base / 10, "{got} vs {base}");
        }
    }

    #[test]
    fn gives_up_at_the_last_attempt() {
        let b = Backoff::default();
        let now = Timestamp::UNIX_EPOCH;
        assert!(matches!(b.after_failure(1, 1, 3, now), AfterFailure::RetryAt(t) if t > now));
        assert!(matches!(b.after_failure(1, 2, 3, now), AfterFailure::RetryAt(_)));
        assert_eq!(b.after_failure(1, 3, 3, now), AfterFailure::GiveUp);
    }

    #[test]
    fn statuses_round_trip() {
        for s in JobStatus::ALL {
            assert_eq!(JobStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(JobStatus::parse("stuck"), None);
    }

    proptest! {
        #[test]
        fn delay_is_deterministic_and_bounded(id in any::<i64>(), attempt in 1u32..100) {
            let b = Backoff::default();
            let d = b.delay_seconds(id, attempt);
            prop_assert_eq!(d, b.delay_seconds(id, attempt));
            prop_assert!(d >= u64::from(b.base_seconds));
            prop_assert!(d <= u64::from(b.max_seconds) * 11 / 10);
        }
    }
}
