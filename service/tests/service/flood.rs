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
/// The keyed caller's pause between calls: 40 calls a second at most.
const KEYED_PACE: Duration = Duration::from_millis(25);

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
        // A keyed caller within its own rate (the default 50/s): the test is
        // that the flood cannot take its turn, not that its key is unlimited.
        tokio::time::sleep(KEYED_PACE).await;
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

/// `path` called as a unary gRPC method (an empty message in and out); the
/// answer's code.
async fn call_path(grpc: &mut tonic::client::Grpc<tonic::transport::Channel>, path: &str) -> Code {
    let codec = tonic_prost::ProstCodec::<pb::GetSignedTreeHeadRequest, pb::GetSignedTreeHeadRequest>::default();
    grpc.ready().await.expect("ready");
    let path = http::uri::PathAndQuery::try_from(path).expect("a path");
    match grpc
        .unary(
            tonic::Request::new(pb::GetSignedTreeHeadRequest {}),
            path,
            codec,
        )
        .await
    {
        Ok(_) => Code::Ok,
        Err(status) => status.code(),
    }
}

/// Review 2, finding 5: request paths are metrics labels only when they are
/// methods the server serves. 10,000 invented paths (under a veil service
/// and under made-up ones) are counted as `unknown`: the metrics page has
/// the same lines after them as after the first ten.
#[tokio::test(flavor = "multi_thread")]
async fn r2_finding_5_invented_paths_do_not_grow_the_metrics_page() {
    let server = TestServer::start(|_| {}).await;
    let channel = tonic::transport::Endpoint::from_shared(format!("http://{}", server.addr))
        .expect("endpoint")
        .connect()
        .await
        .expect("connect");
    let mut grpc = tonic::client::Grpc::new(channel);
    assert_eq!(
        call_path(&mut grpc, "/veil.v1.AuditLog/GetSignedTreeHead").await,
        Code::Ok
    );
    let invented = |i: usize| match i % 2 {
        0 => format!("/veil.v1.Verifier/Invented{i}"),
        _ => format!("/made.up{i}.Service/Method"),
    };
    for i in 0..10 {
        assert_eq!(
            call_path(&mut grpc, &invented(i)).await,
            Code::Unimplemented
        );
    }
    // Each sample's name and method label, without its value or code (a
    // bounded set: the gRPC codes), in any order, the HTTP headers left out.
    let lines = |page: &str| {
        let body = page.split_once("\r\n\r\n").map_or(page, |(_, body)| body);
        let mut names: Vec<String> = body
            .lines()
            .map(|l| l.rsplit_once(' ').map_or(l, |(name, _)| name))
            .map(|name| match name.split_once(",code=") {
                Some((before, _)) => format!("{before}}}"),
                None => name.to_owned(),
            })
            .collect();
        names.sort();
        names.dedup();
        names
    };
    let before = super::http_get(server.metrics, "/metrics").await;
    for i in 10..10_000 {
        call_path(&mut grpc, &invented(i)).await;
    }
    let after = super::http_get(server.metrics, "/metrics").await;
    assert_eq!(lines(&before), lines(&after), "the page grew");
    assert!(!after.contains("Invented") && !after.contains("made.up"));
    assert!(after.contains("method=\"unknown\""), "{after}");
    assert!(after.contains("/veil.v1.AuditLog/GetSignedTreeHead"));
}
