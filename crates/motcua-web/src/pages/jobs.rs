//! The job queue for operators: counts, workers, dead letters.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect};
use motcua_app::ports::{JobFilter, JobRecord};
use motcua_domain::job::JobStatus;
use motcua_domain::time::format_datetime;
use serde::Deserialize;

use super::Layout;
use crate::auth::PageUser;
use crate::context::Meta;
use crate::respond::{PagePath, PageResult, render};
use crate::state::AppState;

pub struct JobRow {
    pub id: i64,
    pub kind: String,
    pub status: &'static str,
    pub attempts: String,
    pub run_at: String,
    pub error: String,
    pub dead: bool,
}

fn row(j: &JobRecord) -> JobRow {
    JobRow {
        id: j.id,
        kind: j.kind.clone(),
        status: j.status.label_vi(),
        attempts: format!("{}/{}", j.attempts, j.max_attempts),
        run_at: format_datetime(j.run_at),
        error: j.last_error.clone().unwrap_or_default(),
        dead: j.status == JobStatus::Dead,
    }
}

pub struct WorkerRow {
    pub id: String,
    pub host: String,
    pub pid: i64,
    pub started: String,
    pub beat: String,
    pub state: &'static str,
}

#[derive(Template)]
#[template(path = "admin/jobs.html")]
struct JobsPage {
    layout: Layout,
    counts: Vec<(&'static str, &'static str, i64)>,
    workers: Vec<WorkerRow>,
    list_title: String,
    jobs: Vec<JobRow>,
}

#[derive(Deserialize)]
pub struct JobsQuery {
    status: Option<String>,
    msg: Option<String>,
}

pub async fn index(State(state): State<AppState>, user: PageUser, Query(q): Query<JobsQuery>) -> PageResult {
    let overview = state.services.jobs.job_overview(&user.principal).await?;
    let status = q.status.as_deref().and_then(JobStatus::parse).unwrap_or(JobStatus::Dead);
    let jobs = state
        .services
        .jobs
        .list_jobs(&user.principal, &JobFilter { status: Some(status), limit: 100, ..Default::default() })
        .await?;
    let now = state.services.now();
    let workers = overview
        .workers
        .iter()
        .map(|w| WorkerRow {
            id: w.id.clone(),
            host: w.hostname.clone(),
            pid: w.pid,
            started: format_datetime(w.started_at),
            beat: format_datetime(w.heartbeat_at),
            state: if w.stopped_at.is_some() {
                "Đã dừng"
            } else if now.duration_since(w.heartbeat_at).as_secs() <= 60 {
                "Đang chạy"
            } else {
                "Mất tín hiệu"
            },
        })
        .collect();
    Ok(render(&JobsPage {
        layout: Layout::new("Tác vụ nền", Some(&user)).with_flash(q.msg.as_deref()),
        counts: overview.counts.iter().map(|(s, n)| (s.as_str(), s.label_vi(), *n)).collect(),
        workers,
        list_title: format!("Tác vụ: {}", status.label_vi()),
        jobs: jobs.iter().map(row).collect(),
    }))
}

#[derive(Template)]
#[template(path = "admin/job.html")]
struct JobPage {
    layout: Layout,
    j: JobRow,
    payload: String,
    attempts: Vec<(u32, String, String, String, String, String)>,
}

pub async fn show(State(state): State<AppState>, user: PageUser, PagePath(id): PagePath<i64>) -> PageResult {
    let (job, attempts) = state.services.jobs.get_job(&user.principal, id).await?;
    Ok(render(&JobPage {
        layout: Layout::new(format!("Tác vụ #{id}"), Some(&user)),
        payload: job.payload.clone(),
        j: row(&job),
        attempts: attempts
            .into_iter()
            .map(|a| {
                (
                    a.attempt,
                    a.worker_id,
                    format_datetime(a.started_at),
                    a.finished_at.map(format_datetime).unwrap_or_default(),
                    a.outcome.unwrap_or_else(|| "đang chạy".into()),
                    a.error.unwrap_or_default(),
                )
            })
            .collect(),
    }))
}

pub async fn retry(
    State(state): State<AppState>,
    user: PageUser,
    Meta(meta): Meta,
    PagePath(id): PagePath<i64>,
) -> PageResult {
    state.services.jobs.retry_job(&user.principal, id, &meta).await?;
    Ok(Redirect::to("/admin/jobs?msg=job_retried").into_response())
}
