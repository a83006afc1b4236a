//! Shared keys and a deployed, configured system per test.

use alloy_primitives::Address;
use ark_std::rand::{rngs::StdRng, SeedableRng};
use std::sync::OnceLock;
use veil_circuits::statement::sample::Sample;
use veil_circuits::statement::{ComplianceWitness, Payment, PublicInputs};
use veil_contracts::system::account;
use veil_contracts::{Config, System};
use veil_prover::{insecure_demo_setup, Prover};
use veil_verifier::{PreparedKey, Proof};

pub struct Keys {
    pub prover: Prover,
    pub key: PreparedKey,
}

/// The demo key's prover and verifier, made once per test binary.
pub fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let keys = insecure_demo_setup(|_| {}).expect("setup");
        Keys {
            key: PreparedKey::new(keys.verifying_key()).expect("key"),
            prover: Prover::new(keys.proving_key).expect("prover"),
        }
    })
}

pub const PAYER: u8 = 0x10;
pub const PAYEE: u8 = 0x11;
pub const AMOUNT: u128 = 250_000_000;

/// A deployed system configured for the sample: its policy registered (with
/// the sample's scope), its roots published, the clock on the sample's day,
/// and the payer funded.
pub struct World {
    pub system: System,
}

impl World {
    pub fn new(unique: bool) -> Self {
        let mut system = System::deploy(Config::default()).expect("deploy");
        let s = Self::base_sample();
        system.prepare_for(&s, unique).expect("configure");
        system.fund(account(PAYER), 10 * AMOUNT).expect("fund");
        World { system }
    }

    fn base_sample() -> Sample {
        Sample::new(&mut StdRng::seed_from_u64(7))
    }

    /// The payment for `nonce` from the payer to the payee.
    pub fn payment(&self, nonce: u128) -> Payment {
        self.system
            .payment(account(PAYER), account(PAYEE), AMOUNT, nonce)
    }

    /// The sample bound to `payment`.
    pub fn sample(&self, payment: &Payment) -> Sample {
        let mut s = Self::base_sample();
        s.context.payment_hash = payment.hash();
        s
    }

    /// An honest proof for `payment`.
    pub fn prove(&self, payment: &Payment) -> (Proof, PublicInputs) {
        let witness = self.sample(payment).witness().expect("witness");
        prove(witness)
    }
}

/// veil's prover (refuses bad witnesses).
pub fn prove(witness: ComplianceWitness) -> (Proof, PublicInputs) {
    keys()
        .prover
        .prove(witness, &mut StdRng::seed_from_u64(11))
        .expect("prove")
}

pub fn payer() -> Address {
    account(PAYER)
}

pub fn payee() -> Address {
    account(PAYEE)
}
