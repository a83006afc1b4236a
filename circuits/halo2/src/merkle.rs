//! The statement's two trees in-circuit: the trusted-issuer Merkle tree
//! (fixed depth, membership) and the revocation sparse Merkle tree
//! (non-membership). The native trees and proofs are `veil_circuits::merkle`
//! and `veil_circuits::smt`; the walks here mirror their gadgets.

use crate::babyjubjub::load_bits;
use crate::compare::canonical_bits;
use crate::field::fr;
use crate::poseidon::hash_fixed;
use crate::{Cell, Fr};
use halo2_base::gates::{GateChip, GateInstructions, RangeChip, RangeInstructions};
use halo2_base::halo2_proofs::halo2curves::ff::Field;
use halo2_base::Context;
use veil_circuits::merkle::MerklePath;
use veil_circuits::smt::{PathEnd, SmtProof};

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

/// Constrains `key` to be absent from the sparse Merkle tree of `depth`
/// levels under `root`.
///
/// The proof's path ends in an empty subtree or in a leaf holding another
/// key; `active[i]` (a prefix of ones) marks the real levels. The key's
/// canonical bits choose the sides, so no second decomposition can move the
/// key to another path.
pub fn assert_non_member(
    ctx: &mut Context<Fr>,
    range: &RangeChip<Fr>,
    depth: usize,
    proof: &SmtProof,
    root: Cell,
    key: Cell,
) {
    let gate = range.gate();
    let key_bits = canonical_bits(ctx, range, key);
    let active_values: Vec<bool> = (0..depth).map(|i| i < proof.path_len).collect();
    let active = load_bits(ctx, gate, &active_values);
    // active[i + 1] implies active[i].
    for i in 1..depth {
        let both = gate.mul_not(ctx, active[i - 1], active[i]);
        gate.assert_is_const(ctx, &both, &Fr::ZERO);
    }
    let (end_key, end_value, empty) = match proof.end {
        PathEnd::Leaf { key, value } => (fr(&key), fr(&value), false),
        PathEnd::Empty => (Fr::ZERO, Fr::ZERO, true),
    };
    let end_is_empty = load_bits(ctx, gate, &[empty])[0];
    let end_key = ctx.load_witness(end_key);
    let end_value = ctx.load_witness(end_value);
    let one = ctx.load_constant(Fr::ONE);
    let leaf = hash_fixed(ctx, gate, [end_key, end_value, one]);
    let zero = ctx.load_zero();
    let mut node = gate.select(ctx, zero, leaf, end_is_empty);
    // A leaf that ends the path must hold another key:
    // (end_key − key)·inv = 1 − end_is_empty.
    let diff = gate.sub(ctx, end_key, key);
    // An empty end needs the product 0: the prover picks the inverse 0.
    let inverse = if empty {
        Fr::ZERO
    } else {
        diff.value().invert().unwrap_or(Fr::ZERO)
    };
    let inverse = ctx.load_witness(inverse);
    let product = gate.mul(ctx, diff, inverse);
    let not_empty = gate.not(ctx, end_is_empty);
    ctx.constrain_equal(&product, &not_empty);
    for level in (0..depth).rev() {
        let sibling = ctx.load_witness(proof.siblings.get(level).map(fr).unwrap_or(Fr::ZERO));
        let parent = hash_level(ctx, gate, node, sibling, key_bits[level]);
        node = gate.select(ctx, parent, node, active[level]);
    }
    ctx.constrain_equal(&node, &root);
}
