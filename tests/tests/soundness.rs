//! The statement's negative table through the whole Groth16 path: a prover
//! that forces a bad witness gets a proof, and native verification rejects
//! it. One honest proof
//! for contrast, and a replayed proof for another payment.

use ark_std::rand::{rngs::StdRng, SeedableRng};
use std::sync::OnceLock;
use veil_circuits::statement::negative::{forced, tamper_cases, witness_cases};
use veil_circuits::statement::sample::Sample;
use veil_circuits::statement::ComplianceWitness;
use veil_prover::{setup, Prover};
use veil_verifier::{PreparedKey, VerifyError};

struct Setup {
    prover: Prover,
    key: PreparedKey,
}

fn env() -> &'static Setup {
    static ENV: OnceLock<Setup> = OnceLock::new();
    ENV.get_or_init(|| {
        let keys = setup(&mut StdRng::seed_from_u64(42), |_| {}).expect("setup");
        Setup {
            key: PreparedKey::new(keys.verifying_key()).expect("key"),
            prover: Prover::new(keys.proving_key).expect("prover"),
        }
    })
}

fn sample() -> Sample {
    Sample::new(&mut StdRng::seed_from_u64(7))
}

/// The cheating prover's proof verifies natively only if the witness was good.
/// (veil's own `prove` runs the same verification as a self-check and refuses;
/// the prover's tests cover that.)
fn assert_rejected(name: &str, witness: ComplianceWitness) {
    let env = env();
    let mut rng = StdRng::seed_from_u64(1);
    let (proof, public) = env
        .prover
        .prove_unchecked(witness, &mut rng)
        .unwrap_or_else(|e| panic!("{name}: the prover failed before proving: {e}"));
    assert_eq!(
        env.key.verify_statement(&proof, &public),
        Err(VerifyError::Rejected),
        "{name}: a proof of a bad witness verified"
    );
}

#[test]
fn an_honest_proof_verifies() {
    let env = env();
    let (proof, public) = env
        .prover
        .prove(sample().witness().unwrap(), &mut StdRng::seed_from_u64(2))
        .unwrap();
    env.key.verify_statement(&proof, &public).unwrap();
}

#[test]
fn every_rule_violation_forced_past_the_builder_fails_verification() {
    for case in witness_cases() {
        assert_rejected(case.name, forced(sample, case.change));
    }
}

#[test]
fn every_tampered_witness_fails_verification() {
    let honest = sample().witness().unwrap();
    for case in tamper_cases() {
        let mut w = honest.clone();
        (case.tamper)(&mut w);
        assert_rejected(case.name, w);
    }
}

#[test]
fn a_proof_replayed_for_another_payment_fails_verification() {
    let env = env();
    let s = sample();
    let (proof, mut public) = env
        .prover
        .prove(s.witness().unwrap(), &mut StdRng::seed_from_u64(3))
        .unwrap();
    public.payment_hash += veil_circuits::F::from(1u64);
    assert_eq!(
        env.key.verify_statement(&proof, &public),
        Err(VerifyError::Rejected)
    );
}
