//! Reference data as one process keeps it between requests: agencies, their office hours,
//! procedure versions, which agencies handle a procedure, and workflows.
//!
//! Every dossier action reads the same few rows of these tables (the agency tree for each
//! authorization, the procedure's version and workflow at intake, office hours for each due
//! instant), and each read is a round trip to the database. The database keeps one revision
//! number that its triggers bump with every change of those tables (migration 0008), whoever
//! makes it. A use case reads that number once ([`Services::reference`]); the rows it then
//! needs come from memory when they were read at the same revision, and from the database
//! (and are kept) otherwise. So nothing is served older than the revision the use case saw,
//! across any number of processes, and a use case costs one round trip for all of them.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex, RwLock};

use motcua_domain::agency::{Agency, AgencyCode, AgencyId};

use crate::calendar::Compiled;
use crate::context::RequestMeta;
use crate::error::AppError;
use crate::ports::{AgencyProcedure, AgencySchedule, ProcedureRecord, VersionRecord, WorkflowRecord};
use crate::services::Services;

/// The newest reference snapshot of this process.
#[derive(Default)]
pub struct ReferenceCache {
    current: RwLock<Option<Arc<Reference>>>,
}

/// Reference rows read at one revision, filled as use cases ask for them.
pub(crate) struct Reference {
    revision: i64,
    agencies: Table<AgencyId, Option<Agency>>,
    codes: Table<String, Option<AgencyId>>,
    procedures: Table<String, Option<Procedure>>,
    handling: Table<i64, Arc<Vec<AgencyProcedure>>>,
    workflows: Table<String, Arc<Vec<WorkflowRecord>>>,
    schedules: Table<Vec<AgencyId>, Arc<Vec<AgencySchedule>>>,
    calendar: Table<(), Arc<Compiled>>,
}

/// A procedure with all its versions.
pub(crate) type Procedure = (ProcedureRecord, Arc<Vec<VersionRecord>>);

/// A map filled on first use. Entries are never removed: a snapshot lives until the revision
/// moves, and the keys are bounded by the reference data itself.
struct Table<K, V>(Mutex<HashMap<K, V>>);

impl<K, V> Default for Table<K, V> {
    fn default() -> Self {
        Self(Mutex::new(HashMap::new()))
    }
}

impl<K: Eq + Hash, V: Clone> Table<K, V> {
    fn get(&self, key: &K) -> Option<V> {
        self.0.lock().expect("reference cache lock").get(key).cloned()
    }

    fn put(&self, key: K, value: V) -> V {
        self.0.lock().expect("reference cache lock").insert(key, value.clone());
        value
    }
}

impl Reference {
    fn new(revision: i64) -> Self {
        Self {
            revision,
            agencies: Table::default(),
            codes: Table::default(),
            procedures: Table::default(),
            handling: Table::default(),
            workflows: Table::default(),
            schedules: Table::default(),
            calendar: Table::default(),
        }
    }
}

impl Services {
    /// The reference data at the database's current revision (one round trip).
    pub(crate) async fn reference(&self) -> Result<Arc<Reference>, AppError> {
        let revision = self.store.reference_revision().await?;
        Ok(self.reference_at(revision))
    }

    /// The reference data at the revision the request's authentication read with the
    /// credentials (no round trip), or at the current one when it read none.
    pub(crate) async fn reference_for(&self, meta: &RequestMeta) -> Result<Arc<Reference>, AppError> {
        match meta.reference_revision_seen() {
            Some(revision) => Ok(self.reference_at(revision)),
            None => self.reference().await,
        }
    }

    fn reference_at(&self, revision: i64) -> Arc<Reference> {
        if let Some(r) = self.reference.current.read().expect("reference cache lock").as_ref()
            && r.revision == revision
        {
            return r.clone();
        }
        let fresh = Arc::new(Reference::new(revision));
        let mut current = self.reference.current.write().expect("reference cache lock");
        // Another request may have moved on to a newer revision meanwhile; keep the newest.
        match current.as_ref() {
            Some(r) if r.revision >= revision => r.clone(),
            _ => {
                *current = Some(fresh.clone());
                fresh
            }
        }
    }

    pub(crate) async fn ref_agency(&self, r: &Reference, id: AgencyId) -> Result<Option<Agency>, AppError> {
        if let Some(a) = r.agencies.get(&id) {
            return Ok(a);
        }
        let found = self.store.agency(id).await?;
        Ok(r.agencies.put(id, found))
    }

    pub(crate) async fn ref_agency_by_code(
        &self,
        r: &Reference,
        code: &AgencyCode,
    ) -> Result<Option<Agency>, AppError> {
        if let Some(id) = r.codes.get(&code.to_string()) {
            return match id {
                Some(id) => self.ref_agency(r, id).await,
                None => Ok(None),
            };
        }
        let found = self.store.agency_by_code(code).await?;
        r.codes.put(code.to_string(), found.as_ref().map(|a| a.id));
        if let Some(a) = &found {
            r.agencies.put(a.id, Some(a.clone()));
        }
        Ok(found)
    }

    /// A procedure and all its versions, by code.
    pub(crate) async fn ref_procedure(
        &self,
        r: &Reference,
        code: &motcua_domain::catalog::ProcedureCode,
    ) -> Result<Option<Procedure>, AppError> {
        if let Some(p) = r.procedures.get(&code.to_string()) {
            return Ok(p);
        }
        let found = match self.store.procedure_by_code(code).await? {
            Some(p) => {
                let versions = self.store.procedure_versions(p.id).await?;
                Some((p, Arc::new(versions)))
            }
            None => None,
        };
        Ok(r.procedures.put(code.to_string(), found))
    }

    /// The agencies that handle a procedure, and how.
    pub(crate) async fn ref_handling(
        &self,
        r: &Reference,
        procedure_id: i64,
    ) -> Result<Arc<Vec<AgencyProcedure>>, AppError> {
        if let Some(h) = r.handling.get(&procedure_id) {
            return Ok(h);
        }
        let rows = self.store.procedure_agencies(procedure_id).await?;
        Ok(r.handling.put(procedure_id, Arc::new(rows)))
    }

    /// The workflows defined for a procedure.
    pub(crate) async fn ref_workflows(
        &self,
        r: &Reference,
        procedure_code: &str,
    ) -> Result<Arc<Vec<WorkflowRecord>>, AppError> {
        if let Some(w) = r.workflows.get(&procedure_code.to_owned()) {
            return Ok(w);
        }
        let rows = self.store.procedure_workflows(procedure_code).await?;
        Ok(r.workflows.put(procedure_code.to_owned(), Arc::new(rows)))
    }

    /// The office hours set on any of these agencies.
    pub(crate) async fn ref_schedules(
        &self,
        r: &Reference,
        agencies: Vec<AgencyId>,
    ) -> Result<Arc<Vec<AgencySchedule>>, AppError> {
        if let Some(s) = r.schedules.get(&agencies) {
            return Ok(s);
        }
        let rows = self.store.agency_schedules(&agencies).await?;
        Ok(r.schedules.put(agencies, Arc::new(rows)))
    }

    /// The national working days (the holiday calendar is reference data too).
    pub(crate) async fn ref_compiled(&self, r: &Reference) -> Result<Arc<Compiled>, AppError> {
        if let Some(c) = r.calendar.get(&()) {
            return Ok(c);
        }
        let compiled = self.compiled().await?;
        Ok(r.calendar.put((), compiled))
    }
}
