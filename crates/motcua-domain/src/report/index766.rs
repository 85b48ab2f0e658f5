//! The Decision 766/QĐ-TTg service index (`legal.md` §4, §13.2): five groups, 100 points, each
//! indicator a rate scored `points = min(1, rate / target) × max`.
//!
//! Only indicators the system's own data support are scored; the others say "chưa có dữ liệu"
//! (no data yet), never a made-up zero or full score, and the total is then given over the points
//! that have data, without a grade. Targets and grade bands are configurable: the reference
//! confirms 80 % for 3.1, 3.5, 4.2, 4.3, 50 % for 3.3 and 90 % for 5.4; progress (2.1) checks out
//! against the national portal as linear (`20 × on time / received`, target 100 %); the others
//! are presumed linear; the grade bands are in no primary text.

use std::collections::BTreeMap;

use serde::Serialize;

/// The five groups (the online services group split into online services and payment, as the
/// national portal shows them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Group {
    Transparency,
    Progress,
    OnlineServices,
    OnlinePayment,
    Digitisation,
    Satisfaction,
}

impl Group {
    pub const ALL: [Group; 6] = [
        Group::Transparency,
        Group::Progress,
        Group::OnlineServices,
        Group::OnlinePayment,
        Group::Digitisation,
        Group::Satisfaction,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Group::Transparency => "Công khai, minh bạch",
            Group::Progress => "Tiến độ, kết quả giải quyết",
            Group::OnlineServices => "Cung cấp dịch vụ trực tuyến",
            Group::OnlinePayment => "Thanh toán trực tuyến",
            Group::Digitisation => "Số hóa hồ sơ",
            Group::Satisfaction => "Mức độ hài lòng",
        }
    }

    pub fn number(self) -> &'static str {
        match self {
            Group::Transparency => "1",
            Group::Progress => "2",
            Group::OnlineServices => "3",
            Group::OnlinePayment => "3b",
            Group::Digitisation => "4",
            Group::Satisfaction => "5",
        }
    }
}

/// One indicator of the set.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Indicator {
    pub id: &'static str,
    pub group: Group,
    pub name: &'static str,
    /// 0 for indicators that are monitored, not scored.
    pub max: f64,
}

const fn ind(id: &'static str, group: Group, name: &'static str, max: f64) -> Indicator {
    Indicator { id, group, name, max }
}

/// The indicators, as the national portal breaks them down (`legal.md` §4).
pub const INDICATORS: [Indicator; 21] = [
    ind("1.1", Group::Transparency, "TTHC được công bố đúng hạn", 6.0),
    ind("1.2", Group::Transparency, "TTHC được cập nhật, công khai đúng hạn trên CSDL quốc gia", 4.0),
    ind("1.3", Group::Transparency, "TTHC được công khai đầy đủ nội dung", 2.0),
    ind("1.4", Group::Transparency, "Hồ sơ được đồng bộ lên Cổng DVC quốc gia", 6.0),
    ind("2.1", Group::Progress, "Hồ sơ giải quyết trước hạn, đúng hạn", 20.0),
    ind("2.2", Group::Progress, "Thời gian giải quyết trung bình (theo dõi)", 0.0),
    ind("3.0", Group::OnlineServices, "Hồ sơ trực tuyến toàn trình / hồ sơ của TTHC đủ điều kiện toàn trình", 12.0),
    ind("3.3", Group::OnlineServices, "Tỷ lệ hồ sơ tiếp nhận trực tuyến (theo dõi)", 0.0),
    ind("3.5", Group::OnlinePayment, "TTHC có phí được tích hợp thanh toán trên Cổng DVC quốc gia", 2.0),
    ind("3.5b", Group::OnlinePayment, "TTHC có phát sinh giao dịch thanh toán trực tuyến", 2.0),
    ind("3.6", Group::OnlinePayment, "Hồ sơ thanh toán trực tuyến", 6.0),
    ind("4.1", Group::Digitisation, "Hồ sơ có kết quả điện tử", 6.0),
    ind("4.2", Group::Digitisation, "Hồ sơ có thành phần được số hóa", 4.0),
    ind("4.0", Group::Digitisation, "Bản sao điện tử chứng thực từ bản chính", 2.0),
    ind("4.3", Group::Digitisation, "Hồ sơ tái sử dụng dữ liệu số hóa", 2.0),
    ind("4.4", Group::Digitisation, "Hồ sơ số hóa gắn với kho dữ liệu cá nhân trên Cổng DVC quốc gia", 4.0),
    ind("4.5", Group::Digitisation, "Hồ sơ và TTHC sử dụng dữ liệu dân cư", 4.0),
    ind("5.1", Group::Satisfaction, "Phản ánh, kiến nghị về quy định, thủ tục hành chính (theo dõi)", 0.0),
    ind("5.2", Group::Satisfaction, "Phản ánh, kiến nghị được xử lý đúng hạn", 6.0),
    ind("5.3", Group::Satisfaction, "Hài lòng về xử lý phản ánh, kiến nghị", 6.0),
    ind("5.4", Group::Satisfaction, "Hài lòng về tiếp nhận, giải quyết TTHC", 6.0),
];

/// Targets (percent) by indicator; an indicator not listed is linear (100 %).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Targets(pub BTreeMap<String, f64>);

impl Default for Targets {
    fn default() -> Self {
        let confirmed =
            [("3.1", 80.0), ("3.3", 50.0), ("3.5", 80.0), ("3.5b", 80.0), ("4.2", 80.0), ("4.3", 80.0), ("5.4", 90.0)];
        Targets(confirmed.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
    }
}

impl Targets {
    pub fn of(&self, id: &str) -> f64 {
        self.0.get(id).copied().unwrap_or(100.0)
    }

    /// `3.3=50, 5.4=90`: the listed indicators' targets over the defaults.
    pub fn parse(text: &str) -> Result<Targets, String> {
        let mut t = Targets::default();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (id, value) = part.split_once('=').ok_or_else(|| format!("«{part}»: dùng dạng CHỈ_SỐ=PHẦN_TRĂM"))?;
            let id = id.trim();
            if !INDICATORS.iter().any(|i| i.id == id) && id != "3.1" {
                return Err(format!("không có chỉ số {id}"));
            }
            let v: f64 = value.trim().parse().map_err(|_| format!("{id}: «{}» không phải số", value.trim()))?;
            if !(v > 0.0 && v <= 100.0) {
                return Err(format!("{id}: mục tiêu phải trong (0, 100]"));
            }
            t.0.insert(id.to_owned(), v);
        }
        Ok(t)
    }
}

/// Grade bands: the lowest total of each grade, best first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bands(pub Vec<(String, f64)>);

impl Default for Bands {
    fn default() -> Self {
        Bands(vec![
            ("Xuất sắc".into(), 90.0),
            ("Tốt".into(), 80.0),
            ("Khá".into(), 70.0),
            ("Trung bình".into(), 50.0),
            ("Yếu".into(), 0.0),
        ])
    }
}

impl Bands {
    /// `90,80,70,50`: the lower bounds of Xuất sắc, Tốt, Khá, Trung bình (Yếu below).
    pub fn parse(text: &str) -> Result<Bands, String> {
        let v: Vec<f64> = text
            .split(',')
            .map(|p| p.trim().parse::<f64>().map_err(|_| format!("«{}» không phải số", p.trim())))
            .collect::<Result<_, _>>()?;
        if v.len() != 4 || v.windows(2).any(|w| w[0] <= w[1]) || v.iter().any(|x| !(0.0..=100.0).contains(x)) {
            return Err("cần bốn ngưỡng giảm dần trong 0–100, ví dụ 90,80,70,50".into());
        }
        let names = ["Xuất sắc", "Tốt", "Khá", "Trung bình"];
        let mut bands: Vec<(String, f64)> = names.iter().zip(v).map(|(n, x)| ((*n).to_owned(), x)).collect();
        bands.push(("Yếu".into(), 0.0));
        Ok(Bands(bands))
    }

    pub fn grade(&self, total: f64) -> &str {
        self.0.iter().find(|(_, min)| total >= *min).map_or("Yếu", |(n, _)| n.as_str())
    }
}

/// What the system's data give for the indicators it can compute.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Inputs {
    /// 2.1: finished early or on time, or pending within time at the period's end…
    pub on_time: i64,
    /// …over received in the period or carried over into it.
    pub handled: i64,
    /// 2.2: minutes of processing of the dossiers resolved, and how many.
    pub processing_minutes: i64,
    pub resolved: i64,
    /// 3.3: received online, over received.
    pub online: i64,
    pub received: i64,
    /// 5.1–5.3: the petitions first received in the period.
    pub petitions: crate::petition::measure::PetitionTally,
    /// 5.4: dossiers received in the period that a petition names or whose citizen rated the
    /// handling unsatisfying.
    pub complained: i64,
}

/// How an indicator stands.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Standing {
    /// Scored: the rate (percent; `None` when nothing was to be counted) and the points.
    Scored { numerator: i64, denominator: i64, rate: Option<f64>, target: f64, points: Option<f64> },
    /// Followed, worth no points.
    Monitored { numerator: i64, denominator: i64, value: Option<f64>, unit: &'static str },
    /// Not measured by this system yet.
    NoData { reason: &'static str },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Line {
    pub indicator: Indicator,
    pub standing: Standing,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupTotal {
    pub group: Group,
    /// The group's points out of its indicators that have data.
    pub points: f64,
    pub max_with_data: f64,
    pub max: f64,
}

/// An index computed for an agency and a period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Index766 {
    pub lines: Vec<Line>,
    pub groups: Vec<GroupTotal>,
    pub total: f64,
    /// The points the indicators with data are worth (100 once every indicator has data).
    pub max_with_data: f64,
    /// Only when every scored indicator has data.
    pub grade: Option<String>,
}

/// `min(1, rate / target) × max`, rate and target in percent.
pub fn points(rate: f64, target: f64, max: f64) -> f64 {
    (rate / target).min(1.0) * max
}

fn rate(n: i64, d: i64) -> Option<f64> {
    (d > 0).then(|| n as f64 * 100.0 / d as f64)
}

/// Why an indicator has no data yet.
fn missing(id: &str) -> &'static str {
    match id {
        "1.1" | "1.2" | "1.3" => "cần dữ liệu công bố, công khai TTHC trên CSDL quốc gia",
        "1.4" => "cần kết nối đồng bộ hồ sơ với Cổng DVC quốc gia",
        "3.0" => "cần dữ liệu thanh toán, kết quả điện tử để xác định hồ sơ toàn trình",
        "3.5" | "3.5b" | "3.6" => "cần dữ liệu thanh toán trực tuyến",
        "4.1" | "4.2" | "4.0" | "4.3" | "4.4" | "4.5" => "cần dữ liệu số hóa hồ sơ, kết quả điện tử",
        _ => "cần dữ liệu phản ánh, kiến nghị và đánh giá hài lòng",
    }
}

/// Scores the index from what the system measures.
pub fn score(inputs: &Inputs, targets: &Targets, bands: &Bands) -> Index766 {
    let lines: Vec<Line> = INDICATORS
        .iter()
        .map(|i| {
            let standing = match i.id {
                "2.1" => {
                    let r = rate(inputs.on_time, inputs.handled);
                    let target = targets.of("2.1");
                    Standing::Scored {
                        numerator: inputs.on_time,
                        denominator: inputs.handled,
                        rate: r,
                        target,
                        points: r.map(|r| points(r, target, i.max)),
                    }
                }
                "2.2" => Standing::Monitored {
                    numerator: inputs.processing_minutes,
                    denominator: inputs.resolved,
                    value: (inputs.resolved > 0)
                        .then(|| inputs.processing_minutes as f64 / inputs.resolved as f64 / 60.0),
                    unit: "giờ / hồ sơ (giờ lịch, trừ thời gian chờ công dân)",
                },
                "3.3" => Standing::Monitored {
                    numerator: inputs.online,
                    denominator: inputs.received,
                    value: rate(inputs.online, inputs.received),
                    unit: "%",
                },
                "5.1" => Standing::Monitored {
                    numerator: inputs.petitions.rules,
                    denominator: inputs.petitions.total,
                    value: rate(inputs.petitions.rules, inputs.petitions.total),
                    unit: "% về quy định, thủ tục (còn lại: hành vi cán bộ hoặc chưa phân loại)",
                },
                "5.2" | "5.3" => {
                    let p = &inputs.petitions;
                    let n = if i.id == "5.2" { p.in_time } else { p.satisfying };
                    let r = rate(n, p.total);
                    let target = targets.of(i.id);
                    Standing::Scored {
                        numerator: n,
                        denominator: p.total,
                        rate: r,
                        target,
                        points: r.map(|r| points(r, target, i.max)),
                    }
                }
                "5.4" => {
                    // 100 % − (late-dossier rate + rate of dossiers with a petition or an
                    // unsatisfying rating).
                    let late = inputs.handled - inputs.on_time;
                    let r = match (rate(late, inputs.handled), rate(inputs.complained, inputs.received)) {
                        (Some(l), c) => Some((100.0 - l - c.unwrap_or(0.0)).max(0.0)),
                        (None, _) => None,
                    };
                    let target = targets.of("5.4");
                    Standing::Scored {
                        numerator: late + inputs.complained,
                        denominator: inputs.handled,
                        rate: r,
                        target,
                        points: r.map(|r| points(r, target, i.max)),
                    }
                }
                id => Standing::NoData { reason: missing(id) },
            };
            Line { indicator: *i, standing }
        })
        .collect();
    let groups: Vec<GroupTotal> = Group::ALL
        .iter()
        .map(|g| {
            let mine = lines.iter().filter(|l| l.indicator.group == *g);
            let (mut points, mut with_data, mut max) = (0.0, 0.0, 0.0);
            for l in mine {
                max += l.indicator.max;
                if let Standing::Scored { points: Some(p), .. } = l.standing {
                    points += p;
                    with_data += l.indicator.max;
                }
            }
            GroupTotal { group: *g, points, max_with_data: with_data, max }
        })
        .collect();
    let total: f64 = groups.iter().map(|g| g.points).sum();
    let max_with_data: f64 = groups.iter().map(|g| g.max_with_data).sum();
    let complete = (max_with_data - 100.0).abs() < 1e-9;
    Index766 { lines, groups, total, max_with_data, grade: complete.then(|| bands.grade(total).to_owned()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_set_is_worth_one_hundred_points_in_its_groups() {
        let sum = |g: Group| INDICATORS.iter().filter(|i| i.group == g).map(|i| i.max).sum::<f64>();
        assert_eq!(sum(Group::Transparency), 18.0);
        assert_eq!(sum(Group::Progress), 20.0);
        assert_eq!(sum(Group::OnlineServices) + sum(Group::OnlinePayment), 22.0);
        assert_eq!(sum(Group::Digitisation), 22.0);
        assert_eq!(sum(Group::Satisfaction), 18.0);
        assert_eq!(INDICATORS.iter().map(|i| i.max).sum::<f64>(), 100.0);
    }

    #[test]
    fn progress_is_linear_and_missing_data_is_never_scored() {
        let i = Inputs {
            on_time: 90,
            handled: 100,
            processing_minutes: 600,
            resolved: 5,
            online: 30,
            received: 60,
            ..Inputs::default()
        };
        let x = score(&i, &Targets::default(), &Bands::default());
        let progress = x.lines.iter().find(|l| l.indicator.id == "2.1").unwrap();
        assert!(matches!(progress.standing, Standing::Scored { points: Some(p), .. } if (p - 18.0).abs() < 1e-9));
        // 5.4 from the same dossiers: 100 % − 10 % late, at its 90 % target.
        assert_eq!(x.total, 24.0);
        assert_eq!(x.max_with_data, 26.0);
        let petitions = x.lines.iter().find(|l| l.indicator.id == "5.2").unwrap();
        assert!(
            matches!(petitions.standing, Standing::Scored { rate: None, points: None, .. }),
            "no petitions, no rate"
        );
        assert_eq!(x.grade, None, "no grade while most indicators have no data");
        let online = x.lines.iter().find(|l| l.indicator.id == "3.3").unwrap();
        assert!(matches!(online.standing, Standing::Monitored { value: Some(v), .. } if (v - 50.0).abs() < 1e-9));
        assert!(x.lines.iter().filter(|l| matches!(l.standing, Standing::NoData { .. })).count() >= 14);
        // Nothing handled: no rate, no points (not zero, not full).
        let none = score(&Inputs::default(), &Targets::default(), &Bands::default());
        assert_eq!(none.total, 0.0);
        assert_eq!(none.max_with_data, 0.0);
    }

    #[test]
    fn group_five_counts_petitions_and_complaints_about_dossiers() {
        use crate::petition::measure::PetitionTally;
        let i = Inputs {
            on_time: 95,
            handled: 100,
            received: 80,
            complained: 4,
            petitions: PetitionTally { total: 10, rules: 7, conduct: 3, in_time: 9, satisfying: 8 },
            ..Inputs::default()
        };
        let x = score(&i, &Targets::default(), &Bands::default());
        let line = |id: &str| x.lines.iter().find(|l| l.indicator.id == id).unwrap().standing.clone();
        assert!(matches!(line("5.1"), Standing::Monitored { value: Some(v), .. } if (v - 70.0).abs() < 1e-9));
        assert!(
            matches!(line("5.2"), Standing::Scored { rate: Some(r), points: Some(p), .. } if (r - 90.0).abs() < 1e-9 && (p - 5.4).abs() < 1e-9)
        );
        assert!(
            matches!(line("5.3"), Standing::Scored { rate: Some(r), points: Some(p), .. } if (r - 80.0).abs() < 1e-9 && (p - 4.8).abs() < 1e-9)
        );
        // 100 − 5 (late) − 5 (4 of 80 received) = 90: the target, full points.
        assert!(
            matches!(line("5.4"), Standing::Scored { rate: Some(r), points: Some(p), .. } if (r - 90.0).abs() < 1e-9 && (p - 6.0).abs() < 1e-9)
        );
        let g5 = x.groups.iter().find(|g| g.group == Group::Satisfaction).unwrap();
        assert!((g5.points - 16.2).abs() < 1e-9 && g5.max_with_data == 18.0);
    }

    #[test]
    fn points_stop_at_the_target_and_targets_and_bands_are_configurable() {
        assert_eq!(points(40.0, 50.0, 10.0), 8.0);
        assert_eq!(points(60.0, 50.0, 10.0), 10.0);
        let t = Targets::parse("2.1=90, 3.3=60").unwrap();
        assert_eq!((t.of("2.1"), t.of("3.3"), t.of("5.4"), t.of("1.1")), (90.0, 60.0, 90.0, 100.0));
        assert!(Targets::parse("9.9=10").is_err());
        assert!(Targets::parse("2.1=0").is_err());
        let b = Bands::parse("95,85,75,55").unwrap();
        assert_eq!((b.grade(96.0), b.grade(80.0), b.grade(10.0)), ("Xuất sắc", "Khá", "Yếu"));
        assert!(Bands::parse("80,90,70,50").is_err());
        assert_eq!(Bands::default().grade(79.99), "Khá");
    }
}
