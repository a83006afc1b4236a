//! Merkle tree, sparse Merkle tree and the indexed (revocation) Merkle tree:
//! native and gadget agree, every tampered path element is rejected, and no
//! set of revoked ids lets a revoked id prove or stops a list from building.

use crate::common::{new_cs, satisfied};
use ark_ff::{AdditiveGroup, PrimeField};
use ark_r1cs_std::{alloc::AllocVar, fields::fp::FpVar, GR1CSVar};
use proptest::prelude::*;
use veil_circuits::imt::*;
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
    satisfied(&cs)
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
    satisfied(&cs)
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

/// The gadget's verdict, for a tree of `depth` levels of the proof's arity.
fn imt_gadget(depth: usize, root: F, key: F, proof: &NonMembershipProof) -> bool {
    let cs = new_cs();
    let p = NonMembershipVar::new_witness_shaped(cs.clone(), proof.path.arity, depth, Some(proof))
        .unwrap();
    let r = FpVar::new_input(cs.clone(), || Ok(root)).unwrap();
    let k = FpVar::new_witness(cs.clone(), || Ok(key)).unwrap();
    p.enforce_non_membership(&r, &k).unwrap();
    satisfied(&cs)
}

/// `2^248 − 1`, the largest credential id.
fn max_id() -> F {
    use ark_ff::Field;
    f(2).pow([KEY_BITS as u64]) - f(1)
}

/// The sets that broke or could break a revocation tree: ids sharing their
/// low 32 bits (the sparse tree refused them), sharing their high bits,
/// adjacent ids, the extremes 1 and `2^248 − 1`.
fn adversarial_sets() -> Vec<(&'static str, Vec<F>)> {
    use ark_ff::Field;
    let two_32 = f(1u64 << 32);
    let wide_base = f(0xdead_beef) * f(2).pow([200u64]) + f(12_345);
    vec![
        (
            "shared low 32 bits",
            (0..6).map(|k| f(5) + f(k) * two_32).collect(),
        ),
        (
            "shared low 32 bits, wide ids",
            (0..6).map(|k| wide_base + f(k) * two_32).collect(),
        ),
        (
            "shared high bits",
            (0..6).map(|k| max_id() - f(k * 3 + 1)).collect(),
        ),
        ("adjacent", (0..6).map(|k| f(1_000 + k)).collect()),
        ("the extremes", vec![f(1), max_id(), f(2), max_id() - f(1)]),
        ("descending", (0..6).rev().map(|k| f(50 + 10 * k)).collect()),
    ]
}

#[test]
fn finding_2_adversarial_revoked_id_sets_build_and_fail_closed() {
    let depth = 8;
    for (name, ids) in adversarial_sets() {
        assert!(ids.len() >= 4, "{name}");
        let tree = IndexedMerkleTree::from_keys(depth, &ids)
            .unwrap_or_else(|e| panic!("{name}: the list does not build: {e}"));
        let root = tree.root();
        for id in &ids {
            assert_eq!(
                tree.prove_non_membership(id),
                Err(ImtError::KeyExists),
                "{name}"
            );
            // No leaf of the tree, presented as the low leaf, proves a listed id.
            for position in 0..=ids.len() as u64 {
                let p = tree.leaf_proof(position).unwrap();
                assert!(!p.verify(root, *id), "{name}: leaf {position} proves {id}");
                assert!(
                    !imt_gadget(depth, root, *id, &p),
                    "{name}: leaf {position} in-circuit"
                );
            }
        }
        // Every unlisted neighbour proves, natively and in-circuit.
        for id in &ids {
            for probe in [*id - f(1), *id + f(1)] {
                if !key_in_range(&probe) || ids.contains(&probe) {
                    continue;
                }
                let p = tree.prove_non_membership(&probe).unwrap();
                assert!(p.verify(root, probe), "{name}: {probe}");
                assert!(
                    imt_gadget(depth, root, probe, &p),
                    "{name}: {probe} in-circuit"
                );
            }
        }
    }
}

#[test]
fn imt_refuses_what_no_credential_carries_and_reports_a_full_tree() {
    use ark_ff::Field;
    let mut tree = IndexedMerkleTree::new(2).unwrap();
    for bad in [F::ZERO, f(2).pow([KEY_BITS as u64]), -f(1)] {
        assert_eq!(tree.insert(bad), Err(ImtError::KeyOutOfRange));
        assert_eq!(
            tree.prove_non_membership(&bad),
            Err(ImtError::KeyOutOfRange)
        );
    }
    for k in 1..=3 {
        tree.insert(f(k * 10)).unwrap();
    }
    assert_eq!(tree.capacity(), 3);
    let root = tree.root();
    assert_eq!(tree.insert(f(5)), Err(ImtError::Full { capacity: 3 }));
    assert_eq!(tree.root(), root, "a refused insert changes nothing");
    assert_eq!(tree.insert(f(10)), Err(ImtError::KeyExists));
    assert_eq!(
        IndexedMerkleTree::from_keys(2, &[f(1), f(1)]).unwrap_err(),
        ImtError::KeyExists
    );
    assert_eq!(IndexedMerkleTree::new(0).unwrap_err(), ImtError::Depth(0));
    // A key of 2^248 bracketed by the last leaf is refused for its width
    // alone, natively and in-circuit.
    let wide = f(2).pow([KEY_BITS as u64]);
    let last = tree.low_leaf_proof(&wide);
    assert_eq!(last.low_leaf.next_value, F::ZERO);
    assert!(!last.verify(root, wide));
    assert!(!imt_gadget(2, root, wide, &last));
    // Tampered low leaves and paths are refused.
    let good = tree.prove_non_membership(&f(15)).unwrap();
    assert!(good.verify(root, f(15)) && imt_gadget(2, root, f(15), &good));
    for change in 0..4 {
        let mut bad = good.clone();
        match change {
            0 => bad.low_leaf.value += f(1),
            1 => bad.low_leaf.next_value = F::ZERO,
            2 => bad.path.siblings[0] += f(1),
            _ => bad.path.index ^= 1,
        }
        assert!(!bad.verify(root, f(15)), "change {change}");
        assert!(!imt_gadget(2, root, f(15), &bad), "change {change}");
    }
}

/// 10^5 random ids (with pairs sharing their low 32 bits mixed in): the list
/// builds, every sampled listed id fails closed, every sampled unlisted id
/// proves, and appending one more id gives the root of building it whole.
#[test]
fn finding_2_a_list_of_100000_revoked_ids() {
    use ark_std::rand::{rngs::StdRng, SeedableRng};
    let mut rng = StdRng::seed_from_u64(5);
    let mut ids: Vec<F> = (0..99_990)
        .map(|_| veil_circuits::statement::random_credential_id(&mut rng))
        .collect();
    for k in 0..10 {
        ids.push(ids[k] + f(1u64 << 40));
    }
    let depth = veil_circuits::statement::REVOCATION_TREE_DEPTH;
    let t = std::time::Instant::now();
    let mut tree = veil_circuits::statement::revocation_tree(&ids).unwrap();
    eprintln!("built 100,000 ids in {:?}", t.elapsed());
    assert_eq!(tree.len(), 100_000);
    let root = tree.root();
    for id in ids.iter().step_by(9_973).chain(&ids[99_990..]) {
        assert_eq!(tree.prove_non_membership(id), Err(ImtError::KeyExists));
        let p = tree.low_leaf_proof(id);
        assert!(!p.verify(root, *id));
        assert!(!imt_gadget(depth, root, *id, &p));
    }
    for _ in 0..5 {
        let probe = veil_circuits::statement::random_credential_id(&mut rng);
        let p = tree.prove_non_membership(&probe).unwrap();
        assert!(p.verify(root, probe));
        assert!(imt_gadget(depth, root, probe, &p));
    }
    let extra = veil_circuits::statement::random_credential_id(&mut rng);
    tree.insert(extra).unwrap();
    ids.push(extra);
    assert_eq!(
        tree.root(),
        veil_circuits::statement::revocation_tree(&ids)
            .unwrap()
            .root()
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    #[test]
    fn imt_built_whole_or_one_by_one_has_one_root_and_gadget_agrees(
        keys in prop::collection::btree_set(1u64..200, 1..12),
        probe in 1u64..200,
        shuffle in any::<u64>(),
    ) {
        let mut keys: Vec<F> = keys.into_iter().map(f).collect();
        // Insertion order matters to the layout, not to the answers.
        let turn = (shuffle as usize) % keys.len();
        keys.rotate_left(turn);
        let whole = IndexedMerkleTree::from_keys(6, &keys).unwrap();
        let mut step = IndexedMerkleTree::new(6).unwrap();
        for k in &keys {
            step.insert(*k).unwrap();
        }
        prop_assert_eq!(whole.root(), step.root());
        prop_assert_eq!(whole.keys().collect::<Vec<_>>(), keys.clone());
        let probe = f(probe);
        let p = whole.low_leaf_proof(&probe);
        let listed = keys.contains(&probe);
        prop_assert_eq!(p.verify(whole.root(), probe), !listed);
        prop_assert_eq!(imt_gadget(6, whole.root(), probe, &p), !listed);
    }
}

/// Finding 2 through the registry (the API before and after the redesign):
/// revoked ids sharing the credential's low 32 bits made `Registry::new`
/// fail for the whole list (so no root could be published) while the
/// credential still proved. Now the list builds, the revoked credential is
/// refused, and an unrevoked id sharing the same low bits still proves.
#[test]
fn finding_2_ids_sharing_low_bits_neither_block_the_list_nor_let_a_revoked_id_prove() {
    use ark_std::rand::{rngs::StdRng, SeedableRng};
    use veil_circuits::statement::{sample::Sample, Registry, WitnessError};
    let s = Sample::new(&mut StdRng::seed_from_u64(2));
    let id = s.claims.credential_id;
    let shared: Vec<F> = (1..=3).map(|k| id + f(k << 32)).collect();
    let issuers = [s.issuer_key.public_key()];
    let witness = |registry: &Registry| {
        registry.witness(
            s.credential(),
            s.holder_secret,
            s.policy.clone(),
            s.context,
            s.escrow_randomness,
        )
    };
    let unrevoked = Registry::new(&issuers, &shared).expect("the list builds");
    assert!(
        witness(&unrevoked).is_ok(),
        "an unrevoked id sharing low bits proves"
    );
    let mut revoked = shared.clone();
    revoked.insert(1, id);
    let registry = Registry::new(&issuers, &revoked).expect("the list builds");
    assert_eq!(witness(&registry).unwrap_err(), WitnessError::Revoked);
}

/// The capacity the redesign promises: 2^20 revoked ids in one list build
/// (from the list, as a wallet does), take one more by append, and still
/// answer both ways, natively and in-circuit.
#[test]
fn finding_2_a_list_holds_2_pow_20_revoked_ids() {
    let depth = veil_circuits::statement::REVOCATION_TREE_DEPTH;
    let ids: Vec<F> = (0..1u64 << 20).map(|k| f(3 * k + 1)).collect();
    let t = std::time::Instant::now();
    let mut tree = veil_circuits::statement::revocation_tree(&ids).unwrap();
    eprintln!("built 2^20 ids in {:?}", t.elapsed());
    assert!(tree.capacity() >= 1 << 20);
    // Appending past 2^20 works; append and whole builds agreeing on one
    // root is checked at 10^5 ids and by the property test.
    tree.insert(f(3 << 20)).unwrap();
    assert_eq!(tree.len(), (1 << 20) + 1);
    let root = tree.root();
    let listed = f(3 * 777_777 + 1);
    let p = tree.low_leaf_proof(&listed);
    assert!(!p.verify(root, listed) && !imt_gadget(depth, root, listed, &p));
    let unlisted = listed + f(1);
    let p = tree.prove_non_membership(&unlisted).unwrap();
    assert!(p.verify(root, unlisted) && imt_gadget(depth, root, unlisted, &p));
}

/// The gadget's verdict on `leaf` under `root` at `path`, for a tree of
/// `arity` children and `depth` levels, and the constraints it took.
fn wide_gadget(arity: Arity, depth: usize, root: F, leaf: F, path: &MerklePath) -> (bool, usize) {
    let cs = new_cs();
    let p = MerklePathVar::new_witness(cs.clone(), arity, depth, Some(path)).unwrap();
    let r = FpVar::new_input(cs.clone(), || Ok(root)).unwrap();
    let l = FpVar::new_witness(cs.clone(), || Ok(leaf)).unwrap();
    p.enforce_membership(&r, &l).unwrap();
    (satisfied(&cs), cs.num_constraints())
}

/// 4- and 8-ary trees: the root is `H(children)` level by level (checked
/// against Poseidon directly), every position's path verifies natively and
/// in-circuit, and every sibling and every index bit changed is refused by
/// both; a path of another shape is refused natively and never assigned.
#[test]
fn wide_merkle_paths_verify_natively_and_in_circuit_and_reject_tampering() {
    use veil_circuits::poseidon::poseidon;
    for (arity, depth) in [(Arity::FOUR, 3), (Arity::EIGHT, 3)] {
        let k = arity.children();
        let leaves: Vec<F> = (1..=(k * k + 3) as u64).map(f).collect();
        let tree = MerkleTree::with_arity(arity, depth, &leaves).unwrap();
        // The root by definition: hash groups of k, padding with the empty
        // subtree of each height.
        let (mut level, mut empty) = (leaves.clone(), F::ZERO);
        for _ in 0..depth {
            level.resize(level.len().div_ceil(k) * k, empty);
            level = level.chunks(k).map(|c| poseidon(c).unwrap()).collect();
            empty = poseidon(&vec![empty; k]).unwrap();
        }
        assert_eq!(tree.root(), level[0], "arity {k}");
        let positions = (k.pow(depth as u32)) as u64;
        for i in [
            0,
            1,
            k as u64 - 1,
            k as u64,
            leaves.len() as u64 - 1,
            positions - 1,
        ] {
            let leaf = leaves.get(i as usize).copied().unwrap_or(F::ZERO);
            let path = tree.path(i).unwrap();
            assert_eq!(path.siblings.len(), depth * (k - 1));
            assert!(path.verify(tree.root(), leaf), "arity {k}, leaf {i}");
            let (ok, constraints) = wide_gadget(arity, depth, tree.root(), leaf, &path);
            assert!(ok, "arity {k}, leaf {i}");
            // One boolean a bit, the selection and one Poseidon(k) a level
            // (the root's equality folds into the last hash's output).
            let per_level = match k {
                4 => 305,
                _ => 422,
            };
            assert_eq!(constraints, depth * per_level + 1, "arity {k}");
            assert!(!path.verify(tree.root(), leaf + f(1)));
            assert!(!wide_gadget(arity, depth, tree.root(), leaf + f(1), &path).0);
            for s in 0..path.siblings.len() {
                let mut bad = path.clone();
                bad.siblings[s] += f(1);
                assert!(!bad.verify(tree.root(), leaf), "arity {k}, sibling {s}");
                assert!(!wide_gadget(arity, depth, tree.root(), leaf, &bad).0);
            }
            for bit in 0..depth * arity.bits() {
                let mut bad = path.clone();
                bad.index ^= 1 << bit;
                let moved = leaves.get(bad.index as usize).copied().unwrap_or(F::ZERO);
                if moved == leaf {
                    continue; // two empty positions hold the same leaf
                }
                assert!(!bad.verify(tree.root(), leaf), "arity {k}, bit {bit}");
                assert!(!wide_gadget(arity, depth, tree.root(), leaf, &bad).0);
            }
        }
        // Off the tree: an index past its positions, a ragged path, a path
        // of another arity.
        assert!(matches!(
            tree.path(positions),
            Err(MerkleError::IndexOutOfRange { .. })
        ));
        let mut aliased = tree.path(1).unwrap();
        aliased.index += positions;
        assert!(!aliased.verify(tree.root(), leaves[1]));
        let mut ragged = tree.path(1).unwrap();
        ragged.siblings.pop();
        assert!(!ragged.verify(tree.root(), leaves[1]));
        let cs = new_cs();
        let other = if k == 4 { Arity::EIGHT } else { Arity::FOUR };
        let p = MerklePathVar::new_witness(cs.clone(), other, depth, Some(&tree.path(1).unwrap()));
        assert!(p.is_err(), "a path of another arity is not assigned");
        assert!(matches!(
            MerkleTree::with_arity(arity, depth, &vec![f(1); positions as usize + 1]),
            Err(MerkleError::TooManyLeaves { .. })
        ));
    }
    assert_eq!(Arity::new(3), Err(MerkleError::Arity(3)));
    assert_eq!(Arity::new(32), Err(MerkleError::Arity(32)));
    assert_eq!(
        MerkleTree::with_arity(Arity::EIGHT, 22, &[]).unwrap_err(),
        MerkleError::Depth(22),
        "8^22 positions do not fit a u64 index"
    );
}

/// A wide tree grown one leaf at a time (`set`) has the root of the tree
/// built whole, and rewriting a leaf rehashes its path.
#[test]
fn wide_merkle_set_matches_building_whole() {
    for (arity, depth) in [(Arity::FOUR, 4), (Arity::EIGHT, 3)] {
        let leaves: Vec<F> = (1..=70).map(f).collect();
        let mut grown = MerkleTree::with_arity(arity, depth, &[]).unwrap();
        for (i, leaf) in leaves.iter().enumerate() {
            grown.set(i as u64, *leaf).unwrap();
        }
        assert_eq!(
            grown.root(),
            MerkleTree::with_arity(arity, depth, &leaves)
                .unwrap()
                .root()
        );
        grown.set(9, f(999)).unwrap();
        let mut changed = leaves.clone();
        changed[9] = f(999);
        assert_eq!(
            grown.root(),
            MerkleTree::with_arity(arity, depth, &changed)
                .unwrap()
                .root()
        );
        assert!(matches!(
            grown.set(72, f(1)),
            Err(MerkleError::IndexOutOfRange { .. })
        ));
    }
}

/// The indexed tree laid out 8-ary: the same fail-closed rules as the
/// binary one (an unlisted id proves, a listed one and a tampered proof do
/// not, natively and in-circuit), appends are checked as the gate checks
/// them, and the capacity is `8^depth − 1`.
#[test]
fn imt_eight_ary_non_membership_and_appends() {
    let ids: Vec<F> = [40u64, 10, 30, 20].map(f).to_vec();
    let mut tree = IndexedMerkleTree::with_shape(Arity::EIGHT, 2, &ids).unwrap();
    assert_eq!(tree.capacity(), 63);
    assert_eq!(tree.arity(), Arity::EIGHT);
    let gadget = |root: F, key: F, proof: &NonMembershipProof| {
        let cs = new_cs();
        let p =
            NonMembershipVar::new_witness_shaped(cs.clone(), Arity::EIGHT, 2, Some(proof)).unwrap();
        let r = FpVar::new_input(cs.clone(), || Ok(root)).unwrap();
        let k = FpVar::new_witness(cs.clone(), || Ok(key)).unwrap();
        p.enforce_non_membership(&r, &k).unwrap();
        satisfied(&cs)
    };
    let root = tree.root();
    for key in [5u64, 15, 25, 35, 45] {
        let proof = tree.prove_non_membership(&f(key)).unwrap();
        assert!(
            proof.verify(root, f(key)) && gadget(root, f(key), &proof),
            "{key}"
        );
        let mut bad = proof.clone();
        bad.path.siblings[3] += f(1);
        assert!(
            !bad.verify(root, f(key)) && !gadget(root, f(key), &bad),
            "{key}"
        );
    }
    for id in &ids {
        assert!(tree.prove_non_membership(id).is_err());
        let low = tree.low_leaf_proof(id);
        assert!(!low.verify(root, *id) && !gadget(root, *id, &low));
    }
    // Appends: each is checked against the previous root as the gate does,
    // and the tree grown equals the tree built whole.
    let mut all = ids.clone();
    for key in 41..=99u64 {
        let before = tree.root();
        let insertion = tree.insert_proved(f(key)).unwrap();
        assert_eq!(insertion.apply(before), Ok(tree.root()), "{key}");
        all.push(f(key));
    }
    assert_eq!(tree.len(), 63);
    assert_eq!(tree.insert(f(100)), Err(ImtError::Full { capacity: 63 }));
    let whole = IndexedMerkleTree::with_shape(Arity::EIGHT, 2, &all).unwrap();
    assert_eq!(whole.root(), tree.root());
    assert_eq!(
        IndexedMerkleTree::with_shape(Arity::EIGHT, 11, &[]).unwrap_err(),
        ImtError::Depth(11),
        "33 index bits"
    );
}
