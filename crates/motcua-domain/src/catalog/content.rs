//! What a procedure says: the content of one version, as published.
//!
//! Every piece a citizen needs (documents, fees, time, where and how to submit, legal basis) is
//! kept per *case* (trường hợp), because the same procedure often differs by case. Values the
//! publication leaves out stay `None`/empty: the catalogue shows "not published" rather than a
//! guess.

use serde::{Deserialize, Serialize};

use super::code::FieldCode;
use crate::calendar::{ClockTime, ProcessingTime, TimeUnit};
use crate::validation::{FieldError, ValidationErrors};

macro_rules! labelled_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $code:literal, $label:literal;)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// Vietnamese label for pages and printed forms.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            pub fn parse(s: &str) -> Option<$name> {
                let s = s.trim();
                Self::ALL.iter().copied().find(|v| v.as_str() == s)
            }
        }
    };
}

labelled_enum! {
    /// Level of government that carries out a procedure (cấp thực hiện).
    Level {
        Province => "province", "Cấp tỉnh";
        Commune => "commune", "Cấp xã";
        Ministry => "ministry", "Cấp bộ/ngành";
        Other => "other", "Cơ quan khác";
    }
}

labelled_enum! {
    /// How a dossier reaches the agency (KenhThucHien 1/2/3).
    Channel {
        Desk => "desk", "Trực tiếp";
        Online => "online", "Trực tuyến";
        Postal => "postal", "Qua dịch vụ bưu chính công ích";
    }
}

labelled_enum! {
    /// Online service level under NĐ 42/2022.
    OnlineLevel {
        Full => "full", "Dịch vụ công trực tuyến toàn trình";
        Partial => "partial", "Dịch vụ công trực tuyến một phần";
        Offline => "none", "Không cung cấp dịch vụ công trực tuyến";
    }
}

labelled_enum! {
    /// Who may carry out the procedure (đối tượng thực hiện).
    ApplicantType {
        Citizen => "citizen", "Công dân Việt Nam";
        Foreigner => "foreigner", "Người nước ngoài";
        Business => "business", "Doanh nghiệp";
        Organisation => "organisation", "Tổ chức";
        Cooperative => "cooperative", "Hợp tác xã";
    }
}

labelled_enum! {
    /// Phí or lệ phí.
    FeeKind {
        Fee => "fee", "Phí";
        Charge => "charge", "Lệ phí";
    }
}

labelled_enum! {
    /// Whether a document is handed in or only shown.
    Submission {
        Submit => "submit", "Nộp";
        Show => "show", "Xuất trình";
    }
}

impl Channel {
    /// The national portal's KenhThucHien code.
    pub fn national_code(self) -> u8 {
        match self {
            Channel::Desk => 1,
            Channel::Online => 2,
            Channel::Postal => 3,
        }
    }

    pub fn from_national_code(code: u8) -> Option<Channel> {
        Channel::ALL.iter().copied().find(|c| c.national_code() == code)
    }
}

impl OnlineLevel {
    /// The portal's legacy MucDo code (4 toàn trình, 3 một phần, 2 information only).
    pub fn national_code(self) -> u8 {
        match self {
            OnlineLevel::Full => 4,
            OnlineLevel::Partial => 3,
            OnlineLevel::Offline => 2,
        }
    }

    pub fn from_national_code(code: u8) -> Option<OnlineLevel> {
        match code {
            4 => Some(OnlineLevel::Full),
            3 => Some(OnlineLevel::Partial),
            1 | 2 => Some(OnlineLevel::Offline),
            _ => None,
        }
    }
}

/// The field (lĩnh vực) a procedure belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldRef {
    pub code: FieldCode,
    pub name: String,
}

/// The legal time limit of a case.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TimeLimit {
    /// `None` when the publication gives no number.
    #[serde(default)]
    pub amount: Option<u32>,
    /// `None` when the publication gives a number without a unit.
    #[serde(default)]
    pub unit: Option<TimeUnit>,
    /// Same-day procedures: received at or after this time, due the next working day.
    #[serde(default)]
    pub cutoff: Option<ClockTime>,
    /// The wording of the publication ("27 Ngày làm việc"), shown when it says more than the
    /// number and unit.
    #[serde(default)]
    pub text: Option<String>,
    /// A different time for some channels (online dossiers are often shorter).
    #[serde(default)]
    pub by_channel: Vec<ChannelTime>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelTime {
    pub channel: Channel,
    pub amount: u32,
    pub unit: TimeUnit,
}

impl TimeLimit {
    /// The time a dossier of this channel gets, if the publication defines one the calendar
    /// can count.
    pub fn processing_time(&self, channel: Channel) -> Option<ProcessingTime> {
        if let Some(c) = self.by_channel.iter().find(|c| c.channel == channel) {
            return ProcessingTime::new(c.amount, c.unit, None).ok();
        }
        let unit = self.unit?;
        let amount = if unit == TimeUnit::SameDay { 1 } else { self.amount? };
        ProcessingTime::new(amount, unit, self.cutoff).ok()
    }

    /// Short Vietnamese wording: "05 ngày làm việc", "Trong ngày (nhận sau 15:00 trả ngày làm
    /// việc tiếp theo)", or the published text.
    pub fn describe(&self) -> String {
        match (self.amount, self.unit) {
            (_, Some(TimeUnit::SameDay)) => {
                let cutoff = self.cutoff.unwrap_or(crate::calendar::deadline::DEFAULT_CUTOFF);
                format!("Trong ngày (hồ sơ nhận sau {cutoff} trả trong ngày làm việc tiếp theo)")
            }
            (Some(a), Some(u)) => format!("{a:02} {}", u.label()),
            (Some(a), None) if self.text.as_deref().is_none_or(|t| t.trim() == a.to_string()) => {
                format!("{a:02} (chưa công bố đơn vị thời gian)")
            }
            _ => match &self.text {
                Some(t) if !t.trim().is_empty() => t.clone(),
                _ => "Chưa công bố".to_owned(),
            },
        }
    }

    /// Whether the calendar can compute a due date from it.
    pub fn is_computable(&self) -> bool {
        Channel::ALL.iter().any(|c| self.processing_time(*c).is_some())
    }
}

/// A fee or charge (phí, lệ phí).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fee {
    pub kind: FeeKind,
    pub name: String,
    /// VND. `Some(0)` only when the publication says free; `None` when set elsewhere (e.g. by
    /// the provincial council) or not published.
    #[serde(default)]
    pub amount_vnd: Option<u64>,
    /// Per what ("bản", "trang", "lần đăng ký").
    #[serde(default)]
    pub unit: Option<String>,
    /// Exemptions and other remarks.
    #[serde(default)]
    pub note: Option<String>,
}

impl Fee {
    pub fn describe_amount(&self) -> String {
        match self.amount_vnd {
            Some(0) => "Miễn phí".to_owned(),
            Some(v) => {
                let per = self.unit.as_deref().map(|u| format!("/{u}")).unwrap_or_default();
                format!("{} đồng{per}", group_thousands(v))
            }
            None => "Theo quy định (chưa công bố mức cụ thể)".to_owned(),
        }
    }
}

/// `1500000` → `1.500.000`, the Vietnamese grouping.
pub fn group_thousands(v: u64) -> String {
    let digits = v.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

/// A form template (mẫu đơn, tờ khai) and the file an administrator attached for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormTemplate {
    pub name: String,
    /// The attached file, when one was uploaded.
    #[serde(default)]
    pub file: Option<FileRef>,
}

/// An uploaded file kept in the file store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRef {
    pub id: i64,
    pub file_name: String,
}

/// A required document (thành phần hồ sơ).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequiredDocument {
    pub name: String,
    #[serde(default)]
    pub originals: u32,
    #[serde(default)]
    pub copies: u32,
    #[serde(default)]
    pub form: Option<FormTemplate>,
    /// Must be digitized at intake (số hóa bắt buộc).
    #[serde(default)]
    pub digitization_required: bool,
    /// May be taken from the applicant's e-data store instead of being handed in.
    #[serde(default)]
    pub from_data_store: bool,
    #[serde(default = "default_submission")]
    pub submission: Submission,
    /// Only for these channels (empty: all).
    #[serde(default)]
    pub channels: Vec<Channel>,
    #[serde(default)]
    pub note: Option<String>,
}

impl RequiredDocument {
    /// Whether the document is asked for only in some situations (the national catalogue says
    /// so in its name: "Trường hợp … thì phải có …", "… trong trường hợp ủy quyền", "(nếu có)",
    /// "chỉ khi …"). Such a paper is not presumed handed in: the desk ticks it when it is.
    /// An alternative inside a required paper ("Giấy chứng sinh; trường hợp không có … thì nộp …")
    /// does not make it conditional.
    pub fn is_conditional(&self) -> bool {
        let name = self.name.trim().to_lowercase();
        ["trường hợp", "nếu", "đối với trường hợp", "trong trường hợp"].iter().any(|p| name.starts_with(p))
            || [" trong trường hợp ", "nếu có", "chỉ khi "].iter().any(|p| name.contains(p))
    }
}

fn default_submission() -> Submission {
    Submission::Submit
}

/// A result document (kết quả thực hiện).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResultDocument {
    pub name: String,
    /// The national result code (MAKETQUA), when known.
    #[serde(default)]
    pub code: Option<String>,
}

/// One case (trường hợp) of a procedure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcedureCase {
    pub name: String,
    #[serde(default)]
    pub time: TimeLimit,
    #[serde(default)]
    pub fees: Vec<Fee>,
    #[serde(default)]
    pub documents: Vec<RequiredDocument>,
}

/// A legal document the procedure rests on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LegalBasis {
    /// `123/2015/NĐ-CP`.
    pub number: String,
    #[serde(default)]
    pub title: Option<String>,
}

/// The content of one version of a procedure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcedureContent {
    pub name: String,
    pub field: FieldRef,
    #[serde(default)]
    pub levels: Vec<Level>,
    /// Agencies that carry it out (cơ quan thực hiện), as published.
    #[serde(default)]
    pub implementing_agencies: Option<String>,
    pub cases: Vec<ProcedureCase>,
    #[serde(default)]
    pub results: Vec<ResultDocument>,
    /// Sequence of steps (trình tự thực hiện).
    #[serde(default)]
    pub steps: Option<String>,
    /// Conditions (yêu cầu, điều kiện).
    #[serde(default)]
    pub conditions: Option<String>,
    #[serde(default)]
    pub legal_basis: Vec<LegalBasis>,
    #[serde(default)]
    pub online_level: Option<OnlineLevel>,
    #[serde(default)]
    pub channels: Vec<Channel>,
    /// Any unit of the province may receive it (không phụ thuộc địa giới hành chính).
    #[serde(default)]
    pub location_independent: bool,
    /// Resolved by several agencies together (liên thông).
    #[serde(default)]
    pub interagency: bool,
    #[serde(default)]
    pub applicant_types: Vec<ApplicantType>,
    /// Remarks shown to citizens (caveats of the publication, local notes).
    #[serde(default)]
    pub notes: Option<String>,
}

const NAME_MAX: usize = 1000;
const TEXT_MAX: usize = 20_000;

fn check_text(errors: &mut ValidationErrors, field: &str, value: &str, max: usize, required: bool) {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        if required {
            errors.push(FieldError::required(field));
        }
        return;
    }
    if trimmed.chars().count() > max {
        errors.push(FieldError::new(field, "too_long", format!("Tối đa {max} ký tự.")));
    }
    if trimmed.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') {
        errors.push(FieldError::new(field, "invalid_characters", "Không được chứa ký tự điều khiển."));
    }
}

fn check_opt(errors: &mut ValidationErrors, field: &str, value: &Option<String>, max: usize) {
    if let Some(v) = value {
        check_text(errors, field, v, max, false);
    }
}

impl ProcedureContent {
    /// Checks everything a draft may hold. Publication needs more: see [`Self::publication_gaps`].
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::new();
        check_text(&mut e, "name", &self.name, NAME_MAX, true);
        check_text(&mut e, "field.name", &self.field.name, 300, true);
        check_opt(&mut e, "implementing_agencies", &self.implementing_agencies, 2000);
        check_opt(&mut e, "steps", &self.steps, TEXT_MAX);
        check_opt(&mut e, "conditions", &self.conditions, TEXT_MAX);
        check_opt(&mut e, "notes", &self.notes, TEXT_MAX);
        if self.cases.is_empty() {
            e.push(FieldError::new("cases", "required", "Thủ tục phải có ít nhất một trường hợp."));
        }
        if self.cases.len() > 50 {
            e.push(FieldError::new("cases", "too_many", "Tối đa 50 trường hợp."));
        }
        let mut names = std::collections::HashSet::new();
        for (i, case) in self.cases.iter().enumerate() {
            let p = format!("cases[{i}]");
            check_text(&mut e, &format!("{p}.name"), &case.name, 500, true);
            if !names.insert(case.name.trim().to_lowercase()) {
                e.push(FieldError::new(format!("{p}.name"), "duplicate", "Tên trường hợp bị trùng."));
            }
            case.time.validate(&p, &mut e);
            for (j, fee) in case.fees.iter().enumerate() {
                let fp = format!("{p}.fees[{j}]");
                check_text(&mut e, &format!("{fp}.name"), &fee.name, 500, true);
                check_opt(&mut e, &format!("{fp}.unit"), &fee.unit, 100);
                check_opt(&mut e, &format!("{fp}.note"), &fee.note, 2000);
                if fee.amount_vnd.is_some_and(|v| v > 1_000_000_000_000) {
                    e.push(FieldError::new(format!("{fp}.amount_vnd"), "out_of_range", "Mức thu quá lớn."));
                }
            }
            for (j, doc) in case.documents.iter().enumerate() {
                let dp = format!("{p}.documents[{j}]");
                check_text(&mut e, &format!("{dp}.name"), &doc.name, NAME_MAX, true);
                check_opt(&mut e, &format!("{dp}.note"), &doc.note, 2000);
                if doc.originals > 99 || doc.copies > 99 {
                    e.push(FieldError::new(format!("{dp}.originals"), "out_of_range", "Số bản từ 0 đến 99."));
                }
                if let Some(f) = &doc.form {
                    check_text(&mut e, &format!("{dp}.form.name"), &f.name, 500, true);
                }
            }
            if case.documents.len() > 200 || case.fees.len() > 50 {
                e.push(FieldError::new(p, "too_many", "Quá nhiều thành phần hồ sơ hoặc mức phí."));
            }
        }
        for (i, r) in self.results.iter().enumerate() {
            check_text(&mut e, &format!("results[{i}].name"), &r.name, 500, true);
            check_opt(&mut e, &format!("results[{i}].code"), &r.code, 100);
        }
        for (i, l) in self.legal_basis.iter().enumerate() {
            check_text(&mut e, &format!("legal_basis[{i}].number"), &l.number, 200, true);
            check_opt(&mut e, &format!("legal_basis[{i}].title"), &l.title, 1000);
        }
        e.into_result()
    }

    /// What a version must state before it is published (Đ8 k2 NĐ 63/2010: name, steps,
    /// method, documents with quantities, time limit, applicants, executing agency). The same
    /// list drives indicator 1.3 of Decision 766; an empty list means complete.
    pub fn publication_gaps(&self) -> Vec<&'static str> {
        let mut gaps = Vec::new();
        if self.name.trim().is_empty() {
            gaps.push("tên thủ tục");
        }
        if self.steps.as_deref().is_none_or(|s| s.trim().is_empty()) {
            gaps.push("trình tự thực hiện");
        }
        if self.channels.is_empty() {
            gaps.push("cách thức thực hiện");
        }
        if self.cases.iter().all(|c| c.documents.is_empty())
            || self.cases.iter().any(|c| c.documents.iter().any(|d| d.originals == 0 && d.copies == 0))
        {
            gaps.push("thành phần, số lượng hồ sơ");
        }
        if self.cases.is_empty() || self.cases.iter().any(|c| !c.time.is_computable()) {
            gaps.push("thời hạn giải quyết");
        }
        if self.applicant_types.is_empty() {
            gaps.push("đối tượng thực hiện");
        }
        if self.implementing_agencies.as_deref().is_none_or(|s| s.trim().is_empty()) {
            gaps.push("cơ quan thực hiện");
        }
        gaps
    }

    /// Every document name of every case, once each (for search and summaries).
    pub fn document_names(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for d in self.cases.iter().flat_map(|c| &c.documents) {
            if !out.contains(&d.name.as_str()) {
                out.push(&d.name);
            }
        }
        out
    }

    /// A one-line summary of the fees of the first case: "Miễn phí", "50.000 đồng", …
    pub fn fee_summary(&self) -> String {
        let fees: Vec<&Fee> = self.cases.iter().flat_map(|c| &c.fees).collect();
        if fees.is_empty() {
            return "Không quy định".to_owned();
        }
        if fees.iter().all(|f| f.amount_vnd == Some(0)) {
            return "Miễn phí".to_owned();
        }
        let known: Vec<u64> = fees.iter().filter_map(|f| f.amount_vnd).filter(|v| *v > 0).collect();
        let unknown = fees.iter().any(|f| f.amount_vnd.is_none());
        let free = fees.iter().any(|f| f.amount_vnd == Some(0));
        let more = if unknown { "; khoản khác theo quy định" } else { "" };
        match (known.iter().min(), known.iter().max()) {
            (Some(lo), Some(hi)) if lo == hi => format!("{} đồng{more}", group_thousands(*lo)),
            (Some(lo), Some(hi)) => format!("{} – {} đồng{more}", group_thousands(*lo), group_thousands(*hi)),
            _ if free => format!("Miễn phí{more}"),
            _ => "Theo quy định (chưa công bố mức cụ thể)".to_owned(),
        }
    }

    /// The time limit of the first case, described.
    pub fn time_summary(&self) -> String {
        self.cases.first().map(|c| c.time.describe()).unwrap_or_else(|| "Chưa công bố".to_owned())
    }

    /// The case a name refers to, or the only case when `name` is `None`.
    pub fn case(&self, name: Option<&str>) -> Option<&ProcedureCase> {
        match name {
            Some(n) => self.cases.iter().find(|c| c.name == n),
            None if self.cases.len() == 1 => self.cases.first(),
            None => None,
        }
    }
}

impl TimeLimit {
    fn validate(&self, prefix: &str, e: &mut ValidationErrors) {
        let field = format!("{prefix}.time");
        if let Some(t) = &self.text {
            check_text(e, &format!("{field}.text"), t, 500, false);
        }
        if self.cutoff.is_some() && self.unit != Some(TimeUnit::SameDay) {
            e.push(FieldError::new(
                format!("{field}.cutoff"),
                "inconsistent",
                "Giờ tiếp nhận muộn nhất chỉ áp dụng cho thủ tục giải quyết trong ngày.",
            ));
        }
        if let (Some(a), Some(u)) = (self.amount, self.unit)
            && u != TimeUnit::SameDay
            && let Err(err) = ProcessingTime::new(a, u, None)
        {
            e.push(FieldError::new(format!("{field}.amount"), "invalid_amount", err.to_string()));
        }
        let mut seen = Vec::new();
        for (i, c) in self.by_channel.iter().enumerate() {
            if seen.contains(&c.channel) {
                e.push(FieldError::new(format!("{field}.by_channel[{i}]"), "duplicate", "Kênh bị lặp."));
            }
            seen.push(c.channel);
            if let Err(err) = ProcessingTime::new(c.amount, c.unit, None) {
                e.push(FieldError::new(format!("{field}.by_channel[{i}].amount"), "invalid_amount", err.to_string()));
            }
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn conditional_papers_are_told_by_their_names() {
        let doc = |name: &str| RequiredDocument { name: name.into(), ..sample().cases[0].documents[0].clone() };
        for conditional in [
            "Trường hợp trẻ em bị bỏ rơi thì phải có biên bản xác nhận việc trẻ bị bỏ rơi",
            "Văn bản ủy quyền (được chứng thực) theo quy định của pháp luật trong trường hợp ủy quyền thực hiện việc đăng ký khai sinh",
            "Giấy tờ chứng minh thông tin cư trú (chỉ khi không khai thác được từ Cơ sở dữ liệu quốc gia về dân cư)",
            "Bản sao giấy đăng ký kết hôn (nếu có)",
            "Nếu người yêu cầu là người nước ngoài: hộ chiếu",
        ] {
            assert!(doc(conditional).is_conditional(), "{conditional}");
        }
        for required in [
            "Tờ khai đăng ký khai sinh theo mẫu",
            "Giấy chứng sinh; trường hợp không có Giấy chứng sinh thì nộp văn bản của người làm chứng xác nhận về việc sinh",
            "Giấy tờ tùy thân còn giá trị (hộ chiếu, thẻ căn cước)",
        ] {
            assert!(!doc(required).is_conditional(), "{required}");
        }
    }

    pub fn sample() -> ProcedureContent {
        ProcedureContent {
            name: "Thủ tục đăng ký khai sinh".into(),
            field: FieldRef { code: FieldCode::from_name("Hộ tịch"), name: "Hộ tịch".into() },
            levels: vec![Level::Commune],
            implementing_agencies: Some("Ủy ban nhân dân cấp xã".into()),
            cases: vec![ProcedureCase {
                name: "Trường hợp chung".into(),
                time: TimeLimit { unit: Some(TimeUnit::SameDay), amount: Some(1), ..TimeLimit::default() },
                fees: vec![Fee {
                    kind: FeeKind::Charge,
                    name: "Lệ phí đăng ký khai sinh".into(),
                    amount_vnd: Some(0),
                    unit: None,
                    note: None,
                }],
                documents: vec![RequiredDocument {
                    name: "Tờ khai đăng ký khai sinh".into(),
                    originals: 1,
                    copies: 0,
                    form: Some(FormTemplate { name: "Tờ khai đăng ký khai sinh".into(), file: None }),
                    digitization_required: true,
                    from_data_store: false,
                    submission: Submission::Submit,
                    channels: vec![],
                    note: None,
                }],
            }],
            results: vec![ResultDocument { name: "Giấy khai sinh".into(), code: None }],
            steps: Some("Nộp hồ sơ; công chức tư pháp – hộ tịch kiểm tra; cấp Giấy khai sinh.".into()),
            conditions: None,
            legal_basis: vec![LegalBasis { number: "123/2015/NĐ-CP".into(), title: None }],
            online_level: Some(OnlineLevel::Partial),
            channels: vec![Channel::Desk, Channel::Online, Channel::Postal],
            location_independent: false,
            interagency: false,
            applicant_types: vec![ApplicantType::Citizen],
            notes: None,
        }
    }

    #[test]
    fn sample_is_valid_and_complete() {
        let s = sample();
        s.validate().unwrap();
        assert!(s.publication_gaps().is_empty(), "{:?}", s.publication_gaps());
    }

    #[test]
    fn validation_collects_every_problem() {
        let mut s = sample();
        s.name = " ".into();
        s.cases[0].time.cutoff = Some(ClockTime::hm(15, 0));
        s.cases[0].time.unit = Some(TimeUnit::WorkingDays);
        s.cases[0].time.amount = Some(0);
        s.cases[0].documents[0].name = String::new();
        let err = s.validate().unwrap_err();
        let fields: Vec<&str> = err.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["name", "cases[0].time.cutoff", "cases[0].time.amount", "cases[0].documents[0].name"]);
    }

    #[test]
    fn gaps_name_what_is_missing() {
        let mut s = sample();
        s.steps = None;
        s.cases[0].time = TimeLimit { amount: Some(5), ..TimeLimit::default() };
        assert_eq!(s.publication_gaps(), vec!["trình tự thực hiện", "thời hạn giải quyết"]);
    }

    #[test]
    fn time_per_channel() {
        let t = TimeLimit {
            amount: Some(27),
            unit: Some(TimeUnit::WorkingDays),
            by_channel: vec![ChannelTime { channel: Channel::Online, amount: 17, unit: TimeUnit::WorkingDays }],
            ..TimeLimit::default()
        };
        assert_eq!(t.processing_time(Channel::Desk).unwrap().amount, 27);
        assert_eq!(t.processing_time(Channel::Online).unwrap().amount, 17);
        assert_eq!(t.describe(), "27 ngày làm việc");
        let none = TimeLimit { amount: Some(3), text: Some("3".into()), ..TimeLimit::default() };
        assert!(none.processing_time(Channel::Desk).is_none());
        assert_eq!(none.describe(), "03 (chưa công bố đơn vị thời gian)");
        assert_eq!(TimeLimit::default().describe(), "Chưa công bố");
    }

    #[test]
    fn money_and_fee_summaries() {
        assert_eq!(group_thousands(0), "0");
        assert_eq!(group_thousands(50_000), "50.000");
        assert_eq!(group_thousands(1_500_000), "1.500.000");
        let mut s = sample();
        assert_eq!(s.fee_summary(), "Miễn phí");
        s.cases[0].fees[0].amount_vnd = Some(8_000);
        assert_eq!(s.fee_summary(), "8.000 đồng");
        let unknown = Fee { amount_vnd: None, ..s.cases[0].fees[0].clone() };
        s.cases[0].fees.push(unknown);
        assert_eq!(s.fee_summary(), "8.000 đồng; khoản khác theo quy định");
        s.cases[0].fees[0].amount_vnd = Some(0);
        assert_eq!(s.fee_summary(), "Miễn phí; khoản khác theo quy định");
        s.cases[0].fees[0].amount_vnd = None;
        assert_eq!(s.fee_summary(), "Theo quy định (chưa công bố mức cụ thể)");
        s.cases[0].fees.clear();
        assert_eq!(s.fee_summary(), "Không quy định");
    }

    #[test]
    fn json_round_trip_and_defaults() {
        let s = sample();
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(serde_json::from_str::<ProcedureContent>(&json).unwrap(), s);
        let minimal: ProcedureContent = serde_json::from_str(
            r#"{"name":"X","field":{"code":"ho-tich","name":"Hộ tịch"},"cases":[{"name":"Chung"}]}"#,
        )
        .unwrap();
        assert!(minimal.cases[0].documents.is_empty());
        assert_eq!(Channel::from_national_code(3), Some(Channel::Postal));
        assert_eq!(OnlineLevel::from_national_code(4), Some(OnlineLevel::Full));
    }
}
