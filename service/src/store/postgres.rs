//! The shared store on PostgreSQL (`veil serve --queue postgres://…`): jobs,
//! API keys and the fleet's nodes in three tables, so every node answers
//! for every job and workers anywhere prove them.
//!
//! - **Claims** take the oldest queued row with `FOR UPDATE SKIP LOCKED`
//!   (workers never wait on each other's rows) and set a lease: a random
//!   token, the worker's name and a deadline in the database's clock, so
//!   node clocks do not matter. Renewing, finishing and failing all say
//!   `WHERE lease_token = $token`: a worker whose lease lapsed and was
//!   claimed again writes nothing.
//! - **Submission** is one transaction under a per-owner advisory lock: the
//!   request id is looked up, the limits counted and the row inserted, so
//!   two nodes racing on one owner's retries make one job. The commit is
//!   synchronous (Postgres' default) before the client hears of it.
//! - **Schema**: created on connect when absent (under an advisory lock, so
//!   nodes starting together do not race); every statement is prepared per
//!   connection and checked by the test suite against a real server.
//! - **Connections** come from a deadpool pool; one broken by a Postgres
//!   restart is dropped and a new one opened on the next use, so a node
//!   recovers without restarting. While the server is away each call is a
//!   [`StoreError::Unavailable`], bounded by the pool's timeouts.

use super::{
    parked_error, request_hash, ApiKeyRecord, Claimed, JobStore, KeyLookup, Lease, NewJob, Outcome,
    QueueLimits, Reaped, StoreError, SubmitError, Submitted,
};
use crate::pb::{JobState, ProofJob, ProveRequest};
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use prost::Message;
use rand::RngCore;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};
use tokio_postgres::config::{Host, SslMode};
use tokio_postgres::error::SqlState;
use tokio_postgres::Row;

/// The tables, created when absent. States are `veil.v1.JobState` numbers.
const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS veil_jobs (
    seq           bigserial UNIQUE,
    id            text PRIMARY KEY,
    owner         text NOT NULL,
    request_id    text,
    request_hash  bytea NOT NULL,
    request       bytea NOT NULL,
    state         integer NOT NULL,
    stage         text NOT NULL,
    attempts      integer NOT NULL DEFAULT 0,
    lease_worker  text,
    lease_token   bigint,
    lease_until   timestamptz,
    proof         bytea,
    error         text NOT NULL DEFAULT '',
    prove_seconds double precision NOT NULL DEFAULT 0,
    created_ms    bigint NOT NULL,
    updated_ms    bigint NOT NULL,
    UNIQUE (owner, request_id)
);
CREATE INDEX IF NOT EXISTS veil_jobs_queued ON veil_jobs (seq) WHERE state = 1;
CREATE INDEX IF NOT EXISTS veil_jobs_leased ON veil_jobs (lease_until) WHERE state = 2;
CREATE INDEX IF NOT EXISTS veil_jobs_owner_unfinished ON veil_jobs (owner) WHERE state IN (1, 2);
CREATE INDEX IF NOT EXISTS veil_jobs_finished ON veil_jobs (updated_ms) WHERE state IN (3, 4);
CREATE TABLE IF NOT EXISTS veil_api_keys (
    hash   bytea PRIMARY KEY,
    id     text NOT NULL UNIQUE,
    record text NOT NULL
);
CREATE TABLE IF NOT EXISTS veil_nodes (
    node       text PRIMARY KEY,
    role       text NOT NULL,
    log_id     text NOT NULL,
    started_ms bigint NOT NULL,
    seen       timestamptz NOT NULL
);
";

/// The advisory lock the schema is created under.
const SCHEMA_LOCK: i64 = 0x7665_696c_5f73_6368; // "veil_sch"

/// The columns a `ProofJob` is read from, in [`job_of`]'s order.
const JOB_COLUMNS: &str =
    "id, owner, state, stage, attempts, created_ms, updated_ms, proof, error, prove_seconds";

/// How long a call waits for a connection, for a new connection and for a
/// statement, at most: a node whose Postgres is away answers `Unavailable`
/// within these, never hangs.
const POOL_TIMEOUT: Duration = Duration::from_secs(3);

/// The PostgreSQL store.
pub struct PgStore {
    pool: Pool,
}

/// How the connections to a shared PostgreSQL are secured. Job rows carry
/// holders' secrets until their jobs finish, so a server that is not on
/// this machine is reached over TLS (rustls, the server's certificate and
/// name verified), whatever `sslmode` says, unless plaintext is allowed.
#[derive(Debug, Clone, Default)]
pub struct PgTls {
    /// A PEM file of CA certificates trusted for the server's certificate,
    /// beside the system's roots (`veil serve --queue-ca`).
    pub ca: Option<std::path::PathBuf>,
    /// Connect without TLS to a server that is not on this machine when the
    /// URL says `sslmode=disable` or the server offers no TLS
    /// (`--queue-insecure`).
    pub allow_plaintext: bool,
}

/// Whether every host of `config` is this machine (a Unix socket, or a
/// loopback name or address), where there is no network to read from.
fn all_local(config: &tokio_postgres::Config) -> bool {
    config.get_hosts().iter().all(|host| match host {
        Host::Unix(_) => true,
        Host::Tcp(name) => {
            name.eq_ignore_ascii_case("localhost")
                || name
                    .trim_matches(['[', ']'])
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback())
        }
    })
}

/// rustls for PostgreSQL: ring (as tonic uses), the system's roots and
/// `tls.ca`'s.
fn rustls_connector(tls: &PgTls) -> Result<tokio_postgres_rustls::MakeRustlsConnect, StoreError> {
    use tokio_rustls::rustls;
    use tokio_rustls::rustls::pki_types::pem::PemObject;
    use tokio_rustls::rustls::pki_types::CertificateDer;
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls_native_certs::load_native_certs().certs {
        // A system certificate rustls cannot parse is one root fewer.
        let _ = roots.add(cert);
    }
    if let Some(ca) = &tls.ca {
        let certs = CertificateDer::pem_file_iter(ca)
            .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
            .map_err(|e| unavailable(format!("--queue-ca {}: {e}", ca.display())))?;
        for cert in certs {
            roots
                .add(cert)
                .map_err(|e| unavailable(format!("--queue-ca {}: {e}", ca.display())))?;
        }
    }
    let config = rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(unavailable)?
    .with_root_certificates(roots)
    .with_no_client_auth();
    Ok(tokio_postgres_rustls::MakeRustlsConnect::new(config))
}

fn unavailable(e: impl std::fmt::Display) -> StoreError {
    StoreError::Unavailable(e.to_string())
}

fn pg(e: tokio_postgres::Error) -> StoreError {
    // The server's own message (a constraint, a type) when it sent one.
    match e.as_db_error() {
        Some(db) => StoreError::Unavailable(format!("postgres: {}", db.message())),
        None => StoreError::Unavailable(format!("postgres: {e}")),
    }
}

impl PgStore {
    /// Connects to `url` (`postgres://user@host:port/db`), with up to
    /// `connections` pooled connections and the default [`PgTls`] (TLS to
    /// any server not on this machine), and creates the schema if absent.
    pub async fn connect(url: &str, connections: usize) -> Result<Self, StoreError> {
        Self::connect_with(url, connections, &PgTls::default()).await
    }

    /// [`Self::connect`] secured as `tls` says.
    pub async fn connect_with(
        url: &str,
        connections: usize,
        tls: &PgTls,
    ) -> Result<Self, StoreError> {
        let mut config: tokio_postgres::Config = url
            .parse()
            .map_err(|e| unavailable(format!("--queue {}: {e}", redacted(url))))?;
        config
            .connect_timeout(POOL_TIMEOUT)
            .application_name("veil serve");
        if !tls.allow_plaintext && !all_local(&config) {
            if config.get_ssl_mode() == SslMode::Disable {
                return Err(unavailable(format!(
                    "--queue {}: sslmode=disable to a server not on this machine: job rows carry \
                     holders' secrets; use TLS, or --queue-insecure to accept plaintext",
                    redacted(url)
                )));
            }
            // `prefer` would fall back to plaintext if the server offered none.
            config.ssl_mode(SslMode::Require);
        }
        let manager = Manager::from_config(
            config,
            rustls_connector(tls)?,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(connections.max(2))
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(POOL_TIMEOUT))
            .create_timeout(Some(POOL_TIMEOUT))
            .recycle_timeout(Some(POOL_TIMEOUT))
            .build()
            .map_err(unavailable)?;
        let store = PgStore { pool };
        store.create_schema().await?;
        Ok(store)
    }

    async fn client(&self) -> Result<deadpool_postgres::Client, StoreError> {
        self.pool.get().await.map_err(unavailable)
    }

    async fn create_schema(&self) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg)?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&SCHEMA_LOCK])
            .await
            .map_err(pg)?;
        tx.batch_execute(SCHEMA).await.map_err(pg)?;
        tx.commit().await.map_err(pg)
    }

    /// Stores a new API key's hash, refusing an id that another key has.
    pub async fn insert_api_key(
        &self,
        hash: &[u8; 32],
        record: &ApiKeyRecord,
    ) -> Result<(), StoreError> {
        let client = self.client().await?;
        let inserted = client
            .execute(
                "INSERT INTO veil_api_keys (hash, id, record) VALUES ($1, $2, $3)",
                &[&hash.as_slice(), &record.id, &encode_key(record)?],
            )
            .await;
        match inserted {
            Ok(_) => Ok(()),
            Err(e) if e.code() == Some(&SqlState::UNIQUE_VIOLATION) => {
                Err(StoreError::DuplicateKeyId(record.id.clone()))
            }
            Err(e) => Err(pg(e)),
        }
    }

    /// Every API key record, with its hash.
    pub async fn api_keys(&self) -> Result<Vec<([u8; 32], ApiKeyRecord)>, StoreError> {
        self.api_key_rows().await?.into_iter().collect()
    }

    /// Every API key row, each decoded on its own: one row that does not
    /// decode is its own error, and the others (their revocations
    /// included) are still read.
    pub async fn api_key_rows(&self) -> Result<Vec<ApiKeyRow>, StoreError> {
        let client = self.client().await?;
        let rows = client
            .query("SELECT hash, record FROM veil_api_keys ORDER BY id", &[])
            .await
            .map_err(pg)?;
        Ok(rows
            .iter()
            .map(|row| {
                let hash: &[u8] = row.get(0);
                let hash: [u8; 32] = hash.try_into().map_err(|_| StoreError::Corrupt {
                    key: hex::encode(hash),
                    reason: "API key hash is not 32 bytes".into(),
                })?;
                let text: &str = row.try_get(1).map_err(|e| StoreError::Corrupt {
                    key: hex::encode(hash),
                    reason: e.to_string(),
                })?;
                Ok((hash, decode_key(&hash, text)?))
            })
            .collect())
    }

    /// Marks the key with public id `id` revoked.
    pub async fn revoke_api_key(&self, id: &str) -> Result<ApiKeyRecord, StoreError> {
        // Row by row: a row that does not decode must not block revoking
        // the others.
        let (hash, mut record) = self
            .api_key_rows()
            .await?
            .into_iter()
            .flatten()
            .find(|(_, r)| r.id == id)
            .ok_or_else(|| StoreError::UnknownKey(id.to_owned()))?;
        record.revoked = true;
        let client = self.client().await?;
        client
            .execute(
                "UPDATE veil_api_keys SET record = $2 WHERE hash = $1",
                &[&hash.as_slice(), &encode_key(&record)?],
            )
            .await
            .map_err(pg)?;
        Ok(record)
    }

    /// Records (or refreshes) this node in `veil_nodes`: its role and its
    /// audit log's id, so a regulator can list the logs a fleet keeps.
    pub async fn register_node(&self, node: &NodeRecord) -> Result<(), StoreError> {
        let client = self.client().await?;
        client
            .execute(
                "INSERT INTO veil_nodes (node, role, log_id, started_ms, seen)
                 VALUES ($1, $2, $3, $4, now())
                 ON CONFLICT (node) DO UPDATE
                 SET role = $2, log_id = $3, started_ms = $4, seen = now()",
                &[&node.node, &node.role, &node.log_id, &node.started_ms],
            )
            .await
            .map_err(pg)?;
        Ok(())
    }

    /// The nodes that registered, with the time each was last seen.
    pub async fn nodes(&self) -> Result<Vec<(NodeRecord, i64)>, StoreError> {
        let client = self.client().await?;
        let rows = client
            .query(
                "SELECT node, role, log_id, started_ms,
                        (extract(epoch FROM seen) * 1000)::bigint
                 FROM veil_nodes ORDER BY node",
                &[],
            )
            .await
            .map_err(pg)?;
        Ok(rows
            .iter()
            .map(|row| {
                (
                    NodeRecord {
                        node: row.get(0),
                        role: row.get(1),
                        log_id: row.get(2),
                        started_ms: row.get(3),
                    },
                    row.get(4),
                )
            })
            .collect())
    }

    async fn job_by_id(
        client: &impl deadpool_postgres::GenericClient,
        id: &str,
    ) -> Result<Option<(String, ProofJob)>, StoreError> {
        let sql = format!("SELECT {JOB_COLUMNS} FROM veil_jobs WHERE id = $1");
        let row = client.query_opt(&sql, &[&id]).await.map_err(pg)?;
        row.map(|row| job_of(&row)).transpose()
    }
}

/// A node of the fleet as `veil_nodes` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeRecord {
    /// The node's name (`--node-name`, or made at start).
    pub node: String,
    /// `api`, `worker` or `both`.
    pub role: String,
    /// Its audit log's id (the operator key's did:key), empty for a worker.
    pub log_id: String,
    /// When it started, Unix milliseconds.
    pub started_ms: i64,
}

/// The URL without its password, for error messages.
fn redacted(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

fn encode_key(record: &ApiKeyRecord) -> Result<String, StoreError> {
    serde_json::to_string(record).map_err(|e| StoreError::Corrupt {
        key: record.id.clone(),
        reason: e.to_string(),
    })
}

fn decode_key(hash: &[u8; 32], text: &str) -> Result<ApiKeyRecord, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt {
        key: hex::encode(hash),
        reason: e.to_string(),
    })
}

/// A row of [`JOB_COLUMNS`] as (owner, job).
fn job_of(row: &Row) -> Result<(String, ProofJob), StoreError> {
    let id: String = row.get(0);
    let proof: Option<Vec<u8>> = row.get(7);
    let proof = proof
        .map(|bytes| {
            crate::pb::Proof::decode(bytes.as_slice()).map_err(|e| StoreError::Corrupt {
                key: id.clone(),
                reason: format!("proof: {e}"),
            })
        })
        .transpose()?;
    let attempts: i32 = row.get(4);
    Ok((
        row.get(1),
        ProofJob {
            job_id: id,
            state: row.get(2),
            stage: row.get(3),
            attempts: attempts.max(0) as u32,
            created_unix_ms: row.get(5),
            updated_unix_ms: row.get(6),
            proof,
            error: row.get(8),
            prove_seconds: row.get(9),
        },
    ))
}

fn limit(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

#[tonic::async_trait]
impl JobStore for PgStore {
    async fn submit(&self, new: NewJob, limits: QueueLimits) -> Result<Submitted, SubmitError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg)?;
        // One owner's submissions, from any node, one at a time.
        tx.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
            &[&new.owner],
        )
        .await
        .map_err(pg)?;
        let hash = request_hash(&new.request);
        let request_id = &new.request.request_id;
        if !request_id.is_empty() {
            let row = tx
                .query_opt(
                    "SELECT id, request_hash FROM veil_jobs WHERE owner = $1 AND request_id = $2",
                    &[&new.owner, request_id],
                )
                .await
                .map_err(pg)?;
            if let Some(row) = row {
                let stored: &[u8] = row.get(1);
                if stored != hash {
                    return Err(SubmitError::RequestIdReused(request_id.clone()));
                }
                let id: String = row.get(0);
                if let Some((_, job)) = Self::job_by_id(&tx, &id).await? {
                    return Ok(Submitted::Existing(job));
                }
            }
        }
        let mine: i64 = tx
            .query_one(
                "SELECT count(*) FROM veil_jobs WHERE owner = $1 AND state IN (1, 2)",
                &[&new.owner],
            )
            .await
            .map_err(pg)?
            .get(0);
        if mine >= limit(limits.max_per_owner) {
            return Err(SubmitError::OwnerQueueFull {
                owner: new.owner,
                limit: limits.max_per_owner,
            });
        }
        let queued: i64 = tx
            .query_one("SELECT count(*) FROM veil_jobs WHERE state = 1", &[])
            .await
            .map_err(pg)?
            .get(0);
        if queued >= limit(limits.max_queue) {
            return Err(SubmitError::QueueFull(limits.max_queue));
        }
        let request_id = (!request_id.is_empty()).then_some(request_id.as_str());
        tx.execute(
            "INSERT INTO veil_jobs
                 (id, owner, request_id, request_hash, request, state, stage, created_ms, updated_ms)
             VALUES ($1, $2, $3, $4, $5, 1, 'queued', $6, $6)",
            &[
                &new.id,
                &new.owner,
                &request_id,
                &hash.as_slice(),
                &new.request.encode_to_vec(),
                &new.now_ms,
            ],
        )
        .await
        .map_err(pg)?;
        tx.commit().await.map_err(pg)?;
        Ok(Submitted::New(ProofJob {
            job_id: new.id,
            state: JobState::Queued as i32,
            stage: "queued".into(),
            created_unix_ms: new.now_ms,
            updated_unix_ms: new.now_ms,
            ..Default::default()
        }))
    }

    async fn job(&self, id: &str) -> Result<Option<(String, ProofJob)>, StoreError> {
        let client = self.client().await?;
        Self::job_by_id(&client, id).await
    }

    async fn claim(
        &self,
        worker: &str,
        lease: Duration,
        limits: QueueLimits,
    ) -> Result<Option<Claimed>, StoreError> {
        let client = self.client().await?;
        let token = rand::rngs::OsRng.next_u64() as i64;
        let max_attempts = i32::try_from(limits.max_attempts).unwrap_or(i32::MAX);
        let sql = format!(
            "UPDATE veil_jobs j
             SET state = 2, stage = 'proving', attempts = j.attempts + 1,
                 lease_worker = $1, lease_token = $2,
                 lease_until = now() + make_interval(secs => $3), updated_ms = $4
             FROM (SELECT id FROM veil_jobs
                   WHERE state = 1 AND attempts < $5
                   ORDER BY seq LIMIT 1
                   FOR UPDATE SKIP LOCKED) next
             WHERE j.id = next.id
             RETURNING j.request, {}",
            JOB_COLUMNS
                .split(", ")
                .map(|c| format!("j.{c}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let statement = client.prepare_cached(&sql).await.map_err(pg)?;
        let row = client
            .query_opt(
                &statement,
                &[
                    &worker,
                    &token,
                    &lease.as_secs_f64(),
                    &super::now_ms(),
                    &max_attempts,
                ],
            )
            .await
            .map_err(pg)?;
        let Some(row) = row else { return Ok(None) };
        let request: Vec<u8> = row.get(0);
        let id: String = row.get(1);
        let request =
            ProveRequest::decode(request.as_slice()).map_err(|e| StoreError::Corrupt {
                key: id.clone(),
                reason: format!("request: {e}"),
            })?;
        // The job's columns follow the request.
        let proof: Option<Vec<u8>> = row.get(8);
        let attempts: i32 = row.get(5);
        Ok(Some(Claimed {
            lease: Lease {
                job_id: id.clone(),
                worker: worker.to_owned(),
                token,
            },
            request,
            owner: row.get(2),
            job: ProofJob {
                job_id: id,
                state: row.get(3),
                stage: row.get(4),
                attempts: attempts.max(0) as u32,
                created_unix_ms: row.get(6),
                updated_unix_ms: row.get(7),
                proof: proof.and_then(|p| crate::pb::Proof::decode(p.as_slice()).ok()),
                error: row.get(9),
                prove_seconds: row.get(10),
            },
        }))
    }

    async fn renew(&self, lease: &Lease, lease_for: Duration) -> Result<bool, StoreError> {
        let client = self.client().await?;
        let statement = client
            .prepare_cached(
                "UPDATE veil_jobs SET lease_until = now() + make_interval(secs => $3)
                 WHERE id = $1 AND lease_token = $2 AND state = 2",
            )
            .await
            .map_err(pg)?;
        let n = client
            .execute(
                &statement,
                &[&lease.job_id, &lease.token, &lease_for.as_secs_f64()],
            )
            .await
            .map_err(pg)?;
        Ok(n == 1)
    }

    async fn finish(
        &self,
        lease: &Lease,
        outcome: Outcome,
    ) -> Result<Option<ProofJob>, StoreError> {
        let client = self.client().await?;
        let (state, stage, proof, error, seconds) = match outcome {
            Outcome::Proved { proof, seconds } => (
                JobState::Succeeded as i32,
                "done",
                Some(proof.encode_to_vec()),
                String::new(),
                seconds,
            ),
            Outcome::Failed(error) => (JobState::Failed as i32, "failed", None, error, 0.0),
        };
        let sql = format!(
            "UPDATE veil_jobs
             SET state = $3, stage = $4, proof = $5, error = $6, prove_seconds = $7,
                 updated_ms = $8, lease_worker = NULL, lease_token = NULL, lease_until = NULL,
                 request = ''::bytea
             WHERE id = $1 AND lease_token = $2 AND state = 2
             RETURNING {JOB_COLUMNS}"
        );
        let statement = client.prepare_cached(&sql).await.map_err(pg)?;
        let row = client
            .query_opt(
                &statement,
                &[
                    &lease.job_id,
                    &lease.token,
                    &state,
                    &stage,
                    &proof,
                    &error,
                    &seconds,
                    &super::now_ms(),
                ],
            )
            .await
            .map_err(pg)?;
        Ok(row.map(|row| job_of(&row)).transpose()?.map(|(_, job)| job))
    }

    async fn reap(&self, limits: QueueLimits, now_ms: i64) -> Result<Reaped, StoreError> {
        let client = self.client().await?;
        let max_attempts = i32::try_from(limits.max_attempts).unwrap_or(i32::MAX);
        let requeued = client
            .execute(
                "UPDATE veil_jobs
                 SET state = 1, stage = 'queued', lease_worker = NULL, lease_token = NULL,
                     lease_until = NULL, updated_ms = $1
                 WHERE state = 2 AND lease_until < now() AND attempts < $2",
                &[&now_ms, &max_attempts],
            )
            .await
            .map_err(pg)?;
        let parked = client
            .execute(
                "UPDATE veil_jobs
                 SET state = 4, stage = 'failed', lease_worker = NULL, lease_token = NULL,
                     lease_until = NULL, updated_ms = $1, request = ''::bytea,
                     error = format($3, attempts)
                 WHERE (state = 2 AND lease_until < now() AND attempts >= $2)
                    OR (state = 1 AND attempts >= $2)",
                &[
                    &now_ms,
                    &max_attempts,
                    &parked_error(0).replacen('0', "%s", 1),
                ],
            )
            .await
            .map_err(pg)?;
        Ok(Reaped { requeued, parked })
    }

    async fn expire(&self, cutoff_ms: i64) -> Result<u64, StoreError> {
        let client = self.client().await?;
        client
            .execute(
                "DELETE FROM veil_jobs WHERE state IN (3, 4) AND updated_ms < $1",
                &[&cutoff_ms],
            )
            .await
            .map_err(pg)
    }

    async fn queued(&self) -> Result<u64, StoreError> {
        let client = self.client().await?;
        let n: i64 = client
            .query_one("SELECT count(*) FROM veil_jobs WHERE state = 1", &[])
            .await
            .map_err(pg)?
            .get(0);
        Ok(n.max(0) as u64)
    }

    async fn ping(&self) -> Result<(), StoreError> {
        let client = self.client().await?;
        client.simple_query("SELECT 1").await.map_err(pg)?;
        Ok(())
    }

    fn shared(&self) -> bool {
        true
    }
}

/// The API keys of a shared store as the interceptors read them: a
/// snapshot, refreshed every [`KeyCache::REFRESH`] by [`KeyCache::refresh`]'s
/// caller, so a key created or revoked on any node takes effect on every
/// node within about a second. While Postgres is away the last snapshot
/// holds (callers keep being answered; nothing new is learned).
pub struct KeyCache {
    store: Arc<PgStore>,
    keys: RwLock<(HashMap<[u8; 32], ApiKeyRecord>, Instant)>,
    max_staleness: Duration,
}

/// One API key row: its hash and record, or why it does not decode.
pub type ApiKeyRow = Result<([u8; 32], ApiKeyRecord), StoreError>;

impl KeyCache {
    /// How often the snapshot is re-read.
    pub const REFRESH: Duration = Duration::from_secs(1);
    /// How old the snapshot may grow (the store unreachable) before every
    /// lookup fails closed: a key revoked meanwhile is refused within this.
    pub const MAX_STALENESS: Duration = Duration::from_secs(30);

    /// A cache over `store`, loaded now.
    pub async fn load(store: Arc<PgStore>) -> Result<Arc<Self>, StoreError> {
        Self::load_with_staleness(store, Self::MAX_STALENESS).await
    }

    /// [`Self::load`] with another bound on the snapshot's age.
    pub async fn load_with_staleness(
        store: Arc<PgStore>,
        max_staleness: Duration,
    ) -> Result<Arc<Self>, StoreError> {
        let cache = Arc::new(KeyCache {
            store,
            keys: RwLock::new((HashMap::new(), Instant::now())),
            max_staleness,
        });
        cache.refresh().await?;
        Ok(cache)
    }

    /// Re-reads every key. A row that does not decode is left out (that
    /// key is refused) and logged; it does not stop the others' updates.
    pub async fn refresh(&self) -> Result<(), StoreError> {
        let mut keys = HashMap::new();
        for row in self.store.api_key_rows().await? {
            match row {
                Ok((hash, record)) => {
                    keys.insert(hash, record);
                }
                Err(e) => tracing::error!("API key row left out: {e}"),
            }
        }
        *self.keys.write().unwrap_or_else(|e| e.into_inner()) = (keys, Instant::now());
        Ok(())
    }

    /// Refreshes every [`Self::REFRESH`] until dropped (abort the handle).
    pub fn spawn_refresh(self: &Arc<Self>) -> tokio::task::JoinHandle<()> {
        let cache = self.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Self::REFRESH).await;
                if let Err(e) = cache.refresh().await {
                    tracing::warn!("refreshing API keys: {e}");
                }
            }
        })
    }
}

impl KeyLookup for KeyCache {
    /// Fails closed once the snapshot is older than its bound.
    fn lookup(&self, hash: &[u8; 32]) -> Result<Option<ApiKeyRecord>, StoreError> {
        let snapshot = self.keys.read().unwrap_or_else(|e| e.into_inner());
        let age = snapshot.1.elapsed();
        if age > self.max_staleness {
            return Err(StoreError::Unavailable(format!(
                "the API keys were last read {age:.0?} ago (at most {:?}): refusing keyed calls until the store answers",
                self.max_staleness
            )));
        }
        Ok(snapshot.0.get(hash).cloned())
    }
}

#[cfg(test)]
mod tests {
    use super::redacted;

    #[test]
    fn urls_in_errors_hide_the_password() {
        assert_eq!(
            redacted("postgres://veil:s3cret@db:5432/veil"),
            "postgres://veil:***@db:5432/veil"
        );
        assert_eq!(
            redacted("postgres://veil@db/veil"),
            "postgres://veil@db/veil"
        );
        assert_eq!(redacted("host=db user=veil"), "host=db user=veil");
    }
}
