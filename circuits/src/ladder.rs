//! Variable-base scalar multiplication on Baby Jubjub's Montgomery form, for
//! scalars of the shape `2^n + 2s + 1` — 6 constraints a bit instead of the
//! 11 of complete twisted-Edwards formulas ([`crate::babyjubjub::variable_base_mul`]).
//!
//! Montgomery form: `v² = u³ + A·u² + u`, `A = 168698` (`B = 1`), reached from
//! the twisted-Edwards point `(x, y)` by `u = (1 + y)/(1 − y)`, `v = u/x`.
//!
//! The ladder starts at `acc = 2P` and, for each bit `b` of `s` from the most
//! significant, sets `acc ← 2·acc + d·P` with the signed digit `d = 2b − 1`,
//! computed as `(acc + d·P) + acc` with two incomplete additions (5
//! constraints, plus 1 for `d·v_P`). After `n` bits `acc = (2^n + 2s + 1)·P`.
//!
//! **Why incomplete additions are sound here.** Write `acc = k·P`. Before any
//! step `k ≥ 2` and, after `m` steps, `2^m + 1 ≤ k ≤ 3·2^m − 1`. The two
//! additions are exceptional only if `k ≡ ±1` (first) or `2k + d ≡ 0` (second)
//! modulo the subgroup order `l`. With `n ≤ MAX_LADDER_BITS`, every `k` and
//! `2k + d` stays in `[2, 3·2^n − 1]`, and `3·2^n < l`, so neither can happen
//! for *any* choice of bits: every denominator is non-zero, each witness
//! (`λ₁`, `u_R`, `λ₂`, `u_S`, `v_S`) is the unique solution of its
//! constraint, and by induction `acc` is exactly `(2^n + 2s + 1)·P`. No
//! intermediate point is the identity or of order 2 (all are non-zero
//! multiples of `P` below `l`), so the conversions are well defined.
//! Precondition: `P` is in the prime-order subgroup (callers enforce it with
//! [`crate::babyjubjub::enforce_in_subgroup`]); the identity makes the system
//! unsatisfiable (`u·(1 − y) = 1 + y` has no solution at `y = 1`).

use crate::babyjubjub::Point;
use ark_ff::One;
use num_bigint::BigUint;

/// The longest `s` the ladder accepts: `3·2^249 < l` (checked in tests).
pub const MAX_LADDER_BITS: usize = 249;

/// The scalar the ladder multiplies by for an `n`-bit `s`: `2^n + 2s + 1`.
pub fn ladder_scalar(s: &BigUint, n: usize) -> BigUint {
    (BigUint::one() << n) + (s << 1usize) + BigUint::one()
}

/// `s` back from a scalar of ladder shape, if it is one.
pub fn ladder_s(k: &BigUint, n: usize) -> Option<BigUint> {
    let base = (BigUint::one() << n) + BigUint::one();
    if k < &base || !k.bit(0) {
        return None;
    }
    let s = (k - base) >> 1usize;
    (s.bits() as usize <= n).then_some(s)
}

/// The native counterpart: `(2^n + 2s + 1)·base`.
pub fn ladder_mul_native(s: &BigUint, n: usize, base: &Point) -> Point {
    crate::babyjubjub::mul_integer(base, &ladder_scalar(s, n))
}

#[cfg(feature = "constraints")]
pub use constraints::*;

/// The gadget (feature `constraints`): the Montgomery ladder in R1CS.
#[cfg(feature = "constraints")]
mod constraints {
    use super::*;
    use crate::babyjubjub::PointVar;
    use crate::F;
    use ark_ff::{AdditiveGroup, Field};
    use ark_r1cs_std::fields::fp::FpVar;
    use ark_r1cs_std::prelude::*;
    use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError};

    /// Montgomery `A` of Baby Jubjub.
    const MONT_A: u64 = 168_698;

    fn value(v: &FpVar<F>) -> Result<F, SynthesisError> {
        v.value()
    }

    /// `1/x`, or 0 for 0: a witness for an instance the constraints refuse
    /// (the identity as the base), so the prover fails on the constraint system
    /// rather than while assigning it.
    fn inverse(x: F) -> Result<F, SynthesisError> {
        Ok(x.inverse().unwrap_or(F::ZERO))
    }

    fn witness(
        cs: &ConstraintSystemRef<F>,
        f: impl FnOnce() -> Result<F, SynthesisError>,
    ) -> Result<FpVar<F>, SynthesisError> {
        FpVar::new_witness(cs.clone(), f)
    }

    /// `(2^n + 2s + 1)·base` for `s = Σ bits[i]·2^i` (little-endian, `n =
    /// bits.len()`, `1 ≤ n ≤ MAX_LADDER_BITS`), `base` in the prime-order
    /// subgroup. Costs `6n + 8` constraints.
    pub fn ladder_mul(bits: &[Boolean<F>], base: &PointVar) -> Result<PointVar, SynthesisError> {
        if bits.is_empty() || bits.len() > MAX_LADDER_BITS {
            return Err(SynthesisError::Unsatisfiable);
        }
        let cs = base.x.cs().or(base.y.cs());
        let a = F::from(MONT_A);

        // (u_p, v_p): u·(1 − y) = 1 + y, v·x = u.
        let u_p = witness(&cs, || {
            let y = value(&base.y)?;
            Ok((F::ONE + y) * inverse(F::ONE - y)?)
        })?;
        u_p.mul_equals(&(FpVar::one() - &base.y), &(FpVar::one() + &base.y))?;
        let v_p = witness(&cs, || Ok(value(&u_p)? * inverse(value(&base.x)?)?))?;
        v_p.mul_equals(&base.x, &u_p)?;

        // acc = 2P: λ·2v = 3u² + 2Au + 1, u' = λ² − A − 2u, v' = λ(u − u') − v.
        let u2 = u_p.square()?;
        let lambda = witness(&cs, || {
            let (u, v) = (value(&u_p)?, value(&v_p)?);
            Ok((F::from(3u64) * u * u + a.double() * u + F::ONE) * inverse(v.double())?)
        })?;
        lambda.mul_equals(
            &v_p.double()?,
            &(u2 * F::from(3u64) + &u_p * a.double() + F::ONE),
        )?;
        let mut u_acc = witness(&cs, || {
            let l = value(&lambda)?;
            Ok(l * l - a - value(&u_p)?.double())
        })?;
        lambda.mul_equals(&lambda, &(&u_acc + a + u_p.double()?))?;
        let mut v_acc = witness(&cs, || {
            Ok(value(&lambda)? * (value(&u_p)? - value(&u_acc)?) - value(&v_p)?)
        })?;
        lambda.mul_equals(&(&u_p - &u_acc), &(&v_acc + &v_p))?;

        for bit in bits.iter().rev() {
            // Q = d·P = (u_p, (2b − 1)·v_p).
            let b_v = FpVar::from(bit.clone()) * &v_p;
            let v_q = b_v.double()? - &v_p;
            // R = acc + Q.
            let l1 = witness(&cs, || {
                Ok((value(&v_q)? - value(&v_acc)?) * inverse(value(&u_p)? - value(&u_acc)?)?)
            })?;
            l1.mul_equals(&(&u_p - &u_acc), &(&v_q - &v_acc))?;
            let u_r = witness(&cs, || {
                let l = value(&l1)?;
                Ok(l * l - a - value(&u_acc)? - value(&u_p)?)
            })?;
            l1.mul_equals(&l1, &(&u_r + a + &u_acc + &u_p))?;
            // S = R + acc.
            let l2 = witness(&cs, || {
                Ok(value(&v_acc)?.double() * inverse(value(&u_acc)? - value(&u_r)?)? - value(&l1)?)
            })?;
            (&l1 + &l2).mul_equals(&(&u_acc - &u_r), &v_acc.double()?)?;
            let u_s = witness(&cs, || {
                let l = value(&l2)?;
                Ok(l * l - a - value(&u_r)? - value(&u_acc)?)
            })?;
            l2.mul_equals(&l2, &(&u_s + a + &u_r + &u_acc))?;
            let v_s = witness(&cs, || {
                Ok(value(&l2)? * (value(&u_acc)? - value(&u_s)?) - value(&v_acc)?)
            })?;
            l2.mul_equals(&(&u_acc - &u_s), &(&v_s + &v_acc))?;
            u_acc = u_s;
            v_acc = v_s;
        }

        // Back to twisted Edwards: x·v = u, y·(u + 1) = u − 1.
        let x = witness(&cs, || Ok(value(&u_acc)? * inverse(value(&v_acc)?)?))?;
        x.mul_equals(&v_acc, &u_acc)?;
        let y = witness(&cs, || {
            let u = value(&u_acc)?;
            Ok((u - F::ONE) * inverse(u + F::ONE)?)
        })?;
        y.mul_equals(&(&u_acc + F::ONE), &(&u_acc - F::ONE))?;
        Ok(PointVar::new(x, y))
    }
}
