//! A petition as sent (the public form, an official recording a letter or a call, the national
//! portal), checked field by field before anything is stored.

use super::{Attachment, PetitionChannel, PetitionCode, PetitionKind, Petitioner, PortalReference};
use crate::dossier::applicant::{check_email, check_phone};
use crate::validation::{FieldError, ValidationErrors, long_text, optional_text, required_text};

/// The most text a petition may carry.
pub const MAX_CONTENT: usize = 10_000;

/// The input of a new petition, as sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PetitionIntake {
    pub petition_kind: Option<PetitionKind>,
    pub subject: String,
    pub content: String,
    pub name: String,
    pub address: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub organisation: Option<String>,
    pub procedure_code: Option<String>,
    pub dossier_code: Option<String>,
    pub reraise_of: Option<String>,
    pub notify_email: bool,
    pub notify_sms: bool,
}

/// The checked input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidIntake {
    pub petition_kind: Option<PetitionKind>,
    pub subject: String,
    pub content: String,
    pub petitioner: Petitioner,
    pub procedure_code: Option<String>,
    pub dossier_code: Option<String>,
    pub reraise_of: Option<PetitionCode>,
    pub attachments: Vec<Attachment>,
    pub notify_email: bool,
    pub notify_sms: bool,
    /// Forwarded by the national portal.
    pub portal: Option<PortalReference>,
}

impl PetitionIntake {
    /// Checks every field at once. A petition sent by a person (the public form, e-mail) must
    /// give a phone number or an e-mail address to be answered; a letter or a call recorded by
    /// an official may give only the postal address. Asking to be told by e-mail or SMS needs
    /// that address or number.
    pub fn validated(&self, channel: PetitionChannel) -> Result<ValidIntake, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let subject = e.check(required_text("subject", &self.subject, 300));
        let content = e.check(long_text("content", &self.content, MAX_CONTENT));
        let name = e.check(required_text("name", &self.name, 200));
        let address = e.check(required_text("address", &self.address, 500));
        let phone = e.check(optional_text("phone", self.phone.as_deref(), 30)).flatten();
        let phone = phone.and_then(|p| e.check(check_phone("phone", &p)));
        let email = e.check(optional_text("email", self.email.as_deref(), 254)).flatten();
        let email = email.and_then(|m| e.check(check_email("email", &m)));
        let organisation = e.check(optional_text("organisation", self.organisation.as_deref(), 300)).flatten();
        let procedure_code = e.check(optional_text("procedure_code", self.procedure_code.as_deref(), 50)).flatten();
        let dossier_code = e.check(optional_text("dossier_code", self.dossier_code.as_deref(), 60)).flatten();
        let reraise_of = match self.reraise_of.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(s) => {
                let parsed = PetitionCode::parse(s);
                if parsed.is_none() {
                    e.push(FieldError::new("reraise_of", "invalid_format", "Mã phản ánh, kiến nghị không đúng dạng."));
                }
                parsed
            }
        };
        let contact_required = matches!(channel, PetitionChannel::Online | PetitionChannel::Email);
        if contact_required
            && self.phone.as_deref().is_none_or(|p| p.trim().is_empty())
            && self.email.as_deref().is_none_or(|m| m.trim().is_empty())
        {
            e.push(FieldError::new(
                "phone",
                "contact_required",
                "Cần số điện thoại hoặc địa chỉ thư điện tử để cơ quan liên hệ và trả lời.",
            ));
        }
        if self.notify_email && self.email.as_deref().is_none_or(|m| m.trim().is_empty()) {
            e.push(FieldError::new(
                "email",
                "required_for_notice",
                "Cần địa chỉ thư điện tử để nhận thông báo qua thư.",
            ));
        }
        if self.notify_sms && self.phone.as_deref().is_none_or(|p| p.trim().is_empty()) {
            e.push(FieldError::new("phone", "required_for_notice", "Cần số điện thoại để nhận tin nhắn."));
        }
        e.into_result()?;
        Ok(ValidIntake {
            petition_kind: self.petition_kind,
            subject: subject.expect("checked"),
            content: content.expect("checked"),
            petitioner: Petitioner {
                name: name.expect("checked"),
                address: address.expect("checked"),
                phone,
                email,
                organisation,
            },
            procedure_code,
            dossier_code: dossier_code.map(|c| c.to_uppercase()),
            reraise_of,
            attachments: Vec::new(),
            notify_email: self.notify_email,
            notify_sms: self.notify_sms,
            portal: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> PetitionIntake {
        PetitionIntake {
            subject: "Thời gian chờ tại quầy".into(),
            content: "Tôi chờ hai giờ.\r\nĐề nghị bố trí thêm quầy.".into(),
            name: " Trần Thị Bình ".into(),
            address: "Thôn 3, xã An Phú".into(),
            email: Some("binh@example.vn".into()),
            ..Default::default()
        }
    }

    #[test]
    fn a_complete_petition_is_taken_with_its_lines() {
        let v = sample().validated(PetitionChannel::Online).unwrap();
        assert_eq!(v.petitioner.name, "Trần Thị Bình");
        assert_eq!(v.content, "Tôi chờ hai giờ.\nĐề nghị bố trí thêm quầy.");
        assert_eq!(v.petition_kind, None);
    }

    #[test]
    fn every_missing_field_is_named_at_once() {
        let e = PetitionIntake::default().validated(PetitionChannel::Online).unwrap_err();
        let fields: Vec<&str> = e.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["subject", "content", "name", "address", "phone"]);
    }

    #[test]
    fn a_letter_needs_only_the_postal_address_but_a_web_petition_needs_a_contact() {
        let letter = PetitionIntake { email: None, ..sample() };
        assert!(letter.validated(PetitionChannel::Letter).is_ok());
        assert_eq!(letter.validated(PetitionChannel::Online).unwrap_err().errors[0].code, "contact_required");
    }

    #[test]
    fn notices_need_their_address_and_bad_contacts_are_refused() {
        let e = PetitionIntake { notify_sms: true, ..sample() }.validated(PetitionChannel::Online).unwrap_err();
        assert_eq!((e.errors[0].field.as_str(), e.errors[0].code.as_str()), ("phone", "required_for_notice"));
        let e = PetitionIntake { email: Some("khong-phai-thu".into()), ..sample() }
            .validated(PetitionChannel::Online)
            .unwrap_err();
        assert_eq!(e.errors[0].code, "invalid_email");
        let e = PetitionIntake { reraise_of: Some("abc".into()), ..sample() }
            .validated(PetitionChannel::Online)
            .unwrap_err();
        assert_eq!(e.errors[0].field, "reraise_of");
    }
}
