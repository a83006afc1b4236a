//! Points from untrusted coordinates: canonical field elements, on the curve,
//! in the prime-order subgroup. Shared by the JSON and calldata decoders.

use crate::error::DecodeError;
use ark_bn254::{Fq, Fq2, G1Affine, G2Affine};
use ark_ec::AffineRepr;
use ark_ff::{PrimeField, Zero};
use num_bigint::BigUint;
use veil_circuits::encoding::prime_field_from_decimal;

/// A base-field element from canonical decimal.
pub fn fq_from_decimal(s: &str, field: &str) -> Result<Fq, DecodeError> {
    prime_field_from_decimal(s, "BN254 base field").map_err(|e| DecodeError::number(field, e))
}

/// A base-field element as decimal.
pub fn fq_to_decimal(x: &Fq) -> String {
    BigUint::from(x.into_bigint()).to_string()
}

/// A G1 point from affine coordinates; `(0, 0)` is the point at infinity (the
/// EVM's convention).
pub fn g1_from_coords(x: Fq, y: Fq, what: &str) -> Result<G1Affine, DecodeError> {
    if x.is_zero() && y.is_zero() {
        return Ok(G1Affine::zero());
    }
    let p = G1Affine::new_unchecked(x, y);
    if !p.is_on_curve() {
        return Err(DecodeError::NotOnCurve(what.into()));
    }
    // BN254's G1 has cofactor 1: every point on the curve is in the group.
    Ok(p)
}

/// A G2 point from affine coordinates; `(0, 0)` is the point at infinity.
pub fn g2_from_coords(x: Fq2, y: Fq2, what: &str) -> Result<G2Affine, DecodeError> {
    if x.is_zero() && y.is_zero() {
        return Ok(G2Affine::zero());
    }
    let p = G2Affine::new_unchecked(x, y);
    if !p.is_on_curve() {
        return Err(DecodeError::NotOnCurve(what.into()));
    }
    if !p.is_in_correct_subgroup_assuming_on_curve() {
        return Err(DecodeError::NotInSubgroup(what.into()));
    }
    Ok(p)
}

/// Affine coordinates of a G1 point, `(0, 0)` for infinity.
pub fn g1_coords(p: &G1Affine) -> (Fq, Fq) {
    p.xy().unwrap_or((Fq::zero(), Fq::zero()))
}

/// Affine coordinates of a G2 point, `(0, 0)` for infinity.
pub fn g2_coords(p: &G2Affine) -> (Fq2, Fq2) {
    p.xy().unwrap_or((Fq2::zero(), Fq2::zero()))
}
