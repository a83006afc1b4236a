//! The trust fixes (issue 23), each test named after its finding: a word
//! `≥ r` in a statement (the halo2 verifier reduces it, the gate's nullifier
//! book did not), the trusted-issuers root on a hot key, the empty
//! revocation tree, grace windows re-opened by a later grace period, and an
//! escrow key anyone can open.

use crate::fixture::*;
use alloy_primitives::{Address, U256};
use alloy_sol_types::SolCall;
use veil_circuits::statement::revocation_tree;
use veil_circuits::F;
use veil_contracts::abi::{IComplianceGate, ISettlementRouter};
use veil_contracts::system::{
    account, policy_params, settle_call, settle_halo2_call, sol_payment, sol_proof, statement, uint,
};
use veil_contracts::{CallError, Receipt};

/// BN254's scalar-field modulus.
pub(crate) fn r() -> U256 {
    U256::from_str_radix(
        "21888242871839275222246405745257275088548364400416034343698204186575808495617",
        10,
    )
    .unwrap()
}

/// The revocation publisher's address in the deployment (`System::deploy`).
fn publisher() -> Address {
    account(5)
}

fn refused_with(result: Result<Receipt, CallError>, name: &str) {
    match result {
        Err(e) => assert_eq!(e.error_name(), Some(name), "wrong refusal: {e}"),
        Ok(_) => panic!("accepted; expected {name}"),
    }
}

/// Statement word `i` (in `Statement` order) plus `k·r`.
pub(crate) fn shifted(
    st: &IComplianceGate::Statement,
    i: usize,
    k: u64,
) -> IComplianceGate::Statement {
    let mut st = st.clone();
    let add = r() * U256::from(k);
    let word = match i {
        0 => &mut st.policyHash,
        1 => &mut st.issuersRoot,
        2 => &mut st.revocationRoot,
        3 => &mut st.today,
        4 => &mut st.scope,
        5 => &mut st.nullifier,
        6 => &mut st.escrowC1x,
        7 => &mut st.escrowC1y,
        _ => &mut st.escrowCt,
    };
    *word = word.wrapping_add(add);
    st
}

/// Grants the consumer role to a fresh EOA through governance, then puts
/// the clock back on the sample's day; returns the EOA.
pub(crate) fn grant_consumer(w: &mut World) -> Address {
    let consumer = account(0x77);
    let gate = w.system.gate;
    let role = w
        .system
        .chain
        .view_call(payer(), gate, &IComplianceGate::CONSUMER_ROLECall {})
        .unwrap();
    w.system
        .govern(
            gate,
            IComplianceGate::grantRoleCall {
                role,
                account: consumer,
            }
            .abi_encode(),
        )
        .unwrap();
    w.system
        .set_day(veil_circuits::statement::sample::SAMPLE_TODAY);
    consumer
}

#[test]
fn finding_1_a_halo2_nullifier_shifted_by_r_does_not_settle_again() {
    let mut w = World::new(true);
    let first = w.payment(1);
    let (proof, public) = crate::halo2::prove(&w.sample(&first).witness().unwrap());
    w.system
        .settle_halo2(&proof, &public, &first)
        .expect("the first payment settles");
    // The same holder, a new payment, the same nullifier written + k·r: the
    // halo2 verifier reduces it mod r and accepts; the gate must not.
    let second = w.payment(2);
    let (proof2, public2) = crate::halo2::prove(&w.sample(&second).witness().unwrap());
    assert_eq!(public.nullifier, public2.nullifier);
    let router = w.system.router;
    for k in 1..=5 {
        let mut call = settle_halo2_call(&proof2, &public2, &second);
        call.statement = shifted(&call.statement, 5, k);
        refused_with(
            w.system
                .chain
                .send(payer(), router, call.abi_encode().into()),
            "NonCanonicalInput",
        );
    }
    refused_with(
        w.system.settle_halo2(&proof2, &public2, &second),
        "NullifierAlreadyUsed",
    );
}

#[test]
fn finding_1_every_statement_word_shifted_by_r_is_refused_on_both_paths() {
    let mut w = World::new(true);
    let payment = w.payment(1);
    let witness = w.sample(&payment).witness().unwrap();
    let (g16, public) = prove(witness.clone());
    let (h2, _) = crate::halo2::prove(&witness);
    let (gate, router) = (w.system.gate, w.system.router);
    // `consume` as a consumer would call it (an EOA granted the role: revm,
    // like mainnet, refuses transactions sent from a contract's address).
    let consumer = grant_consumer(&mut w);
    let honest = statement(&public);
    for i in 0..9 {
        let st = shifted(&honest, i, 1);
        let calls: [(Address, Address, Vec<u8>); 6] = [
            (
                payer(),
                gate,
                IComplianceGate::checkCall {
                    proof: sol_proof(&g16),
                    st: st.clone(),
                    payment: sol_payment(&payment),
                }
                .abi_encode(),
            ),
            (
                payer(),
                gate,
                IComplianceGate::checkHalo2Call {
                    proof: h2.clone().into(),
                    st: st.clone(),
                    payment: sol_payment(&payment),
                }
                .abi_encode(),
            ),
            (
                consumer,
                gate,
                IComplianceGate::consumeCall {
                    proof: sol_proof(&g16),
                    st: st.clone(),
                    payment: sol_payment(&payment),
                }
                .abi_encode(),
            ),
            (
                consumer,
                gate,
                IComplianceGate::consumeHalo2Call {
                    proof: h2.clone().into(),
                    st: st.clone(),
                    payment: sol_payment(&payment),
                }
                .abi_encode(),
            ),
            (
                payer(),
                router,
                ISettlementRouter::settleCall {
                    statement: st.clone(),
                    ..settle_call(&g16, &public, &payment)
                }
                .abi_encode(),
            ),
            (
                payer(),
                router,
                ISettlementRouter::settleHalo2Call {
                    statement: st.clone(),
                    ..settle_halo2_call(&h2, &public, &payment)
                }
                .abi_encode(),
            ),
        ];
        for (n, (from, to, data)) in calls.into_iter().enumerate() {
            match w.system.chain.send(from, to, data.into()) {
                Err(e) => assert_eq!(
                    e.error_name(),
                    Some("NonCanonicalInput"),
                    "word {i}, call {n}: {e}"
                ),
                Ok(_) => panic!("word {i} + r accepted by call {n}"),
            }
        }
    }
    // The honest statement still settles through both entry points.
    w.system.settle(&g16, &public, &payment).expect("settles");
}

#[test]
fn finding_4_the_fast_key_cannot_replace_the_trusted_issuers_root() {
    let mut w = World::new(false);
    let gate = w.system.gate;
    let before: U256 = w
        .system
        .chain
        .view_call(publisher(), gate, &IComplianceGate::issuersRootCall {})
        .unwrap();
    let rogue = IComplianceGate::publishIssuersRootCall {
        root: U256::from(0xbad),
    }
    .abi_encode();
    refused_with(
        w.system.chain.send(publisher(), gate, rogue.clone().into()),
        "AccessControlUnauthorizedAccount",
    );
    // Through governance it waits out the timelock's delay.
    let salt = w.system.schedule(gate, &rogue).unwrap();
    w.system.chain.warp(w.system.config().timelock_delay - 1);
    assert!(w.system.execute_scheduled(gate, &rogue, salt).is_err());
    let after: U256 = w
        .system
        .chain
        .view_call(publisher(), gate, &IComplianceGate::issuersRootCall {})
        .unwrap();
    assert_eq!(before, after);
    w.system.chain.warp(1);
    w.system.execute_scheduled(gate, &rogue, salt).unwrap();
    // Revocations stay on the fast key.
    let mut revocations = w.sample(&w.payment(1)).revocation_tree;
    let insertion = revocations.insert_proved(F::from(7u64)).unwrap();
    w.system
        .append_revocations(&[insertion])
        .expect("the publisher appends revocations");
}

#[test]
fn finding_7_a_deployment_with_no_revocations_accepts_proofs() {
    let mut w = World::new(false);
    let payment = w.payment(1);
    let mut s = w.sample(&payment);
    s.revocation_tree = revocation_tree(&[]).unwrap();
    let (proof, public) = prove(s.witness().unwrap());
    let gate = w.system.gate;
    w.system
        .set_revocation_root(public.revocation_root)
        .unwrap();
    w.system.set_day(s.context.today);
    w.system
        .check(&proof, &public, &payment)
        .expect("the empty revocation tree's root is accepted");
    w.system.settle(&proof, &public, &payment).expect("settles");
    // v1's empty tree (a sparse Merkle tree) had root 0, which the gate
    // refused outright: any root the timelock publishes is accepted, 0
    // included.
    w.system.set_revocation_root(F::from(0u64)).unwrap();
    let zero_accepted: bool = w
        .system
        .chain
        .view_call(
            publisher(),
            gate,
            &IComplianceGate::isRevocationRootAcceptedCall {
                root: uint(&F::from(0u64)),
            },
        )
        .unwrap();
    assert!(zero_accepted, "a published root of 0 is refused");
}

#[test]
fn finding_8_a_longer_grace_period_does_not_readmit_a_retired_root() {
    let mut w = World::new(false);
    let payment = w.payment(1);
    let gate = w.system.gate;
    let grace = w.system.config().root_grace_period;
    let mut revocations = w.sample(&payment).revocation_tree;
    let old = revocations.root();
    let insertion = revocations.insert_proved(F::from(1u64)).unwrap();
    w.system.append_revocations(&[insertion]).unwrap();
    w.system.chain.warp(grace + 1);
    let accepted = |w: &mut World| -> bool {
        w.system
            .chain
            .view_call(
                publisher(),
                gate,
                &IComplianceGate::isRevocationRootAcceptedCall { root: uint(&old) },
            )
            .unwrap()
    };
    assert!(!accepted(&mut w), "retired past its window");
    // Governance later lengthens the grace period to thirty days.
    w.system
        .govern(
            gate,
            IComplianceGate::setRootGracePeriodCall {
                gracePeriod: 30 * 86_400,
            }
            .abi_encode(),
        )
        .unwrap();
    assert!(!accepted(&mut w), "a retired root came back");
    // A proof against it, made today, is refused on its root.
    let mut s = w.sample(&payment);
    s.context.today = (w.system.chain.timestamp() / 86_400) as u32;
    let (proof, public) = prove(s.witness().unwrap());
    refused_with(
        w.system.check(&proof, &public, &payment),
        "RevocationRootNotAccepted",
    );
}

#[test]
fn finding_12_the_gate_refuses_an_escrow_key_anyone_can_open() {
    let mut w = World::new(false);
    let gate = w.system.gate;
    let sample = w.sample(&w.payment(1));
    // The identity (0, 1), a point of order two (0, −1), and a point off
    // the curve.
    let minus_one = -F::from(1u64);
    let keys = [
        (F::from(0u64), F::from(1u64)),
        (F::from(0u64), minus_one),
        (F::from(1u64), F::from(1u64)),
    ];
    for (n, (x, y)) in keys.into_iter().enumerate() {
        let mut params = policy_params(&sample.policy).unwrap();
        params.regulatorX = uint(&x);
        params.regulatorY = uint(&y);
        let call = IComplianceGate::registerPolicyCall {
            policyHash: U256::from(1000 + n),
            params,
            scope: U256::from(1),
            uniqueNullifier: true,
        };
        let salt = w.system.schedule(gate, &call.abi_encode()).unwrap();
        w.system.chain.warp(w.system.config().timelock_delay);
        refused_with(
            w.system.execute_scheduled(gate, &call.abi_encode(), salt),
            "InvalidRegulatorKey",
        );
    }
}
