//! The honest path: a proof bound to a payment settles through the router.

use crate::fixture::*;
use alloy_primitives::U256;
use alloy_sol_types::SolEvent;
use veil_contracts::abi::{IComplianceGate, ISettlementRouter};
use veil_contracts::system::uint;

#[test]
fn an_honest_proof_verifies_on_chain_checks_and_settles() {
    let mut w = World::new(true);
    let payment = w.payment(1);
    let (proof, public) = w.prove(&payment);
    keys()
        .key
        .verify_statement(&proof, &public)
        .expect("native");

    let (ok, _) = w
        .system
        .verify_on_chain(&proof, &public)
        .expect("verify call");
    assert!(ok, "the generated verifier rejected an honest proof");

    let checked = w.system.check(&proof, &public, &payment).expect("check");
    assert_eq!(
        U256::from_be_slice(&checked.output),
        uint(&public.payment_hash)
    );

    let receipt = w.system.settle(&proof, &public, &payment).expect("settle");
    assert_eq!(
        w.system.balance(w.system.token, payee()).unwrap(),
        U256::from(AMOUNT)
    );
    assert_eq!(
        w.system.balance(w.system.token, payer()).unwrap(),
        U256::from(9 * AMOUNT)
    );

    let consumed = receipt
        .logs
        .iter()
        .find_map(|l| IComplianceGate::Consumed::decode_log_data(&l.data).ok())
        .expect("Consumed event");
    assert_eq!(consumed.nullifier, uint(&public.nullifier));
    assert_eq!(consumed.escrowCt, uint(&public.escrow_ct));
    let settled = receipt
        .logs
        .iter()
        .find_map(|l| ISettlementRouter::Settled::decode_log_data(&l.data).ok())
        .expect("Settled event");
    assert_eq!(settled.amount, U256::from(AMOUNT));
    assert_eq!(settled.payer, payer());
}

#[test]
fn the_gate_computes_the_same_payment_hash_as_the_wallet() {
    let mut w = World::new(false);
    let payment = w.payment(77);
    let call = IComplianceGate::paymentHashCall {
        payment: veil_contracts::system::sol_payment(&payment),
    };
    let gate = w.system.gate;
    let hash = w.system.chain.view_call(payer(), gate, &call).unwrap();
    assert_eq!(hash, uint(&payment.hash()));
}

#[test]
fn without_uniqueness_the_same_holder_settles_two_payments() {
    let mut w = World::new(false);
    for nonce in [1, 2] {
        let payment = w.payment(nonce);
        let (proof, public) = w.prove(&payment);
        w.system.settle(&proof, &public, &payment).expect("settle");
    }
    assert_eq!(
        w.system.balance(w.system.token, payee()).unwrap(),
        U256::from(2 * AMOUNT)
    );
}

#[test]
fn a_registered_policys_event_lets_anyone_recompute_its_hash() {
    use alloy_sol_types::SolCall;
    use ark_ff::PrimeField;
    use veil_circuits::babyjubjub::point_from_coords;
    use veil_circuits::eddsa::PublicKey;
    use veil_circuits::statement::Policy;
    use veil_contracts::system::policy_params;

    let mut s = veil_contracts::System::deploy(veil_contracts::Config::default()).unwrap();
    let sample = veil_circuits::statement::sample::Sample::new(
        &mut <ark_std::rand::rngs::StdRng as ark_std::rand::SeedableRng>::seed_from_u64(9),
    );
    let policy = sample.policy.clone();
    let hash = policy.hash().unwrap();
    let call = IComplianceGate::registerPolicyCall {
        policyHash: uint(&hash),
        params: policy_params(&policy).unwrap(),
        scope: U256::from(5u64),
        uniqueNullifier: true,
    };
    let gate = s.gate;
    let salt = s.schedule(gate, &call.abi_encode()).unwrap();
    s.chain.warp(s.config().timelock_delay);
    let receipt = s.execute_scheduled(gate, &call.abi_encode(), salt).unwrap();
    let event = receipt
        .logs
        .iter()
        .find_map(|l| IComplianceGate::PolicyRegistered::decode_log_data(&l.data).ok())
        .expect("PolicyRegistered");

    // An auditor rebuilds the policy from the event alone.
    let p = event.params;
    let small = |x: U256| -> u64 { x.saturating_to() };
    let field = |x: U256| veil_circuits::F::from_be_bytes_mod_order(&x.to_be_bytes::<32>());
    let rebuilt = Policy {
        schema: p.schema.clone(),
        min_age_days: small(p.minAgeDays) as u32,
        max_risk: small(p.maxRisk) as u16,
        min_kyc_level: small(p.minKycLevel) as u8,
        subject_type_mask: small(p.subjectTypeMask) as u8,
        barred_countries: p.barredCountries.iter().map(|c| small(*c) as u16).collect(),
        regulator_key: PublicKey(
            point_from_coords(field(p.regulatorX), field(p.regulatorY)).unwrap(),
        ),
    };
    assert_eq!(uint(&rebuilt.hash().unwrap()), event.policyHash);
    assert_eq!(event.scope, U256::from(5u64));
    assert!(event.uniqueNullifier);
}
