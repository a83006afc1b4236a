//! A did:web issuer through the `veil` binary, as an issuer and a verifier
//! elsewhere would run it: `veil did create --web` writes the site, `veil
//! serve --did-web` publishes it over HTTPS (a test CA), `veil vc issue`
//! signs VC 1.1 and 2.0 credentials, and they verify through `veil vc
//! verify` on a machine with no registry, in didkit (VC 1.1) and in Digital
//! Bazaar's libraries (VC 2.0, eddsa-rdfc-2022), each resolving did:web
//! itself from Node; tampered copies do not, and nothing verifies once the
//! issuer deactivates. The other way, `veil vc verify` verifies what those
//! libraries sign (did:key, and did:web keys published on the same site)
//! and says it is not a KycCredential.
//!
//! didkit 0.2.1 ignores a did:web port, so the site is served on port 443
//! of a random loopback address (127.0.0.x): the test needs root (CI is)
//! and skips otherwise unless `VEIL_REQUIRE_DIDKIT=1`.

use crate::common::interop::{bazaar_verify, didkit_errors, interop_dir, node, write_json};
use crate::common::{fails, ok, veil, words};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A test CA (`ca.pem`) and a certificate it signed for `ip` (`tls.crt`,
/// `tls.key`), written into `dir`.
fn write_test_ca(dir: &Path, ip: &str) {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};
    let ca_key = KeyPair::generate().expect("key");
    let mut params = CertificateParams::new(Vec::<String>::new()).expect("params");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params
        .distinguished_name
        .push(DnType::CommonName, "veil test CA");
    let ca = params.self_signed(&ca_key).expect("CA");
    let key = KeyPair::generate().expect("key");
    let cert = CertificateParams::new(vec![ip.to_owned()])
        .expect("params")
        .signed_by(&key, &ca, &ca_key)
        .expect("certificate");
    std::fs::write(dir.join("ca.pem"), ca.pem()).expect("write");
    std::fs::write(dir.join("tls.crt"), cert.pem()).expect("write");
    std::fs::write(dir.join("tls.key"), key.serialize_pem()).expect("write");
}

/// A generic credential (not KYC) in `version` 1 or 2 of the data model.
fn membership(version: u8) -> serde_json::Value {
    let (context, date) = match version {
        1 => ("https://www.w3.org/2018/credentials/v1", "issuanceDate"),
        _ => ("https://www.w3.org/ns/credentials/v2", "validFrom"),
    };
    serde_json::json!({
        "@context": [context, {"@vocab": "https://example.com/vocab#"}],
        "type": ["VerifiableCredential", "MembershipCredential"],
        date: "2026-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:alice", "memberOf": "Example Club"},
    })
}

/// A loopback address port 443 can be bound on, or `None` (not root).
fn loopback_443() -> Option<String> {
    let node = Command::new("node").arg("--version").output().is_ok()
        && ["@spruceid/didkit-wasm-node", "@digitalbazaar/vc"]
            .iter()
            .all(|p| interop_dir().join("node_modules").join(p).exists());
    let pick = 2 + std::process::id() % 250;
    let ip = format!("127.0.0.{pick}");
    let bindable = std::net::TcpListener::bind((ip.as_str(), 443)).is_ok();
    if node && bindable {
        return Some(ip);
    }
    assert!(
        std::env::var("VEIL_REQUIRE_DIDKIT").is_err(),
        "did:web interop required, but node={node} (npm ci in did/interop), port 443 bindable={bindable}"
    );
    eprintln!("skipped: needs node with did/interop installed and port 443 (root)");
    None
}

struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn a_did_web_issuer_published_by_veil_serve_verifies_in_veil_and_didkit() {
    let Some(ip) = loopback_443() else { return };
    let tmp = tempfile::tempdir().expect("tempdir");
    let d = tmp.path();
    write_test_ca(d, &ip);
    for key in ["controller.jwk", "vc.jwk"] {
        ok(&["did", "keygen", "--out", key], d);
    }
    ok(&["issuer", "keygen", "--out", "bjj.json"], d);
    let site = ["--db", "db", "--site", "site"];
    let did = ok(
        &[
            &["did", "create", "--web", ip.as_str()][..],
            &site,
            &crate::common::ISSUER_DID_KEYS,
        ]
        .concat(),
        d,
    )
    .trim()
    .to_owned();
    assert_eq!(did, format!("did:web:{ip}"));
    assert!(d.join("site/.well-known/did.json").exists());
    let refused = fails(
        &[
            &["did", "create", "--web", "Issuer.Example"][..],
            &site,
            &["--key", "controller.jwk"],
        ]
        .concat(),
        d,
    );
    assert!(refused.contains("invalidDid"), "{refused}");

    let commitment = ok(&["holder", "keygen", "--out", "holder.json"], d)
        .lines()
        .last()
        .expect("commitment")
        .trim()
        .to_owned();
    ok(
        &crate::common::with_claims(
            &["issue", "--issuer-key", "bjj.json", "--holder", &commitment],
            &["--out", "zk.json"],
        ),
        d,
    );
    for format in ["v1", "v2"] {
        let out = format!("vc-{format}.json");
        ok(
            &[
                &[
                    "vc",
                    "issue",
                    "--credential",
                    "zk.json",
                    "--issuer-key",
                    "bjj.json",
                ][..],
                &site,
                &[
                    "--did", &did, "--vc-key", "vc.jwk", "--format", format, "--out", &out,
                ],
            ]
            .concat(),
            d,
        );
    }

    let server = KillOnDrop(
        Command::new(env!("CARGO_BIN_EXE_veil"))
            .args(["serve", "--db", "db", "--no-metrics"])
            .args(["--listen", &format!("{ip}:0")])
            .args(["--did-http", &format!("{ip}:443"), "--did-web", "site"])
            .args(["--tls-cert", "tls.crt", "--tls-key", "tls.key"])
            .current_dir(d)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn veil serve"),
    );
    // Another machine: an empty database, the test CA trusted.
    let elsewhere = words("--db elsewhere --tls-ca ca.pem --allow-private-hosts");
    let deadline = Instant::now() + Duration::from_secs(120);
    let resolved = loop {
        let out = veil(&[&["did", "resolve", &did][..], &elsewhere].concat(), d);
        if out.status.success() {
            break String::from_utf8_lossy(&out.stdout).into_owned();
        }
        assert!(
            Instant::now() < deadline,
            "{did} never resolved: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    let resolved: serde_json::Value = serde_json::from_str(&resolved).expect("JSON");
    assert_eq!(resolved["didDocument"]["id"], did.as_str());
    assert!(resolved["didDocument"]["verificationMethod"]
        .as_array()
        .expect("methods")
        .iter()
        .any(|m| m["type"] == "BabyJubJubPoseidonKey2026"));

    for vc in ["vc-v1.json", "vc-v2.json"] {
        let verified = ok(&[&["vc", "verify", vc][..], &elsewhere].concat(), d);
        assert!(
            verified.starts_with(&format!("valid: issuer {did}")),
            "{verified}"
        );
    }
    // Without the CA, the host's certificate is not trusted.
    let untrusted = fails(
        &words("vc verify --db elsewhere --allow-private-hosts vc-v1.json"),
        d,
    );
    assert!(untrusted.contains("certificate"), "{untrusted}");
    // Without the opt-in, a host on loopback is not reached at all.
    let private = fails(&["vc", "verify", "--db", "elsewhere", "vc-v1.json"], d);
    assert!(private.contains("not a public address"), "{private}");

    // didkit resolves the issuer from its host and verifies the VC 1.1.
    assert_eq!(
        didkit_errors(d, "vc-v1.json"),
        Vec::<serde_json::Value>::new()
    );
    let mut tampered: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("vc-v1.json")).expect("read")).expect("VC");
    tampered["credentialSubject"]["country"] = "US".into();
    std::fs::write(d.join("tampered.json"), tampered.to_string()).expect("write");
    assert!(!didkit_errors(d, "tampered.json").is_empty());
    let refused = fails(
        &[&["vc", "verify", "tampered.json"][..], &elsewhere].concat(),
        d,
    );
    assert!(refused.contains("does not verify"), "{refused}");

    // Digital Bazaar resolves the issuer and verifies the VC 2.0 (didkit
    // speaks VC 1.1 only), and refuses a tampered copy.
    bazaar_verify(d, "vc-v2.json").expect("Digital Bazaar verifies veil's VC 2.0");
    let mut tampered: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("vc-v2.json")).expect("read")).expect("VC");
    tampered["credentialSubject"]["country"] = "US".into();
    write_json(d, "tampered-v2.json", &tampered);
    assert!(bazaar_verify(d, "tampered-v2.json").is_err());

    // The other way: credentials those libraries sign verify in veil, and
    // are reported as what they are.
    let others_did = format!("{did}:bazaar");
    let others_doc =
        node(d, "bazaar.mjs", &["keygen", &others_did, "bazaar-web.json"]).expect("keygen");
    std::fs::create_dir_all(d.join("site/bazaar")).expect("mkdir");
    std::fs::write(d.join("site/bazaar/did.json"), others_doc).expect("publish");
    node(d, "bazaar.mjs", &["keygen", "did:key", "bazaar-key.json"]).expect("keygen");
    write_json(d, "membership-v2.json", &membership(2));
    for key in ["bazaar-web.json", "bazaar-key.json"] {
        let signed = node(d, "bazaar.mjs", &["issue", key, "membership-v2.json"]).expect("issue");
        std::fs::write(d.join("signed.json"), &signed).expect("write");
        let verified = ok(
            &[&["vc", "verify", "signed.json"][..], &elsewhere].concat(),
            d,
        );
        assert!(
            verified.contains("a VerifiableCredential, MembershipCredential (not a KycCredential)"),
            "{verified}"
        );
        let mut forged: serde_json::Value = serde_json::from_str(&signed).expect("VC");
        forged["credentialSubject"]["memberOf"] = "Another Club".into();
        write_json(d, "forged.json", &forged);
        fails(
            &[&["vc", "verify", "forged.json"][..], &elsewhere].concat(),
            d,
        );
    }
    assert!(ok(
        &[&["vc", "verify", "signed.json"][..], &elsewhere].concat(),
        d
    )
    .contains("issuer did:key:"));
    let asked_for_kyc = fails(
        &[
            &[
                "vc",
                "verify",
                "signed.json",
                "--credential-out",
                "zk2.json",
            ][..],
            &elsewhere,
        ]
        .concat(),
        d,
    );
    assert!(
        asked_for_kyc.contains("not a KycCredential"),
        "{asked_for_kyc}"
    );
    // didkit signs a VC 1.1 with a did:key; veil verifies it.
    let didkit_key: serde_json::Value =
        serde_json::from_str(&node(d, "didkit.js", &["did", "vc.jwk"]).expect("did"))
            .expect("JSON");
    let mut unsigned = membership(1);
    unsigned["issuer"] = didkit_key["did"].clone();
    write_json(d, "membership-v1.json", &unsigned);
    let signed =
        node(d, "didkit.js", &["sign", "membership-v1.json", "vc.jwk"]).expect("didkit signs");
    std::fs::write(d.join("didkit-signed.json"), signed).expect("write");
    let verified = ok(
        &[&["vc", "verify", "didkit-signed.json"][..], &elsewhere].concat(),
        d,
    );
    assert!(verified.contains("(not a KycCredential)"), "{verified}");
    // And with a did:web key published on the same site (didkit resolves it
    // when it signs, veil when it verifies).
    let didkit_did = format!("{did}:didkit");
    let didkit_vm = format!("{didkit_did}#key-1");
    let multibase = didkit_key["did"]
        .as_str()
        .and_then(|k| k.strip_prefix("did:key:"))
        .expect("a did:key");
    std::fs::create_dir_all(d.join("site/didkit")).expect("mkdir");
    write_json(
        d,
        "site/didkit/did.json",
        &serde_json::json!({
            "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/suites/ed25519-2020/v1"],
            "id": didkit_did,
            "verificationMethod": [{"id": didkit_vm, "type": "Ed25519VerificationKey2020",
                "controller": didkit_did, "publicKeyMultibase": multibase}],
            "assertionMethod": [didkit_vm],
        }),
    );
    unsigned["issuer"] = didkit_did.as_str().into();
    write_json(d, "membership-v1.json", &unsigned);
    let signed = node(
        d,
        "didkit.js",
        &["sign", "membership-v1.json", "vc.jwk", &didkit_vm],
    )
    .expect("didkit signs for did:web");
    std::fs::write(d.join("didkit-web.json"), signed).expect("write");
    let verified = ok(
        &[&["vc", "verify", "didkit-web.json"][..], &elsewhere].concat(),
        d,
    );
    assert!(
        verified.starts_with(&format!("valid: issuer {didkit_did}")),
        "{verified}"
    );

    // Deactivated: the host answers 410 Gone and nobody accepts the VC.
    ok(
        &[
            &[
                "did",
                "deactivate",
                "--key",
                "controller.jwk",
                "--did",
                &did,
            ][..],
            &site,
        ]
        .concat(),
        d,
    );
    let gone = fails(
        &[&["vc", "verify", "vc-v2.json"][..], &elsewhere].concat(),
        d,
    );
    assert!(gone.contains("deactivated"), "{gone}");
    assert!(!didkit_errors(d, "vc-v1.json").is_empty());
    assert!(bazaar_verify(d, "vc-v2.json").is_err());
    drop(server);
}
