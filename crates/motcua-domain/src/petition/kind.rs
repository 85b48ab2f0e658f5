//! The two kinds Decision 766 counts apart (indicator 5.1, `legal.md` §4, §6).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PetitionKind {
    /// About a regulation, a policy or an administrative procedure.
    Rules,
    /// About the conduct of officials handling procedures.
    Conduct,
}

impl PetitionKind {
    pub const ALL: [PetitionKind; 2] = [PetitionKind::Rules, PetitionKind::Conduct];

    pub fn as_str(self) -> &'static str {
        match self {
            PetitionKind::Rules => "rules",
            PetitionKind::Conduct => "conduct",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            PetitionKind::Rules => "Về quy định hành chính, thủ tục hành chính",
            PetitionKind::Conduct => "Về hành vi, cách ứng xử của cán bộ, công chức",
        }
    }

    pub fn parse(s: &str) -> Option<PetitionKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}
