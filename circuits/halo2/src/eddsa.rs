//! EdDSA-Poseidon verification (circomlib's `EdDSAPoseidonVerifier`) as a
//! halo2-base chip: `S·Base8 = R8 + 8·H(R8, A, m)·A`, with `A` and `R8` in the
//! prime-order subgroup, `A` not the identity's x, and `S < l`. The native
//! side is `veil_circuits::eddsa` (signing and verification as circomlibjs).

use crate::babyjubjub::{
    add, assert_equal, assert_in_subgroup, double, fixed_base_mul, scalar_mul, AssignedPoint,
};
use crate::compare::{assert_le, assert_not_equal, canonical_bits};
use crate::field::fr;
use crate::poseidon::hash_fixed;
use crate::{Cell, Fr};
use ark_ff::PrimeField;
use halo2_base::gates::{GateInstructions, RangeChip, RangeInstructions};
use halo2_base::Context;
use veil_circuits::babyjubjub::{base8, subgroup_order, Scalar};

/// A signature in cells.
#[derive(Clone, Copy, Debug)]
pub struct AssignedSignature {
    /// The nonce point `R8`.
    pub r8: AssignedPoint,
    /// The scalar `S`, as a base-field element.
    pub s: Cell,
}

/// Constrains `signature` to be a valid EdDSA-Poseidon signature of
/// `message` under `key`.
pub fn assert_valid(
    ctx: &mut Context<Fr>,
    range: &RangeChip<Fr>,
    key: &AssignedPoint,
    message: Cell,
    signature: &AssignedSignature,
) {
    let gate = range.gate();
    assert_in_subgroup(ctx, gate, key);
    assert_in_subgroup(ctx, gate, &signature.r8);
    let zero = ctx.load_zero();
    assert_not_equal(ctx, gate, key.x, zero);

    // S < l: S fits in 251 bits and l − 1 − S does too.
    let l_bits = Scalar::MODULUS_BIT_SIZE as usize;
    let s_bits = gate.num_to_bits(ctx, signature.s, l_bits);
    let l_minus_one = ctx.load_constant(fr(&veil_circuits::F::from(subgroup_order() - 1u32)));
    assert_le(ctx, range, signature.s, l_minus_one, l_bits);

    let challenge = hash_fixed(
        ctx,
        gate,
        [signature.r8.x, signature.r8.y, key.x, key.y, message],
    );
    let c_bits = canonical_bits(ctx, range, challenge);

    let left = fixed_base_mul(ctx, gate, &s_bits, &base8());
    let mut key8 = *key;
    for _ in 0..3 {
        key8 = double(ctx, gate, &key8);
    }
    let c_key8 = scalar_mul(ctx, gate, &c_bits, &key8);
    let right = add(ctx, gate, &signature.r8, &c_key8);
    assert_equal(ctx, &left, &right);
}
