//! The store port's behaviour, checked identically on SQLite and PostgreSQL.

use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};
use motcua_app::StoreError;
use motcua_app::catalog::import::{ImportFormat, ImportProblem, ImportReport};
use motcua_app::clock::{Clock, ManualClock};
use motcua_app::context::{Actor, RequestMeta};
use motcua_app::ports::*;
use motcua_domain::account::{Role, Username};
use motcua_domain::agency::{AgencyCode, AgencyLevel, AgencyRevision};
use motcua_domain::audit::{ChainBreak, Outcome};
use motcua_domain::job::{AfterFailure, JobStatus};
use motcua_testkit::{TestDb, backend_tests, fixed_now};

fn new_agency(code: &str, parent: Option<&motcua_domain::agency::Agency>, level: AgencyLevel) -> NewAgency {
    NewAgency {
        parent: parent.map(|p| (p.id, p.path.clone())),
        code: AgencyCode::parse(code).unwrap(),
        name: format!("Cơ quan {code}"),
        short_name: None,
        level,
        valid_from: Some(jiff::civil::date(2025, 7, 1)),
        valid_to: None,
        active: true,
    }
}

async fn tree(db: &TestDb) -> Vec<motcua_domain::agency::Agency> {
    let now = fixed_now();
    let mut tx = db.db.begin().await.unwrap();
    let root = tx.insert_agency(&new_agency("H99", None, AgencyLevel::Province), now).await.unwrap();
    let a = tx.insert_agency(&new_agency("H99.301", Some(&root), AgencyLevel::Commune), now).await.unwrap();
    let a_desk = tx.insert_agency(&new_agency("H99.301.01", Some(&a), AgencyLevel::OneStopDesk), now).await.unwrap();
    let b = tx.insert_agency(&new_agency("H99.302", Some(&root), AgencyLevel::Commune), now).await.unwrap();
    tx.commit().await.unwrap();
    vec![root, a, a_desk, b]
}

fn event(action: &str, n: i64) -> motcua_domain::audit::AuditEvent {
    Actor::System { label: "test" }.did(action).on("thing", n.to_string()).event(&RequestMeta::default(), fixed_now())
}

fn job(kind: &str, dedup: Option<&str>) -> NewJob {
    NewJob {
        kind: kind.into(),
        payload: "{}".into(),
        priority: 0,
        run_at: fixed_now(),
        max_attempts: 2,
        dedup_key: dedup.map(str::to_owned),
    }
}

backend_tests! {
    async fn dossiers_are_read_back_by_id_and_code_and_their_events_never_change(db) {
        let services = db.services(Arc::new(ManualClock::new(fixed_now())));
        services.load_demo(&RequestMeta::cli()).await.unwrap();
        let desk = services.accounts.find_user(&Username::parse("anphu.motcua").unwrap()).await.unwrap().unwrap();
        let principal = services.accounts.principal_of(&desk).await.unwrap();
        let input = motcua_app::dossiers::Intake {
            client_txn: Some(motcua_domain::dossier::ClientTxnId::parse("conformance-1").unwrap()),
            accept: true,
            ..motcua_app::dossiers::Intake::at_desk(
                motcua_domain::catalog::ProcedureCode::parse("1.001193").unwrap(),
                AgencyCode::parse("H99.301").unwrap(),
                "Nguyễn Văn An",
            )
        };
        let snapshot = services.snapshot().await.unwrap();
        let view = services.dossiers.intake(&principal, &snapshot, &input, &RequestMeta::cli()).await.unwrap().view;
        let code = view.state.code.clone().unwrap();
        // One read by code gives the id and every event, in order, as by id.
        let (id, events) = db.db.dossier_history_by_code(&code).await.unwrap().unwrap();
        assert_eq!(id, view.state.id);
        assert_eq!(events.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![1, 2], "submitted, then accepted");
        assert_eq!(db.db.dossier_events(id).await.unwrap(), events);
        let other = motcua_domain::dossier::DossierCode::parse("H99.301-261123-9999").unwrap();
        assert!(db.db.dossier_history_by_code(&other).await.unwrap().is_none());
        assert_eq!(db.db.dossier_id_by_code(&code.to_string()).await.unwrap(), Some(id));
        // The row is the projection of the fold, column for column.
        let state = motcua_domain::dossier::DossierState::fold(id, &events).unwrap();
        let row = db.db.dossier_row(id).await.unwrap().unwrap();
        assert_eq!(format!("{row:?}"), format!("{:?}", DossierRow::of(&state)));
        let receiving = state.submission.receiving.id;
        assert!(db.db.dossier_agency_ids(id).await.unwrap().contains(&receiving));
        let used = db.db.client_txn_use("conformance-1").await.unwrap().unwrap();
        assert_eq!((used.dossier_id, used.actor_user_id, used.seq), (id, Some(desk.id), 1));
        assert!(db.db.client_txn_use("conformance-2").await.unwrap().is_none());
        // Lists are bounded by where the viewer may look.
        let mut paths = Vec::new();
        for code in ["H99.301", "H99.302"] {
            paths.push(snapshot.agency_by_code(&AgencyCode::parse(code).unwrap()).await.unwrap().unwrap().path);
        }
        let within = |path: &motcua_domain::agency::AgencyPath| DossierQuery {
            view_scopes: Reach { subtrees: vec![path.clone()], agencies: vec![] },
            limit: 50,
            ..Default::default()
        };
        assert_eq!(db.db.count_dossiers(&within(&paths[0])).await.unwrap(), 1);
        assert_eq!(db.db.dossiers(&within(&paths[0])).await.unwrap()[0].id, id);
        assert_eq!(db.db.count_dossiers(&within(&paths[1])).await.unwrap(), 0, "a sibling commune sees nothing");
        // Events are append-only in the database itself.
        assert!(db.db.execute_unchecked("UPDATE dossier_events SET reason = 'x'").await.is_err());
        assert!(db.db.execute_unchecked("DELETE FROM dossier_events").await.is_err());
    }

    async fn code_numbers_are_per_agency_and_day_and_a_rollback_gives_its_number_back(db) {
        let agencies = tree(&db).await;
        let (a, b) = (agencies[1].id, agencies[2].id);
        let day = jiff::civil::date(2026, 11, 23);
        let mut tx = db.db.begin().await.unwrap();
        assert_eq!(tx.next_dossier_number(a, day).await.unwrap(), 1);
        assert_eq!(tx.next_dossier_number(a, day).await.unwrap(), 2);
        assert_eq!(tx.next_dossier_number(b, day).await.unwrap(), 1, "each agency counts its own");
        assert_eq!(tx.next_dossier_number(a, day.tomorrow().unwrap()).await.unwrap(), 1, "and each day");
        tx.commit().await.unwrap();
        let mut tx = db.db.begin().await.unwrap();
        assert_eq!(tx.next_dossier_number(a, day).await.unwrap(), 3);
        drop(tx);
        let mut tx = db.db.begin().await.unwrap();
        assert_eq!(tx.next_dossier_number(a, day).await.unwrap(), 3, "the rolled-back number is taken again");
        tx.commit().await.unwrap();
    }

    async fn notifications_are_once_per_occasion_and_each_persons_own(db) {
        let now = fixed_now();
        let agencies = tree(&db).await;
        let mut ids = Vec::new();
        for name in ["nhanvien.mot", "nhanvien.hai"] {
            let user = NewUser {
                username: Username::parse(name).unwrap(),
                full_name: name.into(),
                agency_id: agencies[1].id,
                email: None,
                phone: None,
                title: None,
                password_hash: None,
                active: true,
                must_change_password: false,
            };
            let mut tx = db.db.begin().await.unwrap();
            ids.push(tx.insert_user(&user, now).await.unwrap());
            tx.commit().await.unwrap();
        }
        let note = |user, key: &str| NewNotification {
            user_id: user,
            kind: "step_due_soon".into(),
            dossier_id: None,
            subject: "Sắp đến hạn".into(),
            body: "Hồ sơ sắp đến hạn bước.".into(),
            link: "/ho-so/1".into(),
            dedup_key: key.into(),
            created_at: now,
        };
        let mut tx = db.db.begin().await.unwrap();
        let first = tx.insert_notification(&note(ids[0], "occasion-1")).await.unwrap().unwrap();
        assert_eq!(tx.insert_notification(&note(ids[0], "occasion-1")).await.unwrap(), None, "once per occasion");
        assert!(tx.insert_notification(&note(ids[1], "occasion-1")).await.unwrap().is_some(), "per person");
        tx.insert_notification(&note(ids[0], "occasion-2")).await.unwrap().unwrap();
        tx.commit().await.unwrap();
        let all = NotificationFilter { limit: 10, ..Default::default() };
        let mine = db.db.notifications(ids[0], &all).await.unwrap();
        assert_eq!(mine.len(), 2);
        assert!(mine.iter().all(|n| n.user_id == ids[0]));
        assert!(mine[0].id > mine[1].id, "newest first");
        assert_eq!(db.db.count_unread_notifications(ids[0]).await.unwrap(), 2);
        let mut tx = db.db.begin().await.unwrap();
        assert!(!tx.mark_notification_read(ids[1], first, now).await.unwrap(), "nobody reads another's");
        assert!(tx.mark_notification_read(ids[0], first, now).await.unwrap());
        assert!(!tx.mark_notification_read(ids[0], first, now).await.unwrap(), "already read");
        tx.mark_notification_mailed(first, "mot@example.vn", now).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(db.db.count_unread_notifications(ids[0]).await.unwrap(), 1);
        let unread = NotificationFilter { unread_only: true, limit: 10, ..Default::default() };
        assert_eq!(db.db.notifications(ids[0], &unread).await.unwrap().len(), 1);
        let read = db.db.notification(first).await.unwrap().unwrap();
        assert_eq!((read.read_at, read.mailed_to.as_deref(), read.mailed_at), (Some(now), Some("mot@example.vn"), Some(now)));
        let mut tx = db.db.begin().await.unwrap();
        assert_eq!(tx.mark_all_notifications_read(ids[0], now).await.unwrap(), 1);
        tx.commit().await.unwrap();
        assert_eq!(db.db.count_unread_notifications(ids[0]).await.unwrap(), 0);
        assert_eq!(db.db.count_unread_notifications(ids[1]).await.unwrap(), 1);
    }

    async fn workflows_are_replaced_at_their_version_and_found_by_procedure(db) {
        let now = fixed_now();
        let agencies = tree(&db).await;
        let record = |case: Option<&str>, agency: Option<motcua_domain::agency::AgencyId>| WorkflowRecord {
            id: 0,
            procedure_code: "1.001193".into(),
            case_name: case.map(str::to_owned),
            agency_id: agency,
            workflow: motcua_domain::dossier::Workflow::generic(),
            version: 0,
            updated_by: "admin".into(),
            updated_at: now,
        };
        let mut tx = db.db.begin().await.unwrap();
        let (general, v1) = tx.save_workflow(&record(None, None), None).await.unwrap().unwrap();
        assert_eq!(v1, 1);
        assert_eq!(tx.save_workflow(&record(None, None), None).await.unwrap(), None, "it exists already");
        let (specific, _) = tx.save_workflow(&record(Some("Trường hợp chung"), Some(agencies[1].id)), None).await.unwrap().unwrap();
        tx.commit().await.unwrap();
        assert_ne!(general, specific);
        let mut tx = db.db.begin().await.unwrap();
        assert_eq!(tx.save_workflow(&record(None, None), Some(7)).await.unwrap(), None, "a moved version is refused");
        assert_eq!(tx.save_workflow(&record(None, None), Some(1)).await.unwrap(), Some((general, 2)));
        tx.commit().await.unwrap();
        let found = db.db.procedure_workflows("1.001193").await.unwrap();
        assert_eq!(found.len(), 2);
        assert!(db.db.procedure_workflows("1.000001").await.unwrap().is_empty());
        let stored = db.db.workflow(general).await.unwrap().unwrap();
        assert_eq!((stored.version, stored.workflow.clone()), (2, motcua_domain::dossier::Workflow::generic()));
        assert_eq!(db.db.workflows().await.unwrap().len(), 2);
        let mut tx = db.db.begin().await.unwrap();
        assert!(!tx.delete_workflow(general, 1).await.unwrap(), "deleting needs the current version");
        assert!(tx.delete_workflow(general, 2).await.unwrap());
        tx.commit().await.unwrap();
        assert!(db.db.workflow(general).await.unwrap().is_none());
        assert_eq!(db.db.procedure_workflows("1.001193").await.unwrap().len(), 1);
    }

    async fn every_unique_rule_is_reported_by_its_key(db) {
        let now = fixed_now();
        let code = motcua_domain::catalog::ProcedureCode::parse("9.999001").unwrap();
        let mut tx = db.db.begin().await.unwrap();
        tx.insert_procedure(&code, now).await.unwrap();
        tx.commit().await.unwrap();
        // A second creation of the code (a race both requests' checks let through).
        let mut tx = db.db.begin().await.unwrap();
        match tx.insert_procedure(&code, now).await {
            Err(StoreError::Duplicate { key }) => assert_eq!(key, "procedures.code"),
            other => panic!("expected a duplicate, got {other:?}"),
        }
        drop(tx);
        let user = NewUser {
            username: Username::parse("trung.ten").unwrap(),
            full_name: "A".into(),
            email: None,
            phone: None,
            title: None,
            agency_id: tree(&db).await[0].id,
            password_hash: None,
            must_change_password: false,
            active: true,
        };
        let mut tx = db.db.begin().await.unwrap();
        tx.insert_user(&user, now).await.unwrap();
        tx.commit().await.unwrap();
        let mut tx2 = db.db.begin().await.unwrap();
        match tx2.insert_user(&user, now).await {
            Err(StoreError::Duplicate { key }) => assert_eq!(key, "users.username"),
            other => panic!("expected a duplicate, got {other:?}"),
        }
    }

    async fn catalog_imports_record_their_outcome_once(db) {
        let t = tree(&db).await;
        let now = fixed_now();
        let later = now + SignedDuration::from_mins(1);
        let mut tx = db.db.begin().await.unwrap();
        let uid = tx.insert_user(&NewUser {
            username: Username::parse("tinh.kstthc").unwrap(), full_name: "Cán bộ KSTTHC".into(), email: None,
            phone: None, title: None, agency_id: t[0].id, password_hash: None, must_change_password: false, active: true,
        }, now).await.unwrap();
        let file_id = tx.insert_stored_file(&StoredFile {
            id: 0, sha256: "ab".repeat(32), file_name: "Danh mục.xlsx".into(), content_type: "application/zip".into(),
            size: 10, created_by: Some("tinh.kstthc".into()), created_at: now,
        }).await.unwrap();
        let new = |name: &str, format| NewImport {
            file_id, file_name: name.into(), format, row_count: 3, user_id: uid, created_by: "tinh.kstthc".into(), created_at: now,
        };
        let first = tx.insert_catalog_import(&new("Danh mục.xlsx", ImportFormat::Xlsx)).await.unwrap();
        let second = tx.insert_catalog_import(&new("goi.json", ImportFormat::Json)).await.unwrap();
        tx.commit().await.unwrap();

        let r = db.db.catalog_import(first).await.unwrap().unwrap();
        assert_eq!((r.status, r.format, r.row_count, r.user_id), (ImportStatus::Queued, ImportFormat::Xlsx, 3, uid));
        assert!(r.report.is_none() && r.problems.is_empty() && r.started_at.is_none() && r.finished_at.is_none());
        assert_eq!(r.file_name, "Danh mục.xlsx");

        let report = ImportReport { total: 3, created: 1, amended: 1, unchanged: 1 };
        let problems = vec![ImportProblem { row: "Thủ tục thứ 2".into(), reason: "thiếu tên".into() }];
        let mut tx = db.db.begin().await.unwrap();
        assert!(tx.start_catalog_import(first, now).await.unwrap());
        // A worker that takes over an interrupted import starts it again; the first start stays.
        assert!(tx.start_catalog_import(first, later).await.unwrap());
        assert!(tx.finish_catalog_import(first, &Ok(report.clone()), later).await.unwrap());
        assert!(!tx.finish_catalog_import(first, &Err(problems.clone()), later).await.unwrap(), "finished once");
        assert!(!tx.start_catalog_import(first, later).await.unwrap());
        assert!(tx.finish_catalog_import(second, &Err(problems.clone()), later).await.unwrap());
        tx.commit().await.unwrap();

        let r = db.db.catalog_import(first).await.unwrap().unwrap();
        assert_eq!((r.status, r.report, r.started_at, r.finished_at), (ImportStatus::Succeeded, Some(report), Some(now), Some(later)));
        let r = db.db.catalog_import(second).await.unwrap().unwrap();
        assert_eq!((r.status, r.report, r.problems), (ImportStatus::Failed, None, problems));
        let recent: Vec<i64> = db.db.recent_catalog_imports(10).await.unwrap().iter().map(|r| r.id).collect();
        assert_eq!(recent, [second, first]);
        assert!(db.db.catalog_import(second + 100).await.unwrap().is_none());
    }

    async fn calendar_revisions_are_append_only_and_the_latest_per_year_wins(db) {
        use motcua_domain::calendar::{CalendarEntry, DayKind};
        let now = fixed_now();
        assert_eq!(db.db.calendar_revision().await.unwrap(), 0);
        let entry = |d: i8| CalendarEntry { date: jiff::civil::date(2027, 3, d), kind: DayKind::Off, name: "Nghỉ".into(), source: "TB".into() };
        let rev = |year: i16, entries: Option<Vec<CalendarEntry>>, reason: &str| CalendarRevision {
            revision: 0,
            year,
            entries,
            reason: reason.into(),
            changed_dates: vec![jiff::civil::date(2027, 3, 8)],
            changed_by: Some("admin".into()),
            recorded_at: now,
        };
        let mut tx = db.db.begin().await.unwrap();
        let r1 = tx.insert_calendar_revision(&rev(2027, Some(vec![entry(8)]), "một")).await.unwrap();
        let r2 = tx.insert_calendar_revision(&rev(2028, Some(vec![]), "hai")).await.unwrap();
        let r3 = tx.insert_calendar_revision(&rev(2027, None, "ba")).await.unwrap();
        tx.commit().await.unwrap();
        assert!(r1 < r2 && r2 < r3);
        assert_eq!(db.db.calendar_revision().await.unwrap(), r3);
        let current = db.db.current_calendar_revisions().await.unwrap();
        assert_eq!(current.iter().map(|r| (r.year, r.revision)).collect::<Vec<_>>(), [(2027, r3), (2028, r2)]);
        assert_eq!(current[0].entries, None);
        let history = db.db.calendar_history(2027).await.unwrap();
        assert_eq!(history.len(), 2);
        assert_eq!(history[0].entries, Some(vec![entry(8)]));
        assert_eq!(history[0].changed_dates, vec![jiff::civil::date(2027, 3, 8)]);
        assert_eq!(history[0].recorded_at, now);
        assert!(db.db.execute_unchecked("UPDATE calendar_revisions SET reason = 'x'").await.is_err(), "trigger must block UPDATE");
        assert!(db.db.execute_unchecked("DELETE FROM calendar_revisions").await.is_err(), "trigger must block DELETE");

        // A rolled-back revision leaves nothing behind.
        let mut tx = db.db.begin().await.unwrap();
        tx.insert_calendar_revision(&rev(2029, Some(vec![]), "bỏ")).await.unwrap();
        drop(tx);
        assert!(db.db.calendar_history(2029).await.unwrap().is_empty());
    }

    async fn agency_schedules_use_optimistic_versions(db) {
        use motcua_domain::calendar::{Counting, WorkSchedule};
        let agencies = tree(&db).await;
        let a = agencies[1].id;
        let now = fixed_now();
        let s = AgencySchedule { agency_id: a, schedule: WorkSchedule::default(), counting: Counting::CivilDays, version: 1, updated_at: now };
        let mut tx = db.db.begin().await.unwrap();
        assert!(tx.put_agency_schedule(&s, 0).await.unwrap());
        assert!(!tx.put_agency_schedule(&s, 0).await.unwrap(), "a second create loses");
        assert!(tx.put_agency_schedule(&s, 1).await.unwrap());
        assert!(!tx.put_agency_schedule(&s, 1).await.unwrap(), "a stale update loses");
        tx.commit().await.unwrap();
        let stored = db.db.agency_schedules(&[agencies[0].id, a, agencies[3].id]).await.unwrap();
        assert_eq!(stored.len(), 1);
        assert_eq!(stored[0].version, 2);
        assert_eq!(stored[0].counting, Counting::CivilDays);
        assert_eq!(stored[0].schedule, WorkSchedule::default());
        assert!(db.db.agency_schedules(&[]).await.unwrap().is_empty());
        let mut tx = db.db.begin().await.unwrap();
        assert!(!tx.delete_agency_schedule(a, 1).await.unwrap());
        assert!(tx.delete_agency_schedule(a, 2).await.unwrap());
        tx.commit().await.unwrap();
        assert!(db.db.agency_schedules(&[a]).await.unwrap().is_empty());
    }

    async fn migrations_are_complete_and_rerunnable(db) {
        assert!(db.db.pending_migrations().await.unwrap().is_empty());
        db.db.migrate().await.unwrap();
        db.db.ping().await.unwrap();
    }

    async fn agencies_form_a_tree_and_scopes_are_exact(db) {
        let t = tree(&db).await;
        let (root, a, a_desk, b) = (&t[0], &t[1], &t[2], &t[3]);
        assert_eq!(a_desk.path, root.path.child(a.id).child(a_desk.id));
        let all = db.db.agencies_within(std::slice::from_ref(&root.path), true).await.unwrap();
        assert_eq!(all.len(), 4);
        // Depth-first: every node after its parent.
        for (i, ag) in all.iter().enumerate() {
            if let Some(pid) = ag.parent_id {
                assert!(all[..i].iter().any(|x| x.id == pid));
            }
        }
        let only_a = db.db.agencies_within(std::slice::from_ref(&a.path), true).await.unwrap();
        assert_eq!(only_a.iter().map(|x| x.id).collect::<Vec<_>>(), vec![a.id, a_desk.id]);
        let a_and_b = db.db.agencies_within(&[a.path.clone(), b.path.clone()], true).await.unwrap();
        assert_eq!(a_and_b.len(), 3);
        assert!(db.db.agencies_within(&[], true).await.unwrap().is_empty());
        assert_eq!(db.db.agency_by_code(&a.code).await.unwrap().unwrap(), *a);
        assert_eq!(db.db.count_agencies().await.unwrap(), 4);
    }

    async fn sibling_ids_sharing_a_prefix_stay_apart(db) {
        // Create enough agencies that some id is a decimal prefix of another (1 and 10..19).
        let now = fixed_now();
        let mut tx = db.db.begin().await.unwrap();
        let root = tx.insert_agency(&new_agency("H98", None, AgencyLevel::Province), now).await.unwrap();
        let mut made = vec![];
        for i in 0..15 {
            made.push(tx.insert_agency(&new_agency(&format!("H98.{i}"), Some(&root), AgencyLevel::Commune), now).await.unwrap());
        }
        tx.commit().await.unwrap();
        for ag in &made {
            let inside = db.db.agencies_within(std::slice::from_ref(&ag.path), true).await.unwrap();
            assert_eq!(inside.len(), 1, "scope {} leaked into a sibling", ag.path.as_str());
        }
    }

    async fn duplicate_codes_are_reported_by_key(db) {
        let t = tree(&db).await;
        let mut tx = db.db.begin().await.unwrap();
        let err = tx.insert_agency(&new_agency("H99.301", Some(&t[0]), AgencyLevel::Commune), fixed_now()).await.unwrap_err();
        assert!(matches!(&err, StoreError::Duplicate { key } if key == "agencies.code"), "{err:?}");
    }

    async fn rolled_back_transactions_leave_nothing(db) {
        let t = tree(&db).await;
        {
            let mut tx = db.db.begin().await.unwrap();
            tx.insert_agency(&new_agency("H99.303", Some(&t[0]), AgencyLevel::Commune), fixed_now()).await.unwrap();
            tx.append_audit(&event("agency.create", 1)).await.unwrap();
            tx.enqueue_job(&job("diagnostics.ping", None), fixed_now()).await.unwrap();
            // dropped without commit
        }
        assert_eq!(db.db.count_agencies().await.unwrap(), 4);
        assert!(db.db.audit_head().await.unwrap().is_none());
        assert!(db.db.jobs(&JobFilter { limit: 10, ..Default::default() }).await.unwrap().is_empty());
    }

    async fn updates_are_optimistic_and_moves_rewrite_paths(db) {
        let t = tree(&db).await;
        let (a, a_desk, b) = (&t[1], &t[2], &t[3]);
        let mut renamed = a.clone();
        renamed.name = "Ủy ban nhân dân xã An Phú".into();
        renamed.version = 2;
        let mut tx = db.db.begin().await.unwrap();
        assert!(tx.update_agency(&renamed, 1).await.unwrap());
        assert!(!tx.update_agency(&renamed, 1).await.unwrap(), "a stale version must not write");
        // Move the desk from commune a to commune b.
        let to = b.path.child(a_desk.id);
        tx.move_agency_subtree(&a_desk.path, &to, fixed_now()).await.unwrap();
        let mut moved = a_desk.clone();
        moved.parent_id = Some(b.id);
        moved.path = to.clone();
        moved.version = 2;
        assert!(tx.update_agency(&moved, 1).await.unwrap());
        tx.commit().await.unwrap();
        let got = db.db.agency(a_desk.id).await.unwrap().unwrap();
        assert_eq!(got.path, to);
        assert_eq!(got.parent_id, Some(b.id));
        assert_eq!(db.db.agencies_within(std::slice::from_ref(&b.path), true).await.unwrap().len(), 2);
        assert_eq!(db.db.agency(a.id).await.unwrap().unwrap().name, "Ủy ban nhân dân xã An Phú");
    }

    async fn revisions_keep_history(db) {
        let t = tree(&db).await;
        let a = &t[1];
        let mut tx = db.db.begin().await.unwrap();
        for (v, name, day) in [(1, "Xã A", (2020, 1, 1)), (2, "Xã B", (2025, 7, 1))] {
            tx.insert_agency_revision(&AgencyRevision {
                agency_id: a.id,
                version: v,
                code: a.code.clone(),
                name: name.into(),
                short_name: None,
                level: a.level,
                parent_id: a.parent_id,
                valid_from: a.valid_from,
                valid_to: None,
                active: true,
                effective_date: jiff::civil::date(day.0, day.1, day.2),
                reason: Some("Nghị quyết sắp xếp".into()),
                changed_by: Some("admin".into()),
                recorded_at: fixed_now(),
            })
            .await
            .unwrap();
        }
        tx.commit().await.unwrap();
        let revs = db.db.agency_revisions(a.id).await.unwrap();
        assert_eq!(revs.len(), 2);
        let on = motcua_domain::agency::revision_on(&revs, jiff::civil::date(2024, 12, 31)).unwrap();
        assert_eq!(on.name, "Xã A");
        assert_eq!(on.reason.as_deref(), Some("Nghị quyết sắp xếp"));
    }

    async fn accounts_grants_sessions_and_tokens_round_trip(db) {
        let t = tree(&db).await;
        let now = fixed_now();
        let mut tx = db.db.begin().await.unwrap();
        let uid = tx.insert_user(&NewUser {
            username: Username::parse("anphu.motcua").unwrap(),
            full_name: "Đặng Thị Một Cửa".into(),
            email: Some("a@b.vn".into()),
            phone: None,
            title: None,
            agency_id: t[2].id,
            password_hash: Some("$argon2id$x".into()),
            must_change_password: true,
            active: true,
        }, now).await.unwrap();
        tx.replace_grants(uid, &[(Role::DeskOfficer, t[1].id), (Role::Viewer, t[0].id)], "admin", now).await.unwrap();
        tx.insert_session(&SessionRecord {
            id_hash: "h1".into(), user_id: uid, csrf_token: "c".into(), created_at: now, last_seen_at: now,
            expires_at: now + SignedDuration::from_hours(1), client_ip: Some("127.0.0.1".into()), user_agent: None,
        }).await.unwrap();
        let tid = tx.insert_api_token(uid, "tích hợp", "th", "mct_abc", None, now).await.unwrap();
        tx.commit().await.unwrap();

        let u = db.db.user_by_username(&Username::parse("ANPHU.MOTCUA").unwrap()).await.unwrap().unwrap();
        assert_eq!(u.id, uid);
        assert_eq!(u.full_name, "Đặng Thị Một Cửa");
        assert!(u.must_change_password && u.active);
        let grants = db.db.grants_of(uid).await.unwrap();
        assert_eq!(grants.len(), 2);
        assert!(grants.iter().any(|g| g.role == Role::DeskOfficer && g.agency_path == t[1].path));
        assert_eq!(db.db.session("h1").await.unwrap().unwrap().client_ip.as_deref(), Some("127.0.0.1"));
        assert_eq!(db.db.api_token_by_hash("th").await.unwrap().unwrap().id, tid);
        let in_a = db.db.users_within(&UserFilter { scopes: vec![t[1].path.clone()], limit: 10, ..Default::default() }).await.unwrap();
        assert_eq!(in_a.len(), 1);
        let in_b = db.db.users_within(&UserFilter { scopes: vec![t[3].path.clone()], limit: 10, ..Default::default() }).await.unwrap();
        assert!(in_b.is_empty());
        let found = db.db.users_within(&UserFilter { scopes: vec![t[0].path.clone()], query: Some("một cửa".into()), limit: 10, ..Default::default() }).await.unwrap();
        assert_eq!(found.len(), 1, "name search");

        let mut tx = db.db.begin().await.unwrap();
        let dup = tx.insert_user(&NewUser {
            username: Username::parse("anphu.motcua").unwrap(), full_name: "X".into(), email: None, phone: None, title: None,
            agency_id: t[0].id, password_hash: None, must_change_password: false, active: true,
        }, now).await.unwrap_err();
        assert!(matches!(&dup, StoreError::Duplicate { key } if key == "users.username"), "{dup:?}");
        drop(tx);

        let mut tx = db.db.begin().await.unwrap();
        tx.record_login_failure(uid, 5, Some(now + SignedDuration::from_mins(1)), now).await.unwrap();
        assert!(tx.revoke_api_token(tid, now).await.unwrap());
        assert!(!tx.revoke_api_token(tid, now).await.unwrap());
        assert_eq!(tx.delete_sessions_of(uid).await.unwrap(), 1);
        tx.commit().await.unwrap();
        let u = db.db.user(uid).await.unwrap().unwrap();
        assert_eq!(u.failed_logins, 5);
        assert!(u.locked_until.is_some());
        assert!(db.db.session("h1").await.unwrap().is_none());
        assert!(db.db.api_tokens_of(uid).await.unwrap()[0].revoked_at.is_some());
    }

    async fn concurrent_audit_appends_form_one_unbroken_chain(db) {
        let services = db.services(Arc::new(ManualClock::new(fixed_now())));
        let mut tasks = Vec::new();
        for n in 0..40 {
            let s = services.clone();
            tasks.push(tokio::spawn(async move { s.audit.record(event("test.concurrent", n), &RequestMeta::default()).await.unwrap() }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        let report = services.audit.verify_audit(None).await.unwrap().unwrap();
        assert_eq!(report.entries, 40);
        assert_eq!(report.head.as_ref().unwrap().seq, 40);
        assert_eq!(db.db.audit_head().await.unwrap(), report.head);
        // Pages of the log read back newest first.
        let page = db.db.audit_search(&AuditFilter { limit: 5, ..Default::default() }).await.unwrap();
        assert_eq!(page.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![40, 39, 38, 37, 36]);
        let older = db.db.audit_search(&AuditFilter { limit: 5, before_seq: Some(3), ..Default::default() }).await.unwrap();
        assert_eq!(older.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![2, 1]);
        services.audit.record(event("agency.create", 99), &RequestMeta::default()).await.unwrap();
        let by_action = db.db.audit_search(&AuditFilter { limit: 50, action_prefix: Some("agency.".into()), ..Default::default() }).await.unwrap();
        assert_eq!(by_action.len(), 1);
        assert_eq!(by_action[0].event.target_id.as_deref(), Some("99"));
        let by_outcome = db.db.audit_search(&AuditFilter { limit: 50, outcome: Some(Outcome::Denied), ..Default::default() }).await.unwrap();
        assert!(by_outcome.is_empty());
    }

    async fn the_database_refuses_to_change_audit_rows_and_tampering_is_detected(db) {
        let services = db.services(Arc::new(ManualClock::new(fixed_now())));
        for n in 0..3 {
            services.audit.record(event("test.tamper", n), &RequestMeta::default()).await.unwrap();
        }
        assert!(db.db.execute_unchecked("UPDATE audit_log SET outcome = 'denied' WHERE seq = 2").await.is_err(), "trigger must block UPDATE");
        assert!(db.db.execute_unchecked("DELETE FROM audit_log WHERE seq = 2").await.is_err(), "trigger must block DELETE");
        // Someone with full database access removes the protection and edits a row.
        db.db.execute_unchecked("DROP TRIGGER audit_log_no_update").await.or(db.db.execute_unchecked("DROP TRIGGER audit_log_no_update ON audit_log").await).unwrap();
        db.db.execute_unchecked("UPDATE audit_log SET actor_username = 'someone-else' WHERE seq = 2").await.unwrap();
        let broken = services.audit.verify_audit(None).await.unwrap().unwrap_err();
        assert_eq!(broken, ChainBreak::Altered { seq: 2 });
    }

    async fn jobs_dedup_claim_complete_fail_and_die(db) {
        let clock = Arc::new(ManualClock::new(fixed_now()));
        let now = clock.now();
        let mut tx = db.db.begin().await.unwrap();
        let a = tx.enqueue_job(&job("k", Some("once")), now).await.unwrap();
        assert!(a.is_some());
        assert_eq!(tx.enqueue_job(&job("k", Some("once")), now).await.unwrap(), None, "dedup key");
        let b = tx.enqueue_job(&job("k", None), now).await.unwrap().unwrap();
        tx.enqueue_job(&job("other", None), now).await.unwrap();
        tx.commit().await.unwrap();

        let lease = now + SignedDuration::from_mins(5);
        let claimed = db.db.claim_jobs("w1", &["k"], now, lease, 10).await.unwrap();
        assert_eq!(claimed.len(), 2, "only kinds the worker knows");
        assert!(db.db.claim_jobs("w2", &["k"], now, lease, 10).await.unwrap().is_empty(), "claimed jobs are not handed out twice");
        let (ja, jb) = (&claimed[0], &claimed[1]);
        assert_eq!(jb.id, b);
        assert!(db.db.complete_job(ja, "w1", now).await.unwrap());
        assert!(!db.db.complete_job(ja, "w2", now).await.unwrap(), "another worker cannot complete it");
        let retry_at = now + SignedDuration::from_secs(10);
        assert!(db.db.fail_job(jb, "w1", "smtp down", AfterFailure::RetryAt(retry_at), now).await.unwrap());
        assert!(db.db.claim_jobs("w1", &["k"], now, lease, 10).await.unwrap().is_empty(), "not before run_at");
        let again = db.db.claim_jobs("w2", &["k"], retry_at, lease + SignedDuration::from_secs(10), 10).await.unwrap();
        assert_eq!(again.len(), 1);
        assert_eq!(again[0].attempt, 2);
        assert!(db.db.fail_job(&again[0], "w2", "still down", AfterFailure::GiveUp, retry_at).await.unwrap());
        let dead = db.db.job(b).await.unwrap().unwrap();
        assert_eq!(dead.status, JobStatus::Dead);
        assert_eq!(dead.last_error.as_deref(), Some("still down"));
        let attempts = db.db.job_attempts(b).await.unwrap();
        assert_eq!(attempts.iter().map(|a| (a.worker_id.as_str(), a.outcome.as_deref())).collect::<Vec<_>>(), vec![("w1", Some("error")), ("w2", Some("error"))]);

        let mut tx = db.db.begin().await.unwrap();
        assert!(tx.retry_dead_job(b, retry_at).await.unwrap());
        assert!(!tx.retry_dead_job(ja.id, retry_at).await.unwrap(), "only dead jobs are retried");
        tx.commit().await.unwrap();
        let revived = db.db.job(b).await.unwrap().unwrap();
        assert_eq!(revived.status, JobStatus::Pending);
        assert_eq!(revived.max_attempts, revived.attempts + 1);
        let counts = db.db.job_counts().await.unwrap();
        assert!(counts.contains(&(JobStatus::Done, 1)) && counts.contains(&(JobStatus::Pending, 2)));
    }

    async fn an_expired_lease_is_taken_over_and_the_lost_attempt_recorded(db) {
        let now = fixed_now();
        let mut tx = db.db.begin().await.unwrap();
        let id = tx.enqueue_job(&job("k", None), now).await.unwrap().unwrap();
        tx.commit().await.unwrap();
        let lease = now + SignedDuration::from_mins(1);
        assert_eq!(db.db.claim_jobs("dies", &["k"], now, lease, 1).await.unwrap().len(), 1);
        let later = lease + SignedDuration::from_secs(1);
        let taken = db.db.claim_jobs("survivor", &["k"], later, later + SignedDuration::from_mins(1), 1).await.unwrap();
        assert_eq!(taken.len(), 1);
        assert!(db.db.complete_job(&taken[0], "survivor", later).await.unwrap());
        let attempts = db.db.job_attempts(id).await.unwrap();
        assert_eq!(attempts[0].outcome.as_deref(), Some("lost"));
        assert_eq!(attempts[1].outcome.as_deref(), Some("ok"));
    }

    async fn many_concurrent_writers_all_succeed(db) {
        // On SQLite this is the single-writer path: no SQLITE_BUSY however many requests write.
        let db2 = db.db.clone();
        let mut tasks = Vec::new();
        for i in 0..60 {
            let d = db2.clone();
            tasks.push(tokio::spawn(async move {
                let mut tx = d.begin().await?;
                tx.set_meta(&format!("k{}", i % 7), &i.to_string()).await?;
                tx.enqueue_job(&job("k", None), Timestamp::UNIX_EPOCH).await?;
                tx.commit().await
            }));
        }
        for t in tasks {
            t.await.unwrap().unwrap();
        }
        assert_eq!(db.db.jobs(&JobFilter { limit: 500, ..Default::default() }).await.unwrap().len(), 60);
    }

    async fn concurrent_transactions_commit_or_roll_back_alone(db) {
        // On SQLite these share group-committed batches: a transaction dropped without commit,
        // or one whose statement fails, must take nothing of the others with it, and what a
        // commit acknowledged is there for every reader afterwards.
        let mut tasks = Vec::new();
        for i in 0..200 {
            let d = db.db.clone();
            tasks.push(tokio::spawn(async move {
                let mut tx = d.begin().await.unwrap();
                tx.set_meta(&format!("g{i}"), "kept").await.unwrap();
                match i % 4 {
                    // Dropped without commit.
                    1 => false,
                    // A statement fails (an agency code twice); the caller gives up.
                    2 => {
                        let agency = new_agency(&format!("G{i:02}"), None, AgencyLevel::Province);
                        tx.insert_agency(&agency, fixed_now()).await.unwrap();
                        assert!(tx.insert_agency(&agency, fixed_now()).await.is_err());
                        false
                    }
                    _ => {
                        tx.commit().await.unwrap();
                        let seen = d.meta(&format!("g{i}")).await.unwrap();
                        assert_eq!(seen.as_deref(), Some("kept"), "an acknowledged commit is visible");
                        true
                    }
                }
            }));
        }
        let mut kept = Vec::new();
        for (i, t) in tasks.into_iter().enumerate() {
            if t.await.unwrap() {
                kept.push(i);
            }
        }
        for i in 0..200 {
            let v = db.db.meta(&format!("g{i}")).await.unwrap();
            assert_eq!(v.is_some(), kept.contains(&i), "transaction {i}");
        }
        // The writer is free again afterwards.
        let mut tx = db.db.begin().await.unwrap();
        tx.set_meta("after", "yes").await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(db.db.meta("after").await.unwrap().as_deref(), Some("yes"));
    }

    async fn workers_and_housekeeping(db) {
        let now = fixed_now();
        db.db.register_worker(&WorkerRecord { id: "w".into(), hostname: "h".into(), pid: 1, started_at: now, heartbeat_at: now, stopped_at: None }).await.unwrap();
        db.db.heartbeat_worker("w", now + SignedDuration::from_secs(15)).await.unwrap();
        db.db.stop_worker("w", now + SignedDuration::from_secs(30)).await.unwrap();
        let ws = db.db.workers().await.unwrap();
        assert_eq!(ws[0].stopped_at, Some(now + SignedDuration::from_secs(30)));
        assert_eq!(db.db.purge_stopped_workers(now + SignedDuration::from_hours(1)).await.unwrap(), 1);
        let mut tx = db.db.begin().await.unwrap();
        tx.set_meta("dataset", "demo").await.unwrap();
        tx.set_meta("dataset", "demo2").await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(db.db.meta("dataset").await.unwrap().as_deref(), Some("demo2"));
        assert_eq!(db.db.meta("missing").await.unwrap(), None);
    }
}

/// Every unique rule of the PostgreSQL schema (unique constraints, primary keys, unique
/// indexes) is reported under the same `table.column` key as SQLite reports it, so that the
/// one mapping of violations to field errors covers them all.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_postgres_unique_rule_has_the_sqlite_name() {
    let db = TestDb::new(motcua_testkit::Backend::Postgres).await;
    let url = db.url.clone();
    let pool = sqlx::PgPool::connect(&url).await.unwrap();
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT i.relname::text, t.relname::text, \
                string_agg(t.relname || '.' || a.attname, ', ' ORDER BY k.ord) \
         FROM pg_index x \
         JOIN pg_class i ON i.oid = x.indexrelid \
         JOIN pg_class t ON t.oid = x.indrelid \
         JOIN pg_namespace n ON n.oid = t.relnamespace AND n.nspname = current_schema() \
         CROSS JOIN LATERAL unnest(x.indkey) WITH ORDINALITY AS k(attnum, ord) \
         JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum \
         WHERE x.indisunique AND t.relname <> '_sqlx_migrations' \
         GROUP BY i.relname, t.relname ORDER BY 1",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert!(rows.len() > 20, "{rows:?}");
    let wrong: Vec<String> = rows
        .iter()
        .filter(|(index, _, key)| motcua_store::dialect::unique_key("", Some(index)) != *key)
        .map(|(index, _, key)| format!("(\"{index}\", \"{key}\"),"))
        .collect();
    assert!(wrong.is_empty(), "add to PG_UNIQUE_KEYS:\n{}", wrong.join("\n"));
}
