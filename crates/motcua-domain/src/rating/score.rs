//! A citizen's rating: checked against its indicator set, scored, graded, and counted as
//! satisfied or not.

use serde::{Deserialize, Serialize};

use super::indicators::{IndicatorSet, Level};
use crate::validation::{FieldError, ValidationErrors};

/// Longest free comment.
pub const COMMENT_MAX: usize = 2000;

/// Where the citizen rated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RatingChannel {
    /// On the tablet or kiosk at the desk, opened by the officer for the dossier.
    Counter,
    /// Later, through the link (QR on the receipt, the result notification).
    Link,
}

impl RatingChannel {
    pub fn as_str(self) -> &'static str {
        match self {
            RatingChannel::Counter => "counter",
            RatingChannel::Link => "link",
        }
    }

    pub fn parse(s: &str) -> Option<RatingChannel> {
        [RatingChannel::Counter, RatingChannel::Link].into_iter().find(|c| c.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            RatingChannel::Counter => "Tại quầy",
            RatingChannel::Link => "Qua đường dẫn",
        }
    }
}

/// What the citizen sent, as the form names it: `i1` … `i9` with points, `q10`, `q11` with a
/// level, and a comment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Answers {
    pub values: Vec<(String, String)>,
    pub comment: Option<String>,
}

/// A checked rating.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rating {
    pub set_version: String,
    /// Points per indicator, in the set's order.
    pub points: Vec<u8>,
    /// Levels per question, in the set's order (ease of use, overall).
    pub levels: Vec<Level>,
    pub comment: Option<String>,
}

/// The grade of a total (TD-DVC's quarterly bands, legal.md §1.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grade {
    Excellent,
    Good,
    Fair,
    Average,
    Weak,
}

impl Grade {
    pub fn label(self) -> &'static str {
        match self {
            Grade::Excellent => "Xuất sắc",
            Grade::Good => "Tốt",
            Grade::Fair => "Khá",
            Grade::Average => "Trung bình",
            Grade::Weak => "Yếu",
        }
    }
}

impl Rating {
    pub fn total(&self) -> u32 {
        self.points.iter().map(|p| u32::from(*p)).sum()
    }

    /// The overall assessment (the set's last question).
    pub fn overall(&self) -> Level {
        *self.levels.last().unwrap_or(&Level::Satisfied)
    }

    /// Satisfied: the overall assessment is "Rất hài lòng" or "Hài lòng" (what the dashboard's
    /// satisfaction rate counts).
    pub fn satisfied(&self) -> bool {
        self.overall() != Level::Unsatisfied
    }

    /// TD-DVC's bands over 18 points: > 15 excellent, 12–15 good, 9–12 fair, 6–9 average, below
    /// weak. Its code leaves exactly 15 out of every band (legal.md §1.4, uncertain); 15 is read
    /// as "Tốt" here, the lower band.
    pub fn grade(&self) -> Grade {
        match self.total() {
            t if t > 15 => Grade::Excellent,
            t if t >= 12 => Grade::Good,
            t if t >= 9 => Grade::Fair,
            t if t >= 6 => Grade::Average,
            _ => Grade::Weak,
        }
    }
}

/// Checks the answers against the set: every indicator answered with one of its points, every
/// question with a level, the comment not too long.
pub fn validate(set: &IndicatorSet, answers: &Answers) -> Result<Rating, ValidationErrors> {
    let mut e = ValidationErrors::new();
    let get = |name: &str| answers.values.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim());
    let mut points = Vec::with_capacity(set.indicators.len());
    for ind in &set.indicators {
        let field = format!("i{}", ind.code);
        match get(&field).and_then(|v| v.parse::<u8>().ok()).filter(|p| ind.options.iter().any(|o| o.0 == *p)) {
            Some(p) => points.push(p),
            None => e.push(FieldError::new(field, "required", format!("Hãy chọn một mức cho tiêu chí {}.", ind.code))),
        }
    }
    let mut levels = Vec::with_capacity(set.questions.len());
    for q in &set.questions {
        let field = format!("q{}", q.code);
        match get(&field).and_then(Level::parse) {
            Some(l) => levels.push(l),
            None => e.push(FieldError::new(field, "required", format!("Hãy chọn một mức cho câu hỏi {}.", q.code))),
        }
    }
    let comment = answers.comment.as_deref().map(str::trim).filter(|c| !c.is_empty()).map(str::to_owned);
    if comment.as_ref().is_some_and(|c| c.chars().count() > COMMENT_MAX) {
        e.push(FieldError::new("comment", "too_long", format!("Ý kiến tối đa {COMMENT_MAX} ký tự.")));
    }
    e.into_result()?;
    Ok(Rating { set_version: set.version.clone(), points, levels, comment })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rating::default_set;
    use proptest::prelude::*;

    fn answers(points: &[u8], ease: &str, overall: &str) -> Answers {
        let mut values: Vec<(String, String)> =
            points.iter().enumerate().map(|(i, p)| (format!("i{}", i + 1), p.to_string())).collect();
        values.push(("q10".into(), ease.into()));
        values.push(("q11".into(), overall.into()));
        Answers { values, comment: Some("  Cán bộ nhiệt tình.  ".into()) }
    }

    #[test]
    fn a_full_rating_is_scored_graded_and_counted() {
        let set = default_set();
        let r = validate(&set, &answers(&[2, 2, 2, 2, 2, 2, 2, 2, 1], "very_satisfied", "satisfied")).unwrap();
        assert_eq!((r.total(), r.grade(), r.satisfied()), (17, Grade::Excellent, true));
        assert_eq!(r.comment.as_deref(), Some("Cán bộ nhiệt tình."));
        assert_eq!(r.set_version, "tt01-2018");
        let r = validate(&set, &answers(&[1, 1, 1, 1, 1, 1, 1, 1, 1], "satisfied", "unsatisfied")).unwrap();
        assert_eq!((r.total(), r.grade(), r.satisfied()), (9, Grade::Fair, false));
        for (total, grade) in [
            (16, Grade::Excellent),
            (15, Grade::Good),
            (12, Grade::Good),
            (11, Grade::Fair),
            (8, Grade::Average),
            (5, Grade::Weak),
        ] {
            let mut p = [0u8; 9];
            let mut left = total;
            for slot in &mut p {
                *slot = left.min(2) as u8;
                left -= u32::from(*slot);
            }
            assert_eq!(validate(&set, &answers(&p, "satisfied", "satisfied")).unwrap().grade(), grade, "{total}");
        }
    }

    #[test]
    fn missing_or_foreign_answers_are_named_by_their_fields() {
        let set = default_set();
        let mut a = answers(&[2, 2, 2, 2, 2, 2, 2, 2], "fine", "satisfied");
        a.values.push(("i3".into(), "7".into()));
        let e = validate(&set, &a).unwrap_err();
        let fields: Vec<&str> = e.errors.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["i9", "q10"]);
        let mut long = answers(&[0; 9], "unsatisfied", "unsatisfied");
        long.comment = Some("x".repeat(COMMENT_MAX + 1));
        assert_eq!(validate(&set, &long).unwrap_err().errors[0].field, "comment");
    }

    proptest! {
        #[test]
        fn any_complete_answer_scores_within_the_set(points in prop::collection::vec(0u8..=2, 9), o in 0usize..3) {
            let set = default_set();
            let overall = Level::ALL[o];
            let r = validate(&set, &answers(&points, "satisfied", overall.as_str())).unwrap();
            prop_assert!(r.total() <= set.max_points());
            prop_assert_eq!(r.satisfied(), overall != Level::Unsatisfied);
        }
    }
}
