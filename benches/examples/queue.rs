//! The job queue's own cost per job, with a no-op prover, on the embedded
//! RocksDB and a shared PostgreSQL side by side in one run: submit→claim
//! latency (a submitter and one idle worker polling as `veil serve`'s
//! workers do) and claims per second (workers claiming and finishing a
//! full queue), and how soon a watcher on another node sees a job finish
//! (the watch loop's interval and read, `jobs::SHARED_WATCH_POLL`).
//! PostgreSQL is a throwaway local server ([`veil_service::temp_postgres`]).
//!
//! `cargo run --release -p veil-benches --example queue [jobs]`

use std::sync::Arc;
use std::time::{Duration, Instant};
use veil_service::jobs::{is_terminal, SHARED_WATCH_POLL};
use veil_service::pb::{self, ProveRequest};
use veil_service::store::postgres::PgStore;
use veil_service::store::{JobStore, NewJob, Outcome, QueueLimits, Store};
use veil_service::temp_postgres::TempPostgres;

const LIMITS: QueueLimits = QueueLimits {
    max_queue: 1 << 20,
    max_per_owner: 1 << 20,
    max_attempts: 3,
};
const LEASE: Duration = Duration::from_secs(30);

fn job(n: usize) -> NewJob {
    NewJob {
        id: format!("{n:032x}"),
        owner: "bench".into(),
        // About the size of a real request's documents.
        request: ProveRequest {
            credential_json: "x".repeat(2_000),
            request_id: format!("r{n}"),
            ..Default::default()
        },
        now_ms: veil_service::store::now_ms(),
    }
}

fn done() -> Outcome {
    Outcome::Proved {
        proof: pb::Proof {
            proof_json: "p".repeat(800),
            ..Default::default()
        },
        seconds: 0.0,
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// One job at a time: submit, then an idle worker's poll loop claims it.
async fn latency(store: Arc<dyn JobStore>, jobs: usize, poll: Duration, offset: usize) -> String {
    let mut samples = Vec::with_capacity(jobs);
    for n in 0..jobs {
        let submitted = Instant::now();
        store.submit(job(offset + n), LIMITS).await.expect("submit");
        let claimed = loop {
            if let Some(c) = store.claim("w", LEASE, LIMITS).await.expect("claim") {
                break c;
            }
            tokio::time::sleep(poll).await;
        };
        samples.push(submitted.elapsed());
        store.finish(&claimed.lease, done()).await.expect("finish");
        // Submissions arrive at random points of the worker's poll period.
        tokio::time::sleep(Duration::from_micros((n as u64 * 7_919) % 50_000)).await;
    }
    samples.sort();
    format!(
        "p50 {:.2} ms, p99 {:.2} ms",
        percentile(&samples, 0.5).as_secs_f64() * 1e3,
        percentile(&samples, 0.99).as_secs_f64() * 1e3
    )
}

/// A worker on one node finishes a job at a random point of the watcher's
/// period; a watcher on another node (its own pool) re-reads the job every
/// [`SHARED_WATCH_POLL`], as `WatchProofJob` does for other nodes' changes.
/// Returns the finish→seen latency and the watcher's reads per second.
async fn cross_node_watch(
    worker: Arc<dyn JobStore>,
    watcher: Arc<dyn JobStore>,
    jobs: usize,
    offset: usize,
) -> String {
    let mut samples = Vec::with_capacity(jobs);
    let (mut reads, mut watched) = (0u64, Duration::ZERO);
    for n in 0..jobs {
        let new = job(offset + n);
        let id = new.id.clone();
        worker.submit(new, LIMITS).await.expect("submit");
        let watching = {
            let watcher = watcher.clone();
            tokio::spawn(async move {
                let started = Instant::now();
                let mut poll = tokio::time::interval(SHARED_WATCH_POLL);
                let mut reads = 0u64;
                loop {
                    poll.tick().await;
                    reads += 1;
                    let (_, job) = watcher.job(&id).await.expect("read").expect("the job");
                    if is_terminal(&job) {
                        return (Instant::now(), reads, started.elapsed());
                    }
                }
            })
        };
        let claimed = worker
            .claim("w", LEASE, LIMITS)
            .await
            .expect("claim")
            .expect("the job");
        tokio::time::sleep(Duration::from_micros(
            100_000 + (n as u64 * 7_919) % 300_000,
        ))
        .await;
        worker.finish(&claimed.lease, done()).await.expect("finish");
        let finished = Instant::now();
        let (seen, n_reads, elapsed) = watching.await.expect("watcher");
        samples.push(seen.saturating_duration_since(finished));
        reads += n_reads;
        watched += elapsed;
    }
    samples.sort();
    format!(
        "finish→seen p50 {:.0} ms, p99 {:.0} ms; {:.1} reads/s per watcher",
        percentile(&samples, 0.5).as_secs_f64() * 1e3,
        percentile(&samples, 0.99).as_secs_f64() * 1e3,
        reads as f64 / watched.as_secs_f64()
    )
}

/// A full queue drained by `workers` concurrent claim+finish loops.
async fn throughput(stores: Vec<Arc<dyn JobStore>>, jobs: usize, offset: usize) -> f64 {
    for n in 0..jobs {
        stores[0]
            .submit(job(offset + n), LIMITS)
            .await
            .expect("submit");
    }
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (w, store) in stores.into_iter().enumerate() {
        tasks.push(tokio::spawn(async move {
            let name = format!("w{w}");
            while let Some(c) = store.claim(&name, LEASE, LIMITS).await.expect("claim") {
                store.finish(&c.lease, done()).await.expect("finish");
            }
        }));
    }
    for task in tasks {
        task.await.expect("worker");
    }
    jobs as f64 / started.elapsed().as_secs_f64()
}

#[tokio::main]
async fn main() {
    let jobs: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(500);
    let dir = tempfile::tempdir().expect("tempdir");
    let rocks: Arc<dyn JobStore> = Arc::new(Store::open(dir.path()).expect("rocksdb"));
    let server = TempPostgres::start().expect("PostgreSQL (scripts/setup test installs it)");
    let pg = |n| {
        let url = server.url();
        async move {
            let store: Arc<dyn JobStore> =
                Arc::new(PgStore::connect(&url, n).await.expect("postgres"));
            store
        }
    };
    let postgres = pg(8).await;
    println!(
        "{jobs} jobs, no-op prover, {} cores",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    // The store's own cost (a worker that claims right after the submit).
    // An idle worker on another node adds its poll wait on top (jobs.rs:
    // 50 ms at most); one on the submitting node is woken at once.
    println!(
        "submit→claim, store only  rocksdb:  {}",
        latency(rocks.clone(), jobs, Duration::ZERO, 0).await
    );
    println!(
        "submit→claim, store only  postgres: {}",
        latency(postgres.clone(), jobs, Duration::ZERO, 0).await
    );
    let other_node = pg(2).await;
    println!(
        "watch across nodes        postgres: {}",
        cross_node_watch(postgres.clone(), other_node, jobs.min(100), 1 << 40).await
    );
    for workers in [1, 4] {
        let rocks_rate = throughput(
            vec![rocks.clone(); workers],
            jobs,
            (workers << 32) | 1 << 31,
        )
        .await;
        let mut stores = Vec::new();
        for _ in 0..workers {
            stores.push(pg(2).await);
        }
        let pg_rate = throughput(stores, jobs, (workers << 32) | 1 << 31).await;
        println!(
            "claim+finish, {workers} worker(s)  rocksdb: {rocks_rate:.0}/s  postgres: {pg_rate:.0}/s"
        );
    }
}
