//! `veil serve`, `veil admin key …` and `veil remote …`: the gRPC service
//! (crate `veil-service`) from the command line.

use crate::commands::{run_setup, write_any_proof_files};
use crate::files::{read_document, read_text, PROVING_KEY};
use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;
use veil_circuits::statement::files::{IssuerListJson, RevocationListJson};
use veil_circuits::statement::Registry;
use veil_client::proof::{parse_proof, proof_message, system_message};
use veil_client::{connect, Clients};
use veil_prover::{Prover, ProvingSystem, SystemProver};
use veil_service::engine::Engine;
use veil_service::jobs::QueueConfig;
use veil_service::pb::{self, JobState};
use veil_service::server::{Listeners, ServeConfig, Server};
use veil_service::store::postgres::{PgStore, PgTls};
use veil_service::store::Store;
use veil_system::KeysDir;
use veil_verifier::SystemKey;

/// The library's defaults, which `veil serve`'s flags show and start from.
fn defaults() -> ServeConfig {
    ServeConfig::with_db(Path::new("."))
}

/// `veil serve`.
#[derive(Args)]
pub struct ServeArgs {
    /// Database directory (jobs/, dids/); default: <data dir>/veil.
    #[arg(long)]
    db: Option<PathBuf>,
    /// gRPC address.
    #[arg(long, default_value = "127.0.0.1:50051")]
    listen: SocketAddr,
    /// Prometheus metrics address (`/metrics`).
    #[arg(long, default_value = "127.0.0.1:9464")]
    metrics: SocketAddr,
    /// Do not serve metrics.
    #[arg(long)]
    no_metrics: bool,
    /// Also answer did:veil resolutions over the W3C DID Resolution HTTP
    /// binding (`GET /1.0/identifiers/{did}`) on this address, for other
    /// nodes and Universal Resolver drivers.
    #[arg(long)]
    did_http: Option<SocketAddr>,
    /// Also publish the did:web documents of this site (`veil did create
    /// --web --site DIR`) on the --did-http address, at
    /// /.well-known/did.json and /<path>/did.json for the host each request
    /// names; give --tls-cert/--tls-key, as did:web resolvers use HTTPS.
    #[arg(long, requires = "did_http")]
    did_web: Option<PathBuf>,
    /// Directory of `veil setup` (default: the INSECURE published demo key).
    #[arg(long)]
    keys: Option<PathBuf>,
    /// Also prove and verify halo2-KZG proofs (requests with system
    /// PROOF_SYSTEM_HALO2_KZG), with the keys `veil setup --system halo2`
    /// wrote into this directory (SRS checked against its pinned BLAKE3).
    #[arg(long)]
    halo2_keys: Option<PathBuf>,
    /// Serve --halo2-keys whose universal parameters were generated locally
    /// (`veil setup --system halo2` without --srs): their toxic waste is
    /// known, so anyone who has it can forge proofs. Tests and demos only;
    /// without this flag such keys are refused.
    #[arg(long)]
    insecure: bool,
    /// Trusted issuer list ({"issuers": [...]}); default: none trusted.
    #[arg(long)]
    issuers: Option<PathBuf>,
    /// Revocation list ({"revoked": [...]}); default: none revoked.
    #[arg(long)]
    revoked: Option<PathBuf>,
    /// Jobs proved at once (each proof already uses every core).
    #[arg(long, default_value_t = QueueConfig::default().workers)]
    workers: usize,
    /// Jobs waiting at most; more are refused with ResourceExhausted.
    #[arg(long, default_value_t = QueueConfig::default().max_queue)]
    max_queue: usize,
    /// Requests in flight at most per service from callers with an API key
    /// (health and reflection are never limited).
    #[arg(long, default_value_t = defaults().max_in_flight)]
    max_in_flight: usize,
    /// Requests in flight at most per service from anonymous callers.
    #[arg(long, default_value_t = defaults().max_anonymous_in_flight)]
    max_anonymous_in_flight: usize,
    /// Requests in flight at most from any one API key, across services.
    #[arg(long, default_value_t = defaults().max_in_flight_per_key)]
    max_in_flight_per_key: usize,
    /// WatchProofJob streams open at most per API key.
    #[arg(long, default_value_t = defaults().max_watchers_per_key)]
    max_watchers_per_key: usize,
    /// Items one anonymous VerifyBatch may carry (with a key: 1024).
    #[arg(long, default_value_t = defaults().max_anonymous_batch)]
    max_anonymous_batch: usize,
    /// Unfinished proving jobs one API key may have at most.
    #[arg(long, default_value_t = QueueConfig::default().max_queued_per_key)]
    max_queued_per_key: usize,
    /// Requests per second per API key (0: no limit).
    #[arg(long, default_value_t = defaults().rate_per_second)]
    rate_limit: f64,
    /// Burst per API key.
    #[arg(long, default_value_t = defaults().burst)]
    burst: f64,
    /// Largest message, bytes.
    #[arg(long, default_value_t = defaults().max_message_bytes)]
    max_message_bytes: usize,
    /// Seconds finished jobs are kept.
    #[arg(long, default_value_t = QueueConfig::default().result_ttl.as_secs())]
    result_ttl: u64,
    /// Seconds any request may take at most.
    #[arg(long, default_value_t = defaults().request_timeout.as_secs())]
    request_timeout: u64,
    /// TLS certificate chain (PEM); with --tls-key.
    #[arg(long, requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// TLS private key (PEM).
    #[arg(long, requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// The audit log operator's Ed25519 key (private JWK; made on first start
    /// when absent). Default: <db>/log-operator.jwk.
    #[arg(long)]
    log_key: Option<PathBuf>,
    /// A shared PostgreSQL job store for a fleet of nodes
    /// (postgres://user[:password]@host[:port]/database). Without it, jobs and API keys live in <db>/jobs
    /// (RocksDB, this process only).
    #[arg(long)]
    queue: Option<String>,
    #[command(flatten)]
    queue_tls: QueueTls,
    /// What this node does: `both` (serve and prove), `api` (serve only) or
    /// `worker` (prove only; gRPC health and metrics). api and worker need
    /// --queue.
    #[arg(long, value_enum, default_value_t = NodeRole::Both)]
    role: NodeRole,
    /// This node's name in leases, logs and the fleet's node list
    /// (default: the host name and random digits; in Kubernetes, pass the
    /// pod's name).
    #[arg(long)]
    node_name: Option<String>,
    /// Seconds a worker holds a job without renewing (it renews every
    /// third); a killed worker's job returns to the queue after this.
    #[arg(long, default_value_t = QueueConfig::default().lease.as_secs())]
    lease_seconds: u64,
    /// Claims of one job at most before it is parked as failed (its
    /// workers keep dying on it).
    #[arg(long, default_value_t = QueueConfig::default().max_attempts)]
    max_attempts: u32,
}

/// `--role`.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum NodeRole {
    /// Serve the API and prove.
    Both,
    /// Serve the API only.
    Api,
    /// Prove only.
    Worker,
}

impl From<NodeRole> for veil_service::server::Role {
    fn from(role: NodeRole) -> Self {
        match role {
            NodeRole::Both => Self::Both,
            NodeRole::Api => Self::Api,
            NodeRole::Worker => Self::Worker,
        }
    }
}

/// How the shared PostgreSQL store is reached: over TLS (its certificate
/// verified) unless it is on this machine.
#[derive(Args, Clone, Default)]
pub struct QueueTls {
    /// A PEM file of CA certificates trusted for the PostgreSQL server's
    /// certificate, beside the system's roots.
    #[arg(long, global = true)]
    queue_ca: Option<PathBuf>,
    /// Accept a plaintext connection to a PostgreSQL server that is not on
    /// this machine (job rows carry holders' secrets until their jobs
    /// finish): for a network you trust with them.
    #[arg(long, global = true)]
    queue_insecure: bool,
}

impl QueueTls {
    fn pg_tls(&self) -> PgTls {
        PgTls {
            ca: self.queue_ca.clone(),
            allow_plaintext: self.queue_insecure,
        }
    }
}

/// `veil admin …`.
#[derive(Subcommand)]
pub enum AdminCommand {
    /// API keys for the service: in <db>/jobs (run while the server is
    /// stopped: RocksDB allows one process), or in the fleet's shared store
    /// with --queue (any time; nodes see changes within a second).
    Key {
        /// Database directory (default: <data dir>/veil).
        #[arg(long, global = true)]
        db: Option<PathBuf>,
        /// The fleet's shared PostgreSQL store (postgres://…).
        #[arg(long, global = true)]
        queue: Option<String>,
        #[command(flatten)]
        queue_tls: QueueTls,
        #[command(subcommand)]
        command: KeyCommand,
    },
    /// The fleet's nodes on a shared store: name, role, audit log id (the
    /// logs a regulator audits, one per API node), last seen.
    Nodes {
        /// The fleet's shared PostgreSQL store (postgres://…).
        #[arg(long)]
        queue: String,
        #[command(flatten)]
        queue_tls: QueueTls,
    },
}

/// `veil admin key …`.
#[derive(Subcommand)]
pub enum KeyCommand {
    /// Make a key (printed once; only its BLAKE3 hash is stored).
    Create {
        /// Who it is for.
        #[arg(long)]
        name: String,
        /// What it may do: `client` (prove, verify) or `regulator` (also
        /// record disclosures in the audit log).
        #[arg(long, value_enum, default_value_t = RoleArg::Client)]
        role: RoleArg,
    },
    /// Revoke a key by its id.
    Revoke {
        /// The key id (the 32 hex digits after `veil_`).
        id: String,
    },
    /// List keys (ids, names, status).
    List,
}

/// An API key's role on the command line.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum RoleArg {
    /// Proves and verifies.
    Client,
    /// Also records disclosures.
    Regulator,
}

impl From<RoleArg> for veil_service::store::KeyRole {
    fn from(role: RoleArg) -> Self {
        match role {
            RoleArg::Client => veil_service::store::KeyRole::Client,
            RoleArg::Regulator => veil_service::store::KeyRole::Regulator,
        }
    }
}

/// `veil remote …`.
#[derive(Args)]
pub struct RemoteArgs {
    /// Server URL (https:// for TLS).
    #[arg(long, default_value = "http://127.0.0.1:50051")]
    server: String,
    /// API key (default: $VEIL_API_KEY).
    #[arg(long)]
    api_key: Option<String>,
    /// PEM root certificate to trust for https.
    #[arg(long)]
    ca: Option<PathBuf>,
    #[command(subcommand)]
    command: RemoteCommand,
}

/// What to ask the server.
#[derive(Subcommand)]
pub enum RemoteCommand {
    /// Prove on the server (waits; --submit to return the job id at once).
    Prove {
        #[command(flatten)]
        documents: crate::flags::ProofDocuments,
        // The server must have keys of the system asked for.
        #[command(flatten)]
        system: crate::flags::SystemArg,
        /// Queue the job and print its id instead of waiting.
        #[arg(long)]
        submit: bool,
        /// An id for this request (A-Z a-z 0-9 . _ : -, at most 128): a
        /// retry with the same id returns the first call's job.
        #[arg(long, default_value = "")]
        request_id: String,
        /// Output directory for proof.json, public.json, calldata.txt.
        #[arg(long, default_value = "proof")]
        out: PathBuf,
    },
    /// Verify on the server (a proof of either system; its proof.json names it).
    Verify(crate::files::ProofToCheck),
    /// A proving job's state (--watch to follow it; --out to save its proof).
    Job {
        /// The job id.
        id: String,
        /// Follow the job until it finishes.
        #[arg(long)]
        watch: bool,
        /// Write the proof files here when it succeeded.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// The server's trusted-issuer and revocation roots.
    Roots,
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?)
}

fn registry(issuers: Option<&Path>, revoked: Option<&Path>) -> Result<Registry> {
    let issuers = match issuers {
        Some(p) => read_document(p, IssuerListJson::to_keys)?,
        None => {
            eprintln!(
                "warning: no --issuers: no issuer is trusted, every proof request will be refused"
            );
            Vec::new()
        }
    };
    let revoked = match revoked {
        Some(p) => read_document(p, RevocationListJson::to_ids)?,
        None => Vec::new(),
    };
    Ok(Registry::new(&issuers, &revoked)?)
}

/// Logs to stderr, filtered by `RUST_LOG` (default `info`). arkworks'
/// constraint-system spans are always off: they format the whole constraint
/// system into every span, which stalls synthesis for minutes.
fn init_tracing() {
    let mut filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    for quiet in [
        "gr1cs=off",
        "r1cs=off",
        "ark_relations=off",
        "ark_r1cs_std=off",
    ] {
        if let Ok(directive) = quiet.parse() {
            filter = filter.add_directive(directive);
        }
    }
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

/// `veil serve`.
pub fn serve_cmd(args: ServeArgs, default_db: PathBuf) -> Result<()> {
    init_tracing();
    let prover = match &args.keys {
        Some(dir) => Prover::load(&KeysDir::new(dir).file(PROVING_KEY))
            .with_context(|| format!("loading the Groth16 keys in {}", dir.display()))?,
        None => {
            eprintln!("warning: no --keys: proving with the INSECURE published demo key");
            Prover::for_keys(run_setup(true, true)?)
        }
    };
    let mut engine = Engine::new(
        prover,
        registry(args.issuers.as_deref(), args.revoked.as_deref())?,
    )?;
    if let Some(dir) = &args.halo2_keys {
        let keys = KeysDir::new(dir);
        let system = ProvingSystem::Halo2Kzg;
        let params = keys
            .halo2_params()
            .with_context(|| format!("the halo2 parameters in {}", dir.display()))?;
        if params.is_insecure() && !args.insecure {
            bail!(
                "{}: the halo2 universal parameters were generated locally (insecure: anyone \
                 with their toxic waste can forge proofs); set them up from a published SRS \
                 (veil setup --system halo2 --srs FILE --srs-blake3 HEX), or pass --insecure \
                 for a test",
                dir.display()
            );
        }
        drop(params);
        let prover = SystemProver::load(&keys, system)
            .with_context(|| format!("loading the halo2 keys in {}", dir.display()))?;
        engine = engine.with_system(prover, SystemKey::from_keys(keys.load_verifier(system)?)?);
    }
    let db = args.db.unwrap_or(default_db);
    let config = ServeConfig {
        queue_url: args.queue,
        queue_tls: args.queue_tls.pg_tls(),
        role: args.role.into(),
        node_name: args.node_name,
        queue: QueueConfig {
            workers: args.workers,
            max_queue: args.max_queue,
            max_queued_per_key: args.max_queued_per_key,
            result_ttl: Duration::from_secs(args.result_ttl),
            lease: Duration::from_secs(args.lease_seconds.max(1)),
            max_attempts: args.max_attempts.max(1),
        },
        max_in_flight: args.max_in_flight,
        max_anonymous_in_flight: args.max_anonymous_in_flight,
        max_in_flight_per_key: args.max_in_flight_per_key,
        max_watchers_per_key: args.max_watchers_per_key,
        max_anonymous_batch: args.max_anonymous_batch,
        rate_per_second: args.rate_limit,
        burst: args.burst,
        max_message_bytes: args.max_message_bytes,
        request_timeout: Duration::from_secs(args.request_timeout),
        tls: args.tls_cert.zip(args.tls_key),
        did_web: args.did_web,
        log_key: args.log_key,
        ..ServeConfig::with_db(&db)
    };
    let rt = runtime()?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .with_context(|| format!("binding {}", args.listen))?;
        let metrics = if args.no_metrics {
            None
        } else {
            Some(
                tokio::net::TcpListener::bind(args.metrics)
                    .await
                    .with_context(|| format!("binding {}", args.metrics))?,
            )
        };
        let did_http = match args.did_http {
            None => None,
            Some(addr) => Some(
                tokio::net::TcpListener::bind(addr)
                    .await
                    .with_context(|| format!("binding {addr}"))?,
            ),
        };
        let scheme = if config.tls.is_some() {
            "https"
        } else {
            "http"
        };
        eprintln!(
            "veil serve: gRPC on {}{}{}, database {}, jobs in {}",
            listener.local_addr()?,
            metrics
                .as_ref()
                .and_then(|l| l.local_addr().ok())
                .map(|a| format!(", metrics on http://{a}/metrics"))
                .unwrap_or_default(),
            did_http
                .as_ref()
                .and_then(|l| l.local_addr().ok())
                .map(|a| format!(", DID resolution on {scheme}://{a}/1.0/identifiers/"))
                .unwrap_or_default(),
            db.display(),
            if config.queue_url.is_some() {
                "the shared PostgreSQL store"
            } else {
                "<db>/jobs"
            }
        );
        let shutdown = async {
            let _ = tokio::signal::ctrl_c().await;
            eprintln!("veil serve: shutting down");
        };
        let listeners = Listeners {
            grpc: listener,
            metrics,
            did_http,
        };
        Server::new(config, engine)
            .run(listeners, shutdown)
            .await
            .context("serving")
    })
}

/// `veil admin key …`.
pub fn admin_cmd(command: AdminCommand, default_db: PathBuf) -> Result<()> {
    let (db, queue, tls, command) = match command {
        AdminCommand::Key {
            db,
            queue,
            queue_tls,
            command,
        } => (db, queue, queue_tls.pg_tls(), command),
        AdminCommand::Nodes { queue, queue_tls } => {
            return runtime()?.block_on(nodes_cmd(&queue, &queue_tls.pg_tls()))
        }
    };
    if let Some(url) = queue {
        return runtime()?.block_on(shared_key_cmd(&url, &tls, command));
    }
    let db = db.unwrap_or(default_db);
    std::fs::create_dir_all(&db).with_context(|| format!("creating {}", db.display()))?;
    let path = db.join("jobs");
    let store = Store::open(&path).with_context(|| {
        format!(
            "opening {} (is `veil serve` running on it? stop it first)",
            path.display()
        )
    })?;
    match command {
        KeyCommand::Create { name, role } => {
            print_new_key(&veil_service::auth::create_key(&store, &name, role.into())?)
        }
        KeyCommand::Revoke { id } => print_revoked(&store.revoke_api_key(&id)?),
        KeyCommand::List => print_keys(store.api_keys()?),
    }
    Ok(())
}

/// `veil admin key … --queue postgres://…`.
async fn shared_key_cmd(url: &str, tls: &PgTls, command: KeyCommand) -> Result<()> {
    let store = PgStore::connect_with(url, 2, tls).await?;
    match command {
        KeyCommand::Create { name, role } => {
            let new = veil_service::auth::new_key(&name, role.into());
            store
                .insert_api_key(&veil_service::auth::key_hash(&new.key), &new.record)
                .await?;
            print_new_key(&new);
        }
        KeyCommand::Revoke { id } => print_revoked(&store.revoke_api_key(&id).await?),
        KeyCommand::List => print_keys(store.api_keys().await?),
    }
    Ok(())
}

/// `veil admin nodes --queue postgres://…`.
async fn nodes_cmd(url: &str, tls: &PgTls) -> Result<()> {
    let store = PgStore::connect_with(url, 2, tls).await?;
    let now = veil_service::store::now_ms();
    for (node, seen_ms) in store.nodes().await? {
        println!(
            "{}\t{}\t{}\tseen {} s ago",
            node.node,
            node.role,
            if node.log_id.is_empty() {
                "(no audit log: a worker)"
            } else {
                &node.log_id
            },
            (now - seen_ms).max(0) / 1000
        );
    }
    Ok(())
}

fn print_new_key(new: &veil_service::auth::NewKey) {
    eprintln!(
        "created {:?} key {} for {}; it is shown once, keep it secret:",
        new.record.role, new.record.id, new.record.name
    );
    println!("{}", new.key);
}

fn print_revoked(record: &veil_service::store::ApiKeyRecord) {
    println!("revoked key {} ({})", record.id, record.name);
}

fn print_keys(keys: Vec<([u8; 32], veil_service::store::ApiKeyRecord)>) {
    for (_, record) in keys {
        println!(
            "{}\t{}\t{}",
            record.id,
            if record.revoked { "revoked" } else { "active" },
            record.name
        );
    }
}

fn status(e: tonic::Status) -> anyhow::Error {
    anyhow::anyhow!("{:?}: {}", e.code(), e.message())
}

/// `veil remote …`.
pub fn remote_cmd(args: RemoteArgs) -> Result<()> {
    let key = args.api_key.or_else(|| std::env::var("VEIL_API_KEY").ok());
    let rt = runtime()?;
    rt.block_on(async move {
        let mut clients = connect(&args.server, key.as_deref(), args.ca.as_deref(), 16 << 20)
            .await
            .with_context(|| format!("server {}", args.server))?;
        match args.command {
            RemoteCommand::Prove {
                documents,
                system,
                submit,
                request_id,
                out,
            } => {
                let request = pb::ProveRequest {
                    request_id,
                    credential_json: read_text(&documents.credential)?,
                    holder_json: read_text(&documents.holder)?,
                    policy_json: read_text(&documents.policy)?,
                    context_json: read_text(&documents.context)?,
                    system: system_message(system.system) as i32,
                };
                if submit {
                    let ack = clients.prover.submit_proof(request).await.map_err(status)?;
                    println!("{}", ack.into_inner().job_id);
                    return Ok(());
                }
                let response = clients.prover.prove(request).await.map_err(status)?;
                let response = response.into_inner();
                save_proof(response.proof.as_ref(), &out)?;
                println!(
                    "proved on the server in {:.2}s (job {}); wrote {}",
                    response.prove_seconds,
                    response.job_id,
                    out.display()
                );
                Ok(())
            }
            RemoteCommand::Verify(check) => remote_verify(&mut clients, check).await,
            RemoteCommand::Job { id, watch, out } => {
                remote_job(&mut clients, id, watch, out.as_deref()).await
            }
            RemoteCommand::Roots => {
                let roots = clients
                    .registry
                    .get_roots(pb::GetRootsRequest {})
                    .await
                    .map_err(status)?
                    .into_inner();
                println!(
                    "issuers root {} ({} issuers)\nrevocation root {} ({} revoked)",
                    roots.issuers_root,
                    roots.issuer_count,
                    roots.revocation_root,
                    roots.revoked_count
                );
                Ok(())
            }
        }
    })
}

async fn remote_verify(clients: &mut Clients, check: crate::files::ProofToCheck) -> Result<()> {
    let (decoded, inputs) = crate::halo2::read_proof_files(&check.proof, &check.public)?;
    let request = pb::VerifyRequest {
        proof: Some(proof_message(&decoded, &inputs)),
        policy_json: check
            .policy
            .as_deref()
            .map(read_text)
            .transpose()?
            .unwrap_or_default(),
        context_json: check
            .context
            .as_deref()
            .map(read_text)
            .transpose()?
            .unwrap_or_default(),
        ..Default::default()
    };
    let verdict = clients
        .verifier
        .verify(request)
        .await
        .map_err(status)?
        .into_inner();
    if !verdict.valid {
        bail!("the server rejects the proof: {}", verdict.reason);
    }
    println!(
        "valid proof (server); nullifier {}; roots current: issuers {}, revocation {}",
        verdict.nullifier, verdict.issuers_root_current, verdict.revocation_root_current
    );
    Ok(())
}

async fn remote_job(
    clients: &mut Clients,
    id: String,
    watch: bool,
    out: Option<&Path>,
) -> Result<()> {
    let request = pb::JobRequest { job_id: id };
    let job = if watch {
        let mut stream = clients
            .prover
            .watch_proof_job(request)
            .await
            .map_err(status)?
            .into_inner();
        let mut last = None;
        while let Some(job) = stream.message().await.map_err(status)? {
            println!("{}", job_line(&job));
            last = Some(job);
        }
        last.context("the server ended the watch without a state")?
    } else {
        let job = clients
            .prover
            .get_proof_job(request)
            .await
            .map_err(status)?
            .into_inner();
        println!("{}", job_line(&job));
        job
    };
    if let (Some(out), Ok(JobState::Succeeded)) = (out, JobState::try_from(job.state)) {
        save_proof(job.proof.as_ref(), out)?;
        println!("wrote {}", out.display());
    }
    Ok(())
}

fn job_line(job: &pb::ProofJob) -> String {
    let state = JobState::try_from(job.state)
        .map(|s| {
            s.as_str_name()
                .trim_start_matches("JOB_STATE_")
                .to_lowercase()
        })
        .unwrap_or_else(|_| "unknown".into());
    let mut line = format!(
        "{} {state} ({}, attempt {})",
        job.job_id, job.stage, job.attempts
    );
    if !job.error.is_empty() {
        line.push_str(&format!(": {}", job.error));
    }
    if job.prove_seconds > 0.0 {
        line.push_str(&format!(" in {:.2}s", job.prove_seconds));
    }
    line
}

fn save_proof(proof: Option<&pb::Proof>, out: &Path) -> Result<()> {
    let (decoded, public) = parse_proof(proof).context("the server's proof")?;
    write_any_proof_files(out, &decoded, &public)
}
