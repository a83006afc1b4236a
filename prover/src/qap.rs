//! The witness map: the coefficients of `h = (a·b − c) / Z`, the QAP
//! quotient whose MSM against the key's H query is part of the proof's C.
//!
//! The arithmetic is `ark-groth16` 0.6's `LibsnarkReduction` (the same
//! domain, the same coset, the same `h`), with two differences that matter
//! to a wallet:
//!
//! - `c` on the domain is `a ∘ b`, not a third sparse matrix product: for a
//!   satisfying assignment the two are equal row by row (the rows past the
//!   constraints hold the public inputs in `a` and zero in `b` and `c`), and
//!   the prover checks the witness before and the proof after, so an
//!   assignment that does not satisfy the circuit never yields a proof
//!   either way. The C matrix (a third of the matrices' entries) is never
//!   read.
//! - The three polynomials' transforms are independent, so with rayon
//!   (natively, and the browser's threaded build, whose pool arkworks'
//!   parallel FFTs are not built for) they run side by side.

use crate::pool::join;
use ark_ff::{FftField, Field, Zero};
use ark_groth16::r1cs_to_qap::evaluate_constraint;
use ark_poly::{EvaluationDomain, Radix2EvaluationDomain};
use ark_relations::gr1cs::SynthesisError;
use ark_relations::utils::matrix::Matrix;
use veil_circuits::F;

/// The evaluation domain of a circuit and the coset `h` is divided on
/// (a few field operations to make).
pub(crate) struct Qap {
    domain: Radix2EvaluationDomain<F>,
    coset: Radix2EvaluationDomain<F>,
    /// `1 / Z(g)`: the vanishing polynomial is the same constant on the
    /// whole coset `g·⟨ω⟩`.
    vanishing_inverse: F,
    num_inputs: usize,
    num_constraints: usize,
}

impl Qap {
    /// The domain for `num_constraints` constraints and `num_inputs`
    /// instance variables (the constant one included), as ark-groth16
    /// sizes it; `None` when the field has no such domain.
    pub(crate) fn new(num_constraints: usize, num_inputs: usize) -> Option<Self> {
        let domain = Radix2EvaluationDomain::<F>::new(num_constraints + num_inputs)?;
        let coset = domain.get_coset(F::GENERATOR)?;
        let vanishing_inverse = domain
            .evaluate_vanishing_polynomial(F::GENERATOR)
            .inverse()?;
        Some(Qap {
            domain,
            coset,
            vanishing_inverse,
            num_inputs,
            num_constraints,
        })
    }

    /// `h`'s coefficients (the domain's size of them) for `assignment`
    /// (the constant one, the public inputs, the witness) of the circuit
    /// whose A, B, C matrices are `abc`.
    pub(crate) fn witness_map(
        &self,
        abc: &[Matrix<F>],
        assignment: &[F],
    ) -> Result<Vec<F>, SynthesisError> {
        let (rows_a, rows_b) = match abc {
            [a, b, _c] if a.len() == self.num_constraints && b.len() == self.num_constraints => {
                (a, b)
            }
            _ => return Err(SynthesisError::Unsatisfiable),
        };
        if assignment.len() < self.num_inputs {
            return Err(SynthesisError::AssignmentMissing);
        }
        let n = self.domain.size();
        let mut a = vec![F::zero(); n];
        let mut b = vec![F::zero(); n];
        let rows = |out: &mut [F], matrix: &Matrix<F>| {
            each_mut(&mut out[..self.num_constraints], |i, x| {
                *x = evaluate_constraint(&matrix[i], assignment)
            })
        };
        join(|| rows(&mut a, rows_a), || rows(&mut b, rows_b));
        a[self.num_constraints..self.num_constraints + self.num_inputs]
            .copy_from_slice(&assignment[..self.num_inputs]);
        let mut c = a.clone();
        each_mut(&mut c, |i, x| *x *= b[i]);

        // Each from the domain's evaluations to the coset's.
        let to_coset = |v: &mut Vec<F>| {
            self.domain.ifft_in_place(v);
            self.coset.fft_in_place(v);
        };
        join(
            || join(|| to_coset(&mut a), || to_coset(&mut b)),
            || to_coset(&mut c),
        );

        let z = self.vanishing_inverse;
        each_mut(&mut a, |i, x| *x = (*x * b[i] - c[i]) * z);
        self.coset.ifft_in_place(&mut a);
        Ok(a)
    }
}

/// `f(i, &mut v[i])` for every `i`, on rayon's pool where it is built.
fn each_mut(v: &mut [F], f: impl Fn(usize, &mut F) + Send + Sync) {
    #[cfg(any(feature = "parallel", feature = "join"))]
    {
        use rayon::prelude::*;
        v.par_iter_mut()
            .enumerate()
            .with_min_len(1024)
            .for_each(|(i, x)| f(i, x));
    }
    #[cfg(not(any(feature = "parallel", feature = "join")))]
    {
        v.iter_mut().enumerate().for_each(|(i, x)| f(i, x));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_groth16::r1cs_to_qap::{LibsnarkReduction, R1CSToQAP};
    use ark_poly::GeneralEvaluationDomain;
    use rand::SeedableRng;
    use veil_circuits::statement::sample::Sample;

    /// The same `h` as ark-groth16's reduction, on the real circuit and a
    /// sample witness.
    #[test]
    fn h_matches_ark_groth16() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(7);
        let keys = crate::insecure_demo_setup(|_| {}).expect("setup");
        let prover = crate::Prover::for_keys(keys.clone());
        let sample = Sample::new(&mut rng);
        let assignment = prover
            .assignment(sample.witness().expect("witness"))
            .expect("assignment");
        let shape = &keys.shape;
        let ours = Qap::new(shape.num_constraints, shape.num_instance_variables)
            .expect("domain")
            .witness_map(&keys.matrices, &assignment)
            .expect("witness map");
        let theirs = LibsnarkReduction::witness_map_from_matrices::<F, GeneralEvaluationDomain<F>>(
            &keys.matrices,
            shape.num_instance_variables,
            shape.num_constraints,
            &assignment,
        )
        .expect("witness map");
        assert_eq!(ours, theirs);
    }

    /// A caller's assignment of the wrong length is refused by both
    /// one-step entry points instead of being indexed past.
    #[test]
    fn assignments_of_another_length_are_refused() {
        let prover = crate::Prover::for_keys(crate::insecure_demo_setup(|_| {}).expect("setup"));
        let short = vec![F::from(1u64); 3];
        assert!(prover.witness_map(&short).is_err());
        assert!(prover.witness_map(&[]).is_err());
        assert!(prover.run_msm(crate::Msm::L, &short, &[]).is_err());
    }

    /// Matrices of another circuit's size are refused, not indexed past.
    #[test]
    fn matrices_of_another_size_are_refused() {
        let qap = Qap::new(4, 2).expect("domain");
        let row: Vec<(F, usize)> = vec![(F::from(1u64), 0)];
        let three = vec![row.clone(); 3];
        let abc = vec![three.clone(), three.clone(), three];
        let assignment = vec![F::from(1u64); 4];
        assert!(matches!(
            qap.witness_map(&abc, &assignment),
            Err(SynthesisError::Unsatisfiable)
        ));
        assert!(matches!(
            qap.witness_map(&abc[..2], &assignment),
            Err(SynthesisError::Unsatisfiable)
        ));
    }
}
