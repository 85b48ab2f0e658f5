//! The CSRF token of a file upload, read from the head of its multipart body.
//!
//! Pages put the hidden `_csrf` field first in every `multipart/form-data` form. Only the bytes up
//! to the end of that first part are held (at most [`HEAD_LIMIT`]); the request goes on with the
//! held bytes put back in front of the rest of the stream, so an upload is never buffered here and
//! the token never has to travel in the URL (where it would reach history and access logs).

use axum::body::{Body, Bytes};
use axum::extract::Request;
use futures_util::{StreamExt, stream};

/// The first part is a short hidden field: its headers and value fit easily.
const HEAD_LIMIT: usize = 8 * 1024;

/// Returns the value of the body's first part when that part is the field `field`, and the
/// request rebuilt with its whole body. `None` for the request when the body failed mid-read.
pub async fn first_field(req: Request, content_type: &str, field: &str) -> (Option<String>, Option<Request>) {
    let Ok(boundary) = multer::parse_boundary(content_type) else { return (None, Some(req)) };
    let (parts, body) = req.into_parts();
    let mut rest = body.into_data_stream();
    let mut head: Vec<u8> = Vec::new();
    // The first part ends where the second delimiter begins (after the opening one).
    let delimiter = format!("\r\n--{boundary}");
    while head.len() < HEAD_LIMIT && !contains(&head, delimiter.as_bytes()) {
        match rest.next().await {
            Some(Ok(chunk)) => head.extend_from_slice(&chunk),
            Some(Err(_)) => return (None, None),
            None => break,
        }
    }
    let head = Bytes::from(head);
    let value = read_first(head.clone(), boundary, field).await;
    let whole = stream::once(async move { Ok::<Bytes, axum::Error>(head) }).chain(rest);
    (value, Some(Request::from_parts(parts, Body::from_stream(whole))))
}

async fn read_first(head: Bytes, boundary: String, field: &str) -> Option<String> {
    let source = stream::once(async move { Ok::<Bytes, std::io::Error>(head) });
    let mut multipart = multer::Multipart::new(source, boundary);
    let first = multipart.next_field().await.ok()??;
    if first.name() != Some(field) {
        return None;
    }
    first.text().await.ok()
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn upload(parts: &[(&str, &str)], chunk: usize) -> Request {
        let mut body = String::new();
        for (name, value) in parts {
            body.push_str(&format!("--XyZ\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"));
        }
        body.push_str("--XyZ--\r\n");
        let chunks: Vec<Result<Bytes, std::io::Error>> =
            body.into_bytes().chunks(chunk).map(|c| Ok(Bytes::copy_from_slice(c))).collect();
        Request::builder().body(Body::from_stream(stream::iter(chunks))).unwrap()
    }

    async fn whole(req: Request) -> String {
        let bytes = axum::body::to_bytes(req.into_body(), usize::MAX).await.unwrap();
        String::from_utf8(bytes.to_vec()).unwrap()
    }

    const TYPE: &str = "multipart/form-data; boundary=XyZ";

    #[tokio::test]
    async fn reads_the_leading_token_and_gives_back_the_whole_body_whatever_the_chunking() {
        for chunk in [1, 7, 64, 100_000] {
            let req = upload(&[("_csrf", "t0k3n"), ("file", &"x".repeat(50_000))], chunk);
            let (value, req) = first_field(req, TYPE, "_csrf").await;
            assert_eq!(value.as_deref(), Some("t0k3n"), "chunk {chunk}");
            let body = whole(req.unwrap()).await;
            assert!(body.starts_with("--XyZ\r\nContent-Disposition: form-data; name=\"_csrf\""));
            assert!(body.ends_with("--XyZ--\r\n") && body.len() > 50_000);
        }
    }

    #[tokio::test]
    async fn a_token_not_first_or_absent_is_not_found() {
        let (value, req) = first_field(upload(&[("file", "abc"), ("_csrf", "t0k3n")], 5), TYPE, "_csrf").await;
        assert_eq!(value, None);
        assert!(whole(req.unwrap()).await.contains("t0k3n"), "the body is kept as it came");
        let (value, _) = first_field(upload(&[("file", "abc")], 5), TYPE, "_csrf").await;
        assert_eq!(value, None);
        let (value, _) = first_field(upload(&[("_csrf", &"t".repeat(20_000))], 512), TYPE, "_csrf").await;
        assert_eq!(value, None, "a first part longer than the head limit is not a token");
    }
}
