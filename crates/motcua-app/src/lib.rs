//! Use cases of motcua.
//!
//! [`Services`] holds one service per area (accounts, agencies, audit, calendar, catalogue,
//! dossiers, integrity, jobs, notifications, workflows) over one shared core: the store port,
//! the clock, the settings and the reference [`snapshot`]. A use case checks authorization
//! through the domain policy, validates input, and commits the change together with its audit
//! entry and any jobs it causes in one store transaction. HTTP, SQL, SMTP and the CLI live
//! outside.

pub mod accounts;
pub mod agencies;
pub mod audit;
pub mod bootstrap;
pub mod calendar;
pub mod catalog;
pub mod clock;
pub mod context;
mod core;
pub mod demo;
pub mod dossiers;
pub mod error;
pub mod integrity;
pub mod jobs;
pub mod national_portal;
pub mod notices;
pub mod notifications;
pub mod password;
pub mod petitions;
pub mod ports;
pub mod reports;
pub mod secret;
pub mod services;
pub mod settings;
pub mod snapshot;
pub mod upload;
pub mod workflows;

pub use error::{AppError, StoreError};
pub use services::Services;
