//! What every import format reads into: rows of procedures and the problems of those that
//! cannot be imported, with the parsers of the values the formats share.

use motcua_domain::calendar::TimeUnit;
use motcua_domain::catalog::{ApplicantType, Level, ProcedureContent, Publication};
use serde::{Deserialize, Serialize};

use crate::error::AppError;

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

/// A row that cannot be imported, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportProblem {
    pub row: String,
    pub reason: String,
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportFormat {
    Json,
    Xlsx,
}

impl ImportFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            ImportFormat::Json => "json",
            ImportFormat::Xlsx => "xlsx",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "json" => Some(ImportFormat::Json),
            "xlsx" => Some(ImportFormat::Xlsx),
            _ => None,
        }
    }

    /// From a file name's extension, refusing other files.
    pub fn of_file(name: &str) -> Result<ImportFormat, AppError> {
        Self::from_file_name(name).ok_or_else(|| {
            AppError::field("file", "unsupported_type", "Chỉ nhận tệp .json (gói thủ tục) hoặc .xlsx (theo mẫu).")
        })
    }

    /// From a file name's extension.
    pub fn from_file_name(name: &str) -> Option<ImportFormat> {
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".json") {
            Some(ImportFormat::Json)
        } else if lower.ends_with(".xlsx") {
            Some(ImportFormat::Xlsx)
        } else {
            None
        }
    }
}

/// The outcome of an applied import.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    pub total: usize,
    pub created: usize,
    pub amended: usize,
    pub unchanged: usize,
}
