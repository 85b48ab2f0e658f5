//! The QR code on the chip ID card (CCCD), as a desk scanner types it (`legal.md` §9):
//! `số CCCD|số CMND cũ|họ và tên|ngày sinh DDMMYYYY|giới tính|địa chỉ thường trú|ngày cấp`.
//!
//! Two layouts exist in the field: with the old ID-card number (7 fields, the number often
//! empty) and without it (6 fields). Both are accepted; anything else is refused with a message
//! the officer can act on, because a silently mis-parsed name or birth date ends up printed on
//! the receipt.

use jiff::civil::Date;
use serde::Serialize;

use crate::validation::FieldError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CccdData {
    /// Số định danh cá nhân (12 digits).
    pub id_number: String,
    /// The old 9-digit ID card number, when the card carries it.
    pub old_id_number: Option<String>,
    pub full_name: String,
    pub birth_date: Date,
    /// `Nam` or `Nữ`.
    pub gender: String,
    pub address: String,
    pub issued_on: Option<Date>,
}

fn bad(message: impl Into<String>) -> FieldError {
    FieldError::new("cccd_qr", "invalid_cccd_qr", message)
}

fn ddmmyyyy(what: &str, s: &str) -> Result<Date, FieldError> {
    let s = s.trim();
    let err = || bad(format!("{what} trong mã QR phải có dạng DDMMYYYY (8 chữ số), nhận được \"{s}\"."));
    if s.len() != 8 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(err());
    }
    let d: i8 = s[0..2].parse().map_err(|_| err())?;
    let m: i8 = s[2..4].parse().map_err(|_| err())?;
    let y: i16 = s[4..8].parse().map_err(|_| err())?;
    // Eight digits that name no day (31/02): say so, not that the shape is wrong.
    Date::new(y, m, d).map_err(|_| {
        bad(format!(
            "{what} trong mã QR là ngày không có thật: {}/{}/{} (nhận được \"{s}\").",
            &s[0..2],
            &s[2..4],
            &s[4..8]
        ))
    })
}

/// Parses the scanned text.
pub fn parse_cccd_qr(text: &str) -> Result<CccdData, FieldError> {
    // Scanners that emulate a keyboard sometimes append a newline or wrap the text in spaces.
    let text = text.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    if text.is_empty() {
        return Err(bad("Chưa có nội dung mã QR."));
    }
    let fields: Vec<&str> = text.split('|').map(str::trim).collect();
    let (id, old, rest): (&str, Option<&str>, &[&str]) = match fields.len() {
        7 => (fields[0], Some(fields[1]), &fields[2..]),
        6 => (fields[0], None, &fields[1..]),
        n => {
            return Err(bad(format!(
                "Mã QR căn cước cần 6 hoặc 7 trường ngăn cách bởi \"|\", nhận được {n}. Hãy quét lại."
            )));
        }
    };
    if id.len() != 12 || !id.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad("Trường đầu của mã QR phải là số định danh cá nhân 12 chữ số."));
    }
    let old_id_number = match old {
        None | Some("") => None,
        Some(o) if o.len() == 9 && o.bytes().all(|b| b.is_ascii_digit()) => Some(o.to_owned()),
        Some(_) => return Err(bad("Số chứng minh nhân dân cũ trong mã QR phải có 9 chữ số hoặc để trống.")),
    };
    let full_name = rest[0];
    if full_name.is_empty() || full_name.chars().any(|c| c.is_control() || c.is_ascii_digit()) {
        return Err(bad("Họ và tên trong mã QR không hợp lệ."));
    }
    let birth_date = ddmmyyyy("Ngày sinh", rest[1])?;
    let gender = match rest[2] {
        "Nam" | "nam" | "1" => "Nam",
        "Nữ" | "nữ" | "Nu" | "0" | "2" => "Nữ",
        other => return Err(bad(format!("Giới tính trong mã QR phải là Nam hoặc Nữ, nhận được \"{other}\"."))),
    };
    let address = rest[3];
    if address.is_empty() {
        return Err(bad("Mã QR thiếu địa chỉ thường trú."));
    }
    let issued_on = match rest[4] {
        "" => None,
        s => Some(ddmmyyyy("Ngày cấp", s)?),
    };
    if issued_on.is_some_and(|i| i < birth_date) {
        return Err(bad("Ngày cấp trong mã QR trước ngày sinh."));
    }
    Ok(CccdData {
        id_number: id.to_owned(),
        old_id_number,
        full_name: full_name.split_whitespace().collect::<Vec<_>>().join(" "),
        birth_date,
        gender: gender.to_owned(),
        address: address.to_owned(),
        issued_on,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    const SEVEN: &str = "046201000152||Võ Việt Dũng|30072001|Nam|Thôn An Lạc, Xã An Phú, Tỉnh Sơn Hà|15082021";

    #[test]
    fn parses_the_layout_with_the_old_number() {
        let d = parse_cccd_qr(SEVEN).unwrap();
        assert_eq!(d.id_number, "046201000152");
        assert_eq!(d.old_id_number, None);
        assert_eq!(d.full_name, "Võ Việt Dũng");
        assert_eq!(d.birth_date, date(2001, 7, 30));
        assert_eq!(d.gender, "Nam");
        assert_eq!(d.address, "Thôn An Lạc, Xã An Phú, Tỉnh Sơn Hà");
        assert_eq!(d.issued_on, Some(date(2021, 8, 15)));
        let with_old = parse_cccd_qr("001203004567|012345678|Nguyễn Thị Bình|01011990|Nữ|Hà Nội|01012022\r\n").unwrap();
        assert_eq!(with_old.old_id_number.as_deref(), Some("012345678"));
        assert_eq!(with_old.gender, "Nữ");
    }

    #[test]
    fn parses_the_layout_without_it_and_numeric_gender() {
        let d = parse_cccd_qr("001203004567|Nguyễn  Văn An|05031985|1|Phường Bình Minh, Tỉnh Sơn Hà|").unwrap();
        assert_eq!(d.full_name, "Nguyễn Văn An");
        assert_eq!(d.gender, "Nam");
        assert_eq!(d.issued_on, None);
    }

    #[test]
    fn refuses_malformed_text_with_a_reason() {
        for (text, needle) in [
            ("", "Chưa có"),
            ("001203004567|Nguyễn Văn An", "6 hoặc 7"),
            ("0012030045|x|Nguyễn Văn An|05031985|Nam|Hà Nội|01012022", "12 chữ số"),
            ("001203004567||Nguyễn Văn An|1985-03-05|Nam|Hà Nội|01012022", "DDMMYYYY"),
            ("001203004567||Nguyễn Văn An|31021985|Nam|Hà Nội|01012022", "không có thật: 31/02/1985"),
            ("001203004567||Nguyễn Văn An|05031985|X|Hà Nội|01012022", "Giới tính"),
            ("001203004567||Nguyễn Văn An|05031985|Nam||01012022", "địa chỉ"),
            ("001203004567|12|Nguyễn Văn An|05031985|Nam|Hà Nội|01012022", "9 chữ số"),
            ("001203004567||Nguyễn Văn An|05031985|Nam|Hà Nội|01011980", "trước ngày sinh"),
        ] {
            let e = parse_cccd_qr(text).unwrap_err();
            assert_eq!(e.code, "invalid_cccd_qr");
            assert!(e.message.contains(needle), "{text}: {}", e.message);
        }
    }
}
