//! The durable proving queue.
//!
//! `submit` stores the job (synced) before it returns, then hands its id to a
//! bounded channel that a fixed number of workers drain; a full channel is
//! refused up front, so nothing is stored that cannot be queued. On start,
//! jobs that were queued or running when the process died are queued again
//! (a running job restarts from scratch; `attempts` counts the starts).
//! Every state change is stored, then broadcast to watchers. Finished jobs
//! are deleted after the result TTL.

use crate::engine::{parse_prove, Engine};
use crate::metrics::Metrics;
use crate::pb::{JobState, ProofJob, ProveRequest, StoredJob};
use crate::store::{state_of, Store, StoreError};
use rand::RngCore;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::sync::{broadcast, mpsc, Mutex};
use tracing::Instrument;

/// Queue sizing.
#[derive(Debug, Clone, Copy)]
pub struct QueueConfig {
    /// Jobs proved at once (each proof already uses every core).
    pub workers: usize,
    /// Jobs waiting at most; more are refused.
    pub max_queue: usize,
    /// Unfinished jobs (queued or running) one API key may have at most, so
    /// one caller cannot fill the queue for everyone.
    pub max_queued_per_key: usize,
    /// How long finished jobs are kept.
    pub result_ttl: Duration,
}

/// Why a job could not be submitted or read.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// The queue is full (→ `ResourceExhausted`).
    #[error("the proving queue is full ({0} jobs waiting); retry later")]
    QueueFull(usize),
    /// The caller has as many unfinished jobs as one key may (→ `ResourceExhausted`).
    #[error(
        "{owner} has {limit} unfinished proving jobs, the most one key may; wait for one to finish"
    )]
    OwnerQueueFull {
        /// The caller.
        owner: String,
        /// The limit.
        limit: usize,
    },
    /// No such job for this caller (→ `NotFound`).
    #[error("no proving job {0}")]
    NotFound(String),
    /// The store failed (→ `Internal`).
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The queue, its workers and its watchers.
pub struct JobQueue {
    store: Arc<Store>,
    metrics: Arc<Metrics>,
    sender: mpsc::Sender<String>,
    updates: broadcast::Sender<ProofJob>,
    max_queue: usize,
    max_per_owner: usize,
    /// Unfinished jobs per owner.
    unfinished: std::sync::Mutex<std::collections::HashMap<String, usize>>,
    tasks: std::sync::Mutex<Vec<tokio::task::JoinHandle<()>>>,
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// Whether a job will not change again.
pub fn is_terminal(job: &ProofJob) -> bool {
    matches!(
        JobState::try_from(job.state),
        Ok(JobState::Succeeded | JobState::Failed)
    )
}

impl JobQueue {
    /// Starts the workers and the expiry task, and requeues the jobs a
    /// previous process left unfinished. Must run inside a Tokio runtime.
    pub fn start(
        store: Arc<Store>,
        engine: Arc<Engine>,
        metrics: Arc<Metrics>,
        config: QueueConfig,
    ) -> Result<Arc<Self>, JobError> {
        let unfinished = store.unfinished_jobs()?;
        let capacity = config.max_queue.max(1) + unfinished.len();
        let (sender, receiver) = mpsc::channel(capacity);
        let (updates, _) = broadcast::channel(1024);
        let queue = Arc::new(JobQueue {
            store,
            metrics,
            sender,
            updates,
            max_queue: config.max_queue.max(1),
            max_per_owner: config.max_queued_per_key.max(1),
            unfinished: std::sync::Mutex::new(std::collections::HashMap::new()),
            tasks: std::sync::Mutex::new(Vec::new()),
        });
        for job in &unfinished {
            *queue.owners().entry(job.owner.clone()).or_default() += 1;
        }
        for job in &unfinished {
            let id = job
                .job
                .as_ref()
                .map(|j| j.job_id.clone())
                .unwrap_or_default();
            // The channel was sized for these.
            if queue.sender.try_send(id).is_ok() {
                queue.metrics.queue_depth.inc();
            }
        }
        if !unfinished.is_empty() {
            tracing::info!(jobs = unfinished.len(), "resuming unfinished proving jobs");
        }
        let receiver = Arc::new(Mutex::new(receiver));
        let mut tasks = Vec::new();
        for _ in 0..config.workers.max(1) {
            let (queue, engine, receiver) = (queue.clone(), engine.clone(), receiver.clone());
            tasks.push(tokio::spawn(
                async move { queue.work(engine, receiver).await },
            ));
        }
        let ttl = config.result_ttl;
        let expiring = queue.clone();
        tasks.push(tokio::spawn(async move {
            let period = (ttl / 4).clamp(Duration::from_secs(1), Duration::from_secs(60));
            loop {
                expiring.expire(ttl);
                tokio::time::sleep(period).await;
            }
        }));
        *queue.tasks.lock().unwrap_or_else(|e| e.into_inner()) = tasks;
        Ok(queue)
    }

    /// Stops the workers and the expiry task and waits for them, so the
    /// store is released. A proof in progress is abandoned: its job stays
    /// `RUNNING` on disk and is resumed by the next start.
    pub async fn stop(&self) {
        let tasks = std::mem::take(&mut *self.tasks.lock().unwrap_or_else(|e| e.into_inner()));
        for task in &tasks {
            task.abort();
        }
        for task in tasks {
            let _ = task.await;
        }
    }

    fn expire(&self, ttl: Duration) {
        let cutoff = now_ms() - ttl.as_millis() as i64;
        match self.store.expire_jobs(cutoff) {
            Ok(0) => {}
            Ok(n) => tracing::info!(jobs = n, "expired finished proving jobs"),
            Err(e) => tracing::error!("expiring jobs: {e}"),
        }
    }

    fn owners(&self) -> std::sync::MutexGuard<'_, std::collections::HashMap<String, usize>> {
        self.unfinished.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A job of `owner` left the queue (finished, failed or vanished).
    fn release(&self, owner: &str) {
        let mut owners = self.owners();
        if let Some(n) = owners.get_mut(owner) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                owners.remove(owner);
            }
        }
    }

    /// Stores a job for `request` (already checked) owned by `owner`, then
    /// queues it. The job is on disk when this returns.
    pub fn submit(&self, request: ProveRequest, owner: &str) -> Result<ProofJob, JobError> {
        let permit = self
            .sender
            .try_reserve()
            .map_err(|_| JobError::QueueFull(self.max_queue))?;
        {
            let mut owners = self.owners();
            let n = owners.entry(owner.to_owned()).or_default();
            if *n >= self.max_per_owner {
                return Err(JobError::OwnerQueueFull {
                    owner: owner.to_owned(),
                    limit: self.max_per_owner,
                });
            }
            *n += 1;
        }
        let mut id = [0u8; 16];
        rand::rngs::OsRng.fill_bytes(&mut id);
        let now = now_ms();
        let job = ProofJob {
            job_id: hex::encode(id),
            state: JobState::Queued as i32,
            stage: "queued".into(),
            created_unix_ms: now,
            updated_unix_ms: now,
            ..Default::default()
        };
        let stored = self.store.put_job(&StoredJob {
            request: Some(request),
            job: Some(job.clone()),
            owner: owner.to_owned(),
        });
        if let Err(e) = stored {
            self.release(owner);
            return Err(e.into());
        }
        permit.send(job.job_id.clone());
        self.metrics.queue_depth.inc();
        Ok(job)
    }

    /// The job `id`, if `owner` submitted it.
    pub fn get(&self, id: &str, owner: &str) -> Result<ProofJob, JobError> {
        let not_found = || JobError::NotFound(id.to_owned());
        let stored = self.store.get_job(id)?.ok_or_else(not_found)?;
        if stored.owner != owner {
            return Err(not_found());
        }
        stored.job.ok_or_else(not_found)
    }

    /// Every job change from now on (subscribe before reading the current
    /// state, so no change is missed in between).
    pub fn subscribe(&self) -> broadcast::Receiver<ProofJob> {
        self.updates.subscribe()
    }

    async fn work(
        self: Arc<Self>,
        engine: Arc<Engine>,
        receiver: Arc<Mutex<mpsc::Receiver<String>>>,
    ) {
        loop {
            let next = receiver.lock().await.recv().await;
            let Some(id) = next else { return };
            self.metrics.queue_depth.dec();
            let owner = self.store.get_job(&id).ok().flatten().map(|s| s.owner);
            let span = tracing::info_span!("proving_job", job = %id);
            if let Err(e) = self.run(&engine, &id).instrument(span).await {
                tracing::error!(job = %id, "proving job: {e}");
            }
            if let Some(owner) = owner {
                self.release(&owner);
            }
        }
    }

    fn save(&self, stored: &StoredJob) -> Result<(), StoreError> {
        self.store.put_job(stored)?;
        if let Some(job) = &stored.job {
            // No watchers is fine.
            let _ = self.updates.send(job.clone());
        }
        Ok(())
    }

    async fn run(&self, engine: &Arc<Engine>, id: &str) -> Result<(), StoreError> {
        let Some(mut stored) = self.store.get_job(id)? else {
            return Ok(());
        };
        if !matches!(state_of(&stored), JobState::Queued | JobState::Running) {
            return Ok(());
        }
        let request = stored.request.clone().unwrap_or_default();
        let Some(job) = stored.job.as_mut() else {
            return Ok(());
        };
        job.state = JobState::Running as i32;
        job.stage = "proving".into();
        job.attempts += 1;
        job.updated_unix_ms = now_ms();
        self.save(&stored)?;
        self.metrics.running.inc();

        let engine = engine.clone();
        let outcome = tokio::task::spawn_blocking(move || {
            let inputs = parse_prove(&request).map_err(|e| e.to_string())?;
            engine.prove(inputs).map_err(|e| e.to_string())
        })
        .await
        .unwrap_or_else(|e| Err(format!("the prover stopped: {e}")));

        self.metrics.running.dec();
        let Some(job) = stored.job.as_mut() else {
            return Ok(());
        };
        job.updated_unix_ms = now_ms();
        match outcome {
            Ok(proved) => {
                self.metrics.record_proof(true, Some(proved.elapsed));
                job.state = JobState::Succeeded as i32;
                job.stage = "done".into();
                job.proof = Some(proved.proof);
                job.prove_seconds = proved.elapsed.as_secs_f64();
                tracing::info!(seconds = job.prove_seconds, "proved");
            }
            Err(error) => {
                self.metrics.record_proof(false, None);
                job.state = JobState::Failed as i32;
                job.stage = "failed".into();
                job.error = error;
                tracing::warn!(error = %job.error, "proving failed");
            }
        }
        self.save(&stored)
    }
}
