//! The statement's two trees in-circuit: the trusted-issuer Merkle tree
//! (fixed depth, membership) and the revocation indexed Merkle tree
//! (non-membership through a low leaf). The native trees and proofs are
//! `veil_circuits::merkle` and `veil_circuits::imt`; the walks here mirror
//! their gadgets.

use crate::babyjubjub::load_bits;
use crate::compare::{assert_lt, assert_range};
use crate::field::fr;
use crate::poseidon::hash_fixed;
use crate::{Cell, Fr};
use halo2_base::gates::{GateChip, GateInstructions, RangeChip, RangeInstructions};
use halo2_base::halo2_proofs::halo2curves::ff::Field;
use halo2_base::{Context, QuantumCell::Constant};
use veil_circuits::imt::{NonMembershipProof, KEY_BITS};
use veil_circuits::merkle::MerklePath;

/// One level up: `H(node, sibling)`, or `H(sibling, node)` if `node_is_right`.
pub fn hash_level(
    ctx: &mut Context<Fr>,
    gate: &GateChip<Fr>,
    node: Cell,
    sibling: Cell,
    node_is_right: Cell,
) -> Cell {
    let left = gate.select(ctx, sibling, node, node_is_right);
    // right = node + sibling − left
    let sum = gate.add(ctx, node, sibling);
    let right = gate.sub(ctx, sum, left);
    hash_fixed(ctx, gate, [left, right])
}

/// Constrains `leaf` to sit under `root` along `path` (a fixed-depth tree of
/// `depth` levels; index bits and siblings are private witnesses).
pub fn assert_member(
    ctx: &mut Context<Fr>,
    gate: &GateChip<Fr>,
    depth: usize,
    path: &MerklePath,
    root: Cell,
    leaf: Cell,
) {
    let index_bits: Vec<bool> = (0..depth).map(|i| (path.index >> i) & 1 == 1).collect();
    let bits = load_bits(ctx, gate, &index_bits);
    let mut node = leaf;
    for (level, bit) in bits.iter().enumerate() {
        let sibling = ctx.load_witness(path.siblings.get(level).map(fr).unwrap_or(Fr::ZERO));
        node = hash_level(ctx, gate, node, sibling, *bit);
    }
    ctx.constrain_equal(&node, &root);
}

/// Constrains `key` to be absent from the indexed Merkle tree of `depth`
/// levels under `root` (`veil_circuits::imt`): `key < 2^KEY_BITS`, the low
/// leaf brackets it (`value < key < next_value`, or `next_value = 0` at the
/// end of the list), and the low leaf `H(value, next_value)` is in the tree.
pub fn assert_non_member(
    ctx: &mut Context<Fr>,
    range: &RangeChip<Fr>,
    depth: usize,
    proof: &NonMembershipProof,
    root: Cell,
    key: Cell,
) {
    let gate = range.gate();
    let low_value = ctx.load_witness(fr(&proof.low_leaf.value));
    let low_next = ctx.load_witness(fr(&proof.low_leaf.next_value));
    assert_range(ctx, range, key, KEY_BITS);
    assert_lt(ctx, range, low_value, key, KEY_BITS);
    // At the end of the list (next 0) the upper bound is key + 1.
    let at_end = gate.is_zero(ctx, low_next);
    let key_plus_one = gate.add(ctx, key, Constant(Fr::ONE));
    let upper = gate.select(ctx, key_plus_one, low_next, at_end);
    assert_lt(ctx, range, key, upper, KEY_BITS);
    let leaf = hash_fixed(ctx, gate, [low_value, low_next]);
    assert_member(ctx, gate, depth, &proof.path, root, leaf);
}
