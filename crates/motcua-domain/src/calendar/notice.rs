//! The government's yearly notices on holidays for the civil service, shipped as data
//! (`legal.md` §8.1). A year without a shipped notice falls back to the statutory defaults until
//! an administrator enters the notice.

use jiff::civil::date;

use crate::calendar::holiday::{CULTURE_DAY_SOURCE, CalendarEntry, DayKind, TableOrigin, YearTable, tet_day_name};

const TB_2025: &str = "Thông báo 6150/TB-BLĐTBXH ngày 03/12/2024 của Bộ Lao động – Thương binh và Xã hội";
const TB_2026: &str = "Thông báo 9441/TB-BNV ngày 16/10/2025 của Bộ Nội vụ";

/// The shipped notice for `year`, if any.
pub fn shipped_notice(year: i16) -> Option<YearTable> {
    let (source, days): (&str, &[(i8, i8, DayKind, &str)]) = match year {
        2025 => (
            TB_2025,
            &[
                (1, 1, DayKind::Off, "Tết Dương lịch"),
                (1, 27, DayKind::Off, ""),
                (1, 28, DayKind::Off, ""),
                (1, 29, DayKind::Off, ""),
                (1, 30, DayKind::Off, ""),
                (1, 31, DayKind::Off, ""),
                (4, 7, DayKind::Off, "Giỗ Tổ Hùng Vương (10/3 âm lịch)"),
                (4, 26, DayKind::Working, "Làm bù cho ngày nghỉ hoán đổi 02/05/2025"),
                (4, 30, DayKind::Off, "Ngày Chiến thắng (30/4)"),
                (5, 1, DayKind::Off, "Ngày Quốc tế Lao động (1/5)"),
                (5, 2, DayKind::Off, "Nghỉ hoán đổi (làm bù Thứ Bảy 26/04/2025)"),
                (9, 1, DayKind::Off, "Quốc khánh (ngày liền kề)"),
                (9, 2, DayKind::Off, "Quốc khánh (2/9)"),
            ],
        ),
        2026 => (
            TB_2026,
            &[
                (1, 1, DayKind::Off, "Tết Dương lịch"),
                (2, 16, DayKind::Off, ""),
                (2, 17, DayKind::Off, ""),
                (2, 18, DayKind::Off, ""),
                (2, 19, DayKind::Off, ""),
                (2, 20, DayKind::Off, ""),
                (4, 26, DayKind::Off, "Giỗ Tổ Hùng Vương (10/3 âm lịch, trùng Chủ nhật)"),
                (4, 27, DayKind::Off, "Nghỉ bù Giỗ Tổ Hùng Vương (26/04/2026)"),
                (4, 30, DayKind::Off, "Ngày Chiến thắng (30/4)"),
                (5, 1, DayKind::Off, "Ngày Quốc tế Lao động (1/5)"),
                (8, 22, DayKind::Working, "Làm bù cho ngày nghỉ hoán đổi 31/08/2026"),
                (8, 31, DayKind::Off, "Nghỉ hoán đổi (làm bù Thứ Bảy 22/08/2026)"),
                (9, 1, DayKind::Off, "Quốc khánh (ngày liền kề)"),
                (9, 2, DayKind::Off, "Quốc khánh (2/9)"),
                (11, 24, DayKind::Off, "Ngày Văn hóa Việt Nam (24/11)"),
            ],
        ),
        _ => return None,
    };
    let entries = days
        .iter()
        .map(|&(m, d, kind, name)| CalendarEntry {
            date: date(year, m, d),
            kind,
            // Tết days are named by their lunar date, computed rather than typed.
            name: if name.is_empty() { tet_day_name(date(year, m, d)) } else { name.to_owned() },
            source: if (m, d) == (11, 24) { CULTURE_DAY_SOURCE.to_owned() } else { source.to_owned() },
        })
        .collect();
    Some(YearTable { year, origin: TableOrigin::Notice, entries })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::holiday::{is_weekend, statutory_defaults};
    use jiff::civil::Date;

    fn dates<'a>(it: impl Iterator<Item = &'a CalendarEntry>) -> Vec<Date> {
        it.map(|e| e.date).collect()
    }

    #[test]
    fn the_2025_notice_gives_exactly_the_announced_days() {
        let t = shipped_notice(2025).unwrap();
        let expected: Vec<Date> =
            [(1, 1), (1, 27), (1, 28), (1, 29), (1, 30), (1, 31), (4, 7), (4, 30), (5, 1), (5, 2), (9, 1), (9, 2)]
                .iter()
                .map(|&(m, d)| date(2025, m, d))
                .collect();
        assert_eq!(dates(t.weekdays_off()), expected);
        assert_eq!(dates(t.working_weekend_days()), vec![date(2025, 4, 26)]);
    }

    #[test]
    fn the_2026_notice_gives_exactly_the_announced_days() {
        let t = shipped_notice(2026).unwrap();
        let expected: Vec<Date> = [
            (1, 1),
            (2, 16),
            (2, 17),
            (2, 18),
            (2, 19),
            (2, 20),
            (4, 27),
            (4, 30),
            (5, 1),
            (8, 31),
            (9, 1),
            (9, 2),
            (11, 24),
        ]
        .iter()
        .map(|&(m, d)| date(2026, m, d))
        .collect();
        assert_eq!(dates(t.weekdays_off()), expected);
        assert_eq!(dates(t.working_weekend_days()), vec![date(2026, 8, 22)]);
        assert!(is_weekend(date(2026, 4, 26)));
        assert_eq!(t.entry(date(2026, 2, 16)).unwrap().name, "Tết Nguyên đán (29 tháng Chạp)");
    }

    #[test]
    fn notices_are_sorted_and_agree_with_the_lunar_calendar() {
        for year in [2025, 2026] {
            let t = shipped_notice(year).unwrap();
            assert!(t.entries.windows(2).all(|w| w[0].date < w[1].date));
            // Every statutory holiday of the year is either kept or explicitly moved by the notice.
            let defaults = statutory_defaults(year);
            let hung = defaults.entries.iter().find(|e| e.name.starts_with("Giỗ Tổ")).unwrap();
            assert_eq!(t.entry(hung.date).unwrap().kind, DayKind::Off, "Giỗ Tổ {year}");
            let tet = crate::calendar::lunar::tet(i32::from(year)).unwrap();
            assert_eq!(t.entry(tet).unwrap().name, "Tết Nguyên đán (mùng 1 tháng Giêng)");
        }
        assert!(shipped_notice(2024).is_none());
    }
}
