//! Dossiers at An Phú's desk in bulk, through the use cases, for benchmarks.

use std::sync::Arc;

use motcua_app::Services;
use motcua_app::context::RequestMeta;
use motcua_app::dossiers::{Action, Intake};
use motcua_domain::account::Username;
use motcua_domain::agency::AgencyCode;
use motcua_domain::catalog::ProcedureCode;
use motcua_domain::dossier::ActionKind;

/// `n` dossiers of 1.001193 taken in, accepted and forwarded by `clients` concurrent desk
/// officers (three events each); their codes.
pub async fn accepted_and_forwarded(services: &Services, n: u64, clients: u64) -> Vec<String> {
    let desk = services.accounts.find_user(&Username::parse("anphu.motcua").unwrap()).await.unwrap().unwrap();
    let principal = Arc::new(services.accounts.principal_of(&desk).await.unwrap());
    let mut tasks = Vec::new();
    for c in 0..clients {
        let (services, principal) = (services.clone(), principal.clone());
        tasks.push(tokio::spawn(async move {
            let mut codes = Vec::new();
            for i in (c..n).step_by(clients as usize) {
                let input = Intake {
                    accept: true,
                    ..Intake::at_desk(
                        ProcedureCode::parse("1.001193").unwrap(),
                        AgencyCode::parse("H99.301").unwrap(),
                        &format!("Người nộp {i}"),
                    )
                };
                let snapshot = services.snapshot().await.unwrap();
                let v =
                    services.dossiers.intake(&principal, &snapshot, &input, &RequestMeta::cli()).await.unwrap().view;
                let code = v.state.code.expect("accepted").to_string();
                let forward = Action::new(ActionKind::Forward);
                services.dossiers.act(&principal, &snapshot, &code, &forward, &RequestMeta::cli()).await.unwrap();
                codes.push(code);
            }
            codes
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    all
}
