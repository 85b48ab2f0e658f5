//! `motcua-portal-peer`: the conformance peer as a program, for a demo or manual checks.
//!
//! ```text
//! cargo run -p motcua-portal-peer -- --listen 127.0.0.1:8790 \
//!     --push-url http://127.0.0.1:8080/api/v1/portal/dossiers --push-token <portal.inbound_token>
//! ```
//!
//! Control: `POST /_peer/submit {"MaHoSo": "...", "MaDonVi": "..."}` submits a dossier (pushed
//! to motcua when a push target is given, listed for its pull either way); `GET /_peer/recorded`
//! shows what motcua sent and what broke the reference; `POST /_peer/faults` sets failures;
//! `POST /_peer/push-target {"url", "token"}` sets where dossiers are pushed.

use clap::Parser;
use motcua_portal_peer::{Peer, PeerOptions, PushTarget};

#[derive(Parser)]
#[command(version, about = "A stand-in for the national public service portal, for tests and demos")]
struct Args {
    /// Loopback address to listen on.
    #[arg(long, default_value = "127.0.0.1:8790")]
    listen: std::net::SocketAddr,
    /// Bearer token motcua must present (its `portal.token`).
    #[arg(long)]
    token: Option<String>,
    /// Where to push submitted dossiers (motcua's `/api/v1/portal/dossiers`).
    #[arg(long)]
    push_url: Option<String>,
    /// The token for the push (motcua's `portal.inbound_token`).
    #[arg(long, default_value = "")]
    push_token: String,
    /// Submit this many demo dossiers for this agency code at start.
    #[arg(long, default_value_t = 0)]
    demo_dossiers: u32,
    #[arg(long, default_value = "H99.301")]
    demo_agency: String,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if !args.listen.ip().is_loopback() {
        anyhow::bail!("the peer is for tests and demos: listen on a loopback address");
    }
    let push = args.push_url.map(|url| PushTarget { url, token: args.push_token.clone() });
    let peer = Peer::start(args.listen, PeerOptions { token: args.token, lgsp: None, push }).await?;
    println!("Cổng DVC quốc gia (giả lập) tại {}", peer.url());
    println!(
        "  motcua: portal.rest_url={} create_path={} update_path={} steps_path={} pull_path={}",
        peer.url(),
        motcua_portal_peer::CREATE_PATH,
        motcua_portal_peer::UPDATE_PATH,
        motcua_portal_peer::STEPS_PATH,
        motcua_portal_peer::PULL_PATH
    );
    let stamp = motcua_portal_peer::now_portal();
    for i in 1..=args.demo_dossiers {
        let code = format!("G22.99-{}-{i:04}", &stamp[2..8]);
        let d = motcua_portal_peer::sample_dossier(&peer, &code, &args.demo_agency);
        match peer.submit(d).await {
            Ok(_) => println!("  nộp hồ sơ {code}"),
            Err(e) => println!("  hồ sơ {code}: chưa đẩy được ({e}); motcua sẽ lấy khi kéo danh sách"),
        }
    }
    tokio::signal::ctrl_c().await?;
    Ok(())
}
