//! `motcua report …`: statutory reports and the raw export from the command line (as the
//! operator: any agency of the installation), and the upkeep of the counters.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use motcua_app::reports::{EXPORT_COLUMNS, Viewer, csv_line};
use motcua_app::{AppError, Services};
use motcua_web::api::report_input::{Format, ReportInput, ReportRequest, today};
use motcua_web::api::reports::Form06Dto;

use crate::cli::{ReportArgs, ReportCommand};

fn request(services: &Services, args: &ReportArgs, format: &str) -> Result<ReportRequest, AppError> {
    ReportInput {
        period: args.period.clone(),
        calendar: Some(args.calendar),
        from: args.from.clone(),
        to: args.to.clone(),
        agency: args.agency.clone(),
        form: Some(args.form.clone()),
        format: Some(format.to_owned()),
    }
    .parse(today(services.now()))
    .map_err(AppError::Validation)
}

fn write_out(out: &std::path::Path, bytes: &[u8]) -> anyhow::Result<()> {
    if out.as_os_str() == "-" {
        std::io::stdout().write_all(bytes)?;
        return Ok(());
    }
    std::fs::write(out, bytes).with_context(|| format!("cannot write {}", out.display()))
}

pub async fn run(services: &Services, cmd: ReportCommand) -> anyhow::Result<ExitCode> {
    let result = match cmd {
        ReportCommand::Form06 { args, format, out } => form06(services, &args, &format, &out).await,
        ReportCommand::Dossiers { args, format, out } => dossiers(services, &args, &format, &out).await,
        ReportCommand::Rebuild => {
            let started = std::time::Instant::now();
            let s = services.reports.rebuild().await?;
            println!(
                "Đã tính lại: {} hồ sơ ({} hồ sơ cập nhật số liệu), {} cơ quan, {} ô đếm; {:.1} s.",
                s.dossiers,
                s.rows_rewritten,
                s.agencies,
                s.buckets,
                started.elapsed().as_secs_f64()
            );
            return Ok(ExitCode::SUCCESS);
        }
        ReportCommand::Verify => {
            let mismatches = services.reports.verify_rollups().await?;
            if mismatches.is_empty() {
                println!("OK: số liệu tổng hợp khớp với tính lại từ hồ sơ.");
                return Ok(ExitCode::SUCCESS);
            }
            for m in mismatches.iter().take(20) {
                eprintln!(
                    "FAILED: cơ quan {} ô {:?} {} thủ tục {}: lưu {:?}, tính lại {:?}",
                    m.agency.0, m.grain, m.bucket, m.procedure_id, m.stored, m.computed
                );
            }
            eprintln!("FAILED: {} ô đếm lệch; chạy `motcua report rebuild` để tính lại.", mismatches.len());
            return Ok(ExitCode::FAILURE);
        }
    };
    crate::calendar_cmd::report(result)
}

async fn form06(services: &Services, args: &ReportArgs, format: &str, out: &std::path::Path) -> Result<(), AppError> {
    let r = request(services, args, format)?;
    let report = services.reports.form06(Viewer::Operator, r.agency.as_deref(), r.period, r.variant).await?;
    let bytes = match r.format {
        Format::Json => {
            serde_json::to_vec_pretty(&Form06Dto::from(&report)).map_err(|e| AppError::Internal(e.into()))?
        }
        Format::Csv => report.to_csv().into_bytes(),
        Format::Xlsx => report.to_xlsx().map_err(|e| AppError::Internal(e.into()))?,
        Format::Pdf => report.to_pdf()?,
    };
    write_out(out, &bytes).map_err(AppError::Internal)?;
    if out.as_os_str() != "-" {
        println!(
            "{} {}, {}: {} hồ sơ nhận giải quyết, {} đã giải quyết, {} đang giải quyết → {}",
            report.variant.form_number(),
            report.agency.name,
            report.period.describe(),
            report.table.total.total,
            report.table.total.resolved,
            report.table.total.pending,
            out.display()
        );
    }
    Ok(())
}

async fn dossiers(services: &Services, args: &ReportArgs, format: &str, out: &std::path::Path) -> Result<(), AppError> {
    if format != "csv" {
        return Err(AppError::field("format", "invalid_value", "Dữ liệu gốc xuất dạng csv."));
    }
    let r = request(services, args, "csv")?;
    let mut text = String::from("\u{feff}");
    text.push_str(&csv_line(EXPORT_COLUMNS));
    let (mut after, mut count) = (None, 0usize);
    loop {
        let page = services
            .reports
            .export_page(Viewer::Operator, r.agency.as_deref(), r.period, r.variant, after, 5_000)
            .await?;
        count += page.rows.len();
        for row in &page.rows {
            text.push_str(&csv_line(&row.0));
        }
        match page.next {
            Some(n) => after = Some(n),
            None => break,
        }
    }
    write_out(out, text.as_bytes()).map_err(AppError::Internal)?;
    if out.as_os_str() != "-" {
        println!("{count} hồ sơ, {} → {}", r.period.describe(), out.display());
    }
    Ok(())
}
