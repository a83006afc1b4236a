//! Any bytes as a Groth16 proof or public inputs, in each form veil reads
//! them: compressed bytes, snarkjs's `proof.json`, `public.json` and
//! `verification_key.json`, either system's `proof.json`, and the binding's
//! decoder. Every value must be canonical (field elements < r, points on the
//! curve and in the subgroup) or refused with a typed error.
#![no_main]
use libfuzzer_sys::fuzz_target;
use veil_circuits::statement::PublicInputs;
use veil_verifier::{bytes, snarkjs};

fuzz_target!(|data: &[u8]| {
    let _ = bytes::proof_from_bytes(data);
    if let Ok(public) = bytes::public_from_bytes(data) {
        let _ = PublicInputs::from_slice(&public);
    }
    let Some(s) = veil_fuzz::text(data) else {
        return;
    };
    let _ = snarkjs::proof_from_str(s);
    let _ = snarkjs::verifying_key_from_str(s);
    let _ = veil_verifier::proof_from_json(s);
    if let Ok(public) = snarkjs::public_from_str(s) {
        let _ = PublicInputs::from_slice(&public);
    }
    // The binding takes the two documents together: split at the first NUL.
    let (proof, public) = s.split_once('\0').unwrap_or((s, "[]"));
    let _ = veil_bindings_core::verify::decode_proof(proof, public);
    let _ = veil_bindings_core::verify::read_proof(proof, public);
});
