//! The statement's negative table through the whole Groth16 path, natively
//! and on-chain: a prover that forces a bad witness gets a proof; native
//! verification rejects it, and so does the compliance gate on revm (with
//! the committed Solidity verifier). One honest proof for contrast, and a
//! replayed proof for another payment.

use ark_std::rand::{rngs::StdRng, SeedableRng};
use std::sync::OnceLock;
use veil_circuits::statement::negative::{forced, tamper_cases, witness_cases};
use veil_circuits::statement::sample::Sample;
use veil_circuits::statement::{ComplianceWitness, Payment};
use veil_contracts::system::{account, uint};
use veil_contracts::{Config, System};
use veil_prover::{insecure_demo_setup, Prover};
use veil_verifier::{PreparedKey, VerifyError};

struct Setup {
    prover: Prover,
    key: PreparedKey,
}

/// The demo key: the committed on-chain verifier embeds it.
fn env() -> &'static Setup {
    static ENV: OnceLock<Setup> = OnceLock::new();
    ENV.get_or_init(|| {
        let keys = insecure_demo_setup(|_| {}).expect("setup");
        Setup {
            key: PreparedKey::new(keys.verifying_key()).expect("key"),
            prover: Prover::new(keys.proving_key).expect("prover"),
        }
    })
}

/// A deployed gate configured for the sample, and the payment proofs bind to.
struct Chain {
    system: System,
    payment: Payment,
}

impl Chain {
    fn new() -> Self {
        let system = System::deploy(Config::default()).expect("deploy");
        let payment = system.payment(account(0x10), account(0x11), 1_000_000, 1);
        let mut chain = Chain { system, payment };
        let s = chain.sample();
        chain.system.prepare_for(&s, true).expect("configure");
        chain
    }

    fn sample(&self) -> Sample {
        let mut s = Sample::new(&mut StdRng::seed_from_u64(7));
        s.context.payment_hash = self.payment.hash();
        s
    }

    /// The cheating prover's proof is rejected natively and by the gate.
    /// (veil's own `prove` runs native verification as a self-check and
    /// refuses; the prover's tests cover that.)
    fn assert_rejected(&mut self, name: &str, witness: ComplianceWitness) {
        let env = env();
        let mut rng = StdRng::seed_from_u64(1);
        let (proof, public) = env
            .prover
            .prove_unchecked(witness, &mut rng)
            .unwrap_or_else(|e| panic!("{name}: the prover failed before proving: {e}"));
        assert_eq!(
            env.key.verify_statement(&proof, &public),
            Err(VerifyError::Rejected),
            "{name}: a proof of a bad witness verified natively"
        );
        // Publish the case's roots and move to its day, so that the proof
        // itself, not the gate's root or date rules, must be what fails.
        self.system
            .publish_roots(public.issuers_root, public.revocation_root)
            .expect("publish");
        let day: u64 = uint(&public.today).saturating_to();
        self.system.chain.set_timestamp(day * 86_400 + 43_200);
        let refusal = self
            .system
            .check(&proof, &public, &self.payment)
            .expect_err(&format!(
                "{name}: the gate accepted a proof of a bad witness"
            ));
        eprintln!("{name}: native Rejected; gate {refusal}");
        // The scope and the policy hash are the gate's to fix (registered
        // with the policy); everything else reaches the verifier.
        assert!(
            matches!(
                refusal.error_name(),
                Some("InvalidProof" | "ScopeMismatch" | "PolicyNotRegistered")
            ),
            "{name}: the gate refused for another reason: {refusal}"
        );
    }
}

#[test]
fn an_honest_proof_verifies_natively_and_on_chain() {
    let env = env();
    let mut chain = Chain::new();
    let (proof, public) = env
        .prover
        .prove(
            chain.sample().witness().unwrap(),
            &mut StdRng::seed_from_u64(2),
        )
        .unwrap();
    env.key.verify_statement(&proof, &public).unwrap();
    let payment = chain.payment;
    chain.system.check(&proof, &public, &payment).unwrap();
}

#[test]
fn every_rule_violation_forced_past_the_builder_is_rejected() {
    let mut chain = Chain::new();
    for case in witness_cases() {
        let witness = forced(|| chain.sample(), case.change);
        chain.assert_rejected(case.name, witness);
    }
}

#[test]
fn every_tampered_witness_is_rejected() {
    let mut chain = Chain::new();
    let honest = chain.sample().witness().unwrap();
    for case in tamper_cases() {
        let mut w = honest.clone();
        (case.tamper)(&mut w);
        chain.assert_rejected(case.name, w);
    }
}

#[test]
fn a_proof_replayed_for_another_payment_is_rejected() {
    let env = env();
    let mut chain = Chain::new();
    let (proof, mut public) = env
        .prover
        .prove(
            chain.sample().witness().unwrap(),
            &mut StdRng::seed_from_u64(3),
        )
        .unwrap();
    let other = chain
        .system
        .payment(account(0x10), account(0x11), 1_000_001, 1);
    let refusal = chain.system.check(&proof, &public, &other).unwrap_err();
    assert_eq!(refusal.error_name(), Some("InvalidProof"));
    public.payment_hash = other.hash();
    assert_eq!(
        env.key.verify_statement(&proof, &public),
        Err(VerifyError::Rejected)
    );
}
