//! Native verification: the statement's verification-level negative cases
//! (altered public inputs, replay for another payment or scope), malformed
//! proofs, and batch verification.

use crate::fixture::{first, fixture};
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::One;
use ark_std::rand::{rngs::StdRng, SeedableRng};
use veil_circuits::statement::PublicInputs;
use veil_circuits::F;
use veil_verifier::{verify_batch, PreparedKey, VerifyError};

#[test]
fn an_honest_proof_verifies() {
    let f = fixture();
    for (proof, public) in &f.proofs {
        f.key.verify_statement(proof, public).unwrap();
    }
}

/// Verification-level rows of the statement's negative table: the proof is
/// presented with one public input changed.
type Alteration = (&'static str, fn(&mut PublicInputs));

const ALTERED_INPUTS: &[Alteration] = &[
    ("another policy", |p| p.policy_hash += F::one()),
    ("an untrusted issuer set", |p| p.issuers_root += F::one()),
    ("a stale revocation root", |p| p.revocation_root += F::one()),
    ("another day", |p| p.today += F::one()),
    ("replay for another scope", |p| p.scope += F::one()),
    ("replay for another payment", |p| p.payment_hash += F::one()),
    ("another nullifier", |p| p.nullifier += F::one()),
    ("escrow c1.x changed", |p| p.escrow_c1.0 += F::one()),
    ("escrow c1.y changed", |p| p.escrow_c1.1 += F::one()),
    ("escrow ciphertext changed", |p| p.escrow_ct += F::one()),
];

#[test]
fn every_altered_public_input_is_rejected() {
    let f = fixture();
    let (proof, public) = &f.proofs[0];
    for (name, alter) in ALTERED_INPUTS {
        let mut altered = *public;
        alter(&mut altered);
        assert_eq!(
            f.key.verify_statement(proof, &altered),
            Err(VerifyError::Rejected),
            "{name}"
        );
    }
}

#[test]
fn a_proof_is_bound_to_its_own_statement() {
    // Another holder's valid proof presented with this holder's inputs.
    let f = fixture();
    let (proof_b, _) = &f.proofs[1];
    let (_, public_a) = &f.proofs[0];
    assert_eq!(
        f.key.verify_statement(proof_b, public_a),
        Err(VerifyError::Rejected)
    );
}

#[test]
fn tampered_proof_points_are_rejected() {
    let f = fixture();
    let (proof, public) = first();
    let mut negated_a = proof.clone();
    negated_a.a = (-negated_a.a.into_group()).into_affine();
    let mut doubled_c = proof.clone();
    doubled_c.c = (doubled_c.c.into_group() + doubled_c.c).into_affine();
    let mut swapped = proof.clone();
    std::mem::swap(&mut swapped.a, &mut swapped.c);
    let mut zero_b = proof.clone();
    zero_b.b = ark_bn254::G2Affine::zero();
    for (name, bad) in [
        ("-A", negated_a),
        ("2C", doubled_c),
        ("A<->C", swapped),
        ("B=0", zero_b),
    ] {
        assert_eq!(
            f.key.verify(&bad, &public),
            Err(VerifyError::Rejected),
            "{name}"
        );
    }
}

#[test]
fn a_key_from_another_setup_rejects() {
    let (proof, public) = first();
    let other = veil_prover::setup(&mut StdRng::seed_from_u64(99), |_| {}).unwrap();
    let key = PreparedKey::new(other.verifying_key()).unwrap();
    assert_eq!(key.verify(&proof, &public), Err(VerifyError::Rejected));
}

#[test]
fn the_wrong_number_of_inputs_is_a_typed_error() {
    let f = fixture();
    let (proof, public) = first();
    for n in [0, 9, 11] {
        let mut v = public.clone();
        v.resize(n, F::one());
        assert_eq!(
            f.key.verify(&proof, &v),
            Err(VerifyError::InputCount {
                expected: 10,
                got: n
            })
        );
    }
    let mut vk = f.keys.verifying_key().clone();
    vk.gamma_abc_g1.pop();
    assert!(matches!(
        PreparedKey::new(&vk),
        Err(VerifyError::InputCount { got: 9, .. })
    ));
}

fn batch_items() -> Vec<(veil_prover::Proof, Vec<F>)> {
    // 16 items from the 4 proofs: a batch may hold the same proof twice.
    fixture()
        .proofs
        .iter()
        .cycle()
        .take(16)
        .map(|(p, x)| (p.clone(), x.to_vec()))
        .collect()
}

#[test]
fn a_batch_of_valid_proofs_verifies() {
    let mut rng = StdRng::seed_from_u64(5);
    verify_batch(&fixture().key, &batch_items(), &mut rng).unwrap();
    verify_batch(&fixture().key, &batch_items()[..1], &mut rng).unwrap();
    verify_batch(&fixture().key, &[], &mut rng).unwrap();
}

#[test]
fn a_batch_names_its_invalid_proofs() {
    let mut rng = StdRng::seed_from_u64(6);
    let mut items = batch_items();
    items[3].1[5] += F::one(); // replayed for another payment
    items[10].0 = items[11].0.clone(); // another holder's proof
    assert_eq!(
        verify_batch(&fixture().key, &items, &mut rng),
        Err(VerifyError::BatchRejected {
            invalid: vec![3, 10]
        })
    );
}

#[test]
fn a_batch_cannot_cancel_two_bad_proofs_against_each_other() {
    // Errors that cancel in a plain sum (A and -A) must not cancel under
    // random coefficients.
    let mut rng = StdRng::seed_from_u64(7);
    let mut items = batch_items();
    let (p, x) = items[0].clone();
    let mut neg = p.clone();
    neg.a = (-p.a.into_group()).into_affine();
    items[0] = (neg.clone(), x.clone());
    items[1] = (neg, x);
    assert!(matches!(
        verify_batch(&fixture().key, &items, &mut rng),
        Err(VerifyError::BatchRejected { .. })
    ));
}

#[test]
fn a_batch_with_a_short_input_vector_is_a_typed_error() {
    let mut rng = StdRng::seed_from_u64(8);
    let mut items = batch_items();
    items[2].1.pop();
    assert_eq!(
        verify_batch(&fixture().key, &items, &mut rng),
        Err(VerifyError::InputCount {
            expected: 10,
            got: 9
        })
    );
}
