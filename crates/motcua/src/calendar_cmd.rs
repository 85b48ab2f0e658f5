//! `motcua calendar …`: the legal calendar from the command line.

use std::process::ExitCode;

use motcua_app::calendar::{lunar_query, parse_instant, parse_processing_time, parse_year};
use motcua_app::{AppError, Services};
use motcua_domain::calendar::lunar::weekday_name;
use motcua_domain::calendar::{HolidayTables, ProcessingTime, WorkingCalendar};
use motcua_domain::time::format_date;
use motcua_web::api::calendar_answers::{DueAnswer, HolidaysAnswer, LunarAnswer};

use crate::cli::CalendarCommand;

/// Prints field errors the way `init` does and exits 2; other errors propagate.
pub(crate) fn report(result: Result<(), AppError>) -> anyhow::Result<ExitCode> {
    match result {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(AppError::Validation(v)) => {
            for e in v.errors {
                eprintln!("error: {}: {}", e.field, e.message);
            }
            Ok(ExitCode::from(2))
        }
        Err(e) => Err(e.into()),
    }
}

fn print_json<T: serde::Serialize>(value: &T) {
    println!("{}", serde_json::to_string(value).expect("serialisable"));
}

/// `calendar lunar`: needs no database.
pub fn lunar(solar: Option<String>, lunar: Option<String>, leap: bool, json: bool) -> anyhow::Result<ExitCode> {
    report(lunar_query(solar.as_deref(), lunar.as_deref(), leap).map(LunarAnswer::from).map(|answer| {
        if json {
            print_json(&answer);
        } else if solar.is_some() {
            println!("{}", answer.lunar().display());
        } else {
            println!("{} ({})", format_date(answer.solar), weekday_name(answer.solar.weekday()));
        }
    }))
}

/// `calendar holidays` and `calendar due`. `services` is `None` when the database has not been
/// set up yet: then the shipped notices and statutory rules apply, with the standard hours.
pub async fn run(services: Option<&Services>, cmd: CalendarCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        CalendarCommand::Lunar { solar, lunar: l, leap, json } => lunar(solar, l, leap, json),
        CalendarCommand::Holidays { year, json } => {
            let result = async {
                let year = parse_year(&year)?;
                let table = match services {
                    Some(s) => s.calendar.holiday_year(year).await?.table,
                    None => HolidayTables::default().year(year),
                };
                let answer = HolidaysAnswer::from(&table);
                if json {
                    print_json(&answer);
                } else {
                    println!("Ngày nghỉ năm {year} (trừ Thứ Bảy, Chủ nhật):");
                    for d in &answer.days_off {
                        println!(
                            "  {} {:<9} {} — {}",
                            format_date(d.date),
                            weekday_name(d.date.weekday()),
                            d.name,
                            d.source
                        );
                    }
                    if !answer.working_weekend_days.is_empty() {
                        println!("Ngày làm việc bù vào cuối tuần:");
                        for d in &answer.working_weekend_days {
                            println!(
                                "  {} {:<9} {} — {}",
                                format_date(d.date),
                                weekday_name(d.date.weekday()),
                                d.name,
                                d.source
                            );
                        }
                    }
                }
                Ok(())
            };
            report(result.await)
        }
        CalendarCommand::Due { start, duration, unit, cutoff, agency, counting, json } => {
            let result = async {
                let start = parse_instant("start", &start, true)?;
                let time: ProcessingTime = parse_processing_time(duration.as_deref(), &unit, cutoff.as_deref())?;
                let counting = counting
                    .as_deref()
                    .map(|c| c.parse().map_err(|m: String| AppError::field("counting", "invalid_counting", m)))
                    .transpose()?;
                let result = match services {
                    Some(s) => s.calendar.compute_due(agency.as_deref(), start, time, counting).await?,
                    None => {
                        if agency.is_some() {
                            return Err(AppError::field(
                                "agency",
                                "no_database",
                                "Cơ sở dữ liệu chưa được khởi tạo nên chưa có cơ quan; chạy `motcua migrate` hoặc `motcua serve` trước.",
                            ));
                        }
                        let calendar = WorkingCalendar::standard(&HolidayTables::default());
                        let counting = counting.unwrap_or_default();
                        let due = calendar.due(start, &time, counting).map_err(motcua_app::calendar::deadline_error)?;
                        motcua_app::calendar::DueResult {
                            start,
                            due,
                            time,
                            counting,
                            agency: None,
                            office_hours: motcua_app::calendar::describe_schedule(calendar.schedule()),
                            calendar_revision: 0,
                            working_minutes: calendar
                                .elapsed(start, due)
                                .map_err(motcua_app::calendar::deadline_error)?,
                        }
                    }
                };
                let answer = DueAnswer::from(&result);
                if json {
                    print_json(&answer);
                } else {
                    let due_day = motcua_domain::time::vn_date(result.due);
                    println!("Hạn trả kết quả: {} ({})", answer.due_display, weekday_name(due_day.weekday()));
                    println!("Thời gian giải quyết: {}; {}", result.time.describe(), result.counting.label());
                    println!("Giờ làm việc: {}", answer.office_hours);
                }
                Ok(())
            };
            report(result.await)
        }
    }
}
