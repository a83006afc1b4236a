//! `veil.v1.Prover`: proofs made on the server's proving queue, unary
//! (`Prove` waits for its job) or as jobs to poll and watch.

use super::{on_cpu_pool, status_of_job, status_of_request};
use crate::auth::caller_of;
use crate::engine::{parse_prove, Engine};
use crate::jobs::{is_terminal, JobQueue};
use crate::pb::prover_server::Prover;
use crate::pb::{self, JobState, ProofJob};
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
}

impl ProverService {
    /// Proves with `engine` through `queue`; checks run on the CPU pool's
    /// `slots` ([`super::cpu_slots`]).
    pub fn new(engine: Arc<Engine>, queue: Arc<JobQueue>, slots: Arc<Semaphore>) -> Self {
        ProverService {
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

/// Waits until job `id` is finished.
async fn finished(
    queue: &JobQueue,
    updates: &mut broadcast::Receiver<ProofJob>,
    id: &str,
    owner: &str,
) -> Result<ProofJob, Status> {
    let current = queue.get(id, owner).map_err(status_of_job)?;
    if is_terminal(&current) {
        return Ok(current);
    }
    loop {
        match updates.recv().await {
            Ok(job) if job.job_id == id && is_terminal(&job) => return Ok(job),
            Ok(_) => {}
            Err(broadcast::error::RecvError::Lagged(_)) => {
                let job = queue.get(id, owner).map_err(status_of_job)?;
                if is_terminal(&job) {
                    return Ok(job);
                }
            }
            Err(broadcast::error::RecvError::Closed) => {
                return Err(Status::unavailable("the server is shutting down"))
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
        let job = self.queue.submit(request, &owner).map_err(status_of_job)?;
        let done = finished(&self.queue, &mut updates, &job.job_id, &owner).await?;
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
        let job = self.queue.submit(request, &owner).map_err(status_of_job)?;
        Ok(Response::new(pb::SubmitProofResponse {
            job_id: job.job_id,
        }))
    }

    async fn get_proof_job(
        &self,
        request: Request<pb::JobRequest>,
    ) -> Result<Response<ProofJob>, Status> {
        let owner = caller_of(&request).label().to_owned();
        let id = job_id(&request.get_ref().job_id)?;
        let job = self.queue.get(&id, &owner).map_err(status_of_job)?;
        Ok(Response::new(job))
    }

    type WatchProofJobStream = ReceiverStream<Result<ProofJob, Status>>;

    async fn watch_proof_job(
        &self,
        request: Request<pb::JobRequest>,
    ) -> Result<Response<Self::WatchProofJobStream>, Status> {
        let owner = caller_of(&request).label().to_owned();
        let id = job_id(&request.get_ref().job_id)?;
        let mut updates = self.queue.subscribe();
        let current = self.queue.get(&id, &owner).map_err(status_of_job)?;
        let (sender, receiver) = mpsc::channel(16);
        let queue = self.queue.clone();
        tokio::spawn(async move {
            let mut last = current;
            if sender.send(Ok(last.clone())).await.is_err() {
                return;
            }
            while !is_terminal(&last) {
                let next = tokio::select! {
                    _ = sender.closed() => return,
                    next = updates.recv() => next,
                };
                let job = match next {
                    Ok(job) if job.job_id == id => job,
                    Ok(_) => continue,
                    Err(broadcast::error::RecvError::Lagged(_)) => match queue.get(&id, &owner) {
                        Ok(job) => job,
                        Err(e) => {
                            let _ = sender.send(Err(status_of_job(e))).await;
                            return;
                        }
                    },
                    Err(broadcast::error::RecvError::Closed) => {
                        let _ = sender
                            .send(Err(Status::unavailable("the server is shutting down")))
                            .await;
                        return;
                    }
                };
                if job == last {
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
