//! Synthetic histories: realistic dossiers written through the same decide, seal and fold as
//! real ones, for the demo (a year that ends at the moment the server starts) and for the
//! scale benchmarks (`motcua bench gen`).
//!
//! Every agency that receives procedures gets dossiers spread over the period: desk and postal
//! ones in office hours on working days, online ones at any hour. Each dossier has a fate drawn
//! up front (resolved early, on its due day or late; withdrawn; stopped; refused at intake), a
//! supplement round trip now and then, and an apology with a new appointment for some of the
//! late ones; its steps are spread between reception and resolution. Events that would fall
//! after the end are not written, so the history ends with dossiers pending, some near their
//! due instant and some overdue, as on any real day.
//!
//! Written in batches straight to the store (one transaction per batch), so a history is only
//! written into a database that has no dossiers yet.

use std::collections::{BTreeMap, HashMap};

use jiff::{SignedDuration, Timestamp};
use motcua_domain::agency::{Agency, AgencyId};
use motcua_domain::catalog::Channel;
use motcua_domain::dossier::applicant::{Applicant, ApplicantKind};
use motcua_domain::dossier::event::{ProcedureRef, ResultDelivery, Submission};
use motcua_domain::dossier::state::system_actor;
use motcua_domain::dossier::{Command, Context, DossierEvent, DossierState, EventActor, EventBody, Status, decide};
use motcua_domain::rating::{Level, Rating, RatingChannel, default_set};
use motcua_domain::time::{vn_date, vn_day_start};

use super::accept::AcceptancePlan;
use super::{Dossiers, agency_ref, seal_events, submitted};
use crate::error::AppError;
use crate::ports::{DossierBatch, DossierRow, RatingRecord};
use crate::snapshot::Snapshot;

/// What to generate.
#[derive(Debug, Clone)]
pub struct SyntheticHistory {
    /// Dossiers per receiving agency.
    pub per_agency: usize,
    /// Days of history before `end`.
    pub days: i64,
    /// The history's last instant (the demo: now).
    pub end: Timestamp,
    pub seed: u64,
    /// Dossiers per transaction.
    pub batch: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyntheticSummary {
    pub dossiers: u64,
    pub events: u64,
    pub agencies: u64,
}

/// A small deterministic generator (SplitMix64): the same seed gives the same history.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// True with probability `percent` / 100.
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// A fraction in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

const FAMILY: [&str; 12] = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ"];
const MIDDLE: [&str; 8] = ["Văn", "Thị", "Hữu", "Minh", "Ngọc", "Thanh", "Đức", "Thu"];
const GIVEN: [&str; 16] = [
    "An", "Bình", "Cường", "Dũng", "Hà", "Hạnh", "Hùng", "Lan", "Linh", "Mai", "Nam", "Phúc", "Quân", "Sơn", "Tâm",
    "Yến",
];

/// How a dossier's story ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fate {
    Early,
    OnTime,
    Late,
    Withdrawn,
    Stopped,
    Refused,
}

fn fate(rng: &mut Rng) -> Fate {
    match rng.below(100) {
        0..=34 => Fate::Early,
        35..=79 => Fate::OnTime,
        80..=91 => Fate::Late,
        92..=94 => Fate::Withdrawn,
        95..=96 => Fate::Stopped,
        _ => Fate::Refused,
    }
}

/// One receiving agency and a procedure it takes in, with the acceptance plan computed once.
struct Line {
    receiving: Agency,
    procedure: ProcedureRef,
    channels: Vec<Channel>,
    fees_vnd: u64,
    plan: AcceptancePlan,
    /// The desk officers of the receiving agency (who accept, in turn), if it has any.
    desks: std::sync::Arc<Vec<EventActor>>,
}

/// A dossier being written: its state and its events so far.
struct Story<'a> {
    state: DossierState,
    events: Vec<DossierEvent>,
    ctx_calendar: &'a motcua_domain::calendar::WorkingCalendar,
    agency_calendars: &'a HashMap<AgencyId, motcua_domain::calendar::WorkingCalendar>,
    end: Timestamp,
    /// Whether the last command was cut off by the end of the history.
    ended: bool,
}

impl Story<'_> {
    /// Applies `command` at `at` (nothing once the history's end is passed).
    fn act(
        &mut self,
        command: Command,
        at: Timestamp,
        actor: &EventActor,
        reason: Option<&str>,
    ) -> Result<(), AppError> {
        if self.ended || at > self.end {
            self.ended = true;
            return Ok(());
        }
        let at = at.max(self.state.updated_at);
        let ctx = Context { now: at, calendar: self.ctx_calendar, agency_calendars: self.agency_calendars, reason };
        match decide(&self.state, command, &ctx) {
            Ok(bodies) => {
                let sealed = seal_events(&mut self.state, bodies, actor, reason, None, at)?;
                self.events.extend(sealed);
                Ok(())
            }
            // A command the state does not allow is skipped: the story goes on.
            Err(_) => Ok(()),
        }
    }
}

fn actor(role: motcua_domain::account::Role, name: &str, unit: AgencyId) -> EventActor {
    EventActor { user_id: None, name: name.to_owned(), role: Some(role), unit: Some(unit) }
}

impl Dossiers {
    /// Writes a synthetic history (see the module's text). Refuses a database that already
    /// holds dossiers.
    pub async fn write_synthetic_history(
        &self,
        snapshot: &Snapshot,
        h: &SyntheticHistory,
        progress: &(dyn Fn(u64) + Send + Sync),
    ) -> Result<SyntheticSummary, AppError> {
        let store = &self.core.store;
        if store.has_dossiers().await? {
            return Err(AppError::Conflict {
                code: "dossiers_exist",
                message: "Chỉ sinh lịch sử hồ sơ mẫu vào cơ sở dữ liệu chưa có hồ sơ.".into(),
                field: None,
            });
        }
        let lines = self.synthetic_lines(snapshot).await?;
        let result_file = self.sample_result_file(h.end).await?;
        // The lines of each receiving agency, by index.
        let mut by_agency: BTreeMap<AgencyId, Vec<usize>> = BTreeMap::new();
        for (i, l) in lines.iter().enumerate() {
            by_agency.entry(l.receiving.id).or_default().push(i);
        }
        let mut rng = Rng(h.seed);
        let start = h.end - SignedDuration::from_hours(24 * h.days.max(1));
        // Every dossier's reception instant, in order, so codes are numbered by time.
        let mut plan: Vec<(Timestamp, usize, usize)> = Vec::new();
        for indices in by_agency.values() {
            for _ in 0..h.per_agency {
                let index = indices[rng.below(indices.len() as u64) as usize];
                let line = &lines[index];
                let channel = line.channels[rng.below(line.channels.len() as u64) as usize];
                let at = reception_instant(&mut rng, start, h.end, channel, &line.plan.calendar);
                plan.push((at, index, channel_index(channel)));
            }
        }
        plan.sort();
        let mut next_id = 1i64;
        let mut numbers: HashMap<(AgencyId, jiff::civil::Date), u32> = HashMap::new();
        let mut summary = SyntheticSummary { agencies: by_agency.len() as u64, ..Default::default() };
        // Batches are written by a task of their own while the next one is generated.
        // Each batch goes with the citizens' ratings of its closed dossiers, in one transaction.
        let (send, mut receive) = tokio::sync::mpsc::channel::<(DossierBatch, Vec<RatingRecord>)>(2);
        let store = self.core.store.clone();
        let writer = tokio::spawn(async move {
            while let Some((batch, ratings)) = receive.recv().await {
                let mut tx = store.begin().await?;
                tx.insert_dossier_batch(&batch).await?;
                for r in &ratings {
                    tx.insert_rating(r).await?;
                }
                tx.commit().await?;
            }
            Ok::<(), AppError>(())
        });
        // Ratings draw from their own generator, so the dossiers stay those of the seed.
        let mut voices = Rng(h.seed ^ 0x5A71_5FAC_7105_D00D);
        let mut ratings: Vec<RatingRecord> = Vec::new();
        let mut batch = DossierBatch::default();
        for (received, index, channel) in plan {
            let line = &lines[index];
            let channel = Channel::ALL[channel];
            let (row, events) =
                self.synthetic_dossier(&mut rng, line, channel, received, next_id, h.end, &mut numbers, result_file)?;
            next_id += 1;
            // Four in ten citizens rate a dossier they have seen through (returned, refused, stopped).
            if matches!(row.status, 3 | 8 | 10)
                && voices.chance(40)
                && let Some(last) = events.last()
            {
                let after = SignedDuration::from_mins(5 + voices.below(600) as i64);
                ratings.push(RatingRecord {
                    dossier_id: row.id,
                    agency_id: row.receiving_agency_id,
                    procedure_code: row.procedure_code.clone(),
                    officer_id: last.actor.user_id,
                    rating: demo_rating(&mut voices),
                    channel: if voices.chance(65) { RatingChannel::Counter } else { RatingChannel::Link },
                    rated_at: (last.at + after).min(h.end),
                });
            }
            summary.dossiers += 1;
            summary.events += events.len() as u64;
            batch.rollups.include(&row.facts);
            batch.agencies.push((row.id, events_agencies(&row, &events)));
            batch.events.push((row.id, events));
            batch.rows.push(row);
            if batch.rows.len() >= h.batch.max(1) {
                if send.send((std::mem::take(&mut batch), std::mem::take(&mut ratings))).await.is_err() {
                    break;
                }
                progress(summary.dossiers);
            }
        }
        // The code counters reached, with the last batch.
        batch.counters = numbers.iter().map(|((a, d), n)| (*a, *d, *n)).collect();
        // A writer that stopped has its error reported by `writer.await` below.
        let _ = send.send((batch, ratings)).await;
        drop(send);
        writer.await.map_err(|e| AppError::Internal(e.into()))??;
        progress(summary.dossiers);
        Ok(summary)
    }

    /// How many agencies a history spreads over (those that receive procedures).
    pub async fn synthetic_agencies(&self, snapshot: &Snapshot) -> Result<usize, AppError> {
        let lines = self.synthetic_lines(snapshot).await?;
        let mut ids: Vec<AgencyId> = lines.iter().map(|l| l.receiving.id).collect();
        ids.sort();
        ids.dedup();
        Ok(ids.len())
    }

    /// Every (receiving agency, procedure) an intake can be made for, with its plan.
    async fn synthetic_lines(&self, snapshot: &Snapshot) -> Result<Vec<Line>, AppError> {
        let store = &self.core.store;
        let published: HashMap<i64, (crate::ports::ProcedureRecord, crate::ports::VersionRecord)> =
            store.published_versions().await?.into_iter().map(|(p, v)| (p.id, (p, v))).collect();
        let mut lines = Vec::new();
        let mut desks: HashMap<AgencyId, std::sync::Arc<Vec<EventActor>>> = HashMap::new();
        for handling in store.all_agency_procedures().await? {
            let Some(receiving) = snapshot.agency(handling.agency_id).await? else { continue };
            if !receiving.active {
                continue;
            }
            if let std::collections::hash_map::Entry::Vacant(slot) = desks.entry(receiving.id) {
                let holders = store.role_holders(&[receiving.id], motcua_domain::account::Role::DeskOfficer).await?;
                let actors = holders
                    .into_iter()
                    .map(|h| EventActor {
                        user_id: Some(h.user_id),
                        name: h.full_name,
                        role: Some(motcua_domain::account::Role::DeskOfficer),
                        unit: Some(receiving.id),
                    })
                    .collect();
                slot.insert(std::sync::Arc::new(actors));
            }
            let Some((record, version)) = published.get(&handling.procedure_id) else { continue };
            let Some(case) = version.content.case(None).or_else(|| version.content.cases.first()) else { continue };
            let mut channels = Vec::new();
            for (ok, c) in
                [(handling.desk, Channel::Desk), (handling.online, Channel::Online), (handling.postal, Channel::Postal)]
            {
                if ok && case.time.processing_time(c).is_some() {
                    channels.push(c);
                }
            }
            // Online dossiers are the larger share where they are offered (the seeds aim at 50 %).
            if channels.contains(&Channel::Online) {
                channels.push(Channel::Online);
            }
            if channels.is_empty() {
                continue;
            }
            let code = record.code.to_string();
            let plan = match self
                .acceptance_plan(snapshot, &receiving, &handling, &version.content, case, channels[0], &code)
                .await
            {
                Ok(p) => p,
                Err(_) => continue,
            };
            lines.push(Line {
                procedure: ProcedureRef {
                    id: handling.procedure_id,
                    code,
                    name: version.content.name.clone(),
                    version_id: version.id,
                    version: version.number,
                    case: case.name.clone(),
                },
                channels,
                fees_vnd: case.fees.iter().filter_map(|f| f.amount_vnd).sum(),
                desks: desks[&receiving.id].clone(),
                receiving,
                plan,
            });
        }
        Ok(lines)
    }

    #[expect(clippy::too_many_arguments, reason = "one dossier's coordinates in the generated history")]
    fn synthetic_dossier(
        &self,
        rng: &mut Rng,
        line: &Line,
        channel: Channel,
        received: Timestamp,
        id: i64,
        end: Timestamp,
        numbers: &mut HashMap<(AgencyId, jiff::civil::Date), u32>,
        result_file: i64,
    ) -> Result<(DossierRow, Vec<DossierEvent>), AppError> {
        use motcua_domain::account::Role;
        let receiving = &line.receiving;
        let applicant = Applicant {
            kind: ApplicantKind::Person,
            full_name: format!(
                "{} {} {}",
                FAMILY[rng.below(FAMILY.len() as u64) as usize],
                MIDDLE[rng.below(MIDDLE.len() as u64) as usize],
                GIVEN[rng.below(GIVEN.len() as u64) as usize]
            ),
            id_number: Some(format!("0{:011}", rng.below(100_000_000_000))),
            ..Applicant::default()
        };
        let submission = Submission {
            channel,
            procedure: line.procedure.clone(),
            receiving: agency_ref(receiving),
            applicant,
            representative: None,
            documents: Vec::new(),
            sets: 1,
            fees_vnd: line.fees_vnd,
            // Most online applicants take the result online; some come for it, a few want a
            // paper copy by post.
            delivery: match (channel, rng.below(100)) {
                (Channel::Online, 0..=79) => ResultDelivery::Electronic,
                (Channel::Online, 80..=84) | (Channel::Postal, _) => ResultDelivery::Post,
                _ => ResultDelivery::Desk,
            },
            postal: (channel == Channel::Postal).then(|| motcua_domain::dossier::event::PostalInfo {
                tracking_number: format!("EB{:09}VN", rng.below(1_000_000_000)),
                sender_post_office: None,
                posted_on: None,
            }),
            notes: None,
            portal: None,
            notify: Default::default(),
        };
        // The agency's desk officers take turns (without drawing from the generator, so a
        // seed gives the same history with or without them).
        let desk = match line.desks.len() {
            0 => actor(Role::DeskOfficer, "Cán bộ Bộ phận Một cửa", receiving.id),
            n => line.desks[(id as usize) % n].clone(),
        };
        let online = system_actor();
        let submitter = if channel == Channel::Online { &online } else { &desk };
        let (state, events) = submitted(id, submission, submitter, None, received)?;
        let cal = &line.plan.calendar;
        let mut story = Story {
            state,
            events,
            ctx_calendar: cal,
            agency_calendars: &line.plan.agency_calendars,
            end,
            ended: false,
        };
        let fate = fate(rng);
        // Online dossiers are accepted within the working day they arrive.
        let accept_at = if channel == Channel::Online {
            received + SignedDuration::from_mins(20 + rng.below(240) as i64)
        } else {
            received + SignedDuration::from_mins(5 + rng.below(15) as i64)
        };
        if fate == Fate::Refused {
            story.act(
                Command::Refuse { reasons: vec!["Hồ sơ không thuộc thẩm quyền giải quyết".into()] },
                accept_at,
                &desk,
                None,
            )?;
            return finish(story);
        }
        if accept_at > end {
            return finish(story);
        }
        let resolving = line.plan.resolving.id;
        let day = vn_date(accept_at);
        let number = numbers.entry((resolving, day)).or_insert(0);
        *number += 1;
        let accepting = line.plan.clone().accept(*number, accept_at)?;
        story.act(accepting.command, accept_at, &desk, None)?;
        let Some(due) = story.state.due_at else { return finish(story) };

        // Supplement round trip at the processing step (about 1 in 10).
        let specialist = actor(Role::Specialist, "Công chức chuyên môn", resolving);
        let leader = actor(Role::Leader, "Lãnh đạo", resolving);
        let clerk = actor(Role::Clerk, "Văn thư", resolving);
        let span = due.duration_since(accept_at).max(SignedDuration::from_mins(30));
        let mut t = accept_at + frac(span, 0.05 + 0.1 * rng.unit());
        story.act(Command::Forward { assignee: None }, t, &desk, None)?;
        if rng.chance(10) && !story.ended {
            t += frac(span, 0.1);
            story.act(
                Command::RequestSupplement { items: vec!["Bản sao giấy tờ còn thiếu".into()] },
                t,
                &specialist,
                None,
            )?;
            if rng.chance(85) {
                t += SignedDuration::from_hours(24 + rng.below(24 * 4) as i64);
                story.act(Command::ReceiveSupplement, t, &desk, None)?;
            } else {
                return finish(story);
            }
        }
        let due = story.state.due_at.unwrap_or(due);
        match fate {
            Fate::Withdrawn => {
                t += frac(span, 0.2);
                story.act(Command::RequestWithdrawal, t, &desk, Some("Đơn xin rút hồ sơ của người nộp"))?;
                t += SignedDuration::from_mins(30);
                story.act(Command::Stop, t, &leader, Some("Công dân xin rút hồ sơ"))?;
                return finish(story);
            }
            Fate::Stopped => {
                t += frac(span, 0.3);
                story.act(Command::Stop, t, &leader, Some("Hồ sơ không đủ điều kiện giải quyết"))?;
                return finish(story);
            }
            _ => {}
        }
        // When the result is issued.
        let resolved = match fate {
            Fate::Early => {
                let due_day = vn_day_start(vn_date(due));
                if due_day > t + SignedDuration::from_mins(60) {
                    t + frac(due_day.duration_since(t), 0.2 + 0.75 * rng.unit())
                } else {
                    t + frac(due.duration_since(t).max(SignedDuration::from_mins(10)), 0.5)
                }
            }
            Fate::OnTime => {
                let from = vn_day_start(vn_date(due)).max(t);
                from + frac(due.duration_since(from).max(SignedDuration::from_mins(10)), 0.2 + 0.75 * rng.unit())
            }
            _ => due + SignedDuration::from_hours(2 + rng.below(24 * 6) as i64),
        }
        .max(t + SignedDuration::from_mins(10));
        if fate == Fate::Late && rng.chance(40) {
            let at = (due - SignedDuration::from_hours(3)).max(t + SignedDuration::from_mins(5));
            story.act(
                Command::Extend {
                    appointment_at: resolved + SignedDuration::from_hours(24),
                    signer: "Lãnh đạo".into(),
                },
                at,
                &leader,
                Some("Cần xác minh thêm thông tin"),
            )?;
        }
        // The steps between, spread evenly up to the result.
        let steps = story.state.steps.len();
        let gap = resolved.duration_since(t) / (steps.max(2) as i32);
        for _ in 0..steps {
            match story.state.current_step().map(|s| s.kind) {
                Some(motcua_domain::dossier::StepKind::Process) => {
                    t += gap;
                    story.act(Command::Forward { assignee: None }, t, &specialist, None)?;
                }
                Some(motcua_domain::dossier::StepKind::Approve) => {
                    t += gap;
                    story.act(Command::Approve, t, &leader, None)?;
                }
                Some(motcua_domain::dossier::StepKind::Intake) => {
                    t += gap;
                    story.act(Command::Forward { assignee: None }, t, &desk, None)?;
                }
                _ => break,
            }
            if story.ended || !matches!(story.state.status, Status::Processing | Status::Received) {
                break;
            }
        }
        let electronic = channel == Channel::Online && rng.chance(92);
        story.act(
            Command::IssueResult {
                number: format!("{}/KQ", id),
                signed_on: vn_date(resolved),
                signer: "Lãnh đạo".into(),
                // Online dossiers get an electronic result, save a few issued on paper.
                file_id: electronic.then_some(result_file),
                file_name: electronic.then(|| "ket-qua.pdf".to_owned()),
            },
            resolved,
            &clerk,
            None,
        )?;
        if rng.chance(88) {
            let returned = resolved + SignedDuration::from_mins(30 + rng.below(60 * 48) as i64);
            let delivery = story.state.submission.delivery;
            let receiver = story.state.submission.applicant.full_name.clone();
            // The last step (return) may wait for a forward from the issue step.
            story.act(Command::Forward { assignee: None }, returned - SignedDuration::from_mins(5), &clerk, None)?;
            story.act(Command::ReturnResult { delivery, receiver }, returned, &desk, None)?;
        }
        finish(story)
    }
}

impl Dossiers {
    /// The result document the generated online dossiers point at: one sample PDF, kept once.
    async fn sample_result_file(&self, at: Timestamp) -> Result<i64, AppError> {
        let text = "@meta-title Kết quả giải quyết (mẫu)\n@page A4\n@title KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH\n\
                    @center *Văn bản mẫu của dữ liệu minh họa, không có giá trị pháp lý.*\n";
        let pdf = motcua_forms::markup_to_pdf("ket-qua-mau", text).map_err(|e| AppError::Internal(e.into()))?;
        let mut tx = self.core.store.begin().await?;
        let id = self.core.keep_file_by(&mut *tx, "ket-qua-mau.pdf", "application/pdf", &pdf, None, at).await?;
        tx.commit().await?;
        Ok(id)
    }
}

/// A citizen's rating as the demo's citizens give them: mostly good, some not.
fn demo_rating(rng: &mut Rng) -> Rating {
    let points = (0..9)
        .map(|_| match rng.below(100) {
            0..=69 => 2,
            70..=94 => 1,
            _ => 0,
        })
        .collect();
    let mut level = || match rng.below(100) {
        0..=54 => Level::VerySatisfied,
        55..=91 => Level::Satisfied,
        _ => Level::Unsatisfied,
    };
    let levels = vec![level(), level()];
    Rating { set_version: default_set().version, points, levels, comment: None }
}

fn finish(story: Story<'_>) -> Result<(DossierRow, Vec<DossierEvent>), AppError> {
    Ok((DossierRow::of(&story.state), story.events))
}

fn frac(d: SignedDuration, f: f64) -> SignedDuration {
    SignedDuration::from_secs((d.as_secs() as f64 * f.clamp(0.0, 1.0)) as i64)
}

fn channel_index(c: Channel) -> usize {
    Channel::ALL.iter().position(|x| *x == c).expect("a channel")
}

/// Every agency a dossier has involved (receiving, resolving, steps).
fn events_agencies(row: &DossierRow, events: &[DossierEvent]) -> Vec<AgencyId> {
    let mut v = vec![row.receiving_agency_id];
    for e in events {
        if let EventBody::Accepted { resolving, steps, .. } = &e.body {
            v.push(resolving.id);
            v.extend(steps.iter().map(|s| s.agency.id));
        }
    }
    v.sort();
    v.dedup();
    v
}

/// When a dossier arrives: desk and postal ones on a working day in office hours, online ones
/// at any hour (more by day).
fn reception_instant(
    rng: &mut Rng,
    start: Timestamp,
    end: Timestamp,
    channel: Channel,
    calendar: &motcua_domain::calendar::WorkingCalendar,
) -> Timestamp {
    let span = end.duration_since(start).as_secs().max(1);
    for _ in 0..20 {
        let at = start + SignedDuration::from_secs(rng.below(span as u64) as i64);
        let day = vn_date(at);
        if channel == Channel::Online {
            // Nights are quieter: half of the night arrivals move to the day.
            let hour = motcua_domain::time::vn_datetime(at).hour();
            if (7..21).contains(&hour) || rng.chance(40) {
                return at;
            }
            continue;
        }
        if !calendar.days().is_working(day).unwrap_or(false) {
            continue;
        }
        let minute = 7 * 60 + 40 + rng.below(8 * 60 + 50) as i64;
        let minute = if (11 * 60 + 30..13 * 60 + 30).contains(&minute) { minute + 120 } else { minute };
        let at = vn_day_start(day) + SignedDuration::from_mins(minute.min(16 * 60 + 50));
        if at < end {
            return at;
        }
    }
    start
}

impl Clone for AcceptancePlan {
    fn clone(&self) -> Self {
        Self {
            resolving: self.resolving.clone(),
            time: self.time,
            counting: self.counting,
            steps: self.steps.clone(),
            calendar: self.calendar.clone(),
            agency_calendars: self.agency_calendars.clone(),
            calendar_revision: self.calendar_revision,
        }
    }
}
