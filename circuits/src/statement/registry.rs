//! The trees a wallet proves against, built from the published lists: trusted
//! issuer keys (a fixed-depth Merkle tree, leaf `H(Ax, Ay)` in list order) and
//! revoked credential ids (a sparse Merkle tree keyed by id). The wallet uses
//! it to build a witness; the issuer and the verifier use it for the roots.

use super::witness::{
    issuer_leaf, ComplianceWitness, Credential, PaymentContext, Policy, WitnessError,
};
use super::{ISSUER_TREE_DEPTH, REVOCATION_TREE_DEPTH};
use crate::babyjubjub::Scalar;
use crate::eddsa::PublicKey;
use crate::merkle::{MerkleError, MerkleTree};
use crate::smt::{SmtError, SparseMerkleTree};
use crate::F;

/// Why the lists do not make trees.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegistryError {
    /// Too many issuers for the tree.
    #[error("issuer list: {0}")]
    Issuers(#[from] MerkleError),
    /// A revoked id cannot be inserted (listed twice, or a low-bit collision).
    #[error("revocation list: {0}")]
    Revocation(#[from] SmtError),
}

/// The trusted-issuer tree and the revocation tree.
#[derive(Debug, Clone)]
pub struct Registry {
    issuers: Vec<PublicKey>,
    issuer_tree: MerkleTree,
    revocation_tree: SparseMerkleTree,
}

impl Registry {
    /// Trees from the trusted issuers (in order) and the revoked ids.
    pub fn new(issuers: &[PublicKey], revoked: &[F]) -> Result<Self, RegistryError> {
        let leaves: Vec<F> = issuers.iter().map(issuer_leaf).collect();
        let issuer_tree = MerkleTree::new(ISSUER_TREE_DEPTH, &leaves)?;
        let mut registry = Registry {
            issuers: issuers.to_vec(),
            issuer_tree,
            revocation_tree: SparseMerkleTree::new(REVOCATION_TREE_DEPTH)?,
        };
        for id in revoked {
            registry.revoke(*id)?;
        }
        Ok(registry)
    }

    /// Adds `credential_id` to the revocation tree.
    pub fn revoke(&mut self, credential_id: F) -> Result<(), RegistryError> {
        Ok(self.revocation_tree.insert(credential_id, F::from(1u64))?)
    }

    /// Whether `credential_id` is revoked.
    pub fn is_revoked(&self, credential_id: F) -> bool {
        self.revocation_tree.get(credential_id).is_some()
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
        let revocation_proof = self.revocation_tree.prove(credential.claims.credential_id);
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
