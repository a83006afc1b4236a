//! Issuer keys from the command line: a 2-of-3 FROST group made by a DKG
//! over files, a credential signed in two rounds that proves and verifies,
//! a cheating signer named; key rotation through the DID document and the
//! trusted-issuer list; Ed25519 keys in an encrypted file and in an HSM
//! (SoftHSM2).

use crate::common;
use crate::common::{fails, fails_env, ok, ok_env, words};
use serde_json::Value;
use std::path::Path;
use std::process::Command;

fn json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The three participants' DKG, each in its own directory `pI/`, passing
/// only packages (broadcast) and addressed shares (private).
fn distributed_dkg(d: &Path) {
    for i in 1..=3 {
        ok(
            &[
                "issuer",
                "dkg-round1",
                "--index",
                &i.to_string(),
                "--threshold",
                "2/3",
                "--context",
                "did:veil:kyc-issuer",
                "--out-dir",
                &format!("p{i}"),
            ],
            d,
        );
    }
    let packages = "p1/dkg-package-1.json,p2/dkg-package-2.json,p3/dkg-package-3.json";
    for i in 1..=3 {
        ok(
            &words(&format!("issuer dkg-round2 --secret p{i}/dkg-secret-{i}.json --packages {packages} --out-dir p{i}")),
            d,
        );
    }
    for i in 1..=3 {
        let inbox: Vec<String> = (1..=3)
            .filter(|j| *j != i)
            .map(|j| format!("p{j}/dkg-share-{j}-to-{i}.json"))
            .collect();
        ok(
            &[
                "issuer",
                "dkg-finish",
                "--secret",
                &format!("p{i}/dkg-secret-{i}.json"),
                "--packages",
                packages,
                "--shares",
                &inbox.join(","),
                "--out",
                &format!("p{i}/share-{i}.json"),
                "--group-out",
                &format!("p{i}/group.json"),
            ],
            d,
        );
        assert!(!d.join(format!("p{i}/dkg-secret-{i}.json")).exists());
    }
    let group = json(&d.join("p1/group.json"));
    assert_eq!(group, json(&d.join("p2/group.json")));
    assert_eq!(group, json(&d.join("p3/group.json")));
    std::fs::copy(d.join("p1/group.json"), d.join("group.json")).unwrap();
}

fn issue_args<'a>(holder: &'a str, signer: [&'a str; 2], out: &'a str) -> Vec<&'a str> {
    crate::common::with_claims(
        &["issue", signer[0], signer[1], "--holder", holder],
        &[
            "--issued",
            "2024-01-01",
            "--valid-days",
            "730",
            "--out",
            out,
        ],
    )
}

/// Signers 1 and 3 sign `request.json` into `out`.
fn threshold_sign(d: &Path, out: &str) {
    for i in [1, 3] {
        ok(
            &words(&format!(
                "issuer sign-round1 --share p{i}/share-{i}.json --out-dir p{i}"
            )),
            d,
        );
    }
    let commitments = "p1/commitment-1.json,p3/commitment-3.json";
    for i in [1, 3] {
        ok(
            &words(&format!("issuer sign-round2 --share p{i}/share-{i}.json --nonces p{i}/nonces-{i}.json --request request.json --commitments {commitments} --out p{i}/sigshare-{i}.json")),
            d,
        );
        assert!(!d.join(format!("p{i}/nonces-{i}.json")).exists());
    }
    // Nonces are single-use: a second answer is refused.
    let err = fails(
        &words(&format!("issuer sign-round2 --share p1/share-1.json --nonces p1/nonces-1.json --request request.json --commitments {commitments} --out again.json")),
        d,
    );
    assert!(err.contains("nonces-1.json"), "{err}");

    // A cheating signer is named.
    let mut bad = json(&d.join("p3/sigshare-3.json"));
    bad["share"] = Value::String("12345".into());
    std::fs::write(d.join("bad-3.json"), bad.to_string()).unwrap();
    let aggregate = |shares: &str| {
        vec![
            "issuer".to_string(),
            "aggregate".into(),
            "--group".into(),
            "group.json".into(),
            "--request".into(),
            "request.json".into(),
            "--commitments".into(),
            commitments.into(),
            "--shares".into(),
            shares.into(),
            "--out".into(),
            out.into(),
        ]
    };
    let args = aggregate("p1/sigshare-1.json,bad-3.json");
    let err = fails(&args.iter().map(String::as_str).collect::<Vec<_>>(), d);
    assert!(
        err.contains("participant 3's signature share does not verify"),
        "{err}"
    );
    let args = aggregate("p1/sigshare-1.json,p3/sigshare-3.json");
    ok(&args.iter().map(String::as_str).collect::<Vec<_>>(), d);
}

fn prove(d: &Path, credential: &str) -> Result<String, String> {
    let out = common::veil(
        &words(&format!("prove --keys keys --credential {credential} --holder holder.json --policy policy.json --issuers issuers.json --revoked revoked.json --context context.json --out proof")),
        d,
    );
    if out.status.success() {
        ok(
            &words("verify --policy policy.json --context context.json"),
            d,
        );
        Ok(String::from_utf8_lossy(&out.stdout).into())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into())
    }
}

#[test]
fn a_two_of_three_group_issues_a_credential_that_proves_and_rotation_keeps_old_credentials_until_removed(
) {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = d.join("db");
    let db = db.to_str().unwrap();
    ok(&["setup", "--insecure-demo-key", "--out", "keys"], d);
    ok(&["regulator", "keygen", "--out", "regulator.json"], d);
    ok(
        &words("policy new --regulator regulator.json --out policy.json"),
        d,
    );
    std::fs::write(d.join("revoked.json"), r#"{"revoked": []}"#).unwrap();
    std::fs::write(
        d.join("context.json"),
        r#"{"today": 20000, "scope": "7", "payment_hash": "99"}"#,
    )
    .unwrap();
    let holder_out = ok(&["holder", "keygen", "--out", "holder.json"], d);
    let holder = holder_out.lines().last().unwrap().trim().to_string();

    // The issuer's old single key, a DID listing it, and a credential.
    ok(&["issuer", "keygen", "--out", "old.json"], d);
    ok(&["did", "keygen", "--out", "controller.jwk"], d);
    ok(&["did", "keygen", "--out", "vc.jwk"], d);
    let did = ok(
        &words(&format!(
            "did create --db {db} --key controller.jwk --vc-key vc.jwk --bjj old.json"
        )),
        d,
    );
    let did = did.trim();
    ok(
        &issue_args(&holder, ["--issuer-key", "old.json"], "old-credential.json"),
        d,
    );
    ok(&words("issuer trust --list issuers.json --add old.json"), d);
    prove(d, "old-credential.json").unwrap();

    // Rotation to a 2-of-3 group: the DKG, the new key added to the DID
    // document and the trusted list beside the old one.
    distributed_dkg(d);
    ok(
        &words(&format!(
            "did update --db {db} --key controller.jwk --did {did} --add-bjj bjj-2=group.json"
        )),
        d,
    );
    ok(
        &words("issuer trust --list issuers.json --add group.json"),
        d,
    );
    assert_eq!(
        json(&d.join("issuers.json"))["issuers"]
            .as_array()
            .unwrap()
            .len(),
        2
    );

    // The group signs a credential in two rounds.
    ok(
        &issue_args(&holder, ["--group", "group.json"], "request.json"),
        d,
    );
    threshold_sign(d, "group-credential.json");
    let credential = json(&d.join("group-credential.json"));
    assert_eq!(
        credential["issuer"],
        json(&d.join("group.json"))["public_key"]
    );

    // Both credentials prove while both keys are trusted.
    prove(d, "group-credential.json").unwrap();
    prove(d, "old-credential.json").unwrap();

    // Both VCs verify against the DID while it lists both keys.
    for (zk, fragment, vc) in [
        ("old-credential.json", "bjj-1", "old-vc.json"),
        ("group-credential.json", "bjj-2", "group-vc.json"),
    ] {
        ok(
            &words(&format!("vc issue --db {db} --credential {zk} --did {did} --vc-key vc.jwk --bjj-fragment {fragment} --out {vc}")),
            d,
        );
        ok(
            &["vc", "verify", "--db", db, vc, "--today", "2024-10-04"],
            d,
        );
    }

    // The old leaf and method removed: the old credential no longer proves
    // or verifies; the group's still does.
    ok(
        &words("issuer trust --list issuers.json --remove old.json"),
        d,
    );
    let err = prove(d, "old-credential.json").unwrap_err();
    assert!(err.contains("not in the trusted-issuer tree"), "{err}");
    prove(d, "group-credential.json").unwrap();
    ok(
        &words(&format!(
            "did update --db {db} --key controller.jwk --did {did} --remove-method bjj-1"
        )),
        d,
    );
    let err = fails(
        &words(&format!(
            "vc verify --db {db} old-vc.json --today 2024-10-04"
        )),
        d,
    );
    assert!(err.contains("bjj-1"), "{err}");
    ok(
        &words(&format!(
            "vc verify --db {db} group-vc.json --today 2024-10-04"
        )),
        d,
    );

    // A request for another key is refused by the signers.
    let mut other = json(&d.join("request.json"));
    other["issuer"] = json(&d.join("old.json"))["public_key"].clone();
    std::fs::write(d.join("other-request.json"), other.to_string()).unwrap();
    ok(
        &words("issuer sign-round1 --share p2/share-2.json --out-dir p2"),
        d,
    );
    let err = fails(
        &words("issuer sign-round2 --share p2/share-2.json --nonces p2/nonces-2.json --request other-request.json --commitments p2/commitment-2.json,p1/commitment-1.json --out x.json"),
        d,
    );
    assert!(err.contains("another issuer key"), "{err}");
}

#[test]
fn dkg_errors_name_the_participant() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for i in 1..=3 {
        ok(
            &[
                "issuer",
                "dkg-round1",
                "--index",
                &i.to_string(),
                "--threshold",
                "2/3",
                "--context",
                "ctx",
                "--out-dir",
                ".",
            ],
            d,
        );
    }
    // Participant 2's proof of knowledge is replaced by participant 3's.
    let mut p2 = json(&d.join("dkg-package-2.json"));
    p2["proof_z"] = json(&d.join("dkg-package-3.json"))["proof_z"].clone();
    std::fs::write(d.join("dkg-package-2.json"), p2.to_string()).unwrap();
    let err = fails(
        &words("issuer dkg-round2 --secret dkg-secret-1.json --packages dkg-package-1.json,dkg-package-2.json,dkg-package-3.json"),
        d,
    );
    assert!(err.contains("participant 2's proof of knowledge"), "{err}");
    let err = fails(&["issuer", "keygen", "--threshold", "4/3"], d);
    assert!(err.contains("threshold 4 of 3"), "{err}");
}

// --- Ed25519 keys: encrypted files and an HSM -------------------------------

const MODULE: &str = "/usr/lib/softhsm/libsofthsm2.so";

/// A SoftHSM2 configuration with one token, for the child processes only.
fn softhsm_token(d: &Path, label: &str, pin: &str) -> Option<String> {
    if Command::new("softhsm2-util")
        .arg("--version")
        .output()
        .is_err()
        || !Path::new(MODULE).exists()
    {
        assert!(
            std::env::var("VEIL_REQUIRE_SOFTHSM").is_err(),
            "SoftHSM2 required but missing"
        );
        eprintln!("skipped: SoftHSM2 is not installed");
        return None;
    }
    let tokens = d.join("tokens");
    std::fs::create_dir_all(&tokens).unwrap();
    let conf = d.join("softhsm2.conf");
    std::fs::write(
        &conf,
        format!("directories.tokendir = {}\n", tokens.display()),
    )
    .unwrap();
    let status = Command::new("softhsm2-util")
        .args(["--init-token", "--free", "--label", label, "--pin", pin])
        .args(["--so-pin", "so-0000"])
        .env("SOFTHSM2_CONF", &conf)
        .output()
        .unwrap();
    assert!(status.status.success());
    Some(conf.to_str().unwrap().to_string())
}

#[test]
fn credentials_signed_with_an_encrypted_key_file_and_an_hsm_key_verify() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = d.join("db");
    let db = db.to_str().unwrap();
    ok(&["issuer", "keygen", "--out", "issuer.json"], d);
    ok(&["did", "keygen", "--out", "controller.jwk"], d);
    ok(&["holder", "keygen", "--out", "holder.json"], d);
    let holder = json(&d.join("holder.json"))["commitment"]
        .as_str()
        .unwrap()
        .to_string();
    ok(
        &issue_args(&holder, ["--issuer-key", "issuer.json"], "credential.json"),
        d,
    );

    // An encrypted key file.
    let pass = [("VEIL_KEY_PASSPHRASE", "a long passphrase")];
    let err = fails(&["did", "keygen", "--out", "vc.enc.json", "--encrypt"], d);
    assert!(err.contains("VEIL_KEY_PASSPHRASE"), "{err}");
    ok_env(
        &["did", "keygen", "--out", "vc.enc.json", "--encrypt"],
        d,
        &pass,
    );
    let did = ok(
        &words(&format!(
            "did create --db {db} --key controller.jwk --vc-key vc.enc.json --bjj issuer.json"
        )),
        d,
    );
    let did = did.trim().to_string();
    let issue = |vc: &'static str, key: &'static [&'static str]| {
        let mut a = vec![
            "vc",
            "issue",
            "--db",
            db,
            "--credential",
            "credential.json",
            "--did",
            &did,
            "--out",
            vc,
        ];
        a.extend_from_slice(key);
        a
    };
    let err = fails_env(
        &issue("enc-vc.json", &["--vc-key", "vc.enc.json"]),
        d,
        &[("VEIL_KEY_PASSPHRASE", "wrong")],
    );
    assert!(err.contains("wrong passphrase"), "{err}");
    ok_env(
        &issue("enc-vc.json", &["--vc-key", "vc.enc.json"]),
        d,
        &pass,
    );
    ok(
        &words(&format!(
            "vc verify --db {db} enc-vc.json --today 2024-10-04"
        )),
        d,
    );

    // An HSM key: generated in the token, listed in a DID, signing a VC.
    let Some(conf) = softhsm_token(d, "issuer-token", "1234") else {
        return;
    };
    let hsm: &[&str] = &[
        "--hsm-module",
        MODULE,
        "--hsm-token",
        "issuer-token",
        "--hsm-key",
        "vc-hsm",
    ];
    let env = [("SOFTHSM2_CONF", conf.as_str()), ("VEIL_HSM_PIN", "1234")];
    let mut keygen = vec!["did", "keygen"];
    keygen.extend_from_slice(hsm);
    let out = ok_env(&keygen, d, &env);
    assert!(out.contains("public z6Mk"), "{out}");
    let err = fails_env(&keygen, d, &env);
    assert!(
        err.contains("already holds a key labelled \"vc-hsm\""),
        "{err}"
    );
    // (A DID is named after its controller key: a second issuer, a second one.)
    ok(&["did", "keygen", "--out", "controller-2.jwk"], d);
    let mut create = vec![
        "did",
        "create",
        "--db",
        db,
        "--key",
        "controller-2.jwk",
        "--bjj",
        "issuer.json",
    ];
    create.extend_from_slice(hsm);
    let hsm_did = ok_env(&create, d, &env).trim().to_string();
    let mut vc_issue = vec![
        "vc",
        "issue",
        "--db",
        db,
        "--credential",
        "credential.json",
        "--did",
        &hsm_did,
        "--out",
        "hsm-vc.json",
    ];
    vc_issue.extend_from_slice(hsm);
    ok_env(&vc_issue, d, &env);
    ok(
        &words(&format!(
            "vc verify --db {db} hsm-vc.json --today 2024-10-04"
        )),
        d,
    );

    // Clear errors: a wrong PIN, an absent token, no PIN at all.
    let err = fails_env(
        &vc_issue,
        d,
        &[("SOFTHSM2_CONF", conf.as_str()), ("VEIL_HSM_PIN", "9999")],
    );
    assert!(
        err.contains("PIN incorrect") && err.contains("issuer-token"),
        "{err}"
    );
    let mut absent = vc_issue.clone();
    let at = absent.iter().position(|a| *a == "issuer-token").unwrap();
    absent[at] = "no-such-token";
    let err = fails_env(&absent, d, &env);
    assert!(
        err.contains("no PKCS#11 token labelled \"no-such-token\""),
        "{err}"
    );
    let err = fails_env(&vc_issue, d, &[("SOFTHSM2_CONF", conf.as_str())]);
    assert!(err.contains("VEIL_HSM_PIN"), "{err}");
}
