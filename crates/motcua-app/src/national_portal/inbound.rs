//! Dossiers submitted on the national portal, received here (`legal.md` §13.1): by the portal's
//! push and by the periodic pull, both idempotent on the portal's dossier code.
//!
//! A new dossier lands in the desk's online queue at status 1 with its reception deadline; its
//! files are fetched before the transaction, checked as uploads are, and kept by content. The
//! same code arriving again is the citizen's supplement when the dossier waits for one and the
//! portal lists files not seen before; otherwise it is a repeat and changes nothing.

use jiff::SignedDuration;
use motcua_domain::agency::AgencyCode;
use motcua_domain::catalog::{Channel, ProcedureCode};
use motcua_domain::dossier::applicant::{Applicant, ApplicantKind};
use motcua_domain::dossier::event::{PortalFile, PortalOrigin, ResultDelivery, Submission};
use motcua_domain::dossier::{Command, Context, DossierState, EventActor, Status, decide};
use motcua_domain::national_portal::{InboundDossier, InboundFile, reception_due};
use motcua_domain::report::RollupDelta;
use motcua_domain::time::vn_date;
use motcua_domain::validation::{FieldError, ValidationErrors};
use serde::Serialize;

use super::NationalPortal;
use crate::dossiers::{
    Before, action_error, agency_ref, checklist, commit_events, procedure_ref, seal_events, submitted,
};
use crate::error::AppError;
use crate::ports::{DossierRow, PortalTransport};

/// What became of one dossier the portal sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum InboundOutcome {
    /// A new dossier in the online queue.
    Received { portal_code: String, dossier_id: i64 },
    /// The citizen's supplement, recorded on the dossier.
    Supplemented { portal_code: String, dossier_id: i64 },
    /// The citizen asked on the portal to withdraw it (status 7), recorded on the dossier.
    Withdrawal { portal_code: String, dossier_id: i64 },
    /// Already here: nothing changed.
    Repeated { portal_code: String, dossier_id: i64 },
    /// Not taken: what is wrong (the portal may send it again once fixed; nothing was kept).
    Rejected { portal_code: Option<String>, errors: Vec<FieldError> },
    /// Not taken this time (a file could not be fetched, the database failed): to be sent or
    /// pulled again.
    Failed { portal_code: String, message: String },
}

impl InboundOutcome {
    pub fn accepted(&self) -> bool {
        matches!(
            self,
            Self::Received { .. } | Self::Supplemented { .. } | Self::Withdrawal { .. } | Self::Repeated { .. }
        )
    }
}

/// A dossier's files at hand: those kept (with their checked type) and those refused for not
/// being a PDF or an image.
type Fetched = (Vec<(InboundFile, Vec<u8>, &'static str)>, Vec<InboundFile>);

/// A supplement's files: kept (written already, with their hashes) and refused.
type Supplement = (Vec<(InboundFile, Vec<u8>, &'static str)>, Vec<String>, Vec<InboundFile>);

fn names(files: &[InboundFile]) -> String {
    files.iter().map(|f| f.name.as_str()).collect::<Vec<_>>().join(", ")
}

/// Who records what the portal sent.
fn portal_actor() -> EventActor {
    EventActor { user_id: None, name: "Cổng Dịch vụ công quốc gia".into(), role: None, unit: None }
}

impl NationalPortal {
    /// Receives the dossiers the portal sent (a push's body, or a pull's list), each on its own:
    /// one bad dossier does not hold back the others.
    pub async fn receive(&self, items: &[serde_json::Value]) -> Vec<InboundOutcome> {
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            out.push(self.receive_one(item).await);
        }
        out
    }

    async fn receive_one(&self, item: &serde_json::Value) -> InboundOutcome {
        let d = match InboundDossier::read(item) {
            Ok(d) => d,
            Err(e) => {
                let code = item.get("MaHoSo").and_then(|c| c.as_str()).map(|c| c.chars().take(60).collect());
                let outcome = InboundOutcome::Rejected { portal_code: code, errors: e.errors };
                metrics::counter!("motcua_portal_inbound_total", "outcome" => "rejected").increment(1);
                self.log_not_taken(&outcome).await;
                return outcome;
            }
        };
        let code = d.code.clone();
        let result = match self.core.store.dossier_id_by_portal_code(&code).await {
            Ok(Some(id)) => self.again(id, &d).await,
            Ok(None) => match self.create(&d).await {
                Ok(id) => Ok(InboundOutcome::Received { portal_code: code.clone(), dossier_id: id }),
                // A concurrent push of the same dossier won the race.
                Err(err) => match self.core.store.dossier_id_by_portal_code(&code).await {
                    Ok(Some(id)) => Ok(InboundOutcome::Repeated { portal_code: code.clone(), dossier_id: id }),
                    _ => Err(err),
                },
            },
            Err(e) => Err(e.into()),
        };
        let outcome = match result {
            Ok(outcome) => outcome,
            Err(AppError::Validation(e)) => {
                InboundOutcome::Rejected { portal_code: Some(code.clone()), errors: e.errors }
            }
            Err(e) => {
                tracing::warn!(portal_code = %code, error = %e, "national portal: a dossier could not be received");
                InboundOutcome::Failed { portal_code: code, message: e.to_string() }
            }
        };
        metrics::counter!("motcua_portal_inbound_total", "outcome" => outcome_name(&outcome)).increment(1);
        self.log_not_taken(&outcome).await;
        outcome
    }

    /// Keeps what was not taken where an operator sees it (the reconciliation page).
    async fn log_not_taken(&self, outcome: &InboundOutcome) {
        let (portal_code, what, message) = match outcome {
            InboundOutcome::Rejected { portal_code, errors } => (
                portal_code.clone(),
                "rejected",
                errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; "),
            ),
            InboundOutcome::Failed { portal_code, message } => (Some(portal_code.clone()), "failed", message.clone()),
            _ => return,
        };
        let entry = crate::ports::PortalInboundEntry { portal_code, at: self.core.now(), outcome: what, message };
        let logged = async {
            let mut tx = self.core.store.begin().await?;
            tx.log_portal_inbound(&entry).await?;
            tx.commit().await
        };
        if let Err(e) = logged.await {
            tracing::error!(error = %e, "national portal: could not log a dossier not taken");
        }
    }

    fn inbound_transport(&self) -> Result<std::sync::Arc<dyn PortalTransport>, AppError> {
        self.transport.clone().ok_or_else(|| {
            AppError::Internal(anyhow::anyhow!("the national portal is not configured (portal.rest_url)"))
        })
    }

    /// Fetches and checks the files; those that are not a PDF or an image are left out and
    /// named in the returned list.
    async fn fetch_files(&self, files: &[InboundFile]) -> Result<Fetched, AppError> {
        if files.is_empty() {
            return Ok((Vec::new(), Vec::new()));
        }
        let t = self.inbound_transport()?;
        let settings = &self.core.settings.portal;
        let (mut kept, mut refused) = (Vec::new(), Vec::new());
        let mut total = 0usize;
        for f in files {
            // A dossier's files together stay within a bound, so one push cannot fill memory.
            let room = settings.max_dossier_bytes.saturating_sub(total);
            let bytes = t
                .fetch_file(&f.url, settings.max_file_bytes.min(room))
                .await
                .map_err(|e| AppError::Internal(anyhow::anyhow!("tệp {} của hồ sơ: {e}", f.name)))?;
            total += bytes.len();
            let kind =
                if crate::upload::is_pdf(&bytes) { Some("application/pdf") } else { crate::upload::image_type(&bytes) };
            match kind {
                Some(kind) => kept.push((f.clone(), bytes, kind)),
                None => refused.push(f.clone()),
            }
        }
        Ok((kept, refused))
    }

    /// Writes the fetched files' contents (by hash, before any transaction: the database's
    /// writer is never held while bytes go to disk or S3).
    async fn put_blobs(&self, files: &[(InboundFile, Vec<u8>, &'static str)]) -> Result<Vec<String>, AppError> {
        let mut hashes = Vec::with_capacity(files.len());
        for (_, bytes, _) in files {
            let sha = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(bytes));
            self.core.files.put(&sha, bytes).await?;
            hashes.push(sha);
        }
        Ok(hashes)
    }

    /// Records the files already written, inside the dossier's transaction.
    async fn record_files(
        &self,
        tx: &mut dyn crate::ports::StoreTx,
        files: &[(InboundFile, Vec<u8>, &'static str)],
        hashes: Vec<String>,
        now: jiff::Timestamp,
    ) -> Result<Vec<PortalFile>, AppError> {
        let mut kept = Vec::with_capacity(files.len());
        for ((f, bytes, kind), sha256) in files.iter().zip(hashes) {
            let file_id = tx
                .insert_stored_file(&crate::ports::StoredFile {
                    id: 0,
                    sha256: sha256.clone(),
                    file_name: f.name.clone(),
                    content_type: (*kind).to_owned(),
                    size: i64::try_from(bytes.len()).unwrap_or(i64::MAX),
                    created_by: None,
                    created_at: now,
                })
                .await?;
            kept.push(PortalFile {
                portal_id: f.portal_id.clone(),
                name: f.name.clone(),
                component: f.component.clone(),
                file_id,
                sha256,
                received_at: now,
            });
        }
        Ok(kept)
    }

    async fn create(&self, d: &InboundDossier) -> Result<i64, AppError> {
        if d.status != 1 {
            return Err(AppError::field(
                "TrangThaiHoSo",
                "not_new",
                format!(
                    "Hồ sơ {} chưa có trên hệ thống nhưng Cổng báo trạng thái {}; chỉ nhận hồ sơ mới (1).",
                    d.code, d.status
                ),
            ));
        }
        // Checked before the files are fetched: a dossier for no agency here costs no download.
        self.create_with(d, None).await
    }

    /// Creates the dossier; `fetched` gives its files already at hand (the demo's), else they
    /// are fetched from the portal once everything else checks out.
    async fn create_with(&self, d: &InboundDossier, fetched: Option<Fetched>) -> Result<i64, AppError> {
        let now = self.core.now();
        let today = vn_date(now);
        let reference = self.core.snapshot().await?;
        let agency = match AgencyCode::parse(&d.agency) {
            Ok(c) => reference.agency_by_code(&c).await?,
            Err(_) => None,
        }
        .filter(|a| a.active)
        .ok_or_else(|| {
            AppError::field("MaDonVi", "not_found", format!("Không có cơ quan mã {} trên hệ thống.", d.agency))
        })?;
        let procedure_code = ProcedureCode::parse(&d.procedure)
            .map_err(|_| AppError::field("MaTTHC", "invalid", format!("Mã thủ tục {} không hợp lệ.", d.procedure)))?;
        let (procedure_id, procedure_code, version) =
            reference.procedure_in_force(&procedure_code, today).await.map_err(|e| match e {
                AppError::Validation(v) => AppError::Validation(ValidationErrors {
                    errors: v.errors.into_iter().map(|f| FieldError { field: "MaTTHC".into(), ..f }).collect(),
                }),
                e => e,
            })?;
        let content = &version.content;
        let case = match &d.case {
            Some(name) => content.case(Some(name)).ok_or_else(|| {
                AppError::field("TenTruongHop", "unknown_case", format!("Thủ tục không có trường hợp \"{name}\"."))
            })?,
            // Without a named case, the first: the desk checks it when it decides.
            None => content
                .cases
                .first()
                .ok_or_else(|| AppError::field("MaTTHC", "no_case", "Thủ tục chưa có trường hợp nào."))?,
        };
        let handling = reference.handling(procedure_id).await?;
        if !handling.iter().any(|h| h.agency_id == agency.id && h.online) {
            return Err(AppError::field(
                "MaDonVi",
                "channel_closed",
                format!("{} không tiếp nhận trực tuyến thủ tục {}.", agency.name, procedure_code),
            ));
        }
        let applicant = Applicant {
            kind: if d.organisation { ApplicantKind::Organisation } else { ApplicantKind::Person },
            full_name: d.applicant_name.clone(),
            id_number: d.applicant_id.clone(),
            birth_date: None,
            gender: None,
            address: d.address.clone(),
            phone: d.phone.clone(),
            email: d.email.clone(),
        }
        .validated("", today)
        .map_err(|e| {
            let portal_name = |f: &str| match f {
                "full_name" => "ChuHoSo",
                "id_number" => "SoGiayToChuHoSo",
                "phone" => "SoDienThoai",
                "email" => "Email",
                "address" => "DiaChiChuHoSo",
                _ => "HoSo",
            };
            AppError::Validation(ValidationErrors {
                errors: e.errors.into_iter().map(|f| FieldError { field: portal_name(&f.field).into(), ..f }).collect(),
            })
        })?;
        // The clock starts when the citizen submitted (a dossier this system pulls late is
        // late by this system), never in the future.
        let calendar = reference.calendar_of(agency.id).await?;
        let started = d.submitted_at.min(now);
        let reception_due_at = reception_due(&calendar, started, self.core.settings.portal.reception_cutoff)
            .map_err(crate::calendar::deadline_error)?;
        let (files, refused) = match fetched {
            Some(f) => f,
            None => self.fetch_files(&d.files).await?,
        };
        let mut notes: Vec<String> = d.summary.iter().cloned().collect();
        if d.case.is_none() && content.cases.len() > 1 {
            notes.push(format!(
                "Cổng không ghi trường hợp; hệ thống chọn \"{}\", cần kiểm tra khi tiếp nhận.",
                case.name
            ));
        }
        if !refused.is_empty() {
            notes.push(format!("Tệp không phải PDF hoặc ảnh, không được lưu: {}.", names(&refused)));
        }

        let hashes = self.put_blobs(&files).await?;
        let mut tx = self.core.store.begin().await?;
        let kept = self.record_files(&mut *tx, &files, hashes, now).await?;
        let submission = Submission {
            channel: Channel::Online,
            procedure: procedure_ref(procedure_id, &procedure_code, &version, case),
            receiving: agency_ref(&agency),
            applicant,
            representative: None,
            documents: checklist(case, Channel::Online),
            sets: 1,
            fees_vnd: case.fees.iter().filter_map(|f| f.amount_vnd).sum(),
            delivery: ResultDelivery::Electronic,
            postal: None,
            notes: Some(notes.join(" ")).filter(|n| !n.trim().is_empty()).map(|n| n.chars().take(2000).collect()),
            portal: Some(PortalOrigin {
                code: d.code.clone(),
                submitted_at: d.submitted_at,
                reception_due_at,
                account: d.account.clone(),
                files: kept,
                refused: refused.iter().map(|f| f.portal_id.clone()).collect(),
            }),
            notify: Default::default(),
        };
        let (id, _) = tx.reserve_dossier(None).await?;
        let (state, events) = submitted(id, submission, &portal_actor(), None, now)?;
        let row = DossierRow::of(&state);
        let agencies: Vec<_> = state.involved_agencies().into_iter().collect();
        tx.commit_new_dossier(&row, &events, &agencies, &RollupDelta::between(None, Some(&row.facts))).await?;
        tracing::info!(dossier = id, "dossier received from the national portal");
        Ok(id)
    }

    /// A code already here: the citizen's withdrawal request (status 7), the citizen's
    /// supplement (files not seen before while the dossier waits for one), or a repeat.
    async fn again(&self, id: i64, d: &InboundDossier) -> Result<InboundOutcome, AppError> {
        let code = d.code.clone();
        let repeated = || InboundOutcome::Repeated { portal_code: code.clone(), dossier_id: id };
        let events = self.core.store.dossier_events(id).await?;
        let state = DossierState::fold(id, &events).map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?;
        if d.status == Status::WithdrawalRequested.national_code() {
            let allowed =
                motcua_domain::dossier::action::allows(&state, motcua_domain::dossier::ActionKind::RequestWithdrawal);
            if !allowed {
                return Ok(repeated());
            }
            self.change(id, Command::RequestWithdrawal, None, None).await?;
            return Ok(InboundOutcome::Withdrawal { portal_code: code, dossier_id: id });
        }
        let new: Vec<InboundFile> = d.files.iter().filter(|f| !state.portal_file_seen(&f.portal_id)).cloned().collect();
        if state.status != Status::AwaitingSupplement || new.is_empty() {
            return Ok(repeated());
        }
        let (files, refused) = self.fetch_files(&new).await?;
        if files.is_empty() {
            return Err(AppError::field(
                "TaiLieuNop",
                "no_usable_file",
                format!("Tệp bổ sung không phải PDF hoặc ảnh: {}; hồ sơ vẫn chờ bổ sung.", names(&refused)),
            ));
        }
        let hashes = self.put_blobs(&files).await?;
        let outcome = InboundOutcome::Supplemented { portal_code: code, dossier_id: id };
        self.change(id, Command::ReceiveSupplement, Some((files, hashes, refused)), Some(Status::AwaitingSupplement))
            .await
            .map(|_| outcome)
    }

    /// Records a change the portal brought on a dossier, decided on its locked events (and only
    /// if its status is still `expected`, when given). A supplement carries its files.
    async fn change(
        &self,
        id: i64,
        command: Command,
        supplement: Option<Supplement>,
        expected: Option<Status>,
    ) -> Result<(), AppError> {
        let now = self.core.now();
        let reference = self.core.snapshot().await?;
        let mut tx = self.core.store.begin().await?;
        let locked = tx.lock_dossier_events(id).await?;
        // Nothing is written on a history that no longer holds at its head.
        let events = motcua_domain::dossier::chain::check_head(&locked.events, locked.verified.as_ref())
            .map_err(|p| AppError::Internal(anyhow::anyhow!("dossier {id}: history does not hold: {p:?}")))?;
        let mut state = DossierState::fold(id, &events).map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?;
        if expected.is_some_and(|e| e != state.status) {
            return Ok(());
        }
        let calendar = reference.calendar_of(state.submission.receiving.id).await?;
        let agency_calendars = reference.calendars_of(state.steps.iter().map(|p| p.agency.id).collect()).await?;
        let (command, reason) = match (command, supplement) {
            (Command::ReceiveSupplement, Some((files, hashes, refused))) => {
                let kept = self.record_files(&mut *tx, &files, hashes, now).await?;
                let reception_due_at = reception_due(&calendar, now, self.core.settings.portal.reception_cutoff)
                    .map_err(crate::calendar::deadline_error)?;
                let reason = (!refused.is_empty())
                    .then(|| format!("Tệp không phải PDF hoặc ảnh, không được lưu: {}.", names(&refused)));
                let refused = refused.into_iter().map(|f| f.portal_id).collect();
                (
                    Command::ReceivePortalSupplement { reception_due_at: Some(reception_due_at), files: kept, refused },
                    reason,
                )
            }
            // The applicant's own request on the portal is the withdrawal's reason.
            (Command::RequestWithdrawal, _) => (
                Command::RequestWithdrawal,
                Some("Công dân yêu cầu rút hồ sơ trên Cổng Dịch vụ công quốc gia.".to_owned()),
            ),
            (command, _) => (command, None),
        };
        let ctx = Context { now, calendar: &calendar, agency_calendars: &agency_calendars, reason: reason.as_deref() };
        let bodies = decide(&state, command, &ctx).map_err(action_error)?;
        let before = Before::of(&state);
        let new = seal_events(&mut state, bodies, &portal_actor(), reason.as_deref(), None, now)?;
        super::nudge(&self.core, &mut *tx, &state, &new).await?;
        commit_events(tx, &before, &state, &new).await?;
        Ok(())
    }
}

impl NationalPortal {
    /// The demo's online dossiers, as the portal would have sent them to An Phú: one submitted
    /// this morning, one yesterday evening (due today), one two working days ago (received
    /// late if not decided yet). Their files are generated PDFs; nothing is asked of a portal.
    pub async fn load_demo_online(&self) -> Result<usize, AppError> {
        let now = self.core.now();
        let people = [
            ("DEMO-G22-0001", "Trần Thị Bình", "001190000456", SignedDuration::from_hours(2)),
            ("DEMO-G22-0002", "Lê Văn Cường", "001089000789", SignedDuration::from_hours(16)),
            ("DEMO-G22-0003", "Phạm Thị Dung", "001195001234", SignedDuration::from_hours(60)),
        ];
        let mut made = 0;
        for (code, name, id, ago) in people {
            let pdf = motcua_forms::markup_to_pdf(
                "to-khai",
                &format!("@page A5\nTỜ KHAI ĐĂNG KÝ KHAI SINH\n\nNgười yêu cầu: {name}\nSố định danh: {id}\nMã hồ sơ trên Cổng: {code}"),
            )
            .map_err(|e| AppError::Internal(anyhow::anyhow!("demo PDF: {e}")))?;
            let file = InboundFile {
                portal_id: format!("{code}-TK"),
                name: "to-khai-dang-ky-khai-sinh.pdf".into(),
                component: Some("Tờ khai đăng ký khai sinh".into()),
                url: format!("https://dichvucong.gov.vn/demo/{code}"),
            };
            let d = InboundDossier {
                code: code.into(),
                procedure: "1.001193".into(),
                agency: "H99.301".into(),
                case: None,
                applicant_name: name.into(),
                applicant_id: Some(id.into()),
                organisation: false,
                email: None,
                phone: Some("0912345678".into()),
                address: Some("Thôn Đông, xã An Phú".into()),
                summary: Some("Đăng ký khai sinh cho con (hồ sơ mẫu nhận từ Cổng DVC quốc gia)".into()),
                account: None,
                submitted_at: now - ago,
                status: 1,
                files: vec![file.clone()],
            };
            self.create_with(&d, Some((vec![(file, pdf, "application/pdf")], Vec::new()))).await?;
            made += 1;
        }
        Ok(made)
    }
}

fn outcome_name(o: &InboundOutcome) -> &'static str {
    match o {
        InboundOutcome::Received { .. } => "received",
        InboundOutcome::Supplemented { .. } => "supplemented",
        InboundOutcome::Withdrawal { .. } => "withdrawal",
        InboundOutcome::Repeated { .. } => "repeated",
        InboundOutcome::Rejected { .. } => "rejected",
        InboundOutcome::Failed { .. } => "failed",
    }
}
