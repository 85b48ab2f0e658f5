//! The life of a procedure: drafts, published versions, amendment, replacement, abolition.
//!
//! Versions are never rewritten once published. A procedure's *current* version is the latest
//! published one whose effective date has come; a decision that takes effect next month keeps
//! the old version current until then. Abolition and replacement are published versions too,
//! so the history shows every decision in order.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::code::ProcedureCode;
use crate::validation::{FieldError, ValidationErrors};

/// What a version does to the procedure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// First publication (công bố mới).
    New,
    /// Amendment or supplement (sửa đổi, bổ sung).
    Amended,
    /// The procedure is replaced by another (thay thế).
    Replaced,
    /// The procedure is abolished (bãi bỏ).
    Abolished,
}

impl ChangeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::New => "new",
            ChangeKind::Amended => "amended",
            ChangeKind::Replaced => "replaced",
            ChangeKind::Abolished => "abolished",
        }
    }

    pub fn parse(s: &str) -> Option<ChangeKind> {
        [ChangeKind::New, ChangeKind::Amended, ChangeKind::Replaced, ChangeKind::Abolished]
            .into_iter()
            .find(|k| k.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            ChangeKind::New => "Công bố mới",
            ChangeKind::Amended => "Sửa đổi, bổ sung",
            ChangeKind::Replaced => "Thay thế",
            ChangeKind::Abolished => "Bãi bỏ",
        }
    }

    /// Whether the procedure can still be carried out under a version of this kind.
    pub fn is_in_force(self) -> bool {
        matches!(self, ChangeKind::New | ChangeKind::Amended)
    }
}

/// The publication decision (quyết định công bố) and the dates the national index scores.
///
/// Publishing here requires the decision number, date, signer and effective date. Procedures
/// imported from the national database may arrive without some of them; those stay empty
/// rather than being guessed, and an empty effective date means "in force since before it was
/// recorded here".
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Publication {
    /// `1234/QĐ-UBND`.
    #[serde(default)]
    pub decision_number: Option<String>,
    #[serde(default)]
    pub decision_date: Option<Date>,
    #[serde(default)]
    pub signer: Option<String>,
    /// From when the version applies.
    #[serde(default)]
    pub effective_from: Option<Date>,
    /// The latest effective date among the legal basis (indicator 1.1 compares the decision
    /// date against it).
    #[serde(default)]
    pub legal_basis_effective_on: Option<Date>,
    /// When it was made public on the national database/portal (indicator 1.2).
    #[serde(default)]
    pub portal_published_on: Option<Date>,
}

impl Publication {
    /// `complete`: a decision made here, which must name number, date, signer and effective
    /// date. Imports check consistency only.
    pub fn validate(&self, complete: bool) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::new();
        match self.decision_number.as_deref().map(str::trim) {
            None | Some("") if complete => e.push(FieldError::required("decision_number")),
            Some(n) if n.chars().count() > 100 || n.chars().any(char::is_control) => {
                e.push(FieldError::new("decision_number", "invalid_format", "Số quyết định không hợp lệ."))
            }
            _ => {}
        }
        if complete && self.decision_date.is_none() {
            e.push(FieldError::required("decision_date"));
        }
        match self.signer.as_deref().map(str::trim) {
            None | Some("") if complete => e.push(FieldError::required("signer")),
            Some(s) if s.chars().count() > 200 => e.push(FieldError::new("signer", "too_long", "Tối đa 200 ký tự.")),
            _ => {}
        }
        if complete && self.effective_from.is_none() {
            e.push(FieldError::required("effective_from"));
        }
        if let (Some(eff), Some(dec)) = (self.effective_from, self.decision_date)
            && eff < dec
        {
            e.push(FieldError::new(
                "effective_from",
                "before_decision",
                "Ngày có hiệu lực không được trước ngày ký quyết định công bố.",
            ));
        }
        if let (Some(p), Some(dec)) = (self.portal_published_on, self.decision_date)
            && p < dec
        {
            e.push(FieldError::new(
                "portal_published_on",
                "before_decision",
                "Ngày công khai không được trước ngày ký quyết định công bố.",
            ));
        }
        e.into_result()
    }
}

/// Whether a version is being written or has been published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum VersionState {
    Draft,
    Published(Publication),
}

/// The facts about one version that decide which version is current.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionFacts {
    pub number: u32,
    pub kind: ChangeKind,
    pub published: bool,
    /// `None` for drafts, and for published versions whose date is not recorded (in force).
    pub effective_from: Option<Date>,
    pub replaced_by: Option<ProcedureCode>,
}

/// Where a procedure stands on a given day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Standing {
    /// Nothing published yet (or only with a future effective date).
    Unpublished { upcoming: Option<(u32, Date)> },
    /// Citizens may carry it out under `current`. `upcoming` is a published version that takes
    /// effect later.
    InForce { current: u32, upcoming: Option<(u32, Date)> },
    /// Abolished or replaced; `last_in_force` is readable for history.
    Ended { kind: ChangeKind, since: Option<Date>, last_in_force: Option<u32>, replaced_by: Option<ProcedureCode> },
}

impl Standing {
    /// The version citizens see by default.
    pub fn current(&self) -> Option<u32> {
        match self {
            Standing::InForce { current, .. } => Some(*current),
            Standing::Ended { last_in_force, .. } => *last_in_force,
            Standing::Unpublished { .. } => None,
        }
    }

    pub fn is_in_force(&self) -> bool {
        matches!(self, Standing::InForce { .. })
    }
}

/// Decides the standing on `today` from the versions (any order).
pub fn standing(versions: &[VersionFacts], today: Date) -> Standing {
    let mut published: Vec<&VersionFacts> = versions.iter().filter(|v| v.published).collect();
    // Later effective date wins (no date sorts first); on the same day the later decision
    // (higher number) wins.
    published.sort_by_key(|v| (v.effective_from, v.number));
    let (effective, later): (Vec<&VersionFacts>, Vec<&VersionFacts>) =
        published.into_iter().partition(|v| v.effective_from.is_none_or(|d| d <= today));
    let upcoming = later.first().map(|v| (v.number, v.effective_from.expect("a later version has a date")));
    let Some(latest) = effective.last() else {
        return Standing::Unpublished { upcoming };
    };
    if latest.kind.is_in_force() {
        return Standing::InForce { current: latest.number, upcoming };
    }
    let last_in_force = effective.iter().rev().find(|v| v.kind.is_in_force()).map(|v| v.number);
    Standing::Ended {
        kind: latest.kind,
        since: latest.effective_from,
        last_in_force,
        replaced_by: latest.replaced_by.clone(),
    }
}

/// Why a lifecycle action is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LifecycleError {
    #[error("thủ tục đang có bản nháp phiên bản {0}; hãy hoàn thiện hoặc xóa bản nháp đó trước")]
    DraftExists(u32),
    #[error("phiên bản {0} không phải bản nháp")]
    NotDraft(u32),
    #[error("thủ tục chưa có phiên bản đang có hiệu lực")]
    NothingInForce,
    #[error("thủ tục đã bị bãi bỏ hoặc thay thế")]
    AlreadyEnded,
    #[error("thủ tục không thể thay thế bằng chính nó")]
    ReplacedBySelf,
    #[error("chưa đủ nội dung để công bố: thiếu {}", .0.join(", "))]
    Incomplete(Vec<&'static str>),
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn v(number: u32, kind: ChangeKind, eff: Option<Date>) -> VersionFacts {
        VersionFacts { number, kind, published: eff.is_some(), effective_from: eff, replaced_by: None }
    }

    #[test]
    fn drafts_alone_are_unpublished() {
        assert_eq!(
            standing(&[v(1, ChangeKind::New, None)], date(2026, 1, 1)),
            Standing::Unpublished { upcoming: None }
        );
    }

    #[test]
    fn amendment_takes_over_on_its_effective_date() {
        let versions = [
            v(1, ChangeKind::New, Some(date(2025, 7, 1))),
            v(2, ChangeKind::Amended, Some(date(2026, 3, 1))),
            v(3, ChangeKind::Amended, None),
        ];
        assert_eq!(
            standing(&versions, date(2026, 2, 28)),
            Standing::InForce { current: 1, upcoming: Some((2, date(2026, 3, 1))) }
        );
        assert_eq!(standing(&versions, date(2026, 3, 1)), Standing::InForce { current: 2, upcoming: None });
        assert_eq!(
            standing(&versions, date(2025, 6, 30)),
            Standing::Unpublished { upcoming: Some((1, date(2025, 7, 1))) }
        );
    }

    #[test]
    fn abolition_ends_but_keeps_the_last_version_readable() {
        let versions =
            [v(1, ChangeKind::New, Some(date(2025, 7, 1))), v(2, ChangeKind::Abolished, Some(date(2026, 1, 1)))];
        let s = standing(&versions, date(2026, 1, 2));
        assert_eq!(s.current(), Some(1));
        assert!(!s.is_in_force());
        assert!(matches!(s, Standing::Ended { kind: ChangeKind::Abolished, .. }));
    }

    #[test]
    fn same_day_later_decision_wins() {
        let versions =
            [v(1, ChangeKind::New, Some(date(2026, 1, 1))), v(2, ChangeKind::Amended, Some(date(2026, 1, 1)))];
        assert_eq!(standing(&versions, date(2026, 1, 1)).current(), Some(2));
    }

    #[test]
    fn publication_dates_are_checked() {
        let p = Publication {
            decision_number: Some("12/QĐ-UBND".into()),
            decision_date: Some(date(2026, 5, 10)),
            signer: Some("Nguyễn Văn A".into()),
            effective_from: Some(date(2026, 5, 1)),
            legal_basis_effective_on: None,
            portal_published_on: Some(date(2026, 5, 9)),
        };
        let fields: Vec<String> = p.validate(true).unwrap_err().errors.into_iter().map(|e| e.field).collect();
        assert_eq!(fields, vec!["effective_from", "portal_published_on"]);
        let fields: Vec<String> =
            Publication::default().validate(true).unwrap_err().errors.into_iter().map(|e| e.field).collect();
        assert_eq!(fields, vec!["decision_number", "decision_date", "signer", "effective_from"]);
        Publication::default().validate(false).unwrap();
    }

    #[test]
    fn imported_versions_without_dates_are_in_force() {
        let versions = [VersionFacts {
            number: 1,
            kind: ChangeKind::New,
            published: true,
            effective_from: None,
            replaced_by: None,
        }];
        assert_eq!(standing(&versions, date(2000, 1, 1)).current(), Some(1));
    }
}
