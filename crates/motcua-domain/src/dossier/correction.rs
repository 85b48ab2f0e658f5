//! Corrections (đính chính). A recorded fact is never rewritten: an official who finds one
//! wrong (a misspelt name, a wrong ID number, a mistyped result number) requests a correction
//! with a reason, and a leader of the resolving agency other than the requester approves or
//! rejects it with a reason. Only an approved correction changes what the dossier shows; the
//! request, the decision and the value before and after stay in its history for reports.
//!
//! Only descriptive facts can be corrected. Instants, steps and decisions cannot: they are what
//! timeliness is computed from, and fixing them would rewrite the statistics.

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::account::UserId;
use crate::dossier::applicant::Applicant;
use crate::time::format_date;

/// A correction's number within its dossier (1, 2, …).
pub type CorrectionId = u32;

/// The issued result's particulars as the clerk entered them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResultParticulars {
    pub number: String,
    pub signed_on: Date,
    pub signer: String,
}

/// What a correction changes, with the value before it and after it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "what", rename_all = "snake_case")]
pub enum Correction {
    /// The applicant as recorded at intake.
    Applicant { before: Box<Applicant>, after: Box<Applicant> },
    /// The result's number, signing date and signer.
    Result { before: ResultParticulars, after: ResultParticulars },
    /// Who received the result.
    Receiver { before: String, after: String },
}

/// One changed field, for display: its label and the values before and after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    pub field: &'static str,
    pub before: String,
    pub after: String,
}

fn text(v: &Option<String>) -> String {
    v.clone().unwrap_or_default()
}

impl Correction {
    pub fn what(&self) -> &'static str {
        match self {
            Correction::Applicant { .. } => "applicant",
            Correction::Result { .. } => "result",
            Correction::Receiver { .. } => "receiver",
        }
    }

    pub fn label(&self) -> &'static str {
        match self {
            Correction::Applicant { .. } => "Thông tin người nộp hồ sơ",
            Correction::Result { .. } => "Số, ngày ký, người ký văn bản kết quả",
            Correction::Receiver { .. } => "Người nhận kết quả",
        }
    }

    /// The fields whose value differs.
    pub fn changes(&self) -> Vec<FieldChange> {
        let mut out = Vec::new();
        let mut push = |field: &'static str, before: String, after: String| {
            if before != after {
                out.push(FieldChange { field, before, after });
            }
        };
        match self {
            Correction::Applicant { before: b, after: a } => {
                push("Họ và tên / tên tổ chức", b.full_name.clone(), a.full_name.clone());
                push("Số định danh / mã số thuế", text(&b.id_number), text(&a.id_number));
                let date = |d: Option<Date>| d.map(format_date).unwrap_or_default();
                push("Ngày sinh", date(b.birth_date), date(a.birth_date));
                push("Giới tính", text(&b.gender), text(&a.gender));
                push("Địa chỉ", text(&b.address), text(&a.address));
                push("Điện thoại", text(&b.phone), text(&a.phone));
                push("Thư điện tử", text(&b.email), text(&a.email));
                push("Loại người nộp", b.kind.label().to_owned(), a.kind.label().to_owned());
            }
            Correction::Result { before: b, after: a } => {
                push("Số, ký hiệu", b.number.clone(), a.number.clone());
                push("Ngày ký", format_date(b.signed_on), format_date(a.signed_on));
                push("Người ký", b.signer.clone(), a.signer.clone());
            }
            Correction::Receiver { before, after } => push("Người nhận", before.clone(), after.clone()),
        }
        out
    }
}

/// The leader's decision on a correction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CorrectionDecision {
    pub approved: bool,
    pub at: Timestamp,
    pub by: String,
    pub reason: Option<String>,
}

/// A correction as the dossier's state keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CorrectionRecord {
    pub id: CorrectionId,
    pub correction: Correction,
    pub requested_at: Timestamp,
    pub requested_by: String,
    pub requested_by_id: Option<UserId>,
    pub reason: Option<String>,
    pub decision: Option<CorrectionDecision>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_fields_that_differ_are_listed() {
        let before = Applicant {
            full_name: "Nguyễn Văn Ân".into(),
            id_number: Some("001203004567".into()),
            ..Applicant::default()
        };
        let after = Applicant { full_name: "Nguyễn Văn An".into(), ..before.clone() };
        let c = Correction::Applicant { before: Box::new(before), after: Box::new(after) };
        assert_eq!(
            c.changes(),
            [FieldChange {
                field: "Họ và tên / tên tổ chức",
                before: "Nguyễn Văn Ân".into(),
                after: "Nguyễn Văn An".into()
            }]
        );
        let r = |n: &str| ResultParticulars {
            number: n.into(),
            signed_on: jiff::civil::date(2026, 11, 23),
            signer: "Trương Văn Lãnh".into(),
        };
        let c = Correction::Result { before: r("12/GKS"), after: r("21/GKS") };
        assert_eq!(c.changes().len(), 1);
        assert_eq!(c.what(), "result");
        assert!(Correction::Receiver { before: "A".into(), after: "A".into() }.changes().is_empty());
    }
}
