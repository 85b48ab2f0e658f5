//! The reminder scan (nhắc việc): a periodic job that reads open dossiers by their due
//! instants, asks the domain rules which notices each is owed, and notifies the right people.
//! Each dossier's notifications and their mail jobs commit together; a notice already given for
//! the same occasion is skipped by the store, so scans may overlap or repeat freely.

use std::collections::HashMap;

use async_trait::async_trait;
use jiff::Timestamp;
use motcua_domain::account::{Role, UserId};
use motcua_domain::agency::{Agency, AgencyId};
use motcua_domain::calendar::{Counting, ProcessingTime, TimeUnit, WorkingCalendar};
use motcua_domain::dossier::status::Status;
use motcua_domain::notification::{NotificationKind, Reminder, ReminderFacts, ReminderWindows, reminders_due};
use motcua_domain::time::format_datetime;
use serde::Serialize;

use super::Notifications;
use super::templates::{NotificationTemplate, TemplateContext, render};
use crate::error::AppError;
use crate::jobs::JobHandler;
use crate::ports::{ClaimedJob, DossierRow, NewNotification, Recipient};
use crate::snapshot::Snapshot;

/// At most this many people get one notice (a unit with many desk officers, say).
const MAX_RECIPIENTS: usize = 20;
const PAGE: i64 = 200;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ScanSummary {
    pub dossiers: usize,
    pub notifications: usize,
    pub mails: usize,
}

/// Who is notified, by role preference: the first role that has holders near the dossier's
/// agency is the one notified (specialists before leaders for an unassigned processing step).
fn roles_for(kind: NotificationKind, permission: Option<&str>) -> &'static [Role] {
    match kind {
        NotificationKind::StepOverdue => &[Role::Leader],
        NotificationKind::AppointmentNear => &[Role::DeskOfficer],
        NotificationKind::PetitionOverdue => &[Role::Leader],
        NotificationKind::PetitionDueSoon => &[Role::DeskOfficer, Role::ControlOfficer],
        NotificationKind::StepDueSoon => match permission {
            Some("receive_dossiers") => &[Role::DeskOfficer],
            Some("process_dossiers") => &[Role::Specialist, Role::Leader],
            Some("decide_dossiers") => &[Role::Leader],
            Some("issue_results") => &[Role::Clerk, Role::Leader],
            _ => &[],
        },
    }
}

/// One scan's lookups, kept for its duration.
#[derive(Default)]
struct ScanCache {
    agencies: HashMap<AgencyId, Option<Agency>>,
    holders: HashMap<(AgencyId, Role), Vec<Recipient>>,
    users: HashMap<UserId, Option<Recipient>>,
    windows: HashMap<AgencyId, ReminderWindows>,
}

impl Notifications {
    async fn cached_agency(&self, cache: &mut ScanCache, id: AgencyId) -> Result<Option<Agency>, AppError> {
        if let Some(a) = cache.agencies.get(&id) {
            return Ok(a.clone());
        }
        let a = self.core.store.agency(id).await?;
        cache.agencies.insert(id, a.clone());
        Ok(a)
    }

    /// Holders of `role` nearest to `agency`: on the agency itself or one of the units inside it
    /// (the same reach as `policy::authorize_dossier`), else on its parent, and so on up. A
    /// dossier at a commune's unit is for that commune's people, not for every official of the
    /// province; a dossier the province holds is never announced to a department's staff.
    async fn nearest_holders(
        &self,
        cache: &mut ScanCache,
        agency_id: AgencyId,
        role: Role,
    ) -> Result<Vec<Recipient>, AppError> {
        if let Some(h) = cache.holders.get(&(agency_id, role)) {
            return Ok(h.clone());
        }
        let mut found = Vec::new();
        if let Some(agency) = self.cached_agency(cache, agency_id).await? {
            let mut level: Vec<AgencyId> = vec![agency.id];
            let below = self.core.store.agencies_within(std::slice::from_ref(&agency.path), false).await?;
            level.extend(
                below
                    .iter()
                    .filter(|u| u.parent_id == Some(agency.id) && u.level.is_unit_within(agency.level))
                    .map(|u| u.id),
            );
            let mut ancestors = agency.path.ids();
            ancestors.pop();
            loop {
                found = self.core.store.role_holders(&level, role).await?;
                if !found.is_empty() {
                    break;
                }
                match ancestors.pop() {
                    Some(parent) => level = vec![parent],
                    None => break,
                }
            }
        }
        found.truncate(MAX_RECIPIENTS);
        cache.holders.insert((agency_id, role), found.clone());
        Ok(found)
    }

    async fn cached_user(&self, cache: &mut ScanCache, id: UserId) -> Result<Option<Recipient>, AppError> {
        if let Some(u) = cache.users.get(&id) {
            return Ok(u.clone());
        }
        let u = self.core.store.user(id).await?.filter(|u| u.active).map(|u| Recipient {
            user_id: u.id,
            full_name: u.full_name,
            email: u.email,
        });
        cache.users.insert(id, u.clone());
        Ok(u)
    }

    async fn recipients(
        &self,
        cache: &mut ScanCache,
        row: &DossierRow,
        reminder: &Reminder,
    ) -> Result<Vec<Recipient>, AppError> {
        let assignee = match row.assignee_id {
            Some(id) => self.cached_user(cache, id).await?,
            None => None,
        };
        let mut out: Vec<Recipient> = Vec::new();
        let agency = match reminder.kind {
            NotificationKind::AppointmentNear => row.receiving_agency_id,
            _ => row.current_agency_id,
        };
        match (reminder.kind, assignee) {
            // An assigned step is the assignee's to finish; nobody else is chased for it.
            (NotificationKind::StepDueSoon, Some(a)) => out.push(a),
            (kind, assignee) => {
                for role in roles_for(kind, row.current_permission.as_deref()) {
                    out = self.nearest_holders(cache, agency, *role).await?;
                    if !out.is_empty() {
                        break;
                    }
                }
                // The overdue notice reaches the assignee as well as the leaders.
                if kind == NotificationKind::StepOverdue
                    && let Some(a) = assignee
                    && !out.iter().any(|h| h.user_id == a.user_id)
                {
                    out.push(a);
                }
            }
        }
        Ok(out)
    }

    /// The reminder windows at `now` on a calendar; `slack_days` widens both by whole working
    /// days (for the candidate query, which must include every agency's window).
    fn reminder_windows(
        &self,
        cal: &WorkingCalendar,
        now: Timestamp,
        slack_days: u32,
    ) -> Result<ReminderWindows, AppError> {
        let err = crate::calendar::deadline_error;
        let day_hours = u32::from(motcua_domain::calendar::office_hours::DAY_MINUTES / 60);
        let lead = self.core.settings.notifications.step_lead_working_hours.max(1) + day_hours * slack_days;
        let lead = ProcessingTime::new(lead, TimeUnit::WorkingHours, None).map_err(err)?;
        let day = ProcessingTime::new(1 + slack_days, TimeUnit::WorkingDays, None).map_err(err)?;
        Ok(ReminderWindows {
            now,
            step_due_before: cal.due(now, &lead, Counting::WorkingTime).map_err(err)?,
            appointment_before: cal.due(now, &day, Counting::WorkingTime).map_err(err)?,
        })
    }

    /// The windows of an agency, on its own office hours.
    async fn agency_windows(
        &self,
        cache: &mut ScanCache,
        reference: &Snapshot,
        agency: AgencyId,
        now: Timestamp,
    ) -> Result<ReminderWindows, AppError> {
        if let Some(w) = cache.windows.get(&agency) {
            return Ok(*w);
        }
        let w = self.reminder_windows(&reference.calendar_of(agency).await?, now, 0)?;
        cache.windows.insert(agency, w);
        Ok(w)
    }

    /// Runs one scan at the clock's current time.
    pub async fn scan_reminders(&self) -> Result<ScanSummary, AppError> {
        let now = self.core.now();
        let reference = self.core.snapshot().await?;
        // Agencies keep different office hours but the same working days, so one working day
        // more than the default windows covers every agency's; each row is then judged on its
        // own agency's windows.
        let wide = self.reminder_windows(&reference.default_calendar().await?, now, 1)?;
        let templates = self.templates_in_force().await?;
        let mut cache = ScanCache::default();
        let mut summary = ScanSummary::default();
        let mut after = 0;
        loop {
            let rows =
                self.core.store.reminder_candidates(wide.step_due_before, wide.appointment_before, after, PAGE).await?;
            let Some(last) = rows.last() else { break };
            after = last.id;
            // An overdue dossier stays a candidate at every scan until it moves on: skip the
            // occasions already notified without resolving anyone or opening a transaction.
            let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
            let done: std::collections::HashSet<String> =
                self.core.store.notified_occasions(&ids).await?.into_iter().collect();
            for row in &rows {
                let Some(status) = Status::from_national_code(row.status) else { continue };
                let facts = ReminderFacts {
                    dossier_id: row.id,
                    status,
                    paused: row.paused,
                    step_name: row.step_name.clone(),
                    step_due_at: row.step_due_at,
                    appointment_at: row.appointment_at,
                };
                // The step is timed on the hours of the agency doing it, the appointment on
                // the receiving agency's, as when they were computed.
                let step = self.agency_windows(&mut cache, &reference, row.current_agency_id, now).await?;
                let desk = self.agency_windows(&mut cache, &reference, row.receiving_agency_id, now).await?;
                let windows = ReminderWindows { appointment_before: desk.appointment_before, ..step };
                let mut owed = reminders_due(&facts, &windows);
                owed.retain(|r| !done.contains(&r.occasion));
                if owed.is_empty() {
                    continue;
                }
                summary.dossiers += 1;
                let (n, m) = self.notify_dossier(&mut cache, &templates, row, &owed, now).await?;
                summary.notifications += n;
                summary.mails += m;
            }
            if (rows.len() as i64) < PAGE {
                break;
            }
        }
        self.scan_petitions(&mut cache, &templates, &reference, wide.appointment_before, now, &mut summary).await?;
        if summary.notifications > 0 {
            tracing::info!(dossiers = summary.dossiers, notifications = summary.notifications, "reminders sent");
        }
        Ok(summary)
    }

    /// Open petitions whose next deadline is within a working day (their assignee, else the
    /// desk) or past (the leaders and the assignee); once per deadline.
    async fn scan_petitions(
        &self,
        cache: &mut ScanCache,
        templates: &[NotificationTemplate],
        reference: &Snapshot,
        due_before: Timestamp,
        now: Timestamp,
        summary: &mut ScanSummary,
    ) -> Result<(), AppError> {
        use motcua_domain::petition::Stage;
        let mut offset = 0;
        loop {
            let q = crate::ports::PetitionQuery {
                stages: vec![Stage::Received, Stage::Processing, Stage::AwaitingApproval, Stage::ReadyToPublish],
                due_before: Some(due_before),
                limit: PAGE,
                offset,
                ..Default::default()
            };
            let rows = self.core.store.petitions(&q).await?;
            for row in &rows {
                let w = self.agency_windows(cache, reference, row.agency_id, now).await?;
                let Some(reminder) =
                    motcua_domain::notification::petition_reminder(row.id, row.due_at, now, w.appointment_before)
                else {
                    continue;
                };
                let Some(template) = templates.iter().find(|t| t.kind == reminder.kind) else { continue };
                let assignee = match row.assignee_id {
                    Some(id) => self.cached_user(cache, id).await?,
                    None => None,
                };
                let mut people = match (reminder.kind, &assignee) {
                    (NotificationKind::PetitionDueSoon, Some(a)) => vec![a.clone()],
                    (kind, _) => {
                        let mut found = Vec::new();
                        for role in roles_for(kind, None) {
                            found = self.nearest_holders(cache, row.agency_id, *role).await?;
                            if !found.is_empty() {
                                break;
                            }
                        }
                        found
                    }
                };
                if let Some(a) = assignee
                    && !people.iter().any(|p| p.user_id == a.user_id)
                {
                    people.push(a);
                }
                let path = format!("/phan-anh-kien-nghi/{}", row.code);
                let link = match &self.core.settings.notifications.public_url {
                    Some(base) => format!("{}{path}", base.trim_end_matches('/')),
                    None => path.clone(),
                };
                let agency = self.cached_agency(cache, row.agency_id).await?.map(|a| a.name).unwrap_or_default();
                let assignee_name = match row.assignee_id {
                    Some(id) => self.cached_user(cache, id).await?.map(|u| u.full_name).unwrap_or_default(),
                    None => String::new(),
                };
                let mail_on = self.mail_enabled();
                let mut tx = self.core.store.begin().await?;
                let mut created = 0;
                for person in people {
                    let ctx = TemplateContext {
                        recipient: person.full_name.clone(),
                        code: row.code.clone(),
                        procedure: row.subject.clone(),
                        procedure_code: String::new(),
                        step: row.stage.label().to_owned(),
                        agency: agency.clone(),
                        assignee: assignee_name.clone(),
                        due: row.due_at.map(format_datetime).unwrap_or_default(),
                        appointment: String::new(),
                        link: link.clone(),
                    };
                    let rendered = render(&template.subject, &template.body, &ctx).or_else(|_| {
                        let (s, b) = super::templates::default_template(reminder.kind);
                        render(s, &b, &ctx)
                    })?;
                    let n = NewNotification {
                        user_id: person.user_id,
                        kind: reminder.kind.as_str().to_owned(),
                        dossier_id: None,
                        subject: rendered.subject,
                        body: rendered.body,
                        link: path.clone(),
                        dedup_key: reminder.occasion.clone(),
                        created_at: now,
                    };
                    let Some(id) = tx.insert_notification(&n).await? else { continue };
                    created += 1;
                    if mail_on && self.can_mail(person.email.as_deref()) {
                        super::mail::enqueue_mail(&mut *tx, id, now).await?;
                        summary.mails += 1;
                    }
                }
                tx.commit().await?;
                summary.notifications += created;
            }
            if (rows.len() as i64) < PAGE {
                return Ok(());
            }
            offset += PAGE;
        }
    }

    async fn notify_dossier(
        &self,
        cache: &mut ScanCache,
        templates: &[NotificationTemplate],
        row: &DossierRow,
        owed: &[Reminder],
        now: Timestamp,
    ) -> Result<(usize, usize), AppError> {
        let code = row.code.clone().unwrap_or_else(|| format!("#{}", row.id));
        let path = format!("/ho-so/{code}");
        let link = match &self.core.settings.notifications.public_url {
            Some(base) => format!("{}{path}", base.trim_end_matches('/')),
            None => path.clone(),
        };
        let agency_name = self.cached_agency(cache, row.current_agency_id).await?.map(|a| a.name).unwrap_or_default();
        let assignee_name = match row.assignee_id {
            Some(id) => self.cached_user(cache, id).await?.map(|u| u.full_name).unwrap_or_default(),
            None => String::new(),
        };
        let mut planned = Vec::new();
        for reminder in owed {
            let Some(template) = templates.iter().find(|t| t.kind == reminder.kind) else { continue };
            for person in self.recipients(cache, row, reminder).await? {
                let ctx = TemplateContext {
                    recipient: person.full_name.clone(),
                    code: code.clone(),
                    procedure: row.procedure_name.clone(),
                    procedure_code: row.procedure_code.clone(),
                    step: row.step_name.clone().unwrap_or_default(),
                    agency: agency_name.clone(),
                    assignee: assignee_name.clone(),
                    due: row.step_due_at.map(format_datetime).unwrap_or_default(),
                    appointment: row.appointment_at.map(format_datetime).unwrap_or_default(),
                    link: link.clone(),
                };
                // A stored template was checked when saved; should it still fail (a variable
                // removed in an upgrade), the built-in wording goes out rather than nothing.
                let rendered = render(&template.subject, &template.body, &ctx).or_else(|e| {
                    tracing::warn!(kind = reminder.kind.as_str(), error = %e, "notification template failed; using the built-in one");
                    let (s, b) = super::templates::default_template(reminder.kind);
                    render(s, &b, &ctx)
                })?;
                let mailable = self.can_mail(person.email.as_deref());
                planned.push((
                    NewNotification {
                        user_id: person.user_id,
                        kind: reminder.kind.as_str().to_owned(),
                        dossier_id: Some(row.id),
                        subject: rendered.subject,
                        body: rendered.body,
                        link: path.clone(),
                        dedup_key: reminder.occasion.clone(),
                        created_at: now,
                    },
                    mailable,
                ));
            }
        }
        if planned.is_empty() {
            return Ok((0, 0));
        }
        let mail_on = self.mail_enabled();
        let mut tx = self.core.store.begin().await?;
        let (mut created, mut mails) = (0, 0);
        for (n, mailable) in &planned {
            let Some(id) = tx.insert_notification(n).await? else { continue };
            created += 1;
            if mail_on && *mailable {
                super::mail::enqueue_mail(&mut *tx, id, now).await?;
                mails += 1;
            }
        }
        tx.commit().await?;
        Ok((created, mails))
    }
}

/// The periodic scan, queued by the worker at every `notifications.scan_interval`.
pub struct ReminderScanJob {
    notifications: super::Notifications,
}

impl ReminderScanJob {
    pub(crate) fn new(notifications: super::Notifications) -> Self {
        Self { notifications }
    }

    pub const KIND: &'static str = "dossier.reminders";
}

#[async_trait]
impl JobHandler for ReminderScanJob {
    fn kind(&self) -> &'static str {
        Self::KIND
    }

    fn every(&self) -> Option<jiff::SignedDuration> {
        Some(self.notifications.core.settings.notifications.scan_interval)
    }

    async fn run(&self, _job: &ClaimedJob) -> anyhow::Result<()> {
        self.notifications.scan_reminders().await.map_err(|e| anyhow::anyhow!("{e}"))?;
        Ok(())
    }
}
