//! Shamir sharing over the Baby Jubjub scalar field, with Feldman
//! commitments: the arithmetic that the issuers' FROST keys (`veil-did`) and the
//! regulators' split escrow keys (`veil-audit`) both stand on, kept in one
//! place so the two cannot drift.

use crate::babyjubjub::{base8, pack_point, Point, PointProjective, Scalar};
use crate::eddsa::PublicKey;
use crate::encoding::{prime_field_from_decimal, DecodeError};
use crate::statement::files::{DocumentError, PointJson};
use ark_ec::CurveGroup;
use ark_ff::{Field, PrimeField, Zero};
use num_bigint::BigUint;

/// `f(x)` for the polynomial with `coefficients` (constant term first).
pub fn evaluate(coefficients: &[Scalar], x: Scalar) -> Scalar {
    coefficients
        .iter()
        .rev()
        .fold(Scalar::zero(), |acc, a| acc * x + a)
}

/// `Σ Cⱼ·iʲ`: what a share `f(i)` must be times Base8, given the Feldman
/// commitments `Cⱼ = aⱼ·Base8`.
pub fn feldman_value(commitments: &[Point], index: u32) -> Point {
    let x = Scalar::from(index as u64);
    let mut acc = PointProjective::zero();
    let mut power = Scalar::ONE;
    for c in commitments {
        acc += *c * power;
        power *= x;
    }
    acc.into_affine()
}

/// `λᵢ(0) = Π_{j≠i} j / (j − i)` over the distinct indices `set`.
pub fn lagrange_at_zero(i: u32, set: impl Iterator<Item = u32>) -> Scalar {
    let xi = Scalar::from(i as u64);
    let (mut num, mut den) = (Scalar::ONE, Scalar::ONE);
    for j in set.filter(|j| *j != i) {
        let xj = Scalar::from(j as u64);
        num *= xj;
        den *= xj - xi;
    }
    // Indices are distinct, so den is non-zero.
    num * den.inverse().unwrap_or_default()
}

/// `s·Base8`.
pub fn times_base8(s: &Scalar) -> Point {
    (base8() * s).into_affine()
}

/// A challenge scalar: BLAKE3 in derive-key mode under `domain` over the
/// packed points and byte strings, 512 bits reduced mod the subgroup order.
pub fn hash_to_scalar(domain: &str, points: &[&Point], bytes: &[&[u8]]) -> Scalar {
    let mut h = blake3::Hasher::new_derive_key(domain);
    for p in points {
        h.update(&pack_point(p));
    }
    for b in bytes {
        h.update(&(b.len() as u64).to_le_bytes());
        h.update(b);
    }
    let mut wide = [0u8; 64];
    h.finalize_xof().fill(&mut wide);
    Scalar::from_le_bytes_mod_order(&wide)
}

/// A scalar as canonical decimal.
pub fn scalar_decimal(s: &Scalar) -> String {
    BigUint::from(s.into_bigint()).to_string()
}

/// A scalar from canonical decimal (below the subgroup order).
pub fn scalar_from_decimal(s: &str) -> Result<Scalar, DecodeError> {
    prime_field_from_decimal::<Scalar>(s, "Baby Jubjub subgroup order")
}

/// A point as `{x, y}` decimal.
pub fn point_json(p: &Point) -> PointJson {
    PointJson::from_key(&PublicKey(*p))
}

/// A point from `{x, y}`: on the curve, in the subgroup, not the identity.
pub fn point_from_json(json: &PointJson) -> Result<Point, DocumentError> {
    json.to_key("point").map(|k| k.0)
}

/// A t-of-n threshold as officers write it, `T/N` (`2/3`): FROST issuer
/// groups and split regulator keys both take one. Parsing checks the
/// syntax only; each scheme checks `1 ≤ t ≤ n` for itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Threshold {
    /// t: the shares needed.
    pub t: u32,
    /// n: the shares made.
    pub n: u32,
}

/// A threshold that is not `T/N`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?}: expected T/N, e.g. 2/3")]
pub struct ThresholdSyntax(pub String);

impl std::str::FromStr for Threshold {
    type Err = ThresholdSyntax;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || ThresholdSyntax(s.to_string());
        let (t, n) = s.split_once('/').ok_or_else(bad)?;
        Ok(Threshold {
            t: t.trim().parse().map_err(|_| bad())?,
            n: n.trim().parse().map_err(|_| bad())?,
        })
    }
}

impl std::fmt::Display for Threshold {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.t, self.n)
    }
}
