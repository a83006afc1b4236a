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
    fn linear(row: &[F], state: &[Self]) -> Self;
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
    fn linear(row: &[F], state: &[Self]) -> Self {
        row.iter().zip(state).map(|(m, s)| *m * s).sum()
    }
}

/// The permutation of circomlib's `Poseidon(n)`; returns `state[0]`.
fn permute<S: PoseidonState>(p: &PoseidonParams, mut state: Vec<S>) -> Result<S, S::Error> {
    let rounds = FULL_ROUNDS + p.partial_rounds;
    for round in 0..rounds {
        let full = round < FULL_ROUNDS / 2 || round >= FULL_ROUNDS / 2 + p.partial_rounds;
        for (i, s) in state.iter_mut().enumerate() {
            *s = s.add_constant(p.constant(round, i));
        }
        if full {
            for s in state.iter_mut() {
                *s = s.sbox()?;
            }
        } else {
            state[0] = state[0].sbox()?;
        }
        if round + 1 == rounds {
            // Only the first output element is used: mix just that row.
            return Ok(S::linear(&p.mds[0], &state));
        }
        state = p.mds.iter().map(|row| S::linear(row, &state)).collect();
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
    use ark_r1cs_std::fields::{fp::FpVar, FieldVar};
    use ark_relations::gr1cs::SynthesisError;

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
        fn linear(row: &[F], state: &[Self]) -> Self {
            row.iter()
                .zip(state)
                .fold(FpVar::zero(), |acc, (m, s)| acc + s * *m)
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
