//! What an uploaded file is, decided by its structure before anything is stored: a name that
//! ends in `.pdf` and bytes that start with `%PDF-` prove nothing (an HTML page with that
//! prefix would be served back to officials as a "result document").

/// A PDF that parses (its cross-reference table or stream, its trailer and the objects they
/// point to) into a document with at least one page reachable from its catalog.
pub fn is_pdf(bytes: &[u8]) -> bool {
    if !bytes.starts_with(b"%PDF-") {
        return false;
    }
    match lopdf::Document::load_mem(bytes) {
        Ok(doc) => doc.catalog().is_ok() && !doc.get_pages().is_empty(),
        Err(_) => false,
    }
}

/// `image/png` or `image/jpeg` for an image whose header decodes (dimensions above zero) and
/// whose data ends as the format requires (PNG's `IEND` chunk, JPEG's end-of-image marker;
/// a little padding after it is tolerated, as cameras and scanners write it).
pub fn image_type(bytes: &[u8]) -> Option<&'static str> {
    let size = imagesize::blob_size(bytes).ok()?;
    if size.width == 0 || size.height == 0 {
        return None;
    }
    let tail = &bytes[bytes.len().saturating_sub(64)..];
    let ends_with = |marker: &[u8]| tail.windows(marker.len()).any(|w| w == marker);
    match imagesize::image_type(bytes).ok()? {
        imagesize::ImageType::Png if ends_with(b"IEND\xAE\x42\x60\x82") => Some("image/png"),
        imagesize::ImageType::Jpeg if ends_with(&[0xFF, 0xD9]) => Some("image/jpeg"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use motcua_testkit::files::{SAMPLE_PNG, sample_jpeg, sample_pdf};

    #[test]
    fn a_real_pdf_passes_and_a_pdf_prefix_does_not() {
        let pdf = sample_pdf("Quyết định số 1/QĐ-UBND");
        assert!(is_pdf(&pdf));
        assert!(!is_pdf(b"%PDF-1.7\n<html><script>alert(1)</script></html>"));
        assert!(!is_pdf(b"%PDF-1.7"));
        // A page dressed with a trailer pointing at a catalog that is not there.
        assert!(!is_pdf(b"%PDF-1.4\n<html><body>x</body></html>\ntrailer\n<< /Root 1 0 R /Size 2 >>\n%%EOF\n"));
        assert!(!is_pdf(b"<html>%PDF-1.4"));
    }

    #[test]
    fn images_need_a_header_that_decodes_and_their_end() {
        assert_eq!(image_type(SAMPLE_PNG), Some("image/png"));
        assert_eq!(image_type(&sample_jpeg()), Some("image/jpeg"));
        let mut padded = sample_jpeg();
        padded.extend_from_slice(&[0; 10]);
        assert_eq!(image_type(&padded), Some("image/jpeg"));
        // Only the magic numbers, or the magic number and a page.
        assert_eq!(image_type(b"\x89PNG\r\n\x1a\n"), None);
        assert_eq!(image_type(b"\x89PNG\r\n\x1a\n<html></html>"), None);
        assert_eq!(image_type(&[0xFF, 0xD8, 0xFF]), None);
        let mut html = vec![0xFF, 0xD8, 0xFF];
        html.extend_from_slice(b"<html><body>not an image</body></html>");
        assert_eq!(image_type(&html), None);
        assert_eq!(image_type(&SAMPLE_PNG[..SAMPLE_PNG.len() - 12]), None, "a PNG without its IEND chunk is cut short");
    }
}
