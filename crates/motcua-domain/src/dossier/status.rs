//! The canonical dossier status: one-to-one with the national portal's TrangThaiHoSo codes 1–10
//! (`legal.md` §7.3). Agencies may rename labels, never the meaning; every integration maps
//! through [`Status::national_code`] and [`Status::from_national_code`].
//!
//! The status is the business state only. Whether the processing clock is stopped, whether fees
//! are paid and where the result is on its way are kept in their own fields of the dossier.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// 1 Mới đăng ký: submitted, not yet checked by the desk.
    Submitted,
    /// 2 Được tiếp nhận: accepted, code issued, still at the desk.
    Received,
    /// 3 Không được tiếp nhận: refused at intake.
    Refused,
    /// 4 Đang xử lý: with the resolving agency.
    Processing,
    /// 5 Yêu cầu bổ sung giấy tờ: waiting for the applicant's supplement.
    AwaitingSupplement,
    /// 6 Yêu cầu thực hiện nghĩa vụ tài chính: waiting for fees or taxes.
    AwaitingPayment,
    /// 7 Công dân yêu cầu rút hồ sơ: the applicant asked to withdraw or stop.
    WithdrawalRequested,
    /// 8 Dừng xử lý: processing stopped.
    Stopped,
    /// 9 Đã xử lý xong: the result is ready.
    Resolved,
    /// 10 Đã trả kết quả: the result was handed to the applicant.
    Returned,
}

impl Status {
    pub const ALL: [Status; 10] = [
        Status::Submitted,
        Status::Received,
        Status::Refused,
        Status::Processing,
        Status::AwaitingSupplement,
        Status::AwaitingPayment,
        Status::WithdrawalRequested,
        Status::Stopped,
        Status::Resolved,
        Status::Returned,
    ];

    /// The national portal's TrangThaiHoSo code.
    pub fn national_code(self) -> u8 {
        match self {
            Status::Submitted => 1,
            Status::Received => 2,
            Status::Refused => 3,
            Status::Processing => 4,
            Status::AwaitingSupplement => 5,
            Status::AwaitingPayment => 6,
            Status::WithdrawalRequested => 7,
            Status::Stopped => 8,
            Status::Resolved => 9,
            Status::Returned => 10,
        }
    }

    pub fn from_national_code(code: u8) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.national_code() == code)
    }

    /// The national portal's text status (receiving, new, denied…), as its own payloads name
    /// them.
    pub fn national_text(self) -> &'static str {
        match self {
            Status::Submitted => "receiving",
            Status::Received => "new",
            Status::Refused => "denied",
            Status::Processing => "processing",
            Status::AwaitingSupplement => "waiting",
            Status::AwaitingPayment => "paying",
            Status::WithdrawalRequested => "cancelled",
            Status::Stopped => "unresolved",
            Status::Resolved => "releasing",
            Status::Returned => "done",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Submitted => "submitted",
            Status::Received => "received",
            Status::Refused => "refused",
            Status::Processing => "processing",
            Status::AwaitingSupplement => "awaiting_supplement",
            Status::AwaitingPayment => "awaiting_payment",
            Status::WithdrawalRequested => "withdrawal_requested",
            Status::Stopped => "stopped",
            Status::Resolved => "resolved",
            Status::Returned => "returned",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        let s = s.trim();
        Status::ALL
            .into_iter()
            .find(|x| x.as_str() == s)
            .or_else(|| s.parse::<u8>().ok().and_then(Status::from_national_code))
    }

    /// The national label, as citizens and officials know it.
    pub fn label(self) -> &'static str {
        match self {
            Status::Submitted => "Mới đăng ký",
            Status::Received => "Được tiếp nhận",
            Status::Refused => "Không được tiếp nhận",
            Status::Processing => "Đang xử lý",
            Status::AwaitingSupplement => "Yêu cầu bổ sung giấy tờ",
            Status::AwaitingPayment => "Yêu cầu thực hiện nghĩa vụ tài chính",
            Status::WithdrawalRequested => "Công dân yêu cầu rút hồ sơ",
            Status::Stopped => "Dừng xử lý",
            Status::Resolved => "Đã xử lý xong",
            Status::Returned => "Đã trả kết quả",
        }
    }

    /// Nothing more happens to the dossier (its history stays readable).
    pub fn is_final(self) -> bool {
        matches!(self, Status::Refused | Status::Stopped | Status::Returned)
    }

    /// Counted as "đang giải quyết" (pending) in reports: received and not yet resolved.
    pub fn is_pending(self) -> bool {
        matches!(
            self,
            Status::Received
                | Status::Processing
                | Status::AwaitingSupplement
                | Status::AwaitingPayment
                | Status::WithdrawalRequested
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_one_to_one_onto_the_national_codes() {
        let codes: Vec<u8> = Status::ALL.iter().map(|s| s.national_code()).collect();
        assert_eq!(codes, (1..=10).collect::<Vec<u8>>());
        for s in Status::ALL {
            assert_eq!(Status::from_national_code(s.national_code()), Some(s));
            assert_eq!(Status::parse(s.as_str()), Some(s));
            assert_eq!(Status::parse(&s.national_code().to_string()), Some(s));
        }
        assert_eq!(Status::from_national_code(0), None);
        assert_eq!(Status::from_national_code(11), None);
    }

    #[test]
    fn labels_and_text_codes_follow_the_reference() {
        assert_eq!(Status::from_national_code(5).unwrap().label(), "Yêu cầu bổ sung giấy tờ");
        assert_eq!(Status::from_national_code(10).unwrap().label(), "Đã trả kết quả");
        let texts: Vec<&str> = Status::ALL.iter().map(|s| s.national_text()).collect();
        assert_eq!(
            texts,
            [
                "receiving",
                "new",
                "denied",
                "processing",
                "waiting",
                "paying",
                "cancelled",
                "unresolved",
                "releasing",
                "done"
            ]
        );
    }
}
