//! The server: opens the stores, starts the proving queue, and serves the
//! handlers of [`crate::rpc`] plus health and reflection, behind the API-key
//! interceptors and the per-service in-flight/metrics layer.

use crate::audit_log::{load_or_create_operator_key, AuditLog};
use crate::auth::{Access, Authenticator, RateLimiter};
use crate::engine::Engine;
use crate::guard::GuardLayer;
use crate::jobs::{JobError, JobQueue, QueueConfig};
use crate::metrics::{self, Metrics};
use crate::pb;
use crate::pb::audit_log_server::AuditLogServer;
use crate::pb::prover_server::ProverServer;
use crate::pb::registry_server::RegistryServer;
use crate::pb::verifier_server::VerifierServer;
use crate::rpc::audit::AuditLogService;
use crate::rpc::prover::ProverService;
use crate::rpc::registry::RegistryService;
use crate::rpc::verifier::VerifierService;
use crate::store::postgres::{KeyCache, NodeRecord, PgStore};
use crate::store::{JobStore, KeyLookup, Store, StoreError};
use std::future::Future;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::{Identity, ServerTlsConfig};

pub use crate::rpc::verifier::MAX_BATCH;

/// veil's gRPC services: each has its own in-flight budgets; health and
/// reflection have none.
const LIMITED_SERVICES: [&str; 4] = [
    "veil.v1.Prover",
    "veil.v1.Verifier",
    "veil.v1.Registry",
    "veil.v1.AuditLog",
];

/// What a node does in a fleet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Role {
    /// Serves the API and proves (the only role the embedded store allows).
    #[default]
    Both,
    /// Serves the API; proves nothing (workers claim its jobs from the
    /// shared store).
    Api,
    /// Proves jobs from the shared store; serves only gRPC health (and
    /// metrics), so it scales apart from the API.
    Worker,
}

impl Role {
    /// The role's name, as `--role` and `veil_nodes` spell it.
    pub fn name(self) -> &'static str {
        match self {
            Role::Both => "both",
            Role::Api => "api",
            Role::Worker => "worker",
        }
    }
}

/// How the server runs.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    /// Database directory: `jobs/` (jobs and API keys, unless `queue_url`),
    /// `dids/` (the did:veil registry, shared with `veil did`) and `log/`
    /// (this node's audit log).
    pub db: PathBuf,
    /// A shared PostgreSQL job store (`postgres://…`) for a fleet, instead
    /// of the embedded RocksDB in `<db>/jobs`.
    pub queue_url: Option<String>,
    /// How the shared store is reached (TLS unless it is on this machine).
    pub queue_tls: crate::store::postgres::PgTls,
    /// This node's role.
    pub role: Role,
    /// This node's name in leases, logs and `veil_nodes` (default: made
    /// from the host name and random digits).
    pub node_name: Option<String>,
    /// The proving queue.
    pub queue: QueueConfig,
    /// Requests in flight at most per service (Prover, Verifier, Registry,
    /// AuditLog) from callers with an API key; health and reflection are
    /// never limited.
    pub max_in_flight: usize,
    /// Requests in flight at most per service from anonymous callers.
    pub max_anonymous_in_flight: usize,
    /// Requests in flight at most from any one API key, across services.
    pub max_in_flight_per_key: usize,
    /// `WatchProofJob` streams open at most per API key.
    pub max_watchers_per_key: usize,
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
    /// PEM certificate chain and key, for TLS (gRPC and the DID listener).
    pub tls: Option<(PathBuf, PathBuf)>,
    /// A did:web site (`veil did create --web --site DIR`) whose documents
    /// the DID listener publishes.
    pub did_web: Option<PathBuf>,
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
            queue_url: None,
            queue_tls: Default::default(),
            role: Role::Both,
            node_name: None,
            queue: QueueConfig::default(),
            max_in_flight: 256,
            max_anonymous_in_flight: 64,
            max_in_flight_per_key: 32,
            max_watchers_per_key: 16,
            max_anonymous_batch: 64,
            rate_per_second: 50.0,
            burst: 100.0,
            max_message_bytes: 4 << 20,
            request_timeout: Duration::from_secs(600),
            tls: None,
            did_web: None,
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
    /// The DID listener's TLS set-up.
    #[error("DID listener: {0}")]
    DidListener(String),
    /// Settings that do not go together.
    #[error("{0}")]
    Config(String),
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
    let listeners = Listeners {
        grpc: listener,
        metrics: metrics_listener,
        did_http: None,
    };
    serve_on(config, engine, listeners, shutdown).await
}

/// The sockets a node answers on.
pub struct Listeners {
    /// gRPC (the API).
    pub grpc: TcpListener,
    /// Prometheus metrics, for operators.
    pub metrics: Option<TcpListener>,
    /// did:veil over the DID Resolution HTTP binding, for anyone resolving
    /// this node's DIDs ([`crate::did_http`]).
    pub did_http: Option<TcpListener>,
}

/// [`serve`] on every listener of `listeners`.
pub async fn serve_on(
    config: ServeConfig,
    engine: Engine,
    listeners: Listeners,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let Listeners {
        grpc: listener,
        metrics: metrics_listener,
        did_http,
    } = listeners;
    std::fs::create_dir_all(&config.db).map_err(|source| ServeError::Io {
        path: config.db.clone(),
        source,
    })?;
    let node = config.node_name.clone().unwrap_or_else(node_name);
    let stores = open_stores(&config).await?;
    let dids = Arc::new(veil_did::Registry::open(&config.db.join("dids"))?);
    let key_path = config
        .log_key
        .clone()
        .unwrap_or_else(|| config.db.join("log-operator.jwk"));
    let operator = load_or_create_operator_key(&key_path)?;
    let log = Arc::new(AuditLog::open(&config.db.join("log"), operator)?);
    tracing::info!(log_id = %log.log().log_id(), size = log.log().size(), %node, role = config.role.name(), "audit log open");
    let metrics = Arc::new(Metrics::new());
    let engine = Arc::new(engine);
    let mut queue_config = config.queue;
    if config.role == Role::Api {
        queue_config.workers = 0;
    }
    let queue = JobQueue::start(
        stores.jobs.clone(),
        engine.clone(),
        metrics.clone(),
        queue_config,
        &node,
    );
    let _stop_fleet = match &stores.shared {
        Some(pg) => {
            let record = NodeRecord {
                node: node.clone(),
                role: config.role.name().into(),
                log_id: if config.role == Role::Worker {
                    String::new()
                } else {
                    log.log().log_id().to_owned()
                },
                started_ms: crate::jobs::now_ms(),
            };
            pg.register_node(&record).await?;
            let (pg, keys) = (pg.clone(), stores.key_cache.clone());
            AbortOnDrop(Some(tokio::spawn(async move {
                let _refresh = keys.map(|k| AbortOnDrop(Some(k.spawn_refresh())));
                loop {
                    tokio::time::sleep(Duration::from_secs(5)).await;
                    if let Err(e) = pg.register_node(&record).await {
                        tracing::warn!("refreshing this node in veil_nodes: {e}");
                    }
                }
            })))
        }
        None => AbortOnDrop(None),
    };
    let did_task = match did_http {
        None => None,
        Some(listener) => {
            let tls = match &config.tls {
                Some((cert, key)) => {
                    Some(crate::http::tls_acceptor(cert, key).map_err(ServeError::DidListener)?)
                }
                None => None,
            };
            let site = config
                .did_web
                .as_deref()
                .map(|root| Arc::new(veil_did::web::WebSite::open(root)));
            Some(tokio::spawn(crate::did_http::serve(
                listener,
                dids.clone(),
                site,
                tls,
            )))
        }
    };
    let _stop_did_http = AbortOnDrop(did_task);
    let result = run_server(
        config,
        engine,
        stores,
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
    stores: Stores,
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
    // Audit-log reads have buckets of their own: a flood of anonymous
    // verifications cannot lock an anonymous auditor out of the log.
    let audit_limiter = Arc::new(RateLimiter::new(config.rate_per_second, config.burst));
    let auth = |access| Authenticator::new(stores.keys.clone(), limiter.clone(), access);
    let size = config.max_message_bytes;
    let slots = crate::rpc::cpu_slots();
    let prover = ProverServer::new(ProverService::new(
        engine.clone(),
        queue,
        slots.clone(),
        config.max_watchers_per_key,
    ))
    .max_decoding_message_size(size)
    .max_encoding_message_size(size);
    let verifier = VerifierServer::new(VerifierService::new(
        engine.clone(),
        slots,
        log.clone(),
        limiter.clone(),
        config.max_anonymous_batch,
    ))
    .max_decoding_message_size(size)
    .max_encoding_message_size(size);
    let registry = RegistryServer::new(RegistryService::new(engine, dids))
        .max_decoding_message_size(size)
        .max_encoding_message_size(size);
    let audit = AuditLogServer::new(AuditLogService::new(log))
        .max_decoding_message_size(size)
        .max_encoding_message_size(size);

    let (health, health_service) = tonic_health::server::health_reporter();
    let served: &[&str] = if config.role == Role::Worker {
        &[]
    } else {
        &LIMITED_SERVICES
    };
    for name in served.iter().copied().chain([""]) {
        health
            .set_service_status(name, tonic_health::ServingStatus::Serving)
            .await;
    }
    let _watch_store = AbortOnDrop(Some(tokio::spawn(watch_store(
        stores.jobs.clone(),
        health.clone(),
        served,
    ))));
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
    // TCP_NODELAY: an answer is written in pieces (headers, message,
    // trailers), and without it each small write after the first waits for
    // the client's delayed ACK, about 40 ms a request on loopback.
    let incoming = tonic::transport::server::TcpIncoming::from(listener).with_nodelay(Some(true));
    let mut router = builder
        .layer(GuardLayer::new(
            &LIMITED_SERVICES,
            crate::guard::known_methods(&[
                pb::FILE_DESCRIPTOR_SET,
                tonic_health::pb::FILE_DESCRIPTOR_SET,
            ]),
            (
                config.max_in_flight,
                config.max_anonymous_in_flight,
                config.max_in_flight_per_key,
            ),
            metrics,
        ))
        .add_service(health_service)
        .add_service(reflection);
    if config.role == Role::Worker {
        router
            .serve_with_incoming_shutdown(incoming, shutdown)
            .await?;
        return Ok(());
    }
    router = router
        .add_service(InterceptedService::new(prover, auth(Access::KeyRequired)))
        .add_service(InterceptedService::new(verifier, auth(Access::KeyOptional)))
        .add_service(InterceptedService::new(registry, auth(Access::KeyOptional)))
        .add_service(InterceptedService::new(
            audit,
            Authenticator::new(stores.keys.clone(), audit_limiter, Access::KeyOptional),
        ));
    router
        .serve_with_incoming_shutdown(incoming, shutdown)
        .await?;
    Ok(())
}

/// The job and key stores a node uses.
struct Stores {
    jobs: Arc<dyn JobStore>,
    keys: Arc<dyn KeyLookup>,
    /// The shared store, when there is one (node registration).
    shared: Option<Arc<PgStore>>,
    /// Its key snapshot, refreshed while the node runs.
    key_cache: Option<Arc<KeyCache>>,
}

/// Opens the embedded store, or connects to the shared one.
async fn open_stores(config: &ServeConfig) -> Result<Stores, ServeError> {
    match &config.queue_url {
        None => {
            if config.role != Role::Both {
                return Err(ServeError::Config(format!(
                    "--role {} needs a shared job store (--queue postgres://…): the embedded \
                     store belongs to one process, which must both serve and prove",
                    config.role.name()
                )));
            }
            let store = Arc::new(Store::open(&config.db.join("jobs"))?);
            Ok(Stores {
                jobs: store.clone(),
                keys: store,
                shared: None,
                key_cache: None,
            })
        }
        Some(url) => {
            // Workers and request handlers each hold a connection briefly.
            let connections = config.queue.workers * 2 + 8;
            let pg = Arc::new(PgStore::connect_with(url, connections, &config.queue_tls).await?);
            let cache = KeyCache::load(pg.clone()).await?;
            Ok(Stores {
                jobs: pg.clone(),
                keys: cache.clone(),
                shared: Some(pg),
                key_cache: Some(cache),
            })
        }
    }
}

/// A default node name: the host's name and 8 random hex digits, unique
/// per process.
fn node_name() -> String {
    use rand::RngCore;
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "veil".into());
    format!("{host}-{:08x}", rand::rngs::OsRng.next_u32())
}

/// Reports every served service `NOT_SERVING` on gRPC health while the job
/// store does not answer, and `SERVING` again once it does: load balancers
/// and orchestrators stop routing to a node that cannot take jobs.
async fn watch_store(
    store: Arc<dyn JobStore>,
    health: tonic_health::server::HealthReporter,
    served: &'static [&'static str],
) {
    let mut serving = true;
    loop {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let up = store.ping().await;
        if up.is_ok() != serving {
            serving = up.is_ok();
            let status = if serving {
                tracing::info!("the job store answers again: serving");
                tonic_health::ServingStatus::Serving
            } else {
                tracing::warn!(
                    "the job store does not answer: not serving ({:?})",
                    up.err()
                );
                tonic_health::ServingStatus::NotServing
            };
            for name in served.iter().copied().chain([""]) {
                health.set_service_status(name, status).await;
            }
        }
    }
}

pub use veil_client::install_crypto_provider;

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
