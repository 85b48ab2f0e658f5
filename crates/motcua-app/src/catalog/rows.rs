//! What every import format reads into: rows of procedures and the problems of those that
//! cannot be imported, with the parsers of the values the formats share.

use motcua_domain::calendar::TimeUnit;
use motcua_domain::catalog::{ApplicantType, Level, ProcedureContent, Publication};

pub use crate::ports::{ImportFormat, ImportProblem, ImportReport};

/// The case name used when the package names none.
pub const DEFAULT_CASE: &str = "Trường hợp chung";

/// One procedure read from an import file.
#[derive(Debug, Clone)]
pub struct ImportRow {
    /// Where it came from, for messages ("Thủ tục thứ 3", "Sheet ThuTuc, dòng 7").
    pub label: String,
    pub code: String,
    pub content: ProcedureContent,
    pub publication: Publication,
}

/// What a file holds after reading.
#[derive(Debug, Clone, Default)]
pub struct ParsedImport {
    pub rows: Vec<ImportRow>,
    pub problems: Vec<ImportProblem>,
}

/// Parses a time unit as the portal prints it.
pub fn parse_unit(raw: &str) -> Result<Option<TimeUnit>, String> {
    let f = motcua_domain::catalog::fold::fold(raw.trim());
    Ok(Some(match f.as_str() {
        "" | "khac" => return Ok(None),
        "ngay lam viec" | "working_days" => TimeUnit::WorkingDays,
        "ngay" | "calendar_days" => TimeUnit::CalendarDays,
        "gio" | "gio lam viec" | "working_hours" => TimeUnit::WorkingHours,
        "nua ngay lam viec" | "half_days" => TimeUnit::HalfDays,
        "thang" | "months" => TimeUnit::Months,
        "trong ngay" | "same_day" => TimeUnit::SameDay,
        _ => return Err(format!("đơn vị thời gian không rõ: \"{raw}\"")),
    }))
}

pub fn parse_level(raw: &str) -> Option<Level> {
    let f = motcua_domain::catalog::fold::fold(raw.trim());
    Level::parse(raw).or(match f.as_str() {
        "cap tinh" | "tinh" => Some(Level::Province),
        "cap xa" | "xa" => Some(Level::Commune),
        "cap bo" | "bo" | "cap bo/nganh" | "cap bo, nganh" => Some(Level::Ministry),
        "co quan khac" | "co_quan_khac" => Some(Level::Other),
        _ => None,
    })
}

pub fn parse_applicant(raw: &str) -> Option<ApplicantType> {
    ApplicantType::parse(raw).or_else(|| {
        let f = motcua_domain::catalog::fold::fold(raw.trim());
        ApplicantType::ALL.iter().copied().find(|a| motcua_domain::catalog::fold::fold(a.label()) == f).or(
            match f.as_str() {
                "cong dan" | "ca nhan" => Some(ApplicantType::Citizen),
                "doanh nghiep" => Some(ApplicantType::Business),
                "to chuc" | "to chuc nha nuoc" => Some(ApplicantType::Organisation),
                _ => None,
            },
        )
    })
}
