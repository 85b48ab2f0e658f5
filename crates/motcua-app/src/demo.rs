//! The demo province loaded by `motcua serve --demo`.
//!
//! A fictitious province, "Sơn Hà" (code `H99`, not assigned to any real province), organised
//! as local government is since 01/07/2025: a provincial People's Committee with its office,
//! service centre and departments; four communes and wards, each with its commune-level public
//! administrative service centre and offices; and one district abolished on 30/06/2025 kept as
//! history. Every role has accounts in several units.

use jiff::civil::{Date, date};
use motcua_domain::account::{Role, Username};
use motcua_domain::agency::{Agency, AgencyCode, AgencyLevel};

use crate::agencies::record_revision;
use crate::catalog::import::{ParsedImport, apply_rows, check_rows};
use crate::context::{Actor, RequestMeta};
use crate::error::AppError;
use crate::ports::{AgencyProcedure, NewAgency, NewUser, Store, StoreTx, meta_keys};
use crate::services::Services;
use motcua_domain::catalog::{Channel, Level};

/// Password of every demo account.
pub const DEMO_PASSWORD: &str = "motcua-demo";

struct DemoAgency {
    code: String,
    parent: Option<String>,
    name: String,
    short_name: Option<&'static str>,
    level: AgencyLevel,
    valid_from: Option<Date>,
    valid_to: Option<Date>,
    reason: Option<String>,
}

fn ag(code: impl Into<String>, parent: Option<&str>, name: impl Into<String>, level: AgencyLevel) -> DemoAgency {
    DemoAgency {
        code: code.into(),
        parent: parent.map(str::to_owned),
        name: name.into(),
        short_name: None,
        level,
        valid_from: None,
        valid_to: None,
        reason: None,
    }
}

const TWO_TIER: Date = date(2025, 7, 1);

/// The demo province; `communes` above the four named ones are added as numbered test
/// communes (the scale benchmarks' provinces).
fn agencies(communes: usize) -> Vec<DemoAgency> {
    use AgencyLevel::*;
    let mut v = vec![
        DemoAgency {
            short_name: Some("UBND tỉnh"), ..ag("H99", None, "Ủy ban nhân dân tỉnh Sơn Hà", Province)
        },
        ag("H99.01", Some("H99"), "Văn phòng Ủy ban nhân dân tỉnh", Department),
        DemoAgency {
            short_name: Some("TTPVHCC tỉnh"),
            ..ag("H99.02", Some("H99"), "Trung tâm Phục vụ hành chính công tỉnh Sơn Hà", OneStopDesk)
        },
        ag("H99.10", Some("H99"), "Sở Tư pháp", Department),
        ag("H99.11", Some("H99"), "Sở Nội vụ", Department),
        ag("H99.12", Some("H99"), "Sở Nông nghiệp và Môi trường", Department),
        ag("H99.13", Some("H99"), "Sở Xây dựng", Department),
        DemoAgency {
            valid_to: Some(date(2025, 6, 30)),
            reason: Some("Giải thể đơn vị hành chính cấp huyện từ 01/7/2025 (chính quyền địa phương hai cấp)".into()),
            ..ag("000.00.21.H99", Some("H99"), "Ủy ban nhân dân huyện Bắc Sơn", HistoricDistrict)
        },
        DemoAgency {
            valid_to: Some(date(2025, 6, 30)),
            ..ag("000.01.21.H99", Some("000.00.21.H99"), "Bộ phận Một cửa huyện Bắc Sơn", OneStopDesk)
        },
    ];
    let named = [
        ("H99.301", "xã An Phú", "Phòng Kinh tế", "sắp xếp xã Phú Mỹ và xã An Lạc (huyện Bắc Sơn cũ)"),
        (
            "H99.302",
            "phường Bình Minh",
            "Phòng Kinh tế, Hạ tầng và Đô thị",
            "sắp xếp phường Bình Minh và phường Tân Tiến",
        ),
        ("H99.303", "xã Tân Lập", "Phòng Kinh tế", "sắp xếp xã Tân Lập, xã Tân Hòa và thị trấn Bắc Sơn"),
        ("H99.304", "xã Hòa Bình", "Phòng Kinh tế", "sắp xếp xã Hòa Bình và xã Hòa Lạc"),
    ];
    let extra: Vec<(String, String, &str, String)> = (5..=communes)
        .map(|i| {
            (
                format!("H99.{}", 300 + i),
                format!("xã Thử Nghiệm {i}"),
                "Phòng Kinh tế",
                format!("số liệu thử nghiệm {i}"),
            )
        })
        .collect();
    let named = named.iter().map(|(c, n, e, m)| ((*c).to_owned(), (*n).to_owned(), *e, (*m).to_owned())).chain(extra);
    for (code, name, economy, merged) in named {
        let code = code.as_str();
        v.push(DemoAgency {
            valid_from: Some(TWO_TIER),
            reason: Some(format!("Thành lập trên cơ sở {merged}")),
            ..ag(code, Some("H99"), format!("Ủy ban nhân dân {name}"), Commune)
        });
        let units = [
            ("01", format!("Trung tâm Phục vụ hành chính công {name}"), OneStopDesk),
            ("02", format!("Văn phòng HĐND và UBND {name}"), Department),
            ("03", "Phòng Văn hóa - Xã hội".to_owned(), Department),
            ("04", economy.to_owned(), Department),
        ];
        for (suffix, unit_name, level) in units {
            v.push(DemoAgency {
                valid_from: Some(TWO_TIER),
                ..ag(format!("{code}.{suffix}"), Some(code), unit_name, level)
            });
        }
    }
    v
}

/// One demo account: login, name, title, unit code, grants as (role, agency code).
pub struct DemoUser {
    pub username: &'static str,
    pub full_name: &'static str,
    pub title: &'static str,
    pub unit: &'static str,
    pub grants: &'static [(Role, &'static str)],
}

pub const DEMO_USERS: &[DemoUser] = &[
    DemoUser {
        username: "admin",
        full_name: "Nguyễn Quản Trị",
        title: "Quản trị hệ thống tỉnh",
        unit: "H99.01",
        grants: &[(Role::Admin, "H99")],
    },
    DemoUser {
        username: "tinh.kstthc",
        full_name: "Trần Thị Kiểm Soát",
        title: "Chuyên viên Phòng KSTTHC, Văn phòng UBND tỉnh",
        unit: "H99.01",
        grants: &[(Role::ControlOfficer, "H99")],
    },
    DemoUser {
        username: "tinh.lanhdao",
        full_name: "Lê Văn Tỉnh",
        title: "Phó Chủ tịch UBND tỉnh",
        unit: "H99",
        grants: &[(Role::Leader, "H99")],
    },
    DemoUser {
        username: "tinh.motcua",
        full_name: "Phạm Thị Tiếp Nhận",
        title: "Công chức Trung tâm PVHCC tỉnh",
        unit: "H99.02",
        grants: &[(Role::DeskOfficer, "H99.02")],
    },
    DemoUser {
        username: "tinh.xem",
        full_name: "Đỗ Văn Giám Sát",
        title: "Thanh tra viên tỉnh",
        unit: "H99.01",
        grants: &[(Role::Viewer, "H99")],
    },
    DemoUser {
        username: "sotuphap.chuyenvien",
        full_name: "Hoàng Văn Hộ Tịch",
        title: "Chuyên viên Sở Tư pháp",
        unit: "H99.10",
        grants: &[(Role::Specialist, "H99.10")],
    },
    DemoUser {
        username: "sotuphap.lanhdao",
        full_name: "Vũ Thị Pháp",
        title: "Giám đốc Sở Tư pháp",
        unit: "H99.10",
        grants: &[(Role::Leader, "H99.10")],
    },
    DemoUser {
        username: "sotuphap.vanthu",
        full_name: "Bùi Thị Văn",
        title: "Văn thư Sở Tư pháp",
        unit: "H99.10",
        grants: &[(Role::Clerk, "H99.10")],
    },
    DemoUser {
        username: "anphu.admin",
        full_name: "Ngô Văn Quản",
        title: "Quản trị hệ thống xã An Phú",
        unit: "H99.301.02",
        grants: &[(Role::Admin, "H99.301")],
    },
    DemoUser {
        username: "anphu.motcua",
        full_name: "Đặng Thị Một Cửa",
        title: "Công chức Trung tâm PVHCC xã An Phú",
        unit: "H99.301.01",
        grants: &[(Role::DeskOfficer, "H99.301")],
    },
    DemoUser {
        username: "anphu.chuyenvien",
        full_name: "Lý Văn Chuyên",
        title: "Công chức Phòng Văn hóa - Xã hội",
        unit: "H99.301.03",
        grants: &[(Role::Specialist, "H99.301.03")],
    },
    DemoUser {
        username: "anphu.lanhdao",
        full_name: "Trương Văn Lãnh",
        title: "Phó Chủ tịch UBND xã An Phú",
        unit: "H99.301",
        grants: &[(Role::Leader, "H99.301")],
    },
    DemoUser {
        username: "anphu.vanthu",
        full_name: "Mai Thị Thư",
        title: "Văn thư Văn phòng HĐND và UBND xã",
        unit: "H99.301.02",
        grants: &[(Role::Clerk, "H99.301")],
    },
    DemoUser {
        username: "anphu.kstthc",
        full_name: "Đinh Thị Đầu Mối",
        title: "Cán bộ đầu mối KSTTHC xã An Phú",
        unit: "H99.301.02",
        grants: &[(Role::ControlOfficer, "H99.301")],
    },
    DemoUser {
        username: "binhminh.motcua",
        full_name: "Tạ Thị Bình",
        title: "Công chức Trung tâm PVHCC phường Bình Minh",
        unit: "H99.302.01",
        grants: &[(Role::DeskOfficer, "H99.302")],
    },
    DemoUser {
        username: "binhminh.chuyenvien",
        full_name: "Cao Văn Minh",
        title: "Công chức Phòng Kinh tế, Hạ tầng và Đô thị",
        unit: "H99.302.04",
        grants: &[(Role::Specialist, "H99.302.04")],
    },
    DemoUser {
        username: "binhminh.lanhdao",
        full_name: "Lâm Văn Phường",
        title: "Chủ tịch UBND phường Bình Minh",
        unit: "H99.302",
        grants: &[(Role::Leader, "H99.302")],
    },
    DemoUser {
        username: "binhminh.vanthu",
        full_name: "Phan Thị Lưu",
        title: "Văn thư phường Bình Minh",
        unit: "H99.302.02",
        grants: &[(Role::Clerk, "H99.302")],
    },
    DemoUser {
        username: "tanlap.motcua",
        full_name: "Kiều Thị Lập",
        title: "Công chức Trung tâm PVHCC xã Tân Lập",
        unit: "H99.303.01",
        grants: &[(Role::DeskOfficer, "H99.303")],
    },
    DemoUser {
        username: "tanlap.lanhdao",
        full_name: "Hà Văn Tân",
        title: "Chủ tịch UBND xã Tân Lập",
        unit: "H99.303",
        grants: &[(Role::Leader, "H99.303")],
    },
    DemoUser {
        username: "hoabinh.motcua",
        full_name: "Thái Thị Hòa",
        title: "Công chức Trung tâm PVHCC xã Hòa Bình",
        unit: "H99.304.01",
        grants: &[(Role::DeskOfficer, "H99.304")],
    },
    DemoUser {
        username: "hoabinh.lanhdao",
        full_name: "Quách Văn Bình",
        title: "Phó Chủ tịch UBND xã Hòa Bình",
        unit: "H99.304",
        grants: &[(Role::Leader, "H99.304"), (Role::ControlOfficer, "H99.304")],
    },
];

/// What is in a database, as far as the demo loader cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatasetState {
    /// No agencies and no accounts: anything may be loaded.
    Empty,
    /// Filled by the demo loader.
    Demo,
    /// Real data: the demo must not touch it.
    Other,
}

impl Services {
    pub async fn dataset_state(&self) -> Result<DatasetState, AppError> {
        if self.core.store.meta(meta_keys::DATASET).await?.as_deref() == Some(meta_keys::DEMO) {
            return Ok(DatasetState::Demo);
        }
        if self.core.store.count_agencies().await? == 0 && self.core.store.count_users().await? == 0 {
            return Ok(DatasetState::Empty);
        }
        Ok(DatasetState::Other)
    }

    /// Loads the demo province into an empty database, in one transaction. Returns `false` if
    /// the demo was already there; refuses a database with other data.
    pub async fn load_demo(&self, meta: &RequestMeta) -> Result<bool, AppError> {
        self.load_demo_province(meta, 4).await
    }

    /// The demo province with `communes` communes (at least the four named ones): the scale
    /// benchmarks' provinces.
    pub async fn load_demo_province(&self, meta: &RequestMeta, communes: usize) -> Result<bool, AppError> {
        match self.dataset_state().await? {
            DatasetState::Demo => {
                // Demo databases from before the catalogue existed get it now.
                if self.core.store.procedure_heads(None, 0, 1).await?.0 == 0 {
                    let province = AgencyCode::parse("H99").expect("demo code");
                    let roots: Vec<_> =
                        self.core.store.agency_by_code(&province).await?.map(|a| a.path).into_iter().collect();
                    let agencies = self.core.store.agencies_within(&roots, true).await?;
                    let mut tx = self.core.store.begin().await?;
                    let count = load_demo_catalog(&mut *tx, &*self.core.store, &agencies, self.core.now()).await?;
                    let event = Actor::System { label: "demo" }
                        .did("demo.load")
                        .detail(format!("{count} thủ tục"))
                        .event(meta, self.core.now());
                    self.core.commit_audited(tx, event, meta).await?;
                    self.core.reference_changed();
                }
                return Ok(false);
            }
            DatasetState::Other => {
                return Err(AppError::Conflict {
                    code: "not_a_demo_database",
                    message: "Cơ sở dữ liệu đã có dữ liệu thật; dữ liệu mẫu chỉ được nạp vào cơ sở dữ liệu trống."
                        .into(),
                    field: None,
                });
            }
            DatasetState::Empty => {}
        }
        let now = self.core.now();
        // One hash for every demo account: they share a published password anyway, and this
        // keeps the first start fast.
        let hash = self.accounts.hasher().hash(DEMO_PASSWORD).await?;
        let mut tx = self.core.store.begin().await?;
        let mut by_code: Vec<Agency> = Vec::new();
        let find = |list: &Vec<Agency>, code: &str| list.iter().find(|a| a.code.as_str() == code).cloned();
        for d in agencies(communes) {
            let parent = d.parent.as_deref().map(|p| find(&by_code, p).expect("demo parents come first"));
            let new = NewAgency {
                parent: parent.map(|p| (p.id, p.path)),
                code: AgencyCode::parse(&d.code).expect("demo codes are valid"),
                name: d.name,
                short_name: d.short_name.map(str::to_owned),
                level: d.level,
                valid_from: d.valid_from,
                valid_to: d.valid_to,
                active: d.valid_to.is_none(),
            };
            let agency = tx.insert_agency(&new, now).await?;
            let effective = d.valid_to.or(d.valid_from).unwrap_or(date(2020, 1, 1));
            record_revision(&mut *tx, &agency, effective, d.reason, Some("system:demo"), now).await?;
            by_code.push(agency);
        }
        for u in DEMO_USERS {
            let unit = find(&by_code, u.unit).expect("demo unit exists");
            let id = tx
                .insert_user(
                    &NewUser {
                        username: Username::parse(u.username).expect("demo usernames are valid"),
                        full_name: u.full_name.to_owned(),
                        email: Some(format!("{}@sonha.example.vn", u.username)),
                        phone: None,
                        title: Some(u.title.to_owned()),
                        agency_id: unit.id,
                        password_hash: Some(hash.clone()),
                        must_change_password: false,
                        active: true,
                    },
                    now,
                )
                .await?;
            let grants: Vec<_> = u
                .grants
                .iter()
                .map(|(role, code)| (*role, find(&by_code, code).expect("demo grant unit exists").id))
                .collect();
            tx.replace_grants(id, &grants, "system:demo", now).await?;
        }
        let procedures = load_demo_catalog(&mut *tx, &*self.core.store, &by_code, now).await?;
        tx.set_meta(meta_keys::DATASET, meta_keys::DEMO).await?;
        let event = Actor::System { label: "demo" }
            .did("demo.load")
            .detail(format!("{} cơ quan, {} tài khoản, {procedures} thủ tục", by_code.len(), DEMO_USERS.len()))
            .event(meta, now);
        self.core.commit_audited(tx, event, meta).await?;
        self.core.reference_changed();
        Ok(true)
    }
}

/// Publishes the demo procedures and gives every commune the commune-level ones and the
/// province's service centre the province-level ones. Returns how many were loaded.
async fn load_demo_catalog(
    tx: &mut dyn StoreTx,
    store: &dyn Store,
    agencies: &[Agency],
    now: jiff::Timestamp,
) -> Result<usize, AppError> {
    let parsed = crate::catalog::demo_rows();
    for p in &parsed.problems {
        tracing::info!(row = %p.row, reason = %p.reason, "demo procedure skipped");
    }
    let rows = check_rows(ParsedImport { rows: parsed.rows, problems: vec![] })
        .map_err(crate::catalog::import::problems_error)?;
    let (_, written) = apply_rows(tx, store, rows, "system:demo", now, &|_, _| {}).await?;
    let mut assignments = Vec::new();
    for (_, procedure_id, content) in &written {
        let has = |c: Channel| content.channels.is_empty() || content.channels.contains(&c);
        for a in agencies.iter().filter(|a| a.active) {
            let fits = match a.level {
                AgencyLevel::Commune => content.levels.contains(&Level::Commune),
                AgencyLevel::OneStopDesk => {
                    let under_province =
                        agencies.iter().any(|p| Some(p.id) == a.parent_id && p.level == AgencyLevel::Province);
                    under_province && content.levels.contains(&Level::Province)
                }
                _ => false,
            };
            if fits {
                assignments.push(AgencyProcedure {
                    agency_id: a.id,
                    procedure_id: *procedure_id,
                    desk: has(Channel::Desk),
                    postal: has(Channel::Postal),
                    online: has(Channel::Online),
                    resolves: a.level == AgencyLevel::Commune,
                });
            }
        }
    }
    tx.upsert_agency_procedures(&assignments).await?;
    for w in demo_workflows(now) {
        tx.save_workflow(&w, None).await?;
    }
    Ok(written.len())
}

/// Two workflows to show the feature: the commune's copy-from-register procedure with its time
/// split over the steps, processed by each commune's culture and society office (`.03`); and the
/// judicial record certificate received at the province's service centre and resolved by the
/// Department of Justice (H99.10), so the dossier code carries the department's e-ID.
fn demo_workflows(now: jiff::Timestamp) -> Vec<crate::ports::WorkflowRecord> {
    use motcua_domain::calendar::{ProcessingTime, TimeUnit};
    use motcua_domain::dossier::{StepKind, UnitRef, Workflow, WorkflowStep};
    let hours = |h| ProcessingTime::new(h, TimeUnit::WorkingHours, None).ok();
    let step = |kind: StepKind, name: &str, role: Role, unit: Option<&str>, budget| WorkflowStep {
        kind,
        name: name.to_owned(),
        role,
        unit: unit.map(|u| UnitRef::parse("unit", u).expect("demo units are valid")),
        budget,
    };
    let record = |code: &str, steps| crate::ports::WorkflowRecord {
        id: 0,
        procedure_code: code.to_owned(),
        case_name: None,
        agency_id: None,
        workflow: Workflow { steps },
        version: 0,
        updated_by: "system:demo".to_owned(),
        updated_at: now,
    };
    vec![
        record(
            "2.000908",
            vec![
                step(StepKind::Intake, "Tiếp nhận, kiểm tra hồ sơ", Role::DeskOfficer, None, hours(1)),
                step(
                    StepKind::Process,
                    "Công chức Phòng Văn hóa - Xã hội thẩm định",
                    Role::Specialist,
                    Some(".03"),
                    hours(4),
                ),
                step(StepKind::Approve, "Lãnh đạo UBND xã ký duyệt", Role::Leader, None, hours(2)),
                step(StepKind::Issue, "Văn thư vào sổ, đóng dấu", Role::Clerk, None, hours(1)),
                step(StepKind::Return, "Trả kết quả", Role::DeskOfficer, None, None),
            ],
        ),
        record(
            "3.000333",
            vec![
                step(
                    StepKind::Intake,
                    "Trung tâm Phục vụ hành chính công tỉnh tiếp nhận",
                    Role::DeskOfficer,
                    None,
                    None,
                ),
                step(
                    StepKind::Process,
                    "Sở Tư pháp thẩm định, tra cứu lý lịch",
                    Role::Specialist,
                    Some("H99.10"),
                    None,
                ),
                step(StepKind::Approve, "Lãnh đạo Sở Tư pháp ký", Role::Leader, Some("H99.10"), None),
                step(StepKind::Issue, "Văn thư Sở Tư pháp đóng dấu", Role::Clerk, Some("H99.10"), None),
                step(StepKind::Return, "Trả kết quả tại Trung tâm", Role::DeskOfficer, None, None),
            ],
        ),
    ]
}
