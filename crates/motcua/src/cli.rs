//! Command-line interface.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "motcua",
    version,
    about = "Hệ thống thông tin giải quyết thủ tục hành chính (một cửa, một cửa liên thông)",
    long_about = "motcua — information system for administrative procedures under Vietnam's one-stop-shop mechanism.\n\
                  Configuration: defaults → motcua.toml → MOTCUA_* environment → flags (see `motcua config print`)."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args, Clone, Default)]
pub struct GlobalArgs {
    /// Configuration file (default: ./motcua.toml when it exists).
    #[arg(long, global = true, env = "MOTCUA_CONFIG")]
    pub config: Option<PathBuf>,
    /// Folder for the embedded database and files (default ./motcua-data).
    #[arg(long, global = true)]
    pub data_dir: Option<String>,
    /// Database URL: sqlite://… or postgres://… (overrides MOTCUA_DATABASE_URL).
    #[arg(long, global = true)]
    pub database_url: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start the web server (and, unless disabled, the background worker).
    Serve(ServeArgs),
    /// Run the background worker alone (to scale out next to `serve --no-worker`).
    Worker,
    /// Apply database migrations and exit.
    Migrate,
    /// Load the demo province into an empty database and print its logins.
    Demo,
    /// Set up a real installation: the province and its first administrator.
    Init(InitArgs),
    /// Create, list and revoke API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Verify the hash chain of the audit log, or print its head.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Show the effective configuration.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Operate the background job queue.
    #[command(subcommand)]
    Jobs(JobsCommand),
    /// The legal calendar: lunar dates, holidays and due dates.
    #[command(subcommand)]
    Calendar(CalendarCommand),
    /// Import data from a file.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Export data to a file.
    #[command(subcommand)]
    Export(ExportCommand),
    /// The printed forms' templates (mẫu 01–07).
    #[command(subcommand)]
    Forms(FormsCommand),
    /// Statutory reports (Biểu 06), the raw export behind them, and the upkeep of their counters.
    #[command(subcommand)]
    Report(ReportCommand),
    /// The national public service portal: reconciliation and the sender's dead letters.
    #[command(subcommand)]
    Portal(PortalCommand),
    /// Benchmark data.
    #[command(subcommand)]
    Bench(BenchCommand),
}

#[derive(Debug, Subcommand)]
pub enum PortalCommand {
    /// Compare our Decision 766 figures of a calendar month, quarter or year with those the
    /// portal publishes, cell by cell, and list the dossiers the portal does not hold as they
    /// stand; exit 3 when something differs.
    Reconcile {
        /// `2026-M10`, `2026-Q3` or `2026` (calendar periods: the portal's).
        #[arg(long)]
        period: String,
        /// The agency's code (default: the province).
        #[arg(long)]
        agency: Option<String>,
        /// `text` or `json`.
        #[arg(long, default_value = "text")]
        format: String,
    },
    /// Send a dossier given up after repeated failures again (by its code, the portal's code or
    /// its number).
    Resend { dossier: String },
    /// Update the catalogue from the national procedure database through the LGSP/NGSP adapter
    /// (`LayThuTuc`, `LayDanhSachTTHC`), checked and written like an imported file.
    Catalogue {
        /// National procedure codes to take (`1.001193`); repeat the option for several.
        #[arg(long = "code")]
        codes: Vec<String>,
        /// Every procedure the portal lists.
        #[arg(long, conflicts_with = "codes")]
        all: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Load the demo province into an empty database and write a synthetic history through
    /// the dossiers' own rules (channels, supplements, late dossiers, withdrawals, holidays).
    Gen {
        /// Dossiers in all (spread over the agencies that receive).
        #[arg(long, default_value_t = 100_000)]
        dossiers: usize,
        /// Communes of the province (the four named demo ones and numbered test communes).
        #[arg(long, default_value_t = 4)]
        agencies: usize,
        /// Years of history, ending now.
        #[arg(long, default_value_t = 1)]
        years: i64,
        /// Seed of the history (the same seed gives the same history).
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
}

/// Which period and agency a report covers.
#[derive(Debug, Args, Clone)]
pub struct ReportArgs {
    /// `2026-M10`, `2026-Q3`, `2026-H1`, `2026-9M`, `2026` or `2026-07-01..2026-09-30`
    /// (default: the statutory month containing today).
    #[arg(long)]
    pub period: Option<String>,
    /// Calendar months, quarters and years (as DVCQG and Decision 766) instead of the statutory
    /// cut-off periods (15th to 14th).
    #[arg(long)]
    pub calendar: bool,
    /// Instead of --period: first day (yyyy-mm-dd).
    #[arg(long)]
    pub from: Option<String>,
    /// …and last day, included.
    #[arg(long)]
    pub to: Option<String>,
    /// The agency's code (default: the province); the report covers everything under it.
    #[arg(long)]
    pub agency: Option<String>,
    /// `06` (at the resolving agencies) or `06a` (at the one-stop centre).
    #[arg(long, default_value = "06")]
    pub form: String,
}

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// Biểu 06/VPCP/KSTT (or II.06a) as XLSX, CSV, PDF or JSON.
    #[command(name = "06")]
    Form06 {
        #[command(flatten)]
        args: ReportArgs,
        /// `xlsx`, `csv`, `pdf` or `json`.
        #[arg(long, default_value = "xlsx")]
        format: String,
        /// Output file (`-` for standard output).
        #[arg(long)]
        out: PathBuf,
    },
    /// The raw export: one row per dossier the period counts, with every instant the counting
    /// rules use (CSV).
    Dossiers {
        #[command(flatten)]
        args: ReportArgs,
        /// `csv` (the only format).
        #[arg(long, default_value = "csv")]
        format: String,
        #[arg(long)]
        out: PathBuf,
    },
    /// Recompute every dossier's counting facts and every counter from the events.
    Rebuild,
    /// Check that the stored counters equal a recomputation; exit 1 on any difference.
    Verify,
}

#[derive(Debug, Subcommand)]
pub enum FormsCommand {
    /// Write the built-in templates into a folder, to edit and set as `dossiers.form_templates_dir`.
    Export {
        /// The folder (created if missing; existing files are not overwritten).
        dir: std::path::PathBuf,
    },
    /// Check a folder of templates: each form renders with sample data; exit 1 on a problem.
    Check { dir: std::path::PathBuf },
    /// Render every form with sample data into a folder of PDFs, to look at after editing.
    Preview {
        /// Templates folder (default: the built-ins).
        #[arg(long)]
        templates: Option<std::path::PathBuf>,
        /// Where to write the PDFs.
        out: std::path::PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Import procedures from the national package (.json) or the XLSX template (.xlsx).
    /// Every row is checked first; one bad row rejects the whole file and nothing changes.
    Procedures {
        /// The file (.json or .xlsx).
        file: std::path::PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// Export the procedures in force (.json national package or .xlsx template, by extension).
    Procedures {
        /// Where to write (.json or .xlsx); `-` writes JSON to standard output.
        file: std::path::PathBuf,
    },
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (default 127.0.0.1:8080).
    #[arg(long)]
    pub listen: Option<String>,
    /// Load the demo province when the database is empty (refuses a database with real data).
    #[arg(long)]
    pub demo: bool,
    /// Do not run the background worker in this process.
    #[arg(long)]
    pub no_worker: bool,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Electronic identifier of the province, e.g. H56.
    #[arg(long)]
    pub province_code: String,
    /// e.g. "Ủy ban nhân dân tỉnh Khánh Hòa".
    #[arg(long)]
    pub province_name: String,
    #[arg(long, default_value = "admin")]
    pub admin_username: String,
    #[arg(long, default_value = "Quản trị hệ thống")]
    pub admin_name: String,
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a bearer token for a user and print it once.
    Create {
        #[arg(long)]
        user: String,
        #[arg(long, default_value = "cli")]
        name: String,
        /// Days until expiry (default: never).
        #[arg(long)]
        expires_days: Option<u32>,
    },
    /// List a user's tokens (never the secrets).
    List {
        #[arg(long)]
        user: String,
    },
    /// Revoke a token by id.
    Revoke { id: i64 },
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Verify every hash chain (the audit log, every dossier's events and row, the anchors);
    /// exit 1 and name the first broken entry or dossier if anything was altered or removed.
    Verify {
        /// An audit head printed earlier (`SEQ:HASH`), to also detect removal of the newest entries.
        #[arg(long)]
        anchor: Option<String>,
        /// The exported anchors (default: `integrity.export_path`), each of which must still be
        /// in the database unchanged.
        #[arg(long)]
        anchors: Option<std::path::PathBuf>,
    },
    /// Verify what was appended since the newest anchor and write the next anchor now.
    Anchor,
    /// Print the current head (`SEQ:HASH`) to keep somewhere safe as an anchor.
    Head,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print the effective configuration (secrets redacted) with each key's environment variable.
    Print,
}

#[derive(Debug, Subcommand)]
pub enum JobsCommand {
    /// Enqueue diagnostic jobs that only sleep, to check that workers are alive.
    Ping {
        #[arg(long, default_value_t = 1)]
        count: u32,
        #[arg(long, default_value_t = 0)]
        delay_ms: u64,
    },
    /// Count jobs by status.
    Status,
}

#[derive(Debug, Subcommand)]
pub enum CalendarCommand {
    /// Convert a date between the solar and the Vietnamese lunar calendar.
    Lunar {
        /// Solar date to convert (yyyy-mm-dd or dd/mm/yyyy).
        #[arg(long, conflicts_with = "lunar", required_unless_present = "lunar")]
        solar: Option<String>,
        /// Lunar date to convert (yyyy-mm-dd).
        #[arg(long)]
        lunar: Option<String>,
        /// The lunar month is a leap month (tháng nhuận).
        #[arg(long, requires = "lunar")]
        leap: bool,
        #[arg(long)]
        json: bool,
    },
    /// List a year's weekdays off and worked weekend days, with their sources.
    Holidays {
        #[arg(long)]
        year: String,
        #[arg(long)]
        json: bool,
    },
    /// Compute the due instant of a processing time.
    Due {
        /// Start (valid intake), e.g. 2026-02-13T16:00 (Vietnam time unless an offset is given).
        #[arg(long)]
        start: String,
        /// Amount of the unit (not needed for same_day).
        #[arg(long)]
        duration: Option<String>,
        /// working_hours, working_days, half_days, calendar_days, months or same_day.
        #[arg(long)]
        unit: String,
        /// For same_day: received at or after this time (HH:MM, default 15:00), due the next working day.
        #[arg(long)]
        cutoff: Option<String>,
        /// Agency electronic identifier whose office hours apply (default: standard hours).
        #[arg(long)]
        agency: Option<String>,
        /// working_time (default, or the agency's) or civil_days.
        #[arg(long)]
        counting: Option<String>,
        #[arg(long)]
        json: bool,
    },
}
