//! Reference data at one set of revisions: agencies and their office hours, the holiday
//! calendar and its working-day index, procedures with their versions, who handles them, the
//! workflows, and the catalogue's search index.
//!
//! Every use case reads some of these on every request (the agency tree for each
//! authorization, the procedure's version and workflow at intake, office hours for each due
//! instant), and they change rarely. The database keeps [`Revisions`] that only grow with each
//! committed change, whoever makes it (triggers for the reference tables; the catalogue and the
//! calendar their own). A [`Snapshot`] is what the database held at one set of revisions: a use
//! case takes one ([`Snapshots::at`] with the revisions its authentication read, or
//! [`Snapshots::latest`] with one read) and sees nothing older than that, across any number of
//! processes.
//!
//! A snapshot never changes. Its parts are read when first asked for and kept: the rows one at
//! a time (a province has thousands of agencies and procedures, a request needs a few), the
//! calendar and the search index whole, as they are derived structures. A new snapshot keeps
//! every part whose own revision did not move, so an agency edit does not rebuild the search
//! index, nor a published procedure the working-day index.

pub(crate) mod calendar;
pub(crate) mod catalog;

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use jiff::civil::Date;
use motcua_domain::agency::{Agency, AgencyCode, AgencyId};
use motcua_domain::calendar::office_hours::inherited_hours;
use motcua_domain::calendar::{Counting, WorkSchedule, WorkingCalendar};
use motcua_domain::catalog::{ProcedureCode, Standing, standing};
use motcua_domain::dossier::Workflow;
use motcua_domain::validation::{FieldError, ValidationErrors};
use tokio::sync::OnceCell;

pub use self::calendar::AgencyCalendar;
use self::calendar::CompiledCalendar;
use self::catalog::CatalogIndex;
use crate::error::AppError;
pub use crate::ports::Revisions;
use crate::ports::{AgencyProcedure, AgencySchedule, ProcedureRecord, Store, VersionRecord, WorkflowRecord};

/// A procedure with all its versions.
pub(crate) type Procedure = (ProcedureRecord, Arc<Vec<VersionRecord>>);

/// The reference data at one set of revisions.
pub struct Snapshot {
    revisions: Revisions,
    store: Arc<dyn Store>,
    rows: Arc<Rows>,
    calendar: Arc<OnceCell<Arc<CompiledCalendar>>>,
    catalog: Arc<CatalogSlot>,
}

/// The reference rows of one reference revision, filled as use cases ask for them. Entries are
/// never removed: the keys are bounded by the reference data itself.
#[derive(Default)]
struct Rows {
    agencies: Table<AgencyId, Option<Agency>>,
    codes: Table<String, Option<AgencyId>>,
    procedures: Table<String, Option<Procedure>>,
    handling: Table<i64, Arc<Vec<AgencyProcedure>>>,
    workflows: Table<String, Arc<Vec<WorkflowRecord>>>,
    schedules: Table<Vec<AgencyId>, Arc<Vec<AgencySchedule>>>,
}

/// The search index of one catalogue revision; the procedures in force change with the civil
/// day too, so it is rebuilt on the first search of a new day. Searches read it under a plain
/// read lock; one builder at a time holds `building`, so a new index is built once.
#[derive(Default)]
struct CatalogSlot {
    index: RwLock<Option<Arc<CatalogIndex>>>,
    building: tokio::sync::Mutex<()>,
}

impl CatalogSlot {
    fn of_day(&self, day: Date) -> Option<Arc<CatalogIndex>> {
        self.index.read().expect("snapshot lock").as_ref().filter(|i| i.day == day).cloned()
    }
}

struct Table<K, V>(Mutex<HashMap<K, V>>);

impl<K, V> Default for Table<K, V> {
    fn default() -> Self {
        Self(Mutex::new(HashMap::new()))
    }
}

impl<K: Eq + Hash, V: Clone> Table<K, V> {
    fn get(&self, key: &K) -> Option<V> {
        self.0.lock().expect("snapshot lock").get(key).cloned()
    }

    fn put(&self, key: K, value: V) -> V {
        self.0.lock().expect("snapshot lock").insert(key, value.clone());
        value
    }
}

impl Snapshot {
    pub fn revisions(&self) -> Revisions {
        self.revisions
    }

    pub async fn agency(&self, id: AgencyId) -> Result<Option<Agency>, AppError> {
        if let Some(a) = self.rows.agencies.get(&id) {
            return Ok(a);
        }
        let found = self.store.agency(id).await?;
        Ok(self.rows.agencies.put(id, found))
    }

    pub async fn agency_by_code(&self, code: &AgencyCode) -> Result<Option<Agency>, AppError> {
        if let Some(id) = self.rows.codes.get(&code.to_string()) {
            return match id {
                Some(id) => self.agency(id).await,
                None => Ok(None),
            };
        }
        let found = self.store.agency_by_code(code).await?;
        self.rows.codes.put(code.to_string(), found.as_ref().map(|a| a.id));
        if let Some(a) = &found {
            self.rows.agencies.put(a.id, Some(a.clone()));
        }
        Ok(found)
    }

    /// A procedure and all its versions, by code.
    pub(crate) async fn procedure(&self, code: &ProcedureCode) -> Result<Option<Procedure>, AppError> {
        if let Some(p) = self.rows.procedures.get(&code.to_string()) {
            return Ok(p);
        }
        let found = match self.store.procedure_by_code(code).await? {
            Some(p) => {
                let versions = self.store.procedure_versions(p.id).await?;
                Some((p, Arc::new(versions)))
            }
            None => None,
        };
        Ok(self.rows.procedures.put(code.to_string(), found))
    }

    /// The version of a procedure in force on `day`, or why there is none (`procedure_code`).
    pub(crate) async fn version_in_force(
        &self,
        code: &str,
        day: Date,
    ) -> Result<(i64, ProcedureCode, VersionRecord), AppError> {
        let code = ProcedureCode::parse(code).map_err(|e| {
            AppError::Validation(ValidationErrors::single(FieldError { field: "procedure_code".into(), ..e }))
        })?;
        self.procedure_in_force(&code, day).await
    }

    /// [`Snapshot::version_in_force`] of a parsed code.
    pub(crate) async fn procedure_in_force(
        &self,
        code: &ProcedureCode,
        day: Date,
    ) -> Result<(i64, ProcedureCode, VersionRecord), AppError> {
        let (procedure, versions) = self.procedure(code).await?.ok_or_else(|| {
            AppError::field("procedure_code", "not_found", format!("Không có thủ tục mã {code} trong danh mục."))
        })?;
        let facts: Vec<_> = versions.iter().map(|v| v.facts()).collect();
        let Standing::InForce { current, .. } = standing(&facts, day) else {
            return Err(AppError::field(
                "procedure_code",
                "not_in_force",
                format!("Thủ tục {code} hiện không còn hiệu lực (chưa công bố, đã bãi bỏ hoặc thay thế)."),
            ));
        };
        let version =
            versions.iter().find(|v| v.number == current).cloned().ok_or(AppError::NotFound("phiên bản thủ tục"))?;
        Ok((procedure.id, procedure.code, version))
    }

    /// The agencies that handle a procedure, and how.
    pub(crate) async fn handling(&self, procedure_id: i64) -> Result<Arc<Vec<AgencyProcedure>>, AppError> {
        if let Some(h) = self.rows.handling.get(&procedure_id) {
            return Ok(h);
        }
        let rows = self.store.procedure_agencies(procedure_id).await?;
        Ok(self.rows.handling.put(procedure_id, Arc::new(rows)))
    }

    /// The workflows defined for a procedure.
    pub(crate) async fn workflows(&self, procedure_code: &str) -> Result<Arc<Vec<WorkflowRecord>>, AppError> {
        if let Some(w) = self.rows.workflows.get(&procedure_code.to_owned()) {
            return Ok(w);
        }
        let rows = self.store.procedure_workflows(procedure_code).await?;
        Ok(self.rows.workflows.put(procedure_code.to_owned(), Arc::new(rows)))
    }

    /// The workflow a dossier of this procedure case, received by this agency, follows.
    pub(crate) async fn workflow_for(
        &self,
        procedure_code: &str,
        case_name: &str,
        receiving: AgencyId,
    ) -> Result<Workflow, AppError> {
        let defs = self.workflows(procedure_code).await?;
        let rank = |r: &WorkflowRecord| -> Option<u8> {
            let case_ok = r.case_name.as_deref().is_none_or(|c| c == case_name);
            let agency_ok = r.agency_id.is_none_or(|a| a == receiving);
            (case_ok && agency_ok).then(|| u8::from(r.case_name.is_some()) * 2 + u8::from(r.agency_id.is_some()))
        };
        Ok(defs
            .iter()
            .filter_map(|r| rank(r).map(|k| (k, r)))
            .max_by_key(|(k, _)| *k)
            .map_or_else(Workflow::generic, |(_, r)| r.workflow.clone()))
    }

    /// The office hours set on any of these agencies.
    async fn schedules(&self, agencies: Vec<AgencyId>) -> Result<Arc<Vec<AgencySchedule>>, AppError> {
        if let Some(s) = self.rows.schedules.get(&agencies) {
            return Ok(s);
        }
        let rows = self.store.agency_schedules(&agencies).await?;
        Ok(self.rows.schedules.put(agencies, Arc::new(rows)))
    }

    /// The holiday tables and the national working days.
    pub(crate) async fn compiled_calendar(&self) -> Result<Arc<CompiledCalendar>, AppError> {
        let built = self
            .calendar
            .get_or_try_init(|| async {
                CompiledCalendar::build(&*self.store, self.revisions.calendar).await.map(Arc::new)
            })
            .await?;
        Ok(built.clone())
    }

    /// The national working days with the installation's default office hours.
    pub async fn default_calendar(&self) -> Result<WorkingCalendar, AppError> {
        Ok(WorkingCalendar::new(self.compiled_calendar().await?.days.clone(), WorkSchedule::default()))
    }

    /// The calendar an agency works by: national working days, its own office hours or the
    /// nearest ancestor's, else the installation default.
    pub async fn agency_calendar(&self, agency: &Agency) -> Result<AgencyCalendar, AppError> {
        let compiled = self.compiled_calendar().await?;
        let ids = agency.path.ids();
        let schedules = self.schedules(ids.clone()).await?;
        let own = schedules.iter().find(|s| s.agency_id == agency.id).cloned();
        let nearest = inherited_hours(&ids, |id| schedules.iter().find(|s| s.agency_id == id));
        let (schedule, counting, from) = match nearest {
            Some((id, s)) => (s.schedule.clone(), s.counting, Some(id)),
            None => (WorkSchedule::default(), Counting::default(), None),
        };
        Ok(AgencyCalendar {
            calendar: WorkingCalendar::new(compiled.days.clone(), schedule),
            counting,
            schedule_from: from,
            own,
            calendar_revision: compiled.revision,
        })
    }

    /// The calendar an agency works by; the default office hours for one that no longer exists.
    pub(crate) async fn calendar_of(&self, agency: AgencyId) -> Result<WorkingCalendar, AppError> {
        match self.agency(agency).await? {
            Some(a) => Ok(self.agency_calendar(&a).await?.calendar),
            None => self.default_calendar().await,
        }
    }

    /// The calendars of several agencies (each step of an interagency dossier is timed on the
    /// office hours of the agency doing it).
    pub(crate) async fn calendars_of(
        &self,
        agencies: Vec<AgencyId>,
    ) -> Result<HashMap<AgencyId, WorkingCalendar>, AppError> {
        let mut out = HashMap::new();
        for id in agencies {
            if let std::collections::hash_map::Entry::Vacant(slot) = out.entry(id) {
                slot.insert(self.calendar_of(id).await?);
            }
        }
        Ok(out)
    }

    /// The search index of the procedures in force on `day`.
    pub(crate) async fn catalog_index(&self, day: Date) -> Result<Arc<CatalogIndex>, AppError> {
        if let Some(index) = self.catalog.of_day(day) {
            return Ok(index);
        }
        let _building = self.catalog.building.lock().await;
        // Another search may have built it while this one waited.
        if let Some(index) = self.catalog.of_day(day) {
            return Ok(index);
        }
        let index = Arc::new(CatalogIndex::build(&*self.store, day).await?);
        *self.catalog.index.write().expect("snapshot lock") = Some(index.clone());
        Ok(index)
    }
}

/// How long a public read may use a snapshot without asking the database whether another
/// process changed something. Changes made through this process are seen at once.
const RECHECK: Duration = Duration::from_millis(500);

/// The newest snapshot of this process.
#[derive(Default)]
pub(crate) struct Snapshots {
    current: RwLock<Option<Arc<Snapshot>>>,
    /// When the current snapshot's revisions were last read from the database.
    checked: Mutex<Option<Instant>>,
}

impl Snapshots {
    /// The snapshot at the revisions the database holds now (one read).
    pub(crate) async fn latest(&self, store: &Arc<dyn Store>) -> Result<Arc<Snapshot>, AppError> {
        let revisions = store.revisions().await?;
        let snapshot = self.at(store, revisions);
        *self.checked.lock().expect("snapshot lock") = Some(Instant::now());
        Ok(snapshot)
    }

    /// For public reads that many anonymous visitors repeat (catalogue search): the current
    /// snapshot if its revisions were read less than [`RECHECK`] ago, else [`Self::latest`].
    pub(crate) async fn recent(&self, store: &Arc<dyn Store>) -> Result<Arc<Snapshot>, AppError> {
        let fresh = self.checked.lock().expect("snapshot lock").is_some_and(|t| t.elapsed() < RECHECK);
        if fresh && let Some(s) = self.current.read().expect("snapshot lock").as_ref() {
            return Ok(s.clone());
        }
        self.latest(store).await
    }

    /// Makes the next [`Self::recent`] read the revisions again (after a change made here).
    pub(crate) fn changed(&self) {
        *self.checked.lock().expect("snapshot lock") = None;
    }

    /// The snapshot at `revisions` (read with a request's credentials): no round trip.
    pub(crate) fn at(&self, store: &Arc<dyn Store>, revisions: Revisions) -> Arc<Snapshot> {
        let previous = self.current.read().expect("snapshot lock").clone();
        if let Some(s) = &previous
            && s.revisions == revisions
        {
            return s.clone();
        }
        // Parts whose revision did not move carry over.
        let same = |part: fn(&Revisions) -> i64| previous.as_ref().filter(|p| part(&p.revisions) == part(&revisions));
        let fresh = Arc::new(Snapshot {
            revisions,
            store: store.clone(),
            rows: same(|r| r.reference).map_or_else(Arc::default, |p| p.rows.clone()),
            calendar: same(|r| r.calendar).map_or_else(Arc::default, |p| p.calendar.clone()),
            catalog: same(|r| r.catalog).map_or_else(Arc::default, |p| p.catalog.clone()),
        });
        let mut current = self.current.write().expect("snapshot lock");
        // Another request may have moved on to newer revisions meanwhile; keep the newest.
        match current.as_ref() {
            Some(c) if c.revisions.covers(&revisions) => c.clone(),
            _ => {
                *current = Some(fresh.clone());
                fresh
            }
        }
    }
}
