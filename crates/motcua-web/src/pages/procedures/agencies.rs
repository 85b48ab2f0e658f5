//! The procedures an agency's catalogue lists, with its channels and what it resolves.

use askama::Template;
use axum::extract::{Query, State};
use motcua_app::catalog::AgencyCatalogRow;

use motcua_domain::agency::AgencyId;
use motcua_domain::validation::{FieldError, ValidationErrors};

use super::MsgQuery;
use crate::auth::PageUser;
use crate::context::Meta;
use crate::error::HttpError;
use crate::pages::{FormErrors, Layout};
use crate::respond::{FormPairs, PagePath, PageResult, redirect_or_form, render};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "admin/agency_procedures.html")]
struct AgencyListPage {
    layout: Layout,
    agency: motcua_domain::agency::Agency,
    rows: Vec<(String, String, AgencyCatalogRow)>,
    text: String,
    errors: FormErrors,
}

async fn agency_page(
    state: &AppState,
    user: &PageUser,
    id: i64,
    errors: FormErrors,
    text: Option<String>,
) -> Result<AgencyListPage, HttpError> {
    let (agency, entries) = state.services.catalog.agency_catalog(&user.principal, AgencyId(id)).await?;
    let out: Vec<(String, String, AgencyCatalogRow)> =
        entries.iter().map(|e| (e.code.to_string(), e.name.clone(), AgencyCatalogRow::from(e))).collect();
    let text = text.unwrap_or_else(|| {
        out.iter()
            .map(|(c, _, r)| {
                let mut flags = Vec::new();
                if r.desk {
                    flags.push("tructiep");
                }
                if r.online {
                    flags.push("tructuyen");
                }
                if r.postal {
                    flags.push("buuchinh");
                }
                if r.resolves {
                    flags.push("giaiquyet");
                }
                format!("{c} {}", flags.join(","))
            })
            .collect::<Vec<_>>()
            .join("\n")
    });
    Ok(AgencyListPage {
        layout: Layout::new(format!("Danh mục thủ tục – {}", agency.name), Some(user)),
        agency,
        rows: out,
        text,
        errors,
    })
}

/// `GET /admin/agencies/{id}/procedures`
pub async fn agency_list(
    State(state): State<AppState>,
    user: PageUser,
    PagePath(id): PagePath<i64>,
    Query(q): Query<MsgQuery>,
) -> PageResult {
    let mut p = agency_page(&state, &user, id, FormErrors::default(), None).await?;
    p.layout = p.layout.with_flash(q.msg.as_deref());
    Ok(render(&p))
}

/// One line per procedure: `CODE flags` with flags among tructiep, tructuyen, buuchinh, giaiquyet.
fn parse_agency_lines(text: &str) -> Result<Vec<AgencyCatalogRow>, ValidationErrors> {
    let mut e = ValidationErrors::new();
    let mut rows = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let (code, flags) = line.split_once(char::is_whitespace).unwrap_or((line, "tructiep,giaiquyet"));
        let mut row =
            AgencyCatalogRow { code: code.to_owned(), desk: false, postal: false, online: false, resolves: false };
        for f in flags.split([',', ' ']).map(str::trim).filter(|f| !f.is_empty()) {
            match f {
                "tructiep" => row.desk = true,
                "tructuyen" => row.online = true,
                "buuchinh" => row.postal = true,
                "giaiquyet" => row.resolves = true,
                other => e.push(FieldError::new(
                    format!("dòng {}", i + 1),
                    "invalid_flag",
                    format!("\"{other}\": dùng tructiep, tructuyen, buuchinh, giaiquyet."),
                )),
            }
        }
        rows.push(row);
    }
    e.into_result().map(|()| rows)
}

/// `POST /admin/agencies/{id}/procedures`
pub async fn agency_save(
    State(state): State<AppState>,
    user: PageUser,
    Meta(meta): Meta,
    PagePath(id): PagePath<i64>,
    form: FormPairs,
) -> PageResult {
    let text = form.text("list");
    let result = match parse_agency_lines(&text) {
        Ok(rows) => state
            .services
            .catalog
            .set_agency_catalog(&user.principal, AgencyId(id), &rows, &meta)
            .await
            .map_err(HttpError::from),
        Err(v) => Err(HttpError::from(motcua_app::AppError::Validation(v))),
    };
    redirect_or_form(
        result,
        |_| format!("/admin/agencies/{id}/procedures?msg=agency_catalog_saved"),
        async |errors| agency_page(&state, &user, id, errors, Some(text.clone())).await,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agency_lines() {
        let rows = parse_agency_lines("1.001193 tructiep,tructuyen\n\n1.000656").unwrap();
        assert!(rows[0].desk && rows[0].online && !rows[0].resolves);
        assert!(rows[1].desk && rows[1].resolves);
        assert!(parse_agency_lines("1.001193 fax").is_err());
    }
}
