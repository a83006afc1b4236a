//! The proving queue over a [`JobStore`]: submission, workers, watchers.
//!
//! `submit` checks the caller's request id and stores the job (durably,
//! bounded) before it returns. Workers claim jobs under a lease, renew it
//! every third of its length while the prover runs, and finish the job only
//! if they still hold it: a worker that was presumed dead and came back
//! writes nothing, and its result is dropped (counted in the log). Every
//! node that has workers also returns lapsed leases to the queue, so a job
//! whose worker was killed is proved by another. Watchers hear this node's
//! changes at once and, on a shared store, poll for other nodes' changes.
//! Finished jobs are deleted after the result TTL.

use crate::engine::{parse_prove, Engine};
use crate::metrics::Metrics;
use crate::pb::{JobState, ProofJob, ProveRequest};
use crate::store::{
    now_ms, Claimed, JobStore, NewJob, Outcome, QueueLimits, StoreError, SubmitError, Submitted,
};
use rand::RngCore;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{broadcast, Notify};
use tracing::Instrument;

/// Queue sizing.
#[derive(Debug, Clone, Copy)]
pub struct QueueConfig {
    /// Jobs this node proves at once (each proof already uses every core);
    /// 0 for an API node that proves nothing.
    pub workers: usize,
    /// Jobs waiting at most; more are refused.
    pub max_queue: usize,
    /// Unfinished jobs (queued or running) one API key may have at most, so
    /// one caller cannot fill the queue for everyone.
    pub max_queued_per_key: usize,
    /// How long finished jobs are kept.
    pub result_ttl: Duration,
    /// How long a claim holds a job without a renewal; a worker that stops
    /// renewing (killed, partitioned) loses the job after this.
    pub lease: Duration,
    /// Claims of one job at most before it is parked as failed.
    pub max_attempts: u32,
}

impl Default for QueueConfig {
    fn default() -> Self {
        QueueConfig {
            workers: 1,
            max_queue: 256,
            max_queued_per_key: 64,
            result_ttl: Duration::from_secs(24 * 3600),
            lease: Duration::from_secs(30),
            max_attempts: 3,
        }
    }
}

/// Why a job could not be submitted or read.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// The request id is malformed (→ `InvalidArgument`).
    #[error("request_id: {0}")]
    BadRequestId(&'static str),
    /// The store did not admit the job: the queue or the caller's share of
    /// it is full (→ `ResourceExhausted`), the request id was used for other
    /// documents (→ `FailedPrecondition`), or the store failed.
    #[error(transparent)]
    Refused(#[from] SubmitError),
    /// No such job for this caller (→ `NotFound`).
    #[error("no proving job {0}")]
    NotFound(String),
    /// The store failed (→ `Unavailable` when it is away, else `Internal`).
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The `Proof` message a finished job holds: the proof and its inputs
/// ([`veil_client::proof::proof_message`]) with the generated EVM verifier's
/// calldata.
pub fn proof_message(
    proof: &veil_prover::SystemProof,
    public: &veil_circuits::statement::PublicInputs,
) -> crate::pb::Proof {
    let mut message = veil_client::proof::proof_message(proof, public);
    // Built with both backends (Cargo.toml), so the calldata of either
    // system can always be encoded.
    message.calldata = veil_verifier::evm::calldata_text(proof, public).unwrap_or_default();
    message
}

/// Longest request id.
pub const MAX_REQUEST_ID: usize = 128;

/// Checks a client's request id: empty (none) or 1–128 of `A-Z a-z 0-9 . _
/// : -`, so it is safe in keys, logs and SQL parameters alike.
pub fn check_request_id(id: &str) -> Result<(), JobError> {
    if id.len() > MAX_REQUEST_ID {
        return Err(JobError::BadRequestId("longer than 128 characters"));
    }
    if !id
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-'))
    {
        return Err(JobError::BadRequestId(
            "only A-Z a-z 0-9 . _ : - are allowed",
        ));
    }
    Ok(())
}

/// The queue, its workers and its watchers.
pub struct JobQueue {
    store: Arc<dyn JobStore>,
    metrics: Arc<Metrics>,
    config: QueueConfig,
    updates: broadcast::Sender<ProofJob>,
    /// Wakes an idle worker of this node when a job is submitted here.
    submitted: Notify,
    /// This node's name, for worker names in leases.
    node: String,
    tasks: std::sync::Mutex<Vec<tokio::task::JoinHandle<()>>>,
}

/// Whether a job will not change again.
pub fn is_terminal(job: &ProofJob) -> bool {
    matches!(
        JobState::try_from(job.state),
        Ok(JobState::Succeeded | JobState::Failed)
    )
}

/// How often an idle worker looks for work a node other than its own
/// queued (its own node's submissions wake it at once).
const SHARED_POLL: Duration = Duration::from_millis(50);
/// The same for a store only this process writes: wake-ups are enough;
/// the poll only bounds a missed one.
const LOCAL_POLL: Duration = Duration::from_secs(1);
/// How often a watcher on a shared store re-reads its job for changes
/// another node made (one indexed read each time; chosen over LISTEN/NOTIFY
/// so no long-lived connection has to be re-established after a PostgreSQL
/// restart). A watcher hears of such a change 0–200 ms after it is stored.
pub const SHARED_WATCH_POLL: Duration = Duration::from_millis(200);

impl JobQueue {
    /// Starts `config.workers` workers named after `node`, lease reaping
    /// (when there are workers) and expiry. Must run inside a Tokio runtime.
    pub fn start(
        store: Arc<dyn JobStore>,
        engine: Arc<Engine>,
        metrics: Arc<Metrics>,
        config: QueueConfig,
        node: &str,
    ) -> Arc<Self> {
        let (updates, _) = broadcast::channel(1024);
        let queue = Arc::new(JobQueue {
            store,
            metrics,
            config,
            updates,
            submitted: Notify::new(),
            node: node.to_owned(),
            tasks: std::sync::Mutex::new(Vec::new()),
        });
        let mut tasks = Vec::new();
        for n in 0..config.workers {
            let (queue, engine) = (queue.clone(), engine.clone());
            let worker = format!("{node}/{n}");
            tasks.push(tokio::spawn(
                async move { queue.work(engine, worker).await },
            ));
        }
        if config.workers > 0 {
            let reaping = queue.clone();
            tasks.push(tokio::spawn(async move { reaping.reap_forever().await }));
        }
        let expiring = queue.clone();
        tasks.push(tokio::spawn(async move { expiring.expire_forever().await }));
        let gauging = queue.clone();
        tasks.push(tokio::spawn(async move { gauging.gauge_forever().await }));
        *queue.tasks.lock().unwrap_or_else(|e| e.into_inner()) = tasks;
        queue
    }

    /// The store's bounds, from the configuration.
    fn limits(&self) -> QueueLimits {
        QueueLimits {
            max_queue: self.config.max_queue.max(1),
            max_per_owner: self.config.max_queued_per_key.max(1),
            max_attempts: self.config.max_attempts.max(1),
        }
    }

    /// The store behind the queue.
    pub fn store(&self) -> &Arc<dyn JobStore> {
        &self.store
    }

    /// Stops the workers and background tasks and waits for them, so the
    /// store is released. A proof in progress is abandoned: its lease
    /// lapses (shared store) or the next start queues it again (RocksDB).
    pub async fn stop(&self) {
        let tasks = std::mem::take(&mut *self.tasks.lock().unwrap_or_else(|e| e.into_inner()));
        for task in &tasks {
            task.abort();
        }
        for task in tasks {
            let _ = task.await;
        }
    }

    async fn expire_forever(&self) {
        let ttl = self.config.result_ttl;
        let period = (ttl / 4).clamp(Duration::from_secs(1), Duration::from_secs(60));
        loop {
            let cutoff = now_ms() - ttl.as_millis() as i64;
            match self.store.expire(cutoff).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(jobs = n, "expired finished proving jobs"),
                Err(e) => tracing::warn!("expiring jobs: {e}"),
            }
            tokio::time::sleep(period).await;
        }
    }

    async fn reap_forever(&self) {
        let period =
            (self.config.lease / 4).clamp(Duration::from_millis(100), Duration::from_secs(5));
        loop {
            match self.store.reap(self.limits(), now_ms()).await {
                Ok(r) if r.requeued + r.parked > 0 => tracing::warn!(
                    requeued = r.requeued,
                    parked = r.parked,
                    "leases lapsed (their workers stopped): jobs queued again or parked"
                ),
                Ok(_) => {}
                Err(e) => tracing::warn!("returning lapsed jobs: {e}"),
            }
            tokio::time::sleep(period).await;
        }
    }

    /// Keeps `veil_queue_depth` at the store's queued count (the whole
    /// fleet's on a shared store: what an autoscaler scales workers on).
    async fn gauge_forever(&self) {
        loop {
            if let Ok(n) = self.store.queued().await {
                self.metrics.queue_depth.set(n as i64);
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }

    /// Stores a job for `request` (already checked) owned by `owner`, or
    /// returns the job an earlier call with the same request id made. The
    /// job is durable when this returns.
    pub async fn submit(&self, request: ProveRequest, owner: &str) -> Result<Submitted, JobError> {
        check_request_id(&request.request_id)?;
        let mut id = [0u8; 16];
        rand::rngs::OsRng.fill_bytes(&mut id);
        let new = NewJob {
            id: hex::encode(id),
            owner: owner.to_owned(),
            request,
            now_ms: now_ms(),
        };
        let submitted = self.store.submit(new, self.limits()).await?;
        if matches!(submitted, Submitted::New(_)) {
            self.submitted.notify_one();
        }
        Ok(submitted)
    }

    /// The job `id`, if `owner` submitted it.
    pub async fn get(&self, id: &str, owner: &str) -> Result<ProofJob, JobError> {
        match self.store.job(id).await? {
            Some((stored_owner, job)) if stored_owner == owner => Ok(job),
            _ => Err(JobError::NotFound(id.to_owned())),
        }
    }

    /// Every change this node makes from now on (subscribe before reading
    /// the current state, so no change is missed in between).
    pub fn subscribe(&self) -> broadcast::Receiver<ProofJob> {
        self.updates.subscribe()
    }

    /// How often a watcher re-reads a job it has heard nothing about:
    /// other nodes' changes reach a shared store only.
    pub fn watch_poll(&self) -> Duration {
        if self.store.shared() {
            SHARED_WATCH_POLL
        } else {
            LOCAL_POLL
        }
    }

    fn publish(&self, job: &ProofJob) {
        // No watchers is fine.
        let _ = self.updates.send(job.clone());
    }

    async fn work(self: Arc<Self>, engine: Arc<Engine>, worker: String) {
        let poll = if self.store.shared() {
            SHARED_POLL
        } else {
            LOCAL_POLL
        };
        loop {
            match self
                .store
                .claim(&worker, self.config.lease, self.limits())
                .await
            {
                Ok(Some(claimed)) => {
                    let span =
                        tracing::info_span!("proving_job", job = %claimed.lease.job_id, %worker);
                    self.run(&engine, claimed).instrument(span).await;
                }
                Ok(None) => {
                    tokio::select! {
                        _ = self.submitted.notified() => {}
                        _ = tokio::time::sleep(poll) => {}
                    }
                }
                Err(e) => {
                    tracing::warn!(%worker, "claiming a job: {e}");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        }
    }

    async fn run(&self, engine: &Arc<Engine>, claimed: Claimed) {
        let Claimed {
            lease,
            request,
            job,
            ..
        } = claimed;
        self.publish(&job);
        self.metrics.running.inc();
        let renewing = {
            let (store, lease, every) = (self.store.clone(), lease.clone(), self.config.lease);
            AbortOnDrop(tokio::spawn(async move {
                loop {
                    tokio::time::sleep(every / 3).await;
                    match store.renew(&lease, every).await {
                        Ok(true) => {}
                        Ok(false) => {
                            tracing::warn!("lost the lease: another worker has this job");
                            return;
                        }
                        Err(e) => tracing::warn!("renewing the lease: {e}"),
                    }
                }
            }))
        };
        let engine = engine.clone();
        let outcome = tokio::task::spawn_blocking(move || {
            let inputs = parse_prove(&request).map_err(|e| e.to_string())?;
            engine.prove(inputs).map_err(|e| e.to_string())
        })
        .await
        .unwrap_or_else(|e| Err(format!("the prover stopped: {e}")));
        drop(renewing);
        self.metrics.running.dec();
        let outcome = match outcome {
            Ok(proved) => {
                self.metrics.record_proof(true, Some(proved.elapsed));
                tracing::info!(seconds = proved.elapsed.as_secs_f64(), "proved");
                Outcome::Proved {
                    proof: proof_message(&proved.proof, &proved.public),
                    seconds: proved.elapsed.as_secs_f64(),
                }
            }
            Err(error) => {
                self.metrics.record_proof(false, None);
                tracing::warn!(%error, "proving failed");
                Outcome::Failed(error)
            }
        };
        // The store may be away for a while (a Postgres restart): keep
        // trying for as long as the lease could still be ours.
        let deadline = tokio::time::Instant::now() + self.config.lease * 2;
        loop {
            match self.store.finish(&lease, outcome.clone()).await {
                Ok(Some(job)) => return self.publish(&job),
                Ok(None) => {
                    tracing::warn!(
                        "finished after losing the lease: another worker has this job, \
                         this result is dropped"
                    );
                    return;
                }
                Err(e) if tokio::time::Instant::now() < deadline => {
                    tracing::warn!("storing the result (retrying): {e}");
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
                Err(e) => {
                    tracing::error!(
                        "storing the result failed; the lease will lapse and the job is \
                         proved again: {e}"
                    );
                    return;
                }
            }
        }
    }

    /// This node's name.
    pub fn node(&self) -> &str {
        &self.node
    }
}

/// Aborts a background task when dropped.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_are_short_and_plain() {
        assert!(check_request_id("").is_ok());
        assert!(check_request_id("order-2026-12-03:0001_a.b").is_ok());
        assert!(check_request_id(&"a".repeat(128)).is_ok());
        assert!(matches!(
            check_request_id(&"a".repeat(129)),
            Err(JobError::BadRequestId(_))
        ));
        for bad in ["a b", "ä", "a/b", "a\0", "a'b"] {
            assert!(
                matches!(check_request_id(bad), Err(JobError::BadRequestId(_))),
                "{bad:?}"
            );
        }
    }
}
