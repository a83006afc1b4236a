//! Finding 3 of the trust review: anonymous floods cannot starve the
//! service. Two dozen anonymous clients send batches of one proof repeated
//! 64 times for a few seconds (bounded, loopback) while a keyed client
//! verifies and a probe checks health: every keyed call and every health
//! check is answered, and the duplicated items are verified and logged once.

use super::common::TestServer;
use super::verify_request;
use std::time::{Duration, Instant};
use tonic::Code;
use veil_service::pb;

const FLOODERS: usize = 24;
const FLOOD_FOR: Duration = Duration::from_secs(4);

/// A batch of one proof repeated is verified once and logged once: a
/// flooder cannot buy many log entries (or verifications) with one proof.
#[tokio::test(flavor = "multi_thread")]
async fn finding_3_repeated_batch_items_are_verified_and_logged_once() {
    let server = TestServer::start(|_| {}).await;
    let mut keyed = server.authed().await;
    let proof = server.sample_proof().await;
    let batch = keyed
        .verifier
        .verify_batch(pb::VerifyBatchRequest {
            items: vec![verify_request(&proof); 8],
        })
        .await
        .expect("batch")
        .into_inner();
    assert!(batch.results.iter().all(|r| r.valid));
    assert!(batch
        .results
        .iter()
        .all(|r| r.log_index == batch.results[0].log_index));
    let size = log_size(&mut keyed).await;
    assert_eq!(size, batch.results[0].log_index + 1);
}

/// Anonymous batch floods take neither the keyed callers' slots nor
/// health's: every keyed `Verify` and every health check is answered.
#[tokio::test(flavor = "multi_thread")]
async fn finding_3_anonymous_batch_floods_leave_keyed_verify_and_health_answered() {
    let server = TestServer::start(|c| {
        c.max_in_flight = 16;
        c.max_anonymous_in_flight = 4;
    })
    .await;
    let mut keyed = server.authed().await;
    let proof = server.sample_proof().await;
    let item = verify_request(&proof);

    let size_before = log_size(&mut keyed).await;

    let stop_at = Instant::now() + FLOOD_FOR;
    let mut floods = Vec::new();
    for _ in 0..FLOODERS {
        let mut anonymous = server.clients(None).await;
        let flood = pb::VerifyBatchRequest {
            items: vec![item.clone(); 64],
        };
        floods.push(tokio::spawn(async move {
            let (mut answered, mut refused) = (0u32, 0u32);
            while Instant::now() < stop_at {
                match anonymous.verifier.verify_batch(flood.clone()).await {
                    Ok(_) => answered += 1,
                    Err(s) if s.code() == Code::ResourceExhausted => {
                        refused += 1;
                        tokio::time::sleep(Duration::from_millis(10)).await;
                    }
                    Err(s) => panic!("a flood batch failed otherwise: {s:?}"),
                }
            }
            (answered, refused)
        }));
    }

    let channel = tonic::transport::Endpoint::from_shared(format!("http://{}", server.addr))
        .expect("endpoint")
        .connect()
        .await
        .expect("connect");
    let mut health = tonic_health::pb::health_client::HealthClient::new(channel);
    let mut latencies = Vec::new();
    while Instant::now() < stop_at {
        let started = Instant::now();
        let verdict = keyed
            .verifier
            .verify(item.clone())
            .await
            .expect("a keyed Verify is answered during the flood")
            .into_inner();
        latencies.push(started.elapsed());
        assert!(verdict.valid);
        let status = health
            .check(tonic_health::pb::HealthCheckRequest {
                service: String::new(),
            })
            .await
            .expect("health is answered during the flood")
            .into_inner()
            .status;
        assert_eq!(
            status,
            tonic_health::pb::health_check_response::ServingStatus::Serving as i32
        );
    }
    let (mut answered, mut refused) = (0, 0);
    for flood in floods {
        let (a, r) = flood.await.expect("flooder");
        answered += a;
        refused += r;
    }
    latencies.sort();
    let p99 = latencies[(latencies.len() * 99 / 100).min(latencies.len() - 1)];
    println!(
        "flood: {FLOODERS} anonymous clients, {answered} batches answered, {refused} refused; \
         keyed Verify: {} calls, p50 {:?}, p99 {p99:?}",
        latencies.len(),
        latencies[latencies.len() / 2]
    );
    assert!(
        refused > 0,
        "the anonymous budget and rate limit refused nothing"
    );
    // Each answered anonymous batch of one repeated proof is one entry.
    let size_after = log_size(&mut keyed).await;
    assert_eq!(
        size_after - size_before,
        u64::from(answered) + latencies.len() as u64
    );
}

/// The log's size, from its signed head.
async fn log_size(c: &mut veil_service::client::Clients) -> u64 {
    c.audit
        .get_signed_tree_head(pb::GetSignedTreeHeadRequest {})
        .await
        .expect("head")
        .into_inner()
        .tree_size
}
