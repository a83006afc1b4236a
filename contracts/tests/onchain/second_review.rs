//! The second review's contract findings (issue 42).
//!
//! Finding 3: the fast key that publishes revocations can only *append* to
//! the list. Every attempt to take an id off it (the
//! empty tree's root, an older root, a rewrite that skips an id, an
//! insertion made against an older tree, a filled position) is refused by
//! the gate and, with the same error, by the native check
//! (`Insertion::apply`); only the timelock publishes any other root.
//!
//! Finding 16: the three decisions contracts/README.md records, each held
//! to what it claims.

use crate::fixture::*;
use alloy_primitives::{Address, U256};
use alloy_sol_types::SolCall;
use ark_ff::{Field, PrimeField};
use veil_circuits::imt::{Insertion, InsertionError};
use veil_circuits::merkle::hash_node;
use veil_circuits::poseidon::poseidon_fixed;
use veil_circuits::statement::revocation_tree;
use veil_circuits::F;
use veil_contracts::abi::{IComplianceGate, IPoseidonT3, IPoseidonT5};
use veil_contracts::system::{sol_insertion, uint};
use veil_contracts::{CallError, Receipt};

fn refused_with(result: Result<Receipt, CallError>, name: &str) {
    match result {
        Err(e) => assert_eq!(e.error_name(), Some(name), "wrong refusal: {e}"),
        Ok(_) => panic!("accepted; expected {name}"),
    }
}

/// The gate's current revocation root.
fn gate_root(w: &mut World) -> F {
    let gate = w.system.gate;
    let root: U256 = w
        .system
        .chain
        .view_call(payer(), gate, &IComplianceGate::revocationRootCall {})
        .unwrap();
    F::from_be_bytes_mod_order(&root.to_be_bytes::<32>())
}

fn revocation_accepted(w: &mut World, root: F) -> bool {
    let gate = w.system.gate;
    w.system
        .chain
        .view_call(
            payer(),
            gate,
            &IComplianceGate::isRevocationRootAcceptedCall { root: uint(&root) },
        )
        .unwrap()
}

/// The fast key's direct call to publish any root.
fn fast_key_sets(w: &mut World, root: F) -> Result<Receipt, CallError> {
    let (gate, publisher): (Address, Address) = (w.system.gate, w.system.revocation_publisher);
    let call = IComplianceGate::setRevocationRootCall { root: uint(&root) };
    w.system
        .chain
        .send(publisher, gate, call.abi_encode().into())
}

/// `insertion` is refused by the gate and natively, for the same reason.
fn refused_both(w: &mut World, insertion: Insertion, native: InsertionError, name: &str) {
    let root = gate_root(w);
    assert_eq!(insertion.apply(root), Err(native), "native check");
    refused_with(w.system.append_revocations(&[insertion]), name);
    assert_eq!(gate_root(w), root, "a refused append changed the root");
}

#[test]
fn r2_finding_3_the_fast_key_appends_revocations_and_cannot_unrevoke() {
    let mut w = World::new(false);
    let payment = w.payment(1);
    let sample = w.sample(&payment);
    let (proof, public) = w.prove(&payment);
    let id = sample.claims.credential_id;
    let grace = w.system.config().root_grace_period;

    // Revoke the holder: one append, checked on chain.
    let before = sample.revocation_tree.clone();
    let mut tree = sample.revocation_tree.clone();
    let insertion = tree.insert_proved(id).unwrap();
    assert_eq!(insertion.apply(gate_root(&mut w)), Ok(tree.root()));
    let receipt = w.system.append_revocations(&[insertion]).expect("revoked");
    println!("appendRevocations, one id: {} gas", receipt.gas_used);
    assert_eq!(gate_root(&mut w), tree.root());
    w.system.chain.warp(grace + 1);
    refused_with(
        w.system.settle(&proof, &public, &payment),
        "RevocationRootNotAccepted",
    );

    // The fast key publishes the empty tree's root, or the root before the
    // revocation: it may not publish roots at all.
    let empty = revocation_tree(&[]).unwrap().root();
    for root in [empty, before.root(), F::from(0u64)] {
        refused_with(
            fast_key_sets(&mut w, root),
            "AccessControlUnauthorizedAccount",
        );
    }
    assert!(!revocation_accepted(&mut w, before.root()));

    // A rewrite that skips the id: the id's predecessor now points at it,
    // and "inserting" id + 1 there would drop the id from the list.
    let predecessor = tree.low_leaf_proof(&id);
    let skip = Insertion {
        key: id + F::from(1u64),
        low: predecessor.clone(),
        new_path: predecessor.path.clone(),
    };
    refused_both(
        &mut w,
        skip,
        InsertionError::LowLeafDoesNotBracket,
        "LowLeafDoesNotBracket",
    );
    // The id again.
    let again = Insertion {
        key: id,
        new_path: predecessor.path.clone(),
        low: predecessor,
    };
    refused_both(
        &mut w,
        again,
        InsertionError::LowLeafDoesNotBracket,
        "LowLeafDoesNotBracket",
    );
    // An honest insertion into the tree before the revocation: its low leaf
    // is gone from the current tree.
    let stale = before.clone().insert_proved(id + F::from(1u64)).unwrap();
    refused_both(
        &mut w,
        stale,
        InsertionError::LowLeafNotInTree,
        "LowLeafNotInTree",
    );
    // A new leaf written over a filled position (the revoked id's own).
    let mut next = tree.clone();
    let mut overwrite = next.insert_proved(id + F::from(1u64)).unwrap();
    overwrite.new_path = tree.leaf_proof(tree.len() as u64).unwrap().path;
    refused_both(
        &mut w,
        overwrite,
        InsertionError::PositionNotEmpty,
        "PositionNotEmpty",
    );
    // Keys out of range: 0 (the sentinel's) and 2^248.
    for key in [F::from(0u64), F::from(2u64).pow([248u64])] {
        let mut bad = tree.clone().insert_proved(id + F::from(1u64)).unwrap();
        bad.key = key;
        refused_both(
            &mut w,
            bad,
            InsertionError::NotCanonical,
            "InsertionNotCanonical",
        );
    }
    assert_eq!(gate_root(&mut w), tree.root());

    // Genuine appends are accepted, two in one call; each root matches the
    // native tree's.
    let batch: Vec<Insertion> = [3u64, 5]
        .iter()
        .map(|k| tree.insert_proved(id + F::from(*k)).unwrap())
        .collect();
    let receipt = w.system.append_revocations(&batch).expect("appended");
    println!("appendRevocations, two ids: {} gas", receipt.gas_used);
    assert_eq!(gate_root(&mut w), tree.root());
    // 44 Poseidon(4) and 3 Poseidon(2) hashes an id (about 5.4 M gas,
    // benches/RESULTS.md "On-chain gas"): three fit under EIP-7825's cap.
    assert!(
        receipt.gas_used < 2 * 5_600_000,
        "an id costs {} gas",
        receipt.gas_used / 2
    );

    // Un-revoking is the timelock's: after its delay, in public.
    w.system.set_revocation_root(before.root()).unwrap();
    assert_eq!(gate_root(&mut w), before.root());
}

#[test]
fn the_gates_poseidon_is_veils() {
    let mut w = World::new(false);
    let gate = w.system.gate;
    let poseidon: Address = w
        .system
        .chain
        .view_call(payer(), gate, &IComplianceGate::poseidonCall {})
        .unwrap();
    for (l, r) in [(0u64, 0u64), (1, 2), (u64::MAX, 7)] {
        let (l, r) = (F::from(l), F::from(r));
        let on_chain: U256 = w
            .system
            .chain
            .view_call(
                payer(),
                poseidon,
                &IPoseidonT3::hashCall {
                    inputs: [uint(&l), uint(&r)],
                },
            )
            .unwrap();
        assert_eq!(on_chain, uint(&hash_node(l, r)));
    }
    // The tree's nodes: Poseidon(4), as veil's 4-ary trees hash them.
    let poseidon4: Address = w
        .system
        .chain
        .view_call(payer(), gate, &IComplianceGate::poseidon4Call {})
        .unwrap();
    for children in [[0u64; 4], [1, 2, 3, 4], [u64::MAX, 7, 0, 9]] {
        let children = children.map(F::from);
        let on_chain: U256 = w
            .system
            .chain
            .view_call(
                payer(),
                poseidon4,
                &IPoseidonT5::hashCall {
                    inputs: children.map(|c| uint(&c)),
                },
            )
            .unwrap();
        assert_eq!(on_chain, uint(&poseidon_fixed(children)));
    }
}

#[test]
fn insertions_replay_the_tree_natively() {
    // Every honest insertion applies to the root before it and gives the
    // root after, whatever the order of the keys.
    let mut tree = revocation_tree(&[]).unwrap();
    for k in [50u64, 10, 70, 20, 60, 1, 80] {
        let root = tree.root();
        let insertion = tree.insert_proved(F::from(k)).unwrap();
        assert_eq!(insertion.apply(root), Ok(tree.root()));
        let sol = sol_insertion(&insertion);
        assert_eq!(sol.key, U256::from(k));
    }
    assert_eq!(
        tree.root(),
        revocation_tree(&[50u64, 10, 70, 20, 60, 1, 80].map(F::from))
            .unwrap()
            .root()
    );
}

/// Finding 16, as decided in contracts/README.md: (1) the gate enforces the
/// policy hash, not the published parameters, so parameters that do not
/// hash to it mislead a reader but admit no proof of other rules; (2) a
/// consumer can spend a proof it sees only for the payment the proof is
/// bound to; (3) the revocation list is one list of ids: listing another
/// holder's id leaves this holder proving, listing its own refuses it.
#[test]
fn r2_finding_16_the_documented_decisions_hold() {
    let mut w = World::new(true);
    let gate = w.system.gate;
    let payment = w.payment(1);
    let sample = w.sample(&payment);

    // (1) A policy registered under a hash its parameters do not make.
    let mut stricter = sample.policy.clone();
    stricter.min_age_days += 1;
    let call = IComplianceGate::registerPolicyCall {
        policyHash: uint(&stricter.hash().unwrap()),
        params: veil_contracts::system::policy_params(&sample.policy).unwrap(),
        scope: uint(&sample.context.scope),
        uniqueNullifier: true,
    };
    w.system.govern(gate, call.abi_encode()).unwrap();
    w.system.set_day(sample.context.today);
    // A proof of the published (laxer) rules, presented under that hash:
    // the proof is bound to its own policy hash, so it fails.
    let (proof, public) = w.prove(&payment);
    let mut relabelled = public;
    relabelled.policy_hash = stricter.hash().unwrap();
    refused_with(
        w.system.check(&proof, &relabelled, &payment),
        "InvalidProof",
    );
    w.system
        .check(&proof, &public, &payment)
        .expect("honest proof");

    // (2) A consumer replaying the proof for another payment is refused;
    // for its own payment it spends it (the documented trust in the role).
    let consumer = crate::trust::grant_consumer(&mut w);
    let (payer, payee) = (payer(), payee());
    for other in [
        w.payment(2),
        w.system.payment(payer, payee, 1, 1),
        w.system.payment(payer, consumer, AMOUNT, 1),
    ] {
        let call = consume_call(&proof, &public, &other);
        refused_with(w.system.chain.send(consumer, gate, call), "InvalidProof");
    }
    let stranger = veil_contracts::system::account(0x66);
    let call = consume_call(&proof, &public, &payment);
    refused_with(
        w.system.chain.send(stranger, gate, call.clone()),
        "AccessControlUnauthorizedAccount",
    );

    // (3) Another holder's id listed: this holder proves against the new
    // root; its own id listed: the wallet refuses to prove.
    let mut tree = sample.revocation_tree.clone();
    let someone_else = sample.claims.credential_id + F::from(1u64);
    let insertion = tree.insert_proved(someone_else).unwrap();
    w.system.append_revocations(&[insertion]).unwrap();
    let mut s = w.sample(&w.payment(3));
    s.revocation_tree = tree.clone();
    let (proof, public) = prove(s.witness().expect("still provable"));
    w.system
        .check(&proof, &public, &w.payment(3))
        .expect("accepted against the new root");
    tree.insert(sample.claims.credential_id).unwrap();
    s.revocation_tree = tree;
    assert!(s.witness().is_err(), "a revoked holder proved");

    // (2, end) The consumer spends the first proof for its own payment: the
    // trust the role carries, which the timelock grants only to settlement
    // contracts that take the payer from msg.sender.
    w.system
        .chain
        .send(consumer, gate, call)
        .expect("consumed for its bound payment");
}

/// The gate's `consume` of `proof` for `payment`, as calldata.
fn consume_call(
    proof: &veil_verifier::Proof,
    public: &veil_circuits::statement::PublicInputs,
    payment: &veil_circuits::statement::Payment,
) -> alloy_primitives::Bytes {
    IComplianceGate::consumeCall {
        proof: veil_contracts::system::sol_proof(proof),
        st: veil_contracts::system::statement(public),
        payment: veil_contracts::system::sol_payment(payment),
    }
    .abi_encode()
    .into()
}
