//! Holiday tables: the year in force, its history, and administrators' edits (each save
//! appends a revision).

use motcua_domain::account::Principal;
use motcua_domain::calendar::{CalendarEntry, YearTable};
use motcua_domain::policy::{Permission, Target, authorize};
use motcua_domain::validation::{ValidationErrors, required_text};
use serde::Serialize;

use super::Calendar;
use crate::context::{Actor, RequestMeta};
use crate::error::AppError;
use crate::ports::CalendarRevision;
use motcua_domain::calendar::{HolidayTables, TableOrigin};

/// A year's table in force and where it comes from.
#[derive(Debug, Clone, Serialize)]
pub struct YearView {
    pub table: YearTable,
    /// The revision in force when the year was edited here; `None` for notices and defaults.
    pub revision: Option<i64>,
    pub calendar_revision: i64,
}

/// A year's new table, its entries parsed.
#[derive(Debug, Clone, Default)]
pub struct YearEdit {
    pub entries: Vec<CalendarEntry>,
    /// Why (the notice number, a correction…), kept in the history.
    pub reason: String,
    /// The year's revision the editor started from (0 if it was never edited here); a
    /// concurrent edit makes the save fail instead of overwriting it.
    pub base_revision: i64,
}

impl Calendar {
    /// The table in force for a year (public information).
    pub async fn holiday_year(&self, year: i16) -> Result<YearView, AppError> {
        check_year(year)?;
        let compiled = self.core.snapshot().await?.compiled_calendar().await?;
        let table = compiled.tables.year(year);
        let revision = self.core.store.calendar_history(year).await?.last().map(|r| r.revision);
        Ok(YearView { table, revision, calendar_revision: compiled.revision })
    }

    /// Every saved change of a year, oldest first.
    pub async fn holiday_history(&self, principal: &Principal, year: i16) -> Result<Vec<CalendarRevision>, AppError> {
        // The calendar is the same for every agency: any official with a role may read its history.
        if principal.grants.is_empty() {
            return Err(motcua_domain::policy::Denied::MissingPermission.into());
        }
        Ok(self.core.store.calendar_history(year).await?)
    }

    /// Replaces a year's table with an edited one.
    pub async fn save_holiday_year(
        &self,
        principal: &Principal,
        year: i16,
        input: &YearEdit,
        meta: &RequestMeta,
    ) -> Result<YearView, AppError> {
        let grant = authorize(principal, Permission::ManageCalendar, Target::System)?;
        check_year(year)?;
        let mut errors = ValidationErrors::new();
        let reason = errors.check(required_text("reason", &input.reason, 500));
        let table = match YearTable::edited(year, input.entries.clone()) {
            Ok(t) if errors.is_empty() => t,
            Ok(_) => return Err(errors.into()),
            Err(e) => {
                errors.errors.extend(e.errors);
                return Err(errors.into());
            }
        };
        self.append_year_revision(
            principal,
            grant,
            year,
            Some(table),
            reason.unwrap_or_default(),
            input.base_revision,
            meta,
        )
        .await
    }

    /// Returns a year to the shipped notice or the statutory defaults.
    pub async fn reset_holiday_year(
        &self,
        principal: &Principal,
        year: i16,
        reason: &str,
        base_revision: i64,
        meta: &RequestMeta,
    ) -> Result<YearView, AppError> {
        let grant = authorize(principal, Permission::ManageCalendar, Target::System)?;
        check_year(year)?;
        let reason = required_text("reason", reason, 500).map_err(ValidationErrors::single)?;
        self.append_year_revision(principal, grant, year, None, reason, base_revision, meta).await
    }

    #[expect(clippy::too_many_arguments, reason = "one internal step shared by save and reset")]
    async fn append_year_revision(
        &self,
        principal: &Principal,
        grant: &motcua_domain::account::Grant,
        year: i16,
        table: Option<YearTable>,
        reason: String,
        base_revision: i64,
        meta: &RequestMeta,
    ) -> Result<YearView, AppError> {
        let history = self.core.store.calendar_history(year).await?;
        let current_revision = history.last().map_or(0, |r| r.revision);
        if current_revision != base_revision {
            return Err(AppError::stale(&format!("Lịch nghỉ năm {year}")));
        }
        let compiled = self.core.snapshot().await?.compiled_calendar().await?;
        let before = compiled.tables.year(year);
        let after = match &table {
            Some(t) => t.clone(),
            None => HolidayTables::default().year(year),
        };
        let changed_dates = before.changed_dates(&after);
        let now = self.core.now();
        let mut tx = self.core.store.begin().await?;
        let revision = tx
            .insert_calendar_revision(&CalendarRevision {
                revision: 0,
                year,
                entries: table.map(|t| t.entries),
                reason: reason.clone(),
                changed_dates: changed_dates.clone(),
                changed_by: Some(principal.username.to_string()),
                recorded_at: now,
            })
            .await?;
        let changed = if changed_dates.is_empty() {
            "không đổi ngày nào".to_owned()
        } else {
            changed_dates.iter().map(|d| motcua_domain::time::format_date(*d)).collect::<Vec<_>>().join(", ")
        };
        let action = if after.origin == TableOrigin::Edited { "calendar.year.update" } else { "calendar.year.reset" };
        let event = Actor::Official { principal, grant: Some(grant) }
            .did(action)
            .on("calendar_year", year.to_string())
            .detail(format!("Phiên bản {revision}; ngày thay đổi: {changed}; lý do: {reason}"))
            .event(meta, now);
        self.core.commit_audited(tx, event, meta).await?;
        self.holiday_year(year).await
    }
}

pub(super) fn check_year(year: i16) -> Result<(), AppError> {
    use motcua_domain::calendar::holiday::{FIRST_YEAR, LAST_YEAR};
    if (FIRST_YEAR..=LAST_YEAR).contains(&year) {
        Ok(())
    } else {
        Err(AppError::field("year", "out_of_range", format!("Năm phải từ {FIRST_YEAR} đến {LAST_YEAR}.")))
    }
}
