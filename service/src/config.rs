//! How a node is configured ([`ServeConfig`], its [`Role`] in a fleet) and
//! why it stops ([`ServeError`]): shared by the server and the fleet code,
//! so neither imports the other.

use crate::jobs::{JobError, QueueConfig};
use crate::store::StoreError;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub use crate::rpc::verifier::MAX_BATCH;

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
