//! The procedure catalogue (cơ sở dữ liệu thủ tục hành chính): codes, the content of a
//! version, the version lifecycle, differences between versions and the search.

pub mod code;
pub mod content;
pub mod diff;
pub mod fold;
pub mod search;
pub mod version;

pub use code::{FieldCode, ProcedureCode};
pub use content::{
    ApplicantType, Channel, ChannelTime, Fee, FeeKind, FieldRef, FileRef, FormTemplate, LegalBasis, Level, OnlineLevel,
    ProcedureCase, ProcedureContent, RequiredDocument, ResultDocument, Submission, TimeLimit,
};
pub use search::{SearchDoc, SearchFilter, SearchIndex, SearchPage};
pub use version::{ChangeKind, LifecycleError, Publication, Standing, VersionFacts, VersionState, standing};
