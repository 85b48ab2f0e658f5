//! Public tracking by dossier code (the receipt's QR code opens it), the name masked.

use askama::Template;
use axum::extract::{Query, State};
use motcua_app::dossiers::PublicDossier;
use motcua_domain::time::format_datetime;
use serde::Deserialize;

use super::when;
use crate::context::Meta;
use crate::error::HttpError;
use crate::limits::tracking_limit;
use crate::pages::Layout;
use crate::respond::{PageResult, render};
use crate::state::AppState;
#[derive(Template)]
#[template(path = "dossiers/track.html")]
struct TrackPage {
    layout: Layout,
    code: String,
    found: Option<PublicDossier>,
    not_found: bool,
    received: String,
    appointment: String,
    history: Vec<(String, String, String)>,
}

#[derive(Deserialize)]
pub struct TrackQuery {
    ma: Option<String>,
}

/// `/tra-cuu?ma=…`: the receipt's QR code opens this page.
pub async fn track(State(state): State<AppState>, Meta(meta): Meta, Query(q): Query<TrackQuery>) -> PageResult {
    let code = q.ma.unwrap_or_default().trim().to_owned();
    let (found, not_found) = if code.is_empty() {
        (None, false)
    } else {
        tracking_limit(&state, &meta)?;
        match state.services.dossiers.track_dossier(&code).await {
            Ok(d) => (Some(d), false),
            Err(motcua_app::AppError::NotFound(_)) => (None, true),
            Err(e) => return Err(HttpError::from(e).into()),
        }
    };
    let (received, appointment, history) = match &found {
        Some(d) => (
            when(d.received_at),
            when(d.appointment_at),
            d.history
                .iter()
                .map(|h| (format_datetime(h.at), h.label.clone(), h.unit.clone().unwrap_or_default()))
                .collect(),
        ),
        None => (String::new(), String::new(), Vec::new()),
    };
    Ok(render(&TrackPage {
        layout: Layout::new("Tra cứu hồ sơ", None),
        code,
        found,
        not_found,
        received,
        appointment,
        history,
    }))
}
