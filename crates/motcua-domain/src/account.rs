//! Officials' accounts, roles and grants.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::agency::{AgencyId, AgencyPath};
use crate::validation::FieldError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UserId(pub i64);

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A login name: 3–64 characters, lower-case ASCII letters, digits, `.`, `_`, `-`, starting
/// with a letter or digit. Stored lower-case so `Admin` and `admin` are one account.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Username(String);

impl Username {
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let s = input.trim().to_ascii_lowercase();
        if s.is_empty() {
            return Err(FieldError::required("username"));
        }
        let ok_len = (3..=64).contains(&s.len());
        let ok_chars =
            s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-'));
        let ok_start = s.as_bytes()[0].is_ascii_alphanumeric();
        if !(ok_len && ok_chars && ok_start) {
            return Err(FieldError::new(
                "username",
                "invalid_format",
                "Tên đăng nhập gồm 3–64 ký tự: chữ thường không dấu, chữ số, dấu chấm, gạch dưới, gạch ngang; bắt đầu bằng chữ hoặc số.",
            ));
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The roles of the one-stop mechanism. Each grant gives one role over one agency subtree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    DeskOfficer,
    Specialist,
    Leader,
    Clerk,
    ControlOfficer,
    Viewer,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::Admin,
        Role::DeskOfficer,
        Role::Specialist,
        Role::Leader,
        Role::Clerk,
        Role::ControlOfficer,
        Role::Viewer,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::DeskOfficer => "desk_officer",
            Role::Specialist => "specialist",
            Role::Leader => "leader",
            Role::Clerk => "clerk",
            Role::ControlOfficer => "control_officer",
            Role::Viewer => "viewer",
        }
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Role::Admin => "Quản trị hệ thống",
            Role::DeskOfficer => "Cán bộ một cửa",
            Role::Specialist => "Chuyên viên",
            Role::Leader => "Lãnh đạo",
            Role::Clerk => "Văn thư",
            Role::ControlOfficer => "Cán bộ đầu mối KSTTHC",
            Role::Viewer => "Người xem",
        }
    }

    pub fn parse(field: &str, s: &str) -> Result<Self, FieldError> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == s.trim())
            .ok_or_else(|| FieldError::new(field, "invalid_choice", format!("Vai trò không hợp lệ: {}.", s.trim())))
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One role over one agency and everything below it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Grant {
    pub role: Role,
    pub agency_id: AgencyId,
    pub agency_path: AgencyPath,
    /// The grant's agency is a unit inside its parent agency (see
    /// [`AgencyLevel::is_unit_within`](crate::agency::AgencyLevel::is_unit_within)), so its
    /// staff also work on the dossiers that parent agency holds.
    pub unit_of_parent: bool,
}

/// The authenticated official on whose behalf a request runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Principal {
    pub user_id: UserId,
    pub username: Username,
    pub full_name: String,
    /// The unit the official belongs to (recorded in the audit log).
    pub agency_id: AgencyId,
    pub grants: Vec<Grant>,
}

impl Principal {
    pub fn roles(&self) -> Vec<Role> {
        let mut roles: Vec<Role> = self.grants.iter().map(|g| g.role).collect();
        roles.sort();
        roles.dedup();
        roles
    }

    pub fn has_role(&self, role: Role) -> bool {
        self.grants.iter().any(|g| g.role == role)
    }
}

/// Minimum length of a password an official chooses.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// Upper bound so hashing cost cannot be abused with megabyte passwords.
pub const MAX_PASSWORD_CHARS: usize = 256;

/// Rules for a new password: long enough, not absurdly long, not the login name.
pub fn check_new_password(field: &str, password: &str, username: &Username) -> Result<(), FieldError> {
    let n = password.chars().count();
    if n < MIN_PASSWORD_CHARS {
        return Err(FieldError::new(
            field,
            "too_short",
            format!("Mật khẩu phải có ít nhất {MIN_PASSWORD_CHARS} ký tự."),
        ));
    }
    if n > MAX_PASSWORD_CHARS {
        return Err(FieldError::new(field, "too_long", format!("Mật khẩu dài tối đa {MAX_PASSWORD_CHARS} ký tự.")));
    }
    if password.to_lowercase().contains(username.as_str()) {
        return Err(FieldError::new(field, "contains_username", "Mật khẩu không được chứa tên đăng nhập."));
    }
    if password.chars().all(|c| password.starts_with(c)) {
        return Err(FieldError::new(field, "too_weak", "Mật khẩu quá đơn giản."));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_normalised_and_checked() {
        assert_eq!(Username::parse(" Anphu.MotCua ").unwrap().as_str(), "anphu.motcua");
        assert_eq!(Username::parse("").unwrap_err().code, "required");
        for bad in ["ab", ".admin", "cán.bộ", "a b c", "x;drop"] {
            assert_eq!(Username::parse(bad).unwrap_err().code, "invalid_format", "{bad}");
        }
        assert!(Username::parse(&"a".repeat(64)).is_ok());
        assert!(Username::parse(&"a".repeat(65)).is_err());
    }

    #[test]
    fn roles_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse("role", r.as_str()).unwrap(), r);
            assert!(!r.label_vi().is_empty());
        }
        assert_eq!(Role::parse("role", "root").unwrap_err().code, "invalid_choice");
    }

    #[test]
    fn password_rules() {
        let u = Username::parse("anphu.motcua").unwrap();
        assert!(check_new_password("p", "Hoa-sen-2026!", &u).is_ok());
        assert_eq!(check_new_password("p", "short", &u).unwrap_err().code, "too_short");
        assert_eq!(check_new_password("p", "xxAnPhu.MotCua99", &u).unwrap_err().code, "contains_username");
        assert_eq!(check_new_password("p", "aaaaaaaaaaaa", &u).unwrap_err().code, "too_weak");
        assert_eq!(check_new_password("p", &"ab".repeat(200), &u).unwrap_err().code, "too_long");
        // Length is counted in characters: ten Vietnamese letters are enough.
        assert!(check_new_password("p", "ĐăngKýKhaS", &u).is_ok());
    }
}
