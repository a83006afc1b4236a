//! Statement v3's risk check as halo2-base constraints. The native side and
//! the R1CS gadget are `veil_circuits::risk`: the same rules at the same
//! widths.

use crate::compare::{assert_le, assert_range};
use crate::merkle::assert_member;
use crate::poseidon::hash_fixed;
use crate::{Cell, Fr};
use halo2_base::gates::{GateInstructions, RangeChip, RangeInstructions};
use halo2_base::Context;
use veil_circuits::risk::{
    AttestationProof, DAY_BITS, ORACLE_TREE_ARITY, ORACLE_TREE_DEPTH, SCORE_BITS,
};

/// The public and policy values a risk check reads, as cells.
#[derive(Debug, Clone, Copy)]
pub struct RiskCells {
    /// The oracle root the proof names.
    pub root: Cell,
    /// The holder's commitment (the credential's c1).
    pub holder: Cell,
    /// The policy's highest admitted score, range-checked by the caller to
    /// [`SCORE_BITS`].
    pub max_risk: Cell,
    /// The policy's oldest admitted attestation in days, range-checked by
    /// the caller to [`DAY_BITS`].
    pub max_age_days: Cell,
    /// The proof's day, range-checked by the caller to [`DAY_BITS`].
    pub today: Cell,
}

/// Constrains `proof`'s attestation to be the holder's, under the root,
/// scored at most `max_risk`, and dated `day ≤ today ≤ day + max_age_days`
/// (`AttestationProof::check`'s rules).
pub fn assert_fresh_attestation(
    ctx: &mut Context<Fr>,
    range: &RangeChip<Fr>,
    proof: &AttestationProof,
    c: RiskCells,
) {
    let gate = range.gate();
    let score = ctx.load_witness(Fr::from(u64::from(proof.attestation.score)));
    let day = ctx.load_witness(Fr::from(u64::from(proof.attestation.day)));
    assert_range(ctx, range, score, SCORE_BITS);
    assert_range(ctx, range, day, DAY_BITS);
    assert_le(ctx, range, score, c.max_risk, SCORE_BITS);
    assert_le(ctx, range, day, c.today, DAY_BITS);
    let oldest = gate.add(ctx, day, c.max_age_days);
    assert_le(ctx, range, c.today, oldest, DAY_BITS + 1);
    let leaf = hash_fixed(ctx, gate, [c.holder, score, day]);
    assert_member(
        ctx,
        gate,
        ORACLE_TREE_ARITY,
        ORACLE_TREE_DEPTH,
        &proof.path,
        c.root,
        leaf,
    );
}
