//! One proof against a prepared key.
//!
//! The Groth16 check `e(A, B) = e(α, β)·e(L, γ)·e(C, δ)`, with `L` the public
//! inputs folded into the key's `IC` points, done as one multi-Miller loop
//! over `(A, B), (L, −γ), (C, −δ)` and one final exponentiation compared with
//! the precomputed `e(α, β)`.

use crate::error::VerifyError;
use crate::{Curve, Proof, VerifyingKey, NUM_PUBLIC_INPUTS};
use ark_bn254::{G1Affine, G1Projective};
use ark_ec::pairing::Pairing;
use ark_ec::{AffineRepr, CurveGroup, VariableBaseMSM};
use ark_groth16::PreparedVerifyingKey;
use veil_circuits::statement::PublicInputs;
use veil_circuits::F;

/// A verifying key with everything that does not depend on the proof computed
/// once: `e(α, β)`, `−γ`, `−δ` and `−β` prepared for the Miller loop.
#[derive(Clone, Debug)]
pub struct PreparedKey {
    pub(crate) prepared: PreparedVerifyingKey<Curve>,
    pub(crate) beta_neg: <Curve as Pairing>::G2Prepared,
}

impl PreparedKey {
    /// Prepares `vk`; refuses a key for a statement with another number of
    /// public inputs.
    pub fn new(vk: &VerifyingKey) -> Result<Self, VerifyError> {
        let got = vk.gamma_abc_g1.len().saturating_sub(1);
        if got != NUM_PUBLIC_INPUTS {
            return Err(VerifyError::InputCount {
                expected: NUM_PUBLIC_INPUTS,
                got,
            });
        }
        Ok(PreparedKey {
            prepared: ark_groth16::prepare_verifying_key(vk),
            beta_neg: (-vk.beta_g2.into_group()).into_affine().into(),
        })
    }

    /// The verifying key.
    pub fn verifying_key(&self) -> &VerifyingKey {
        &self.prepared.vk
    }

    /// `IC₀ + Σ xᵢ·ICᵢ`, after checking the input count.
    pub(crate) fn fold_inputs(&self, public: &[F]) -> Result<G1Projective, VerifyError> {
        check_input_count(public)?;
        let ic = &self.prepared.vk.gamma_abc_g1;
        Ok(ic[0].into_group() + G1Projective::msm_unchecked(&ic[1..], public))
    }

    /// Verifies `proof` for `public` (in the statement's order).
    pub fn verify(&self, proof: &Proof, public: &[F]) -> Result<(), VerifyError> {
        let folded: G1Affine = self.fold_inputs(public)?.into_affine();
        let miller = Curve::multi_miller_loop(
            [proof.a, folded, proof.c],
            [
                proof.b.into(),
                self.prepared.gamma_g2_neg_pc.clone(),
                self.prepared.delta_g2_neg_pc.clone(),
            ],
        );
        match Curve::final_exponentiation(miller) {
            Some(result) if result.0 == self.prepared.alpha_g1_beta_g2 => Ok(()),
            _ => Err(VerifyError::Rejected),
        }
    }

    /// Verifies `proof` for the statement's typed public inputs.
    pub fn verify_statement(
        &self,
        proof: &Proof,
        public: &PublicInputs,
    ) -> Result<(), VerifyError> {
        self.verify(proof, &public.to_vec())
    }
}

/// Refuses a public-input vector of the wrong length.
pub(crate) fn check_input_count(public: &[F]) -> Result<(), VerifyError> {
    if public.len() != NUM_PUBLIC_INPUTS {
        return Err(VerifyError::InputCount {
            expected: NUM_PUBLIC_INPUTS,
            got: public.len(),
        });
    }
    Ok(())
}
