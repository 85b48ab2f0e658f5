//! Biểu số 06/VPCP/KSTT, "Tình hình, kết quả giải quyết TTHC tại cơ quan, đơn vị trực tiếp
//! giải quyết TTHC" (TT 01/2020/TT-VPCP), and its one-stop-centre variant II.06a: thirteen
//! columns, rows by field grouped by level (`legal.md` §5).
//!
//! Column 3 is the sum of 4, 5 and 6 (received online, direct or by post, carried over), 7 of 8
//! to 10, 11 of 12 and 13. In the variant 06a dossiers stopped or withdrawn in the period count
//! as resolved on time, so the row balances (3 = 7 + 11); in Biểu 06 they are in no column and
//! the report states how many there were.

use serde::Serialize;

use super::measure::Measure;
use super::rollup::Counters;

/// Which form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Variant {
    /// Biểu 06: at the agencies that resolve (counted at the resolving agency).
    Resolving,
    /// Biểu II.06a: at the one-stop centre (counted at the receiving agency).
    Centre,
}

impl Variant {
    pub fn as_str(self) -> &'static str {
        match self {
            Variant::Resolving => "06",
            Variant::Centre => "06a",
        }
    }

    pub fn parse(s: &str) -> Option<Variant> {
        match s.trim() {
            "06" | "6" => Some(Variant::Resolving),
            "06a" | "6a" | "06A" => Some(Variant::Centre),
            _ => None,
        }
    }

    /// The form's number as printed in its top-right corner.
    pub fn form_number(self) -> &'static str {
        match self {
            Variant::Resolving => "Biểu số 06/VPCP/KSTT",
            Variant::Centre => "Biểu số II.06a/VPCP/KSTT",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Variant::Resolving => {
                "TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH TẠI CƠ QUAN, ĐƠN VỊ TRỰC TIẾP GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH"
            }
            Variant::Centre => "TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH TẠI TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG",
        }
    }
}

/// The eleven counted columns (3 to 13).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Cells {
    /// (3) Tổng số = (4) + (5) + (6).
    pub total: i64,
    pub online: i64,
    pub direct: i64,
    pub carried_over: i64,
    /// (7) = (8) + (9) + (10).
    pub resolved: i64,
    pub early: i64,
    pub on_time: i64,
    pub late: i64,
    /// (11) = (12) + (13).
    pub pending: i64,
    pub in_time: i64,
    pub overdue: i64,
    /// Stopped or withdrawn in the period: in column 9 of 06a, in no column of 06.
    pub stopped: i64,
}

/// The dossiers behind column `n` (3 to 13): those any of these measures counts.
pub fn column_measures(n: u8, variant: Variant) -> &'static [Measure] {
    use Measure::*;
    match (n, variant) {
        (3, _) => &[Received, CarriedOver],
        (4, _) => &[ReceivedOnline],
        (5, _) => &[ReceivedDirect],
        (6, _) => &[CarriedOver],
        (7, Variant::Resolving) => &[Resolved],
        (7, Variant::Centre) => &[Resolved, Stopped, Withdrawn],
        (8, _) => &[ResolvedEarly],
        (9, Variant::Resolving) => &[ResolvedOnTime],
        (9, Variant::Centre) => &[ResolvedOnTime, Stopped, Withdrawn],
        (10, _) => &[ResolvedLate],
        (11, _) => &[Pending],
        (12, _) => &[PendingInTime],
        (13, _) => &[PendingOverdue],
        _ => &[],
    }
}

/// The column headings, as the official layout prints them (level 3, under the merged ones).
pub const HEADINGS: [&str; 13] = [
    "STT",
    "Lĩnh vực, công việc giải quyết theo cấp",
    "Tổng số",
    "Trực tuyến",
    "Trực tiếp, dịch vụ bưu chính",
    "Từ kỳ trước",
    "Tổng số",
    "Trước hạn",
    "Đúng hạn",
    "Quá hạn",
    "Tổng số",
    "Trong hạn",
    "Quá hạn",
];

impl Cells {
    /// The cells from counter sums over the period's counted days and over every day before
    /// it (`later_today` as in [`Measure::total`]).
    pub fn of(period: &Counters, before: &Counters, later_today: i64, variant: Variant) -> Cells {
        let m = |x: Measure| x.total(period, before, later_today);
        let stopped = m(Measure::Stopped) + m(Measure::Withdrawn);
        let mut c = Cells {
            total: 0,
            online: m(Measure::ReceivedOnline),
            direct: m(Measure::ReceivedDirect),
            carried_over: m(Measure::CarriedOver),
            resolved: 0,
            early: m(Measure::ResolvedEarly),
            on_time: m(Measure::ResolvedOnTime),
            late: m(Measure::ResolvedLate),
            pending: m(Measure::Pending),
            in_time: m(Measure::PendingInTime),
            overdue: m(Measure::PendingOverdue),
            stopped,
        };
        if variant == Variant::Centre {
            c.on_time += stopped;
        }
        c.total = c.online + c.direct + c.carried_over;
        c.resolved = c.early + c.on_time + c.late;
        c
    }

    /// Columns 3 to 13.
    pub fn values(&self) -> [i64; 11] {
        [
            self.total,
            self.online,
            self.direct,
            self.carried_over,
            self.resolved,
            self.early,
            self.on_time,
            self.late,
            self.pending,
            self.in_time,
            self.overdue,
        ]
    }

    pub fn is_zero(&self) -> bool {
        self.values().iter().all(|v| *v == 0) && self.stopped == 0
    }
}

impl std::ops::AddAssign for Cells {
    fn add_assign(&mut self, o: Cells) {
        self.total += o.total;
        self.online += o.online;
        self.direct += o.direct;
        self.carried_over += o.carried_over;
        self.resolved += o.resolved;
        self.early += o.early;
        self.on_time += o.on_time;
        self.late += o.late;
        self.pending += o.pending;
        self.in_time += o.in_time;
        self.overdue += o.overdue;
        self.stopped += o.stopped;
    }
}

/// The level a row group is for ("Cấp tỉnh", "Cấp xã"; "Cấp huyện" for periods before the
/// districts were abolished).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    Province,
    District,
    Commune,
}

impl Tier {
    pub fn label(self) -> &'static str {
        match self {
            Tier::Province => "Cấp tỉnh",
            Tier::District => "Cấp huyện (trước 01/07/2025)",
            Tier::Commune => "Cấp xã",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Province => "province",
            Tier::District => "district",
            Tier::Commune => "commune",
        }
    }
}

/// One field's row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldRow {
    pub field: String,
    pub cells: Cells,
}

/// The rows of one level, with its subtotal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TierGroup {
    pub tier: Tier,
    pub rows: Vec<FieldRow>,
    pub subtotal: Cells,
}

/// The body of the form: groups by level, rows by field, and the grand total.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Table {
    pub groups: Vec<TierGroup>,
    pub total: Cells,
}

impl Table {
    /// Builds the table from the cells of each (level, field); zero rows are left out, fields
    /// sorted by name as Vietnamese readers sort them (without diacritics first).
    pub fn build(items: impl IntoIterator<Item = (Tier, String, Cells)>) -> Table {
        let mut by: std::collections::BTreeMap<Tier, std::collections::BTreeMap<(String, String), Cells>> =
            Default::default();
        for (tier, field, cells) in items {
            let key = (crate::catalog::fold::fold(&field), field);
            *by.entry(tier).or_default().entry(key).or_default() += cells;
        }
        let mut total = Cells::default();
        let groups = by
            .into_iter()
            .filter_map(|(tier, fields)| {
                let rows: Vec<FieldRow> = fields
                    .into_iter()
                    .filter(|(_, c)| !c.is_zero())
                    .map(|((_, field), cells)| FieldRow { field, cells })
                    .collect();
                if rows.is_empty() {
                    return None;
                }
                let mut subtotal = Cells::default();
                for r in &rows {
                    subtotal += r.cells;
                }
                total += subtotal;
                Some(TierGroup { tier, rows, subtotal })
            })
            .collect();
        Table { groups, total }
    }
}

/// The Roman numeral of a group (I, II, III).
pub fn group_number(i: usize) -> &'static str {
    ["I", "II", "III", "IV", "V"].get(i).copied().unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_add_up_and_the_centre_counts_stops_on_time() {
        let period = Counters {
            received_online: 3,
            received_desk: 2,
            received_postal: 1,
            resolved_early: 2,
            resolved_on_time: 1,
            resolved_late: 1,
            stopped: 1,
            withdrawn: 1,
            open: 6 - 6,
            overdue: 1,
            ..Counters::default()
        };
        let before = Counters { open: 4, overdue: 0, ..Counters::default() };
        let c = Cells::of(&period, &before, 0, Variant::Resolving);
        assert_eq!(c.values(), [10, 3, 3, 4, 4, 2, 1, 1, 4, 3, 1]);
        assert_eq!(c.stopped, 2);
        for (n, v) in (3u8..=13).zip(c.values()) {
            let sum: i64 = column_measures(n, Variant::Resolving).iter().map(|m| m.total(&period, &before, 0)).sum();
            assert_eq!(sum, v, "column {n} is the sum of its measures");
        }
        let a = Cells::of(&period, &before, 0, Variant::Centre);
        for (n, v) in (3u8..=13).zip(a.values()) {
            let sum: i64 = column_measures(n, Variant::Centre).iter().map(|m| m.total(&period, &before, 0)).sum();
            assert_eq!(sum, v, "06a column {n} is the sum of its measures");
        }
        assert_eq!(a.values(), [10, 3, 3, 4, 6, 2, 3, 1, 4, 3, 1]);
        assert_eq!(a.total, a.resolved + a.pending, "06a balances");
    }

    #[test]
    fn the_table_groups_by_level_and_sums() {
        let one = Cells { total: 1, online: 1, pending: 1, in_time: 1, ..Cells::default() };
        let t = Table::build([
            (Tier::Commune, "Hộ tịch".to_owned(), one),
            (Tier::Commune, "Chứng thực".to_owned(), one),
            (Tier::Commune, "Hộ tịch".to_owned(), one),
            (Tier::Province, "Đất đai".to_owned(), one),
            (Tier::Province, "Xây dựng".to_owned(), Cells::default()),
        ]);
        assert_eq!(t.groups.len(), 2);
        assert_eq!(t.groups[0].tier, Tier::Province);
        assert_eq!(t.groups[0].rows.len(), 1, "zero rows are left out");
        let names: Vec<&str> = t.groups[1].rows.iter().map(|r| r.field.as_str()).collect();
        assert_eq!(names, ["Chứng thực", "Hộ tịch"]);
        assert_eq!(t.groups[1].rows[1].cells.total, 2);
        assert_eq!(t.total.total, 4);
    }
}
