//! A conformance peer for the national public service portal (Cổng DVC quốc gia).
//!
//! There is no public sandbox of the portal. This small server speaks the payloads public
//! integration code exchanges with it (`legal.md` §7.1–7.3, §13.2), validates every payload it
//! receives against that reference, records what it accepted, and fails on command: slow
//! answers, HTTP 5xx, "already exists", malformed answers, down (its listener closed), and
//! duplicate pushes. Tests start it on a loopback port and assert on what it recorded; the
//! `motcua-portal-peer` binary serves the same for a demo.
//!
//! It is a peer for tests, not the portal: where the reference is unsure (the REST paths, the
//! evaluation API's answer, the shape of what the portal sends a province) it follows the
//! choices motcua made, which the README lists.

pub mod pdf;
pub mod validate;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

pub use validate::{STEP_CHUNK, check_dossier, check_step, is_instant};

/// The REST paths the peer serves (a province gets its own from the Government Office).
pub const CREATE_PATH: &str = "/dvcqg/hoso/themmoi";
pub const UPDATE_PATH: &str = "/dvcqg/hoso/capnhat";
pub const STEPS_PATH: &str = "/dvcqg/hoso/tiendo";
pub const PULL_PATH: &str = "/dvcqg/hoso/danhsach";
pub const EVALUATION_PATH: &str = "/api/v1/reporting/evaluation";

/// Failures to produce, each for the next `n` calls (0: none).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Faults {
    /// Milliseconds to wait before answering every call.
    pub slow_ms: u64,
    /// Answer HTTP 500.
    pub fail_5xx: u32,
    /// Answer a create with "đã tồn tại" (error_code -3) whether or not the dossier exists.
    pub exists_on_create: u32,
    /// Answer with something that is not the documented answer.
    pub malformed: u32,
    /// Push every submitted dossier this many extra times.
    pub duplicate_pushes: u32,
}

/// One accepted version of a dossier.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DossierVersion {
    /// Sent as an update (or with `isUpdating` "True").
    pub update: bool,
    pub body: Value,
}

/// One call the peer answered.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Call {
    /// `create`, `update`, `steps`, `pull`, `file`, `evaluation/<name>`, `lgsp/<service>`, `push`.
    pub kind: String,
    /// The dossier codes the call was about.
    pub codes: Vec<String>,
    pub ok: bool,
    pub answer: String,
}

/// What the peer received and accepted, in order.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Recorded {
    pub calls: Vec<Call>,
    /// Accepted dossier payloads, in the order they arrived.
    pub dossiers: Vec<DossierVersion>,
    /// Accepted process steps, each counted once.
    pub steps: Vec<Value>,
    /// Sizes of the step chunks received.
    pub chunks: Vec<usize>,
    /// Steps received again, identical to one already counted (not counted twice).
    pub resent_steps: u32,
    /// Everything that did not match the reference.
    pub violations: Vec<String>,
}

impl Recorded {
    /// The accepted versions of one dossier.
    pub fn versions_of(&self, code: &str) -> Vec<&DossierVersion> {
        self.dossiers.iter().filter(|d| d.body["MaHoSo"] == code).collect()
    }

    /// The accepted steps of one dossier, as `(TrangThai, NoiDungXuLy)`.
    pub fn steps_of(&self, code: &str) -> Vec<(String, String)> {
        self.steps
            .iter()
            .filter(|s| s["MaHoSo"] == code)
            .map(|s| {
                (
                    s["TrangThai"].as_str().unwrap_or_default().to_owned(),
                    s["NoiDungXuLy"].as_str().unwrap_or_default().to_owned(),
                )
            })
            .collect()
    }
}

/// Where the peer pushes submitted dossiers (motcua's `POST /api/v1/portal/dossiers`).
#[derive(Debug, Clone)]
pub struct PushTarget {
    pub url: String,
    pub token: String,
}

#[derive(Default)]
struct Inner {
    faults: Faults,
    recorded: Recorded,
    /// The latest accepted payload of each dossier the portal holds.
    known: BTreeMap<String, Value>,
    /// Dossiers submitted on the portal, in order, with when they were listed.
    submitted: Vec<(String, Value)>,
    files: HashMap<String, Vec<u8>>,
    /// Published evaluation answers by endpoint name.
    published: HashMap<String, Value>,
    /// The national procedure list and details (LayDanhSachTTHC / LayThuTuc).
    catalogue: Vec<Value>,
    sessions: HashSet<String>,
    step_keys: HashSet<String>,
    push: Option<PushTarget>,
    base: String,
    /// The bearer token callers must present (`None`: any).
    token: Option<String>,
    lgsp: Option<(String, String)>,
    next: u64,
}

/// The serving task and the switch that stops it.
type Listening = (tokio::task::JoinHandle<()>, tokio::sync::oneshot::Sender<()>);

/// A running peer.
#[derive(Clone)]
pub struct Peer {
    inner: Arc<Mutex<Inner>>,
    addr: SocketAddr,
    server: Arc<Mutex<Option<Listening>>>,
}

/// How a peer starts.
#[derive(Debug, Clone, Default)]
pub struct PeerOptions {
    /// Bearer token required on the REST calls.
    pub token: Option<String>,
    /// LGSP/NGSP credentials (`username`, `password`) for the "service" RPC.
    pub lgsp: Option<(String, String)>,
    pub push: Option<PushTarget>,
}

impl Peer {
    /// Starts on `addr` (port 0: a free one).
    pub async fn start(addr: SocketAddr, options: PeerOptions) -> anyhow::Result<Peer> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let inner = Inner {
            push: options.push,
            token: options.token,
            lgsp: options.lgsp,
            base: format!("http://{addr}"),
            ..Inner::default()
        };
        let peer = Peer { inner: Arc::new(Mutex::new(inner)), addr, server: Arc::new(Mutex::new(None)) };
        peer.serve(listener);
        Ok(peer)
    }

    /// A peer on a free loopback port.
    pub async fn start_local(options: PeerOptions) -> anyhow::Result<Peer> {
        Peer::start(SocketAddr::from(([127, 0, 0, 1], 0)), options).await
    }

    fn serve(&self, listener: tokio::net::TcpListener) {
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let app = router(self.clone());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = stopped.await;
                })
                .await;
        });
        *self.server.lock().expect("peer") = Some((task, stop));
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Closes the listener (calls are refused) or opens it again on the same port.
    pub async fn set_down(&self, down: bool) -> anyhow::Result<()> {
        let running = self.server.lock().expect("peer").take();
        match (down, running) {
            (true, Some((task, stop))) => {
                let _ = stop.send(());
                let _ = tokio::time::timeout(Duration::from_secs(5), task).await;
            }
            (false, None) => {
                let listener = tokio::net::TcpListener::bind(self.addr).await?;
                self.serve(listener);
            }
            (_, running) => *self.server.lock().expect("peer") = running,
        }
        Ok(())
    }

    /// Forgets every LGSP session (as an adapter restarting or timing them out does).
    pub fn expire_sessions(&self) {
        self.inner.lock().expect("peer").sessions.clear();
    }

    /// Where submitted dossiers are pushed from now on.
    pub fn set_push(&self, target: Option<PushTarget>) {
        self.inner.lock().expect("peer").push = target;
    }

    pub fn set_faults(&self, faults: Faults) {
        self.inner.lock().expect("peer").faults = faults;
    }

    pub fn recorded(&self) -> Recorded {
        self.inner.lock().expect("peer").recorded.clone()
    }

    /// Publishes what an evaluation endpoint answers (`service-results`, `dvc-progress-tree`…).
    pub fn publish(&self, endpoint: &str, answer: Value) {
        self.inner.lock().expect("peer").published.insert(endpoint.to_owned(), answer);
    }

    pub fn set_catalogue(&self, procedures: Vec<Value>) {
        self.inner.lock().expect("peer").catalogue = procedures;
    }

    /// Serves a file; returns its address for `DuongDanTaiTepTin`.
    pub fn add_file(&self, bytes: Vec<u8>) -> (String, String) {
        let mut inner = self.inner.lock().expect("peer");
        inner.next += 1;
        let id = format!("tep-{}", inner.next);
        inner.files.insert(id.clone(), bytes);
        let url = format!("{}/dvcqg/tep/{id}", inner.base);
        (id, url)
    }

    /// A dossier submitted on the portal: listed for the pull and, with a push target, pushed
    /// (again as many times as `duplicate_pushes` asks). Returns the push answers.
    pub async fn submit(&self, dossier: Value) -> anyhow::Result<Vec<Value>> {
        let code = dossier["MaHoSo"].as_str().unwrap_or_default().to_owned();
        let (push, times) = {
            let mut inner = self.inner.lock().expect("peer");
            inner.known.insert(code.clone(), dossier.clone());
            inner.submitted.push((code.clone(), dossier.clone()));
            (inner.push.clone(), 1 + inner.faults.duplicate_pushes)
        };
        let Some(target) = push else { return Ok(Vec::new()) };
        let client = reqwest::Client::new();
        let mut answers = Vec::new();
        for _ in 0..times {
            let resp = client.post(&target.url).bearer_auth(&target.token).json(&json!([dossier])).send().await?;
            let status = resp.status();
            let answer: Value = resp.json().await.unwrap_or(Value::Null);
            self.record(Call {
                kind: "push".into(),
                codes: vec![code.clone()],
                ok: status.is_success() && answer["error_code"] == "0",
                answer: answer.to_string(),
            });
            answers.push(answer);
        }
        Ok(answers)
    }

    /// A citizen's supplement: the dossier listed again with more files.
    pub async fn supplement(&self, code: &str, files: Vec<Value>) -> anyhow::Result<Vec<Value>> {
        // The citizen's own submission, not what the province has told the portal since.
        let mut dossier = {
            let inner = self.inner.lock().expect("peer");
            inner.submitted.iter().rev().find(|(c, _)| c == code).map(|(_, d)| d.clone())
        }
        .ok_or_else(|| anyhow::anyhow!("no dossier {code} was submitted"))?;
        if let Some(list) = dossier.get_mut("TaiLieuNop").and_then(Value::as_array_mut) {
            list.extend(files);
        } else {
            dossier["TaiLieuNop"] = Value::Array(files);
        }
        self.submit(dossier).await
    }

    fn record(&self, call: Call) {
        self.inner.lock().expect("peer").recorded.calls.push(call);
    }
}

/// An answer of the REST generation: `{error_code, message}`.
fn answer(code: &str, message: &str) -> Response {
    axum::Json(json!({"error_code": code, "message": message})).into_response()
}

/// The faults that apply to a call before it is looked at; `Some` answers instead of it.
async fn fault(peer: &Peer) -> Option<Response> {
    let slow = peer.inner.lock().expect("peer").faults.slow_ms;
    if slow > 0 {
        tokio::time::sleep(Duration::from_millis(slow)).await;
    }
    let mut inner = peer.inner.lock().expect("peer");
    if inner.faults.fail_5xx > 0 {
        inner.faults.fail_5xx -= 1;
        return Some((StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error").into_response());
    }
    if inner.faults.malformed > 0 {
        inner.faults.malformed -= 1;
        return Some(([(header::CONTENT_TYPE, "application/json")], "{\"error_code\": ").into_response());
    }
    None
}

fn authorized(peer: &Peer, headers: &HeaderMap) -> bool {
    let inner = peer.inner.lock().expect("peer");
    match &inner.token {
        None => true,
        Some(t) => headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|h| h.strip_prefix("Bearer "))
            .is_some_and(|got| got == t),
    }
}

fn array(body: &str) -> Result<Vec<Value>, String> {
    match serde_json::from_str::<Value>(body) {
        Ok(Value::Array(items)) => Ok(items),
        Ok(_) => Err("the body must be a JSON array".into()),
        Err(e) => Err(format!("the body is not JSON: {e}")),
    }
}

/// Takes dossiers (create or update); the answer and whether it was accepted.
fn take_dossiers(inner: &mut Inner, items: Vec<Value>, update: bool) -> (bool, String, String) {
    let codes: Vec<String> = items.iter().map(|d| d["MaHoSo"].as_str().unwrap_or("?").to_owned()).collect();
    let problems: Vec<String> = items.iter().flat_map(check_dossier).collect();
    if !problems.is_empty() {
        inner.recorded.violations.extend(problems.iter().cloned());
        return (false, "-1".into(), format!("Dữ liệu không hợp lệ: {}", problems.join("; ")));
    }
    if !update {
        if inner.faults.exists_on_create > 0 {
            inner.faults.exists_on_create -= 1;
            return (false, "-3".into(), "Hồ sơ đã tồn tại trên hệ thống".into());
        }
        if let Some(c) = codes.iter().find(|c| inner.known.contains_key(*c)) {
            return (false, "-3".into(), format!("Hồ sơ {c} đã tồn tại trên hệ thống"));
        }
    } else if let Some(c) = codes.iter().find(|c| !inner.known.contains_key(*c)) {
        inner.recorded.violations.push(format!("HoSo {c}: updated before it was created"));
        return (false, "-1".into(), format!("Hồ sơ {c} không tồn tại"));
    }
    for (code, d) in codes.into_iter().zip(items) {
        inner.known.insert(code, d.clone());
        inner.recorded.dossiers.push(DossierVersion { update, body: d });
    }
    (true, "0".into(), "Đồng bộ hồ sơ thành công".into())
}

/// Takes process steps; the answer and whether they were accepted.
fn take_steps(inner: &mut Inner, items: Vec<Value>) -> (bool, String) {
    let mut problems: Vec<String> = items.iter().flat_map(check_step).collect();
    if items.is_empty() || items.len() > STEP_CHUNK {
        problems.push(format!("QuaTrinhXuLy: {} steps in one call (1 to {STEP_CHUNK})", items.len()));
    }
    for s in &items {
        let code = s["MaHoSo"].as_str().unwrap_or_default();
        if !inner.known.contains_key(code) {
            problems.push(format!("QuaTrinhXuLy {code}: the dossier is not on the portal"));
        }
    }
    if !problems.is_empty() {
        inner.recorded.violations.extend(problems.iter().cloned());
        return (false, format!("Lỗi: {}", problems.join("; ")));
    }
    inner.recorded.chunks.push(items.len());
    for s in items {
        let key = format!("{}|{}|{}|{}", s["MaHoSo"], s["ThoiDiemXuLy"], s["TrangThai"], s["NoiDungXuLy"]);
        if inner.step_keys.insert(key) {
            inner.recorded.steps.push(s);
        } else {
            inner.recorded.resent_steps += 1;
        }
    }
    (true, "Cập nhật tiến độ hồ sơ thành công".into())
}

async fn rest_dossiers(peer: Peer, headers: HeaderMap, body: String, update: bool) -> Response {
    if let Some(r) = fault(&peer).await {
        return r;
    }
    if !authorized(&peer, &headers) {
        return (StatusCode::UNAUTHORIZED, "Unauthorized").into_response();
    }
    let kind = if update { "update" } else { "create" };
    let items = match array(&body) {
        Ok(i) => i,
        Err(e) => {
            let mut inner = peer.inner.lock().expect("peer");
            inner.recorded.violations.push(format!("{kind}: {e}"));
            return answer("-1", &e);
        }
    };
    let codes = items.iter().map(|d| d["MaHoSo"].as_str().unwrap_or("?").to_owned()).collect();
    let mut inner = peer.inner.lock().expect("peer");
    let (ok, code, message) = take_dossiers(&mut inner, items, update);
    inner.recorded.calls.push(Call { kind: kind.into(), codes, ok, answer: format!("{code} {message}") });
    answer(&code, &message)
}

async fn create(State(peer): State<Peer>, headers: HeaderMap, body: String) -> Response {
    rest_dossiers(peer, headers, body, false).await
}

async fn update(State(peer): State<Peer>, headers: HeaderMap, body: String) -> Response {
    rest_dossiers(peer, headers, body, true).await
}

/// Steps answer in plain text, as the reference describes.
async fn steps(State(peer): State<Peer>, headers: HeaderMap, body: String) -> Response {
    if let Some(r) = fault(&peer).await {
        return r;
    }
    if !authorized(&peer, &headers) {
        return (StatusCode::UNAUTHORIZED, "Unauthorized").into_response();
    }
    let mut inner = peer.inner.lock().expect("peer");
    let items = match array(&body) {
        Ok(i) => i,
        Err(e) => {
            inner.recorded.violations.push(format!("steps: {e}"));
            return e.into_response();
        }
    };
    let codes = items.iter().map(|d| d["MaHoSo"].as_str().unwrap_or("?").to_owned()).collect();
    let (ok, message) = take_steps(&mut inner, items);
    inner.recorded.calls.push(Call { kind: "steps".into(), codes, ok, answer: message.clone() });
    message.into_response()
}

/// The dossiers submitted since `TuNgay` (all of them when it is empty), as `{data: [...]}`.
async fn pull(State(peer): State<Peer>, headers: HeaderMap, body: String) -> Response {
    if let Some(r) = fault(&peer).await {
        return r;
    }
    if !authorized(&peer, &headers) {
        return (StatusCode::UNAUTHORIZED, "Unauthorized").into_response();
    }
    let since = serde_json::from_str::<Value>(&body).ok().and_then(|v| v["TuNgay"].as_str().map(str::to_owned));
    let mut inner = peer.inner.lock().expect("peer");
    if let Some(s) = since.as_deref().filter(|s| !s.is_empty() && !is_instant(s)) {
        inner.recorded.violations.push(format!("pull: TuNgay {s:?} is not yyyyMMddHHmmss"));
    }
    // The list holds every submission (a dossier submitted and then supplemented appears once
    // per listing); the receiver is idempotent on MaHoSo.
    let data: Vec<Value> = inner.submitted.iter().map(|(_, d)| d.clone()).collect();
    let codes = inner.submitted.iter().map(|(c, _)| c.clone()).collect();
    inner
        .recorded
        .calls
        .push(Call { kind: "pull".into(), codes, ok: true, answer: format!("{} hồ sơ", data.len()) });
    axum::Json(json!({"error_code": "0", "message": "Thành công", "data": data})).into_response()
}

async fn file(State(peer): State<Peer>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    if let Some(r) = fault(&peer).await {
        return r;
    }
    if !authorized(&peer, &headers) {
        return (StatusCode::UNAUTHORIZED, "Unauthorized").into_response();
    }
    let mut inner = peer.inner.lock().expect("peer");
    let found = inner.files.get(&id).cloned();
    inner.recorded.calls.push(Call {
        kind: "file".into(),
        codes: vec![id],
        ok: found.is_some(),
        answer: String::new(),
    });
    match found {
        Some(bytes) => ([(header::CONTENT_TYPE, "application/octet-stream")], bytes).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// The public evaluation API (§13.2): answers what was published for the endpoint; the
/// request must name a calendar period.
async fn evaluation(State(peer): State<Peer>, Path(name): Path<String>, body: String) -> Response {
    if let Some(r) = fault(&peer).await {
        return r;
    }
    let request: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
    let mut inner = peer.inner.lock().expect("peer");
    let time_type = request["timeType"].as_str().unwrap_or_default();
    let period_ok = request["year"].is_u64()
        && match time_type {
            "year" => true,
            "quarter" => request["quarter"].as_u64().is_some_and(|q| (1..=4).contains(&q)),
            "month" => request["month"].as_u64().is_some_and(|m| (1..=12).contains(&m)),
            _ => false,
        };
    if !period_ok {
        inner.recorded.violations.push(format!("evaluation/{name}: not a calendar period: {request}"));
        return (StatusCode::BAD_REQUEST, axum::Json(json!({"error": "timeType/year/quarter/month"}))).into_response();
    }
    let found = inner.published.get(&name).cloned();
    inner.recorded.calls.push(Call {
        kind: format!("evaluation/{name}"),
        codes: Vec::new(),
        ok: found.is_some(),
        answer: request.to_string(),
    });
    match found {
        Some(v) => axum::Json(v).into_response(),
        None => (StatusCode::NOT_FOUND, axum::Json(json!({"error": "not published"}))).into_response(),
    }
}

/// The LGSP/NGSP adapter's login: `{username, password}` → `{error_code: 0, session}`.
async fn lgsp_auth(State(peer): State<Peer>, axum::Json(body): axum::Json<Value>) -> Response {
    if let Some(r) = fault(&peer).await {
        return r;
    }
    let mut inner = peer.inner.lock().expect("peer");
    let ok = inner.lgsp.as_ref().is_some_and(|(u, p)| body["username"] == u.as_str() && body["password"] == p.as_str());
    if !ok {
        return axum::Json(json!({"error_code": 1, "message": "Sai tài khoản"})).into_response();
    }
    inner.next += 1;
    let session = format!("phien-{}", inner.next);
    inner.sessions.insert(session.clone());
    axum::Json(json!({"error_code": 0, "session": session})).into_response()
}

/// The LGSP/NGSP "service" call: `{session, madonvi, service, …}`.
async fn lgsp_call(State(peer): State<Peer>, axum::Json(body): axum::Json<Value>) -> Response {
    if let Some(r) = fault(&peer).await {
        return r;
    }
    let mut inner = peer.inner.lock().expect("peer");
    let session = body["session"].as_str().unwrap_or_default();
    if !inner.sessions.contains(session) {
        return axum::Json(json!({"error_code": 401, "message": "Phiên làm việc hết hạn"})).into_response();
    }
    if body["madonvi"].as_str().is_none_or(str::is_empty) {
        inner.recorded.violations.push("lgsp: madonvi missing".into());
    }
    let service = body["service"].as_str().unwrap_or_default().to_owned();
    let data = body["data"].as_array().cloned().unwrap_or_default();
    let codes: Vec<String> = data.iter().map(|d| d["MaHoSo"].as_str().unwrap_or("?").to_owned()).collect();
    let (ok, reply) = match service.as_str() {
        "DongBoHoSoMC" => {
            let update = body["isUpdating"] == "True";
            if !matches!(body["isUpdating"].as_str(), Some("True" | "False")) {
                inner.recorded.violations.push("DongBoHoSoMC: isUpdating must be \"True\" or \"False\"".into());
            }
            let (ok, code, message) = take_dossiers(&mut inner, data, update);
            let code: i64 = code.parse().unwrap_or(-1);
            (ok, json!({"error_code": code, "message": message}))
        }
        "CapNhatTienDoHoSoMC" => {
            let (ok, message) = take_steps(&mut inner, data);
            (ok, json!({"error_code": if ok { 0 } else { -1 }, "message": message}))
        }
        "TraCuuHoSo" => {
            let code = body["mahoso"].as_str().unwrap_or_default();
            let result: Vec<Value> = inner.known.get(code).cloned().into_iter().collect();
            (true, json!({"error_code": 0, "result": result}))
        }
        "LayDanhSachTTHC" => {
            let list: Vec<Value> = inner
                .catalogue
                .iter()
                .map(|p| json!({"MATTHC": p["MATTHC"], "TENTTHC": p["TENTTHC"], "LINHVUCTHUCHIEN": p["LINHVUCTHUCHIEN"]}))
                .collect();
            (true, json!({"error_code": 0, "result": list}))
        }
        "LayThuTuc" => {
            let code = body["maTTHC"].as_str().unwrap_or_default();
            let found: Vec<Value> = inner.catalogue.iter().filter(|p| p["MATTHC"] == code).cloned().collect();
            (!found.is_empty(), json!({"error_code": if found.is_empty() { 1 } else { 0 }, "result": found}))
        }
        other => {
            inner.recorded.violations.push(format!("lgsp: unknown service {other:?}"));
            (false, json!({"error_code": 1, "message": "Dịch vụ không tồn tại"}))
        }
    };
    inner.recorded.calls.push(Call { kind: format!("lgsp/{service}"), codes, ok, answer: reply.to_string() });
    axum::Json(reply).into_response()
}

/// The control surface of the binary (tests use the library's methods instead).
async fn control_faults(State(peer): State<Peer>, axum::Json(f): axum::Json<Faults>) -> Response {
    peer.set_faults(f);
    StatusCode::NO_CONTENT.into_response()
}

#[derive(Deserialize)]
struct PushTargetBody {
    url: String,
    token: String,
}

async fn control_push_target(State(peer): State<Peer>, axum::Json(t): axum::Json<PushTargetBody>) -> Response {
    peer.set_push(Some(PushTarget { url: t.url, token: t.token }));
    StatusCode::NO_CONTENT.into_response()
}

async fn control_recorded(State(peer): State<Peer>) -> Response {
    axum::Json(peer.recorded()).into_response()
}

async fn control_publish(
    State(peer): State<Peer>,
    Path(name): Path<String>,
    axum::Json(v): axum::Json<Value>,
) -> Response {
    peer.publish(&name, v);
    StatusCode::NO_CONTENT.into_response()
}

/// Submits a demo dossier: the body's `HoSo` fields over a sample, with one PDF.
async fn control_submit(State(peer): State<Peer>, axum::Json(v): axum::Json<Value>) -> Response {
    let mut d =
        sample_dossier(&peer, v["MaHoSo"].as_str().unwrap_or("DEMO"), v["MaDonVi"].as_str().unwrap_or_default());
    if let (Some(o), Some(extra)) = (d.as_object_mut(), v.as_object()) {
        for (k, val) in extra {
            o.insert(k.clone(), val.clone());
        }
    }
    match peer.submit(d).await {
        Ok(answers) => axum::Json(json!({"pushed": answers})).into_response(),
        Err(e) => (StatusCode::BAD_GATEWAY, e.to_string()).into_response(),
    }
}

/// A dossier as a citizen submits it on the portal now, with one PDF served by the peer.
pub fn sample_dossier(peer: &Peer, code: &str, agency: &str) -> Value {
    let (id, url) = peer.add_file(pdf::one_page(&format!("To khai {code}")));
    json!({
        "MaHoSo": code,
        "MaTTHC": "1.001193",
        "TenTTHC": "Đăng ký khai sinh",
        "MaDonVi": agency,
        "ChuHoSo": "Trần Thị Bình",
        "SoGiayToChuHoSo": "001190000456",
        "LoaiDoiTuong": "1",
        "SoDienThoai": "0912345678",
        "Email": "binh@example.vn",
        "TrichYeuHoSo": "Đăng ký khai sinh cho con",
        "MaDoiTuong": "tk-0001",
        "NgayNopHoSo": now_portal(),
        "TrangThaiHoSo": "1",
        "KenhThucHien": "2",
        "TaiLieuNop": [{"TepDinhKemId": id, "TenTepDinhKem": "to-khai.pdf", "MaThanhPhanHoSo": "TP1",
                        "DuongDanTaiTepTin": url, "IsDeleted": false}]
    })
}

/// Now in Vietnam time as the portal writes it (the peer is a stand-in with its own clock,
/// not part of motcua, whose time comes from its Clock port).
#[expect(clippy::disallowed_methods, reason = "the peer plays the portal, which has its own clock")]
pub fn now_portal() -> String {
    let tz = jiff::tz::TimeZone::get("Asia/Ho_Chi_Minh").unwrap_or(jiff::tz::TimeZone::fixed(jiff::tz::offset(7)));
    jiff::Timestamp::now().to_zoned(tz).strftime("%Y%m%d%H%M%S").to_string()
}

pub fn router(peer: Peer) -> Router {
    Router::new()
        .route(CREATE_PATH, post(create))
        .route(UPDATE_PATH, post(update))
        .route(STEPS_PATH, post(steps))
        .route(PULL_PATH, post(pull))
        .route("/dvcqg/tep/{id}", get(file))
        .route(&format!("{EVALUATION_PATH}/{{name}}"), post(evaluation))
        .route("/lgsp/auth", post(lgsp_auth))
        .route("/lgsp/integration", post(lgsp_call))
        .route("/_peer/faults", post(control_faults))
        .route("/_peer/recorded", get(control_recorded))
        .route("/_peer/push-target", post(control_push_target))
        .route("/_peer/published/{name}", post(control_publish))
        .route("/_peer/submit", post(control_submit))
        .with_state(peer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sample_pdf_is_well_formed() {
        let pdf = pdf::one_page("To khai (1)");
        let text = String::from_utf8_lossy(&pdf);
        let xref: usize = text.rsplit("startxref\n").next().unwrap().lines().next().unwrap().parse().unwrap();
        assert!(text[xref..].starts_with("xref"));
        // Every object's offset points at its header.
        for (i, line) in text[xref..].lines().skip(3).take(5).enumerate() {
            let at: usize = line[..10].parse().unwrap();
            assert!(text[at..].starts_with(&format!("{} 0 obj", i + 1)), "{line}");
        }
    }

    #[test]
    fn now_is_written_as_the_portal_does() {
        assert!(is_instant(&now_portal()), "{}", now_portal());
    }
}
