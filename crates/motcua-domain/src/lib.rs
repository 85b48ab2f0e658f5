//! Pure domain logic of motcua.
//!
//! Nothing in this crate performs IO, reads the clock or knows about HTTP or SQL: callers pass
//! `now` and data in, and get decisions and values out. That keeps the rules that matter most
//! (who may see what, how the audit chain is computed, when an account is locked) testable in
//! isolation and identical across the web server, the worker and the CLI.

pub mod account;
pub mod agency;
pub mod audit;
pub mod calendar;
pub mod catalog;
pub mod citizen_notice;
pub mod dossier;
pub mod integrity;
pub mod job;
pub mod lockout;
pub mod national_portal;
pub mod notification;
pub mod petition;
pub mod policy;
pub mod rating;
pub mod report;
pub mod time;
pub mod validation;
