//! The wording of notices to citizens, per agency: a commune words its own, else it speaks with
//! its nearest ancestor's words (the province's), else with the built-in ones. An agency's
//! administrators edit it; the variables are fixed and an unknown one is refused when saving.

use std::sync::Arc;

use motcua_domain::account::Principal;
use motcua_domain::agency::{Agency, AgencyId};
use motcua_domain::citizen_notice::NoticeKind;
use motcua_domain::policy::{Permission, Target, authorize};
use serde::Serialize;

use crate::context::{Actor, RequestMeta};
use crate::core::Core;
use crate::error::AppError;
use crate::notifications::templates::{Rendered, check_with, render};
use crate::ports::NoticeTemplateRecord;

/// The variables a citizen's notice may use (shown on the edit page).
pub const NOTICE_VARIABLES: &[(&str, &str)] = &[
    ("code", "Mã hồ sơ hoặc mã phản ánh, kiến nghị"),
    ("subject", "Tiêu đề phản ánh, kiến nghị hoặc tên thủ tục của hồ sơ"),
    ("agency", "Cơ quan tiếp nhận, đang giải quyết"),
    ("due", "Hạn trả lời hoặc ngày hẹn trả kết quả (HH:MM dd/mm/yyyy)"),
    ("text", "Nội dung riêng của lần báo: thông tin cần bổ sung, lý do từ chối, trả lời"),
    ("link", "Đường dẫn tra cứu"),
    ("rating", "Đường dẫn đánh giá sự hài lòng (khi hồ sơ có kết quả; trống ở các thông báo khác)"),
];

/// What a notice's wording is filled with.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct NoticeContext<'a> {
    pub code: &'a str,
    pub subject: &'a str,
    pub agency: &'a str,
    pub due: String,
    pub text: &'a str,
    pub link: String,
    pub rating: String,
}

impl NoticeContext<'static> {
    /// Plausible values for a kind, for checking and previewing its wording (a petition's
    /// notices speak of a petition, a dossier's of a dossier).
    pub fn sample(kind: NoticeKind) -> Self {
        if kind.as_str().starts_with("petition_") {
            Self {
                code: "H99.301-PA261123-0001",
                subject: "Niêm yết lệ phí chứng thực",
                agency: "UBND xã An Phú",
                due: "16:30 14/12/2026".into(),
                text: "Mức lệ phí đã được niêm yết tại Bộ phận Một cửa.",
                link: "https://motcua.example.gov.vn/phan-anh/H99.301-PA261123-0001".into(),
                rating: String::new(),
            }
        } else {
            Self {
                code: "H99.301-261123-0001",
                subject: "Đăng ký khai sinh",
                agency: "UBND xã An Phú",
                due: "16:30 25/11/2026".into(),
                text: "Bản sao Giấy chứng sinh có chứng thực.",
                link: "https://motcua.example.gov.vn/tra-cuu?ma=H99.301-261123-0001".into(),
                rating: "https://motcua.example.gov.vn/danh-gia/dg_mau".into(),
            }
        }
    }
}

/// Whose words a notice speaks with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "source", rename_all = "snake_case")]
pub enum TemplateSource {
    BuiltIn,
    /// Set by an ancestor (the province) for the agencies under it.
    Inherited {
        agency_id: AgencyId,
        agency: String,
    },
    /// The agency's own.
    Own {
        version: i64,
        updated_by: String,
        updated_at: jiff::Timestamp,
    },
}

/// The wording in force for one kind at one agency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NoticeTemplate {
    pub kind: NoticeKind,
    pub subject: String,
    pub body: String,
    pub source: TemplateSource,
}

impl NoticeTemplate {
    /// The version to send back when editing the agency's own wording.
    pub fn own_version(&self) -> Option<i64> {
        match self.source {
            TemplateSource::Own { version, .. } => Some(version),
            _ => None,
        }
    }

    pub fn render(&self, ctx: &impl Serialize) -> Result<Rendered, AppError> {
        render(&self.subject, &self.body, ctx).map_err(AppError::Validation)
    }
}

/// A wording filled with the sample values, to show before it is saved.
pub fn preview(t: &NoticeTemplate) -> Result<Rendered, AppError> {
    t.render(&NoticeContext::sample(t.kind))
}

/// The wording of `kind` for `agency`: the nearest on its path (itself first), else built in.
/// `records` hold the wording of the agencies on the path; `names` their names.
pub(crate) fn in_force(
    kind: NoticeKind,
    agency: &Agency,
    records: &[NoticeTemplateRecord],
    name_of: impl Fn(AgencyId) -> String,
) -> NoticeTemplate {
    let own =
        agency.path.ids().into_iter().rev().find_map(|id| records.iter().find(|r| r.agency_id == id && r.kind == kind));
    match own {
        Some(r) => NoticeTemplate {
            kind,
            subject: r.subject.clone(),
            body: r.body.clone(),
            source: if r.agency_id == agency.id {
                TemplateSource::Own { version: r.version, updated_by: r.updated_by.clone(), updated_at: r.updated_at }
            } else {
                TemplateSource::Inherited { agency_id: r.agency_id, agency: name_of(r.agency_id) }
            },
        },
        None => {
            let (subject, body) = kind.default_template();
            NoticeTemplate { kind, subject: subject.to_owned(), body: body.to_owned(), source: TemplateSource::BuiltIn }
        }
    }
}

/// The wording of a kind for an agency, read from the store (when a notice is written).
pub(crate) async fn template_for(core: &Core, agency: AgencyId, kind: NoticeKind) -> Result<NoticeTemplate, AppError> {
    let agency = core.store.agency(agency).await?.ok_or(AppError::NotFound("cơ quan"))?;
    let records = core.store.notice_templates(&agency.path.ids()).await?;
    Ok(in_force(kind, &agency, &records, |_| String::new()))
}

fn parse_kind(kind: &str) -> Result<NoticeKind, AppError> {
    NoticeKind::parse(kind).ok_or(AppError::NotFound("mẫu thông báo"))
}

/// Reading and editing the wording of citizens' notices.
#[derive(Clone)]
pub struct CitizenNotices {
    core: Arc<Core>,
    /// Whether the official sees the agency (out of sight is "not found", as on its other pages).
    agencies: crate::agencies::Agencies,
}

impl CitizenNotices {
    pub(crate) fn new(core: Arc<Core>, agencies: crate::agencies::Agencies) -> Self {
        Self { core, agencies }
    }

    /// Every kind's wording in force at an agency the official sees, and whether they may edit it.
    pub async fn templates(
        &self,
        principal: &Principal,
        id: AgencyId,
    ) -> Result<(Agency, Vec<NoticeTemplate>, bool), AppError> {
        let agency = self.agencies.get_agency(principal, id).await?;
        let ids = agency.path.ids();
        let records = self.core.store.notice_templates(&ids).await?;
        let snapshot = self.core.snapshot().await?;
        let mut names = Vec::new();
        for r in &records {
            if r.agency_id != agency.id && !names.iter().any(|(i, _)| *i == r.agency_id) {
                let name = snapshot.agency(r.agency_id).await?.map(|a| a.name).unwrap_or_default();
                names.push((r.agency_id, name));
            }
        }
        let name_of = |id: AgencyId| names.iter().find(|(i, _)| *i == id).map(|(_, n)| n.clone()).unwrap_or_default();
        let all = NoticeKind::ALL.into_iter().map(|k| in_force(k, &agency, &records, name_of)).collect();
        let may_edit = authorize(principal, Permission::ManageAgencies, Target::Agency(&agency.path)).is_ok();
        Ok((agency, all, may_edit))
    }

    /// One kind's wording in force at an agency the official sees.
    pub async fn template(
        &self,
        principal: &Principal,
        id: AgencyId,
        kind: &str,
    ) -> Result<(Agency, NoticeTemplate, bool), AppError> {
        let kind = parse_kind(kind)?;
        let (agency, all, may_edit) = self.templates(principal, id).await?;
        let t = all.into_iter().find(|t| t.kind == kind).ok_or(AppError::NotFound("mẫu thông báo"))?;
        Ok((agency, t, may_edit))
    }

    /// Sets an agency's own wording of a kind (for it and the agencies under it that have none).
    /// `version` is the own version edited (`None` when the agency had none); a stale one is a
    /// conflict.
    #[expect(clippy::too_many_arguments)]
    pub async fn save_template(
        &self,
        principal: &Principal,
        id: AgencyId,
        kind: &str,
        subject: &str,
        body: &str,
        version: Option<i64>,
        meta: &RequestMeta,
    ) -> Result<NoticeTemplate, AppError> {
        let agency = self.agencies.get_agency(principal, id).await?;
        let grant = authorize(principal, Permission::ManageAgencies, Target::Agency(&agency.path))?;
        let kind = parse_kind(kind)?;
        let body = body.replace("\r\n", "\n");
        check_with(subject, &body, &NoticeContext::sample(kind))?;
        let now = self.core.now();
        let record = NoticeTemplateRecord {
            agency_id: agency.id,
            kind,
            subject: subject.trim().to_owned(),
            body,
            version: 0,
            updated_by: principal.username.as_str().to_owned(),
            updated_at: now,
        };
        let mut tx = self.core.store.begin().await?;
        let new_version =
            tx.save_notice_template(&record, version).await?.ok_or_else(|| AppError::stale("Mẫu thông báo"))?;
        let event = Actor::Official { principal, grant: Some(grant) }
            .did("citizen_notice_template.save")
            .on("agency", agency.id.0)
            .detail(format!("{} · phiên bản {new_version}", kind.as_str()))
            .event(meta, now);
        self.core.commit_audited(tx, event, meta).await?;
        Ok(NoticeTemplate {
            kind,
            subject: record.subject,
            body: record.body,
            source: TemplateSource::Own { version: new_version, updated_by: record.updated_by, updated_at: now },
        })
    }

    /// Removes an agency's own wording: it speaks again with what it inherits.
    pub async fn reset_template(
        &self,
        principal: &Principal,
        id: AgencyId,
        kind: &str,
        version: i64,
        meta: &RequestMeta,
    ) -> Result<(), AppError> {
        let agency = self.agencies.get_agency(principal, id).await?;
        let grant = authorize(principal, Permission::ManageAgencies, Target::Agency(&agency.path))?;
        let kind = parse_kind(kind)?;
        let mut tx = self.core.store.begin().await?;
        if !tx.delete_notice_template(agency.id, kind, version).await? {
            return Err(AppError::stale("Mẫu thông báo"));
        }
        let event = Actor::Official { principal, grant: Some(grant) }
            .did("citizen_notice_template.reset")
            .on("agency", agency.id.0)
            .detail(kind.as_str().to_owned())
            .event(meta, self.core.now());
        self.core.commit_audited(tx, event, meta).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use motcua_domain::agency::{AgencyCode, AgencyLevel, AgencyPath};

    fn agency(id: i64, path: &str) -> Agency {
        let t: jiff::Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
        Agency {
            id: AgencyId(id),
            parent_id: None,
            path: AgencyPath::parse(path).unwrap(),
            code: AgencyCode::parse("H99.301").unwrap(),
            name: format!("Cơ quan {id}"),
            short_name: None,
            level: AgencyLevel::Commune,
            valid_from: None,
            valid_to: None,
            active: true,
            version: 1,
            created_at: t,
            updated_at: t,
        }
    }

    fn record(agency: i64, kind: NoticeKind, subject: &str) -> NoticeTemplateRecord {
        NoticeTemplateRecord {
            agency_id: AgencyId(agency),
            kind,
            subject: subject.into(),
            body: "{{ code }}".into(),
            version: 3,
            updated_by: "admin".into(),
            updated_at: "2026-11-01T00:00:00Z".parse().unwrap(),
        }
    }

    #[test]
    fn an_agency_speaks_with_its_own_words_else_its_provinces_else_the_built_in_ones() {
        let commune = agency(2, "/1/2/");
        let records = vec![
            record(1, NoticeKind::PetitionReceived, "Tỉnh"),
            record(1, NoticeKind::DossierReceived, "Tỉnh"),
            record(2, NoticeKind::DossierReceived, "Xã"),
        ];
        let name = |id: AgencyId| format!("#{}", id.0);
        let own = in_force(NoticeKind::DossierReceived, &commune, &records, name);
        assert_eq!((own.subject.as_str(), own.own_version()), ("Xã", Some(3)));
        let inherited = in_force(NoticeKind::PetitionReceived, &commune, &records, name);
        assert_eq!(inherited.source, TemplateSource::Inherited { agency_id: AgencyId(1), agency: "#1".into() });
        let builtin = in_force(NoticeKind::DossierLate, &commune, &records, name);
        assert_eq!(
            (builtin.source, builtin.subject.as_str()),
            (TemplateSource::BuiltIn, NoticeKind::DossierLate.default_template().0)
        );
        // Another commune does not take this one's words.
        let other = in_force(NoticeKind::DossierReceived, &agency(3, "/1/3/"), &records, name);
        assert_eq!(other.subject, "Tỉnh");
    }

    #[test]
    fn every_built_in_wording_renders_with_the_sample_and_unknown_variables_are_refused() {
        for kind in NoticeKind::ALL {
            let (s, b) = kind.default_template();
            check_with(s, b, &NoticeContext::sample(kind)).unwrap_or_else(|e| panic!("{kind:?}: {e}"));
        }
        let sample = NoticeContext::sample(NoticeKind::DossierReceived);
        let e = check_with("Hồ sơ {{ ma }}", "x", &sample).unwrap_err();
        assert_eq!(e.errors[0].code, "invalid_template");
        // The staff notifications' variables are not a citizen's.
        assert!(check_with("{{ recipient }}", "x", &sample).is_err());
    }
}
