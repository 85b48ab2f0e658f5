//! The printed forms of a dossier (mẫu 01–06) and the desk's register (mẫu 07): the data each
//! form shows, gathered from the dossier's events, handed to the templates of `motcua-forms`.
//! A province's own templates come through the [`crate::ports::FormTemplateSource`] port (a
//! folder, `dossiers.form_templates_dir`) and apply without a restart.

use jiff::Timestamp;
use motcua_domain::account::Principal;
use motcua_domain::agency::AgencyId;
use motcua_domain::dossier::{DossierState, EventBody, Status};
use motcua_domain::policy::{Permission, authorize_dossier};
use motcua_domain::time::{format_date, format_date_long, format_datetime, vn_datetime, vn_day_start};
use motcua_domain::validation::{FieldError, ValidationErrors};
use motcua_forms::{Form, Templates};
use serde_json::{Value, json};

use super::Dossiers;
use crate::error::AppError;
use crate::ports::{DossierQuery, Reach};

/// A rendered form, ready to download.
#[derive(Debug, Clone)]
pub struct FormPdf {
    pub bytes: Vec<u8>,
    pub file_name: String,
}

/// What the register (mẫu 07) covers.
#[derive(Debug, Clone, Default)]
pub struct RegisterPeriod {
    /// The receiving agency (default: the official's first agency where they receive dossiers).
    pub agency: Option<motcua_domain::agency::AgencyCode>,
    /// First day (default: the first of this month).
    pub from: Option<jiff::civil::Date>,
    /// Last day, included (default: today).
    pub to: Option<jiff::civil::Date>,
}

/// The desk's name when an agency has no one-stop unit of its own.
const GENERIC_DESK: &str = "Bộ phận Tiếp nhận và Trả kết quả";

/// More rows than this in one register means the period should be narrower.
const REGISTER_MAX_ROWS: usize = 5000;

/// The templates: the built-ins with a province's files (`*.txt`, same names) in front.
pub fn templates_with(files: Vec<(String, String)>) -> Templates {
    files
        .into_iter()
        .filter(|(name, _)| name.ends_with(".txt"))
        .fold(Templates::builtin(), |t, (name, source)| t.with_override(name, source))
}

/// Checks a province's template files against the sample data: one message per file that is
/// no template's name and per broken form.
pub fn check_templates(files: Vec<(String, String)>) -> Vec<String> {
    let known: Vec<&str> = motcua_forms::BUILTIN_TEMPLATES.iter().map(|(n, _)| *n).collect();
    let mut problems: Vec<String> = files
        .iter()
        .map(|(name, _)| name)
        .filter(|name| name.ends_with(".txt") && !name.starts_with('_') && !known.contains(&name.as_str()))
        .map(|name| format!("{name}: không phải tên mẫu nào ({})", known.join(", ")))
        .collect();
    let templates = templates_with(files);
    for form in Form::ALL {
        if let Err(e) = templates.check(form, &motcua_forms::sample::sample()) {
            problems.push(e.to_string());
        }
    }
    problems
}

/// The forms a dossier has, in order: the receipt once received, the supplement request once
/// asked, and so on.
pub fn available_forms(s: &DossierState) -> Vec<Form> {
    let mut out = Vec::new();
    if s.code.is_some() && s.received_at.is_some() {
        out.push(Form::Receipt);
    }
    if !s.supplements.is_empty() {
        out.push(Form::SupplementRequest);
    }
    if s.refusal.is_some() {
        out.push(Form::Refusal);
    }
    if !s.extensions.is_empty() {
        out.push(Form::Apology);
    }
    if s.status == Status::Stopped {
        out.push(Form::StopNotice);
    }
    if s.received_at.is_some() {
        out.push(Form::ControlSheet);
    }
    out
}

fn instant(t: Option<Timestamp>) -> Value {
    let Some(t) = t else {
        return Value::Null;
    };
    let dt = vn_datetime(t);
    json!({
        "time": dt.strftime("%H:%M").to_string(),
        "date": format_date(dt.date()),
        "short": format_datetime(t),
        "long": dt.strftime("%H giờ %M phút, ngày %d tháng %m năm %Y").to_string(),
    })
}

/// `Ủy ban nhân dân xã An Phú` → `An Phú`: the place name a document is dated at.
pub(crate) fn place_of(agency_name: &str) -> String {
    let mut name = agency_name.trim();
    for prefix in ["Ủy ban nhân dân ", "UBND ", "Uỷ ban nhân dân "] {
        if let Some(rest) = name.strip_prefix(prefix) {
            name = rest;
        }
    }
    for prefix in ["thành phố ", "tỉnh ", "xã ", "phường ", "đặc khu ", "Thành phố ", "Tỉnh ", "Xã ", "Phường "]
    {
        if let Some(rest) = name.strip_prefix(prefix) {
            return rest.to_owned();
        }
    }
    name.to_owned()
}

fn applicant_json(s: &DossierState) -> Value {
    let a = &s.submission.applicant;
    json!({
        "kind": a.kind.label(),
        "full_name": a.full_name,
        "id_number": a.id_number,
        "birth_date": a.birth_date.map(format_date),
        "address": a.address,
        "phone": a.phone,
        "email": a.email,
    })
}

impl Dossiers {
    /// The one-stop unit that received the dossier: the intake officer's unit when it is a
    /// desk, else the receiving agency's desk.
    async fn desk_name(&self, s: &DossierState, events: &[motcua_domain::dossier::DossierEvent]) -> String {
        let unit = events
            .iter()
            .find(|e| matches!(e.body, EventBody::Accepted { .. }))
            .or_else(|| events.first())
            .and_then(|e| e.actor.unit);
        if let Some(unit) = unit
            && let Ok(Some(a)) = self.core.store.agency(unit).await
            && a.level == motcua_domain::agency::AgencyLevel::OneStopDesk
        {
            return a.name;
        }
        self.one_stop_unit_of(s.submission.receiving.id).await.unwrap_or_else(|_| GENERIC_DESK.to_owned())
    }

    async fn form_data(
        &self,
        principal: &Principal,
        s: &DossierState,
        events: &[motcua_domain::dossier::DossierEvent],
        base_url: &str,
    ) -> Value {
        let sub = &s.submission;
        let code = s.code.as_ref().map(ToString::to_string);
        // The control sheet names the units that hand over and receive (its column is "Tên cơ
        // quan (bộ phận)"), not the steps.
        let step_unit = |i: Option<usize>, outside: &str| -> String {
            match i.and_then(|i| s.steps.get(i)) {
                Some(p) => format!("{}, {}", unit_of(p.role), p.agency.name),
                None => outside.to_owned(),
            }
        };
        let hand_overs: Vec<Value> = s
            .hand_overs
            .iter()
            .map(|h| {
                json!({
                    "from_unit": step_unit(h.from_step, "Tổ chức, cá nhân nộp hồ sơ"),
                    "to_unit": step_unit(h.to_step, "Tổ chức, cá nhân nhận kết quả"),
                    "at": format_datetime(h.at),
                    "given_by": h.by,
                    "received_by": h.to.clone().unwrap_or_default(),
                    "result": if h.sent_back { "Trả lại" } else { h.result.map(|r| r.label()).unwrap_or("") },
                    "note": h.note.clone().unwrap_or_default(),
                })
            })
            .collect();
        let supplement = s.supplements.last().map(|r| {
            let reason = events
                .iter()
                .rev()
                .find(|e| matches!(e.body, EventBody::SupplementRequested { .. }))
                .and_then(|e| e.reason.clone());
            json!({ "items": r.items, "reason": reason, "requested_at": instant(Some(r.requested_at)) })
        });
        let refusal = s.refusal.as_ref().map(|reasons| {
            let by =
                events.iter().rev().find(|e| matches!(e.body, EventBody::Refused { .. })).map(|e| e.actor.name.clone());
            json!({ "reasons": reasons, "by": by })
        });
        let extension = s.extensions.last().map(|x| {
            json!({
                "previous": instant(Some(x.previous)),
                "appointment_at": instant(Some(x.appointment_at)),
                "reason": x.reason,
                "signer": x.signer,
                "at": instant(Some(x.at)),
            })
        });
        let stop = events.iter().rev().find_map(|e| match &e.body {
            EventBody::Stopped { at_applicant_request } => Some(json!({
                "at": instant(Some(e.at)),
                "requested_at": instant(s.withdrawal_requested_at),
                "at_applicant_request": at_applicant_request,
                "reason": e.reason,
                "by": e.actor.name,
            })),
            _ => None,
        });
        // Other agencies that took part: not the receiving or resolving agency, nor their units.
        let cooperating: Vec<String> = {
            let own: Vec<String> =
                std::iter::once(&sub.receiving).chain(s.resolving.as_ref()).map(|a| a.code.to_string()).collect();
            let is_own = |code: &str| own.iter().any(|o| code == o || code.starts_with(&format!("{o}.")));
            let mut names: Vec<String> = Vec::new();
            for a in s.steps.iter().map(|p| &p.agency).chain(s.consultations.iter().map(|c| &c.agency)) {
                if !is_own(a.code.as_str()) && !names.contains(&a.name) {
                    names.push(a.name.clone());
                }
            }
            names
        };
        let base = base_url.trim_end_matches('/');
        let today = vn_datetime(self.core.now()).date();
        json!({
            "org": {
                "managing_body": sub.receiving.name,
                "unit": self.desk_name(s, events).await,
                "place": place_of(&sub.receiving.name),
            },
            "today": {
                "date": format_date(today),
                "long": format_date_long(today),
            },
            "officer": principal.full_name,
            "officer_phone": Value::Null,
            "tracking_url": code.as_ref().map(|c| format!("{base}/tra-cuu?ma={c}")),
            "tracking_page": format!("{base}/tra-cuu"),
            "dossier": {
                "code": code,
                "status": s.status.label(),
                "channel": sub.channel.label(),
                "procedure": { "code": sub.procedure.code, "name": sub.procedure.name, "case": sub.procedure.case },
                "receiving": { "name": sub.receiving.name },
                "resolving": { "name": s.resolving.as_ref().map_or(&sub.receiving.name, |r| &r.name) },
                "cooperating": cooperating,
                "applicant": applicant_json(s),
                "representative": sub.representative,
                "documents": sub.documents,
                "sets": sub.sets,
                "fees": if sub.fees_vnd == 0 { "Không".to_owned() } else { format!("{} đồng", sub.fees_vnd) },
                "processing_time": s.processing_time.as_ref().map(|t| t.describe()),
                "received_at": instant(s.received_at),
                "receipt_due_at": instant(s.receipt_due_at),
                "due_at": instant(s.due_at),
                "appointment_at": instant(s.appointment_at),
                "delivery": sub.delivery.label(),
                "register_seq": s.code.as_ref().map(|c| format!("{:04}", c.sequence())),
                "supplement": supplement,
                "refusal": refusal,
                "extension": extension,
                "stop": stop,
                "hand_overs": hand_overs,
            },
        })
    }

    fn templates(&self) -> Result<Templates, AppError> {
        match &self.form_templates {
            Some(source) => {
                Ok(templates_with(source.templates().map_err(|e| AppError::Internal(e.context("thư mục mẫu in")))?))
            }
            None => Ok(Templates::builtin()),
        }
    }

    /// A form of one dossier as PDF, for an official who may see the dossier.
    pub async fn dossier_form(
        &self,
        principal: &Principal,
        key: &str,
        form: Form,
        base_url: &str,
    ) -> Result<FormPdf, AppError> {
        let (s, _) = self.load_dossier(key).await?;
        self.authorize_view(principal, &*self.core.snapshot().await?, &s).await?;
        if !available_forms(&s).contains(&form) {
            return Err(AppError::Conflict {
                code: "form_not_applicable",
                message: format!("Hồ sơ này không có “{}” (mẫu {}).", form.title(), form.number()),
                field: None,
            });
        }
        let events = self.core.store.dossier_events(s.id).await?;
        let mut data = self.form_data(principal, &s, &events, base_url).await;
        // The receipt carries the dossier's rating link: the citizen rates once the result is in.
        if form == Form::Receipt {
            let token = self.rating_token(s.id).await?;
            data["rating_url"] = Value::String(format!("{base_url}/danh-gia/{token}"));
        }
        let subject = s.code.as_ref().map_or_else(|| s.id.to_string(), ToString::to_string);
        self.render(form, data, &subject).await
    }

    async fn render(&self, form: Form, data: Value, subject: &str) -> Result<FormPdf, AppError> {
        let templates = self.templates()?;
        // Layout, font subsetting and compression are CPU work: keep them off the async workers.
        let bytes = tokio::task::spawn_blocking(move || templates.render_pdf(form, &data))
            .await
            .map_err(|e| AppError::Internal(e.into()))?
            .map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?;
        Ok(FormPdf { bytes, file_name: form.file_name(subject) })
    }

    /// The register (sổ theo dõi hồ sơ, mẫu 07) of a receiving agency for a period: every
    /// dossier it received, in the order received.
    pub async fn dossier_register(
        &self,
        principal: &Principal,
        input: &RegisterPeriod,
        base_url: &str,
    ) -> Result<FormPdf, AppError> {
        let mut e = ValidationErrors::new();
        let today = vn_datetime(self.core.now()).date();
        let from = Some(input.from.unwrap_or_else(|| today.first_of_month()));
        let to = Some(input.to.unwrap_or(today));
        if let (Some(f), Some(t)) = (from, to)
            && f > t
        {
            e.push(FieldError::new("to", "invalid_range", "Ngày kết thúc phải sau ngày bắt đầu."));
        }
        let agency =
            match &input.agency {
                Some(code) => {
                    let found = self.core.store.agency_by_code(code).await?;
                    if found.is_none() {
                        e.push(FieldError::new("agency", "not_found", format!("Không có cơ quan mã {code}.")));
                    }
                    found
                }
                None => {
                    let mut first = None;
                    for g in principal.grants.iter().filter(|g| {
                        motcua_domain::policy::role_permissions(g.role).contains(&Permission::ReceiveDossiers)
                    }) {
                        if let Some(a) = self.core.store.agency(g.agency_id).await? {
                            // A desk unit keeps the register of the agency it serves.
                            first = match (a.level, a.parent_id) {
                                (motcua_domain::agency::AgencyLevel::OneStopDesk, Some(p)) => {
                                    self.core.store.agency(p).await?
                                }
                                _ => Some(a),
                            };
                            break;
                        }
                    }
                    if first.is_none() {
                        e.push(FieldError::new("agency", "required", "Chọn cơ quan tiếp nhận."));
                    }
                    first
                }
            };
        e.into_result()?;
        let (Some(from), Some(to), Some(agency)) = (from, to, agency) else {
            return Err(AppError::NotFound("cơ quan"));
        };
        authorize_dossier(principal, Permission::ViewDossiers, &agency.path)
            .map_err(|_| AppError::NotFound("cơ quan"))?;

        let mut q = DossierQuery {
            view_scopes: Reach { subtrees: vec![agency.path.clone()], agencies: vec![] },
            receiving_agency_id: Some(agency.id),
            received_from: Some(vn_day_start(from)),
            received_until: Some(vn_day_start(to.tomorrow().map_err(|e| AppError::Internal(e.into()))?)),
            limit: 500,
            ..DossierQuery::default()
        };
        let mut ids = Vec::new();
        loop {
            let rows = self.core.store.dossiers(&q).await?;
            let done = (rows.len() as i64) < q.limit;
            q.before_id = rows.last().map(|r| r.id);
            ids.extend(rows.into_iter().map(|r| r.id));
            if ids.len() > REGISTER_MAX_ROWS {
                return Err(AppError::Conflict {
                    code: "register_too_long",
                    message: format!("Khoảng thời gian có hơn {REGISTER_MAX_ROWS} hồ sơ; hãy chọn khoảng ngắn hơn."),
                    field: Some("to".into()),
                });
            }
            if done || q.before_id.is_none() {
                break;
            }
        }
        let mut states = Vec::with_capacity(ids.len());
        for id in ids {
            let events = self.core.store.dossier_events(id).await?;
            let s = DossierState::fold(id, &events)
                .map_err(|e| AppError::Internal(anyhow::anyhow!("dossier {id}: {e}")))?;
            states.push(s);
        }
        states.sort_by_key(|s| (s.received_at, s.id));
        let rows: Vec<Value> = states
            .iter()
            .map(|s| {
                let a = &s.submission.applicant;
                let address_phone =
                    [a.address.as_deref(), a.phone.as_deref()].into_iter().flatten().collect::<Vec<_>>().join("; ");
                json!({
                    "code": s.code.as_ref().map(ToString::to_string),
                    "procedure": s.submission.procedure.name,
                    "applicant": a.full_name,
                    "address_phone": address_phone,
                    "resolving": s.resolving.as_ref().map_or(&s.submission.receiving.name, |r| &r.name),
                    "received_at": s.received_at.map(format_datetime),
                    "due_at": s.receipt_due_at.map(format_datetime),
                    "returned_at": s.returned_at.map(format_datetime),
                    "delivery": s.delivered.as_ref().map_or(s.submission.delivery, |d| d.0).label(),
                })
            })
            .collect();
        let desk = self.one_stop_unit_of(agency.id).await?;
        let base = base_url.trim_end_matches('/');
        let data = json!({
            "org": { "managing_body": agency.name, "unit": desk, "place": place_of(&agency.name) },
            "today": { "date": format_date(today), "long": format_date_long(today) },
            "officer": principal.full_name,
            "tracking_page": format!("{base}/tra-cuu"),
            "register": {
                "unit": desk,
                "field": Value::Null,
                "from": format_date(from),
                "to": format_date(to),
                "rows": rows,
            },
        });
        let subject = format!("{}-{}-{}", agency.code, from.strftime("%Y%m%d"), to.strftime("%Y%m%d"));
        self.render(Form::Register, data, &subject).await
    }

    /// The one-stop desk unit directly under an agency, by name.
    async fn one_stop_unit_of(&self, agency: AgencyId) -> Result<String, AppError> {
        let Some(a) = self.core.store.agency(agency).await? else {
            return Err(AppError::NotFound("cơ quan"));
        };
        let units = self.core.store.agencies_within(std::slice::from_ref(&a.path), false).await?;
        Ok(units
            .into_iter()
            .find(|u| u.parent_id == Some(agency) && u.level == motcua_domain::agency::AgencyLevel::OneStopDesk)
            .map_or_else(|| GENERIC_DESK.to_owned(), |u| u.name))
    }
}

/// The unit ("bộ phận") a step's role works in, as the control sheet names it.
fn unit_of(role: motcua_domain::account::Role) -> &'static str {
    use motcua_domain::account::Role;
    match role {
        Role::DeskOfficer => "Bộ phận Một cửa",
        Role::Specialist => "Bộ phận chuyên môn",
        Role::Leader => "Lãnh đạo",
        Role::Clerk => "Văn thư",
        Role::ControlOfficer => "Bộ phận kiểm soát",
        Role::Admin | Role::Viewer => role.label_vi(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn place_names_come_from_the_agency_name() {
        assert_eq!(place_of("Ủy ban nhân dân xã An Phú"), "An Phú");
        assert_eq!(place_of("Ủy ban nhân dân tỉnh Sơn Hà"), "Sơn Hà");
        assert_eq!(place_of("Sở Tư pháp"), "Sở Tư pháp");
    }

    #[test]
    fn a_provinces_files_replace_the_built_ins_by_name_and_unknown_names_are_reported() {
        let receipt = motcua_forms::BUILTIN_TEMPLATES[1];
        let edited = format!("{}\nGhi chú của tỉnh.", receipt.1);
        let files =
            vec![(receipt.0.to_owned(), edited.clone()), ("ghi-chu.md".to_owned(), "not a template".to_owned())];
        let t = templates_with(files.clone());
        assert_eq!(t.source(receipt.0), Some(edited.as_str()));
        assert_eq!(t.source("ghi-chu.md"), None, "only .txt files are templates");
        assert!(check_templates(files).is_empty());
        let problems = check_templates(vec![("01-giay-tiep-nhan-cu.txt".to_owned(), receipt.1.to_owned())]);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].starts_with("01-giay-tiep-nhan-cu.txt: không phải tên mẫu nào"), "{problems:?}");
        let broken = check_templates(vec![(receipt.0.to_owned(), "{% if %}".to_owned())]);
        assert!(!broken.is_empty(), "a template that does not render is reported");
    }
}
