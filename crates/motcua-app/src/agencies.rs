//! Managing the agency tree.

use motcua_domain::validation::NonBlank;
use std::sync::Arc;

use jiff::civil::Date;
use motcua_domain::account::Principal;
use motcua_domain::agency::{Agency, AgencyCode, AgencyId, AgencyLevel, AgencyPath, AgencyRevision, check_validity};
use motcua_domain::policy::{Permission, Target, authorize, scopes};
use motcua_domain::time::{parse_date, vn_date};
use motcua_domain::validation::{ValidationErrors, optional_text, required_text};

use crate::context::{Actor, RequestMeta};
use crate::core::Core;
use crate::error::{AppError, StoreError};
use crate::ports::{NewAgency, StoreTx};

/// The administrative tree: agencies, their history and who may change them.
#[derive(Clone)]
pub struct Agencies {
    core: Arc<Core>,
}

impl Agencies {
    pub(crate) fn new(core: Arc<Core>) -> Self {
        Self { core }
    }
}

/// Agency fields as a form or JSON body sends them; validated into domain values.
#[derive(Debug, Clone, Default)]
pub struct AgencyInput {
    pub parent_id: Option<i64>,
    pub code: String,
    pub name: String,
    pub short_name: Option<String>,
    pub level: String,
    /// `yyyy-mm-dd` or `dd/mm/yyyy`.
    pub valid_from: Option<String>,
    pub valid_to: Option<String>,
    /// Date the change takes effect in law; today (Vietnam time) when empty.
    pub effective_date: Option<String>,
    /// Why (decision number, merger…), kept in the history.
    pub reason: Option<String>,
}

struct ValidAgency {
    parent_id: Option<AgencyId>,
    code: AgencyCode,
    name: String,
    short_name: Option<String>,
    level: AgencyLevel,
    valid_from: Option<Date>,
    valid_to: Option<Date>,
    effective_date: Option<Date>,
    reason: Option<String>,
}

fn validate(input: &AgencyInput) -> Result<ValidAgency, ValidationErrors> {
    let mut errs = ValidationErrors::new();
    let code = errs.check(AgencyCode::parse(&input.code));
    let name = errs.check(required_text("name", &input.name, 255));
    let short_name = errs.check(optional_text("short_name", input.short_name.as_deref(), 100));
    let level = errs.check(AgencyLevel::parse("level", &input.level));
    let date = |field: &str, v: &Option<String>| match v.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) => parse_date(field, s).map(Some),
    };
    let valid_from = errs.check(date("valid_from", &input.valid_from));
    let valid_to = errs.check(date("valid_to", &input.valid_to));
    let effective_date = errs.check(date("effective_date", &input.effective_date));
    let reason = errs.check(optional_text("reason", input.reason.as_deref(), 500));
    if let (Some(from), Some(to)) = (valid_from, valid_to) {
        errs.check(check_validity(from, to));
    }
    errs.into_result()?;
    Ok(ValidAgency {
        parent_id: input.parent_id.map(AgencyId),
        code: code.expect("validated"),
        name: name.expect("validated"),
        short_name: short_name.expect("validated"),
        level: level.expect("validated"),
        valid_from: valid_from.expect("validated"),
        valid_to: valid_to.expect("validated"),
        effective_date: effective_date.expect("validated"),
        reason: reason.expect("validated"),
    })
}

fn duplicate_to_conflict(e: StoreError) -> AppError {
    match e {
        StoreError::Duplicate { key } => crate::error::duplicate_conflict(&key),
        other => AppError::Store(other),
    }
}

/// An agency with the agencies directly below it, for tree views.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AgencyNode {
    #[serde(flatten)]
    pub agency: Agency,
    pub children: Vec<AgencyNode>,
}

/// Builds forests from a path-ordered (depth-first) list: nodes whose parent is not in the
/// list become roots. Siblings are ordered by code, which follows the state's numbering.
pub fn build_tree(agencies: Vec<Agency>) -> Vec<AgencyNode> {
    type Iter = std::iter::Peekable<std::vec::IntoIter<Agency>>;
    fn below(iter: &mut Iter, parent: Option<&AgencyPath>) -> Vec<AgencyNode> {
        let mut out = Vec::new();
        while let Some(next) = iter.peek() {
            if parent.is_some_and(|p| !p.contains(&next.path)) {
                break;
            }
            let agency = iter.next().expect("peeked");
            let children = below(iter, Some(&agency.path));
            out.push(AgencyNode { agency, children });
        }
        out.sort_by(|a, b| a.agency.code.cmp(&b.agency.code));
        out
    }
    below(&mut agencies.into_iter().peekable(), None)
}

/// Flattens a tree depth-first with each node's depth below its root, for indented lists.
pub fn flatten_tree(nodes: &[AgencyNode]) -> Vec<(usize, &Agency)> {
    fn walk<'a>(nodes: &'a [AgencyNode], depth: usize, out: &mut Vec<(usize, &'a Agency)>) {
        for n in nodes {
            out.push((depth, &n.agency));
            walk(&n.children, depth + 1, out);
        }
    }
    let mut out = Vec::new();
    walk(nodes, 0, &mut out);
    out
}

/// Ending or restoring an agency's existence.
#[derive(Debug, Clone, Default)]
pub struct ActivationInput {
    pub version: i64,
    pub active: bool,
    /// Last day of existence when deactivating; today when empty.
    pub valid_to: Option<String>,
    pub reason: Option<String>,
}

impl Agencies {
    /// The grant that lets the principal change an agency's own record. An agency's existence,
    /// name and code are decided one level up (a commune by the province), so this takes
    /// management rights over its parent; the root needs a province-wide grant.
    async fn grant_to_change<'p>(
        &self,
        principal: &'p Principal,
        agency: &Agency,
    ) -> Result<&'p motcua_domain::account::Grant, AppError> {
        match agency.parent_id {
            Some(pid) => {
                let parent = self.core.store.agency(pid).await?.ok_or(AppError::NotFound("cơ quan cấp trên"))?;
                Ok(authorize(principal, Permission::ManageAgencies, Target::Agency(&parent.path))?)
            }
            None => Ok(authorize(principal, Permission::ManageAgencies, Target::System)?),
        }
    }

    /// Whether the principal may edit or end this agency (for showing the buttons).
    pub async fn may_change_agency(&self, principal: &Principal, agency: &Agency) -> bool {
        self.grant_to_change(principal, agency).await.is_ok()
    }

    /// Agencies the principal may see, depth-first.
    pub async fn list_agencies(&self, principal: &Principal, include_inactive: bool) -> Result<Vec<Agency>, AppError> {
        let scopes = scopes(principal, Permission::ViewAgencies);
        if scopes.is_empty() {
            return Ok(vec![]);
        }
        Ok(self.core.store.agencies_within(&scopes, include_inactive).await?)
    }

    /// Active agencies in which the principal holds `permission`, depth-first; with
    /// `unit_parents`, also those under the parent of a unit grant (a desk of a commune's
    /// one-stop unit receives for the commune).
    pub async fn agencies_for(
        &self,
        principal: &Principal,
        permission: Permission,
        unit_parents: bool,
    ) -> Result<Vec<Agency>, AppError> {
        let mut reach = scopes(principal, permission);
        if unit_parents {
            reach.extend(motcua_domain::policy::unit_parents(principal, permission));
        }
        if reach.is_empty() {
            return Ok(vec![]);
        }
        Ok(self.core.store.agencies_within(&reach, false).await?)
    }

    /// Agencies in which the principal may create or edit agencies (for parent pickers).
    pub async fn manageable_agencies(&self, principal: &Principal) -> Result<Vec<Agency>, AppError> {
        let scopes = scopes(principal, Permission::ManageAgencies);
        if scopes.is_empty() {
            return Ok(vec![]);
        }
        Ok(self.core.store.agencies_within(&scopes, false).await?)
    }

    pub async fn get_agency(&self, principal: &Principal, id: AgencyId) -> Result<Agency, AppError> {
        let agency = self.core.store.agency(id).await?.ok_or(AppError::NotFound("cơ quan"))?;
        // Out of scope looks like absent: a user must not learn which ids exist elsewhere.
        authorize(principal, Permission::ViewAgencies, Target::Agency(&agency.path))
            .map_err(|_| AppError::NotFound("cơ quan"))?;
        Ok(agency)
    }

    pub async fn agency_history(&self, principal: &Principal, id: AgencyId) -> Result<Vec<AgencyRevision>, AppError> {
        let agency = self.get_agency(principal, id).await?;
        Ok(self.core.store.agency_revisions(agency.id).await?)
    }

    pub async fn create_agency(
        &self,
        principal: &Principal,
        input: &AgencyInput,
        meta: &RequestMeta,
    ) -> Result<Agency, AppError> {
        // Who manages no agency at all, or not the parent named, learns that before anything
        // about the input.
        if scopes(principal, Permission::ManageAgencies).is_empty() {
            return Err(AppError::Forbidden(motcua_domain::policy::Denied::MissingPermission));
        }
        let Some(parent_id) = input.parent_id.map(AgencyId) else {
            return Err(AppError::field(
                "parent_id",
                "required",
                "Chọn cơ quan cấp trên. Cơ quan gốc (UBND tỉnh) chỉ được tạo khi khởi tạo hệ thống.",
            ));
        };
        let parent = self
            .core
            .store
            .agency(parent_id)
            .await?
            .ok_or_else(|| AppError::field("parent_id", "not_found", "Không tìm thấy cơ quan cấp trên."))?;
        let grant = authorize(principal, Permission::ManageAgencies, Target::Agency(&parent.path))?;
        let v = validate(input)?;
        if !parent.active {
            return Err(AppError::field("parent_id", "inactive", "Cơ quan cấp trên đã ngừng hoạt động."));
        }
        if !parent.level.may_contain(v.level) {
            return Err(AppError::field(
                "level",
                "not_allowed_here",
                format!("{} không thể trực thuộc {}.", v.level.label_vi(), parent.level.label_vi().to_lowercase()),
            ));
        }
        let now = self.core.now();
        let mut tx = self.core.store.begin().await?;
        let new = NewAgency {
            parent: Some((parent.id, parent.path.clone())),
            code: v.code,
            name: v.name,
            short_name: v.short_name,
            level: v.level,
            valid_from: v.valid_from,
            valid_to: v.valid_to,
            active: true,
        };
        let agency = tx.insert_agency(&new, now).await.map_err(duplicate_to_conflict)?;
        let effective = v.effective_date.or(v.valid_from).unwrap_or_else(|| vn_date(now));
        record_revision(&mut *tx, &agency, effective, v.reason.clone(), Some(principal.username.as_str()), now).await?;
        let event = Actor::Official { principal, grant: Some(grant) }
            .did("agency.create")
            .on("agency", agency.id.to_string())
            .detail(format!("{} {}", agency.code, agency.name))
            .event(meta, now);
        self.core.commit_audited(tx, event, meta).await?;
        Ok(agency)
    }

    /// Edits an agency. `version` is the version the editor started from; a concurrent edit
    /// makes this fail with a conflict instead of silently overwriting it.
    pub async fn update_agency(
        &self,
        principal: &Principal,
        id: AgencyId,
        version: i64,
        input: &AgencyInput,
        meta: &RequestMeta,
    ) -> Result<Agency, AppError> {
        let current = self.get_agency(principal, id).await?;
        let grant = self.grant_to_change(principal, &current).await?;
        let v = validate(input)?;
        if current.version != version {
            return Err(AppError::stale("Cơ quan"));
        }
        // Re-parenting: the new parent must be manageable too, must accept this level, and must
        // not lie inside the moved subtree.
        let new_parent =
            match (v.parent_id, current.parent_id) {
                (None, None) => None,
                (None, Some(_)) => {
                    return Err(AppError::field("parent_id", "required", "Chọn cơ quan cấp trên."));
                }
                (Some(_), None) => {
                    return Err(AppError::field(
                        "parent_id",
                        "root_fixed",
                        "Cơ quan gốc không thể chuyển vào cơ quan khác.",
                    ));
                }
                (Some(pid), Some(_)) => {
                    let p =
                        self.core.store.agency(pid).await?.ok_or_else(|| {
                            AppError::field("parent_id", "not_found", "Không tìm thấy cơ quan cấp trên.")
                        })?;
                    authorize(principal, Permission::ManageAgencies, Target::Agency(&p.path))?;
                    if current.path.contains(&p.path) {
                        return Err(AppError::field(
                            "parent_id",
                            "cycle",
                            "Không thể chuyển cơ quan vào chính nó hoặc đơn vị cấp dưới của nó.",
                        ));
                    }
                    Some(p)
                }
            };
        if let Some(p) = &new_parent
            && !p.level.may_contain(v.level)
        {
            return Err(AppError::field(
                "level",
                "not_allowed_here",
                format!("{} không thể trực thuộc {}.", v.level.label_vi(), p.level.label_vi().to_lowercase()),
            ));
        }
        if current.parent_id.is_none() && v.level != AgencyLevel::Province {
            return Err(AppError::field("level", "root_is_province", "Cơ quan gốc phải là cấp tỉnh."));
        }
        if v.level != current.level {
            let children: Vec<Agency> = self
                .core
                .store
                .agencies_within(std::slice::from_ref(&current.path), true)
                .await?
                .into_iter()
                .filter(|a| a.parent_id == Some(current.id))
                .collect();
            if let Some(child) = children.iter().find(|c| !v.level.may_contain(c.level)) {
                return Err(AppError::field(
                    "level",
                    "children_not_allowed",
                    format!("Đơn vị trực thuộc \"{}\" không phù hợp với cấp mới.", child.name),
                ));
            }
        }
        let now = self.core.now();
        let mut updated = current.clone();
        updated.code = v.code;
        updated.name = v.name;
        updated.short_name = v.short_name;
        updated.level = v.level;
        updated.valid_from = v.valid_from;
        updated.valid_to = v.valid_to;
        updated.version = current.version + 1;
        updated.updated_at = now;
        let moved_to =
            new_parent.as_ref().filter(|p| Some(p.id) != current.parent_id).map(|p| p.path.child(current.id));
        if let Some(p) = &new_parent {
            updated.parent_id = Some(p.id);
        }

        let mut tx = self.core.store.begin().await?;
        if let Some(to) = &moved_to {
            tx.move_agency_subtree(&current.path, to, now).await?;
            updated.path = to.clone();
        }
        if !tx.update_agency(&updated, current.version).await.map_err(duplicate_to_conflict)? {
            return Err(AppError::stale("Cơ quan"));
        }
        let effective = v.effective_date.unwrap_or_else(|| vn_date(now));
        record_revision(&mut *tx, &updated, effective, v.reason.clone(), Some(principal.username.as_str()), now)
            .await?;
        let mut changes = Vec::new();
        if current.name != updated.name {
            changes.push(format!("tên: {} → {}", current.name, updated.name));
        }
        if current.code != updated.code {
            changes.push(format!("mã: {} → {}", current.code, updated.code));
        }
        if moved_to.is_some() {
            changes.push("chuyển cơ quan cấp trên".to_owned());
        }
        let event = Actor::Official { principal, grant: Some(grant) }
            .did("agency.update")
            .on("agency", id.to_string())
            .detail(if changes.is_empty() { "cập nhật thông tin".to_owned() } else { changes.join("; ") })
            .event(meta, now);
        self.core.commit_audited(tx, event, meta).await?;
        Ok(updated)
    }

    /// Ends an agency's existence on `valid_to` (inclusive) or brings it back. Its history,
    /// users and (later) dossiers stay; it just stops appearing in pickers and active lists.
    pub async fn set_agency_active(
        &self,
        principal: &Principal,
        id: AgencyId,
        input: &ActivationInput,
        meta: &RequestMeta,
    ) -> Result<Agency, AppError> {
        let (version, active) = (input.version, input.active);
        let current = self.get_agency(principal, id).await?;
        let grant = self.grant_to_change(principal, &current).await?;
        if current.version != version {
            return Err(AppError::stale("Cơ quan"));
        }
        let reason = optional_text("reason", input.reason.as_deref(), 500).map_err(ValidationErrors::single)?;
        let now = self.core.now();
        let today = vn_date(now);
        let mut updated = current.clone();
        if active {
            if current.active {
                return Err(AppError::Conflict {
                    code: "already_active",
                    message: "Cơ quan đang hoạt động.".into(),
                    field: None,
                });
            }
            if let Some(pid) = current.parent_id {
                let parent = self.core.store.agency(pid).await?.ok_or(AppError::NotFound("cơ quan cấp trên"))?;
                if !parent.active {
                    return Err(AppError::Conflict {
                        code: "parent_inactive",
                        message: "Cơ quan cấp trên đã ngừng hoạt động; hãy khôi phục cơ quan cấp trên trước.".into(),
                        field: None,
                    });
                }
            }
            updated.active = true;
            updated.valid_to = None;
        } else {
            if !current.active {
                return Err(AppError::Conflict {
                    code: "already_inactive",
                    message: "Cơ quan đã ngừng hoạt động.".into(),
                    field: None,
                });
            }
            if current.parent_id.is_none() {
                return Err(AppError::Conflict {
                    code: "root_required",
                    message: "Không thể ngừng hoạt động cơ quan gốc.".into(),
                    field: None,
                });
            }
            let end = match input.valid_to.as_deref().non_blank() {
                Some(s) => parse_date("valid_to", s).map_err(ValidationErrors::single)?,
                None => today,
            };
            check_validity(current.valid_from, Some(end)).map_err(ValidationErrors::single)?;
            let active_children: Vec<String> = self
                .core
                .store
                .agencies_within(std::slice::from_ref(&current.path), false)
                .await?
                .into_iter()
                .filter(|a| a.id != current.id)
                .map(|a| a.name)
                .collect();
            if !active_children.is_empty() {
                return Err(AppError::Conflict {
                    code: "has_active_children",
                    message: format!(
                        "Còn {} đơn vị trực thuộc đang hoạt động ({}); hãy ngừng hoạt động hoặc chuyển chúng trước.",
                        active_children.len(),
                        active_children.join(", ")
                    ),
                    field: None,
                });
            }
            updated.active = false;
            updated.valid_to = Some(end);
        }
        updated.version += 1;
        updated.updated_at = now;
        let mut tx = self.core.store.begin().await?;
        if !tx.update_agency(&updated, current.version).await? {
            return Err(AppError::stale("Cơ quan"));
        }
        let effective = if active { today } else { updated.valid_to.unwrap_or(today) };
        record_revision(&mut *tx, &updated, effective, reason.clone(), Some(principal.username.as_str()), now).await?;
        let event = Actor::Official { principal, grant: Some(grant) }
            .did(if active { "agency.activate" } else { "agency.deactivate" })
            .on("agency", id.to_string())
            .detail_opt(reason)
            .event(meta, now);
        self.core.commit_audited(tx, event, meta).await?;
        Ok(updated)
    }
}

pub(crate) async fn record_revision(
    tx: &mut dyn StoreTx,
    agency: &Agency,
    effective_date: Date,
    reason: Option<String>,
    changed_by: Option<&str>,
    now: jiff::Timestamp,
) -> Result<(), StoreError> {
    tx.insert_agency_revision(&AgencyRevision {
        agency_id: agency.id,
        version: agency.version,
        code: agency.code.clone(),
        name: agency.name.clone(),
        short_name: agency.short_name.clone(),
        level: agency.level,
        parent_id: agency.parent_id,
        valid_from: agency.valid_from,
        valid_to: agency.valid_to,
        active: agency.active,
        effective_date,
        reason,
        changed_by: changed_by.map(str::to_owned),
        recorded_at: now,
    })
    .await
}

/// Paths of the agencies a principal's grants point at, for showing "your units".
pub fn grant_paths(principal: &Principal) -> Vec<AgencyPath> {
    principal.grants.iter().map(|g| g.agency_path.clone()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::Timestamp;
    use motcua_domain::agency::AgencyCode;

    fn agency(id: i64, path: &str) -> Agency {
        Agency {
            id: AgencyId(id),
            parent_id: None,
            path: AgencyPath::parse(path).unwrap(),
            code: AgencyCode::parse(&format!("H99.{id}")).unwrap(),
            name: format!("A{id}"),
            short_name: None,
            level: AgencyLevel::Commune,
            valid_from: None,
            valid_to: None,
            active: true,
            version: 1,
            created_at: Timestamp::UNIX_EPOCH,
            updated_at: Timestamp::UNIX_EPOCH,
        }
    }

    #[test]
    fn tree_from_path_ordered_list() {
        let list =
            vec![agency(1, "/1/"), agency(2, "/1/2/"), agency(3, "/1/2/3/"), agency(4, "/1/4/"), agency(9, "/7/9/")];
        let tree = build_tree(list);
        assert_eq!(tree.len(), 2);
        assert_eq!(tree[0].agency.id, AgencyId(1));
        assert_eq!(tree[0].children.len(), 2);
        assert_eq!(tree[0].children[0].children[0].agency.id, AgencyId(3));
        // A scope below the root shows up as its own root.
        assert_eq!(tree[1].agency.id, AgencyId(9));
    }

    #[test]
    fn validation_reports_every_field() {
        let input = AgencyInput {
            code: "h56 x".into(),
            name: " ".into(),
            level: "district".into(),
            valid_from: Some("2025-07-01".into()),
            valid_to: Some("2025-06-30".into()),
            ..Default::default()
        };
        let errs = validate(&input).err().unwrap();
        let fields: Vec<&str> = errs.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["code", "name", "level", "valid_to"]);
    }

    #[test]
    fn validation_accepts_vietnamese_dates() {
        let input = AgencyInput {
            code: "h99.301".into(),
            name: "Xã An Phú".into(),
            level: "commune".into(),
            valid_from: Some("01/07/2025".into()),
            ..Default::default()
        };
        let v = validate(&input).ok().unwrap();
        assert_eq!(v.code.as_str(), "H99.301");
        assert_eq!(v.valid_from, Some(jiff::civil::date(2025, 7, 1)));
    }
}
