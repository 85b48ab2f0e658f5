//! Biểu 06 (and 06a) for an agency's subtree and a period.

use std::collections::HashMap;

use jiff::Timestamp;
use motcua_domain::agency::Agency;
use motcua_domain::report::form06::{Cells, Table, Variant, column_measures};
use motcua_domain::report::measure::Window;
use motcua_domain::report::{Measure, ReportPeriod};

use super::{ReportScope, Reports, Viewer};
use crate::error::AppError;
use crate::ports::{CountedBy, CountedQuery, DossierRow};

/// A computed Biểu 06.
#[derive(Debug, Clone)]
pub struct Form06 {
    pub variant: Variant,
    pub period: ReportPeriod,
    pub agency: Agency,
    pub table: Table,
    pub generated_at: Timestamp,
}

/// A page of the dossiers behind one cell.
#[derive(Debug, Clone)]
pub struct Form06Row {
    pub dossiers: Vec<DossierRow>,
    /// The id to continue after, when there are more.
    pub next: Option<i64>,
}

pub(crate) fn counted_by(variant: Variant) -> CountedBy {
    match variant {
        Variant::Resolving => CountedBy::Resolving,
        Variant::Centre => CountedBy::Receiving,
    }
}

impl Reports {
    /// Biểu 06 of `agency` (a code; default the principal's own) for a period.
    pub async fn form06(
        &self,
        viewer: Viewer<'_>,
        agency: Option<&str>,
        period: ReportPeriod,
        variant: Variant,
    ) -> Result<Form06, AppError> {
        let scope = self.scope(viewer, agency).await?;
        let table = self.table06(&scope, &self.window(&period), variant).await?;
        Ok(Form06 { variant, period, agency: scope.agency, table, generated_at: self.core.now() })
    }

    pub(crate) async fn table06(&self, scope: &ReportScope, w: &Window, variant: Variant) -> Result<Table, AppError> {
        let sums = self.sums(scope, counted_by(variant), w).await?;
        let fields = self.procedure_fields().await?;
        let mut keys: Vec<_> =
            sums.period.keys().chain(sums.before.keys()).chain(sums.later_today.keys()).copied().collect();
        keys.sort();
        keys.dedup();
        let zero = Default::default();
        let items = keys.into_iter().map(|key @ (agency, procedure)| {
            let cells = Cells::of(
                sums.period.get(&key).unwrap_or(&zero),
                sums.before.get(&key).unwrap_or(&zero),
                sums.later_today.get(&key).copied().unwrap_or(0),
                variant,
            );
            let field = fields.get(&procedure).map_or_else(|| "Chưa xác định lĩnh vực".to_owned(), |p| p.field.clone());
            (scope.tier(agency), field, cells)
        });
        Ok(Table::build(items))
    }

    /// The dossiers behind column `column` (3–13) of a Biểu 06, optionally of one field's row,
    /// oldest first, `limit` at a time after `after`.
    #[expect(clippy::too_many_arguments, reason = "one argument per coordinate of a report cell")]
    pub async fn form06_dossiers(
        &self,
        viewer: Viewer<'_>,
        agency: Option<&str>,
        period: ReportPeriod,
        variant: Variant,
        column: u8,
        field: Option<&str>,
        after: Option<i64>,
        limit: i64,
    ) -> Result<Form06Row, AppError> {
        let measures = column_measures(column, variant);
        if measures.is_empty() {
            return Err(AppError::field("column", "invalid", "Cột phải từ 3 đến 13."));
        }
        let scope = self.scope(viewer, agency).await?;
        self.dossiers_behind(
            &scope,
            counted_by(variant),
            measures.to_vec(),
            &self.window(&period),
            None,
            field,
            after,
            limit,
        )
        .await
    }

    /// The dossiers behind a dashboard figure: those `measure` counts in the period (with
    /// `near_due`, only those pending in time that turn overdue soon), optionally of one field.
    #[expect(clippy::too_many_arguments, reason = "one argument per coordinate of a figure")]
    pub async fn measure_dossiers(
        &self,
        viewer: Viewer<'_>,
        agency: Option<&str>,
        period: ReportPeriod,
        measure: Measure,
        near_due: bool,
        field: Option<&str>,
        after: Option<i64>,
        limit: i64,
    ) -> Result<Form06Row, AppError> {
        let scope = self.scope(viewer, agency).await?;
        let now = self.core.now();
        let (measure, window, soon) = if near_due {
            // Near due is taken now, whatever the period.
            let today = motcua_domain::time::vn_date(now);
            let w = Window::new(motcua_domain::report::DayRange { first: today, last: today }, now);
            (Measure::PendingInTime, w, Some(self.core.near_due_until(scope.agency.id, now).await?))
        } else {
            (measure, self.window(&period), None)
        };
        self.dossiers_behind(&scope, CountedBy::Resolving, vec![measure], &window, soon, field, after, limit).await
    }

    #[expect(clippy::too_many_arguments, reason = "one argument per coordinate of a list")]
    async fn dossiers_behind(
        &self,
        scope: &ReportScope,
        by: CountedBy,
        measures: Vec<Measure>,
        window: &Window,
        overdue_before: Option<jiff::Timestamp>,
        field: Option<&str>,
        after: Option<i64>,
        limit: i64,
    ) -> Result<Form06Row, AppError> {
        let procedures = match field.map(str::trim).filter(|f| !f.is_empty()) {
            None => None,
            Some(f) => {
                let fields = self.procedure_fields().await?;
                Some(fields.values().filter(|p| p.field == f).map(|p| p.procedure_id).collect::<Vec<_>>())
            }
        };
        let limit = limit.clamp(1, 200);
        let mut dossiers = self
            .core
            .store
            .counted_dossiers(&CountedQuery {
                by,
                agencies: scope.ids(),
                procedures,
                measures,
                window: *window,
                overdue_before,
                after_id: after,
                limit: limit + 1,
            })
            .await?;
        let next = if dossiers.len() as i64 > limit {
            dossiers.truncate(limit as usize);
            dossiers.last().map(|d| d.id)
        } else {
            None
        };
        Ok(Form06Row { dossiers, next })
    }
}

/// The names of the agencies of a scope by id (for lists).
pub(crate) fn agency_names(scope: &ReportScope) -> HashMap<motcua_domain::agency::AgencyId, String> {
    scope.agencies.iter().map(|a| (a.id, a.name.clone())).collect()
}
