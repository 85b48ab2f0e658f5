//! Use cases of motcua.
//!
//! Each service takes the [`ports::Store`] and [`clock::Clock`] it needs, checks authorization
//! through the domain policy, validates input, and commits the change together with its audit
//! entry and any jobs it causes in one store transaction. HTTP, SQL and the CLI live outside.

pub mod accounts;
pub mod agencies;
pub mod audit;
pub mod bootstrap;
pub mod calendar;
pub mod catalog;
pub mod clock;
pub mod context;
pub mod demo;
pub mod dossiers;
pub mod error;
pub mod integrity;
pub mod jobs;
pub mod notifications;
pub mod password;
pub mod ports;
mod reference;
pub mod secret;
pub mod services;
pub mod upload;
pub mod workflows;

pub use error::{AppError, StoreError};
pub use services::Services;
