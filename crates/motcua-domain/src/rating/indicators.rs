//! The indicator set a citizen answers, kept as data: the law may change it (legal.md §1.4 says
//! it is unsure whether TT 03/2025 did), so every rating records the version it answered.

use serde::{Deserialize, Serialize};

/// One scored indicator (2, 1 or 0 points) and what each score means.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Indicator {
    /// "1" … "9", as the form numbers them.
    pub code: String,
    pub text: String,
    /// (points, what the citizen picks), best first.
    pub options: Vec<(u8, String)>,
}

/// One of the three-level questions (ease of use, overall assessment).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    /// "10", "11".
    pub code: String,
    pub text: String,
}

/// The three answers of a question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    VerySatisfied,
    Satisfied,
    Unsatisfied,
}

impl Level {
    pub const ALL: [Level; 3] = [Level::VerySatisfied, Level::Satisfied, Level::Unsatisfied];

    pub fn as_str(self) -> &'static str {
        match self {
            Level::VerySatisfied => "very_satisfied",
            Level::Satisfied => "satisfied",
            Level::Unsatisfied => "unsatisfied",
        }
    }

    pub fn parse(s: &str) -> Option<Level> {
        Level::ALL.into_iter().find(|l| l.as_str() == s.trim())
    }

    pub fn label(self) -> &'static str {
        match self {
            Level::VerySatisfied => "Rất hài lòng",
            Level::Satisfied => "Hài lòng",
            Level::Unsatisfied => "Không hài lòng",
        }
    }
}

/// A versioned indicator set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndicatorSet {
    /// Recorded with each rating ("tt01-2018").
    pub version: String,
    pub title: String,
    pub indicators: Vec<Indicator>,
    pub questions: Vec<Question>,
}

impl IndicatorSet {
    /// The most points the indicators can give.
    pub fn max_points(&self) -> u32 {
        self.indicators.iter().map(|i| i.options.iter().map(|o| u32::from(o.0)).max().unwrap_or(0)).sum()
    }
}

const DEFAULT_SET: &str = include_str!("tt01-2018.json");

/// The set of TT 01/2018/TT-VPCP (nine indicators scored 2/1/0, two three-level questions), as
/// the citizen reads it.
pub fn default_set() -> IndicatorSet {
    serde_json::from_str(DEFAULT_SET).expect("the built-in indicator set is valid JSON")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_set_has_nine_indicators_of_two_one_zero_and_two_questions() {
        let set = default_set();
        assert_eq!(set.version, "tt01-2018");
        assert_eq!(set.indicators.len(), 9);
        for (i, ind) in set.indicators.iter().enumerate() {
            assert_eq!(ind.code, (i + 1).to_string());
            let points: Vec<u8> = ind.options.iter().map(|o| o.0).collect();
            assert_eq!(points, vec![2, 1, 0], "indicator {}", ind.code);
        }
        assert_eq!(set.questions.iter().map(|q| q.code.as_str()).collect::<Vec<_>>(), ["10", "11"]);
        assert_eq!(set.max_points(), 18);
        for l in Level::ALL {
            assert_eq!(Level::parse(l.as_str()), Some(l));
        }
    }
}
