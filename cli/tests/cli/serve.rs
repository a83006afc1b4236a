//! `veil serve` as a process: SIGKILL it while it proves, start it again on
//! the same database, and every job it acknowledged completes. Also
//! `veil admin key` and `veil remote` against it.

use crate::common::{ok, words};
use rand::SeedableRng;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use veil_service::client::{connect, Clients};
use veil_service::fixture::SampleRequest;
use veil_service::pb::{self, JobState};

pub(crate) fn veil() -> Command {
    Command::new(env!("CARGO_BIN_EXE_veil"))
}

pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// Starts `veil serve` on `port` over `dir/db` with the keys in `dir/keys`.
fn start_server(dir: &Path, port: u16) -> Child {
    start_server_with(dir, port, &[])
}

/// `veil serve` with `extra` arguments (e.g. `--halo2-keys`).
fn start_server_with(dir: &Path, port: u16, extra: &[&str]) -> Child {
    veil()
        .args(words(&format!("serve --db db --keys keys --issuers issuers.json --listen 127.0.0.1:{port} --no-metrics")))
        .args(extra)
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn veil serve")
}

pub(crate) async fn wait_for_server(port: u16, key: &str) -> Clients {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if let Ok(mut c) = connect(
            &format!("http://127.0.0.1:{port}"),
            Some(key),
            None,
            16 << 20,
        )
        .await
        {
            if c.registry.get_roots(pb::GetRootsRequest {}).await.is_ok() {
                return c;
            }
        }
        assert!(Instant::now() < deadline, "veil serve did not come up");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

pub(crate) async fn state(c: &mut Clients, id: &str) -> pb::ProofJob {
    c.prover
        .get_proof_job(pb::JobRequest { job_id: id.into() })
        .await
        .expect("job")
        .into_inner()
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).expect("write");
}

/// A directory with a sample's documents, a list trusting its issuer, and
/// the demo keys in `keys/`.
pub(crate) fn prepared_dir(seed: u64) -> (tempfile::TempDir, SampleRequest) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    let sample = SampleRequest::new(&mut rand_chacha::ChaCha20Rng::seed_from_u64(seed));
    write(
        dir,
        "issuers.json",
        &serde_json::to_string(&sample.issuer_list()).expect("json"),
    );
    write(dir, "credential.json", &sample.request.credential_json);
    write(dir, "holder.json", &sample.request.holder_json);
    write(dir, "policy.json", &sample.request.policy_json);
    write(dir, "context.json", &sample.request.context_json);
    ok(&["setup", "--insecure-demo-key", "--out", "keys"], dir);
    (tmp, sample)
}

#[tokio::test(flavor = "multi_thread")]
async fn acknowledged_jobs_survive_sigkill_mid_proof() {
    let (tmp, sample) = prepared_dir(11);
    let dir = tmp.path();
    let key = ok(
        &["admin", "key", "create", "--db", "db", "--name", "crash"],
        dir,
    )
    .trim()
    .to_owned();

    let port = free_port();
    let mut server = start_server(dir, port);
    let mut c = wait_for_server(port, &key).await;
    let mut ids = Vec::new();
    for _ in 0..3 {
        let ack = c
            .prover
            .submit_proof(sample.request.clone())
            .await
            .expect("submit")
            .into_inner();
        ids.push(ack.job_id);
    }
    // Kill it the moment the first job is being proved.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let job = state(&mut c, &ids[0]).await;
        if job.state == JobState::Running as i32 {
            break;
        }
        assert!(
            job.state == JobState::Queued as i32 && Instant::now() < deadline,
            "job 0 never ran: {job:?}"
        );
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    server.kill().expect("SIGKILL");
    server.wait().expect("reaped");
    drop(c);

    let port = free_port();
    let mut server = start_server(dir, port);
    let mut c = wait_for_server(port, &key).await;
    let mut restarted = 0;
    for id in &ids {
        let mut stream = c
            .prover
            .watch_proof_job(pb::JobRequest { job_id: id.clone() })
            .await
            .expect("watch after restart")
            .into_inner();
        let mut last = None;
        while let Some(job) = stream.message().await.expect("stream") {
            last = Some(job);
        }
        let job = last.expect("a state");
        assert_eq!(job.state, JobState::Succeeded as i32, "{id}: {}", job.error);
        assert!(job.proof.is_some());
        if job.attempts > 1 {
            restarted += 1;
        }
    }
    assert!(restarted >= 1, "the job killed mid-proof was started again");
    server.kill().expect("stop");
    let _ = server.wait();
}

/// `veil remote` with halo2 (every remote path was Groth16-only): prove
/// with `--system halo2`, verify the halo2 proof files locally and on the
/// server, submit a halo2 job and save its proof with `job --out`.
#[tokio::test(flavor = "multi_thread")]
async fn r2_finding_14_remote_halo2_prove_verify_and_job() {
    let (tmp, _sample) = prepared_dir(13);
    let dir = tmp.path();
    ok(
        &words("setup --system halo2 --insecure-demo-key --out halo2-keys"),
        dir,
    );
    let key = ok(
        &["admin", "key", "create", "--db", "db", "--name", "wallet"],
        dir,
    )
    .trim()
    .to_owned();
    // Review 2, finding 14: locally generated parameters keep their
    // provenance once saved, and serving them needs --insecure.
    let mut refused = veil()
        .args(words("serve --db db --keys keys --halo2-keys halo2-keys"))
        .args(["--listen", "127.0.0.1:0", "--no-metrics"])
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn veil serve");
    // It must exit by itself; one still serving after a minute is killed.
    let deadline = Instant::now() + Duration::from_secs(60);
    while refused.try_wait().expect("wait").is_none() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let still_serving = refused.try_wait().expect("wait").is_none();
    let _ = refused.kill();
    let refused = refused.wait_with_output().expect("output");
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(!still_serving, "veil serve took the insecure halo2 keys");
    assert!(
        !refused.status.success() && err.contains("--insecure"),
        "{err}"
    );
    let port = free_port();
    let mut server = start_server_with(dir, port, &["--halo2-keys", "halo2-keys", "--insecure"]);
    let _ = wait_for_server(port, &key).await;
    let url = format!("http://127.0.0.1:{port}");
    let remote = |args: &[&str]| {
        let mut all = vec![
            "remote",
            "--server",
            url.as_str(),
            "--api-key",
            key.as_str(),
        ];
        all.extend_from_slice(args);
        let out = veil().args(&all).current_dir(dir).output().expect("run");
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let docs = words("--credential credential.json --holder holder.json --policy policy.json --context context.json --system halo2");
    let mut prove = vec!["prove"];
    prove.extend_from_slice(&docs);
    prove.extend_from_slice(&["--out", "proof"]);
    remote(&prove);
    let written = std::fs::read_to_string(dir.join("proof/proof.json")).expect("proof.json");
    assert!(written.contains("\"halo2\""), "{written}");
    let checked = &["--policy", "policy.json", "--context", "context.json"];
    let mut local = vec!["verify", "--vk", "halo2-keys"];
    local.extend_from_slice(checked);
    assert!(ok(&local, dir).contains("valid halo2 proof"));
    let mut on_server = vec!["verify"];
    on_server.extend_from_slice(checked);
    assert!(remote(&on_server).contains("valid proof"));

    let mut submit = vec!["prove", "--submit"];
    submit.extend_from_slice(&docs);
    let id = remote(&submit).trim().to_owned();
    let text = remote(&["job", &id, "--watch", "--out", "proof2"]);
    assert!(text.contains("succeeded"), "{text}");
    let saved = std::fs::read_to_string(dir.join("proof2/proof.json")).expect("proof2");
    assert!(saved.contains("\"halo2\""), "{saved}");
    server.kill().expect("stop");
    let _ = server.wait();
}

#[tokio::test(flavor = "multi_thread")]
async fn remote_commands_and_key_admin() {
    let (tmp, _sample) = prepared_dir(12);
    let dir = tmp.path();
    let key = ok(
        &["admin", "key", "create", "--db", "db", "--name", "wallet"],
        dir,
    )
    .trim()
    .to_owned();
    let doomed = ok(
        &["admin", "key", "create", "--db", "db", "--name", "gone"],
        dir,
    )
    .trim()
    .to_owned();
    let doomed_id = doomed.split('_').nth(1).expect("id").to_owned();
    ok(&["admin", "key", "revoke", "--db", "db", &doomed_id], dir);
    let list = ok(&["admin", "key", "list", "--db", "db"], dir);
    assert!(
        list.contains(&format!("{doomed_id}\trevoked\tgone")),
        "{list}"
    );
    assert!(list.contains("\tactive\twallet"), "{list}");

    let port = free_port();
    let mut server = start_server(dir, port);
    let _ = wait_for_server(port, &key).await;
    let url = format!("http://127.0.0.1:{port}");
    let remote = |args: &[&str], key: &str| {
        let mut all = vec!["remote", "--server", url.as_str(), "--api-key", key];
        all.extend_from_slice(args);
        veil().args(&all).current_dir(dir).output().expect("run")
    };
    let docs = words("--credential credential.json --holder holder.json --policy policy.json --context context.json");
    let mut prove = vec!["prove"];
    prove.extend_from_slice(&docs);
    prove.extend_from_slice(&["--out", "proof"]);
    let out = remote(&prove, &key);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The remote proof verifies locally and remotely, for its policy and payment.
    ok(
        &words(
            "verify --vk keys/verification_key.json --policy policy.json --context context.json",
        ),
        dir,
    );
    let out = remote(
        &words("verify --policy policy.json --context context.json"),
        &key,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("valid proof"));

    // Submit, then follow the job and save its proof.
    let mut submit = vec!["prove", "--submit"];
    submit.extend_from_slice(&docs);
    let out = remote(&submit, &key);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let id = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    let out = remote(&["job", &id, "--watch", "--out", "proof2"], &key);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("succeeded"), "{text}");
    assert!(dir.join("proof2/proof.json").exists());

    // Refusals come back as clean errors.
    let out = remote(&prove, &doomed);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("Unauthenticated") && err.contains("revoked"),
        "{err}"
    );
    let out = remote(&["job", "0123456789abcdef0123456789abcdef"], &key);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("NotFound"));

    // The database is locked while the server runs: admin says so.
    let out = veil()
        .args(["admin", "key", "list", "--db", "db"])
        .current_dir(dir)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is `veil serve` running"));
    server.kill().expect("stop");
    let _ = server.wait();
}

/// Kills the server when dropped, so a failing test leaves no process behind.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Runs veil in `dir`; returns (success, stdout, stderr).
fn run(args: &[&str], dir: &Path) -> (bool, String, String) {
    let out = veil()
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run veil");
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!err.contains("panicked"), "{err}");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        err,
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn regulators_audit_and_disclose_through_the_command_line() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    // The regulator's key, split 2-of-3; the policy escrows to the group.
    ok(
        &words("regulator keygen --threshold 2/3 --out-dir reg"),
        dir,
    );
    ok(
        &words("policy new --regulator reg/group.json --out policy.json"),
        dir,
    );
    // The issuer keeps the subject's KYC record under the credential id.
    ok(&["issuer", "keygen", "--out", "issuer.json"], dir);
    write(
        dir,
        "subject.json",
        r#"{"name": "Jane Roe", "document": "ID 42"}"#,
    );
    let holder = ok(&["holder", "keygen", "--out", "holder.json"], dir);
    let commitment = holder.lines().last().expect("commitment").trim().to_owned();
    let issued = ok(
        &crate::common::with_claims(
            &[
                "issue",
                "--issuer-key",
                "issuer.json",
                "--holder",
                &commitment,
            ],
            &[
                "--out",
                "credential.json",
                "--records",
                "records",
                "--subject",
                "subject.json",
            ],
        ),
        dir,
    );
    assert!(issued.contains("KYC record kept"), "{issued}");
    let issuer: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("issuer.json")).expect("read"))
            .expect("json");
    write(
        dir,
        "issuers.json",
        &serde_json::json!({ "issuers": [issuer["public_key"]] }).to_string(),
    );
    let today = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs()
        / 86_400;
    write(
        dir,
        "context.json",
        &format!(r#"{{"today": {today}, "scope": "7", "payment_hash": "99"}}"#),
    );
    ok(&["setup", "--insecure-demo-key", "--out", "keys"], dir);
    let key = ok(
        &words("admin key create --db db --name regulator --role regulator"),
        dir,
    )
    .trim()
    .to_owned();

    let port = free_port();
    let server = KillOnDrop(start_server(dir, port));
    let _ = wait_for_server(port, &key).await;
    let url = format!("http://127.0.0.1:{port}");
    let remote = |args: &[&str]| {
        let mut all = vec![
            "remote",
            "--server",
            url.as_str(),
            "--api-key",
            key.as_str(),
        ];
        all.extend_from_slice(args);
        ok(&all, dir)
    };
    remote(&words("prove --credential credential.json --holder holder.json --policy policy.json --context context.json --out proof"));
    // Entry 0 names the policy's regulator key; entry 1 (no policy) does not.
    remote(&words("verify --policy policy.json --context context.json"));
    remote(&["verify"]);

    // The regulator audits over gRPC, with no secret: no escrow is opened.
    let audit = |extra: &[&str], source: &[&str]| {
        let mut all = vec!["regulator", "audit"];
        all.extend_from_slice(source);
        all.extend_from_slice(extra);
        run(&all, dir)
    };
    let grpc = ["--server", url.as_str()];
    let (passed, out, err) = audit(&["--csv", "audit.csv", "--json", "audit.json"], &grpc);
    assert!(passed, "{out}{err}");
    assert!(err.contains("first audit: pinning log did:key:"), "{err}");
    assert!(out.contains("PASS"), "{out}");
    let credential: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("credential.json")).expect("read"))
            .expect("json");
    let id = credential["claims"]["credential_id"]
        .as_str()
        .expect("id")
        .to_owned();
    let csv = std::fs::read_to_string(dir.join("audit.csv")).expect("csv");
    assert_eq!(csv.lines().count(), 3, "{csv}");
    assert!(!csv.contains(&id), "{csv}");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("audit.json")).expect("json"))
            .expect("json");
    assert_eq!(report["entries"], 2);
    // The audit takes no key or share at all.
    let (passed, _, err) = audit(&["--share", "reg/share-2.json"], &grpc);
    assert!(!passed && err.contains("unexpected argument"), "{err}");

    // The regulator asks about entry 0: the request is logged first.
    ok(
        &[
            "regulator",
            "disclose",
            "--server",
            &url,
            "--api-key",
            &key,
            "--group",
            "reg/group.json",
            "--entry",
            "0",
            "--grounds",
            "case 9",
            "--out",
            "request.json",
        ],
        dir,
    );
    let state: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("audit-state.json")).expect("state"),
    )
    .expect("json");
    let log_id = state["log_id"].as_str().expect("log id").to_owned();
    // Officials 2 and 3 each release a partial for the logged request.
    for official in ["2", "3"] {
        let out = ok(
            &[
                "regulator",
                "release",
                "--request",
                "request.json",
                "--share",
                &format!("reg/share-{official}.json"),
                "--log-id",
                &log_id,
                "--out",
                &format!("partial-{official}.json"),
            ],
            dir,
        );
        assert!(out.contains("released a partial"), "{out}");
    }
    // A request edited after it was logged gets no partial.
    let mut edited: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("request.json")).expect("read"))
            .expect("json");
    edited["body"]["grounds"] = "fishing".into();
    write(dir, "edited.json", &edited.to_string());
    let (passed, _, err) = run(
        &[
            "regulator",
            "release",
            "--request",
            "edited.json",
            "--share",
            "reg/share-1.json",
            "--log-id",
            &log_id,
        ],
        dir,
    );
    assert!(!passed && err.contains("no partial released"), "{err}");
    // One partial does not open it; two do.
    let open = |partials: &[&str]| {
        let mut all = vec!["regulator", "open", "--request", "request.json"];
        for p in partials {
            all.extend_from_slice(&["--partial", p]);
        }
        all.extend_from_slice(&["--log-id", &log_id, "--out", "opened.json"]);
        run(&all, dir)
    };
    let (passed, _, err) = open(&["partial-2.json"]);
    assert!(!passed && err.contains("the group needs 2"), "{err}");
    let (passed, out, err) = open(&["partial-2.json", "partial-3.json"]);
    assert!(passed, "{out}{err}");
    let answered = ok(
        &[
            "issuer",
            "disclose",
            "--records",
            "records",
            "--request",
            "opened.json",
            "--log-id",
            &log_id,
            "--out",
            "disclosure.json",
        ],
        dir,
    );
    assert!(answered.contains(&id), "{answered}");
    let disclosure = std::fs::read_to_string(dir.join("disclosure.json")).expect("disclosure");
    assert!(disclosure.contains("Jane Roe"), "{disclosure}");
    // An issuer trusting another log refuses.
    let (passed, _, err) = run(
        &words("issuer disclose --records records --request opened.json --log-id did:key:z6MkSomeOtherLog"),
        dir,
    );
    assert!(
        !passed && err.contains("expected did:key:z6MkSomeOtherLog"),
        "{err}"
    );

    // Stopped, the server's log directory is audited directly: it only grew.
    drop(server);
    let (passed, out, err) = audit(&[], &["--log", "db/log"]);
    assert!(passed, "{out}{err}");
    assert!(out.contains("2 entries (consistency checked)"), "{out}");
    assert!(out.contains("disclosures            1"), "{out}");
    // A state pinned to another log is a clear refusal.
    let (passed, _, err) = audit(&["--log-id", "did:key:z6MkOther"], &["--log", "db/log"]);
    assert!(!passed && err.contains("is not the log"), "{err}");
}

/// `GET path` on `addr` over a plain socket: the status code and the body.
fn http_get(addr: &str, path: &str) -> (u16, String) {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr).expect("connect");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\n\r\n"
    )
    .expect("send");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("read");
    let status = answer
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = answer
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

#[test]
fn did_veil_resolves_over_the_http_binding_from_another_machine() {
    let (tmp, _sample) = prepared_dir(21);
    let dir = tmp.path();
    for key in ["controller.jwk", "next.jwk", "vc.jwk"] {
        ok(&["did", "keygen", "--out", key], dir);
    }
    ok(&["issuer", "keygen", "--out", "bjj.json"], dir);
    let did = ok(
        &[
            &["did", "create", "--db", "db"][..],
            &crate::common::ISSUER_DID_KEYS,
        ]
        .concat(),
        dir,
    )
    .trim()
    .to_owned();
    ok(
        &[
            "did",
            "update",
            "--db",
            "db",
            "--key",
            "controller.jwk",
            "--did",
            &did,
            "--rotate",
            "next.jwk",
        ],
        dir,
    );
    let commitment = ok(&["holder", "keygen", "--out", "holder2.json"], dir)
        .lines()
        .last()
        .unwrap()
        .trim()
        .to_owned();
    ok(
        &crate::common::with_claims(
            &["issue", "--issuer-key", "bjj.json", "--holder", &commitment],
            &["--out", "zk.json"],
        ),
        dir,
    );
    ok(
        &[
            "vc",
            "issue",
            "--db",
            "db",
            "--credential",
            "zk.json",
            "--issuer-key",
            "bjj.json",
            "--did",
            &did,
            "--vc-key",
            "vc.jwk",
            "--out",
            "vc.json",
        ],
        dir,
    );

    let port = free_port();
    let http_addr = format!("127.0.0.1:{}", free_port());
    let mut server = start_server_with(dir, port, &["--did-http", &http_addr]);
    let endpoint = format!("http://{http_addr}");
    // Another machine: no registry of its own (an empty database).
    let elsewhere = ["--db", "elsewhere", "--resolver", endpoint.as_str()];
    let resolve = |extra: &[&str]| {
        veil()
            .args(["did", "resolve", &did])
            .args(elsewhere)
            .args(extra)
            .current_dir(dir)
            .output()
            .expect("run veil")
    };
    let deadline = Instant::now() + Duration::from_secs(120);
    let latest = loop {
        let out = resolve(&[]);
        if out.status.success() {
            break out;
        }
        assert!(
            Instant::now() < deadline,
            "the DID never resolved: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    let latest: serde_json::Value = serde_json::from_slice(&latest.stdout).unwrap();
    assert_eq!(latest["didDocument"]["id"], did.as_str());
    assert_eq!(latest["didDocumentMetadata"]["versionId"], "2");
    let first: serde_json::Value =
        serde_json::from_slice(&resolve(&["--version", "1"]).stdout).unwrap();
    assert_eq!(first["didDocumentMetadata"]["versionId"], "1");
    assert_eq!(first["didDocumentMetadata"]["nextVersionId"], "2");

    // A credential from this issuer verifies on the other machine.
    let verified = ok(
        &[
            "vc",
            "verify",
            "--db",
            "elsewhere",
            "--resolver",
            &endpoint,
            "vc.json",
        ],
        dir,
    );
    assert!(
        verified.starts_with("valid: issuer did:veil:"),
        "{verified}"
    );

    // What the binding answers on the wire.
    let unknown = format!("/1.0/identifiers/{}", did.replace('z', "y"));
    let (status, body) = http_get(&http_addr, &unknown);
    assert!(matches!(status, 400 | 404), "{status} {body}");
    let (status, body) = http_get(&http_addr, "/1.0/identifiers/did:web:example.com");
    assert_eq!(status, 501, "{body}");
    assert!(body.contains("methodNotSupported"), "{body}");
    let nobody = veil()
        .args(["did", "resolve", "did:veil:z11111111111111111111111"])
        .args(elsewhere)
        .current_dir(dir)
        .output()
        .unwrap();
    assert_eq!(nobody.status.code(), Some(1));
    let printed: serde_json::Value = serde_json::from_slice(&nobody.stdout).unwrap();
    assert!(printed["didDocument"].is_null(), "{printed}");

    server.kill().ok();
    server.wait().ok();
}

/// Review 2, finding 10, reproduced from outside: a `veil serve` at the
/// common open-file limit (1,024) with 1,100 connections to its metrics
/// port, each a half-sent request, still answers a new gRPC client's
/// `Verify`; the metrics listener holds a bounded number of them and closes
/// the rest, and those it held are closed once their headers time out.
#[tokio::test(flavor = "multi_thread")]
async fn r2_finding_10_idle_metrics_connections_cannot_starve_grpc() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let (tmp, sample) = prepared_dir(17);
    let dir = tmp.path();
    let key = ok(
        &["admin", "key", "create", "--db", "db", "--name", "flood"],
        dir,
    )
    .trim()
    .to_owned();
    let (port, metrics) = (free_port(), free_port());
    let _server = KillOnDrop(
        Command::new("sh")
            .arg("-c")
            .arg("ulimit -n 1024 && exec \"$0\" \"$@\"")
            .arg(env!("CARGO_BIN_EXE_veil"))
            .args(words("serve --db db --keys keys --issuers issuers.json"))
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .args(["--metrics", &format!("127.0.0.1:{metrics}")])
            .current_dir(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn veil serve"),
    );
    let mut c = wait_for_server(port, &key).await;
    let proof = c
        .prover
        .prove(sample.request.clone())
        .await
        .expect("prove")
        .into_inner()
        .proof
        .expect("proof");
    let mut held = Vec::new();
    for _ in 0..1100 {
        let Ok(mut stream) = tokio::net::TcpStream::connect(("127.0.0.1", metrics)).await else {
            break;
        };
        let _ = stream
            .write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\n")
            .await;
        held.push(stream);
    }
    assert!(held.len() > 1024, "{} connections", held.len());
    let fresh = async {
        let mut c = connect(
            &format!("http://127.0.0.1:{port}"),
            Some(&key),
            None,
            16 << 20,
        )
        .await
        .expect("connect");
        c.verifier
            .verify(pb::VerifyRequest {
                proof: Some(proof.clone()),
                ..Default::default()
            })
            .await
            .expect("verify")
            .into_inner()
    };
    let verdict = tokio::time::timeout(Duration::from_secs(15), fresh)
        .await
        .expect("a new gRPC client is answered while the metrics port is flooded");
    assert!(verdict.valid, "{}", verdict.reason);
    tokio::time::sleep(veil_service::http::HEADER_TIMEOUT + Duration::from_secs(2)).await;
    let mut still_open = 0;
    let mut buffer = [0u8; 256];
    for stream in &mut held {
        if tokio::time::timeout(Duration::from_millis(50), stream.read(&mut buffer))
            .await
            .is_err()
        {
            still_open += 1;
        }
    }
    assert_eq!(still_open, 0, "idle half-sent requests still held");
}
