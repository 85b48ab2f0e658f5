//! The applicant (người nộp hồ sơ: a person or an organisation) and an authorised representative.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::validation::{FieldError, ValidationErrors, optional_text, required_text};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplicantKind {
    #[default]
    Person,
    Organisation,
}

impl ApplicantKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ApplicantKind::Person => "person",
            ApplicantKind::Organisation => "organisation",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ApplicantKind::Person => "Cá nhân",
            ApplicantKind::Organisation => "Tổ chức",
        }
    }

    pub fn parse(s: &str) -> Option<ApplicantKind> {
        match s.trim() {
            "person" | "" => Some(ApplicantKind::Person),
            "organisation" | "organization" => Some(ApplicantKind::Organisation),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Applicant {
    pub kind: ApplicantKind,
    pub full_name: String,
    /// Số định danh cá nhân (12 digits; 9 for an old ID card) or the organisation's tax code.
    #[serde(default)]
    pub id_number: Option<String>,
    #[serde(default)]
    pub birth_date: Option<Date>,
    #[serde(default)]
    pub gender: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
}

/// Someone who submits on the applicant's behalf (người được ủy quyền).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Representative {
    pub full_name: String,
    #[serde(default)]
    pub id_number: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    /// The authorisation document (giấy ủy quyền số …).
    #[serde(default)]
    pub authorisation: Option<String>,
}

/// A personal identification number: 12 digits, or 9 for the old ID card.
pub fn check_person_id(field: &str, s: &str) -> Result<String, FieldError> {
    let s = s.trim();
    if (s.len() == 12 || s.len() == 9) && s.bytes().all(|b| b.is_ascii_digit()) {
        Ok(s.to_owned())
    } else {
        Err(FieldError::new(
            field,
            "invalid_id_number",
            "Số định danh cá nhân gồm 12 chữ số (hoặc 9 chữ số với chứng minh nhân dân cũ).",
        ))
    }
}

/// A tax code (mã số thuế): 10 digits, or 10 digits, a dash and 3 digits for a branch.
pub fn check_tax_code(field: &str, s: &str) -> Result<String, FieldError> {
    let s = s.trim();
    let digits = |p: &str, n: usize| p.len() == n && p.bytes().all(|b| b.is_ascii_digit());
    let ok = match s.split_once('-') {
        None => digits(s, 10),
        Some((a, b)) => digits(a, 10) && digits(b, 3),
    };
    if ok {
        Ok(s.to_owned())
    } else {
        Err(FieldError::new(
            field,
            "invalid_tax_code",
            "Mã số thuế gồm 10 chữ số, hoặc 10 chữ số, dấu gạch ngang và 3 chữ số với đơn vị phụ thuộc.",
        ))
    }
}

pub(crate) fn check_phone(field: &str, s: &str) -> Result<String, FieldError> {
    let compact: String = s.chars().filter(|c| !matches!(c, ' ' | '.' | '-')).collect();
    let digits = compact.strip_prefix('+').unwrap_or(&compact);
    if (9..=12).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) {
        Ok(compact)
    } else {
        Err(FieldError::new(field, "invalid_phone", "Số điện thoại gồm 9–12 chữ số, có thể bắt đầu bằng +."))
    }
}

pub(crate) fn check_email(field: &str, s: &str) -> Result<String, FieldError> {
    let s = s.trim();
    let ok = s.len() <= 254
        && !s.chars().any(char::is_whitespace)
        && s.split_once('@').is_some_and(|(a, d)| !a.is_empty() && d.contains('.') && !d.starts_with('.'));
    if ok {
        Ok(s.to_owned())
    } else {
        Err(FieldError::new(field, "invalid_email", "Địa chỉ thư điện tử không hợp lệ."))
    }
}

fn opt(e: &mut ValidationErrors, field: &str, v: &Option<String>, max: usize) -> Option<String> {
    e.check(optional_text(field, v.as_deref(), max)).flatten()
}

impl Applicant {
    /// Checks and normalises every field; `prefix` names them in errors (`applicant.`).
    pub fn validated(&self, prefix: &str, today: Date) -> Result<Applicant, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let f = |name: &str| format!("{prefix}{name}");
        let full_name = e.check(required_text(&f("full_name"), &self.full_name, 200));
        let id_number = opt(&mut e, &f("id_number"), &self.id_number, 20).and_then(|id| match self.kind {
            ApplicantKind::Person => e.check(check_person_id(&f("id_number"), &id)),
            ApplicantKind::Organisation => e.check(check_tax_code(&f("id_number"), &id)),
        });
        if let Some(b) = self.birth_date
            && (b > today || b.year() < 1900)
        {
            e.push(FieldError::new(f("birth_date"), "invalid_date", "Ngày sinh không hợp lệ."));
        }
        let gender = opt(&mut e, &f("gender"), &self.gender, 10);
        let address = opt(&mut e, &f("address"), &self.address, 500);
        let phone = opt(&mut e, &f("phone"), &self.phone, 30).and_then(|p| e.check(check_phone(&f("phone"), &p)));
        let email = opt(&mut e, &f("email"), &self.email, 254).and_then(|m| e.check(check_email(&f("email"), &m)));
        e.into_result()?;
        Ok(Applicant {
            kind: self.kind,
            full_name: full_name.expect("checked"),
            id_number,
            birth_date: self.birth_date,
            gender,
            address,
            phone,
            email,
        })
    }

    /// The name as public tracking shows it: the first letter of each word, the rest hidden
    /// ("Nguyễn Văn An" → "N***** V** A*").
    pub fn masked_name(&self) -> String {
        mask_name(&self.full_name)
    }
}

pub fn mask_name(name: &str) -> String {
    name.split_whitespace()
        .map(|w| {
            let mut chars = w.chars();
            let first = chars.next().map(String::from).unwrap_or_default();
            first + &"*".repeat(chars.count())
        })
        .collect::<Vec<_>>()
        .join(" ")
}

impl Representative {
    pub fn validated(&self, prefix: &str) -> Result<Representative, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let f = |name: &str| format!("{prefix}{name}");
        let full_name = e.check(required_text(&f("full_name"), &self.full_name, 200));
        let id_number = opt(&mut e, &f("id_number"), &self.id_number, 20)
            .and_then(|id| e.check(check_person_id(&f("id_number"), &id)));
        let address = opt(&mut e, &f("address"), &self.address, 500);
        let phone = opt(&mut e, &f("phone"), &self.phone, 30).and_then(|p| e.check(check_phone(&f("phone"), &p)));
        let email = opt(&mut e, &f("email"), &self.email, 254).and_then(|m| e.check(check_email(&f("email"), &m)));
        let authorisation = opt(&mut e, &f("authorisation"), &self.authorisation, 300);
        e.into_result()?;
        Ok(Representative { full_name: full_name.expect("checked"), id_number, address, phone, email, authorisation })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn validates_and_normalises_a_person() {
        let a = Applicant {
            full_name: "  Nguyễn Văn An ".into(),
            id_number: Some(" 001203004567 ".into()),
            phone: Some("0912 345 678".into()),
            email: Some("an@example.vn".into()),
            ..Applicant::default()
        };
        let v = a.validated("applicant.", date(2026, 11, 23)).unwrap();
        assert_eq!(v.full_name, "Nguyễn Văn An");
        assert_eq!(v.id_number.as_deref(), Some("001203004567"));
        assert_eq!(v.phone.as_deref(), Some("0912345678"));
    }

    #[test]
    fn reports_every_bad_field_at_once() {
        let a = Applicant {
            full_name: " ".into(),
            id_number: Some("12345".into()),
            birth_date: Some(date(2030, 1, 1)),
            phone: Some("abc".into()),
            email: Some("not-an-email".into()),
            ..Applicant::default()
        };
        let e = a.validated("applicant.", date(2026, 11, 23)).unwrap_err();
        let fields: Vec<&str> = e.errors.iter().map(|x| x.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "applicant.full_name",
                "applicant.id_number",
                "applicant.birth_date",
                "applicant.phone",
                "applicant.email"
            ]
        );
    }

    #[test]
    fn organisations_carry_a_tax_code() {
        let mut a = Applicant {
            kind: ApplicantKind::Organisation,
            full_name: "Công ty TNHH An Phú".into(),
            id_number: Some("0101234567-001".into()),
            ..Applicant::default()
        };
        assert!(a.validated("", date(2026, 1, 1)).is_ok());
        a.id_number = Some("001203004567".into());
        assert_eq!(a.validated("", date(2026, 1, 1)).unwrap_err().errors[0].code, "invalid_tax_code");
    }

    #[test]
    fn masks_every_letter_but_the_first_of_each_word() {
        assert_eq!(mask_name("Nguyễn Văn An"), "N***** V** A*");
        assert_eq!(mask_name("  Ơ "), "Ơ");
    }
}
