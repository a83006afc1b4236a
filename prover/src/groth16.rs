//! Groth16's proving step, composed from arkworks' public parts so that the
//! five multi-scalar multiplications can run on the engine that suits the
//! build: natively (`parallel`) halo2curves' batch-affine MSM on bases
//! converted once per prover ([`crate::msm`]), each on every core, the
//! quotient's FFTs beside them; in the browser `taceo-ark-algebra`'s
//! batch-affine MSM on arkworks' own field arithmetic, side by side
//! (`rayon::join`).
//!
//! Why not halo2curves in the browser: its field product goes through
//! `u128`, which wasm32 lowers to calls, and its MSM was slower there than
//! arkworks'; taceo's keeps ark-ff's product, which splits 64-bit products
//! into 32-bit ones on wasm, and was 24-27 % faster than arkworks' MSM in
//! wasm32 (benches/RESULTS.md, issue 44's third session). Why the browser
//! joins: `ark-groth16` runs the MSMs one after another and parallelises
//! inside each, and `ark-ec`'s parallel MSM builds a fresh rayon thread pool
//! per call, which a browser cannot do (its threads are the Web Workers that
//! `wasm-bindgen-rayon` starts once). The wasm wallet's threaded build (the
//! `join` feature, without arkworks' `parallel`) therefore schedules the
//! MSMs here, on the page's pool, where taceo's MSM also runs its windows.
//! The arithmetic is exactly `ark-groth16` 0.6's
//! `create_proof_with_assignment`; the prover's self-check verifies every
//! proof before it is returned.

use crate::qap::Qap;
use crate::{Curve, Proof, ProvingKey};
use ark_ec::pairing::Pairing;
use ark_ec::CurveGroup;
#[cfg(not(feature = "parallel"))]
use ark_ff::PrimeField;
use ark_ff::Zero;
use ark_relations::gr1cs::SynthesisError;
use ark_relations::utils::matrix::Matrix;
use veil_circuits::F;

pub(crate) type G1 = <Curve as Pairing>::G1;
pub(crate) type G2 = <Curve as Pairing>::G2;

/// The MSM bases a build proves with: halo2curves' copy of the key's
/// queries natively, none in the browser (arkworks reads the key).
#[cfg(feature = "parallel")]
pub(crate) type MsmBases = crate::msm::MsmBases;
/// The MSM bases a build proves with: none in the browser, where arkworks
/// reads the key's queries.
#[cfg(not(feature = "parallel"))]
pub(crate) struct MsmBases;

#[cfg(not(feature = "parallel"))]
impl MsmBases {
    pub(crate) fn new(_: &ProvingKey) -> Self {
        MsmBases
    }
}

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

/// A scalar in the form this build's MSM reads: halo2curves' `Fr` natively,
/// arkworks' big integer in the browser.
#[cfg(feature = "parallel")]
type Scalar = halo2curves_axiom::bn256::Fr;
/// A scalar in the form this build's MSM reads: halo2curves' `Fr` natively,
/// arkworks' big integer in the browser.
#[cfg(not(feature = "parallel"))]
type Scalar = <F as PrimeField>::BigInt;

/// `values` as this build's MSM reads them.
fn scalars(values: &[F]) -> Vec<Scalar> {
    #[cfg(feature = "parallel")]
    {
        crate::msm::scalars(values)
    }
    #[cfg(not(feature = "parallel"))]
    {
        values.iter().map(|x| x.into_bigint()).collect()
    }
}

/// `which` of the five MSMs, on the scalars [`scalars`] made of the
/// quotient `h` and the assignment (public inputs, then the witness from
/// `witness_from`); the G1 or the G2 sum, the other zero.
fn msm_of(
    pk: &ProvingKey,
    msm: &MsmBases,
    which: Msm,
    h: &[Scalar],
    assignment: &[Scalar],
    witness_from: usize,
) -> (G1, G2) {
    let witness = &assignment[witness_from..];
    #[cfg(feature = "parallel")]
    let _ = pk;
    #[cfg(feature = "parallel")]
    let (g1, g2) = match which {
        Msm::A => (msm.a(assignment), G2::zero()),
        Msm::BG1 => (msm.b_g1(assignment), G2::zero()),
        Msm::BG2 => (G1::zero(), msm.b_g2(assignment)),
        Msm::H => (msm.h(h), G2::zero()),
        Msm::L => (msm.l(witness), G2::zero()),
    };
    #[cfg(not(feature = "parallel"))]
    let _ = msm;
    #[cfg(not(feature = "parallel"))]
    use taceo_ark_algebra::msm::msm_bigint;
    #[cfg(not(feature = "parallel"))]
    let (g1, g2) = match which {
        Msm::A => (msm_bigint(&pk.a_query[1..], assignment), G2::zero()),
        Msm::BG1 => (msm_bigint(&pk.b_g1_query[1..], assignment), G2::zero()),
        Msm::BG2 => (G1::zero(), msm_bigint(&pk.b_g2_query[1..], assignment)),
        Msm::H => (msm_bigint(&pk.h_query, h), G2::zero()),
        Msm::L => (msm_bigint(&pk.l_query, witness), G2::zero()),
    };
    (g1, g2)
}

/// `which` alone, as [`sums`] computes it (its scalars converted as a
/// proof converts them).
pub(crate) fn one_msm(
    pk: &ProvingKey,
    msm: &MsmBases,
    which: Msm,
    h: &[F],
    assignment: &[F],
    witness_from: usize,
) -> (G1, G2) {
    msm_of(
        pk,
        msm,
        which,
        &scalars(h),
        &scalars(assignment),
        witness_from,
    )
}

/// The quotient (from `witness_map`) and the five MSMs.
///
/// Natively the quotient's FFTs and its MSM run beside the four MSMs that do
/// not need it (A, B in G1 and G2, L, one after another), each MSM on every
/// core (halo2curves parallelises inside an MSM): rayon fills the FFTs'
/// serial stretches (bit reversal, the coset's scaling, one of three
/// transforms left on two cores) with the other sums' windows. In the
/// browser's threaded build the sums and the quotient's FFTs run side by
/// side on the page's pool ([`crate::pool::join`]), the G2 sum first; the
/// single-threaded build runs them in turn.
fn sums(
    pk: &ProvingKey,
    msm: &MsmBases,
    witness_map: impl FnOnce() -> Result<Vec<F>, SynthesisError> + Send,
    assignment: &[F],
    witness_from: usize,
) -> Result<Sums, SynthesisError> {
    let assignment = scalars(assignment);
    let assignment = &assignment;
    // The four sums that do not need the quotient, and the quotient's.
    let run = |which| msm_of(pk, msm, which, &[], assignment, witness_from);
    let quotient = || -> Result<G1, SynthesisError> {
        let h = scalars(&witness_map()?);
        Ok(msm_of(pk, msm, Msm::H, &h, assignment, witness_from).0)
    };
    use crate::pool::join;
    #[cfg(feature = "parallel")]
    let (h, (a, (b_g1, (b_g2, l)))) = join(quotient, || {
        (
            run(Msm::A).0,
            (run(Msm::BG1).0, (run(Msm::BG2).1, run(Msm::L).0)),
        )
    });
    // The G2 sum is about 40 % of the MSM work (a G2 addition costs about
    // three G1 additions): it starts at once on the calling thread, and the
    // quotient (its FFTs, then the H sum) and the other G1 sums queue behind
    // one another for the other threads, so that on two threads the last one
    // to finish ends near half the work. (A tree that started the G2 sum
    // last left it running alone on one thread for about a third of the
    // proof.)
    #[cfg(not(feature = "parallel"))]
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
/// matrices are `abc` and domain `qap`, with `msm` the bases
/// [`MsmBases::new`] made of `pk`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn prove(
    pk: &ProvingKey,
    msm: &MsmBases,
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
        msm,
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
