//! One error path for the whole HTTP layer.
//!
//! API routes answer with one JSON shape — a stable snake_case `code`, a Vietnamese `message`,
//! per-field errors and the request id — and pages answer with an HTML error page. Internal
//! details are logged, never returned.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use motcua_app::{AppError, StoreError};
use motcua_domain::policy::Denied;
use motcua_domain::time::format_datetime;
use motcua_domain::validation::{FieldError, ValidationErrors};
use serde::Serialize;
use utoipa::ToSchema;

/// The body of every API error.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Stable machine-readable reason, e.g. `validation_failed`, `forbidden`, `not_found`.
    pub code: String,
    /// Explanation in Vietnamese.
    pub message: String,
    /// Problems with individual fields, when the input was invalid.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldErrorBody>,
    /// Id of the request, also in the `x-request-id` header and the server log.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// For `illegal_transition`: the dossier's national status code (1–10)…
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u8>,
    /// …and the actions that status allows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_actions: Option<Vec<String>>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FieldErrorBody {
    pub field: String,
    pub code: String,
    pub message: String,
}

impl From<&FieldError> for FieldErrorBody {
    fn from(e: &FieldError) -> Self {
        Self { field: e.field.clone(), code: e.code.clone(), message: e.message.clone() }
    }
}

/// An HTTP error, rendered as JSON or HTML depending on where it happens.
#[derive(Debug, Clone)]
pub struct HttpError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub fields: Vec<FieldError>,
    pub retry_after: Option<u64>,
    /// Current status and allowed actions of a refused dossier action.
    pub transition: Option<(u8, Vec<&'static str>)>,
}

impl HttpError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self { status, code, message: message.into(), fields: vec![], retry_after: None, transition: None }
    }

    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", "Không tìm thấy trang hoặc tài nguyên được yêu cầu.")
    }

    pub fn unauthenticated() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthenticated", "Cần đăng nhập hoặc khóa API hợp lệ.")
    }

    pub fn forbidden() -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", "Bạn không có quyền thực hiện thao tác này.")
    }

    pub fn csrf() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "csrf_failed",
            "Yêu cầu không kèm mã xác thực phiên hợp lệ (CSRF); hãy tải lại trang và thử lại.",
        )
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    pub fn internal() -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal_error", "Lỗi hệ thống; vui lòng thử lại sau.")
    }

    pub fn rate_limited(retry_after: u64) -> Self {
        Self {
            retry_after: Some(retry_after),
            ..Self::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                "Quá nhiều yêu cầu; vui lòng thử lại sau ít phút.",
            )
        }
    }

    pub fn body(&self, request_id: Option<String>) -> ErrorBody {
        ErrorBody {
            code: self.code.to_owned(),
            message: self.message.clone(),
            fields: self.fields.iter().map(FieldErrorBody::from).collect(),
            request_id,
            status: self.transition.as_ref().map(|(s, _)| *s),
            allowed_actions: self.transition.as_ref().map(|(_, a)| a.iter().map(|x| (*x).to_owned()).collect()),
        }
    }
}

impl From<ValidationErrors> for HttpError {
    fn from(e: ValidationErrors) -> Self {
        Self {
            fields: e.errors,
            ..Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                "Dữ liệu không hợp lệ; xem lỗi của từng trường.",
            )
        }
    }
}

impl From<AppError> for HttpError {
    fn from(e: AppError) -> Self {
        match e {
            AppError::Validation(v) => v.into(),
            AppError::Unauthenticated => Self::unauthenticated(),
            AppError::InvalidCredentials => {
                Self::new(StatusCode::UNAUTHORIZED, "invalid_credentials", "Tên đăng nhập hoặc mật khẩu không đúng.")
            }
            AppError::AccountLocked { until } => Self::new(
                StatusCode::LOCKED,
                "account_locked",
                format!(
                    "Tài khoản tạm khóa do đăng nhập sai nhiều lần; thử lại sau {} hoặc liên hệ quản trị.",
                    format_datetime(until)
                ),
            ),
            AppError::Forbidden(Denied::MissingPermission) => Self::forbidden(),
            AppError::Forbidden(Denied::OutOfScope) => Self::new(
                StatusCode::FORBIDDEN,
                "out_of_scope",
                "Đối tượng nằm ngoài phạm vi đơn vị bạn được phân quyền.",
            ),
            AppError::Forbidden(Denied::OwnRequest) => Self::new(
                StatusCode::FORBIDDEN,
                "own_request",
                "Người đề nghị đính chính không tự duyệt đề nghị của mình; cần một lãnh đạo khác duyệt.",
            ),
            AppError::NotFound(what) => {
                Self::new(StatusCode::NOT_FOUND, "not_found", format!("Không tìm thấy {what}."))
            }
            AppError::Conflict { code, message, field } => Self {
                fields: field.map(|f| vec![FieldError::new(f, code, message.clone())]).unwrap_or_default(),
                ..Self::new(StatusCode::CONFLICT, code, message)
            },
            AppError::IllegalTransition { message, status, allowed } => Self {
                transition: Some((status, allowed)),
                ..Self::new(StatusCode::CONFLICT, "illegal_transition", message)
            },
            AppError::RateLimited => Self::rate_limited(60),
            AppError::Store(StoreError::Duplicate { key }) => motcua_app::error::duplicate_conflict(&key).into(),
            AppError::Store(StoreError::MissingReference) => Self::new(
                StatusCode::CONFLICT,
                "missing_reference",
                "Dữ liệu được tham chiếu vừa bị xóa hoặc không tồn tại; hãy tải lại và thực hiện lại.",
            ),
            AppError::Store(err) => {
                tracing::error!(error = %err, "store failure");
                Self::internal()
            }
            AppError::Internal(err) => {
                tracing::error!(error = format!("{err:#}"), "internal failure");
                Self::internal()
            }
        }
    }
}

/// The error of an API route: JSON body.
#[derive(Debug)]
pub struct ApiError(pub HttpError);

impl<E: Into<HttpError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let e = self.0;
        let mut resp = (e.status, axum::Json(e.body(crate::request_id::current_request_id()))).into_response();
        if let Some(secs) = e.retry_after
            && let Ok(v) = HeaderValue::from_str(&secs.to_string())
        {
            resp.headers_mut().insert(header::RETRY_AFTER, v);
        }
        resp.extensions_mut().insert(e);
        resp
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// Bad query parameters are a 400 that names the parameter and says what is wrong with it.
pub(crate) fn query_error(e: motcua_app::AppError) -> HttpError {
    match e {
        motcua_app::AppError::Validation(v) => {
            let message = v.errors.iter().map(|f| format!("{}: {}", f.field, f.message)).collect::<Vec<_>>().join(" ");
            HttpError { fields: v.errors, ..HttpError::bad_request("invalid_query", message) }
        }
        other => other.into(),
    }
}
