//! A server on a loopback port with a fresh database, the insecure demo key,
//! and a registry trusting a sample issuer; clients with and without a key.

use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::Duration;
use tempfile::TempDir;
use tokio::sync::oneshot;
use veil_service::client::{connect, Clients};
use veil_service::engine::Engine;
use veil_service::fixture::SampleRequest;
use veil_service::server::{ServeConfig, Server};
use veil_service::store::Store;

/// The demo proving key, made once per test binary.
pub fn proving_key() -> veil_prover::ProvingKey {
    static KEY: OnceLock<veil_prover::ProvingKey> = OnceLock::new();
    KEY.get_or_init(|| {
        veil_prover::insecure_demo_setup(|_| {})
            .expect("demo setup")
            .proving_key
    })
    .clone()
}

/// The halo2 demo parameters and keys, made once per test binary (key
/// generation takes seconds; several servers here prove with halo2).
pub fn halo2_keys() -> (veil_halo2::UniversalParams, veil_halo2::keys::Halo2Keys) {
    static KEYS: OnceLock<(veil_halo2::UniversalParams, veil_halo2::keys::Halo2Keys)> =
        OnceLock::new();
    KEYS.get_or_init(|| veil_halo2::keys::insecure_demo_keys().expect("halo2 keys"))
        .clone()
}

/// A sample request whose issuer the test server trusts.
pub fn sample(seed: u64) -> SampleRequest {
    SampleRequest::new(&mut ChaCha20Rng::seed_from_u64(seed))
}

/// A running test server.
pub struct TestServer {
    /// Its database (deleted on drop).
    pub dir: TempDir,
    /// The gRPC address.
    pub addr: SocketAddr,
    /// The metrics address.
    pub metrics: SocketAddr,
    /// A valid API key.
    pub key: String,
    /// A revoked API key.
    pub revoked_key: String,
    /// A regulator's API key (records disclosures).
    pub regulator_key: String,
    /// The sample whose issuer is trusted.
    pub sample: SampleRequest,
    stop: Option<oneshot::Sender<()>>,
    handle: Option<tokio::task::JoinHandle<Result<(), veil_service::server::ServeError>>>,
}

/// Creates a valid, a revoked and a regulator's key in `db` (before the
/// server opens it).
pub fn make_keys(db: &std::path::Path) -> (String, String, String) {
    use veil_service::store::KeyRole;
    let store = Store::open(&db.join("jobs")).expect("store");
    let key = veil_service::auth::create_key(&store, "tests", KeyRole::Client).expect("key");
    let revoked = veil_service::auth::create_key(&store, "revoked", KeyRole::Client).expect("key");
    store.revoke_api_key(&revoked.record.id).expect("revoke");
    let regulator =
        veil_service::auth::create_key(&store, "regulator", KeyRole::Regulator).expect("key");
    (key.key, revoked.key, regulator.key)
}

impl TestServer {
    /// A server with the defaults changed by `configure`.
    pub async fn start(configure: impl FnOnce(&mut ServeConfig)) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        Self::start_in(dir, configure).await
    }

    /// A server on an existing database directory.
    pub async fn start_in(dir: TempDir, configure: impl FnOnce(&mut ServeConfig)) -> Self {
        Self::start_with(dir, configure, false).await
    }

    /// A server that also proves and verifies halo2-KZG (the insecure halo2
    /// demo keys).
    pub async fn start_halo2() -> Self {
        Self::start_halo2_with(|_| {}).await
    }

    /// [`Self::start_halo2`] with the defaults changed by `configure`.
    pub async fn start_halo2_with(configure: impl FnOnce(&mut ServeConfig)) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        Self::start_with(dir, configure, true).await
    }

    async fn start_with(
        dir: TempDir,
        configure: impl FnOnce(&mut ServeConfig),
        halo2: bool,
    ) -> Self {
        let (key, revoked_key, regulator_key) = if dir.path().join("jobs").exists() {
            (String::new(), String::new(), String::new())
        } else {
            make_keys(dir.path())
        };
        let sample = sample(7);
        let mut engine = Engine::new(
            veil_prover::Prover::new(proving_key()).expect("prover"),
            sample.registry().expect("registry"),
        )
        .expect("engine");
        if halo2 {
            let (params, keys) = halo2_keys();
            let verifier = veil_verifier::Halo2Verifier::new(params.clone(), keys.verifying_key());
            engine = engine.with_halo2(veil_prover::Halo2Prover::new(params, keys), verifier);
        }
        let mut config = ServeConfig::with_db(dir.path());
        configure(&mut config);
        let (stop, stopped) = oneshot::channel::<()>();
        let running = Server::new(config, engine)
            .spawn(
                "127.0.0.1:0".parse().expect("addr"),
                Some("127.0.0.1:0".parse().expect("addr")),
                async move {
                    let _ = stopped.await;
                },
            )
            .await
            .expect("server starts");
        TestServer {
            dir,
            addr: running.addr,
            metrics: running.metrics_addr.expect("metrics"),
            key,
            revoked_key,
            regulator_key,
            sample,
            stop: Some(stop),
            handle: Some(running.handle),
        }
    }

    /// Clients sending `key`.
    pub async fn clients(&self, key: Option<&str>) -> Clients {
        // The server task binds before returning; connecting can still race
        // its first poll, so retry briefly.
        let url = format!("http://{}", self.addr);
        for _ in 0..50 {
            if let Ok(c) = connect(&url, key, None, 16 << 20).await {
                return c;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("cannot connect to {url}");
    }

    /// Clients with the valid key.
    pub async fn authed(&self) -> Clients {
        self.clients(Some(&self.key.clone())).await
    }

    /// The sample's proof, proved by this server for the valid key.
    pub async fn sample_proof(&self) -> veil_service::pb::Proof {
        self.authed()
            .await
            .prover
            .prove(self.sample.request.clone())
            .await
            .expect("prove")
            .into_inner()
            .proof
            .expect("proof")
    }

    /// The sample's halo2-KZG proof, proved for the valid key by the first
    /// server (started with halo2 keys) that asks and kept for the others:
    /// every server here has the same sample and the same halo2 keys, and a
    /// halo2 proof takes seconds.
    pub async fn sample_halo2_proof(&self) -> veil_service::pb::Proof {
        // Single-flight: a test asking while the first proof is being made
        // waits for it instead of proving the same request again.
        static PROOF: tokio::sync::OnceCell<veil_service::pb::Proof> =
            tokio::sync::OnceCell::const_new();
        PROOF
            .get_or_init(|| async {
                let mut request = self.sample.request.clone();
                request.system = veil_service::pb::ProofSystem::Halo2Kzg as i32;
                self.authed()
                    .await
                    .prover
                    .prove(request)
                    .await
                    .expect("prove")
                    .into_inner()
                    .proof
                    .expect("proof")
            })
            .await
            .clone()
    }

    /// Stops the server and waits for it (the database can then be reopened).
    pub async fn stop(mut self) -> TempDir {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(handle) = self.handle.take() {
            let _ = tokio::time::timeout(Duration::from_secs(10), handle).await;
        }
        // Give RocksDB's background threads a moment to release the lock.
        tokio::time::sleep(Duration::from_millis(100)).await;
        let dir = tempfile::tempdir().expect("tempdir");
        std::mem::replace(&mut self.dir, dir)
    }
}

/// Asserts `result` failed with `code` and a message containing `needle`.
pub fn assert_status<T: std::fmt::Debug>(
    result: Result<T, tonic::Status>,
    code: tonic::Code,
    needle: &str,
) {
    match result {
        Ok(v) => panic!("expected {code:?} ({needle}), got Ok({v:?})"),
        Err(s) => {
            assert_eq!(s.code(), code, "{}", s.message());
            assert!(
                s.message().contains(needle),
                "{:?}: {:?} does not mention {needle:?}",
                s.code(),
                s.message()
            );
        }
    }
}
