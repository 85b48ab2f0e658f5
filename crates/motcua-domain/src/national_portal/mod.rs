//! The national public service portal (Cổng DVC quốc gia, `legal.md` §7, §13): what it is told
//! about a dossier and how its answers read. Pure: the transports and the outbox that delivers
//! these payloads sit in the app and the integrations.

pub mod answer;
pub mod inbound;
pub mod payload;
pub mod reconcile;

pub use answer::PortalAnswer;
pub use inbound::{InboundDossier, InboundFile, read_portal_time, reception_due};
pub use payload::{PortalContext, PortalDossier, PortalStep, STEP_CHUNK, concerns, is_step, portal_time, steps};
