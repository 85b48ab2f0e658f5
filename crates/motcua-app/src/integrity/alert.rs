//! The alert when a chain does not hold: the log, the metrics, one audit entry and a
//! notification (and e-mail) to every province-wide administrator, once per distinct failure.

use motcua_domain::account::Role;
use motcua_domain::audit::Outcome;

use super::Integrity;
use super::IntegrityFailure;
use crate::context::{Actor, RequestMeta};
use crate::error::AppError;
use crate::notifications::INTEGRITY_ALERT_KIND as ALERT_KIND;
use crate::ports::NewNotification;

impl Integrity {
    /// Raises the alert. Never fails: an alert that cannot be recorded is still logged and
    /// counted, and the caller goes on refusing whatever it refused.
    pub async fn raise_integrity_alert(&self, failure: &IntegrityFailure) {
        tracing::error!(failure = %failure, "integrity check failed");
        metrics::counter!("motcua_integrity_breaks_total").increment(1);
        metrics::gauge!("motcua_integrity_ok").set(0.0);
        if let Err(e) = self.notify_integrity_failure(failure).await {
            tracing::error!(error = %e, "could not record the integrity alert");
        }
    }

    async fn notify_integrity_failure(&self, failure: &IntegrityFailure) -> Result<(), AppError> {
        let now = self.core.now();
        let roots: Vec<_> = self.core.store.root_agencies().await?.into_iter().map(|a| a.id).collect();
        let admins = self.core.store.role_holders(&roots, Role::Admin).await?;
        let dedup_key = format!("integrity:{}", failure.key());
        let subject = "Cảnh báo: dữ liệu không còn nguyên vẹn".to_owned();
        let body = format!(
            "Hệ thống phát hiện dữ liệu bị thay đổi ngoài các thao tác của phần mềm:\n\n{failure}.\n\n\
             Thao tác trên dữ liệu này bị chặn. Hãy chạy lệnh «motcua audit verify» để xem toàn bộ, đối chiếu \
             với bản sao lưu và bản xuất các neo, và lập biên bản sự việc."
        );
        let mut tx = self.core.store.begin().await?;
        let mut created = 0;
        for admin in &admins {
            let n = NewNotification {
                user_id: admin.user_id,
                kind: ALERT_KIND.to_owned(),
                dossier_id: None,
                subject: subject.clone(),
                body: body.clone(),
                link: "/admin/audit".to_owned(),
                dedup_key: dedup_key.clone(),
                created_at: now,
            };
            let Some(id) = tx.insert_notification(&n).await? else { continue };
            created += 1;
            if self.notifications.can_mail(admin.email.as_deref()) {
                crate::notifications::enqueue_mail(&mut *tx, id, now).await?;
            }
        }
        if created == 0 {
            // Already announced (or nobody to tell): nothing new to record.
            return Ok(());
        }
        let event = Actor::System { label: "integrity" }
            .did("integrity.break")
            .outcome(Outcome::Failed)
            .detail(failure.to_string())
            .event(&RequestMeta::cli(), now);
        self.core.commit_audited(tx, event, &RequestMeta::cli()).await?;
        Ok(())
    }
}
