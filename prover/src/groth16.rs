//! Groth16's proving step, composed from arkworks' public parts so that the
//! five multi-scalar multiplications can run side by side (`rayon::join`).
//!
//! Why: `ark-groth16` runs the MSMs one after another and parallelises inside
//! each, and `ark-ec`'s parallel MSM builds a fresh rayon thread pool per
//! call, which a browser cannot do (its threads are the Web Workers that
//! `wasm-bindgen-rayon` starts once). The wasm wallet's threaded build (the
//! `join` feature, without arkworks' `parallel`) therefore joins the MSMs
//! here, on the page's pool. Natively arkworks' `parallel` wins and the MSMs
//! run in sequence, as in `ark-groth16`. The arithmetic is exactly
//! `ark-groth16` 0.6's `create_proof_with_assignment` (side by side in
//! `cargo bench --bench groth16 -- "prove breakdown"`: 452 ms with the
//! witness against arkworks' 457 ms without it); the prover's self-check
//! verifies every proof before it is returned.

use crate::{Curve, Proof, ProvingKey};
use ark_ec::pairing::Pairing;
use ark_ec::{CurveGroup, VariableBaseMSM};
use ark_ff::{PrimeField, Zero};
use ark_groth16::r1cs_to_qap::{LibsnarkReduction, R1CSToQAP};
use ark_relations::gr1cs::SynthesisError;
use ark_relations::utils::matrix::Matrix;
use veil_circuits::F;

type G1 = <Curve as Pairing>::G1;
type G2 = <Curve as Pairing>::G2;
type BigInt = <F as PrimeField>::BigInt;

/// `rayon::join` in the `join` build; else one after the other: with
/// arkworks' `parallel` each MSM already runs on every core, and joining
/// them as well made a native proof slower (480 ms against 426 ms on two
/// cores, `cargo bench --bench groth16 -- "Groth16 only"`, two runs).
fn join<A: Send, B: Send>(a: impl FnOnce() -> A + Send, b: impl FnOnce() -> B + Send) -> (A, B) {
    #[cfg(all(feature = "join", not(feature = "parallel")))]
    {
        rayon::join(a, b)
    }
    #[cfg(not(all(feature = "join", not(feature = "parallel"))))]
    {
        (a(), b())
    }
}

/// A Groth16 proof with randomness `r`, `s` for `full_assignment` (the
/// constant one, the public inputs, then the witness) of the circuit whose
/// matrices are `abc`.
pub(crate) fn prove(
    pk: &ProvingKey,
    r: F,
    s: F,
    abc: &[Matrix<F>],
    num_instance_variables: usize,
    num_constraints: usize,
    full_assignment: &[F],
) -> Result<Proof, SynthesisError> {
    let h = LibsnarkReduction::witness_map_from_matrices::<F, ark_poly::GeneralEvaluationDomain<F>>(
        abc,
        num_instance_variables,
        num_constraints,
        full_assignment,
    )?;
    let bigints = |v: &[F]| v.iter().map(|x| x.into_bigint()).collect::<Vec<BigInt>>();
    // Public inputs then witness, without the constant one.
    let assignment = bigints(&full_assignment[1..]);
    let witness = &assignment[num_instance_variables - 1..];
    let h = bigints(&h);

    let ((h_acc, l_acc), (a_acc, (b1_acc, b2_acc))) = join(
        || {
            join(
                || G1::msm_bigint(&pk.h_query, &h),
                || G1::msm_bigint(&pk.l_query, witness),
            )
        },
        || {
            join(
                || G1::msm_bigint(&pk.a_query[1..], &assignment),
                || {
                    join(
                        || G1::msm_bigint(&pk.b_g1_query[1..], &assignment),
                        || G2::msm_bigint(&pk.b_g2_query[1..], &assignment),
                    )
                },
            )
        },
    );

    let g_a = pk.delta_g1 * r + pk.a_query[0] + a_acc + pk.vk.alpha_g1;
    let g1_b = if r.is_zero() {
        G1::zero()
    } else {
        pk.delta_g1 * s + pk.b_g1_query[0] + b1_acc + pk.beta_g1
    };
    let g2_b = pk.vk.delta_g2 * s + pk.b_g2_query[0] + b2_acc + pk.vk.beta_g2;
    let g_c = g_a * s + g1_b * r - pk.delta_g1 * (r * s) + l_acc + h_acc;
    Ok(Proof {
        a: g_a.into_affine(),
        b: g2_b.into_affine(),
        c: g_c.into_affine(),
    })
}
