//! The next action: of the actions a person may take on a dossier, the one or two their step
//! expects of them now (the dossier page shows these first), and how each other one is asked for.

use super::action::ActionKind;
use super::state::DossierState;
use super::status::Status;
use super::workflow::StepKind;

/// The actions a person may take, split into what is expected next and the rest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionPlan {
    /// At most two, the most expected first.
    pub primary: Vec<ActionKind>,
    /// Everything else allowed, in the state machine's order.
    pub secondary: Vec<ActionKind>,
}

/// The actions that move a dossier along its normal course, the most pressing first: what
/// blocks others (a correction to decide, an opinion another agency waits for) before the step's
/// own work.
const COURSE: [ActionKind; 9] = [
    ActionKind::ApproveCorrection,
    ActionKind::AnswerConsultation,
    ActionKind::Accept,
    ActionKind::ReceiveSupplement,
    ActionKind::ReceivePayment,
    ActionKind::Approve,
    ActionKind::IssueResult,
    ActionKind::ReturnResult,
    ActionKind::Forward,
];

/// Splits `allowed` (the actions this person may take now) by what the dossier's state expects.
pub fn plan(s: &DossierState, allowed: &[ActionKind]) -> ActionPlan {
    let mut primary: Vec<ActionKind> = COURSE.into_iter().filter(|a| allowed.contains(a)).take(2).collect();
    // Once the applicant asked to withdraw, the desk's next act is to stop the processing.
    if s.status == Status::WithdrawalRequested && allowed.contains(&ActionKind::Stop) {
        primary.insert(0, ActionKind::Stop);
        primary.truncate(2);
    }
    let secondary = allowed.iter().copied().filter(|a| !primary.contains(a)).collect();
    ActionPlan { primary, secondary }
}

/// Actions that end or turn away the dossier, or cannot be undone: the page asks for a reason
/// and a confirmation before it sends them.
pub fn is_destructive(action: ActionKind) -> bool {
    matches!(action, ActionKind::Refuse | ActionKind::RequestWithdrawal | ActionKind::Stop | ActionKind::Reject)
}

/// The opinion a step's decision carries (into its event and the control sheet's note).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Opinion {
    /// Ý kiến thẩm định: the specialist's conclusion when handing the draft on.
    Appraisal,
    /// Ý kiến phê duyệt: the leader's, approving or not.
    Decision,
}

impl Opinion {
    pub fn label(self) -> &'static str {
        match self {
            Opinion::Appraisal => "Ý kiến thẩm định",
            Opinion::Decision => "Ý kiến phê duyệt",
        }
    }
}

/// Whether `action` at the dossier's current step states an opinion, and which.
pub fn opinion(s: &DossierState, action: ActionKind) -> Option<Opinion> {
    let kind = s.current_step().map(|p| p.kind)?;
    match (action, kind) {
        (ActionKind::Forward, StepKind::Process) => Some(Opinion::Appraisal),
        (ActionKind::Approve | ActionKind::Reject, StepKind::Approve) => Some(Opinion::Decision),
        _ => None,
    }
}
