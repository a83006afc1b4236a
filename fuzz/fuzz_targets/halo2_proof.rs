//! Any bytes as a halo2-KZG proof transcript, verified against the
//! statement's verifying key: a rejection, never a panic. The first 320
//! bytes, when present, are the ten public inputs (32 bytes each, little
//! endian, reduced mod r so that every input is a canonical one).
#![no_main]
use ark_ff::PrimeField;
use libfuzzer_sys::fuzz_target;
use veil_circuits::statement::{PublicInputs, NUM_PUBLIC_INPUTS};
use veil_circuits::F;

fuzz_target!(init: { veil_fuzz::halo2_verifier(); }, |data: &[u8]| {
    let verifier = veil_fuzz::halo2_verifier();
    let (inputs, proof) = data.split_at(data.len().min(32 * NUM_PUBLIC_INPUTS));
    let mut values = vec![F::from(0u64); NUM_PUBLIC_INPUTS];
    for (value, chunk) in values.iter_mut().zip(inputs.chunks(32)) {
        *value = F::from_le_bytes_mod_order(chunk);
    }
    let Some(public) = PublicInputs::from_slice(&values) else {
        return;
    };
    let _ = verifier.verify(proof, &public);
    let _ = veil_halo2::evm::calldata(&public, proof);
});
