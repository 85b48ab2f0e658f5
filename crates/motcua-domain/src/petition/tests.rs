//! A petition's journey through its states and clocks, with holidays in between.

use jiff::Timestamp;
use proptest::prelude::*;

use super::chain::{PetitionBreak, StoredPetitionEvent, verify};
use super::event::{PetitionEventBody, Petitioner, seal};
use super::*;
use crate::account::UserId;
use crate::agency::{AgencyCode, AgencyId};
use crate::calendar::deadline::PendingTimeliness;
use crate::calendar::working_calendar::{HolidayTables, WorkingCalendar};
use crate::calendar::{Counting, DueState, Timeliness};
use crate::dossier::EventActor;
use crate::dossier::event::{AgencyRef, UserRef};

fn at(s: &str) -> Timestamp {
    format!("{s}:00+07:00").parse().unwrap()
}

fn agency(id: i64, code: &str) -> AgencyRef {
    AgencyRef { id: AgencyId(id), code: AgencyCode::parse(code).unwrap(), name: format!("Cơ quan {code}") }
}

fn officer(id: i64) -> EventActor {
    EventActor { user_id: Some(UserId(id)), name: format!("Cán bộ {id}"), role: None, unit: None }
}

fn received(code: &str) -> PetitionEventBody {
    PetitionEventBody::Received {
        code: code.into(),
        agency: agency(2, "000.31.31.H99"),
        channel: PetitionChannel::Online,
        petition_kind: None,
        subject: "Thời gian chờ".into(),
        content: "Nội dung".into(),
        petitioner: Petitioner {
            name: "Trần Thị Bình".into(),
            address: "Thôn 3".into(),
            phone: None,
            email: Some("binh@example.vn".into()),
            organisation: None,
        },
        procedure_code: None,
        dossier_code: None,
        reraise_of: None,
        attachments: vec![],
        notify_email: true,
        notify_sms: false,
        portal: None,
    }
}

/// The events as the store would keep them, sealed one after another.
struct History {
    stored: Vec<StoredPetitionEvent>,
}

impl History {
    fn start(when: &str) -> History {
        let mut h = History { stored: vec![] };
        h.push(
            when,
            EventActor { user_id: None, name: "citizen".into(), role: None, unit: None },
            received("X-PA260422-0001"),
        );
        h
    }

    fn push(&mut self, when: &str, actor: EventActor, body: PetitionEventBody) {
        let prev = self.stored.last().map(|e| (e.seq, e.hash.as_str()));
        let s = seal(7, prev, at(when), &actor, &body);
        self.stored.push(StoredPetitionEvent {
            petition_id: 7,
            seq: s.seq,
            at: s.at,
            kind: s.kind.into(),
            actor_user_id: s.actor_user_id,
            actor_json: s.actor_json,
            body_json: s.body_json,
            prev_hash: s.prev_hash,
            hash: s.hash,
        });
    }

    fn state(&self) -> PetitionState {
        verify(7, &self.stored).unwrap().1
    }

    /// Decides the action on the current state and records it.
    fn act(&mut self, when: &str, who: i64, action: PetitionAction) {
        let body = self.state().decide(&action).unwrap();
        self.push(when, officer(who), body);
    }
}

fn cal() -> WorkingCalendar {
    WorkingCalendar::standard(&HolidayTables::default())
}

fn clocks(s: &PetitionState) -> PetitionClocks {
    PetitionClocks::of(s, &cal(), Counting::WorkingTime, &PetitionDeadlines::default()).unwrap()
}

#[test]
fn receipt_information_forward_answer_approval_publication_across_the_april_holidays() {
    // Wednesday 22/04/2026. Hùng Kings' day falls on Sunday 26/04 (off on Monday 27/04), then
    // 30/04 and 01/05.
    let mut h = History::start("2026-04-22T09:00");
    let c = clocks(&h.state());
    assert_eq!(c.refuse_due, at("2026-04-24T09:00"));
    assert_eq!(c.info_request_due, at("2026-05-04T09:00"));
    assert_eq!(c.answer_due, DueState::Due(at("2026-05-18T09:00")));

    h.act("2026-04-23T10:00", 11, PetitionAction::RequestInfo { request: "Cho biết ngày nộp hồ sơ".into() });
    let s = h.state();
    assert_eq!(s.stage, Stage::AwaitingInfo);
    assert!(matches!(clocks(&s).answer_due, DueState::Suspended { .. }));
    assert_eq!(clocks(&s).current_due(s.stage), None);
    assert_eq!(clocks(&s).info_request_timeliness(&s), Some(StepTimeliness::Finished(Timeliness::Early)));

    // Three working days paused (23/04 10:00 → 29/04 10:00, with 27/04 off).
    h.act("2026-04-29T10:00", 11, PetitionAction::ReceiveInfo { note: "Đã nhận qua điện thoại".into() });
    let s = h.state();
    assert_eq!(s.stage, Stage::Received);
    assert_eq!(clocks(&s).answer_due, DueState::Due(at("2026-05-21T09:00")));

    // Forwarded to the competent agency on Monday 04/05: its clocks start afresh.
    h.act(
        "2026-05-04T14:00",
        11,
        PetitionAction::Forward { to: agency(3, "000.32.31.H99"), reason: "Thuộc thẩm quyền của Sở".into() },
    );
    let s = h.state();
    assert_eq!((s.stage, s.agency.id, s.forwards.len()), (Stage::Received, AgencyId(3), 1));
    assert_eq!(s.forwards[0].from.id, AgencyId(2));
    assert!(s.pauses.is_empty() && s.first_info_request_at.is_none());
    let c = clocks(&s);
    assert_eq!(c.refuse_due, at("2026-05-06T14:00"));
    assert_eq!(c.answer_due, DueState::Due(at("2026-05-25T14:00")));

    h.act(
        "2026-05-05T08:00",
        12,
        PetitionAction::Assign {
            petition_kind: PetitionKind::Rules,
            assignee: UserRef { id: UserId(13), name: "Chuyên viên".into() },
            field: Some("Hộ tịch".into()),
        },
    );
    h.act("2026-05-12T16:00", 13, PetitionAction::Draft { answer: "Trả lời: …".into() });
    h.act("2026-05-13T09:00", 14, PetitionAction::ReturnDraft { reason: "Nêu căn cứ".into() });
    assert_eq!(h.state().stage, Stage::Processing);
    h.act("2026-05-14T09:00", 13, PetitionAction::Draft { answer: "Trả lời, căn cứ Nghị định …".into() });
    h.act(
        "2026-05-15T10:00",
        14,
        PetitionAction::Approve { answer: "Trả lời, căn cứ Nghị định …".into(), opinion: None },
    );
    let s = h.state();
    assert_eq!(s.stage, Stage::ReadyToPublish);
    let c = clocks(&s);
    assert_eq!(c.answer_timeliness(&s, at("2026-06-30T10:00")), StepTimeliness::Finished(Timeliness::Early));
    assert_eq!(c.publish_due, Some(at("2026-05-19T10:00")));
    assert_eq!(c.current_due(s.stage), c.publish_due);

    h.act("2026-05-19T10:00", 12, PetitionAction::Publish);
    let s = h.state();
    assert_eq!(s.stage, Stage::Published);
    assert_eq!(
        clocks(&s).publish_timeliness(&s, at("2026-06-30T10:00")),
        Some(StepTimeliness::Finished(Timeliness::OnTime))
    );
    assert!(s.possible_actions().is_empty());
}

#[test]
fn a_refusal_after_two_working_days_is_late_and_ends_the_petition() {
    // Friday 24/04/2026; the weekend and Monday 27/04 are off, so the refusal was due on
    // Wednesday 29/04 at the same hour.
    let mut h = History::start("2026-04-24T15:00");
    assert_eq!(clocks(&h.state()).refuse_due, at("2026-04-29T15:00"));
    h.act("2026-04-29T16:00", 11, PetitionAction::Refuse { reason: "Không thuộc phạm vi phản ánh, kiến nghị".into() });
    let s = h.state();
    assert_eq!(s.stage, Stage::Refused);
    let t = clocks(&s).answer_timeliness(&s, at("2026-04-29T16:00"));
    assert_eq!(t, StepTimeliness::Finished(Timeliness::Late));
    assert!(t.is_late());
    assert_eq!(s.decide(&PetitionAction::Publish), Err(state::PetitionError::WrongStage(Stage::Refused)));
}

#[test]
fn the_period_counts_each_step_against_its_clock() {
    use super::stats::{PetitionStats, StepTally};
    let mut stats = PetitionStats::default();
    // Answered, published on time, with an early information request.
    let mut a = History::start("2026-04-22T09:00");
    a.act("2026-04-23T10:00", 11, PetitionAction::RequestInfo { request: "r".into() });
    a.act("2026-04-28T10:00", 11, PetitionAction::ReceiveInfo { note: "n".into() });
    a.act(
        "2026-04-28T11:00",
        11,
        PetitionAction::Assign {
            petition_kind: PetitionKind::Conduct,
            assignee: UserRef { id: UserId(13), name: "x".into() },
            field: None,
        },
    );
    a.act("2026-05-04T09:00", 13, PetitionAction::Draft { answer: "a".into() });
    a.act("2026-05-05T09:00", 14, PetitionAction::Approve { answer: "a".into(), opinion: None });
    a.act("2026-05-06T09:00", 12, PetitionAction::Publish);
    // Refused late.
    let mut b = History::start("2026-04-24T15:00");
    b.act("2026-04-29T16:00", 11, PetitionAction::Refuse { reason: "r".into() });
    // Never touched: overdue by June.
    let c = History::start("2026-04-22T09:00");
    let june = at("2026-06-01T09:00");
    for h in [&a, &b, &c] {
        let s = h.state();
        stats.add(&s, &clocks(&s), june);
    }
    assert_eq!(stats.total, 3);
    assert_eq!(stats.by_stage[&Stage::Published], 1);
    assert_eq!(stats.by_kind[&None], 2);
    assert_eq!(stats.refuse, StepTally { done_late: 1, ..StepTally::default() });
    assert_eq!(stats.info_request, StepTally { done_in_time: 1, ..StepTally::default() });
    assert_eq!(stats.answer, StepTally { done_in_time: 1, done_late: 1, pending_overdue: 1, ..StepTally::default() });
    assert_eq!(stats.answer.on_time_rate(), Some(50.0));
    assert_eq!(stats.publish, StepTally { done_in_time: 1, ..StepTally::default() });
}

#[test]
fn a_province_with_shorter_deadlines_counts_them() {
    let h = History::start("2026-04-22T09:00");
    let ten = PetitionDeadlines { answer: 10, ..PetitionDeadlines::default() };
    let c = PetitionClocks::of(&h.state(), &cal(), Counting::WorkingTime, &ten).unwrap();
    assert_eq!(c.answer_due, DueState::Due(at("2026-05-11T09:00")));
    assert_eq!(
        c.answer_timeliness(&h.state(), at("2026-05-11T09:01")),
        StepTimeliness::Pending(PendingTimeliness::Overdue)
    );
}

#[test]
fn actions_out_of_place_and_empty_reasons_are_refused() {
    let h = History::start("2026-04-22T09:00");
    let s = h.state();
    assert_eq!(s.possible_actions(), ["assign", "request_info", "forward", "refuse"]);
    assert!(matches!(
        s.decide(&PetitionAction::Draft { answer: "x".into() }),
        Err(state::PetitionError::WrongStage(_))
    ));
    assert!(matches!(s.decide(&PetitionAction::Refuse { reason: "  ".into() }), Err(state::PetitionError::Invalid(_))));
    let same = PetitionAction::Forward { to: agency(2, "000.31.31.H99"), reason: "x".into() };
    assert_eq!(s.decide(&same), Err(state::PetitionError::SameAgency));
}

#[test]
fn an_altered_or_missing_event_breaks_the_chain() {
    let mut h = History::start("2026-04-22T09:00");
    h.act("2026-04-23T10:00", 11, PetitionAction::RequestInfo { request: "Cho biết thêm".into() });
    h.act("2026-04-28T10:00", 11, PetitionAction::ReceiveInfo { note: "Đã nhận".into() });
    let mut altered = h.stored.clone();
    altered[1].body_json = altered[1].body_json.replace("Cho biết thêm", "Khác");
    assert_eq!(verify(7, &altered).unwrap_err(), PetitionBreak::Altered { seq: 2 });
    let mut gap = h.stored.clone();
    gap.remove(1);
    assert_eq!(verify(7, &gap).unwrap_err(), PetitionBreak::Gap { seq: 3, expected: 2 });
    let mut column = h.stored.clone();
    column[2].kind = "refused".into();
    assert_eq!(verify(7, &column).unwrap_err(), PetitionBreak::ColumnMismatch { seq: 3, column: "kind" });
    assert_eq!(verify(7, &[]).unwrap_err(), PetitionBreak::NoEvents);
}

fn any_action() -> impl Strategy<Value = PetitionAction> {
    prop_oneof![
        Just(PetitionAction::Refuse { reason: "r".into() }),
        Just(PetitionAction::RequestInfo { request: "r".into() }),
        Just(PetitionAction::ReceiveInfo { note: "r".into() }),
        Just(PetitionAction::Assign {
            petition_kind: PetitionKind::Conduct,
            assignee: UserRef { id: UserId(5), name: "x".into() },
            field: None
        }),
        Just(PetitionAction::Forward { to: agency(9, "000.39.31.H99"), reason: "r".into() }),
        Just(PetitionAction::Forward { to: agency(2, "000.31.31.H99"), reason: "r".into() }),
        Just(PetitionAction::Draft { answer: "a".into() }),
        Just(PetitionAction::ReturnDraft { reason: "r".into() }),
        Just(PetitionAction::Approve { answer: "a".into(), opinion: None }),
        Just(PetitionAction::Publish),
    ]
}

proptest! {
    /// Whatever officials try, a decided action always folds back (the state machine and the
    /// fold agree), the answer clock is suspended exactly while information is awaited, and a
    /// resolved petition accepts nothing but publication.
    #[test]
    fn decided_actions_always_replay(actions in proptest::collection::vec(any_action(), 0..25)) {
        let mut h = History::start("2026-04-22T09:00");
        let mut day = 0;
        for a in actions {
            let s = h.state();
            let before = s.stage;
            match s.decide(&a) {
                Ok(body) => {
                    day += 1;
                    let prev = h.stored.last().map(|e| (e.seq, e.hash.clone())).unwrap();
                    let when = at("2026-04-22T09:00") + jiff::SignedDuration::from_hours(5 * day);
                    let sealed = seal(7, Some((prev.0, prev.1.as_str())), when, &officer(1), &body);
                    h.stored.push(StoredPetitionEvent {
                        petition_id: 7,
                        seq: sealed.seq,
                        at: sealed.at,
                        kind: sealed.kind.into(),
                        actor_user_id: sealed.actor_user_id,
                        actor_json: sealed.actor_json,
                        body_json: sealed.body_json,
                        prev_hash: sealed.prev_hash,
                        hash: sealed.hash,
                    });
                    let after = h.state();
                    prop_assert!(PetitionAction::from_stages(a.name()).contains(&before));
                    let suspended = matches!(clocks(&after).answer_due, DueState::Suspended { .. });
                    prop_assert_eq!(after.stage == Stage::AwaitingInfo, suspended);
                }
                Err(_) => {
                    let same_agency = matches!(&a, PetitionAction::Forward { to, .. } if to.id == s.agency.id);
                    prop_assert!(same_agency || !PetitionAction::from_stages(a.name()).contains(&before));
                }
            }
        }
    }
}

#[test]
fn a_petition_forwarded_by_the_portal_counts_from_the_forward_not_from_its_arrival() {
    // The portal forwarded it on Wednesday 22/04/2026 at 09:00; it reached this system only on
    // Friday 24/04: the two days spent on the way are already spent (the portal measures so).
    let mut body = received("X-PA260424-0001");
    if let PetitionEventBody::Received { channel, portal, .. } = &mut body {
        *channel = PetitionChannel::NationalPortal;
        *portal = Some(PortalReference {
            reference: "PAKN-001".into(),
            submitted_at: at("2026-04-21T20:00"),
            forwarded_at: at("2026-04-22T09:00"),
        });
    }
    let mut h = History { stored: vec![] };
    h.push("2026-04-24T08:00", EventActor { user_id: None, name: "portal".into(), role: None, unit: None }, body);
    let s = h.state();
    assert_eq!((s.received_at, s.clock_start), (at("2026-04-24T08:00"), at("2026-04-22T09:00")));
    assert_eq!(s.portal.as_ref().map(|p| p.reference.as_str()), Some("PAKN-001"));
    let c = clocks(&s);
    assert_eq!(c.refuse_due, at("2026-04-24T09:00"));
    assert_eq!(c.answer_due, DueState::Due(at("2026-05-18T09:00")));
    // A later forward starts the clocks afresh as for any petition.
    h.act(
        "2026-04-24T10:00",
        11,
        PetitionAction::Forward { to: agency(3, "000.32.31.H99"), reason: "Thẩm quyền".into() },
    );
    assert_eq!(h.state().clock_start, at("2026-04-24T10:00"));
}

#[test]
fn a_receipt_without_portal_reference_keeps_its_stored_text() {
    // Events stored before petitions came from the portal must hash as they did.
    let body = serde_json::to_string(&received("X-PA260424-0001")).unwrap();
    assert!(!body.contains("portal"));
}
