//! Statistics and reports: report periods, the counting facts of a dossier, the rollup
//! counters kept with every event, the measures that report cells are made of, and the
//! statutory forms built from them. Pure: the store keeps the counters, the app sums them.

pub mod facts;
pub mod form06;
pub mod full_online;
pub mod index766;
pub mod measure;
pub mod period;
pub mod productivity;
pub mod rollup;
pub mod target;

pub use facts::{DossierFacts, Outcome};
pub use measure::Measure;
pub use period::{Basis, DayRange, ReportPeriod};
pub use rollup::{BucketKey, Counters, Grain, RollupDelta};
