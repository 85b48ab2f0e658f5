//! The internal electronic workflow (quy trình nội bộ điện tử) of a procedure case: ordered
//! steps, each done by a role in a unit within a time budget. The budgets of a timed workflow add
//! up to the case's legal processing time, so each hand-over can be judged early, on time or
//! late (the process control sheet, form 06).
//!
//! A step's unit may belong to another agency: that is how an interagency (liên thông) dossier
//! passes through several agencies, each with its own steps and therefore its own clock, while
//! the citizen sees one dossier and one status.

use serde::{Deserialize, Serialize};

use crate::account::Role;
use crate::agency::AgencyCode;
use crate::calendar::deadline::{ProcessingTime, check_step_budgets};
use crate::policy::Permission;
use crate::validation::{FieldError, ValidationErrors, required_text};

/// What a step is for; it decides which actions complete it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    /// Tiếp nhận: the desk checks and receives, then transfers.
    Intake,
    /// Thẩm định, xử lý: appraisal and drafting by a specialist unit.
    Process,
    /// Phê duyệt: the leader approves or rejects.
    Approve,
    /// Ban hành: the clerk numbers, seals and issues the result.
    Issue,
    /// Trả kết quả: the desk hands the result over.
    Return,
}

impl StepKind {
    pub const ALL: [StepKind; 5] =
        [StepKind::Intake, StepKind::Process, StepKind::Approve, StepKind::Issue, StepKind::Return];

    pub fn as_str(self) -> &'static str {
        match self {
            StepKind::Intake => "intake",
            StepKind::Process => "process",
            StepKind::Approve => "approve",
            StepKind::Issue => "issue",
            StepKind::Return => "return",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            StepKind::Intake => "Tiếp nhận hồ sơ",
            StepKind::Process => "Thẩm định, xử lý",
            StepKind::Approve => "Phê duyệt",
            StepKind::Issue => "Ban hành kết quả",
            StepKind::Return => "Trả kết quả",
        }
    }

    /// The role that usually does it (a default for new steps).
    pub fn default_role(self) -> Role {
        match self {
            StepKind::Intake | StepKind::Return => Role::DeskOfficer,
            StepKind::Process => Role::Specialist,
            StepKind::Approve => Role::Leader,
            StepKind::Issue => Role::Clerk,
        }
    }
}

/// The unit that does a step.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum UnitRef {
    /// A named agency: a unit of another agency makes the step interagency (liên thông).
    Agency(AgencyCode),
    /// A unit under the resolving agency by the last segment of its code, written `.02`: one
    /// workflow then serves every commune, each with its own `H99.301.02`, `H99.302.02`, ….
    Child(String),
}

impl UnitRef {
    pub fn parse(field: &str, input: &str) -> Result<UnitRef, FieldError> {
        let input = input.trim();
        match input.strip_prefix('.') {
            Some(seg) if !seg.is_empty() && seg.len() <= 10 && seg.bytes().all(|b| b.is_ascii_alphanumeric()) => {
                Ok(UnitRef::Child(seg.to_ascii_uppercase()))
            }
            Some(_) => Err(FieldError::new(
                field,
                "invalid_unit",
                format!(
                    "\"{input}\" không phải đơn vị: dùng mã định danh (H99.10) hoặc đuôi mã đơn vị trực thuộc (.02)."
                ),
            )),
            None => AgencyCode::parse(input).map(UnitRef::Agency).map_err(|mut e| {
                e.field = field.to_owned();
                e
            }),
        }
    }

    /// The agency code this names, given the resolving agency.
    pub fn resolve(&self, resolving: &AgencyCode) -> String {
        match self {
            UnitRef::Agency(code) => code.to_string(),
            UnitRef::Child(seg) => format!("{resolving}.{seg}"),
        }
    }
}

impl std::fmt::Display for UnitRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            UnitRef::Agency(code) => write!(f, "{code}"),
            UnitRef::Child(seg) => write!(f, ".{seg}"),
        }
    }
}

impl Serialize for UnitRef {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for UnitRef {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        UnitRef::parse("unit", &s).map_err(|e| serde::de::Error::custom(e.message))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkflowStep {
    pub kind: StepKind,
    /// What the control sheet calls it ("Công chức Phòng Văn hóa - Xã hội thẩm định").
    pub name: String,
    pub role: Role,
    /// The unit that does it. `None`: the receiving agency for intake and return, the
    /// resolving agency otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<UnitRef>,
    /// Time allotted; `None` in an untimed workflow, or for a step not counted in the legal time
    /// (returning the result after it is ready).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget: Option<ProcessingTime>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Workflow {
    pub steps: Vec<WorkflowStep>,
}

pub const MAX_STEPS: usize = 30;

impl Workflow {
    /// The workflow of a procedure case nobody has defined one for: the five stages of the
    /// one-stop mechanism without step budgets, so each step is judged against the dossier's
    /// appointment only.
    pub fn generic() -> Workflow {
        let step = |kind: StepKind| WorkflowStep {
            kind,
            name: kind.label().to_owned(),
            role: kind.default_role(),
            unit: None,
            budget: None,
        };
        Workflow {
            steps: vec![
                step(StepKind::Intake),
                step(StepKind::Process),
                step(StepKind::Approve),
                step(StepKind::Issue),
                step(StepKind::Return),
            ],
        }
    }

    pub fn is_timed(&self) -> bool {
        self.steps.iter().any(|s| s.budget.is_some())
    }

    /// Checks the shape: intake first, then processing, one approval, one issue, return last;
    /// and, when any step has a budget, that the budgets add up to `legal_time`.
    pub fn validate(&self, legal_time: Option<&ProcessingTime>) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::new();
        let n = self.steps.len();
        if n < 3 {
            e.push(FieldError::new(
                "steps",
                "too_few",
                "Quy trình cần ít nhất các bước: tiếp nhận, phê duyệt, ban hành (và trả kết quả).",
            ));
            return Err(e);
        }
        if n > MAX_STEPS {
            e.push(FieldError::new("steps", "too_many", format!("Tối đa {MAX_STEPS} bước.")));
        }
        for (i, s) in self.steps.iter().enumerate() {
            e.check(required_text(&format!("steps[{i}].name"), &s.name, 200));
            if let Some(b) = s.budget
                && let Err(err) = ProcessingTime::new(b.amount, b.unit, b.cutoff)
            {
                e.push(FieldError::new(format!("steps[{i}].budget"), "invalid_budget", err.to_string()));
            }
        }
        let kinds: Vec<StepKind> = self.steps.iter().map(|s| s.kind).collect();
        let count = |k: StepKind| kinds.iter().filter(|x| **x == k).count();
        if kinds[0] != StepKind::Intake || count(StepKind::Intake) != 1 {
            e.push(FieldError::new("steps", "intake_first", "Bước đầu tiên (và chỉ bước đầu) là tiếp nhận hồ sơ."));
        }
        if count(StepKind::Approve) != 1 || count(StepKind::Issue) != 1 {
            e.push(FieldError::new(
                "steps",
                "one_decision",
                "Quy trình có đúng một bước phê duyệt và một bước ban hành.",
            ));
        }
        let pos = |k: StepKind| kinds.iter().position(|x| *x == k);
        if let (Some(a), Some(i)) = (pos(StepKind::Approve), pos(StepKind::Issue))
            && (i < a || kinds[a + 1..i].iter().any(|k| *k != StepKind::Process))
        {
            e.push(FieldError::new(
                "steps",
                "issue_after_approval",
                "Bước ban hành đứng sau bước phê duyệt (giữa hai bước chỉ có thể là bước xử lý).",
            ));
        }
        if let Some(i) = pos(StepKind::Issue)
            && kinds[i + 1..].iter().any(|k| *k != StepKind::Return)
        {
            e.push(FieldError::new("steps", "return_last", "Sau bước ban hành chỉ còn bước trả kết quả."));
        }
        if count(StepKind::Return) > 1 {
            e.push(FieldError::new("steps", "one_return", "Chỉ có một bước trả kết quả."));
        }
        for (i, s) in self.steps.iter().enumerate() {
            let ok = match s.kind {
                StepKind::Intake | StepKind::Return => s.role == Role::DeskOfficer,
                StepKind::Approve => s.role == Role::Leader,
                StepKind::Issue => matches!(s.role, Role::Clerk | Role::Leader),
                StepKind::Process => matches!(s.role, Role::Specialist | Role::Leader),
            };
            if !ok {
                e.push(FieldError::new(
                    format!("steps[{i}].role"),
                    "role_mismatch",
                    format!("Vai trò \"{}\" không thực hiện được bước \"{}\".", s.role.label_vi(), s.kind.label()),
                ));
            }
        }
        if self.is_timed() {
            let budgets: Vec<ProcessingTime> = self.steps.iter().filter_map(|s| s.budget).collect();
            match legal_time {
                None => e.push(FieldError::new(
                    "steps",
                    "no_legal_time",
                    "Thủ tục chưa công bố thời gian giải quyết tính được; không thể phân bổ thời gian cho các bước.",
                )),
                Some(total) => {
                    if let Err(b) = check_step_budgets(total, &budgets) {
                        e.push(FieldError::new("steps", "budget_mismatch", b.to_string()));
                    }
                }
            }
        }
        e.into_result()
    }

    /// The unit of the approval step, which names the resolving agency when it is another
    /// agency than the one receiving (a province desk receiving for a department).
    pub fn approving_unit(&self) -> Option<&UnitRef> {
        self.approval_step().and_then(|i| self.steps[i].unit.as_ref())
    }

    /// The index of the approval step.
    pub fn approval_step(&self) -> Option<usize> {
        self.steps.iter().position(|s| s.kind == StepKind::Approve)
    }
}

/// The permission a step's work needs.
pub fn step_permission(kind: StepKind) -> Permission {
    match kind {
        StepKind::Intake | StepKind::Return => Permission::ReceiveDossiers,
        StepKind::Process => Permission::ProcessDossiers,
        StepKind::Approve => Permission::DecideDossiers,
        StepKind::Issue => Permission::IssueResults,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::TimeUnit;

    fn pt(amount: u32, unit: TimeUnit) -> ProcessingTime {
        ProcessingTime::new(amount, unit, None).unwrap()
    }

    fn timed(budgets: [Option<ProcessingTime>; 5]) -> Workflow {
        let mut w = Workflow::generic();
        for (s, b) in w.steps.iter_mut().zip(budgets) {
            s.budget = b;
        }
        w
    }

    #[test]
    fn the_generic_workflow_is_valid_and_untimed() {
        let w = Workflow::generic();
        assert!(w.validate(None).is_ok());
        assert!(!w.is_timed());
        assert_eq!(w.approval_step(), Some(2));
    }

    #[test]
    fn budgets_must_add_up_to_the_legal_time() {
        let total = pt(3, TimeUnit::WorkingDays);
        let hours = |h| Some(pt(h, TimeUnit::WorkingHours));
        let ok = timed([hours(4), Some(pt(2, TimeUnit::WorkingDays)), hours(2), hours(2), None]);
        assert!(ok.validate(Some(&total)).is_ok());
        let short = timed([hours(4), Some(pt(1, TimeUnit::WorkingDays)), hours(2), hours(2), None]);
        let e = short.validate(Some(&total)).unwrap_err();
        assert_eq!(e.errors[0].code, "budget_mismatch");
        assert!(e.errors[0].message.contains("3 ngày làm việc"), "{}", e.errors[0].message);
        assert_eq!(ok.validate(None).unwrap_err().errors[0].code, "no_legal_time");
    }

    #[test]
    fn the_shape_is_checked() {
        let mut w = Workflow::generic();
        w.steps.swap(2, 3);
        assert!(w.validate(None).unwrap_err().errors.iter().any(|e| e.code == "issue_after_approval"));
        let mut w = Workflow::generic();
        w.steps.remove(0);
        assert!(w.validate(None).unwrap_err().errors.iter().any(|e| e.code == "intake_first"));
        let mut w = Workflow::generic();
        w.steps[1].role = Role::Clerk;
        assert_eq!(w.validate(None).unwrap_err().errors[0].field, "steps[1].role");
        let mut w = Workflow::generic();
        w.steps.push(w.steps[1].clone());
        assert!(w.validate(None).unwrap_err().errors.iter().any(|e| e.code == "return_last"));
    }

    #[test]
    fn units_are_agencies_or_units_of_the_resolving_agency() {
        let code = AgencyCode::parse("H99.301").unwrap();
        assert_eq!(UnitRef::parse("u", ".02").unwrap().resolve(&code), "H99.301.02");
        assert_eq!(UnitRef::parse("u", "H99.10").unwrap().resolve(&code), "H99.10");
        assert_eq!(UnitRef::parse("u", ".").unwrap_err().field, "u");
        assert_eq!(UnitRef::parse("u", ".0-2").unwrap_err().code, "invalid_unit");
        assert!(UnitRef::parse("u", "not a code").is_err());
        let json = serde_json::to_string(&UnitRef::Child("02".into())).unwrap();
        assert_eq!(json, "\".02\"");
        assert_eq!(serde_json::from_str::<UnitRef>(&json).unwrap(), UnitRef::Child("02".into()));
    }

    #[test]
    fn interagency_processing_steps_may_sit_between_approval_and_issue() {
        let mut w = Workflow::generic();
        let extra = WorkflowStep {
            kind: StepKind::Process,
            name: "Sở Tư pháp thẩm định".into(),
            role: Role::Specialist,
            unit: Some(UnitRef::Agency(AgencyCode::parse("H99.10").unwrap())),
            budget: None,
        };
        w.steps.insert(3, extra);
        assert!(w.validate(None).is_ok());
    }
}
