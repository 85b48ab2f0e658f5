//! The forms as a person sees them: rendered by poppler (`pdftoppm`, installed by `scripts/test`)
//! and looked at as pictures, with 1, 4 and 12 documents (items, reasons, hand-overs, register
//! rows). A signature block never stands alone on a page, every page carries text, and the
//! header breaks between the kind of body and its place.
//!
//! Set MOTCUA_FORMS_OUT to a folder to keep the rendered pages (PNG) for a look.

use std::path::{Path, PathBuf};
use std::process::Command;

use motcua_forms::{Form, Templates, sample};
use serde_json::{Value, json};

fn data(n: usize) -> Value {
    let mut v = sample::sample();
    let d = &mut v["dossier"];
    d["documents"] = (1..=n)
        .map(|i| json!({"name": format!("Giấy tờ số {i} theo quy định của thủ tục, bản có chứng thực hoặc bản chụp kèm bản chính để đối chiếu"), "originals": 1, "copies": 1}))
        .collect();
    d["supplement"]["items"] = (1..=n)
        .map(|i| {
            json!(format!(
                "Nội dung cần bổ sung số {i}: bản sao giấy tờ chứng minh nơi cư trú của người được khai sinh"
            ))
        })
        .collect();
    d["refusal"]["reasons"] = (1..=n)
        .map(|i| {
            json!(format!("Lý do từ chối số {i}: yêu cầu không thuộc thẩm quyền giải quyết của cơ quan tiếp nhận"))
        })
        .collect();
    let hand_over = d["hand_overs"][0].clone();
    d["hand_overs"] = (0..n).map(|_| hand_over.clone()).collect();
    let row = v["register"]["rows"][0].clone();
    v["register"]["rows"] = (0..n).map(|_| row.clone()).collect();
    v
}

struct Rendered {
    /// Per page: the number of text bands (runs of rows with text's ink).
    bands: Vec<usize>,
    text: String,
}

fn work_dir(name: &str) -> PathBuf {
    // Tests run side by side and may render the same form: each call has a folder of its own.
    static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("motcua-forms-{}-{call}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn run(cmd: &mut Command) -> std::process::Output {
    let out = cmd.output().expect("poppler-utils (pdftoppm, pdftotext) are needed: run the tests with scripts/test");
    assert!(out.status.success(), "{cmd:?}: {}", String::from_utf8_lossy(&out.stderr));
    out
}

/// Reads a binary PGM (P5, 8-bit).
fn pgm(path: &Path) -> (usize, usize, Vec<u8>) {
    let bytes = std::fs::read(path).unwrap();
    let mut fields = Vec::new();
    let mut i = 0;
    while fields.len() < 4 {
        while bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let start = i;
        while !bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        fields.push(String::from_utf8_lossy(&bytes[start..i]).into_owned());
    }
    assert_eq!(fields[0], "P5");
    let (w, h): (usize, usize) = (fields[1].parse().unwrap(), fields[2].parse().unwrap());
    (w, h, bytes[i + 1..].to_vec())
}

fn render(form: Form, n: usize) -> Rendered {
    let pdf = Templates::builtin().render_pdf(form, &data(n)).unwrap();
    let name = format!("{}-{n}", form.number());
    let dir = work_dir(&name);
    let file = dir.join("form.pdf");
    std::fs::write(&file, &pdf).unwrap();
    run(Command::new("pdftoppm").args(["-r", "40", "-gray"]).arg(&file).arg(dir.join("page")));
    let mut pages: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "pgm"))
        .collect();
    pages.sort();
    let bands = pages
        .iter()
        .map(|p| {
            let (w, h, px) = pgm(p);
            // A row of text has ink here and there; a table's borders cross every row with a
            // few dots and its rules fill whole rows: neither is text.
            let inked: Vec<bool> = (0..h)
                .map(|y| {
                    let dark = px[y * w..(y + 1) * w].iter().filter(|&&v| v < 140).count();
                    dark > 8 && dark < w * 6 / 10
                })
                .collect();
            inked.iter().enumerate().filter(|(y, ink)| **ink && (*y == 0 || !inked[y - 1])).count()
        })
        .collect();
    let text = String::from_utf8(run(Command::new("pdftotext").args(["-layout"]).arg(&file).arg("-")).stdout).unwrap();
    if let Ok(out) = std::env::var("MOTCUA_FORMS_OUT") {
        run(Command::new("pdftoppm").args(["-r", "70", "-png"]).arg(&file).arg(Path::new(&out).join(&name)));
    }
    let _ = std::fs::remove_dir_all(&dir);
    Rendered { bands, text }
}

#[test]
fn no_page_holds_a_signature_block_alone_with_1_4_or_12_documents() {
    for form in Form::ALL {
        for n in [1, 4, 12] {
            let r = render(form, n);
            assert!(!r.bands.is_empty(), "{} with {n}: no page", form.number());
            // A signature block is its heading, the "(Ký …)" line and the name: three bands.
            // A page with no more holds nothing else.
            for (i, b) in r.bands.iter().enumerate() {
                assert!(*b > 3, "form {} with {n}: page {} has only {b} lines of text", form.number(), i + 1);
            }
        }
    }
}

#[test]
fn a_one_document_receipt_is_one_page_and_a_long_list_flows_on() {
    assert_eq!(render(Form::Receipt, 1).bands.len(), 1);
    assert!(render(Form::Receipt, 12).bands.len() >= 2);
    assert!(render(Form::ControlSheet, 12).bands.len() >= 2);
}

#[test]
fn the_header_breaks_between_the_body_and_its_place_and_omits_empty_lines() {
    let r = render(Form::Receipt, 4);
    let lines: Vec<&str> = r.text.lines().map(str::trim).collect();
    // The managing body and the unit each end with their place on a line of its own.
    assert!(lines.iter().any(|l| l.starts_with("ỦY BAN NHÂN DÂN") && !l.contains("AN PHÚ")), "{}", r.text);
    assert!(lines.iter().any(|l| l.starts_with("XÃ AN PHÚ")), "{}", r.text);
    assert!(!lines.iter().any(|l| *l == "PHÚ" || l.starts_with("PHÚ ")), "{}", r.text);
    // The sample has no e-mail: no empty "Email:" line; the delivery reads once.
    assert!(!r.text.contains("Email"), "{}", r.text);
    assert!(r.text.contains("Số điện thoại: 0912345678"), "{}", r.text);
    assert!(r.text.contains("Đăng ký nhận kết quả: Tại Bộ phận Một cửa") && !r.text.contains("tại: Tại"), "{}", r.text);
}
