//! The id of the request being served, for error bodies and pages: set once by the context
//! middleware for the whole request, read anywhere below it.

use std::future::Future;

tokio::task_local! {
    static REQUEST_ID: Option<String>;
}

/// Runs `f` with `id` as the current request's id.
pub(crate) async fn scope<F: Future>(id: Option<String>, f: F) -> F::Output {
    REQUEST_ID.scope(id, f).await
}

/// The id of the request being served, if any.
pub fn current_request_id() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok().flatten()
}
