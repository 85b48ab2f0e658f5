//! The working days each step may take. The national portal's monitoring rules (`legal.md` §6)
//! are the defaults; a province sets its own (§13.4: Ninh Bình answers in 10 working days, Bắc
//! Ninh in 5 within one agency, 7 across agencies, 10 at most), so these are data.

use serde::{Deserialize, Serialize};

use crate::validation::{FieldError, ValidationErrors};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PetitionDeadlines {
    /// Refusing a petition out of scope or invalid, from receipt (or the latest forward).
    pub refuse: u32,
    /// The first request for more information.
    pub info_request: u32,
    /// Reaching an approved answer (ready to publish); the clock stops while information is awaited.
    pub answer: u32,
    /// Publishing the answer once it is ready.
    pub publish: u32,
}

impl Default for PetitionDeadlines {
    fn default() -> Self {
        PetitionDeadlines { refuse: 2, info_request: 5, answer: 15, publish: 2 }
    }
}

/// No step is allowed more than a working year.
pub const MAX_DAYS: u32 = 250;

impl PetitionDeadlines {
    /// Checks a province's choice: every step at least one working day, none beyond a working
    /// year, refusal and the information request not later than the answer.
    pub fn validated(self) -> Result<PetitionDeadlines, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        for (field, v) in [
            ("refuse", self.refuse),
            ("info_request", self.info_request),
            ("answer", self.answer),
            ("publish", self.publish),
        ] {
            if !(1..=MAX_DAYS).contains(&v) {
                errors.push(FieldError::new(
                    field,
                    "out_of_range",
                    format!("Số ngày làm việc phải từ 1 đến {MAX_DAYS}."),
                ));
            }
        }
        if errors.is_empty() {
            for (field, v) in [("refuse", self.refuse), ("info_request", self.info_request)] {
                if v > self.answer {
                    errors.push(FieldError::new(
                        field,
                        "after_answer",
                        "Thời hạn của bước này không được dài hơn thời hạn trả lời.",
                    ));
                }
            }
        }
        errors.into_result().map(|()| self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_are_the_national_rules_and_provinces_may_shorten_them() {
        let d = PetitionDeadlines::default();
        assert_eq!((d.refuse, d.info_request, d.answer, d.publish), (2, 5, 15, 2));
        assert!(d.validated().is_ok());
        let ninh_binh = PetitionDeadlines { answer: 10, ..d };
        assert!(ninh_binh.validated().is_ok());
        let bac_ninh = PetitionDeadlines { refuse: 2, info_request: 3, answer: 5, publish: 2 };
        assert!(bac_ninh.validated().is_ok());
    }

    #[test]
    fn nonsense_is_refused_field_by_field() {
        let e = PetitionDeadlines { refuse: 0, info_request: 5, answer: 300, publish: 2 }.validated().unwrap_err();
        let fields: Vec<&str> = e.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["refuse", "answer"]);
        let e = PetitionDeadlines { refuse: 2, info_request: 12, answer: 10, publish: 2 }.validated().unwrap_err();
        assert_eq!(e.errors[0].field, "info_request");
    }
}
