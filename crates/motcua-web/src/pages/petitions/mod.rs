//! Petitions (phản ánh, kiến nghị): the public side (send one, follow it by its code, read the
//! published answers and vote on them) and the officials' side (queues, recording, handling).

pub mod public;
pub mod staff;

use motcua_app::petitions::NewFile;
use motcua_domain::petition::PetitionIntake;

use crate::respond::{FormPairs, UploadedFile};

/// The petition fields of a form.
pub(crate) fn intake_of(f: &FormPairs) -> PetitionIntake {
    PetitionIntake {
        petition_kind: f.get("petition_kind").and_then(motcua_domain::petition::PetitionKind::parse),
        subject: f.text("subject"),
        content: f.text("content"),
        name: f.text("name"),
        address: f.text("address"),
        phone: f.opt("phone"),
        email: f.opt("email"),
        organisation: f.opt("organisation"),
        procedure_code: f.opt("procedure_code"),
        dossier_code: f.opt("dossier_code"),
        reraise_of: f.opt("reraise_of"),
        notify_email: f.checked("notify_email"),
        notify_sms: f.checked("notify_sms"),
    }
}

pub(crate) fn files_of(files: Vec<UploadedFile>) -> Vec<NewFile> {
    files.into_iter().map(|f| NewFile { file_name: f.file_name, bytes: f.bytes }).collect()
}

pub(crate) use super::when;
