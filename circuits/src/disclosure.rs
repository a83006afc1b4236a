//! Disclosed claims (statement v3, `docs/statement-v3.md`). A policy names
//! claims to reveal with a mask. The proof carries their values, packed
//! into one public input, and every other claim stays hidden. A Travel-Rule
//! transfer, for example, can see the country and nothing else.
//!
//! Only the seven numeric claims can be disclosed. Each has a fixed bit
//! offset in the packed word, 144 bits together. The schema, the holder's
//! commitment and the credential id are never disclosable: each is the same
//! in every proof of one credential, so revealing one would link the
//! holder's payments.
//!
//! In the circuit, the claims' own range checks make the packing
//! unambiguous. The mask's bits cost 8 constraints, one product per claim
//! 7 more, and the equality 1, so 16 in all (`circuits/CONSTRAINTS.md`).

use crate::statement::layout::claim;
use crate::F;
use ark_ff::{BigInteger, Field, PrimeField};

/// The disclosable claims, in mask-bit order, with their bit widths (the
/// statement's range checks).
pub const DISCLOSABLE: [(usize, usize); 7] = [
    (claim::BIRTH_DATE, 32),
    (claim::COUNTRY, 16),
    (claim::KYC_LEVEL, 8),
    (claim::RISK_SCORE, 16),
    (claim::SUBJECT_TYPE, 8),
    (claim::ISSUED_AT, 32),
    (claim::EXPIRES_AT, 32),
];

/// Each disclosable claim's bit offset in the packed word: the widths of
/// those before it.
const fn offsets() -> [usize; DISCLOSABLE.len()] {
    let mut out = [0; DISCLOSABLE.len()];
    let mut i = 1;
    while i < DISCLOSABLE.len() {
        out[i] = out[i - 1] + DISCLOSABLE[i - 1].1;
        i += 1;
    }
    out
}

/// [`DISCLOSABLE`]'s offsets.
pub const OFFSETS: [usize; DISCLOSABLE.len()] = offsets();

/// Why a mask or a disclosed word was refused. Each names the field at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DisclosureError {
    /// No claim has this name.
    #[error("disclose: no claim is named {0:?}")]
    UnknownClaim(String),
    /// The claim exists but would link proofs if revealed.
    #[error(
        "disclose: {0} can never be disclosed (it is the same in every proof of a credential)"
    )]
    NotDisclosable(&'static str),
    /// A mask with bits above the seven disclosable claims.
    #[error("disclose_mask: {0} has bits above the seven disclosable claims")]
    MaskOutOfRange(u64),
    /// The packed word holds bits outside the mask's claims or their widths.
    #[error("disclosed: the word holds bits outside the disclosed claims")]
    NotCanonical,
}

/// Which disclosable claims a policy reveals: bit `i` is [`DISCLOSABLE`]`[i]`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct DisclosureMask(u8);

impl DisclosureMask {
    /// Nothing disclosed: the v2 statement's behaviour.
    pub const NONE: DisclosureMask = DisclosureMask(0);
    /// All seven numeric claims.
    pub const ALL: DisclosureMask = DisclosureMask((1 << DISCLOSABLE.len()) - 1);

    /// The mask of the claims named (as the credential's JSON names them).
    pub fn from_names<S: AsRef<str>>(names: &[S]) -> Result<Self, DisclosureError> {
        let mut bits = 0u8;
        for name in names {
            let name = name.as_ref();
            let index = claim::NAMES
                .iter()
                .position(|n| *n == name)
                .ok_or_else(|| DisclosureError::UnknownClaim(name.to_string()))?;
            let bit = DISCLOSABLE
                .iter()
                .position(|(c, _)| *c == index)
                .ok_or(DisclosureError::NotDisclosable(claim::NAMES[index]))?;
            bits |= 1 << bit;
        }
        Ok(DisclosureMask(bits))
    }

    /// The mask from its policy word, refused if it has bits above the
    /// seven claims.
    pub fn from_word(word: u64) -> Result<Self, DisclosureError> {
        u8::try_from(word)
            .ok()
            .filter(|b| u32::from(*b) < 1 << DISCLOSABLE.len())
            .map(DisclosureMask)
            .ok_or(DisclosureError::MaskOutOfRange(word))
    }

    /// The policy word (what `policy_hash` commits to).
    pub fn word(self) -> u64 {
        u64::from(self.0)
    }

    /// Whether [`DISCLOSABLE`]`[i]` is disclosed.
    pub fn discloses(self, i: usize) -> bool {
        self.0 >> i & 1 == 1
    }

    /// The disclosed claims' names, in mask order.
    pub fn names(self) -> Vec<&'static str> {
        (0..DISCLOSABLE.len())
            .filter(|i| self.discloses(*i))
            .map(|i| claim::NAMES[DISCLOSABLE[i].0])
            .collect()
    }

    /// The public input: `Σ mask_i · c_i · 2^offset_i` over the claims.
    /// The claims must be within their widths, as the statement requires.
    pub fn pack(self, claims: &[F; claim::COUNT]) -> F {
        (0..DISCLOSABLE.len())
            .filter(|i| self.discloses(*i))
            .map(|i| claims[DISCLOSABLE[i].0] * F::from(2u64).pow([OFFSETS[i] as u64]))
            .sum()
    }

    /// What a verifier reads from the public input: each disclosed claim's
    /// name and value, in mask order. A word with bits anywhere else is
    /// refused.
    pub fn unpack(self, disclosed: &F) -> Result<Vec<(&'static str, u64)>, DisclosureError> {
        let bits = disclosed.into_bigint().to_bits_le();
        let mut values = Vec::new();
        let mut covered = vec![false; bits.len()];
        for (i, (claim_index, width)) in DISCLOSABLE.iter().enumerate() {
            if !self.discloses(i) {
                continue;
            }
            let range = OFFSETS[i]..OFFSETS[i] + width;
            let value = bits[range.clone()]
                .iter()
                .rev()
                .fold(0u64, |v, b| v << 1 | u64::from(*b));
            covered[range].iter_mut().for_each(|c| *c = true);
            values.push((claim::NAMES[*claim_index], value));
        }
        if bits.iter().zip(&covered).any(|(bit, c)| *bit && !c) {
            return Err(DisclosureError::NotCanonical);
        }
        Ok(values)
    }
}

/// The seven numeric claims packed into one word at their offsets, as
/// `claims_hash` takes them (`layout::ClaimsWord::Numeric`): the disclosed
/// word of a mask that shows everything.
pub fn pack_numeric(claims: &[F; claim::COUNT]) -> F {
    DisclosureMask::ALL.pack(claims)
}

#[cfg(feature = "constraints")]
pub use constraints::*;

/// The gadget (feature `constraints`): the packed disclosure in R1CS.
#[cfg(feature = "constraints")]
mod constraints {
    use super::*;
    use crate::compare::to_bits_checked;
    use ark_r1cs_std::{eq::EqGadget, fields::fp::FpVar, fields::FieldVar};
    use ark_relations::gr1cs::SynthesisError;

    /// The seven numeric claims packed at their offsets: a linear
    /// combination, no constraint of its own. `claims` are the statement's
    /// claims, already range-checked to their widths.
    pub fn pack_numeric_var(claims: &[FpVar<F>]) -> Result<FpVar<F>, SynthesisError> {
        if claims.len() != claim::COUNT {
            return Err(SynthesisError::Unsatisfiable);
        }
        Ok(DISCLOSABLE
            .iter()
            .zip(OFFSETS)
            .map(|((index, _), offset)| &claims[*index] * F::from(2u64).pow([offset as u64]))
            .sum())
    }

    /// Enforces `disclosed = Σ mask_i · c_i · 2^offset_i`. `mask` is the
    /// policy's word, which this constrains to seven bits. `claims` are the
    /// statement's claims, already range-checked to their widths.
    pub fn enforce_disclosed(
        mask: &FpVar<F>,
        claims: &[FpVar<F>],
        disclosed: &FpVar<F>,
    ) -> Result<(), SynthesisError> {
        if claims.len() != claim::COUNT {
            return Err(SynthesisError::Unsatisfiable);
        }
        let bits = to_bits_checked(mask, DISCLOSABLE.len())?;
        let mut packed = FpVar::zero();
        for (i, bit) in bits.iter().enumerate() {
            let (index, _) = DISCLOSABLE[i];
            let shifted = &claims[index] * F::from(2u64).pow([OFFSETS[i] as u64]);
            packed += FpVar::from(bit.clone()) * shifted;
        }
        packed.enforce_equal(disclosed)
    }
}
