//! First start of a real installation: the province and its first administrator.

use motcua_domain::account::{Role, Username};
use motcua_domain::agency::{Agency, AgencyCode, AgencyLevel};
use motcua_domain::time::vn_date;
use motcua_domain::validation::{ValidationErrors, required_text};

use crate::agencies::record_revision;
use crate::context::{Actor, RequestMeta};
use crate::demo::DatasetState;
use crate::error::AppError;
use crate::ports::{NewAgency, NewUser};
use crate::secret;
use crate::services::Services;

#[derive(Debug, Clone)]
pub struct InitInput {
    pub province_code: String,
    pub province_name: String,
    pub admin_username: String,
    pub admin_full_name: String,
}

#[derive(Debug, Clone)]
pub struct InitOutcome {
    pub province: Agency,
    pub admin_username: Username,
    /// One-time password; the administrator must change it at first login.
    pub admin_password: String,
}

impl Services {
    /// Creates the root province and a province-wide administrator in an empty database.
    pub async fn initialize(&self, input: &InitInput, meta: &RequestMeta) -> Result<InitOutcome, AppError> {
        let mut errs = ValidationErrors::new();
        let code = errs.check(AgencyCode::parse(&input.province_code));
        let name = errs.check(required_text("province_name", &input.province_name, 255));
        let username = errs.check(Username::parse(&input.admin_username));
        let full_name = errs.check(required_text("admin_full_name", &input.admin_full_name, 200));
        errs.into_result()?;
        let (code, name, username, full_name) =
            (code.expect("ok"), name.expect("ok"), username.expect("ok"), full_name.expect("ok"));
        if self.dataset_state().await? != DatasetState::Empty {
            return Err(AppError::Conflict {
                code: "already_initialized",
                message: "Hệ thống đã được khởi tạo (cơ sở dữ liệu đã có cơ quan hoặc tài khoản).".into(),
                field: None,
            });
        }
        let password = secret::random_password();
        let hash = self.accounts.hasher().hash(&password).await?;
        let now = self.core.now();
        let mut tx = self.core.store.begin().await?;
        let province = tx
            .insert_agency(
                &NewAgency {
                    parent: None,
                    code,
                    name,
                    short_name: None,
                    level: AgencyLevel::Province,
                    valid_from: None,
                    valid_to: None,
                    active: true,
                },
                now,
            )
            .await?;
        record_revision(&mut *tx, &province, vn_date(now), Some("Khởi tạo hệ thống".into()), Some("system:init"), now)
            .await?;
        let user_id = tx
            .insert_user(
                &NewUser {
                    username: username.clone(),
                    full_name,
                    email: None,
                    phone: None,
                    title: Some("Quản trị hệ thống".into()),
                    agency_id: province.id,
                    password_hash: Some(hash),
                    must_change_password: true,
                    active: true,
                },
                now,
            )
            .await?;
        tx.replace_grants(user_id, &[(Role::Admin, province.id)], "system:init", now).await?;
        let event = Actor::System { label: "init" }
            .did("system.init")
            .on("agency", province.id.to_string())
            .detail(format!("{} {}; quản trị {}", province.code, province.name, username))
            .event(meta, now);
        self.core.commit_audited(tx, event, meta).await?;
        Ok(InitOutcome { province, admin_username: username, admin_password: password })
    }
}
