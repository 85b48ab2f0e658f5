//! How a petition reached the agency (`legal.md` §6, §13.4: the national portal's PAKN system,
//! the desk, letters, the hotline, the agency's e-mail; our own public form).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PetitionChannel {
    /// The public form of this system.
    Online,
    /// Forwarded from the national portal's PAKN system.
    NationalPortal,
    /// Told at the one-stop desk.
    Desk,
    Letter,
    Phone,
    Email,
}

impl PetitionChannel {
    pub const ALL: [PetitionChannel; 6] = [
        PetitionChannel::Online,
        PetitionChannel::NationalPortal,
        PetitionChannel::Desk,
        PetitionChannel::Letter,
        PetitionChannel::Phone,
        PetitionChannel::Email,
    ];

    /// The channels an official records by hand.
    pub const RECORDED: [PetitionChannel; 4] =
        [PetitionChannel::Desk, PetitionChannel::Letter, PetitionChannel::Phone, PetitionChannel::Email];

    pub fn as_str(self) -> &'static str {
        match self {
            PetitionChannel::Online => "online",
            PetitionChannel::NationalPortal => "national_portal",
            PetitionChannel::Desk => "desk",
            PetitionChannel::Letter => "letter",
            PetitionChannel::Phone => "phone",
            PetitionChannel::Email => "email",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            PetitionChannel::Online => "Trực tuyến (trang phản ánh, kiến nghị)",
            PetitionChannel::NationalPortal => "Cổng Dịch vụ công quốc gia",
            PetitionChannel::Desk => "Trực tiếp tại Bộ phận Một cửa",
            PetitionChannel::Letter => "Thư, văn bản gửi qua bưu chính",
            PetitionChannel::Phone => "Điện thoại, đường dây nóng",
            PetitionChannel::Email => "Thư điện tử",
        }
    }

    pub fn parse(s: &str) -> Option<PetitionChannel> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_channel_reads_back_from_its_name() {
        for c in PetitionChannel::ALL {
            assert_eq!(PetitionChannel::parse(c.as_str()), Some(c));
        }
        assert_eq!(PetitionChannel::parse("fax"), None);
        assert!(PetitionChannel::RECORDED.iter().all(|c| PetitionChannel::ALL.contains(c)));
    }
}
