//! The legal forms of a dossier (TT 03/2025/TT-VPCP, Appendix I) as PDF.
//!
//! A form is a text template (MiniJinja syntax) that renders to a small line-oriented markup
//! (`markup`), which is laid out (`layout`) and written as PDF with embedded Liberation Serif
//! (`pdf`). The templates ship in `templates/`; a province overrides any of them by name
//! without recompiling. Values inserted by `{{ … }}` are escaped, so data can never change the
//! layout. No IO: callers pass the overrides and the data.

pub mod fonts;
pub mod layout;
pub mod markup;
pub mod pdf;

use std::collections::BTreeMap;

use minijinja::value::Value;
use minijinja::{AutoEscape, Environment, Error as TemplateError, ErrorKind, Output, State};

/// The forms of Appendix I, TT 03/2025/TT-VPCP.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Form {
    /// Mẫu 01: Giấy tiếp nhận hồ sơ và hẹn trả kết quả.
    Receipt,
    /// Mẫu 02: Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ.
    SupplementRequest,
    /// Mẫu 03: Phiếu từ chối tiếp nhận giải quyết hồ sơ.
    Refusal,
    /// Mẫu 04: Phiếu xin lỗi và đề nghị gia hạn thời gian giải quyết.
    Apology,
    /// Mẫu 05: Thông báo dừng giải quyết hồ sơ.
    StopNotice,
    /// Mẫu 06: Phiếu kiểm soát quá trình giải quyết hồ sơ.
    ControlSheet,
    /// Mẫu 07: Sổ theo dõi hồ sơ.
    Register,
}

impl Form {
    pub const ALL: [Form; 7] = [
        Form::Receipt,
        Form::SupplementRequest,
        Form::Refusal,
        Form::Apology,
        Form::StopNotice,
        Form::ControlSheet,
        Form::Register,
    ];

    /// "01" … "07".
    pub fn number(self) -> &'static str {
        match self {
            Form::Receipt => "01",
            Form::SupplementRequest => "02",
            Form::Refusal => "03",
            Form::Apology => "04",
            Form::StopNotice => "05",
            Form::ControlSheet => "06",
            Form::Register => "07",
        }
    }

    pub fn parse(number: &str) -> Option<Form> {
        Form::ALL.into_iter().find(|f| f.number() == number.trim().trim_start_matches("mau-"))
    }

    pub fn title(self) -> &'static str {
        match self {
            Form::Receipt => "Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
            Form::SupplementRequest => "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ",
            Form::Refusal => "Phiếu từ chối tiếp nhận giải quyết hồ sơ",
            Form::Apology => "Phiếu xin lỗi và đề nghị gia hạn thời gian giải quyết",
            Form::StopNotice => "Thông báo dừng giải quyết hồ sơ",
            Form::ControlSheet => "Phiếu kiểm soát quá trình giải quyết hồ sơ",
            Form::Register => "Sổ theo dõi hồ sơ",
        }
    }

    /// The template's file name, also the name a province's override uses.
    pub fn template_name(self) -> &'static str {
        match self {
            Form::Receipt => "01-giay-tiep-nhan.txt",
            Form::SupplementRequest => "02-yeu-cau-bo-sung.txt",
            Form::Refusal => "03-tu-choi.txt",
            Form::Apology => "04-xin-loi-gia-han.txt",
            Form::StopNotice => "05-dung-giai-quyet.txt",
            Form::ControlSheet => "06-phieu-kiem-soat.txt",
            Form::Register => "07-so-theo-doi.txt",
        }
    }

    /// A download's file name, e.g. `mau-01-H99.301-261123-0001.pdf`.
    pub fn file_name(self, subject: &str) -> String {
        let safe: String =
            subject.chars().map(|c| if c.is_ascii_alphanumeric() || c == '.' || c == '-' { c } else { '_' }).collect();
        format!("mau-{}-{safe}.pdf", self.number())
    }
}

/// The templates shipped with motcua: the forms and the partials they include.
pub const BUILTIN_TEMPLATES: [(&str, &str); 8] = [
    ("_dau-trang.txt", include_str!("../templates/_dau-trang.txt")),
    ("01-giay-tiep-nhan.txt", include_str!("../templates/01-giay-tiep-nhan.txt")),
    ("02-yeu-cau-bo-sung.txt", include_str!("../templates/02-yeu-cau-bo-sung.txt")),
    ("03-tu-choi.txt", include_str!("../templates/03-tu-choi.txt")),
    ("04-xin-loi-gia-han.txt", include_str!("../templates/04-xin-loi-gia-han.txt")),
    ("05-dung-giai-quyet.txt", include_str!("../templates/05-dung-giai-quyet.txt")),
    ("06-phieu-kiem-soat.txt", include_str!("../templates/06-phieu-kiem-soat.txt")),
    ("07-so-theo-doi.txt", include_str!("../templates/07-so-theo-doi.txt")),
];

/// The statutory report templates shipped with motcua (overridable by name like the forms).
pub const REPORT_TEMPLATES: [(&str, &str); 1] = [("bieu-06.txt", include_str!("../templates/bieu-06.txt"))];

#[derive(Debug, thiserror::Error)]
pub enum FormError {
    #[error("mẫu {name}: {message}")]
    Template { name: String, message: String },
    #[error("mẫu {name}, {source}")]
    Markup { name: String, source: markup::MarkupError },
    #[error(transparent)]
    Pdf(#[from] pdf::PdfError),
}

/// Template sources by name: the built-ins, replaced by a province's files of the same name.
#[derive(Debug, Clone, Default)]
pub struct Templates {
    overrides: BTreeMap<String, String>,
}

impl Templates {
    pub fn builtin() -> Templates {
        Templates::default()
    }

    /// Replaces a template (or adds a partial) by name.
    pub fn with_override(mut self, name: impl Into<String>, source: impl Into<String>) -> Templates {
        self.overrides.insert(name.into(), source.into());
        self
    }

    pub fn is_overridden(&self, name: &str) -> bool {
        self.overrides.contains_key(name)
    }

    pub fn source(&self, name: &str) -> Option<&str> {
        self.overrides
            .get(name)
            .map(String::as_str)
            .or_else(|| BUILTIN_TEMPLATES.iter().chain(&REPORT_TEMPLATES).find(|(n, _)| *n == name).map(|(_, s)| *s))
    }

    fn environment(&self) -> Environment<'_> {
        let mut env = Environment::new();
        env.set_auto_escape_callback(|_| AutoEscape::Custom("form".into()));
        env.set_formatter(format_value);
        env.add_filter("header_lines", header_lines);
        // A runaway loop in an edited template fails instead of hanging a request.
        env.set_fuel(Some(20_000_000));
        // Blank lines mean nothing in the markup, so block tags may leave them; what matters is
        // that an included partial ends with its newline and a tag at a line's end keeps it.
        if let Ok(syntax) = minijinja::syntax::SyntaxConfig::builder().keep_trailing_newline(true).build() {
            env.set_syntax(syntax);
        }
        let sources = self.clone();
        env.set_loader(move |name| Ok(sources.source(name).map(str::to_owned)));
        env
    }

    /// The markup a form renders to (what an editing admin previews).
    pub fn render_markup(&self, form: Form, data: &serde_json::Value) -> Result<String, FormError> {
        let name = form.template_name();
        let env = self.environment();
        let template = env.get_template(name).map_err(|e| template_error(name, &e))?;
        template.render(minijinja::value::Serde(data)).map_err(|e| template_error(name, &e))
    }

    /// The form as PDF bytes.
    pub fn render_pdf(&self, form: Form, data: &serde_json::Value) -> Result<Vec<u8>, FormError> {
        let text = self.render_markup(form, data)?;
        markup_to_pdf(form.template_name(), &text)
    }

    /// A report template (`REPORT_TEMPLATES`) as PDF bytes.
    pub fn render_report_pdf(&self, name: &str, data: &serde_json::Value) -> Result<Vec<u8>, FormError> {
        let env = self.environment();
        let template = env.get_template(name).map_err(|e| template_error(name, &e))?;
        let text = template.render(minijinja::value::Serde(data)).map_err(|e| template_error(name, &e))?;
        markup_to_pdf(name, &text)
    }

    /// Checks an edited template before it is saved: it compiles, and renders with the sample
    /// data into valid markup.
    pub fn check(&self, form: Form, sample: &serde_json::Value) -> Result<(), FormError> {
        let text = self.render_markup(form, sample)?;
        markup::parse(&text)
            .map(|_| ())
            .map_err(|source| FormError::Markup { name: form.template_name().into(), source })
    }
}

pub fn markup_to_pdf(name: &str, text: &str) -> Result<Vec<u8>, FormError> {
    let doc = markup::parse(text).map_err(|source| FormError::Markup { name: name.into(), source })?;
    let pages = layout::layout(&doc);
    Ok(pdf::write(&pages, doc.page, &doc.title)?)
}

fn template_error(name: &str, e: &TemplateError) -> FormError {
    let message = match (e.line(), e.detail()) {
        (Some(line), Some(detail)) => format!("dòng {line}: {detail}"),
        (Some(line), None) => format!("dòng {line}: {}", e.kind()),
        (None, Some(detail)) => detail.to_string(),
        (None, None) => e.kind().to_string(),
    };
    let message =
        if e.kind() == ErrorKind::OutOfFuel { "mẫu chạy quá lâu (vòng lặp?)".to_string() } else { message };
    FormError::Template { name: name.into(), message }
}

/// An agency's name as a document header prints it (NĐ 30/2020): in capitals, the kind of body
/// on one line and its place on the next ("ỦY BAN NHÂN DÂN" / "XÃ AN PHÚ"), so a narrow header
/// column never breaks inside the place's name.
fn header_lines(value: String) -> Value {
    const PLACES: [&str; 6] = [" XÃ ", " PHƯỜNG ", " ĐẶC KHU ", " THỊ TRẤN ", " TỈNH ", " THÀNH PHỐ "];
    let upper = value.trim().to_uppercase();
    let mut out = String::with_capacity(upper.len() + 2);
    match PLACES.iter().filter_map(|p| upper.find(p)).min() {
        Some(cut) => {
            markup::escape(&upper[..cut], &mut out);
            out.push_str("\\n");
            markup::escape(&upper[cut + 1..], &mut out);
        }
        None => markup::escape(&upper, &mut out),
    }
    Value::from_safe_string(out)
}

/// Inserted values are escaped for the markup unless marked `|safe`.
fn format_value(out: &mut Output<'_>, _state: &mut State<'_, '_>, value: &Value) -> Result<(), TemplateError> {
    let text = if value.is_undefined() || value.is_none() { String::new() } else { value.to_string() };
    if value.is_safe() {
        out.write_str(&text).map_err(|e| TemplateError::new(ErrorKind::WriteFailure, e.to_string()))
    } else {
        let mut escaped = String::with_capacity(text.len());
        markup::escape(&text, &mut escaped);
        out.write_str(&escaped).map_err(|e| TemplateError::new(ErrorKind::WriteFailure, e.to_string()))
    }
}

pub mod sample;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_form_renders_to_a_pdf() {
        let t = Templates::builtin();
        for form in Form::ALL {
            let markup = t.render_markup(form, &sample::sample()).unwrap();
            assert!(markup::parse(&markup).is_ok(), "{form:?}: {markup}");
            let pdf = t.render_pdf(form, &sample::sample()).unwrap();
            assert!(pdf.starts_with(b"%PDF-"), "{form:?}");
            assert!(pdf.len() < 200_000, "{form:?} is {} bytes", pdf.len());
        }
    }

    #[test]
    fn rendering_is_deterministic() {
        let t = Templates::builtin();
        assert_eq!(
            t.render_pdf(Form::Receipt, &sample::sample()).unwrap(),
            t.render_pdf(Form::Receipt, &sample::sample()).unwrap()
        );
    }

    #[test]
    fn values_cannot_inject_markup() {
        let mut data = sample::sample();
        data["dossier"]["applicant"]["full_name"] = "**X** | @pagebreak\n@qr 20 evil".into();
        let markup = Templates::builtin().render_markup(Form::Receipt, &data).unwrap();
        assert!(markup.contains(r"\*\*X\*\* \| \@pagebreak \@qr 20 evil"), "{markup}");
        let doc = markup::parse(&markup).unwrap();
        // The template's one row of codes (tracking, rating), none from the value.
        let codes: Vec<usize> = doc
            .blocks
            .iter()
            .filter_map(|b| match b {
                markup::Block::Qr { codes, .. } => Some(codes.len()),
                _ => None,
            })
            .collect();
        assert_eq!(codes, vec![2]);
        assert!(!doc.blocks.iter().any(|b| matches!(b, markup::Block::PageBreak)));
    }

    #[test]
    fn a_province_override_replaces_the_header() {
        let t = Templates::builtin().with_override("_dau-trang.txt", "@center TỈNH SƠN HÀ — {{ org.unit }}\n");
        let markup = t.render_markup(Form::Receipt, &sample::sample()).unwrap();
        assert!(markup.contains("TỈNH SƠN HÀ — Trung tâm Phục vụ hành chính công xã An Phú"));
        assert!(!markup.contains("CỘNG HÒA"));
    }

    #[test]
    fn broken_templates_are_refused_with_a_line() {
        let t = Templates::builtin().with_override("01-giay-tiep-nhan.txt", "dòng\n{% if %}\n");
        let e = t.check(Form::Receipt, &sample::sample()).unwrap_err().to_string();
        assert!(e.contains("dòng 2"), "{e}");
        let t = Templates::builtin().with_override("01-giay-tiep-nhan.txt", "a\n@bogus\n");
        let e = t.check(Form::Receipt, &sample::sample()).unwrap_err().to_string();
        assert!(e.contains("dòng 2") && e.contains("@bogus"), "{e}");
        let t = Templates::builtin().with_override(
            "01-giay-tiep-nhan.txt",
            "{% for i in range(1000000) %}{% for j in range(1000000) %}{% endfor %}{% endfor %}",
        );
        assert!(t.check(Form::Receipt, &sample::sample()).is_err());
    }

    #[test]
    fn form_numbers_and_file_names() {
        assert_eq!(Form::parse("01"), Some(Form::Receipt));
        assert_eq!(Form::parse("mau-07"), Some(Form::Register));
        assert_eq!(Form::parse("08"), None);
        assert_eq!(Form::Receipt.file_name("H99.301-261123-0001"), "mau-01-H99.301-261123-0001.pdf");
        assert_eq!(Form::Register.file_name("01/11/2026 đến"), "mau-07-01_11_2026___n.pdf");
    }
}

#[cfg(test)]
mod header_tests {
    use crate::fonts::{Font, Style};
    use crate::markup::MM;

    /// The national motto stays on one line in the A5 header's right column (NĐ 30/2020).
    #[test]
    fn the_motto_fits_the_a5_header() {
        let column = (148.0 - 10.0 - 15.0) * MM * 0.62 - 2.0;
        let motto = Font::get(Style::Bold).width("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 10.0);
        assert!(motto <= column, "{motto} > {column}");
    }
}
