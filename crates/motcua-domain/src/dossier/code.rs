//! The dossier code (mã số hồ sơ): `{agency e-ID}-{YYMMDD}-{NNNN}` (`legal.md` §1.1).
//!
//! The e-ID is the resolving agency's, the date is the intake date in Vietnam time and the
//! sequence counts that agency's intakes of the day from 1, zero-padded to at least 4 digits and
//! never capped (TT 04/2025 Điều 23 says "at least 4 digits, longer if needed"). The code is
//! issued once, at valid intake, and never changes afterwards: it is the key of every lookup,
//! sync, payment and QR link.

use std::fmt;
use std::str::FromStr;

use jiff::civil::Date;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::agency::AgencyCode;
use crate::validation::FieldError;

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DossierCode {
    agency: AgencyCode,
    date: Date,
    sequence: u32,
}

impl DossierCode {
    /// The code of the `sequence`-th intake (from 1) of `agency` on `date`.
    pub fn new(agency: AgencyCode, date: Date, sequence: u32) -> Result<Self, FieldError> {
        if sequence == 0 {
            return Err(FieldError::new("code", "invalid_sequence", "Số thứ tự hồ sơ bắt đầu từ 1."));
        }
        if !(2000..=2099).contains(&date.year()) {
            return Err(FieldError::new("code", "invalid_date", "Ngày tiếp nhận phải trong các năm 2000–2099."));
        }
        Ok(Self { agency, date, sequence })
    }

    /// Parses a code as people type it (spaces trimmed, letters upper-cased).
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let s = input.trim().to_ascii_uppercase();
        let bad = || {
            FieldError::new(
                "code",
                "invalid_format",
                "Mã hồ sơ có dạng {mã định danh cơ quan}-{YYMMDD}-{số thứ tự}, ví dụ H99.301-260715-0001.",
            )
        };
        let mut parts = s.rsplitn(3, '-');
        let (seq, day, agency) = match (parts.next(), parts.next(), parts.next()) {
            (Some(q), Some(d), Some(a)) => (q, d, a),
            _ => return Err(bad()),
        };
        if seq.len() < 4 || seq.len() > 9 || !seq.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        // A longer number with a leading zero would be a second spelling of a shorter one.
        if seq.len() > 4 && seq.starts_with('0') {
            return Err(bad());
        }
        if day.len() != 6 || !day.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let n = |r: std::ops::Range<usize>| day[r].parse::<i8>().map_err(|_| bad());
        let date = Date::new(2000 + i16::from(n(0..2)?), n(2..4)?, n(4..6)?).map_err(|_| bad())?;
        let agency = AgencyCode::parse(agency).map_err(|_| bad())?;
        let sequence = seq.parse::<u32>().map_err(|_| bad())?;
        Self::new(agency, date, sequence).map_err(|_| bad())
    }

    pub fn agency(&self) -> &AgencyCode {
        &self.agency
    }

    pub fn date(&self) -> Date {
        self.date
    }

    pub fn sequence(&self) -> u32 {
        self.sequence
    }
}

impl fmt::Display for DossierCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}-{:02}{:02}{:02}-{:04}",
            self.agency,
            self.date.year() % 100,
            self.date.month(),
            self.date.day(),
            self.sequence
        )
    }
}

impl FromStr for DossierCode {
    type Err = FieldError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Serialize for DossierCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for DossierCode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(|e| serde::de::Error::custom(e.message))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use proptest::prelude::*;

    fn code(a: &str, d: Date, n: u32) -> DossierCode {
        DossierCode::new(AgencyCode::parse(a).unwrap(), d, n).unwrap()
    }

    #[test]
    fn formats_like_the_national_examples() {
        assert_eq!(code("000.00.16.H56", date(2025, 7, 15), 1).to_string(), "000.00.16.H56-250715-0001");
        assert_eq!(code("H56.123.45", date(2025, 7, 15), 1).to_string(), "H56.123.45-250715-0001");
        assert_eq!(code("H99.301", date(2026, 1, 2), 12_345).to_string(), "H99.301-260102-12345");
    }

    #[test]
    fn parses_what_it_prints_and_rejects_the_rest() {
        let c = DossierCode::parse(" h99.301-260102-0042 ").unwrap();
        assert_eq!(c, code("H99.301", date(2026, 1, 2), 42));
        for bad in [
            "",
            "H99.301",
            "H99.301-260102",
            "H99.301-260102-42",
            "H99.301-261302-0001",
            "H99.301-260230-0001",
            "H99.301-260102-0000",
            "H99.301-260102-00001",
            "H99.301-2601-0001",
            "H99.301-260102-00x1",
            "H99 301-260102-0001",
            "-260102-0001",
        ] {
            assert!(DossierCode::parse(bad).is_err(), "{bad} accepted");
        }
    }

    proptest! {
        #[test]
        fn round_trips(seq in 1u32..100_000_000, days in 0i32..36_000, agency in "[A-Y][0-9]{2}(\\.[0-9]{1,3}){0,3}") {
            let d = date(2000, 1, 1).checked_add(jiff::Span::new().days(days)).unwrap();
            prop_assume!(d.year() <= 2099);
            let c = code(&agency, d, seq);
            let printed = c.to_string();
            prop_assert_eq!(DossierCode::parse(&printed).unwrap(), c);
        }

        #[test]
        fn codes_of_one_agency_and_day_sort_by_sequence_when_padded_alike(a in 1u32..10_000, b in 1u32..10_000) {
            let d = date(2026, 3, 4);
            let (x, y) = (code("H99.301", d, a).to_string(), code("H99.301", d, b).to_string());
            prop_assert_eq!(x.cmp(&y), a.cmp(&b));
        }
    }
}
