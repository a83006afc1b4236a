//! The statement on halo2: an honest witness satisfies the circuit, every row
//! of the shared negative table (`veil_circuits::statement::negative`) fails
//! it, and a real proof verifies natively.

use ark_std::rand::{rngs::StdRng, SeedableRng};
use halo2_base::gates::circuit::CircuitBuilderStage;
use halo2_base::halo2_proofs::dev::MockProver;
use veil_circuits::statement::negative::{forced, tamper_cases, witness_cases};
use veil_circuits::statement::sample::Sample;
use veil_circuits::statement::ComplianceWitness;
use veil_halo2::field::fr;
use veil_halo2::statement::{synthesize, CircuitShape, BLINDING_ROWS};
use veil_halo2::Fr;

fn sample() -> Sample {
    Sample::new(&mut StdRng::seed_from_u64(7))
}

/// Whether `w` satisfies the halo2 circuit (MockProver).
fn satisfied(w: &ComplianceWitness) -> bool {
    let shape = CircuitShape::default();
    let mut builder = halo2_base::gates::circuit::builder::BaseCircuitBuilder::from_stage(
        CircuitBuilderStage::Mock,
    )
    .use_k(shape.k as usize)
    .use_lookup_bits(shape.lookup_bits)
    .use_instance_columns(1);
    synthesize(&mut builder, w).expect("encodable witness");
    builder.calculate_params(Some(BLINDING_ROWS));
    let instances: Vec<Fr> = w.public.to_vec().iter().map(fr).collect();
    MockProver::run(shape.k, &builder, vec![instances])
        .expect("mock prover runs")
        .verify()
        .is_ok()
}

#[test]
fn honest_witness_satisfies_the_circuit() {
    let t = std::time::Instant::now();
    let w = sample().witness().expect("honest");
    assert!(satisfied(&w));
    eprintln!("mock {:?}", t.elapsed());
}

/// Honest witnesses whose revocation low leaf is each kind there is: the
/// sentinel (every revoked id above), a revoked id with a next one (ids on
/// both sides, adjacent), and the end of the list (every revoked id below).
#[test]
fn honest_witnesses_with_every_kind_of_low_leaf_satisfy_the_circuit() {
    use veil_circuits::statement::revocation_tree;
    let one = veil_circuits::F::from(1u64);
    for (seed, offsets) in [(0u64, [1i64, 2, 9]), (1, [-1, 1, 4]), (2, [-9, -2, -1])] {
        let mut s = Sample::new(&mut StdRng::seed_from_u64(seed));
        let id = s.claims.credential_id;
        let ids: Vec<_> = offsets
            .iter()
            .map(|o| {
                id + veil_circuits::F::from(o.unsigned_abs()) * if *o < 0 { -one } else { one }
            })
            .collect();
        s.revocation_tree = revocation_tree(&ids).unwrap();
        let w = s.witness().expect("honest");
        assert!(satisfied(&w), "offsets {offsets:?}");
    }
}

#[test]
fn every_negative_case_fails_the_circuit() {
    let mut failures = Vec::new();
    for case in witness_cases() {
        let w = forced(sample, case.change);
        if satisfied(&w) {
            failures.push(case.name);
        }
    }
    for case in tamper_cases() {
        let mut w = sample().witness().expect("honest");
        (case.tamper)(&mut w);
        if satisfied(&w) {
            failures.push(case.name);
        }
    }
    assert!(
        failures.is_empty(),
        "satisfied by bad witnesses: {failures:?}"
    );
}

/// Finding 11 in halo2: claim c0 is the policy hash's first word, so a
/// credential of another schema, forced past the builder, fails the circuit.
#[test]
fn finding_11_a_credential_of_another_schema_fails_the_circuit() {
    let case = witness_cases()
        .into_iter()
        .find(|c| c.name == "credential of another schema")
        .expect("the negative table has the schema row");
    assert!(!satisfied(&forced(sample, case.change)));
}

mod proofs {
    use super::*;
    use std::sync::OnceLock;
    use veil_circuits::F;
    use veil_halo2::keys::{Halo2Keys, Halo2VerifyingKey, KeyError};
    use veil_halo2::params::{ParamsError, UniversalParams};
    use veil_halo2::{prove, verify, Halo2Proof, ProofError};

    struct Env {
        params: UniversalParams,
        keys: Halo2Keys,
        proof: Halo2Proof,
    }

    fn env() -> &'static Env {
        static ENV: OnceLock<Env> = OnceLock::new();
        ENV.get_or_init(|| {
            let params = UniversalParams::insecure_local(CircuitShape::default().k, 11);
            let keys = Halo2Keys::generate(&params, CircuitShape::default()).expect("keys");
            let w = sample().witness().expect("honest");
            let proof = prove(&params, &keys, &w, StdRng::seed_from_u64(2)).expect("proof");
            Env {
                params,
                keys,
                proof,
            }
        })
    }

    #[test]
    fn an_honest_proof_verifies_and_binds_payment_and_scope() {
        let e = env();
        let vk = e.keys.verifying_key();
        verify(&e.params, &vk, &e.proof.bytes, &e.proof.public).expect("verifies");
        for i in 0..veil_circuits::statement::NUM_PUBLIC_INPUTS {
            let mut v = e.proof.public.to_vec();
            v[i] += F::from(1u64);
            let other = veil_circuits::statement::PublicInputs::from_slice(&v).expect("ten");
            assert!(
                matches!(
                    verify(&e.params, &vk, &e.proof.bytes, &other),
                    Err(ProofError::Rejected)
                ),
                "public input {i} changed and the proof still verified"
            );
        }
        let mut flipped = e.proof.bytes.clone();
        flipped[100] ^= 1;
        for bytes in [&e.proof.bytes[..10], &flipped[..], &[][..]] {
            assert!(matches!(
                verify(&e.params, &vk, bytes, &e.proof.public),
                Err(ProofError::Rejected)
            ));
        }
    }

    #[test]
    fn a_forced_bad_witness_proves_but_does_not_verify() {
        let e = env();
        let mut w = sample().witness().expect("honest");
        w.public.escrow_ct += F::from(1u64);
        let vk = e.keys.verifying_key();
        match prove(&e.params, &e.keys, &w, StdRng::seed_from_u64(3)) {
            Ok(p) => assert!(verify(&e.params, &vk, &p.bytes, &p.public).is_err()),
            Err(ProofError::Prover(_)) => {}
            Err(other) => panic!("unexpected error {other}"),
        }
    }

    #[test]
    fn key_files_round_trip_and_keys_regenerate_whole_or_verifying_only() {
        let e = env();
        let vk = e.keys.verifying_key();
        let read = Halo2VerifyingKey::from_bytes(&vk.to_bytes()).expect("vk file");
        verify(&e.params, &read, &e.proof.bytes, &e.proof.public).expect("verifies");
        let keys = Halo2Keys::regenerate(&e.params, &read).expect("regenerated");
        assert_eq!(keys.verifying_key().to_bytes(), vk.to_bytes());
        // The verifying key generated alone is the one the keys contain.
        let alone =
            Halo2VerifyingKey::generate(&e.params, CircuitShape::default()).expect("vk alone");
        assert_eq!(alone.to_bytes(), vk.to_bytes());
        // Under other parameters the same circuit gives another key.
        let other = UniversalParams::insecure_local(CircuitShape::default().k, 12);
        assert!(matches!(
            Halo2Keys::regenerate(&other, &read),
            Err(KeyError::Mismatch)
        ));
        for bad in [&b"VEILH2VK"[..], &b"nonsense"[..], &vk.to_bytes()[..40]] {
            assert!(Halo2VerifyingKey::from_bytes(bad).is_err());
        }
    }

    #[test]
    fn srs_files_load_only_with_their_pinned_hash() {
        let params = UniversalParams::insecure_local(4, 5);
        assert!(params.is_insecure());
        let bytes = params.to_bytes();
        let pin = params.blake3_hex();
        let loaded = UniversalParams::load(&bytes, &pin).expect("loads");
        assert!(!loaded.is_insecure());
        assert_eq!(loaded.k(), 4);
        assert_eq!(loaded.to_bytes(), bytes);
        let wrong = "00".repeat(32);
        assert!(matches!(
            UniversalParams::load(&bytes, &wrong),
            Err(ParamsError::HashMismatch { .. })
        ));
        assert!(matches!(
            UniversalParams::load(&bytes, "abc"),
            Err(ParamsError::BadPin(_))
        ));
        let short = &bytes[..bytes.len() / 2];
        let short_pin = blake3::hash(short).to_hex().to_string();
        assert!(matches!(
            UniversalParams::load(short, &short_pin),
            Err(ParamsError::Malformed(_))
        ));
        // A file that ends inside its G2 points, or runs past them: refused
        // before halo2's reader (which panicked on the first; found by the
        // key_file fuzz target).
        for cut in [bytes.len() - 1, bytes.len() - 256, bytes.len() + 1] {
            let mut other = bytes.clone();
            other.resize(cut, 0);
            let pin = blake3::hash(&other).to_hex().to_string();
            assert!(
                matches!(
                    UniversalParams::load(&other, &pin),
                    Err(ParamsError::Malformed(_))
                ),
                "{cut} bytes"
            );
        }
        assert!(matches!(
            loaded.for_k(5),
            Err(ParamsError::TooSmall { have: 4, need: 5 })
        ));
        assert_eq!(
            loaded
                .for_k(3)
                .map(|p| halo2_base::halo2_proofs::poly::commitment::Params::k(&p))
                .ok(),
            Some(3)
        );
    }

    /// The table-based setup is halo2's own `ParamsKZG::setup`, point for
    /// point: the same τ from the same seed, the same powers and Lagrange
    /// points (the demo's parameters, and the committed Solidity verifier
    /// generated from them, do not change).
    #[test]
    fn insecure_parameters_are_halo2s_setup_byte_for_byte() {
        use halo2_base::halo2_proofs::halo2curves::bn256::Bn256;
        use halo2_base::halo2_proofs::poly::commitment::Params;
        use halo2_base::halo2_proofs::poly::kzg::commitment::ParamsKZG;
        use rand_chacha::rand_core::SeedableRng as _;
        for (k, seed) in [(1, 3), (5, 9), (10, veil_halo2::params::INSECURE_DEMO_SEED)] {
            let reference =
                ParamsKZG::<Bn256>::setup(k, rand_chacha::ChaCha20Rng::seed_from_u64(seed));
            let mut expected = Vec::new();
            reference.write(&mut expected).expect("in memory");
            assert_eq!(
                UniversalParams::insecure_local(k, seed).to_bytes(),
                expected,
                "k = {k}"
            );
        }
    }
}

/// Finding 12: escrow randomness 0 (or any multiple of l) makes c1 and the
/// shared key the identity, so anyone could open the escrow. The builder
/// never makes such a witness; a cheating prover forcing it, with public
/// inputs consistent with it, does not satisfy the halo2 circuit. (Groth16's
/// ladder takes only r = 2^248 + 2s + 1, which is never 0 mod l.)
#[test]
fn finding_12_zero_escrow_randomness_fails_the_circuit() {
    use veil_circuits::babyjubjub::Scalar;
    let mut w = sample().witness().expect("honest");
    w.escrow_randomness = Scalar::from(0u64);
    let (c1, ct) = veil_circuits::statement::escrow(
        w.credential.claims.credential_id,
        &w.policy.regulator_key,
        &w.escrow_randomness,
    );
    assert_eq!(
        c1,
        (veil_circuits::F::from(0u64), veil_circuits::F::from(1u64))
    );
    w.public.escrow_c1 = c1;
    w.public.escrow_ct = ct;
    assert!(
        !satisfied(&w),
        "zero escrow randomness satisfied the circuit"
    );
}
