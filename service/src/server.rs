//! The server: one builder, [`Server`], that opens a node's stores and log
//! ([`crate::fleet`]), starts the proving queue, and serves the handlers of
//! [`crate::rpc`] plus health and reflection, behind the API-key
//! interceptors and the per-service in-flight/metrics layer.

use crate::audit_log::{load_or_create_operator_key, AuditLog};
use crate::auth::{Access, Authenticator, RateLimiter};
use crate::engine::Engine;
use crate::fleet::{self, AbortOnDrop, Stores};
use crate::guard::GuardLayer;
use crate::jobs::JobQueue;
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
use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use tokio::net::TcpListener;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::{Identity, ServerTlsConfig};

pub use crate::config::{Role, ServeConfig, ServeError, MAX_BATCH};

/// veil's gRPC services: each has its own in-flight budgets; health and
/// reflection have none.
const LIMITED_SERVICES: [&str; 4] = [
    "veil.v1.Prover",
    "veil.v1.Verifier",
    "veil.v1.Registry",
    "veil.v1.AuditLog",
];

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

/// A node to run: how it is configured and the engine it proves and
/// verifies with. [`Server::run`] serves on sockets the caller bound (the
/// CLI); [`Server::spawn`] binds and serves in the background (tests, the
/// load generator).
pub struct Server {
    config: ServeConfig,
    engine: Engine,
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

impl Server {
    /// A node with `config` and `engine`.
    pub fn new(config: ServeConfig, engine: Engine) -> Self {
        Server { config, engine }
    }

    /// Opens the stores, resumes unfinished jobs, and serves on every
    /// listener of `listeners` until `shutdown` resolves.
    pub async fn run(
        self,
        listeners: Listeners,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), ServeError> {
        let Server { config, engine } = self;
        run(config, engine, listeners, shutdown).await
    }

    /// Binds `addr` (and `metrics_addr`) and serves in a background task
    /// until `shutdown` resolves.
    pub async fn spawn(
        self,
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
        let grpc = bind(addr).await?;
        let addr = grpc.local_addr().map_err(|source| ServeError::Io {
            path: PathBuf::from("listener"),
            source,
        })?;
        let (metrics, metrics_addr) = match metrics_addr {
            Some(m) => {
                let l = bind(m).await?;
                let a = l.local_addr().ok();
                (Some(l), a)
            }
            None => (None, None),
        };
        let listeners = Listeners {
            grpc,
            metrics,
            did_http: None,
        };
        let handle = tokio::spawn(self.run(listeners, shutdown));
        Ok(Running {
            addr,
            metrics_addr,
            handle,
        })
    }
}

/// What a node serves with once its stores and log are open.
struct Node {
    engine: Arc<Engine>,
    stores: Stores,
    dids: Arc<veil_did::Registry>,
    log: Arc<AuditLog>,
    metrics: Arc<Metrics>,
    queue: Arc<JobQueue>,
}

async fn run(
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
    let node = config.node_name.clone().unwrap_or_else(fleet::node_name);
    let stores = fleet::open_stores(&config).await?;
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
    let _stop_fleet = fleet::announce(&stores, &config, &node, &log.log().log_id()).await?;
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
    let parts = Node {
        engine,
        stores,
        dids,
        log,
        metrics,
        queue: queue.clone(),
    };
    let result = serve_grpc(config, parts, listener, metrics_listener, shutdown).await;
    queue.stop().await;
    result
}

/// The transport part of [`Server::run`].
async fn serve_grpc(
    config: ServeConfig,
    node: Node,
    listener: TcpListener,
    metrics_listener: Option<TcpListener>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let Node {
        engine,
        stores,
        dids,
        log,
        metrics,
        queue,
    } = node;
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
    let _watch_store = AbortOnDrop(Some(tokio::spawn(fleet::watch_store(
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

pub use veil_client::install_crypto_provider;
