//! The national procedure package (JSON), in and out.
//!
//! The keys listed in `legal.md` §7.1 (TRINHTUTHUCHIEN, TRUONGHOP, TRINHTU, TENTRINHTU,
//! CACHTHUCTHUCHIEN, KENH, THOIGIAN, THOIGIANGIAIQUYET, DONVITINH, MOTA, PHILEPHI, SOTIEN, DONVI,
//! YEUCAU, KETQUATHUCHIEN[].MAKETQUA) are used as found in public integration code. The other
//! keys (MATTHC, TENTTHC, LINHVUCTHUCHIEN, THANHPHANHOSO, …) follow the same naming but are not
//! confirmed by the reference; the README lists them. Each procedure becomes one import row.

use motcua_domain::calendar::TimeUnit;
use motcua_domain::catalog::{
    Channel, ChannelTime, Fee, FeeKind, FieldCode, FieldRef, FormTemplate, LegalBasis, OnlineLevel, ProcedureCase,
    ProcedureContent, Publication, RequiredDocument, ResultDocument, Submission, TimeLimit,
};
use serde::{Deserialize, Serialize};

use super::rows::{DEFAULT_CASE, ImportProblem, ImportRow, parse_applicant, parse_level, parse_unit};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub struct Package {
    pub matthc: String,
    pub tentthc: String,
    #[serde(default)]
    pub linhvucthuchien: Vec<PkgField>,
    /// Levels as printed: "Cấp tỉnh", "Cấp xã", "Cấp bộ", "Cơ quan khác".
    #[serde(default)]
    pub capthuchien: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coquanthuchien: Option<String>,
    #[serde(default)]
    pub doituongthuchien: Vec<String>,
    #[serde(default)]
    pub trinhtuthuchien: Vec<PkgSteps>,
    #[serde(default)]
    pub cachthucthuchien: Vec<PkgChannel>,
    #[serde(default)]
    pub thanhphanhoso: Vec<PkgDocuments>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub yeucau: Option<String>,
    #[serde(default)]
    pub ketquathuchien: Vec<PkgResult>,
    #[serde(default)]
    pub cancuphaply: Vec<PkgLegal>,
    /// Online level: "4" toàn trình, "3" một phần, "2" none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mucdo: Option<String>,
    #[serde(default)]
    pub khongphuthuocdiagioi: bool,
    #[serde(default)]
    pub lienthong: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ghichu: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quyetdinhcongbo: Option<PkgDecision>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub struct PkgField {
    #[serde(default)]
    pub malinhvuc: Option<String>,
    pub tenlinhvuc: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub struct PkgSteps {
    #[serde(default)]
    pub truonghop: Option<String>,
    #[serde(default)]
    pub trinhtu: Vec<PkgStep>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub struct PkgStep {
    pub tentrinhtu: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub struct PkgChannel {
    /// "1" trực tiếp, "2" trực tuyến, "3" bưu chính.
    pub kenh: NumText,
    #[serde(default)]
    pub thoigian: Vec<PkgTime>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub struct PkgTime {
    #[serde(default)]
    pub thoigiangiaiquyet: Option<NumText>,
    #[serde(default)]
    pub donvitinh: Option<String>,
    /// The case this time belongs to.
    #[serde(default)]
    pub mota: Option<String>,
    #[serde(default)]
    pub philephi: Vec<PkgFee>,
    /// The time limit as worded in the publication, when it is not a plain number and unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thoigiannguyenvan: Option<String>,
    /// Same-day procedures: the cut-off `HH:MM` (default 15:00).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub giotiepnhanmuon: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub struct PkgFee {
    /// "Phí" or "Lệ phí".
    #[serde(default)]
    pub loaiphilephi: Option<String>,
    /// Amount in VND; empty when set elsewhere.
    #[serde(default)]
    pub sotien: Option<NumText>,
    /// Per what.
    #[serde(default)]
    pub donvi: Option<String>,
    /// Name and exemptions.
    pub mota: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ghichu: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub struct PkgDocuments {
    #[serde(default)]
    pub truonghop: Option<String>,
    #[serde(default)]
    pub giayto: Vec<PkgDocument>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub struct PkgDocument {
    pub tengiayto: String,
    #[serde(default)]
    pub sobanchinh: Option<NumText>,
    #[serde(default)]
    pub sobansao: Option<NumText>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maudontokhai: Option<String>,
    #[serde(default)]
    pub sohoabatbuoc: bool,
    #[serde(default)]
    pub khaithacdulieu: bool,
    #[serde(default)]
    pub xuattrinh: bool,
    /// Channels ("1", "2", "3") the document applies to; empty: all.
    #[serde(default)]
    pub kenh: Vec<NumText>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ghichu: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub struct PkgResult {
    #[serde(default)]
    pub maketqua: Option<String>,
    pub tenketqua: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub struct PkgLegal {
    pub sovanban: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenvanban: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub struct PkgDecision {
    #[serde(default)]
    pub soquyetdinh: Option<String>,
    /// `dd/mm/yyyy` or `yyyy-mm-dd`.
    #[serde(default)]
    pub ngaybanhanh: Option<String>,
    #[serde(default)]
    pub nguoiky: Option<String>,
    #[serde(default)]
    pub ngayhieuluc: Option<String>,
    #[serde(default)]
    pub ngayhieulucvanban: Option<String>,
    #[serde(default)]
    pub ngaycongkhai: Option<String>,
}

/// Numbers arrive as JSON numbers or strings ("5", "0,5", "50.000").
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum NumText {
    Number(f64),
    Text(String),
    #[default]
    Null,
}

impl NumText {
    fn text(&self) -> String {
        match self {
            NumText::Number(n) => n.to_string(),
            NumText::Text(s) => s.trim().to_owned(),
            NumText::Null => String::new(),
        }
    }

    /// A whole non-negative number; `.` and spaces group thousands in Vietnamese.
    fn whole(&self) -> Result<Option<u64>, String> {
        match self {
            NumText::Number(n) if *n >= 0.0 && n.fract() == 0.0 && *n < 1e15 => Ok(Some(*n as u64)),
            NumText::Number(n) => Err(format!("số không hợp lệ: {n}")),
            NumText::Null => Ok(None),
            NumText::Text(s) => {
                let digits: String = s.chars().filter(|c| !matches!(c, '.' | ' ' | '\u{a0}')).collect();
                if digits.is_empty() {
                    return Ok(None);
                }
                digits.parse().map(Some).map_err(|_| format!("số không hợp lệ: \"{s}\""))
            }
        }
    }
}

fn parse_fee_kind(raw: Option<&str>) -> FeeKind {
    match raw.map(|r| motcua_domain::catalog::fold::fold(r.trim())).as_deref() {
        Some("phi" | "fee") => FeeKind::Fee,
        _ => FeeKind::Charge,
    }
}

fn parse_channel(n: &NumText) -> Result<Channel, String> {
    n.whole()?
        .and_then(|v| u8::try_from(v).ok())
        .and_then(Channel::from_national_code)
        .ok_or_else(|| format!("kênh không hợp lệ: \"{}\" (dùng 1, 2 hoặc 3)", n.text()))
}

fn non_empty(s: &Option<String>) -> Option<String> {
    s.as_ref().map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

fn case_name(raw: &Option<String>) -> String {
    non_empty(raw).unwrap_or_else(|| DEFAULT_CASE.to_owned())
}

impl Package {
    /// Converts one package entry; `Err` carries every problem found.
    pub fn to_row(&self, label: String) -> Result<ImportRow, ImportProblem> {
        let mut problems: Vec<String> = Vec::new();
        let mut names: Vec<String> = Vec::new();
        let mut note = |n: String| {
            if !names.contains(&n) {
                names.push(n);
            }
        };
        for s in &self.trinhtuthuchien {
            if s.truonghop.is_some() {
                note(case_name(&s.truonghop));
            }
        }
        for d in &self.thanhphanhoso {
            note(case_name(&d.truonghop));
        }
        if names.is_empty() {
            names.push(DEFAULT_CASE.to_owned());
        }
        let mut cases: Vec<ProcedureCase> = names
            .iter()
            .map(|n| ProcedureCase { name: n.clone(), time: TimeLimit::default(), fees: vec![], documents: vec![] })
            .collect();
        let case_of = |mota: &Option<String>, cases: &[ProcedureCase]| -> usize {
            let n = case_name(mota);
            cases.iter().position(|c| c.name == n).unwrap_or(0)
        };
        let mut channels: Vec<Channel> = Vec::new();
        // The desk channel defines the base time; the others become per-channel times.
        let mut sorted: Vec<&PkgChannel> = self.cachthucthuchien.iter().collect();
        sorted.sort_by_key(|c| parse_channel(&c.kenh).map(Channel::national_code).unwrap_or(9));
        for c in sorted {
            // An entry without KENH carries the time of a procedure whose channels are not
            // published.
            let channel = match &c.kenh {
                NumText::Null => None,
                k => match parse_channel(k) {
                    Ok(ch) => Some(ch),
                    Err(e) => {
                        problems.push(e);
                        continue;
                    }
                },
            };
            if let Some(channel) = channel
                && !channels.contains(&channel)
            {
                channels.push(channel);
            }
            for t in &c.thoigian {
                let i = case_of(&t.mota, &cases);
                let amount = match t.thoigiangiaiquyet.as_ref().map(NumText::whole).transpose() {
                    Ok(a) => a.flatten().and_then(|a| u32::try_from(a).ok()),
                    Err(e) => {
                        problems.push(format!("THOIGIANGIAIQUYET: {e}"));
                        None
                    }
                };
                let unit = match t.donvitinh.as_deref().map(parse_unit).transpose() {
                    Ok(u) => u.flatten(),
                    Err(e) => {
                        problems.push(format!("DONVITINH: {e}"));
                        None
                    }
                };
                let cutoff = match non_empty(&t.giotiepnhanmuon)
                    .map(|c| c.parse::<motcua_domain::calendar::ClockTime>())
                {
                    Some(Ok(c)) => Some(c),
                    Some(Err(e)) => {
                        problems.push(format!("GIOTIEPNHANMUON: {e}"));
                        None
                    }
                    None if unit == Some(TimeUnit::SameDay) => Some(motcua_domain::calendar::deadline::DEFAULT_CUTOFF),
                    None => None,
                };
                let time = &mut cases[i].time;
                if time.amount.is_none() && time.unit.is_none() && time.text.is_none() {
                    time.amount = amount;
                    time.unit = unit;
                    time.cutoff = cutoff;
                    time.text = non_empty(&t.thoigiannguyenvan);
                } else if let (Some(a), Some(u), Some(channel)) = (amount, unit, channel)
                    && (Some(a), Some(u)) != (time.amount, time.unit)
                    && !time.by_channel.iter().any(|b| b.channel == channel)
                {
                    time.by_channel.push(ChannelTime { channel, amount: a, unit: u });
                }
                for f in &t.philephi {
                    let amount_vnd = match f.sotien.as_ref().map(NumText::whole).transpose() {
                        Ok(v) => v.flatten(),
                        Err(e) => {
                            problems.push(format!("SOTIEN: {e}"));
                            None
                        }
                    };
                    let fee = Fee {
                        kind: parse_fee_kind(f.loaiphilephi.as_deref()),
                        name: f.mota.trim().to_owned(),
                        amount_vnd,
                        unit: non_empty(&f.donvi).filter(|u| !matches!(u.as_str(), "Đồng" | "đồng" | "VNĐ" | "VND")),
                        note: non_empty(&f.ghichu),
                    };
                    if !cases[i].fees.iter().any(|x| x.name == fee.name) {
                        cases[i].fees.push(fee);
                    }
                }
            }
        }
        for d in &self.thanhphanhoso {
            let i = case_of(&d.truonghop, &cases);
            for g in &d.giayto {
                let count = |n: &Option<NumText>, what: &str, problems: &mut Vec<String>| match n
                    .as_ref()
                    .map(NumText::whole)
                    .transpose()
                {
                    Ok(v) => v.flatten().and_then(|v| u32::try_from(v).ok()).unwrap_or(0),
                    Err(e) => {
                        problems.push(format!("{what} của \"{}\": {e}", g.tengiayto));
                        0
                    }
                };
                let originals = count(&g.sobanchinh, "SOBANCHINH", &mut problems);
                let copies = count(&g.sobansao, "SOBANSAO", &mut problems);
                let mut doc_channels = Vec::new();
                for k in &g.kenh {
                    match parse_channel(k) {
                        Ok(c) => doc_channels.push(c),
                        Err(e) => problems.push(e),
                    }
                }
                cases[i].documents.push(RequiredDocument {
                    name: g.tengiayto.trim().to_owned(),
                    originals,
                    copies,
                    form: non_empty(&g.maudontokhai).map(|name| FormTemplate { name, file: None }),
                    digitization_required: g.sohoabatbuoc,
                    from_data_store: g.khaithacdulieu,
                    submission: if g.xuattrinh { Submission::Show } else { Submission::Submit },
                    channels: doc_channels,
                    note: non_empty(&g.ghichu),
                });
            }
        }
        let steps: Vec<String> = self
            .trinhtuthuchien
            .iter()
            .flat_map(|s| s.trinhtu.iter().map(|t| t.tentrinhtu.trim().to_owned()))
            .filter(|s| !s.is_empty())
            .collect();
        let mut levels = Vec::new();
        for l in &self.capthuchien {
            match parse_level(l) {
                Some(l) if !levels.contains(&l) => levels.push(l),
                Some(_) => {}
                None => problems.push(format!("CAPTHUCHIEN không rõ: \"{l}\"")),
            }
        }
        let mut applicant_types = Vec::new();
        for a in &self.doituongthuchien {
            match parse_applicant(a) {
                Some(a) if !applicant_types.contains(&a) => applicant_types.push(a),
                Some(_) => {}
                None => problems.push(format!("DOITUONGTHUCHIEN không rõ: \"{a}\"")),
            }
        }
        let online_level = match self.mucdo.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(m) => match m.parse::<u8>().ok().and_then(OnlineLevel::from_national_code).or(OnlineLevel::parse(m)) {
                Some(l) => Some(l),
                None => {
                    problems.push(format!("MUCDO không hợp lệ: \"{m}\""));
                    None
                }
            },
        };
        let field = match self.linhvucthuchien.first() {
            Some(f) => {
                let code = match non_empty(&f.malinhvuc) {
                    Some(c) => FieldCode::parse(&c).unwrap_or_else(|e| {
                        problems.push(format!("MALINHVUC: {}", e.message));
                        FieldCode::from_name(&f.tenlinhvuc)
                    }),
                    None => FieldCode::from_name(&f.tenlinhvuc),
                };
                FieldRef { code, name: f.tenlinhvuc.trim().to_owned() }
            }
            None => {
                problems.push("thiếu LINHVUCTHUCHIEN (lĩnh vực)".into());
                FieldRef { code: FieldCode::from_name("khác"), name: String::new() }
            }
        };
        let content = ProcedureContent {
            name: self.tentthc.trim().to_owned(),
            field,
            levels,
            implementing_agencies: non_empty(&self.coquanthuchien),
            cases,
            results: self
                .ketquathuchien
                .iter()
                .map(|r| ResultDocument { name: r.tenketqua.trim().to_owned(), code: non_empty(&r.maketqua) })
                .collect(),
            steps: if steps.is_empty() { None } else { Some(steps.join("\n")) },
            conditions: non_empty(&self.yeucau),
            legal_basis: self
                .cancuphaply
                .iter()
                .map(|l| LegalBasis { number: l.sovanban.trim().to_owned(), title: non_empty(&l.tenvanban) })
                .collect(),
            online_level,
            channels,
            location_independent: self.khongphuthuocdiagioi,
            interagency: self.lienthong,
            applicant_types,
            notes: non_empty(&self.ghichu),
        };
        let publication = match &self.quyetdinhcongbo {
            None => Publication::default(),
            Some(d) => {
                let mut date = |field: &str, raw: &Option<String>| match non_empty(raw) {
                    None => None,
                    Some(s) => match motcua_domain::time::parse_date(field, &s) {
                        Ok(d) => Some(d),
                        Err(e) => {
                            problems.push(format!("{field}: {}", e.message));
                            None
                        }
                    },
                };
                Publication {
                    decision_number: non_empty(&d.soquyetdinh),
                    decision_date: date("NGAYBANHANH", &d.ngaybanhanh),
                    signer: non_empty(&d.nguoiky),
                    effective_from: date("NGAYHIEULUC", &d.ngayhieuluc),
                    legal_basis_effective_on: date("NGAYHIEULUCVANBAN", &d.ngayhieulucvanban),
                    portal_published_on: date("NGAYCONGKHAI", &d.ngaycongkhai),
                }
            }
        };
        if !problems.is_empty() {
            return Err(ImportProblem { row: label, reason: problems.join("; ") });
        }
        Ok(ImportRow { label, code: self.matthc.trim().to_owned(), content, publication })
    }

    /// The package entry of a version.
    pub fn from_content(code: &str, c: &ProcedureContent, p: Option<&Publication>) -> Package {
        let date = |d: Option<jiff::civil::Date>| d.map(motcua_domain::time::format_date);
        let num = |n: u32| NumText::Number(f64::from(n));
        let mut channels: Vec<PkgChannel> = Vec::new();
        let listed: Vec<Option<Channel>> =
            if c.channels.is_empty() { vec![None] } else { c.channels.iter().copied().map(Some).collect() };
        for ch in &listed {
            let thoigian = c
                .cases
                .iter()
                .map(|case| {
                    let per = case.time.by_channel.iter().find(|b| Some(b.channel) == *ch);
                    let (amount, unit) = match per {
                        Some(b) => (Some(b.amount), Some(b.unit)),
                        None => (case.time.amount, case.time.unit),
                    };
                    PkgTime {
                        thoigiangiaiquyet: amount.map(num),
                        donvitinh: unit.map(|u| capitalise(u.label())),
                        mota: Some(case.name.clone()),
                        philephi: case
                            .fees
                            .iter()
                            .map(|f| PkgFee {
                                loaiphilephi: Some(f.kind.label().to_owned()),
                                sotien: f.amount_vnd.map(|v| NumText::Number(v as f64)),
                                donvi: f.unit.clone(),
                                mota: f.name.clone(),
                                ghichu: f.note.clone(),
                            })
                            .collect(),
                        thoigiannguyenvan: if per.is_some() { None } else { case.time.text.clone() },
                        giotiepnhanmuon: case
                            .time
                            .cutoff
                            .filter(|c| *c != motcua_domain::calendar::deadline::DEFAULT_CUTOFF)
                            .map(|c| c.to_string()),
                    }
                })
                .collect();
            let kenh = ch.map_or(NumText::Null, |ch| NumText::Text(ch.national_code().to_string()));
            channels.push(PkgChannel { kenh, thoigian });
        }
        Package {
            matthc: code.to_owned(),
            tentthc: c.name.clone(),
            linhvucthuchien: vec![PkgField {
                malinhvuc: Some(c.field.code.to_string()),
                tenlinhvuc: c.field.name.clone(),
            }],
            capthuchien: c.levels.iter().map(|l| l.label().to_owned()).collect(),
            coquanthuchien: c.implementing_agencies.clone(),
            doituongthuchien: c.applicant_types.iter().map(|a| a.label().to_owned()).collect(),
            trinhtuthuchien: c
                .steps
                .as_ref()
                .map(|s| {
                    vec![PkgSteps {
                        truonghop: None,
                        trinhtu: s
                            .lines()
                            .filter(|l| !l.trim().is_empty())
                            .map(|l| PkgStep { tentrinhtu: l.trim().to_owned() })
                            .collect(),
                    }]
                })
                .unwrap_or_default(),
            cachthucthuchien: channels,
            thanhphanhoso: c
                .cases
                .iter()
                .map(|case| PkgDocuments {
                    truonghop: Some(case.name.clone()),
                    giayto: case
                        .documents
                        .iter()
                        .map(|d| PkgDocument {
                            tengiayto: d.name.clone(),
                            sobanchinh: Some(num(d.originals)),
                            sobansao: Some(num(d.copies)),
                            maudontokhai: d.form.as_ref().map(|f| f.name.clone()),
                            sohoabatbuoc: d.digitization_required,
                            khaithacdulieu: d.from_data_store,
                            xuattrinh: d.submission == Submission::Show,
                            kenh: d.channels.iter().map(|c| NumText::Text(c.national_code().to_string())).collect(),
                            ghichu: d.note.clone(),
                        })
                        .collect(),
                })
                .collect(),
            yeucau: c.conditions.clone(),
            ketquathuchien: c
                .results
                .iter()
                .map(|r| PkgResult { maketqua: r.code.clone(), tenketqua: r.name.clone() })
                .collect(),
            cancuphaply: c
                .legal_basis
                .iter()
                .map(|l| PkgLegal { sovanban: l.number.clone(), tenvanban: l.title.clone() })
                .collect(),
            mucdo: c.online_level.map(|l| l.national_code().to_string()),
            khongphuthuocdiagioi: c.location_independent,
            lienthong: c.interagency,
            ghichu: c.notes.clone(),
            quyetdinhcongbo: p.map(|p| PkgDecision {
                soquyetdinh: p.decision_number.clone(),
                ngaybanhanh: date(p.decision_date),
                nguoiky: p.signer.clone(),
                ngayhieuluc: date(p.effective_from),
                ngayhieulucvanban: date(p.legal_basis_effective_on),
                ngaycongkhai: date(p.portal_published_on),
            }),
        }
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_catalogue_round_trips_through_the_package() {
        let parsed = crate::catalog::demo_rows();
        for r in &parsed.rows {
            let p = Package::from_content(&r.code, &r.content, Some(&r.publication));
            let json = serde_json::to_value(&p).unwrap();
            let back: Package = serde_json::from_value(json).unwrap();
            let row = back.to_row(r.code.clone()).unwrap();
            assert_eq!(row.content, r.content, "{}", r.code);
            assert_eq!(row.publication, r.publication, "{}", r.code);
        }
    }
}
