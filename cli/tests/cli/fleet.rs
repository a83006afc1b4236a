//! A fleet: three `veil serve` processes on one real PostgreSQL (a
//! throwaway server on loopback), an API node and two that also prove.
//! Twenty-four jobs are submitted across the three; one proving node is
//! SIGKILLed mid-proof twice (and comes back the second time as a
//! `--role worker`); PostgreSQL is restarted mid-run. Every job completes
//! exactly once with a proof that verifies, the killed jobs record their
//! extra attempts, nothing is lost or duplicated, retried submissions with
//! one request id are one job, and any node answers (and watches) any job.

use crate::common::{ok, words};
use crate::serve::{free_port, prepared_dir, state, veil, wait_for_server};
use std::collections::HashMap;
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;
use tonic_health::pb::HealthCheckRequest;
use veil_service::client::Clients;
use veil_service::pb::{self, JobState};
use veil_service::temp_postgres::TempPostgres;

/// Enough that both proving nodes hold jobs through each kill, the victim's
/// restarts and the PostgreSQL restart (each proof takes about a second).
const JOBS: usize = 24;

/// A node of the fleet: `veil serve --queue` with its own database
/// directory (its audit log and DID registry) and a short lease.
fn start_node(dir: &Path, url: &str, name: &str, role: &str, port: u16) -> Child {
    veil()
        .args(["serve", "--db", &format!("db-{name}"), "--keys", "keys"])
        .args(["--issuers", "issuers.json", "--no-metrics"])
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .args(["--queue", url, "--role", role, "--node-name", name])
        .args(words(
            "--lease-seconds 2 --max-queued-per-key 100 --rate-limit 0",
        ))
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(
            std::fs::File::create(dir.join(format!("{name}.log")))
                .map(Stdio::from)
                .unwrap_or_else(|_| Stdio::null()),
        )
        .spawn()
        .expect("spawn veil serve")
}

async fn health(port: u16) -> Option<i32> {
    let channel = tonic::transport::Endpoint::from_shared(format!("http://127.0.0.1:{port}"))
        .ok()?
        .connect_timeout(Duration::from_secs(2))
        .connect()
        .await
        .ok()?;
    let answer = HealthClient::new(channel)
        .check(HealthCheckRequest {
            service: String::new(),
        })
        .await
        .ok()?;
    Some(answer.into_inner().status)
}

async fn wait_for_health(port: u16, want: ServingStatus, within: Duration) {
    let deadline = Instant::now() + within;
    loop {
        if health(port).await == Some(want as i32) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "node on {port} never reported {want:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The job a node's worker holds a lease on now, if any.
fn leased_by(pg: &TempPostgres, node: &str) -> Option<String> {
    let id = pg.query(&format!(
        "SELECT id FROM veil_jobs WHERE state = 2 AND lease_worker LIKE '{node}/%' LIMIT 1"
    ));
    (!id.is_empty()).then_some(id)
}

/// Waits until `node` is proving a job, then SIGKILLs it; the job's id.
async fn kill_mid_proof(pg: &TempPostgres, node: &mut Child, name: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if let Some(id) = leased_by(pg, name) {
            node.kill().expect("SIGKILL");
            node.wait().expect("reaped");
            return id;
        }
        assert!(Instant::now() < deadline, "{name} never claimed a job");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_fleet_proves_every_job_once_through_kills_and_a_postgres_restart() {
    let Some(pg) = TempPostgres::start() else {
        return;
    };
    let url = pg.url();
    let (tmp, sample) = prepared_dir(21);
    let dir = tmp.path();
    let key = ok(
        &["admin", "key", "create", "--queue", &url, "--name", "fleet"],
        dir,
    )
    .trim()
    .to_owned();

    let ports = [free_port(), free_port(), free_port()];
    let mut api = start_node(dir, &url, "api", "api", ports[0]);
    let mut both = start_node(dir, &url, "both", "both", ports[1]);
    let mut victim = start_node(dir, &url, "victim", "both", ports[2]);
    let mut clients: Vec<Clients> = Vec::new();
    for port in ports {
        clients.push(wait_for_server(port, &key).await);
    }

    // The jobs spread across the three nodes, each with its own request id.
    let mut ids = Vec::new();
    for n in 0..JOBS {
        let request = pb::ProveRequest {
            request_id: format!("payment-{n}"),
            ..sample.request.clone()
        };
        let ack = clients[n % 3]
            .prover
            .submit_proof(request)
            .await
            .unwrap_or_else(|e| panic!("submit {n}: {e}"))
            .into_inner();
        ids.push(ack.job_id);
    }
    // A retry on another node is the same job.
    for n in 0..5 {
        let request = pb::ProveRequest {
            request_id: format!("payment-{n}"),
            ..sample.request.clone()
        };
        let again = clients[(n + 1) % 3]
            .prover
            .submit_proof(request)
            .await
            .expect("retry")
            .into_inner();
        assert_eq!(again.job_id, ids[n], "a retry made a second job");
    }

    // The victim dies mid-proof, comes back, dies mid-proof again, and
    // comes back as a worker only.
    let first_killed = kill_mid_proof(&pg, &mut victim, "victim").await;
    victim = start_node(dir, &url, "victim", "both", ports[2]);
    clients[2] = wait_for_server(ports[2], &key).await;
    let second_killed = kill_mid_proof(&pg, &mut victim, "victim").await;
    victim = start_node(dir, &url, "victim", "worker", ports[2]);
    wait_for_health(ports[2], ServingStatus::Serving, Duration::from_secs(60)).await;

    // PostgreSQL goes away: every node says so on health, then recovers.
    pg.stop();
    for port in ports {
        wait_for_health(port, ServingStatus::NotServing, Duration::from_secs(20)).await;
    }
    let refused = clients[0]
        .prover
        .get_proof_job(pb::JobRequest {
            job_id: ids[0].clone(),
        })
        .await;
    assert_eq!(
        refused.map(|_| ()).map_err(|s| s.code()),
        Err(tonic::Code::Unavailable)
    );
    pg.start_again();
    for port in ports {
        wait_for_health(port, ServingStatus::Serving, Duration::from_secs(30)).await;
    }

    // A job submitted on one node, watched on another, to the end.
    let late = clients[1]
        .prover
        .submit_proof(pb::ProveRequest {
            request_id: "payment-late".into(),
            ..sample.request.clone()
        })
        .await
        .expect("submit after the restart")
        .into_inner()
        .job_id;
    let mut watch = clients[0]
        .prover
        .watch_proof_job(pb::JobRequest {
            job_id: late.clone(),
        })
        .await
        .expect("watch on another node")
        .into_inner();
    let mut last = None;
    while let Some(job) = watch.message().await.expect("watch stream") {
        last = Some(job);
    }
    let watched = last.expect("a state");
    assert_eq!(
        watched.state,
        JobState::Succeeded as i32,
        "{}",
        watched.error
    );
    ids.push(late);

    // Every job finishes, read from both API nodes (the third is a worker
    // now), most from a node other than the one it was submitted to.
    let deadline = Instant::now() + Duration::from_secs(600);
    let mut done: HashMap<String, pb::ProofJob> = HashMap::new();
    while done.len() < ids.len() {
        for (n, id) in ids.iter().enumerate() {
            if done.contains_key(id) {
                continue;
            }
            let job = state(&mut clients[(n + 1) % 2], id).await;
            if job.state == JobState::Succeeded as i32 || job.state == JobState::Failed as i32 {
                done.insert(id.clone(), job);
            }
        }
        assert!(
            Instant::now() < deadline,
            "{} of {} jobs finished",
            done.len(),
            ids.len()
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    for (id, job) in &done {
        assert_eq!(job.state, JobState::Succeeded as i32, "{id}: {}", job.error);
        let verdict = clients[0]
            .verifier
            .verify(pb::VerifyRequest {
                proof: job.proof.clone(),
                policy_json: sample.request.policy_json.clone(),
                context_json: sample.request.context_json.clone(),
                ..Default::default()
            })
            .await
            .expect("verify")
            .into_inner();
        assert!(verdict.valid, "{id}: {}", verdict.reason);
    }
    for killed in [&first_killed, &second_killed] {
        let attempts = done[killed.as_str()].attempts;
        assert!(
            attempts >= 2,
            "{killed} was killed mid-proof: {attempts} attempts"
        );
    }
    // No job lost, none made twice: one row per acknowledged job.
    assert_eq!(
        pg.query("SELECT count(*) FROM veil_jobs"),
        ids.len().to_string()
    );
    assert_eq!(
        pg.query("SELECT count(*) FROM veil_jobs WHERE state = 3"),
        ids.len().to_string()
    );
    // Every node registered itself; the API nodes with their audit logs.
    let nodes = pg
        .query("SELECT node || ':' || role || ':' || (log_id <> '') FROM veil_nodes ORDER BY node");
    assert_eq!(nodes, "api:api:true\nboth:both:true\nvictim:worker:false");
    let listed = ok(&["admin", "nodes", "--queue", &url], dir);
    assert!(listed.contains("api\tapi\tdid:key:"), "{listed}");
    assert!(
        listed.contains("victim\tworker\t(no audit log: a worker)"),
        "{listed}"
    );

    for node in [&mut api, &mut both, &mut victim] {
        let _ = node.kill();
        let _ = node.wait();
    }
}
