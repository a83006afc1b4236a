//! The shared binding layer end to end: a request proves, the proof verifies
//! and decodes, the regulator opens the escrow; bad input gets its code.

use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use serde_json::{json, Value};
use veil_bindings_core::*;
use veil_circuits::encoding::field_to_decimal;
use veil_circuits::statement::files::{
    CredentialJson, HolderJson, PaymentContextJson, PointJson, PolicyJson,
};
use veil_circuits::statement::sample::Sample;
use veil_prover::keys::{encode, KeyKind};
use veil_verifier::snarkjs;

struct Fixture {
    proving_key: Vec<u8>,
    verifying_key: Vec<u8>,
    sample: Sample,
}

/// One setup for all tests (it is the slow part).
fn fixture() -> &'static Fixture {
    static FIXTURE: std::sync::OnceLock<Fixture> = std::sync::OnceLock::new();
    FIXTURE.get_or_init(make_fixture)
}

fn make_fixture() -> Fixture {
    let mut rng = ChaCha20Rng::seed_from_u64(9);
    let keys = veil_prover::setup(&mut rng, |_| {}).expect("setup");
    Fixture {
        proving_key: encode(&keys.proving_key, KeyKind::Proving, &keys.shape).unwrap(),
        verifying_key: encode(keys.verifying_key(), KeyKind::Verifying, &keys.shape).unwrap(),
        sample: Sample::new(&mut rng),
    }
}

fn request(s: &Sample) -> Value {
    json!({
        "credential": CredentialJson::from_credential(&s.credential()),
        "holder": HolderJson::from_secret(s.holder_secret),
        "policy": PolicyJson::from_policy(&s.policy),
        "context": PaymentContextJson::from_context(&s.context),
        "issuers": { "issuers": [PointJson::from_key(&s.issuer_key.public_key())] },
        "revoked": { "revoked": ["12345"] },
    })
}

fn prove(f: &Fixture, req: &Value) -> Result<ProofBundle, BindingError> {
    let prover = WalletProver::from_key_file(&f.proving_key)?;
    let request = ProveRequest::from_json(&req.to_string())?;
    prover.prove(&request, &mut ChaCha20Rng::seed_from_u64(1))
}

#[test]
fn a_request_proves_verifies_decodes_and_opens() {
    let f = fixture();
    let bundle = prove(f, &request(&f.sample)).expect("proves");
    let proof = serde_json::to_string(&bundle.proof).unwrap();
    let public = serde_json::to_string(&bundle.public_signals).unwrap();

    assert!(verify_proof(&f.verifying_key, &proof, &public).unwrap());
    // The snarkjs form of the key verifies the same proof.
    let vk = verifying_key_from_bytes(&f.verifying_key).unwrap();
    let vk_json = snarkjs::verifying_key_to_string(&vk);
    assert!(verify_proof(vk_json.as_bytes(), &proof, &public).unwrap());

    // Another payment hash: well-formed, not valid.
    let mut other = bundle.public_signals.clone();
    other[5] = "42".into();
    let other = serde_json::to_string(&other).unwrap();
    assert!(!verify_proof(&f.verifying_key, &proof, &other).unwrap());

    let decoded = decode_proof(&proof, &public).unwrap();
    assert_eq!(
        decoded.public.payment_hash,
        field_to_decimal(&f.sample.context.payment_hash)
    );
    assert_eq!(decoded.public.policy_hash, bundle.public_signals[0]);
    assert_eq!(decoded.calldata, bundle.calldata);
    assert!(decoded.calldata_abi.starts_with("0x"));
    assert_eq!(decoded.calldata_abi.len(), 2 + 2 * 32 * (8 + 10));
}

#[test]
fn bad_input_gets_its_code_and_names_the_field() {
    let f = fixture();
    // A credential that expired before the payment's day: refused by rule.
    let mut req = request(&f.sample);
    req["context"]["today"] = json!(f.sample.claims.expires_at + 1);
    let err = prove(f, &req).expect_err("refused");
    assert_eq!(err.code, ErrorCode::WitnessRefused);
    assert!(err.message.contains("expired"), "{}", err.message);

    // A revoked credential.
    let mut req = request(&f.sample);
    req["revoked"]["revoked"] = json!([field_to_decimal(&f.sample.claims.credential_id)]);
    let err = prove(f, &req).expect_err("refused");
    assert_eq!(err.code, ErrorCode::WitnessRefused);
    assert!(err.message.contains("revoked"), "{}", err.message);

    // A field element out of range names its document.
    let mut req = request(&f.sample);
    req["holder"]["secret"] =
        json!("99999999999999999999999999999999999999999999999999999999999999999999999999999999");
    let err = prove(f, &req).expect_err("refused");
    assert_eq!(err.code, ErrorCode::MalformedInput);
    assert!(err.message.starts_with("holder"), "{}", err.message);

    // A missing document.
    let mut req = request(&f.sample);
    req.as_object_mut().unwrap().remove("policy");
    let err = ProveRequest::from_json(&req.to_string()).unwrap_err();
    assert_eq!(err.code, ErrorCode::MalformedInput);
    assert!(err.message.contains("policy"), "{}", err.message);

    // A truncated proving key.
    let err = WalletProver::from_key_file(&f.proving_key[..1000])
        .err()
        .expect("refused");
    assert_eq!(err.code, ErrorCode::InvalidKey);
    // A verifying key file passed as the proving key.
    let err = WalletProver::from_key_file(&f.verifying_key)
        .err()
        .expect("refused");
    assert_eq!(err.code, ErrorCode::InvalidKey);
    // Pinned: the pinned file loads; another file, or a pin that is not
    // one, is refused with the same codes as natively.
    let pin = veil_prover::keys::KeyPin::of(&f.proving_key).to_string();
    assert!(WalletProver::from_pinned_key_file(&f.proving_key, &pin).is_ok());
    let err = WalletProver::from_pinned_key_file(&f.verifying_key, &pin)
        .err()
        .expect("refused");
    assert_eq!(err.code, ErrorCode::InvalidKey);
    assert!(err.message.contains("pinned"), "{}", err.message);
    let err = WalletProver::from_pinned_key_file(&f.proving_key, "beef")
        .err()
        .expect("refused");
    assert_eq!(err.code, ErrorCode::MalformedInput);

    // Proofs and inputs that cannot be read.
    let err = verify_proof(&f.verifying_key, "{", "[]").unwrap_err();
    assert_eq!(err.code, ErrorCode::MalformedInput);
    assert!(err.message.starts_with("proof"), "{}", err.message);
    let err = verify_proof(b"not a key", "{}", "[]").unwrap_err();
    assert_eq!(err.code, ErrorCode::MalformedInput);
    assert!(err.message.starts_with("verifying key"), "{}", err.message);
}
