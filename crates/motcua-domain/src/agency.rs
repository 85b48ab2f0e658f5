//! Agencies (cơ quan, đơn vị): the administrative tree every grant, dossier and report hangs on.

use std::fmt;

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::validation::FieldError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AgencyId(pub i64);

impl fmt::Display for AgencyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// The state electronic identifier of an agency (mã định danh điện tử, QĐ 20/2020 as amended by
/// QĐ 09/2025): at most 35 characters from `A–Z`, `0–9` and `.`, in dot-separated groups.
///
/// Two shapes exist in live data: the current one, highest level first (`H56.123.45`), and the
/// legacy QCVN 102:2016 one, lowest level first (`000.00.16.H02`). Both are accepted and kept as
/// opaque strings because codes are reissued when units merge; the shape is only informative.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct AgencyCode(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgencyCodeShape {
    /// `MX1X2` first, e.g. `H56.123.45`.
    Current,
    /// Four groups with `MX1X2` last, e.g. `000.00.16.H02`.
    Legacy,
    /// Valid characters but neither recognised layout (kept: the decision allows local schemes).
    Other,
}

impl AgencyCode {
    pub const MAX_LEN: usize = 35;

    /// Parses user input: surrounding spaces are dropped and letters upper-cased, because the
    /// code is defined in upper case and people type it in either.
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let s = input.trim().to_ascii_uppercase();
        if s.is_empty() {
            return Err(FieldError::new("code", "required", "Mã định danh là bắt buộc."));
        }
        if s.len() > Self::MAX_LEN {
            return Err(FieldError::new("code", "too_long", "Mã định danh dài tối đa 35 ký tự."));
        }
        if !s.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'.') {
            return Err(FieldError::new(
                "code",
                "invalid_format",
                "Mã định danh chỉ gồm chữ in hoa A–Z, chữ số 0–9 và dấu chấm.",
            ));
        }
        // Groups identify one body per level; an empty group cannot identify anything.
        if s.split('.').any(str::is_empty) {
            return Err(FieldError::new(
                "code",
                "invalid_format",
                "Mã định danh không được có nhóm rỗng (dấu chấm ở đầu, cuối hoặc liền nhau).",
            ));
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn shape(&self) -> AgencyCodeShape {
        let groups: Vec<&str> = self.0.split('.').collect();
        let is_level1 = |g: &str| {
            let b = g.as_bytes();
            b.len() == 3 && (b'A'..=b'Y').contains(&b[0]) && b[1].is_ascii_digit() && b[2].is_ascii_digit()
        };
        if groups.len() == 4
            && is_level1(groups[3])
            && groups[..3].iter().all(|g| g.bytes().all(|b| b.is_ascii_digit()))
        {
            AgencyCodeShape::Legacy
        } else if is_level1(groups[0]) {
            AgencyCodeShape::Current
        } else {
            AgencyCodeShape::Other
        }
    }
}

impl<'de> Deserialize<'de> for AgencyCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(|e| serde::de::Error::custom(e.message))
    }
}

impl fmt::Display for AgencyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Administrative level of a node in the tree. Since 01/07/2025 local government has two tiers
/// (province and commune); districts survive only as historic, effective-dated nodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgencyLevel {
    Province,
    Commune,
    HistoricDistrict,
    Department,
    OneStopDesk,
}

impl AgencyLevel {
    pub const ALL: [AgencyLevel; 5] = [
        AgencyLevel::Province,
        AgencyLevel::Commune,
        AgencyLevel::HistoricDistrict,
        AgencyLevel::Department,
        AgencyLevel::OneStopDesk,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AgencyLevel::Province => "province",
            AgencyLevel::Commune => "commune",
            AgencyLevel::HistoricDistrict => "historic_district",
            AgencyLevel::Department => "department",
            AgencyLevel::OneStopDesk => "one_stop_desk",
        }
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            AgencyLevel::Province => "Cấp tỉnh",
            AgencyLevel::Commune => "Cấp xã",
            AgencyLevel::HistoricDistrict => "Cấp huyện (đã giải thể)",
            AgencyLevel::Department => "Cơ quan chuyên môn / phòng",
            AgencyLevel::OneStopDesk => "Bộ phận Một cửa / Trung tâm PVHCC",
        }
    }

    pub fn parse(field: &str, s: &str) -> Result<Self, FieldError> {
        Self::ALL
            .into_iter()
            .find(|l| l.as_str() == s.trim())
            .ok_or_else(|| FieldError::new(field, "invalid_choice", "Cấp cơ quan không hợp lệ."))
    }

    /// Whether a node of level `child` may sit directly under a node of this level.
    ///
    /// Only a province is a root. Communes sit under the province (two-tier government); a
    /// historic district may still hold the communes and offices it had before 2025 so that old
    /// dossiers and reports keep their place in the tree.
    pub fn may_contain(self, child: AgencyLevel) -> bool {
        use AgencyLevel::*;
        match self {
            Province => matches!(child, Commune | HistoricDistrict | Department | OneStopDesk),
            HistoricDistrict => matches!(child, Commune | Department | OneStopDesk),
            Commune => matches!(child, Department | OneStopDesk),
            Department => matches!(child, Department),
            // A service centre may have branches.
            OneStopDesk => matches!(child, OneStopDesk),
        }
    }
}

impl AgencyLevel {
    /// Whether a node of this level, placed directly under a node of level `parent`, is a unit
    /// *inside* that agency rather than an agency of its own.
    ///
    /// A one-stop desk (a commune's Bộ phận Một cửa, the province's Trung tâm Phục vụ hành chính
    /// công) receives for the agency it belongs to; an office of a commune or a district and a
    /// division of a department work for that commune, district or department. A commune, a
    /// historic district and a provincial department (sở) are agencies in their own right: they
    /// resolve procedures under their own name, and their staff do not act for the province.
    pub fn is_unit_within(self, parent: AgencyLevel) -> bool {
        use AgencyLevel::*;
        match self {
            OneStopDesk => true,
            Department => parent != Province,
            Province | Commune | HistoricDistrict => false,
        }
    }
}

/// Materialised path of ids from the root, `/1/5/12/`. A subtree is every path with a prefix,
/// which makes "what may this user see" a single indexed `LIKE 'prefix%'` predicate.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct AgencyPath(String);

impl AgencyPath {
    pub fn root(id: AgencyId) -> Self {
        Self(format!("/{}/", id.0))
    }

    pub fn child(&self, id: AgencyId) -> Self {
        Self(format!("{}{}/", self.0, id.0))
    }

    /// Accepts only well-formed paths (`/` + one or more `id/`).
    pub fn parse(s: &str) -> Option<Self> {
        let inner = s.strip_prefix('/')?.strip_suffix('/')?;
        if inner.is_empty() || !inner.split('/').all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit())) {
            return None;
        }
        Some(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn ids(&self) -> Vec<AgencyId> {
        self.0.trim_matches('/').split('/').filter_map(|p| p.parse().ok().map(AgencyId)).collect()
    }

    pub fn depth(&self) -> usize {
        self.0.matches('/').count() - 1
    }

    /// The path of the parent node; `None` for a root.
    pub fn parent(&self) -> Option<AgencyPath> {
        let inner = &self.0[..self.0.len() - 1];
        let cut = inner.rfind('/')?;
        (cut > 0).then(|| AgencyPath(self.0[..=cut].to_owned()))
    }

    /// True when `other` is this node or below it.
    pub fn contains(&self, other: &AgencyPath) -> bool {
        other.0.starts_with(&self.0)
    }

    pub fn is_root(&self) -> bool {
        self.depth() == 1
    }
}

/// Current state of an agency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Agency {
    pub id: AgencyId,
    pub parent_id: Option<AgencyId>,
    pub path: AgencyPath,
    pub code: AgencyCode,
    pub name: String,
    pub short_name: Option<String>,
    pub level: AgencyLevel,
    /// Date from which the body exists (established, renamed into this identity).
    pub valid_from: Option<Date>,
    /// Last day the body existed; `None` while it exists.
    pub valid_to: Option<Date>,
    pub active: bool,
    /// Incremented by every change; edits must name the version they started from.
    pub version: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl Agency {
    /// Whether the body existed on a given civil date.
    pub fn exists_on(&self, day: Date) -> bool {
        self.valid_from.is_none_or(|from| from <= day) && self.valid_to.is_none_or(|to| day <= to)
    }
}

/// One entry of an agency's history: the full state after a change, the date the change took
/// effect in law (a rename decided in June may take effect on 1 July) and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AgencyRevision {
    pub agency_id: AgencyId,
    pub version: i64,
    pub code: AgencyCode,
    pub name: String,
    pub short_name: Option<String>,
    pub level: AgencyLevel,
    pub parent_id: Option<AgencyId>,
    pub valid_from: Option<Date>,
    pub valid_to: Option<Date>,
    pub active: bool,
    pub effective_date: Date,
    pub reason: Option<String>,
    pub changed_by: Option<String>,
    pub recorded_at: Timestamp,
}

/// The revision in force on `day`: the latest one whose effective date is on or before it
/// (ties go to the later version). Old reports use it to print the names and codes of the time.
pub fn revision_on(revisions: &[AgencyRevision], day: Date) -> Option<&AgencyRevision> {
    revisions.iter().filter(|r| r.effective_date <= day).max_by_key(|r| (r.effective_date, r.version))
}

/// Checks the validity interval of an agency.
pub fn check_validity(valid_from: Option<Date>, valid_to: Option<Date>) -> Result<(), FieldError> {
    match (valid_from, valid_to) {
        (Some(from), Some(to)) if to < from => {
            Err(FieldError::new("valid_to", "before_valid_from", "Ngày hết hiệu lực phải sau ngày có hiệu lực."))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use proptest::prelude::*;

    #[test]
    fn accepts_both_shapes_of_agency_code() {
        let legacy = AgencyCode::parse("000.00.16.H02").unwrap();
        assert_eq!(legacy.shape(), AgencyCodeShape::Legacy);
        let current = AgencyCode::parse("H56.123.45").unwrap();
        assert_eq!(current.shape(), AgencyCodeShape::Current);
        assert_eq!(AgencyCode::parse("H56").unwrap().shape(), AgencyCodeShape::Current);
        assert_eq!(AgencyCode::parse("G01.02").unwrap().shape(), AgencyCodeShape::Current);
        assert_eq!(AgencyCode::parse("XYZ.1").unwrap().shape(), AgencyCodeShape::Other);
        // Z is not a level-1 letter (A–Y).
        assert_eq!(AgencyCode::parse("Z01.1").unwrap().shape(), AgencyCodeShape::Other);
    }

    #[test]
    fn normalises_case_and_spaces() {
        assert_eq!(AgencyCode::parse("  h56.123.45 ").unwrap().as_str(), "H56.123.45");
    }

    #[test]
    fn rejects_bad_codes_with_reasons() {
        assert_eq!(AgencyCode::parse("").unwrap_err().code, "required");
        assert_eq!(AgencyCode::parse("H56-123").unwrap_err().code, "invalid_format");
        assert_eq!(AgencyCode::parse("H56 123").unwrap_err().code, "invalid_format");
        assert_eq!(AgencyCode::parse("Đ56").unwrap_err().code, "invalid_format");
        assert_eq!(AgencyCode::parse(".H56").unwrap_err().code, "invalid_format");
        assert_eq!(AgencyCode::parse("H56..1").unwrap_err().code, "invalid_format");
        assert_eq!(AgencyCode::parse("H56.").unwrap_err().code, "invalid_format");
        let long = "A".repeat(36);
        assert_eq!(AgencyCode::parse(&long).unwrap_err().code, "too_long");
        assert!(AgencyCode::parse(&"A".repeat(35)).is_ok());
    }

    proptest! {
        #[test]
        fn any_valid_code_round_trips(s in "[A-Z0-9]{1,5}(\\.[A-Z0-9]{1,5}){0,4}") {
            let code = AgencyCode::parse(&s).unwrap();
            prop_assert_eq!(code.as_str(), s.as_str());
            prop_assert_eq!(AgencyCode::parse(code.as_str()).unwrap(), code);
        }

        #[test]
        fn parsed_codes_always_match_the_legal_pattern(s in "\\PC{0,40}") {
            if let Ok(code) = AgencyCode::parse(&s) {
                prop_assert!(code.as_str().len() <= 35);
                prop_assert!(code.as_str().bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'.'));
            }
        }
    }

    #[test]
    fn paths_nest() {
        let root = AgencyPath::root(AgencyId(1));
        let commune = root.child(AgencyId(5));
        let desk = commune.child(AgencyId(12));
        assert_eq!(desk.as_str(), "/1/5/12/");
        assert_eq!(desk.depth(), 3);
        assert!(root.is_root());
        assert!(root.contains(&desk));
        assert!(commune.contains(&commune));
        assert!(!desk.contains(&commune));
        // `/1/5/` must not contain `/1/51/`: the trailing slash makes prefixes exact.
        assert!(!commune.contains(&root.child(AgencyId(51))));
        assert_eq!(desk.ids(), vec![AgencyId(1), AgencyId(5), AgencyId(12)]);
        assert_eq!(AgencyPath::parse("/1/5/"), Some(commune));
        assert_eq!(AgencyPath::parse("/1//"), None);
        assert_eq!(AgencyPath::parse("1/"), None);
        assert_eq!(AgencyPath::parse("/a/"), None);
    }

    #[test]
    fn level_rules_follow_two_tier_government() {
        use AgencyLevel::*;
        assert!(Province.may_contain(Commune));
        assert!(Province.may_contain(HistoricDistrict));
        assert!(HistoricDistrict.may_contain(Commune));
        assert!(Commune.may_contain(OneStopDesk));
        assert!(!Commune.may_contain(Commune));
        assert!(!Commune.may_contain(Province));
        assert!(!Department.may_contain(Commune));
        for l in AgencyLevel::ALL {
            assert!(!l.may_contain(Province), "{l:?} may not contain a province");
            assert_eq!(AgencyLevel::parse("level", l.as_str()).unwrap(), l);
        }
        assert_eq!(AgencyLevel::parse("level", "district").unwrap_err().code, "invalid_choice");
    }

    #[test]
    fn units_work_for_their_agency_but_agencies_stand_alone() {
        use AgencyLevel::*;
        // The province's service centre and a commune's desk receive for their agency.
        assert!(OneStopDesk.is_unit_within(Province));
        assert!(OneStopDesk.is_unit_within(Commune));
        assert!(OneStopDesk.is_unit_within(OneStopDesk));
        // A commune's office, a department's division, a former district's office.
        assert!(Department.is_unit_within(Commune));
        assert!(Department.is_unit_within(Department));
        assert!(Department.is_unit_within(HistoricDistrict));
        // A provincial department (sở), a commune and a district are agencies of their own.
        assert!(!Department.is_unit_within(Province));
        for parent in AgencyLevel::ALL {
            assert!(!Commune.is_unit_within(parent));
            assert!(!HistoricDistrict.is_unit_within(parent));
            assert!(!Province.is_unit_within(parent));
        }
    }

    fn rev(version: i64, name: &str, effective: Date) -> AgencyRevision {
        AgencyRevision {
            agency_id: AgencyId(1),
            version,
            code: AgencyCode::parse("H99.301").unwrap(),
            name: name.into(),
            short_name: None,
            level: AgencyLevel::Commune,
            parent_id: None,
            valid_from: None,
            valid_to: None,
            active: true,
            effective_date: effective,
            reason: None,
            changed_by: None,
            recorded_at: Timestamp::UNIX_EPOCH,
        }
    }

    #[test]
    fn history_gives_the_name_in_force_on_a_date() {
        let revs = vec![
            rev(1, "Xã A", date(2020, 1, 1)),
            // Decided later but effective earlier than version 3.
            rev(3, "Xã C", date(2025, 7, 1)),
            rev(2, "Xã B", date(2024, 1, 1)),
        ];
        assert_eq!(revision_on(&revs, date(2019, 12, 31)), None);
        assert_eq!(revision_on(&revs, date(2023, 6, 1)).unwrap().name, "Xã A");
        assert_eq!(revision_on(&revs, date(2025, 6, 30)).unwrap().name, "Xã B");
        assert_eq!(revision_on(&revs, date(2025, 7, 1)).unwrap().name, "Xã C");
    }

    #[test]
    fn validity_interval() {
        assert!(check_validity(Some(date(2020, 1, 1)), Some(date(2025, 6, 30))).is_ok());
        assert!(check_validity(None, Some(date(2025, 6, 30))).is_ok());
        assert_eq!(
            check_validity(Some(date(2025, 7, 1)), Some(date(2025, 6, 30))).unwrap_err().code,
            "before_valid_from"
        );
    }
}
