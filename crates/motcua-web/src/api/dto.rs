//! The JSON shapes of the API. They are separate from domain types so the wire format is a
//! deliberate contract: instants are RFC 3339 in Vietnam time (`+07:00`), dates `yyyy-mm-dd`.

use motcua_app::accounts::UserDetail;
use motcua_app::agencies::AgencyNode;
use motcua_app::ports::{JobAttempt, JobRecord, UserRecord};
use motcua_domain::account::{Grant, Principal};
use motcua_domain::agency::{Agency, AgencyRevision};
use motcua_domain::audit::AuditEntry;
use motcua_domain::time::rfc3339_vn;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

fn date(d: Option<jiff::civil::Date>) -> Option<String> {
    d.map(|d| d.to_string())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AgencyDto {
    pub id: i64,
    pub parent_id: Option<i64>,
    /// Materialised path of ids from the root, e.g. `/1/5/12/`.
    pub path: String,
    /// State electronic identifier (mã định danh điện tử).
    pub code: String,
    pub name: String,
    pub short_name: Option<String>,
    /// `province`, `commune`, `historic_district`, `department` or `one_stop_desk`.
    pub level: String,
    pub level_label: String,
    pub valid_from: Option<String>,
    pub valid_to: Option<String>,
    pub active: bool,
    /// Send back when editing (optimistic concurrency).
    pub version: i64,
    pub updated_at: String,
    /// Units directly below (tree format only).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(no_recursion)]
    pub children: Option<Vec<AgencyDto>>,
}

impl From<&Agency> for AgencyDto {
    fn from(a: &Agency) -> Self {
        Self {
            id: a.id.0,
            parent_id: a.parent_id.map(|p| p.0),
            path: a.path.as_str().to_owned(),
            code: a.code.to_string(),
            name: a.name.clone(),
            short_name: a.short_name.clone(),
            level: a.level.as_str().to_owned(),
            level_label: a.level.label_vi().to_owned(),
            valid_from: date(a.valid_from),
            valid_to: date(a.valid_to),
            active: a.active,
            version: a.version,
            updated_at: rfc3339_vn(a.updated_at),
            children: None,
        }
    }
}

impl From<&AgencyNode> for AgencyDto {
    fn from(n: &AgencyNode) -> Self {
        Self { children: Some(n.children.iter().map(AgencyDto::from).collect()), ..AgencyDto::from(&n.agency) }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AgencyList {
    /// The agencies the caller may see: nested (`format=tree`, default) or flat and depth-first.
    pub items: Vec<AgencyDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AgencyRevisionDto {
    pub version: i64,
    pub code: String,
    pub name: String,
    pub short_name: Option<String>,
    pub level: String,
    pub parent_id: Option<i64>,
    pub valid_from: Option<String>,
    pub valid_to: Option<String>,
    pub active: bool,
    /// The date the change took effect in law.
    pub effective_date: String,
    pub reason: Option<String>,
    pub changed_by: Option<String>,
    pub recorded_at: String,
}

impl From<AgencyRevision> for AgencyRevisionDto {
    fn from(r: AgencyRevision) -> Self {
        Self {
            version: r.version,
            code: r.code.to_string(),
            name: r.name,
            short_name: r.short_name,
            level: r.level.as_str().to_owned(),
            parent_id: r.parent_id.map(|p| p.0),
            valid_from: date(r.valid_from),
            valid_to: date(r.valid_to),
            active: r.active,
            effective_date: r.effective_date.to_string(),
            reason: r.reason,
            changed_by: r.changed_by,
            recorded_at: rfc3339_vn(r.recorded_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AgencyHistory {
    pub items: Vec<AgencyRevisionDto>,
}

/// Body to create an agency, or (with `version`) to replace its fields.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgencyWrite {
    /// Required except for the root province.
    pub parent_id: Option<i64>,
    pub code: String,
    pub name: String,
    pub short_name: Option<String>,
    pub level: String,
    /// `yyyy-mm-dd` or `dd/mm/yyyy`.
    pub valid_from: Option<String>,
    pub valid_to: Option<String>,
    /// When the change takes effect in law; today (Vietnam time) when absent.
    pub effective_date: Option<String>,
    pub reason: Option<String>,
    /// Required when editing: the version being edited.
    pub version: Option<i64>,
}

impl AgencyWrite {
    pub fn input(self) -> (Option<i64>, motcua_app::agencies::AgencyInput) {
        (
            self.version,
            motcua_app::agencies::AgencyInput {
                parent_id: self.parent_id,
                code: self.code,
                name: self.name,
                short_name: self.short_name,
                level: self.level,
                valid_from: self.valid_from,
                valid_to: self.valid_to,
                effective_date: self.effective_date,
                reason: self.reason,
            },
        )
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeactivateBody {
    pub version: i64,
    /// Last day of existence; today when absent.
    pub valid_to: Option<String>,
    pub reason: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivateBody {
    pub version: i64,
    pub reason: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GrantDto {
    /// `admin`, `desk_officer`, `specialist`, `leader`, `clerk`, `control_officer`, `viewer`.
    pub role: String,
    pub role_label: String,
    pub agency_id: i64,
}

impl From<&Grant> for GrantDto {
    fn from(g: &Grant) -> Self {
        Self { role: g.role.as_str().to_owned(), role_label: g.role.label_vi().to_owned(), agency_id: g.agency_id.0 }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MeDto {
    pub id: i64,
    pub username: String,
    pub full_name: String,
    pub agency_id: i64,
    pub grants: Vec<GrantDto>,
}

impl From<&Principal> for MeDto {
    fn from(p: &Principal) -> Self {
        Self {
            id: p.user_id.0,
            username: p.username.to_string(),
            full_name: p.full_name.clone(),
            agency_id: p.agency_id.0,
            grants: p.grants.iter().map(GrantDto::from).collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserDto {
    pub id: i64,
    pub username: String,
    pub full_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub title: Option<String>,
    pub agency_id: i64,
    pub active: bool,
    pub must_change_password: bool,
    pub locked_until: Option<String>,
    pub last_login_at: Option<String>,
    pub version: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grants: Option<Vec<GrantDto>>,
}

impl From<&UserRecord> for UserDto {
    fn from(u: &UserRecord) -> Self {
        Self {
            id: u.id.0,
            username: u.username.to_string(),
            full_name: u.full_name.clone(),
            email: u.email.clone(),
            phone: u.phone.clone(),
            title: u.title.clone(),
            agency_id: u.agency_id.0,
            active: u.active,
            must_change_password: u.must_change_password,
            locked_until: u.locked_until.map(rfc3339_vn),
            last_login_at: u.last_login_at.map(rfc3339_vn),
            version: u.version,
            grants: None,
        }
    }
}

impl From<&UserDetail> for UserDto {
    fn from(d: &UserDetail) -> Self {
        Self { grants: Some(d.grants.iter().map(GrantDto::from).collect()), ..UserDto::from(&d.user) }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserList {
    pub items: Vec<UserDto>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GrantWrite {
    pub role: String,
    pub agency_id: i64,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserCreate {
    pub username: String,
    pub full_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub title: Option<String>,
    pub agency_id: i64,
    #[serde(default)]
    pub grants: Vec<GrantWrite>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserUpdate {
    pub version: i64,
    pub full_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub title: Option<String>,
    pub agency_id: i64,
    pub active: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GrantsWrite {
    pub grants: Vec<GrantWrite>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GrantList {
    pub items: Vec<GrantDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OneTimePassword {
    pub user: UserDto,
    /// Give this to the official; it must be changed at first login and is not shown again.
    pub one_time_password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntryDto {
    pub seq: i64,
    pub occurred_at: String,
    pub actor_user_id: Option<i64>,
    pub actor_username: Option<String>,
    pub actor_role: Option<String>,
    pub actor_unit_id: Option<i64>,
    pub action: String,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    pub request_id: Option<String>,
    /// `success`, `denied`, `rejected` or `failed`.
    pub outcome: String,
    pub detail: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

impl From<AuditEntry> for AuditEntryDto {
    fn from(e: AuditEntry) -> Self {
        let v = e.event;
        Self {
            seq: e.seq,
            occurred_at: rfc3339_vn(v.occurred_at),
            actor_user_id: v.actor_user_id,
            actor_username: v.actor_username,
            actor_role: v.actor_role,
            actor_unit_id: v.actor_unit_id,
            action: v.action,
            target_type: v.target_type,
            target_id: v.target_id,
            request_id: v.request_id,
            outcome: v.outcome.as_str().to_owned(),
            detail: v.detail,
            prev_hash: e.prev_hash,
            hash: e.hash,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditPage {
    pub items: Vec<AuditEntryDto>,
    /// Pass as `before` to get the next (older) page; absent on the last page.
    pub next_before: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct JobDto {
    pub id: i64,
    pub kind: String,
    /// `pending`, `running`, `done` or `dead`.
    pub status: String,
    pub attempts: u32,
    pub max_attempts: u32,
    pub run_at: String,
    pub last_error: Option<String>,
    pub created_at: String,
    pub finished_at: Option<String>,
}

impl From<&JobRecord> for JobDto {
    fn from(j: &JobRecord) -> Self {
        Self {
            id: j.id,
            kind: j.kind.clone(),
            status: j.status.as_str().to_owned(),
            attempts: j.attempts,
            max_attempts: j.max_attempts,
            run_at: rfc3339_vn(j.run_at),
            last_error: j.last_error.clone(),
            created_at: rfc3339_vn(j.created_at),
            finished_at: j.finished_at.map(rfc3339_vn),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct JobList {
    pub items: Vec<JobDto>,
    pub next_before: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct JobAttemptDto {
    pub attempt: u32,
    pub worker_id: String,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub outcome: Option<String>,
    pub error: Option<String>,
}

impl From<JobAttempt> for JobAttemptDto {
    fn from(a: JobAttempt) -> Self {
        Self {
            attempt: a.attempt,
            worker_id: a.worker_id,
            started_at: rfc3339_vn(a.started_at),
            finished_at: a.finished_at.map(rfc3339_vn),
            outcome: a.outcome,
            error: a.error,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct JobDetail {
    #[serde(flatten)]
    pub job: JobDto,
    pub payload: String,
    pub attempts_log: Vec<JobAttemptDto>,
}
