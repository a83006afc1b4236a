//! Poseidon with circom's parameters as a halo2-base chip.
//!
//! halo2-base ships a Poseidon, but with a different MDS matrix and sponge
//! (capacity initialised to the input length, padding), so it does not equal
//! circomlib's `Poseidon(n)`. This chip takes the constants from
//! `veil_circuits::poseidon::params` (generated as circomlib's were, checked
//! there against circomlibjs) and runs circomlib's permutation on
//! `[0, inputs..]`, returning `state[0]`. The native hash is
//! [`native`], which is `veil_circuits::poseidon::poseidon`.
//!
//! Cost for width `t`: 12 cells per S-box and `3t + 1` cells per row of the
//! linear layer (constants added in the same inner product).

use crate::field::{ark, fr};
use crate::{Cell, Fr};
use halo2_base::gates::{GateChip, GateInstructions};
use halo2_base::halo2_proofs::halo2curves::ff::Field;
use halo2_base::{Context, QuantumCell::Constant};
use std::sync::OnceLock;
use veil_circuits::poseidon::params::{params_for_inputs, FULL_ROUNDS, MAX_INPUTS};
use veil_circuits::poseidon::PoseidonError;

/// circom's constants for one width, as halo2 field elements.
struct Constants {
    width: usize,
    partial_rounds: usize,
    round_constants: Vec<Fr>,
    mds: Vec<Vec<Fr>>,
}

impl Constants {
    fn constant(&self, round: usize, i: usize) -> Fr {
        self.round_constants[round * self.width + i]
    }
}

fn constants(inputs: usize) -> Result<&'static Constants, PoseidonError> {
    static CACHE: [OnceLock<Constants>; MAX_INPUTS] = [const { OnceLock::new() }; MAX_INPUTS];
    let p = params_for_inputs(inputs).ok_or(PoseidonError::Arity(inputs))?;
    Ok(CACHE[inputs - 1].get_or_init(|| Constants {
        width: p.width,
        partial_rounds: p.partial_rounds,
        round_constants: p.round_constants.iter().map(fr).collect(),
        mds: p
            .mds
            .iter()
            .map(|row| row.iter().map(fr).collect())
            .collect(),
    }))
}

/// circomlib's `Poseidon(n)` of 1 to 16 elements, computed natively.
pub fn native(inputs: &[Fr]) -> Result<Fr, PoseidonError> {
    let ark_inputs: Vec<_> = inputs.iter().map(ark).collect();
    veil_circuits::poseidon::poseidon(&ark_inputs).map(|h| fr(&h))
}

fn sbox(ctx: &mut Context<Fr>, gate: &GateChip<Fr>, x: Cell) -> Cell {
    let x2 = gate.mul(ctx, x, x);
    let x4 = gate.mul(ctx, x2, x2);
    gate.mul(ctx, x4, x)
}

/// `constant + Σ row[j]·state[j]` in one inner product.
fn mix_row(
    ctx: &mut Context<Fr>,
    gate: &GateChip<Fr>,
    row: &[Fr],
    state: &[Cell],
    constant: Fr,
) -> Cell {
    // A leading (constant, 1) pair makes the constant the accumulator's start.
    let a = std::iter::once(Constant(constant)).chain(state.iter().map(|s| (*s).into()));
    let b = std::iter::once(Constant(Fr::ONE)).chain(row.iter().map(|m| Constant(*m)));
    gate.inner_product(ctx, a, b)
}

/// In-circuit circomlib `Poseidon(n)` of `inputs` (1 to 16 cells).
pub fn hash(
    ctx: &mut Context<Fr>,
    gate: &GateChip<Fr>,
    inputs: &[Cell],
) -> Result<Cell, PoseidonError> {
    let c = constants(inputs.len())?;
    let rounds = FULL_ROUNDS + c.partial_rounds;
    // Round 0's constants: state[0] is the constant 0, so it becomes c[0][0].
    let mut state: Vec<Cell> = Vec::with_capacity(c.width);
    state.push(ctx.load_constant(c.constant(0, 0)));
    for (i, x) in inputs.iter().enumerate() {
        state.push(gate.add(ctx, *x, Constant(c.constant(0, i + 1))));
    }
    for round in 0..rounds {
        let full = round < FULL_ROUNDS / 2 || round >= FULL_ROUNDS / 2 + c.partial_rounds;
        if full {
            for s in state.iter_mut() {
                *s = sbox(ctx, gate, *s);
            }
        } else {
            state[0] = sbox(ctx, gate, state[0]);
        }
        if round + 1 == rounds {
            // Only the first output element is used.
            return Ok(mix_row(ctx, gate, &c.mds[0], &state, Fr::ZERO));
        }
        state = (0..c.width)
            .map(|i| mix_row(ctx, gate, &c.mds[i], &state, c.constant(round + 1, i)))
            .collect();
    }
    unreachable!("Poseidon has at least one round")
}

/// [`hash`] for callers with a fixed arity in 1..=16 (tree nodes, leaves,
/// the statement's hashes): those arities never come from data.
pub fn hash_fixed<const N: usize>(
    ctx: &mut Context<Fr>,
    gate: &GateChip<Fr>,
    inputs: [Cell; N],
) -> Cell {
    const { assert!(N >= 1 && N <= MAX_INPUTS) };
    match hash(ctx, gate, &inputs) {
        Ok(h) => h,
        Err(_) => unreachable!("arity checked at compile time"),
    }
}
