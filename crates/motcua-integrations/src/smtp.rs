//! E-mail over SMTP (lettre): the [`MailSender`] of a real installation.

use std::time::Duration;

use async_trait::async_trait;
use lettre::message::header::ContentType;
use lettre::message::{Mailbox, Message};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use motcua_app::ports::{MailSender, OutgoingMail};

/// Where e-mail goes out.
#[derive(Debug, Clone)]
pub struct SmtpSettings {
    /// `smtp://host:port` (add `?tls=required` for STARTTLS), `smtps://host:port` for TLS;
    /// credentials as `smtp://user:password@host`.
    pub url: String,
    /// The sender, e.g. `Một cửa Sơn Hà <motcua@sonha.gov.vn>`.
    pub from: String,
    pub timeout: Duration,
}

/// A configured SMTP connection (opened per message; reminders are not a mass mailing).
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl SmtpMailer {
    pub fn new(settings: &SmtpSettings) -> anyhow::Result<Self> {
        let from: Mailbox = settings
            .from
            .parse()
            .map_err(|e| anyhow::anyhow!("mail sender {:?} is not an address: {e}", settings.from))?;
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&settings.url)
            .map_err(|e| anyhow::anyhow!("SMTP address is invalid: {e}"))?
            .timeout(Some(settings.timeout))
            .build();
        Ok(Self { transport, from })
    }
}

#[async_trait]
impl MailSender for SmtpMailer {
    /// The address as the message builder will read it.
    fn accepts(&self, address: &str) -> bool {
        address.parse::<lettre::Address>().is_ok()
    }

    async fn send(&self, mail: &OutgoingMail) -> anyhow::Result<()> {
        let to = Mailbox::new(
            Some(mail.to_name.clone()),
            mail.to_address.parse().map_err(|e| anyhow::anyhow!("recipient address is invalid: {e}"))?,
        );
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject.clone())
            .header(ContentType::TEXT_PLAIN)
            .body(mail.body.clone())?;
        self.transport.send(message).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mailer() -> SmtpMailer {
        SmtpMailer::new(&SmtpSettings {
            url: "smtp://127.0.0.1:2525".into(),
            from: "Một cửa <motcua@example.vn>".into(),
            timeout: Duration::from_secs(1),
        })
        .unwrap()
    }

    #[test]
    fn takes_addresses_the_builder_can_write_to() {
        let m = mailer();
        assert!(m.accepts("an.nguyen@sonha.gov.vn"));
        assert!(!m.accepts("not-an-address"));
        assert!(!m.accepts(""));
    }

    #[test]
    fn a_bad_sender_or_url_is_refused_at_start() {
        let bad_from = SmtpSettings { url: "smtp://127.0.0.1".into(), from: "nobody".into(), timeout: Duration::ZERO };
        assert!(SmtpMailer::new(&bad_from).is_err());
        let bad_url = SmtpSettings { url: "http://x".into(), from: "a@b.vn".into(), timeout: Duration::ZERO };
        assert!(SmtpMailer::new(&bad_url).is_err());
    }
}
