//! The service through a real tonic client on a loopback port: every RPC,
//! their error paths, limits, health, reflection, metrics, resume and expiry.

mod audit;
mod common;
mod crash;
mod flood;
mod queue;

use common::{assert_status, TestServer};
use tonic::Code;
use veil_service::pb::{self, JobState};

fn job_request(id: &str) -> pb::JobRequest {
    pb::JobRequest {
        job_id: id.to_owned(),
    }
}

fn verify_request(proof: &pb::Proof) -> pb::VerifyRequest {
    pb::VerifyRequest {
        proof: Some(proof.clone()),
        ..Default::default()
    }
}

/// A proof for the same statement with one public input changed.
fn tampered(proof: &pb::Proof) -> pb::Proof {
    let mut bad = proof.clone();
    bad.public_inputs[5] = "12345".into();
    bad
}

#[tokio::test(flavor = "multi_thread")]
async fn prove_verify_and_batch_round_trip() {
    let server = TestServer::start(|_| {}).await;
    let mut c = server.authed().await;
    let response = c
        .prover
        .prove(server.sample.request.clone())
        .await
        .expect("prove")
        .into_inner();
    let proof = response.proof.expect("proof");
    assert_eq!(proof.system, pb::ProofSystem::Groth16 as i32);
    assert_eq!(proof.public_inputs.len(), 10);
    assert!(response.prove_seconds > 0.0);

    // The proof verifies natively too, and decodes as snarkjs JSON.
    let (veil_prover::SystemProof::Groth16(decoded), public) =
        veil_client::proof::parse_proof(Some(&proof)).expect("decode")
    else {
        panic!("a Groth16 request was answered with another system's proof");
    };
    let key = veil_verifier::PreparedKey::new(&common::proving_key().vk).expect("key");
    key.verify_statement(&decoded, &public)
        .expect("native verify");

    // Anonymous verification is allowed.
    let mut anonymous = server.clients(None).await;
    let verdict = anonymous
        .verifier
        .verify(pb::VerifyRequest {
            proof: Some(proof.clone()),
            policy_json: server.sample.request.policy_json.clone(),
            context_json: server.sample.request.context_json.clone(),
            ..Default::default()
        })
        .await
        .expect("verify")
        .into_inner();
    assert!(verdict.valid, "{}", verdict.reason);
    assert!(verdict.issuers_root_current && verdict.revocation_root_current);
    assert_eq!(verdict.nullifier, proof.public_inputs[6]);

    // Bound to its payment: another context is a rejection, not an error.
    let mut other = server.sample.sample.context;
    other.payment_hash += veil_circuits::F::from(1u64);
    let other_context = serde_json::to_string(
        &veil_circuits::statement::files::PaymentContextJson::from_context(&other),
    )
    .expect("json");
    let verdict = anonymous
        .verifier
        .verify(pb::VerifyRequest {
            proof: Some(proof.clone()),
            context_json: other_context,
            ..Default::default()
        })
        .await
        .expect("verify")
        .into_inner();
    assert!(!verdict.valid);
    assert!(
        verdict.reason.contains("another payment"),
        "{}",
        verdict.reason
    );

    // A tampered input fails the pairing check.
    let verdict = anonymous
        .verifier
        .verify(verify_request(&tampered(&proof)))
        .await
        .expect("verify")
        .into_inner();
    assert!(!verdict.valid);
    assert!(
        verdict.reason.contains("does not verify"),
        "{}",
        verdict.reason
    );

    // A batch names the bad item.
    let batch = anonymous
        .verifier
        .verify_batch(pb::VerifyBatchRequest {
            items: vec![
                verify_request(&proof),
                verify_request(&tampered(&proof)),
                verify_request(&proof),
            ],
        })
        .await
        .expect("batch")
        .into_inner();
    let valid: Vec<bool> = batch.results.iter().map(|r| r.valid).collect();
    assert_eq!(valid, [true, false, true]);

    // The job behind the unary call is readable by its owner.
    let job = c
        .prover
        .get_proof_job(job_request(&response.job_id))
        .await
        .expect("job")
        .into_inner();
    assert_eq!(job.state, JobState::Succeeded as i32);
    assert_eq!(job.attempts, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn submitted_job_is_watched_to_completion() {
    let server = TestServer::start(|_| {}).await;
    let mut c = server.authed().await;
    let id = c
        .prover
        .submit_proof(server.sample.request.clone())
        .await
        .expect("submit")
        .into_inner()
        .job_id;
    assert_eq!(id.len(), 32);
    let mut stream = c
        .prover
        .watch_proof_job(job_request(&id))
        .await
        .expect("watch")
        .into_inner();
    let mut states = Vec::new();
    while let Some(job) = stream.message().await.expect("stream") {
        states.push(JobState::try_from(job.state).expect("state"));
    }
    assert_eq!(states.last(), Some(&JobState::Succeeded), "{states:?}");
    assert!(states.windows(2).all(|w| w[0] != w[1]), "{states:?}");

    // Watching a finished job yields its final state and ends.
    let mut stream = c
        .prover
        .watch_proof_job(job_request(&id))
        .await
        .expect("watch")
        .into_inner();
    let only = stream.message().await.expect("stream").expect("one state");
    assert_eq!(only.state, JobState::Succeeded as i32);
    assert!(only.proof.is_some());
    assert!(stream.message().await.expect("end").is_none());
}

#[tokio::test(flavor = "multi_thread")]
async fn keys_are_required_checked_and_scoped() {
    let server = TestServer::start(|_| {}).await;
    let request = server.sample.request.clone();

    let mut anonymous = server.clients(None).await;
    assert_status(
        anonymous.prover.submit_proof(request.clone()).await,
        Code::Unauthenticated,
        "API key is required",
    );
    let mut unknown = server.clients(Some("veil_00000000_nope")).await;
    assert_status(
        unknown.prover.prove(request.clone()).await,
        Code::Unauthenticated,
        "unknown API key",
    );
    // A bad key is refused even where keys are optional.
    assert_status(
        unknown.registry.get_roots(pb::GetRootsRequest {}).await,
        Code::Unauthenticated,
        "unknown API key",
    );
    let mut revoked = server.clients(Some(&server.revoked_key.clone())).await;
    assert_status(
        revoked.prover.submit_proof(request.clone()).await,
        Code::Unauthenticated,
        "revoked",
    );

    // A job is visible only to the key that submitted it.
    let mut c = server.authed().await;
    let id = c
        .prover
        .submit_proof(request)
        .await
        .expect("submit")
        .into_inner()
        .job_id;
    let dir = server.dir.path().to_owned();
    let server = server.stop().await;
    let other_key = {
        let store = veil_service::store::Store::open(&dir.join("jobs")).expect("store");
        veil_service::auth::create_key(&store, "other", veil_service::store::KeyRole::Client)
            .expect("key")
            .key
    };
    let server = TestServer::start_in(server, |_| {}).await;
    let mut other = server.clients(Some(&other_key)).await;
    assert_status(
        other.prover.get_proof_job(job_request(&id)).await,
        Code::NotFound,
        "no proving job",
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn malformed_and_violating_requests_name_the_problem() {
    let server = TestServer::start(|c| c.max_message_bytes = 64 << 10).await;
    let mut c = server.authed().await;
    let good = server.sample.request.clone();

    let cases: Vec<(pb::ProveRequest, Code, &str)> = vec![
        (
            pb::ProveRequest {
                credential_json: String::new(),
                ..good.clone()
            },
            Code::InvalidArgument,
            "credential_json: missing",
        ),
        (
            pb::ProveRequest {
                policy_json: "{not json".into(),
                ..good.clone()
            },
            Code::InvalidArgument,
            "policy_json: malformed JSON",
        ),
        (
            pb::ProveRequest {
                holder_json: r#"{"secret": "21888242871839275222246405745257275088548364400416034343698204186575808495617"}"#.into(),
                ..good.clone()
            },
            Code::InvalidArgument,
            "holder_json",
        ),
        (
            pb::ProveRequest {
                system: 7,
                ..good.clone()
            },
            Code::InvalidArgument,
            "system: unknown proving system 7",
        ),
        (
            pb::ProveRequest {
                policy_json: {
                    let mut strict = server.sample.sample.policy.clone();
                    strict.max_risk = 0;
                    serde_json::to_string(
                        &veil_circuits::statement::files::PolicyJson::from_policy(&strict),
                    )
                    .expect("json")
                },
                ..good.clone()
            },
            Code::FailedPrecondition,
            "risk score",
        ),
        (
            // A credential from an issuer this server does not trust.
            common::sample(99).request,
            Code::FailedPrecondition,
            "not in the trusted-issuer tree",
        ),
    ];
    for (request, code, needle) in cases {
        assert_status(c.prover.prove(request.clone()).await, code, needle);
        assert_status(c.prover.submit_proof(request).await, code, needle);
    }
    // Too large a message.
    let huge = pb::ProveRequest {
        credential_json: "x".repeat(100 << 10),
        ..good.clone()
    };
    let result = c.prover.submit_proof(huge).await;
    let status = result.expect_err("too large");
    assert!(
        matches!(status.code(), Code::ResourceExhausted | Code::OutOfRange),
        "{status:?}"
    );

    // Jobs.
    assert_status(
        c.prover.get_proof_job(job_request("42")).await,
        Code::InvalidArgument,
        "job_id",
    );
    let unknown = "0123456789abcdef0123456789abcdef";
    assert_status(
        c.prover.get_proof_job(job_request(unknown)).await,
        Code::NotFound,
        "no proving job",
    );
    assert_status(
        c.prover.watch_proof_job(job_request(unknown)).await,
        Code::NotFound,
        "no proving job",
    );
    assert_status(
        c.prover.watch_proof_job(job_request("")).await,
        Code::InvalidArgument,
        "job_id",
    );

    // Verification.
    let proof = c
        .prover
        .prove(good.clone())
        .await
        .expect("prove")
        .into_inner()
        .proof
        .expect("proof");
    assert_status(
        c.verifier.verify(pb::VerifyRequest::default()).await,
        Code::InvalidArgument,
        "proof: missing",
    );
    let mut short = proof.clone();
    short.public_inputs.pop();
    assert_status(
        c.verifier.verify(verify_request(&short)).await,
        Code::InvalidArgument,
        "proof.public_inputs: expected 10",
    );
    let mut garbled = proof.clone();
    garbled.public_inputs[0] = "-1".into();
    assert_status(
        c.verifier.verify(verify_request(&garbled)).await,
        Code::InvalidArgument,
        "proof.public_inputs",
    );
    let mut broken = proof.clone();
    broken.proof_json = r#"{"pi_a": [1]}"#.into();
    assert_status(
        c.verifier.verify(verify_request(&broken)).await,
        Code::InvalidArgument,
        "proof.proof_json",
    );
    let mut off_curve = proof.clone();
    off_curve.proof_json = proof.proof_json.replacen('1', "2", 1);
    let result = c.verifier.verify(verify_request(&off_curve)).await;
    match result {
        Err(s) => assert_eq!(s.code(), Code::InvalidArgument, "{s:?}"),
        Ok(v) => assert!(!v.get_ref().valid),
    }
    assert_status(
        c.verifier
            .verify(pb::VerifyRequest {
                proof: Some(proof.clone()),
                policy_json: "[]".into(),
                ..Default::default()
            })
            .await,
        Code::InvalidArgument,
        "policy_json",
    );
    assert_status(
        c.verifier
            .verify_batch(pb::VerifyBatchRequest {
                items: vec![verify_request(&proof), verify_request(&short)],
            })
            .await,
        Code::InvalidArgument,
        "items[1].proof.public_inputs",
    );
    assert_status(
        c.verifier
            .verify_batch(pb::VerifyBatchRequest {
                items: vec![pb::VerifyRequest::default(); 1025],
            })
            .await,
        Code::InvalidArgument,
        "at most 1024",
    );
    let empty = c
        .verifier
        .verify_batch(pb::VerifyBatchRequest::default())
        .await
        .expect("empty batch")
        .into_inner();
    assert!(empty.results.is_empty());

    // Registry.
    let did = |d: &str| pb::ResolveDidRequest {
        did: d.into(),
        version_id: String::new(),
    };
    assert_status(
        c.registry.resolve_did(did("")).await,
        Code::InvalidArgument,
        "did: missing",
    );
    assert_status(
        c.registry.resolve_did(did("did:web:example.com")).await,
        Code::InvalidArgument,
        "did:",
    );
    assert_status(
        c.registry
            .resolve_did(did(&veil_did::did_for_key(
                &veil_did::ControllerKey::generate()
                    .expect("key")
                    .public_multibase()
                    .expect("multibase"),
            )))
            .await,
        Code::NotFound,
        "notFound",
    );
    assert_status(
        c.registry
            .resolve_did(pb::ResolveDidRequest {
                did: "did:veil:x".into(),
                version_id: "two".into(),
            })
            .await,
        Code::InvalidArgument,
        "version_id",
    );
    let roots = c
        .registry
        .get_roots(pb::GetRootsRequest {})
        .await
        .expect("roots")
        .into_inner();
    assert_eq!(roots.issuer_count, 1);
    assert_eq!(roots.revoked_count, 0);
    assert_eq!(roots.issuers_root, proof.public_inputs[1]);
}

#[tokio::test(flavor = "multi_thread")]
async fn did_veil_documents_resolve() {
    let dir = tempfile::tempdir().expect("tempdir");
    let did = {
        std::fs::create_dir_all(dir.path()).expect("dir");
        let registry = veil_did::Registry::open(&dir.path().join("dids")).expect("registry");
        let key = veil_did::ControllerKey::generate().expect("key");
        let resolution = registry
            .create(&key, Vec::new(), Vec::new())
            .expect("create");
        resolution.did_document.id.clone()
    };
    let server = TestServer::start_in(dir, |_| {}).await;
    // Resolution needs no key.
    let mut c = server.clients(None).await;
    let resolved = c
        .registry
        .resolve_did(pb::ResolveDidRequest {
            did: did.clone(),
            version_id: String::new(),
        })
        .await
        .expect("resolve")
        .into_inner();
    let document: serde_json::Value =
        serde_json::from_str(&resolved.document_json).expect("document json");
    assert_eq!(document["id"], did);
    let metadata: serde_json::Value =
        serde_json::from_str(&resolved.metadata_json).expect("metadata json");
    assert_eq!(metadata["versionId"], "1");
}

#[tokio::test(flavor = "multi_thread")]
async fn limits_answer_resource_exhausted() {
    // Per-key rate: a burst of 2, then refused (one token every 8 s, so a
    // loaded machine does not refill one between the three calls).
    let server = TestServer::start(|c| {
        c.rate_per_second = 0.125;
        c.burst = 2.0;
    })
    .await;
    let mut c = server.authed().await;
    for _ in 0..2 {
        c.registry
            .get_roots(pb::GetRootsRequest {})
            .await
            .expect("within burst");
    }
    assert_status(
        c.registry.get_roots(pb::GetRootsRequest {}).await,
        Code::ResourceExhausted,
        "rate limit",
    );
    // Another key (here: anonymous) has its own bucket.
    let mut anonymous = server.clients(None).await;
    anonymous
        .registry
        .get_roots(pb::GetRootsRequest {})
        .await
        .expect("own bucket");
    drop(server);

    // In flight: one Prover slot, held by a proof; other Prover calls are
    // refused, while the other services (their own budgets) still answer.
    let server = TestServer::start(|c| {
        c.max_in_flight = 1;
        c.rate_per_second = 0.0;
    })
    .await;
    let mut c = server.authed().await;
    let mut refused = false;
    for _attempt in 0..20 {
        let mut proving = server.authed().await;
        let request = server.sample.request.clone();
        let prove = tokio::spawn(async move { proving.prover.prove(request).await });
        // Give the proof a head start to take the slot, then poll until
        // refused or until the proof is done.
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        while !prove.is_finished() {
            match c.prover.get_proof_job(job_request(&"0".repeat(32))).await {
                Err(s) if s.code() == Code::ResourceExhausted => {
                    assert!(s.message().contains("in-flight"), "{s:?}");
                    c.registry
                        .get_roots(pb::GetRootsRequest {})
                        .await
                        .expect("another service has its own budget");
                    refused = true;
                    break;
                }
                _ => tokio::time::sleep(std::time::Duration::from_millis(5)).await,
            }
        }
        match prove.await.expect("task") {
            // A poll held the slot when the proof arrived: the limit working
            // the other way round. Try again.
            Err(s) if s.code() == Code::ResourceExhausted && !refused => continue,
            proved => {
                proved.expect("the proof itself completes");
                break;
            }
        }
    }
    assert!(
        refused,
        "a call while the proof holds the only slot is refused"
    );
    drop(server);

    // Queue: one waiting job at most.
    let server = TestServer::start(|c| c.queue.max_queue = 1).await;
    let mut c = server.authed().await;
    let mut accepted = Vec::new();
    let mut full = 0;
    for _ in 0..4 {
        match c.prover.submit_proof(server.sample.request.clone()).await {
            Ok(r) => accepted.push(r.into_inner().job_id),
            Err(s) => {
                assert_eq!(s.code(), Code::ResourceExhausted, "{s:?}");
                assert!(s.message().contains("queue is full"), "{s:?}");
                full += 1;
            }
        }
    }
    assert!(
        full >= 1 && accepted.len() <= 2,
        "{full} refused, {accepted:?}"
    );
    for id in accepted {
        let mut stream = c
            .prover
            .watch_proof_job(job_request(&id))
            .await
            .expect("watch")
            .into_inner();
        let mut last = None;
        while let Some(job) = stream.message().await.expect("stream") {
            last = Some(job.state);
        }
        assert_eq!(last, Some(JobState::Succeeded as i32));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn deadlines_are_honoured() {
    let server = TestServer::start(|_| {}).await;
    let mut c = server.authed().await;
    let mut request = tonic::Request::new(server.sample.request.clone());
    request.set_timeout(std::time::Duration::from_millis(5));
    let status = c.prover.prove(request).await.expect_err("too short");
    assert!(
        matches!(status.code(), Code::DeadlineExceeded | Code::Cancelled),
        "{status:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn health_reflection_and_metrics() {
    let server = TestServer::start(|_| {}).await;
    let channel = tonic::transport::Endpoint::from_shared(format!("http://{}", server.addr))
        .expect("endpoint")
        .connect()
        .await
        .expect("connect");
    let mut health = tonic_health::pb::health_client::HealthClient::new(channel.clone());
    for service in ["veil.v1.Prover", "veil.v1.Verifier", "veil.v1.Registry", ""] {
        let status = health
            .check(tonic_health::pb::HealthCheckRequest {
                service: service.into(),
            })
            .await
            .expect("health")
            .into_inner()
            .status;
        assert_eq!(
            status,
            tonic_health::pb::health_check_response::ServingStatus::Serving as i32
        );
    }

    use tonic_reflection::pb::v1::server_reflection_client::ServerReflectionClient;
    use tonic_reflection::pb::v1::server_reflection_request::MessageRequest;
    use tonic_reflection::pb::v1::server_reflection_response::MessageResponse;
    use tonic_reflection::pb::v1::ServerReflectionRequest;
    let mut reflection = ServerReflectionClient::new(channel);
    let request = ServerReflectionRequest {
        host: String::new(),
        message_request: Some(MessageRequest::ListServices(String::new())),
    };
    let mut responses = reflection
        .server_reflection_info(tokio_stream::iter(vec![request]))
        .await
        .expect("reflection")
        .into_inner();
    let response = responses.message().await.expect("stream").expect("answer");
    let Some(MessageResponse::ListServicesResponse(list)) = response.message_response else {
        panic!("unexpected reflection answer");
    };
    let names: Vec<String> = list.service.into_iter().map(|s| s.name).collect();
    for expected in ["veil.v1.Prover", "veil.v1.Verifier", "veil.v1.Registry"] {
        assert!(names.iter().any(|n| n == expected), "{names:?}");
    }

    let mut c = server.authed().await;
    c.prover
        .prove(server.sample.request.clone())
        .await
        .expect("prove");
    let _ = c.prover.get_proof_job(job_request("bad")).await;
    let text = http_get(server.metrics, "/metrics").await;
    for needle in [
        "veil_grpc_requests_total{method=\"/veil.v1.Prover/Prove\",code=\"Ok\"} 1",
        "veil_grpc_requests_total{method=\"/veil.v1.Prover/GetProofJob\",code=\"InvalidArgument\"} 1",
        "veil_grpc_request_duration_seconds_bucket",
        "veil_queue_depth 0",
        "veil_jobs_running 0",
        "veil_proofs_total{outcome=\"succeeded\"} 1",
        "veil_prove_duration_seconds_count 1",
        "veil_proofs_per_second",
    ] {
        assert!(text.contains(needle), "metrics lack {needle}:\n{text}");
    }
    assert!(http_get(server.metrics, "/other").await.contains("404"));
}

pub async fn http_get(addr: std::net::SocketAddr, path: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    stream
        .write_all(
            format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").as_bytes(),
        )
        .await
        .expect("write");
    let mut text = String::new();
    stream.read_to_string(&mut text).await.expect("read");
    text
}

#[tokio::test(flavor = "multi_thread")]
async fn unfinished_jobs_resume_and_finished_ones_expire() {
    // A job a previous process accepted and was proving when it died.
    let dir = tempfile::tempdir().expect("tempdir");
    let (key, _, _) = common::make_keys(dir.path());
    let key_id = key.split('_').nth(1).expect("id").to_owned();
    let sample = common::sample(7);
    let id = "00112233445566778899aabbccddeeff";
    {
        let store = veil_service::store::Store::open(&dir.path().join("jobs")).expect("store");
        store
            .put_job(&pb::StoredJob {
                request: Some(sample.request.clone()),
                job: Some(pb::ProofJob {
                    job_id: id.into(),
                    state: JobState::Running as i32,
                    stage: "proving".into(),
                    attempts: 1,
                    ..Default::default()
                }),
                owner: key_id,
            })
            .expect("put");
    }
    let server = TestServer::start_in(dir, |c| {
        c.queue.result_ttl = std::time::Duration::from_secs(2);
    })
    .await;
    let mut c = server.clients(Some(&key)).await;
    let mut stream = c
        .prover
        .watch_proof_job(job_request(id))
        .await
        .expect("watch")
        .into_inner();
    let mut last = None;
    while let Some(job) = stream.message().await.expect("stream") {
        last = Some(job);
    }
    let last = last.expect("a state");
    assert_eq!(last.state, JobState::Succeeded as i32, "{}", last.error);
    assert_eq!(last.attempts, 2, "restarted once");

    // Kept for the TTL, then gone.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    loop {
        match c.prover.get_proof_job(job_request(id)).await {
            Ok(_) if std::time::Instant::now() < deadline => {
                tokio::time::sleep(std::time::Duration::from_millis(250)).await
            }
            Ok(_) => panic!("the finished job outlived its TTL"),
            Err(s) => {
                assert_eq!(s.code(), Code::NotFound);
                break;
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn tls_with_a_certificate_path() {
    let certs = tempfile::tempdir().expect("tempdir");
    let issued = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()]).expect("cert");
    let cert = certs.path().join("tls.crt");
    let key = certs.path().join("tls.key");
    std::fs::write(&cert, issued.cert.pem()).expect("write");
    std::fs::write(&key, issued.key_pair.serialize_pem()).expect("write");
    let (c, k) = (cert.clone(), key.clone());
    let server = TestServer::start(move |config| config.tls = Some((c, k))).await;

    let url = format!("https://{}", server.addr);
    let mut secure = veil_service::client::connect(&url, Some(&server.key), Some(&cert), 1 << 20)
        .await
        .expect("TLS connect");
    let roots = secure
        .registry
        .get_roots(pb::GetRootsRequest {})
        .await
        .expect("over TLS");
    assert_eq!(roots.get_ref().issuer_count, 1);

    // Plaintext to a TLS port fails cleanly.
    let plain = format!("http://{}", server.addr);
    match veil_service::client::connect(&plain, None, None, 1 << 20).await {
        Err(_) => {}
        Ok(mut c) => {
            assert!(c.registry.get_roots(pb::GetRootsRequest {}).await.is_err());
        }
    }
    // A missing certificate file is a startup error naming the file.
    let dir = tempfile::tempdir().expect("tempdir");
    let mut config = veil_service::server::ServeConfig::with_db(dir.path());
    config.tls = Some((certs.path().join("absent.crt"), key));
    let engine = veil_service::engine::Engine::new(
        veil_prover::Prover::new(common::proving_key()).expect("prover"),
        common::sample(7).registry().expect("registry"),
    )
    .expect("engine");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let listeners = veil_service::server::Listeners {
        grpc: listener,
        metrics: None,
        did_http: None,
    };
    let error = veil_service::server::Server::new(config, engine)
        .run(listeners, async {})
        .await
        .expect_err("no certificate");
    assert!(error.to_string().contains("absent.crt"), "{error}");
}

/// halo2-KZG through the service: refused by a server without halo2 keys,
/// proved (the binary's one halo2 proof, [`TestServer::sample_halo2_proof`])
/// and verified by one with them; the proof names its system and is bound to
/// its payment.
#[tokio::test(flavor = "multi_thread")]
async fn halo2_proofs_through_the_service() {
    let groth16_only = TestServer::start(|_| {}).await;
    let mut request = groth16_only.sample.request.clone();
    request.system = pb::ProofSystem::Halo2Kzg as i32;
    let mut c = groth16_only.authed().await;
    assert_status(
        c.prover.prove(request.clone()).await,
        Code::InvalidArgument,
        "not supported",
    );
    let mut unknown = request;
    unknown.system = 9;
    assert_status(
        c.prover.prove(unknown).await,
        Code::InvalidArgument,
        "system",
    );

    let server = TestServer::start_halo2().await;
    let mut c = server.authed().await;
    let proof = server.sample_halo2_proof().await;
    assert_eq!(proof.system, pb::ProofSystem::Halo2Kzg as i32);
    assert!(proof.proof_json.contains("\"halo2\""));
    assert!(proof.calldata.starts_with("0x"));
    let verdict = c
        .verifier
        .verify(verify_request(&proof))
        .await
        .expect("verify")
        .into_inner();
    assert!(verdict.valid, "{}", verdict.reason);
    let verdict = c
        .verifier
        .verify(verify_request(&tampered(&proof)))
        .await
        .expect("verify")
        .into_inner();
    assert!(!verdict.valid);
    // The Groth16-only server cannot check it: a clear error, not a verdict.
    let mut g = groth16_only.authed().await;
    assert_status(
        g.verifier.verify(verify_request(&proof)).await,
        Code::InvalidArgument,
        "not supported",
    );
}

/// A retried SubmitProof (or Prove) with one request id is one job; the id
/// with other documents, or a malformed id, is refused with its code.
#[tokio::test(flavor = "multi_thread")]
async fn a_request_id_makes_submission_idempotent() {
    let server = TestServer::start(|_| {}).await;
    let mut c = server.authed().await;
    let request = pb::ProveRequest {
        request_id: "invoice-42".into(),
        ..server.sample.request.clone()
    };
    let submit = |c: &mut veil_service::client::Clients, r: pb::ProveRequest| {
        let mut prover = c.prover.clone();
        async move { prover.submit_proof(r).await.map(|a| a.into_inner().job_id) }
    };
    let first = submit(&mut c, request.clone()).await.expect("submit");
    let again = submit(&mut c, request.clone()).await.expect("retry");
    assert_eq!(first, again);
    // Prove with the same id waits for that job rather than making one.
    let proved = c
        .prover
        .prove(request.clone())
        .await
        .expect("prove")
        .into_inner();
    assert_eq!(proved.job_id, first);
    let mut other_payment = server.sample.sample.context;
    other_payment.payment_hash += veil_circuits::F::from(1u64);
    let changed = pb::ProveRequest {
        context_json: serde_json::to_string(
            &veil_circuits::statement::files::PaymentContextJson::from_context(&other_payment),
        )
        .expect("json"),
        ..request.clone()
    };
    assert_status(
        submit(&mut c, changed).await,
        Code::FailedPrecondition,
        "request_id invoice-42 was already used for a different request",
    );
    assert_status(
        submit(
            &mut c,
            pb::ProveRequest {
                request_id: "no spaces".into(),
                ..request.clone()
            },
        )
        .await,
        Code::InvalidArgument,
        "request_id: only A-Z a-z 0-9 . _ : - are allowed",
    );
    // Another key's same id is its own job.
    let other = c.prover.submit_proof(pb::ProveRequest {
        request_id: String::new(),
        ..request
    });
    assert_ne!(other.await.expect("no id").into_inner().job_id, first);
}

/// Review 2, finding 8: `valid` means "acceptable now". A proof against an
/// issuer tree the prover made itself (here: another registry's) verifies
/// as a proof, but is not valid unless the caller asks for the proof alone.
#[tokio::test(flavor = "multi_thread")]
async fn r2_finding_8_a_proof_against_roots_not_current_is_not_valid() {
    let server = TestServer::start(|_| {}).await;
    let other = common::sample(8);
    let engine = veil_service::engine::Engine::new(
        veil_prover::Prover::new(common::proving_key()).expect("prover"),
        other.registry().expect("registry"),
    )
    .expect("engine");
    let inputs = veil_service::engine::parse_prove(&other.request).expect("inputs");
    let Ok(proved) = engine.prove(inputs) else {
        panic!("the other registry's proof");
    };
    let proof = veil_service::jobs::proof_message(&proved.proof, &proved.public);
    let mut c = server.authed().await;
    let verdict = c
        .verifier
        .verify(verify_request(&proof))
        .await
        .expect("verify")
        .into_inner();
    assert!(!verdict.valid);
    assert!(
        verdict.reason.contains("trusted-issuer"),
        "{}",
        verdict.reason
    );
    assert!(!verdict.issuers_root_current);
    let alone = c
        .verifier
        .verify(pb::VerifyRequest {
            accept_stale_roots: true,
            ..verify_request(&proof)
        })
        .await
        .expect("verify")
        .into_inner();
    assert!(alone.valid, "{}", alone.reason);
    assert!(!alone.issuers_root_current);
    // The server's own sample is valid either way.
    let own = server.sample_proof().await;
    let verdict = c
        .verifier
        .verify(verify_request(&own))
        .await
        .expect("verify")
        .into_inner();
    assert!(verdict.valid, "{}", verdict.reason);
}

/// Review 2, finding 9: one API key can hold only so many requests in
/// flight (a unary `Prove` holds its slot for the whole proof) and so many
/// `WatchProofJob` streams open (a stream outlives its request); other keys
/// are not affected, and a closed stream frees its slot.
#[tokio::test(flavor = "multi_thread")]
async fn r2_finding_9_one_key_cannot_hold_every_slot_or_watch_without_bound() {
    let server = TestServer::start(|config| {
        config.max_in_flight_per_key = 1;
        config.max_watchers_per_key = 2;
    })
    .await;
    let mut c = server.authed().await;
    // Two jobs ahead keep the next unary Prove waiting (one worker).
    let mut ids = Vec::new();
    for _ in 0..2 {
        ids.push(
            c.prover
                .submit_proof(server.sample.request.clone())
                .await
                .expect("submit")
                .into_inner()
                .job_id,
        );
    }
    let mut waiting = c.prover.clone();
    let request = server.sample.request.clone();
    let prove = tokio::spawn(async move { waiting.prove(request).await });
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert_status(
        c.verifier.verify(pb::VerifyRequest::default()).await,
        Code::ResourceExhausted,
        "this API key",
    );
    // The regulator's key is another key: answered (here: a clear error).
    let mut other = server.clients(Some(&server.regulator_key.clone())).await;
    assert_status(
        other.verifier.verify(pb::VerifyRequest::default()).await,
        Code::InvalidArgument,
        "proof",
    );
    prove
        .await
        .expect("task")
        .expect("the held Prove completes");

    // Watchers: two open, a third refused; closing one frees its slot. The
    // watched job waits behind two others, so it is not finished meanwhile.
    let prover = c.prover.clone();
    let watch = |id: String| {
        let mut prover = prover.clone();
        async move { prover.watch_proof_job(job_request(&id)).await }
    };
    let mut unfinished = String::new();
    for _ in 0..3 {
        unfinished = c
            .prover
            .submit_proof(server.sample.request.clone())
            .await
            .expect("submit")
            .into_inner()
            .job_id;
    }
    let first = watch(unfinished.clone()).await.expect("first watcher");
    let second = watch(unfinished.clone()).await.expect("second watcher");
    assert_status(
        watch(unfinished.clone()).await,
        Code::ResourceExhausted,
        "watchers",
    );
    drop(first);
    let mut freed = false;
    for _ in 0..50 {
        if watch(unfinished.clone()).await.is_ok() {
            freed = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(freed, "a closed stream frees its slot");
    drop(second);
}
