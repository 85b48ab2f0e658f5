//! Targets per agency and year: the seed plans' aims (online share ≥ 50 %, digitisation ≥ 80 %,
//! electronic results 100 %, satisfaction ≥ 90 %, petitions answered on time 100 %, 20 dossiers
//! per desk officer per day) that administrators may set otherwise for an agency and a year,
//! and the averages the "toàn trình" rate is scored against (entered as data: they are
//! published by the national and provincial authorities, not computed here).
//!
//! Values are kept in hundredths of the metric's unit (50 % is 5000; 20 per day is 2000), so
//! the store holds integers and a value reads back exactly as it was entered.

use serde::Serialize;

/// What a target is set on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// Hồ sơ trực tuyến trên tổng số hồ sơ tiếp nhận.
    OnlineShare,
    /// Hồ sơ được số hóa.
    Digitised,
    /// Kết quả giải quyết điện tử trên số hồ sơ đã giải quyết.
    ElectronicResults,
    /// Mức độ hài lòng.
    Satisfaction,
    /// Phản ánh, kiến nghị được trả lời đúng hạn.
    PetitionsOnTime,
    /// Hồ sơ tiếp nhận mỗi ngày làm việc của một công chức Bộ phận Một cửa.
    PerDeskDay,
    /// Tỷ lệ toàn trình bình quân cả nước (the province's rate is scored against it).
    FullOnlineNationalAverage,
    /// Tỷ lệ toàn trình bình quân của tỉnh (its communes' rates are scored against it).
    FullOnlineProvincialAverage,
}

/// How a metric's value reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    Percent,
    PerDay,
}

impl Metric {
    pub const ALL: [Metric; 8] = [
        Metric::OnlineShare,
        Metric::Digitised,
        Metric::ElectronicResults,
        Metric::Satisfaction,
        Metric::PetitionsOnTime,
        Metric::PerDeskDay,
        Metric::FullOnlineNationalAverage,
        Metric::FullOnlineProvincialAverage,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Metric::OnlineShare => "online_share",
            Metric::Digitised => "digitised",
            Metric::ElectronicResults => "electronic_results",
            Metric::Satisfaction => "satisfaction",
            Metric::PetitionsOnTime => "petitions_on_time",
            Metric::PerDeskDay => "per_desk_day",
            Metric::FullOnlineNationalAverage => "full_online_national_average",
            Metric::FullOnlineProvincialAverage => "full_online_provincial_average",
        }
    }

    pub fn parse(s: &str) -> Option<Metric> {
        Metric::ALL.into_iter().find(|m| m.as_str() == s.trim())
    }

    pub fn label(self) -> &'static str {
        match self {
            Metric::OnlineShare => "Tỷ lệ hồ sơ trực tuyến",
            Metric::Digitised => "Tỷ lệ số hóa hồ sơ",
            Metric::ElectronicResults => "Tỷ lệ cấp kết quả điện tử",
            Metric::Satisfaction => "Mức độ hài lòng",
            Metric::PetitionsOnTime => "Phản ánh, kiến nghị trả lời đúng hạn",
            Metric::PerDeskDay => "Hồ sơ tiếp nhận / cán bộ một cửa / ngày",
            Metric::FullOnlineNationalAverage => "Tỷ lệ toàn trình bình quân cả nước",
            Metric::FullOnlineProvincialAverage => "Tỷ lệ toàn trình bình quân của tỉnh",
        }
    }

    pub fn unit(self) -> Unit {
        match self {
            Metric::PerDeskDay => Unit::PerDay,
            _ => Unit::Percent,
        }
    }

    /// Whether it is an aim to reach (shown as progress), rather than a reference average.
    pub fn is_aim(self) -> bool {
        !matches!(self, Metric::FullOnlineNationalAverage | Metric::FullOnlineProvincialAverage)
    }

    /// The seed plans' value, in hundredths; `None` for the averages (no default exists).
    pub fn default_value(self) -> Option<u32> {
        match self {
            Metric::OnlineShare => Some(5_000),
            Metric::Digitised => Some(8_000),
            Metric::ElectronicResults | Metric::PetitionsOnTime => Some(10_000),
            Metric::Satisfaction => Some(9_000),
            Metric::PerDeskDay => Some(2_000),
            Metric::FullOnlineNationalAverage | Metric::FullOnlineProvincialAverage => None,
        }
    }

    fn max_value(self) -> u32 {
        match self.unit() {
            Unit::Percent => 10_000,
            Unit::PerDay => 100_000,
        }
    }

    /// Reads a value as people write it ("50", "50,5", "50.25", "50 %"), in hundredths.
    pub fn parse_value(self, s: &str) -> Result<u32, String> {
        let t = s.trim().trim_end_matches('%').trim().replace(',', ".");
        let bad = || match self.unit() {
            Unit::Percent => "Giá trị là tỷ lệ phần trăm từ 0 đến 100, tối đa hai chữ số thập phân.".to_owned(),
            Unit::PerDay => "Giá trị là số hồ sơ từ 0 đến 1000, tối đa hai chữ số thập phân.".to_owned(),
        };
        let (whole, frac) = t.split_once('.').unwrap_or((&t, ""));
        if whole.is_empty() || frac.len() > 2 || !(whole.chars().chain(frac.chars())).all(|c| c.is_ascii_digit()) {
            return Err(bad());
        }
        let whole: u32 = whole.parse().map_err(|_| bad())?;
        let frac: u32 = format!("{frac:0<2}").parse().map_err(|_| bad())?;
        let v = whole.checked_mul(100).and_then(|w| w.checked_add(frac)).ok_or_else(bad)?;
        if v > self.max_value() {
            return Err(bad());
        }
        Ok(v)
    }

    /// A value in hundredths as it reads ("50", "50,5 %"), in the Vietnamese way.
    pub fn format_value(self, v: u32) -> String {
        let (whole, frac) = (v / 100, v % 100);
        let number = match frac {
            0 => whole.to_string(),
            f if f % 10 == 0 => format!("{whole},{}", f / 10),
            f => format!("{whole},{f:02}"),
        };
        match self.unit() {
            Unit::Percent => format!("{number} %"),
            Unit::PerDay => number,
        }
    }
}

/// How far an actual value is along its target, in percent of the target (at most 100): what
/// the progress bars show. `None` without a value or with a zero target.
pub fn progress(actual: Option<f64>, target: u32) -> Option<f64> {
    let target = f64::from(target) / 100.0;
    actual.filter(|_| target > 0.0).map(|a| (a / target * 100.0).clamp(0.0, 100.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn values_read_as_people_write_them() {
        let m = Metric::OnlineShare;
        assert_eq!(m.parse_value("50"), Ok(5_000));
        assert_eq!(m.parse_value(" 50,5 % "), Ok(5_050));
        assert_eq!(m.parse_value("0.25"), Ok(25));
        assert_eq!(m.parse_value("100"), Ok(10_000));
        for bad in ["", "%", "abc", "-1", "100.01", "1.234", "1e3", ".5"] {
            assert!(m.parse_value(bad).is_err(), "{bad:?}");
        }
        assert_eq!(Metric::PerDeskDay.parse_value("20"), Ok(2_000));
        assert!(Metric::PerDeskDay.parse_value("1000.01").is_err());
        assert_eq!(m.format_value(5_050), "50,5 %");
        assert_eq!(m.format_value(5_005), "50,05 %");
        assert_eq!(Metric::PerDeskDay.format_value(2_000), "20");
    }

    #[test]
    fn defaults_are_the_seed_plans_and_averages_have_none() {
        assert_eq!(Metric::OnlineShare.default_value(), Some(5_000));
        assert_eq!(Metric::PerDeskDay.default_value(), Some(2_000));
        assert_eq!(Metric::FullOnlineNationalAverage.default_value(), None);
        assert!(Metric::ALL.iter().all(|m| Metric::parse(m.as_str()) == Some(*m)));
    }

    #[test]
    fn progress_is_capped_and_needs_data() {
        assert_eq!(progress(Some(25.0), 5_000), Some(50.0));
        assert_eq!(progress(Some(80.0), 5_000), Some(100.0));
        assert_eq!(progress(None, 5_000), None);
        assert_eq!(progress(Some(3.0), 0), None);
    }

    proptest! {
        #[test]
        fn formatted_values_read_back(v in 0u32..=10_000) {
            let m = Metric::Satisfaction;
            prop_assert_eq!(m.parse_value(&m.format_value(v)), Ok(v));
        }
    }
}
