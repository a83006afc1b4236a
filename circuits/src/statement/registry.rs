//! The trees a wallet proves against, built from the published lists: trusted
//! issuer keys (a fixed-depth Merkle tree, leaf `H(Ax, Ay)` in list order) and
//! revoked credential ids (an indexed Merkle tree, ids in list order). The
//! wallet uses it to build a witness; the issuer and the verifier use it for
//! the roots.

use super::witness::{
    issuer_leaf, ComplianceWitness, Credential, PaymentContext, Policy, WitnessError,
};
use super::{issuer_tree, revocation_tree};
use crate::babyjubjub::Scalar;
use crate::eddsa::PublicKey;
use crate::imt::{ImtError, IndexedMerkleTree, Insertion};
use crate::merkle::{MerkleError, MerkleTree};
use crate::F;

/// Why the lists do not make trees.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegistryError {
    /// Too many issuers for the tree.
    #[error("issuer list: {0}")]
    Issuers(#[from] MerkleError),
    /// A revoked id cannot be listed: listed twice, 0 or wider than 248 bits
    /// (no credential carries such an id), or the list is full.
    #[error("revocation list: {0}")]
    Revocation(#[from] ImtError),
}

/// The trusted-issuer tree and the revocation tree.
#[derive(Debug, Clone)]
pub struct Registry {
    issuers: Vec<PublicKey>,
    issuer_tree: MerkleTree,
    revocation_tree: IndexedMerkleTree,
}

impl Registry {
    /// Trees from the trusted issuers (in order) and the revoked ids.
    pub fn new(issuers: &[PublicKey], revoked: &[F]) -> Result<Self, RegistryError> {
        let leaves: Vec<F> = issuers.iter().map(issuer_leaf).collect();
        let issuer_tree = issuer_tree(&leaves)?;
        Ok(Registry {
            issuers: issuers.to_vec(),
            issuer_tree,
            revocation_tree: revocation_tree(revoked)?,
        })
    }

    /// Appends `credential_id` to the revocation tree; returns the proof
    /// that the new root is an append (what the gate's fast path checks).
    pub fn revoke(&mut self, credential_id: F) -> Result<Insertion, RegistryError> {
        Ok(self.revocation_tree.insert_proved(credential_id)?)
    }

    /// Whether `credential_id` is revoked.
    pub fn is_revoked(&self, credential_id: F) -> bool {
        self.revocation_tree.contains(&credential_id)
    }

    /// The revoked ids in list (tree) order: what a wallet needs to rebuild
    /// the same root.
    pub fn revoked(&self) -> Vec<F> {
        self.revocation_tree.keys().collect()
    }

    /// How many issuers are trusted.
    pub fn issuer_count(&self) -> usize {
        self.issuers.len()
    }

    /// How many credential ids are revoked.
    pub fn revoked_count(&self) -> usize {
        self.revocation_tree.len()
    }

    /// Root of the trusted-issuer tree (public input 2).
    pub fn issuers_root(&self) -> F {
        self.issuer_tree.root()
    }

    /// Root of the revocation tree (public input 3).
    pub fn revocation_root(&self) -> F {
        self.revocation_tree.root()
    }

    /// A witness for `credential`, through the checking builder: refuses with
    /// [`WitnessError::IssuerNotTrusted`] when the issuer is not listed, and
    /// with whichever rule the credential breaks otherwise.
    pub fn witness(
        &self,
        credential: Credential,
        holder_secret: F,
        policy: Policy,
        context: PaymentContext,
        escrow_randomness: Scalar,
    ) -> Result<ComplianceWitness, WitnessError> {
        let index = self
            .issuers
            .iter()
            .position(|k| *k == credential.issuer)
            .ok_or(WitnessError::IssuerNotTrusted)?;
        let issuer_path = self
            .issuer_tree
            .path(index as u64)
            .map_err(|_| WitnessError::IssuerNotTrusted)?;
        let revocation_proof = self
            .revocation_tree
            .prove_non_membership(&credential.claims.credential_id)
            .map_err(WitnessError::from)?;
        ComplianceWitness::build(
            credential,
            holder_secret,
            policy,
            self.issuers_root(),
            issuer_path,
            self.revocation_root(),
            revocation_proof,
            context,
            escrow_randomness,
        )
    }
}
