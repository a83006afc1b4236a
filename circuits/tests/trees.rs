//! Merkle tree and sparse Merkle tree: native and gadget agree, and every
//! tampered path element is rejected.
mod common;

use ark_ff::{AdditiveGroup, PrimeField};
use ark_r1cs_std::{alloc::AllocVar, fields::fp::FpVar, GR1CSVar};
use common::new_cs;
use proptest::prelude::*;
use veil_circuits::merkle::*;
use veil_circuits::smt::*;
use veil_circuits::F;

fn f(n: u64) -> F {
    F::from(n)
}

fn merkle_gadget_accepts(depth: usize, root: F, leaf: F, path: &MerklePath) -> bool {
    let cs = new_cs();
    let p = MerklePathVar::new_witness_with_depth(cs.clone(), depth, Some(path)).unwrap();
    let r = FpVar::new_input(cs.clone(), || Ok(root)).unwrap();
    let l = FpVar::new_witness(cs.clone(), || Ok(leaf)).unwrap();
    p.enforce_membership(&r, &l).unwrap();
    cs.is_satisfied().unwrap()
}

#[test]
fn merkle_paths_verify_natively_and_in_circuit_and_reject_tampering() {
    let leaves: Vec<F> = (1..=5).map(f).collect();
    let tree = MerkleTree::new(4, &leaves).unwrap();
    for (i, leaf) in leaves.iter().enumerate() {
        let path = tree.path(i as u64).unwrap();
        assert!(path.verify(tree.root(), *leaf));
        assert!(merkle_gadget_accepts(4, tree.root(), *leaf, &path));
        assert!(!path.verify(tree.root(), *leaf + f(1)));
        assert!(!merkle_gadget_accepts(4, tree.root(), *leaf + f(1), &path));
        for level in 0..4 {
            let mut bad = path.clone();
            bad.siblings[level] += f(1);
            assert!(!bad.verify(tree.root(), *leaf), "sibling {level}");
            assert!(
                !merkle_gadget_accepts(4, tree.root(), *leaf, &bad),
                "sibling {level}"
            );
            let mut bad = path.clone();
            bad.index ^= 1 << level;
            assert!(!bad.verify(tree.root(), *leaf), "index bit {level}");
            assert!(
                !merkle_gadget_accepts(4, tree.root(), *leaf, &bad),
                "index bit {level}"
            );
        }
    }
    // An unused position holds the empty leaf.
    assert!(tree.path(9).unwrap().verify(tree.root(), F::ZERO));
    assert_eq!(
        tree.path(16),
        Err(MerkleError::IndexOutOfRange {
            index: 16,
            depth: 4
        })
    );
    assert!(matches!(
        MerkleTree::new(2, &[f(1); 5]),
        Err(MerkleError::TooManyLeaves { .. })
    ));
    assert_eq!(MerkleTree::new(0, &[]).unwrap_err(), MerkleError::Depth(0));
    // An index with bits above the depth is refused natively.
    let mut aliased = tree.path(1).unwrap();
    aliased.index |= 1 << 4;
    assert!(!aliased.verify(tree.root(), leaves[1]));
}

#[test]
fn merkle_empty_tree_root_is_the_chain_of_zero_hashes() {
    let mut expected = F::ZERO;
    for _ in 0..3 {
        expected = veil_circuits::merkle::hash_node(expected, expected);
    }
    assert_eq!(MerkleTree::new(3, &[]).unwrap().root(), expected);
}

fn smt_gadget(depth: usize, root: F, key: F, proof: &SmtProof, member_value: Option<F>) -> bool {
    let cs = new_cs();
    let p = SmtProofVar::new_witness(cs.clone(), depth, Some(proof)).unwrap();
    let r = FpVar::new_input(cs.clone(), || Ok(root)).unwrap();
    let k = FpVar::new_witness(cs.clone(), || Ok(key)).unwrap();
    match member_value {
        Some(v) => {
            let v = FpVar::new_witness(cs.clone(), || Ok(v)).unwrap();
            p.enforce_membership(&r, &k, &v).unwrap();
        }
        None => p.enforce_non_membership(&r, &k).unwrap(),
    }
    cs.is_satisfied().unwrap()
}

fn key(n: u64) -> F {
    // Spread keys over the field like random credential ids.
    veil_circuits::poseidon::poseidon(&[f(n)]).unwrap()
}

#[test]
fn smt_membership_and_non_membership_natively_and_in_circuit() {
    let depth = 16;
    let mut tree = SparseMerkleTree::new(depth).unwrap();
    assert_eq!(tree.root(), F::ZERO);
    // Empty tree: anything is absent.
    let p = tree.prove(key(1));
    assert!(p.verify_non_membership(tree.root(), key(1)));
    assert!(smt_gadget(depth, tree.root(), key(1), &p, None));

    for n in 1..=12 {
        tree.insert(key(n), f(1)).unwrap();
    }
    for n in 1..=12 {
        let p = tree.prove(key(n));
        assert!(p.verify_membership(tree.root(), key(n), f(1)));
        assert!(smt_gadget(depth, tree.root(), key(n), &p, Some(f(1))));
        // A member cannot be shown absent, natively or in-circuit.
        assert!(!p.verify_non_membership(tree.root(), key(n)));
        assert!(!smt_gadget(depth, tree.root(), key(n), &p, None));
        assert!(
            !smt_gadget(depth, tree.root(), key(n), &p, Some(f(2))),
            "wrong value"
        );
    }
    for n in 13..=40 {
        let p = tree.prove(key(n));
        assert!(p.verify_non_membership(tree.root(), key(n)));
        assert!(
            smt_gadget(depth, tree.root(), key(n), &p, None),
            "absent {n}"
        );
        assert!(!p.verify_membership(tree.root(), key(n), f(1)));
        // Tampering with any sibling on the path, or the path length, breaks it.
        for level in 0..p.path_len {
            let mut bad = p.clone();
            bad.siblings[level] += f(1);
            assert!(!bad.verify_non_membership(tree.root(), key(n)));
            assert!(!smt_gadget(depth, tree.root(), key(n), &bad, None));
        }
        if p.path_len > 0 {
            let mut bad = p.clone();
            bad.path_len -= 1;
            assert!(
                !smt_gadget(depth, tree.root(), key(n), &bad, None),
                "shortened path"
            );
        }
        if let PathEnd::Leaf { key: k, value } = p.end {
            let mut bad = p.clone();
            bad.end = PathEnd::Leaf {
                key: k,
                value: value + f(1),
            };
            assert!(
                !smt_gadget(depth, tree.root(), key(n), &bad, None),
                "ending leaf value"
            );
            let mut bad = p.clone();
            bad.end = PathEnd::Empty;
            assert!(
                !smt_gadget(depth, tree.root(), key(n), &bad, None),
                "leaf claimed empty"
            );
        }
    }
}

#[test]
fn smt_a_revoked_key_cannot_be_proven_absent_with_a_proof_for_another_key() {
    let depth = 16;
    let mut tree = SparseMerkleTree::new(depth).unwrap();
    for n in 1..=8 {
        tree.insert(key(n), f(1)).unwrap();
    }
    let revoked = key(3);
    for other in 9..=20 {
        let p = tree.prove(key(other));
        assert!(!smt_gadget(depth, tree.root(), revoked, &p, None));
    }
}

#[test]
fn smt_remove_restores_the_root_and_errors_are_typed() {
    let mut tree = SparseMerkleTree::new(8).unwrap();
    tree.insert(key(1), f(1)).unwrap();
    let one = tree.root();
    tree.insert(key(2), f(1)).unwrap();
    tree.insert(key(3), f(1)).unwrap();
    assert_eq!(tree.insert(key(2), f(1)), Err(SmtError::KeyExists));
    tree.remove(key(3)).unwrap();
    tree.remove(key(2)).unwrap();
    assert_eq!(tree.root(), one);
    assert_eq!(tree.len(), 1);
    assert_eq!(tree.remove(key(2)), Err(SmtError::KeyNotFound));
    tree.remove(key(1)).unwrap();
    assert_eq!(tree.root(), F::ZERO);
    assert!(tree.is_empty());
    // Keys sharing all low bits cannot both be held.
    let mut small = SparseMerkleTree::new(2).unwrap();
    small.insert(f(1), f(1)).unwrap();
    assert_eq!(small.insert(f(5), f(1)), Err(SmtError::DepthExhausted(2)));
    assert_eq!(small.len(), 1);
    assert_eq!(SparseMerkleTree::new(0).unwrap_err(), SmtError::Depth(0));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(8))]

    #[test]
    fn smt_root_is_independent_of_insertion_order_and_gadget_agrees(
        keys in prop::collection::btree_set(any::<u64>(), 1..10),
        probe in any::<u64>(),
    ) {
        let keys: Vec<F> = keys.into_iter().map(key).collect();
        let mut a = SparseMerkleTree::new(32).unwrap();
        let mut b = SparseMerkleTree::new(32).unwrap();
        for k in &keys { a.insert(*k, f(1)).unwrap(); }
        for k in keys.iter().rev() { b.insert(*k, f(1)).unwrap(); }
        prop_assert_eq!(a.root(), b.root());
        let probe = key(probe);
        let p = a.prove(probe);
        let native = if keys.contains(&probe) {
            p.verify_membership(a.root(), probe, f(1))
        } else {
            p.verify_non_membership(a.root(), probe)
        };
        prop_assert!(native);
        let member = keys.contains(&probe).then_some(f(1));
        prop_assert!(smt_gadget(32, a.root(), probe, &p, member));
    }

    #[test]
    fn merkle_gadget_agrees_with_native(leaves in prop::collection::vec(any::<u64>(), 1..16), pick in any::<usize>()) {
        let leaves: Vec<F> = leaves.into_iter().map(f).collect();
        let tree = MerkleTree::new(4, &leaves).unwrap();
        let i = pick % leaves.len();
        let path = tree.path(i as u64).unwrap();
        let cs = new_cs();
        let pv = MerklePathVar::new_witness_with_depth(cs.clone(), 4, Some(&path)).unwrap();
        let l = FpVar::new_witness(cs.clone(), || Ok(leaves[i])).unwrap();
        prop_assert_eq!(pv.root(&l).unwrap().value().unwrap(), tree.root());
        prop_assert_eq!(path.root(leaves[i]), tree.root());
    }
}

#[test]
fn field_keys_use_their_low_bits() {
    let k = F::from_le_bytes_mod_order(&[0b1011u8]);
    let mut t = SparseMerkleTree::new(4).unwrap();
    t.insert(k, f(7)).unwrap();
    assert_eq!(t.get(k), Some(f(7)));
}
