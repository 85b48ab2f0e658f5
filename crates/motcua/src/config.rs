//! Configuration: built-in defaults, then `motcua.toml`, then `MOTCUA_*` environment variables,
//! then command-line flags. Every key has one environment variable: `MOTCUA_` followed by its
//! path in upper case with `_` between parts (`auth.lockout_threshold` →
//! `MOTCUA_AUTH_LOCKOUT_THRESHOLD`, `database.url` → `MOTCUA_DATABASE_URL`). Errors name the
//! key and where it came from.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context as _, anyhow, bail};
use jiff::SignedDuration;
use motcua_app::password::{Argon2Params, PasswordHasher};
use motcua_app::ports::FormTemplateSource;
use motcua_app::settings::{
    AuthSettings, DossierSettings, IntegritySettings, NotificationSettings, Settings, WorkerSettings,
};
use motcua_domain::integrity::AnchorKey;
use motcua_domain::job::Backoff;
use motcua_domain::lockout::LockoutPolicy;
use motcua_integrations::national_portal::{RestPortal, RestPortalSettings};
use motcua_integrations::smtp::{SmtpMailer, SmtpSettings};
use motcua_store::files::TemplateDir;
use motcua_web::WebConfig;
use serde::{Deserialize, Serialize};
use toml::Value;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Address the server listens on.
    pub listen: String,
    /// Folder of the embedded database and the file store.
    pub data_dir: String,
    /// Address people use, e.g. `https://motcua.example.gov.vn` (empty: unknown). With HTTPS,
    /// cookies are marked `Secure`.
    pub public_url: String,
    pub database: DatabaseConfig,
    pub server: ServerConfig,
    pub auth: AuthConfig,
    pub worker: WorkerConfig,
    pub dossiers: DossiersConfig,
    pub notifications: NotificationsConfig,
    pub mail: MailConfig,
    pub webhook: WebhookConfig,
    pub portal: PortalConfig,
    pub integrity: IntegrityConfig,
    pub metrics: MetricsConfig,
    pub reports: ReportsConfig,
    pub log: LogConfig,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ReportsConfig {
    /// Targets of the Decision 766 indicators, percent, over the confirmed ones
    /// (`3.3=50, 5.4=90, …`); unlisted indicators are linear (100).
    pub index766_targets: String,
    /// Lower bounds of the 766 grades Xuất sắc, Tốt, Khá, Trung bình (unconfirmed defaults).
    pub index766_bands: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct IntegrityConfig {
    /// Key that authenticates the integrity anchors (secret): 64 hexadecimal digits or any 32
    /// characters or more. Empty: the key is read from `anchor_key_file`. Keep it out of the
    /// database and its backups; several processes sharing one database need the same key.
    pub anchor_key: String,
    /// File holding the key when `anchor_key` is empty; empty: `<data_dir>/anchor.key`, which
    /// `serve`, `worker` and `init` create with a fresh random key when it is missing.
    pub anchor_key_file: String,
    /// A file every anchor is also appended to, one JSON line each (a second location, e.g. on
    /// another disk or a mounted share); empty: the database only.
    pub export_path: String,
    /// Minutes between two checkpoints (verify what was appended, write an anchor).
    pub checkpoint_minutes: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DossiersConfig {
    /// A dossier due within this many working days is listed as near due.
    pub near_due_working_days: i64,
    /// Folder of the province's own form templates (`motcua forms export` writes the built-ins
    /// to start from); empty: the built-in templates.
    pub form_templates_dir: String,
    /// `serve --demo` on an empty database also writes a year of synthetic history ending now,
    /// this many dossiers per receiving agency (0: none).
    pub demo_history_per_agency: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct NotificationsConfig {
    /// Minutes between two reminder scans (reminders before a step is due, escalation when it
    /// is overdue, the desk's warning before an appointment without a result).
    pub scan_interval_minutes: i64,
    /// A step due within this many working hours is reminded to its people.
    pub step_lead_working_hours: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MailConfig {
    /// SMTP server (secret when it carries a password): `smtp://host:25`,
    /// `smtp://user:password@host:587?tls=required` (STARTTLS) or `smtps://host:465`. Empty:
    /// notifications stay in the application only.
    pub smtp_url: String,
    /// Sender of every message, e.g. `Một cửa Sơn Hà <motcua@sonha.gov.vn>`.
    pub from: String,
    pub timeout_seconds: i64,
}

/// The SMS/Zalo gateway: citizens' notices are POSTed there as signed JSON. Empty `url`: the
/// notices are kept in the application, marked as not sent.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct WebhookConfig {
    pub url: String,
    /// Shared secret of the HMAC-SHA-256 signature (secret; at least 16 characters).
    pub secret: String,
    pub timeout_seconds: i64,
}

/// The national portal's REST endpoints (`legal.md` §7.1): the base address and the three
/// paths the Government Office gives each province. Empty `rest_url`: changes stay queued for the
/// portal until it is configured.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PortalConfig {
    pub rest_url: String,
    pub create_path: String,
    pub update_path: String,
    pub steps_path: String,
    /// Where the portal lists the dossiers submitted for the province (the pull); empty: no
    /// pull, the portal pushes them to `POST /api/v1/portal/dossiers`.
    pub pull_path: String,
    /// How often the pull runs.
    pub pull_seconds: i64,
    /// Bearer token, if the province's endpoints ask for one (secret).
    pub token: String,
    /// The LGSP/NGSP adapter ("service" calls with a session) instead of the REST endpoints:
    /// its address, the login and integration paths, the account and the `madonvi` sent with
    /// every call. Empty `lgsp_url`: not used.
    pub lgsp_url: String,
    pub lgsp_auth_path: String,
    pub lgsp_integration_path: String,
    pub lgsp_username: String,
    /// Secret.
    pub lgsp_password: String,
    pub lgsp_agency: String,
    /// Hosts the files of submitted dossiers may be fetched from besides the portal's (or the
    /// adapter's) own, comma-separated.
    pub file_hosts: String,
    /// Where the portal publishes its evaluation figures (the reconciliation compares them),
    /// e.g. `https://dichvucong.gov.vn/api/v1/reporting/evaluation`; empty: no comparison.
    pub evaluation_url: String,
    /// The province's root department on the portal (`departmentType`); empty:
    /// `ADMINISTRATIVE_UNIT`.
    pub department_id: String,
    /// The token the portal presents when it pushes dossiers here (secret); empty: pushes
    /// are refused.
    pub inbound_token: String,
    /// An online dossier arriving at or after this time of a working day (or on a day off)
    /// is due to be decided by the close of the next working day.
    pub reception_cutoff: String,
    pub timeout_seconds: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DatabaseConfig {
    /// `sqlite://path` or `postgres://user:password@host/db`; empty: `sqlite://<data_dir>/motcua.db`.
    pub url: String,
    pub max_connections: i64,
    pub busy_timeout_ms: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ServerConfig {
    pub body_limit_bytes: i64,
    pub request_timeout_seconds: i64,
    /// Take the client address from `X-Forwarded-For` (only behind your own reverse proxy).
    pub trust_forwarded_for: bool,
    /// Requests per minute from one address to the public API (calendar queries).
    pub public_api_per_minute: i64,
    /// Seconds without a touch before the lobby kiosk returns to its start page.
    pub kiosk_idle_seconds: i64,
    /// Public dossier lookups per minute from one address (guards against code enumeration).
    pub tracking_per_minute: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AuthConfig {
    pub argon2_memory_kib: i64,
    pub argon2_iterations: i64,
    pub argon2_parallelism: i64,
    pub session_idle_minutes: i64,
    pub session_absolute_hours: i64,
    pub lockout_threshold: i64,
    pub lockout_base_seconds: i64,
    pub lockout_max_seconds: i64,
    pub login_per_minute: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct WorkerConfig {
    /// Run the background worker inside `motcua serve`.
    pub in_process: bool,
    pub poll_interval_ms: i64,
    pub batch_size: i64,
    pub lease_seconds: i64,
    pub backoff_base_seconds: i64,
    pub backoff_max_seconds: i64,
    pub retention_days: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MetricsConfig {
    /// Bearer token for scraping `/metrics` from other hosts (secret; empty: loopback only).
    pub token: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LogConfig {
    /// `error`, `warn`, `info`, `debug` or `trace` (or a `tracing` filter); `RUST_LOG` wins.
    pub level: String,
    /// `pretty` for people, `json` for log collectors.
    pub format: String,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:8080".into(),
            data_dir: "./motcua-data".into(),
            public_url: String::new(),
            database: DatabaseConfig { url: String::new(), max_connections: 8, busy_timeout_ms: 10_000 },
            server: ServerConfig {
                body_limit_bytes: 1024 * 1024,
                request_timeout_seconds: 30,
                trust_forwarded_for: false,
                public_api_per_minute: 600,
                kiosk_idle_seconds: 120,
                tracking_per_minute: 30,
            },
            auth: AuthConfig {
                argon2_memory_kib: 19 * 1024,
                argon2_iterations: 2,
                argon2_parallelism: 1,
                session_idle_minutes: 120,
                session_absolute_hours: 12,
                lockout_threshold: 5,
                lockout_base_seconds: 60,
                lockout_max_seconds: 3600,
                login_per_minute: 10,
            },
            worker: WorkerConfig {
                in_process: true,
                poll_interval_ms: 1000,
                batch_size: 10,
                lease_seconds: 300,
                backoff_base_seconds: 10,
                backoff_max_seconds: 3600,
                retention_days: 30,
            },
            dossiers: DossiersConfig {
                near_due_working_days: 1,
                form_templates_dir: String::new(),
                demo_history_per_agency: 1500,
            },
            notifications: NotificationsConfig { scan_interval_minutes: 10, step_lead_working_hours: 4 },
            mail: MailConfig {
                smtp_url: String::new(),
                from: "Hệ thống một cửa <motcua@localhost>".into(),
                timeout_seconds: 30,
            },
            webhook: WebhookConfig { url: String::new(), secret: String::new(), timeout_seconds: 15 },
            portal: PortalConfig {
                rest_url: String::new(),
                create_path: String::new(),
                update_path: String::new(),
                steps_path: String::new(),
                pull_path: String::new(),
                pull_seconds: 60,
                token: String::new(),
                inbound_token: String::new(),
                lgsp_url: String::new(),
                lgsp_auth_path: String::new(),
                lgsp_integration_path: String::new(),
                lgsp_username: String::new(),
                lgsp_password: String::new(),
                lgsp_agency: String::new(),
                file_hosts: String::new(),
                evaluation_url: String::new(),
                department_id: String::new(),
                reception_cutoff: "17:00".into(),
                timeout_seconds: 30,
            },
            integrity: IntegrityConfig {
                anchor_key: String::new(),
                anchor_key_file: String::new(),
                export_path: String::new(),
                checkpoint_minutes: 10,
            },
            metrics: MetricsConfig { token: String::new() },
            reports: ReportsConfig { index766_targets: String::new(), index766_bands: "90,80,70,50".into() },
            log: LogConfig { level: "info".into(), format: "pretty".into() },
        }
    }
}

/// Keys whose values are secrets (redacted when printed).
const SECRET_KEYS: &[&str] = &[
    "metrics.token",
    "mail.smtp_url",
    "webhook.secret",
    "integrity.anchor_key",
    "portal.token",
    "portal.inbound_token",
    "portal.lgsp_password",
];
/// Environment variables with the prefix that are not configuration keys.
const NOT_CONFIG_ENV: &[&str] = &["MOTCUA_CONFIG", "MOTCUA_PG_BIN"];

/// Flags that override everything else.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub listen: Option<String>,
    pub data_dir: Option<String>,
    pub database_url: Option<String>,
}

fn env_name(path: &str) -> String {
    format!("MOTCUA_{}", path.replace('.', "_").to_ascii_uppercase())
}

/// Leaf keys of a table as `a.b` paths.
fn leaves(table: &toml::Table, prefix: &str, out: &mut BTreeMap<String, Value>) {
    for (k, v) in table {
        let path = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
        match v {
            Value::Table(t) => leaves(t, &path, out),
            other => {
                out.insert(path, other.clone());
            }
        }
    }
}

fn set(table: &mut toml::Table, path: &str, value: Value) {
    let mut parts: Vec<&str> = path.split('.').collect();
    let last = parts.pop().expect("non-empty path");
    let mut t = table;
    for p in parts {
        t = t.get_mut(p).and_then(Value::as_table_mut).expect("path exists in defaults");
    }
    t.insert(last.to_owned(), value);
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::String(_) => "a string",
        Value::Integer(_) => "an integer",
        Value::Float(_) => "a number",
        Value::Boolean(_) => "true or false",
        Value::Datetime(_) => "a date",
        Value::Array(_) => "a list",
        Value::Table(_) => "a table",
    }
}

/// Parses an environment value as the type of the default.
fn parse_env(var: &str, raw: &str, default: &Value) -> anyhow::Result<Value> {
    Ok(match default {
        Value::Integer(_) => {
            Value::Integer(raw.trim().parse().map_err(|_| anyhow!("{var}={raw:?}: must be an integer"))?)
        }
        Value::Boolean(_) => Value::Boolean(match raw.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" | "on" => true,
            "false" | "0" | "no" | "off" => false,
            _ => bail!("{var}={raw:?}: must be true or false"),
        }),
        _ => Value::String(raw.to_owned()),
    })
}

/// Writes a new file readable by its owner only.
fn write_private(path: &Path, text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut f = options.open(path).with_context(|| format!("cannot create {}", path.display()))?;
    f.write_all(text.as_bytes())?;
    f.sync_all()?;
    Ok(())
}

impl Config {
    /// Loads the configuration from `file` (or `./motcua.toml` when present), the given
    /// environment and the flags, and validates it.
    pub fn load(file: Option<&Path>, env: &[(String, String)], overrides: &Overrides) -> anyhow::Result<Self> {
        let mut table = toml::Table::try_from(Config::default()).expect("defaults serialise");
        let mut known = BTreeMap::new();
        leaves(&table, "", &mut known);

        let default_file = PathBuf::from("motcua.toml");
        let file = match file {
            Some(f) => Some(f.to_path_buf()),
            None if default_file.exists() => Some(default_file),
            None => None,
        };
        if let Some(path) = &file {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read configuration file {}", path.display()))?;
            let parsed: toml::Table =
                toml::from_str(&text).with_context(|| format!("{} is not valid TOML", path.display()))?;
            let mut given = BTreeMap::new();
            leaves(&parsed, "", &mut given);
            for (key, value) in given {
                let Some(default) = known.get(&key) else {
                    bail!("{}: unknown key `{key}` (see `motcua config print` for the keys)", path.display());
                };
                if std::mem::discriminant(default) != std::mem::discriminant(&value) {
                    bail!("{}: `{key}` must be {}, found {}", path.display(), type_name(default), type_name(&value));
                }
                set(&mut table, &key, value);
            }
        }

        let by_env: BTreeMap<String, &String> = known.keys().map(|k| (env_name(k), k)).collect();
        for (var, raw) in env {
            if !var.starts_with("MOTCUA_") || var.starts_with("MOTCUA_TEST_") || NOT_CONFIG_ENV.contains(&var.as_str())
            {
                continue;
            }
            let Some(key) = by_env.get(var) else {
                bail!(
                    "environment variable {var} is not a configuration key (typo?); keys map to variables like MOTCUA_DATABASE_URL"
                );
            };
            let value = parse_env(var, raw, &known[*key])?;
            set(&mut table, key, value);
        }

        let mut config: Config = table.try_into().context("configuration has the wrong shape")?;
        if let Some(l) = &overrides.listen {
            config.listen = l.clone();
        }
        if let Some(d) = &overrides.data_dir {
            config.data_dir = d.clone();
        }
        if let Some(u) = &overrides.database_url {
            config.database.url = u.clone();
        }
        if config.database.url.trim().is_empty() {
            config.database.url = format!("sqlite://{}/motcua.db", config.data_dir.trim_end_matches('/'));
        }
        config.validate()?;
        Ok(config)
    }

    /// Checks every value; the first problem is reported with its key and variable.
    pub fn validate(&self) -> anyhow::Result<()> {
        let bad = |key: &str, why: String| anyhow!("invalid configuration `{key}` ({}): {why}", env_name(key));
        self.listen
            .parse::<SocketAddr>()
            .map_err(|_| bad("listen", format!("{:?} is not an address like 127.0.0.1:8080", self.listen)))?;
        if self.data_dir.trim().is_empty() {
            return Err(bad("data_dir", "must not be empty".into()));
        }
        if !self.public_url.is_empty() {
            let u = url::Url::parse(&self.public_url).map_err(|e| bad("public_url", format!("{e}")))?;
            if !matches!(u.scheme(), "http" | "https") || u.host().is_none() {
                return Err(bad(
                    "public_url",
                    "must be an http(s) address such as https://motcua.example.gov.vn".into(),
                ));
            }
        }
        motcua_store::Backend::from_url(&self.database.url)
            .map_err(|_| bad("database.url", "must start with sqlite:// or postgres://".into()))?;
        let range = |key: &str, v: i64, lo: i64, hi: i64| {
            if (lo..=hi).contains(&v) { Ok(()) } else { Err(bad(key, format!("{v} is outside {lo}–{hi}"))) }
        };
        range("database.max_connections", self.database.max_connections, 1, 1000)?;
        range("database.busy_timeout_ms", self.database.busy_timeout_ms, 0, 600_000)?;
        range("server.body_limit_bytes", self.server.body_limit_bytes, 1024, 1 << 30)?;
        range("server.request_timeout_seconds", self.server.request_timeout_seconds, 1, 3600)?;
        range("auth.argon2_memory_kib", self.auth.argon2_memory_kib, 8, 4 * 1024 * 1024)?;
        range("auth.argon2_iterations", self.auth.argon2_iterations, 1, 100)?;
        range("auth.argon2_parallelism", self.auth.argon2_parallelism, 1, 64)?;
        PasswordHasher::new(self.argon2())
            .map_err(|e| bad("auth.argon2_memory_kib", format!("{e} (memory must be at least 8 × parallelism)")))?;
        range("auth.session_idle_minutes", self.auth.session_idle_minutes, 1, 24 * 60)?;
        range("auth.session_absolute_hours", self.auth.session_absolute_hours, 1, 24 * 30)?;
        range("auth.lockout_threshold", self.auth.lockout_threshold, 1, 100)?;
        range("auth.lockout_base_seconds", self.auth.lockout_base_seconds, 1, 86_400)?;
        range("auth.lockout_max_seconds", self.auth.lockout_max_seconds, self.auth.lockout_base_seconds, 7 * 86_400)?;
        range("auth.login_per_minute", self.auth.login_per_minute, 1, 10_000)?;
        range("server.public_api_per_minute", self.server.public_api_per_minute, 1, 1_000_000)?;
        range("server.kiosk_idle_seconds", self.server.kiosk_idle_seconds, 1, 86_400)?;
        range("server.tracking_per_minute", self.server.tracking_per_minute, 1, 1_000_000)?;
        range("dossiers.near_due_working_days", self.dossiers.near_due_working_days, 1, 30)?;
        range("dossiers.demo_history_per_agency", self.dossiers.demo_history_per_agency, 0, 1_000_000)?;
        motcua_domain::report::index766::Targets::parse(&self.reports.index766_targets)
            .map_err(|e| bad("reports.index766_targets", e))?;
        motcua_domain::report::index766::Bands::parse(&self.reports.index766_bands)
            .map_err(|e| bad("reports.index766_bands", e))?;
        if !self.dossiers.form_templates_dir.is_empty() {
            let dir = std::path::Path::new(&self.dossiers.form_templates_dir);
            if !dir.is_dir() {
                return Err(bad("dossiers.form_templates_dir", format!("{} is not a folder", dir.display())));
            }
            let files =
                TemplateDir::new(dir).templates().map_err(|e| bad("dossiers.form_templates_dir", format!("{e:#}")))?;
            let problems = motcua_app::dossiers::check_templates(files);
            if !problems.is_empty() {
                return Err(bad("dossiers.form_templates_dir", problems.join("; ")));
            }
        }
        range("notifications.scan_interval_minutes", self.notifications.scan_interval_minutes, 1, 24 * 60)?;
        range("notifications.step_lead_working_hours", self.notifications.step_lead_working_hours, 1, 80)?;
        range("mail.timeout_seconds", self.mail.timeout_seconds, 1, 600)?;
        range("webhook.timeout_seconds", self.webhook.timeout_seconds, 1, 600)?;
        if let Some(w) = self.webhook() {
            motcua_integrations::webhook::SignedWebhook::new(&w).map_err(|e| bad("webhook.url", format!("{e:#}")))?;
        }
        range("integrity.checkpoint_minutes", self.integrity.checkpoint_minutes, 1, 24 * 60)?;
        if !self.integrity.anchor_key.is_empty() {
            AnchorKey::parse(&self.integrity.anchor_key).map_err(|e| bad("integrity.anchor_key", e))?;
        }
        if let Some(smtp) = self.smtp() {
            SmtpMailer::new(&smtp).map_err(|e| bad("mail.smtp_url", format!("{e:#}")))?;
        }
        range("portal.timeout_seconds", self.portal.timeout_seconds, 1, 600)?;
        range("portal.pull_seconds", self.portal.pull_seconds, 10, 86_400)?;
        self.portal
            .reception_cutoff
            .parse::<motcua_domain::calendar::ClockTime>()
            .map_err(|e| bad("portal.reception_cutoff", e))?;
        if !self.portal.inbound_token.is_empty() && self.portal.inbound_token.len() < 24 {
            return Err(bad(
                "portal.inbound_token",
                "at least 24 characters (it guards the dossiers' way in)".to_owned(),
            ));
        }
        if !self.portal.evaluation_url.is_empty() {
            motcua_integrations::national_portal::RestFigures::new(
                &self.portal.evaluation_url,
                Duration::from_secs(30),
            )
            .map_err(|e| bad("portal.evaluation_url", format!("{e:#}")))?;
        }
        if let Some(lgsp) = self.lgsp() {
            if self.portal().is_some() {
                return Err(bad(
                    "portal.lgsp_url",
                    "configure one transport: portal.rest_url or portal.lgsp_url".to_owned(),
                ));
            }
            motcua_integrations::national_portal::LgspPortal::new(&lgsp)
                .map_err(|e| bad("portal.lgsp_url", format!("{e:#}")))?;
        }
        if let Some(portal) = self.portal() {
            RestPortal::new(&portal).map_err(|e| bad("portal.rest_url", format!("{e:#}")))?;
        }
        range("worker.poll_interval_ms", self.worker.poll_interval_ms, 10, 600_000)?;
        range("worker.batch_size", self.worker.batch_size, 1, 1000)?;
        range("worker.lease_seconds", self.worker.lease_seconds, 5, 86_400)?;
        range("worker.backoff_base_seconds", self.worker.backoff_base_seconds, 1, 86_400)?;
        range(
            "worker.backoff_max_seconds",
            self.worker.backoff_max_seconds,
            self.worker.backoff_base_seconds,
            7 * 86_400,
        )?;
        range("worker.retention_days", self.worker.retention_days, 1, 3650)?;
        if !matches!(self.log.format.as_str(), "pretty" | "json") {
            return Err(bad("log.format", format!("{:?} must be pretty or json", self.log.format)));
        }
        tracing_subscriber::EnvFilter::try_new(&self.log.level).map_err(|e| bad("log.level", e.to_string()))?;
        Ok(())
    }

    fn argon2(&self) -> Argon2Params {
        Argon2Params {
            memory_kib: self.auth.argon2_memory_kib as u32,
            iterations: self.auth.argon2_iterations as u32,
            parallelism: self.auth.argon2_parallelism as u32,
        }
    }

    /// A province's own form templates; `None`: the built-ins.
    pub fn form_templates(&self) -> Option<TemplateDir> {
        (!self.dossiers.form_templates_dir.is_empty()).then(|| TemplateDir::new(&self.dossiers.form_templates_dir))
    }

    /// The SMS/Zalo gateway's webhook; `None`: citizens' text notices are kept, not sent.
    pub fn webhook(&self) -> Option<motcua_integrations::webhook::WebhookSettings> {
        (!self.webhook.url.is_empty()).then(|| motcua_integrations::webhook::WebhookSettings {
            url: self.webhook.url.clone(),
            secret: self.webhook.secret.clone(),
            timeout: Duration::from_secs(self.webhook.timeout_seconds as u64),
        })
    }

    /// Where e-mail goes out; `None`: notifications stay in the application.
    pub fn smtp(&self) -> Option<SmtpSettings> {
        (!self.mail.smtp_url.is_empty()).then(|| SmtpSettings {
            url: self.mail.smtp_url.clone(),
            from: self.mail.from.clone(),
            timeout: Duration::from_secs(self.mail.timeout_seconds as u64),
        })
    }

    fn file_hosts(&self) -> Vec<String> {
        self.portal.file_hosts.split(',').map(str::trim).filter(|h| !h.is_empty()).map(str::to_owned).collect()
    }

    /// The LGSP/NGSP adapter, when configured.
    pub fn lgsp(&self) -> Option<motcua_integrations::national_portal::LgspSettings> {
        (!self.portal.lgsp_url.is_empty()).then(|| motcua_integrations::national_portal::LgspSettings {
            adapter_url: self.portal.lgsp_url.clone(),
            auth_path: self.portal.lgsp_auth_path.clone(),
            integration_path: self.portal.lgsp_integration_path.clone(),
            username: self.portal.lgsp_username.clone(),
            password: self.portal.lgsp_password.clone(),
            agency_code: self.portal.lgsp_agency.clone(),
            file_hosts: self.file_hosts(),
            timeout: Duration::from_secs(self.portal.timeout_seconds as u64),
        })
    }

    /// The national portal's REST endpoints; `None`: changes stay queued.
    pub fn portal(&self) -> Option<RestPortalSettings> {
        (!self.portal.rest_url.is_empty()).then(|| RestPortalSettings {
            base_url: self.portal.rest_url.clone(),
            create_path: self.portal.create_path.clone(),
            update_path: self.portal.update_path.clone(),
            steps_path: self.portal.steps_path.clone(),
            pull_path: self.portal.pull_path.clone(),
            file_hosts: self.file_hosts(),
            token: (!self.portal.token.is_empty()).then(|| self.portal.token.clone()),
            timeout: Duration::from_secs(self.portal.timeout_seconds as u64),
        })
    }

    pub fn settings(&self) -> Settings {
        Settings {
            notifications: NotificationSettings {
                public_url: (!self.public_url.is_empty()).then(|| self.public_url.clone()),
                scan_interval: SignedDuration::from_mins(self.notifications.scan_interval_minutes),
                step_lead_working_hours: self.notifications.step_lead_working_hours as u32,
            },
            auth: AuthSettings {
                argon2: self.argon2(),
                session_idle: SignedDuration::from_mins(self.auth.session_idle_minutes),
                session_absolute: SignedDuration::from_hours(self.auth.session_absolute_hours),
                lockout: LockoutPolicy {
                    threshold: self.auth.lockout_threshold as u32,
                    base_seconds: self.auth.lockout_base_seconds as u32,
                    max_seconds: self.auth.lockout_max_seconds as u32,
                },
            },
            worker: WorkerSettings {
                poll_interval: Duration::from_millis(self.worker.poll_interval_ms as u64),
                batch_size: self.worker.batch_size,
                lease: SignedDuration::from_secs(self.worker.lease_seconds),
                backoff: Backoff {
                    base_seconds: self.worker.backoff_base_seconds as u32,
                    max_seconds: self.worker.backoff_max_seconds as u32,
                },
                retention: SignedDuration::from_hours(24 * self.worker.retention_days),
            },
            dossiers: DossierSettings { near_due_working_days: self.dossiers.near_due_working_days as u32 },
            portal: motcua_app::settings::PortalSettings {
                reception_cutoff: self
                    .portal
                    .reception_cutoff
                    .parse()
                    .unwrap_or(motcua_domain::calendar::ClockTime::hm(17, 0)),
                pull_interval: SignedDuration::from_secs(self.portal.pull_seconds),
                claim: SignedDuration::from_secs(self.portal.timeout_seconds + 15),
                ..Default::default()
            },
            reports: motcua_app::settings::ReportSettings {
                targets: motcua_domain::report::index766::Targets::parse(&self.reports.index766_targets)
                    .unwrap_or_default(),
                bands: motcua_domain::report::index766::Bands::parse(&self.reports.index766_bands).unwrap_or_default(),
            },
            // The key is read by `anchor_key`, which may touch the disk.
            integrity: IntegritySettings {
                anchor_key: None,
                checkpoint_interval: SignedDuration::from_mins(self.integrity.checkpoint_minutes),
            },
        }
    }

    /// The file the anchor key is read from when it is not configured directly.
    pub fn anchor_key_path(&self) -> PathBuf {
        match self.integrity.anchor_key_file.trim() {
            "" => Path::new(&self.data_dir).join("anchor.key"),
            f => PathBuf::from(f),
        }
    }

    /// The anchor key: configured, or read from its file; with `create`, a missing file is
    /// created with a fresh random key (readable by the owner only). `None`: no key.
    pub fn anchor_key(&self, create: bool) -> anyhow::Result<Option<AnchorKey>> {
        if !self.integrity.anchor_key.is_empty() {
            return Ok(Some(AnchorKey::parse(&self.integrity.anchor_key).map_err(|e| anyhow!(e))?));
        }
        let path = self.anchor_key_path();
        match std::fs::read_to_string(&path) {
            Ok(text) => Ok(Some(AnchorKey::parse(&text).map_err(|e| anyhow!("{}: {e}", path.display()))?)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && create => {
                let mut bytes = [0u8; 32];
                bytes.copy_from_slice(&motcua_app::secret::random_bytes(32));
                let key = AnchorKey::from_random(bytes);
                if let Err(e) = write_private(&path, &format!("{}\n", key.to_hex())) {
                    // Another process created it first: use theirs.
                    if path.exists() {
                        return self.anchor_key(false);
                    }
                    return Err(e);
                }
                tracing::warn!(
                    path = %path.display(),
                    "created a new anchor key; keep a copy away from the database and its backups, or set integrity.anchor_key"
                );
                Ok(Some(key))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(anyhow!("cannot read the anchor key {}: {e}", path.display())),
        }
    }

    pub fn web(&self) -> WebConfig {
        WebConfig {
            public_url: (!self.public_url.is_empty()).then(|| self.public_url.clone()),
            body_limit_bytes: self.server.body_limit_bytes as usize,
            request_timeout: Duration::from_secs(self.server.request_timeout_seconds as u64),
            login_per_minute: self.auth.login_per_minute as u32,
            public_api_per_minute: self.server.public_api_per_minute as u32,
            kiosk_idle_seconds: self.server.kiosk_idle_seconds as u32,
            tracking_per_minute: self.server.tracking_per_minute as u32,
            metrics_token: (!self.metrics.token.is_empty()).then(|| self.metrics.token.clone()),
            portal_inbound_token: (!self.portal.inbound_token.is_empty()).then(|| self.portal.inbound_token.clone()),
            portal_department: (!self.portal.department_id.is_empty()).then(|| self.portal.department_id.clone()),
            trust_forwarded_for: self.server.trust_forwarded_for,
        }
    }

    pub fn db_options(&self) -> motcua_store::DbOptions {
        motcua_store::DbOptions {
            max_connections: self.database.max_connections as u32,
            busy_timeout: Duration::from_millis(self.database.busy_timeout_ms as u64),
            ..Default::default()
        }
    }

    /// The effective configuration as TOML, secrets and database passwords redacted, each key
    /// annotated with its environment variable.
    pub fn to_redacted_toml(&self) -> String {
        let mut c = self.clone();
        if let Ok(mut u) = url::Url::parse(&c.database.url)
            && u.password().is_some()
        {
            let _ = u.set_password(Some("***"));
            c.database.url = u.to_string();
        }
        let mut table = toml::Table::try_from(&c).expect("config serialises");
        for key in SECRET_KEYS {
            let mut all = BTreeMap::new();
            leaves(&table, "", &mut all);
            if all.get(*key).and_then(Value::as_str).is_some_and(|s| !s.is_empty()) {
                set(&mut table, key, Value::String("***".into()));
            }
        }
        let text = toml::to_string(&table).expect("config serialises");
        // Annotate `key = value` lines with their environment variable.
        let mut section = String::new();
        let mut out = String::from("# motcua — cấu hình đang dùng (effective configuration; secrets redacted)\n");
        for line in text.lines() {
            if let Some(s) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                section = s.to_owned();
                out.push_str(line);
            } else if let Some((k, _)) = line.split_once(" = ") {
                let key = if section.is_empty() { k.to_owned() } else { format!("{section}.{k}") };
                out.push_str(&format!("{line}  # {}", env_name(&key)));
            } else {
                out.push_str(line);
            }
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    fn temp_file(text: &str) -> PathBuf {
        let p = std::env::temp_dir().join(format!(
            "motcua-config-{}-{}.toml",
            std::process::id(),
            motcua_app::secret::random_hex(4)
        ));
        std::fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn defaults_are_valid_and_derive_the_sqlite_url() {
        let c = Config::load(None, &[], &Overrides::default()).unwrap();
        assert_eq!(c.listen, "127.0.0.1:8080");
        assert_eq!(c.database.url, "sqlite://./motcua-data/motcua.db");
    }

    #[test]
    fn layers_apply_in_order() {
        let f = temp_file("listen = \"127.0.0.1:9000\"\n[auth]\nlockout_threshold = 7\nsession_idle_minutes = 30\n");
        let c = Config::load(
            Some(&f),
            &env(&[("MOTCUA_AUTH_LOCKOUT_THRESHOLD", "9"), ("MOTCUA_WORKER_IN_PROCESS", "false"), ("PATH", "/bin")]),
            &Overrides { data_dir: Some("/srv/motcua".into()), ..Default::default() },
        )
        .unwrap();
        assert_eq!(c.listen, "127.0.0.1:9000", "file over default");
        assert_eq!(c.auth.session_idle_minutes, 30);
        assert_eq!(c.auth.lockout_threshold, 9, "env over file");
        assert!(!c.worker.in_process);
        assert_eq!(c.database.url, "sqlite:///srv/motcua/motcua.db", "flag over everything");
        let c = Config::load(
            Some(&f),
            &env(&[("MOTCUA_LISTEN", "0.0.0.0:80")]),
            &Overrides { listen: Some("127.0.0.1:1".into()), ..Default::default() },
        )
        .unwrap();
        assert_eq!(c.listen, "127.0.0.1:1");
        std::fs::remove_file(f).ok();
    }

    #[test]
    fn errors_name_the_bad_key() {
        let f = temp_file("[auth]\nlockout_treshold = 3\n");
        let e = Config::load(Some(&f), &[], &Overrides::default()).unwrap_err().to_string();
        assert!(e.contains("unknown key `auth.lockout_treshold`"), "{e}");
        let f2 = temp_file("[auth]\nlockout_threshold = \"many\"\n");
        let e = Config::load(Some(&f2), &[], &Overrides::default()).unwrap_err().to_string();
        assert!(e.contains("`auth.lockout_threshold` must be an integer"), "{e}");
        let e = Config::load(None, &env(&[("MOTCUA_AUTH_LOCKOUT_THRESHOLD", "x")]), &Overrides::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains("MOTCUA_AUTH_LOCKOUT_THRESHOLD"), "{e}");
        let e =
            Config::load(None, &env(&[("MOTCUA_DATABSE_URL", "x")]), &Overrides::default()).unwrap_err().to_string();
        assert!(e.contains("MOTCUA_DATABSE_URL is not a configuration key"), "{e}");
        let e =
            Config::load(None, &env(&[("MOTCUA_LISTEN", "localhost")]), &Overrides::default()).unwrap_err().to_string();
        assert!(e.contains("`listen` (MOTCUA_LISTEN)"), "{e}");
        let e = Config::load(None, &env(&[("MOTCUA_DATABASE_URL", "mysql://x")]), &Overrides::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains("`database.url`"), "{e}");
        let e = Config::load(None, &env(&[("MOTCUA_AUTH_ARGON2_ITERATIONS", "0")]), &Overrides::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains("`auth.argon2_iterations`"), "{e}");
        let e =
            Config::load(None, &env(&[("MOTCUA_LOG_FORMAT", "xml")]), &Overrides::default()).unwrap_err().to_string();
        assert!(e.contains("`log.format`"), "{e}");
        // Test-harness variables are not configuration.
        assert!(Config::load(None, &env(&[("MOTCUA_TEST_PG_URL", "x")]), &Overrides::default()).is_ok());
        std::fs::remove_file(f).ok();
        std::fs::remove_file(f2).ok();
    }

    #[test]
    fn printing_redacts_secrets() {
        let c = Config::load(
            None,
            &env(&[
                ("MOTCUA_DATABASE_URL", "postgres://motcua:s3cret@db.internal/motcua"),
                ("MOTCUA_METRICS_TOKEN", "scrape-me"),
            ]),
            &Overrides::default(),
        )
        .unwrap();
        let text = c.to_redacted_toml();
        assert!(!text.contains("s3cret") && !text.contains("scrape-me"), "{text}");
        assert!(text.contains("postgres://motcua:***@db.internal/motcua"));
        assert!(text.contains("# MOTCUA_AUTH_LOCKOUT_THRESHOLD"));
        assert!(text.contains("url = ") && text.contains("# MOTCUA_DATABASE_URL"));
    }

    #[test]
    fn every_key_has_a_distinct_environment_variable() {
        let table = toml::Table::try_from(Config::default()).unwrap();
        let mut all = BTreeMap::new();
        leaves(&table, "", &mut all);
        let names: std::collections::BTreeSet<String> = all.keys().map(|k| env_name(k)).collect();
        assert_eq!(names.len(), all.len());
    }
}
