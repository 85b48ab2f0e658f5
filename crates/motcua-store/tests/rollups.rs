//! The rollup counters against the facts they summarise, on both backends: after a randomized
//! history (officials trying random actions on random dossiers at random moments), the stored
//! counters equal a recomputation from the events, every cell of Biểu 06 equals the number of
//! dossiers its list shows, and a rebuild changes nothing.

use std::sync::Arc;

use jiff::SignedDuration;
use motcua_app::clock::{Clock, ManualClock};
use motcua_app::context::RequestMeta;
use motcua_app::dossiers::{Action, CorrectionTarget, Intake};
use motcua_app::reports::Viewer;
use motcua_domain::account::{Principal, Username};
use motcua_domain::agency::AgencyCode;
use motcua_domain::catalog::{Channel, ProcedureCode};
use motcua_domain::dossier::ActionKind;
use motcua_domain::report::form06::{Variant, column_measures};
use motcua_domain::report::period::{Basis, ReportPeriod};
use motcua_testkit::{backend_tests, fixed_now};

/// A small deterministic generator (xorshift64*), so a failure replays.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.below(v.len() as u64) as usize]
    }
}

/// Weighted: the steps forward are common, stops rare, so dossiers also reach their results.
const KINDS: [ActionKind; 20] = [
    ActionKind::Forward,
    ActionKind::Forward,
    ActionKind::Forward,
    ActionKind::Forward,
    ActionKind::Forward,
    ActionKind::Approve,
    ActionKind::Approve,
    ActionKind::IssueResult,
    ActionKind::IssueResult,
    ActionKind::ReturnResult,
    ActionKind::RequestSupplement,
    ActionKind::ReceiveSupplement,
    ActionKind::ReceiveSupplement,
    ActionKind::Extend,
    ActionKind::RequestWithdrawal,
    ActionKind::Stop,
    ActionKind::Refuse,
    ActionKind::Accept,
    ActionKind::Accept,
    ActionKind::RequestCorrection,
];

fn action(kind: ActionKind, now: jiff::Timestamp) -> Action {
    let mut a = Action::new(kind);
    a.reason = Some("Lý do kiểm thử".into());
    match kind {
        ActionKind::RequestSupplement | ActionKind::Refuse => a.items = vec!["Giấy tờ còn thiếu".into()],
        ActionKind::IssueResult => {
            a.number = Some("1/KQ".into());
            a.signer = Some("Trương Văn Lãnh".into());
        }
        ActionKind::ReturnResult => a.receiver = Some("Người nhận".into()),
        ActionKind::Extend => {
            a.appointment_at = Some(now + SignedDuration::from_hours(72));
            a.signer = Some("Trương Văn Lãnh".into());
        }
        ActionKind::RequestCorrection => {
            a.correct = Some(CorrectionTarget::Applicant);
            a.applicant = Some(motcua_domain::dossier::applicant::Applicant {
                full_name: "Tên Đã Sửa".into(),
                ..Default::default()
            });
        }
        _ => {}
    }
    a
}

async fn principal(services: &motcua_app::Services, name: &str) -> Principal {
    let user = services.accounts.find_user(&Username::parse(name).unwrap()).await.unwrap().unwrap();
    services.accounts.principal_of(&user).await.unwrap()
}

backend_tests! {
    async fn rollups_equal_a_recomputation_after_a_random_history(db) {
        let clock = Arc::new(ManualClock::new(fixed_now() - SignedDuration::from_hours(24 * 75)));
        let services = db.services(clock.clone());
        services.load_demo(&RequestMeta::cli()).await.unwrap();
        let communes = [("H99.301", "anphu"), ("H99.302", "binhminh")];
        let mut officials = Vec::new();
        for (_, prefix) in communes {
            let mut v = Vec::new();
            for role in ["motcua", "chuyenvien", "lanhdao", "vanthu"] {
                v.push(principal(&services, &format!("{prefix}.{role}")).await);
            }
            officials.push(v);
        }
        let meta = RequestMeta::cli();
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let mut dossiers: Vec<(usize, String)> = Vec::new();
        for step in 0..260 {
            clock.advance(SignedDuration::from_mins(rng.below(60 * 14) as i64));
            let snapshot = services.snapshot().await.unwrap();
            if dossiers.is_empty() || rng.below(3) == 0 {
                let c = rng.below(2) as usize;
                let procedure = *rng.pick(&["1.001193", "2.000908"]);
                let mut intake = Intake::at_desk(
                    ProcedureCode::parse(procedure).unwrap(),
                    AgencyCode::parse(communes[c].0).unwrap(),
                    &format!("Người nộp {step}"),
                );
                intake.accept = rng.below(8) != 0;
                if rng.below(4) == 0 {
                    intake.channel = Channel::Online;
                }
                if let Ok(v) = services.dossiers.intake(&officials[c][0], &snapshot, &intake, &meta).await {
                    let key = v.view.state.code.as_ref().map_or_else(|| v.view.state.id.to_string(), ToString::to_string);
                    dossiers.push((c, key));
                }
                continue;
            }
            // A burst of actions on one dossier, minutes apart: some finish early or on time,
            // others wait for weeks.
            let (c, key) = rng.pick(&dossiers).clone();
            for _ in 0..=rng.below(6) {
                clock.advance(SignedDuration::from_mins(rng.below(90) as i64));
                // What each official may do now; a kind drawn by KINDS' weights among those.
                let mut allowed = Vec::new();
                for (i, p) in officials[c].iter().enumerate() {
                    if let Ok(v) = services.dossiers.dossier(p, &key).await {
                        allowed.extend(v.actions.iter().map(|k| (i, *k)));
                    }
                }
                let Some((i, kind)) = (0..12).find_map(|_| {
                    let kind = *rng.pick(&KINDS);
                    allowed.iter().find(|(_, k)| *k == kind).copied()
                }) else {
                    break;
                };
                if matches!(kind, ActionKind::Stop | ActionKind::RequestWithdrawal | ActionKind::Refuse) && rng.below(3) != 0 {
                    continue;
                }
                let r = services.dossiers.act(&officials[c][i], &snapshot, &key, &action(kind, clock.now()), &meta).await;
                if r.is_ok() && kind == ActionKind::RequestCorrection {
                    // The leader decides the correction (four eyes).
                    let approve = action(ActionKind::ApproveCorrection, clock.now());
                    let _ = services.dossiers.act(&officials[c][2], &snapshot, &key, &approve, &meta).await;
                }
            }
        }
        assert!(dossiers.len() > 60, "a history worth checking: {}", dossiers.len());

        let mismatches = services.reports.verify_rollups().await.unwrap();
        assert!(mismatches.is_empty(), "{mismatches:#?}");

        // Every cell equals the count of its list, over periods that start, end or run now.
        let now_day = motcua_domain::time::vn_date(clock.now());
        let mut periods = vec![
            ReportPeriod::statutory_month_of(now_day),
            ReportPeriod::calendar_month_of(now_day),
            ReportPeriod::parse(&format!("{}", now_day.year()), Basis::Statutory).unwrap(),
            ReportPeriod::parse(&format!("{}-Q4", now_day.year()), Basis::Calendar).unwrap(),
        ];
        for _ in 0..4 {
            let first = now_day.checked_sub(jiff::Span::new().days(rng.below(90) as i64)).unwrap();
            let last = first.checked_add(jiff::Span::new().days(rng.below(40) as i64)).unwrap();
            periods.push(ReportPeriod::range(first, last).unwrap());
        }
        let mut seen = [0i64; 14];
        for period in periods {
            for (agency, variant) in [("H99", Variant::Resolving), ("H99.301", Variant::Centre)] {
                let report = services.reports.form06(Viewer::Operator, Some(agency), period, variant).await.unwrap();
                let t = report.table.total;
                assert_eq!(t.total, t.online + t.direct + t.carried_over);
                for (column, value) in (3u8..=13).zip(t.values()) {
                    let mut listed = 0;
                    let mut after = None;
                    loop {
                        let page = services
                            .reports
                            .form06_dossiers(Viewer::Operator, Some(agency), period, variant, column, None, after, 200)
                            .await
                            .unwrap();
                        listed += page.dossiers.len() as i64;
                        match page.next {
                            Some(n) => after = Some(n),
                            None => break,
                        }
                    }
                    // A dossier counted by two measures of one column (none do) would be listed once.
                    assert!(column_measures(column, variant).len() <= 3);
                    assert_eq!(value, listed, "{period} {agency} {variant:?} column {column}");
                    seen[usize::from(column)] += value;
                }
            }
        }
        // Every column counted something somewhere: the history reached every kind of fact.
        assert!(seen[3..].iter().all(|n| *n > 0), "{seen:?}");

        let summary = services.reports.rebuild().await.unwrap();
        assert_eq!(summary.rows_rewritten, 0, "the rows' facts were current");
        assert!(services.reports.verify_rollups().await.unwrap().is_empty());
    }
}
