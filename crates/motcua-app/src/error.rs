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
