//! The handlers, one module per gRPC service of `veil.v1`; each parses its
//! request, makes one [`crate::engine`] (or job-queue, registry, log) call,
//! and renders the answer or the error's code:
//!
//! - a missing or malformed field is `InvalidArgument` naming the field;
//! - documents that break a rule of the statement are `FailedPrecondition`
//!   naming the rule;
//! - an unknown job or DID is `NotFound`;
//! - a full queue, an exhausted rate limit or the in-flight limit is
//!   `ResourceExhausted`; a missing, unknown or revoked key is
//!   `Unauthenticated`;
//! - a request id reused for other documents is `FailedPrecondition`;
//! - a shared job store that cannot be reached is `Unavailable` (retry).

use crate::engine::RequestError;
use crate::jobs::JobError;
use crate::store::{StoreError, SubmitError};
use std::sync::Arc;
use tokio::sync::Semaphore;
use tonic::Status;

pub mod audit;
pub mod prover;
pub mod registry;
pub mod verifier;

pub(crate) fn status_of_request(e: RequestError) -> Status {
    match e {
        RequestError::Violates(_) => Status::failed_precondition(e.to_string()),
        RequestError::Invalid { .. } | RequestError::Unsupported(_) => {
            Status::invalid_argument(e.to_string())
        }
    }
}

pub(crate) fn status_of_job(e: JobError) -> Status {
    match e {
        JobError::Refused(SubmitError::QueueFull(_) | SubmitError::OwnerQueueFull { .. }) => {
            Status::resource_exhausted(e.to_string())
        }
        JobError::BadRequestId(_) => Status::invalid_argument(e.to_string()),
        JobError::Refused(SubmitError::RequestIdReused(_)) => {
            Status::failed_precondition(e.to_string())
        }
        JobError::NotFound(_) => Status::not_found(e.to_string()),
        JobError::Store(StoreError::Unavailable(_))
        | JobError::Refused(SubmitError::Store(StoreError::Unavailable(_))) => {
            Status::unavailable(e.to_string())
        }
        JobError::Store(_) | JobError::Refused(SubmitError::Store(_)) => {
            Status::internal(e.to_string())
        }
    }
}

/// Runs CPU work on rayon's pool and awaits it. Verification parallelises
/// inside (the MSM, the Miller loop) with rayon; started from a rayon thread
/// those inner jobs run inline, where from another thread each one is a
/// hand-off to the pool and a wake-up. At most one task per pool thread is
/// submitted at a time: a rayon thread waiting on an inner job steals queued
/// outer tasks, so an unbounded queue would nest them until the stack
/// overflows (seen with 4,000 queued verifications).
pub(crate) async fn on_cpu_pool<T: Send + 'static>(
    slots: &Arc<Semaphore>,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, Status> {
    let permit = slots
        .clone()
        .acquire_owned()
        .await
        .map_err(|_| Status::unavailable("the server is shutting down"))?;
    let (done, result) = tokio::sync::oneshot::channel();
    rayon::spawn(move || {
        let _ = done.send(work());
        drop(permit);
    });
    result
        .await
        .map_err(|_| Status::internal("a verification worker stopped"))
}

/// One slot per rayon thread, for [`on_cpu_pool`].
pub(crate) fn cpu_slots() -> Arc<Semaphore> {
    Arc::new(Semaphore::new(rayon::current_num_threads().max(1)))
}

pub(crate) fn json<T: serde::Serialize>(value: &T) -> Result<String, Status> {
    serde_json::to_string(value).map_err(|e| Status::internal(e.to_string()))
}
