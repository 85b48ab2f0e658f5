//! The officials' lists of petitions: by stage, near their deadline, overdue, their own.

use motcua_domain::account::Principal;
use motcua_domain::catalog::fold::fold;
use motcua_domain::petition::Stage;
use motcua_domain::policy::{Permission, scopes, unit_parents};

use super::Petitions;
use crate::error::AppError;
use crate::ports::{PetitionQuery, PetitionRow, Reach};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PetitionQueue {
    /// Not yet resolved.
    #[default]
    Open,
    Received,
    AwaitingInfo,
    Processing,
    Approval,
    ToPublish,
    /// Due within the configured working days, not yet overdue.
    NearDue,
    Overdue,
    /// Given to this official.
    Mine,
    Done,
    All,
}

impl PetitionQueue {
    pub const ALL: [PetitionQueue; 11] = [
        PetitionQueue::Open,
        PetitionQueue::Mine,
        PetitionQueue::NearDue,
        PetitionQueue::Overdue,
        PetitionQueue::Received,
        PetitionQueue::AwaitingInfo,
        PetitionQueue::Processing,
        PetitionQueue::Approval,
        PetitionQueue::ToPublish,
        PetitionQueue::Done,
        PetitionQueue::All,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PetitionQueue::Open => "open",
            PetitionQueue::Received => "received",
            PetitionQueue::AwaitingInfo => "awaiting_info",
            PetitionQueue::Processing => "processing",
            PetitionQueue::Approval => "approval",
            PetitionQueue::ToPublish => "to_publish",
            PetitionQueue::NearDue => "near_due",
            PetitionQueue::Overdue => "overdue",
            PetitionQueue::Mine => "mine",
            PetitionQueue::Done => "done",
            PetitionQueue::All => "all",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            PetitionQueue::Open => "Đang xử lý",
            PetitionQueue::Received => "Mới tiếp nhận",
            PetitionQueue::AwaitingInfo => "Chờ bổ sung thông tin",
            PetitionQueue::Processing => "Đang soạn trả lời",
            PetitionQueue::Approval => "Chờ duyệt",
            PetitionQueue::ToPublish => "Chờ công khai",
            PetitionQueue::NearDue => "Sắp đến hạn",
            PetitionQueue::Overdue => "Quá hạn",
            PetitionQueue::Mine => "Được giao cho tôi",
            PetitionQueue::Done => "Đã xong",
            PetitionQueue::All => "Tất cả",
        }
    }

    pub fn parse(s: &str) -> Option<PetitionQueue> {
        Self::ALL.into_iter().find(|q| q.as_str() == s)
    }
}

/// A list request.
#[derive(Debug, Clone, Default)]
pub struct PetitionFilter {
    pub queue: PetitionQueue,
    pub text: Option<String>,
    pub page: i64,
}

/// One page of a list.
#[derive(Debug, Clone)]
pub struct PetitionPage {
    pub rows: Vec<PetitionRow>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

/// Rows per page.
const PER_PAGE: i64 = 50;

impl Petitions {
    /// The agencies whose petitions the official may see.
    pub(crate) fn reach(principal: &Principal) -> Result<Reach, AppError> {
        let reach = Reach {
            subtrees: scopes(principal, Permission::ViewPetitions),
            agencies: unit_parents(principal, Permission::ViewPetitions),
        };
        if reach.is_empty() {
            return Err(AppError::Forbidden(motcua_domain::policy::Denied::MissingPermission));
        }
        Ok(reach)
    }

    async fn query(&self, principal: &Principal, queue: PetitionQueue) -> Result<PetitionQuery, AppError> {
        let now = self.core.now();
        let mut q = PetitionQuery { reach: Some(Self::reach(principal)?), limit: PER_PAGE, ..PetitionQuery::default() };
        let open = vec![
            Stage::Received,
            Stage::AwaitingInfo,
            Stage::Processing,
            Stage::AwaitingApproval,
            Stage::ReadyToPublish,
        ];
        match queue {
            PetitionQueue::Open => q.stages = open,
            PetitionQueue::Received => q.stages = vec![Stage::Received],
            PetitionQueue::AwaitingInfo => q.stages = vec![Stage::AwaitingInfo],
            PetitionQueue::Processing => q.stages = vec![Stage::Processing],
            PetitionQueue::Approval => q.stages = vec![Stage::AwaitingApproval],
            PetitionQueue::ToPublish => q.stages = vec![Stage::ReadyToPublish],
            PetitionQueue::NearDue => {
                q.stages = open;
                q.due_after = Some(now);
                q.due_before = Some(self.core.near_due_until(principal.agency_id, now).await?);
            }
            PetitionQueue::Overdue => {
                q.stages = open;
                q.due_before = Some(now);
            }
            PetitionQueue::Mine => {
                q.stages = vec![Stage::Processing];
                q.assignee = Some(principal.user_id);
            }
            PetitionQueue::Done => q.stages = vec![Stage::Published, Stage::Refused],
            PetitionQueue::All => {}
        }
        Ok(q)
    }

    /// A page of a queue, newest first; words search codes and subjects.
    pub async fn list(&self, principal: &Principal, f: &PetitionFilter) -> Result<PetitionPage, AppError> {
        let mut q = self.query(principal, f.queue).await?;
        q.words =
            f.text.as_deref().map(|t| fold(t).split_whitespace().map(str::to_owned).collect()).unwrap_or_default();
        let page = f.page.clamp(1, super::public::MAX_PAGE);
        q.offset = (page - 1) * PER_PAGE;
        let total = self.core.store.count_petitions(&q).await?;
        let rows = self.core.store.petitions(&q).await?;
        Ok(PetitionPage { rows, total, page, per_page: PER_PAGE })
    }

    /// How many petitions each queue holds for the official.
    pub async fn counts(&self, principal: &Principal) -> Result<Vec<(PetitionQueue, i64)>, AppError> {
        let mut out = Vec::new();
        for queue in PetitionQueue::ALL {
            let q = self.query(principal, queue).await?;
            out.push((queue, self.core.store.count_petitions(&q).await?));
        }
        Ok(out)
    }
}
