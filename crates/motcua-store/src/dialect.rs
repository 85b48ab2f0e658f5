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

    /// `table.column` of a unique-constraint violation, from the database's error.
    pub(crate) fn unique_key(self, message: &str, constraint: Option<&str>) -> String {
        match self {
            // "UNIQUE constraint failed: agencies.code"
            Backend::Sqlite => {
                message.rsplit_once(": ").map(|(_, k)| k.to_owned()).unwrap_or_else(|| message.to_owned())
            }
            // Named `{table}_{column}_key` / `{table}_pkey` in the migrations.
            Backend::Postgres => {
                let c = constraint.unwrap_or_default();
                PG_UNIQUE_KEYS
                    .iter()
                    .find(|(name, _)| *name == c)
                    .map(|(_, key)| (*key).to_owned())
                    .or_else(|| c.strip_suffix("_pkey").map(|t| format!("{t}.pkey")))
                    .unwrap_or_else(|| c.to_owned())
            }
        }
    }
}

const PG_UNIQUE_KEYS: &[(&str, &str)] = &[
    ("agencies_code_key", "agencies.code"),
    ("agencies_path_key", "agencies.path"),
    ("users_username_key", "users.username"),
    ("api_tokens_token_hash_key", "api_tokens.token_hash"),
    ("jobs_dedup_key_key", "jobs.dedup_key"),
    ("dossier_events_client_txn_id_key", "dossier_events.client_txn_id"),
    ("dossier_events_pkey", "dossier_events.dossier_id, dossier_events.seq"),
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
        assert_eq!(Backend::Sqlite.unique_key("UNIQUE constraint failed: agencies.code", None), "agencies.code");
        assert_eq!(Backend::Postgres.unique_key("duplicate key", Some("agencies_code_key")), "agencies.code");
        assert_eq!(Backend::Postgres.unique_key("duplicate key", Some("audit_log_pkey")), "audit_log.pkey");
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
