//! Dossiers submitted on the national portal, as they arrive here (by the pull of the portal's
//! list or by its push): the `HoSo` fields of `legal.md` §7.2, read strictly.
//!
//! No public document describes what the portal sends to a provincial system; the shape is
//! the portal's own dossier (`HoSo`), which public integration code exchanges in both
//! directions, with the receiving agency's electronic identifier as `MaDonVi` (the `madonvi`
//! of the LGSP/NGSP calls) and the case as `TenTruongHop`. Both are assumptions the README
//! states. Values may come as JSON strings or numbers, as those codebases send either.

use jiff::Timestamp;
use jiff::civil::DateTime;
use serde_json::Value;

use crate::calendar::deadline::{Counting, DeadlineError, ProcessingTime, TimeUnit};
use crate::calendar::{ClockTime, WorkingCalendar};
use crate::time::vn_time_zone;
use crate::validation::{FieldError, ValidationErrors};

/// A file listed with a dossier (`TaiLieuNop`), before it is fetched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundFile {
    /// TepDinhKemId: tells a file sent again from a new one.
    pub portal_id: String,
    /// TenTepDinhKem.
    pub name: String,
    /// MaThanhPhanHoSo.
    pub component: Option<String>,
    /// DuongDanTaiTepTin: where the portal serves it.
    pub url: String,
}

/// A dossier as the portal sent it, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundDossier {
    /// MaHoSo.
    pub code: String,
    /// MaTTHC: the national procedure code.
    pub procedure: String,
    /// MaDonVi: the receiving agency's electronic identifier.
    pub agency: String,
    /// TenTruongHop: the case, when the procedure has several.
    pub case: Option<String>,
    /// ChuHoSo.
    pub applicant_name: String,
    /// SoGiayToChuHoSo, or the first DinhDanhCHS.
    pub applicant_id: Option<String>,
    /// LoaiDoiTuong "2" (business) or "4" (organisation): an organisation.
    pub organisation: bool,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// DiaChiChuHoSo, when sent.
    pub address: Option<String>,
    /// TrichYeuHoSo.
    pub summary: Option<String>,
    /// MaDoiTuong: the submitter's portal account.
    pub account: Option<String>,
    /// NgayNopHoSo.
    pub submitted_at: Timestamp,
    /// TrangThaiHoSo (1 for a new submission).
    pub status: u8,
    pub files: Vec<InboundFile>,
}

/// Reads an instant written `yyyyMMddHHmmss` in Vietnam time.
pub fn read_portal_time(s: &str) -> Option<Timestamp> {
    let s = s.trim();
    if s.len() != 14 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let dt = DateTime::strptime("%Y%m%d%H%M%S", s).ok()?;
    dt.to_zoned(vn_time_zone()).ok().map(|z| z.timestamp())
}

/// A field as text: strings trimmed, numbers written out, anything else absent.
fn text(v: &Value, key: &str) -> Option<String> {
    match v.get(key)? {
        Value::String(s) => Some(s.trim().to_owned()).filter(|s| !s.is_empty()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn checked(e: &mut ValidationErrors, v: &Value, key: &str, max: usize, required: bool) -> Option<String> {
    let value = text(v, key);
    match &value {
        None if required => e.push(FieldError::new(key, "required", format!("Thiếu trường {key}."))),
        Some(s) if s.chars().count() > max => {
            e.push(FieldError::new(key, "too_long", format!("Trường {key} dài quá {max} ký tự.")));
            return None;
        }
        _ => {}
    }
    value
}

/// A code of letters, digits and `.-_/`.
fn is_code(s: &str) -> bool {
    s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '/'))
}

impl InboundDossier {
    /// Reads one `HoSo`; every problem is reported, with the field it is about.
    pub fn read(v: &Value) -> Result<InboundDossier, ValidationErrors> {
        let mut e = ValidationErrors::new();
        if !v.is_object() {
            e.push(FieldError::new("HoSo", "invalid", "Hồ sơ phải là một đối tượng JSON."));
            return Err(e);
        }
        let code = checked(&mut e, v, "MaHoSo", 60, true);
        if let Some(c) = &code
            && !is_code(c)
        {
            e.push(FieldError::new("MaHoSo", "invalid", "Mã hồ sơ chỉ gồm chữ, số và các dấu . - _ /."));
        }
        let procedure = checked(&mut e, v, "MaTTHC", 30, true);
        if let Some(p) = &procedure
            && !is_code(p)
        {
            e.push(FieldError::new("MaTTHC", "invalid", "Mã thủ tục không hợp lệ."));
        }
        let agency = checked(&mut e, v, "MaDonVi", 40, true);
        let case = checked(&mut e, v, "TenTruongHop", 500, false);
        let applicant_name = checked(&mut e, v, "ChuHoSo", 300, true);
        let identities = v.get("DinhDanhCHS").and_then(Value::as_array);
        let applicant_id = checked(&mut e, v, "SoGiayToChuHoSo", 30, false)
            .or_else(|| identities.and_then(|l| l.first()).and_then(|i| text(i, "SoDinhDanh")));
        let organisation = matches!(text(v, "LoaiDoiTuong").as_deref(), Some("2" | "3" | "4"));
        let email = checked(&mut e, v, "Email", 200, false);
        let phone = checked(&mut e, v, "SoDienThoai", 20, false);
        let address = checked(&mut e, v, "DiaChiChuHoSo", 500, false);
        let summary = checked(&mut e, v, "TrichYeuHoSo", 4000, false);
        let account = checked(&mut e, v, "MaDoiTuong", 100, false);
        let submitted_at = match text(v, "NgayNopHoSo") {
            None => {
                e.push(FieldError::new("NgayNopHoSo", "required", "Thiếu ngày nộp hồ sơ."));
                None
            }
            Some(s) => {
                let at = read_portal_time(&s);
                if at.is_none() {
                    e.push(FieldError::new("NgayNopHoSo", "invalid", "Ngày nộp phải có dạng yyyyMMddHHmmss."));
                }
                at
            }
        };
        // TrangThaiHoSo as the portal writes it; what each means for a dossier here is the
        // receiver's business.
        let status = match text(v, "TrangThaiHoSo") {
            None => Some(1),
            Some(s) => match s.parse::<u8>() {
                Ok(n) if (1..=10).contains(&n) => Some(n),
                _ => {
                    e.push(FieldError::new("TrangThaiHoSo", "invalid", "Trạng thái hồ sơ từ 1 đến 10."));
                    None
                }
            },
        };
        let mut files = Vec::new();
        match v.get("TaiLieuNop") {
            None | Some(Value::Null) => {}
            Some(Value::Array(list)) => {
                for (i, f) in list.iter().enumerate() {
                    if text(f, "IsDeleted").is_some_and(|d| d == "1" || d.eq_ignore_ascii_case("true"))
                        || f.get("IsDeleted") == Some(&Value::Bool(true))
                    {
                        continue;
                    }
                    let at = |k: &str| format!("TaiLieuNop[{i}].{k}");
                    let url = text(f, "DuongDanTaiTepTin");
                    let name = text(f, "TenTepDinhKem");
                    // The id tells a file sent again from a new one (an address may be signed
                    // afresh each time).
                    let Some(portal_id) = text(f, "TepDinhKemId") else {
                        e.push(FieldError::new(at("TepDinhKemId"), "required", "Thiếu mã tệp đính kèm."));
                        continue;
                    };
                    match (url, name) {
                        (Some(url), Some(name)) if url.starts_with("http://") || url.starts_with("https://") => files
                            .push(InboundFile {
                                portal_id,
                                name: name.chars().take(255).collect(),
                                component: text(f, "MaThanhPhanHoSo"),
                                url,
                            }),
                        (Some(_), Some(_)) => e.push(FieldError::new(
                            at("DuongDanTaiTepTin"),
                            "invalid",
                            "Đường dẫn tệp phải là địa chỉ http(s).",
                        )),
                        (None, _) => {
                            e.push(FieldError::new(at("DuongDanTaiTepTin"), "required", "Thiếu đường dẫn tệp."))
                        }
                        (_, None) => e.push(FieldError::new(at("TenTepDinhKem"), "required", "Thiếu tên tệp.")),
                    }
                }
            }
            Some(_) => e.push(FieldError::new("TaiLieuNop", "invalid", "TaiLieuNop phải là một mảng.")),
        }
        if files.len() > 50 {
            e.push(FieldError::new("TaiLieuNop", "too_many", "Một hồ sơ có tối đa 50 tệp."));
        }
        e.into_result()?;
        Ok(InboundDossier {
            code: code.expect("checked"),
            procedure: procedure.expect("checked"),
            agency: agency.expect("checked"),
            case,
            applicant_name: applicant_name.expect("checked"),
            applicant_id,
            organisation,
            email,
            phone,
            address,
            summary,
            account,
            submitted_at: submitted_at.expect("checked"),
            status: status.expect("checked"),
            files,
        })
    }
}

/// The reception rule of online dossiers: decided within the working day they arrive; one that
/// arrives on a day off, or on a working day at or after `cutoff`, within the next working day
/// (`legal.md` §13.1). The deadline is the close of office hours on that day.
pub fn reception_due(cal: &WorkingCalendar, arrived: Timestamp, cutoff: ClockTime) -> Result<Timestamp, DeadlineError> {
    let same_day = ProcessingTime::new(1, TimeUnit::SameDay, Some(cutoff))?;
    cal.due(arrived, &same_day, Counting::WorkingTime)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::{HolidayTables, WorkingCalendar};
    use crate::time::vn_datetime;
    use serde_json::json;

    fn sample() -> Value {
        json!({
            "MaHoSo": "G22.99-261204-0001",
            "MaTTHC": "1.000948",
            "MaDonVi": "000.00.21.H22",
            "ChuHoSo": "Nguyễn Văn An",
            "DinhDanhCHS": [{"LoaiDinhDanh": "1", "SoDinhDanh": "001090000123"}],
            "LoaiDoiTuong": 1,
            "NgayNopHoSo": "20261204153000",
            "TrangThaiHoSo": "1",
            "TaiLieuNop": [
                {"TepDinhKemId": "f1", "TenTepDinhKem": "don.pdf", "MaThanhPhanHoSo": "TP1",
                 "DuongDanTaiTepTin": "http://127.0.0.1:9/f1", "IsDeleted": false},
                {"TepDinhKemId": "f0", "TenTepDinhKem": "cu.pdf", "DuongDanTaiTepTin": "http://x/f0", "IsDeleted": "1"},
                {"TenTepDinhKem": "khong-ma.pdf", "DuongDanTaiTepTin": "http://127.0.0.1:9/f2", "IsDeleted": "1"}
            ]
        })
    }

    #[test]
    fn a_portal_dossier_reads_with_its_files() {
        let d = InboundDossier::read(&sample()).unwrap();
        assert_eq!(d.code, "G22.99-261204-0001");
        assert_eq!(d.applicant_id.as_deref(), Some("001090000123"));
        assert!(!d.organisation);
        assert_eq!(d.status, 1);
        assert_eq!(d.files.len(), 1, "deleted files are skipped");
        assert_eq!(d.files[0].component.as_deref(), Some("TP1"));
        assert_eq!(vn_datetime(d.submitted_at).to_string(), "2026-12-04T15:30:00");
    }

    #[test]
    fn every_problem_is_reported_with_its_field() {
        let mut v = sample();
        v["MaHoSo"] = json!("<script>");
        v["NgayNopHoSo"] = json!("04/12/2026");
        v["TrangThaiHoSo"] = json!(11);
        v["TaiLieuNop"][0]["DuongDanTaiTepTin"] = json!("file:///etc/passwd");
        v["TaiLieuNop"][2]["IsDeleted"] = json!(false);
        v.as_object_mut().unwrap().remove("ChuHoSo");
        let err = InboundDossier::read(&v).unwrap_err();
        let fields: Vec<&str> = err.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "MaHoSo",
                "ChuHoSo",
                "NgayNopHoSo",
                "TrangThaiHoSo",
                "TaiLieuNop[0].DuongDanTaiTepTin",
                "TaiLieuNop[2].TepDinhKemId"
            ]
        );
        assert!(InboundDossier::read(&json!([1])).is_err());
    }

    #[test]
    fn portal_times_are_strict() {
        assert!(read_portal_time("20261204153000").is_some());
        for bad in ["2026120415300", "2026-12-04 15:30", "20261304153000", "20261204253000", ""] {
            assert_eq!(read_portal_time(bad), None, "{bad}");
        }
    }

    fn at(s: &str) -> Timestamp {
        s.parse::<DateTime>().unwrap().to_zoned(vn_time_zone()).unwrap().timestamp()
    }

    #[test]
    fn reception_is_due_the_same_working_day_or_the_next_one_out_of_hours() {
        let cal = WorkingCalendar::standard(&HolidayTables::new([]));
        let cutoff = ClockTime::hm(16, 30);
        let due = |s: &str| vn_datetime(reception_due(&cal, at(s), cutoff).unwrap()).to_string();
        // Thursday 03/12/2026 in hours, before opening, at the cutoff; Friday evening; Saturday.
        assert_eq!(due("2026-12-03T10:00"), "2026-12-03T17:00:00");
        assert_eq!(due("2026-12-03T06:00"), "2026-12-03T17:00:00");
        assert_eq!(due("2026-12-03T16:30"), "2026-12-04T17:00:00");
        assert_eq!(due("2026-12-04T20:00"), "2026-12-07T17:00:00");
        assert_eq!(due("2026-12-05T09:00"), "2026-12-07T17:00:00");
        // New Year's Day 2027 is a Friday off: Thursday evening waits until Monday.
        assert_eq!(due("2026-12-31T18:00"), "2027-01-04T17:00:00");
    }
}
