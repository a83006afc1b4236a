//! Poseidon with circom's parameters (x^5 S-box, 8 full rounds, circomlib's
//! partial rounds), for 1 to 16 inputs: `poseidon(&[a, b])` equals circomlibjs
//! `poseidon([a, b])` and circomlib's `Poseidon(2)` template.
//!
//! The native hash and the gadget share one description of the permutation
//! ([`params`]), so a change to one is a change to both.
//!
//! Gadget cost: 3 constraints per S-box; the capacity element is the constant 0,
//! so its first S-box is free. `Poseidon(2)` costs 240 constraints, as circom's.

pub mod params;

use crate::F;
use ark_ff::{AdditiveGroup, Field};
use params::{params_for_inputs, PoseidonParams, FULL_ROUNDS};

/// Why a Poseidon call was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PoseidonError {
    /// circom's Poseidon takes 1 to 16 inputs.
    #[error("Poseidon takes 1 to 16 inputs, got {0}")]
    Arity(usize),
}

/// The arithmetic Poseidon needs, implemented by native field elements and by
/// their in-circuit variables, so that one permutation serves both.
trait PoseidonState: Clone {
    /// Native arithmetic cannot fail; constraint synthesis can.
    type Error;
    fn add_constant(&self, c: F) -> Self;
    fn sbox(&self) -> Result<Self, Self::Error>;
    /// `offset + Σ row[j]·state[j]`: one MDS row with the round constants
    /// that no S-box consumed folded into `offset`.
    fn affine(row: &[F], state: &[Self], offset: F) -> Result<Self, Self::Error>;
}

impl PoseidonState for F {
    type Error = std::convert::Infallible;
    fn add_constant(&self, c: F) -> Self {
        *self + c
    }
    fn sbox(&self) -> Result<Self, Self::Error> {
        let x2 = self.square();
        Ok(x2.square() * self)
    }
    /// Three products at a time through ark-ff's `sum_of_products`, which
    /// sums them before one Montgomery reduction (BN254's two spare bits
    /// leave room for three): the mix is most of a hash's multiplications.
    fn affine(row: &[F], state: &[Self], offset: F) -> Result<Self, Self::Error> {
        let mut sum = offset;
        let (mut rows, mut states) = (row.chunks_exact(3), state.chunks_exact(3));
        for (m, s) in (&mut rows).zip(&mut states) {
            sum += F::sum_of_products(&[m[0], m[1], m[2]], &[s[0], s[1], s[2]]);
        }
        match (rows.remainder(), states.remainder()) {
            ([m0, m1], [s0, s1]) => sum += F::sum_of_products(&[*m0, *m1], &[*s0, *s1]),
            (ms, ss) => sum += ms.iter().zip(ss).map(|(m, s)| *m * s).sum::<F>(),
        }
        Ok(sum)
    }
}

/// The permutation of circomlib's `Poseidon(n)`; returns `state[0]`.
///
/// A round adds its constants, applies the S-boxes and mixes. In a partial
/// round the constants of the elements no S-box touches are not added one
/// by one: the mix adds their mixed sum ([`PoseidonParams::mix_offsets`]).
/// The result is the same field element; in a circuit each mixed element is
/// one linear combination instead of a chain of them, which the constraint
/// system would otherwise expand, intermediate by intermediate, when it
/// builds the matrices (4.6 million terms for the statement).
fn permute<S: PoseidonState>(p: &PoseidonParams, mut state: Vec<S>) -> Result<S, S::Error> {
    let rounds = FULL_ROUNDS + p.partial_rounds;
    // The next state is built beside the current one and swapped in: two
    // buffers per hash, not one per round.
    let mut mixed = Vec::with_capacity(p.width);
    for round in 0..rounds {
        let boxed = if p.is_full(round) { p.width } else { 1 };
        for (i, s) in state.iter_mut().enumerate().take(boxed) {
            *s = s.add_constant(p.constant(round, i)).sbox()?;
        }
        if round + 1 == rounds {
            // Only the first output element is used: mix just that row.
            return S::affine(&p.mds[0], &state, p.mix_offset(round, 0));
        }
        mixed.clear();
        for (i, row) in p.mds.iter().enumerate() {
            mixed.push(S::affine(row, &state, p.mix_offset(round, i))?);
        }
        std::mem::swap(&mut state, &mut mixed);
    }
    unreachable!("Poseidon has at least one round")
}

/// Poseidon of 1 to 16 field elements with circom's parameters.
pub fn poseidon(inputs: &[F]) -> Result<F, PoseidonError> {
    let p = params_for_inputs(inputs.len()).ok_or(PoseidonError::Arity(inputs.len()))?;
    let mut state = Vec::with_capacity(p.width);
    state.push(F::ZERO);
    state.extend_from_slice(inputs);
    permute(p, state).map_err(|never| match never {})
}

/// Poseidon of a fixed-arity input the caller knows is in 1..=16 (circuit
/// shapes, claims, tree nodes). Panics only on a programming error: an arity
/// outside that range is never data-dependent.
pub fn poseidon_fixed<const N: usize>(inputs: [F; N]) -> F {
    const { assert!(N >= 1 && N <= params::MAX_INPUTS) };
    match poseidon(&inputs) {
        Ok(h) => h,
        Err(_) => unreachable!("arity checked at compile time"),
    }
}

#[cfg(feature = "constraints")]
pub use constraints::poseidon_var;

/// The gadget (feature `constraints`): the same permutation over variables.
#[cfg(feature = "constraints")]
mod constraints {
    use super::params::params_for_inputs;
    use super::{permute, PoseidonState, F};
    use ark_ff::Zero;
    use ark_r1cs_std::fields::fp::{AllocatedFp, FpVar};
    use ark_r1cs_std::fields::FieldVar;
    use ark_relations::gr1cs::{ConstraintSystemRef, LinearCombination, SynthesisError, Variable};

    impl PoseidonState for FpVar<F> {
        type Error = SynthesisError;
        fn add_constant(&self, c: F) -> Self {
            self + c
        }
        fn sbox(&self) -> Result<Self, SynthesisError> {
            let x2 = self.square()?;
            let x4 = x2.square()?;
            Ok(x4 * self)
        }
        /// One linear combination over the state's variables (ark-r1cs-std's
        /// `s * m` and `+` would make two per term, each expanded when the
        /// matrices are built).
        fn affine(row: &[F], state: &[Self], offset: F) -> Result<Self, SynthesisError> {
            let mut constant = offset;
            let mut terms = Vec::with_capacity(row.len() + 1);
            let mut value = Some(F::zero());
            let mut cs = ConstraintSystemRef::None;
            for (m, s) in row.iter().zip(state) {
                match s {
                    FpVar::Constant(c) => constant += *m * c,
                    FpVar::Var(v) => {
                        cs = cs.or(v.cs.clone());
                        value = value.zip(v.value().ok()).map(|(sum, x)| sum + *m * x);
                        terms.push((*m, v.variable));
                    }
                }
            }
            if terms.is_empty() {
                return Ok(FpVar::Constant(constant));
            }
            if !constant.is_zero() {
                terms.push((constant, Variable::One));
            }
            let variable = cs.new_lc(|| {
                let mut lc = LinearCombination(terms);
                lc.compactify();
                lc
            })?;
            let value = value.map(|sum| sum + constant);
            Ok(FpVar::Var(AllocatedFp::new(value, variable, cs)))
        }
    }

    /// In-circuit Poseidon: constrains and returns circomlib's `Poseidon(n)` of
    /// `inputs`. Cost: `3 * (t * 8 + partial_rounds) - 3` constraints for width `t`
    /// (240 for two inputs). An arity outside 1..=16 is `SynthesisError::ArityMismatch`.
    pub fn poseidon_var(inputs: &[FpVar<F>]) -> Result<FpVar<F>, SynthesisError> {
        let p = params_for_inputs(inputs.len()).ok_or(SynthesisError::ArityMismatch)?;
        let mut state = Vec::with_capacity(p.width);
        state.push(FpVar::zero());
        state.extend_from_slice(inputs);
        permute(p, state)
    }
}
