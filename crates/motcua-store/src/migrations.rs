//! The migration sets of both backends, embedded in the binary.
//!
//! Append-only: a released migration file is never edited; changes go in a new file with the
//! next number, in both folders.

use std::borrow::Cow;

use sqlx::migrate::{Migration, MigrationType, Migrator};

use crate::Backend;

/// (version, description, SQLite text, PostgreSQL text).
pub const MIGRATIONS: &[(i64, &str, &str, &str)] = &[
    (
        1,
        "foundation",
        include_str!("../migrations/sqlite/0001_foundation.sql"),
        include_str!("../migrations/postgres/0001_foundation.sql"),
    ),
    (
        2,
        "calendar",
        include_str!("../migrations/sqlite/0002_calendar.sql"),
        include_str!("../migrations/postgres/0002_calendar.sql"),
    ),
    (
        3,
        "catalog",
        include_str!("../migrations/sqlite/0003_catalog.sql"),
        include_str!("../migrations/postgres/0003_catalog.sql"),
    ),
    (
        4,
        "catalog_imports",
        include_str!("../migrations/sqlite/0004_catalog_imports.sql"),
        include_str!("../migrations/postgres/0004_catalog_imports.sql"),
    ),
    (
        5,
        "dossiers",
        include_str!("../migrations/sqlite/0005_dossiers.sql"),
        include_str!("../migrations/postgres/0005_dossiers.sql"),
    ),
    (
        6,
        "workflows",
        include_str!("../migrations/sqlite/0006_workflows.sql"),
        include_str!("../migrations/postgres/0006_workflows.sql"),
    ),
    (
        7,
        "notifications",
        include_str!("../migrations/sqlite/0007_notifications.sql"),
        include_str!("../migrations/postgres/0007_notifications.sql"),
    ),
    (
        8,
        "reference_revision",
        include_str!("../migrations/sqlite/0008_reference_revision.sql"),
        include_str!("../migrations/postgres/0008_reference_revision.sql"),
    ),
    (
        9,
        "login_guards",
        include_str!("../migrations/sqlite/0009_login_guards.sql"),
        include_str!("../migrations/postgres/0009_login_guards.sql"),
    ),
    (
        10,
        "integrity",
        include_str!("../migrations/sqlite/0010_integrity.sql"),
        include_str!("../migrations/postgres/0010_integrity.sql"),
    ),
    (
        11,
        "reports",
        include_str!("../migrations/sqlite/0011_reports.sql"),
        include_str!("../migrations/postgres/0011_reports.sql"),
    ),
    (
        12,
        "full_online_targets",
        include_str!("../migrations/sqlite/0012_full_online_targets.sql"),
        include_str!("../migrations/postgres/0012_full_online_targets.sql"),
    ),
    (
        13,
        "portal_outbox",
        include_str!("../migrations/sqlite/0013_portal_outbox.sql"),
        include_str!("../migrations/postgres/0013_portal_outbox.sql"),
    ),
    (
        14,
        "portal_inbound",
        include_str!("../migrations/sqlite/0014_portal_inbound.sql"),
        include_str!("../migrations/postgres/0014_portal_inbound.sql"),
    ),
    (
        15,
        "portal_claims",
        include_str!("../migrations/sqlite/0015_portal_claims.sql"),
        include_str!("../migrations/postgres/0015_portal_claims.sql"),
    ),
    (
        16,
        "ratings",
        include_str!("../migrations/sqlite/0016_ratings.sql"),
        include_str!("../migrations/postgres/0016_ratings.sql"),
    ),
    (
        17,
        "petitions",
        include_str!("../migrations/sqlite/0017_petitions.sql"),
        include_str!("../migrations/postgres/0017_petitions.sql"),
    ),
    (
        18,
        "citizen_notices",
        include_str!("../migrations/sqlite/0018_citizen_notices.sql"),
        include_str!("../migrations/postgres/0018_citizen_notices.sql"),
    ),
    (
        19,
        "portal_petitions",
        include_str!("../migrations/sqlite/0019_portal_petitions.sql"),
        include_str!("../migrations/postgres/0019_portal_petitions.sql"),
    ),
    (
        20,
        "citizen_notice_templates",
        include_str!("../migrations/sqlite/0020_citizen_notice_templates.sql"),
        include_str!("../migrations/postgres/0020_citizen_notice_templates.sql"),
    ),
];

pub fn migrator(backend: Backend) -> Migrator {
    let migrations = MIGRATIONS
        .iter()
        .map(|(version, description, sqlite, postgres)| {
            let sql = match backend {
                Backend::Sqlite => *sqlite,
                Backend::Postgres => *postgres,
            };
            Migration::new(
                *version,
                Cow::Borrowed(*description),
                MigrationType::Simple,
                sqlx::SqlStr::from_static(sql),
                false,
            )
        })
        .collect();
    Migrator::with_migrations(migrations)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(backend: &str) -> Vec<(i64, String)> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations").join(backend);
        let mut out: Vec<(i64, String)> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .map(|name| {
                let stem = name.strip_suffix(".sql").expect("only .sql files in migration folders");
                let (num, desc) = stem.split_once('_').expect("NNNN_description.sql");
                (num.parse().unwrap(), desc.to_owned())
            })
            .collect();
        out.sort();
        out
    }

    /// Both folders hold the same versions with the same descriptions, and every file is
    /// embedded in the list above.
    #[test]
    fn both_backends_have_the_same_migrations() {
        let sqlite = files("sqlite");
        let postgres = files("postgres");
        assert_eq!(sqlite, postgres, "migration folders out of step");
        let listed: Vec<(i64, String)> = MIGRATIONS.iter().map(|(v, d, _, _)| (*v, (*d).to_owned())).collect();
        assert_eq!(listed, sqlite, "MIGRATIONS does not list exactly the files on disk");
        for (i, (v, ..)) in MIGRATIONS.iter().enumerate() {
            assert_eq!(*v, i as i64 + 1, "versions are consecutive from 1");
        }
    }

    #[test]
    fn embedded_text_matches_files() {
        for (v, d, sqlite, postgres) in MIGRATIONS {
            let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
            let name = format!("{v:04}_{d}.sql");
            assert_eq!(std::fs::read_to_string(root.join("sqlite").join(&name)).unwrap(), *sqlite);
            assert_eq!(std::fs::read_to_string(root.join("postgres").join(&name)).unwrap(), *postgres);
        }
    }
}
