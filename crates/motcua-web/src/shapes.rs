//! Conversions between the use cases' values and the shapes the API and the pages both show
//! or send back.

use crate::api::calendar_input::{ScheduleInput, SeasonInput};
use motcua_domain::calendar::TableOrigin;

/// The origin of a year's holiday table as the API names it.
pub fn origin_str(o: TableOrigin) -> &'static str {
    match o {
        TableOrigin::Statutory => "statutory",
        TableOrigin::Notice => "notice",
        TableOrigin::Edited => "edited",
    }
}

/// Office hours as the editing form (and the API) send them.
pub fn schedule_to_input(
    s: &motcua_domain::calendar::WorkSchedule,
    counting: Option<String>,
    version: i64,
) -> ScheduleInput {
    let periods = |h: &motcua_domain::calendar::OfficeHours| {
        h.periods().iter().map(|p| (p.start.to_string(), p.end.to_string())).collect::<Vec<_>>()
    };
    ScheduleInput {
        hours: periods(&s.hours),
        seasons: s
            .seasons
            .iter()
            .map(|season| SeasonInput {
                name: season.name.clone(),
                from: format!("{:02}/{:02}", season.from.day, season.from.month),
                to: format!("{:02}/{:02}", season.to.day, season.to.month),
                hours: periods(&season.hours),
            })
            .collect(),
        counting,
        version,
    }
}
