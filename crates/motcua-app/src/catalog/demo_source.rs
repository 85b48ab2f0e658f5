//! The demo catalogue: real procedures from `shared/data/procedures-demo.json` (see its `.md`),
//! shipped in the binary. Values the file leaves `null` stay empty; its caveats become the
//! procedure's notes so nobody mistakes demo data for an authoritative publication.

use motcua_domain::calendar::{ClockTime, TimeUnit};
use motcua_domain::catalog::{
    Channel, ChannelTime, Fee, FeeKind, FieldCode, FieldRef, FormTemplate, LegalBasis, Level, OnlineLevel,
    ProcedureCase, ProcedureContent, Publication, RequiredDocument, ResultDocument, Submission, TimeLimit,
};
use motcua_domain::validation::NonBlank;
use serde_json::Value;

use super::rows::{DEFAULT_CASE, ImportProblem, ImportRow};

pub(super) const DEMO_FILE: &str = include_str!("../../demo/procedures-demo.json");

fn s(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).non_blank().map(str::to_owned)
}

fn list<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key).and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

fn channel(code: &str) -> Option<Channel> {
    match code {
        "truc_tiep" => Some(Channel::Desk),
        "truc_tuyen" => Some(Channel::Online),
        "buu_chinh" => Some(Channel::Postal),
        _ => None,
    }
}

fn unit(code: Option<&str>) -> Result<Option<TimeUnit>, String> {
    Ok(match code {
        None => None,
        Some("ngay_lam_viec") => Some(TimeUnit::WorkingDays),
        Some("ngay") => Some(TimeUnit::CalendarDays),
        // The portal's "Giờ" does not say whether office hours are meant; the working clock is
        // the conservative reading for a desk (UNCERTAIN, noted in the README).
        Some("gio" | "gio_lam_viec") => Some(TimeUnit::WorkingHours),
        Some("trong_ngay") => Some(TimeUnit::SameDay),
        Some(other) => return Err(format!("đơn vị thời gian không rõ: {other}")),
    })
}

/// Case names for the two entries whose times are keyed by case (see the file's notes).
fn case_label(key: &str) -> String {
    match key {
        "co_so_cap_xa" => "Cơ sở trợ giúp xã hội do Ủy ban nhân dân cấp xã quản lý".into(),
        "co_so_cap_tinh" => "Cơ sở trợ giúp xã hội thuộc cấp tỉnh".into(),
        "tro_cap_mot_lan_va_mai_tang" => "Trợ cấp một lần và trợ cấp mai táng".into(),
        "tro_cap_tuat_hang_thang" => "Trợ cấp tuất hằng tháng".into(),
        other => other.replace('_', " "),
    }
}

fn amount(v: &Value) -> Option<u32> {
    v.get("value").and_then(Value::as_u64).and_then(|a| u32::try_from(a).ok())
}

/// One entry of the demo file.
pub(crate) fn row(v: &Value, label: String) -> Result<ImportRow, ImportProblem> {
    let code = s(v, "code");
    let label = format!("{label} ({})", code.as_deref().unwrap_or("không có mã"));
    let bad = |reason: String| ImportProblem { row: label.clone(), reason };
    let code = code.ok_or_else(|| bad("không có mã thủ tục".into()))?;
    let name = s(v, "name").ok_or_else(|| bad("không có tên thủ tục".into()))?;
    let field_name = s(v, "field").ok_or_else(|| bad("không có lĩnh vực".into()))?;
    let mut notes: Vec<String> = Vec::new();
    if let Some(official) = s(v, "field_official")
        && official != field_name
    {
        notes.push(format!("Lĩnh vực theo công bố: {official}."));
    }

    let pt = v.get("processing_time").cloned().unwrap_or(Value::Null);
    let base_unit = unit(pt.get("unit").and_then(Value::as_str)).map_err(&bad)?;
    let mut time = TimeLimit {
        amount: amount(&pt),
        unit: base_unit,
        cutoff: (base_unit == Some(TimeUnit::SameDay)).then_some(ClockTime::hm(15, 0)),
        text: s(&pt, "display").filter(|_| base_unit.is_none()),
        by_channel: vec![],
    };
    if let Some(note) = s(&pt, "note").and_then(|n| public_note(&n)) {
        notes.push(format!("Thời hạn: {note}"));
    }
    let mut case_times: Vec<(String, TimeLimit)> = Vec::new();
    if let Some(by) = pt.get("by_channel").and_then(Value::as_object) {
        for (key, t) in by {
            let u = unit(t.get("unit").and_then(Value::as_str)).map_err(&bad)?;
            let a = amount(t);
            match channel(key) {
                Some(ch) => {
                    if let (Some(a), Some(u)) = (a, u)
                        && (Some(a), Some(u)) != (time.amount, time.unit)
                    {
                        time.by_channel.push(ChannelTime { channel: ch, amount: a, unit: u });
                    }
                }
                None => case_times.push((
                    case_label(key),
                    TimeLimit { amount: a, unit: u, cutoff: None, text: s(t, "display"), by_channel: vec![] },
                )),
            }
        }
    }
    time.by_channel.sort_by_key(|c| c.channel);

    let fees: Vec<Fee> = list(v, "fees")
        .iter()
        .map(|f| Fee {
            kind: if s(f, "kind").as_deref() == Some("phi") { FeeKind::Fee } else { FeeKind::Charge },
            name: s(f, "name").unwrap_or_default(),
            amount_vnd: f.get("amount_vnd").and_then(Value::as_u64),
            unit: s(f, "unit"),
            note: s(f, "note").and_then(|n| public_note(&n)),
        })
        .collect();
    let documents: Vec<RequiredDocument> = list(v, "documents")
        .iter()
        .map(|d| {
            let note = match (s(d, "applies_to"), s(d, "note")) {
                (Some(a), Some(n)) => Some(format!("Áp dụng: {a}. {n}")),
                (Some(a), None) => Some(format!("Áp dụng: {a}.")),
                (None, n) => n,
            };
            let note = note.and_then(|n| public_note(&n));
            RequiredDocument {
                name: s(d, "name").unwrap_or_default(),
                originals: d.get("originals").and_then(Value::as_u64).and_then(|n| u32::try_from(n).ok()).unwrap_or(0),
                copies: d.get("copies").and_then(Value::as_u64).and_then(|n| u32::try_from(n).ok()).unwrap_or(0),
                form: s(d, "form_template").map(|name| FormTemplate { name, file: None }),
                digitization_required: false,
                from_data_store: false,
                submission: if s(d, "submission").as_deref() == Some("xuat_trinh") {
                    Submission::Show
                } else {
                    Submission::Submit
                },
                channels: list(d, "channels").iter().filter_map(|c| c.as_str().and_then(channel)).collect(),
                note,
            }
        })
        .collect();
    let cases = if case_times.is_empty() {
        vec![ProcedureCase { name: DEFAULT_CASE.into(), time, fees, documents }]
    } else {
        case_times
            .into_iter()
            .map(|(name, time)| ProcedureCase { name, time, fees: fees.clone(), documents: documents.clone() })
            .collect()
    };

    if v.get("documents_complete").and_then(Value::as_bool) == Some(false) {
        notes.push("Danh sách giấy tờ chỉ nêu trường hợp phổ biến; xem đầy đủ trên Cổng Dịch vụ công quốc gia.".into());
    }
    for c in list(v, "caveats") {
        if let Some(c) = c.as_str() {
            notes.push(c.to_owned());
        }
    }
    if let Some(r) = v.get("reform_2025").and_then(|r| s(r, "note")) {
        notes.push(r);
    }
    if s(v, "confidence").as_deref() == Some("partial") {
        notes.push("Dữ liệu mẫu chưa được đối chiếu đầy đủ với bản công bố hiện hành.".into());
    }
    let mut results: Vec<ResultDocument> = list(v, "results_all")
        .iter()
        .filter_map(Value::as_str)
        .map(|n| ResultDocument { name: n.to_owned(), code: None })
        .collect();
    if results.is_empty()
        && let Some(r) = s(v, "result")
    {
        results.push(ResultDocument { name: r, code: None });
    }
    let levels: Vec<Level> = list(v, "levels")
        .iter()
        .filter_map(Value::as_str)
        .filter_map(|l| match l {
            "xa" => Some(Level::Commune),
            "tinh" => Some(Level::Province),
            "bo" => Some(Level::Ministry),
            "co_quan_khac" => Some(Level::Other),
            _ => None,
        })
        .collect();
    let content = ProcedureContent {
        name,
        field: FieldRef { code: FieldCode::from_name(&field_name), name: field_name },
        levels,
        implementing_agencies: None,
        cases,
        results,
        steps: None,
        conditions: None,
        legal_basis: list(v, "legal_basis")
            .iter()
            .filter_map(Value::as_str)
            .map(|n| LegalBasis { number: n.to_owned(), title: None })
            .collect(),
        online_level: match s(v, "online_level").as_deref() {
            Some("toan_trinh") => Some(OnlineLevel::Full),
            Some("mot_phan") => Some(OnlineLevel::Partial),
            _ => None,
        },
        channels: {
            let mut c: Vec<Channel> = list(v, "channels").iter().filter_map(|c| c.as_str().and_then(channel)).collect();
            c.sort();
            c.dedup();
            c
        },
        location_independent: false,
        interagency: false,
        applicant_types: vec![],
        notes: if notes.is_empty() { None } else { Some(notes.join("\n")) },
    };
    let publication = Publication { decision_number: s(v, "decision_published"), ..Publication::default() };
    Ok(ImportRow { label, code, content, publication })
}

/// What of a source note citizens should read. The demo records carry the data collector's
/// remarks about the national database ("CSDLQG ghi \"1\" không kèm đơn vị", "không ghi số tiền
/// trong bản ghi này"); those clauses and parentheses are left out, the rest kept.
fn public_note(note: &str) -> Option<String> {
    const COLLECTOR: [&str; 4] = ["csdlqg", "bản ghi", "mô tả trình tự", "trình tự thực hiện nêu"];
    let collector = |t: &str| {
        let t = t.to_lowercase();
        COLLECTOR.iter().any(|m| t.contains(m))
    };
    // Parentheses first: "Miễn lệ phí (ghi rõ trong bản ghi CSDLQG)." keeps "Miễn lệ phí.".
    let mut text = String::new();
    let mut rest = note;
    while let Some(open) = rest.find('(') {
        let Some(close) = rest[open..].find(')').map(|c| open + c) else { break };
        text.push_str(&rest[..open]);
        if !collector(&rest[open..=close]) {
            text.push_str(&rest[open..=close]);
        }
        rest = &rest[close + 1..];
    }
    text.push_str(rest);
    let ends_with_stop = text.trim_end().ends_with('.');
    let kept: Vec<String> = text
        .trim_end()
        .trim_end_matches('.')
        .split(';')
        .map(|c| c.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|c| !c.is_empty() && !collector(c))
        .collect();
    if kept.is_empty() {
        return None;
    }
    let joined = kept.join("; ");
    let mut chars = joined.chars();
    let joined = chars.next().map(|c| c.to_uppercase().chain(chars).collect::<String>()).unwrap_or_default();
    Some(if ends_with_stop { format!("{joined}.") } else { joined })
}

#[cfg(test)]
mod public_note_tests {
    use super::public_note;

    #[test]
    fn the_collector_s_remarks_are_left_out_of_what_citizens_read() {
        assert_eq!(
            public_note("CSDLQG ghi \"1\" không kèm đơn vị; mô tả trình tự nêu trả kết quả ngay trong ngày."),
            None
        );
        assert_eq!(public_note("Miễn lệ phí (ghi rõ trong bản ghi CSDLQG)."), Some("Miễn lệ phí.".into()));
        assert_eq!(
            public_note(
                "Chỉ thu khi có yêu cầu cấp bản sao; mức theo Thông tư 281/2016/TT-BTC (không ghi số tiền trong bản ghi này)."
            ),
            Some("Chỉ thu khi có yêu cầu cấp bản sao; mức theo Thông tư 281/2016/TT-BTC.".into())
        );
        assert_eq!(
            public_note(
                "CSDLQG hiển thị \"Miễn phí\"; mức lệ phí (nếu thu) do HĐND cấp tỉnh quyết định; miễn cho người thuộc hộ nghèo."
            ),
            Some("Mức lệ phí (nếu thu) do HĐND cấp tỉnh quyết định; miễn cho người thuộc hộ nghèo.".into())
        );
        assert_eq!(public_note("Mức ghi trên CSDLQG cho cả trực tiếp, trực tuyến, bưu chính."), None);
        assert_eq!(public_note("Áp dụng: trẻ em bị bỏ rơi."), Some("Áp dụng: trẻ em bị bỏ rơi.".into()));
    }
}
