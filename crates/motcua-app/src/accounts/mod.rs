//! Officials' accounts: sign-in and sessions ([`authentication`]), API tokens ([`tokens`]),
//! and account administration ([`users`]).

mod authentication;
mod tokens;
mod users;

use std::sync::Arc;

use crate::core::Core;
use crate::password::PasswordHasher;

pub use authentication::{AuthSession, LoginOutcome};
pub use tokens::API_TOKEN_PREFIX;
pub use users::{GrantInput, UserDetail, UserInput};

/// Sign-in, sessions and API tokens, and the officials' accounts and grants.
#[derive(Clone)]
pub struct Accounts {
    core: Arc<Core>,
    hasher: PasswordHasher,
}

impl Accounts {
    pub(crate) fn new(core: Arc<Core>) -> anyhow::Result<Self> {
        let hasher = PasswordHasher::new(core.settings.auth.argon2)?;
        Ok(Self { core, hasher })
    }

    pub fn hasher(&self) -> &PasswordHasher {
        &self.hasher
    }
}
