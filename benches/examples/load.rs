//! A bounded load generator for `veil serve`, on loopback only, that stops by
//! itself.
//!
//! It starts the service in this process on `127.0.0.1:0` (fresh database,
//! the insecure demo key, a registry trusting a sample issuer, no rate limit),
//! then:
//!
//! 1. measures the in-process verify rate (one thread per core), the bar the
//!    service is held to;
//! 2. drives `Verify` at increasing concurrency, a fixed number of requests a
//!    level, and prints throughput, p50/p99 latency and errors;
//! 3. submits proving jobs at a steady rate, waits for all of them, and prints
//!    submit latency, job latency, proofs per second and errors.
//!
//! ```text
//! cargo run --release -p veil-benches --example load            # full run
//! cargo run --release -p veil-benches --example load -- --quick # CI bound
//! ```
//!
//! It exits non-zero if any request failed.

use rand::SeedableRng;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use veil_service::client::connect;
use veil_service::engine::Engine;
use veil_service::fixture::SampleRequest;
use veil_service::pb::{self, JobState};
use veil_service::server::{ServeConfig, Server};

struct Bounds {
    verify_requests: usize,
    concurrency: Vec<usize>,
    jobs: usize,
    jobs_per_second: f64,
}

fn bounds() -> Bounds {
    let quick = std::env::args().any(|a| a == "--quick");
    if quick {
        Bounds {
            verify_requests: 200,
            concurrency: vec![1, 4, 16],
            jobs: 3,
            jobs_per_second: 2.0,
        }
    } else {
        Bounds {
            verify_requests: 4000,
            concurrency: vec![1, 2, 4, 8, 16, 32, 64],
            jobs: 20,
            jobs_per_second: 1.0,
        }
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let bounds = bounds();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let sample = SampleRequest::new(&mut rand_chacha::ChaCha20Rng::seed_from_u64(1));
    println!("setting up (insecure demo key) ...");
    let proving_key = veil_prover::insecure_demo_setup(|_| {})?.proving_key;
    let key = veil_verifier::PreparedKey::new(&proving_key.vk)?;
    let engine = Engine::new(veil_prover::Prover::new(proving_key)?, sample.registry()?)?;

    let dir = tempfile::tempdir()?;
    let api_key = {
        let store = veil_service::store::Store::open(&dir.path().join("jobs"))?;
        veil_service::auth::create_key(&store, "load", veil_service::store::KeyRole::Client)?.key
    };
    let mut config = ServeConfig::with_db(dir.path());
    config.rate_per_second = 0.0;
    config.max_in_flight = 1024;
    // One key drives every level (up to 64 at once): lift its own cap too.
    config.max_in_flight_per_key = 1024;
    config.queue.max_queue = bounds.jobs.max(1);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = Server::new(config, engine)
        .spawn("127.0.0.1:0".parse()?, None, async move {
            let _ = stopped.await;
        })
        .await?;
    let url = format!("http://{}", running.addr);
    let mut client = loop {
        if let Ok(c) = connect(&url, Some(&api_key), None, 16 << 20).await {
            break c;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };

    let proof = client
        .prover
        .prove(sample.request.clone())
        .await?
        .into_inner()
        .proof
        .ok_or("no proof")?;
    let (veil_prover::SystemProof::Groth16(decoded), public) =
        veil_client::proof::parse_proof(Some(&proof))?
    else {
        return Err("the server answered a proof of another system".into());
    };

    // 1. In-process verify rate on rayon's pool, one loop per core (inner
    //    parallel jobs run inline), after a warm-up: the best this machine
    //    does without the network.
    let n = bounds.verify_requests;
    let verify_all = |count: usize| {
        use rayon::prelude::*;
        let next = AtomicUsize::new(0);
        (0..cores).into_par_iter().for_each(|_| {
            while next.fetch_add(1, Ordering::Relaxed) < count {
                let _ = key.verify_statement(&decoded, &public);
            }
        })
    };
    verify_all(20);
    let started = Instant::now();
    verify_all(n);
    let in_process = n as f64 / started.elapsed().as_secs_f64();
    println!("\nin-process verify: {in_process:.0} proofs/s on {cores} cores");

    // 2. Verify over gRPC at increasing concurrency.
    println!("\nVerify over gRPC (loopback), {n} requests a level");
    println!("| concurrency | req/s | p50 ms | p99 ms | errors | vs in-process |");
    println!("|---:|---:|---:|---:|---:|---:|");
    let request = pb::VerifyRequest {
        proof: Some(proof),
        ..Default::default()
    };
    let mut total_errors = 0;
    let mut best = 0.0f64;
    for &concurrency in &bounds.concurrency {
        let next = Arc::new(AtomicUsize::new(0));
        let errors = Arc::new(AtomicUsize::new(0));
        let started = Instant::now();
        let mut tasks = Vec::new();
        for _ in 0..concurrency {
            let mut verifier = client.verifier.clone();
            let (next, errors, request) = (next.clone(), errors.clone(), request.clone());
            tasks.push(tokio::spawn(async move {
                let mut latencies = Vec::new();
                while next.fetch_add(1, Ordering::Relaxed) < n {
                    let t = Instant::now();
                    match verifier.verify(request.clone()).await {
                        Ok(r) if r.get_ref().valid => latencies.push(t.elapsed()),
                        _ => {
                            errors.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
                latencies
            }));
        }
        let mut latencies = Vec::with_capacity(n);
        for task in tasks {
            latencies.extend(task.await?);
        }
        let elapsed = started.elapsed();
        latencies.sort();
        let rate = n as f64 / elapsed.as_secs_f64();
        best = best.max(rate);
        let errors = errors.load(Ordering::Relaxed);
        total_errors += errors;
        println!(
            "| {concurrency} | {rate:.0} | {:.2} | {:.2} | {errors} | {:.0}% |",
            ms(percentile(&latencies, 0.5)),
            ms(percentile(&latencies, 0.99)),
            100.0 * rate / in_process
        );
    }
    println!(
        "best Verify throughput: {best:.0} req/s = {:.0}% of in-process (target >= 80%)",
        100.0 * best / in_process
    );

    // 3. SubmitProof at a steady rate; wait for every job.
    let jobs = bounds.jobs;
    println!(
        "\nSubmitProof: {jobs} jobs at {} jobs/s, then wait for all",
        bounds.jobs_per_second
    );
    let interval = Duration::from_secs_f64(1.0 / bounds.jobs_per_second);
    let started = Instant::now();
    let mut submits = Vec::new();
    let mut ids = Vec::new();
    let mut errors = 0;
    let mut ticker = tokio::time::interval(interval);
    for _ in 0..jobs {
        ticker.tick().await;
        let t = Instant::now();
        match client.prover.submit_proof(sample.request.clone()).await {
            Ok(ack) => {
                submits.push(t.elapsed());
                ids.push((ack.into_inner().job_id, t));
            }
            Err(_) => errors += 1,
        }
    }
    let mut job_latencies = Vec::new();
    for (id, submitted) in ids {
        let mut stream = client
            .prover
            .watch_proof_job(pb::JobRequest { job_id: id })
            .await?
            .into_inner();
        let mut last = None;
        while let Some(job) = stream.message().await? {
            last = Some(job.state);
        }
        if last == Some(JobState::Succeeded as i32) {
            job_latencies.push(submitted.elapsed());
        } else {
            errors += 1;
        }
    }
    let elapsed = started.elapsed();
    submits.sort();
    job_latencies.sort();
    println!(
        "| submits | submit p50 ms | submit p99 ms | job p50 s | job p99 s | proofs/s | errors |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|");
    println!(
        "| {jobs} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {errors} |",
        ms(percentile(&submits, 0.5)),
        ms(percentile(&submits, 0.99)),
        percentile(&job_latencies, 0.5).as_secs_f64(),
        percentile(&job_latencies, 0.99).as_secs_f64(),
        job_latencies.len() as f64 / elapsed.as_secs_f64()
    );
    total_errors += errors;

    let _ = stop.send(());
    let _ = tokio::time::timeout(Duration::from_secs(10), running.handle).await;
    if total_errors > 0 {
        return Err(format!("{total_errors} requests failed").into());
    }
    Ok(())
}
