//! Everything that differs between SQLite and PostgreSQL, in one place.

use std::path::Path;

use anyhow::{Context as _, bail};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn from_url(url: &str) -> anyhow::Result<Self> {
        match url.split_once(':').map(|(s, _)| s) {
            Some("sqlite") => Ok(Backend::Sqlite),
            Some("postgres" | "postgresql") => Ok(Backend::Postgres),
            _ => bail!("unsupported database URL (expected sqlite://… or postgres://…)"),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }

    /// Suffix of the job-claim subquery. PostgreSQL lets concurrent workers skip rows another
    /// worker is claiming; SQLite has one writer at a time, so the claim is atomic already.
    pub(crate) fn skip_locked(self) -> &'static str {
        match self {
            Backend::Sqlite => "",
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        }
    }

    /// Statement that serialises audit appends for the rest of the transaction, so that two
    /// appenders never read the same chain head. SQLite's single writer already serialises.
    pub(crate) fn audit_append_lock(self) -> Option<&'static str> {
        match self {
            Backend::Sqlite => None,
            // Any constant works; this one spells "audit" on a phone keypad.
            Backend::Postgres => Some("SELECT pg_advisory_xact_lock(28348)"),
        }
    }
}

/// `table.column` (or `table.a, table.b`) of a violated uniqueness rule, from the database's
/// error, named alike on both backends: SQLite says it in the message ("UNIQUE constraint
/// failed: agencies.code"), PostgreSQL names the constraint or index, looked up here (a test
/// keeps the list complete).
pub fn unique_key(message: &str, constraint: Option<&str>) -> String {
    match constraint {
        Some(c) => {
            PG_UNIQUE_KEYS.iter().find(|(name, _)| *name == c).map_or_else(|| c.to_owned(), |(_, k)| (*k).to_owned())
        }
        None => message.rsplit_once(": ").map_or_else(|| message.to_owned(), |(_, k)| k.to_owned()),
    }
}

const PG_UNIQUE_KEYS: &[(&str, &str)] = &[
    ("agencies_code_key", "agencies.code"),
    ("agencies_path_key", "agencies.path"),
    ("agencies_pkey", "agencies.id"),
    ("agency_procedures_pkey", "agency_procedures.agency_id, agency_procedures.procedure_id"),
    ("agency_revisions_pkey", "agency_revisions.agency_id, agency_revisions.version"),
    ("agency_schedules_pkey", "agency_schedules.agency_id"),
    ("agency_targets_pkey", "agency_targets.agency_id, agency_targets.year, agency_targets.metric"),
    ("api_tokens_pkey", "api_tokens.id"),
    ("api_tokens_token_hash_key", "api_tokens.token_hash"),
    ("audit_log_pkey", "audit_log.seq"),
    ("calendar_revisions_pkey", "calendar_revisions.revision"),
    ("catalog_imports_pkey", "catalog_imports.id"),
    ("catalog_state_pkey", "catalog_state.id"),
    ("dossier_agencies_pkey", "dossier_agencies.dossier_id, dossier_agencies.agency_id"),
    ("dossier_code_counters_pkey", "dossier_code_counters.agency_id, dossier_code_counters.day"),
    ("dossier_events_client_txn_id_key", "dossier_events.client_txn_id"),
    ("dossier_events_pkey", "dossier_events.dossier_id, dossier_events.seq"),
    (
        "dossier_rollups_pkey",
        "dossier_rollups.grain, dossier_rollups.agency_id, dossier_rollups.bucket, dossier_rollups.receiving_agency_id, dossier_rollups.procedure_id",
    ),
    ("dossiers_code_key", "dossiers.code"),
    ("dossiers_portal_code", "dossiers.portal_code"),
    ("dossiers_pkey", "dossiers.id"),
    ("grants_pkey", "grants.user_id, grants.role, grants.agency_id"),
    ("integrity_anchors_pkey", "integrity_anchors.seq"),
    ("integrity_heads_pkey", "integrity_heads.dossier_id"),
    ("job_attempts_pkey", "job_attempts.job_id, job_attempts.attempt"),
    ("jobs_dedup_key_key", "jobs.dedup_key"),
    ("jobs_pkey", "jobs.id"),
    ("login_guards_pkey", "login_guards.name_digest"),
    ("notification_templates_pkey", "notification_templates.kind"),
    ("notifications_pkey", "notifications.id"),
    ("notifications_user_id_dedup_key_key", "notifications.user_id, notifications.dedup_key"),
    ("procedure_versions_pkey", "procedure_versions.id"),
    ("procedure_versions_procedure_id_number_key", "procedure_versions.procedure_id, procedure_versions.number"),
    ("procedures_code_key", "procedures.code"),
    ("procedures_pkey", "procedures.id"),
    ("reference_state_pkey", "reference_state.id"),
    ("portal_outbox_dossier_id_seq_key", "portal_outbox.dossier_id, portal_outbox.seq"),
    ("portal_inbound_log_pkey", "portal_inbound_log.id"),
    ("portal_outbox_pkey", "portal_outbox.id"),
    ("portal_sync_log_pkey", "portal_sync_log.id"),
    ("portal_sync_pkey", "portal_sync.dossier_id"),
    ("rating_links_pkey", "rating_links.dossier_id"),
    ("rating_links_token_key", "rating_links.token"),
    ("dossier_ratings_pkey", "dossier_ratings.dossier_id"),
    ("petitions_pkey", "petitions.id"),
    ("petitions_code_key", "petitions.code"),
    ("petitions_portal_reference", "petitions.portal_reference"),
    ("petition_events_pkey", "petition_events.petition_id, petition_events.seq"),
    ("petition_code_counters_pkey", "petition_code_counters.agency_id, petition_code_counters.day"),
    ("petition_votes_pkey", "petition_votes.petition_id, petition_votes.voter"),
    ("petition_deadlines_pkey", "petition_deadlines.agency_id, petition_deadlines.effective_from"),
    ("citizen_notices_pkey", "citizen_notices.id"),
    ("citizen_notice_templates_pkey", "citizen_notice_templates.agency_id, citizen_notice_templates.kind"),
    ("rollup_state_pkey", "rollup_state.id"),
    ("sessions_pkey", "sessions.id_hash"),
    ("stored_files_pkey", "stored_files.id"),
    ("system_meta_pkey", "system_meta.key"),
    ("users_pkey", "users.id"),
    ("users_username_key", "users.username"),
    ("workers_pkey", "workers.id"),
    ("workflows_pkey", "workflows.id"),
    (
        "workflows_procedure_code_case_name_agency_id_key",
        "workflows.procedure_code, workflows.case_name, workflows.agency_id",
    ),
];

/// Makes a SQLite URL create its file (`mode=rwc`) and creates the containing folder.
pub(crate) fn prepare_sqlite_url(url: &str) -> anyhow::Result<String> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")).context("not a sqlite URL")?;
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    if path.is_empty() || path == ":memory:" {
        bail!("an in-memory SQLite database cannot be shared by the pools; give a file path");
    }
    if let Some(dir) = Path::new(path).parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create folder {}", dir.display()))?;
    }
    let mut params: Vec<&str> = query.split('&').filter(|p| !p.is_empty()).collect();
    if !params.iter().any(|p| p.starts_with("mode=")) {
        params.push("mode=rwc");
    }
    Ok(format!("sqlite://{path}?{}", params.join("&")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backend_from_url() {
        assert_eq!(Backend::from_url("sqlite://x.db").unwrap(), Backend::Sqlite);
        assert_eq!(Backend::from_url("postgres://u@h/db").unwrap(), Backend::Postgres);
        assert_eq!(Backend::from_url("postgresql://u@h/db").unwrap(), Backend::Postgres);
        assert!(Backend::from_url("mysql://x").is_err());
        assert!(Backend::from_url("motcua.db").is_err());
    }

    #[test]
    fn unique_keys_are_named_alike_on_both_backends() {
        assert_eq!(unique_key("UNIQUE constraint failed: agencies.code", None), "agencies.code");
        assert_eq!(unique_key("duplicate key", Some("agencies_code_key")), "agencies.code");
        assert_eq!(unique_key("duplicate key", Some("audit_log_pkey")), "audit_log.seq");
    }

    #[test]
    fn sqlite_urls_gain_create_mode() {
        let dir = std::env::temp_dir().join(format!("motcua-dialect-{}", std::process::id()));
        let url = format!("sqlite://{}/sub/x.db", dir.display());
        assert_eq!(prepare_sqlite_url(&url).unwrap(), format!("{url}?mode=rwc"));
        assert!(dir.join("sub").is_dir());
        assert_eq!(prepare_sqlite_url(&format!("{url}?mode=ro")).unwrap(), format!("{url}?mode=ro"));
        assert!(prepare_sqlite_url("sqlite://:memory:").is_err());
        std::fs::remove_dir_all(dir).ok();
    }
}
