//! Baby Jubjub in circom's twisted-Edwards form, `168700·x² + y² = 1 + 168696·x²y²`
//! over the BN254 scalar field, with circomlib's `Base8` as the generator of the
//! prime-order subgroup (order `l`, cofactor 8).
//!
//! Native arithmetic is ark-ec's twisted-Edwards model instantiated with circom's
//! coefficients ([`BabyJubjubConfig`]); the gadget is ark-r1cs-std's `AffineVar`
//! over the same config ([`PointVar`]), whose addition (6 constraints) and
//! doubling (5) are complete on this curve (`a` square, `d` non-square). veil
//! adds what circom statements need: a cheap subgroup check and windowed
//! scalar multiplications.
//!
//! | gadget | constraints |
//! |---|---|
//! | [`enforce_on_curve`] | 3 |
//! | [`enforce_in_subgroup`] | 20 (witness `Q` on the curve, `P = 8·Q`) |
//! | [`fixed_base_mul`] | 3 per scalar bit (3-bit windows over constant tables) |
//! | [`variable_base_mul`] | 11 per scalar bit (2-bit windows) |

use crate::encoding::{field_from_le_bytes, field_to_le_bytes, DecodeError};
use crate::F;
use ark_ec::{
    models::CurveConfig,
    twisted_edwards::{Affine, MontCurveConfig, Projective, TECurveConfig},
    AffineRepr, CurveGroup,
};
use ark_ff::{BigInteger, Field, MontFp, PrimeField, Zero};
use num_bigint::BigUint;

/// The order-`l` subgroup's scalar field (`l` = 2736030358979909402780800718157159386076813972158567259200215660948447373041).
pub type Scalar = ark_ed_on_bn254::Fr;

/// Baby Jubjub with circom's coefficients; `GENERATOR` is circomlib's `Base8`.
#[derive(Clone, Default, PartialEq, Eq, Debug)]
pub struct BabyJubjubConfig;

impl CurveConfig for BabyJubjubConfig {
    type BaseField = F;
    type ScalarField = Scalar;
    const COFACTOR: &'static [u64] = &[8];
    /// 8⁻¹ mod l.
    const COFACTOR_INV: Scalar =
        MontFp!("2394026564107420727433200628387514462817212225638746351800188703329891451411");
}

impl TECurveConfig for BabyJubjubConfig {
    const COEFF_A: F = MontFp!("168700");
    const COEFF_D: F = MontFp!("168696");
    const GENERATOR: Point = Affine::new_unchecked(
        MontFp!("5299619240641551281634865583518297030282874472190772894086521144482721001553"),
        MontFp!("16950150798460657717958625567821834550301663161624707787222815936182638968203"),
    );
    type MontCurveConfig = BabyJubjubConfig;
}

impl MontCurveConfig for BabyJubjubConfig {
    const COEFF_A: F = MontFp!("168698");
    const COEFF_B: F = MontFp!("1");
    type TECurveConfig = BabyJubjubConfig;
}

/// A Baby Jubjub point in affine coordinates (circom's `[x, y]`).
pub type Point = Affine<BabyJubjubConfig>;
/// A point in projective coordinates, for sums and multiples.
pub type PointProjective = Projective<BabyJubjubConfig>;

/// Why a point was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CurveError {
    /// A coordinate did not decode.
    #[error(transparent)]
    Decode(#[from] DecodeError),
    /// `(x, y)` does not satisfy the curve equation.
    #[error("point is not on Baby Jubjub")]
    NotOnCurve,
    /// The point is on the curve but has a small-order component.
    #[error("point is not in the prime-order subgroup")]
    NotInSubgroup,
    /// A compressed point whose `y` has no matching `x`.
    #[error("compressed point has no x coordinate on the curve")]
    NoSquareRoot,
}

/// circomlib's `Base8`, generator of the prime-order subgroup.
pub fn base8() -> Point {
    BabyJubjubConfig::GENERATOR
}

/// circomlib's `Generator` (order `8·l`); `Base8 = 8·Generator`.
pub fn generator() -> Point {
    Affine::new_unchecked(
        MontFp!("995203441582195749578291179787384436505546430278305826713579947235728471134"),
        MontFp!("5472060717959818805561601436314318772137091100104008585924551046643952123905"),
    )
}

/// The subgroup order `l` as an integer.
pub fn subgroup_order() -> BigUint {
    Scalar::MODULUS.into()
}

/// `k·P` for any non-negative integer `k`, as circomlibjs `mulPointEscalar`.
pub fn mul_integer(p: &Point, k: &BigUint) -> Point {
    let limbs = k.to_u64_digits();
    p.mul_bigint(limbs).into_affine()
}

/// `k·Base8` for an integer `k`.
pub fn mul_base8(k: &BigUint) -> Point {
    mul_integer(&base8(), k)
}

/// A point from its coordinates, refusing points off the curve or outside the
/// prime-order subgroup. Every key and `R8` from outside goes through here.
pub fn point_from_coords(x: F, y: F) -> Result<Point, CurveError> {
    let p = Affine::new_unchecked(x, y);
    if !p.is_on_curve() {
        return Err(CurveError::NotOnCurve);
    }
    if !p.is_in_correct_subgroup_assuming_on_curve() {
        return Err(CurveError::NotInSubgroup);
    }
    Ok(p)
}

/// Is `x` "negative" in circomlibjs's sense (greater than (p-1)/2)?
fn is_negative(x: &F) -> bool {
    let half: BigUint = F::MODULUS_MINUS_ONE_DIV_TWO.into();
    let v: BigUint = x.into_bigint().into();
    v > half
}

/// circomlibjs `packPoint`: `y` little-endian with the sign of `x` in the top bit.
pub fn pack_point(p: &Point) -> [u8; 32] {
    let mut out = field_to_le_bytes(&p.y);
    if is_negative(&p.x) {
        out[31] |= 0x80;
    }
    out
}

/// circomlibjs `unpackPoint`, strict: refuses a non-canonical `y`, a `y` with no
/// point, and points outside the prime-order subgroup.
pub fn unpack_point(bytes: &[u8]) -> Result<Point, CurveError> {
    crate::encoding::expect_len(bytes, 32)?;
    let mut ybytes = [0u8; 32];
    ybytes.copy_from_slice(bytes);
    let negative = ybytes[31] & 0x80 != 0;
    ybytes[31] &= 0x7f;
    let y = field_from_le_bytes(&ybytes)?;
    let a = <BabyJubjubConfig as TECurveConfig>::COEFF_A;
    let d = <BabyJubjubConfig as TECurveConfig>::COEFF_D;
    let y2 = y.square();
    let x2 = (F::ONE - y2) * (a - d * y2).inverse().ok_or(CurveError::NoSquareRoot)?;
    let mut x = x2.sqrt().ok_or(CurveError::NoSquareRoot)?;
    if is_negative(&x) != negative {
        x = -x;
    }
    if x.is_zero() && negative {
        // -0 is not a canonical encoding.
        return Err(CurveError::NoSquareRoot);
    }
    point_from_coords(x, y)
}

// ---------------------------------------------------------------- gadgets

#[cfg(feature = "constraints")]
pub use constraints::*;

/// The gadgets (feature `constraints`): points, subgroup checks and scalar multiplication in R1CS.
#[cfg(feature = "constraints")]
mod constraints {
    use super::*;
    use ark_ff::AdditiveGroup;
    use ark_r1cs_std::{
        alloc::AllocVar,
        boolean::Boolean,
        eq::EqGadget,
        fields::{fp::FpVar, FieldVar},
        groups::{curves::twisted_edwards::AffineVar, CurveVar},
        GR1CSVar,
    };
    use ark_relations::gr1cs::SynthesisError;

    /// A point in a constraint system.
    pub type PointVar = AffineVar<BabyJubjubConfig, FpVar<F>>;

    /// Enforces `a·x² + y² = 1 + d·x²·y²`. 3 constraints.
    pub fn enforce_on_curve(p: &PointVar) -> Result<(), SynthesisError> {
        // a·x² + y² = 1 + d·x²·y²  ⇔  (d·x² − 1)·y² = a·x² − 1
        let x2 = p.x.square()?;
        let y2 = p.y.square()?;
        let d_x2_minus_one = &x2 * <BabyJubjubConfig as TECurveConfig>::COEFF_D - F::ONE;
        let a_x2_minus_one = &x2 * <BabyJubjubConfig as TECurveConfig>::COEFF_A - F::ONE;
        d_x2_minus_one.mul_equals(&y2, &a_x2_minus_one)
    }

    /// Enforces that `p` is in the prime-order subgroup (hence on the curve).
    ///
    /// The curve group is `Z_8 x Z_l`-shaped with `gcd(8, l) = 1`, so the image of
    /// multiplication by 8 is exactly the order-`l` subgroup: `p` is in it iff
    /// `p = 8·Q` for some point `Q`. The prover supplies `Q = 8⁻¹·p`; no `Q` exists
    /// for a `p` with a small-order component. 20 constraints (3 for `Q` on the
    /// curve, 15 for three doublings, 2 for the equality).
    pub fn enforce_in_subgroup(p: &PointVar) -> Result<(), SynthesisError> {
        let cs = p.cs();
        let q_value = || -> Result<Point, SynthesisError> {
            let x = p.x.value()?;
            let y = p.y.value()?;
            let point = Affine::new_unchecked(x, y);
            Ok((point.into_group() * BabyJubjubConfig::COFACTOR_INV).into_affine())
        };
        let q = q_value();
        let qx = FpVar::new_witness(cs.clone(), || q.map(|q| q.x))?;
        let qy = FpVar::new_witness(cs, || q.map(|q| q.y))?;
        let mut q = PointVar::new(qx, qy);
        enforce_on_curve(&q)?;
        for _ in 0..3 {
            q.double_in_place()?;
        }
        q.enforce_equal(p)
    }

    /// The identity as a constant point variable.
    fn identity_var() -> PointVar {
        PointVar::new(FpVar::zero(), FpVar::one())
    }

    /// `Σ bits[i]·2^i · base` for a constant `base`, little-endian bits.
    ///
    /// 3-bit windows: each window picks one of eight constant points with one
    /// product of two bits and one constraint per coordinate, then one complete
    /// addition: 9 constraints per 3 bits; the first window needs no addition.
    pub fn fixed_base_mul(bits: &[Boolean<F>], base: &Point) -> Result<PointVar, SynthesisError> {
        let mut acc: Option<PointVar> = None;
        let mut window_base = base.into_group();
        for window in bits.chunks(3) {
            // table[j] = j · window_base for j in 0..8
            let mut table = [PointProjective::zero(); 8];
            for j in 1..8 {
                table[j] = table[j - 1] + window_base;
            }
            let table = PointProjective::normalize_batch(&table);
            let selected = lookup_constant_window(window, &table)?;
            acc = Some(match acc {
                None => selected,
                Some(a) => a + selected,
            });
            for _ in 0..window.len() {
                window_base = window_base.double();
            }
        }
        Ok(acc.unwrap_or_else(identity_var))
    }

    /// Selects `table[bits]` (bits little-endian, 1 to 3 of them) from constants:
    /// one shared product `b0·b1`, then one constraint per coordinate.
    fn lookup_constant_window(
        bits: &[Boolean<F>],
        table: &[Point],
    ) -> Result<PointVar, SynthesisError> {
        let b: Vec<FpVar<F>> = bits.iter().map(|b| FpVar::from(b.clone())).collect();
        let b01 = if b.len() >= 2 {
            Some(&b[0] * &b[1])
        } else {
            None
        };
        let coord = |c: Vec<F>| -> FpVar<F> {
            match &b01 {
                None => &b[0] * (c[1] - c[0]) + c[0],
                Some(b01) if b.len() == 2 => two_bit_lc(&b[0], &b[1], b01, &c[0..4]),
                Some(b01) => {
                    let low = two_bit_lc(&b[0], &b[1], b01, &c[0..4]);
                    let high = two_bit_lc(&b[0], &b[1], b01, &c[4..8]);
                    &low + &b[2] * &(&high - &low)
                }
            }
        };
        let x = coord(table.iter().map(|p| p.x).collect());
        let y = coord(table.iter().map(|p| p.y).collect());
        Ok(PointVar::new(x, y))
    }

    /// The linear combination selecting `c[b0 + 2·b1]` given the product `b0·b1`.
    fn two_bit_lc(b0: &FpVar<F>, b1: &FpVar<F>, b01: &FpVar<F>, c: &[F]) -> FpVar<F> {
        b0 * (c[1] - c[0]) + b1 * (c[2] - c[0]) + b01 * (c[3] - c[2] - c[1] + c[0]) + c[0]
    }

    /// `Σ bits[i]·2^i · base` for a point variable, little-endian bits.
    ///
    /// 2-bit windows, most significant first: two doublings, a lookup of
    /// `{O, P, 2P, 3P}` (6 constraints), one complete addition — 22 constraints per
    /// 2 bits, plus 11 to build the table. Complete formulas, so no exceptional
    /// cases for any scalar or base.
    pub fn variable_base_mul(
        bits: &[Boolean<F>],
        base: &PointVar,
    ) -> Result<PointVar, SynthesisError> {
        let p2 = base.double()?;
        let p3 = &p2 + base;
        let mut acc: Option<PointVar> = None;
        let windows: Vec<&[Boolean<F>]> = bits.chunks(2).collect();
        for window in windows.into_iter().rev() {
            if let Some(a) = acc.as_mut() {
                for _ in 0..window.len() {
                    a.double_in_place()?;
                }
            }
            let selected = match window {
                [b0] => select_or_identity(b0, base)?,
                [b0, b1] => {
                    // odd = b1 ? 3P : P ; even = b1 ? 2P : O ; result = b0 ? odd : even
                    let odd = PointVar::new(
                        select_fp(b1, &p3.x, &base.x)?,
                        select_fp(b1, &p3.y, &base.y)?,
                    );
                    let even = select_or_identity(b1, &p2)?;
                    PointVar::new(
                        select_fp(b0, &odd.x, &even.x)?,
                        select_fp(b0, &odd.y, &even.y)?,
                    )
                }
                _ => unreachable!("chunks(2) yields one or two bits"),
            };
            acc = Some(match acc {
                None => selected,
                Some(a) => a + selected,
            });
        }
        Ok(acc.unwrap_or_else(identity_var))
    }

    /// `bit ? p : O`, one constraint per coordinate.
    fn select_or_identity(bit: &Boolean<F>, p: &PointVar) -> Result<PointVar, SynthesisError> {
        let b = FpVar::from(bit.clone());
        let x = &b * &p.x;
        let y = &b * &(&p.y - F::ONE) + F::ONE;
        Ok(PointVar::new(x, y))
    }

    /// `bit ? a : b` as `b + bit·(a - b)`, one constraint.
    fn select_fp(bit: &Boolean<F>, a: &FpVar<F>, b: &FpVar<F>) -> Result<FpVar<F>, SynthesisError> {
        let t = FpVar::from(bit.clone());
        Ok(b + &t * &(a - b))
    }

    /// The value of a point variable as a native point (for witness computation).
    pub fn point_value(p: &PointVar) -> Result<Point, SynthesisError> {
        Ok(Affine::new_unchecked(p.x.value()?, p.y.value()?))
    }

    /// Allocates a point as a witness *without* checks; callers enforce what they
    /// need ([`enforce_on_curve`], [`enforce_in_subgroup`]).
    pub fn alloc_point_unchecked(
        cs: ark_relations::gr1cs::ConstraintSystemRef<F>,
        value: impl FnOnce() -> Result<Point, SynthesisError>,
    ) -> Result<PointVar, SynthesisError> {
        let v = value();
        let x = FpVar::new_witness(cs.clone(), || v.map(|p| p.x))?;
        let y = FpVar::new_witness(cs, || v.map(|p| p.y))?;
        Ok(PointVar::new(x, y))
    }
}

/// Little-endian bits of an integer, `n` of them.
pub fn integer_bits_le(k: &BigUint, n: usize) -> Vec<bool> {
    (0..n).map(|i| k.bit(i as u64)).collect()
}

/// The bits of a scalar-field element, little-endian, `Scalar::MODULUS_BIT_SIZE` of them.
pub fn scalar_bits_le(s: &Scalar) -> Vec<bool> {
    let mut bits = s.into_bigint().to_bits_le();
    bits.truncate(Scalar::MODULUS_BIT_SIZE as usize);
    bits
}
