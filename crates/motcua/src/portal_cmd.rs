//! `motcua portal …`: the reconciliation with the national portal and the operator's resend,
//! from the command line (as the operator: any agency of the installation).

use std::process::ExitCode;

use motcua_app::Services;
use motcua_app::reports::Viewer;
use motcua_web::api::portal::{ReconciliationDto, calendar_period};

use crate::cli::PortalCommand;
use crate::config::Config;

/// Exit code when the reconciliation finds a difference (or cannot read the portal's figures).
const DIFFERENT: u8 = 3;

pub async fn run(services: &Services, config: &Config, cmd: PortalCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        PortalCommand::Reconcile { period, agency, format } => {
            let today = motcua_domain::time::vn_date(services.now());
            let department = Some(config.portal.department_id.as_str()).filter(|d| !d.is_empty());
            let result = async {
                let period = calendar_period(Some(&period), today)?;
                services.national_portal.reconcile(Viewer::Operator, agency.as_deref(), period, department).await
            }
            .await;
            let r = match result {
                Ok(r) => r,
                Err(e) => {
                    crate::calendar_cmd::report(Err(e))?;
                    return Ok(ExitCode::from(2));
                }
            };
            let dto = ReconciliationDto::from(&r);
            match format.as_str() {
                "json" => println!("{}", serde_json::to_string_pretty(&dto)?),
                "text" => print_text(&dto),
                other => anyhow::bail!("--format {other}: use text or json"),
            }
            Ok(if dto.complete && dto.differences == 0 { ExitCode::SUCCESS } else { ExitCode::from(DIFFERENT) })
        }
        PortalCommand::Catalogue { codes, all } => catalogue(services, config, codes, all).await,
        PortalCommand::Resend { dossier } => {
            match services.national_portal.resend(None, &dossier, &motcua_app::context::RequestMeta::cli()).await {
                Ok(id) => {
                    println!("Đã đặt lại hồ sơ #{id} để gửi lên Cổng DVC quốc gia.");
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => {
                    crate::calendar_cmd::report(Err(e))?;
                    Ok(ExitCode::from(2))
                }
            }
        }
    }
}

/// Procedures from the portal, through the same checks and writes as an imported package.
async fn catalogue(services: &Services, config: &Config, codes: Vec<String>, all: bool) -> anyhow::Result<ExitCode> {
    use motcua_app::catalog::import::{ImportFormat, parse_import};
    let Some(settings) = config.lgsp() else {
        anyhow::bail!(
            "the national procedure database is reached through the LGSP/NGSP adapter: set portal.lgsp_url and its keys"
        );
    };
    if codes.is_empty() && !all {
        anyhow::bail!("name the procedures with --code (repeatable), or take every one with --all");
    }
    let portal = motcua_integrations::national_portal::LgspPortal::new(&settings)?;
    let codes: Vec<String> = if all {
        portal.procedure_list().await?.iter().filter_map(|p| p["MATTHC"].as_str().map(str::to_owned)).collect()
    } else {
        codes
    };
    let mut packages = Vec::new();
    for code in &codes {
        match portal.procedure(code).await? {
            Some(p) => packages.push(p),
            None => eprintln!("Cổng không có thủ tục {code}; bỏ qua."),
        }
    }
    eprintln!("Đã lấy {} trong {} thủ tục từ Cổng DVC quốc gia.", packages.len(), codes.len());
    if packages.is_empty() {
        return Ok(ExitCode::from(2));
    }
    let bytes = serde_json::to_vec(&packages)?;
    let parsed = tokio::task::spawn_blocking(move || parse_import(&bytes, ImportFormat::Json)).await?;
    crate::commands::import_parsed(services, parsed).await
}

fn print_text(r: &ReconciliationDto) {
    println!("Đối soát {} ({}), kỳ {}, lúc {}", r.agency_name, r.agency_code, r.period, r.checked_at);
    let code_of = |id: i64| {
        r.problems
            .iter()
            .find(|p| p.id == id)
            .and_then(|p| p.code.clone().or_else(|| p.portal_code.clone()))
            .unwrap_or_else(|| format!("#{id}"))
    };
    for i in &r.indicators {
        println!();
        println!("Chỉ số {} ({}): {}", i.indicator, i.endpoint, i.label);
        if let Some(e) = &i.portal_error {
            println!("  KHÔNG LẤY ĐƯỢC SỐ LIỆU CỦA CỔNG: {e}");
        }
        println!("  {:<14} {:>15} {:>15}", "Mã đơn vị", "Hệ thống", "Cổng");
        for c in &i.cells {
            let portal = c.portal.map_or_else(|| "—".to_owned(), |p| format!("{}/{}", p[0], p[1]));
            let mark = if c.differs && i.portal_error.is_none() { "LỆCH" } else { "" };
            println!("  {:<14} {:>15} {:>15}  {mark}", c.agency_code, format!("{}/{}", c.ours[0], c.ours[1]), portal);
            if c.differs && !c.dossiers.is_empty() {
                let codes: Vec<String> = c.dossiers.iter().take(20).map(|d| code_of(*d)).collect();
                println!("      hồ sơ chưa đồng bộ xong: {}", codes.join(", "));
            }
        }
    }
    println!();
    println!(
        "Hàng đợi: {} hồ sơ còn thay đổi chưa gửi (chờ từ {}), {} hồ sơ đã dừng gửi, {} lần gọi lỗi trong một giờ qua.",
        r.backlog.untold_dossiers,
        r.backlog.oldest_untold.as_deref().unwrap_or("—"),
        r.backlog.dead,
        r.backlog.failures_last_hour
    );
    for p in r.problems.iter().take(50) {
        let state = if p.dead {
            "ĐÃ DỪNG GỬI"
        } else if p.attempts > 0 {
            "đang thử lại"
        } else {
            "chờ gửi"
        };
        println!(
            "  {} trạng thái {} (Cổng đã nhận: {}) {state}{}",
            code_of(p.id),
            p.status,
            p.told_status.map_or_else(|| "chưa".to_owned(), |s| s.to_string()),
            p.last_error.as_deref().map(|e| format!(": {e}")).unwrap_or_default()
        );
    }
    if r.differences == 0 && r.complete {
        println!("OK: số liệu khớp với Cổng.");
    } else if !r.complete {
        println!("CHƯA ĐỐI SOÁT ĐƯỢC ĐỦ: thiếu số liệu của Cổng.");
    } else {
        println!("LỆCH: {} ô.", r.differences);
    }
}
