//! An in-process Ballista cluster: one scheduler, several executors, this crate's functions
//! registered on all of them.

use std::time::Duration;

use ballista::extension::{SessionConfigExt, SessionStateExt};
use ballista_core::serde::protobuf::scheduler_grpc_client::SchedulerGrpcClient;
use datafusion::execution::SessionStateBuilder;
use datafusion::prelude::{SessionConfig, SessionContext};

use crate::error::{Error, Result};

/// The most executors [`standalone_cluster`] starts.
pub const MAX_EXECUTORS: usize = 64;

/// Starts a Ballista scheduler and `executors` executors (each running `task_slots` tasks at a
/// time) in this process, on the current Tokio runtime, with this crate's functions registered
/// on the scheduler and on every executor; returns a session connected to it.
///
/// For tests and single-machine runs; a real cluster runs the `ballista-scheduler` and
/// `ballista-executor` processes (`docs/datafusion.md`). The cluster lives as long as the
/// runtime.
///
/// # Errors
///
/// [`Error::Invalid`] for no executors, no task slots or more than [`MAX_EXECUTORS`];
/// [`Error::Engine`] if the scheduler or an executor cannot start.
pub async fn standalone_cluster(executors: usize, task_slots: usize) -> Result<SessionContext> {
    if executors == 0 || executors > MAX_EXECUTORS {
        return Err(Error::invalid(
            "executors",
            &executors.to_string(),
            "1 to 64",
        ));
    }
    if task_slots == 0 || task_slots > 1024 {
        return Err(Error::invalid(
            "task slots",
            &task_slots.to_string(),
            "1 to 1024",
        ));
    }
    let state = session_state();
    let engine =
        |e: String| Error::Engine(Box::new(datafusion::error::DataFusionError::Execution(e)));
    let addr = ballista_scheduler::standalone::new_standalone_scheduler_from_state(&state)
        .await
        .map_err(|e| engine(e.to_string()))?;
    let url = format!("http://localhost:{}", addr.port());
    let mut attempts = 0_u32;
    let scheduler = loop {
        match SchedulerGrpcClient::connect(url.clone()).await {
            Ok(s) => break s,
            Err(e) => {
                attempts = attempts.saturating_add(1);
                if attempts > 100 {
                    return Err(engine(format!("scheduler at {url} unreachable: {e}")));
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    };
    for _ in 0..executors {
        ballista_executor::new_standalone_executor_from_state(
            scheduler.clone(),
            task_slots,
            &state,
        )
        .await
        .map_err(|e| engine(e.to_string()))?;
    }
    let state = state.upgrade_for_ballista(url)?;
    let ctx = SessionContext::new_with_state(state);
    // The upgraded client state plans SQL: it needs the functions by name too.
    crate::register(&ctx);
    Ok(ctx)
}

/// DataFusion's default session state for Ballista, with this crate's functions added to the
/// built-in ones: what the scheduler, every executor and the client must share.
#[must_use]
pub fn session_state() -> datafusion::execution::SessionState {
    let mut builder = SessionStateBuilder::new()
        .with_default_features()
        .with_config(SessionConfig::new_with_ballista());
    builder
        .scalar_functions()
        .get_or_insert_with(Vec::new)
        .extend(crate::scalar_functions());
    builder
        .aggregate_functions()
        .get_or_insert_with(Vec::new)
        .extend(crate::aggregate_functions());
    builder.build()
}
