//! Reminders and escalation (nhắc việc): which notices a dossier is owed at a given instant.
//!
//! Three notices, each at most once per occasion:
//! * the step's people, when the current step enters its reminder window (due soon);
//! * the leaders (and the assignee), once the current step is past its due instant (overdue);
//! * the one-stop desk, one working day before the appointment when the result is not ready, so
//!   the apology and new appointment (form 04) are prepared in time (`legal.md` §1.3).
//!
//! The windows' ends are computed by the caller with the working calendar; this module only
//! compares instants, so the rules read plainly and test without a calendar. A paused clock
//! (supplement, payment) owes nothing: its due instants will move when it resumes.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::dossier::status::Status;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    /// The current step is due soon (to its assignee, or to whoever may take it).
    StepDueSoon,
    /// The current step is overdue (to the leaders, and to its assignee).
    StepOverdue,
    /// The appointment is near and the result is not ready (to the desk).
    AppointmentNear,
    /// A petition's next deadline is within a working day (to its assignee, else the desk).
    PetitionDueSoon,
    /// A petition is past its deadline (to the leaders, and to its assignee).
    PetitionOverdue,
}

impl NotificationKind {
    pub const ALL: [NotificationKind; 5] = [
        NotificationKind::StepDueSoon,
        NotificationKind::StepOverdue,
        NotificationKind::AppointmentNear,
        NotificationKind::PetitionDueSoon,
        NotificationKind::PetitionOverdue,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            NotificationKind::StepDueSoon => "step_due_soon",
            NotificationKind::StepOverdue => "step_overdue",
            NotificationKind::AppointmentNear => "appointment_near",
            NotificationKind::PetitionDueSoon => "petition_due_soon",
            NotificationKind::PetitionOverdue => "petition_overdue",
        }
    }

    pub fn parse(s: &str) -> Option<NotificationKind> {
        NotificationKind::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            NotificationKind::StepDueSoon => "Bước xử lý sắp đến hạn",
            NotificationKind::StepOverdue => "Bước xử lý quá hạn",
            NotificationKind::AppointmentNear => "Sắp đến ngày hẹn trả, chưa có kết quả",
            NotificationKind::PetitionDueSoon => "Phản ánh, kiến nghị sắp đến hạn",
            NotificationKind::PetitionOverdue => "Phản ánh, kiến nghị quá hạn",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            NotificationKind::StepDueSoon => "Step due soon",
            NotificationKind::StepOverdue => "Step overdue",
            NotificationKind::AppointmentNear => "Appointment near, result not ready",
            NotificationKind::PetitionDueSoon => "Petition due soon",
            NotificationKind::PetitionOverdue => "Petition overdue",
        }
    }
}

/// What the reminder rules read of a dossier (all of it is in the dossier's projection row).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReminderFacts {
    pub dossier_id: i64,
    pub status: Status,
    pub paused: bool,
    /// The current step's name (part of the occasion: a new step is a new occasion).
    pub step_name: Option<String>,
    pub step_due_at: Option<Timestamp>,
    pub appointment_at: Option<Timestamp>,
}

/// The instants the rules compare against, computed by the caller with the calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReminderWindows {
    pub now: Timestamp,
    /// A step due at or before this is due soon (now + the step lead in working time).
    pub step_due_before: Timestamp,
    /// An appointment at or before this is near (now + one working day).
    pub appointment_before: Timestamp,
}

/// One notice a dossier is owed. `occasion` identifies it: the same occasion is never notified
/// twice to the same person, a new one (the step moved on, the due instant changed after a
/// pause, an extension gave a new appointment) is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reminder {
    pub kind: NotificationKind,
    /// The instant the notice is about (the step's due instant or the appointment).
    pub about: Timestamp,
    pub occasion: String,
}

/// Statuses in which the resolving agency's steps are running.
fn steps_running(status: Status) -> bool {
    matches!(status, Status::Received | Status::Processing)
}

/// Statuses in which the result is still owed to the applicant and the clock runs.
fn result_owed(status: Status) -> bool {
    matches!(status, Status::Received | Status::Processing | Status::WithdrawalRequested)
}

/// The notices owed now. An overdue step gets only the overdue notice (a scan that comes late
/// does not send a stale "due soon" as well).
pub fn reminders_due(facts: &ReminderFacts, w: &ReminderWindows) -> Vec<Reminder> {
    let mut out = Vec::new();
    if facts.paused {
        return out;
    }
    let step = facts.step_name.as_deref().unwrap_or("");
    if let (true, Some(due)) = (steps_running(facts.status), facts.step_due_at) {
        let occasion =
            |kind: NotificationKind| format!("{}:{}:{}:{}", kind.as_str(), facts.dossier_id, due.as_second(), step);
        if due <= w.now {
            out.push(Reminder {
                kind: NotificationKind::StepOverdue,
                about: due,
                occasion: occasion(NotificationKind::StepOverdue),
            });
        } else if due <= w.step_due_before {
            out.push(Reminder {
                kind: NotificationKind::StepDueSoon,
                about: due,
                occasion: occasion(NotificationKind::StepDueSoon),
            });
        }
    }
    if let (true, Some(at)) = (result_owed(facts.status), facts.appointment_at)
        && w.now < at
        && at <= w.appointment_before
    {
        let kind = NotificationKind::AppointmentNear;
        out.push(Reminder {
            kind,
            about: at,
            occasion: format!("{}:{}:{}", kind.as_str(), facts.dossier_id, at.as_second()),
        });
    }
    out
}

/// What a petition is owed at an instant: overdue once its next deadline has passed, due soon
/// once it lies before `due_soon_before` (a working day ahead); once per deadline.
pub fn petition_reminder(
    petition_id: i64,
    due_at: Option<Timestamp>,
    now: Timestamp,
    due_soon_before: Timestamp,
) -> Option<Reminder> {
    let due = due_at?;
    let kind = if due <= now {
        NotificationKind::PetitionOverdue
    } else if due <= due_soon_before {
        NotificationKind::PetitionDueSoon
    } else {
        return None;
    };
    Some(Reminder { kind, about: due, occasion: format!("{}:{}:{}", kind.as_str(), petition_id, due.as_second()) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_petition_is_reminded_before_its_deadline_and_escalated_after() {
        let t = |h: i64| Timestamp::from_second(1_800_000_000 + h * 3600).unwrap();
        assert_eq!(petition_reminder(7, None, t(0), t(8)), None, "no deadline while information is awaited");
        assert_eq!(petition_reminder(7, Some(t(20)), t(0), t(8)), None);
        let soon = petition_reminder(7, Some(t(5)), t(0), t(8)).unwrap();
        assert_eq!(soon.kind, NotificationKind::PetitionDueSoon);
        let late = petition_reminder(7, Some(t(5)), t(6), t(14)).unwrap();
        assert_eq!(late.kind, NotificationKind::PetitionOverdue);
        assert_ne!(soon.occasion, late.occasion);
        assert_ne!(
            late.occasion,
            petition_reminder(7, Some(t(9)), t(10), t(18)).unwrap().occasion,
            "a new deadline is a new occasion"
        );
    }

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn windows() -> ReminderWindows {
        ReminderWindows {
            now: t("2026-11-23T02:00:00Z"),
            step_due_before: t("2026-11-23T06:00:00Z"),
            appointment_before: t("2026-11-24T02:00:00Z"),
        }
    }

    fn facts(status: Status, step_due: Option<&str>, appointment: Option<&str>) -> ReminderFacts {
        ReminderFacts {
            dossier_id: 7,
            status,
            paused: false,
            step_name: Some("Thẩm định".into()),
            step_due_at: step_due.map(t),
            appointment_at: appointment.map(t),
        }
    }

    fn kinds(r: &[Reminder]) -> Vec<NotificationKind> {
        r.iter().map(|r| r.kind).collect()
    }

    #[test]
    fn a_step_due_inside_the_window_is_due_soon() {
        let r = reminders_due(&facts(Status::Processing, Some("2026-11-23T05:00:00Z"), None), &windows());
        assert_eq!(kinds(&r), [NotificationKind::StepDueSoon]);
        assert_eq!(r[0].about, t("2026-11-23T05:00:00Z"));
        assert!(r[0].occasion.starts_with("step_due_soon:7:"), "{}", r[0].occasion);
        // The window's end is inclusive, like the near-due queue.
        let r = reminders_due(&facts(Status::Processing, Some("2026-11-23T06:00:00Z"), None), &windows());
        assert_eq!(kinds(&r), [NotificationKind::StepDueSoon]);
    }

    #[test]
    fn a_step_due_later_owes_nothing_yet() {
        let r = reminders_due(&facts(Status::Processing, Some("2026-11-23T06:00:01Z"), None), &windows());
        assert!(r.is_empty());
    }

    #[test]
    fn a_step_past_due_is_overdue_only() {
        for due in ["2026-11-23T02:00:00Z", "2026-11-20T02:00:00Z"] {
            let r = reminders_due(&facts(Status::Received, Some(due), None), &windows());
            assert_eq!(kinds(&r), [NotificationKind::StepOverdue], "due {due}");
        }
    }

    #[test]
    fn a_paused_clock_owes_nothing() {
        let mut f = facts(Status::Processing, Some("2026-11-20T02:00:00Z"), Some("2026-11-23T10:00:00Z"));
        f.paused = true;
        assert!(reminders_due(&f, &windows()).is_empty());
    }

    #[test]
    fn steps_are_reminded_only_while_the_agency_works_on_them() {
        for s in [
            Status::Submitted,
            Status::Refused,
            Status::AwaitingSupplement,
            Status::AwaitingPayment,
            Status::WithdrawalRequested,
            Status::Stopped,
            Status::Resolved,
            Status::Returned,
        ] {
            let r = reminders_due(&facts(s, Some("2026-11-20T02:00:00Z"), None), &windows());
            assert!(r.is_empty(), "{s:?}");
        }
    }

    #[test]
    fn the_desk_hears_of_a_near_appointment_without_a_result() {
        let r = reminders_due(&facts(Status::Processing, None, Some("2026-11-24T01:00:00Z")), &windows());
        assert_eq!(kinds(&r), [NotificationKind::AppointmentNear]);
        assert_eq!(r[0].occasion, format!("appointment_near:7:{}", t("2026-11-24T01:00:00Z").as_second()));
        // A result ready (or returned) means nothing to apologise for.
        for s in [Status::Resolved, Status::Returned, Status::Stopped, Status::Refused] {
            assert!(reminders_due(&facts(s, None, Some("2026-11-24T01:00:00Z")), &windows()).is_empty());
        }
        // Already past: the overdue notices speak for it.
        assert!(reminders_due(&facts(Status::Processing, None, Some("2026-11-23T01:00:00Z")), &windows()).is_empty());
        // Further than a working day: not yet.
        assert!(reminders_due(&facts(Status::Processing, None, Some("2026-11-24T03:00:00Z")), &windows()).is_empty());
    }

    #[test]
    fn a_new_step_or_a_moved_due_instant_is_a_new_occasion() {
        let a = reminders_due(&facts(Status::Processing, Some("2026-11-23T05:00:00Z"), None), &windows());
        let mut f = facts(Status::Processing, Some("2026-11-23T05:00:00Z"), None);
        f.step_name = Some("Phê duyệt".into());
        let b = reminders_due(&f, &windows());
        let c = reminders_due(&facts(Status::Processing, Some("2026-11-23T05:30:00Z"), None), &windows());
        assert_ne!(a[0].occasion, b[0].occasion);
        assert_ne!(a[0].occasion, c[0].occasion);
        // And the same facts give the same occasion (the scan is repeatable).
        assert_eq!(a, reminders_due(&facts(Status::Processing, Some("2026-11-23T05:00:00Z"), None), &windows()));
    }

    #[test]
    fn kinds_round_trip() {
        for k in NotificationKind::ALL {
            assert_eq!(NotificationKind::parse(k.as_str()), Some(k));
            assert!(!k.label_vi().is_empty() && !k.label_en().is_empty());
        }
        assert_eq!(NotificationKind::parse("nope"), None);
    }

    proptest! {
        /// At most one step notice and one appointment notice, never both step kinds, and a
        /// step notice only about a step due no later than the window's end.
        #[test]
        fn notices_are_consistent(
            code in 1u8..=10,
            paused in any::<bool>(),
            step_off in proptest::option::of(-100_000i64..100_000),
            appt_off in proptest::option::of(-200_000i64..200_000),
        ) {
            let w = windows();
            let status = Status::from_national_code(code).unwrap();
            let f = ReminderFacts {
                dossier_id: 1,
                status,
                paused,
                step_name: None,
                step_due_at: step_off.map(|s| w.now.checked_add(jiff::SignedDuration::from_secs(s)).unwrap()),
                appointment_at: appt_off.map(|s| w.now.checked_add(jiff::SignedDuration::from_secs(s)).unwrap()),
            };
            let r = reminders_due(&f, &w);
            let steps = r.iter().filter(|r| r.kind != NotificationKind::AppointmentNear).count();
            prop_assert!(steps <= 1);
            prop_assert!(r.len() <= 2);
            if paused { prop_assert!(r.is_empty()); }
            for n in &r {
                match n.kind {
                    NotificationKind::StepDueSoon => prop_assert!(w.now < n.about && n.about <= w.step_due_before),
                    NotificationKind::StepOverdue => prop_assert!(n.about <= w.now),
                    NotificationKind::AppointmentNear => prop_assert!(w.now < n.about && n.about <= w.appointment_before),
                    NotificationKind::PetitionDueSoon | NotificationKind::PetitionOverdue => {
                        prop_assert!(false, "a dossier owes no petition reminder")
                    }
                }
            }
        }
    }
}
