//! The gRPC handlers and the server: `Prover`, `Verifier` and `Registry`,
//! plus health and reflection, behind the API-key interceptors and the
//! in-flight/metrics layer.
//!
//! Error codes: a missing or malformed field is `InvalidArgument` naming the
//! field; documents that break a rule of the statement are
//! `FailedPrecondition` naming the rule; an unknown job or DID is `NotFound`;
//! a full queue, an exhausted rate limit or the in-flight limit is
//! `ResourceExhausted`; a missing, unknown or revoked key is
//! `Unauthenticated`.

use crate::audit_log::{load_or_create_operator_key, verification_entry, AuditLog};
use crate::audit_service::AuditLogService;
use crate::auth::{caller_of, Access, Authenticator, RateLimiter};
use crate::engine::{parse_prove, Engine, RequestError};
use crate::guard::GuardLayer;
use crate::jobs::{is_terminal, JobError, JobQueue, QueueConfig};
use crate::metrics::{self, Metrics};
use crate::pb::audit_log_server::AuditLogServer;
use crate::pb::prover_server::{Prover, ProverServer};
use crate::pb::registry_server::{Registry, RegistryServer};
use crate::pb::verifier_server::{Verifier, VerifierServer};
use crate::pb::{self, JobState, ProofJob};
use crate::store::{Store, StoreError};
use std::future::Future;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::{broadcast, mpsc, Semaphore};
use tokio_stream::wrappers::{ReceiverStream, TcpListenerStream};
use tonic::service::interceptor::InterceptedService;
use tonic::transport::{Identity, ServerTlsConfig};
use tonic::{Request, Response, Status};
use veil_circuits::encoding::field_to_decimal;

/// Most items one `VerifyBatch` may carry.
pub const MAX_BATCH: usize = 1024;

/// veil's gRPC services: each has its own in-flight budgets; health and
/// reflection have none.
const LIMITED_SERVICES: [&str; 4] = [
    "veil.v1.Prover",
    "veil.v1.Verifier",
    "veil.v1.Registry",
    "veil.v1.AuditLog",
];

/// How the server runs.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    /// Database directory: `jobs/` (jobs and API keys) and `dids/` (the
    /// did:veil registry, shared with `veil did`).
    pub db: PathBuf,
    /// The proving queue.
    pub queue: QueueConfig,
    /// Requests in flight at most per service (Prover, Verifier, Registry,
    /// AuditLog) from callers with an API key; health and reflection are
    /// never limited.
    pub max_in_flight: usize,
    /// Requests in flight at most per service from anonymous callers.
    pub max_anonymous_in_flight: usize,
    /// Items one anonymous `VerifyBatch` may carry (keyed callers:
    /// [`MAX_BATCH`]). Every item is charged to the caller's rate limit.
    pub max_anonymous_batch: usize,
    /// Requests per second per API key (anonymous callers share one bucket);
    /// 0 disables.
    pub rate_per_second: f64,
    /// Burst allowance per key.
    pub burst: f64,
    /// Largest request or response message.
    pub max_message_bytes: usize,
    /// Upper bound on any request (clients' shorter deadlines are honoured).
    pub request_timeout: Duration,
    /// PEM certificate chain and key, for TLS.
    pub tls: Option<(PathBuf, PathBuf)>,
    /// The audit log operator's Ed25519 key (a private JWK); made on first
    /// start when absent. Default: `<db>/log-operator.jwk`.
    pub log_key: Option<PathBuf>,
    /// How often the log's head is re-signed when nothing is appended, so
    /// auditors see a fresh head (they refuse one older than a day).
    pub head_refresh: Duration,
}

impl ServeConfig {
    /// The embedded defaults for a database directory.
    pub fn with_db(db: &Path) -> Self {
        ServeConfig {
            db: db.to_owned(),
            queue: QueueConfig {
                workers: 1,
                max_queue: 256,
                max_queued_per_key: 64,
                result_ttl: Duration::from_secs(24 * 3600),
            },
            max_in_flight: 256,
            max_anonymous_in_flight: 64,
            max_anonymous_batch: 64,
            rate_per_second: 50.0,
            burst: 100.0,
            max_message_bytes: 4 << 20,
            request_timeout: Duration::from_secs(600),
            tls: None,
            log_key: None,
            head_refresh: Duration::from_secs(3600),
        }
    }
}

/// Why the server could not start or stopped.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The job store.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The job queue.
    #[error(transparent)]
    Jobs(#[from] JobError),
    /// The DID registry.
    #[error("did registry: {0}")]
    Dids(#[from] veil_did::RegistryError),
    /// Files (database directory, TLS files).
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The transport.
    #[error("transport: {0}")]
    Transport(#[from] tonic::transport::Error),
    /// The audit log.
    #[error("audit log: {0}")]
    Log(#[from] veil_audit::LogError),
    /// The audit log operator's key.
    #[error("audit log operator key: {0}")]
    OperatorKey(#[from] crate::audit_log::OperatorKeyError),
    /// Reflection could not read the descriptors.
    #[error("reflection: {0}")]
    Reflection(#[from] tonic_reflection::server::Error),
}

fn status_of_request(e: RequestError) -> Status {
    match e {
        RequestError::Violates(_) => Status::failed_precondition(e.to_string()),
        RequestError::Invalid { .. } | RequestError::Unsupported(_) => {
            Status::invalid_argument(e.to_string())
        }
    }
}

fn status_of_job(e: JobError) -> Status {
    match e {
        JobError::QueueFull(_) | JobError::OwnerQueueFull { .. } => {
            Status::resource_exhausted(e.to_string())
        }
        JobError::NotFound(_) => Status::not_found(e.to_string()),
        JobError::Store(_) => Status::internal(e.to_string()),
    }
}

/// Runs CPU work on rayon's pool and awaits it. Verification parallelises
/// inside (the MSM, the Miller loop) with rayon; started from a rayon thread
/// those inner jobs run inline, where from another thread each one is a
/// hand-off to the pool and a wake-up. At most one task per pool thread is
/// submitted at a time: a rayon thread waiting on an inner job steals queued
/// outer tasks, so an unbounded queue would nest them until the stack
/// overflows (seen with 4,000 queued verifications).
async fn on_cpu_pool<T: Send + 'static>(
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
fn cpu_slots() -> Arc<Semaphore> {
    Arc::new(Semaphore::new(rayon::current_num_threads().max(1)))
}

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

/// The `Verifier` service.
pub struct VerifierService {
    engine: Arc<Engine>,
    slots: Arc<Semaphore>,
    log: Arc<AuditLog>,
    limiter: Arc<RateLimiter>,
    max_anonymous_batch: usize,
}

/// A batch without repeats: the distinct items, and for each original item
/// the position of its distinct copy. A proof repeated in a batch is
/// verified and logged once.
pub fn distinct_items(items: Vec<pb::VerifyRequest>) -> (Vec<pb::VerifyRequest>, Vec<usize>) {
    use prost::Message;
    let mut seen: std::collections::HashMap<[u8; 32], usize> = std::collections::HashMap::new();
    let mut distinct = Vec::new();
    let mut slots = Vec::with_capacity(items.len());
    for item in items {
        let digest = *blake3::hash(&item.encode_to_vec()).as_bytes();
        let slot = *seen.entry(digest).or_insert_with(|| {
            distinct.push(item);
            distinct.len() - 1
        });
        slots.push(slot);
    }
    (distinct, slots)
}

#[tonic::async_trait]
impl Verifier for VerifierService {
    /// Verifies, logs the verdict, then answers with the entry's index.
    async fn verify(
        &self,
        request: Request<pb::VerifyRequest>,
    ) -> Result<Response<pb::VerifyResponse>, Status> {
        let caller = caller_of(&request);
        let engine = self.engine.clone();
        let request = request.into_inner();
        let (request, response) = on_cpu_pool(&self.slots, move || {
            let response = engine.verify(&request);
            (request, response)
        })
        .await?;
        let mut response = response.map_err(status_of_request)?;
        let entry = verification_entry(&request, &response, caller.label());
        let logged = self.log.record(vec![entry]).await?;
        response.log_index = logged.first;
        response.log_head = Some(crate::audit_service::head_message(&logged.head));
        response.log_entry = logged.entries.into_iter().next().unwrap_or_default();
        Ok(Response::new(response))
    }

    async fn verify_batch(
        &self,
        request: Request<pb::VerifyBatchRequest>,
    ) -> Result<Response<pb::VerifyBatchResponse>, Status> {
        let caller = caller_of(&request);
        let items = request.into_inner().items;
        let most = if caller.key_id.is_some() {
            MAX_BATCH
        } else {
            self.max_anonymous_batch
        };
        if items.len() > most {
            return Err(Status::invalid_argument(format!(
                "items: at most {most} per batch{}, got {}",
                if caller.key_id.is_some() {
                    ""
                } else {
                    " without an API key"
                },
                items.len()
            )));
        }
        // The interceptor charged the request; each further item costs one
        // more token, so a batch is no cheaper per verification than calls.
        if !self
            .limiter
            .try_acquire_n(caller.label(), items.len().saturating_sub(1))
        {
            return Err(Status::resource_exhausted(format!(
                "rate limit exceeded for {}: a batch costs one request per item",
                caller.label()
            )));
        }
        let (items, slots) = distinct_items(items);
        let engine = self.engine.clone();
        let (items, results) = on_cpu_pool(&self.slots, move || {
            let results = engine.verify_batch(&items);
            (items, results)
        })
        .await?;
        let mut results = results.map_err(|(i, e)| {
            let status = status_of_request(e);
            // Name the first original item with that content.
            let i = slots.iter().position(|&s| s == i).unwrap_or(i);
            Status::new(status.code(), format!("items[{i}].{}", status.message()))
        })?;
        let entries = items
            .iter()
            .zip(&results)
            .map(|(item, result)| verification_entry(item, result, caller.label()))
            .collect();
        let logged = self.log.record(entries).await?;
        let head = crate::audit_service::head_message(&logged.head);
        for ((i, result), entry) in results.iter_mut().enumerate().zip(logged.entries) {
            result.log_index = logged.first + i as u64;
            result.log_head = Some(head.clone());
            result.log_entry = entry;
        }
        let results = slots.into_iter().map(|s| results[s].clone()).collect();
        Ok(Response::new(pb::VerifyBatchResponse { results }))
    }
}

/// The `Registry` service.
pub struct RegistryService {
    engine: Arc<Engine>,
    dids: Arc<veil_did::Registry>,
}

#[tonic::async_trait]
impl Registry for RegistryService {
    async fn resolve_did(
        &self,
        request: Request<pb::ResolveDidRequest>,
    ) -> Result<Response<pb::ResolveDidResponse>, Status> {
        let request = request.into_inner();
        if request.did.is_empty() {
            return Err(Status::invalid_argument("did: missing"));
        }
        let version = match request.version_id.as_str() {
            "" => None,
            v => Some(
                v.parse::<u64>()
                    .map_err(|_| Status::invalid_argument("version_id: not a number"))?,
            ),
        };
        use veil_did::ResolutionError as E;
        let resolution = self
            .dids
            .resolve(&request.did, version)
            .map_err(|e| match e {
                E::InvalidDid(_) | E::MethodNotSupported(_) => {
                    Status::invalid_argument(format!("did: {e}"))
                }
                E::NotFound(_) => Status::not_found(e.to_string()),
                E::Internal(_) => Status::internal(e.to_string()),
            })?;
        Ok(Response::new(pb::ResolveDidResponse {
            document_json: json(&resolution.did_document)?,
            metadata_json: json(&resolution.did_document_metadata)?,
        }))
    }

    async fn get_roots(
        &self,
        _request: Request<pb::GetRootsRequest>,
    ) -> Result<Response<pb::GetRootsResponse>, Status> {
        let registry = self.engine.registry();
        Ok(Response::new(pb::GetRootsResponse {
            issuers_root: field_to_decimal(&registry.issuers_root()),
            revocation_root: field_to_decimal(&registry.revocation_root()),
            issuer_count: registry.issuer_count() as u32,
            revoked_count: registry.revoked_count() as u32,
        }))
    }
}

fn json<T: serde::Serialize>(value: &T) -> Result<String, Status> {
    serde_json::to_string(value).map_err(|e| Status::internal(e.to_string()))
}

/// A running server's parts, for callers that embed it (tests, the load
/// generator).
pub struct Running {
    /// The gRPC address it listens on.
    pub addr: SocketAddr,
    /// The metrics address, if served.
    pub metrics_addr: Option<SocketAddr>,
    /// Resolves when the server stops.
    pub handle: tokio::task::JoinHandle<Result<(), ServeError>>,
}

/// Opens the stores, resumes unfinished jobs, and serves on `listener` (and
/// metrics on `metrics_listener`) until `shutdown` resolves.
pub async fn serve(
    config: ServeConfig,
    engine: Engine,
    listener: TcpListener,
    metrics_listener: Option<TcpListener>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    std::fs::create_dir_all(&config.db).map_err(|source| ServeError::Io {
        path: config.db.clone(),
        source,
    })?;
    let store = Arc::new(Store::open(&config.db.join("jobs"))?);
    let dids = Arc::new(veil_did::Registry::open(&config.db.join("dids"))?);
    let key_path = config
        .log_key
        .clone()
        .unwrap_or_else(|| config.db.join("log-operator.jwk"));
    let operator = load_or_create_operator_key(&key_path)?;
    let log = Arc::new(AuditLog::open(&config.db.join("log"), operator)?);
    tracing::info!(log_id = %log.log().log_id(), size = log.log().size(), "audit log open");
    let metrics = Arc::new(Metrics::new());
    let engine = Arc::new(engine);
    let queue = JobQueue::start(store.clone(), engine.clone(), metrics.clone(), config.queue)?;
    let result = run_server(
        config,
        engine,
        store,
        dids,
        log,
        metrics,
        queue.clone(),
        listener,
        metrics_listener,
        shutdown,
    )
    .await;
    queue.stop().await;
    result
}

/// The transport part of [`serve`].
#[allow(clippy::too_many_arguments)]
async fn run_server(
    config: ServeConfig,
    engine: Arc<Engine>,
    store: Arc<Store>,
    dids: Arc<veil_did::Registry>,
    log: Arc<AuditLog>,
    metrics: Arc<Metrics>,
    queue: Arc<JobQueue>,
    listener: TcpListener,
    metrics_listener: Option<TcpListener>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let metrics_task = metrics_listener.map(|l| tokio::spawn(metrics::serve(l, metrics.clone())));
    let _stop_metrics = AbortOnDrop(metrics_task);
    let _stop_refresh = AbortOnDrop(Some(AuditLog::spawn_head_refresh(
        &log,
        config.head_refresh,
    )));

    let limiter = Arc::new(RateLimiter::new(config.rate_per_second, config.burst));
    let auth = |access| Authenticator::new(store.clone(), limiter.clone(), access);
    let size = config.max_message_bytes;
    let slots = cpu_slots();
    let prover = ProverServer::new(ProverService {
        engine: engine.clone(),
        queue,
        slots: slots.clone(),
    })
    .max_decoding_message_size(size)
    .max_encoding_message_size(size);
    let verifier = VerifierServer::new(VerifierService {
        engine: engine.clone(),
        slots,
        log: log.clone(),
        limiter: limiter.clone(),
        max_anonymous_batch: config.max_anonymous_batch,
    })
    .max_decoding_message_size(size)
    .max_encoding_message_size(size);
    let registry = RegistryServer::new(RegistryService { engine, dids })
        .max_decoding_message_size(size)
        .max_encoding_message_size(size);
    let audit = AuditLogServer::new(AuditLogService { log })
        .max_decoding_message_size(size)
        .max_encoding_message_size(size);

    let (health, health_service) = tonic_health::server::health_reporter();
    for name in LIMITED_SERVICES.into_iter().chain([""]) {
        health
            .set_service_status(name, tonic_health::ServingStatus::Serving)
            .await;
    }
    let reflection = tonic_reflection::server::Builder::configure()
        .register_encoded_file_descriptor_set(pb::FILE_DESCRIPTOR_SET)
        .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
        .build_v1()?;

    let mut builder = tonic::transport::Server::builder()
        .timeout(config.request_timeout)
        .trace_fn(|request| tracing::info_span!("grpc", method = %request.uri().path()));
    if let Some((cert, key)) = &config.tls {
        install_crypto_provider();
        let read = |path: &PathBuf| {
            std::fs::read(path).map_err(|source| ServeError::Io {
                path: path.clone(),
                source,
            })
        };
        let identity = Identity::from_pem(read(cert)?, read(key)?);
        builder = builder.tls_config(ServerTlsConfig::new().identity(identity))?;
    }
    builder
        .layer(GuardLayer::new(
            &LIMITED_SERVICES,
            config.max_in_flight,
            config.max_anonymous_in_flight,
            metrics,
        ))
        .add_service(health_service)
        .add_service(reflection)
        .add_service(InterceptedService::new(prover, auth(Access::KeyRequired)))
        .add_service(InterceptedService::new(verifier, auth(Access::KeyOptional)))
        .add_service(InterceptedService::new(registry, auth(Access::KeyOptional)))
        .add_service(InterceptedService::new(audit, auth(Access::KeyOptional)))
        .serve_with_incoming_shutdown(TcpListenerStream::new(listener), shutdown)
        .await?;
    Ok(())
}

/// Selects rustls's ring provider for the process (both ring and aws-lc are
/// linked, so rustls cannot choose by itself); idempotent.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// Aborts a background task when dropped.
struct AbortOnDrop(Option<tokio::task::JoinHandle<()>>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        if let Some(task) = &self.0 {
            task.abort();
        }
    }
}

/// Binds `addr` (and `metrics_addr`) and serves in a background task until
/// `shutdown` resolves: for tests and the load generator.
pub async fn spawn(
    config: ServeConfig,
    engine: Engine,
    addr: SocketAddr,
    metrics_addr: Option<SocketAddr>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<Running, ServeError> {
    let bind = |addr: SocketAddr| async move {
        TcpListener::bind(addr)
            .await
            .map_err(|source| ServeError::Io {
                path: PathBuf::from(addr.to_string()),
                source,
            })
    };
    let listener = bind(addr).await?;
    let addr = listener.local_addr().map_err(|source| ServeError::Io {
        path: PathBuf::from("listener"),
        source,
    })?;
    let (metrics_listener, metrics_addr) = match metrics_addr {
        Some(m) => {
            let l = bind(m).await?;
            let a = l.local_addr().ok();
            (Some(l), a)
        }
        None => (None, None),
    };
    let handle = tokio::spawn(serve(config, engine, listener, metrics_listener, shutdown));
    Ok(Running {
        addr,
        metrics_addr,
        handle,
    })
}
