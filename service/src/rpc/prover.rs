//! `veil.v1.Prover`: proofs made on the server's proving queue, unary
//! (`Prove` waits for its job) or as jobs to poll and watch.

use super::{on_cpu_pool, status_of_job, status_of_request};
use crate::auth::caller_of;
use crate::engine::{parse_prove, Engine};
use crate::jobs::{is_terminal, JobQueue};
use crate::pb::prover_server::Prover;
use crate::pb::{self, JobState, ProofJob};
use crate::watchers::Watchers;
use std::sync::Arc;
use tokio::sync::{broadcast, mpsc, Semaphore};
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Request, Response, Status};

/// A job id as the service makes them: 32 hex digits.
fn job_id(raw: &str) -> Result<String, Status> {
    if raw.len() == 32 && raw.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(raw.to_ascii_lowercase())
    } else {
        Err(Status::invalid_argument(
            "job_id: expected the 32 hex digits SubmitProof returned",
        ))
    }
}

/// The `Prover` service.
pub struct ProverService {
    engine: Arc<Engine>,
    queue: Arc<JobQueue>,
    slots: Arc<Semaphore>,
    watchers: Arc<Watchers>,
}

impl ProverService {
    /// Proves with `engine` through `queue`; checks run on the CPU pool's
    /// `slots` ([`super::cpu_slots`]); each key has at most
    /// `watchers_per_key` `WatchProofJob` streams open.
    pub fn new(
        engine: Arc<Engine>,
        queue: Arc<JobQueue>,
        slots: Arc<Semaphore>,
        watchers_per_key: usize,
    ) -> Self {
        ProverService {
            watchers: Arc::new(Watchers::new(queue.clone(), watchers_per_key)),
            engine,
            queue,
            slots,
        }
    }

    async fn check(&self, request: &pb::ProveRequest) -> Result<(), Status> {
        let engine = self.engine.clone();
        let request = request.clone();
        on_cpu_pool(&self.slots, move || engine.check(&parse_prove(&request)?))
            .await?
            .map_err(status_of_request)
    }
}

/// Waits until job `id` is finished: this node's own changes arrive at
/// once, other nodes' are polled for ([`JobQueue::watch_poll`]).
async fn finished(
    queue: &JobQueue,
    updates: &mut broadcast::Receiver<ProofJob>,
    id: &str,
    owner: &str,
) -> Result<ProofJob, Status> {
    let mut poll = tokio::time::interval(queue.watch_poll());
    poll.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            update = updates.recv() => match update {
                Ok(job) if job.job_id == id && is_terminal(&job) => return Ok(job),
                Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => {}
                Err(broadcast::error::RecvError::Closed) => {
                    return Err(Status::unavailable("the server is shutting down"))
                }
            },
            _ = poll.tick() => {
                let job = queue.get(id, owner).await.map_err(status_of_job)?;
                if is_terminal(&job) {
                    return Ok(job);
                }
            }
        }
    }
}

#[tonic::async_trait]
impl Prover for ProverService {
    async fn prove(
        &self,
        request: Request<pb::ProveRequest>,
    ) -> Result<Response<pb::ProveResponse>, Status> {
        let owner = caller_of(&request).label().to_owned();
        let request = request.into_inner();
        self.check(&request).await?;
        let mut updates = self.queue.subscribe();
        let submitted = self
            .queue
            .submit(request, &owner)
            .await
            .map_err(status_of_job)?;
        let job_id = submitted.job().job_id.clone();
        let done = finished(&self.queue, &mut updates, &job_id, &owner).await?;
        match (JobState::try_from(done.state), done.proof) {
            (Ok(JobState::Succeeded), Some(proof)) => Ok(Response::new(pb::ProveResponse {
                job_id: done.job_id,
                proof: Some(proof),
                prove_seconds: done.prove_seconds,
            })),
            _ => Err(Status::internal(format!(
                "proving job {} failed: {}",
                done.job_id, done.error
            ))),
        }
    }

    async fn submit_proof(
        &self,
        request: Request<pb::ProveRequest>,
    ) -> Result<Response<pb::SubmitProofResponse>, Status> {
        let owner = caller_of(&request).label().to_owned();
        let request = request.into_inner();
        self.check(&request).await?;
        let submitted = self
            .queue
            .submit(request, &owner)
            .await
            .map_err(status_of_job)?;
        Ok(Response::new(pb::SubmitProofResponse {
            job_id: submitted.job().job_id.clone(),
        }))
    }

    async fn get_proof_job(
        &self,
        request: Request<pb::JobRequest>,
    ) -> Result<Response<ProofJob>, Status> {
        let owner = caller_of(&request).label().to_owned();
        let id = job_id(&request.get_ref().job_id)?;
        let job = self.queue.get(&id, &owner).await.map_err(status_of_job)?;
        Ok(Response::new(job))
    }

    type WatchProofJobStream = ReceiverStream<Result<ProofJob, Status>>;

    async fn watch_proof_job(
        &self,
        request: Request<pb::JobRequest>,
    ) -> Result<Response<Self::WatchProofJobStream>, Status> {
        let owner = caller_of(&request).label().to_owned();
        let id = job_id(&request.get_ref().job_id)?;
        let slot = self.watchers.admit(&owner)?;
        let mut updates = self.queue.subscribe();
        let current = self.queue.get(&id, &owner).await.map_err(status_of_job)?;
        let (sender, receiver) = mpsc::channel(16);
        let watchers = self.watchers.clone();
        tokio::spawn(async move {
            let _slot = slot;
            let mut last = current;
            if sender.send(Ok(last.clone())).await.is_err() {
                return;
            }
            let mut polled = watchers.poll(&id, &owner);
            while !is_terminal(&last) {
                let job = tokio::select! {
                    _ = sender.closed() => return,
                    next = updates.recv() => match next {
                        Ok(job) if job.job_id == id => job,
                        Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => continue,
                        Err(broadcast::error::RecvError::Closed) => {
                            let _ = sender
                                .send(Err(Status::unavailable("the server is shutting down")))
                                .await;
                            return;
                        }
                    },
                    // Other nodes' changes (and any this node's broadcast
                    // dropped), from the job's one shared poll.
                    changed = polled.changed() => {
                        if changed.is_err() {
                            polled = watchers.poll(&id, &owner);
                            continue;
                        }
                        let read = polled.borrow_and_update().clone();
                        match read {
                            None => continue,
                            Some(Ok(job)) => job,
                            Some(Err((code, message))) => {
                                let _ = sender.send(Err(Status::new(code, message))).await;
                                return;
                            }
                        }
                    },
                };
                // A stale read (polled before a broadcast already sent) never
                // steps a watcher back.
                if job == last || job.updated_unix_ms < last.updated_unix_ms {
                    continue;
                }
                last = job;
                if sender.send(Ok(last.clone())).await.is_err() {
                    return;
                }
            }
        });
        Ok(Response::new(ReceiverStream::new(receiver)))
    }
}
