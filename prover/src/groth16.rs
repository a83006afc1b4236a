//! Groth16's proving step, composed from arkworks' public parts so that the
//! five multi-scalar multiplications run on `taceo-ark-algebra`'s
//! batch-affine MSM (gnark-crypto's method on arkworks' own field
//! arithmetic: bucket additions in affine coordinates sharing one
//! inversion, one rayon task per window) and are scheduled together with
//! the quotient's FFTs on one pool.
//!
//! Why this MSM: in wasm32 it was 24-27 % faster than arkworks' MSM and
//! halo2curves' (whose field product goes through `u128`, which wasm32 lowers
//! to calls), and natively as fast as halo2curves' with its x86-64 assembly,
//! without a second copy of the key's bases (benches/RESULTS.md, issue 44's
//! third session). Why the schedule is veil's: `ark-groth16` runs the MSMs
//! one after another and parallelises inside each, and `ark-ec`'s parallel
//! MSM builds a fresh rayon thread pool per call, which a browser cannot do
//! (its threads are the Web Workers that `wasm-bindgen-rayon` starts once).
//! The arithmetic is exactly `ark-groth16` 0.6's
//! `create_proof_with_assignment`; the prover's self-check verifies every
//! proof before it is returned.

use crate::qap::Qap;
use crate::{Curve, Proof, ProvingKey};
use ark_ec::pairing::Pairing;
use ark_ec::CurveGroup;
use ark_ff::{PrimeField, Zero};
use ark_relations::gr1cs::SynthesisError;
use ark_relations::utils::matrix::Matrix;
use taceo_ark_algebra::msm::msm_bigint;
use veil_circuits::F;

pub(crate) type G1 = <Curve as Pairing>::G1;
pub(crate) type G2 = <Curve as Pairing>::G2;

/// The five MSMs' results: H·h, L·witness, A, B in G1 and B in G2 (each
/// without the queries' constant-one entry).
struct Sums {
    h: G1,
    l: G1,
    a: G1,
    b_g1: G1,
    b_g2: G2,
}

/// One of the proof's five MSMs, for [`crate::Prover::run_msm`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Msm {
    /// The A query against the assignment (G1).
    A,
    /// The B query against the assignment in G1.
    BG1,
    /// The B query against the assignment in G2: the largest of the five.
    BG2,
    /// The H query against the quotient's coefficients (G1).
    H,
    /// The L query against the witness (G1).
    L,
}

/// A scalar as the MSM reads it: the integer, out of Montgomery form.
type Scalar = <F as PrimeField>::BigInt;

/// `values` as the MSM reads them.
fn scalars(values: &[F]) -> Vec<Scalar> {
    values.iter().map(|x| x.into_bigint()).collect()
}

/// `which` of the five MSMs, on the scalars [`scalars`] made of the
/// quotient `h` and the assignment (public inputs, then the witness from
/// `witness_from`); the G1 or the G2 sum, the other zero.
fn msm_of(
    pk: &ProvingKey,
    which: Msm,
    h: &[Scalar],
    assignment: &[Scalar],
    witness_from: usize,
) -> (G1, G2) {
    let witness = &assignment[witness_from..];
    match which {
        Msm::A => (msm_bigint(&pk.a_query[1..], assignment), G2::zero()),
        Msm::BG1 => (msm_bigint(&pk.b_g1_query[1..], assignment), G2::zero()),
        Msm::BG2 => (G1::zero(), msm_bigint(&pk.b_g2_query[1..], assignment)),
        Msm::H => (msm_bigint(&pk.h_query, h), G2::zero()),
        Msm::L => (msm_bigint(&pk.l_query, witness), G2::zero()),
    }
}

/// `which` alone, as [`sums`] computes it (its scalars converted as a
/// proof converts them).
pub(crate) fn one_msm(
    pk: &ProvingKey,
    which: Msm,
    h: &[F],
    assignment: &[F],
    witness_from: usize,
) -> (G1, G2) {
    msm_of(pk, which, &scalars(h), &scalars(assignment), witness_from)
}

/// The quotient (from `witness_map`) and the five MSMs, side by side on
/// rayon's pool ([`crate::pool::join`]; one after another where rayon is
/// not built: the browser's single-threaded module).
fn sums(
    pk: &ProvingKey,
    witness_map: impl FnOnce() -> Result<Vec<F>, SynthesisError> + Send,
    assignment: &[F],
    witness_from: usize,
) -> Result<Sums, SynthesisError> {
    let assignment = scalars(assignment);
    let assignment = &assignment;
    // The four sums that do not need the quotient, and the quotient's.
    let run = |which| msm_of(pk, which, &[], assignment, witness_from);
    let quotient = || -> Result<G1, SynthesisError> {
        let h = scalars(&witness_map()?);
        Ok(msm_of(pk, Msm::H, &h, assignment, witness_from).0)
    };
    // Every sum runs its windows on the pool; the order is what is left to
    // choose. The G2 sum is about 40 % of the MSM work (a G2 addition costs
    // about three G1 additions): it starts at once on the calling thread,
    // and the quotient (its FFTs, then the H sum) and the G1 sums queue
    // behind one another for the other threads, so the FFTs' serial
    // stretches are filled with other sums' windows and no long sum is left
    // to run alone at the end. (Started last, the G2 sum ran alone on one of
    // a browser's two threads for about a third of the proof.)
    use crate::pool::join;
    let (b_g2, (h, (a, (b_g1, l)))) = join(
        || run(Msm::BG2).1,
        || {
            join(quotient, || {
                join(
                    || run(Msm::A).0,
                    || join(|| run(Msm::BG1).0, || run(Msm::L).0),
                )
            })
        },
    );
    Ok(Sums {
        h: h?,
        l,
        a,
        b_g1,
        b_g2,
    })
}

/// A Groth16 proof with randomness `r`, `s` for `full_assignment` (the
/// constant one, the public inputs, then the witness) of the circuit whose
/// matrices are `abc` and domain `qap`.
pub(crate) fn prove(
    pk: &ProvingKey,
    qap: &Qap,
    r: F,
    s: F,
    abc: &[Matrix<F>],
    num_instance_variables: usize,
    full_assignment: &[F],
) -> Result<Proof, SynthesisError> {
    // Public inputs then witness, without the constant one.
    let sums = sums(
        pk,
        || qap.witness_map(abc, full_assignment),
        &full_assignment[1..],
        num_instance_variables - 1,
    )?;

    let g_a = pk.delta_g1 * r + pk.a_query[0] + sums.a + pk.vk.alpha_g1;
    let g1_b = if r.is_zero() {
        G1::zero()
    } else {
        pk.delta_g1 * s + pk.b_g1_query[0] + sums.b_g1 + pk.beta_g1
    };
    let g2_b = pk.vk.delta_g2 * s + pk.b_g2_query[0] + sums.b_g2 + pk.vk.beta_g2;
    let g_c = g_a * s + g1_b * r - pk.delta_g1 * (r * s) + sums.l + sums.h;
    Ok(Proof {
        a: g_a.into_affine(),
        b: g2_b.into_affine(),
        c: g_c.into_affine(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_bn254::{G1Affine, G2Affine};
    use ark_ec::AffineRepr;
    use ark_ff::UniformRand;
    use rand::SeedableRng;

    /// `Σ s_i·P_i` by its definition: one scalar multiplication per point
    /// (an MSM as the reference would instantiate its bucket code in this
    /// crate's test build at opt-level 3, the build's longest unit).
    fn by_definition<P: AffineRepr<ScalarField = F>>(points: &[P], s: &[F]) -> P::Group {
        points.iter().zip(s).map(|(p, s)| *p * s).sum()
    }

    /// The MSM sums as the proof needs, with the key's shapes: points at
    /// infinity among the bases (the B query's unused variables), zero,
    /// one and minus-one scalars, and one scalar more than bases (the H
    /// query is one shorter than the quotient).
    #[test]
    fn the_msm_is_the_sum_by_definition_in_g1_and_g2() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(7);
        for n in [1usize, 5, 100, 3000] {
            let mut g1: Vec<G1Affine> = (0..n).map(|_| G1::rand(&mut rng).into_affine()).collect();
            let mut g2: Vec<G2Affine> = (0..n).map(|_| G2::rand(&mut rng).into_affine()).collect();
            let mut s: Vec<F> = (0..=n).map(|_| F::rand(&mut rng)).collect();
            g1[0] = G1Affine::zero();
            g2[n / 2] = G2Affine::zero();
            s[n - 1] = F::from(0u64);
            if n > 2 {
                s[1] = F::from(1u64);
                s[2] = -F::from(1u64);
            }
            let big = scalars(&s);
            assert_eq!(msm_bigint(&g1, &big), by_definition(&g1, &s), "G1, {n}");
            assert_eq!(msm_bigint(&g2, &big), by_definition(&g2, &s), "G2, {n}");
        }
    }

    /// A key's bases are the key maker's choice: repeated points and points
    /// beside their negations (the batch-affine chord's doubling and
    /// `P + (-P)` cases, with the same digits landing in one bucket) still
    /// sum by definition, without a panic. 3,000 bases: large enough for
    /// the batch-affine windows.
    #[test]
    fn repeated_and_cancelling_bases_sum_by_definition() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(9);
        let n = 3000;
        let p1 = G1::rand(&mut rng).into_affine();
        let p2 = G2::rand(&mut rng).into_affine();
        let g1: Vec<G1Affine> = (0..n).map(|i| if i % 2 == 0 { p1 } else { -p1 }).collect();
        let g2: Vec<G2Affine> = (0..n).map(|i| if i % 3 == 0 { -p2 } else { p2 }).collect();
        let x = F::rand(&mut rng);
        for s in [
            vec![x; n],
            (0..n).map(|i| F::from((i % 7) as u64) * x).collect(),
        ] {
            let big = scalars(&s);
            assert_eq!(msm_bigint(&g1, &big), by_definition(&g1, &s));
            assert_eq!(msm_bigint(&g2, &big), by_definition(&g2, &s));
        }
    }
}
