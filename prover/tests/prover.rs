//! Setup, key files and proving for the compliance statement.

use ark_groth16::Groth16;
use ark_std::rand::{rngs::StdRng, SeedableRng};
use std::sync::OnceLock;
use veil_circuits::statement::sample::Sample;
use veil_prover::keys::{self, KeyFileError, KeyKind};
use veil_prover::{setup, CircuitShape, Curve, Keys, Prover, SetupStage};

fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| setup(&mut StdRng::seed_from_u64(1), |_| {}).expect("setup"))
}

#[test]
fn setup_reports_its_stages_in_order() {
    let mut stages = Vec::new();
    let keys = setup(&mut StdRng::seed_from_u64(2), |s| stages.push(s)).unwrap();
    assert_eq!(
        stages,
        [SetupStage::Shape, SetupStage::Keys, SetupStage::Done]
    );
    assert_eq!(keys.verifying_key().gamma_abc_g1.len(), 11);
    assert_eq!(keys.shape, CircuitShape::COMPLIANCE);
}

#[test]
fn shape_is_stable_and_sized_like_the_statement() {
    let a = veil_prover::shape::Matrices::of(veil_circuits::statement::ComplianceCircuit::blank())
        .unwrap()
        .shape;
    let b = veil_prover::shape::Matrices::of(veil_circuits::statement::ComplianceCircuit::blank())
        .unwrap()
        .shape;
    assert_eq!(a, b);
    assert_eq!(a.num_instance_variables, 11);
    // v2 with 4-ary trees and packed claims is 17,038; v3 must stay within 24,400.
    assert!(a.num_constraints > 17_000 && a.num_constraints <= 24_400);
}

#[test]
fn a_proof_verifies_and_carries_the_witness_public_inputs() {
    let keys = keys();
    let prover = Prover::new(keys.proving_key.clone()).unwrap();
    let mut rng = StdRng::seed_from_u64(3);
    let sample = Sample::new(&mut rng);
    let witness = sample.witness().unwrap();
    let expected = witness.public;
    let (proof, public) = prover.prove(witness, &mut rng).unwrap();
    assert_eq!(public, expected);
    let pvk = ark_groth16::prepare_verifying_key(keys.verifying_key());
    assert!(Groth16::<Curve>::verify_proof(&pvk, &proof, &public.to_vec()).unwrap());
}

#[test]
fn proofs_are_randomised() {
    let prover = Prover::new(keys().proving_key.clone()).unwrap();
    let mut rng = StdRng::seed_from_u64(4);
    let sample = Sample::new(&mut rng);
    let (p1, _) = prover.prove(sample.witness().unwrap(), &mut rng).unwrap();
    let (p2, _) = prover.prove(sample.witness().unwrap(), &mut rng).unwrap();
    assert_ne!(p1, p2);
}

#[test]
fn a_witness_the_builder_would_refuse_fails_the_self_check() {
    let prover = Prover::new(keys().proving_key.clone()).unwrap();
    let mut rng = StdRng::seed_from_u64(5);
    let sample = Sample::new(&mut rng);
    let mut witness = sample.witness().unwrap();
    // Forced past the builder: claim another payment than the one proved.
    witness.public.nullifier += veil_circuits::F::from(1u64);
    assert!(matches!(
        prover.prove(witness, &mut rng),
        Err(veil_prover::ProveError::SelfCheckFailed)
    ));
}

#[test]
fn key_files_round_trip() {
    let keys = keys();
    let dir = tempfile::tempdir().unwrap();
    let pk_path = dir.path().join("compliance.pk");
    let vk_path = dir.path().join("compliance.vk");
    keys::save_proving_key(&pk_path, &keys.proving_key, &keys.matrices, &keys.shape).unwrap();
    keys::save_verifying_key(&vk_path, keys.verifying_key(), &keys.shape).unwrap();
    let vk = keys::load_verifying_key(&vk_path, &keys.shape).unwrap();
    assert_eq!(&vk, keys.verifying_key());
    let prover = Prover::load(&pk_path).unwrap();
    assert_eq!(prover.proving_key(), &keys.proving_key);
}

fn vk_file() -> Vec<u8> {
    let keys = keys();
    keys::encode(keys.verifying_key(), KeyKind::Verifying, &keys.shape).unwrap()
}

fn decode_vk(bytes: &[u8]) -> Result<veil_prover::VerifyingKey, KeyFileError> {
    keys::decode(bytes, KeyKind::Verifying, &keys().shape)
}

#[test]
fn damaged_key_files_are_refused_with_the_reason() {
    let good = vk_file();
    assert!(decode_vk(&good).is_ok());

    for cut in [0, 5, 20, 49, good.len() / 2, good.len() - 1] {
        assert!(
            matches!(
                decode_vk(&good[..cut]),
                Err(KeyFileError::BadMagic | KeyFileError::Length { .. })
            ),
            "truncated at {cut}"
        );
    }
    let mut padded = good.clone();
    padded.push(0);
    assert!(matches!(
        decode_vk(&padded),
        Err(KeyFileError::Length { .. })
    ));

    let mut magic = good.clone();
    magic[0] ^= 1;
    assert!(matches!(decode_vk(&magic), Err(KeyFileError::BadMagic)));

    let mut flipped = good.clone();
    flipped[60] ^= 1;
    assert!(matches!(decode_vk(&flipped), Err(KeyFileError::Checksum)));

    assert!(matches!(
        keys::decode::<veil_prover::ProvingKey>(&good, KeyKind::Proving, &keys().shape),
        Err(KeyFileError::WrongKind { found: 2, .. })
    ));
}

#[test]
fn a_key_for_another_circuit_is_detected() {
    let mut other = keys().shape.clone();
    other.digest[0] ^= 0xff;
    let foreign = keys::encode(keys().verifying_key(), KeyKind::Verifying, &other).unwrap();
    assert!(matches!(
        decode_vk(&foreign),
        Err(KeyFileError::CircuitMismatch { .. })
    ));
}

#[test]
fn a_valid_checksum_over_an_invalid_point_is_still_refused() {
    // An attacker can recompute the checksum; point validation must hold.
    let keys = keys();
    let mut payload = Vec::new();
    ark_serialize::CanonicalSerialize::serialize_compressed(keys.verifying_key(), &mut payload)
        .unwrap();
    // alpha_g1's x coordinate: make it a non-residue / off-curve candidate.
    payload[0] ^= 0x5a;
    let mut file = keys::encode(keys.verifying_key(), KeyKind::Verifying, &keys.shape).unwrap();
    let start = 49;
    file[start..start + payload.len()].copy_from_slice(&payload);
    let n = file.len();
    let sum = *blake3::hash(&payload).as_bytes();
    file[n - 32..].copy_from_slice(&sum);
    assert!(matches!(decode_vk(&file), Err(KeyFileError::Malformed(_))));
}

#[test]
fn missing_files_name_the_path() {
    let err = keys::load_verifying_key(std::path::Path::new("/nonexistent/x.vk"), &keys().shape)
        .unwrap_err();
    assert!(err.to_string().contains("/nonexistent/x.vk"));
}

#[test]
fn the_parallel_proving_key_decoder_agrees_and_validates() {
    let keys = keys();
    let file = keys::encode(&keys.proving_key, KeyKind::Proving, &keys.shape).unwrap();
    let parallel = keys::decode_proving_key(&file, &keys.shape).unwrap().key;
    let sequential: veil_prover::ProvingKey =
        keys::decode(&file, KeyKind::Proving, &keys.shape).unwrap();
    assert_eq!(parallel, sequential);

    // Damage the 100th point of a_query (all-ones bytes are above the field
    // modulus, whatever the flags) and re-seal the checksum.
    let mut bad = file.clone();
    let n = bad.len();
    let vk_len = ark_serialize::CanonicalSerialize::compressed_size(keys.verifying_key());
    let at = 49 + vk_len + 2 * 32 + 8 + 100 * 32;
    bad[at..at + 32].fill(0xff);
    let sum = *blake3::hash(&bad[49..n - 32]).as_bytes();
    bad[n - 32..].copy_from_slice(&sum);
    assert!(matches!(
        keys::decode_proving_key(&bad, &keys.shape),
        Err(KeyFileError::Malformed(_))
    ));
}

/// Re-seals a key file's checksum after its payload was changed.
fn reseal(file: &mut [u8]) {
    let n = file.len();
    let sum = *blake3::hash(&file[49..n - 32]).as_bytes();
    file[n - 32..].copy_from_slice(&sum);
}

#[test]
fn uncompressed_key_files_decode_to_the_same_key_and_check_every_point() {
    use ark_serialize::CanonicalSerialize;
    let keys = keys();
    let pk = &keys.proving_key;
    let file = keys::encode_with(
        pk,
        KeyKind::Proving,
        &keys.shape,
        keys::Encoding::Uncompressed,
    )
    .unwrap();
    assert_eq!(&file[..8], keys::MAGIC_UNCOMPRESSED);
    assert_eq!(
        keys::decode_proving_key(&file, &keys.shape).unwrap().key,
        *pk
    );
    let vk: veil_prover::VerifyingKey = keys::decode(
        &keys::encode_with(
            keys.verifying_key(),
            KeyKind::Verifying,
            &keys.shape,
            keys::Encoding::Uncompressed,
        )
        .unwrap(),
        KeyKind::Verifying,
        &keys.shape,
    )
    .unwrap();
    assert_eq!(&vk, keys.verifying_key());

    // A G1 point (a_query's 100th) and a G2 point (b_g2_query's 100th)
    // moved off their curves, the checksum re-sealed: both refused.
    let vk_len = pk.vk.uncompressed_size();
    let a_at = 49 + vk_len + 2 * 64 + 8 + 100 * 64;
    let mut bad_g1 = file.clone();
    bad_g1[a_at] ^= 1;
    reseal(&mut bad_g1);
    let g2_at = 49 + vk_len + 2 * 64 + 8 + pk.a_query.len() * 64 + 8 + pk.b_g1_query.len() * 64 + 8;
    let mut bad_g2 = file.clone();
    bad_g2[g2_at + 100 * 128] ^= 1;
    reseal(&mut bad_g2);
    for bad in [&bad_g1, &bad_g2] {
        assert!(matches!(
            keys::decode_proving_key(bad, &keys.shape),
            Err(KeyFileError::Malformed(_))
        ));
    }
}

#[test]
fn a_pinned_key_loads_unchecked_and_any_other_file_is_refused() {
    let keys = keys();
    let file = keys::encode_with(
        &keys.proving_key,
        KeyKind::Proving,
        &keys.shape,
        keys::Encoding::Uncompressed,
    )
    .unwrap();
    let pin = keys::KeyPin::of(&file);
    assert_eq!(keys::KeyPin::from_hex(&pin.to_string()), Some(pin));
    assert_eq!(keys::KeyPin::from_hex("00"), None);
    assert_eq!(
        keys::decode_proving_key_pinned(&file, &keys.shape, &pin)
            .unwrap()
            .key,
        keys.proving_key
    );
    // The same key in the other encoding, a flipped byte, another file:
    // none is the pinned file.
    let compressed = keys::encode(&keys.proving_key, KeyKind::Proving, &keys.shape).unwrap();
    let mut flipped = file.clone();
    flipped[1000] ^= 1;
    for other in [&compressed, &flipped] {
        assert!(matches!(
            keys::decode_proving_key_pinned(other, &keys.shape, &pin),
            Err(KeyFileError::PinMismatch { .. })
        ));
    }
    // Through the prover, from a file on disk.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("compliance.pk");
    keys::save_proving_key(&path, &keys.proving_key, &keys.matrices, &keys.shape).unwrap();
    let on_disk = std::fs::read(&path).unwrap();
    assert_eq!(&on_disk[..8], keys::MAGIC_WITH_MATRICES);
    let prover = Prover::load_pinned(&path, &keys::KeyPin::of(&on_disk)).unwrap();
    let w = Sample::new(&mut StdRng::seed_from_u64(3))
        .witness()
        .unwrap();
    prover.prove(w, &mut StdRng::seed_from_u64(4)).unwrap();
    assert!(matches!(
        Prover::load_pinned(&path, &pin_of_nothing()),
        Err(veil_prover::LoadError::KeyFile(
            KeyFileError::PinMismatch { .. }
        ))
    ));
}

fn pin_of_nothing() -> keys::KeyPin {
    keys::KeyPin::of(b"")
}

#[test]
fn a_key_file_carries_the_circuits_matrices_and_refuses_any_others() {
    let keys = keys();
    let file = keys::encode_proving_key(&keys.proving_key, &keys.matrices, &keys.shape).unwrap();
    assert_eq!(&file[..8], keys::MAGIC_WITH_MATRICES);
    // Decoded, checked or pinned: the key and the synthesized matrices.
    let decoded = keys::decode_proving_key(&file, &keys.shape).unwrap();
    assert_eq!(decoded.key, keys.proving_key);
    assert_eq!(decoded.matrices.as_ref(), Some(&keys.matrices));
    let pinned = keys::decode_proving_key_pinned(&file, &keys.shape, &keys::KeyPin::of(&file));
    assert_eq!(pinned.unwrap().matrices.as_ref(), Some(&keys.matrices));
    // The generic decoder checks them too and gives the key.
    let key: veil_prover::ProvingKey = keys::decode(&file, KeyKind::Proving, &keys.shape).unwrap();
    assert_eq!(key, keys.proving_key);

    // A prover from the file proves without synthesizing; one from the
    // older file (no matrices) synthesizes them and gets the same.
    let prover = Prover::from_key_file(&file).unwrap();
    let older = keys::encode_with(
        &keys.proving_key,
        KeyKind::Proving,
        &keys.shape,
        keys::Encoding::Uncompressed,
    )
    .unwrap();
    assert_eq!(
        keys::decode_proving_key(&older, &keys.shape)
            .unwrap()
            .matrices,
        None
    );
    assert_eq!(
        Prover::from_key_file(&older).unwrap().shape(),
        prover.shape()
    );
    let mut rng = StdRng::seed_from_u64(11);
    let witness = Sample::new(&mut rng).witness().unwrap();
    prover.prove(witness, &mut rng).unwrap();

    // Another circuit's matrices (one coefficient changed) in a
    // well-formed file, as an attacker would frame it: refused.
    use ark_serialize::CanonicalSerialize;
    let mut other = keys.matrices.clone();
    let row = other[0].iter_mut().find(|row| !row.is_empty()).unwrap();
    row[0].0 += veil_circuits::F::from(1u64);
    let matrices_at = 49 + keys.proving_key.uncompressed_size();
    let mut altered = file[..matrices_at].to_vec();
    altered.extend_from_slice(&veil_system::matrices::encode(&other));
    altered.extend_from_slice(&[0; 32]);
    let n = altered.len() as u64 - 49 - 32;
    altered[41..49].copy_from_slice(&n.to_le_bytes());
    reseal(&mut altered);
    let refused = keys::decode_proving_key(&altered, &keys.shape).unwrap_err();
    assert!(
        matches!(
            refused,
            KeyFileError::Matrices(veil_system::matrices::MatricesError::NotThisCircuit)
        ),
        "{refused}"
    );
    // Cut short, or followed by a byte more: refused the same way.
    for mut bad in [
        file[..file.len() - 40].to_vec(),
        [&file[..file.len() - 32], &[0], &file[file.len() - 32..]].concat(),
    ] {
        let n = bad.len() as u64 - 49 - 32;
        bad[41..49].copy_from_slice(&n.to_le_bytes());
        reseal(&mut bad);
        assert!(matches!(
            keys::decode_proving_key(&bad, &keys.shape),
            Err(KeyFileError::Matrices(_))
        ));
    }
    // Matrices of another circuit are not written, and no verifying key
    // file carries matrices.
    assert!(matches!(
        keys::encode_proving_key(&keys.proving_key, &other, &keys.shape),
        Err(KeyFileError::Matrices(_))
    ));
    let mut as_vk = file.clone();
    as_vk[8] = KeyKind::Verifying as u8;
    assert!(matches!(
        keys::decode::<veil_prover::VerifyingKey>(&as_vk, KeyKind::Verifying, &keys.shape),
        Err(KeyFileError::MatricesOnNonProvingKey)
    ));
}
