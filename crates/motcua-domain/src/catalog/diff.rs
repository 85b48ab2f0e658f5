//! What changed between two versions, in words an official reads.
//!
//! Each version is flattened into labelled lines (one per published item); the diff lists the
//! lines that were removed, added or changed under the same label.

use super::content::ProcedureContent;

/// One labelled item of a version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub label: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Added(Line),
    Removed(Line),
    Changed { label: String, before: String, after: String },
}

fn yes_no(b: bool) -> String {
    if b { "Có".to_owned() } else { "Không".to_owned() }
}

fn opt(v: &Option<String>) -> String {
    v.clone().unwrap_or_default()
}

/// The labelled lines of a version, in reading order.
pub fn lines(c: &ProcedureContent) -> Vec<Line> {
    let mut out = Vec::new();
    let mut push = |label: String, value: String| out.push(Line { label, value });
    push("Tên thủ tục".into(), c.name.clone());
    push("Lĩnh vực".into(), format!("{} ({})", c.field.name, c.field.code));
    push("Cấp thực hiện".into(), c.levels.iter().map(|l| l.label()).collect::<Vec<_>>().join(", "));
    push("Cơ quan thực hiện".into(), opt(&c.implementing_agencies));
    push("Mức độ dịch vụ công trực tuyến".into(), c.online_level.map(|l| l.label().to_owned()).unwrap_or_default());
    push("Cách thức thực hiện".into(), c.channels.iter().map(|l| l.label()).collect::<Vec<_>>().join(", "));
    push("Đối tượng thực hiện".into(), c.applicant_types.iter().map(|l| l.label()).collect::<Vec<_>>().join(", "));
    push("Không phụ thuộc địa giới hành chính".into(), yes_no(c.location_independent));
    push("Liên thông".into(), yes_no(c.interagency));
    push("Trình tự thực hiện".into(), opt(&c.steps));
    push("Yêu cầu, điều kiện".into(), opt(&c.conditions));
    push("Ghi chú".into(), opt(&c.notes));
    for case in &c.cases {
        let p = format!("Trường hợp \"{}\"", case.name);
        push(format!("{p} – thời hạn"), case.time.describe());
        for ch in &case.time.by_channel {
            push(
                format!("{p} – thời hạn {}", ch.channel.label().to_lowercase()),
                format!("{:02} {}", ch.amount, ch.unit.label()),
            );
        }
        for f in &case.fees {
            let note = f.note.as_deref().map(|n| format!(" – {n}")).unwrap_or_default();
            push(
                format!("{p} – {} \"{}\"", f.kind.label().to_lowercase(), f.name),
                format!("{}{note}", f.describe_amount()),
            );
        }
        for d in &case.documents {
            let form = d.form.as_ref().map(|f| format!("; mẫu: {}", f.name)).unwrap_or_default();
            let file = d
                .form
                .as_ref()
                .and_then(|f| f.file.as_ref())
                .map(|f| format!(" (tệp {})", f.file_name))
                .unwrap_or_default();
            push(
                format!("{p} – giấy tờ \"{}\"", d.name),
                format!(
                    "{} bản chính, {} bản sao; {}{form}{file}{}{}",
                    d.originals,
                    d.copies,
                    d.submission.label().to_lowercase(),
                    if d.digitization_required { "; số hóa bắt buộc" } else { "" },
                    if d.from_data_store { "; khai thác từ kho dữ liệu" } else { "" },
                ),
            );
        }
    }
    for r in &c.results {
        push(format!("Kết quả \"{}\"", r.name), r.code.clone().unwrap_or_default());
    }
    for l in &c.legal_basis {
        push(format!("Căn cứ pháp lý {}", l.number), opt(&l.title));
    }
    out
}

/// Differences from `before` to `after`, in the order of `after` (removed lines last).
pub fn diff(before: &ProcedureContent, after: &ProcedureContent) -> Vec<Change> {
    let old = lines(before);
    let new = lines(after);
    let mut changes = Vec::new();
    for line in &new {
        match old.iter().find(|o| o.label == line.label) {
            None => changes.push(Change::Added(line.clone())),
            Some(o) if o.value != line.value => changes.push(Change::Changed {
                label: line.label.clone(),
                before: o.value.clone(),
                after: line.value.clone(),
            }),
            Some(_) => {}
        }
    }
    for line in old {
        if !new.iter().any(|n| n.label == line.label) {
            changes.push(Change::Removed(line));
        }
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::content::tests::sample;

    #[test]
    fn identical_versions_have_no_changes() {
        assert!(diff(&sample(), &sample()).is_empty());
    }

    #[test]
    fn fee_change_document_added_and_removed() {
        let before = sample();
        let mut after = sample();
        after.cases[0].fees[0].amount_vnd = Some(8000);
        let mut doc = after.cases[0].documents[0].clone();
        doc.name = "Giấy chứng sinh".into();
        doc.form = None;
        after.cases[0].documents = vec![doc];
        let changes = diff(&before, &after);
        assert_eq!(changes.len(), 3, "{changes:#?}");
        assert!(matches!(&changes[0], Change::Changed { after, .. } if after == "8.000 đồng"));
        assert!(matches!(&changes[1], Change::Added(l) if l.label.contains("Giấy chứng sinh")));
        assert!(matches!(&changes[2], Change::Removed(l) if l.label.contains("Tờ khai")));
    }
}
