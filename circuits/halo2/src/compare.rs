//! Ranges and the statement's predicates as halo2-base constraints; the
//! native side is `veil_circuits::compare` (same rules, same widths).
//!
//! Ranges use halo2-base's lookup table (`lookup_bits`-bit limbs), so a
//! 32-bit check is two lookups instead of 33 bit constraints.

use crate::{Cell, Fr};
use halo2_base::gates::{GateChip, GateInstructions, RangeChip, RangeInstructions};
use halo2_base::halo2_proofs::halo2curves::ff::{Field, PrimeField};
use halo2_base::{Context, QuantumCell::Constant};
use num_bigint::BigUint;

/// Constrains `x < 2^bits`.
pub fn assert_range(ctx: &mut Context<Fr>, range: &RangeChip<Fr>, x: Cell, bits: usize) {
    range.range_check(ctx, x, bits);
}

/// Constrains `a <= b` for `a`, `b` already below `2^bits`: `b − a` must fit
/// in `bits` bits (a negative difference wraps to about `2^254`).
pub fn assert_le(ctx: &mut Context<Fr>, range: &RangeChip<Fr>, a: Cell, b: Cell, bits: usize) {
    let diff = range.gate().sub(ctx, b, a);
    range.range_check(ctx, diff, bits);
}

/// Constrains `a < b` for `a`, `b` already below `2^bits`.
pub fn assert_lt(ctx: &mut Context<Fr>, range: &RangeChip<Fr>, a: Cell, b: Cell, bits: usize) {
    let gate = range.gate();
    let diff = gate.sub(ctx, b, a);
    let diff = gate.sub(ctx, diff, Constant(Fr::ONE));
    range.range_check(ctx, diff, bits);
}

/// Constrains `x != y`: `x − y` has an inverse.
pub fn assert_not_equal(ctx: &mut Context<Fr>, gate: &GateChip<Fr>, x: Cell, y: Cell) {
    let diff = gate.sub(ctx, x, y);
    let inverse = ctx.load_witness(diff.value().invert().unwrap_or(Fr::ZERO));
    let product = gate.mul(ctx, diff, inverse);
    gate.assert_is_const(ctx, &product, &Fr::ONE);
}

/// Constrains `x` to be non-zero (it has an inverse).
pub fn assert_nonzero(ctx: &mut Context<Fr>, gate: &GateChip<Fr>, x: Cell) {
    let inverse = ctx.load_witness(x.value().invert().unwrap_or(Fr::ZERO));
    let product = gate.mul(ctx, x, inverse);
    gate.assert_is_const(ctx, &product, &Fr::ONE);
}

/// Constrains `x` to differ from every element of `list`.
pub fn assert_not_in_list(ctx: &mut Context<Fr>, gate: &GateChip<Fr>, x: Cell, list: &[Cell]) {
    for e in list {
        assert_not_equal(ctx, gate, x, *e);
    }
}

/// Constrains bit `index` of `mask` to be 1, with `index < 2^log_width` and
/// `mask < 2^(2^log_width)` (both decomposed into constrained bits).
pub fn assert_mask_bit(
    ctx: &mut Context<Fr>,
    gate: &GateChip<Fr>,
    mask: Cell,
    index: Cell,
    log_width: usize,
) {
    let mask_bits = gate.num_to_bits(ctx, mask, 1 << log_width);
    let index_bits = gate.num_to_bits(ctx, index, log_width);
    let mut level = mask_bits;
    for sel in &index_bits {
        level = level
            .chunks(2)
            .map(|pair| gate.select(ctx, pair[1], pair[0], *sel))
            .collect();
    }
    gate.assert_is_const(ctx, &level[0], &Fr::ONE);
}

/// The 254 little-endian bits of `x`'s canonical integer: the bits sum to `x`
/// and, read as an integer, are below the field modulus, so each element has
/// exactly one decomposition (without the bound, `x` and `x + p` both fit in
/// 254 bits and a prover could pick either).
pub fn canonical_bits(ctx: &mut Context<Fr>, range: &RangeChip<Fr>, x: Cell) -> Vec<Cell> {
    let gate = range.gate();
    let bits = gate.num_to_bits(ctx, x, Fr::NUM_BITS as usize);
    // Split at 127 bits: (hi, lo) < (p_hi, p_lo) lexicographically.
    let half = 127;
    let limb = |ctx: &mut Context<Fr>, bits: &[Cell]| {
        gate.inner_product(
            ctx,
            bits.iter().copied(),
            gate.pow_of_two()[..bits.len()].iter().map(|c| Constant(*c)),
        )
    };
    let lo = limb(ctx, &bits[..half]);
    let hi = limb(ctx, &bits[half..]);
    let modulus = BigUint::from_bytes_le((-Fr::ONE).to_repr().as_ref()) + 1u32;
    let p_lo = &modulus % (BigUint::from(1u8) << half);
    let p_hi = &modulus >> half;
    let to_fr = |n: &BigUint| {
        let mut bytes = [0u8; 32];
        let le = n.to_bytes_le();
        bytes[..le.len()].copy_from_slice(&le);
        Fr::from_bytes(&bytes).unwrap_or(Fr::ZERO)
    };
    let (p_lo, p_hi) = (to_fr(&p_lo), to_fr(&p_hi));
    let hi_lt = range.is_less_than(ctx, hi, Constant(p_hi), 128);
    let hi_eq = gate.is_equal(ctx, hi, Constant(p_hi));
    let lo_lt = range.is_less_than(ctx, lo, Constant(p_lo), 128);
    let below = gate.mul_add(ctx, hi_eq, lo_lt, hi_lt);
    gate.assert_is_const(ctx, &below, &Fr::ONE);
    bits
}
