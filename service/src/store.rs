//! Where the service keeps proving jobs and API keys, behind one contract
//! with two engines:
//!
//! - [`rocks::Store`]: the embedded default, one RocksDB that one process
//!   owns (no server to run);
//! - [`postgres::PgStore`]: PostgreSQL, shared by a fleet of `veil serve`
//!   nodes (`--queue postgres://…`), so any API node answers for any job and
//!   workers on other machines prove them.
//!
//! The contract ([`JobStore`]) is a leased queue. A worker *claims* the
//! oldest queued job under a lease (a random token and a deadline) and
//! *renews* it while proving; only the holder of the current token can
//! *finish* the job, so a job is finished once even when a lease lapsed and
//! another worker took it over. A lapsed lease (its worker died) returns
//! the job to the queue; every claim counts an attempt, and a job claimed
//! [`QueueLimits::max_attempts`] times without finishing is parked as
//! `FAILED` with the reason. Submission is durable before it is
//! acknowledged, bounded (queue and per-key limits) and idempotent under a
//! client's request id. `service/tests/service/queue.rs` runs the same
//! tests against both engines.

pub mod postgres;
pub mod rocks;

pub use rocks::Store;

use crate::pb::{self, JobState, ProofJob, ProveRequest, StoredJob};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// Why the store failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The storage engine refused (RocksDB: including another process
    /// holding the database open); the engine's own message.
    #[error("job store: {0}")]
    Engine(String),
    /// The shared store cannot be reached or refused a statement; callers
    /// retry (→ `Unavailable`).
    #[error("job store unavailable: {0}")]
    Unavailable(String),
    /// A stored record does not decode: the database is corrupt.
    #[error("job store: corrupt record {key}: {reason}")]
    Corrupt {
        /// The record's key.
        key: String,
        /// What failed.
        reason: String,
    },
    /// No such API key id.
    #[error("no API key with id {0}")]
    UnknownKey(String),
    /// A new key's id is already taken (ids name callers and own jobs, so
    /// two keys may never share one).
    #[error("an API key with id {0} already exists")]
    DuplicateKeyId(String),
}

/// Why a store did not admit a new job: the limits it enforces in the same
/// transaction as the write (so concurrent submissions cannot overshoot
/// them), or its own failure.
#[derive(Debug, thiserror::Error)]
pub enum SubmitError {
    /// The queue is full.
    #[error("the proving queue is full ({0} jobs waiting); retry later")]
    QueueFull(usize),
    /// The caller has as many unfinished jobs as one key may.
    #[error(
        "{owner} has {limit} unfinished proving jobs, the most one key may; wait for one to finish"
    )]
    OwnerQueueFull {
        /// The caller.
        owner: String,
        /// The limit.
        limit: usize,
    },
    /// The request id was used for other documents.
    #[error("request_id {0} was already used for a different request; use a new id")]
    RequestIdReused(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// What a key may do beyond proving and verifying.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyRole {
    /// A wallet, exchange or custodian: proves and verifies.
    #[default]
    Client,
    /// A regulator: may also record disclosures in the audit log.
    Regulator,
}

/// An API key as stored: never the key itself, only its hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKeyRecord {
    /// The key's public id (its first characters), for logs and metrics.
    pub id: String,
    /// Who it is for.
    pub name: String,
    /// Creation time, Unix seconds.
    pub created_unix: u64,
    /// Revoked keys are refused.
    pub revoked: bool,
    /// What the key may do (keys made before roles existed are clients).
    #[serde(default)]
    pub role: KeyRole,
}

/// A job to store: the checked request and who submits it.
#[derive(Debug, Clone)]
pub struct NewJob {
    /// The new job's id (32 hex digits, random).
    pub id: String,
    /// The API key id submitting it; only it may read the job.
    pub owner: String,
    /// The request; its `request_id`, when set, makes the submission
    /// idempotent for this owner.
    pub request: ProveRequest,
    /// Submission time, Unix milliseconds.
    pub now_ms: i64,
}

/// The bounds a submission and a claim are held to.
#[derive(Debug, Clone, Copy)]
pub struct QueueLimits {
    /// Queued jobs at most (over the whole store).
    pub max_queue: usize,
    /// Unfinished (queued or running) jobs one owner may have.
    pub max_per_owner: usize,
    /// Claims of one job at most; one more is not made, the job is parked.
    pub max_attempts: u32,
}

/// What a submission did.
#[derive(Debug, Clone, PartialEq)]
pub enum Submitted {
    /// Stored a new job.
    New(ProofJob),
    /// The owner already submitted this request id: its job, as it is now.
    Existing(ProofJob),
}

impl Submitted {
    /// The job either way.
    pub fn job(&self) -> &ProofJob {
        match self {
            Submitted::New(job) | Submitted::Existing(job) => job,
        }
    }
}

/// A worker's hold on a job: only the current token may renew or finish it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    /// The job.
    pub job_id: String,
    /// Which worker holds it (for logs and operators).
    pub worker: String,
    /// Random per claim; a later claim of the same job has another.
    pub token: i64,
}

/// A claimed job: the lease, the request to prove and the job as stored.
#[derive(Debug, Clone)]
pub struct Claimed {
    /// The hold on it.
    pub lease: Lease,
    /// What to prove.
    pub request: ProveRequest,
    /// Its owner.
    pub owner: String,
    /// The job, `RUNNING`, with this claim counted in `attempts`.
    pub job: ProofJob,
}

/// How a worker's attempt ended.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// Proved.
    Proved {
        /// The proof message.
        proof: pb::Proof,
        /// Seconds in the prover.
        seconds: f64,
    },
    /// The request cannot be proved (a rule, a missing key): final.
    Failed(String),
}

/// What [`JobStore::reap`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Reaped {
    /// Jobs whose lease lapsed, queued again.
    pub requeued: u64,
    /// Jobs parked as failed after too many attempts.
    pub parked: u64,
}

/// The leased job queue both engines implement (see the module docs).
#[tonic::async_trait]
pub trait JobStore: Send + Sync + 'static {
    /// Stores `job` durably unless its owner already submitted its
    /// request id; refuses when the queue or the owner is at its limit, or
    /// when the request id was used for another request.
    async fn submit(&self, job: NewJob, limits: QueueLimits) -> Result<Submitted, SubmitError>;

    /// The job `id` and its owner, if stored.
    async fn job(&self, id: &str) -> Result<Option<(String, ProofJob)>, StoreError>;

    /// Claims the oldest queued job for `worker` under a lease of `lease`,
    /// counting an attempt; `None` when nothing is queued.
    async fn claim(
        &self,
        worker: &str,
        lease: Duration,
        limits: QueueLimits,
    ) -> Result<Option<Claimed>, StoreError>;

    /// Extends `lease` by `lease_for` from now; false when it is no longer
    /// held (lapsed and claimed again, or the job finished).
    async fn renew(&self, lease: &Lease, lease_for: Duration) -> Result<bool, StoreError>;

    /// Finishes the job if `lease` is still its lease, returning the job as
    /// stored; `None` (nothing written) when it is not.
    async fn finish(&self, lease: &Lease, outcome: Outcome)
        -> Result<Option<ProofJob>, StoreError>;

    /// Returns jobs whose lease lapsed to the queue and parks queued jobs
    /// that used up their attempts.
    async fn reap(&self, limits: QueueLimits, now_ms: i64) -> Result<Reaped, StoreError>;

    /// Deletes finished jobs last updated before `cutoff_ms` (and with them
    /// their request ids); returns how many.
    async fn expire(&self, cutoff_ms: i64) -> Result<u64, StoreError>;

    /// Jobs waiting for a worker (the autoscaler's signal).
    async fn queued(&self) -> Result<u64, StoreError>;

    /// Whether the store answers (health checks).
    async fn ping(&self) -> Result<(), StoreError>;

    /// Whether other processes change this store: then watchers poll it
    /// rather than trust this process's own notifications alone.
    fn shared(&self) -> bool;
}

/// API key lookups on the request path. Interceptors are synchronous, so
/// this is too: RocksDB reads directly, the shared store from a snapshot
/// refreshed every second ([`postgres::KeyCache`]).
pub trait KeyLookup: Send + Sync + 'static {
    /// The record for a key hash, if any.
    fn lookup(&self, hash: &[u8; 32]) -> Result<Option<ApiKeyRecord>, StoreError>;
}

/// A stored job's state.
pub fn state_of(job: &StoredJob) -> JobState {
    job.job
        .as_ref()
        .and_then(|j| JobState::try_from(j.state).ok())
        .unwrap_or(JobState::Unspecified)
}

/// The hash a request is remembered by under its request id: the request
/// without the id, so a retry is recognised and a different request under
/// the same id is refused.
pub fn request_hash(request: &ProveRequest) -> [u8; 32] {
    use prost::Message;
    let bare = ProveRequest {
        request_id: String::new(),
        ..request.clone()
    };
    *blake3::hash(&bare.encode_to_vec()).as_bytes()
}

/// The error parking a job gives its owner.
pub fn parked_error(attempts: u32) -> String {
    format!(
        "gave up after {attempts} attempts: each time, the worker proving it stopped before \
         finishing (its lease lapsed)"
    )
}
