//! What every page shares: the layout the base template reads (title, navigation, flash
//! message), the signed-in official it is drawn for, the error page and form errors.

use askama::Template;
use motcua_domain::account::Principal;
use motcua_domain::policy::{Permission, Target, authorize, scopes};

use crate::error::HttpError;

/// An official signed in through the browser.
#[derive(Debug, Clone)]
pub struct PageUser {
    pub principal: Principal,
    pub session_token: String,
    pub csrf: String,
    pub must_change_password: bool,
    /// Unread notifications, for the navigation.
    pub unread: i64,
}

/// What the header shows for a signed-in official.
pub struct NavUser {
    pub full_name: String,
    pub username: String,
    pub csrf: String,
    pub can_agencies: bool,
    pub can_users: bool,
    pub can_audit: bool,
    pub can_jobs: bool,
    pub can_catalog: bool,
    /// Catalogue managers of any scope define workflows (their agencies' own).
    pub can_workflows: bool,
    pub can_dossiers: bool,
    pub can_templates: bool,
    pub can_petitions: bool,
    pub unread: i64,
}

pub struct Layout {
    pub title: String,
    pub user: Option<NavUser>,
    pub flash: Option<String>,
    pub request_id: String,
    /// Reload the page after this many seconds (progress pages; works without JavaScript).
    pub refresh: Option<u32>,
}

impl Layout {
    pub fn new(title: impl Into<String>, user: Option<&PageUser>) -> Self {
        Self {
            title: title.into(),
            user: user.map(|u| nav_user(&u.principal, &u.csrf, u.unread)),
            flash: None,
            request_id: crate::request_id::current_request_id().unwrap_or_default(),
            refresh: None,
        }
    }

    /// Adds the confirmation message named by `?msg=` after a redirect.
    pub fn with_flash(mut self, key: Option<&str>) -> Self {
        self.flash = key.and_then(flash_message).map(str::to_owned);
        self
    }

    pub fn csrf(&self) -> &str {
        self.user.as_ref().map(|u| u.csrf.as_str()).unwrap_or_default()
    }
}

fn nav_user(p: &Principal, csrf: &str, unread: i64) -> NavUser {
    NavUser {
        full_name: p.full_name.clone(),
        username: p.username.to_string(),
        csrf: csrf.to_owned(),
        can_agencies: !scopes(p, Permission::ViewAgencies).is_empty(),
        can_users: !scopes(p, Permission::ViewUsers).is_empty(),
        can_audit: !scopes(p, Permission::ViewAudit).is_empty(),
        can_jobs: authorize(p, Permission::OperateSystem, Target::System).is_ok(),
        can_catalog: authorize(p, Permission::ManageCatalog, Target::System).is_ok(),
        can_workflows: !scopes(p, Permission::ManageCatalog).is_empty(),
        can_dossiers: !scopes(p, Permission::ViewDossiers).is_empty(),
        can_templates: authorize(p, Permission::OperateSystem, Target::System).is_ok(),
        can_petitions: !scopes(p, Permission::ViewPetitions).is_empty()
            || !motcua_domain::policy::unit_parents(p, Permission::ViewPetitions).is_empty(),
        unread,
    }
}

/// Confirmations shown after post/redirect/get, by key, so no text travels in URLs.
fn flash_message(key: &str) -> Option<&'static str> {
    if let Some(action) = key.strip_prefix("petition_") {
        return petition_message(action);
    }
    if let Some(action) = key.strip_prefix("done_") {
        return motcua_domain::dossier::ActionKind::parse(action).map(done_message);
    }
    Some(match key {
        "agency_created" => "Đã thêm cơ quan.",
        "agency_saved" => "Đã lưu thay đổi của cơ quan.",
        "agency_deactivated" => "Đã ngừng hoạt động cơ quan.",
        "agency_activated" => "Đã khôi phục hoạt động của cơ quan.",
        "user_saved" => "Đã lưu thông tin tài khoản.",
        "grants_saved" => "Đã lưu phân quyền.",
        "password_changed" => "Đã đổi mật khẩu. Các phiên đăng nhập khác đã kết thúc.",
        "token_revoked" => "Đã thu hồi khóa API.",
        "job_retried" => "Đã đưa tác vụ vào hàng đợi để chạy lại.",
        "calendar_saved" => "Đã lưu lịch nghỉ của năm; phiên bản cũ vẫn được lưu trong lịch sử.",
        "calendar_reset" => "Đã đưa năm về lịch theo thông báo/quy định mặc định.",
        "schedule_saved" => "Đã lưu giờ làm việc của cơ quan.",
        "schedule_reset" => "Cơ quan đã dùng lại giờ làm việc của cấp trên.",
        "logged_out" => "Đã đăng xuất.",
        "procedure_created" => "Đã tạo thủ tục với bản nháp phiên bản 1.",
        "draft_saved" => "Đã lưu bản nháp.",
        "procedure_published" => "Đã công bố phiên bản; phiên bản trước vẫn được lưu và xem được.",
        "amendment_started" => "Đã tạo bản nháp sửa đổi từ phiên bản đang áp dụng.",
        "draft_discarded" => "Đã xóa bản nháp.",
        "procedure_ended" => "Đã ghi nhận quyết định bãi bỏ/thay thế thủ tục.",
        "form_attached" => "Đã đính kèm biểu mẫu vào bản nháp.",
        "agency_catalog_saved" => "Đã lưu danh mục thủ tục của cơ quan.",
        "dossier_received" => "Đã ghi nhận hồ sơ.",
        "dossier_action_done" => "Đã thực hiện thao tác trên hồ sơ.",
        "notifications_read" => "Đã đánh dấu tất cả thông báo là đã đọc.",
        "notice_template_saved" => "Đã lưu mẫu thông báo cho người dân; các thông báo từ nay dùng mẫu mới.",
        "notice_template_reset" => "Đã bỏ mẫu riêng; cơ quan dùng lại mẫu của cấp trên hoặc mẫu mặc định.",
        "template_saved" => "Đã lưu mẫu thông báo; các thông báo từ nay dùng mẫu mới.",
        "template_reset" => "Đã trở lại mẫu thông báo mặc định.",
        "targets_saved" => "Đã lưu chỉ tiêu năm.",
        _ => return None,
    })
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub layout: Layout,
    pub status: u16,
    pub message: String,
    pub fields: Vec<String>,
}

impl ErrorPage {
    /// The same page under the staff header of a signed-in official.
    pub fn for_user(mut self, user: &PageUser) -> Self {
        let title = std::mem::take(&mut self.layout.title);
        self.layout = Layout::new(title, Some(user));
        self
    }

    pub fn new(e: &HttpError) -> Self {
        let title = match e.status.as_u16() {
            401 => "Cần đăng nhập",
            403 => "Không có quyền",
            404 => "Không tìm thấy",
            409 => "Xung đột dữ liệu",
            413 => "Dữ liệu quá lớn",
            422 => "Dữ liệu không hợp lệ",
            423 => "Tài khoản tạm khóa",
            429 => "Quá nhiều yêu cầu",
            s if s >= 500 => "Lỗi hệ thống",
            _ => "Yêu cầu không hợp lệ",
        };
        Self {
            layout: Layout::new(title, None),
            status: e.status.as_u16(),
            message: e.message.clone(),
            fields: e.fields.iter().map(|f| format!("{}: {}", f.field, f.message)).collect(),
        }
    }
}

/// Field errors of a form, looked up by field name in templates.
#[derive(Default)]
pub struct FormErrors {
    pub general: Option<String>,
    pub fields: Vec<(String, String)>,
}

impl FormErrors {
    pub fn from_http(e: &HttpError) -> Self {
        let fields: Vec<(String, String)> = e.fields.iter().map(|f| (f.field.clone(), f.message.clone())).collect();
        Self { general: Some(e.message.clone()), fields }
    }

    pub fn get(&self, field: &str) -> &str {
        self.fields.iter().find(|(f, _)| f == field).map(|(_, m)| m.as_str()).unwrap_or_default()
    }

    /// Messages for fields the form has no slot for (e.g. `grants[2].role`).
    pub fn other(&self, known: &[&str]) -> Vec<String> {
        self.fields.iter().filter(|(f, _)| !known.contains(&f.as_str())).map(|(f, m)| format!("{f}: {m}")).collect()
    }
}

/// What a petition action did, said after it.
fn petition_message(action: &str) -> Option<&'static str> {
    Some(match action {
        "recorded" => "Đã ghi nhận phản ánh, kiến nghị.",
        "deadlines" => "Đã lưu thời hạn; áp dụng cho phản ánh, kiến nghị bắt đầu tính hạn từ bây giờ.",
        "assign" => "Đã phân loại và giao người xử lý.",
        "request_info" => "Đã ghi nhận đề nghị bổ sung thông tin; thời hạn trả lời tạm dừng.",
        "receive_info" => "Đã ghi nhận thông tin bổ sung; thời hạn trả lời tính tiếp.",
        "forward" => "Đã chuyển tới cơ quan có thẩm quyền.",
        "draft" => "Đã trình dự thảo trả lời.",
        "return_draft" => "Đã trả lại dự thảo.",
        "approve" => "Đã duyệt trả lời; hãy công khai trong thời hạn.",
        "publish" => "Đã công khai trả lời.",
        "refuse" => "Đã từ chối tiếp nhận.",
        _ => return None,
    })
}

/// What an action did, said after it (the dossier page's confirmation).
fn done_message(action: motcua_domain::dossier::ActionKind) -> &'static str {
    use motcua_domain::dossier::ActionKind::*;
    match action {
        Accept => "Đã tiếp nhận hồ sơ.",
        RequestSupplement => "Đã gửi yêu cầu bổ sung hồ sơ.",
        ReceiveSupplement => "Đã nhận hồ sơ bổ sung; thời gian giải quyết được tính tiếp.",
        Refuse => "Đã từ chối tiếp nhận hồ sơ.",
        Assign => "Đã phân công người xử lý.",
        Forward => "Đã chuyển hồ sơ sang bước tiếp theo.",
        SendBack => "Đã trả hồ sơ về bước trước.",
        Consult => "Đã gửi đề nghị lấy ý kiến.",
        AnswerConsultation => "Đã ghi nhận ý kiến trả lời.",
        RequestPayment => "Đã gửi yêu cầu nộp phí, lệ phí.",
        ReceivePayment => "Đã xác nhận người nộp đã nộp phí, lệ phí.",
        Approve => "Đã phê duyệt hồ sơ; hồ sơ chuyển sang ban hành kết quả.",
        Reject => "Đã ghi nhận không phê duyệt; hồ sơ chuyển sang ban hành văn bản trả lời.",
        IssueResult => "Đã ban hành kết quả.",
        ReturnResult => "Đã trả kết quả cho người nộp.",
        RequestWithdrawal => "Đã ghi nhận yêu cầu rút hồ sơ.",
        Stop => "Đã dừng xử lý hồ sơ.",
        Extend => "Đã gia hạn và ban hành phiếu xin lỗi, hẹn lại ngày trả kết quả.",
        RequestCorrection => "Đã gửi đề nghị đính chính.",
        ApproveCorrection => "Đã duyệt đính chính.",
        RejectCorrection => "Đã không duyệt đính chính.",
    }
}
