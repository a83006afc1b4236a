//! The `veil` binary end to end: the demo, the step-by-step flow through
//! files, and clear errors (non-zero exit, no panic) on bad input.

use crate::common::{fails, ok, veil, words};
use std::path::Path;

/// `veil holder keygen` into holder.json, then `veil issue` of a fixed
/// credential to its commitment into credential.json (`extra` flags added).
pub fn holder_and_credential(d: &Path, extra: &[&str]) {
    let holder_out = ok(&["holder", "keygen", "--out", "holder.json"], d);
    let commitment = holder_out.lines().last().unwrap().trim().to_string();
    let mut args = crate::common::with_claims(
        &[
            "issue",
            "--issuer-key",
            "issuer.json",
            "--holder",
            &commitment,
        ],
        &["--out", "credential.json"],
    );
    args.extend_from_slice(extra);
    ok(&args, d);
}

#[test]
fn demo_reports_every_step_as_expected() {
    let dir = tempfile::tempdir().unwrap();
    let out = ok(&["demo", "--json"], dir.path());
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["ok"], true);
    let steps: Vec<&str> = report["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["step"].as_str().unwrap())
        .collect();
    for expected in [
        "setup",
        "prove",
        "verify",
        "tampered payment",
        "W3C credential",
        "deploy on-chain",
        "verify on-chain",
        "settle on-chain",
        "replay refused",
        "revoked credential",
        "regulator audit",
        "disclosure",
        "audit again",
    ] {
        assert!(
            steps.contains(&expected),
            "{expected} missing from {steps:?}"
        );
    }
    assert!(report["steps"]
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s["ok"] == true));
}

#[test]
fn demo_keep_refuses_a_directory_in_use() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.txt"), "mine").unwrap();
    let err = fails(&["demo", "--keep", "."], dir.path());
    assert!(err.contains("not empty"), "{err}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("notes.txt")).unwrap(),
        "mine"
    );
}

#[test]
fn the_demo_key_generates_the_committed_solidity_verifier() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(&["setup", "--insecure-demo-key", "--out", "keys"], d);
    ok(
        &words("contracts verifier --vk keys/verification_key.json --out V.sol"),
        d,
    );
    let generated = std::fs::read_to_string(d.join("V.sol")).unwrap();
    let committed = std::fs::read_to_string(
        std::path::PathBuf::from(
            std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"),
        )
        .join("../contracts/src/Groth16Verifier.sol"),
    )
    .unwrap();
    // Identical but for the key's label in the header.
    let body = |s: &str| s.lines().skip(2).collect::<Vec<_>>().join("\n");
    assert_eq!(body(&generated), body(&committed));
    let err = fails(&["contracts", "verifier", "--vk", "missing.vk"], d);
    assert!(err.contains("missing.vk"), "{err}");
}

#[test]
fn the_flow_through_files() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(&["setup", "--out", "keys"], d);
    ok(&["issuer", "keygen", "--out", "issuer.json"], d);
    ok(&["regulator", "keygen", "--out", "regulator.json"], d);
    holder_and_credential(d, &["--issued", "2024-01-01", "--valid-days", "730"]);
    ok(
        &words("policy new --regulator regulator.json --out policy.json"),
        d,
    );

    let issuer: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("issuer.json")).unwrap()).unwrap();
    let issuers = serde_json::json!({ "issuers": [issuer["public_key"]] });
    std::fs::write(d.join("issuers.json"), issuers.to_string()).unwrap();
    std::fs::write(d.join("revoked.json"), r#"{"revoked": ["12345"]}"#).unwrap();
    // 2024-10-04
    std::fs::write(
        d.join("context.json"),
        r#"{"today": 20000, "scope": "7", "payment_hash": "99"}"#,
    )
    .unwrap();

    let prove = words("prove --keys keys --credential credential.json --holder holder.json --policy policy.json --issuers issuers.json --revoked revoked.json --context context.json --out proof");
    ok(&prove, d);
    ok(
        &words("verify --policy policy.json --context context.json"),
        d,
    );
    ok(&["verify", "--vk", "keys/compliance.vk"], d);

    // The regulator's tool has no offline decryption: an escrow is opened
    // only through a logged disclosure (serve.rs runs one end to end).
    let credential: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("credential.json")).unwrap()).unwrap();
    let out = veil(
        &words("regulator decrypt --key regulator.json --public proof/public.json"),
        d,
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && err.contains("unrecognized subcommand"),
        "{err}"
    );

    // Another payment: the verifier's own context does not match the proof.
    std::fs::write(
        d.join("other.json"),
        r#"{"today": 20000, "scope": "7", "payment_hash": "100"}"#,
    )
    .unwrap();
    let err = fails(&["verify", "--context", "other.json"], d);
    assert!(err.contains("another payment"), "{err}");

    // Public inputs edited to match that payment: the proof fails.
    let public = std::fs::read_to_string(d.join("proof/public.json")).unwrap();
    let mut v: Vec<String> = serde_json::from_str(&public).unwrap();
    v[5] = "100".into();
    std::fs::write(
        d.join("proof/public.json"),
        serde_json::to_string(&v).unwrap(),
    )
    .unwrap();
    let err = fails(&["verify", "--context", "other.json"], d);
    assert!(err.contains("does not verify"), "{err}");

    // The wallet is told why it cannot prove: the credential is now revoked.
    std::fs::write(
        d.join("revoked.json"),
        format!(
            r#"{{"revoked": [{}]}}"#,
            credential["claims"]["credential_id"]
        ),
    )
    .unwrap();
    let err = fails(&prove, d);
    assert!(err.contains("revoked"), "{err}");

    // Under-age for a stricter policy.
    ok(
        &words("policy new --regulator regulator.json --min-age-years 60 --out strict.json"),
        d,
    );
    std::fs::write(d.join("revoked.json"), r#"{"revoked": []}"#).unwrap();
    let mut strict = prove.to_vec();
    strict[8] = "strict.json";
    let err = fails(&strict, d);
    assert!(err.contains("minimum age"), "{err}");
}

#[test]
fn bad_files_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("garbage.json"), "{ not json").unwrap();
    let err = fails(&["verify", "--vk", "garbage.json"], d);
    assert!(err.contains("garbage.json"), "{err}");
    let err = fails(
        &words(
            "regulator release --share missing.json --request missing.json --log-id did:key:z6Mk",
        ),
        d,
    );
    assert!(err.contains("missing.json"), "{err}");
    std::fs::write(d.join("truncated.vk"), b"VEILKEY1\x02abc").unwrap();
    let err = fails(&["verify", "--vk", "truncated.vk"], d);
    assert!(err.contains("truncated"), "{err}");
    let err = fails(
        &words("issue --issuer-key garbage.json --holder 1 --name x --birth-date 1990-02-30 --country 1 --kyc-level 1 --risk-score 1"),
        d,
    );
    assert!(err.contains("garbage.json"), "{err}");
}

#[test]
fn dids_and_credentials_through_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = d.join("db");
    let db = db.to_str().unwrap();
    ok(&["did", "keygen", "--out", "controller.jwk"], d);
    ok(&["did", "keygen", "--out", "new.jwk"], d);
    ok(&["did", "keygen", "--out", "vc.jwk"], d);
    ok(&["issuer", "keygen", "--out", "issuer.json"], d);
    let did = ok(
        &words(&format!("did create --db {db} --key controller.jwk --vc-key vc.jwk --bjj issuer.json --service kyc,KycIssuer,https://issuer.example/kyc")),
        d,
    );
    let did = did.trim();
    assert!(did.starts_with("did:veil:z"), "{did}");
    let resolved: serde_json::Value =
        serde_json::from_str(&ok(&["did", "resolve", "--db", db, did], d)).unwrap();
    assert_eq!(resolved["didDocument"]["id"], did);
    assert_eq!(resolved["didDocumentMetadata"]["versionId"], "1");

    // A credential: the ZK one from `veil issue`, then the VC around it.
    holder_and_credential(d, &[]);
    for format in ["v2", "v1"] {
        let vc = format!("vc-{format}.json");
        ok(
            &[
                "vc",
                "issue",
                "--db",
                db,
                "--credential",
                "credential.json",
                "--issuer-key",
                "issuer.json",
                "--did",
                did,
                "--vc-key",
                "vc.jwk",
                "--format",
                format,
                "--out",
                &vc,
            ],
            d,
        );
        ok(
            &[
                "vc",
                "verify",
                "--db",
                db,
                &vc,
                "--credential-out",
                "zk.json",
            ],
            d,
        );
    }
    let zk: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("zk.json")).unwrap()).unwrap();
    let original: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("credential.json")).unwrap()).unwrap();
    assert_eq!(zk, original, "the VC does not carry the same ZK credential");
    ok(
        &words(&format!(
            "vc status-list --db {db} --did {did} --vc-key vc.jwk --out list.json"
        )),
        d,
    );
    ok(
        &words(&format!(
            "vc verify --db {db} vc-v2.json --status-list list.json"
        )),
        d,
    );
    let id = original["claims"]["credential_id"]
        .as_str()
        .unwrap()
        .to_string();
    ok(&["vc", "revoke", "--db", db, "--credential-id", &id], d);
    ok(
        &words(&format!(
            "vc status-list --db {db} --did {did} --vc-key vc.jwk --out list.json"
        )),
        d,
    );
    let err = fails(
        &words(&format!(
            "vc verify --db {db} vc-v2.json --status-list list.json"
        )),
        d,
    );
    assert!(err.contains("revoked"), "{err}");

    // Rotation, then the old key is refused; deactivation is final.
    ok(
        &words(&format!(
            "did update --db {db} --key controller.jwk --did {did} --rotate new.jwk"
        )),
        d,
    );
    let err = fails(
        &words(&format!(
            "did update --db {db} --key controller.jwk --did {did} --remove-service kyc"
        )),
        d,
    );
    assert!(err.contains("controller"), "{err}");
    ok(
        &words(&format!(
            "did deactivate --db {db} --key new.jwk --did {did}"
        )),
        d,
    );
    let v: serde_json::Value =
        serde_json::from_str(&ok(&["did", "resolve", "--db", db, did], d)).unwrap();
    assert_eq!(v["didDocumentMetadata"]["deactivated"], true);
    let v: serde_json::Value = serde_json::from_str(&ok(
        &["did", "resolve", "--db", db, &format!("{did}?versionId=1")],
        d,
    ))
    .unwrap();
    assert_eq!(v["didDocumentMetadata"]["nextVersionId"], "2");
    let err = fails(&["did", "resolve", "--db", db, "did:veil:nope"], d);
    assert!(err.contains("invalidDid"), "{err}");
    let err = fails(&["vc", "verify", "--db", db, "controller.jwk"], d);
    assert!(err.contains("does not verify"), "{err}");
}

/// `veil demo --system halo2` end to end (on-chain through snark-verifier's
/// verifier included), then the kept files through `veil verify` and
/// `veil contracts verifier --system halo2`.
#[test]
fn the_halo2_demo_and_its_files() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = ok(
        &["demo", "--system", "halo2", "--json", "--keep", "kept"],
        d,
    );
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["ok"], true, "{report:#}");
    let step = |name: &str| {
        report["steps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["step"] == name)
            .unwrap_or_else(|| panic!("{name} missing"))
            .clone()
    };
    assert!(step("prove")["detail"].as_str().unwrap().contains("halo2"));
    assert!(step("verify on-chain")["detail"]
        .as_str()
        .unwrap()
        .contains("Halo2Verifier"));
    assert_eq!(step("settle on-chain")["ok"], true);

    // The proof file names its system; verify finds the halo2 keys.
    let proof: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("kept/proof.json")).unwrap()).unwrap();
    assert_eq!(proof["system"], "halo2");
    let check = words("verify --vk kept/halo2.vk --proof kept/proof.json --public kept/public.json --policy kept/policy.json --context kept/context.json");
    assert!(ok(&check, d).contains("valid halo2 proof"));

    // A damaged proof, and an SRS that is not the pinned one, are clear errors.
    let mut damaged = proof.clone();
    let hex = damaged["proof"].as_str().unwrap().to_string();
    let flipped = if hex.ends_with('0') { "1" } else { "0" };
    damaged["proof"] = format!("{}{flipped}", &hex[..hex.len() - 1]).into();
    std::fs::write(d.join("kept/proof.json"), damaged.to_string()).unwrap();
    assert!(fails(&check, d).contains("does not verify"));
    std::fs::write(d.join("kept/proof.json"), proof.to_string()).unwrap();
    std::fs::write(d.join("kept/halo2.srs.blake3"), "00".repeat(32)).unwrap();
    assert!(fails(&check, d).contains("hash mismatch"));
}
