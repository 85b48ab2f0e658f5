//! What each subcommand does.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context as _, bail};
use motcua_app::Services;
use motcua_app::clock::SystemClock;
use motcua_app::context::{Actor, RequestMeta};
use motcua_app::demo::{DEMO_PASSWORD, DEMO_USERS, DatasetState};
use motcua_app::integrity::CheckpointOutcome;
use motcua_app::ports::FormTemplateSource;
use motcua_domain::account::Username;
use motcua_domain::agency::AgencyCode;
use motcua_domain::audit::ChainHead;
use motcua_domain::integrity::AnchorReason;
use motcua_domain::time::format_datetime;
use motcua_store::Db;
use tokio::sync::watch;

use crate::cli::{
    AuditCommand, BenchCommand, CalendarCommand, Cli, Command, ConfigCommand, ExportCommand, FormsCommand,
    ImportCommand, InitArgs, JobsCommand, ServeArgs, TokenCommand,
};
use crate::config::{Config, Overrides};
use crate::logging;

pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let listen = match &cli.command {
        Command::Serve(s) => s.listen.clone(),
        _ => None,
    };
    let overrides =
        Overrides { listen, data_dir: cli.global.data_dir.clone(), database_url: cli.global.database_url.clone() };
    let env: Vec<(String, String)> = std::env::vars().collect();
    let config = Config::load(cli.global.config.as_deref(), &env, &overrides)?;

    if let Command::Config(ConfigCommand::Print) = cli.command {
        print!("{}", config.to_redacted_toml());
        return Ok(ExitCode::SUCCESS);
    }
    if let Command::Calendar(CalendarCommand::Lunar { solar, lunar, leap, json }) = cli.command {
        return crate::calendar_cmd::lunar(solar, lunar, leap, json);
    }
    if let Command::Forms(cmd) = cli.command {
        return forms(cmd);
    }
    let long_running = matches!(cli.command, Command::Serve(_) | Command::Worker);
    logging::init(if long_running { &config.log.level } else { "warn" }, &config.log.format);

    std::fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("cannot create data folder {}", config.data_dir))?;
    std::fs::create_dir_all(std::path::Path::new(&config.data_dir).join("files"))
        .context("cannot create the file store folder")?;
    let db = Db::connect(&config.database.url, &config.db_options()).await?;
    let migrates = matches!(
        cli.command,
        Command::Serve(_) | Command::Migrate | Command::Demo | Command::Init(_) | Command::Bench(_)
    );
    if migrates {
        db.migrate().await?;
    }
    let files = motcua_store::files::LocalFiles::new(std::path::Path::new(&config.data_dir).join("files"));
    let mut settings = config.settings();
    // The processes that write anchors get a key even on a fresh installation.
    let creates_key = matches!(cli.command, Command::Serve(_) | Command::Worker | Command::Init(_) | Command::Demo);
    settings.integrity.anchor_key = config.anchor_key(creates_key)?;
    let mut services = Services::new(Arc::new(db.clone()), Arc::new(files), Arc::new(SystemClock), settings)?;
    if let Some(templates) = config.form_templates() {
        services = services.with_form_templates(Arc::new(templates));
    }
    if let Some(portal) = config.portal() {
        services = services.with_portal(Arc::new(motcua_integrations::national_portal::RestPortal::new(&portal)?));
    } else if let Some(lgsp) = config.lgsp() {
        services = services.with_portal(Arc::new(motcua_integrations::national_portal::LgspPortal::new(&lgsp)?));
    }
    if !config.portal.evaluation_url.is_empty() {
        services = services.with_portal_figures(Arc::new(motcua_integrations::national_portal::RestFigures::new(
            &config.portal.evaluation_url,
            std::time::Duration::from_secs(config.portal.timeout_seconds as u64),
        )?));
    }
    if let Some(smtp) = config.smtp() {
        services = services.with_mail(Arc::new(motcua_integrations::smtp::SmtpMailer::new(&smtp)?));
    }
    if let Some(hook) = config.webhook() {
        services = services.with_notice_webhook(Arc::new(motcua_integrations::webhook::SignedWebhook::new(&hook)?));
    }
    if !config.integrity.export_path.is_empty() {
        services = services
            .with_anchor_sink(Arc::new(motcua_store::files::FileAnchorSink::new(&config.integrity.export_path)));
    }
    if migrates && services.reports.rebuild_if_needed().await? {
        eprintln!("Đã tính lại số liệu thống kê của các hồ sơ có sẵn (lần đầu sau khi nâng cấp).");
    }
    if !migrates {
        let pending = motcua_app::ports::Store::pending_migrations(&db).await?;
        if !pending.is_empty()
            && let Command::Calendar(cmd) = cli.command
        {
            // A calendar query on a database never set up: answer from the shipped calendar.
            let code = crate::calendar_cmd::run(None, cmd).await?;
            db.close().await;
            return Ok(code);
        }
        if !pending.is_empty() {
            bail!("the database lacks migrations {pending:?}; run `motcua migrate` (or start `motcua serve`) first");
        }
    }

    let code = match cli.command {
        Command::Serve(args) => serve(&config, services, args).await?,
        Command::Worker => worker(services).await?,
        Command::Migrate => {
            println!("Cơ sở dữ liệu đã được cập nhật ({}).", db.backend().as_str());
            ExitCode::SUCCESS
        }
        Command::Demo => {
            if load_demo(&services).await? {
                demo_dossiers(&services, &config).await?;
            }
            demo_petitions(&services).await?;
            print_demo_logins(&services).await?;
            ExitCode::SUCCESS
        }
        Command::Init(args) => init(&services, args).await?,
        Command::Token(t) => token(&services, t).await?,
        Command::Audit(a) => audit(&config, &services, a).await?,
        Command::Jobs(j) => jobs(&services, j).await?,
        Command::Import(ImportCommand::Procedures { file }) => import_procedures(&services, &file).await?,
        Command::Export(ExportCommand::Procedures { file }) => export_procedures(&services, &file).await?,
        Command::Calendar(c) => crate::calendar_cmd::run(Some(&services), c).await?,
        Command::Report(r) => crate::report_cmd::run(&services, r).await?,
        Command::Portal(p) => crate::portal_cmd::run(&services, &config, p).await?,
        Command::Bench(BenchCommand::Gen { dossiers, agencies, years, seed }) => {
            bench_gen(&services, dossiers, agencies, years, seed).await?
        }
        Command::Config(_) | Command::Forms(_) => unreachable!("handled above"),
    };
    db.close().await;
    Ok(code)
}

/// Loads the demo province; whether it was loaded now (an empty database).
async fn load_demo(services: &Services) -> anyhow::Result<bool> {
    match services.load_demo(&RequestMeta::cli()).await {
        Ok(true) => {
            eprintln!("Đã nạp dữ liệu mẫu (tỉnh Sơn Hà).");
            Ok(true)
        }
        Ok(false) => {
            eprintln!("Dữ liệu mẫu đã có sẵn.");
            Ok(false)
        }
        Err(motcua_app::AppError::Conflict { message, .. }) => {
            bail!("{message} (--demo refuses to touch a database with real data)")
        }
        Err(e) => Err(e.into()),
    }
}

/// `bench gen`: the demo province and `dossiers` dossiers over `years` years ending now.
async fn bench_gen(
    services: &Services,
    dossiers: usize,
    communes: usize,
    years: i64,
    seed: u64,
) -> anyhow::Result<ExitCode> {
    if !(4..=600).contains(&communes) {
        bail!("--agencies: from 4 to 600 communes");
    }
    match services.load_demo_province(&RequestMeta::cli(), communes).await {
        Ok(true) => eprintln!("Đã nạp tỉnh mẫu với {communes} xã, phường."),
        Ok(false) => eprintln!("Dữ liệu mẫu đã có sẵn."),
        Err(motcua_app::AppError::Conflict { message, .. }) => bail!("{message}"),
        Err(e) => return Err(e.into()),
    }
    let snapshot = services.snapshot().await?;
    let agencies = services.dossiers.synthetic_agencies(&snapshot).await?.max(1);
    let started = std::time::Instant::now();
    let history = motcua_app::dossiers::SyntheticHistory {
        per_agency: dossiers.div_ceil(agencies),
        days: 365 * years.max(1),
        end: services.now(),
        seed,
        batch: 5_000,
    };
    let progress = |n: u64| {
        let secs = started.elapsed().as_secs_f64();
        eprint!("\r{n} hồ sơ, {:.0} hồ sơ/s   ", n as f64 / secs.max(0.001));
    };
    let s = services.dossiers.write_synthetic_history(&snapshot, &history, &progress).await?;
    let secs = started.elapsed().as_secs_f64();
    eprintln!();
    println!(
        "{} hồ sơ, {} sự kiện, {} cơ quan tiếp nhận; {:.1} s ({:.0} hồ sơ/s).",
        s.dossiers,
        s.events,
        s.agencies,
        secs,
        s.dossiers as f64 / secs.max(0.001)
    );
    Ok(ExitCode::SUCCESS)
}

/// The dossiers of a fresh demo: a year of history (unless turned off), then a few online
/// dossiers as the national portal sent them (the history wants an empty table first).
async fn demo_dossiers(services: &Services, config: &Config) -> anyhow::Result<()> {
    if config.dossiers.demo_history_per_agency > 0 {
        demo_history(services, config.dossiers.demo_history_per_agency as usize).await?;
    }
    let n = services.national_portal.load_demo_online().await?;
    eprintln!(
        "Đã nạp {n} hồ sơ trực tuyến mẫu nhận từ Cổng DVC quốc gia (hàng \"Trực tuyến chờ tiếp nhận\" của xã An Phú)."
    );
    Ok(())
}

/// The demo's petitions, also into a demo database made before petitions existed.
async fn demo_petitions(services: &Services) -> anyhow::Result<()> {
    let n = services.petitions.load_demo(&RequestMeta::cli()).await?;
    if n > 0 {
        eprintln!(
            "Đã nạp {n} phản ánh, kiến nghị mẫu ở mọi bước xử lý (/phan-anh-kien-nghi, trang công khai /phan-anh)."
        );
    }
    Ok(())
}

/// A year of synthetic history ending now, so the dashboards and reports show real-looking
/// numbers from the first look.
async fn demo_history(services: &Services, per_agency: usize) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let snapshot = services.snapshot().await?;
    let history = motcua_app::dossiers::SyntheticHistory {
        per_agency,
        days: 365,
        end: services.now(),
        seed: 20_250_701,
        batch: 2_000,
    };
    let s = services.dossiers.write_synthetic_history(&snapshot, &history, &|_| {}).await?;
    eprintln!(
        "Đã sinh lịch sử mẫu một năm: {} hồ sơ, {} sự kiện ({:.1} s).",
        s.dossiers,
        s.events,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

async fn print_demo_logins(services: &Services) -> anyhow::Result<()> {
    println!();
    println!("Tài khoản mẫu — mật khẩu chung: {DEMO_PASSWORD}");
    println!("{:<22} {:<24} Phạm vi", "Tên đăng nhập", "Vai trò");
    let snapshot = services.snapshot().await?;
    for u in DEMO_USERS {
        for (i, (role, code)) in u.grants.iter().enumerate() {
            let code = AgencyCode::parse(code).expect("demo codes are valid");
            let unit = snapshot.agency_by_code(&code).await?.map(|a| a.name).unwrap_or_default();
            let login = if i == 0 { u.username } else { "" };
            println!("{:<22} {:<24} {} ({})", login, role.label_vi(), unit, code);
        }
    }
    println!();
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
    tracing::info!("shutting down");
}

async fn serve(config: &Config, services: Services, args: ServeArgs) -> anyhow::Result<ExitCode> {
    if args.demo {
        if load_demo(&services).await? {
            demo_dossiers(&services, config).await?;
        }
        demo_petitions(&services).await?;
    } else if services.dataset_state().await? == DatasetState::Empty {
        eprintln!(
            "Cơ sở dữ liệu còn trống: chạy `motcua init --province-code … --province-name …` để khởi tạo, hoặc `motcua serve --demo` để dùng thử."
        );
    }
    let procedures = services.catalog.warm_catalog().await?;
    tracing::info!(procedures, "catalogue search index ready");
    let listener = tokio::net::TcpListener::bind(&config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    let addr = listener.local_addr()?;
    let (stop_tx, stop_rx) = watch::channel(false);
    let worker = if config.worker.in_process && !args.no_worker {
        Some(tokio::spawn(services.worker(services.standard_jobs()).run(stop_rx)))
    } else {
        None
    };
    if args.demo {
        print_demo_logins(&services).await?;
    }
    println!("motcua đang chạy tại http://{addr}/ (cơ sở dữ liệu: {}). Nhấn Ctrl+C để dừng.", services.backend_name());
    let state = motcua_web::AppState::new(services.clone(), config.web());
    let app = motcua_web::router(state);
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    let _ = stop_tx.send(true);
    if let Some(w) = worker {
        let _ = w.await;
    }
    final_checkpoint(&services).await;
    Ok(ExitCode::SUCCESS)
}

/// The anchor written when a process stops, so that the last minutes before a shutdown are
/// covered too.
async fn final_checkpoint(services: &Services) {
    match services.integrity.checkpoint(AnchorReason::Shutdown).await {
        Ok(CheckpointOutcome::Anchored(a)) => tracing::info!(anchor = a.seq, "anchored on shutdown"),
        Ok(CheckpointOutcome::Broken(f)) => tracing::error!(failure = %f, "integrity check failed on shutdown"),
        Ok(CheckpointOutcome::NoKey | CheckpointOutcome::Superseded) => {}
        Err(e) => tracing::error!(error = %e, "could not anchor on shutdown"),
    }
}

async fn worker(services: Services) -> anyhow::Result<ExitCode> {
    let (stop_tx, stop_rx) = watch::channel(false);
    let w = services.worker(services.standard_jobs());
    eprintln!("motcua worker {} đang chạy. Nhấn Ctrl+C để dừng.", w.id());
    let handle = tokio::spawn(w.run(stop_rx));
    shutdown_signal().await;
    let _ = stop_tx.send(true);
    handle.await?;
    final_checkpoint(&services).await;
    Ok(ExitCode::SUCCESS)
}

async fn init(services: &Services, args: InitArgs) -> anyhow::Result<ExitCode> {
    let input = motcua_app::bootstrap::InitInput {
        province_code: args.province_code,
        province_name: args.province_name,
        admin_username: args.admin_username,
        admin_full_name: args.admin_name,
    };
    match services.initialize(&input, &RequestMeta::cli()).await {
        Ok(out) => {
            println!("Đã khởi tạo {} ({}).", out.province.name, out.province.code);
            println!("Quản trị: {}  mật khẩu dùng một lần: {}", out.admin_username, out.admin_password);
            println!("Đăng nhập và đổi mật khẩu ngay.");
            Ok(ExitCode::SUCCESS)
        }
        Err(motcua_app::AppError::Validation(v)) => {
            for e in v.errors {
                eprintln!("error: {}: {}", e.field, e.message);
            }
            Ok(ExitCode::from(2))
        }
        Err(e) => Err(e.into()),
    }
}

async fn token(services: &Services, cmd: TokenCommand) -> anyhow::Result<ExitCode> {
    let meta = RequestMeta::cli();
    match cmd {
        TokenCommand::Create { user, name, expires_days } => {
            let (token, record) = services
                .accounts
                .create_api_token(Actor::System { label: "cli" }, &user, &name, expires_days, &meta)
                .await?;
            eprintln!(
                "Khóa API #{} \"{}\" cho {user}{} — chỉ hiển thị một lần:",
                record.id,
                record.name,
                record.expires_at.map(|e| format!(", hết hạn {}", format_datetime(e))).unwrap_or_default()
            );
            println!("{token}");
        }
        TokenCommand::List { user } => {
            let username = Username::parse(&user).map_err(|e| anyhow::anyhow!(e.message))?;
            let Some(u) = services.accounts.find_user(&username).await? else { bail!("no such user: {user}") };
            println!(
                "{:<6} {:<24} {:<12} {:<18} {:<18} Trạng thái",
                "Id", "Tên", "Tiền tố", "Tạo lúc", "Dùng lần cuối"
            );
            for t in services.accounts.api_tokens_of(u.id).await? {
                let state = if t.revoked_at.is_some() { "đã thu hồi" } else { "đang dùng" };
                println!(
                    "{:<6} {:<24} {:<12} {:<18} {:<18} {state}",
                    t.id,
                    t.name,
                    t.token_prefix,
                    format_datetime(t.created_at),
                    t.last_used_at.map(format_datetime).unwrap_or_else(|| "-".into())
                );
            }
        }
        TokenCommand::Revoke { id } => {
            services.accounts.revoke_api_token(Actor::System { label: "cli" }, id, &meta).await?;
            println!("Đã thu hồi khóa API #{id}.");
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn audit(config: &Config, services: &Services, cmd: AuditCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        AuditCommand::Verify { anchor, anchors } => {
            let manual = match anchor {
                Some(a) => {
                    Some(ChainHead::parse(&a).context("--anchor must be SEQ:HASH as printed by `motcua audit head`")?)
                }
                None => None,
            };
            // The exported copy of the anchors: the one named, else the configured export.
            let file = anchors.or_else(|| {
                (!config.integrity.export_path.is_empty()).then(|| config.integrity.export_path.clone().into())
            });
            let exported = match &file {
                Some(f) if f.exists() => motcua_store::files::FileAnchorSink::read(f)?,
                Some(f) => {
                    eprintln!("Chú ý: chưa có tệp neo {} (chưa có neo nào được xuất).", f.display());
                    Vec::new()
                }
                None => Vec::new(),
            };
            if services.settings().integrity.anchor_key.is_none() {
                eprintln!(
                    "Chú ý: không có khóa neo (integrity.anchor_key hoặc {}); các neo chỉ được kiểm tra thứ tự, không xác thực.",
                    config.anchor_key_path().display()
                );
            }
            let started = std::time::Instant::now();
            if let Some(head) = manual
                && let Err(b) = services.audit.verify_audit(Some(head)).await?
            {
                eprintln!("FAILED: nhật ký thao tác, mục {}: {b}", b.seq());
                return Ok(ExitCode::FAILURE);
            }
            let mismatches = services.reports.verify_rollups().await?;
            if let Some(m) = mismatches.first() {
                eprintln!(
                    "FAILED: số liệu tổng hợp lệch ở {} ô đếm (cơ quan {}, ô {}); chạy `motcua report rebuild`.",
                    mismatches.len(),
                    m.agency.0,
                    m.bucket
                );
                return Ok(ExitCode::FAILURE);
            }
            match services.integrity.verify_integrity(&exported).await? {
                Ok(r) => {
                    let secs = started.elapsed().as_secs_f64();
                    println!(
                        "OK: {} mục nhật ký{}; {} hồ sơ, {} sự kiện; {} phản ánh, kiến nghị, {} sự kiện; {} neo{}{}.",
                        r.audit_entries,
                        r.audit_head.map(|h| format!(" (đầu chuỗi {h})")).unwrap_or_default(),
                        r.dossiers,
                        r.events,
                        r.petitions,
                        r.petition_events,
                        r.anchors,
                        if r.anchors_authenticated {
                            " đã xác thực"
                        } else {
                            " (chưa xác thực: thiếu khóa)"
                        },
                        if exported.is_empty() {
                            String::new()
                        } else {
                            format!(", khớp {} neo của bản xuất", exported.len())
                        },
                    );
                    if let Some(a) = &r.newest_anchor {
                        println!(
                            "Neo mới nhất: số {} lúc {} ({} hồ sơ).",
                            a.seq,
                            format_datetime(a.facts.at),
                            a.facts.dossiers
                        );
                    }
                    println!(
                        "Thời gian: {secs:.2} s ({:.0} sự kiện/s).",
                        if secs > 0.0 { r.events as f64 / secs } else { 0.0 }
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(f) => {
                    eprintln!("FAILED: {f}");
                    Ok(ExitCode::FAILURE)
                }
            }
        }
        AuditCommand::Anchor => match services.integrity.checkpoint(AnchorReason::Manual).await? {
            CheckpointOutcome::Anchored(a) => {
                println!(
                    "Đã ghi neo số {} ({} hồ sơ, nhật ký tới mục {}).",
                    a.seq, a.facts.dossiers, a.facts.audit_seq
                );
                Ok(ExitCode::SUCCESS)
            }
            CheckpointOutcome::Broken(f) => {
                eprintln!("FAILED: {f}");
                Ok(ExitCode::FAILURE)
            }
            CheckpointOutcome::NoKey => {
                eprintln!(
                    "Không có khóa neo: đặt integrity.anchor_key hoặc tạo {} (motcua serve tự tạo).",
                    config.anchor_key_path().display()
                );
                Ok(ExitCode::from(2))
            }
            CheckpointOutcome::Superseded => {
                println!("Một tiến trình khác vừa ghi neo.");
                Ok(ExitCode::SUCCESS)
            }
        },
        AuditCommand::Head => {
            match services.audit.head().await? {
                Some(h) => println!("{h}"),
                None => println!("(empty)"),
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

async fn jobs(services: &Services, cmd: JobsCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        JobsCommand::Ping { count, delay_ms } => {
            let ids = services
                .jobs
                .enqueue_ping(Actor::System { label: "cli" }, count, delay_ms, &RequestMeta::cli())
                .await?;
            println!("Đã đưa {} tác vụ kiểm tra vào hàng đợi.", ids.len());
        }
        JobsCommand::Status => {
            for (status, n) in services.jobs.queue_counts().await? {
                println!("{:<8} {n}", status.as_str());
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn import_procedures(services: &Services, file: &std::path::Path) -> anyhow::Result<ExitCode> {
    use motcua_app::catalog::import::{ImportFormat, parse_import};
    let name = file.to_string_lossy();
    let Some(format) = ImportFormat::from_file_name(&name) else {
        bail!("{name}: chỉ nhận tệp .json (gói thủ tục) hoặc .xlsx (theo mẫu)");
    };
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {name}"))?;
    eprintln!("Đang đọc {name} ({} byte)…", bytes.len());
    let parsed = tokio::task::spawn_blocking(move || parse_import(&bytes, format)).await?;
    import_parsed(services, parsed).await
}

/// Checks and writes parsed procedures, and says what became of them.
pub(crate) async fn import_parsed(
    services: &Services,
    parsed: motcua_app::catalog::import::ParsedImport,
) -> anyhow::Result<ExitCode> {
    eprintln!("Đã đọc {} thủ tục; đang kiểm tra và ghi…", parsed.rows.len() + parsed.problems.len());
    let progress = |done: usize, total: usize| eprintln!("  {done}/{total}");
    match services.catalog.import_procedures(None, parsed, &RequestMeta::cli(), &progress).await {
        Ok(r) => {
            println!(
                "Đã nhập {} thủ tục: {} mới, {} sửa đổi, {} không thay đổi.",
                r.total, r.created, r.amended, r.unchanged
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(motcua_app::AppError::Validation(v)) => {
            eprintln!("Tệp bị từ chối, không thủ tục nào được nhập. {} dòng lỗi:", v.errors.len());
            for e in &v.errors {
                eprintln!("  {}: {}", e.field, e.message);
            }
            Ok(ExitCode::from(2))
        }
        Err(e) => Err(e.into()),
    }
}

async fn export_procedures(services: &Services, file: &std::path::Path) -> anyhow::Result<ExitCode> {
    let name = file.to_string_lossy();
    if name == "-" {
        println!("{}", serde_json::to_string_pretty(&services.catalog.export_package().await?)?);
        return Ok(ExitCode::SUCCESS);
    }
    let bytes = if name.to_ascii_lowercase().ends_with(".xlsx") {
        services.catalog.export_xlsx().await?
    } else if name.to_ascii_lowercase().ends_with(".json") {
        serde_json::to_vec_pretty(&services.catalog.export_package().await?)?
    } else {
        bail!("{name}: dùng đuôi .json hoặc .xlsx");
    };
    std::fs::write(file, &bytes).with_context(|| format!("cannot write {name}"))?;
    println!("Đã ghi {name} ({} byte).", bytes.len());
    Ok(ExitCode::SUCCESS)
}

/// Form templates need no database: they are files.
fn forms(cmd: FormsCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        FormsCommand::Export { dir } => {
            std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
            for (name, source) in motcua_forms::BUILTIN_TEMPLATES {
                let path = dir.join(name);
                if path.exists() {
                    println!("{}: đã có, giữ nguyên", path.display());
                    continue;
                }
                std::fs::write(&path, source).with_context(|| format!("cannot write {}", path.display()))?;
                println!("{}", path.display());
            }
            Ok(ExitCode::SUCCESS)
        }
        FormsCommand::Check { dir } => {
            let files = motcua_store::files::TemplateDir::new(&dir).templates()?;
            let problems = motcua_app::dossiers::check_templates(files);
            if problems.is_empty() {
                println!("Các mẫu trong {} hợp lệ.", dir.display());
                Ok(ExitCode::SUCCESS)
            } else {
                for p in problems {
                    eprintln!("{p}");
                }
                Ok(ExitCode::FAILURE)
            }
        }
        FormsCommand::Preview { templates, out } => {
            let files = match &templates {
                Some(dir) => motcua_store::files::TemplateDir::new(dir).templates()?,
                None => Vec::new(),
            };
            let t = motcua_app::dossiers::templates_with(files);
            std::fs::create_dir_all(&out).with_context(|| format!("cannot create {}", out.display()))?;
            for form in motcua_forms::Form::ALL {
                let pdf = t.render_pdf(form, &motcua_forms::sample::sample())?;
                let path = out.join(form.file_name("mau"));
                std::fs::write(&path, pdf).with_context(|| format!("cannot write {}", path.display()))?;
                println!("{}", path.display());
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
