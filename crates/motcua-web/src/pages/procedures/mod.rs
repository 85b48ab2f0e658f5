//! Catalogue management pages: the list, import and export, drafts, publication, amendment,
//! replacement and abolition, history and differences, form templates, agencies' lists.

mod agencies;
mod form;
mod lifecycle;
mod list;

pub use agencies::{agency_list, agency_save};
pub use form::{attach_form, create, new_form, save, version};
pub use lifecycle::{amend, diff, discard, end, publish, show};
pub use list::{export, import, import_status, index};

use axum::extract::Multipart;
use serde::Deserialize;

use crate::error::HttpError;

#[derive(Deserialize)]
pub struct MsgQuery {
    msg: Option<String>,
}

/// Reads the one file of a multipart form and its other fields (the CSRF token, first in the body,
/// was checked by the auth layer); the file is required.
pub(super) async fn read_file(mp: Multipart) -> Result<(String, String, Vec<u8>, Vec<(String, String)>), HttpError> {
    let (file, fields) = crate::respond::read_multipart(mp).await?;
    let f = file.ok_or_else(|| {
        HttpError::new(axum::http::StatusCode::UNPROCESSABLE_ENTITY, "file_required", "Chưa chọn tệp.")
    })?;
    Ok((f.file_name, f.content_type, f.bytes, fields))
}
