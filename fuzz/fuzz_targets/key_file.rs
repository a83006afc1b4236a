//! Any bytes as a key file: a Groth16 proving or verifying key (raw, and
//! framed with a valid header and checksum, compressed, uncompressed and with
//! the circuit's matrices, so
//! mutations reach the point decoders), a halo2 proving or verifying key, or
//! universal parameters.
//! Typed errors, no panics, no allocation sized by a length field.
#![no_main]
use libfuzzer_sys::fuzz_target;
use veil_halo2::keys::{Halo2Keys, Halo2VerifyingKey};
use veil_halo2::params::UniversalParams;
use veil_prover::keys::{
    decode, decode_proving_key, decode_proving_key_pinned, KeyKind, KeyPin, MAGIC_UNCOMPRESSED,
    MAGIC_WITH_MATRICES,
};
use veil_prover::{CircuitShape, VerifyingKey};

fuzz_target!(|data: &[u8]| {
    let shape = &CircuitShape::COMPLIANCE;
    let _ = decode::<VerifyingKey>(data, KeyKind::Verifying, shape);
    let _ = decode_proving_key(data, shape);
    let framed_vk = veil_fuzz::framed_key(KeyKind::Verifying, data);
    let _ = decode::<VerifyingKey>(&framed_vk, KeyKind::Verifying, shape);
    let framed_pk = veil_fuzz::framed_key(KeyKind::Proving, data);
    let _ = decode_proving_key(&framed_pk, shape);
    // The uncompressed encoding, checked and pinned (a pinned file's points
    // are not checked, but its decoder must still refuse, not panic).
    let framed_raw = veil_fuzz::framed_key_with(MAGIC_UNCOMPRESSED, KeyKind::Proving, data);
    let _ = decode_proving_key(&framed_raw, shape);
    let _ = decode_proving_key_pinned(&framed_raw, shape, &KeyPin::of(&framed_raw));
    // The file that carries the circuit's matrices after the key.
    let framed_matrices = veil_fuzz::framed_key_with(MAGIC_WITH_MATRICES, KeyKind::Proving, data);
    let _ = decode_proving_key(&framed_matrices, shape);
    let _ = veil_bindings_core::verify::verifying_key_from_bytes(data);
    let _ = veil_bindings_core::prove::WalletProver::from_key_file(&framed_pk);
    let _ = Halo2VerifyingKey::from_bytes(data);
    let _ = Halo2Keys::from_bytes(data);
    // Parameters are pinned by their BLAKE3: pin these bytes' own hash so
    // the decoder behind the pin is reached.
    let _ = UniversalParams::load(data, &blake3::hash(data).to_hex());
});
