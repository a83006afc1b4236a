//! The gate's own rules, each violated once: the revert names the rule.

use crate::fixture::*;
use alloy_primitives::U256;
use alloy_sol_types::SolCall;
use veil_circuits::F;
use veil_contracts::abi::{IComplianceGate, IGroth16Verifier};
use veil_contracts::system::{account, uint, verify_call};
use veil_contracts::CallError;

fn reverted_with(result: Result<veil_contracts::Receipt, CallError>, name: &str) {
    match result {
        Err(e) => assert_eq!(e.error_name(), Some(name), "wrong refusal: {e}"),
        Ok(_) => panic!("accepted; expected {name}"),
    }
}

#[test]
fn a_proof_presented_for_another_payment_is_invalid() {
    let mut w = World::new(false);
    let payment = w.payment(1);
    let (proof, public) = w.prove(&payment);
    let others = [
        w.system.payment(payer(), payee(), AMOUNT + 1, 1),
        w.system.payment(payer(), account(0x66), AMOUNT, 1),
        w.payment(2),
        // Another payer presenting the payer's proof.
        w.system.payment(account(0x66), payee(), AMOUNT, 1),
    ];
    for other in others {
        reverted_with(w.system.check(&proof, &public, &other), "InvalidProof");
    }
    w.system.fund(account(0x66), AMOUNT).unwrap();
    reverted_with(w.system.settle(&proof, &public, &others[3]), "InvalidProof");
}

#[test]
fn a_nullifier_is_spent_once_per_scope_under_a_uniqueness_policy() {
    let mut w = World::new(true);
    let first = w.payment(1);
    let (proof, public) = w.prove(&first);
    w.system
        .settle(&proof, &public, &first)
        .expect("first settles");
    let second = w.payment(2);
    let (proof2, public2) = w.prove(&second);
    assert_eq!(public.nullifier, public2.nullifier);
    reverted_with(
        w.system.check(&proof2, &public2, &second),
        "NullifierAlreadyUsed",
    );
    reverted_with(
        w.system.settle(&proof2, &public2, &second),
        "NullifierAlreadyUsed",
    );
}

#[test]
fn a_settled_payment_cannot_settle_again() {
    let mut w = World::new(false);
    let payment = w.payment(1);
    let (proof, public) = w.prove(&payment);
    w.system.settle(&proof, &public, &payment).expect("settles");
    reverted_with(
        w.system.settle(&proof, &public, &payment),
        "PaymentAlreadySettled",
    );
}

#[test]
fn replaced_roots_verify_for_the_grace_period_then_stop() {
    let mut w = World::new(false);
    let payment = w.payment(1);
    let grace = w.system.config().root_grace_period;

    // A governed change of the trusted issuers lands (after the timelock's
    // delay) just after the wallet proved, on the chain's day.
    let base = w.sample(&payment);
    w.system
        .publish_issuers_root(base.issuer_tree.root() + F::from(1u64))
        .unwrap();
    let mut s = w.sample(&payment);
    s.context.today = (w.system.chain.timestamp() / 86_400) as u32;
    let (proof, public) = prove(s.witness().unwrap());
    w.system.chain.warp(grace);
    w.system
        .check(&proof, &public, &payment)
        .expect("within the grace period");
    w.system.chain.warp(1);
    reverted_with(
        w.system.check(&proof, &public, &payment),
        "IssuersRootNotAccepted",
    );

    // With only the revocation root stale: a revocation lands just after.
    w.system
        .publish_issuers_root(base.issuer_tree.root())
        .unwrap();
    s.context.today = (w.system.chain.timestamp() / 86_400) as u32;
    let (proof, public) = prove(s.witness().unwrap());
    let mut revoked = s.revocation_tree.clone();
    let insertion = revoked.insert_proved(F::from(2u64)).unwrap();
    w.system.append_revocations(&[insertion]).unwrap();
    w.system.chain.warp(grace);
    w.system
        .check(&proof, &public, &payment)
        .expect("within the grace period");
    w.system.chain.warp(1);
    reverted_with(
        w.system.check(&proof, &public, &payment),
        "RevocationRootNotAccepted",
    );
}

#[test]
fn a_root_never_published_is_refused() {
    let mut w = World::new(false);
    let payment = w.payment(1);
    let mut s = w.sample(&payment);
    // The wallet's own tree with an extra (untrusted) leaf: a valid proof
    // against a root the gate never saw.
    s.issuer_tree = veil_circuits::statement::issuer_tree(&[
        veil_circuits::statement::issuer_leaf(&s.issuer_key.public_key()),
        F::from(99u64),
    ])
    .unwrap();
    let (proof, public) = prove(s.witness().unwrap());
    reverted_with(
        w.system.check(&proof, &public, &payment),
        "IssuersRootNotAccepted",
    );
}

#[test]
fn a_policy_not_registered_or_retired_is_refused() {
    let mut w = World::new(false);
    let payment = w.payment(1);
    let mut s = w.sample(&payment);
    s.policy.max_risk = 900;
    let (proof, public) = prove(s.witness().unwrap());
    reverted_with(
        w.system.check(&proof, &public, &payment),
        "PolicyNotRegistered",
    );

    let (proof, public) = w.prove(&payment);
    w.system
        .check(&proof, &public, &payment)
        .expect("registered");
    let retire = IComplianceGate::retirePolicyCall {
        policyHash: uint(&public.policy_hash),
    };
    let gate = w.system.gate;
    w.system.govern(gate, retire.abi_encode()).unwrap();
    w.system
        .set_day(veil_circuits::statement::sample::SAMPLE_TODAY);
    reverted_with(
        w.system.check(&proof, &public, &payment),
        "PolicyNotRegistered",
    );
}

#[test]
fn today_must_be_within_a_day_of_the_chain() {
    let mut w = World::new(false);
    let payment = w.payment(1);
    let (proof, public) = w.prove(&payment);
    let today = veil_circuits::statement::sample::SAMPLE_TODAY;
    for day in [today - 1, today, today + 1] {
        w.system.set_day(day);
        w.system
            .check(&proof, &public, &payment)
            .expect("within a day");
    }
    for day in [today - 2, today + 2, today + 400] {
        w.system.set_day(day);
        reverted_with(
            w.system.check(&proof, &public, &payment),
            "TodayOutOfWindow",
        );
    }
}

#[test]
fn a_proof_for_another_scope_is_refused() {
    let mut w = World::new(true);
    let payment = w.payment(1);
    let mut s = w.sample(&payment);
    s.context.scope += F::from(1u64);
    let (proof, public) = prove(s.witness().unwrap());
    reverted_with(w.system.check(&proof, &public, &payment), "ScopeMismatch");
}

#[test]
fn the_verifier_rejects_inputs_at_or_above_the_field_modulus() {
    let mut w = World::new(false);
    let payment = w.payment(1);
    let (proof, public) = w.prove(&payment);
    let r = U256::from_str_radix(
        "21888242871839275222246405745257275088548364400416034343698204186575808495617",
        10,
    )
    .unwrap();
    let honest = verify_call(&proof, &public.to_vec());
    let verifier = w.system.verifier;
    assert!(w
        .system
        .chain
        .view_call(payer(), verifier, &honest)
        .unwrap());
    for i in 0..10 {
        let mut call = honest.clone();
        call.input[i] += r;
        let ok: bool = w.system.chain.view_call(payer(), verifier, &call).unwrap();
        assert!(!ok, "input {i} + r accepted");
    }
    let mut call = honest.clone();
    call.a[1] = r; // any coordinate off the curve
    assert!(!w.system.chain.view_call(payer(), verifier, &call).unwrap());
    let q = U256::from_str_radix(
        "21888242871839275222246405745257275088696311157297823662689037894645226208583",
        10,
    )
    .unwrap();
    let mut call = honest;
    call.a[1] += q; // A.y encoded non-canonically
    assert!(!w.system.chain.view_call(payer(), verifier, &call).unwrap());
    let _ = IGroth16Verifier::verifyProofCall::SELECTOR;
}

#[test]
fn roles_are_enforced() {
    let mut w = World::new(false);
    let stranger = account(0x66);
    let gate = w.system.gate;
    let payment = w.payment(1);
    let (proof, public) = w.prove(&payment);
    let calls: Vec<Vec<u8>> = vec![
        IComplianceGate::publishIssuersRootCall {
            root: U256::from(1),
        }
        .abi_encode(),
        IComplianceGate::setRevocationRootCall {
            root: U256::from(1),
        }
        .abi_encode(),
        IComplianceGate::appendRevocationsCall { insertions: vec![] }.abi_encode(),
        IComplianceGate::retirePolicyCall {
            policyHash: uint(&public.policy_hash),
        }
        .abi_encode(),
        IComplianceGate::setVerifierCall { verifier: stranger }.abi_encode(),
        IComplianceGate::consumeCall {
            proof: veil_contracts::system::sol_proof(&proof),
            st: veil_contracts::system::statement(&public),
            payment: veil_contracts::system::sol_payment(&payment),
        }
        .abi_encode(),
    ];
    // A stranger, the payer and a single multisig owner all lack the roles;
    // the revocation publisher may append revocations only.
    for caller in [
        stranger,
        payer(),
        w.system.owners[0],
        w.system.revocation_publisher,
    ] {
        for (i, data) in calls.iter().enumerate() {
            if caller == w.system.revocation_publisher && i == 2 {
                continue; // the publisher's own job (appends only: index 1 is refused)
            }
            reverted_with(
                w.system.chain.send(caller, gate, data.clone().into()),
                "AccessControlUnauthorizedAccount",
            );
        }
    }
}
