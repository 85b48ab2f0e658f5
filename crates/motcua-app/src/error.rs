//! Errors of the use cases and of the store port.

use jiff::Timestamp;
use motcua_domain::policy::Denied;
use motcua_domain::validation::{FieldError, ValidationErrors};

/// Failures of a store implementation, reduced to what callers can act on.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A uniqueness rule was violated. `key` names it as `table.column`.
    #[error("duplicate value for {key}")]
    Duplicate { key: String },
    /// A referenced row does not exist (foreign key).
    #[error("referenced row does not exist")]
    MissingReference,
    /// The database is unreachable or failed; details are in the log, not in responses.
    #[error("database error: {0}")]
    Backend(String),
}

impl StoreError {
    pub fn backend(e: impl std::fmt::Display) -> Self {
        StoreError::Backend(e.to_string())
    }
}

/// How a violated uniqueness rule is told to the caller: a conflict naming the field it
/// concerns. One place for every rule of the schema, so a race that reaches the database
/// (two requests creating the same code at once) answers 409 like the check before it would
/// have, never 500; a rule without its own wording still gets the general one.
pub fn duplicate_conflict(key: &str) -> AppError {
    let (field, code, message): (Option<&str>, &'static str, &str) = match key {
        "agencies.code" => (Some("code"), "duplicate_code", "Mã định danh này đã được dùng cho một cơ quan khác."),
        "users.username" => (Some("username"), "duplicate_username", "Tên đăng nhập đã tồn tại."),
        "procedures.code" => (Some("code"), "duplicate_code", "Đã có thủ tục với mã này."),
        "dossier_events.client_txn_id" => {
            (Some("client_txn_id"), "client_txn_id_used", "Mã giao dịch này đã được dùng cho một yêu cầu khác.")
        }
        k if k.starts_with("workflows.procedure_code") => (
            Some("procedure"),
            "duplicate_workflow",
            "Đã có quy trình cho thủ tục, trường hợp và cơ quan này; hãy sửa quy trình đó.",
        ),
        k if k.starts_with("procedure_versions.") || k.starts_with("agency_revisions.") => {
            (None, "stale_version", "Dữ liệu vừa được người khác thay đổi; hãy tải lại và thực hiện lại.")
        }
        k if k.starts_with("dossier_events.")
            || k.starts_with("dossiers.")
            || k.starts_with("dossier_code_counters.") =>
        {
            (None, "stale_version", "Hồ sơ vừa được người khác thay đổi; hãy tải lại và thực hiện lại.")
        }
        _ => (None, "duplicate", "Dữ liệu này vừa được ghi bởi một yêu cầu khác; hãy tải lại và thực hiện lại."),
    };
    AppError::Conflict { code, message: message.into(), field: field.map(Into::into) }
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Validation(#[from] ValidationErrors),
    #[error("chưa đăng nhập")]
    Unauthenticated,
    #[error("tên đăng nhập hoặc mật khẩu không đúng")]
    InvalidCredentials,
    #[error("tài khoản tạm khóa")]
    AccountLocked { until: Timestamp },
    #[error(transparent)]
    Forbidden(#[from] Denied),
    #[error("không tìm thấy {0}")]
    NotFound(&'static str),
    /// The request conflicts with the current state (stale version, duplicate code…).
    #[error("{message}")]
    Conflict { code: &'static str, message: String, field: Option<String> },
    /// The dossier's status does not allow the action; names the status and what it allows.
    #[error("{message}")]
    IllegalTransition { message: String, status: u8, allowed: Vec<&'static str> },
    #[error("quá nhiều yêu cầu")]
    RateLimited,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl AppError {
    pub fn field(field: &str, code: &str, message: impl Into<String>) -> Self {
        AppError::Validation(ValidationErrors::single(FieldError::new(field, code, message)))
    }

    pub fn stale(what: &str) -> Self {
        AppError::Conflict {
            code: "stale_version",
            message: format!("{what} đã được người khác thay đổi; hãy tải lại và thực hiện lại."),
            field: None,
        }
    }
}
