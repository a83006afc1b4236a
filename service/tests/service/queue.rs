//! The job store's contract ([`JobStore`]), one suite run against both
//! engines: the embedded RocksDB and a real PostgreSQL (a throwaway server,
//! one fresh database per case; two `PgStore`s on one database stand for
//! two nodes).

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;
use veil_service::pb::{self, JobState, ProveRequest};
use veil_service::store::postgres::PgStore;
use veil_service::store::SubmitError;
use veil_service::store::{JobStore, NewJob, Outcome, QueueLimits, Store, Submitted};
use veil_service::temp_postgres::TempPostgres;

const LIMITS: QueueLimits = QueueLimits {
    max_queue: 100,
    max_per_owner: 100,
    max_attempts: 3,
};
const LEASE: Duration = Duration::from_secs(30);
/// Short enough to lapse within a test.
const SHORT: Duration = Duration::from_millis(300);

/// Opens a second handle on the same store (another node), where the
/// engine allows one.
type Reopen = Box<dyn Fn() -> futures_like::BoxFuture<Option<Arc<dyn JobStore>>> + Send + Sync>;

mod futures_like {
    pub type BoxFuture<T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send>>;
}

struct Engine {
    store: Arc<dyn JobStore>,
    other_node: Reopen,
}

fn request(n: usize, request_id: &str) -> ProveRequest {
    ProveRequest {
        policy_json: format!("policy {n}"),
        request_id: request_id.into(),
        ..Default::default()
    }
}

fn new_job(n: usize, owner: &str, request_id: &str) -> NewJob {
    NewJob {
        id: format!("{n:032x}"),
        owner: owner.into(),
        request: request(n, request_id),
        now_ms: 1_000 + n as i64,
    }
}

/// Claims the next job, which the case has just queued.
async fn claim_one(
    store: &Arc<dyn JobStore>,
    worker: &str,
    lease: Duration,
) -> veil_service::store::Claimed {
    store
        .claim(worker, lease, LIMITS)
        .await
        .expect("claim")
        .expect("a queued job")
}

fn proved() -> Outcome {
    Outcome::Proved {
        proof: pb::Proof {
            proof_json: "{}".into(),
            ..Default::default()
        },
        seconds: 0.5,
    }
}

async fn state(store: &Arc<dyn JobStore>, id: &str) -> pb::ProofJob {
    store.job(id).await.expect("read").expect("stored").1
}

/// Claims come oldest first, count an attempt, and finishing stores the
/// proof; the queued count follows.
async fn claims_in_order_and_finishes(e: Engine) {
    let s = &e.store;
    for n in 0..3 {
        s.submit(new_job(n, "a", ""), LIMITS).await.expect("submit");
    }
    assert_eq!(s.queued().await.expect("queued"), 3);
    let first = claim_one(s, "w", LEASE).await;
    assert_eq!(first.lease.job_id, format!("{:032x}", 0));
    assert_eq!(first.owner, "a");
    assert_eq!(first.request, request(0, ""));
    assert_eq!(first.job.state, JobState::Running as i32);
    assert_eq!(first.job.attempts, 1);
    assert_eq!(s.queued().await.expect("queued"), 2);
    let done = s
        .finish(&first.lease, proved())
        .await
        .expect("finish")
        .expect("held");
    assert_eq!(done.state, JobState::Succeeded as i32);
    assert_eq!(
        done.proof.as_ref().map(|p| p.proof_json.as_str()),
        Some("{}")
    );
    assert_eq!(state(s, &first.lease.job_id).await, done);
    let (owner, _) = s
        .job(&first.lease.job_id)
        .await
        .expect("read")
        .expect("job");
    assert_eq!(owner, "a");
    // A finished job cannot be finished again, even by its last holder.
    assert!(s
        .finish(&first.lease, proved())
        .await
        .expect("finish")
        .is_none());
    let second = claim_one(s, "w", LEASE).await;
    assert_eq!(second.lease.job_id, format!("{:032x}", 1));
    let failed = s
        .finish(&second.lease, Outcome::Failed("risk score too high".into()))
        .await
        .expect("finish")
        .expect("held");
    assert_eq!(failed.state, JobState::Failed as i32);
    assert_eq!(failed.error, "risk score too high");
    assert!(s
        .job(&format!("{:032x}", 99))
        .await
        .expect("read")
        .is_none());
}

/// A lapsed lease returns the job to the queue; the next claim has another
/// token, and only it can renew or finish: the job is finished once.
async fn only_the_current_lease_finishes(e: Engine) {
    let s = &e.store;
    s.submit(new_job(0, "a", ""), LIMITS).await.expect("submit");
    let stale = claim_one(s, "w1", SHORT).await;
    tokio::time::sleep(SHORT + Duration::from_millis(200)).await;
    let reaped = s.reap(LIMITS, 5_000).await.expect("reap");
    assert_eq!((reaped.requeued, reaped.parked), (1, 0));
    assert_eq!(
        state(s, &stale.lease.job_id).await.state,
        JobState::Queued as i32
    );
    let other = match (e.other_node)().await {
        Some(other) => other,
        None => s.clone(),
    };
    let current = claim_one(&other, "w2", LEASE).await;
    assert_eq!(current.lease.job_id, stale.lease.job_id);
    assert_ne!(current.lease.token, stale.lease.token);
    assert_eq!(current.job.attempts, 2);
    assert!(!s.renew(&stale.lease, LEASE).await.expect("renew"));
    assert!(s
        .finish(&stale.lease, proved())
        .await
        .expect("finish")
        .is_none());
    assert_eq!(
        state(s, &stale.lease.job_id).await.state,
        JobState::Running as i32
    );
    assert!(other.renew(&current.lease, LEASE).await.expect("renew"));
    let done = other
        .finish(&current.lease, proved())
        .await
        .expect("finish")
        .expect("held");
    assert_eq!((done.state, done.attempts), (JobState::Succeeded as i32, 2));
}

/// Renewing keeps a lease past its first deadline.
async fn renewing_keeps_the_lease(e: Engine) {
    let s = &e.store;
    s.submit(new_job(0, "a", ""), LIMITS).await.expect("submit");
    let claimed = claim_one(s, "w", SHORT).await;
    for _ in 0..6 {
        tokio::time::sleep(SHORT / 3).await;
        assert!(s.renew(&claimed.lease, SHORT).await.expect("renew"));
    }
    assert_eq!(s.reap(LIMITS, 5_000).await.expect("reap").requeued, 0);
    assert!(s
        .finish(&claimed.lease, proved())
        .await
        .expect("finish")
        .is_some());
}

/// A job whose workers keep dying is parked as failed with the reason
/// after `max_attempts` claims, and not claimed again.
async fn a_job_that_keeps_killing_workers_is_parked(e: Engine) {
    let s = &e.store;
    let limits = QueueLimits {
        max_attempts: 2,
        ..LIMITS
    };
    s.submit(new_job(0, "a", ""), limits).await.expect("submit");
    let mut parked = 0;
    for _ in 0..2 {
        s.claim("w", SHORT, limits)
            .await
            .expect("claim")
            .expect("job");
        tokio::time::sleep(SHORT + Duration::from_millis(200)).await;
        parked += s.reap(limits, 5_000).await.expect("reap").parked;
    }
    assert_eq!(parked, 1);
    let job = state(s, &format!("{:032x}", 0)).await;
    assert_eq!(job.state, JobState::Failed as i32);
    assert_eq!(job.attempts, 2);
    assert!(
        job.error.contains("gave up after 2 attempts"),
        "{}",
        job.error
    );
    assert!(s.claim("w", SHORT, limits).await.expect("claim").is_none());
    assert_eq!(s.queued().await.expect("queued"), 0);
}

/// The same request id from the same owner is one job; other documents
/// under it are refused; another owner's id is its own.
async fn request_ids_make_submission_idempotent(e: Engine) {
    let s = &e.store;
    let first = s
        .submit(new_job(1, "a", "order-1"), LIMITS)
        .await
        .expect("submit");
    assert!(matches!(first, Submitted::New(_)));
    let mut retry = new_job(2, "a", "order-1");
    retry.request = request(1, "order-1");
    let again = s.submit(retry, LIMITS).await.expect("retry");
    assert_eq!(again, Submitted::Existing(first.job().clone()));
    let changed = s.submit(new_job(3, "a", "order-1"), LIMITS).await;
    assert!(
        matches!(&changed, Err(SubmitError::RequestIdReused(id)) if id == "order-1"),
        "{changed:?}"
    );
    let other_owner = s
        .submit(new_job(4, "b", "order-1"), LIMITS)
        .await
        .expect("b");
    assert!(matches!(other_owner, Submitted::New(_)));
    assert_eq!(s.queued().await.expect("queued"), 2);
    // After the job finished, a retry still answers it (with its proof).
    let claimed = claim_one(s, "w", LEASE).await;
    s.finish(&claimed.lease, proved()).await.expect("finish");
    let mut late = new_job(5, "a", "order-1");
    late.request = request(1, "order-1");
    match s.submit(late, LIMITS).await.expect("late retry") {
        Submitted::Existing(job) => assert_eq!(job.state, JobState::Succeeded as i32),
        other => panic!("a second job: {other:?}"),
    }
}

/// Retries racing from many tasks (nodes) still make one job.
async fn racing_retries_make_one_job(e: Engine) {
    let mut handles = Vec::new();
    for n in 0..8 {
        let store = match (e.other_node)().await {
            Some(other) if n % 2 == 1 => other,
            _ => e.store.clone(),
        };
        handles.push(tokio::spawn(async move {
            let mut job = new_job(100 + n, "a", "pay-7");
            job.request = request(7, "pay-7");
            store
                .submit(job, LIMITS)
                .await
                .expect("submit")
                .job()
                .job_id
                .clone()
        }));
    }
    let mut ids = HashSet::new();
    for handle in handles {
        ids.insert(handle.await.expect("task"));
    }
    assert_eq!(ids.len(), 1, "{ids:?}");
    assert_eq!(e.store.queued().await.expect("queued"), 1);
}

/// The whole queue and each owner are bounded.
async fn limits_are_enforced(e: Engine) {
    let s = &e.store;
    let limits = QueueLimits {
        max_queue: 3,
        max_per_owner: 2,
        max_attempts: 3,
    };
    s.submit(new_job(0, "a", ""), limits).await.expect("a0");
    s.submit(new_job(1, "a", ""), limits).await.expect("a1");
    let full = s.submit(new_job(2, "a", ""), limits).await;
    assert!(
        matches!(full, Err(SubmitError::OwnerQueueFull { limit: 2, .. })),
        "{full:?}"
    );
    s.submit(new_job(3, "b", ""), limits).await.expect("b0");
    let full = s.submit(new_job(4, "c", ""), limits).await;
    assert!(matches!(full, Err(SubmitError::QueueFull(3))), "{full:?}");
    // Finishing one of a's jobs frees a's slot and the queue's.
    let claimed = s
        .claim("w", LEASE, limits)
        .await
        .expect("claim")
        .expect("job");
    s.finish(&claimed.lease, proved()).await.expect("finish");
    s.submit(new_job(5, "a", ""), limits)
        .await
        .expect("a again");
}

/// Concurrent workers (on two nodes where the engine allows) never claim
/// one job twice, and every job is claimed.
async fn concurrent_workers_never_share_a_job(e: Engine) {
    for n in 0..40 {
        e.store
            .submit(new_job(n, "a", ""), LIMITS)
            .await
            .expect("submit");
    }
    let mut handles = Vec::new();
    for w in 0..6 {
        let store = match (e.other_node)().await {
            Some(other) if w % 2 == 1 => other,
            _ => e.store.clone(),
        };
        handles.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            while let Some(c) = store
                .claim(&format!("w{w}"), LEASE, LIMITS)
                .await
                .expect("claim")
            {
                assert!(store
                    .finish(&c.lease, proved())
                    .await
                    .expect("finish")
                    .is_some());
                mine.push(c.lease.job_id);
            }
            mine
        }));
    }
    let mut all = Vec::new();
    for handle in handles {
        all.extend(handle.await.expect("worker"));
    }
    let distinct: HashSet<_> = all.iter().collect();
    assert_eq!((all.len(), distinct.len()), (40, 40));
}

/// Finished jobs expire after the TTL, and with them their request ids.
async fn finished_jobs_expire(e: Engine) {
    let s = &e.store;
    s.submit(new_job(0, "a", "r"), LIMITS)
        .await
        .expect("submit");
    s.submit(new_job(1, "a", ""), LIMITS).await.expect("submit");
    let claimed = claim_one(s, "w", LEASE).await;
    s.finish(&claimed.lease, proved()).await.expect("finish");
    let cutoff = veil_service::store::now_ms() + 1_000;
    assert_eq!(s.expire(cutoff).await.expect("expire"), 1);
    assert!(s.job(&claimed.lease.job_id).await.expect("read").is_none());
    // The unfinished job stays; the expired job's request id is free again.
    assert!(s.job(&format!("{:032x}", 1)).await.expect("read").is_some());
    let reused = s.submit(new_job(2, "a", "r"), LIMITS).await.expect("reuse");
    assert!(matches!(reused, Submitted::New(_)));
    s.ping().await.expect("ping");
}

macro_rules! cases {
    ($($case:ident),* $(,)?) => {
        /// Every case, by name.
        fn cases() -> Vec<(&'static str, fn(Engine) -> futures_like::BoxFuture<()>)> {
            vec![$((stringify!($case), |e| Box::pin($case(e)))),*]
        }
    };
}

cases!(
    claims_in_order_and_finishes,
    only_the_current_lease_finishes,
    renewing_keeps_the_lease,
    a_job_that_keeps_killing_workers_is_parked,
    request_ids_make_submission_idempotent,
    racing_retries_make_one_job,
    limits_are_enforced,
    concurrent_workers_never_share_a_job,
    finished_jobs_expire,
);

#[tokio::test(flavor = "multi_thread")]
async fn the_store_contract_on_rocksdb() {
    for (name, case) in cases() {
        eprintln!("rocksdb: {name}");
        let dir = tempfile::tempdir().expect("tempdir");
        let store: Arc<dyn JobStore> = Arc::new(Store::open(dir.path()).expect("open"));
        // RocksDB allows one process: there is no second node.
        let other_node: Reopen = Box::new(|| Box::pin(async { None }));
        case(Engine { store, other_node }).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_store_contract_on_postgres() {
    let Some(server) = TempPostgres::start() else {
        return;
    };
    for (n, (name, case)) in cases().into_iter().enumerate() {
        eprintln!("postgres: {name}");
        let database = format!("case{n}");
        server.create_database(&database);
        let url = server.url_for(&database);
        let store: Arc<dyn JobStore> = Arc::new(PgStore::connect(&url, 8).await.expect("connect"));
        let other_node: Reopen = Box::new(move || {
            let url = url.clone();
            Box::pin(async move {
                let other: Arc<dyn JobStore> =
                    Arc::new(PgStore::connect(&url, 8).await.expect("connect"));
                Some(other)
            })
        });
        case(Engine { store, other_node }).await;
    }
}

/// A Postgres restart: calls fail with `Unavailable` (bounded, no hang)
/// while it is down, the same store works again once it is back, and the
/// acknowledged job is still there.
#[tokio::test(flavor = "multi_thread")]
async fn a_postgres_restart_loses_nothing_and_the_store_recovers() {
    let Some(server) = TempPostgres::start() else {
        return;
    };
    let store = PgStore::connect(&server.url(), 4).await.expect("connect");
    store
        .submit(new_job(0, "a", "k"), LIMITS)
        .await
        .expect("submit");
    server.stop();
    let started = std::time::Instant::now();
    let down = store.ping().await;
    assert!(
        matches!(down, Err(veil_service::store::StoreError::Unavailable(_))),
        "{down:?}"
    );
    let down = store.submit(new_job(1, "a", ""), LIMITS).await;
    assert!(
        matches!(
            down,
            Err(SubmitError::Store(
                veil_service::store::StoreError::Unavailable(_)
            ))
        ),
        "{down:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "{:?}",
        started.elapsed()
    );
    server.start_again();
    let mut recovered = false;
    for _ in 0..50 {
        if store.ping().await.is_ok() {
            recovered = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(recovered, "the pool reconnects after the restart");
    let job = store
        .job(&format!("{:032x}", 0))
        .await
        .expect("read")
        .expect("kept");
    assert_eq!(job.1.state, JobState::Queued as i32);
    assert!(store
        .claim("w", LEASE, LIMITS)
        .await
        .expect("claim")
        .is_some());
}

/// Review 2, finding 12: the shared store's API-key snapshot. A row that
/// does not decode is left out without freezing the others (a revocation
/// after it still lands), and once the snapshot cannot be refreshed for
/// longer than its bound, every keyed lookup fails closed.
#[tokio::test(flavor = "multi_thread")]
async fn r2_finding_12_one_bad_key_row_freezes_nothing_and_a_stale_cache_fails_closed() {
    use veil_service::auth::{key_hash, new_key};
    use veil_service::store::postgres::KeyCache;
    use veil_service::store::{KeyLookup, KeyRole, StoreError};
    let Some(server) = TempPostgres::start() else {
        return;
    };
    let store = Arc::new(PgStore::connect(&server.url(), 4).await.expect("connect"));
    let key = new_key("wallet", KeyRole::Client);
    let hash = key_hash(&key.key);
    store
        .insert_api_key(&hash, &key.record)
        .await
        .expect("insert");
    let (client, connection) = tokio_postgres::connect(&server.url(), tokio_postgres::NoTls)
        .await
        .expect("connect");
    tokio::spawn(connection);
    client
        .execute(
            "INSERT INTO veil_api_keys (hash, id, record) VALUES ($1, 'broken', 'not JSON')",
            &[&vec![7u8; 32]],
        )
        .await
        .expect("a row that does not decode");
    let cache = KeyCache::load_with_staleness(store.clone(), Duration::from_secs(2))
        .await
        .expect("the other rows load");
    assert!(!cache.lookup(&hash).expect("fresh").expect("known").revoked);
    store.revoke_api_key(&key.record.id).await.expect("revoke");
    cache.refresh().await.expect("refresh past the bad row");
    assert!(cache.lookup(&hash).expect("fresh").expect("known").revoked);
    // The store goes away: within the bound the snapshot answers, after it
    // every lookup is refused.
    server.stop();
    assert!(cache.refresh().await.is_err());
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert!(matches!(
        cache.lookup(&hash),
        Err(StoreError::Unavailable(_))
    ));
}

/// A test CA and a server certificate it signed for `name` (PEM): (CA
/// certificate, server certificate, server key).
fn test_ca(name: &str) -> (String, String, String) {
    use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair};
    let ca_key = KeyPair::generate().expect("key");
    let mut params = CertificateParams::new(Vec::<String>::new()).expect("params");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = params.self_signed(&ca_key).expect("CA");
    let key = KeyPair::generate().expect("key");
    let cert = CertificateParams::new(vec![name.to_owned()])
        .expect("params")
        .signed_by(&key, &ca, &ca_key)
        .expect("certificate");
    (ca.pem(), cert.pem(), key.serialize_pem())
}

/// Review 2, finding 6: job rows carry holders' secrets, so a PostgreSQL
/// that is not on this machine is reached over TLS, its certificate
/// verified, whatever `sslmode` says, unless plaintext is explicitly
/// allowed; and a finished job's request is deleted from its row. (The
/// server is on loopback, reached under a name that is not: `hostaddr`.)
#[tokio::test(flavor = "multi_thread")]
async fn r2_finding_6_a_remote_postgres_is_reached_over_tls_and_finished_rows_forget_the_request() {
    use veil_service::store::postgres::PgTls;
    let Some(server) = TempPostgres::start() else {
        return;
    };
    let name = "queue.veil.test";
    let (ca, cert, key) = test_ca(name);
    let plain = TempPostgres::start().expect("a second server");
    server.enable_tls(&cert, &key);
    let dir = tempfile::tempdir().expect("tempdir");
    let ca_file = dir.path().join("ca.pem");
    std::fs::write(&ca_file, ca).expect("write");
    let remote = |port: u16, extra: &str| {
        format!("postgres://veil@{name}:{port}/postgres?hostaddr=127.0.0.1{extra}")
    };
    let trusted = PgTls {
        ca: Some(ca_file),
        allow_plaintext: false,
    };
    let store: Arc<dyn JobStore> = Arc::new(
        PgStore::connect_with(&remote(server.port(), ""), 2, &trusted)
            .await
            .expect("TLS with the operator's CA"),
    );
    let sessions = server.query(
        "SELECT string_agg(s.ssl::text, ',') FROM pg_stat_ssl s \
         JOIN pg_stat_activity a USING (pid) WHERE a.application_name = 'veil serve'",
    );
    assert!(
        !sessions.is_empty() && !sessions.contains("false"),
        "{sessions}"
    );
    // The server's certificate is checked: without the CA it is refused.
    let untrusted = PgStore::connect_with(&remote(server.port(), ""), 2, &PgTls::default()).await;
    assert!(untrusted.is_err());
    // sslmode=disable to a remote server, or a server offering no TLS, is
    // refused unless plaintext is allowed.
    let disabled =
        PgStore::connect_with(&remote(server.port(), "&sslmode=disable"), 2, &trusted).await;
    assert!(
        matches!(&disabled, Err(veil_service::store::StoreError::Unavailable(m)) if m.contains("sslmode=disable")),
        "{:?}",
        disabled.err()
    );
    assert!(
        PgStore::connect_with(&remote(plain.port(), ""), 2, &trusted)
            .await
            .is_err()
    );
    let insecure = PgTls {
        allow_plaintext: true,
        ..PgTls::default()
    };
    PgStore::connect_with(&remote(plain.port(), ""), 2, &insecure)
        .await
        .expect("plaintext when explicitly allowed");

    // A finished job's row no longer holds its request (the holder secret).
    store
        .submit(new_job(0, "a", ""), LIMITS)
        .await
        .expect("submit");
    let stored = |sql: &str| server.query(sql);
    assert_ne!(stored("SELECT length(request) FROM veil_jobs"), "0");
    let claimed = claim_one(&store, "w", LEASE).await;
    store
        .finish(&claimed.lease, proved())
        .await
        .expect("finish")
        .expect("finished under the lease");
    assert_eq!(stored("SELECT length(request) FROM veil_jobs"), "0");
}
