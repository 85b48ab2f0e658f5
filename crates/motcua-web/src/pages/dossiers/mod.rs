//! The dossier pages: work queues, the desk's intake form, the dossier page with its control
//! sheet and the actions allowed to the official, and public tracking by code.

mod actions;
mod intake;
mod queue;
mod register;
mod show;
mod track;

pub use actions::{act, action_form, issue};
pub use intake::{intake, intake_form};
pub(crate) use queue::queue_row;
pub use queue::{QueueRow, index};
pub use register::{register_page, register_pdf};
pub use show::{form, portal_file, result_file, show};
pub use track::track;

use super::when;

fn lines(s: Option<&str>) -> Vec<String> {
    s.unwrap_or_default().lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect()
}
