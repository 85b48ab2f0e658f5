//! Petitions forwarded by the national portal's PAKN system (`legal.md` §6: citizens submit
//! there, the VPCP forwards them to provinces). Their clocks count from the latest forward,
//! not from when they reach this system, as the portal measures them (766 indicator 5.2).
//!
//! No public document describes how the portal hands a petition to a provincial system, so the
//! fields are this system's own; a province's adapter maps the portal's message onto them.

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::validation::{FieldError, ValidationErrors, required_text};

/// The most a forward time may run ahead of this server's clock (the two clocks differ a little).
const CLOCK_SKEW: SignedDuration = SignedDuration::from_mins(5);

/// Where a petition came from on the portal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortalReference {
    /// The portal's own identifier of the petition: a second delivery of it changes nothing.
    pub reference: String,
    /// When the citizen submitted it on the portal.
    pub submitted_at: Timestamp,
    /// When the portal (or another agency through it) forwarded it to this agency: the clocks'
    /// start.
    pub forwarded_at: Timestamp,
}

impl PortalReference {
    /// Checks the reference and the times against `now` (a forward cannot precede the submission
    /// nor lie in the future).
    pub fn checked(
        reference: &str,
        submitted_at: Timestamp,
        forwarded_at: Timestamp,
        now: Timestamp,
    ) -> Result<PortalReference, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let reference = e.check(required_text("portal_reference", reference, 100));
        if forwarded_at < submitted_at {
            e.push(FieldError::new(
                "forwarded_at",
                "before_submission",
                "Thời điểm chuyển không thể trước thời điểm người dân gửi.",
            ));
        }
        if forwarded_at > now + CLOCK_SKEW {
            e.push(FieldError::new("forwarded_at", "in_future", "Thời điểm chuyển ở tương lai."));
        }
        e.into_result()?;
        Ok(PortalReference { reference: reference.expect("checked"), submitted_at, forwarded_at })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn a_forward_lies_between_the_submission_and_now() {
        let now = t("2026-04-20T03:00:00Z");
        let ok =
            PortalReference::checked(" PAKN-1 ", t("2026-04-17T01:00:00Z"), t("2026-04-20T02:00:00Z"), now).unwrap();
        assert_eq!(ok.reference, "PAKN-1");
        // A few minutes ahead is the clocks' difference, not the future.
        assert!(PortalReference::checked("x", t("2026-04-17T01:00:00Z"), t("2026-04-20T03:04:00Z"), now).is_ok());
        let early =
            PortalReference::checked("x", t("2026-04-18T01:00:00Z"), t("2026-04-17T01:00:00Z"), now).unwrap_err();
        assert_eq!(early.errors[0].code, "before_submission");
        let future =
            PortalReference::checked("x", t("2026-04-17T01:00:00Z"), t("2026-04-20T04:00:00Z"), now).unwrap_err();
        assert_eq!(future.errors[0].code, "in_future");
        let blank =
            PortalReference::checked("  ", t("2026-04-17T01:00:00Z"), t("2026-04-17T01:00:00Z"), now).unwrap_err();
        assert_eq!(blank.errors[0].field, "portal_reference");
    }
}
