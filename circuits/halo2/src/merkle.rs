//! The statement's two trees in-circuit: the trusted-issuer Merkle tree
//! (fixed shape, membership) and the revocation indexed Merkle tree
//! (non-membership through a low leaf), of any [`Arity`]. The native trees and proofs are
//! `veil_circuits::merkle` and `veil_circuits::imt`; the walks here mirror
//! their gadgets.

use crate::babyjubjub::load_bits;
use crate::compare::{assert_lt, assert_range};
use crate::field::fr;
use crate::poseidon::{hash, hash_fixed};
use crate::{Cell, Fr};
use halo2_base::gates::{GateChip, GateInstructions, RangeChip, RangeInstructions};
use halo2_base::halo2_proofs::halo2curves::ff::Field;
use halo2_base::{
    Context,
    QuantumCell::{Constant, Existing},
};
use veil_circuits::imt::{NonMembershipProof, KEY_BITS};
use veil_circuits::merkle::{Arity, MerklePath};

/// The children of one node: `node` placed at the position the
/// little-endian `digit_bits` name among its `siblings` (kept in order), as
/// `veil_circuits::merkle::place_child_var` does in R1CS. Two children:
/// one select. More: the position's one-hot indicator, and each child the
/// inner product of `[p = j], [p < j], [p > j]` with `node, s_{j−1}, s_j`.
pub fn place_child(
    ctx: &mut Context<Fr>,
    gate: &GateChip<Fr>,
    node: Cell,
    siblings: &[Cell],
    digit_bits: &[Cell],
) -> Vec<Cell> {
    let k = siblings.len() + 1;
    if k == 2 {
        let left = gate.select(ctx, siblings[0], node, digit_bits[0]);
        // right = node + sibling − left
        let sum = gate.add(ctx, node, siblings[0]);
        let right = gate.sub(ctx, sum, left);
        return vec![left, right];
    }
    let is_position = gate.bits_to_indicator(ctx, digit_bits);
    let mut children = Vec::with_capacity(k);
    children.push(gate.select(ctx, node, siblings[0], is_position[0]));
    let mut below = is_position[0]; // [p < j]
    for j in 1..k - 1 {
        let at_or_below = gate.add(ctx, below, is_position[j]);
        let above = gate.sub(ctx, Constant(Fr::ONE), at_or_below);
        let child = gate.inner_product(
            ctx,
            [node, siblings[j - 1], siblings[j]],
            [is_position[j], below, above].map(Existing),
        );
        children.push(child);
        below = at_or_below;
    }
    children.push(gate.select(ctx, node, siblings[k - 2], is_position[k - 1]));
    children
}

/// Constrains `leaf` to sit under `root` along `path`, a tree of `arity`
/// children and `depth` levels (index bits and siblings are private
/// witnesses). A path of another shape is loaded as zeros, which no root
/// satisfies; the builder refuses it before synthesis.
pub fn assert_member(
    ctx: &mut Context<Fr>,
    gate: &GateChip<Fr>,
    arity: Arity,
    depth: usize,
    path: &MerklePath,
    root: Cell,
    leaf: Cell,
) {
    let shaped = path.arity == arity && path.depth() == depth && path.is_canonical();
    let index_bits: Vec<bool> = (0..depth * arity.bits())
        .map(|i| shaped && (path.index >> i) & 1 == 1)
        .collect();
    let bits = load_bits(ctx, gate, &index_bits);
    // Each level's siblings are loaded just before its hash, the order the
    // statement's layout (and so its pinned keys) was fixed in.
    let mut node = leaf;
    for (level, digit) in bits.chunks_exact(arity.bits()).enumerate() {
        let others: Vec<Cell> = (0..arity.siblings())
            .map(|i| {
                let value = path
                    .siblings
                    .get(level * arity.siblings() + i)
                    .filter(|_| shaped);
                ctx.load_witness(value.map(fr).unwrap_or(Fr::ZERO))
            })
            .collect();
        let children = place_child(ctx, gate, node, &others, digit);
        node = match hash(ctx, gate, &children) {
            Ok(h) => h,
            Err(_) => unreachable!("an Arity has 2 to 16 children, Poseidon's range"),
        };
    }
    ctx.constrain_equal(&node, &root);
}

/// Constrains `key` to be absent from the indexed Merkle tree of `arity`
/// children and `depth` levels under `root` (`veil_circuits::imt`): `key < 2^KEY_BITS`, the low
/// leaf brackets it (`value < key < next_value`, or `next_value = 0` at the
/// end of the list), and the low leaf `H(value, next_value)` is in the tree.
pub fn assert_non_member(
    ctx: &mut Context<Fr>,
    range: &RangeChip<Fr>,
    arity: Arity,
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
    assert_member(ctx, gate, arity, depth, &proof.path, root, leaf);
}
