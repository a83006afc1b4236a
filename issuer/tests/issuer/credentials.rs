//! KycCredentials: issue and verify in both formats, the claims round trip,
//! mismatches between the two signatures, validity, revocation.

use crate::support;
use ark_std::rand::{rngs::StdRng, SeedableRng};
use serde_json::Value;
use std::sync::Arc;
use veil_circuits::eddsa::PrivateKey;
use veil_circuits::encoding::field_to_decimal;
use veil_circuits::statement::sample::Sample;
use veil_did::vc::{self, Format, Issuer, StatusEntry};
use veil_did::*;
use veil_issuer::status::{StatusError, StatusStore};

struct World {
    _dir: tempfile::TempDir,
    resolver: VeilResolver,
    did: String,
    signing: ControllerKey,
    zk: PrivateKey,
    status: StatusStore,
    sample: Sample,
}

const LIST: &str = "https://issuer.example/status/1";

fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let registry = Arc::new(Registry::open(&dir.path().join("dids")).unwrap());
    let controller = ControllerKey::generate().unwrap();
    let signing = ControllerKey::generate().unwrap();
    let sample = Sample::new(&mut StdRng::seed_from_u64(3));
    let zk = PrivateKey::from_bytes(sample.issuer_key.to_bytes());
    let point = zk.public_key();
    let did = registry
        .create(
            &controller,
            MethodSpec::issuer_keys(
                signing.public_multibase().unwrap(),
                BabyJubJubPoint {
                    x: field_to_decimal(&point.0.x),
                    y: field_to_decimal(&point.0.y),
                },
            ),
            vec![],
        )
        .unwrap()
        .did_document
        .id;
    let status = StatusStore::open(&dir.path().join("status")).unwrap();
    World {
        resolver: resolver(registry),
        _dir: dir,
        did,
        signing,
        zk,
        status,
        sample,
    }
}

impl World {
    fn issuer(&self) -> Issuer<'_> {
        Issuer {
            did: &self.did,
            signing_key: &self.signing,
            signing_fragment: "vc-1",
            zk_key: vc::ZkSigning::Key(&self.zk),
            zk_fragment: "bjj-1",
        }
    }

    async fn issue(&self, format: Format) -> (Value, String) {
        let index = self
            .status
            .allocate(&self.sample.claims.credential_id)
            .unwrap();
        let entry = StatusEntry::revocation(LIST, index);
        let vc = vc::issue(
            &self.resolver,
            &self.issuer(),
            &self.sample.claims,
            Some("did:example:holder".into()),
            Some(&entry),
            format,
        )
        .await
        .unwrap();
        let text = serde_json::to_string_pretty(&vc).unwrap();
        (vc, text)
    }

    async fn status_list(&self) -> String {
        let v = self
            .status
            .status_list_credential(&self.resolver, &self.did, &self.signing, "vc-1", LIST)
            .await
            .unwrap();
        serde_json::to_string(&v).unwrap()
    }

    fn today(&self) -> u32 {
        self.sample.context.today
    }
}

#[tokio::test(flavor = "current_thread")]
async fn a_v2_credential_round_trips_to_the_circuit_claims() {
    let w = world();
    let (vc, text) = w.issue(Format::V2).await;
    assert_eq!(vc["@context"][0], "https://www.w3.org/ns/credentials/v2");
    assert_eq!(vc["proof"]["cryptosuite"], "eddsa-rdfc-2022");
    assert_eq!(vc["credentialSubject"]["country"], "DE");
    assert_eq!(vc["credentialSubject"]["birthDate"], "1989-12-27");
    assert_eq!(vc["credentialSubject"]["kycLevel"], "enhanced");
    assert_eq!(vc["credentialSubject"]["issuedAt"], "2024-06-26");
    assert_eq!(vc["validFrom"], "2024-06-26T00:00:00Z");
    let verified = vc::verify(&w.resolver, &text, w.today()).await.unwrap();
    assert_eq!(verified.credential.claims, w.sample.claims);
    assert_eq!(verified.credential.issuer, w.zk.public_key());
    assert_eq!(verified.format, Format::V2);
    // The result feeds the witness builder as is.
    let mut s = Sample::new(&mut StdRng::seed_from_u64(3));
    s.claims = verified.credential.claims;
    s.witness().expect("the credential proves");
}

#[tokio::test(flavor = "current_thread")]
async fn a_v1_credential_uses_ed25519_signature_2020() {
    let w = world();
    let (vc, text) = w.issue(Format::V1).await;
    assert_eq!(vc["proof"]["type"], "Ed25519Signature2020");
    assert!(vc.get("issuanceDate").is_some());
    let verified = vc::verify(&w.resolver, &text, w.today()).await.unwrap();
    assert_eq!(verified.credential.claims, w.sample.claims);
    assert_eq!(verified.format, Format::V1);
}

#[tokio::test(flavor = "current_thread")]
async fn tampering_with_either_signature_or_the_claims_is_refused() {
    let w = world();
    for format in [Format::V2, Format::V1] {
        let (vc, _) = w.issue(format).await;
        let mut cases: Vec<(&str, Value)> = Vec::new();
        let mut v = vc.clone();
        v["credentialSubject"]["riskScore"] = 10.into();
        cases.push(("risk score changed", v));
        let mut v = vc.clone();
        v["credentialSubject"]["country"] = "FR".into();
        cases.push(("country changed", v));
        let mut v = vc.clone();
        v["zkSignature"]["s"] = "12345".into();
        cases.push(("zk signature changed", v));
        let mut v = vc.clone();
        v.as_object_mut().unwrap().remove("proof");
        cases.push(("no proof", v));
        for (name, v) in cases {
            let r = vc::verify(&w.resolver, &v.to_string(), w.today()).await;
            assert!(r.is_err(), "{format:?}: {name} accepted");
        }
    }
}

#[tokio::test(flavor = "current_thread")]
async fn a_zk_signature_over_other_claims_is_a_mismatch() {
    // Both signatures valid, but over different claims: the issuer's classic
    // signature covers a credential whose zkSignature signs other claims.
    let w = world();
    let mut other = w.sample.claims;
    other.risk_score = 999;
    let forged = PrivateKey::from_bytes(w.zk.to_bytes()).sign(other.hash());
    let (vc, _) = w.issue(Format::V2).await;
    let mut v = vc.clone();
    v.as_object_mut().unwrap().remove("proof");
    v["zkSignature"]["s"] = veil_circuits::statement::files::CredentialJson::from_credential(
        &veil_circuits::statement::Credential {
            claims: other,
            issuer: w.zk.public_key(),
            signature: forged,
        },
    )
    .signature
    .s
    .into();
    // Re-sign classically so only the mismatch remains.
    let resigned: veil_circuits::statement::files::CredentialJson =
        veil_circuits::statement::files::CredentialJson::from_credential(
            &veil_circuits::statement::Credential {
                claims: other,
                issuer: w.zk.public_key(),
                signature: forged,
            },
        );
    v["zkSignature"]["r8"] = serde_json::to_value(&resigned.signature.r8).unwrap();
    let unsigned: ssi::claims::vc::v2::JsonCredential = serde_json::from_value(v).unwrap();
    let vm: ssi::dids::DIDURLBuf = format!("{}#vc-1", w.did).parse().unwrap();
    use ssi::claims::data_integrity::{AnySuite, CryptographicSuite, ProofOptions};
    let signed = AnySuite::EdDsaRdfc2022
        .sign(
            unsigned,
            &veil_did::resolver::vm_resolver(&w.resolver),
            &ssi::verification_methods::SingleSecretSigner::new(w.signing.jwk().clone())
                .into_local(),
            ProofOptions::from_method(vm.into_iri().into()),
        )
        .await
        .unwrap();
    let text = serde_json::to_string(&signed).unwrap();
    let r = vc::verify(&w.resolver, &text, w.today()).await;
    assert!(matches!(r, Err(VcError::ZkMismatch)), "{r:?}");
}

#[tokio::test(flavor = "current_thread")]
async fn validity_is_checked_by_day() {
    let w = world();
    let (_, text) = w.issue(Format::V2).await;
    let c = &w.sample.claims;
    vc::verify(&w.resolver, &text, c.issued_at).await.unwrap();
    vc::verify(&w.resolver, &text, c.expires_at - 1)
        .await
        .unwrap();
    for day in [c.issued_at - 1, c.expires_at] {
        let r = vc::verify(&w.resolver, &text, day).await;
        assert!(matches!(r, Err(VcError::Validity { .. })), "{day}: {r:?}");
    }
}

#[tokio::test(flavor = "current_thread")]
async fn revocation_updates_the_tree_and_the_status_list() {
    let w = world();
    let (_, text) = w.issue(Format::V2).await;
    let verified = vc::verify(&w.resolver, &text, w.today()).await.unwrap();
    vc::check_status(&w.resolver, &verified, &w.status_list().await)
        .await
        .unwrap();
    let before = w.status.root();
    let record = w.status.revoke(&w.sample.claims.credential_id).unwrap();
    assert_ne!(w.status.root(), before);
    assert_eq!(record.root, field_to_decimal(&w.status.root()));
    assert!(w.status.is_revoked(&w.sample.claims.credential_id).unwrap());
    let r = vc::check_status(&w.resolver, &verified, &w.status_list().await).await;
    assert!(matches!(r, Err(VcError::Revoked(_))), "{r:?}");
    assert!(matches!(
        w.status.revoke(&w.sample.claims.credential_id),
        Err(StatusError::AlreadyRevoked)
    ));
    // The statement's registry built from the store's ids has the same root.
    let registry = veil_circuits::statement::Registry::new(
        &[w.zk.public_key()],
        &w.status.revoked_ids().unwrap(),
    )
    .unwrap();
    assert_eq!(registry.revocation_root(), w.status.root());
    assert_eq!(w.status.root_history().unwrap().len(), 1);
}

#[tokio::test(flavor = "current_thread")]
async fn malformed_credentials_are_typed_errors() {
    let w = world();
    for text in [
        "",
        "{}",
        "[]",
        "{\"@context\": 5}",
        "{\"@context\": [\"https://www.w3.org/ns/credentials/v2\"]}",
    ] {
        assert!(
            vc::verify(&w.resolver, text, w.today()).await.is_err(),
            "{text}"
        );
    }
}

#[test]
fn the_store_never_issues_an_id_the_revocation_tree_cannot_list() {
    use ark_ff::Field;
    use veil_circuits::F;
    let dir = tempfile::tempdir().unwrap();
    let store = StatusStore::open(dir.path()).unwrap();
    for id in [F::from(0u64), F::from(2u64).pow([248u64]), -F::from(1u64)] {
        assert!(matches!(
            store.allocate(&id),
            Err(StatusError::IdOutOfRange)
        ));
    }
    let widest = F::from(2u64).pow([248u64]) - F::from(1u64);
    store.allocate(&widest).unwrap();
    store.revoke(&widest).unwrap();
    assert!(store.is_revoked(&widest).unwrap());
}

/// The `n`-th id the crash writer revokes.
fn crash_id(n: u64) -> veil_circuits::F {
    veil_circuits::F::from(n * 7_919 + 1)
}

/// Crash injection: the writer (this test binary re-run with
/// `VEIL_CRASH_STATUS_DIR`, see [`crash_status_writer_child_process`])
/// revokes ids forever; it is SIGKILLed at random points 200 times. After
/// each kill the store reopens (which rebuilds the tree and checks it
/// against the last recorded root), the revoked ids are the writer's ids
/// 1..n in order, root record `i` says `i` revoked, the last record's root
/// is the tree's, and no acknowledged revocation is lost.
#[test]
fn the_revocation_store_survives_sigkill_at_random_points() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let check = |kill: usize, acked: u64| {
        let store = StatusStore::open(dir)
            .unwrap_or_else(|e| panic!("kill {kill}: the store does not reopen: {e}"));
        let ids = store.revoked_ids().unwrap();
        let n = ids.len() as u64;
        assert!(
            n >= acked,
            "kill {kill}: revocation {acked} lost (have {n})"
        );
        for (i, id) in ids.iter().enumerate() {
            assert_eq!(*id, crash_id(i as u64 + 1), "kill {kill}: order");
            assert!(store.is_revoked(id).unwrap());
        }
        let history = store.root_history().unwrap();
        assert_eq!(
            history.len() as u64,
            n,
            "kill {kill}: one root per revocation"
        );
        for (i, r) in history.iter().enumerate() {
            assert_eq!((r.sequence, r.revoked), (i as u64 + 1, i as u64 + 1));
        }
        if let Some(last) = history.last() {
            assert_eq!(last.root, field_to_decimal(&store.root()));
        }
    };
    let acked = support::kill_at_random_points(
        "credentials::crash_status_writer_child_process",
        "VEIL_CRASH_STATUS_DIR",
        dir,
        23,
        200,
        check,
    );
    assert!(
        acked > 100,
        "the writer acknowledged only {acked} revocations"
    );
}

/// The writer for the test above (returns at once unless
/// `VEIL_CRASH_STATUS_DIR` is set): allocates and revokes the next id
/// forever, printing `acked <n>` after each synced revocation returns.
#[test]
fn crash_status_writer_child_process() {
    let Ok(dir) = std::env::var("VEIL_CRASH_STATUS_DIR") else {
        return;
    };
    use std::io::Write;
    let store = StatusStore::open(std::path::Path::new(&dir)).expect("reopens");
    let mut n = store.revoked_ids().expect("ids").len() as u64;
    let stdout = std::io::stdout();
    loop {
        let id = crash_id(n + 1);
        store.allocate(&id).expect("allocate");
        store.revoke(&id).expect("revoke");
        n += 1;
        let _ = writeln!(stdout.lock(), "acked {n}");
        let _ = stdout.lock().flush();
    }
}

/// Review 2, finding 13: a status list says until when it is valid and is
/// refused after that, so a list from before a revocation cannot be
/// replayed past its lifetime.
#[tokio::test(flavor = "current_thread")]
async fn r2_finding_13_a_status_list_past_its_validity_is_refused() {
    let w = world();
    let (_, text) = w.issue(Format::V2).await;
    let verified = vc::verify(&w.resolver, &text, w.today()).await.unwrap();
    let list = w.status_list().await;
    let parsed: Value = serde_json::from_str(&list).unwrap();
    assert!(parsed.get("validUntil").is_some(), "{parsed}");
    let now = chrono::Utc::now();
    vc::check_status_at(&w.resolver, &verified, &list, now)
        .await
        .expect("a current list");
    let hours = veil_did::status_list::STATUS_LIST_TTL_HOURS;
    let later = now + chrono::Duration::hours(hours + 1);
    let stale = vc::check_status_at(&w.resolver, &verified, &list, later).await;
    assert!(
        matches!(&stale, Err(VcError::Field { field, .. }) if field == "validUntil"),
        "{stale:?}"
    );
}
