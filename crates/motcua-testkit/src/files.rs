//! Real documents for upload tests: files that parse as what they claim to be.

/// A one-page A5 PDF with `text`, made by the forms crate (so it parses like any real PDF).
pub fn sample_pdf(text: &str) -> Vec<u8> {
    motcua_forms::markup_to_pdf("sample", &format!("@page A5\n{text}")).expect("a PDF")
}

/// A complete 1×1 PNG.
pub const SAMPLE_PNG: &[u8] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\xa5\xf6E@\x00\x00\x00\x00IEND\xaeB`\x82";

/// The smallest baseline JPEG that names its size (JFIF, SOF0 1×1) and ends properly.
pub fn sample_jpeg() -> Vec<u8> {
    let mut j = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10];
    j.extend_from_slice(b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00");
    j.extend_from_slice(&[0xFF, 0xC0, 0x00, 0x0B, 0x08, 0x00, 0x01, 0x00, 0x01, 0x01, 0x01, 0x11, 0x00]);
    j.extend_from_slice(&[0xFF, 0xD9]);
    j
}
