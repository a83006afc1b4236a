//! The compliance statement as an R1CS circuit: one function wiring the
//! gadgets of this crate; every rule of `docs/statement.md` is one block.

use super::layout::{
    claim, input as pi, ClaimsWord, PolicyWord, Ranged, AGE_BITS, CLAIMS_HASH_PREIMAGE, DATE_BITS,
    KYC_LEVEL_BITS, POLICY_HASH_PREIMAGE, RANGE_CHECKS, RISK_BITS, SUBJECT_TYPE_BITS,
};
use super::{
    escrow_bits, ComplianceWitness, ESCROW_LADDER_BITS, ISSUER_TREE_ARITY, ISSUER_TREE_DEPTH,
    MAX_BARRED_COUNTRIES, REVOCATION_TREE_ARITY, REVOCATION_TREE_DEPTH,
};
use crate::babyjubjub::{base8, enforce_in_subgroup, fixed_base_mul, mul_integer, PointVar};
use crate::compare::{
    enforce_le, enforce_lt, enforce_mask_bit, enforce_not_in_list, enforce_range,
};
use crate::disclosure::pack_numeric_var;
use crate::eddsa::{verify_var, SignatureVar};
use crate::imt::NonMembershipVar;
use crate::ladder::ladder_mul;
use crate::merkle::MerklePathVar;
use crate::poseidon::poseidon_var;
use crate::F;
use ark_r1cs_std::{
    alloc::AllocVar,
    boolean::Boolean,
    eq::EqGadget,
    fields::{fp::FpVar, FieldVar},
};
use ark_relations::gr1cs::{ConstraintSynthesizer, ConstraintSystemRef, SynthesisError};
use num_bigint::BigUint;

/// The circuit; `witness` is `None` for key generation.
#[derive(Clone, Default)]
pub struct ComplianceCircuit {
    /// The prover's witness (absent during setup).
    pub witness: Option<ComplianceWitness>,
}

impl ComplianceCircuit {
    /// The circuit for setup (shape only).
    pub fn blank() -> Self {
        Self { witness: None }
    }

    /// The circuit for proving.
    pub fn new(witness: ComplianceWitness) -> Self {
        Self {
            witness: Some(witness),
        }
    }
}

fn missing() -> SynthesisError {
    SynthesisError::AssignmentMissing
}

impl ConstraintSynthesizer<F> for ComplianceCircuit {
    fn generate_constraints(self, cs: ConstraintSystemRef<F>) -> Result<(), SynthesisError> {
        let w = self.witness.as_ref();
        let public = w.map(|w| w.public.to_vec());
        let input = |i: usize| {
            FpVar::new_input(cs.clone(), || {
                public.as_ref().map(|p| p[i]).ok_or_else(missing)
            })
        };
        // Public inputs, in format order.
        let policy_hash = input(pi::POLICY_HASH)?;
        let issuers_root = input(pi::ISSUERS_ROOT)?;
        let revocation_root = input(pi::REVOCATION_ROOT)?;
        let today = input(pi::TODAY)?;
        let scope = input(pi::SCOPE)?;
        let payment_hash = input(pi::PAYMENT_HASH)?;
        let nullifier = input(pi::NULLIFIER)?;
        let escrow_c1 = PointVar::new(input(pi::ESCROW_C1_X)?, input(pi::ESCROW_C1_Y)?);
        let escrow_ct = input(pi::ESCROW_CT)?;

        let witness = |f: &dyn Fn(&ComplianceWitness) -> F| {
            FpVar::new_witness(cs.clone(), || w.map(f).ok_or_else(missing))
        };
        let claims: Vec<FpVar<F>> = (0..claim::COUNT)
            .map(|i| witness(&|w| w.credential.claims.to_fields()[i]))
            .collect::<Result<_, _>>()?;
        let holder_secret = witness(&|w| w.holder_secret)?;
        let issuer = PointVar::new(
            witness(&|w| w.credential.issuer.0.x)?,
            witness(&|w| w.credential.issuer.0.y)?,
        );
        let signature = SignatureVar::new_witness(cs.clone(), || {
            w.map(|w| w.credential.signature).ok_or_else(missing)
        })?;
        let p = |f: fn(&ComplianceWitness) -> F| witness(&move |w| f(w));
        let min_age = p(|w| F::from(w.policy.min_age_days))?;
        let max_risk = p(|w| F::from(w.policy.max_risk))?;
        let min_kyc = p(|w| F::from(w.policy.min_kyc_level))?;
        let type_mask = p(|w| F::from(w.policy.subject_type_mask))?;
        let barred: Vec<FpVar<F>> = (0..MAX_BARRED_COUNTRIES)
            .map(|i| witness(&move |w| w.policy.barred_padded().map(|b| b[i]).unwrap_or_default()))
            .collect::<Result<_, _>>()?;
        let regulator = PointVar::new(
            p(|w| w.policy.regulator_key.0.x)?,
            p(|w| w.policy.regulator_key.0.y)?,
        );
        let escrow_s: Vec<Boolean<F>> = (0..ESCROW_LADDER_BITS)
            .map(|i| {
                Boolean::new_witness(cs.clone(), || {
                    let w = self
                        .witness
                        .as_ref()
                        .ok_or(SynthesisError::AssignmentMissing)?;
                    escrow_bits(&w.escrow_randomness)
                        .map(|b| b[i])
                        .ok_or(SynthesisError::AssignmentMissing)
                })
            })
            .collect::<Result<_, _>>()?;

        // The issuer's signature on claims_hash, issuer key in the subgroup.
        // The numeric claims enter it packed; their range checks below make
        // the packing one-to-one.
        let numeric = pack_numeric_var(&claims)?;
        let claims_preimage: Vec<FpVar<F>> = CLAIMS_HASH_PREIMAGE
            .iter()
            .map(|word| match word {
                ClaimsWord::Claim(i) => claims[*i].clone(),
                ClaimsWord::Numeric => numeric.clone(),
            })
            .collect();
        let claims_hash = poseidon_var(&claims_preimage)?;
        verify_var(&issuer, &claims_hash, &signature)?;

        // The issuer is trusted.
        let issuer_leaf = poseidon_var(&[issuer.x.clone(), issuer.y.clone()])?;
        let issuer_path = MerklePathVar::new_witness(
            cs.clone(),
            ISSUER_TREE_ARITY,
            ISSUER_TREE_DEPTH,
            w.map(|w| &w.issuer_path),
        )?;
        issuer_path.enforce_membership(&issuers_root, &issuer_leaf)?;

        // The credential is not revoked.
        let revocation = NonMembershipVar::new_witness_shaped(
            cs.clone(),
            REVOCATION_TREE_ARITY,
            REVOCATION_TREE_DEPTH,
            w.map(|w| &w.revocation_proof),
        )?;
        revocation.enforce_non_membership(&revocation_root, &claims[claim::CREDENTIAL_ID])?;

        // The prover holds the credential.
        poseidon_var(std::slice::from_ref(&holder_secret))?
            .enforce_equal(&claims[claim::HOLDER])?;

        // Bit widths of every claim, policy parameter and today.
        for (value, bits) in RANGE_CHECKS {
            let v = match value {
                Ranged::Claim(i) => &claims[i],
                Ranged::Today => &today,
                Ranged::MinAge => &min_age,
                Ranged::MaxRisk => &max_risk,
                Ranged::MinKycLevel => &min_kyc,
            };
            enforce_range(v, bits)?;
        }

        // Predicates.
        let c = |i: usize| &claims[i];
        let country = c(claim::COUNTRY);
        enforce_le(&(c(claim::BIRTH_DATE) + &min_age), &today, AGE_BITS)?;
        enforce_le(c(claim::ISSUED_AT), &today, DATE_BITS)?;
        enforce_lt(&today, c(claim::EXPIRES_AT), DATE_BITS)?;
        enforce_le(&min_kyc, c(claim::KYC_LEVEL), KYC_LEVEL_BITS)?;
        enforce_le(c(claim::RISK_SCORE), &max_risk, RISK_BITS)?;
        enforce_mask_bit(&type_mask, c(claim::SUBJECT_TYPE), SUBJECT_TYPE_BITS)?;
        enforce_not_in_list(country, &barred)?;

        // The policy parameters hash to policy_hash; the policy's schema is
        // claim c0 itself, so a credential of another schema cannot match.
        let sanctions_hash = poseidon_var(&barred)?;
        let preimage: Vec<FpVar<F>> = POLICY_HASH_PREIMAGE
            .iter()
            .map(|word| match word {
                PolicyWord::Schema => claims[claim::SCHEMA].clone(),
                PolicyWord::MinAge => min_age.clone(),
                PolicyWord::MaxRisk => max_risk.clone(),
                PolicyWord::MinKycLevel => min_kyc.clone(),
                PolicyWord::SubjectTypeMask => type_mask.clone(),
                PolicyWord::SanctionsHash => sanctions_hash.clone(),
                PolicyWord::RegulatorX => regulator.x.clone(),
                PolicyWord::RegulatorY => regulator.y.clone(),
            })
            .collect();
        poseidon_var(&preimage)?.enforce_equal(&policy_hash)?;

        // The nullifier.
        poseidon_var(&[holder_secret, scope.clone()])?.enforce_equal(&nullifier)?;

        // Escrow of credential_id to the regulator, whose key is in the
        // subgroup and not the identity: the ladder's map to Montgomery form,
        // u·(1 − y) = 1 + y, has no solution at y = 1.
        enforce_in_subgroup(&regulator)?;
        // r = 2^248 + 2s + 1: c1 = (2s + 1)·Base8 + 2^248·Base8, K = r·regulator
        // by the Montgomery ladder (sound for this shape of r; see `ladder`).
        let odd_bits: Vec<Boolean<F>> = std::iter::once(Boolean::TRUE)
            .chain(escrow_s.iter().cloned())
            .collect();
        let high = mul_integer(&base8(), &(BigUint::from(1u8) << ESCROW_LADDER_BITS));
        (fixed_base_mul(&odd_bits, &base8())?
            + PointVar::new(FpVar::constant(high.x), FpVar::constant(high.y)))
        .enforce_equal(&escrow_c1)?;
        let shared = ladder_mul(&escrow_s, &regulator)?;
        let pad = poseidon_var(&[shared.x, shared.y])?;
        (&claims[claim::CREDENTIAL_ID] + &pad).enforce_equal(&escrow_ct)?;

        // scope and payment_hash already enter the nullifier and the QAP's input
        // terms; square payment_hash too so no backend can drop it as unused.
        let _ = payment_hash.square()?;
        Ok(())
    }
}
