//! Citizens' satisfaction ratings of how their dossier was handled (NĐ 61/2018, TT 01/2018/TT-VPCP
//! indicator set, legal.md §1.4): the indicator set as versioned data, a rating's validation,
//! its score, grade and whether the citizen was satisfied. Pure: no IO.

pub mod indicators;
pub mod score;

pub use indicators::{IndicatorSet, Level, Question, default_set};
pub use score::{Answers, Grade, Rating, RatingChannel, validate};
