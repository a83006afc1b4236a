//! The proof's five multi-scalar multiplications on halo2curves'
//! batch-affine Pippenger (`msm_best`: affine bucket additions sharing one
//! inversion, Booth-encoded windows, one rayon task per window), natively.
//!
//! Why: a proof takes 19 % less time than on arkworks 0.6's MSMs, side by
//! side (benches/RESULTS.md, "halo2curves' MSM in veil's prover"), and veil
//! already builds halo2curves (halo2's backend). The browser uses
//! `taceo-ark-algebra`'s MSM instead (`crate::groth16` says why).
//!
//! Both libraries hold BN254's base and scalar field elements as four 64-bit
//! limbs in Montgomery form with R = 2^256, so the proving key's points are
//! converted once, limb for limb, when the prover is made, and a proof's
//! scalars and results with no multiplication. halo2curves' batch addition
//! assumes no base is the point at infinity (the B query has many: the
//! variables no constraint's B side names); those bases are left out once,
//! with their scalars.

use crate::ProvingKey;
use ark_bn254::{Fq, Fq2, G1Affine, G1Projective as G1, G2Affine, G2Projective as G2};
use ark_ec::AffineRepr;
use ark_ff::BigInt;
use halo2curves_axiom::bn256 as h2;
use halo2curves_axiom::group::prime::PrimeCurveAffine;
use halo2curves_axiom::group::Curve as _;
use halo2curves_axiom::serde::SerdeObject;
use veil_circuits::F;

/// One query's bases in halo2curves' form, without the points at infinity,
/// and where each kept base's scalar sits in the query's scalar vector.
struct Bases<A> {
    points: Vec<A>,
    /// `None` when no base was left out (the scalars are used as they are).
    kept: Option<Vec<usize>>,
}

/// The proving key's MSM bases (the queries' variable parts, without their
/// constant-one entry), converted once per prover.
pub(crate) struct MsmBases {
    a: Bases<h2::G1Affine>,
    b_g1: Bases<h2::G1Affine>,
    b_g2: Bases<h2::G2Affine>,
    h: Bases<h2::G1Affine>,
    l: Bases<h2::G1Affine>,
}

impl MsmBases {
    /// Converts `pk`'s queries.
    pub(crate) fn new(pk: &ProvingKey) -> Self {
        MsmBases {
            a: bases(&pk.a_query[1..], g1_affine),
            b_g1: bases(&pk.b_g1_query[1..], g1_affine),
            b_g2: bases(&pk.b_g2_query[1..], g2_affine),
            h: bases(&pk.h_query, g1_affine),
            l: bases(&pk.l_query, g1_affine),
        }
    }

    /// A·assignment in G1.
    pub(crate) fn a(&self, assignment: &[h2::Fr]) -> G1 {
        g1_from(msm(&self.a, assignment))
    }

    /// B·assignment in G1.
    pub(crate) fn b_g1(&self, assignment: &[h2::Fr]) -> G1 {
        g1_from(msm(&self.b_g1, assignment))
    }

    /// B·assignment in G2.
    pub(crate) fn b_g2(&self, assignment: &[h2::Fr]) -> G2 {
        g2_from(msm(&self.b_g2, assignment))
    }

    /// H·h in G1 (the quotient's coefficients).
    pub(crate) fn h(&self, h: &[h2::Fr]) -> G1 {
        g1_from(msm(&self.h, h))
    }

    /// L·witness in G1.
    pub(crate) fn l(&self, witness: &[h2::Fr]) -> G1 {
        g1_from(msm(&self.l, witness))
    }
}

/// Scalars in halo2curves' form (the same Montgomery limbs).
pub(crate) fn scalars(values: &[F]) -> Vec<h2::Fr> {
    values
        .iter()
        .map(|v| h2::Fr::from_raw_bytes_unchecked(&limb_bytes(&v.0 .0)))
        .collect()
}

/// Σ scalars[i]·bases[i] over the first min(bases, scalars) entries, as
/// arkworks' `msm_bigint` sums (the H query is one shorter than the
/// quotient's coefficients).
fn msm<A: halo2curves_axiom::CurveAffine<ScalarExt = h2::Fr>>(
    bases: &Bases<A>,
    scalars: &[h2::Fr],
) -> A::CurveExt {
    match &bases.kept {
        None => {
            let n = bases.points.len().min(scalars.len());
            halo2curves_axiom::msm::msm_best(&scalars[..n], &bases.points[..n])
        }
        Some(kept) => {
            let n = kept.partition_point(|&i| i < scalars.len());
            let scalars: Vec<h2::Fr> = kept[..n].iter().map(|&i| scalars[i]).collect();
            halo2curves_axiom::msm::msm_best(&scalars, &bases.points[..n])
        }
    }
}

fn bases<P: AffineRepr, A>(points: &[P], convert: impl Fn(&P) -> A) -> Bases<A> {
    let kept: Vec<usize> = (0..points.len())
        .filter(|&i| !points[i].is_zero())
        .collect();
    let all = kept.len() == points.len();
    Bases {
        points: kept.iter().map(|&i| convert(&points[i])).collect(),
        kept: (!all).then_some(kept),
    }
}

fn limb_bytes(limbs: &[u64; 4]) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (chunk, limb) in out.chunks_exact_mut(8).zip(limbs) {
        chunk.copy_from_slice(&limb.to_le_bytes());
    }
    out
}

fn limbs(bytes: &[u8]) -> [u64; 4] {
    let mut out = [0u64; 4];
    for (limb, chunk) in out.iter_mut().zip(bytes.chunks_exact(8)) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        *limb = u64::from_le_bytes(word);
    }
    out
}

/// An arkworks base-field element from halo2curves' raw (Montgomery) bytes.
fn fq(bytes: &[u8]) -> Fq {
    Fq::new_unchecked(BigInt(limbs(bytes)))
}

fn g1_affine(p: &G1Affine) -> h2::G1Affine {
    let mut raw = [0u8; 64];
    raw[..32].copy_from_slice(&limb_bytes(&p.x.0 .0));
    raw[32..].copy_from_slice(&limb_bytes(&p.y.0 .0));
    h2::G1Affine::from_raw_bytes_unchecked(&raw)
}

fn g2_affine(p: &G2Affine) -> h2::G2Affine {
    let mut raw = [0u8; 128];
    for (i, coordinate) in [p.x.c0, p.x.c1, p.y.c0, p.y.c1].iter().enumerate() {
        raw[32 * i..32 * (i + 1)].copy_from_slice(&limb_bytes(&coordinate.0 .0));
    }
    h2::G2Affine::from_raw_bytes_unchecked(&raw)
}

fn g1_from(p: h2::G1) -> G1 {
    let p = p.to_affine();
    if bool::from(p.is_identity()) {
        return G1::default();
    }
    let raw = p.to_raw_bytes();
    G1Affine::new_unchecked(fq(&raw[..32]), fq(&raw[32..])).into_group()
}

fn g2_from(p: h2::G2) -> G2 {
    let p = p.to_affine();
    if bool::from(p.is_identity()) {
        return G2::default();
    }
    let raw = p.to_raw_bytes();
    let fq2 = |at: usize| Fq2::new(fq(&raw[at..at + 32]), fq(&raw[at + 32..at + 64]));
    G2Affine::new_unchecked(fq2(0), fq2(64)).into_group()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_ec::{AffineRepr, CurveGroup};
    use ark_ff::UniformRand;
    use rand::SeedableRng;

    /// `Σ s_i·P_i` by its definition: one scalar multiplication per point.
    /// (arkworks' MSM as the reference instantiated its bucket code for G1
    /// and G2 in this crate's test build at opt-level 3: the build's
    /// longest unit.)
    fn by_definition<P: AffineRepr<ScalarField = F>>(points: &[P], s: &[F]) -> P::Group {
        points.iter().zip(s).map(|(p, s)| *p * s).sum()
    }

    /// halo2curves' MSM on converted points and scalars is `Σ s_i·P_i`,
    /// with points at infinity and zero scalars among them.
    #[test]
    fn both_msms_agree_in_g1_and_g2() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(7);
        for n in [1usize, 5, 100, 3000] {
            let mut g1: Vec<G1Affine> = (0..n).map(|_| G1::rand(&mut rng).into_affine()).collect();
            let mut g2: Vec<G2Affine> = (0..n).map(|_| G2::rand(&mut rng).into_affine()).collect();
            let mut s: Vec<F> = (0..n).map(|_| F::rand(&mut rng)).collect();
            g1[0] = G1Affine::zero();
            g2[n / 2] = G2Affine::zero();
            s[n - 1] = F::from(0u64);
            if n > 2 {
                s[1] = F::from(1u64);
                s[2] = -F::from(1u64);
            }
            let h2s = scalars(&s);
            let b1 = bases(&g1, g1_affine);
            let b2 = bases(&g2, g2_affine);
            assert_eq!(g1_from(msm(&b1, &h2s)), by_definition(&g1, &s), "G1, {n}");
            assert_eq!(g2_from(msm(&b2, &h2s)), by_definition(&g2, &s), "G2, {n}");
            // One scalar short (the H query's case), and one base short.
            let short = &h2s[..n - 1];
            assert_eq!(
                g1_from(msm(&b1, short)),
                by_definition(&g1, &s[..n - 1]),
                "{n}"
            );
            let b1 = bases(&g1[..n - 1], g1_affine);
            assert_eq!(
                g1_from(msm(&b1, &h2s)),
                by_definition(&g1[..n - 1], &s),
                "{n}"
            );
        }
    }

    /// Points cross between the libraries unchanged, the identity included.
    #[test]
    fn points_round_trip() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(8);
        let p = G1::rand(&mut rng);
        assert_eq!(g1_from(g1_affine(&p.into_affine()).into()), p);
        let q = G2::rand(&mut rng);
        assert_eq!(g2_from(g2_affine(&q.into_affine()).into()), q);
        assert_eq!(g1_from(h2::G1::default()), G1::default());
        assert_eq!(g2_from(h2::G2::default()), G2::default());
    }
}
