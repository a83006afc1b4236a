//! The W3C vc-di-eddsa specification's published test vector for
//! `eddsa-rdfc-2022` (Appendix B.1: the Alumni credential, its key pair and
//! the expected proof value): veil verifies the spec's signed credential,
//! and signing the spec's input with veil's path reproduces the proof value
//! byte for byte (Ed25519 is deterministic).

use base64::Engine;
use serde_json::{json, Value};
use std::sync::Arc;
use veil_did::vc;
use veil_did::*;

const PUBLIC: &str = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2";
const SECRET: &str = "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq";
const CREATED: &str = "2023-02-24T23:36:38Z";
const PROOF_VALUE: &str =
    "z2YwC8z3ap7yx1nZYCg4L3j3ApHsF8kgPdSb5xoS1VR7vPG3F561B52hYnQF9iseabecm3ijx4K1FBTQsCZahKZme";

fn unsigned() -> Value {
    json!({
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://www.w3.org/ns/credentials/examples/v2"
        ],
        "id": "urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33",
        "type": ["VerifiableCredential", "AlumniCredential"],
        "name": "Alumni Credential",
        "description": "A minimum viable example of an Alumni Credential.",
        "issuer": "https://vc.example/issuers/5678",
        "validFrom": "2023-01-01T00:00:00Z",
        "credentialSubject": {
            "id": "did:example:abcdefgh",
            "alumniOf": "The School of Examples"
        }
    })
}

fn method() -> String {
    format!("did:key:{PUBLIC}#{PUBLIC}")
}

fn key() -> ssi::JWK {
    let strip = |s: &str, prefix: [u8; 2]| {
        let (_, bytes) = multibase::decode(s).unwrap();
        assert_eq!(bytes[..2], prefix);
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&bytes[2..])
    };
    serde_json::from_value(json!({
        "kty": "OKP",
        "crv": "Ed25519",
        "x": strip(PUBLIC, [0xed, 0x01]),
        "d": strip(SECRET, [0x80, 0x26]),
    }))
    .unwrap()
}

fn resolver() -> VeilResolver {
    let dir = tempfile::tempdir().unwrap();
    let registry = Arc::new(Registry::open(&dir.path().join("db")).unwrap());
    std::mem::forget(dir); // the registry outlives this function; the OS cleans tmp
    veil_did::resolver(registry)
}

/// The spec's vector is a proof vector: its Data Integrity proof verifies
/// (through the same ssi suite veil verifies with), and a tampered copy does
/// not. As a credential it is refused: its `issuer` is not the DID whose key
/// signed it (review 2, finding 1), as Digital Bazaar refuses it too.
#[tokio::test(flavor = "current_thread")]
async fn veil_verifies_the_specs_signed_credential() {
    use ssi::claims::data_integrity::AnySuite;
    use ssi::claims::vc::AnyJsonCredential;
    use ssi::claims::VerificationParameters;
    let mut signed = unsigned();
    signed["proof"] = json!({
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-rdfc-2022",
        "created": CREATED,
        "verificationMethod": method(),
        "proofPurpose": "assertionMethod",
        "proofValue": PROOF_VALUE,
    });
    let resolver = resolver();
    let proof_verifies = |text: String| {
        let resolver = &resolver;
        async move {
            let parsed =
                ssi::claims::data_integrity::from_json_str::<AnyJsonCredential, AnySuite>(&text)
                    .unwrap();
            let params =
                VerificationParameters::from_resolver(veil_did::resolver::vm_resolver(resolver));
            matches!(parsed.verify(params).await, Ok(Ok(())))
        }
    };
    assert!(
        proof_verifies(signed.to_string()).await,
        "the spec's proof verifies"
    );
    let refused = vc::verify_proof(&resolver, &signed.to_string()).await;
    assert!(
        matches!(&refused, Err(VcError::Field { field, .. }) if field == "issuer"),
        "{refused:?}"
    );
    signed["credentialSubject"]["alumniOf"] = "Another School".into();
    assert!(!proof_verifies(signed.to_string()).await);
}

#[tokio::test(flavor = "current_thread")]
async fn veil_reproduces_the_specs_proof_value() {
    use ssi::claims::data_integrity::{AnySuite, CryptographicSuite, ProofOptions};
    let credential: ssi::claims::vc::v2::JsonCredential =
        serde_json::from_value(unsigned()).unwrap();
    let vm: ssi::dids::DIDURLBuf = method().parse().unwrap();
    let mut options = ProofOptions::from_method(vm.into_iri().into());
    options.created = Some(CREATED.parse().unwrap());
    let signed = AnySuite::EdDsaRdfc2022
        .sign(
            credential,
            &veil_did::resolver::vm_resolver(&resolver()),
            &ssi::verification_methods::SingleSecretSigner::new(key()).into_local(),
            options,
        )
        .await
        .unwrap();
    let v = serde_json::to_value(&signed).unwrap();
    assert_eq!(v["proof"]["proofValue"], PROOF_VALUE);
}
