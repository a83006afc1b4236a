//! The compliance statement v1 as a halo2-base circuit: the same rules as
//! `veil_circuits::statement::circuit` (the Groth16 circuit), block for
//! block, and the same ten public inputs in the same order, so a
//! `ComplianceWitness` proves on either backend and the gate checks the same
//! statement.
//!
//! One difference of technique, none of meaning: the escrow's scalar
//! multiplications use complete formulas on all 251 bits of `r`, where the
//! R1CS circuit uses a Montgomery ladder that needs `r`'s special shape.

use crate::babyjubjub::{
    assert_equal, assert_in_subgroup, fixed_base_mul, load_bits, load_point, scalar_mul,
    AssignedPoint,
};
use crate::compare::{
    assert_le, assert_lt, assert_mask_bit, assert_nonzero, assert_not_in_list, assert_range,
};
use crate::disclosure::pack_numeric;
use crate::eddsa::{assert_valid, AssignedSignature};
use crate::field::{bits_le, fr};
use crate::merkle::{assert_member, assert_non_member};
use crate::poseidon::hash_fixed;
use crate::{Cell, Fr};
use ark_ff::PrimeField;
use halo2_base::gates::circuit::builder::BaseCircuitBuilder;
use halo2_base::gates::{GateInstructions, RangeInstructions};
use serde::{Deserialize, Serialize};
use veil_circuits::babyjubjub::{base8, Scalar};
use veil_circuits::statement::layout::{
    claim, input as pi, ClaimsWord, PolicyWord, Ranged, AGE_BITS, CLAIMS_HASH_PREIMAGE, DATE_BITS,
    KYC_LEVEL_BITS, POLICY_HASH_PREIMAGE, RANGE_CHECKS, RISK_BITS, SUBJECT_TYPE_BITS,
};
use veil_circuits::statement::{
    ComplianceWitness, WitnessError, ISSUER_TREE_ARITY, ISSUER_TREE_DEPTH, MAX_BARRED_COUNTRIES,
    NUM_PUBLIC_INPUTS, REVOCATION_TREE_ARITY, REVOCATION_TREE_DEPTH,
};
use veil_circuits::F;

/// `log2` of the circuit's rows. At 2^16 rows halo2-base lays the statement
/// out in 6 advice columns; 2^17 (3 columns) and 2^18 (2) make smaller
/// proofs but prove 1.5x and 2.6x slower (`benches/RESULTS.md`): a wallet
/// waits for the prover, so veil takes the fastest.
pub const STATEMENT_K: u32 = 16;
/// Bits of the range-check lookup table (one below `k`).
pub const LOOKUP_BITS: usize = 15;
/// Rows halo2 keeps for blinding at the bottom of each column.
pub const BLINDING_ROWS: usize = 9;

/// The circuit's size parameters: rows and the range table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CircuitShape {
    /// `log2` of the number of rows.
    pub k: u32,
    /// Bits of the range-check lookup table.
    pub lookup_bits: usize,
}

impl Default for CircuitShape {
    fn default() -> Self {
        CircuitShape {
            k: STATEMENT_K,
            lookup_bits: LOOKUP_BITS,
        }
    }
}

fn scalar_to_field(s: &Scalar) -> F {
    F::from_le_bytes_mod_order(&ark_ff::BigInteger::to_bytes_le(&s.into_bigint()))
}

/// Assigns the statement for `w` into `builder` (whose `k` and lookup bits
/// are set) and exposes the ten public inputs, in format order, on instance
/// column 0. A witness that breaks a rule still assigns (so the constraint
/// system, not this function, rejects it); only a policy that cannot be
/// encoded at all is refused here.
pub fn synthesize(
    builder: &mut BaseCircuitBuilder<Fr>,
    w: &ComplianceWitness,
) -> Result<(), WitnessError> {
    let barred_values = w.policy.barred_padded()?;
    let range = builder.range_chip();
    let gate = range.gate();
    let ctx = builder.main(0);

    // Public inputs, in format order.
    let public: Vec<Cell> = w
        .public
        .to_vec()
        .iter()
        .map(|x| ctx.load_witness(fr(x)))
        .collect();
    debug_assert_eq!(public.len(), NUM_PUBLIC_INPUTS);
    let input = |i: usize| public[i];
    let [policy_hash, issuers_root, revocation_root, today, scope, nullifier, escrow_ct] = [
        pi::POLICY_HASH,
        pi::ISSUERS_ROOT,
        pi::REVOCATION_ROOT,
        pi::TODAY,
        pi::SCOPE,
        pi::NULLIFIER,
        pi::ESCROW_CT,
    ]
    .map(input);
    let escrow_c1 = AssignedPoint {
        x: input(pi::ESCROW_C1_X),
        y: input(pi::ESCROW_C1_Y),
    };

    // Private witness.
    let claims: [Cell; claim::COUNT] = w
        .credential
        .claims
        .to_fields()
        .map(|c| ctx.load_witness(fr(&c)));
    let holder_secret = ctx.load_witness(fr(&w.holder_secret));
    let issuer = load_point(ctx, &w.credential.issuer.0);
    let signature = AssignedSignature {
        r8: load_point(ctx, &w.credential.signature.r8),
        s: ctx.load_witness(fr(&scalar_to_field(&w.credential.signature.s))),
    };
    let p = &w.policy;
    let [min_age, max_risk, min_kyc, type_mask] = [
        u64::from(p.min_age_days),
        u64::from(p.max_risk),
        u64::from(p.min_kyc_level),
        u64::from(p.subject_type_mask),
    ]
    .map(|v| ctx.load_witness(Fr::from(v)));
    let barred: [Cell; MAX_BARRED_COUNTRIES] = barred_values.map(|b| ctx.load_witness(fr(&b)));
    let regulator = load_point(ctx, &p.regulator_key.0);
    let r_bits = bits_le(
        &scalar_to_field(&w.escrow_randomness),
        Scalar::MODULUS_BIT_SIZE as usize,
    );
    let r_bits = load_bits(ctx, gate, &r_bits);

    // The issuer's signature on claims_hash, the issuer key in the subgroup;
    // the numeric claims enter it packed (one-to-one by their range checks).
    let numeric = pack_numeric(ctx, gate, &claims);
    let claims_preimage = CLAIMS_HASH_PREIMAGE.map(|word| match word {
        ClaimsWord::Claim(i) => claims[i],
        ClaimsWord::Numeric => numeric,
    });
    let claims_hash = hash_fixed(ctx, gate, claims_preimage);
    assert_valid(ctx, &range, &issuer, claims_hash, &signature);

    // The issuer is trusted.
    let issuer_leaf = hash_fixed(ctx, gate, [issuer.x, issuer.y]);
    assert_member(
        ctx,
        gate,
        ISSUER_TREE_ARITY,
        ISSUER_TREE_DEPTH,
        &w.issuer_path,
        issuers_root,
        issuer_leaf,
    );

    // The credential is not revoked.
    assert_non_member(
        ctx,
        &range,
        REVOCATION_TREE_ARITY,
        REVOCATION_TREE_DEPTH,
        &w.revocation_proof,
        revocation_root,
        claims[claim::CREDENTIAL_ID],
    );

    // The prover holds the credential.
    let holder = hash_fixed(ctx, gate, [holder_secret]);
    ctx.constrain_equal(&holder, &claims[claim::HOLDER]);

    // Bit widths of every claim, policy parameter and today.
    for (value, bits) in RANGE_CHECKS {
        let v = match value {
            Ranged::Claim(i) => claims[i],
            Ranged::Today => today,
            Ranged::MinAge => min_age,
            Ranged::MaxRisk => max_risk,
            Ranged::MinKycLevel => min_kyc,
        };
        assert_range(ctx, &range, v, bits);
    }

    // Predicates.
    let c = |i: usize| claims[i];
    let country = c(claim::COUNTRY);
    let birth_plus_age = gate.add(ctx, c(claim::BIRTH_DATE), min_age);
    assert_le(ctx, &range, birth_plus_age, today, AGE_BITS);
    assert_le(ctx, &range, c(claim::ISSUED_AT), today, DATE_BITS);
    assert_lt(ctx, &range, today, c(claim::EXPIRES_AT), DATE_BITS);
    assert_le(ctx, &range, min_kyc, c(claim::KYC_LEVEL), KYC_LEVEL_BITS);
    assert_le(ctx, &range, c(claim::RISK_SCORE), max_risk, RISK_BITS);
    assert_mask_bit(
        ctx,
        gate,
        type_mask,
        c(claim::SUBJECT_TYPE),
        SUBJECT_TYPE_BITS,
    );
    assert_not_in_list(ctx, gate, country, &barred);

    // The policy parameters hash to policy_hash; the policy's schema is
    // claim c0 itself, so a credential of another schema cannot match.
    let sanctions_hash = hash_fixed(ctx, gate, barred);
    let preimage = POLICY_HASH_PREIMAGE.map(|word| match word {
        PolicyWord::Schema => claims[claim::SCHEMA],
        PolicyWord::MinAge => min_age,
        PolicyWord::MaxRisk => max_risk,
        PolicyWord::MinKycLevel => min_kyc,
        PolicyWord::SubjectTypeMask => type_mask,
        PolicyWord::SanctionsHash => sanctions_hash,
        PolicyWord::RegulatorX => regulator.x,
        PolicyWord::RegulatorY => regulator.y,
    });
    let computed_policy = hash_fixed(ctx, gate, preimage);
    ctx.constrain_equal(&computed_policy, &policy_hash);

    // The nullifier.
    let computed_nullifier = hash_fixed(ctx, gate, [holder_secret, scope]);
    ctx.constrain_equal(&computed_nullifier, &nullifier);

    // Escrow of credential_id to the regulator: c1 = r·Base8, K = r·regulator,
    // ct = credential_id + H(K.x, K.y). The key is in the subgroup and not
    // the identity (x ≠ 0: the only subgroup point with x = 0 is (0, 1)),
    // and r·Base8 is not the identity (r ≢ 0 mod l): either would make K
    // public and the escrow open to anyone. (The Groth16 circuit's ladder
    // rules out both by its shape.)
    assert_in_subgroup(ctx, gate, &regulator);
    assert_nonzero(ctx, gate, regulator.x);
    let c1 = fixed_base_mul(ctx, gate, &r_bits, &base8());
    assert_nonzero(ctx, gate, c1.x);
    assert_equal(ctx, &c1, &escrow_c1);
    let shared = scalar_mul(ctx, gate, &r_bits, &regulator);
    let pad = hash_fixed(ctx, gate, [shared.x, shared.y]);
    let computed_ct = gate.add(ctx, claims[claim::CREDENTIAL_ID], pad);
    ctx.constrain_equal(&computed_ct, &escrow_ct);

    // scope and payment_hash are instances: halo2 binds every instance cell
    // to the transcript, so changing either changes the proof's challenges.
    builder.assigned_instances = vec![public];
    Ok(())
}
