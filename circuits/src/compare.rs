//! Comparisons and range checks on small integers held in field elements, the
//! predicates of the compliance statement (age, risk, KYC level, country,
//! subject type). Natively they are plain integer comparisons; the gadgets
//! constrain every bit width they rely on, never assume it.
//!
//! | gadget | constraints |
//! |---|---|
//! | [`to_bits_checked`] / [`enforce_range`] (`n` bits) | `n + 1` |
//! | [`enforce_le`] / [`enforce_lt`] on `n`-bit values | `n + 1` (operands range-checked by the caller) |
//! | [`enforce_not_in_list`] (`k` entries) | `k` |
//! | [`enforce_mask_bit`] (`2^w`-bit mask) | `2^w + w + 2^w - 1 + 2` |

use crate::F;
use ark_ff::PrimeField;

/// Largest bit width the comparison gadgets accept. For `a, b < 2^n` a negative
/// difference wraps to `p − δ` with `δ < 2^n`, which fails an `n`-bit range check
/// exactly when `p ≥ 2^(n+1)`: true for BN254 (p ≈ 2^253.6) up to `n = 252`.
pub const MAX_BITS: usize = 252;

/// Does `x` fit in `n` bits?
pub fn fits_in_bits(x: &F, n: usize) -> bool {
    x.into_bigint().num_bits() as usize <= n
}

/// Native `a <= b` for values of at most `n` bits (`false` if either is wider).
pub fn is_le(a: &F, b: &F, n: usize) -> bool {
    fits_in_bits(a, n) && fits_in_bits(b, n) && a.into_bigint() <= b.into_bigint()
}

/// Native `a < b` for values of at most `n` bits.
pub fn is_lt(a: &F, b: &F, n: usize) -> bool {
    fits_in_bits(a, n) && fits_in_bits(b, n) && a.into_bigint() < b.into_bigint()
}

/// Native: `x` differs from every entry of `list`.
pub fn is_not_in_list(x: &F, list: &[F]) -> bool {
    list.iter().all(|e| e != x)
}

/// Native: bit `index` of `mask` (a `width`-bit mask) is 1; `false` if
/// `index >= width` or the mask is wider.
pub fn mask_bit_is_set(mask: &F, index: &F, width: usize) -> bool {
    if !fits_in_bits(mask, width) || !fits_in_bits(index, 64) {
        return false;
    }
    let i = index.into_bigint().as_ref()[0] as usize;
    i < width && mask.into_bigint().get_bit(i)
}

use ark_ff::BigInteger;

#[cfg(feature = "constraints")]
pub use constraints::*;

/// The gadgets (feature `constraints`): range checks and comparisons in R1CS, over the widths the native checks above use.
#[cfg(feature = "constraints")]
mod constraints {
    use super::*;
    use ark_ff::Field;
    use ark_r1cs_std::{
        alloc::AllocVar,
        boolean::Boolean,
        eq::EqGadget,
        fields::{fp::FpVar, FieldVar},
        GR1CSVar,
    };
    use ark_relations::gr1cs::SynthesisError;

    /// Decomposes `x` into `n` little-endian bits and constrains their sum to `x`,
    /// so `x < 2^n` is enforced. `n + 1` constraints; `n` at most 253.
    pub fn to_bits_checked(x: &FpVar<F>, n: usize) -> Result<Vec<Boolean<F>>, SynthesisError> {
        // 253 bits still decompose uniquely (2^253 < p); 254 would not.
        if n > MAX_BITS + 1 {
            return Err(SynthesisError::Unsatisfiable);
        }
        if let FpVar::Constant(c) = x {
            if !fits_in_bits(c, n) {
                return Err(SynthesisError::Unsatisfiable);
            }
            let bits = c.into_bigint().to_bits_le();
            return Ok((0..n).map(|i| Boolean::constant(bits[i])).collect());
        }
        let cs = x.cs();
        let value = x.value().map(|v| v.into_bigint().to_bits_le());
        let bits = (0..n)
            .map(|i| {
                Boolean::new_witness(cs.clone(), || value.as_ref().map(|b| b[i]).map_err(|e| *e))
            })
            .collect::<Result<Vec<_>, _>>()?;
        // One linear combination Σ 2^i·b_i (a running `sum +=` made one per
        // bit, each expanded in full when the matrices are built: n²/2 terms).
        // n < 254, so ark-r1cs-std adds no constraint for it.
        Boolean::le_bits_to_fp(&bits)?.enforce_equal(x)?;
        Ok(bits)
    }

    /// Enforces `x < 2^n`. `n + 1` constraints.
    pub fn enforce_range(x: &FpVar<F>, n: usize) -> Result<(), SynthesisError> {
        to_bits_checked(x, n).map(|_| ())
    }

    /// Enforces `a <= b` for `a`, `b` already constrained to `n` bits: `b - a` must
    /// fit in `n` bits (a negative difference wraps to ~2^254 and cannot).
    /// `n + 1` constraints.
    pub fn enforce_le(a: &FpVar<F>, b: &FpVar<F>, n: usize) -> Result<(), SynthesisError> {
        if n > MAX_BITS {
            return Err(SynthesisError::Unsatisfiable);
        }
        enforce_range(&(b - a), n)
    }

    /// Enforces `a < b` for `n`-bit `a`, `b`: `b - a - 1` fits in `n` bits.
    pub fn enforce_lt(a: &FpVar<F>, b: &FpVar<F>, n: usize) -> Result<(), SynthesisError> {
        if n > MAX_BITS {
            return Err(SynthesisError::Unsatisfiable);
        }
        enforce_range(&(b - a - F::ONE), n)
    }

    /// Enforces `x != e` for every `e` in `list`: one inverse per entry.
    pub fn enforce_not_in_list(x: &FpVar<F>, list: &[FpVar<F>]) -> Result<(), SynthesisError> {
        for e in list {
            x.enforce_not_equal(e)?;
        }
        Ok(())
    }

    /// Enforces that bit `index` of `mask` is 1, where `mask` has `2^log_width`
    /// bits. Both are range-checked here (`index < 2^log_width`, `mask < 2^(2^log_width)`);
    /// the bit is picked by a multiplexer tree over the index bits.
    pub fn enforce_mask_bit(
        mask: &FpVar<F>,
        index: &FpVar<F>,
        log_width: usize,
    ) -> Result<(), SynthesisError> {
        let width = 1usize << log_width;
        let mask_bits = to_bits_checked(mask, width)?;
        let index_bits = to_bits_checked(index, log_width)?;
        let mut level: Vec<FpVar<F>> = mask_bits.into_iter().map(FpVar::from).collect();
        for sel in &index_bits {
            let s = FpVar::from(sel.clone());
            level = level
                .chunks(2)
                .map(|pair| &pair[0] + &s * &(&pair[1] - &pair[0]))
                .collect();
        }
        level[0].enforce_equal(&FpVar::one())
    }
}
