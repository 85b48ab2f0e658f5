//! A real SMTP server on loopback (Python's aiosmtpd, `scripts/smtp_peer.py`): the tests send
//! over SMTP and read back what arrived, decoded as a mail client would.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde::Deserialize;

use crate::TempDir;

/// One message the server accepted.
#[derive(Debug, Clone, Deserialize)]
pub struct ReceivedMail {
    pub mail_from: String,
    pub rcpt_tos: Vec<String>,
    pub from: String,
    pub to: String,
    pub subject: String,
    pub content_type: String,
    pub charset: Option<String>,
    pub body: String,
}

pub struct SmtpPeer {
    pub port: u16,
    dir: TempDir,
    child: Child,
}

impl Drop for SmtpPeer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn python() -> String {
    std::env::var("MOTCUA_TEST_PYTHON").unwrap_or_else(|_| "python3".to_owned())
}

impl SmtpPeer {
    /// Starts the server on a free loopback port and waits until it listens.
    pub fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("free port").port();
        let dir = TempDir::new("motcua-smtp");
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../scripts/smtp_peer.py");
        let mut child = Command::new(python())
            .arg(script)
            .arg(port.to_string())
            .arg(&dir.path)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("python3 is needed for the SMTP test server: run the tests with scripts/test");
        let mut line = String::new();
        let stdout = child.stdout.take().expect("stdout");
        BufReader::new(stdout).read_line(&mut line).expect("read from the SMTP test server");
        assert_eq!(
            line.trim(),
            "ready",
            "the SMTP test server did not start (aiosmtpd missing? run the tests with scripts/test, which installs it)"
        );
        Self { port, dir, child }
    }

    /// `smtp://127.0.0.1:PORT`, for `mail.smtp_url`.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Every message received so far, in order of arrival.
    pub fn messages(&self) -> Vec<ReceivedMail> {
        let mut names: Vec<_> = std::fs::read_dir(&self.dir.path)
            .expect("read mail folder")
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".json") && !n.starts_with('.'))
            .collect();
        names.sort();
        names
            .iter()
            .map(|n| {
                let text = std::fs::read_to_string(self.dir.path.join(n)).expect("read mail");
                serde_json::from_str(&text).expect("mail record")
            })
            .collect()
    }

    /// Waits (up to 10 s) until at least `n` messages arrived.
    pub async fn wait_for(&self, n: usize) -> Vec<ReceivedMail> {
        for _ in 0..200 {
            let m = self.messages();
            if m.len() >= n {
                return m;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("expected {n} messages, got {}: {:?}", self.messages().len(), self.messages());
    }
}
