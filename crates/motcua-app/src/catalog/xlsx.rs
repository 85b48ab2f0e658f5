//! The XLSX template of the catalogue (documented in the README): four sheets joined by the
//! procedure code — `ThuTuc` (one row per procedure), `TruongHop` (cases and times),
//! `ThanhPhan` (required documents), `PhiLePhi` (fees). Row 1 of each sheet is the header.

use std::collections::BTreeMap;
use std::io::Cursor;

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use jiff::civil::Date;
use motcua_domain::calendar::ClockTime;
use motcua_domain::catalog::{
    Channel, ChannelTime, Fee, FeeKind, FieldCode, FieldRef, FormTemplate, LegalBasis, OnlineLevel, ProcedureCase,
    ProcedureContent, Publication, RequiredDocument, ResultDocument, Submission, TimeLimit,
};
use rust_xlsxwriter::{Format, Workbook, XlsxError};

use super::rows::{DEFAULT_CASE, ImportProblem, ImportRow, ParsedImport, parse_applicant, parse_level, parse_unit};
use crate::ports::VersionRecord;

pub const PROCEDURES: (&str, &[&str]) = (
    "ThuTuc",
    &[
        "Mã thủ tục",
        "Tên thủ tục",
        "Mã lĩnh vực",
        "Tên lĩnh vực",
        "Cấp thực hiện",
        "Cơ quan thực hiện",
        "Đối tượng thực hiện",
        "Cách thức thực hiện",
        "Mức độ DVC trực tuyến",
        "Không phụ thuộc địa giới",
        "Liên thông",
        "Trình tự thực hiện",
        "Yêu cầu, điều kiện",
        "Căn cứ pháp lý",
        "Kết quả",
        "Ghi chú",
        "Số quyết định công bố",
        "Ngày quyết định",
        "Người ký",
        "Ngày hiệu lực",
    ],
);
pub const CASES: (&str, &[&str]) = (
    "TruongHop",
    &[
        "Mã thủ tục",
        "Trường hợp",
        "Thời hạn",
        "Đơn vị",
        "Thời hạn trực tuyến",
        "Thời hạn bưu chính",
        "Giờ tiếp nhận muộn nhất",
        "Thời hạn (nguyên văn)",
    ],
);
pub const DOCUMENTS: (&str, &[&str]) = (
    "ThanhPhan",
    &[
        "Mã thủ tục",
        "Trường hợp",
        "Tên giấy tờ",
        "Bản chính",
        "Bản sao",
        "Mẫu đơn, tờ khai",
        "Số hóa bắt buộc",
        "Lấy từ kho dữ liệu",
        "Chỉ xuất trình",
        "Kênh",
        "Ghi chú",
    ],
);
pub const FEES: (&str, &[&str]) =
    ("PhiLePhi", &["Mã thủ tục", "Trường hợp", "Loại", "Tên phí, lệ phí", "Mức thu (đồng)", "Đơn vị tính", "Ghi chú"]);

/// Applies one row of a child sheet to its procedure.
type RowApply<'a> = dyn FnMut(&mut ProcedureContent, &[String]) -> Result<(), String> + 'a;

/// A sheet's data rows with their Excel row numbers.
struct Sheet {
    name: &'static str,
    rows: Vec<(u32, Vec<String>)>,
}

fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_owned(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => if *b { "x" } else { "" }.to_owned(),
        Data::DateTime(dt) => serial_date(dt.as_f64()).map(motcua_domain::time::format_date).unwrap_or_default(),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

/// Excel's day serial (1900 system, day 0 = 1899-12-30).
fn serial_date(serial: f64) -> Option<Date> {
    let days = serial.floor() as i64;
    Date::new(1899, 12, 30).ok()?.checked_add(jiff::Span::new().days(days)).ok()
}

fn read_sheet(
    wb: &mut Xlsx<Cursor<&[u8]>>,
    spec: (&'static str, &[&str]),
    required: bool,
    problems: &mut Vec<ImportProblem>,
) -> Sheet {
    let (name, headers) = spec;
    let mut sheet = Sheet { name, rows: vec![] };
    let range = match wb.worksheet_range(name) {
        Ok(r) => r,
        Err(_) => {
            if required {
                problems.push(ImportProblem { row: format!("Sheet {name}"), reason: "không có sheet này".into() });
            }
            return sheet;
        }
    };
    let Some((r0, _)) = range.start() else { return sheet };
    let mut rows = range.rows();
    let Some(header) = rows.next() else { return sheet };
    let header: Vec<String> = header.iter().map(cell_text).collect();
    // The range starts at the first used cell, so its first column is the template's first
    // column wherever the sheet puts it; the header must name the columns in order.
    for (i, h) in headers.iter().enumerate() {
        let got = header.get(i).map(String::as_str).unwrap_or("");
        if motcua_domain::catalog::fold::fold(got) != motcua_domain::catalog::fold::fold(h) {
            problems.push(ImportProblem {
                row: format!("Sheet {name}, dòng {}", r0 + 1),
                reason: format!("cột {} phải là \"{h}\" (đang là \"{got}\"); dùng đúng mẫu", i + 1),
            });
            return sheet;
        }
    }
    for (i, row) in rows.enumerate() {
        let cells: Vec<String> = (0..headers.len()).map(|j| row.get(j).map(cell_text).unwrap_or_default()).collect();
        if cells.iter().all(String::is_empty) {
            continue;
        }
        let excel_row = r0 + 2 + u32::try_from(i).unwrap_or(u32::MAX - r0 - 2);
        sheet.rows.push((excel_row, cells));
    }
    sheet
}

fn flag(s: &str) -> Result<bool, String> {
    match motcua_domain::catalog::fold::fold(s.trim()).as_str() {
        "" | "khong" | "0" | "no" | "false" => Ok(false),
        "x" | "co" | "1" | "yes" | "true" => Ok(true),
        _ => Err(format!("\"{s}\" phải là x/có hoặc để trống")),
    }
}

fn count(s: &str, what: &str) -> Result<u32, String> {
    if s.trim().is_empty() {
        return Ok(0);
    }
    s.trim().parse().map_err(|_| format!("{what} phải là số nguyên: \"{s}\""))
}

fn split_list(s: &str) -> impl Iterator<Item = &str> {
    s.split(['\n', ';', ',']).map(str::trim).filter(|x| !x.is_empty())
}

fn parse_channel(s: &str) -> Option<Channel> {
    let f = motcua_domain::catalog::fold::fold(s.trim());
    Channel::parse(s).or(match f.as_str() {
        "1" | "truc tiep" => Some(Channel::Desk),
        "2" | "truc tuyen" => Some(Channel::Online),
        "3" | "buu chinh" | "qua dich vu buu chinh cong ich" | "buu chinh cong ich" => Some(Channel::Postal),
        _ => None,
    })
}

fn parse_online(s: &str) -> Result<Option<OnlineLevel>, String> {
    let f = motcua_domain::catalog::fold::fold(s.trim());
    Ok(match f.as_str() {
        "" => None,
        "toan trinh" | "full" | "4" => Some(OnlineLevel::Full),
        "mot phan" | "partial" | "3" => Some(OnlineLevel::Partial),
        "khong" | "none" | "2" => Some(OnlineLevel::Offline),
        _ => return Err(format!("mức độ DVC trực tuyến \"{s}\": dùng toàn trình, một phần hoặc không")),
    })
}

fn opt(s: &str) -> Option<String> {
    Some(s.trim().to_owned()).filter(|s| !s.is_empty())
}

fn date(s: &str, what: &str) -> Result<Option<Date>, String> {
    if s.trim().is_empty() {
        return Ok(None);
    }
    motcua_domain::time::parse_date(what, s).map(Some).map_err(|e| format!("{what}: {}", e.message))
}

/// The case of `code` named `name` (empty: the default case), created on first mention.
fn case_mut<'a>(cases: &'a mut Vec<ProcedureCase>, name: &str) -> &'a mut ProcedureCase {
    let name = if name.trim().is_empty() { DEFAULT_CASE } else { name.trim() };
    if let Some(i) = cases.iter().position(|c| c.name == name) {
        return &mut cases[i];
    }
    cases.push(ProcedureCase { name: name.to_owned(), time: TimeLimit::default(), fees: vec![], documents: vec![] });
    cases.last_mut().expect("just pushed")
}

/// Reads the template. Every bad row is reported with its sheet and row number.
pub fn read(bytes: &[u8]) -> ParsedImport {
    let mut out = ParsedImport::default();
    let mut wb: Xlsx<_> = match open_workbook_from_rs(Cursor::new(bytes)) {
        Ok(wb) => wb,
        Err(e) => {
            out.problems
                .push(ImportProblem { row: "Tệp".into(), reason: format!("không đọc được tệp XLSX: {e}") });
            return out;
        }
    };
    let procedures = read_sheet(&mut wb, PROCEDURES, true, &mut out.problems);
    let cases = read_sheet(&mut wb, CASES, false, &mut out.problems);
    let documents = read_sheet(&mut wb, DOCUMENTS, false, &mut out.problems);
    let fees = read_sheet(&mut wb, FEES, false, &mut out.problems);
    if !out.problems.is_empty() {
        return out;
    }
    // code → (label, content, publication, problems)
    let mut by_code: BTreeMap<String, (u32, String, ProcedureContent, Publication, Vec<String>)> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    for (r, c) in &procedures.rows {
        let label = format!("Sheet {}, dòng {r}", procedures.name);
        let mut reasons = Vec::new();
        let mut levels = Vec::new();
        for l in split_list(&c[4]) {
            match parse_level(l) {
                Some(l) => levels.push(l),
                None => reasons.push(format!("cấp thực hiện không rõ: \"{l}\"")),
            }
        }
        let mut applicant_types = Vec::new();
        for a in split_list(&c[6]) {
            match parse_applicant(a) {
                Some(a) => applicant_types.push(a),
                None => reasons.push(format!("đối tượng thực hiện không rõ: \"{a}\"")),
            }
        }
        let mut channels = Vec::new();
        for ch in split_list(&c[7]) {
            match parse_channel(ch) {
                Some(ch) if !channels.contains(&ch) => channels.push(ch),
                Some(_) => {}
                None => reasons.push(format!("cách thức thực hiện không rõ: \"{ch}\"")),
            }
        }
        let online = parse_online(&c[8]).unwrap_or_else(|e| {
            reasons.push(e);
            None
        });
        let location_independent = flag(&c[9]).unwrap_or_else(|e| {
            reasons.push(format!("Không phụ thuộc địa giới: {e}"));
            false
        });
        let interagency = flag(&c[10]).unwrap_or_else(|e| {
            reasons.push(format!("Liên thông: {e}"));
            false
        });
        let field_code = match opt(&c[2]) {
            Some(code) => FieldCode::parse(&code).unwrap_or_else(|e| {
                reasons.push(e.message);
                FieldCode::from_name(&c[3])
            }),
            None => FieldCode::from_name(&c[3]),
        };
        let results = c[14]
            .split('\n')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|line| match line.rsplit_once('[') {
                Some((name, code)) if code.ends_with(']') => {
                    ResultDocument { name: name.trim().to_owned(), code: opt(code.trim_end_matches(']')) }
                }
                _ => ResultDocument { name: line.to_owned(), code: None },
            })
            .collect();
        let mut dates = |s: &str, what: &str| {
            date(s, what).unwrap_or_else(|e| {
                reasons.push(e);
                None
            })
        };
        let publication = Publication {
            decision_number: opt(&c[16]),
            decision_date: dates(&c[17], "Ngày quyết định"),
            signer: opt(&c[18]),
            effective_from: dates(&c[19], "Ngày hiệu lực"),
            legal_basis_effective_on: None,
            portal_published_on: None,
        };
        let content = ProcedureContent {
            name: c[1].clone(),
            field: FieldRef { code: field_code, name: c[3].clone() },
            levels,
            implementing_agencies: opt(&c[5]),
            cases: vec![],
            results,
            steps: opt(&c[11]),
            conditions: opt(&c[12]),
            legal_basis: c[13]
                .split(['\n', ';'])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|n| LegalBasis { number: n.to_owned(), title: None })
                .collect(),
            online_level: online,
            channels,
            location_independent,
            interagency,
            applicant_types,
            notes: opt(&c[15]),
        };
        let code = c[0].trim().to_owned();
        if code.is_empty() {
            reasons.push("thiếu mã thủ tục".into());
        }
        if by_code.contains_key(&code) {
            out.problems.push(ImportProblem { row: label, reason: format!("mã {code} đã có ở dòng trước") });
            continue;
        }
        order.push(code.clone());
        by_code.insert(code, (*r, label, content, publication, reasons));
    }
    let mut child = |sheet: &Sheet, out: &mut ParsedImport, apply: &mut RowApply<'_>| {
        for (r, c) in &sheet.rows {
            let label = format!("Sheet {}, dòng {r}", sheet.name);
            let Some(entry) = by_code.get_mut(c[0].trim()) else {
                out.problems.push(ImportProblem {
                    row: label,
                    reason: format!("mã thủ tục \"{}\" không có trong sheet {}", c[0], PROCEDURES.0),
                });
                continue;
            };
            if let Err(reason) = apply(&mut entry.2, c) {
                out.problems.push(ImportProblem { row: label, reason });
            }
        }
    };
    child(&cases, &mut out, &mut |content, c| {
        let case = case_mut(&mut content.cases, &c[1]);
        let unit = parse_unit(&c[3])?;
        case.time.amount = opt(&c[2])
            .map(|a| a.parse::<u32>().map_err(|_| format!("thời hạn phải là số nguyên: \"{a}\"")))
            .transpose()?;
        case.time.unit = unit;
        case.time.text = opt(&c[7]);
        if let Some(cut) = opt(&c[6]) {
            case.time.cutoff = Some(cut.parse::<ClockTime>().map_err(|e| format!("giờ tiếp nhận muộn nhất: {e}"))?);
        } else if unit == Some(motcua_domain::calendar::TimeUnit::SameDay) {
            case.time.cutoff = Some(motcua_domain::calendar::deadline::DEFAULT_CUTOFF);
        }
        for (col, channel) in [(4, Channel::Online), (5, Channel::Postal)] {
            if let Some(a) = opt(&c[col]) {
                let amount = a
                    .parse::<u32>()
                    .map_err(|_| format!("thời hạn {} phải là số nguyên: \"{a}\"", channel.label().to_lowercase()))?;
                let unit = unit.ok_or("có thời hạn theo kênh thì phải có đơn vị")?;
                case.time.by_channel.push(ChannelTime { channel, amount, unit });
            }
        }
        Ok(())
    });
    child(&documents, &mut out, &mut |content, c| {
        let mut channels = Vec::new();
        for ch in split_list(&c[9]) {
            channels.push(parse_channel(ch).ok_or_else(|| format!("kênh không rõ: \"{ch}\""))?);
        }
        let doc = RequiredDocument {
            name: c[2].clone(),
            originals: count(&c[3], "Bản chính")?,
            copies: count(&c[4], "Bản sao")?,
            form: opt(&c[5]).map(|name| FormTemplate { name, file: None }),
            digitization_required: flag(&c[6]).map_err(|e| format!("Số hóa bắt buộc: {e}"))?,
            from_data_store: flag(&c[7]).map_err(|e| format!("Lấy từ kho dữ liệu: {e}"))?,
            submission: if flag(&c[8]).map_err(|e| format!("Chỉ xuất trình: {e}"))? {
                Submission::Show
            } else {
                Submission::Submit
            },
            channels,
            note: opt(&c[10]),
        };
        if doc.name.trim().is_empty() {
            return Err("thiếu tên giấy tờ".into());
        }
        case_mut(&mut content.cases, &c[1]).documents.push(doc);
        Ok(())
    });
    child(&fees, &mut out, &mut |content, c| {
        let kind = match motcua_domain::catalog::fold::fold(c[2].trim()).as_str() {
            "phi" => FeeKind::Fee,
            "le phi" | "" => FeeKind::Charge,
            _ => return Err(format!("loại \"{}\": dùng Phí hoặc Lệ phí", c[2])),
        };
        let amount_vnd = match opt(&c[4]) {
            None => None,
            Some(a) => {
                let digits: String = a.chars().filter(|c| !matches!(c, '.' | ' ')).collect();
                Some(digits.parse::<u64>().map_err(|_| format!("mức thu phải là số đồng: \"{a}\""))?)
            }
        };
        if c[3].trim().is_empty() {
            return Err("thiếu tên phí, lệ phí".into());
        }
        case_mut(&mut content.cases, &c[1]).fees.push(Fee {
            kind,
            name: c[3].clone(),
            amount_vnd,
            unit: opt(&c[5]),
            note: opt(&c[6]),
        });
        Ok(())
    });
    for code in order {
        let (_, label, mut content, publication, reasons) = by_code.remove(&code).expect("listed");
        if content.cases.is_empty() {
            content.cases.push(ProcedureCase {
                name: DEFAULT_CASE.into(),
                time: TimeLimit::default(),
                fees: vec![],
                documents: vec![],
            });
        }
        if !reasons.is_empty() {
            out.problems.push(ImportProblem { row: label, reason: reasons.join("; ") });
            continue;
        }
        out.rows.push(ImportRow { label, code, content, publication });
    }
    out
}

fn yes(b: bool) -> &'static str {
    if b { "x" } else { "" }
}

/// Writes versions (code, version) in the template's layout.
pub fn write(items: &[(String, &VersionRecord)]) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let wrap = Format::new().set_text_wrap();
    let mut sheets = Vec::new();
    for (name, headers) in [PROCEDURES, CASES, DOCUMENTS, FEES] {
        let ws = wb.add_worksheet();
        ws.set_name(name)?;
        for (i, h) in headers.iter().enumerate() {
            let col = u16::try_from(i).expect("few columns");
            ws.write_string_with_format(0, col, *h, &bold)?;
            ws.set_column_width(col, if i == 1 || i == 2 { 40 } else { 16 })?;
        }
        ws.set_freeze_panes(1, 0)?;
        sheets.push(name);
    }
    let mut next = [1u32; 4];
    let date = |d: Option<Date>| d.map(motcua_domain::time::format_date).unwrap_or_default();
    for (code, v) in items {
        let c = &v.content;
        let p = v.publication.clone().unwrap_or_default();
        let row: Vec<String> = vec![
            code.clone(),
            c.name.clone(),
            c.field.code.to_string(),
            c.field.name.clone(),
            c.levels.iter().map(|l| l.label()).collect::<Vec<_>>().join(", "),
            c.implementing_agencies.clone().unwrap_or_default(),
            c.applicant_types.iter().map(|a| a.label()).collect::<Vec<_>>().join(", "),
            c.channels.iter().map(|ch| ch.label()).collect::<Vec<_>>().join(", "),
            match c.online_level {
                Some(OnlineLevel::Full) => "Toàn trình".into(),
                Some(OnlineLevel::Partial) => "Một phần".into(),
                Some(OnlineLevel::Offline) => "Không".into(),
                None => String::new(),
            },
            yes(c.location_independent).into(),
            yes(c.interagency).into(),
            c.steps.clone().unwrap_or_default(),
            c.conditions.clone().unwrap_or_default(),
            c.legal_basis.iter().map(|l| l.number.clone()).collect::<Vec<_>>().join("\n"),
            c.results
                .iter()
                .map(|r| match &r.code {
                    Some(code) => format!("{} [{code}]", r.name),
                    None => r.name.clone(),
                })
                .collect::<Vec<_>>()
                .join("\n"),
            c.notes.clone().unwrap_or_default(),
            p.decision_number.clone().unwrap_or_default(),
            date(p.decision_date),
            p.signer.clone().unwrap_or_default(),
            date(p.effective_from),
        ];
        write_row(wb.worksheet_from_index(0)?, next[0], &row, &wrap)?;
        next[0] += 1;
        for case in &c.cases {
            let per = |ch: Channel| {
                case.time.by_channel.iter().find(|b| b.channel == ch).map(|b| b.amount.to_string()).unwrap_or_default()
            };
            let row = vec![
                code.clone(),
                case.name.clone(),
                case.time.amount.map(|a| a.to_string()).unwrap_or_default(),
                case.time.unit.map(|u| u.label().to_owned()).unwrap_or_default(),
                per(Channel::Online),
                per(Channel::Postal),
                case.time.cutoff.map(|c| c.to_string()).unwrap_or_default(),
                case.time.text.clone().unwrap_or_default(),
            ];
            write_row(wb.worksheet_from_index(1)?, next[1], &row, &wrap)?;
            next[1] += 1;
            for d in &case.documents {
                let row = vec![
                    code.clone(),
                    case.name.clone(),
                    d.name.clone(),
                    d.originals.to_string(),
                    d.copies.to_string(),
                    d.form.as_ref().map(|f| f.name.clone()).unwrap_or_default(),
                    yes(d.digitization_required).into(),
                    yes(d.from_data_store).into(),
                    yes(d.submission == Submission::Show).into(),
                    d.channels.iter().map(|c| c.label()).collect::<Vec<_>>().join(", "),
                    d.note.clone().unwrap_or_default(),
                ];
                write_row(wb.worksheet_from_index(2)?, next[2], &row, &wrap)?;
                next[2] += 1;
            }
            for f in &case.fees {
                let row = vec![
                    code.clone(),
                    case.name.clone(),
                    f.kind.label().to_owned(),
                    f.name.clone(),
                    f.amount_vnd.map(|a| a.to_string()).unwrap_or_default(),
                    f.unit.clone().unwrap_or_default(),
                    f.note.clone().unwrap_or_default(),
                ];
                write_row(wb.worksheet_from_index(3)?, next[3], &row, &wrap)?;
                next[3] += 1;
            }
        }
    }
    wb.save_to_buffer()
}

fn write_row(ws: &mut rust_xlsxwriter::Worksheet, row: u32, cells: &[String], wrap: &Format) -> Result<(), XlsxError> {
    for (i, v) in cells.iter().enumerate() {
        if !v.is_empty() {
            let col = u16::try_from(i).expect("few columns");
            if v.contains('\n') {
                ws.write_string_with_format(row, col, v, wrap)?;
            } else {
                ws.write_string(row, col, v)?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::import::check_rows;

    fn workbook(edit: impl FnOnce(&mut Workbook)) -> Vec<u8> {
        let mut wb = Workbook::new();
        for (name, headers) in [PROCEDURES, CASES, DOCUMENTS, FEES] {
            let ws = wb.add_worksheet();
            ws.set_name(name).unwrap();
            for (i, h) in headers.iter().enumerate() {
                ws.write_string(0, u16::try_from(i).unwrap(), *h).unwrap();
            }
        }
        edit(&mut wb);
        wb.save_to_buffer().unwrap()
    }

    fn put(wb: &mut Workbook, sheet: usize, row: u32, cells: &[&str]) {
        let ws = wb.worksheet_from_index(sheet).unwrap();
        for (i, c) in cells.iter().enumerate() {
            if !c.is_empty() {
                ws.write_string(row, u16::try_from(i).unwrap(), *c).unwrap();
            }
        }
    }

    #[test]
    fn reads_a_good_template() {
        let bytes = workbook(|wb| {
            put(
                wb,
                0,
                1,
                &[
                    "1.001193",
                    "Đăng ký khai sinh",
                    "",
                    "Hộ tịch",
                    "Cấp xã",
                    "UBND cấp xã",
                    "Công dân Việt Nam",
                    "Trực tiếp, Trực tuyến",
                    "Một phần",
                    "",
                    "",
                    "Nộp hồ sơ",
                    "",
                    "123/2015/NĐ-CP",
                    "Giấy khai sinh",
                    "",
                    "5/QĐ-UBND",
                    "02/01/2026",
                    "Nguyễn Văn A",
                    "05/01/2026",
                ],
            );
            put(wb, 1, 1, &["1.001193", "", "1", "Trong ngày"]);
            put(wb, 2, 1, &["1.001193", "", "Tờ khai đăng ký khai sinh", "1", "0", "Tờ khai", "x"]);
            put(wb, 3, 1, &["1.001193", "", "Lệ phí", "Lệ phí đăng ký khai sinh", "0"]);
        });
        let parsed = read(&bytes);
        assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
        let rows = check_rows(parsed).unwrap();
        let c = &rows[0].content;
        assert_eq!(c.cases.len(), 1);
        assert_eq!(c.cases[0].name, DEFAULT_CASE);
        assert_eq!(c.cases[0].time.cutoff, Some(ClockTime::hm(15, 0)));
        assert!(c.cases[0].documents[0].digitization_required);
        assert_eq!(c.cases[0].fees[0].amount_vnd, Some(0));
        assert_eq!(rows[0].publication.effective_from, Some(jiff::civil::date(2026, 1, 5)));
        assert!(c.publication_gaps().is_empty(), "{:?}", c.publication_gaps());
    }

    #[test]
    fn every_bad_row_is_named() {
        let bytes = workbook(|wb| {
            put(wb, 0, 1, &["1.001193", "Đăng ký khai sinh", "", "Hộ tịch", "Cấp xã"]);
            put(wb, 0, 2, &["1.00119", "Mã sai", "", "Hộ tịch", "Cấp xã"]);
            put(wb, 0, 3, &["1.000656", "Đăng ký khai tử", "", "Hộ tịch", "Cấp huyện"]);
            put(wb, 2, 1, &["1.001193", "", "Tờ khai", "một"]);
        });
        let parsed = read(&bytes);
        let problems = check_rows(parsed).unwrap_err();
        let rows: Vec<&str> = problems.iter().map(|p| p.row.as_str()).collect();
        assert_eq!(
            rows,
            vec!["Sheet ThanhPhan, dòng 2", "Sheet ThuTuc, dòng 3", "Sheet ThuTuc, dòng 4"],
            "{problems:?}"
        );
        assert!(problems[2].reason.contains("Cấp huyện"));
    }

    #[test]
    fn export_reads_back_identically() {
        let parsed = crate::catalog::demo_rows();
        let versions: Vec<(String, VersionRecord)> = parsed
            .rows
            .iter()
            .map(|r| {
                (
                    r.code.clone(),
                    VersionRecord {
                        id: 1,
                        procedure_id: 1,
                        number: 1,
                        kind: motcua_domain::catalog::ChangeKind::New,
                        publication: Some(r.publication.clone()),
                        content: r.content.clone(),
                        replaced_by: None,
                        created_by: None,
                        created_at: jiff::Timestamp::UNIX_EPOCH,
                        updated_at: jiff::Timestamp::UNIX_EPOCH,
                        published_by: None,
                        published_at: None,
                        revision: 1,
                    },
                )
            })
            .collect();
        let items: Vec<(String, &VersionRecord)> = versions.iter().map(|(c, v)| (c.clone(), v)).collect();
        let bytes = write(&items).unwrap();
        let back = read(&bytes);
        assert!(back.problems.is_empty(), "{:?}", back.problems);
        assert_eq!(back.rows.len(), parsed.rows.len());
        for (a, b) in parsed.rows.iter().zip(&back.rows) {
            assert_eq!(a.code, b.code);
            assert_eq!(a.content, b.content, "{}", a.code);
        }
    }
}
