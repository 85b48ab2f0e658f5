//! A petition's reference code: `{agency e-ID}-PA{YYMMDD}-{NNNN}`. No text fixes its shape;
//! it follows the dossier code (`legal.md` §1.1: the receiving agency's e-ID, the day in
//! Vietnam, a sequence of at least four digits per agency and day) with `PA` before the date so
//! that a petition and a dossier never share a code.

use std::fmt;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::agency::AgencyCode;

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PetitionCode(String);

impl PetitionCode {
    pub fn new(agency: &AgencyCode, day: Date, number: u32) -> PetitionCode {
        PetitionCode(format!("{agency}-PA{:02}{:02}{:02}-{number:04}", day.year() % 100, day.month(), day.day()))
    }

    /// A code as typed: trimmed, upper case; `None` unless it has the shape above.
    pub fn parse(s: &str) -> Option<PetitionCode> {
        let s = s.trim().to_uppercase();
        let (head, number) = s.rsplit_once('-')?;
        let (agency, day) = head.rsplit_once("-PA")?;
        let ok = number.len() >= 4
            && number.len() <= 9
            && number.bytes().all(|b| b.is_ascii_digit())
            && day.len() == 6
            && day.bytes().all(|b| b.is_ascii_digit())
            && AgencyCode::parse(agency).is_ok();
        ok.then_some(PetitionCode(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PetitionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_names_the_agency_the_day_and_the_number() {
        let agency = AgencyCode::parse("000.31.31.H99").unwrap();
        let c = PetitionCode::new(&agency, jiff::civil::date(2026, 12, 4), 7);
        assert_eq!(c.as_str(), "000.31.31.H99-PA261204-0007");
        assert_eq!(PetitionCode::parse(" 000.31.31.h99-pa261204-0007 "), Some(c));
        let long = PetitionCode::new(&agency, jiff::civil::date(2026, 1, 2), 12345);
        assert_eq!(long.as_str(), "000.31.31.H99-PA260102-12345");
        assert_eq!(PetitionCode::parse(long.as_str()), Some(long));
    }

    #[test]
    fn dossier_codes_and_garbage_are_not_petition_codes() {
        for s in ["000.31.31.H99-261204-0007", "PA261204-0007", "000.31.31.H99-PA2612-0007", "A B-PA261204-0007", ""] {
            assert_eq!(PetitionCode::parse(s), None, "{s}");
        }
    }
}
