//! The petitions report of an agency and a period: the petitions first received there (and
//! under it) in the period, counted by channel, kind and stage, each statutory step against its
//! deadline as of the period's end (or now), in all and per receiving agency; as CSV and XLSX.

use std::collections::BTreeMap;

use jiff::Timestamp;
use motcua_domain::account::Principal;
use motcua_domain::agency::{Agency, AgencyCode, AgencyId};
use motcua_domain::petition::stats::{PetitionStats, StepTally};
use motcua_domain::petition::{PetitionChannel, PetitionKind, Stage};
use motcua_domain::policy::{Denied, Permission, authorize_dossier, scopes, unit_parents};
use motcua_domain::report::ReportPeriod;
use motcua_domain::report::measure::Window;

use super::Petitions;
use crate::error::AppError;
use crate::ports::Reach;

#[derive(Debug, Clone)]
pub struct PetitionReport {
    pub agency: Agency,
    pub period: ReportPeriod,
    /// Counted as of this instant: the period's end, or now when earlier.
    pub as_of: Timestamp,
    pub total: PetitionStats,
    /// Per receiving agency, by name.
    pub by_agency: Vec<(Agency, PetitionStats)>,
}

impl Petitions {
    pub async fn stats(
        &self,
        principal: &Principal,
        agency: Option<&str>,
        period: ReportPeriod,
    ) -> Result<PetitionReport, AppError> {
        let snapshot = self.core.snapshot().await?;
        let agency = match agency.map(str::trim).filter(|c| !c.is_empty()) {
            Some(c) => {
                let code = AgencyCode::parse(c).map_err(|e| AppError::field("agency", "invalid", e.message))?;
                snapshot.agency_by_code(&code).await?.ok_or(AppError::NotFound("cơ quan"))?
            }
            None => {
                let widest = scopes(principal, Permission::ViewPetitions)
                    .into_iter()
                    .chain(unit_parents(principal, Permission::ViewPetitions))
                    .min_by_key(|p| p.depth())
                    .ok_or(AppError::Forbidden(Denied::MissingPermission))?;
                let id = *widest.ids().last().ok_or(AppError::NotFound("cơ quan"))?;
                snapshot.agency(id).await?.ok_or(AppError::NotFound("cơ quan"))?
            }
        };
        Self::reach(principal)?;
        authorize_dossier(principal, Permission::ViewPetitions, &agency.path)
            .map_err(|_| AppError::NotFound("cơ quan"))?;
        let window = Window::new(period.days(), self.core.now());
        let reach = Reach { subtrees: vec![agency.path.clone()], agencies: Vec::new() };
        let rows = self.core.store.petitions_received(&reach, window.start, window.end).await?;
        let mut total = PetitionStats::default();
        let mut per: BTreeMap<AgencyId, PetitionStats> = BTreeMap::new();
        for row in &rows {
            let (state, _) = self.load(&row.id.to_string()).await?;
            let (clocks, _) = self.clocks(&state).await?;
            total.add(&state, &clocks, window.cutoff);
            per.entry(row.received_agency_id).or_default().add(&state, &clocks, window.cutoff);
        }
        let mut by_agency = Vec::new();
        for (id, stats) in per {
            if let Some(a) = snapshot.agency(id).await? {
                by_agency.push((a, stats));
            }
        }
        by_agency.sort_by(|a, b| a.0.name.cmp(&b.0.name));
        Ok(PetitionReport { agency, period, as_of: window.cutoff, total, by_agency })
    }
}

/// The label of a kind as the report shows it.
pub fn kind_label(k: Option<PetitionKind>) -> &'static str {
    k.map_or("Chưa phân loại", |k| k.label())
}

/// What a step is called in the report.
pub const STEPS: [(&str, &str); 4] = [
    ("refuse", "Từ chối tiếp nhận"),
    ("info_request", "Đề nghị bổ sung thông tin (lần đầu)"),
    ("answer", "Trả lời (duyệt hoặc từ chối)"),
    ("publish", "Công khai trả lời"),
];

fn step<'a>(s: &'a PetitionStats, name: &str) -> &'a StepTally {
    match name {
        "refuse" => &s.refuse,
        "info_request" => &s.info_request,
        "publish" => &s.publish,
        _ => &s.answer,
    }
}

impl PetitionReport {
    /// The report as rows: section, item, count (and for steps: in time, late, pending in time,
    /// overdue, rate).
    pub fn rows(&self) -> Vec<Vec<String>> {
        let mut out = vec![vec![
            "Phần".to_owned(),
            "Mục".to_owned(),
            "Số lượng".to_owned(),
            "Xong đúng hạn".to_owned(),
            "Xong quá hạn".to_owned(),
            "Đang trong hạn".to_owned(),
            "Đang quá hạn".to_owned(),
            "Tỷ lệ đúng hạn (%)".to_owned(),
        ]];
        let t = &self.total;
        out.push(vec!["Tổng số".into(), "Phản ánh, kiến nghị tiếp nhận trong kỳ".into(), t.total.to_string()]);
        for c in PetitionChannel::ALL {
            out.push(vec![
                "Theo kênh".into(),
                c.label().into(),
                t.by_channel.get(&c).copied().unwrap_or(0).to_string(),
            ]);
        }
        for k in [Some(PetitionKind::Rules), Some(PetitionKind::Conduct), None] {
            out.push(vec![
                "Theo loại".into(),
                kind_label(k).into(),
                t.by_kind.get(&k).copied().unwrap_or(0).to_string(),
            ]);
        }
        for s in Stage::ALL {
            out.push(vec![
                "Theo tình trạng".into(),
                s.label().into(),
                t.by_stage.get(&s).copied().unwrap_or(0).to_string(),
            ]);
        }
        for (name, label) in STEPS {
            let x = step(t, name);
            out.push(vec![
                "Theo bước".into(),
                label.into(),
                (x.done() + x.pending_in_time + x.pending_overdue).to_string(),
                x.done_in_time.to_string(),
                x.done_late.to_string(),
                x.pending_in_time.to_string(),
                x.pending_overdue.to_string(),
                x.on_time_rate().map(|r| format!("{r:.1}")).unwrap_or_default(),
            ]);
        }
        for (a, s) in &self.by_agency {
            let x = &s.answer;
            out.push(vec![
                "Theo cơ quan tiếp nhận".into(),
                a.name.clone(),
                s.total.to_string(),
                x.done_in_time.to_string(),
                x.done_late.to_string(),
                x.pending_in_time.to_string(),
                x.pending_overdue.to_string(),
                x.on_time_rate().map(|r| format!("{r:.1}")).unwrap_or_default(),
            ]);
        }
        for r in &mut out {
            r.resize(8, String::new());
        }
        out
    }

    pub fn to_csv(&self) -> String {
        let mut s = String::from('\u{feff}');
        for r in self.rows() {
            s.push_str(&crate::reports::csv_line(&r));
            s.push_str("\r\n");
        }
        s
    }

    pub fn to_xlsx(&self) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
        use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook};
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        ws.set_name("PhanAnhKienNghi")?;
        let base = Format::new().set_font_name("Times New Roman").set_font_size(11);
        let title = base.clone().set_bold().set_align(FormatAlign::Center);
        let head =
            base.clone().set_bold().set_border(FormatBorder::Thin).set_text_wrap().set_align(FormatAlign::Center);
        let text = base.clone().set_border(FormatBorder::Thin).set_text_wrap();
        ws.set_column_width(0, 22)?;
        ws.set_column_width(1, 44)?;
        for c in 2..8u16 {
            ws.set_column_width(c, 12)?;
        }
        ws.merge_range(0, 0, 0, 7, &self.agency.name.to_uppercase(), &title)?;
        ws.merge_range(1, 0, 1, 7, "TÌNH HÌNH TIẾP NHẬN, XỬ LÝ PHẢN ÁNH, KIẾN NGHỊ", &title)?;
        ws.merge_range(
            2,
            0,
            2,
            7,
            &format!("Kỳ: {}", self.period.describe()),
            &base.clone().set_italic().set_align(FormatAlign::Center),
        )?;
        for (i, row) in self.rows().iter().enumerate() {
            let r = 4 + i as u32;
            for (c, v) in row.iter().enumerate() {
                let f = if i == 0 { &head } else { &text };
                match v.parse::<f64>() {
                    Ok(n) if c >= 2 && i > 0 => ws.write_number_with_format(r, c as u16, n, f)?,
                    _ => ws.write_string_with_format(r, c as u16, v, f)?,
                };
            }
        }
        wb.save_to_buffer()
    }
}
