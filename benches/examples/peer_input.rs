//! Writes the circom peer circuit's input (`benches/peer/compliance.circom`)
//! for veil's embedded sample, as JSON on stdout: the same witness veil
//! proves, so both provers do the same work and the public inputs agree.

use ark_ff::PrimeField;
use ark_std::rand::{rngs::StdRng, SeedableRng};
use num_bigint::BigUint;
use serde_json::{json, Value};
use veil_circuits::encoding::field_to_decimal;
use veil_circuits::statement::sample::Sample;
use veil_circuits::F;

fn dec(x: &F) -> Value {
    Value::String(field_to_decimal(x))
}

fn decs(xs: &[F]) -> Value {
    Value::Array(xs.iter().map(dec).collect())
}

fn main() {
    let seed = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1u64);
    let sample = Sample::new(&mut StdRng::seed_from_u64(seed));
    let w = sample.witness().expect("the sample satisfies the policy");
    let c = &w.credential;
    let p = &w.public;
    // The position's bits, little-endian: two a level in the 4-ary trees.
    let bits = |path: &veil_circuits::merkle::MerklePath| -> Vec<F> {
        (0..path.depth() * path.arity.bits())
            .map(|i| F::from((path.index >> i) & 1))
            .collect()
    };
    let rev = &w.revocation_proof;
    let input = json!({
        "policy_hash": dec(&p.policy_hash),
        "issuers_root": dec(&p.issuers_root),
        "revocation_root": dec(&p.revocation_root),
        "today": dec(&p.today),
        "scope": dec(&p.scope),
        "payment_hash": dec(&p.payment_hash),
        "nullifier": dec(&p.nullifier),
        "escrow_c1x": dec(&p.escrow_c1.0),
        "escrow_c1y": dec(&p.escrow_c1.1),
        "escrow_ct": dec(&p.escrow_ct),
        "claims": decs(&c.claims.to_fields()),
        "holder_secret": dec(&w.holder_secret),
        "issuer_ax": dec(&c.issuer.0.x),
        "issuer_ay": dec(&c.issuer.0.y),
        "sig_r8x": dec(&c.signature.r8.x),
        "sig_r8y": dec(&c.signature.r8.y),
        "sig_s": BigUint::from(c.signature.s.into_bigint()).to_string(),
        "issuer_indices": decs(&bits(&w.issuer_path)),
        "issuer_siblings": decs(&w.issuer_path.siblings),
        "rev_low_value": dec(&rev.low_leaf.value),
        "rev_low_next": dec(&rev.low_leaf.next_value),
        "rev_indices": decs(&bits(&rev.path)),
        "rev_siblings": decs(&rev.path.siblings),
        "min_age_days": w.policy.min_age_days.to_string(),
        "max_risk": w.policy.max_risk.to_string(),
        "min_kyc_level": w.policy.min_kyc_level.to_string(),
        "subject_type_mask": w.policy.subject_type_mask.to_string(),
        "barred": decs(&w.policy.barred_padded().expect("at most 16")),
        "regulator_x": dec(&w.policy.regulator_key.0.x),
        "regulator_y": dec(&w.policy.regulator_key.0.y),
        "escrow_r": BigUint::from(w.escrow_randomness.into_bigint()).to_string(),
    });
    println!("{}", serde_json::to_string_pretty(&input).expect("json"));
}
