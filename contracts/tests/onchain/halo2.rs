//! The gate's halo2-KZG path: snark-verifier's Solidity verifier (committed,
//! for the insecure halo2 demo keys) accepts an honest halo2 proof; the gate
//! checks the same rules as for Groth16 and the router settles; a replay, a
//! tampered payment, a damaged proof, a proof of a bad witness, and a gate
//! without a halo2 verifier are refused.

use crate::fixture::{World, AMOUNT, PAYEE};
use alloy_primitives::{Address, U256};
use alloy_sol_types::SolCall;
use ark_std::rand::{rngs::StdRng, SeedableRng};
use std::sync::{Mutex, OnceLock};
use veil_circuits::statement::{ComplianceWitness, PublicInputs};
use veil_circuits::F;
use veil_contracts::abi::IComplianceGate;
use veil_contracts::system::account;
use veil_contracts::CallError;
use veil_halo2::keys::{insecure_demo_keys, Halo2Keys};
use veil_halo2::params::UniversalParams;

struct Halo2 {
    params: UniversalParams,
    keys: Halo2Keys,
}

fn halo2() -> &'static Halo2 {
    static KEYS: OnceLock<Halo2> = OnceLock::new();
    KEYS.get_or_init(|| {
        let (params, keys) = insecure_demo_keys().expect("halo2 demo keys");
        Halo2 { params, keys }
    })
}

/// A halo2 proof's bytes and its public inputs.
type Halo2Proof = (Vec<u8>, PublicInputs);

/// A halo2 proof of `witness`, made once per witness in this binary: several
/// tests start from the same world and payment (the fixtures are seeded),
/// and a proof takes seconds. Proofs are made one at a time (each uses
/// every core), so a second test asking for the same witness waits for the
/// first's proof instead of making it again.
pub(crate) fn prove(witness: &ComplianceWitness) -> Halo2Proof {
    static MADE: Mutex<Vec<(String, Halo2Proof)>> = Mutex::new(Vec::new());
    // The witness's every field, as a key (it has no Eq or Hash).
    let key = format!("{witness:?}");
    let mut made = MADE.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((_, proof)) = made.iter().find(|(k, _)| *k == key) {
        return proof.clone();
    }
    let h = halo2();
    let proof = veil_halo2::prove(&h.params, &h.keys, witness, StdRng::seed_from_u64(5))
        .expect("halo2 proof");
    made.push((key, (proof.bytes.clone(), proof.public)));
    (proof.bytes, proof.public)
}

fn refused_with<T>(result: Result<T, CallError>, name: &str) {
    match result {
        Ok(_) => panic!("accepted; expected {name}"),
        Err(e) => assert_eq!(e.error_name(), Some(name), "wrong refusal: {e}"),
    }
}

#[test]
fn an_honest_halo2_proof_settles_once_through_the_gate() {
    let mut w = World::new(true);
    let payment = w.payment(1);
    let witness = w.sample(&payment).witness().expect("witness");
    let (proof, public) = prove(&witness);
    let h = halo2();
    veil_halo2::verify(&h.params, &h.keys.verifying_key(), &proof, &public).expect("native");

    let receipt = w
        .system
        .verify_on_chain_halo2(&proof, &public)
        .expect("the halo2 verifier accepts");
    assert!(receipt.gas_used > 21_000);
    w.system
        .check_halo2(&proof, &public, &payment)
        .expect("the gate accepts");

    // Another payment: the proof is bound to this one.
    let other = w.payment(2);
    refused_with(
        w.system.check_halo2(&proof, &public, &other),
        "InvalidProof",
    );
    // A damaged proof.
    let mut damaged = proof.clone();
    damaged[64] ^= 1;
    refused_with(
        w.system.check_halo2(&damaged, &public, &payment),
        "InvalidProof",
    );
    refused_with(
        w.system
            .check_halo2(&proof[..proof.len() / 2], &public, &payment),
        "InvalidProof",
    );
    assert!(w.system.verify_on_chain_halo2(&damaged, &public).is_err());

    let token = w.system.token;
    w.system
        .settle_halo2(&proof, &public, &payment)
        .expect("settles");
    assert_eq!(
        w.system.balance(token, account(PAYEE)).expect("balance"),
        U256::from(AMOUNT)
    );
    refused_with(
        w.system.settle_halo2(&proof, &public, &payment),
        "NullifierAlreadyUsed",
    );
}

#[test]
fn a_halo2_proof_of_a_bad_witness_is_refused_on_chain() {
    let mut w = World::new(false);
    let payment = w.payment(1);
    let mut witness = w.sample(&payment).witness().expect("witness");
    // The escrow no longer encrypts the credential id.
    witness.public.escrow_ct += F::from(1u64);
    let (proof, public) = prove(&witness);
    assert!(w.system.verify_on_chain_halo2(&proof, &public).is_err());
    refused_with(
        w.system.check_halo2(&proof, &public, &payment),
        "InvalidProof",
    );
}

#[test]
fn the_halo2_verifier_is_governed() {
    let mut w = World::new(false);
    let payment = w.payment(1);
    let gate = w.system.gate;
    // Only the timelock may set it, and only to a contract.
    let direct = IComplianceGate::setHalo2VerifierCall {
        verifier: Address::ZERO,
    };
    assert!(w
        .system
        .chain
        .send(account(0x10), gate, direct.abi_encode().into())
        .is_err());
    let eoa = IComplianceGate::setHalo2VerifierCall {
        verifier: account(0x33),
    };
    assert!(w.system.govern(gate, eoa.abi_encode()).is_err());
    // Removed: halo2 proofs are refused before any verification.
    w.system
        .govern(gate, direct.abi_encode())
        .expect("governed removal");
    let public = w.sample(&payment).witness().expect("witness").public;
    refused_with(
        w.system.check_halo2(&[0u8; 64], &public, &payment),
        "Halo2VerifierNotSet",
    );
}
