//! Whole journeys through the state machine, on the real 2026 calendar.

use std::collections::HashMap;

use jiff::Timestamp;
use jiff::civil::date;
use proptest::prelude::*;

use super::action::{ActionError, ActionKind, Command, Context, CorrectionDraft, allowed_actions, decide};
use super::applicant::Applicant;
use super::code::DossierCode;
use super::event::{AgencyRef, DossierEvent, EventActor, EventBody, PaymentMethod, PlannedStep, ResultDelivery};
use super::state::DossierState;
use super::status::Status;
use super::workflow::Workflow;
use crate::account::UserId;
use crate::agency::{AgencyCode, AgencyId};
use crate::calendar::deadline::{Counting, PendingTimeliness, ProcessingTime, TimeUnit, Timeliness};
use crate::calendar::working_calendar::{HolidayTables, WorkingCalendar};

fn at(s: &str) -> Timestamp {
    format!("{s}+07:00[Asia/Ho_Chi_Minh]").parse::<jiff::Zoned>().unwrap().timestamp()
}

fn agency(id: i64, code: &str) -> AgencyRef {
    AgencyRef { id: AgencyId(id), code: AgencyCode::parse(code).unwrap(), name: format!("Cơ quan {code}") }
}

struct Journey {
    cal: WorkingCalendar,
    /// Agencies working other hours than `cal`.
    others: HashMap<AgencyId, WorkingCalendar>,
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
        let submission = super::event::sample_submission(agency(10, "H99.301"));
        let mut events = Vec::new();
        record(&mut events, when, EventBody::Submitted(Box::new(submission)), None);
        let state = DossierState::fold(1, &events).unwrap();
        Journey { cal: WorkingCalendar::standard(&HolidayTables::default()), others: HashMap::new(), events, state }
    }

    fn act(&mut self, when: &str, cmd: Command, reason: Option<&str>) -> Result<(), ActionError> {
        let now = at(when);
        let bodies =
            decide(&self.state, cmd, &Context { now, calendar: &self.cal, agency_calendars: &self.others, reason })?;
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
    assert_eq!(allowed_actions(&j.state), [ActionKind::RequestCorrection], "a finished dossier can only be corrected");
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
    assert!(j.act("2026-11-23T11:00", Command::RequestWithdrawal, None).is_err(), "a withdrawal states the request");
    j.act("2026-11-23T11:00", Command::RequestWithdrawal, Some("Đơn xin rút hồ sơ")).unwrap();
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
        Just(Command::ReceivePayment { receipt: None, method: PaymentMethod::Desk }),
        Just(Command::ReceivePayment { receipt: None, method: PaymentMethod::Online }),
        Just(Command::Approve),
        Just(Command::Reject),
        Just(issue()),
        Just(hand_back()),
        Just(Command::RequestWithdrawal),
        Just(Command::Stop),
        Just(Command::RequestCorrection { draft: CorrectionDraft::Receiver("Trần Thị Bình".into()) }),
        Just(Command::RequestCorrection {
            draft: CorrectionDraft::Applicant(Applicant {
                full_name: "Nguyễn Văn Ân".into(), ..Applicant::default()
            })
        }),
        Just(Command::ApproveCorrection),
        Just(Command::RejectCorrection),
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
            let status = j.state.status;
            let correcting = matches!(cmd, Command::RequestCorrection { .. } | Command::ApproveCorrection | Command::RejectCorrection);
            let r = j.act(&when, cmd, with_reason.then_some("lý do"));
            if was_final && !correcting {
                prop_assert!(r.is_err());
            }
            if correcting {
                prop_assert_eq!(j.state.status, status, "a correction never moves the dossier");
            }
            prop_assert!((1..=10).contains(&j.state.status.national_code()));
            // The page's split of the allowed actions is a partition with at most two first.
            let allowed = allowed_actions(&j.state);
            let plan = super::next_action::plan(&j.state, &allowed);
            prop_assert!(plan.primary.len() <= 2);
            let mut both: Vec<ActionKind> = plan.primary.iter().chain(&plan.secondary).copied().collect();
            both.sort_by_key(|a| a.as_str());
            let mut expected = allowed.clone();
            expected.sort_by_key(|a| a.as_str());
            prop_assert_eq!(both, expected);
            for a in &plan.primary {
                prop_assert!(!super::next_action::is_destructive(*a) || j.state.status == Status::WithdrawalRequested);
            }
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

/// A provincial department that works 07:00–11:00 and 13:00–17:00.
fn early_hours() -> WorkingCalendar {
    use crate::calendar::office_hours::{ClockTime, OfficeHours, Period, WorkSchedule};
    let hours = OfficeHours::new(
        vec![
            Period { start: ClockTime::hm(7, 0), end: ClockTime::hm(11, 0) },
            Period { start: ClockTime::hm(13, 0), end: ClockTime::hm(17, 0) },
        ],
        "hours",
    )
    .unwrap();
    let days = std::sync::Arc::new(crate::calendar::working_calendar::WorkingDays::build(&HolidayTables::default()));
    WorkingCalendar::new(days, WorkSchedule { hours, seasons: vec![] })
}

#[test]
fn an_interagency_dossier_runs_each_agency_clock_on_its_own_hours() {
    use super::agency_clock::{ClockStanding, agency_clocks};
    use super::workflow::StepKind;
    use crate::account::Role;
    let commune = agency(10, "H99.301");
    let department = agency(20, "H99.10");
    let step = |kind: StepKind, role: Role, a: &AgencyRef, hours: u32| PlannedStep {
        kind,
        name: kind.label().into(),
        role,
        agency: a.clone(),
        budget: Some(pt(hours, TimeUnit::WorkingHours)),
    };
    // 3 working days = 24 hours: the commune 2 + 6 + 2, the department 8 + 4 + 2.
    let steps = vec![
        step(StepKind::Intake, Role::DeskOfficer, &commune, 2),
        step(StepKind::Process, Role::Specialist, &commune, 6),
        step(StepKind::Process, Role::Specialist, &department, 8),
        step(StepKind::Approve, Role::Leader, &department, 4),
        step(StepKind::Issue, Role::Clerk, &department, 2),
        step(StepKind::Return, Role::DeskOfficer, &commune, 2),
    ];
    let mut j = Journey::submit(at("2026-11-23T08:55"));
    j.others.insert(department.id, early_hours());
    j.ok("2026-11-23T09:00", accept(steps));
    j.ok("2026-11-23T10:00", Command::Forward { assignee: None });
    j.ok("2026-11-25T11:15", Command::Forward { assignee: None });
    // The department's step is timed on its hours: 11:15 is past its morning, so its 8 hours
    // run 13:00–17:00 and Thursday 07:00–11:00 (on the commune's hours it would be 11:15).
    assert_eq!(j.state.step.as_ref().unwrap().due_at, Some(at("2026-11-26T11:00")));
    let clocks = |j: &Journey, now: &str| {
        agency_clocks(&j.state, at(now), Clone::clone, |id| j.others.get(&id).unwrap_or(&j.cal)).unwrap()
    };
    let c = clocks(&j, "2026-11-25T15:00");
    assert_eq!(c.len(), 2);
    assert_eq!((c[0].agency.id, c[1].agency.id), (commune.id, department.id));
    assert_eq!(c[0].steps, vec![0, 1, 5]);
    assert_eq!(c[0].budget_minutes, Some(600));
    // Desk 1 hour, then Monday 10:00 to Wednesday 11:15 (Tuesday is a day off): 9 h 15.
    assert_eq!(c[0].used_minutes, 60 + 555);
    assert_eq!(c[0].standing, ClockStanding::Passed(Some(PendingTimeliness::Overdue)));
    assert_eq!(c[1].used_minutes, 120);
    assert_eq!(c[1].standing, ClockStanding::Holding(Some(PendingTimeliness::InTime)));
    assert_eq!(c[1].received_at, Some(at("2026-11-25T11:15")));

    j.ok("2026-11-26T10:00", Command::Forward { assignee: None });
    j.ok("2026-11-26T14:00", Command::Approve);
    j.ok("2026-11-26T15:00", issue());
    assert_eq!(j.state.current_step().unwrap().kind, StepKind::Return);
    // The return step is the commune's again, on the commune's hours.
    assert_eq!(j.state.step.as_ref().unwrap().due_at, Some(at("2026-11-26T17:00")));
    let c = clocks(&j, "2026-11-26T16:00");
    assert_eq!(c[1].used_minutes, 420 + 120 + 60);
    assert_eq!(c[1].released_at, Some(at("2026-11-26T15:00")));
    assert_eq!(c[1].standing, ClockStanding::Finished(Some(Timeliness::Early)));
    assert_eq!(c[0].standing, ClockStanding::Holding(Some(PendingTimeliness::Overdue)));

    j.ok("2026-11-27T08:00", hand_back());
    let c = clocks(&j, "2026-12-10T08:00");
    assert_eq!(c[0].used_minutes, 60 + 555 + 150, "the clock stopped when the result was handed over");
    assert_eq!(c[0].standing, ClockStanding::Finished(Some(Timeliness::Late)));
    assert_eq!(c[1].standing, ClockStanding::Finished(Some(Timeliness::Early)));
    // One dossier for the citizen: early overall, whatever each agency's share.
    assert_eq!(j.state.timeliness(), Some(Timeliness::Early));
}

#[test]
fn a_pause_stops_every_agency_clock() {
    use super::agency_clock::agency_clocks;
    let mut j = Journey::submit(at("2026-11-23T08:55"));
    j.ok("2026-11-23T09:00", accept(timed_steps()));
    j.ok("2026-11-23T10:00", Command::Forward { assignee: None });
    j.ok("2026-11-23T11:00", Command::RequestSupplement { items: vec!["Tờ khai".into()] });
    let c = agency_clocks(&j.state, at("2026-11-30T11:00"), Clone::clone, |_| &j.cal).unwrap();
    assert_eq!(c.len(), 1);
    assert_eq!(c[0].used_minutes, 120, "a week with the applicant is not the agency's time");
    j.ok("2026-11-30T10:00", Command::ReceiveSupplement);
    let c = agency_clocks(&j.state, at("2026-11-30T11:00"), Clone::clone, |_| &j.cal).unwrap();
    assert_eq!(c[0].used_minutes, 180);
    j.ok("2026-11-30T11:00", Command::Forward { assignee: None });
    j.ok("2026-11-30T13:30", Command::Approve);
    j.ok("2026-11-30T14:00", issue());
    j.ok("2026-12-01T09:00", hand_back());
    // The return step has no budget: waiting for the applicant to collect is not counted.
    let c = agency_clocks(&j.state, at("2026-12-02T09:00"), Clone::clone, |_| &j.cal).unwrap();
    assert_eq!(c[0].used_minutes, 180 + 60 + 30);
    assert_eq!(c[0].budget_minutes, Some(2 * 60 + 2 * 480 + 4 * 60 + 2 * 60));
    assert_eq!(c[0].released_at, Some(at("2026-12-01T09:00")));
}

#[test]
fn a_wrong_fact_is_corrected_by_a_leader_and_its_history_kept() {
    use super::correction::{Correction, ResultParticulars};
    let mut j = Journey::submit(at("2026-11-23T08:55"));
    let wrong =
        Applicant {
            full_name: "Nguyễn Văn Ân".into(), id_number: Some("001203004567".into()), ..Applicant::default()
        };
    let right = Applicant { full_name: "Nguyễn Văn An".into(), ..wrong.clone() };
    let correct_name = || Command::RequestCorrection { draft: CorrectionDraft::Applicant(right.clone()) };
    // Nothing to correct before the dossier is received.
    assert!(matches!(
        j.act("2026-11-23T08:58", correct_name(), Some("Sai chính tả")),
        Err(ActionError::NotAllowed { .. })
    ));
    j.ok("2026-11-23T09:00", accept(timed_steps()));
    // A reason is required, and a value equal to the recorded one is no correction.
    assert!(matches!(
        j.act("2026-11-23T09:05", correct_name(), None),
        Err(ActionError::Invalid { field: "reason", .. })
    ));
    let same = Command::RequestCorrection { draft: CorrectionDraft::Applicant(j.state.submission.applicant.clone()) };
    assert!(matches!(
        j.act("2026-11-23T09:05", same, Some("x")),
        Err(ActionError::Invalid { field: "correction", .. })
    ));
    let no_result = Command::RequestCorrection {
        draft: CorrectionDraft::Result(ResultParticulars {
            number: "1".into(),
            signed_on: date(2026, 11, 23),
            signer: "A".into(),
        }),
    };
    assert!(matches!(
        j.act("2026-11-23T09:05", no_result, Some("x")),
        Err(ActionError::Invalid { field: "correction", .. })
    ));

    // The submitted name was "Nguyễn Văn An"; the desk asks to record "Nguyễn Văn An" again with
    // a different ID number.
    let other_id = Applicant { id_number: Some("001203004568".into()), ..j.state.submission.applicant.clone() };
    j.act(
        "2026-11-23T09:10",
        Command::RequestCorrection { draft: CorrectionDraft::Applicant(other_id.clone()) },
        Some("Nhập nhầm số định danh"),
    )
    .unwrap();
    let pending = j.state.pending_correction().unwrap();
    assert_eq!(pending.id, 1);
    assert_eq!(pending.correction.changes().len(), 1);
    assert_eq!(j.state.submission.applicant.id_number, None, "nothing changes before a leader approves");
    assert_eq!(j.state.status, Status::Received, "the dossier's status is untouched");
    assert!(allowed_actions(&j.state).contains(&ActionKind::Forward), "work goes on meanwhile");
    assert!(!allowed_actions(&j.state).contains(&ActionKind::RequestCorrection), "one correction at a time");
    assert!(matches!(
        j.act("2026-11-23T09:20", Command::ApproveCorrection, None),
        Err(ActionError::Invalid { field: "reason", .. })
    ));
    j.act("2026-11-23T09:20", Command::ApproveCorrection, Some("Đối chiếu căn cước")).unwrap();
    assert_eq!(j.state.submission.applicant.id_number.as_deref(), Some("001203004568"));
    let done = &j.state.corrections[0];
    assert_eq!(
        done.decision.as_ref().map(|d| (d.approved, d.reason.as_deref())),
        Some((true, Some("Đối chiếu căn cước")))
    );
    let Correction::Applicant { before, .. } = &done.correction else { panic!() };
    assert_eq!(before.id_number, None, "the value before is kept");

    // A rejected correction changes nothing.
    j.act("2026-11-23T09:30", Command::RequestCorrection { draft: CorrectionDraft::Applicant(wrong) }, Some("?"))
        .unwrap();
    j.act("2026-11-23T09:40", Command::RejectCorrection, Some("Thông tin đã đúng")).unwrap();
    assert_eq!(j.state.submission.applicant.full_name, "Nguyễn Văn An");
    assert_eq!(j.state.corrections.len(), 2);
    assert!(j.state.pending_correction().is_none());

    // After the result: its number can be corrected, timeliness cannot move.
    j.ok("2026-11-23T10:00", Command::Forward { assignee: None });
    j.ok("2026-11-23T11:00", Command::Forward { assignee: None });
    j.ok("2026-11-23T13:30", Command::Approve);
    j.ok("2026-11-23T14:00", issue());
    let before = j.state.timeliness();
    let fixed =
        ResultParticulars {
            number: "321/GKS".into(), signed_on: date(2026, 11, 23), signer: "Trương Văn Lãnh".into()
        };
    j.act(
        "2026-11-23T15:00",
        Command::RequestCorrection { draft: CorrectionDraft::Result(fixed) },
        Some("Vào sổ nhầm số"),
    )
    .unwrap();
    j.act("2026-11-23T15:10", Command::ApproveCorrection, Some("Đúng sổ")).unwrap();
    let r = j.state.result.as_ref().unwrap();
    assert_eq!((r.number.as_str(), r.signed_on), ("321/GKS", date(2026, 11, 23)));
    assert_eq!(j.state.timeliness(), before);
    assert_eq!(j.state.resolved_at, Some(at("2026-11-23T14:00")));
}

#[test]
fn the_portal_is_told_every_step_with_its_status_and_deadlines() {
    use crate::national_portal::{PortalContext, PortalDossier, portal_time, steps};
    let mut j = Journey::submit(at("2026-11-23T08:55"));
    let ctx =
        PortalContext {
            field_code: "G09-TP01".into(), field_name: "Hộ tịch".into(), resolving_name: "UBND xã".into()
        };
    assert_eq!(PortalDossier::of(&j.state, &ctx), None, "no code, nothing to tell");
    j.ok("2026-11-23T09:00", accept(timed_steps()));
    j.ok(
        "2026-11-23T10:00",
        Command::Assign { assignee: super::event::UserRef { id: UserId(9), name: "Chuyên viên B".into() } },
    );
    j.ok("2026-11-23T10:30", Command::Forward { assignee: None });
    j.ok("2026-11-25T09:00", Command::RequestSupplement { items: vec!["Bản sao giấy chứng sinh".into()] });
    j.ok("2026-11-26T09:00", Command::ReceiveSupplement);
    j.ok("2026-11-26T15:00", Command::Forward { assignee: None });
    j.ok("2026-11-27T08:00", Command::Approve);
    j.ok("2026-11-27T09:30", issue());
    j.ok("2026-11-30T08:00", hand_back());

    let d = PortalDossier::of(&j.state, &ctx).unwrap();
    assert_eq!(d.ma_ho_so, j.state.code.as_ref().unwrap().to_string());
    assert_eq!((d.trang_thai_ho_so.as_str(), d.kenh_thuc_hien.as_str()), ("10", "1"));
    assert_eq!(d.ngay_tiep_nhan, "20261123090000");
    // The legal due instant, moved by the day the applicant held the dossier.
    assert_eq!(d.ngay_hen_tra, "20261130090000");
    assert_eq!(d.ngay_ket_thuc_xu_ly, "20261127093000");
    assert_eq!(d.ngay_tra, "20261130080000");
    assert_eq!(d.danh_sach_ho_so_bo_sung.len(), 1);
    assert_eq!(d.danh_sach_ho_so_bo_sung[0].ngay_tiep_nhan_bo_sung, "20261126090000");
    let json = serde_json::to_value(&d).unwrap();
    for key in [
        "MaHoSo",
        "MaTTHC",
        "TenTTHC",
        "KenhThucHien",
        "NgayHenTra",
        "TrangThaiHoSo",
        "DinhDanhCHS",
        "TaiKhoanDuocXacThucVoiVNeID",
    ] {
        assert!(json.get(key).is_some(), "{key} in {json}");
    }

    let all = steps(1, &j.events, 0, &|id| format!("Đơn vị {}", id.0));
    // Every event after the submission but the assignment: accepted, forwarded, supplement
    // asked and received, forwarded, approved (and moved on), issued, returned.
    let codes: Vec<&str> = all.iter().map(|s| s.trang_thai.as_str()).collect();
    assert_eq!(codes.first(), Some(&"2"));
    assert!(codes.contains(&"5") && codes.contains(&"9"));
    assert_eq!(codes.last(), Some(&"10"));
    assert!(all.iter().all(|s| !s.noi_dung_xu_ly.is_empty() && s.thoi_diem_xu_ly.len() == 14));
    assert!(all.windows(2).all(|w| w[0].seq < w[1].seq && w[0].thoi_diem_xu_ly <= w[1].thoi_diem_xu_ly));
    let supplement = all.iter().find(|s| s.trang_thai == "5").unwrap();
    assert_eq!(supplement.thoi_diem_xu_ly, portal_time(at("2026-11-25T09:00")));
    // Only what follows a step already sent.
    let after = steps(1, &j.events, supplement.seq, &|_| String::new());
    assert!(after.iter().all(|s| s.seq > supplement.seq) && after.len() < all.len());
}

#[test]
fn a_portal_dossier_keeps_the_portal_code_and_its_reception_clock() {
    use super::event::{PortalFile, PortalOrigin};
    use super::state::Reception;
    use crate::national_portal::{PortalContext, PortalDossier, steps};
    let mut submission = super::event::sample_submission(agency(10, "H99.301"));
    submission.channel = crate::catalog::Channel::Online;
    let file = |id: &str, at: Timestamp| PortalFile {
        portal_id: id.into(),
        name: format!("{id}.pdf"),
        component: None,
        file_id: 1,
        sha256: "ab".into(),
        received_at: at,
    };
    submission.portal = Some(PortalOrigin {
        code: "G22-261123-0001".into(),
        submitted_at: at("2026-11-23T18:00"),
        reception_due_at: at("2026-11-24T17:00"),
        account: None,
        files: vec![file("f1", at("2026-11-23T18:01"))],
        refused: Vec::new(),
    });
    let mut events = Vec::new();
    record(&mut events, at("2026-11-23T18:01"), EventBody::Submitted(Box::new(submission)), None);
    let state = DossierState::fold(1, &events).unwrap();
    let mut j =
        Journey { cal: WorkingCalendar::standard(&HolidayTables::default()), others: HashMap::new(), events, state };
    assert_eq!(
        j.state.reception(at("2026-11-24T16:00")),
        Some(Reception::Waiting { due: at("2026-11-24T17:00"), late: false })
    );
    assert_eq!(
        j.state.reception(at("2026-11-24T17:01")),
        Some(Reception::Waiting { due: at("2026-11-24T17:00"), late: true })
    );
    let ctx = PortalContext::default();
    // Known to the portal from the start, under its code, with the portal's submission time.
    let d = PortalDossier::of(&j.state, &ctx).unwrap();
    assert_eq!(
        (d.ma_ho_so.as_str(), d.trang_thai_ho_so.as_str(), d.kenh_thuc_hien.as_str()),
        ("G22-261123-0001", "1", "2")
    );
    assert_eq!(d.ngay_nop_ho_so, "20261123180000");

    // The desk asks for a supplement in time; the citizen sends it on the portal on Wednesday
    // evening: the clock starts again and runs to Thursday's close.
    j.ok("2026-11-24T09:00", Command::RequestSupplement { items: vec!["Bản chụp giấy khai sinh".into()] });
    assert_eq!(
        j.state.reception(at("2026-11-25T09:00")),
        Some(Reception::Decided { at: at("2026-11-24T09:00"), late: false })
    );
    j.ok(
        "2026-11-25T19:00",
        Command::ReceivePortalSupplement {
            reception_due_at: Some(at("2026-11-26T17:00")),
            files: vec![file("f2", at("2026-11-25T19:00"))],
            refused: vec!["f3".into()],
        },
    );
    assert_eq!(j.state.status, Status::Submitted);
    assert_eq!(j.state.portal_files.len(), 2);
    assert!(j.state.portal_file_seen("f3") && j.state.portal_file_seen("f1") && !j.state.portal_file_seen("f4"));
    assert_eq!(
        j.state.reception(at("2026-11-26T10:00")),
        Some(Reception::Waiting { due: at("2026-11-26T17:00"), late: false })
    );
    // Accepted on Friday: late.
    j.ok("2026-11-27T08:00", accept(timed_steps()));
    assert_eq!(
        j.state.reception(at("2026-11-27T09:00")),
        Some(Reception::Decided { at: at("2026-11-27T08:00"), late: true })
    );
    let all = steps(1, &j.events, 0, &|_| String::new());
    let told: Vec<(&str, &str)> = all.iter().map(|s| (s.ma_ho_so.as_str(), s.trang_thai.as_str())).collect();
    assert_eq!(told, [("G22-261123-0001", "5"), ("G22-261123-0001", "1"), ("G22-261123-0001", "2")]);
    assert!(crate::national_portal::concerns(true, &j.events[1..2]));
}

#[test]
fn the_dossier_page_offers_each_step_its_own_action_first() {
    use super::next_action::{Opinion, opinion, plan};
    use ActionKind::*;
    let first = |j: &Journey| plan(&j.state, &allowed_actions(&j.state)).primary;
    let mut j = Journey::submit(at("2026-11-23T08:55"));
    assert_eq!(first(&j), vec![Accept]);
    j.ok("2026-11-23T09:00", accept(timed_steps()));
    assert_eq!(first(&j), vec![Forward], "the desk hands the received dossier on");
    assert_eq!(opinion(&j.state, Forward), None);
    j.ok("2026-11-23T09:10", Command::Forward { assignee: None });
    assert_eq!(first(&j), vec![Forward], "the specialist hands the appraised draft on");
    assert_eq!(opinion(&j.state, Forward), Some(Opinion::Appraisal));
    j.ok("2026-11-23T09:20", Command::RequestSupplement { items: vec!["Bản sao giấy chứng sinh".into()] });
    assert_eq!(first(&j), vec![ReceiveSupplement]);
    j.ok("2026-11-23T09:30", Command::ReceiveSupplement);
    j.ok("2026-11-23T09:40", Command::Forward { assignee: None });
    assert_eq!(first(&j), vec![Approve]);
    assert_eq!(
        (opinion(&j.state, Approve), opinion(&j.state, Reject)),
        (Some(Opinion::Decision), Some(Opinion::Decision))
    );
    assert!(plan(&j.state, &allowed_actions(&j.state)).secondary.contains(&Reject));
    j.ok("2026-11-23T09:50", Command::Approve);
    assert_eq!(first(&j), vec![IssueResult]);
    j.ok("2026-11-23T10:00", issue());
    assert_eq!(first(&j), vec![ReturnResult]);

    let mut j = Journey::submit(at("2026-11-23T08:55"));
    j.ok("2026-11-23T09:00", accept(timed_steps()));
    j.act("2026-11-23T09:05", Command::RequestWithdrawal, Some("Đơn xin rút hồ sơ ngày 23/11/2026")).unwrap();
    assert_eq!(first(&j)[0], Stop, "once the applicant asked to withdraw, stopping comes first");
}
