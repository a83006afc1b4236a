//! Interop with didkit (`@spruceid/didkit-wasm-node` 0.2.1, VC 1.1 with
//! Ed25519Signature2020, did:key): a credential issued by veil verifies in
//! didkit, and one signed by didkit verifies in veil. Skipped only when
//! `node` or the package (`npm ci` in did/interop) is absent; CI sets
//! `VEIL_REQUIRE_DIDKIT=1` so it cannot skip there.

use ark_std::rand::{rngs::StdRng, SeedableRng};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use veil_circuits::eddsa::PrivateKey;
use veil_circuits::statement::sample::Sample;
use veil_did::vc::{self, Format, Issuer};
use veil_did::*;

fn interop_dir() -> PathBuf {
    std::path::PathBuf::from(
        std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"),
    )
    .join("interop")
}

fn available() -> bool {
    let ok = Command::new("node").arg("--version").output().is_ok()
        && interop_dir()
            .join("node_modules/@spruceid/didkit-wasm-node")
            .exists();
    if !ok {
        assert!(
            std::env::var("VEIL_REQUIRE_DIDKIT").is_err(),
            "didkit interop required but node or did/interop/node_modules is missing"
        );
        eprintln!("skipped: node or didkit-wasm-node not installed (npm ci in did/interop)");
    }
    ok
}

fn didkit(args: &[&Path], cmd: &str) -> Result<String, String> {
    let out = Command::new("node")
        .arg(interop_dir().join("didkit.js"))
        .arg(cmd)
        .args(args)
        .output()
        .map_err(|e| e.to_string())?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

struct Setup {
    dir: tempfile::TempDir,
    key: ControllerKey,
    did: String,
    fragment: String,
    zk: PrivateKey,
    sample: Sample,
    resolver: VeilResolver,
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let key = ControllerKey::generate().unwrap();
    let url = ssi::dids::DIDKey::generate_url(&key.public_jwk()).unwrap();
    let (did, fragment) = url.as_str().split_once('#').unwrap();
    let mut sample = Sample::new(&mut StdRng::seed_from_u64(5));
    // Valid now: didkit checks dates against the clock.
    let today = (chrono::Utc::now().timestamp() / 86_400) as u32;
    sample.claims.issued_at = today - 10;
    sample.claims.expires_at = today + 355;
    let zk = PrivateKey::from_bytes(sample.issuer_key.to_bytes());
    let registry = Arc::new(Registry::open(&dir.path().join("dids")).unwrap());
    Setup {
        did: did.into(),
        fragment: fragment.into(),
        dir,
        key,
        zk,
        sample,
        resolver: resolver(registry),
    }
}

impl Setup {
    fn issuer(&self) -> Issuer<'_> {
        Issuer {
            did: &self.did,
            signing_key: &self.key,
            signing_fragment: &self.fragment,
            zk_key: vc::ZkSigning::Key(&self.zk),
            zk_fragment: "bjj-1",
        }
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    }
}

fn didkit_errors(result: &str) -> Vec<Value> {
    let v: Value = serde_json::from_str(result).expect("didkit result JSON");
    v["errors"].as_array().cloned().unwrap_or_default()
}

#[tokio::test(flavor = "current_thread")]
async fn a_credential_issued_by_veil_verifies_in_didkit() {
    if !available() {
        return;
    }
    let s = setup();
    let vc = vc::issue(
        &s.resolver,
        &s.issuer(),
        &s.sample.claims,
        None,
        None,
        Format::V1,
    )
    .await
    .unwrap();
    let path = s.write("vc.json", &vc.to_string());
    let result = didkit(&[&path], "verify").expect("didkit ran");
    assert!(
        didkit_errors(&result).is_empty(),
        "didkit rejected veil's VC: {result}"
    );

    let mut tampered = vc.clone();
    tampered["credentialSubject"]["riskScore"] = 1.into();
    let path = s.write("tampered.json", &tampered.to_string());
    let result = didkit(&[&path], "verify").expect("didkit ran");
    assert!(
        !didkit_errors(&result).is_empty(),
        "didkit accepted a tampered VC"
    );
}

#[tokio::test(flavor = "current_thread")]
async fn a_credential_signed_by_didkit_verifies_in_veil() {
    if !available() {
        return;
    }
    let s = setup();
    let unsigned =
        vc::unsigned_credential(&s.issuer(), &s.sample.claims, None, None, Format::V1).unwrap();
    let cred = s.write("unsigned.json", &unsigned.to_string());
    let key = s.write("key.jwk", &s.key.to_json());
    let signed = didkit(&[&cred, &key], "sign").expect("didkit signs");
    let v: Value = serde_json::from_str(&signed).unwrap();
    assert_eq!(v["proof"]["type"], "Ed25519Signature2020");
    vc::verify_proof(&s.resolver, &signed)
        .await
        .expect("veil verifies didkit's proof");

    let mut tampered = v.clone();
    tampered["credentialSubject"]["country"] = "FR".into();
    assert!(vc::verify_proof(&s.resolver, &tampered.to_string())
        .await
        .is_err());
}
