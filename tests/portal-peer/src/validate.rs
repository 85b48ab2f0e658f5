//! What the peer checks in every payload it receives, after `legal.md` §7.1–7.3: the fields
//! public integration code always sends, their formats (instants `yyyyMMddHHmmss`, codes as
//! strings), the status codes 1–10 and the chunk size of process steps. Each problem is one
//! line naming the dossier and the field, so a test can assert on it.

use serde_json::Value;

/// Process steps per call (§7.1).
pub const STEP_CHUNK: usize = 10;

/// `yyyyMMddHHmmss` with a real month, day, hour, minute and second.
pub fn is_instant(s: &str) -> bool {
    if s.len() != 14 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let n = |a: usize, b: usize| s[a..b].parse::<u32>().unwrap_or(99);
    let (y, m, d, h, mi, se) = (n(0, 4), n(4, 6), n(6, 8), n(8, 10), n(10, 12), n(12, 14));
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (2000..=2100).contains(&y) && (1..=days).contains(&d) && h < 24 && mi < 60 && se < 60
}

fn text<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

struct Checker<'a> {
    who: String,
    v: &'a Value,
    problems: Vec<String>,
}

impl<'a> Checker<'a> {
    fn problem(&mut self, field: &str, what: &str) {
        self.problems.push(format!("{}: {field}: {what}", self.who));
    }

    /// A string field that must be present and not blank.
    fn required(&mut self, key: &str) -> Option<&'a str> {
        match self.v.get(key) {
            Some(Value::String(s)) if !s.trim().is_empty() => Some(s.as_str()),
            Some(Value::String(_)) | None | Some(Value::Null) => {
                self.problem(key, "required");
                None
            }
            Some(_) => {
                self.problem(key, "must be a string");
                None
            }
        }
    }

    /// A string field that may be empty but must be a string when present.
    fn optional(&mut self, key: &str) -> Option<&'a str> {
        match self.v.get(key) {
            Some(Value::String(s)) => Some(s.as_str()),
            None | Some(Value::Null) => None,
            Some(_) => {
                self.problem(key, "must be a string");
                None
            }
        }
    }

    fn one_of(&mut self, key: &str, allowed: &[&str], required: bool) -> Option<&'a str> {
        let v = if required { self.required(key) } else { self.optional(key).filter(|s| !s.is_empty()) };
        if let Some(s) = v
            && !allowed.contains(&s)
        {
            self.problem(key, &format!("{s:?} is not one of {allowed:?}"));
        }
        v
    }

    fn instant(&mut self, key: &str, required: bool) -> Option<&'a str> {
        let v = if required { self.required(key) } else { self.optional(key) };
        match v {
            Some("") => None,
            Some(s) if !is_instant(s) => {
                self.problem(key, &format!("{s:?} is not yyyyMMddHHmmss"));
                None
            }
            other => other,
        }
    }

    fn max_chars(&mut self, key: &str, max: usize) {
        if let Some(s) = text(self.v, key)
            && s.chars().count() > max
        {
            self.problem(key, &format!("longer than {max} characters"));
        }
    }
}

const STATUSES: [&str; 10] = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10"];

/// The problems of one `HoSo`.
pub fn check_dossier(v: &Value) -> Vec<String> {
    let code = text(v, "MaHoSo").unwrap_or("?").to_owned();
    let mut c = Checker { who: format!("HoSo {code}"), v, problems: Vec::new() };
    if !v.is_object() {
        c.problem("HoSo", "must be an object");
        return c.problems;
    }
    c.required("MaHoSo");
    c.required("MaTTHC");
    c.required("TenTTHC");
    c.required("ChuHoSo");
    c.one_of("KenhThucHien", &["1", "2", "3"], true);
    c.one_of("LoaiDoiTuong", &["1", "2", "3", "4"], true);
    let status = c.one_of("TrangThaiHoSo", &STATUSES, true);
    c.instant("NgayNopHoSo", true);
    let received = c.instant("NgayTiepNhan", false);
    c.instant("NgayHenTra", false);
    let returned = c.instant("NgayTra", false);
    let ended = c.instant("NgayKetThucXuLy", false);
    let refused = c.instant("NgayTuChoi", false);
    for key in ["Email", "SoDienThoai", "SoGiayToChuHoSo", "DonViXuLy", "GhiChu", "MaLinhVuc", "TenLinhVuc"] {
        c.optional(key);
    }
    c.max_chars("TrichYeuHoSo", 1000);
    c.one_of("HinhThuc", &["0", "1"], false);
    c.one_of("NoiNopHoSo", &["1", "2"], false);
    c.one_of("HoSoCoThanhPhanSoHoa", &["0", "1"], false);
    c.one_of("TaiKhoanDuocXacThucVoiVNeID", &["0", "1"], false);
    c.one_of("DuocThanhToanTrucTuyen", &["0", "1", "2", "3"], false);
    match status.and_then(|s| s.parse::<u8>().ok()) {
        // A dossier submitted on the portal may be asked for a supplement before it is received.
        Some(2 | 4 | 6 | 9 | 10) if received.is_none() => {
            c.problem("NgayTiepNhan", "required once the dossier is received")
        }
        Some(5 | 7 | 8) if received.is_none() && text(v, "KenhThucHien") != Some("2") => {
            c.problem("NgayTiepNhan", "required once the dossier is received");
        }
        Some(3) if refused.is_none() && received.is_none() => c.problem("NgayTuChoi", "required when refused"),
        Some(9) if ended.is_none() => c.problem("NgayKetThucXuLy", "required once processed"),
        Some(10) if returned.is_none() => c.problem("NgayTra", "required once returned"),
        _ => {}
    }
    match v.get("DinhDanhCHS") {
        None | Some(Value::Null) => {}
        Some(Value::Array(ids)) => {
            for id in ids {
                let kind = text(id, "LoaiDinhDanh");
                let number = text(id, "SoDinhDanh").unwrap_or_default();
                let ok = match kind {
                    Some("1") => number.len() == 12 && number.bytes().all(|b| b.is_ascii_digit()),
                    Some("2") => number.len() == 9 && number.bytes().all(|b| b.is_ascii_digit()),
                    _ => false,
                };
                if !ok {
                    c.problem("DinhDanhCHS", &format!("{kind:?}/{number:?} is not a 12-digit (1) or 9-digit (2) ID"));
                }
            }
        }
        Some(_) => c.problem("DinhDanhCHS", "must be an array"),
    }
    for list in ["DanhSachHoSoBoSung", "DanhSachGiayToKetQua", "TaiLieuNop", "DanhSachLePhi"] {
        if let Some(l) = v.get(list)
            && !l.is_array()
            && !l.is_null()
        {
            c.problem(list, "must be an array");
        }
    }
    c.problems
}

/// The problems of one `QuaTrinhXuLy`.
pub fn check_step(v: &Value) -> Vec<String> {
    let code = text(v, "MaHoSo").unwrap_or("?").to_owned();
    let mut c = Checker { who: format!("QuaTrinhXuLy {code}"), v, problems: Vec::new() };
    if !v.is_object() {
        c.problem("QuaTrinhXuLy", "must be an object");
        return c.problems;
    }
    c.required("MaHoSo");
    c.required("NguoiXuLy");
    c.max_chars("NguoiXuLy", 50);
    c.required("NoiDungXuLy");
    c.one_of("TrangThai", &STATUSES, true);
    c.instant("ThoiDiemXuLy", true);
    c.instant("NgayBatDau", true);
    c.instant("NgayKetThucTheoQuyDinh", false);
    c.optional("ChucDanh");
    c.optional("PhongBanXuLy");
    c.problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn instants_are_checked_to_the_calendar() {
        assert!(is_instant("20261204153000"));
        assert!(is_instant("20240229000000"));
        for bad in ["20250229000000", "20261204240000", "2026120415300", "2026-12-04T15", "20261304000000"] {
            assert!(!is_instant(bad), "{bad}");
        }
    }

    #[test]
    fn a_dossier_names_each_problem() {
        let ok = json!({"MaHoSo": "A", "MaTTHC": "1.000948", "TenTTHC": "x", "ChuHoSo": "An", "KenhThucHien": "1",
            "LoaiDoiTuong": "1", "TrangThaiHoSo": "2", "NgayNopHoSo": "20261204080000", "NgayTiepNhan": "20261204080000",
            "NgayHenTra": "", "DinhDanhCHS": [{"LoaiDinhDanh": "1", "SoDinhDanh": "001090000123"}]});
        assert_eq!(check_dossier(&ok), Vec::<String>::new());
        let mut bad = ok.clone();
        bad["TrangThaiHoSo"] = json!(2);
        bad["NgayHenTra"] = json!("04/12/2026");
        bad["DinhDanhCHS"] = json!([{"LoaiDinhDanh": "1", "SoDinhDanh": "123"}]);
        let p = check_dossier(&bad);
        assert_eq!(p.len(), 3, "{p:?}");
        assert!(p[0].starts_with("HoSo A: TrangThaiHoSo"));
    }

    #[test]
    fn a_step_needs_its_fields() {
        let p = check_step(&json!({"MaHoSo": "A", "NguoiXuLy": "x".repeat(51), "TrangThai": "11",
            "ThoiDiemXuLy": "20261204080000", "NgayBatDau": ""}));
        assert_eq!(p.len(), 4, "{p:?}");
    }
}
