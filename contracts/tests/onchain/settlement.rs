//! The settlement path against a hostile token and a payer without allowance.

use crate::fixture::*;
use alloy_primitives::{Address, U256};
use alloy_sol_types::SolCall;
use veil_circuits::statement::Payment;
use veil_contracts::abi::{IComplianceGate, ITestToken};
use veil_contracts::artifacts::Artifact;
use veil_contracts::chain::CHAIN_ID;
use veil_contracts::system::{settle_call, uint};

fn payment_in(w: &World, token: Address, nonce: u128) -> Payment {
    Payment::new(
        CHAIN_ID,
        w.system.gate.into(),
        payer().into(),
        payee().into(),
        token.into(),
        AMOUNT,
        nonce,
    )
}

#[test]
fn a_token_that_reenters_the_router_cannot_settle_twice() {
    let mut w = World::new(false);
    let evil = w
        .system
        .chain
        .deploy(
            w.system.deployer,
            Artifact::load("ReentrantToken").unwrap().bytecode,
        )
        .unwrap();
    let router = w.system.router;
    let chain = &mut w.system.chain;
    chain
        .send_call(
            payer(),
            evil,
            &ITestToken::mintCall {
                to: payer(),
                amount: U256::from(10 * AMOUNT),
            },
        )
        .unwrap();
    chain
        .send_call(
            payer(),
            evil,
            &ITestToken::approveCall {
                spender: router,
                amount: U256::MAX,
            },
        )
        .unwrap();

    let first = payment_in(&w, evil, 1);
    let second = payment_in(&w, evil, 2);
    let (proof, public) = w.prove(&first);
    let (proof2, public2) = w.prove(&second);
    // During the first settlement's transfer, the token settles the second.
    let payload = settle_call(&proof2, &public2, &second).abi_encode();
    w.system
        .chain
        .send_call(
            payer(),
            evil,
            &ITestToken::armCall {
                target: router,
                payload: payload.into(),
            },
        )
        .unwrap();
    let e = w.system.settle(&proof, &public, &first).unwrap_err();
    assert_eq!(e.error_name(), Some("ReentrancyGuardReentrantCall"));
    assert_eq!(w.system.balance(evil, payee()).unwrap(), U256::ZERO);
    // Nothing was recorded: disarmed, the first payment settles normally.
    w.system
        .chain
        .send_call(
            payer(),
            evil,
            &ITestToken::armCall {
                target: Address::ZERO,
                payload: Default::default(),
            },
        )
        .unwrap();
    w.system
        .settle(&proof, &public, &first)
        .expect("settles once disarmed");
    assert_eq!(w.system.balance(evil, payee()).unwrap(), U256::from(AMOUNT));
}

#[test]
fn a_failed_transfer_leaves_the_proof_unspent() {
    let mut w = World::new(true);
    let broke = veil_contracts::system::account(0x77);
    let payment = Payment::new(
        CHAIN_ID,
        w.system.gate.into(),
        broke.into(),
        payee().into(),
        w.system.token.into(),
        AMOUNT,
        1,
    );
    let (proof, public) = w.prove(&payment);
    let e = w.system.settle(&proof, &public, &payment).unwrap_err();
    assert_eq!(e.error_name(), Some("ERC20InsufficientAllowance"));
    let gate = w.system.gate;
    let used = w
        .system
        .chain
        .view_call(
            payer(),
            gate,
            &IComplianceGate::nullifierUsedCall {
                scope: uint(&public.scope),
                nullifier: uint(&public.nullifier),
            },
        )
        .unwrap();
    assert!(!used, "a reverted settlement spent the nullifier");
    w.system.fund(broke, AMOUNT).unwrap();
    w.system
        .settle(&proof, &public, &payment)
        .expect("settles once funded");
}
