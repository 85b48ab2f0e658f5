//! The authorization matrix: every operation of the OpenAPI document and every page, called by
//! every demo official and by an anonymous visitor, against targets in every position relative
//! to them (their own agency, its parent, a sibling commune, a unit inside it, a provincial
//! department, the province's own dossiers).
//!
//! The expected answer comes from an oracle written here, independently of the policy code:
//! grants cover an agency and everything whose code extends it; a unit inside an agency (the
//! province's service centre, a commune's desk and offices) also works on that agency's
//! dossiers. Reads of objects out of reach answer 404, writes 403 once the object is visible,
//! operations whose permission the caller holds nowhere 403; refusals carry no data. Every
//! write sends input that is invalid for whoever may make it, so an allowed caller learns what
//! was wrong (and nothing changes) while a refused one learns nothing but the refusal: the
//! permission is checked before the input.
//!
//! The routes come from the OpenAPI document and the page table (`motcua_web::page_routes`),
//! so a new route without an entry in [`spec`] fails the test.

mod common;

use std::collections::BTreeSet;

use motcua_app::context::{Actor, RequestMeta};
use motcua_app::demo::DEMO_USERS;
use motcua_domain::account::Role;
use motcua_domain::policy::{Permission, role_permissions};
use motcua_testkit::{TestApp, TestClient, app_tests};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use Permission::*;

// ---------------------------------------------------------------------------------------------
// The oracle.

/// A grant on `grant` covers `code` and everything whose code extends it (demo codes are
/// hierarchical).
fn covers(grant: &str, code: &str) -> bool {
    code == grant || code.starts_with(&format!("{grant}."))
}

/// The agency a unit works inside: the province's service centre for the province, a commune's
/// desk and offices (three-part codes) for the commune. Communes and provincial departments
/// (two-part codes) are agencies of their own.
fn unit_parent(code: &str) -> Option<&str> {
    if code == "H99.02" {
        return Some("H99");
    }
    (code.matches('.').count() == 2).then(|| code.rsplit_once('.').map(|(p, _)| p)).flatten()
}

#[derive(Clone)]
struct Caller {
    name: &'static str,
    grants: Vec<(Role, &'static str)>,
}

impl Caller {
    fn anonymous(&self) -> bool {
        self.name.is_empty()
    }

    fn with(&self, p: Permission) -> impl Iterator<Item = &'static str> + '_ {
        self.grants.iter().filter(move |(r, _)| role_permissions(*r).contains(&p)).map(|(_, a)| *a)
    }

    /// `p` over the agency `code`.
    fn holds(&self, p: Permission, code: &str) -> bool {
        self.with(p).any(|g| covers(g, code))
    }

    fn holds_anywhere(&self, p: Permission) -> bool {
        self.with(p).next().is_some()
    }

    fn holds_province_wide(&self, p: Permission) -> bool {
        self.with(p).any(|g| g == "H99")
    }

    /// `p` over the dossiers the agency `code` holds: a covering grant, or a grant on a unit
    /// inside that agency.
    fn reaches(&self, p: Permission, code: &str) -> bool {
        self.holds(p, code) || self.with(p).any(|g| unit_parent(g) == Some(code))
    }
}

// ---------------------------------------------------------------------------------------------
// What each route is.

/// Which kind of object a route's path (or its body, or its query) points at.
#[derive(Clone, Copy, Debug)]
enum Access {
    /// Anyone, without signing in.
    Public,
    /// Any signed-in official, for their own things.
    Signed,
    /// An operation over whatever part of the tree the caller holds `p` in: 403 to who holds
    /// it nowhere.
    Somewhere(Permission),
    /// The installation as a whole: `p` over the province.
    System(Permission),
    /// An agency by `{id}`: 404 unless it is seen (`ViewAgencies`); then 403 without `act`.
    Agency { act: Option<Permission> },
    /// An agency's own record (name, code, existence): decided one level up, so `act` over its
    /// parent (for the province itself, province-wide).
    AgencyRecord,
    /// A new agency under the parent named in the body.
    NewAgency,
    /// An account by `{id}`: 404 unless its unit is seen (`ViewUsers`); then 403 without
    /// `ManageUsers` when `write`.
    User { write: bool },
    /// A dossier by `{key}`: 404 unless it is seen; for each action, 403 unless the action's
    /// permission reaches the agency it needs.
    Dossier(&'static [Act]),
    /// The register of the agency named in the query.
    Register,
    /// An intake at the agency named in the body.
    Intake,
    /// A workflow by `{id}`: catalogue managers; one of a single agency only within their
    /// scope; writes to general workflows province-wide.
    Workflow { write: bool },
    /// The targets of the agency named in the query or the body: 404 unless its dossiers or
    /// its record are seen; a write, 403 without `ManageAgencies` over it.
    Targets { write: bool },
    /// Another official's notification or token: 404 to everyone but its owner (the targets
    /// here belong to nobody who calls).
    Foreign,
    /// The national portal's way in: its own token only; no official's key or session opens it.
    PortalPush,
}

/// A dossier action a write sends (with `expected_seq: -1`, so a permitted caller meets a
/// stale-version conflict and nothing changes): its name, the permission it needs (`None`: the
/// current step's own) and where.
#[derive(Clone, Copy, Debug)]
struct Act(&'static str, Option<Permission>, At);

#[derive(Clone, Copy, Debug)]
enum At {
    Receiving,
    Resolving,
    Step,
}

/// The actions tried on every dossier through the API: one per kind of requirement.
const API_ACTS: &[Act] = &[
    Act("refuse", Some(ReceiveDossiers), At::Receiving),
    Act("forward", None, At::Step),
    Act("approve", Some(DecideDossiers), At::Step),
    Act("extend", Some(DecideDossiers), At::Resolving),
    Act("request_correction", Some(ViewDossiers), At::Receiving),
    Act("approve_correction", Some(DecideDossiers), At::Resolving),
];
const PAGE_ACTS: &[Act] = &[Act("send_back", None, At::Step), Act("stop", Some(DecideDossiers), At::Resolving)];
const ISSUE: &[Act] = &[Act("issue_result", Some(IssueResults), At::Step)];

struct Spec {
    access: Access,
    /// JSON body (API) or form fields (pages) of a write; `{target}` in strings is replaced by
    /// the target's id or code.
    body: Value,
    /// A permitted caller would change something even with this input: only refusals are
    /// exercised.
    refusals_only: bool,
    /// A permitted caller may still meet 404 (the object named does not exist, e.g. a result
    /// file not yet issued).
    may_be_absent: bool,
}

fn spec(method: &Method, path: &str) -> Option<Spec> {
    let s = |access: Access| Spec { access, body: Value::Null, refusals_only: false, may_be_absent: false };
    let b = |access: Access, body: Value| Spec { access, body, refusals_only: false, may_be_absent: false };
    let refusals = |access: Access| Spec { access, body: json!({}), refusals_only: true, may_be_absent: false };
    let absent = |access: Access| Spec { access, body: Value::Null, refusals_only: false, may_be_absent: true };
    let stale_agency = json!({"version": 0, "parent_id": null, "code": "H99", "name": "x", "level": "commune"});
    let bad_user =
        json!({"username": "x", "full_name": "", "agency_id": 0, "grants": [{"role": "no_such_role", "agency_id": 1}]});
    let m = method.as_str();
    Some(match (m, path) {
        // --- API: accounts and agencies.
        ("GET", "/api/v1/me") => s(Access::Signed),
        ("GET", "/api/v1/agencies") => s(Access::Signed),
        ("POST", "/api/v1/agencies") => b(
            Access::NewAgency,
            json!({"parent_id": "{target}", "code": "bad code", "name": "", "level": "department"}),
        ),
        ("GET", "/api/v1/agencies/{id}") | ("GET", "/api/v1/agencies/{id}/history") => s(Access::Agency { act: None }),
        ("PUT", "/api/v1/agencies/{id}") => b(Access::AgencyRecord, stale_agency),
        ("POST", "/api/v1/agencies/{id}/activate") | ("POST", "/api/v1/agencies/{id}/deactivate") => {
            b(Access::AgencyRecord, json!({"version": 0}))
        }
        ("GET", "/api/v1/agencies/{id}/schedule") | ("GET", "/api/v1/agencies/{id}/procedures") => {
            s(Access::Agency { act: None })
        }
        ("PUT", "/api/v1/agencies/{id}/schedule") => {
            b(Access::Agency { act: Some(ManageAgencies) }, json!({"periods": [], "reason": ""}))
        }
        ("DELETE", "/api/v1/agencies/{id}/schedule") => refusals(Access::Agency { act: Some(ManageAgencies) }),
        // An agency's wording of notices to citizens: read where the agency is seen, changed by
        // its administrators.
        ("GET", "/api/v1/agencies/{id}/citizen-notice-templates") => s(Access::Agency { act: None }),
        ("PUT", "/api/v1/agencies/{id}/citizen-notice-templates/{notice}") => {
            b(Access::Agency { act: Some(ManageAgencies) }, json!({"subject": "{{ no_such_variable }}", "body": ""}))
        }
        ("DELETE", "/api/v1/agencies/{id}/citizen-notice-templates/{notice}") => {
            refusals(Access::Agency { act: Some(ManageAgencies) })
        }
        ("PUT", "/api/v1/agencies/{id}/procedures") => {
            b(Access::Agency { act: Some(ManageAgencies) }, json!([{"code": "9.999999", "desk": true}]))
        }
        ("GET", "/api/v1/users") => s(Access::Somewhere(ViewUsers)),
        ("POST", "/api/v1/users") => b(Access::Somewhere(ManageUsers), bad_user),
        ("GET", "/api/v1/users/{id}") => s(Access::User { write: false }),
        ("PUT", "/api/v1/users/{id}") => {
            b(Access::User { write: true }, json!({"full_name": "", "agency_id": 0, "active": true, "version": 0}))
        }
        ("PUT", "/api/v1/users/{id}/grants") => {
            b(Access::User { write: true }, json!({"grants": [{"role": "no_such_role", "agency_id": 1}]}))
        }
        ("POST", "/api/v1/users/{id}/reset-password") => refusals(Access::User { write: true }),
        ("GET", "/api/v1/audit") => s(Access::Somewhere(ViewAudit)),
        // --- API: operations.
        ("GET", "/api/v1/jobs") => s(Access::System(OperateSystem)),
        ("GET", "/api/v1/jobs/{id}") => absent(Access::System(OperateSystem)),
        ("POST", "/api/v1/jobs/{id}/retry") => absent(Access::System(OperateSystem)),
        ("POST", "/api/v1/mail/test") => b(Access::System(OperateSystem), json!({"to": "not an address"})),
        ("GET", "/api/v1/notification-templates") => s(Access::System(OperateSystem)),
        ("PUT", "/api/v1/notification-templates/{kind}") => {
            b(Access::System(OperateSystem), json!({"subject": "{{ no_such_variable }}", "body": ""}))
        }
        ("DELETE", "/api/v1/notification-templates/{kind}") => refusals(Access::System(OperateSystem)),
        ("GET", "/api/v1/notifications") => s(Access::Signed),
        ("POST", "/api/v1/notifications/read-all") => s(Access::Signed),
        ("POST", "/api/v1/notifications/{id}/read") => s(Access::Foreign),
        // --- API: the legal calendar.
        ("GET", "/api/v1/calendar/lunar") | ("GET", "/api/v1/calendar/holidays") | ("GET", "/api/v1/calendar/due") => {
            s(Access::Public)
        }
        ("GET", "/api/v1/calendar/years/{year}") | ("GET", "/api/v1/calendar/years/{year}/history") => {
            s(Access::Signed)
        }
        ("PUT", "/api/v1/calendar/years/{year}") => {
            b(Access::System(ManageCalendar), json!({"entries": [], "reason": ""}))
        }
        ("POST", "/api/v1/calendar/years/{year}/reset") => refusals(Access::System(ManageCalendar)),
        // --- API: the catalogue.
        ("GET", "/api/v1/procedures")
        | ("GET", "/api/v1/fields")
        | ("GET", "/api/v1/procedures/export")
        | ("GET", "/api/v1/procedures/{code}")
        | ("GET", "/api/v1/procedures/{code}/diff") => s(Access::Public),
        ("POST", "/api/v1/procedures") => {
            b(Access::System(ManageCatalog), json!({"code": "bad code", "content": "{content}"}))
        }
        ("POST", "/api/v1/procedures/import") | ("POST", "/api/v1/procedures/imports") => {
            b(Access::System(ManageCatalog), json!({"procedures": [{"MATTHC": "bad code"}]}))
        }
        ("GET", "/api/v1/procedures/imports/{id}") => absent(Access::System(ManageCatalog)),
        ("GET", "/api/v1/procedures/{code}/manage") => s(Access::System(ManageCatalog)),
        ("PUT", "/api/v1/procedures/{code}/versions/{number}") => {
            b(Access::System(ManageCatalog), json!({"content": "{content}", "revision": -1}))
        }
        ("DELETE", "/api/v1/procedures/{code}/versions/{number}")
        | ("POST", "/api/v1/procedures/{code}/versions/{number}/publish") => {
            b(Access::System(ManageCatalog), json!({}))
        }
        ("POST", "/api/v1/procedures/{code}/amend") | ("POST", "/api/v1/procedures/{code}/end") => {
            refusals(Access::System(ManageCatalog))
        }
        // --- API: workflows.
        ("GET", "/api/v1/workflows") | ("GET", "/api/v1/workflows/export") => s(Access::Somewhere(ManageCatalog)),
        ("POST", "/api/v1/workflows") => s(Access::Somewhere(ManageCatalog)),
        ("POST", "/api/v1/workflows/import") => b(Access::Somewhere(ManageCatalog), json!("not toml [")),
        ("GET", "/api/v1/workflows/{id}") => s(Access::Workflow { write: false }),
        ("DELETE", "/api/v1/workflows/{id}") => refusals(Access::Workflow { write: true }),
        // --- API: dossiers.
        ("GET", "/api/v1/dossiers") => s(Access::Somewhere(ViewDossiers)),
        ("POST", "/api/v1/dossiers") => b(
            Access::Intake,
            json!({"procedure_code": "1.001193", "agency_code": "{target}", "channel": "desk",
                   "applicant": {"kind": "person", "full_name": ""}, "accept": true}),
        ),
        ("GET", "/api/v1/dossiers/{key}") | ("GET", "/api/v1/dossiers/{key}/forms/{form}") => s(Access::Dossier(&[])),
        ("GET", "/api/v1/dossiers/{key}/result/file") => absent(Access::Dossier(&[])),
        ("POST", "/api/v1/dossiers/{key}/actions") => s(Access::Dossier(API_ACTS)),
        ("POST", "/api/v1/dossiers/{key}/result") => s(Access::Dossier(ISSUE)),
        ("GET", "/api/v1/dossiers/{key}/portal") => s(Access::Dossier(&[])),
        ("GET", "/api/v1/dossiers/{key}/files/{file_id}") => absent(Access::Dossier(&[])),
        ("POST", "/api/v1/portal/dossiers") => b(Access::PortalPush, json!([])),
        ("GET", "/api/v1/portal/reconciliation") => s(Access::Register),
        ("POST", "/api/v1/dossiers/{key}/portal/resend") => refusals(Access::System(OperateSystem)),
        ("GET", "/api/v1/dossier-register") => s(Access::Register),
        // --- API: reports (of the agency named in the query and everything under it).
        ("GET", "/api/v1/reports/06")
        | ("GET", "/api/v1/reports/06/dossiers")
        | ("GET", "/api/v1/reports/dossiers")
        | ("GET", "/api/v1/index766")
        | ("GET", "/api/v1/reports/productivity")
        | ("GET", "/api/v1/reports/full-online")
        | ("GET", "/api/v1/dashboard")
        | ("GET", "/api/v1/dashboard/dossiers") => s(Access::Register),
        ("GET", "/api/v1/targets") => s(Access::Targets { write: false }),
        ("PUT", "/api/v1/targets") => b(
            Access::Targets { write: true },
            json!({"agency": "{target}", "year": 2026, "values": {"online_share": "abc"}}),
        ),
        ("GET", "/api/v1/public/dossiers/{code}") => absent(Access::Public),
        // --- API: ratings. Anyone with a rating link (here a made-up one); a dossier's rating.
        ("GET", "/api/v1/public/ratings/{token}") => absent(Access::Public),
        ("POST", "/api/v1/public/ratings/{token}") => {
            Spec { access: Access::Public, body: json!({"answers": {}}), refusals_only: false, may_be_absent: true }
        }
        ("GET", "/api/v1/dossiers/{key}/rating") => absent(Access::Dossier(&[])),
        // --- API: petitions. Public: sending, the answers, a code's progress, votes.
        ("POST", "/api/v1/petitions") | ("POST", "/api/v1/petitions/with-files") => {
            b(Access::Public, json!({"agency_code": "H99"}))
        }
        // The portal forwards petitions with its own token, as it pushes dossiers.
        ("POST", "/api/v1/portal/petitions") => b(Access::PortalPush, json!({"portal_reference": ""})),
        ("GET", "/api/v1/public/petitions") => s(Access::Public),
        ("GET", "/api/v1/public/petitions/{code}") => absent(Access::Public),
        ("POST", "/api/v1/public/petitions/{code}/votes") => Spec {
            access: Access::Public,
            body: json!({"vote": "like", "voter": "matrix-voter-0001"}),
            refusals_only: false,
            may_be_absent: true,
        },
        // Officials': the queues and the period's counts over what they see; one petition by
        // its code (made up here: its holding agency's scope is proven in tests/petitions.rs).
        ("GET", "/api/v1/petitions") | ("GET", "/api/v1/petitions/stats") => s(Access::Somewhere(ViewPetitions)),
        ("POST", "/api/v1/petitions/recorded") | ("POST", "/api/v1/petitions/recorded/with-files") => Spec {
            access: Access::Somewhere(HandlePetitions),
            body: json!({"channel": "letter", "agency_code": "H99.301", "subject": "", "content": "", "name": "", "address": ""}),
            refusals_only: true,
            may_be_absent: false,
        },
        ("GET", "/api/v1/petitions/{code}") | ("GET", "/api/v1/petitions/{code}/files/{file_id}") => {
            absent(Access::Somewhere(ViewPetitions))
        }
        ("POST", "/api/v1/petitions/{code}/actions") => Spec {
            access: Access::Somewhere(ViewPetitions),
            body: json!({"action": "refuse", "text": "x", "expected_seq": -1}),
            refusals_only: false,
            may_be_absent: true,
        },

        // --- Pages.
        ("GET", "/")
        | ("GET", "/login")
        | ("GET", "/thu-tuc")
        | ("GET", "/thu-tuc/{code}")
        | ("GET", "/kiosk")
        | ("GET", "/kiosk/thu-tuc/{code}")
        | ("GET", "/tra-cuu") => s(Access::Public),
        // Signing in is tested on its own; here it would end the callers' sessions.
        ("POST", "/login") => refusals(Access::Public),
        ("GET", "/thu-tuc/{code}/bieu-mau/{file}") => absent(Access::Public),
        // A citizen's rating page: anyone with the dossier's link (here a made-up one).
        ("GET", "/danh-gia/{token}") | ("POST", "/danh-gia/{token}") => absent(Access::Public),
        // The monthly publication of the 766 index: aggregate figures of any agency.
        ("GET", "/cong-khai/chi-so-766/{code}") => absent(Access::Public),
        // Petitions: the public form and answers; a petition's page by its code (made up here).
        ("GET", "/phan-anh") | ("GET", "/phan-anh/gui") => s(Access::Public),
        ("GET", "/phan-anh/{code}") | ("POST", "/phan-anh/{code}/binh-chon") => absent(Access::Public),
        ("POST", "/phan-anh/gui") => refusals(Access::Public),
        // The officials' side; a petition's own scope (its holding agency) is proven in
        // tests/petitions.rs, here its code is made up.
        ("GET", "/phan-anh-kien-nghi") => s(Access::Somewhere(ViewPetitions)),
        ("GET", "/phan-anh-kien-nghi/ghi-nhan") => s(Access::Somewhere(HandlePetitions)),
        ("POST", "/phan-anh-kien-nghi/ghi-nhan") => refusals(Access::Somewhere(HandlePetitions)),
        ("GET", "/phan-anh-kien-nghi/{code}")
        | ("POST", "/phan-anh-kien-nghi/{code}/thao-tac")
        | ("GET", "/phan-anh-kien-nghi/{code}/tep/{file_id}") => absent(Access::Somewhere(ViewPetitions)),
        ("POST", "/logout") => refusals(Access::Signed),
        ("GET", "/app") | ("GET", "/account") | ("GET", "/account/password") | ("GET", "/thong-bao") => {
            s(Access::Signed)
        }
        ("POST", "/account/password") => b(Access::Signed, json!({"current": "", "new": "", "confirm": ""})),
        ("POST", "/account/tokens") => b(Access::Signed, json!({"name": ""})),
        ("POST", "/account/tokens/{id}/revoke") | ("POST", "/thong-bao/{id}") => s(Access::Foreign),
        ("POST", "/thong-bao/doc-tat-ca") => s(Access::Signed),
        ("GET", "/ho-so") => s(Access::Somewhere(ViewDossiers)),
        ("GET", "/ho-so/tiep-nhan") => s(Access::Somewhere(ReceiveDossiers)),
        ("POST", "/ho-so/tiep-nhan") => b(
            Access::Intake,
            json!({"procedure_code": "1.001193", "agency_code": "{target}", "channel": "desk", "full_name": "", "accept": "on"}),
        ),
        ("GET", "/ho-so/so-theo-doi") => s(Access::Somewhere(ViewDossiers)),
        ("GET", "/ho-so/so-theo-doi/pdf") => s(Access::Register),
        ("GET", "/bao-cao") => s(Access::Somewhere(ViewDossiers)),
        ("GET", "/bao-cao/ho-so")
        | ("GET", "/chi-so-766")
        | ("GET", "/bao-cao/nang-suat")
        | ("GET", "/bao-cao/hai-long")
        | ("GET", "/bao-cao/toan-trinh")
        | ("GET", "/thong-ke") => s(Access::Register),
        ("GET", "/bao-cao/phan-anh") => s(Access::Somewhere(ViewPetitions)),
        ("GET", "/admin/phan-anh/thoi-han") => s(Access::System(ManageAgencies)),
        ("POST", "/admin/phan-anh/thoi-han/{id}") => refusals(Access::System(ManageAgencies)),
        ("GET", "/bao-cao/chi-tieu") => s(Access::Targets { write: false }),
        ("GET", "/bao-cao/doi-soat") => s(Access::Register),
        ("POST", "/bao-cao/doi-soat/gui-lai") => refusals(Access::System(OperateSystem)),
        ("GET", "/dashboard") => s(Access::Public),
        ("POST", "/bao-cao/chi-tieu") => {
            b(Access::Targets { write: true }, json!({"agency": "{target}", "year": "2026", "online_share": "abc"}))
        }
        ("GET", "/ho-so/{key}") | ("GET", "/ho-so/{key}/mau/{form}") => s(Access::Dossier(&[])),
        ("GET", "/ho-so/{key}/ket-qua") => absent(Access::Dossier(&[])),
        ("GET", "/ho-so/{key}/tep/{file_id}") => absent(Access::Dossier(&[])),
        // An action's own page: seen by whoever sees the dossier (a conflict when they may not
        // take the action now), never by others.
        ("GET", "/ho-so/{key}/thao-tac/{action}") => s(Access::Dossier(&[])),
        ("POST", "/ho-so/{key}/thao-tac") => s(Access::Dossier(PAGE_ACTS)),
        // The desk opens a dossier's rating page: whoever sees the dossier, nobody else.
        ("POST", "/ho-so/{key}/danh-gia") => s(Access::Dossier(&[])),
        ("POST", "/ho-so/{key}/ban-hanh") => s(Access::Dossier(ISSUE)),
        ("GET", "/admin/agencies") => s(Access::Somewhere(ViewAgencies)),
        ("GET", "/admin/agencies/new") => s(Access::Somewhere(ManageAgencies)),
        ("POST", "/admin/agencies") => b(
            Access::NewAgency,
            json!({"parent_id": "{target}", "code": "bad code", "name": "", "level": "department"}),
        ),
        ("GET", "/admin/agencies/{id}") | ("GET", "/admin/agencies/{id}/schedule") => s(Access::Agency { act: None }),
        ("GET", "/admin/agencies/{id}/procedures") => s(Access::Agency { act: None }),
        ("GET", "/admin/agencies/{id}/citizen-notices") | ("GET", "/admin/agencies/{id}/citizen-notices/{notice}") => {
            s(Access::Agency { act: None })
        }
        ("POST", "/admin/agencies/{id}/citizen-notices/{notice}") => {
            b(Access::Agency { act: Some(ManageAgencies) }, json!({"subject": "{{ no_such_variable }}", "body": ""}))
        }
        ("POST", "/admin/agencies/{id}/citizen-notices/{notice}/reset") => {
            refusals(Access::Agency { act: Some(ManageAgencies) })
        }
        ("GET", "/admin/agencies/{id}/edit") => s(Access::AgencyRecord),
        ("POST", "/admin/agencies/{id}") => {
            b(Access::AgencyRecord, json!({"version": "0", "code": "H99", "name": "x", "level": "commune"}))
        }
        ("POST", "/admin/agencies/{id}/status") => b(Access::AgencyRecord, json!({"version": "0", "active": "false"})),
        ("POST", "/admin/agencies/{id}/schedule") => {
            b(Access::Agency { act: Some(ManageAgencies) }, json!({"reason": "", "morning_start": "25:00"}))
        }
        ("POST", "/admin/agencies/{id}/schedule/reset") => refusals(Access::Agency { act: Some(ManageAgencies) }),
        ("POST", "/admin/agencies/{id}/procedures") => refusals(Access::Agency { act: Some(ManageAgencies) }),
        ("GET", "/admin/users") => s(Access::Somewhere(ViewUsers)),
        ("GET", "/admin/users/new") => s(Access::Somewhere(ManageUsers)),
        ("POST", "/admin/users") => b(
            Access::Somewhere(ManageUsers),
            json!({"username": "x", "full_name": "", "agency_id": "0", "role": "no_such_role"}),
        ),
        ("GET", "/admin/users/{id}") => s(Access::User { write: false }),
        ("POST", "/admin/users/{id}") => {
            b(Access::User { write: true }, json!({"full_name": "", "agency_id": "0", "version": "0"}))
        }
        ("POST", "/admin/users/{id}/grants") => refusals(Access::User { write: true }),
        ("POST", "/admin/users/{id}/reset-password") => refusals(Access::User { write: true }),
        ("GET", "/admin/audit") => s(Access::Somewhere(ViewAudit)),
        ("GET", "/admin/calendar") => s(Access::Signed),
        ("POST", "/admin/calendar/{year}") => b(Access::System(ManageCalendar), json!({"reason": ""})),
        ("POST", "/admin/calendar/{year}/reset") => refusals(Access::System(ManageCalendar)),
        // The published catalogue, as the public API exports it.
        ("GET", "/admin/procedures/export") | ("GET", "/admin/procedures/{code}/diff") => s(Access::Signed),
        ("GET", "/admin/procedures")
        | ("GET", "/admin/procedures/new")
        | ("GET", "/admin/procedures/{code}")
        | ("GET", "/admin/procedures/{code}/versions/{n}") => s(Access::System(ManageCatalog)),
        ("GET", "/admin/procedures/imports/{id}") => absent(Access::System(ManageCatalog)),
        ("POST", "/admin/procedures") => b(Access::System(ManageCatalog), json!({"code": "bad code", "name": ""})),
        ("POST", "/admin/procedures/import") => b(Access::System(ManageCatalog), json!({})),
        ("POST", "/admin/procedures/{code}/amend") | ("POST", "/admin/procedures/{code}/end") => {
            refusals(Access::System(ManageCatalog))
        }
        ("POST", "/admin/procedures/{code}/versions/{n}")
        | ("POST", "/admin/procedures/{code}/versions/{n}/publish")
        | ("POST", "/admin/procedures/{code}/versions/{n}/discard")
        | ("POST", "/admin/procedures/{code}/versions/{n}/form-file") => b(Access::System(ManageCatalog), json!({})),
        ("GET", "/admin/workflows") | ("GET", "/admin/workflows/new") | ("GET", "/admin/workflows/export") => {
            s(Access::Somewhere(ManageCatalog))
        }
        ("POST", "/admin/workflows") | ("POST", "/admin/workflows/import") => {
            b(Access::Somewhere(ManageCatalog), json!({"definition": "not toml ["}))
        }
        ("GET", "/admin/workflows/{id}") => s(Access::Workflow { write: false }),
        ("POST", "/admin/workflows/{id}/delete") => refusals(Access::Workflow { write: true }),
        ("GET", "/admin/notification-templates") | ("GET", "/admin/notification-templates/{kind}") => {
            s(Access::System(OperateSystem))
        }
        ("POST", "/admin/notification-templates/test-mail") => {
            b(Access::System(OperateSystem), json!({"to": "not an address"}))
        }
        ("POST", "/admin/notification-templates/{kind}") => {
            b(Access::System(OperateSystem), json!({"subject": "{{ no_such_variable }}", "body": ""}))
        }
        ("POST", "/admin/notification-templates/{kind}/reset") => refusals(Access::System(OperateSystem)),
        ("GET", "/admin/jobs") => s(Access::System(OperateSystem)),
        ("GET", "/admin/jobs/{id}") | ("POST", "/admin/jobs/{id}/retry") => absent(Access::System(OperateSystem)),
        _ => return None,
    })
}

// ---------------------------------------------------------------------------------------------
// The world the matrix runs in.

struct Agency {
    code: &'static str,
    id: i64,
}

struct Account {
    id: i64,
    unit: &'static str,
}

struct Dossier {
    code: String,
    receiving: String,
    resolving: String,
    /// Every agency the dossier involves (reading it needs `ViewDossiers` reaching one).
    involved: BTreeSet<String>,
    step_agency: String,
    step_permission: Permission,
    /// What must never leak to who may not see it.
    secrets: [String; 2],
    last_seq: i64,
}

struct WorkflowTarget {
    id: i64,
    agency: Option<String>,
}

struct World {
    agencies: Vec<Agency>,
    accounts: Vec<Account>,
    dossiers: Vec<Dossier>,
    workflows: Vec<WorkflowTarget>,
    template_kind: String,
    /// A published procedure's content, for bodies that must carry one.
    content: Value,
    job_id: i64,
    foreign_token_id: i64,
}

const AGENCIES: [&str; 6] = ["H99", "H99.02", "H99.10", "H99.301", "H99.301.03", "H99.302"];
const ACCOUNTS: [&str; 5] =
    ["anphu.motcua", "anphu.chuyenvien", "binhminh.motcua", "tinh.motcua", "sotuphap.chuyenvien"];

fn step_permission(kind: &str) -> Permission {
    match kind {
        "process" => ProcessDossiers,
        "approve" => DecideDossiers,
        "issue" => IssueResults,
        _ => ReceiveDossiers,
    }
}

async fn intake(c: &TestClient, procedure: &str, agency: &str, name: &str, id_number: &str) -> String {
    let r = c
        .post_json(
            "/api/v1/dossiers",
            &json!({"procedure_code": procedure, "agency_code": agency, "channel": "desk",
                    "applicant": {"kind": "person", "full_name": name, "id_number": id_number}, "accept": true}),
        )
        .await;
    let status = r.status();
    let v: Value = r.json().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "{v}");
    v["code"].as_str().unwrap().to_owned()
}

async fn forward(c: &TestClient, code: &str) {
    let r = c.post_json(&format!("/api/v1/dossiers/{code}/actions"), &json!({"action": "forward"})).await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
}

async fn world(app: &TestApp) -> World {
    let mut agencies = Vec::new();
    for code in AGENCIES {
        agencies.push(Agency { code, id: common::agency(app, code).await.id.0 });
    }
    let mut accounts = Vec::new();
    for name in ACCOUNTS {
        let u = DEMO_USERS.iter().find(|u| u.username == name).unwrap();
        let rec = app
            .services
            .accounts
            .find_user(&motcua_domain::account::Username::parse(name).unwrap())
            .await
            .unwrap()
            .unwrap();
        accounts.push(Account { id: rec.id.0, unit: u.unit });
    }

    // Dossiers in every position: the province's own, a commune's, one at a commune's office,
    // one the province's centre received for a department, one of the next commune.
    let province = common::province_held_dossier(app).await;
    let anphu = app.api_as("anphu.motcua").await;
    let commune = intake(&anphu, "1.001193", "H99.301", "Lê Văn Xã", "001203001111").await;
    let at_unit = intake(&anphu, "2.000908", "H99.301", "Phạm Thị Phòng", "001203002222").await;
    forward(&anphu, &at_unit).await;
    let centre = app.api_as("tinh.motcua").await;
    let department = intake(&centre, "3.000333", "H99.02", "Hoàng Văn Sở", "001203003333").await;
    forward(&centre, &department).await;
    let next = intake(&app.api_as("binhminh.motcua").await, "1.001193", "H99.302", "Đỗ Thị Bên", "001203004444").await;

    let all = app.api_as("tinh.lanhdao").await;
    let mut dossiers = Vec::new();
    for code in [province, commune, at_unit, department, next] {
        let (s, v) = all.json(&format!("/api/v1/dossiers/{code}")).await;
        assert_eq!(s, StatusCode::OK);
        let text = |p: &str| v.pointer(p).and_then(Value::as_str).unwrap_or_default().to_owned();
        let mut involved = BTreeSet::new();
        involved.insert(text("/receiving_agency/code"));
        involved.insert(text("/resolving_agency/code"));
        for step in v["steps"].as_array().unwrap() {
            involved.insert(step["agency"]["code"].as_str().unwrap().to_owned());
        }
        involved.retain(|c| !c.is_empty());
        dossiers.push(Dossier {
            receiving: text("/receiving_agency/code"),
            resolving: text("/resolving_agency/code"),
            involved,
            step_agency: text("/current_step/agency/code"),
            step_permission: step_permission(&text("/current_step/kind")),
            secrets: [text("/submission/applicant/full_name"), text("/submission/applicant/id_number")],
            last_seq: v["last_seq"].as_i64().unwrap(),
            code,
        });
    }
    assert_eq!(dossiers[2].step_agency, "H99.301.03", "the unit's step is open");
    assert_eq!(dossiers[3].step_agency, "H99.10", "the department's step is open");

    let admin = app.api_as("admin").await;
    let (_, v) = admin.json("/api/v1/workflows").await;
    let workflows: Vec<WorkflowTarget> = v["items"]
        .as_array()
        .or(v.as_array())
        .unwrap()
        .iter()
        .map(|w| WorkflowTarget { id: w["id"].as_i64().unwrap(), agency: w["agency"].as_str().map(str::to_owned) })
        .collect();
    assert!(!workflows.is_empty());
    let (_, v) = admin.json("/api/v1/notification-templates").await;
    let template_kind = v["items"].as_array().or(v.as_array()).unwrap()[0]["kind"].as_str().unwrap().to_owned();
    let (_, v) = admin.json("/api/v1/jobs").await;
    let job_id = v["items"].as_array().and_then(|a| a.first()).and_then(|j| j["id"].as_i64()).unwrap_or(999_999);
    // A token of an official who is not among the callers (the province's extra desk officer).
    let (_, token) = app
        .services
        .accounts
        .create_api_token(Actor::System { label: "test" }, "tinh.tiepnhan", "matrix", None, &RequestMeta::cli())
        .await
        .unwrap();
    let (_, v) = admin.json("/api/v1/procedures/1.001193").await;
    let content = v["content"].clone();
    assert!(content.is_object(), "{v}");
    World { agencies, accounts, dossiers, workflows, template_kind, content, job_id, foreign_token_id: token.id }
}

// ---------------------------------------------------------------------------------------------
// Calls and expectations.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    Allowed,
    NotFound,
    Forbidden,
    SignIn,
}

/// One concrete request: the path with its parameters filled, the body, what it aims at.
struct Call {
    path: String,
    body: Value,
    /// How each caller should be answered.
    expect: Box<dyn Fn(&Caller) -> Expect>,
    /// Texts no refused caller may see.
    secrets: Vec<String>,
}

fn fill(template: &Value, target: &str) -> Value {
    match template {
        Value::String(s) if s == "{target}" => target.parse::<i64>().map(Value::from).unwrap_or(json!(target)),
        Value::String(s) => Value::String(s.replace("{target}", target)),
        Value::Array(a) => Value::Array(a.iter().map(|v| fill(v, target)).collect()),
        Value::Object(o) => Value::Object(o.iter().map(|(k, v)| (k.clone(), fill(v, target))).collect()),
        other => other.clone(),
    }
}

fn with_content(template: &Value, content: &Value) -> Value {
    match template {
        Value::String(s) if s == "{content}" => content.clone(),
        Value::Object(o) => Value::Object(o.iter().map(|(k, v)| (k.clone(), with_content(v, content))).collect()),
        other => other.clone(),
    }
}

fn yes_or(ok: bool, otherwise: Expect) -> Expect {
    if ok { Expect::Allowed } else { otherwise }
}

/// An object out of sight is not found; in sight, the operation is allowed or forbidden.
fn seen_then(seen: bool, allowed: bool) -> Expect {
    if seen { yes_or(allowed, Expect::Forbidden) } else { Expect::NotFound }
}

/// The calls a route stands for: one per target in each position.
fn calls(world: &World, method: &Method, path: &str, spec: &Spec) -> Vec<Call> {
    let simple = |p: &str| {
        p.replace("{year}", "2026")
            .replace("{number}", "1")
            .replace("{n}", "1")
            .replace("{form}", "01")
            .replace("{file}", "1")
            .replace("{file_id}", "1")
            .replace("{action}", "forward")
            .replace("{kind}", &world.template_kind)
            .replace("{notice}", "dossier_received")
            .replace("/diff", "/diff?from=1&to=1")
    };
    let path = simple(path);
    let body = with_content(&spec.body, &world.content);
    let one = |path: String, expect: Box<dyn Fn(&Caller) -> Expect>| {
        vec![Call { path, body: body.clone(), expect, secrets: Vec::new() }]
    };
    let write = *method != Method::GET;
    match spec.access {
        Access::Public => {
            let path = path.replace("{code}", "1.001193").replace("{id}", "1");
            one(path, Box::new(|_| Expect::Allowed))
        }
        Access::Signed => one(path.replace("{code}", "1.001193"), Box::new(|_| Expect::Allowed)),
        Access::PortalPush => one(path, Box::new(|_| Expect::SignIn)),
        Access::Somewhere(p) => one(path, Box::new(move |c| yes_or(c.holds_anywhere(p), Expect::Forbidden))),
        Access::System(p) => {
            let path = path.replace("{code}", "1.001193").replace("{id}", &world.job_id.to_string());
            one(path, Box::new(move |c| yes_or(c.holds_province_wide(p), Expect::Forbidden)))
        }
        Access::Foreign => {
            let path = if path.contains("/account/tokens/") {
                path.replace("{id}", &world.foreign_token_id.to_string())
            } else {
                path.replace("{id}", "999999")
            };
            one(path, Box::new(|_| Expect::NotFound))
        }
        Access::Agency { act } => world
            .agencies
            .iter()
            .map(|a| {
                let code = a.code;
                Call {
                    path: path.replace("{id}", &a.id.to_string()),
                    body: body.clone(),
                    expect: Box::new(move |c| {
                        seen_then(c.holds(ViewAgencies, code), act.is_none_or(|p| c.holds(p, code)))
                    }),
                    secrets: Vec::new(),
                }
            })
            .collect(),
        Access::AgencyRecord => world
            .agencies
            .iter()
            .map(|a| {
                let code = a.code;
                let parent = code.rsplit_once('.').map(|(p, _)| p);
                Call {
                    path: path.replace("{id}", &a.id.to_string()),
                    body: fill(&body, &a.id.to_string()),
                    expect: Box::new(move |c| {
                        let decides = match parent {
                            Some(p) => c.holds(ManageAgencies, p),
                            None => c.holds_province_wide(ManageAgencies),
                        };
                        seen_then(c.holds(ViewAgencies, code), decides)
                    }),
                    secrets: Vec::new(),
                }
            })
            .collect(),
        Access::NewAgency => world
            .agencies
            .iter()
            .map(|a| {
                let code = a.code;
                Call {
                    path: path.clone(),
                    body: fill(&body, &a.id.to_string()),
                    expect: Box::new(move |c| yes_or(c.holds(ManageAgencies, code), Expect::Forbidden)),
                    secrets: Vec::new(),
                }
            })
            .collect(),
        Access::User { write } => world
            .accounts
            .iter()
            .map(|u| {
                let unit = u.unit;
                Call {
                    path: path.replace("{id}", &u.id.to_string()),
                    body: body.clone(),
                    expect: Box::new(move |c| {
                        seen_then(c.holds(ViewUsers, unit), !write || c.holds(ManageUsers, unit))
                    }),
                    secrets: Vec::new(),
                }
            })
            .collect(),
        Access::Workflow { write } => world
            .workflows
            .iter()
            .map(|w| {
                let agency = w.agency.clone();
                Call {
                    path: path.replace("{id}", &w.id.to_string()),
                    body: body.clone(),
                    expect: Box::new(move |c| {
                        if !c.holds_anywhere(ManageCatalog) {
                            return Expect::Forbidden;
                        }
                        match &agency {
                            Some(a) if !c.holds(ManageCatalog, a) => Expect::NotFound,
                            None if write && !c.holds_province_wide(ManageCatalog) => Expect::Forbidden,
                            _ => Expect::Allowed,
                        }
                    }),
                    secrets: Vec::new(),
                }
            })
            .collect(),
        Access::Register => ["H99", "H99.301", "H99.302", "H99.10"]
            .into_iter()
            .map(|agency| Call {
                path: format!("{path}?agency={agency}&from=01/11/2026&to=30/11/2026"),
                body: Value::Null,
                expect: Box::new(move |c| yes_or(c.reaches(ViewDossiers, agency), Expect::NotFound)),
                secrets: world.dossiers.iter().flat_map(|d| d.secrets.clone()).collect(),
            })
            .collect(),
        Access::Targets { write } => ["H99", "H99.301", "H99.302", "H99.10"]
            .into_iter()
            .map(|agency| Call {
                path: if write { path.clone() } else { format!("{path}?agency={agency}&year=2026") },
                body: fill(&body, agency),
                expect: Box::new(move |c| {
                    let seen = c.reaches(ViewDossiers, agency) || c.holds(ViewAgencies, agency);
                    seen_then(seen, !write || c.holds(ManageAgencies, agency))
                }),
                secrets: Vec::new(),
            })
            .collect(),
        Access::Intake => ["H99", "H99.02", "H99.301", "H99.302", "H99.10"]
            .into_iter()
            .map(|agency| Call {
                path: path.clone(),
                body: fill(&body, agency),
                expect: Box::new(move |c| yes_or(c.reaches(ReceiveDossiers, agency), Expect::Forbidden)),
                secrets: Vec::new(),
            })
            .collect(),
        Access::Dossier(acts) => {
            let mut out = Vec::new();
            for d in &world.dossiers {
                let involved = d.involved.clone();
                let reads: Vec<Option<Act>> =
                    if acts.is_empty() { vec![None] } else { acts.iter().copied().map(Some).collect() };
                for act in reads {
                    let need = act.map(|Act(_, perm, at)| {
                        let agency = match at {
                            At::Receiving => d.receiving.clone(),
                            At::Resolving => d.resolving.clone(),
                            At::Step => d.step_agency.clone(),
                        };
                        (perm.unwrap_or(d.step_permission), agency)
                    });
                    let involved = involved.clone();
                    out.push(Call {
                        path: path.replace("{key}", &d.code),
                        body: match act {
                            None => body.clone(),
                            Some(Act(name, ..)) => json!({"action": name, "expected_seq": -1, "items": []}),
                        },
                        expect: Box::new(move |c| {
                            if !involved.iter().any(|a| c.reaches(ViewDossiers, a)) {
                                return Expect::NotFound;
                            }
                            match &need {
                                Some((p, agency)) if write => yes_or(c.reaches(*p, agency), Expect::Forbidden),
                                _ => Expect::Allowed,
                            }
                        }),
                        secrets: d.secrets.to_vec(),
                    });
                }
            }
            out
        }
    }
}

/// A value of the shape `schema` describes: the first enumerated value, `x` for text, zero for
/// numbers, and the required properties of objects. It passes the extractors, so the answer
/// comes from the use case.
fn shaped(schema: &Value, doc: &Value) -> Value {
    if let Some(r) = schema["$ref"].as_str() {
        let name = r.rsplit('/').next().unwrap();
        return shaped(&doc["components"]["schemas"][name], doc);
    }
    if let Some(e) = schema["enum"].as_array().and_then(|e| e.iter().find(|v| !v.is_null())) {
        return e.clone();
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(first) = schema[key].as_array().and_then(|a| a.iter().find(|v| v["type"] != "null")) {
            return shaped(first, doc);
        }
    }
    if let Some(all) = schema["allOf"].as_array() {
        let mut out = serde_json::Map::new();
        for part in all {
            if let Value::Object(o) = shaped(part, doc) {
                out.extend(o);
            }
        }
        return Value::Object(out);
    }
    let ty = match &schema["type"] {
        Value::Array(types) => {
            types.iter().filter_map(Value::as_str).find(|t| *t != "null").unwrap_or("null").to_owned()
        }
        Value::String(t) => t.clone(),
        _ if schema["properties"].is_object() => "object".to_owned(),
        _ => "null".to_owned(),
    };
    match ty.as_str() {
        "string" => match schema["format"].as_str() {
            Some("date") => json!("2026-01-01"),
            Some("date-time") => json!("2026-01-01T00:00:00Z"),
            _ => json!("x"),
        },
        "integer" | "number" => json!(schema["minimum"].as_i64().unwrap_or(0)),
        "boolean" => json!(false),
        "array" => json!([]),
        "object" => {
            let mut out = serde_json::Map::new();
            for name in schema["required"].as_array().into_iter().flatten().filter_map(Value::as_str) {
                out.insert(name.to_owned(), shaped(&schema["properties"][name], doc));
            }
            Value::Object(out)
        }
        _ => Value::Null,
    }
}

/// The body and query a write to an API operation sends: shaped by its OpenAPI entry, with the
/// spec's invalid values over it.
fn api_input(doc: &Value, method: &Method, path: &str, spec: &Spec) -> (Value, String) {
    let op = &doc["paths"][path][method.as_str().to_lowercase()];
    let mut body = op["requestBody"]["content"]["application/json"]["schema"]
        .as_object()
        .map(|_| shaped(&op["requestBody"]["content"]["application/json"]["schema"], doc))
        .unwrap_or(Value::Null);
    match (&mut body, &spec.body) {
        (Value::Object(b), Value::Object(o)) => b.extend(o.clone()),
        (_, Value::Null) => {}
        (b, o) => *b = o.clone(),
    }
    let query: Vec<String> = op["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p["in"] == "query" && p["required"] == true)
        .map(|p| {
            let v = shaped(&p["schema"], doc);
            format!(
                "{}={}",
                p["name"].as_str().unwrap(),
                v.as_str().map(str::to_owned).unwrap_or_else(|| v.to_string())
            )
        })
        .collect();
    (body, query.join("&"))
}

/// Sends one call as `caller` and tells what went wrong, if anything.
async fn check(
    app: &TestApp,
    client: &TestClient,
    caller: &Caller,
    method: &Method,
    call: &Call,
    spec: &Spec,
) -> Option<String> {
    let api = call.path.starts_with("/api/");
    let expect = if caller.anonymous() && !matches!(spec.access, Access::Public) {
        Expect::SignIn
    } else {
        (call.expect)(caller)
    };
    if expect == Expect::Allowed && spec.refusals_only {
        return None;
    }
    let multipart = call.path.ends_with("/result")
        || call.path.ends_with("/ban-hanh")
        || call.path.ends_with("/form-file")
        || call.path == "/admin/procedures/import"
        || call.path.ends_with("/ghi-nhan")
        || call.path == "/phan-anh/gui"
        || call.path.ends_with("/with-files");
    let url = app.url(&call.path);
    let mut req = client.http.request(method.clone(), &url);
    if let Some(b) = &client.bearer {
        req = req.bearer_auth(b);
    }
    if *method != Method::GET {
        if multipart {
            // Uploads carry the CSRF token as the form's first field.
            let mut form = reqwest::multipart::Form::new();
            if let Some(t) = &client.csrf {
                form = form.text("_csrf", t.clone());
            }
            let form = form
                .text("expected_seq", "-1")
                .text("petition", call.body.to_string())
                .part("file", reqwest::multipart::Part::bytes(b"%PDF-1.4 not really".to_vec()).file_name("x.pdf"));
            req = req.multipart(form);
        } else if api {
            req = req.json(&call.body);
            if let Some(t) = &client.csrf {
                req = req.header("x-csrf-token", t);
            }
        } else {
            let mut fields: Vec<(String, String)> = call
                .body
                .as_object()
                .map(|o| {
                    o.iter()
                        .map(|(k, v)| (k.clone(), v.as_str().map(str::to_owned).unwrap_or_else(|| v.to_string())))
                        .collect()
                })
                .unwrap_or_default();
            if let Some(t) = &client.csrf {
                fields.push(("_csrf".into(), t.clone()));
            }
            req = req.form(&fields);
        }
    }
    let r = req.send().await.expect("request");
    let status = r.status();
    let location = r.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let text = r.text().await.unwrap_or_default();
    let who = if caller.anonymous() { "anonymous" } else { caller.name };
    let tag = format!("{method} {} as {who}", call.path);
    let refused = matches!(status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN | StatusCode::NOT_FOUND)
        || (!api && status == StatusCode::SEE_OTHER && location.starts_with("/login"));
    let ok = match expect {
        Expect::Allowed => !refused || (spec.may_be_absent && status == StatusCode::NOT_FOUND),
        Expect::NotFound => status == StatusCode::NOT_FOUND,
        Expect::Forbidden => status == StatusCode::FORBIDDEN,
        Expect::SignIn => {
            if api {
                status == StatusCode::UNAUTHORIZED
            } else {
                status == StatusCode::SEE_OTHER && location.starts_with("/login")
            }
        }
    };
    if status.is_server_error() {
        return Some(format!("{tag}: server error {status}: {}", &text[..text.len().min(300)]));
    }
    if !ok {
        return Some(format!("{tag}: expected {expect:?}, got {status} {}", &text[..text.len().min(200)]));
    }
    if expect != Expect::Allowed {
        if api {
            let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
            let keys: BTreeSet<&str> =
                v.as_object().map(|o| o.keys().map(String::as_str).collect()).unwrap_or_default();
            if !keys.iter().all(|k| ["code", "message", "request_id"].contains(k)) || !keys.contains("code") {
                return Some(format!("{tag}: a refusal carries more than the error: {text}"));
            }
        }
        if let Some(s) = call.secrets.iter().find(|s| !s.is_empty() && text.contains(s.as_str())) {
            return Some(format!("{tag}: the refusal shows {s:?}"));
        }
    }
    None
}

async fn run_matrix(app: &TestApp) {
    let world = world(app).await;
    let openapi: Value = app.browser().json("/api/v1/openapi.json").await.1;
    let mut routes: Vec<(Method, String)> = Vec::new();
    for (path, ops) in openapi["paths"].as_object().unwrap() {
        for method in ops.as_object().unwrap().keys() {
            routes.push((Method::from_bytes(method.to_uppercase().as_bytes()).unwrap(), path.clone()));
        }
    }
    assert!(routes.len() > 60, "the OpenAPI document lists the API");
    routes.extend(
        motcua_web::page_routes()
            .into_iter()
            .map(|(m, p)| (Method::from_bytes(m.as_str().as_bytes()).unwrap(), p.to_owned())),
    );

    let missing: Vec<String> =
        routes.iter().filter(|(m, p)| spec(m, p).is_none()).map(|(m, p)| format!("{m} {p}")).collect();
    assert!(missing.is_empty(), "routes without an entry in the authorization matrix: {missing:#?}");

    let mut callers: Vec<Caller> =
        DEMO_USERS.iter().map(|u| Caller { name: u.username, grants: u.grants.to_vec() }).collect();
    callers.push(Caller { name: "", grants: Vec::new() });
    let mut problems = Vec::new();
    let mut count = 0;
    for caller in &callers {
        let (api, page) = if caller.anonymous() {
            (app.browser(), app.browser())
        } else {
            (app.api_as(caller.name).await, app.login(caller.name).await)
        };
        for (method, path) in &routes {
            // `POST /logout` ends the session the rest of the pages use: it is called last.
            if path == "/logout" {
                continue;
            }
            let mut spec = spec(method, path).expect("checked above");
            let mut query = String::new();
            if path.starts_with("/api/") && *method != Method::GET {
                (spec.body, query) = api_input(&openapi, method, path, &spec);
            }
            let client = if path.starts_with("/api/") { &api } else { &page };
            for mut call in calls(&world, method, path, &spec) {
                if !query.is_empty() {
                    call.path = format!("{}{}{query}", call.path, if call.path.contains('?') { '&' } else { '?' });
                }
                count += 1;
                problems.extend(check(app, client, caller, method, &call, &spec).await);
            }
        }
    }
    assert!(count > 3000, "{count} calls");
    assert!(problems.is_empty(), "{} of {count} calls answered wrongly:\n{}", problems.len(), problems.join("\n"));

    // Lists show only what each official may see, and nothing moved.
    for caller in callers.iter().filter(|c| !c.anonymous() && c.holds_anywhere(ViewDossiers)) {
        let c = app.api_as(caller.name).await;
        let (_, v) = c.json("/api/v1/dossiers?queue=all&limit=200").await;
        let listed: BTreeSet<String> =
            v["items"].as_array().unwrap().iter().map(|d| d["code"].as_str().unwrap().to_owned()).collect();
        let page = app.login(caller.name).await.get("/ho-so?queue=all").await.text().await.unwrap();
        for d in &world.dossiers {
            let visible = d.involved.iter().any(|a| caller.reaches(ViewDossiers, a));
            assert_eq!(listed.contains(&d.code), visible, "{} listing {}", caller.name, d.code);
            assert_eq!(page.contains(&d.code), visible, "{} page listing {}", caller.name, d.code);
        }
    }
    let lead = app.api_as("tinh.lanhdao").await;
    for d in &world.dossiers {
        let (_, v) = lead.json(&format!("/api/v1/dossiers/{}", d.code)).await;
        assert_eq!(v["last_seq"], d.last_seq, "{} took no action in the matrix", d.code);
    }
}

app_tests! {
    async fn every_route_answers_every_official_by_the_policy(app) {
        run_matrix(&app).await;
    }
}
