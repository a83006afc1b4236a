//! Governance: nothing changes without the multisig's threshold and the
//! timelock's delay.

use crate::fixture::*;
use alloy_primitives::{FixedBytes, U256};
use alloy_sol_types::SolCall;
use veil_circuits::statement::sample::SAMPLE_TODAY;
use veil_contracts::abi::{IComplianceGate, ITimelock, IVeilMultisig};
use veil_contracts::artifacts::Artifact;
use veil_contracts::system::account;
use veil_contracts::{Config, System};

fn set_verifier(to: alloy_primitives::Address) -> Vec<u8> {
    IComplianceGate::setVerifierCall { verifier: to }.abi_encode()
}

#[test]
fn a_governed_change_waits_for_the_delay() {
    let mut s = System::deploy(Config::default()).unwrap();
    let gate = s.gate;
    let new_verifier = s
        .chain
        .deploy(
            s.deployer,
            Artifact::load("Groth16Verifier").unwrap().bytecode,
        )
        .unwrap();
    let data = set_verifier(new_verifier);
    let salt = s.schedule(gate, &data).unwrap();
    let early = s.execute_scheduled(gate, &data, salt).unwrap_err();
    assert_eq!(early.error_name(), Some("TimelockUnexpectedOperationState"));
    s.chain.warp(s.config().timelock_delay - 1);
    let early = s.execute_scheduled(gate, &data, salt).unwrap_err();
    assert_eq!(early.error_name(), Some("TimelockUnexpectedOperationState"));
    s.chain.warp(1);
    s.execute_scheduled(gate, &data, salt).unwrap();
    let now = s
        .chain
        .view_call(s.deployer, gate, &IComplianceGate::verifierCall {})
        .unwrap();
    assert_eq!(now, new_verifier);
}

#[test]
fn the_multisig_needs_two_signatures_and_only_owners_sign() {
    let mut s = System::deploy(Config::default()).unwrap();
    let (ms, owners) = (s.multisig, s.owners);
    let propose = IVeilMultisig::proposeCall {
        target: s.gate,
        value: U256::ZERO,
        data: set_verifier(account(0x66)).into(),
    };
    let stranger = account(0x66);
    let e = s.chain.send_call(stranger, ms, &propose).unwrap_err();
    assert_eq!(e.error_name(), Some("NotOwner"));

    let (id, _) = s.chain.send_call(owners[0], ms, &propose).unwrap();
    let e = s
        .chain
        .send_call(owners[0], ms, &IVeilMultisig::executeCall { id })
        .unwrap_err();
    assert_eq!(e.error_name(), Some("BelowThreshold"));
    let e = s
        .chain
        .send_call(owners[0], ms, &IVeilMultisig::confirmCall { id })
        .unwrap_err();
    assert_eq!(e.error_name(), Some("AlreadyConfirmed"));
    let e = s
        .chain
        .send_call(stranger, ms, &IVeilMultisig::confirmCall { id })
        .unwrap_err();
    assert_eq!(e.error_name(), Some("NotOwner"));
    s.chain
        .send_call(owners[2], ms, &IVeilMultisig::confirmCall { id })
        .unwrap();
    // Two signatures reached, but the multisig is not the gate's admin: the
    // gate only obeys the timelock.
    let e = s
        .chain
        .send_call(owners[1], ms, &IVeilMultisig::executeCall { id })
        .unwrap_err();
    assert_eq!(e.error_name(), Some("AccessControlUnauthorizedAccount"));
}

#[test]
fn the_timelock_refuses_owners_directly_and_short_delays() {
    let mut s = System::deploy(Config::default()).unwrap();
    let data = set_verifier(account(0x66));
    let schedule = |delay: u64| ITimelock::scheduleCall {
        target: s.gate,
        value: U256::ZERO,
        data: data.clone().into(),
        predecessor: FixedBytes::ZERO,
        salt: FixedBytes::ZERO,
        delay: U256::from(delay),
    };
    let short = schedule(s.config().timelock_delay - 1);
    let full = schedule(s.config().timelock_delay);
    let (timelock, owner) = (s.timelock, s.owners[0]);
    let e = s.chain.send_call(owner, timelock, &full).unwrap_err();
    assert_eq!(e.error_name(), Some("AccessControlUnauthorizedAccount"));
    let e = s.multisig_run(timelock, short.abi_encode()).unwrap_err();
    assert_eq!(e.error_name(), Some("TimelockInsufficientDelay"));
}

#[test]
fn a_governed_verifier_swap_takes_effect() {
    let mut w = World::new(false);
    let payment = w.payment(1);
    let (proof, public) = w.prove(&payment);
    // Swap to a contract that is not a verifier (proofs stop passing), then
    // to a fresh deployment of the demo verifier (they pass again).
    let gate = w.system.gate;
    let not_a_verifier = w.system.token;
    w.system.govern(gate, set_verifier(not_a_verifier)).unwrap();
    w.system.set_day(SAMPLE_TODAY);
    assert!(w.system.check(&proof, &public, &payment).is_err());
    let demo = w
        .system
        .chain
        .deploy(
            w.system.deployer,
            Artifact::load("Groth16Verifier").unwrap().bytecode,
        )
        .unwrap();
    w.system.govern(gate, set_verifier(demo)).unwrap();
    w.system.set_day(SAMPLE_TODAY);
    w.system
        .check(&proof, &public, &payment)
        .expect("verifies again");
}
