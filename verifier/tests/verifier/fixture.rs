//! One setup and a few proofs, shared by every test of this binary.

use ark_std::rand::{rngs::StdRng, SeedableRng};
use std::sync::OnceLock;
use veil_circuits::statement::{sample::Sample, PublicInputs};
use veil_circuits::F;
use veil_prover::{setup, Keys, Proof, Prover};
use veil_verifier::PreparedKey;

pub struct Fixture {
    pub keys: Keys,
    pub key: PreparedKey,
    /// Proofs of four different samples.
    pub proofs: Vec<(Proof, PublicInputs)>,
}

pub fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let mut rng = StdRng::seed_from_u64(11);
        let keys = setup(&mut rng, |_| {}).expect("setup");
        let prover = Prover::new(keys.proving_key.clone()).expect("prover");
        let proofs = (0..4)
            .map(|_| {
                let sample = Sample::new(&mut rng);
                prover
                    .prove(sample.witness().expect("valid sample"), &mut rng)
                    .expect("prove")
            })
            .collect();
        let key = PreparedKey::new(keys.verifying_key()).expect("key");
        Fixture { keys, key, proofs }
    })
}

/// The first proof and its inputs as a vector.
pub fn first() -> (Proof, Vec<F>) {
    let (proof, public) = &fixture().proofs[0];
    (proof.clone(), public.to_vec())
}
