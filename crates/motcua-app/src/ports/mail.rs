use async_trait::async_trait;

/// One outgoing message.
#[derive(Debug, Clone)]
pub struct OutgoingMail {
    pub to_name: String,
    pub to_address: String,
    pub subject: String,
    pub body: String,
}

/// Where e-mail goes out (SMTP in production, implemented outside the use cases).
#[async_trait]
pub trait MailSender: Send + Sync + 'static {
    /// Whether `address` is one this sender can deliver to (a notification to anyone else stays
    /// in the application).
    fn accepts(&self, address: &str) -> bool;

    /// Hands the message to the mail server; an error is retried by the job that sends it.
    async fn send(&self, mail: &OutgoingMail) -> anyhow::Result<()>;
}
