//! Whole journeys through the state machine, on the real 2026 calendar.

use jiff::Timestamp;
use jiff::civil::date;
use proptest::prelude::*;

use super::action::{ActionError, ActionKind, Command, Context, allowed_actions, decide};
use super::applicant::Applicant;
use super::code::DossierCode;
use super::event::{
    AgencyRef, DossierEvent, EventActor, EventBody, PlannedStep, ProcedureRef, ResultDelivery, Submission,
};
use super::state::DossierState;
use super::status::Status;
use super::workflow::Workflow;
use crate::account::UserId;
use crate::agency::{AgencyCode, AgencyId};
use crate::calendar::deadline::{Counting, PendingTimeliness, ProcessingTime, TimeUnit, Timeliness};
use crate::calendar::working_calendar::{HolidayTables, WorkingCalendar};
use crate::catalog::Channel;

fn at(s: &str) -> Timestamp {
    format!("{s}+07:00[Asia/Ho_Chi_Minh]").parse::<jiff::Zoned>().unwrap().timestamp()
}

fn agency(id: i64, code: &str) -> AgencyRef {
    AgencyRef { id: AgencyId(id), code: AgencyCode::parse(code).unwrap(), name: format!("Cơ quan {code}") }
}

struct Journey {
    cal: WorkingCalendar,
    events: Vec<DossierEvent>,
    state: DossierState,
}

fn actor() -> EventActor {
    EventActor { user_id: Some(UserId(7)), name: "Cán bộ".into(), role: None, unit: None }
}

fn record(events: &mut Vec<DossierEvent>, at: Timestamp, body: EventBody, reason: Option<&str>) -> DossierEvent {
    let seq = events.len() as i64 + 1;
    let e = DossierEvent {
        seq,
        at,
        actor: actor(),
        body,
        reason: reason.map(str::to_owned),
        client_txn_id: None,
        prev_hash: String::new(),
        hash: format!("h{seq}"),
    };
    events.push(e.clone());
    e
}

impl Journey {
    fn submit(when: Timestamp) -> Journey {
        let submission = Submission {
            channel: Channel::Desk,
            procedure: ProcedureRef {
                id: 1,
                code: "1.001193".into(),
                name: "Đăng ký khai sinh".into(),
                version_id: 1,
                version: 1,
                case: "Chung".into(),
            },
            receiving: agency(10, "H99.301"),
            applicant: Applicant { full_name: "Nguyễn Văn An".into(), ..Applicant::default() },
            representative: None,
            documents: vec![],
            sets: 1,
            fees_vnd: 0,
            delivery: ResultDelivery::Desk,
            postal: None,
            notes: None,
        };
        let mut events = Vec::new();
        record(&mut events, when, EventBody::Submitted(Box::new(submission)), None);
        let state = DossierState::fold(1, &events).unwrap();
        Journey { cal: WorkingCalendar::standard(&HolidayTables::default()), events, state }
    }

    fn act(&mut self, when: &str, cmd: Command, reason: Option<&str>) -> Result<(), ActionError> {
        let now = at(when);
        let bodies = decide(&self.state, cmd, &Context { now, calendar: &self.cal, reason })?;
        for b in bodies {
            let e = record(&mut self.events, now, b, reason);
            self.state.apply(&e);
        }
        // The incremental state and a fresh fold never disagree.
        assert_eq!(DossierState::fold(1, &self.events).unwrap(), self.state);
        Ok(())
    }

    fn ok(&mut self, when: &str, cmd: Command) {
        self.act(when, cmd, None).unwrap();
    }
}

fn pt(n: u32, unit: TimeUnit) -> ProcessingTime {
    ProcessingTime::new(n, unit, None).unwrap()
}

fn timed_steps() -> Vec<PlannedStep> {
    let budgets = [
        Some(pt(2, TimeUnit::WorkingHours)),
        Some(pt(2, TimeUnit::WorkingDays)),
        Some(pt(4, TimeUnit::WorkingHours)),
        Some(pt(2, TimeUnit::WorkingHours)),
        None,
    ];
    Workflow::generic()
        .steps
        .into_iter()
        .zip(budgets)
        .map(|(s, budget)| PlannedStep {
            kind: s.kind,
            name: s.name,
            role: s.role,
            agency: agency(10, "H99.301"),
            budget,
        })
        .collect()
}

fn accept(steps: Vec<PlannedStep>) -> Command {
    Command::Accept {
        code: DossierCode::new(AgencyCode::parse("H99.301").unwrap(), date(2026, 11, 23), 1).unwrap(),
        processing_time: pt(3, TimeUnit::WorkingDays),
        counting: Counting::WorkingTime,
        resolving: agency(10, "H99.301"),
        steps,
        calendar_revision: 0,
    }
}

fn issue() -> Command {
    Command::IssueResult {
        number: "123/GKS".into(),
        signed_on: date(2026, 11, 27),
        signer: "Trương Văn Lãnh".into(),
        file_id: None,
        file_name: None,
    }
}

fn hand_back() -> Command {
    Command::ReturnResult { delivery: ResultDelivery::Desk, receiver: "Nguyễn Văn An".into() }
}

#[test]
fn the_full_journey_with_a_supplement_round_trip() {
    let mut j = Journey::submit(at("2026-11-23T08:55"));
    assert_eq!(j.state.status, Status::Submitted);
    j.ok("2026-11-23T09:00", accept(timed_steps()));
    // Monday 09:00 + 3 working days of 8 hours, Tuesday 24/11 being Culture Day: Friday 09:00.
    assert_eq!(j.state.due_at, Some(at("2026-11-27T09:00")));
    assert_eq!(j.state.status.national_code(), 2);
    assert_eq!(j.state.step.as_ref().unwrap().due_at, Some(at("2026-11-23T11:00")));

    j.ok("2026-11-23T10:00", Command::Forward { assignee: None });
    assert_eq!(j.state.status, Status::Processing);
    assert_eq!(j.state.hand_overs.last().unwrap().result, Some(Timeliness::OnTime));

    j.ok("2026-11-25T09:00", Command::RequestSupplement { items: vec!["Bản sao giấy chứng sinh".into()] });
    assert_eq!(j.state.status.national_code(), 5);
    assert_eq!(j.state.pending_timeliness(at("2026-12-31T09:00")), Some(PendingTimeliness::InTime));
    // Nothing but the supplement, a withdrawal, a stop or an extension while the applicant has it.
    let e = j.act("2026-11-25T10:00", Command::Forward { assignee: None }, None).unwrap_err();
    let ActionError::NotAllowed { allowed, .. } = e else { panic!("{e:?}") };
    assert!(allowed.contains(&ActionKind::ReceiveSupplement) && !allowed.contains(&ActionKind::Forward));

    // Back one working day later: every deadline moves by 8 working hours.
    j.ok("2026-11-26T09:00", Command::ReceiveSupplement);
    assert_eq!(j.state.status, Status::Processing);
    assert_eq!(j.state.due_at, Some(at("2026-11-30T09:00")));
    assert_eq!(j.state.appointment_at, j.state.due_at);
    assert_eq!(j.state.receipt_due_at, Some(at("2026-11-27T09:00")));

    j.ok("2026-11-26T15:00", Command::Forward { assignee: None });
    j.ok("2026-11-27T08:00", Command::Approve);
    assert_eq!(j.state.current_step().unwrap().kind, super::workflow::StepKind::Issue);
    j.ok("2026-11-27T09:30", issue());
    assert_eq!(j.state.status.national_code(), 9);
    assert_eq!(j.state.timeliness(), Some(Timeliness::Early));
    j.ok("2026-11-30T08:00", hand_back());
    assert_eq!(j.state.status, Status::Returned);
    assert!(allowed_actions(&j.state).is_empty());
    assert_eq!(j.state.timeliness(), Some(Timeliness::Early));
}

#[test]
fn a_second_supplement_needs_a_reason_and_counts_as_late() {
    let mut j = Journey::submit(at("2026-11-23T08:55"));
    j.ok(
        "2026-11-23T09:00",
        accept(
            Workflow::generic()
                .steps
                .into_iter()
                .map(|s| PlannedStep {
                    kind: s.kind,
                    name: s.name,
                    role: s.role,
                    agency: agency(10, "H99.301"),
                    budget: None,
                })
                .collect(),
        ),
    );
    j.ok("2026-11-23T09:30", Command::Forward { assignee: None });
    j.ok("2026-11-23T10:00", Command::RequestSupplement { items: vec!["Tờ khai".into()] });
    j.ok("2026-11-23T14:00", Command::ReceiveSupplement);
    let e = j.act("2026-11-23T15:00", Command::RequestSupplement { items: vec!["Ảnh".into()] }, None).unwrap_err();
    assert!(matches!(e, ActionError::Invalid { field: "reason", .. }));
    j.act("2026-11-23T15:00", Command::RequestSupplement { items: vec!["Ảnh".into()] }, Some("Ảnh mờ")).unwrap();
    assert!(j.state.supplements.last().unwrap().repeated);
    assert_eq!(j.state.pending_timeliness(at("2026-11-23T15:30")), Some(PendingTimeliness::Overdue));
}

#[test]
fn an_extension_gives_a_new_date_but_the_dossier_stays_late() {
    let mut j = Journey::submit(at("2026-11-23T08:55"));
    j.ok("2026-11-23T09:00", accept(timed_steps()));
    j.ok("2026-11-23T10:00", Command::Forward { assignee: None });
    let e = j.act(
        "2026-11-26T16:00",
        Command::Extend { appointment_at: at("2026-12-02T16:00"), signer: "Chủ tịch".into() },
        None,
    );
    assert!(matches!(e, Err(ActionError::Invalid { field: "reason", .. })));
    j.act(
        "2026-11-26T16:00",
        Command::Extend { appointment_at: at("2026-12-02T16:00"), signer: "Chủ tịch UBND xã".into() },
        Some("Cần xác minh thêm"),
    )
    .unwrap();
    assert_eq!(j.state.appointment_at, Some(at("2026-12-02T16:00")));
    assert_eq!(j.state.due_at, Some(at("2026-11-27T09:00")));
    j.ok("2026-11-27T08:00", Command::Forward { assignee: None });
    j.ok("2026-11-27T08:10", Command::Approve);
    j.ok("2026-11-27T08:20", issue());
    // Finished before the original appointment, still late: the apology was needed.
    assert_eq!(j.state.timeliness(), Some(Timeliness::Late));
}

#[test]
fn refused_at_the_desk_and_withdrawn_during_processing() {
    let mut j = Journey::submit(at("2026-11-23T08:55"));
    assert!(matches!(
        j.act("2026-11-23T09:00", Command::Refuse { reasons: vec![" ".into()] }, None),
        Err(ActionError::Invalid { .. })
    ));
    j.ok("2026-11-23T09:00", Command::Refuse { reasons: vec!["Không thuộc thẩm quyền".into()] });
    assert_eq!(j.state.status.national_code(), 3);
    assert!(allowed_actions(&j.state).is_empty());

    let mut j = Journey::submit(at("2026-11-23T08:55"));
    j.ok("2026-11-23T09:00", accept(timed_steps()));
    j.ok("2026-11-23T10:00", Command::Forward { assignee: None });
    j.ok("2026-11-23T11:00", Command::RequestWithdrawal);
    assert_eq!(j.state.status.national_code(), 7);
    j.ok("2026-11-23T11:05", Command::Stop);
    assert_eq!(j.state.status.national_code(), 8);
    assert!(matches!(j.events.last().unwrap().body, EventBody::Stopped { at_applicant_request: true }));
}

#[test]
fn a_supplement_before_intake_starts_no_clock() {
    let mut j = Journey::submit(at("2026-11-23T08:55"));
    j.ok("2026-11-23T09:00", Command::RequestSupplement { items: vec!["Giấy chứng sinh".into()] });
    assert_eq!(j.state.status, Status::AwaitingSupplement);
    assert!(j.state.paused.is_none());
    j.ok("2026-11-25T09:00", Command::ReceiveSupplement);
    assert_eq!(j.state.status, Status::Submitted);
    j.ok("2026-11-25T09:05", accept(timed_steps()));
    assert_eq!(j.state.received_at, Some(at("2026-11-25T09:05")));
    assert!(!j.state.supplements[0].repeated);
}

#[test]
fn illegal_transitions_name_the_status_and_the_allowed_actions() {
    let mut j = Journey::submit(at("2026-11-23T08:55"));
    let e = j.act("2026-11-23T09:00", issue(), None).unwrap_err();
    assert_eq!(e.to_string(), "không thể \"Ban hành kết quả\" khi hồ sơ ở trạng thái \"Mới đăng ký\"");
    let ActionError::NotAllowed { allowed, .. } = e else { unreachable!() };
    assert_eq!(
        allowed,
        [ActionKind::Accept, ActionKind::RequestSupplement, ActionKind::Refuse, ActionKind::RequestWithdrawal]
    );
}

fn arb_command() -> impl Strategy<Value = (Command, bool)> {
    prop_oneof![
        Just(accept(timed_steps())),
        Just(Command::RequestSupplement { items: vec!["x".into()] }),
        Just(Command::ReceiveSupplement),
        Just(Command::Refuse { reasons: vec!["x".into()] }),
        Just(Command::Forward { assignee: None }),
        Just(Command::SendBack { to: None }),
        Just(Command::RequestPayment { items: vec!["Lệ phí".into()], amount_vnd: 8000 }),
        Just(Command::ReceivePayment { receipt: None }),
        Just(Command::Approve),
        Just(Command::Reject),
        Just(issue()),
        Just(hand_back()),
        Just(Command::RequestWithdrawal),
        Just(Command::Stop),
    ]
    .prop_flat_map(|c| (Just(c), any::<bool>()))
}

proptest! {
    /// Whatever officials click, the state stays consistent: folds agree, final states accept
    /// nothing, a returned dossier was resolved first, and deadlines never move earlier.
    #[test]
    fn any_sequence_of_actions_keeps_the_state_consistent(cmds in prop::collection::vec(arb_command(), 1..40)) {
        let mut j = Journey::submit(at("2026-11-23T08:00"));
        let mut t = at("2026-11-23T08:30");
        let mut last_due = None;
        for (cmd, with_reason) in cmds {
            t = t.checked_add(jiff::SignedDuration::from_mins(97)).unwrap();
            let when = jiff::fmt::strtime::format("%Y-%m-%dT%H:%M", &t.to_zoned(crate::time::vn_time_zone())).unwrap();
            let was_final = j.state.status.is_final();
            let r = j.act(&when, cmd, with_reason.then_some("lý do"));
            if was_final {
                prop_assert!(r.is_err());
            }
            prop_assert!((1..=10).contains(&j.state.status.national_code()));
            if j.state.status == Status::Returned {
                prop_assert!(j.state.resolved_at.is_some());
            }
            if let (Some(before), Some(now)) = (last_due, j.state.due_at) {
                prop_assert!(now >= before);
            }
            last_due = j.state.due_at.or(last_due);
        }
    }
}
