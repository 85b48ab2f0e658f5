//! The JSON API under `/api/v1`. Every route is registered through `utoipa_axum`, so the
//! OpenAPI document at `/api/v1/openapi.json` is generated from the same handlers that serve
//! the requests and cannot drift from them.

pub mod agencies;
pub mod audit;
pub mod calendar;
pub mod calendar_answers;
pub mod calendar_input;
pub mod catalog;
pub mod catalog_input;
pub mod catalog_query;
pub mod catalog_schema;
pub mod dashboard;
pub mod dossier_input;
pub mod dossiers;
pub mod dto;
mod fields;
pub mod index766;
pub mod jobs;
pub mod me;
pub mod notifications;
pub mod petitions;
pub mod portal;
pub mod ratings;
pub mod report_input;
pub mod reports;
pub mod users;
pub mod workflows;

use axum::Json;
use axum::extract::State;
use utoipa::openapi::OpenApi as OpenApiDoc;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::ErrorBody;
use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "motcua API",
        description = "Giao diện lập trình của Hệ thống thông tin giải quyết thủ tục hành chính (motcua).\n\n\
            Xác thực bằng khóa API: `Authorization: Bearer mct_…` (tạo bằng `motcua token create --user TÊN`). \
            Mọi lỗi có cùng dạng `ErrorBody`: `code` ổn định (snake_case), `message` tiếng Việt, `fields` khi dữ liệu sai.",
        license(name = "AGPL-3.0-or-later")
    ),
    modifiers(&BearerAuth),
    components(schemas(ErrorBody)),
    tags(
        (name = "me", description = "Tài khoản đang gọi"),
        (name = "agencies", description = "Cơ quan, đơn vị"),
        (name = "users", description = "Tài khoản cán bộ và phân quyền"),
        (name = "audit", description = "Nhật ký thao tác"),
        (name = "jobs", description = "Tác vụ nền"),
        (name = "calendar", description = "Lịch pháp lý: âm lịch, ngày nghỉ, giờ làm việc, hạn giải quyết"),
        (name = "catalog", description = "Cơ sở dữ liệu thủ tục hành chính: tra cứu, công bố, nhập/xuất"),
        (name = "dossiers", description = "Hồ sơ: tiếp nhận, xử lý, hàng đợi, tra cứu công khai"),
        (name = "workflows", description = "Quy trình nội bộ điện tử theo thủ tục"),
        (name = "notifications", description = "Thông báo nhắc việc, cảnh báo quá hạn; mẫu thông báo; thư điện tử"),
        (name = "reports", description = "Báo cáo định kỳ (Biểu 06/VPCP/KSTT), hồ sơ sau mỗi con số, dữ liệu gốc"),
        (name = "ratings", description = "Đánh giá sự hài lòng của người dân về việc giải quyết hồ sơ"),
        (name = "petitions", description = "Phản ánh, kiến nghị: gửi, tra cứu, trả lời công khai, bình chọn; tiếp nhận, xử lý, thống kê"),
        (name = "national_portal", description = "Cổng Dịch vụ công quốc gia: nhận hồ sơ trực tuyến, đồng bộ, đối soát"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut OpenApiDoc) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        // The national portal's own token (`portal.inbound_token`), not an official's key.
        components.add_security_scheme(
            "portal_token",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// Declares on every operation the statuses the layers around the handlers answer with, so the
/// document lists every status a route can give (a client generated from it handles them):
/// 400 for an unreadable query, path or body; 401 and 403 where a token is required; 404 where
/// the path names an object; 408 after the request timeout; 409 for a write that conflicts;
/// 413 and 415 for a body too large or of another type; 422 for input that fails validation;
/// 429 where a rate limit applies (the public routes).
struct LayerStatuses;

impl Modify for LayerStatuses {
    fn modify(&self, openapi: &mut OpenApiDoc) {
        use utoipa::openapi::content::ContentBuilder;
        use utoipa::openapi::path::ParameterIn;
        use utoipa::openapi::response::ResponseBuilder;
        use utoipa::openapi::{Ref, RefOr};
        let error = |description: &str| {
            RefOr::T(
                ResponseBuilder::new()
                    .description(description)
                    .content(
                        "application/json",
                        ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorBody"))).build(),
                    )
                    .build(),
            )
        };
        for (path, item) in openapi.paths.paths.iter_mut() {
            let names_object = path.contains('{');
            let ops = [
                (false, item.get.as_mut()),
                (true, item.post.as_mut()),
                (true, item.put.as_mut()),
                (true, item.delete.as_mut()),
                (true, item.patch.as_mut()),
            ];
            for (write, op) in ops {
                let Some(op) = op else { continue };
                let secured = op.security.as_ref().is_some_and(|s| !s.is_empty());
                let has_body = op.request_body.is_some();
                let has_query = op.parameters.iter().flatten().any(|p| match p {
                    RefOr::T(p) => p.parameter_in == ParameterIn::Query,
                    RefOr::Ref(_) => false,
                });
                let mut add = |status: &str, description: &str| {
                    op.responses.responses.entry(status.to_owned()).or_insert_with(|| error(description));
                };
                add("400", "Tham số, đường dẫn hoặc nội dung không đọc được");
                if secured {
                    add("401", "Thiếu khóa API, hoặc khóa không hợp lệ, hết hạn, đã thu hồi");
                    add("403", "Không có quyền, hoặc đối tượng ngoài phạm vi được phân quyền");
                } else {
                    add("429", "Quá nhiều yêu cầu từ một địa chỉ; thử lại sau");
                }
                if names_object {
                    add("404", "Không tìm thấy (hoặc không được xem)");
                }
                add("408", "Yêu cầu quá thời gian xử lý");
                if write {
                    add("409", "Xung đột với dữ liệu hiện có (đã bị thay đổi, trùng)");
                }
                if has_body {
                    add("413", "Nội dung quá lớn");
                    add("415", "Kiểu nội dung không được hỗ trợ");
                }
                if has_body || has_query {
                    add("422", "Dữ liệu không hợp lệ; xem lỗi của từng trường");
                }
            }
        }
    }
}

/// The API routes and their OpenAPI document.
pub fn router() -> (axum::Router<AppState>, OpenApiDoc) {
    let (router, mut doc) = routes();
    // After the routes: their operations are what it completes.
    LayerStatuses.modify(&mut doc);
    (router, doc)
}

fn routes() -> (axum::Router<AppState>, OpenApiDoc) {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(me::me))
        .routes(routes!(petitions::submit, petitions::list))
        .routes(routes!(petitions::record))
        .routes(routes!(petitions::receive_from_portal))
        .merge(
            OpenApiRouter::new()
                .routes(routes!(petitions::submit_with_files))
                .routes(routes!(petitions::record_with_files))
                .layer(axum::extract::DefaultBodyLimit::max(crate::UPLOAD_LIMIT)),
        )
        .routes(routes!(petitions::stats))
        .routes(routes!(petitions::get))
        .routes(routes!(petitions::file))
        .routes(routes!(petitions::act))
        .routes(routes!(petitions::published))
        .routes(routes!(petitions::track))
        .routes(routes!(petitions::vote))
        .routes(routes!(ratings::form, ratings::rate))
        .routes(routes!(ratings::of_dossier))
        .routes(routes!(agencies::list, agencies::create))
        .routes(routes!(agencies::get, agencies::update))
        .routes(routes!(agencies::history))
        .routes(routes!(agencies::deactivate))
        .routes(routes!(agencies::activate))
        .routes(routes!(users::list, users::create))
        .routes(routes!(users::get, users::update))
        .routes(routes!(users::set_grants))
        .routes(routes!(users::reset_password))
        .routes(routes!(audit::list))
        .routes(routes!(jobs::list))
        .routes(routes!(jobs::get))
        .routes(routes!(jobs::retry))
        .routes(routes!(calendar::lunar))
        .routes(routes!(calendar::holidays))
        .routes(routes!(calendar::due))
        .routes(routes!(calendar::get_year, calendar::put_year))
        .routes(routes!(calendar::reset_year))
        .routes(routes!(calendar::year_history))
        .routes(routes!(calendar::get_schedule, calendar::put_schedule, calendar::delete_schedule))
        .routes(routes!(catalog::search, catalog::create))
        .routes(routes!(catalog::fields))
        .routes(routes!(catalog::export))
        .merge(
            OpenApiRouter::new()
                .routes(routes!(catalog::import))
                .routes(routes!(catalog::queue_import))
                .layer(axum::extract::DefaultBodyLimit::max(crate::UPLOAD_LIMIT)),
        )
        .routes(routes!(catalog::import_status))
        .routes(routes!(catalog::get))
        .routes(routes!(catalog::get_managed))
        .routes(routes!(catalog::save_draft, catalog::discard_draft))
        .routes(routes!(catalog::publish))
        .routes(routes!(catalog::amend))
        .routes(routes!(catalog::end))
        .routes(routes!(catalog::diff))
        .routes(routes!(catalog::agency_list, catalog::agency_put))
        .routes(routes!(dossiers::list, dossiers::intake))
        .routes(routes!(dossiers::get))
        .routes(routes!(portal::timeline))
        .routes(routes!(portal::receive))
        .routes(routes!(portal::reconciliation))
        .routes(routes!(portal::resend))
        .routes(routes!(dossiers::act))
        .merge(
            OpenApiRouter::new()
                .routes(routes!(dossiers::issue_result))
                .layer(axum::extract::DefaultBodyLimit::max(crate::UPLOAD_LIMIT)),
        )
        .routes(routes!(dossiers::result_file))
        .routes(routes!(dossiers::portal_file))
        .routes(routes!(dossiers::track))
        .routes(routes!(dossiers::form))
        .routes(routes!(dossiers::register))
        .routes(routes!(workflows::list, workflows::save))
        .routes(routes!(workflows::export))
        .routes(routes!(workflows::import))
        .routes(routes!(workflows::get, workflows::delete))
        .routes(routes!(notifications::list))
        .routes(routes!(notifications::read))
        .routes(routes!(notifications::read_all))
        .routes(routes!(notifications::templates))
        .routes(routes!(notifications::put_template, notifications::delete_template))
        .routes(routes!(notifications::notice_templates))
        .routes(routes!(notifications::put_notice_template, notifications::delete_notice_template))
        .routes(routes!(notifications::mail_test))
        .routes(routes!(reports::form06))
        .routes(routes!(reports::form06_dossiers))
        .routes(routes!(reports::export))
        .routes(routes!(index766::index766))
        .routes(routes!(reports::productivity))
        .routes(routes!(dashboard::dashboard))
        .routes(routes!(dashboard::dashboard_dossiers))
        .routes(routes!(dashboard::full_online))
        .routes(routes!(dashboard::targets, dashboard::set_targets))
        .split_for_parts()
}

pub async fn openapi_json(State(doc): State<std::sync::Arc<OpenApiDoc>>) -> Json<OpenApiDoc> {
    Json((*doc).clone())
}
