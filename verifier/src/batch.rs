//! Batch verification by a random linear combination.
//!
//! For proofs `(Aᵢ, Bᵢ, Cᵢ)` with folded inputs `Lᵢ` and random 128-bit `rᵢ`,
//! all verify (except with probability about `n / 2¹²⁸`) iff
//!
//! `Π e(rᵢ·Aᵢ, Bᵢ) · e(Σ rᵢ·Lᵢ, −γ) · e(Σ rᵢ·Cᵢ, −δ) · e((Σ rᵢ)·α, −β) = 1`.
//!
//! That is `n + 3` Miller loops and one final exponentiation instead of `3n`
//! loops and `n` exponentiations; `Σ rᵢ·Lᵢ` is one 11-point MSM over the
//! combined inputs. When the combined check fails, each proof is checked
//! alone so the caller learns which ones are bad.

use crate::error::VerifyError;
use crate::verify::{check_input_count, PreparedKey};
use crate::{Curve, Proof};
use ark_bn254::{G1Affine, G1Projective};
use ark_ec::pairing::Pairing;
use ark_ec::{AffineRepr, CurveGroup, VariableBaseMSM};
use ark_ff::{One, Zero};
use rand::{CryptoRng, RngCore};
use rayon::prelude::*;
use veil_circuits::F;

/// Verifies every `(proof, public inputs)` pair at once; `rng` draws the
/// combination's coefficients (use `OsRng`: a prover who can predict them can
/// make a bad proof pass). An empty batch is accepted.
pub fn verify_batch<R: RngCore + CryptoRng>(
    key: &PreparedKey,
    items: &[(Proof, Vec<F>)],
    rng: &mut R,
) -> Result<(), VerifyError> {
    for (_, public) in items {
        check_input_count(public)?;
    }
    if items.is_empty() {
        return Ok(());
    }
    let coefficients: Vec<u128> = items
        .iter()
        .map(|_| (u128::from(rng.next_u64()) << 64) | u128::from(rng.next_u64()))
        .collect();
    if combined_check(key, items, &coefficients) {
        return Ok(());
    }
    let invalid: Vec<usize> = items
        .par_iter()
        .enumerate()
        .filter(|(_, (proof, public))| key.verify(proof, public).is_err())
        .map(|(i, _)| i)
        .collect();
    // An empty `invalid` (every proof passes alone, the combination failed)
    // has negligible probability; it is still a rejection.
    Err(VerifyError::BatchRejected { invalid })
}

fn combined_check(key: &PreparedKey, items: &[(Proof, Vec<F>)], coefficients: &[u128]) -> bool {
    let r: Vec<F> = coefficients.iter().map(|&c| F::from(c)).collect();
    let r_sum: F = r.iter().sum();

    // Σ rᵢ·Lᵢ = (Σ rᵢ)·IC₀ + Σⱼ (Σᵢ rᵢ·xᵢⱼ)·ICⱼ
    let ic = &key.prepared.vk.gamma_abc_g1;
    let mut scalars = vec![F::zero(); ic.len()];
    scalars[0] = r_sum;
    for ((_, public), ri) in items.iter().zip(&r) {
        for (s, x) in scalars[1..].iter_mut().zip(public) {
            *s += *ri * x;
        }
    }
    let inputs = G1Projective::msm_unchecked(ic, &scalars);
    let cs: Vec<G1Affine> = items.iter().map(|(p, _)| p.c).collect();
    let c_sum = G1Projective::msm_unchecked(&cs, &r);
    let alpha = key.prepared.vk.alpha_g1 * r_sum;

    let scaled_a: Vec<G1Projective> = items
        .par_iter()
        .zip(coefficients.par_iter())
        .map(|((p, _), &c)| p.a.mul_bigint([c as u64, (c >> 64) as u64]))
        .collect();
    let mut g1 = G1Projective::normalize_batch(&scaled_a);
    g1.extend(G1Projective::normalize_batch(&[inputs, c_sum, alpha]));

    let mut g2: Vec<<Curve as Pairing>::G2Prepared> =
        items.par_iter().map(|(p, _)| p.b.into()).collect();
    g2.push(key.prepared.gamma_g2_neg_pc.clone());
    g2.push(key.prepared.delta_g2_neg_pc.clone());
    g2.push(key.beta_neg.clone());

    let miller = Curve::multi_miller_loop(g1, g2);
    matches!(Curve::final_exponentiation(miller), Some(r) if r.0.is_one())
}
