//! Server-rendered pages. One template struct per page; every page embeds a [`Layout`] that
//! the base template reads. Pages work without JavaScript.

pub mod account;
pub mod agencies;
pub mod audit;
pub mod calendar;
pub mod catalog;
pub mod dashboard;
pub mod dossiers;
pub mod index766;
pub mod jobs;
pub mod notice_templates;
pub mod notifications;
pub mod petitions;
pub mod procedures;
pub mod public;
pub mod rating;
pub mod reconcile;
pub mod reports;
pub mod statistics;
pub mod users;
pub mod workflows;

mod layout;

pub use layout::{ErrorPage, FormErrors, Layout, NavUser, PageUser};

use motcua_domain::account::Role;

pub fn role_label(role: Role) -> &'static str {
    role.label_vi()
}

/// `HH:MM dd/mm/yyyy` in Vietnam, or empty: how pages show an instant that may be absent.
pub(crate) fn when(t: Option<jiff::Timestamp>) -> String {
    t.map(motcua_domain::time::format_datetime).unwrap_or_default()
}

/// An `<option>` for selects.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// Agencies as indented options (depth shown with non-breaking spaces).
pub fn agency_choices(list: &[motcua_domain::agency::Agency], selected: Option<i64>) -> Vec<Choice> {
    let tree = motcua_app::agencies::build_tree(list.to_vec());
    motcua_app::agencies::flatten_tree(&tree)
        .into_iter()
        .map(|(depth, a)| Choice {
            value: a.id.0.to_string(),
            label: format!("{}{} ({})", "\u{a0}\u{a0}\u{a0}".repeat(depth), a.name, a.code),
            selected: selected == Some(a.id.0),
        })
        .collect()
}

pub fn role_choices(selected: Option<Role>) -> Vec<Choice> {
    Role::ALL
        .iter()
        .map(|r| Choice {
            value: r.as_str().to_owned(),
            label: r.label_vi().to_owned(),
            selected: selected == Some(*r),
        })
        .collect()
}
