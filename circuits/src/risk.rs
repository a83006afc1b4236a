//! Risk attestations (statement v3, `docs/statement-v3.md`). A risk oracle
//! scores holders daily and publishes one root over the scores. Each leaf
//! binds a score to a holder's commitment (`H(holder_secret)`, claim c1 of
//! the KYC credential, never a public id) and to the day it was scored. A
//! proof shows that its holder's leaf is under an oracle root, that the
//! score is at most the policy's `max_risk`, and that it is at most
//! `max_age_days` old.
//!
//! This is a root and not a signature because it is cheaper in the circuit:
//! - the root form is 3,446 constraints (`circuits/CONSTRAINTS.md`);
//! - an EdDSA verifier alone is 5,066, before the tree of trusted oracle
//!   keys a signature would also need.
//!
//! The gate keeps oracle roots apart from issuer roots. That separation is
//! what stops a KYC issuer from acting as an oracle.
//!
//! The tree is 4-ary with depth 10: 2^20 attestations a root.

use crate::merkle::{Arity, MerklePath, MerkleTree};
use crate::poseidon::poseidon_fixed;
use crate::F;
use std::collections::HashMap;

/// Children per node of an oracle's tree.
pub const ORACLE_TREE_ARITY: Arity = Arity::FOUR;
/// Levels of an oracle's tree: `4^10 = 2^20` attestations a root.
pub const ORACLE_TREE_DEPTH: usize = 10;
/// Bits of a risk score (0 none to 1000 severe, as claim c6).
pub const SCORE_BITS: usize = 16;
/// Bits of a day number (days since 1970-01-01).
pub const DAY_BITS: usize = 32;

/// Why an attestation, a tree of them or a proof was refused. Each names
/// the field at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RiskError {
    /// The holder has no attestation under this root.
    #[error("holder: no attestation for this holder under the oracle's root")]
    NotAttested,
    /// Two attestations for one holder in one root.
    #[error("holder: two attestations for the same holder in one root")]
    DuplicateHolder,
    /// More attestations than the tree holds.
    #[error("attestations: {0} do not fit in an oracle tree (2^20)")]
    TooMany(usize),
    /// The attestation is for another holder's commitment.
    #[error("holder: the attestation is for another holder")]
    OtherHolder,
    /// The score is above the policy's maximum.
    #[error("score: {score} is above the policy's max_risk {max_risk}")]
    ScoreTooHigh {
        /// The attested score.
        score: u16,
        /// The policy's maximum.
        max_risk: u16,
    },
    /// The attestation is older than the policy allows.
    #[error("day: attested on day {day}, more than {max_age_days} days before day {today}")]
    TooOld {
        /// The day it was attested.
        day: u32,
        /// The proof's day.
        today: u32,
        /// The policy's maximum age.
        max_age_days: u32,
    },
    /// The attestation is dated after the proof's day.
    #[error("day: attested on day {day}, after day {today}")]
    FromTheFuture {
        /// The day it was attested.
        day: u32,
        /// The proof's day.
        today: u32,
    },
    /// The attestation and path do not give the root.
    #[error("path: the attestation is not under the oracle's root")]
    NotUnderRoot,
}

/// One oracle's score for one holder on one day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attestation {
    /// The holder's commitment, `H(holder_secret)` (the credential's c1).
    pub holder: F,
    /// The score, 0 to 65,535 (veil's scale is 0 to 1000).
    pub score: u16,
    /// The day the holder was scored.
    pub day: u32,
}

impl Attestation {
    /// The leaf: `H(holder, score, day)`.
    pub fn leaf(&self) -> F {
        poseidon_fixed([self.holder, F::from(self.score), F::from(self.day)])
    }
}

/// An oracle's tree of one day's attestations: what it publishes the root of.
#[derive(Debug, Clone)]
pub struct AttestationTree {
    tree: MerkleTree,
    attestations: Vec<Attestation>,
    /// Each holder's position, so a proof is found without a scan of up
    /// to 2^20 attestations.
    positions: HashMap<F, usize>,
}

impl AttestationTree {
    /// The tree of `attestations`, in that order; at most one per holder.
    pub fn new(attestations: &[Attestation]) -> Result<Self, RiskError> {
        let mut positions = HashMap::with_capacity(attestations.len());
        for (i, a) in attestations.iter().enumerate() {
            if positions.insert(a.holder, i).is_some() {
                return Err(RiskError::DuplicateHolder);
            }
        }
        let leaves: Vec<F> = attestations.iter().map(Attestation::leaf).collect();
        // The shape is a valid constant, so too many leaves is the only error.
        let tree = MerkleTree::with_arity(ORACLE_TREE_ARITY, ORACLE_TREE_DEPTH, &leaves)
            .map_err(|_| RiskError::TooMany(attestations.len()))?;
        Ok(AttestationTree {
            tree,
            attestations: attestations.to_vec(),
            positions,
        })
    }

    /// The root the oracle publishes.
    pub fn root(&self) -> F {
        self.tree.root()
    }

    /// `holder`'s attestation and its path.
    pub fn prove(&self, holder: &F) -> Result<AttestationProof, RiskError> {
        let index = *self.positions.get(holder).ok_or(RiskError::NotAttested)?;
        let path = self
            .tree
            .path(index as u64)
            .map_err(|_| RiskError::NotAttested)?;
        Ok(AttestationProof {
            attestation: self.attestations[index],
            path,
        })
    }
}

/// A holder's attestation with its path to an oracle root: the witness of
/// the statement's risk check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttestationProof {
    /// The attestation.
    pub attestation: Attestation,
    /// Its path in the oracle's tree.
    pub path: MerklePath,
}

/// What the statement checks an attestation against: the public root and
/// day, the holder's commitment and the policy's two limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RiskCheck {
    /// The oracle root the proof names.
    pub root: F,
    /// The holder's commitment (the credential's c1).
    pub holder: F,
    /// The policy's highest admitted score.
    pub max_risk: u16,
    /// The policy's oldest admitted attestation, in days.
    pub max_age_days: u32,
    /// The proof's day.
    pub today: u32,
}

impl AttestationProof {
    /// The circuit's rules, natively, each failure named:
    /// - the attestation is for this holder;
    /// - its score is at most `max_risk`;
    /// - `day ≤ today ≤ day + max_age_days`;
    /// - its leaf is under `root`.
    pub fn check(&self, c: &RiskCheck) -> Result<(), RiskError> {
        let a = self.attestation;
        if a.holder != c.holder {
            return Err(RiskError::OtherHolder);
        }
        if a.score > c.max_risk {
            return Err(RiskError::ScoreTooHigh {
                score: a.score,
                max_risk: c.max_risk,
            });
        }
        if a.day > c.today {
            return Err(RiskError::FromTheFuture {
                day: a.day,
                today: c.today,
            });
        }
        let oldest = u64::from(a.day) + u64::from(c.max_age_days);
        if u64::from(c.today) > oldest {
            return Err(RiskError::TooOld {
                day: a.day,
                today: c.today,
                max_age_days: c.max_age_days,
            });
        }
        let shaped = self.path.arity == ORACLE_TREE_ARITY && self.path.depth() == ORACLE_TREE_DEPTH;
        if !shaped || !self.path.verify(c.root, a.leaf()) {
            return Err(RiskError::NotUnderRoot);
        }
        Ok(())
    }
}

#[cfg(feature = "constraints")]
pub use constraints::*;

/// The gadget (feature `constraints`): the risk check in R1CS.
#[cfg(feature = "constraints")]
mod constraints {
    use super::*;
    use crate::compare::{enforce_le, enforce_range};
    use crate::merkle::MerklePathVar;
    use crate::poseidon::poseidon_var;
    use ark_r1cs_std::{alloc::AllocVar, fields::fp::FpVar};
    use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError};

    /// An attestation and its path in a constraint system.
    #[derive(Clone)]
    pub struct AttestationVar {
        /// The attested score.
        pub score: FpVar<F>,
        /// The day it was attested.
        pub day: FpVar<F>,
        /// Its path in the oracle's tree.
        pub path: MerklePathVar,
    }

    impl AttestationVar {
        /// Allocates the witness; values come from `proof` when present
        /// (setup runs without them).
        pub fn new_witness(
            cs: ConstraintSystemRef<F>,
            proof: Option<&AttestationProof>,
        ) -> Result<Self, SynthesisError> {
            let missing = || SynthesisError::AssignmentMissing;
            let score = FpVar::new_witness(cs.clone(), || {
                proof
                    .map(|p| F::from(p.attestation.score))
                    .ok_or_else(missing)
            })?;
            let day = FpVar::new_witness(cs.clone(), || {
                proof
                    .map(|p| F::from(p.attestation.day))
                    .ok_or_else(missing)
            })?;
            let path = MerklePathVar::new_witness(
                cs,
                ORACLE_TREE_ARITY,
                ORACLE_TREE_DEPTH,
                proof.map(|p| &p.path),
            )?;
            Ok(AttestationVar { score, day, path })
        }

        /// Enforces the risk check ([`AttestationProof::check`]'s rules).
        /// The caller range-checks the other inputs: `max_risk` to
        /// [`SCORE_BITS`], and `today` and `max_age_days` to [`DAY_BITS`].
        pub fn enforce(
            &self,
            root: &FpVar<F>,
            holder: &FpVar<F>,
            max_risk: &FpVar<F>,
            max_age_days: &FpVar<F>,
            today: &FpVar<F>,
        ) -> Result<(), SynthesisError> {
            enforce_range(&self.score, SCORE_BITS)?;
            enforce_range(&self.day, DAY_BITS)?;
            enforce_le(&self.score, max_risk, SCORE_BITS)?;
            enforce_le(&self.day, today, DAY_BITS)?;
            // today ≤ day + max_age_days: 33-bit operands.
            enforce_le(today, &(&self.day + max_age_days), DAY_BITS + 1)?;
            let leaf = poseidon_var(&[holder.clone(), self.score.clone(), self.day.clone()])?;
            self.path.enforce_membership(root, &leaf)
        }
    }
}
