//! Statement v3's disclosed claims as halo2-base constraints. The native
//! side and the R1CS gadget are `veil_circuits::disclosure`: the same
//! packing at the same offsets.

use crate::{Cell, Fr};
use halo2_base::gates::{GateInstructions, RangeChip, RangeInstructions};
use halo2_base::halo2_proofs::halo2curves::ff::Field;
use halo2_base::{Context, QuantumCell::Constant};
use veil_circuits::disclosure::{DISCLOSABLE, OFFSETS};
use veil_circuits::statement::layout::claim;

/// The seven numeric claims packed at their offsets
/// (`veil_circuits::disclosure::pack_numeric`), as `claims_hash` takes them.
/// `claims` are already range-checked to their widths by the statement.
pub fn pack_numeric(
    ctx: &mut Context<Fr>,
    gate: &impl GateInstructions<Fr>,
    claims: &[Cell; claim::COUNT],
) -> Cell {
    let scales = OFFSETS.map(|offset| Constant(Fr::from(2u64).pow_vartime([offset as u64])));
    gate.inner_product(ctx, DISCLOSABLE.map(|(index, _)| claims[index]), scales)
}

/// Constrains `disclosed = Σ mask_i · c_i · 2^offset_i`, with `mask` (the
/// policy's word) constrained to seven bits. `claims` are the statement's
/// claims, already range-checked to their widths.
pub fn assert_disclosed(
    ctx: &mut Context<Fr>,
    range: &RangeChip<Fr>,
    mask: Cell,
    claims: &[Cell; claim::COUNT],
    disclosed: Cell,
) {
    let gate = range.gate();
    let bits = gate.num_to_bits(ctx, mask, DISCLOSABLE.len());
    let shifted: Vec<Cell> = DISCLOSABLE
        .iter()
        .zip(OFFSETS)
        .map(|((index, _), offset)| {
            let scale = Fr::from(2u64).pow_vartime([offset as u64]);
            gate.mul(ctx, claims[*index], Constant(scale))
        })
        .collect();
    let packed = gate.inner_product(ctx, shifted, bits.into_iter().map(Into::into));
    ctx.constrain_equal(&packed, &disclosed);
}
