//! The payloads the national portal (Cổng DVC quốc gia) receives: the dossier (`HoSo`) and its
//! process steps (`QuaTrinhXuLy`), `legal.md` §7.2, built from a dossier's folded state and its
//! events alone.
//!
//! The field names and formats follow public integration code (TD-DVC, OpenCPS), not an
//! official specification, which is not public; fields the reference marks uncertain are noted
//! where they are filled. Instants are `yyyyMMddHHmmss` in Vietnam time; an absent instant is
//! an empty string, as those codebases send it.

use jiff::Timestamp;
use serde::Serialize;

use crate::agency::AgencyId;
use crate::catalog::{Channel, ProcedureCode};
use crate::dossier::applicant::ApplicantKind;
use crate::dossier::event::{PaymentMethod, ResultDelivery};
use crate::dossier::{DossierEvent, DossierState, EventBody, Status};
use crate::time::vn_datetime;

/// Process steps go in batches of this many (§7.1, REST transport).
pub const STEP_CHUNK: usize = 10;

/// An instant as the portal writes it: `yyyyMMddHHmmss` in Asia/Ho_Chi_Minh.
pub fn portal_time(at: Timestamp) -> String {
    vn_datetime(at).strftime("%Y%m%d%H%M%S").to_string()
}

fn opt_time(at: Option<Timestamp>) -> String {
    at.map(portal_time).unwrap_or_default()
}

/// What the payload needs beyond the dossier: names the state keeps only as ids.
#[derive(Debug, Clone, Default)]
pub struct PortalContext {
    /// Mã lĩnh vực and tên lĩnh vực of the procedure.
    pub field_code: String,
    pub field_name: String,
    /// The resolving agency's name (DonViXuLy).
    pub resolving_name: String,
}

/// One identity document of the applicant (`DinhDanhCHS`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PortalIdentity {
    /// "1": a 12-digit personal identification number; "2": a 9-digit old ID card number
    /// (TD-DVC). Other documents (tax codes, passports) have no confirmed code and are not sent.
    pub loai_dinh_danh: String,
    pub so_dinh_danh: String,
}

/// A supplement round (`DanhSachHoSoBoSung`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PortalSupplement {
    pub ho_so_bo_sung_id: String,
    pub noi_dung_bo_sung: String,
    pub ngay_bo_sung: String,
    pub ngay_tiep_nhan_bo_sung: String,
    /// "1" while waiting for the applicant, "2" once received.
    pub trang_thai_bo_sung: String,
}

/// A result document (`DanhSachGiayToKetQua`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PortalResult {
    /// The document's number and name (at most 2,000 characters).
    pub ten_giay_to: String,
    pub giay_to_id: String,
}

/// The dossier as the portal keeps it (`HoSo`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PortalDossier {
    pub ma_ho_so: String,
    #[serde(rename = "MaTTHC")]
    pub ma_tthc: String,
    #[serde(rename = "TenTTHC")]
    pub ten_tthc: String,
    pub ma_linh_vuc: String,
    pub ten_linh_vuc: String,
    /// 1 at the desk, 2 online, 3 by post (§2.1).
    pub kenh_thuc_hien: String,
    pub chu_ho_so: String,
    pub so_giay_to_chu_ho_so: String,
    /// "1" a citizen, "2" an organisation (codes beyond 1 and 2 are uncertain).
    pub loai_doi_tuong: String,
    pub email: String,
    pub so_dien_thoai: String,
    /// The dossier's summary (at most about 1,000 characters).
    pub trich_yeu_ho_so: String,
    pub ngay_nop_ho_so: String,
    pub ngay_tiep_nhan: String,
    /// The legal due instant (moved by the applicant's paused time, never by an extension):
    /// the portal judges lateness against it.
    pub ngay_hen_tra: String,
    pub ngay_tra: String,
    pub ngay_ket_thuc_xu_ly: String,
    pub ngay_tu_choi: String,
    /// 1–10 (§7.3).
    pub trang_thai_ho_so: String,
    /// "1" when the result goes by post, "0" otherwise (OpenCPS; uncertain).
    pub hinh_thuc: String,
    pub don_vi_xu_ly: String,
    pub ghi_chu: String,
    /// "2": received on the local system (TD-DVC always sends it; "1" for dossiers that came
    /// from the portal is an assumption).
    pub noi_nop_ho_so: String,
    pub ho_so_co_thanh_phan_so_hoa: String,
    #[serde(rename = "TaiKhoanDuocXacThucVoiVNeID")]
    pub tai_khoan_duoc_xac_thuc_voi_vneid: String,
    /// "1" paid on the portal's payment platform, "0" otherwise (other codes uncertain).
    pub duoc_thanh_toan_truc_tuyen: String,
    #[serde(rename = "DinhDanhCHS")]
    pub dinh_danh_chs: Vec<PortalIdentity>,
    pub danh_sach_ho_so_bo_sung: Vec<PortalSupplement>,
    pub danh_sach_giay_to_ket_qua: Vec<PortalResult>,
}

fn truncate(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

fn identity(id: Option<&str>) -> Vec<PortalIdentity> {
    let Some(id) = id.map(str::trim).filter(|i| i.chars().all(|c| c.is_ascii_digit())) else { return Vec::new() };
    let kind = match id.len() {
        12 => "1",
        9 => "2",
        _ => return Vec::new(),
    };
    vec![PortalIdentity { loai_dinh_danh: kind.to_owned(), so_dinh_danh: id.to_owned() }]
}

/// The instant processing ended: the result issued, or the stop.
fn ended_at(s: &DossierState) -> Option<Timestamp> {
    s.resolved_at.or(s.stopped_at)
}

impl PortalDossier {
    /// The payload of a dossier the portal knows or must know: one received here once it has
    /// its code (a dossier refused at the desk before acceptance never had one and is not the
    /// portal's business), one submitted on the portal under the portal's code, from the start.
    pub fn of(s: &DossierState, ctx: &PortalContext) -> Option<PortalDossier> {
        let code = s.portal_code()?;
        let sub = &s.submission;
        let a = &sub.applicant;
        let national = ProcedureCode::parse(&sub.procedure.code)
            .map(|c| c.national().to_owned())
            .unwrap_or_else(|_| sub.procedure.code.clone());
        let summary = sub.notes.clone().filter(|n| !n.trim().is_empty()).unwrap_or_else(|| sub.procedure.name.clone());
        Some(PortalDossier {
            ma_ho_so: code.to_string(),
            ma_tthc: national,
            ten_tthc: sub.procedure.name.clone(),
            ma_linh_vuc: ctx.field_code.clone(),
            ten_linh_vuc: ctx.field_name.clone(),
            kenh_thuc_hien: sub.channel.national_code().to_string(),
            chu_ho_so: a.full_name.clone(),
            so_giay_to_chu_ho_so: a.id_number.clone().unwrap_or_default(),
            loai_doi_tuong: match a.kind {
                ApplicantKind::Person => "1",
                ApplicantKind::Organisation => "2",
            }
            .to_owned(),
            email: a.email.clone().unwrap_or_default(),
            so_dien_thoai: a.phone.clone().unwrap_or_default(),
            trich_yeu_ho_so: truncate(&summary, 1000),
            ngay_nop_ho_so: portal_time(sub.portal.as_ref().map_or(s.submitted_at, |p| p.submitted_at)),
            ngay_tiep_nhan: opt_time(s.received_at),
            ngay_hen_tra: opt_time(s.due_at),
            ngay_tra: opt_time(s.returned_at),
            ngay_ket_thuc_xu_ly: opt_time(ended_at(s)),
            ngay_tu_choi: if s.status == Status::Refused { portal_time(s.updated_at) } else { String::new() },
            trang_thai_ho_so: s.status.national_code().to_string(),
            hinh_thuc: if sub.delivery == ResultDelivery::Post { "1" } else { "0" }.to_owned(),
            don_vi_xu_ly: ctx.resolving_name.clone(),
            ghi_chu: s.refusal.as_ref().map(|r| r.join("; ")).unwrap_or_default(),
            noi_nop_ho_so: if sub.channel == Channel::Online { "1" } else { "2" }.to_owned(),
            ho_so_co_thanh_phan_so_hoa: "0".to_owned(),
            tai_khoan_duoc_xac_thuc_voi_vneid: "0".to_owned(),
            duoc_thanh_toan_truc_tuyen: if s.payment_method == Some(PaymentMethod::Online) { "1" } else { "0" }
                .to_owned(),
            dinh_danh_chs: identity(a.id_number.as_deref()),
            danh_sach_ho_so_bo_sung: s
                .supplements
                .iter()
                .filter(|r| !r.before_intake)
                .enumerate()
                .map(|(i, r)| PortalSupplement {
                    ho_so_bo_sung_id: format!("{code}-BS{}", i + 1),
                    noi_dung_bo_sung: r.items.join("; "),
                    ngay_bo_sung: portal_time(r.requested_at),
                    ngay_tiep_nhan_bo_sung: opt_time(r.received_at),
                    trang_thai_bo_sung: if r.received_at.is_some() { "2" } else { "1" }.to_owned(),
                })
                .collect(),
            danh_sach_giay_to_ket_qua: s
                .result
                .iter()
                .map(|r| PortalResult {
                    ten_giay_to: truncate(
                        format!("{} {}", r.number, r.file_name.clone().unwrap_or_default()).trim(),
                        2000,
                    ),
                    giay_to_id: r.file_id.map(|f| f.to_string()).unwrap_or_else(|| r.number.clone()),
                })
                .collect(),
        })
    }
}

/// One process step (`QuaTrinhXuLy`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PortalStep {
    pub ma_ho_so: String,
    /// Who acted (at most 50 characters; "Chuyên viên" when the record has no name).
    pub nguoi_xu_ly: String,
    pub chuc_danh: String,
    pub thoi_diem_xu_ly: String,
    pub phong_ban_xu_ly: String,
    pub noi_dung_xu_ly: String,
    /// The dossier's status after the step (1–10).
    pub trang_thai: String,
    pub ngay_bat_dau: String,
    pub ngay_ket_thuc_theo_quy_dinh: String,
    /// The event's number within the dossier: not a portal field, kept to send each step once.
    #[serde(skip)]
    pub seq: i64,
}

/// Whether an event is a step the portal follows (a change of who holds the dossier or of its
/// status); assignments, consultations and correction requests stay local.
pub fn is_step(body: &EventBody) -> bool {
    !matches!(
        body,
        EventBody::Submitted(_)
            | EventBody::Assigned { .. }
            | EventBody::ConsultationRequested { .. }
            | EventBody::ConsultationAnswered { .. }
            | EventBody::CorrectionRequested { .. }
            | EventBody::CorrectionDecided { .. }
    )
}

/// Whether a change (its new events) is the portal's business: a dossier with a code the portal
/// knows it by (its own, or the one issued here), and a step or an approved correction (which
/// may change what the portal holds). A desk dossier refused before it was received never had
/// a code and is not.
pub fn concerns(has_code: bool, events: &[DossierEvent]) -> bool {
    has_code
        && events
            .iter()
            .any(|e| is_step(&e.body) || matches!(e.body, EventBody::CorrectionDecided { approved: true, .. }))
}

/// The steps of a dossier from its events (each with the state before and after it), for the
/// events after `after_seq`. Events before the dossier had its code give no step.
pub fn steps(
    id: i64,
    events: &[DossierEvent],
    after_seq: i64,
    unit_name: &dyn Fn(AgencyId) -> String,
) -> Vec<PortalStep> {
    let mut out = Vec::new();
    let Ok(mut state) = DossierState::fold(id, &events[..events.len().min(1)]) else { return out };
    for e in &events[1..] {
        let before = state.clone();
        state.apply(e);
        if e.seq <= after_seq || !is_step(&e.body) {
            continue;
        }
        let Some(code) = state.portal_code() else { continue };
        let name = e.actor.name.trim();
        let reason = e.reason.as_deref().map(str::trim).filter(|r| !r.is_empty());
        out.push(PortalStep {
            ma_ho_so: code.to_string(),
            nguoi_xu_ly: if name.is_empty() || name == "system" {
                "Chuyên viên".to_owned()
            } else {
                truncate(name, 50)
            },
            chuc_danh: e.actor.role.map(|r| r.label_vi().to_owned()).unwrap_or_default(),
            thoi_diem_xu_ly: portal_time(e.at),
            phong_ban_xu_ly: e.actor.unit.map(unit_name).unwrap_or_default(),
            noi_dung_xu_ly: match reason {
                Some(r) => format!("{}: {r}", e.body.label()),
                None => e.body.label().to_owned(),
            },
            trang_thai: state.status.national_code().to_string(),
            ngay_bat_dau: portal_time(
                before.step.as_ref().map(|s| s.entered_at).or(before.received_at).unwrap_or(e.at),
            ),
            ngay_ket_thuc_theo_quy_dinh: opt_time(before.step.as_ref().and_then(|s| s.due_at).or(before.due_at)),
            seq: e.seq,
        });
    }
    out
}
