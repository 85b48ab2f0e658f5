//! The authorization policy: the one function that decides every access.
//!
//! Access is the pair (what, where). *What* is a [`Permission`] derived from the roles a user
//! holds; *where* is the agency subtree of the grant that carries that role. A grant never
//! reaches above or beside its agency: a desk officer of one commune holds nothing over the next
//! commune, and a provincial grant covers every commune below the province.
//!
//! Handlers call [`authorize`] for a single target and [`scopes`] to turn a list query into a
//! subtree predicate, so lists and single reads can never disagree.

use serde::Serialize;

use crate::account::{Grant, Principal, Role};
use crate::agency::AgencyPath;

/// Things a user may do. New features add permissions here and map them to roles below.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// See agencies of the subtree.
    ViewAgencies,
    /// Create, edit and deactivate agencies of the subtree.
    ManageAgencies,
    /// See officials' accounts of the subtree.
    ViewUsers,
    /// Create and edit accounts and grants of the subtree.
    ManageUsers,
    /// Read the audit log of actions done by or on the subtree.
    ViewAudit,
    /// Operate the installation: background jobs, workers (system-wide targets only).
    OperateSystem,
    /// Edit the holiday tables of the legal calendar (system-wide targets only: holidays are
    /// the same for every agency of the installation).
    ManageCalendar,
    /// Edit, publish, amend, replace and abolish procedures of the catalogue (system-wide
    /// targets only: the province publishes one catalogue).
    ManageCatalog,
    /// See dossiers received, resolved or handled in the subtree.
    ViewDossiers,
    /// Receive dossiers, request supplements, refuse, return results (the one-stop desk).
    ReceiveDossiers,
    /// Appraise and process dossiers (specialists; leaders too).
    ProcessDossiers,
    /// Approve or reject, stop processing, sign apologies and extensions (the head).
    DecideDossiers,
    /// Number, seal and issue results (clerks; leaders too).
    IssueResults,
    /// See petitions (phản ánh, kiến nghị) held by the subtree.
    ViewPetitions,
    /// Record petitions received by letter, phone, e-mail or at the desk; refuse, ask for
    /// information, classify and assign, forward, publish answers.
    HandlePetitions,
    /// Draft answers to petitions.
    AnswerPetitions,
    /// Approve answers, or send drafts back.
    ApprovePetitions,
}

impl Permission {
    pub fn as_str(self) -> &'static str {
        use Permission::*;
        match self {
            ViewAgencies => "view_agencies",
            ManageAgencies => "manage_agencies",
            ViewUsers => "view_users",
            ManageUsers => "manage_users",
            ViewAudit => "view_audit",
            OperateSystem => "operate_system",
            ManageCalendar => "manage_calendar",
            ManageCatalog => "manage_catalog",
            ViewDossiers => "view_dossiers",
            ReceiveDossiers => "receive_dossiers",
            ProcessDossiers => "process_dossiers",
            DecideDossiers => "decide_dossiers",
            IssueResults => "issue_results",
            ViewPetitions => "view_petitions",
            HandlePetitions => "handle_petitions",
            AnswerPetitions => "answer_petitions",
            ApprovePetitions => "approve_petitions",
        }
    }
}

/// The permissions a role carries.
pub fn role_permissions(role: Role) -> &'static [Permission] {
    use Permission::*;
    match role {
        Role::Admin => &[
            ViewAgencies,
            ManageAgencies,
            ViewUsers,
            ManageUsers,
            ViewAudit,
            OperateSystem,
            ManageCalendar,
            ManageCatalog,
        ],
        // The control of procedures (kiểm soát TTHC) receives and follows petitions.
        Role::ControlOfficer => &[
            ViewAgencies,
            ViewUsers,
            ViewAudit,
            ManageCatalog,
            ViewDossiers,
            ViewPetitions,
            HandlePetitions,
            AnswerPetitions,
        ],
        Role::Leader => &[
            ViewAgencies,
            ViewUsers,
            ViewDossiers,
            ProcessDossiers,
            DecideDossiers,
            IssueResults,
            ViewPetitions,
            AnswerPetitions,
            ApprovePetitions,
        ],
        Role::DeskOfficer => &[ViewAgencies, ViewDossiers, ReceiveDossiers, ViewPetitions, HandlePetitions],
        Role::Specialist => &[ViewAgencies, ViewDossiers, ProcessDossiers, ViewPetitions, AnswerPetitions],
        Role::Clerk => &[ViewAgencies, ViewDossiers, IssueResults],
        Role::Viewer => &[ViewAgencies, ViewDossiers, ViewPetitions],
    }
}

/// What an access is aimed at.
#[derive(Debug, Clone, Copy)]
pub enum Target<'a> {
    /// Something that belongs to an agency (the agency itself, its users, its dossiers).
    Agency(&'a AgencyPath),
    /// The installation as a whole (job queue, workers). Only a grant on a root agency — the
    /// province — covers it.
    System,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Denied {
    #[error("không có quyền thực hiện thao tác này")]
    MissingPermission,
    #[error("đối tượng nằm ngoài phạm vi đơn vị được phân quyền")]
    OutOfScope,
    /// Four eyes: who requested a change does not approve it.
    #[error("người đề nghị không tự duyệt đề nghị của mình")]
    OwnRequest,
}

/// Decides one access. On success returns the grant that allows it, so the audit log can record
/// the role and unit the official acted in.
pub fn authorize<'p>(
    principal: &'p Principal,
    permission: Permission,
    target: Target<'_>,
) -> Result<&'p Grant, Denied> {
    let mut holders = principal.grants.iter().filter(|g| role_permissions(g.role).contains(&permission)).peekable();
    if holders.peek().is_none() {
        return Err(Denied::MissingPermission);
    }
    let covering: Vec<&Grant> = holders
        .filter(|g| match target {
            Target::Agency(path) => g.agency_path.contains(path),
            Target::System => g.agency_path.is_root(),
        })
        .collect();
    // Prefer the narrowest grant: it names the unit the official actually works in.
    covering.into_iter().max_by_key(|g| g.agency_path.depth()).ok_or(Denied::OutOfScope)
}

/// Decides an access to a dossier (or a step of one) held by the agency at `path`: a grant
/// covering it, as for [`authorize`], or a grant on a *unit* directly inside it. The staff of a
/// commune's office work for their commune: a dossier waiting at the commune's processing step is
/// work for its specialists, whichever office their grant names; the province's service centre
/// receives for the province. A commune or a provincial department is an agency of its own and
/// never reaches its province's own dossiers nor a sibling's (`Grant::unit_of_parent`).
pub fn authorize_dossier<'p>(
    principal: &'p Principal,
    permission: Permission,
    path: &AgencyPath,
) -> Result<&'p Grant, Denied> {
    match authorize(principal, permission, Target::Agency(path)) {
        Err(Denied::OutOfScope) => principal
            .grants
            .iter()
            .filter(|g| role_permissions(g.role).contains(&permission))
            .find(|g| g.unit_of_parent && g.agency_path.parent().as_ref() == Some(path))
            .ok_or(Denied::OutOfScope),
        other => other,
    }
}

/// The agencies whose dossiers a grant reaches through [`authorize_dossier`]'s unit rule: the
/// parents of the units in which `permission` holds (exact matches, not subtrees).
pub fn unit_parents(principal: &Principal, permission: Permission) -> Vec<AgencyPath> {
    let mut v: Vec<AgencyPath> = principal
        .grants
        .iter()
        .filter(|g| g.unit_of_parent && role_permissions(g.role).contains(&permission))
        .filter_map(|g| g.agency_path.parent())
        .collect();
    v.sort();
    v.dedup();
    v
}

/// The subtrees in which `permission` holds, without nested duplicates (a province grant makes
/// a commune grant of the same permission redundant). Empty means "nothing".
pub fn scopes(principal: &Principal, permission: Permission) -> Vec<AgencyPath> {
    let mut paths: Vec<AgencyPath> = principal
        .grants
        .iter()
        .filter(|g| role_permissions(g.role).contains(&permission))
        .map(|g| g.agency_path.clone())
        .collect();
    paths.sort_by_key(|p| p.depth());
    let mut kept: Vec<AgencyPath> = Vec::new();
    for p in paths {
        if !kept.iter().any(|k| k.contains(&p)) {
            kept.push(p);
        }
    }
    kept.sort();
    kept
}

/// Whether `principal` may give `role` over the agency at `path`: only an account manager whose
/// own scope covers that agency, so nobody can hand out more than they hold.
pub fn may_grant(principal: &Principal, path: &AgencyPath) -> Result<(), Denied> {
    authorize(principal, Permission::ManageUsers, Target::Agency(path)).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::{UserId, Username};
    use crate::agency::AgencyId;
    use proptest::prelude::*;

    fn path(ids: &[i64]) -> AgencyPath {
        let mut p = AgencyPath::root(AgencyId(ids[0]));
        for id in &ids[1..] {
            p = p.child(AgencyId(*id));
        }
        p
    }

    /// Grants on agencies; a grant whose path is in `UNITS` is a unit inside its parent.
    fn principal(grants: &[(Role, &[i64])]) -> Principal {
        Principal {
            user_id: UserId(1),
            username: Username::parse("tester").unwrap(),
            full_name: "Người thử".into(),
            agency_id: AgencyId(1),
            grants: grants
                .iter()
                .map(|(role, ids)| Grant {
                    role: *role,
                    agency_id: AgencyId(*ids.last().unwrap()),
                    agency_path: path(ids),
                    unit_of_parent: UNITS.contains(ids),
                })
                .collect(),
        }
    }

    const PROVINCE: &[i64] = &[1];
    const COMMUNE_A: &[i64] = &[1, 10];
    const DESK_A: &[i64] = &[1, 10, 11];
    const COMMUNE_B: &[i64] = &[1, 20];
    const OFFICE_B: &[i64] = &[1, 20, 21];
    /// A provincial department (sở): an agency of its own under the province.
    const DEPARTMENT: &[i64] = &[1, 30];
    const DIVISION: &[i64] = &[1, 30, 31];
    /// The province's service centre: a unit of the province.
    const CENTRE: &[i64] = &[1, 40];
    const UNITS: &[&[i64]] = &[DESK_A, OFFICE_B, DIVISION, CENTRE];

    #[test]
    fn commune_grant_does_not_reach_the_next_commune() {
        let desk = principal(&[(Role::DeskOfficer, COMMUNE_A)]);
        assert!(authorize(&desk, Permission::ViewAgencies, Target::Agency(&path(DESK_A))).is_ok());
        assert_eq!(
            authorize(&desk, Permission::ViewAgencies, Target::Agency(&path(COMMUNE_B))),
            Err(Denied::OutOfScope)
        );
        // Nor upwards.
        assert_eq!(
            authorize(&desk, Permission::ViewAgencies, Target::Agency(&path(PROVINCE))),
            Err(Denied::OutOfScope)
        );
    }

    #[test]
    fn roles_without_the_permission_are_refused_everywhere() {
        let desk = principal(&[(Role::DeskOfficer, PROVINCE)]);
        assert_eq!(
            authorize(&desk, Permission::ManageAgencies, Target::Agency(&path(COMMUNE_A))),
            Err(Denied::MissingPermission)
        );
        assert_eq!(authorize(&desk, Permission::OperateSystem, Target::System), Err(Denied::MissingPermission));
    }

    #[test]
    fn system_targets_need_a_root_grant() {
        let province_admin = principal(&[(Role::Admin, PROVINCE)]);
        let commune_admin = principal(&[(Role::Admin, COMMUNE_A)]);
        assert!(authorize(&province_admin, Permission::OperateSystem, Target::System).is_ok());
        assert_eq!(authorize(&commune_admin, Permission::OperateSystem, Target::System), Err(Denied::OutOfScope));
    }

    #[test]
    fn the_narrowest_covering_grant_is_reported() {
        let p = principal(&[(Role::Viewer, PROVINCE), (Role::DeskOfficer, COMMUNE_A)]);
        let g = authorize(&p, Permission::ViewAgencies, Target::Agency(&path(DESK_A))).unwrap();
        assert_eq!(g.role, Role::DeskOfficer);
        let g = authorize(&p, Permission::ViewAgencies, Target::Agency(&path(COMMUNE_B))).unwrap();
        assert_eq!(g.role, Role::Viewer);
    }

    #[test]
    fn scopes_drop_nested_grants() {
        let p = principal(&[(Role::Viewer, COMMUNE_A), (Role::Leader, PROVINCE), (Role::Clerk, COMMUNE_B)]);
        assert_eq!(scopes(&p, Permission::ViewAgencies), vec![path(PROVINCE)]);
        assert_eq!(scopes(&p, Permission::ViewUsers), vec![path(PROVINCE)]);
        assert!(scopes(&p, Permission::ManageUsers).is_empty());
        let q = principal(&[(Role::Viewer, COMMUNE_B), (Role::Viewer, COMMUNE_A), (Role::Viewer, DESK_A)]);
        assert_eq!(scopes(&q, Permission::ViewAgencies), vec![path(COMMUNE_A), path(COMMUNE_B)]);
    }

    #[test]
    fn unit_staff_act_for_their_agency_but_not_its_siblings() {
        let specialist = principal(&[(Role::Specialist, DESK_A)]);
        assert!(authorize_dossier(&specialist, Permission::ProcessDossiers, &path(COMMUNE_A)).is_ok());
        assert!(authorize_dossier(&specialist, Permission::ProcessDossiers, &path(DESK_A)).is_ok());
        assert_eq!(
            authorize_dossier(&specialist, Permission::ProcessDossiers, &path(COMMUNE_B)),
            Err(Denied::OutOfScope)
        );
        assert_eq!(
            authorize_dossier(&specialist, Permission::ProcessDossiers, &path(OFFICE_B)),
            Err(Denied::OutOfScope)
        );
        assert_eq!(
            authorize_dossier(&specialist, Permission::ProcessDossiers, &path(PROVINCE)),
            Err(Denied::OutOfScope)
        );
        assert_eq!(
            authorize_dossier(&specialist, Permission::DecideDossiers, &path(COMMUNE_A)),
            Err(Denied::MissingPermission)
        );
        assert_eq!(unit_parents(&specialist, Permission::ProcessDossiers), vec![path(COMMUNE_A)]);
        assert_eq!(path(PROVINCE).parent(), None);
    }

    #[test]
    fn communes_and_departments_never_reach_the_provinces_own_dossiers() {
        for agency in [COMMUNE_A, COMMUNE_B, DEPARTMENT] {
            for role in Role::ALL {
                let p = principal(&[(role, agency)]);
                for perm in role_permissions(role) {
                    assert_eq!(
                        authorize_dossier(&p, *perm, &path(PROVINCE)),
                        Err(Denied::OutOfScope),
                        "{role:?} of {agency:?} with {perm:?}"
                    );
                }
                assert!(unit_parents(&p, Permission::ViewDossiers).is_empty());
            }
        }
        // A division of a department works for the department, not for the province.
        let division = principal(&[(Role::Specialist, DIVISION)]);
        assert!(authorize_dossier(&division, Permission::ProcessDossiers, &path(DEPARTMENT)).is_ok());
        assert!(authorize_dossier(&division, Permission::ProcessDossiers, &path(PROVINCE)).is_err());
        // The province's service centre receives for the province, and for nobody beside it.
        let centre = principal(&[(Role::DeskOfficer, CENTRE)]);
        assert!(authorize_dossier(&centre, Permission::ReceiveDossiers, &path(PROVINCE)).is_ok());
        assert!(authorize_dossier(&centre, Permission::ViewDossiers, &path(DEPARTMENT)).is_err());
        assert!(authorize_dossier(&centre, Permission::ViewDossiers, &path(COMMUNE_A)).is_err());
        assert_eq!(unit_parents(&centre, Permission::ReceiveDossiers), vec![path(PROVINCE)]);
    }

    #[test]
    fn granting_is_bounded_by_own_scope() {
        let commune_admin = principal(&[(Role::Admin, COMMUNE_A)]);
        assert!(may_grant(&commune_admin, &path(DESK_A)).is_ok());
        assert!(may_grant(&commune_admin, &path(COMMUNE_B)).is_err());
        assert!(may_grant(&commune_admin, &path(PROVINCE)).is_err());
    }

    fn arb_path() -> impl Strategy<Value = Vec<i64>> {
        prop::collection::vec(1i64..6, 1..5).prop_map(|mut v| {
            v[0] = 1;
            v
        })
    }

    fn arb_role() -> impl Strategy<Value = Role> {
        prop::sample::select(Role::ALL.to_vec())
    }

    fn arb_permission() -> impl Strategy<Value = Permission> {
        use Permission::*;
        prop::sample::select(vec![ViewAgencies, ManageAgencies, ViewUsers, ManageUsers, ViewAudit, OperateSystem])
    }

    proptest! {
        /// `authorize` and `scopes` are two views of one rule: a target is allowed exactly when
        /// one of the scopes contains it.
        #[test]
        fn authorize_agrees_with_scopes(
            grants in prop::collection::vec((arb_role(), arb_path()), 0..4),
            target in arb_path(),
            perm in arb_permission(),
        ) {
            let grants: Vec<(Role, &[i64])> = grants.iter().map(|(r, p)| (*r, p.as_slice())).collect();
            let p = principal(&grants);
            let t = path(&target);
            let allowed = authorize(&p, perm, Target::Agency(&t)).is_ok();
            let in_scope = scopes(&p, perm).iter().any(|s| s.contains(&t));
            prop_assert_eq!(allowed, in_scope);
        }

        /// The dossier rule and its list form agree: a dossier's agency is reachable exactly when
        /// a scope contains it or it is the parent of a unit the permission is held in.
        #[test]
        fn authorize_dossier_agrees_with_its_list_form(
            grants in prop::collection::vec((arb_role(), arb_path(), any::<bool>()), 0..4),
            target in arb_path(),
            perm in prop::sample::select(vec![Permission::ViewDossiers, Permission::ReceiveDossiers, Permission::ProcessDossiers, Permission::DecideDossiers, Permission::IssueResults]),
        ) {
            let mut p = principal(&[]);
            p.grants = grants
                .iter()
                .map(|(role, ids, unit)| Grant {
                    role: *role,
                    agency_id: AgencyId(*ids.last().unwrap()),
                    agency_path: path(ids),
                    unit_of_parent: *unit && ids.len() > 1,
                })
                .collect();
            let t = path(&target);
            let allowed = authorize_dossier(&p, perm, &t).is_ok();
            let listed = scopes(&p, perm).iter().any(|s| s.contains(&t)) || unit_parents(&p, perm).contains(&t);
            prop_assert_eq!(allowed, listed);
            // Without unit grants the rule is exactly the subtree rule.
            if p.grants.iter().all(|g| !g.unit_of_parent) {
                prop_assert_eq!(allowed, authorize(&p, perm, Target::Agency(&t)).is_ok());
            }
        }

        /// Whatever grant allows an access actually covers the target and carries the permission.
        #[test]
        fn the_allowing_grant_is_sound(
            grants in prop::collection::vec((arb_role(), arb_path()), 1..4),
            target in arb_path(),
            perm in arb_permission(),
        ) {
            let grants: Vec<(Role, &[i64])> = grants.iter().map(|(r, p)| (*r, p.as_slice())).collect();
            let p = principal(&grants);
            let t = path(&target);
            if let Ok(g) = authorize(&p, perm, Target::Agency(&t)) {
                prop_assert!(g.agency_path.contains(&t));
                prop_assert!(role_permissions(g.role).contains(&perm));
            }
        }
    }
}
