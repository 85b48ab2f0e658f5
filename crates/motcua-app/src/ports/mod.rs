//! The store port: what the use cases need from a database, independent of which one.
//!
//! Reads go through [`Store`]; every change goes through a [`StoreTx`] so that the change, its
//! audit entry and the jobs it causes commit or roll back together. Dropping a transaction
//! without [`StoreTx::commit`] rolls it back.

mod account;
mod agency;
mod audit;
mod calendar;
mod catalog;
mod dossier;
mod files;
mod integrity;
mod job;
mod mail;
mod meta;
mod notice;
mod notification;
mod petition;
mod portal;
mod rating;
mod report;
mod workflow;

pub use account::*;
pub use agency::*;
pub use audit::*;
pub use calendar::*;
pub use catalog::*;
pub use dossier::*;
pub use files::*;
pub use integrity::*;
pub use job::*;
pub use mail::*;
pub use meta::*;
pub use notice::*;
pub use notification::*;
pub use petition::*;
pub use portal::*;
pub use rating::*;
pub use report::*;
pub use workflow::*;

use async_trait::async_trait;

use crate::error::StoreError;

pub type StoreResult<T> = Result<T, StoreError>;

#[async_trait]
pub trait Store:
    AgencyReads
    + AccountReads
    + AuditReads
    + CalendarReads
    + CatalogReads
    + DossierReads
    + IntegrityReads
    + JobReads
    + JobQueue
    + MetaReads
    + NoticeReads
    + NotificationReads
    + PetitionReads
    + PortalReads
    + RatingReads
    + ReportReads
    + WorkflowReads
    + Send
    + Sync
    + 'static
{
    /// `sqlite` or `postgres`, for diagnostics.
    fn backend_name(&self) -> &'static str;

    /// Starts a write transaction.
    async fn begin(&self) -> StoreResult<Box<dyn StoreTx>>;

    /// Cheap round trip for readiness checks.
    async fn ping(&self) -> StoreResult<()>;

    /// Migrations known to this build that the database has not applied.
    async fn pending_migrations(&self) -> StoreResult<Vec<i64>>;
}

#[async_trait]
pub trait StoreTx:
    AgencyWrites
    + AccountWrites
    + AuditWrites
    + CalendarWrites
    + CatalogWrites
    + DossierWrites
    + IntegrityWrites
    + JobWrites
    + MetaWrites
    + NoticeWrites
    + NotificationWrites
    + PetitionWrites
    + PortalWrites
    + RatingWrites
    + ReportWrites
    + WorkflowWrites
    + Send
{
    async fn commit(self: Box<Self>) -> StoreResult<()>;
}
