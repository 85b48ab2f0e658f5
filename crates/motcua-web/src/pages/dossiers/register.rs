//! The register of dossiers (form 07): the desk's own agency and a period, then the PDF.

use askama::Template;
use axum::extract::{Query, State};
use motcua_domain::policy::{Permission, scopes};

use crate::api::dossier_input::RegisterInput;
use crate::auth::PageUser;
use crate::error::HttpError;
use crate::pages::{Choice, Layout};
use crate::respond::{PageResult, render};
use crate::state::AppState;
#[derive(Template)]
#[template(path = "dossiers/register.html")]
struct RegisterPage {
    layout: Layout,
    agencies: Vec<Choice>,
    from: String,
    to: String,
}

/// The register page: choose the desk's agency and the period, then open the PDF (mẫu 07).
pub async fn register_page(State(state): State<AppState>, user: PageUser) -> PageResult {
    let p = &user.principal;
    if scopes(p, Permission::ViewDossiers).is_empty() {
        return Err(HttpError::forbidden().into());
    }
    // Registers belong to the agencies that receive: the desk's own agency or those below a grant.
    let found = state.services.agencies.agencies_for(p, Permission::ReceiveDossiers, true).await?;
    // The official's own desk first: the nearest of these agencies above (or at) their unit.
    let unit_path = state.services.snapshot().await?.agency(p.agency_id).await?.map(|a| a.path);
    let snapshot = state.services.snapshot().await?;
    let mut candidates: Vec<&motcua_domain::agency::Agency> = Vec::new();
    for a in &found {
        use motcua_domain::agency::AgencyLevel::{Commune, HistoricDistrict, OneStopDesk, Province};
        // The province's service centre receives under its own code and keeps its own register;
        // a commune's desk is a unit of the commune, which receives.
        let receives = match a.level {
            Province | Commune | HistoricDistrict => true,
            OneStopDesk => match a.parent_id {
                Some(parent) => snapshot.agency(parent).await?.is_some_and(|p| p.level == Province),
                None => false,
            },
            _ => false,
        };
        if receives
            && motcua_domain::policy::authorize_dossier(p, Permission::ReceiveDossiers, &a.path).is_ok()
            && !candidates.iter().any(|c| c.id == a.id)
        {
            candidates.push(a);
        }
    }
    let own = candidates
        .iter()
        .filter(|a| unit_path.as_ref().is_some_and(|u| u.as_str().starts_with(a.path.as_str())))
        .max_by_key(|a| a.path.depth())
        .or(candidates.first())
        .map(|a| a.id);
    let agencies: Vec<Choice> = candidates
        .iter()
        .map(|a| Choice {
            value: a.code.to_string(),
            label: format!("{} ({})", a.name, a.code),
            selected: Some(a.id) == own,
        })
        .collect();
    let today = motcua_domain::time::vn_date(state.services.now());
    Ok(render(&RegisterPage {
        layout: Layout::new("Sổ theo dõi hồ sơ", Some(&user)),
        agencies,
        from: motcua_domain::time::format_date(today.first_of_month()),
        to: motcua_domain::time::format_date(today),
    }))
}

/// The register as PDF.
pub async fn register_pdf(
    State(state): State<AppState>,
    user: PageUser,
    headers: axum::http::HeaderMap,
    Query(q): Query<RegisterInput>,
) -> PageResult {
    let base = crate::respond::base_url(&state, &headers);
    let period = q.parse().map_err(motcua_app::AppError::Validation)?;
    let pdf = state.services.dossiers.dossier_register(&user.principal, &period, &base).await?;
    Ok(crate::respond::pdf_response(pdf, true))
}
