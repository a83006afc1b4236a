//! The wasm package in Node (`wasm-pack test --node`): a key made in wasm,
//! a proof made and verified through the exported API, and the errors JS
//! sees. The request is `tests/request.json`, the wallet's documents from a
//! `veil demo --keep` run (a request does not depend on the proving key; its
//! issuer key was made natively, as issuers do: the Blake-512 of circomlib's
//! key derivation has no wasm32 backend in `blake-hash`, and wallets never
//! derive issuer keys).
#![cfg(target_arch = "wasm32")]

use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use veil_prover::keys::{encode, KeyKind};
use veil_wasm::{decode_proof, verify, Prover};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

fn code(error: &JsValue) -> String {
    js_sys::Reflect::get(error, &"code".into())
        .ok()
        .and_then(|c| c.as_string())
        .unwrap_or_default()
}

fn stringify(value: &JsValue) -> String {
    js_sys::JSON::stringify(value).unwrap().as_string().unwrap()
}

#[wasm_bindgen_test]
fn prove_verify_and_errors_in_wasm() {
    let mut rng = ChaCha20Rng::seed_from_u64(5);
    let keys = veil_prover::setup(&mut rng, |_| {}).expect("setup");
    let pk = encode(&keys.proving_key, KeyKind::Proving, &keys.shape).unwrap();
    let vk = encode(keys.verifying_key(), KeyKind::Verifying, &keys.shape).unwrap();
    let mut request: serde_json::Value =
        serde_json::from_str(include_str!("request.json")).expect("fixture");

    let key_bytes = js_sys::Uint8Array::from(pk.as_slice());
    // An ArrayBuffer works as well as a Uint8Array.
    let prover = Prover::new(&key_bytes.buffer().into()).expect("key loads");
    let bundle = prover
        .prove(&JsValue::from_str(&request.to_string()))
        .expect("proves");
    let proof = js_sys::Reflect::get(&bundle, &"proof".into()).unwrap();
    let public = js_sys::Reflect::get(&bundle, &"publicSignals".into()).unwrap();
    let vk_js: JsValue = js_sys::Uint8Array::from(vk.as_slice()).into();
    assert!(verify(&vk_js, &proof, &public).unwrap());

    // The same proof for another payment: false, not an error.
    let mut other: Vec<String> = serde_json::from_str(&stringify(&public)).unwrap();
    other[5] = "1".into();
    let other = JsValue::from_str(&serde_json::to_string(&other).unwrap());
    assert!(!verify(&vk_js, &proof, &other).unwrap());

    let decoded = decode_proof(&proof, &public).unwrap();
    let decoded: serde_json::Value = serde_json::from_str(&stringify(&decoded)).unwrap();
    assert_eq!(
        decoded["public"]["payment_hash"],
        serde_json::from_str::<serde_json::Value>(&stringify(&public)).unwrap()[5]
    );

    // An expired credential: refused, named, nothing proved.
    request["context"]["today"] = request["credential"]["claims"]["expires_at"].clone();
    let err = prover
        .prove(&JsValue::from_str(&request.to_string()))
        .unwrap_err();
    assert_eq!(code(&err), "WITNESS_REFUSED");
    assert!(err.is_instance_of::<js_sys::Error>());

    // Malformed inputs and keys.
    let err = prover
        .prove(&JsValue::from_str("{\"credential\": 1}"))
        .unwrap_err();
    assert_eq!(code(&err), "MALFORMED_INPUT");
    let err = Prover::new(&JsValue::from_str("not bytes")).err().unwrap();
    assert_eq!(code(&err), "MALFORMED_INPUT");
    let err = Prover::new(&js_sys::Uint8Array::from(&pk[..64]).into())
        .err()
        .unwrap();
    assert_eq!(code(&err), "INVALID_KEY");
    let err = verify(&vk_js, &JsValue::from_str("{"), &public).unwrap_err();
    assert_eq!(code(&err), "MALFORMED_INPUT");
}
