//! Adapters to the world outside the database: each implements a port of `motcua-app`, so the
//! use cases never hold a network client of their own.

pub mod national_portal;
pub mod smtp;
pub mod webhook;
