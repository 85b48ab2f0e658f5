//! The wording of notifications: built-in Vietnamese defaults, replaced per installation by an
//! administrator. Templates are MiniJinja text with a fixed set of variables; an unknown
//! variable is an error when saving, not an empty hole in a letter sent later.

use minijinja::{Environment, UndefinedBehavior};
use motcua_domain::account::Principal;
use motcua_domain::notification::NotificationKind;
use motcua_domain::policy::{Permission, Target, authorize};
use motcua_domain::validation::{FieldError, ValidationErrors};
use serde::Serialize;

use super::Notifications;
use crate::context::{Actor, RequestMeta};
use crate::error::AppError;
use crate::ports::NotificationTemplateRecord;

/// The variables every template may use (shown on the edit page).
pub const VARIABLES: &[(&str, &str)] = &[
    ("recipient", "Họ tên người nhận"),
    ("code", "Mã hồ sơ"),
    ("procedure", "Tên thủ tục hành chính"),
    ("procedure_code", "Mã thủ tục"),
    ("step", "Tên bước xử lý hiện tại"),
    ("agency", "Đơn vị đang xử lý"),
    ("assignee", "Người được giao xử lý (trống nếu chưa giao)"),
    ("due", "Hạn của bước (HH:MM dd/mm/yyyy)"),
    ("appointment", "Ngày hẹn trả kết quả (HH:MM dd/mm/yyyy)"),
    ("link", "Đường dẫn tới hồ sơ"),
];

const FOOTER: &str =
    "\n\n--\nThư tự động từ Hệ thống thông tin giải quyết thủ tục hành chính. Vui lòng không trả lời thư này.\n";

/// The built-in subject and body of a kind.
pub fn default_template(kind: NotificationKind) -> (&'static str, String) {
    match kind {
        NotificationKind::StepDueSoon => (
            "[Một cửa] Hồ sơ {{ code }} sắp đến hạn bước \"{{ step }}\"",
            format!(
                "Kính gửi {{{{ recipient }}}},\n\n\
                 Hồ sơ {{{{ code }}}} ({{{{ procedure }}}}) đang ở bước \"{{{{ step }}}}\" tại {{{{ agency }}}}; \
                 hạn xử lý bước này là {{{{ due }}}}.\n\n\
                 Đề nghị đồng chí hoàn thành trước thời hạn.\n\n\
                 Xem hồ sơ: {{{{ link }}}}{FOOTER}"
            ),
        ),
        NotificationKind::StepOverdue => (
            "[Một cửa] Hồ sơ {{ code }} quá hạn ở bước \"{{ step }}\"",
            format!(
                "Kính gửi {{{{ recipient }}}},\n\n\
                 Hồ sơ {{{{ code }}}} ({{{{ procedure }}}}) đã quá hạn xử lý bước \"{{{{ step }}}}\" tại {{{{ agency }}}} \
                 (hạn {{{{ due }}}}){{% if assignee %}}; người được giao: {{{{ assignee }}}}{{% endif %}}.\n\
                 Ngày hẹn trả kết quả: {{{{ appointment }}}}.\n\n\
                 Đề nghị đồng chí chỉ đạo xử lý.\n\n\
                 Xem hồ sơ: {{{{ link }}}}{FOOTER}"
            ),
        ),
        NotificationKind::AppointmentNear => (
            "[Một cửa] Hồ sơ {{ code }} sắp đến ngày hẹn trả, chưa có kết quả",
            format!(
                "Kính gửi {{{{ recipient }}}},\n\n\
                 Hồ sơ {{{{ code }}}} ({{{{ procedure }}}}) hẹn trả kết quả lúc {{{{ appointment }}}} \
                 nhưng chưa có kết quả (đang ở bước \"{{{{ step }}}}\" tại {{{{ agency }}}}).\n\n\
                 Nếu không thể trả đúng hẹn, đề nghị chuẩn bị Phiếu xin lỗi và hẹn lại ngày trả kết quả \
                 (Mẫu số 04) trình thủ trưởng cơ quan ký trước ngày hẹn.\n\n\
                 Xem hồ sơ: {{{{ link }}}}{FOOTER}"
            ),
        ),
        NotificationKind::PetitionDueSoon => (
            "[Một cửa] Phản ánh, kiến nghị {{ code }} sắp đến hạn",
            format!(
                "Kính gửi {{{{ recipient }}}},\n\n\
                 Phản ánh, kiến nghị {{{{ code }}}} tại {{{{ agency }}}} ({{{{ step }}}}) đến hạn lúc {{{{ due }}}}.\n\n\
                 Đề nghị đồng chí xử lý trước thời hạn.\n\n\
                 Xem phản ánh, kiến nghị: {{{{ link }}}}{FOOTER}"
            ),
        ),
        NotificationKind::PetitionOverdue => (
            "[Một cửa] Phản ánh, kiến nghị {{ code }} quá hạn",
            format!(
                "Kính gửi {{{{ recipient }}}},\n\n\
                 Phản ánh, kiến nghị {{{{ code }}}} tại {{{{ agency }}}} ({{{{ step }}}}) đã quá hạn \
                 (hạn {{{{ due }}}}){{% if assignee %}}; người được giao: {{{{ assignee }}}}{{% endif %}}.\n\n\
                 Đề nghị đồng chí chỉ đạo xử lý.\n\n\
                 Xem phản ánh, kiến nghị: {{{{ link }}}}{FOOTER}"
            ),
        ),
    }
}

/// What a template is filled with.
#[derive(Debug, Clone, Default, Serialize)]
pub struct TemplateContext {
    pub recipient: String,
    pub code: String,
    pub procedure: String,
    pub procedure_code: String,
    pub step: String,
    pub agency: String,
    pub assignee: String,
    pub due: String,
    pub appointment: String,
    pub link: String,
}

impl TemplateContext {
    /// Plausible values, for checking and previewing a template.
    pub fn sample() -> Self {
        Self {
            recipient: "Nguyễn Thị Bình".into(),
            code: "H99.301-261123-0001".into(),
            procedure: "Đăng ký khai sinh".into(),
            procedure_code: "1.001193".into(),
            step: "Thẩm định hồ sơ".into(),
            agency: "UBND xã An Phú".into(),
            assignee: "Trần Văn Cường".into(),
            due: "10:00 24/11/2026".into(),
            appointment: "16:30 25/11/2026".into(),
            link: "https://motcua.example.gov.vn/ho-so/H99.301-261123-0001".into(),
        }
    }
}

/// A subject and body rendered for one person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub body: String,
}

fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    // Plain text, no HTML: nothing to escape, and a runaway loop fails instead of hanging.
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::None);
    env.set_fuel(Some(200_000));
    env
}

const SUBJECT_MAX: usize = 200;
const BODY_MAX: usize = 10_000;

/// Renders a subject and a body (officials' notifications and citizens' notices alike). Errors
/// name the field and say what is wrong, in Vietnamese.
pub fn render(subject: &str, body: &str, ctx: &impl Serialize) -> Result<Rendered, ValidationErrors> {
    let env = environment();
    let mut e = ValidationErrors::new();
    let mut one = |field: &str, text: &str| match env.render_str(text, minijinja::value::Serde(ctx)) {
        Ok(s) => Some(s),
        Err(err) => {
            let line = err.line().map(|l| format!(" (dòng {l})")).unwrap_or_default();
            e.push(FieldError::new(field, "invalid_template", format!("Mẫu không hợp lệ{line}: {}", err.kind())));
            None
        }
    };
    let s = one("subject", subject);
    let b = one("body", body);
    e.into_result()?;
    let subject = s.unwrap_or_default().trim().to_owned();
    Ok(Rendered { subject, body: b.unwrap_or_default() })
}

/// Checks a template an administrator wrote: it renders with every variable, the subject is one
/// non-empty line of reasonable length.
pub fn check(subject: &str, body: &str) -> Result<(), ValidationErrors> {
    check_with(subject, body, &TemplateContext::sample())
}

/// Checks a template against the sample values of its own variables.
pub fn check_with(subject: &str, body: &str, sample: &impl Serialize) -> Result<(), ValidationErrors> {
    let mut e = ValidationErrors::new();
    if subject.trim().is_empty() {
        e.push(FieldError::new("subject", "required", "Nhập tiêu đề."));
    } else if subject.contains(['\n', '\r']) {
        e.push(FieldError::new("subject", "invalid_value", "Tiêu đề chỉ gồm một dòng."));
    } else if subject.chars().count() > SUBJECT_MAX {
        e.push(FieldError::new("subject", "too_long", format!("Tiêu đề tối đa {SUBJECT_MAX} ký tự.")));
    }
    if body.trim().is_empty() {
        e.push(FieldError::new("body", "required", "Nhập nội dung."));
    } else if body.chars().count() > BODY_MAX {
        e.push(FieldError::new("body", "too_long", format!("Nội dung tối đa {BODY_MAX} ký tự.")));
    }
    e.into_result()?;
    let r = render(subject, body, sample)?;
    if r.subject.is_empty() {
        return Err(ValidationErrors::single(FieldError::new(
            "subject",
            "invalid_value",
            "Tiêu đề sau khi điền dữ liệu bị trống.",
        )));
    }
    Ok(())
}

/// The wording in force for a kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NotificationTemplate {
    pub kind: NotificationKind,
    pub subject: String,
    pub body: String,
    /// `None`: the built-in wording.
    pub version: Option<i64>,
    pub updated_by: Option<String>,
    pub updated_at: Option<jiff::Timestamp>,
}

impl NotificationTemplate {
    fn builtin(kind: NotificationKind) -> Self {
        let (subject, body) = default_template(kind);
        Self { kind, subject: subject.to_owned(), body, version: None, updated_by: None, updated_at: None }
    }

    pub fn is_builtin(&self) -> bool {
        self.version.is_none()
    }
}

/// Every kind's template in force, from the stored replacements over the built-ins.
pub(crate) fn effective(stored: Vec<NotificationTemplateRecord>) -> Vec<NotificationTemplate> {
    NotificationKind::ALL
        .into_iter()
        .map(|kind| match stored.iter().find(|r| r.kind == kind.as_str()) {
            Some(r) => NotificationTemplate {
                kind,
                subject: r.subject.clone(),
                body: r.body.clone(),
                version: Some(r.version),
                updated_by: Some(r.updated_by.clone()),
                updated_at: Some(r.updated_at),
            },
            None => NotificationTemplate::builtin(kind),
        })
        .collect()
}

fn parse_kind(kind: &str) -> Result<NotificationKind, AppError> {
    NotificationKind::parse(kind).ok_or(AppError::NotFound("mẫu thông báo"))
}

impl Notifications {
    fn template_grant<'p>(&self, principal: &'p Principal) -> Result<&'p motcua_domain::account::Grant, AppError> {
        // One wording for the whole installation: only the province's administrators edit it.
        Ok(authorize(principal, Permission::OperateSystem, Target::System)?)
    }

    pub(crate) async fn templates_in_force(&self) -> Result<Vec<NotificationTemplate>, AppError> {
        Ok(effective(self.core.store.notification_templates().await?))
    }

    pub async fn notification_templates(&self, principal: &Principal) -> Result<Vec<NotificationTemplate>, AppError> {
        self.template_grant(principal)?;
        self.templates_in_force().await
    }

    pub async fn notification_template(
        &self,
        principal: &Principal,
        kind: &str,
    ) -> Result<NotificationTemplate, AppError> {
        self.template_grant(principal)?;
        let kind = parse_kind(kind)?;
        let all = self.templates_in_force().await?;
        all.into_iter().find(|t| t.kind == kind).ok_or(AppError::NotFound("mẫu thông báo"))
    }

    /// Replaces a kind's wording. `version` is the version edited (`None` when editing the
    /// built-in wording); a stale version is a conflict.
    pub async fn save_notification_template(
        &self,
        principal: &Principal,
        kind: &str,
        subject: &str,
        body: &str,
        version: Option<i64>,
        meta: &RequestMeta,
    ) -> Result<NotificationTemplate, AppError> {
        let grant = self.template_grant(principal)?;
        let kind = parse_kind(kind)?;
        let body = body.replace("\r\n", "\n");
        check(subject, &body)?;
        let now = self.core.now();
        let record = NotificationTemplateRecord {
            kind: kind.as_str().to_owned(),
            subject: subject.trim().to_owned(),
            body,
            version: 0,
            updated_by: principal.username.as_str().to_owned(),
            updated_at: now,
        };
        let mut tx = self.core.store.begin().await?;
        let new_version =
            tx.save_notification_template(&record, version).await?.ok_or_else(|| AppError::stale("Mẫu thông báo"))?;
        let event = Actor::Official { principal, grant: Some(grant) }
            .did("notification_template.save")
            .on("notification_template", kind.as_str().to_owned())
            .detail(format!("phiên bản {new_version}"))
            .event(meta, now);
        self.core.commit_audited(tx, event, meta).await?;
        Ok(NotificationTemplate {
            kind,
            subject: record.subject,
            body: record.body,
            version: Some(new_version),
            updated_by: Some(record.updated_by),
            updated_at: Some(now),
        })
    }

    /// Goes back to the built-in wording.
    pub async fn reset_notification_template(
        &self,
        principal: &Principal,
        kind: &str,
        version: i64,
        meta: &RequestMeta,
    ) -> Result<(), AppError> {
        let grant = self.template_grant(principal)?;
        let kind = parse_kind(kind)?;
        let mut tx = self.core.store.begin().await?;
        if !tx.delete_notification_template(kind.as_str(), version).await? {
            return Err(AppError::stale("Mẫu thông báo"));
        }
        let event = Actor::Official { principal, grant: Some(grant) }
            .did("notification_template.reset")
            .on("notification_template", kind.as_str().to_owned())
            .event(meta, self.core.now());
        self.core.commit_audited(tx, event, meta).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_template_passes_its_own_check_and_uses_the_code_and_link() {
        for kind in NotificationKind::ALL {
            let (s, b) = default_template(kind);
            check(s, &b).unwrap_or_else(|e| panic!("{kind:?}: {e}"));
            let r = render(s, &b, &TemplateContext::sample()).unwrap();
            assert!(r.subject.contains("H99.301-261123-0001"), "{kind:?}: {}", r.subject);
            assert!(r.body.contains("https://motcua.example.gov.vn/ho-so/H99.301-261123-0001"), "{kind:?}");
            assert!(r.body.starts_with("Kính gửi Nguyễn Thị Bình,"), "{kind:?}");
            assert!(!r.body.contains("{{") && !r.body.contains("{%"), "{kind:?}");
        }
    }

    #[test]
    fn overdue_names_the_assignee_only_when_there_is_one() {
        let (s, b) = default_template(NotificationKind::StepOverdue);
        let with = render(s, &b, &TemplateContext::sample()).unwrap();
        assert!(with.body.contains("người được giao: Trần Văn Cường"));
        let without = render(s, &b, &TemplateContext { assignee: String::new(), ..TemplateContext::sample() }).unwrap();
        assert!(!without.body.contains("người được giao"));
    }

    #[test]
    fn bad_templates_are_refused_with_the_field_and_a_reason() {
        let e = check("Hồ sơ {{ ma_ho_so }}", "Nội dung").unwrap_err();
        assert_eq!(e.errors[0].field, "subject");
        assert_eq!(e.errors[0].code, "invalid_template");
        let e = check("Tiêu đề", "{% if code %}không đóng").unwrap_err();
        assert_eq!(e.errors[0].field, "body");
        assert!(e.errors[0].message.contains("dòng 1"), "{}", e.errors[0].message);
        assert_eq!(check("", "x").unwrap_err().errors[0].code, "required");
        assert_eq!(check("a\nb", "x").unwrap_err().errors[0].code, "invalid_value");
        assert_eq!(check(&"a".repeat(201), "x").unwrap_err().errors[0].code, "too_long");
        assert_eq!(check("{{ '' }}", "x").unwrap_err().errors[0].code, "invalid_value");
        // A runaway loop runs out of fuel instead of hanging.
        let e = check("x", "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}");
        assert!(e.is_err());
    }

    #[test]
    fn stored_templates_replace_the_builtins_kind_by_kind() {
        let stored = vec![NotificationTemplateRecord {
            kind: "step_overdue".into(),
            subject: "Quá hạn {{ code }}".into(),
            body: "b".into(),
            version: 3,
            updated_by: "admin".into(),
            updated_at: jiff::Timestamp::UNIX_EPOCH,
        }];
        let all = effective(stored);
        assert_eq!(all.len(), NotificationKind::ALL.len());
        let overdue = all.iter().find(|t| t.kind == NotificationKind::StepOverdue).unwrap();
        assert_eq!((overdue.subject.as_str(), overdue.version), ("Quá hạn {{ code }}", Some(3)));
        assert!(all.iter().filter(|t| t.kind != NotificationKind::StepOverdue).all(NotificationTemplate::is_builtin));
    }
}
