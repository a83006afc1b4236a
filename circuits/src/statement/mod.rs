//! The veil compliance statement v1 (`docs/statement.md`): a wallet proves it
//! holds an issuer-signed credential that satisfies a verifier's policy, bound
//! to one payment and scope, with the credential id escrowed to a regulator.
//!
//! [`witness`] holds the native side (typed credential, policy, payment
//! context, and a builder that refuses a witness violating the policy, saying
//! which rule); [`circuit`] wires the gadgets, with no arithmetic of its own;
//! [`registry`] builds the issuer and revocation trees from their lists;
//! [`layout`] describes the statement's shape once (indices, range checks,
//! bit widths, preimage orders) for every implementation;
//! [`payment`] computes the payment hash as the settlement contract does;
//! [`files`] reads and writes the JSON documents the parties exchange.

#[cfg(feature = "constraints")]
pub mod circuit;
pub mod files;
pub mod layout;
pub mod negative;
pub mod payment;
pub mod registry;
pub mod sample;
pub mod witness;

#[cfg(feature = "constraints")]
pub use circuit::ComplianceCircuit;
pub use payment::Payment;
pub use registry::{Registry, RegistryError};
pub use witness::*;

use crate::imt::{ImtError, IndexedMerkleTree};
use crate::merkle::{Arity, MerkleError, MerkleTree};
use crate::F;

/// Children per node of the trusted-issuer tree: `Poseidon(4)` nodes hold
/// 2^16 issuers in 8 levels for 2,440 constraints, against 3,872 for the
/// binary tree of depth 16 (`circuits/CONSTRAINTS.md`).
pub const ISSUER_TREE_ARITY: Arity = Arity::FOUR;
/// Depth of the trusted-issuer tree: 4^8 = 65,536 issuer keys.
pub const ISSUER_TREE_DEPTH: usize = 8;
/// Children per node of the revocation indexed Merkle tree. Four, not eight:
/// the gate checks each revocation append on chain with
/// `poseidon-solidity`'s `PoseidonT5`, and it ships nothing wider than five
/// inputs (`docs/statement.md`, "Tree shapes").
pub const REVOCATION_TREE_ARITY: Arity = Arity::FOUR;
/// Depth of the revocation indexed Merkle tree: 4^11 − 1 = 4,194,303 revoked
/// ids per list (position 0 is the sentinel).
pub const REVOCATION_TREE_DEPTH: usize = 11;

/// The trusted-issuer tree over `leaves` ([`issuer_leaf`]s, in list order),
/// at the statement's shape.
pub fn issuer_tree(leaves: &[F]) -> Result<MerkleTree, MerkleError> {
    MerkleTree::with_arity(ISSUER_TREE_ARITY, ISSUER_TREE_DEPTH, leaves)
}

/// The revocation tree listing `revoked` (in list order), at the
/// statement's shape.
pub fn revocation_tree(revoked: &[F]) -> Result<IndexedMerkleTree, ImtError> {
    IndexedMerkleTree::with_shape(REVOCATION_TREE_ARITY, REVOCATION_TREE_DEPTH, revoked)
}

/// Bits of a credential id: ids are `1..2^248` (the revocation tree's keys,
/// [`crate::imt::KEY_BITS`]).
pub const CREDENTIAL_ID_BITS: usize = crate::imt::KEY_BITS;
/// Barred country codes a policy can list (zero-padded).
pub const MAX_BARRED_COUNTRIES: usize = 16;
/// Number of public inputs, in the order of [`PublicInputs::to_vec`].
pub const NUM_PUBLIC_INPUTS: usize = 10;
