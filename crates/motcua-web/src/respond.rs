//! Response helpers: errors as JSON or pages, rendering templates, and extractors whose
//! rejections use our error shape.

use askama::Template;
use axum::extract::rejection::{FormRejection, JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use motcua_domain::validation::NonBlank;
use serde::de::DeserializeOwned;

use crate::error::{ApiError, HttpError};
use crate::pages::{ErrorPage, FormErrors};

/// Whether a path is the JSON API's (errors answer in JSON) rather than a page's (HTML).
pub(crate) fn is_api(path: &str) -> bool {
    path.starts_with("/api/")
}

/// The error as JSON (API) or as an HTML page.
pub fn error_response(api: bool, e: HttpError) -> Response {
    if api {
        return ApiError(e).into_response();
    }
    let mut resp = render_status(e.status, &ErrorPage::new(&e));
    resp.extensions_mut().insert(PlainErrorPage);
    if let Some(secs) = e.retry_after
        && let Ok(v) = HeaderValue::from_str(&secs.to_string())
    {
        resp.headers_mut().insert(header::RETRY_AFTER, v);
    }
    resp.extensions_mut().insert(e);
    resp
}

/// Marks a response that is the bare error page (not a form sent back with its errors).
#[derive(Clone, Copy)]
struct PlainErrorPage;

/// An error page seen by a signed-in official keeps the staff header (their menu, their name),
/// whether the error came from a handler, an extractor or the router's fallback.
pub async fn staff_error_pages(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let user = crate::auth::session_user(req.extensions());
    let resp = next.run(req).await;
    let (Some(user), Some(e)) = (user, resp.extensions().get::<HttpError>().cloned()) else { return resp };
    if resp.extensions().get::<PlainErrorPage>().is_none() {
        return resp;
    }
    let Ok(html) = ErrorPage::new(&e).for_user(&user).render() else { return resp };
    let (mut parts, _) = resp.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, axum::body::Body::from(html))
}

/// Renders a page with status 200.
pub fn render(t: &impl Template) -> Response {
    render_status(StatusCode::OK, t)
}

pub fn render_status(status: StatusCode, t: &impl Template) -> Response {
    match t.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template rendering failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "Lỗi hiển thị trang.").into_response()
        }
    }
}

/// Page handlers' error: rendered as the HTML error page.
#[derive(Debug)]
pub struct PageError(pub HttpError);

impl<E: Into<HttpError>> From<E> for PageError {
    fn from(e: E) -> Self {
        PageError(e.into())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        error_response(false, self.0)
    }
}

pub type PageResult = Result<Response, PageError>;

fn json_rejection(r: JsonRejection) -> HttpError {
    match r {
        JsonRejection::MissingJsonContentType(_) => HttpError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "Cần gửi dữ liệu JSON với Content-Type: application/json.",
        ),
        JsonRejection::JsonSyntaxError(_) => HttpError::bad_request("invalid_json", "Dữ liệu JSON sai cú pháp."),
        JsonRejection::JsonDataError(e) => HttpError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
            format!("Dữ liệu JSON không đúng cấu trúc: {}", e.body_text()),
        ),
        JsonRejection::BytesRejection(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            HttpError::new(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", "Dữ liệu gửi lên quá lớn.")
        }
        other => HttpError::bad_request("invalid_body", other.body_text()),
    }
}

/// `axum::Json` with our error shape.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        axum::Json::<T>::from_request(req, state).await.map(|j| ApiJson(j.0)).map_err(|r| ApiError(json_rejection(r)))
    }
}

/// `axum::extract::Query` with our error shape.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state).await.map(|q| ApiQuery(q.0)).map_err(
            |r: QueryRejection| {
                ApiError(HttpError::bad_request(
                    "invalid_query",
                    format!("Tham số truy vấn không hợp lệ: {}", r.body_text()),
                ))
            },
        )
    }
}

/// `axum::extract::Path` with our error shape; a malformed id is simply "not found".
pub struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| ApiPath(p.0))
            .map_err(|_: PathRejection| ApiError(HttpError::not_found()))
    }
}

/// Path extractor for pages.
pub struct PagePath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for PagePath<T> {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| PagePath(p.0))
            .map_err(|_: PathRejection| PageError(HttpError::not_found()))
    }
}

/// Form body as ordered `(name, value)` pairs; repeated names (grant rows) keep their order.
pub struct FormPairs(pub Vec<(String, String)>);

impl FormPairs {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0.iter().filter(|(k, _)| k == name).map(|(_, v)| v.as_str()).collect()
    }

    /// Trimmed, empty as `None`.
    pub fn opt(&self, name: &str) -> Option<String> {
        self.get(name).non_blank().map(str::to_owned)
    }

    pub fn text(&self, name: &str) -> String {
        self.get(name).unwrap_or_default().to_owned()
    }

    /// An integer field; missing or malformed counts as 0, which no version or id matches.
    pub fn int(&self, name: &str) -> i64 {
        self.get(name).and_then(|v| v.trim().parse().ok()).unwrap_or(0)
    }

    pub fn checked(&self, name: &str) -> bool {
        self.get(name).is_some_and(|v| matches!(v, "on" | "true" | "1"))
    }
}

impl<S: Send + Sync> FromRequest<S> for FormPairs {
    type Rejection = PageError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        axum::Form::<Vec<(String, String)>>::from_request(req, state).await.map(|f| FormPairs(f.0)).map_err(
            |r: FormRejection| {
                if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    PageError(HttpError::new(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        "payload_too_large",
                        "Dữ liệu gửi lên quá lớn.",
                    ))
                } else {
                    PageError(HttpError::bad_request("invalid_form", "Biểu mẫu gửi lên không hợp lệ."))
                }
            },
        )
    }
}

/// A use case's error that a form shows next to its fields; server failures go to the error
/// page instead.
pub fn form_error(e: impl Into<HttpError>) -> Result<HttpError, PageError> {
    let e = e.into();
    // A refusal goes to the error page, never back to a form that shows the object: who was
    // refused learns nothing but the refusal.
    let refused = matches!(e.status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN | StatusCode::NOT_FOUND);
    if e.status.is_server_error() || refused { Err(PageError(e)) } else { Ok(e) }
}

/// Post/redirect/get for a form: success redirects to `to(value)`; an error the user can fix
/// re-renders the form that `page` builds around the errors, with the error's status; server
/// faults go to the error page.
pub async fn redirect_or_form<T, P: Template, E>(
    result: Result<T, impl Into<HttpError>>,
    to: impl FnOnce(T) -> String,
    page: impl AsyncFnOnce(FormErrors) -> Result<P, E>,
) -> PageResult
where
    PageError: From<E>,
{
    match result {
        Ok(value) => Ok(Redirect::to(&to(value)).into_response()),
        Err(e) => {
            let e = form_error(e)?;
            let p = page(FormErrors::from_http(&e)).await?;
            Ok(render_form_error(e, &p))
        }
    }
}

/// Re-renders a form with the error's status, keeping the error for the audit log.
pub fn render_form_error(e: HttpError, page: &impl Template) -> Response {
    let mut resp = render_status(e.status, page);
    resp.extensions_mut().insert(e);
    resp
}

/// A generated PDF: shown in the browser (`inline`) or downloaded, never cached (it holds
/// personal data).
pub fn pdf_response(pdf: motcua_app::dossiers::FormPdf, inline: bool) -> Response {
    let disposition = format!("{}; filename=\"{}\"", if inline { "inline" } else { "attachment" }, pdf.file_name);
    (
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        pdf.bytes,
    )
        .into_response()
}

/// The address people reach this server at, for links printed on paper (the receipt's QR):
/// the configured public URL, else the request's host.
pub fn base_url(state: &crate::state::AppState, headers: &axum::http::HeaderMap) -> String {
    if let Some(u) = state.config.public_url.as_deref() {
        return u.trim_end_matches('/').to_owned();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| h.bytes().all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b)))
        .unwrap_or("localhost");
    format!("http://{host}")
}

/// `axum::extract::Multipart` answering a malformed form (wrong type, no boundary) with our
/// error shape, as JSON on the API and as the error page on pages.
pub struct Upload(pub axum::extract::Multipart);

impl<S: Send + Sync> FromRequest<S> for Upload {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let api = is_api(req.uri().path());
        axum::extract::Multipart::from_request(req, state).await.map(Upload).map_err(|_| {
            error_response(
                api,
                HttpError::bad_request("invalid_form", "Gửi tệp bằng biểu mẫu multipart/form-data (có boundary)."),
            )
        })
    }
}

/// A file of a multipart form.
pub struct UploadedFile {
    pub file_name: String,
    /// What the browser claims; use cases sniff the bytes instead.
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// Reads a multipart form: its `file` field (absent or empty: `None`) and its other fields.
pub async fn read_multipart(
    mp: axum::extract::Multipart,
) -> Result<(Option<UploadedFile>, Vec<(String, String)>), HttpError> {
    let (files, fields) = read_multipart_files(mp, "file").await?;
    Ok((files.into_iter().next(), fields))
}

/// Reads a multipart form: every non-empty file of the field `name` and the other fields.
pub async fn read_multipart_files(
    mut mp: axum::extract::Multipart,
    name: &str,
) -> Result<(Vec<UploadedFile>, Vec<(String, String)>), HttpError> {
    let mut files = Vec::new();
    let mut fields = Vec::new();
    while let Some(field) =
        mp.next_field().await.map_err(|_| HttpError::bad_request("invalid_form", "Tệp gửi lên không hợp lệ."))?
    {
        let field_name = field.name().unwrap_or_default().to_owned();
        if field_name == name {
            let file_name = field.file_name().unwrap_or_default().to_owned();
            let content_type = field.content_type().unwrap_or("application/octet-stream").to_owned();
            let bytes = field
                .bytes()
                .await
                .map_err(|_| HttpError::new(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", "Tệp quá lớn."))?;
            if !bytes.is_empty() {
                files.push(UploadedFile { file_name, content_type, bytes: bytes.to_vec() });
            }
        } else {
            let value = field.text().await.unwrap_or_default();
            fields.push((field_name, value));
        }
    }
    Ok((files, fields))
}

/// A stored file as a download, under its own name (ASCII fallback and the UTF-8 name), never
/// cached by shared caches.
pub fn file_download(file_name: &str, content_type: &str, bytes: Vec<u8>) -> Response {
    let ascii: String =
        file_name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '.' || c == '-' { c } else { '_' }).collect();
    let encoded: String =
        url::form_urlencoded::byte_serialize(file_name.as_bytes()).collect::<String>().replace('+', "%20");
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
            (header::HeaderName::from_static("x-content-type-options"), "nosniff".to_owned()),
        ],
        bytes,
    )
        .into_response()
}
