//! Indexed Merkle tree (Aztec's design): the revoked credential ids as a
//! sorted linked list laid out in a fixed-depth Poseidon Merkle tree. Leaf
//! `i` is `H(value, next_value)`, where `next_value` is the smallest listed
//! id above `value` (0 at the end of the list); leaf 0 is the sentinel
//! `(0, first id)`; unused positions are the empty leaf 0 (which has no known
//! preimage). Leaves sit in insertion order, so a revocation appends one leaf
//! and rewrites its predecessor: `2·depth` hashes, never a rebuild.
//!
//! Non-membership of `key` is shown by its *low leaf*: a leaf in the tree with
//! `value < key < next_value` (or `next_value = 0`). In an honestly built
//! tree exactly one leaf brackets an unlisted key and none brackets a listed
//! one, so no set of revoked ids can let a revoked credential prove, and no id
//! can make the list fail to build (the sparse tree this replaces was keyed
//! by 32 low bits and refused two ids sharing them).
//!
//! Keys are below `2^KEY_BITS` (and not 0, the sentinel): the comparisons
//! are range checks of differences, exact for values of 248 bits in a field
//! of 253.6 (`compare::MAX_BITS`). The gadget refuses a wider key itself.
//!
//! Gadget cost at the revocation tree's shape (4-ary, depth 11): the leaf's
//! `Poseidon(2)` and its 11-level path, three 248-bit range checks and the
//! end-of-list select: 4,346 constraints (`circuits/CONSTRAINTS.md`),
//! against 6,073 for a binary tree of depth 21 and 8,709 for the depth-32
//! sparse tree.

use crate::compare::fits_in_bits;
use crate::merkle::{hash_node, Arity, MerkleError, MerklePath, MerkleTree};
use crate::F;
use ark_ff::{AdditiveGroup, BigInt, Field, PrimeField};
use std::collections::BTreeMap;
use std::ops::Bound;

/// Bits of a key (a credential id): keys are `1..2^KEY_BITS`.
pub const KEY_BITS: usize = 248;

/// Why a tree operation was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImtError {
    /// The key is already listed.
    #[error("key is already in the tree")]
    KeyExists,
    /// The key is 0 or has more than [`KEY_BITS`] bits.
    #[error("key must be 1 to 2^248 - 1")]
    KeyOutOfRange,
    /// Every position is used.
    #[error("the tree is full ({capacity} keys)")]
    Full {
        /// Keys the tree holds at most.
        capacity: u64,
    },
    /// Depth 0, or more than 32 index bits (`depth · log2(arity)`).
    #[error("tree depth must be 1 to 32 index bits, got {0} levels")]
    Depth(usize),
    /// Children per node other than 2, 4, 8 or 16.
    #[error("a node has 2, 4, 8 or 16 children, not {0}")]
    Arity(usize),
}

/// Is `key` a key the tree can hold (and the circuit accept)?
pub fn key_in_range(key: &F) -> bool {
    *key != F::ZERO && fits_in_bits(key, KEY_BITS)
}

/// One leaf: a listed value and the next listed value above it (0: none).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Leaf {
    /// The listed id (0 for the sentinel).
    pub value: F,
    /// The smallest listed id above `value`, or 0 at the end of the list.
    pub next_value: F,
}

impl Leaf {
    /// `H(value, next_value)`.
    pub fn hash(&self) -> F {
        hash_node(self.value, self.next_value)
    }

    /// Does this leaf bracket `key` (`value < key < next_value`, or the list
    /// ends here)? The same arithmetic as the gadget: differences must fit
    /// in [`KEY_BITS`] bits.
    pub fn brackets(&self, key: &F) -> bool {
        let above_low = fits_in_bits(&(*key - self.value - F::ONE), KEY_BITS);
        let below_next = self.next_value == F::ZERO
            || fits_in_bits(&(self.next_value - *key - F::ONE), KEY_BITS);
        fits_in_bits(key, KEY_BITS) && above_low && below_next
    }
}

/// A non-membership proof: the key's low leaf and its path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NonMembershipProof {
    /// The leaf that brackets the key.
    pub low_leaf: Leaf,
    /// Its authentication path.
    pub path: MerklePath,
}

impl NonMembershipProof {
    /// Is `key` absent from the tree under `root`? The gadget's rules, natively.
    pub fn verify(&self, root: F, key: F) -> bool {
        self.low_leaf.brackets(&key) && self.path.verify(root, self.low_leaf.hash())
    }
}

/// The proof that listing `key` is an append to the tree under a root: the
/// key's low leaf with its path, and an empty position with its path taken
/// after the low leaf is rewritten. The revocation gate checks exactly this
/// on chain (`contracts/src/RevocationTree.sol`), so the key that publishes
/// revocations quickly can only add ids; [`Insertion::apply`] is the same
/// check natively.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Insertion {
    /// The id listed.
    pub key: F,
    /// The low leaf before the insertion and its path.
    pub low: NonMembershipProof,
    /// The new leaf's (empty) position and its path after the low leaf's rewrite.
    pub new_path: MerklePath,
}

/// Why an [`Insertion`] is not an append to the tree under a root (the
/// gate's errors, in its order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum InsertionError {
    /// The key is 0 or too wide, or a position is outside the tree.
    #[error("the insertion is not canonical (key out of range, or a position outside the tree)")]
    NotCanonical,
    /// The low leaf does not bracket the key: the key is listed, or
    /// rewriting the leaf would drop ids.
    #[error("the low leaf does not bracket the key")]
    LowLeafDoesNotBracket,
    /// The low leaf is not in the tree under the root.
    #[error("the low leaf is not in the tree")]
    LowLeafNotInTree,
    /// The new position holds a leaf.
    #[error("the new leaf's position is not empty")]
    PositionNotEmpty,
}

impl Insertion {
    /// The root after the insertion, if it is an append to the tree under
    /// `root` (the gate's `RevocationTree.insert`).
    pub fn apply(&self, root: F) -> Result<F, InsertionError> {
        let (arity, depth) = (self.low.path.arity, self.low.path.depth());
        let fits =
            |path: &MerklePath| path.arity == arity && path.depth() == depth && path.is_canonical();
        if !key_in_range(&self.key) || !fits(&self.low.path) || !fits(&self.new_path) {
            return Err(InsertionError::NotCanonical);
        }
        let low = self.low.low_leaf;
        let brackets = order(&low.value) < order(&self.key)
            && (low.next_value == F::ZERO || order(&self.key) < order(&low.next_value));
        if !brackets {
            return Err(InsertionError::LowLeafDoesNotBracket);
        }
        if self.low.path.root(low.hash()) != root {
            return Err(InsertionError::LowLeafNotInTree);
        }
        let rewritten = Leaf {
            value: low.value,
            next_value: self.key,
        };
        let after_low = self.low.path.root(rewritten.hash());
        if self.new_path.root(F::ZERO) != after_low {
            return Err(InsertionError::PositionNotEmpty);
        }
        let new = Leaf {
            value: self.key,
            next_value: low.next_value,
        };
        Ok(self.new_path.root(new.hash()))
    }
}

/// The ordering key of a field element: its canonical integer.
fn order(x: &F) -> BigInt<4> {
    x.into_bigint()
}

/// An indexed Merkle tree of fixed shape: at most `arity^depth − 1` keys.
#[derive(Debug, Clone)]
pub struct IndexedMerkleTree {
    tree: MerkleTree,
    leaves: Vec<Leaf>,
    /// Every listed value (the sentinel 0 included) to its position.
    positions: BTreeMap<BigInt<4>, u64>,
}

/// The tree's error as the list's: a position outside the tree means the
/// list is full (`capacity` keys).
fn merkle(e: MerkleError, capacity: u64) -> ImtError {
    match e {
        MerkleError::Depth(d) => ImtError::Depth(d),
        MerkleError::Arity(n) => ImtError::Arity(n),
        MerkleError::TooManyLeaves { .. } | MerkleError::IndexOutOfRange { .. } => {
            ImtError::Full { capacity }
        }
    }
}

impl IndexedMerkleTree {
    /// An empty binary tree (the sentinel only) of `depth` levels, 1..=32.
    pub fn new(depth: usize) -> Result<Self, ImtError> {
        Self::from_keys(depth, &[])
    }

    /// The binary tree holding `keys`: [`IndexedMerkleTree::with_shape`]
    /// with two children a node.
    pub fn from_keys(depth: usize, keys: &[F]) -> Result<Self, ImtError> {
        Self::with_shape(Arity::BINARY, depth, keys)
    }

    /// The tree holding `keys`, in that (insertion) order: the same root as
    /// inserting them one by one, in `2^(depth+1)` hashes at most instead of
    /// `2·depth` per key.
    pub fn with_shape(arity: Arity, depth: usize, keys: &[F]) -> Result<Self, ImtError> {
        if depth == 0 || depth * arity.bits() > 32 {
            return Err(ImtError::Depth(depth));
        }
        let capacity = (1u64 << (depth * arity.bits())) - 1;
        if keys.len() as u64 > capacity {
            return Err(ImtError::Full { capacity });
        }
        let mut positions = BTreeMap::new();
        positions.insert(order(&F::ZERO), 0u64);
        for (i, key) in keys.iter().enumerate() {
            if !key_in_range(key) {
                return Err(ImtError::KeyOutOfRange);
            }
            if positions.insert(order(key), i as u64 + 1).is_some() {
                return Err(ImtError::KeyExists);
            }
        }
        let successor = |value: &F| {
            positions
                .range((Bound::Excluded(order(value)), Bound::Unbounded))
                .next()
                .map(|(_, i)| {
                    if *i == 0 {
                        F::ZERO
                    } else {
                        keys[*i as usize - 1]
                    }
                })
                .unwrap_or(F::ZERO)
        };
        let leaves: Vec<Leaf> = std::iter::once(F::ZERO)
            .chain(keys.iter().copied())
            .map(|value| Leaf {
                value,
                next_value: successor(&value),
            })
            .collect();
        let hashes = crate::parallel::map_chunks(&leaves, 1, |leaf| leaf[0].hash());
        let tree =
            MerkleTree::with_arity(arity, depth, &hashes).map_err(|e| merkle(e, capacity))?;
        Ok(IndexedMerkleTree {
            tree,
            leaves,
            positions,
        })
    }

    /// The tree's depth.
    pub fn depth(&self) -> usize {
        self.tree.depth()
    }

    /// Children per node.
    pub fn arity(&self) -> Arity {
        self.tree.arity()
    }

    /// Keys the tree holds at most: every position but the sentinel's.
    pub fn capacity(&self) -> u64 {
        (1u64 << (self.depth() * self.arity().bits())) - 1
    }

    /// Keys listed.
    pub fn len(&self) -> usize {
        self.leaves.len() - 1
    }

    /// Whether no key is listed.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The root.
    pub fn root(&self) -> F {
        self.tree.root()
    }

    /// Whether `key` is listed.
    pub fn contains(&self, key: &F) -> bool {
        *key != F::ZERO && self.positions.contains_key(&order(key))
    }

    /// The listed keys in insertion (tree) order.
    pub fn keys(&self) -> impl Iterator<Item = F> + '_ {
        self.leaves[1..].iter().map(|l| l.value)
    }

    /// Position of the leaf that brackets `key` (the largest listed value
    /// below it; the sentinel 0 is always there).
    fn low_position(&self, key: &F) -> u64 {
        self.positions
            .range(..order(key))
            .next_back()
            .map(|(_, i)| *i)
            .unwrap_or(0)
    }

    /// Lists `key`: a new leaf at the next position, its predecessor pointed
    /// at it. Nothing changes on an error.
    pub fn insert(&mut self, key: F) -> Result<(), ImtError> {
        self.insert_proved(key).map(|_| ())
    }

    /// [`Self::insert`], returning the proof that it was an append (what the
    /// revocation gate's fast path takes).
    pub fn insert_proved(&mut self, key: F) -> Result<Insertion, ImtError> {
        if !key_in_range(&key) {
            return Err(ImtError::KeyOutOfRange);
        }
        if self.contains(&key) {
            return Err(ImtError::KeyExists);
        }
        let position = self.leaves.len() as u64;
        if position > self.capacity() {
            return Err(ImtError::Full {
                capacity: self.capacity(),
            });
        }
        let capacity = self.capacity();
        let merkle = |e| merkle(e, capacity);
        let low = self.low_position(&key);
        let low_proof = self.low_leaf_proof(&key);
        let new = Leaf {
            value: key,
            next_value: self.leaves[low as usize].next_value,
        };
        let mut updated = self.leaves[low as usize];
        updated.next_value = key;
        self.tree.set(low, updated.hash()).map_err(merkle)?;
        let new_path = self.tree.path(position).map_err(merkle)?;
        self.tree.set(position, new.hash()).map_err(merkle)?;
        self.leaves[low as usize] = updated;
        self.leaves.push(new);
        self.positions.insert(order(&key), position);
        Ok(Insertion {
            key,
            low: low_proof,
            new_path,
        })
    }

    /// The proof that `key` is not listed; refused for a listed key or one
    /// out of range (which no proof could make the circuit accept).
    pub fn prove_non_membership(&self, key: &F) -> Result<NonMembershipProof, ImtError> {
        if !key_in_range(key) {
            return Err(ImtError::KeyOutOfRange);
        }
        if self.contains(key) {
            return Err(ImtError::KeyExists);
        }
        Ok(self.low_leaf_proof(key))
    }

    /// The leaf holding the largest listed value below `key`, with its path,
    /// unchecked: for a listed key its predecessor (whose next value is the
    /// key itself, so it brackets nothing), which is what a cheating prover
    /// would present; tests push it past the builder.
    pub fn low_leaf_proof(&self, key: &F) -> NonMembershipProof {
        self.leaf_proof(self.low_position(key))
            .expect("the low position is a leaf")
    }

    /// The leaf at `position` and its path, whatever it brackets: for tests
    /// that try every leaf against a listed key.
    pub fn leaf_proof(&self, position: u64) -> Option<NonMembershipProof> {
        let low_leaf = *self.leaves.get(position as usize)?;
        let path = self.tree.path(position).ok()?;
        Some(NonMembershipProof { low_leaf, path })
    }
}

#[cfg(feature = "constraints")]
pub use constraints::*;

/// The gadget (feature `constraints`): the low-leaf non-membership check in R1CS.
#[cfg(feature = "constraints")]
mod constraints {
    use super::*;
    use crate::compare::{enforce_lt, enforce_range};
    use crate::merkle::MerklePathVar;
    use crate::poseidon::poseidon_var;
    use ark_r1cs_std::{
        alloc::AllocVar,
        eq::EqGadget,
        fields::{fp::FpVar, FieldVar},
        select::CondSelectGadget,
    };
    use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError};

    /// A non-membership proof in a constraint system.
    #[derive(Clone)]
    pub struct NonMembershipVar {
        /// The low leaf's value.
        pub low_value: FpVar<F>,
        /// The low leaf's next value (0: end of the list).
        pub low_next: FpVar<F>,
        /// The low leaf's path.
        pub path: MerklePathVar,
    }

    impl NonMembershipVar {
        /// Allocates a witness proof for a binary tree of `depth` levels;
        /// values come from `proof` when present (setup runs without them).
        pub fn new_witness(
            cs: ConstraintSystemRef<F>,
            depth: usize,
            proof: Option<&NonMembershipProof>,
        ) -> Result<Self, SynthesisError> {
            Self::new_witness_shaped(cs, Arity::BINARY, depth, proof)
        }

        /// Allocates a witness proof for a tree of `arity` children and
        /// `depth` levels.
        pub fn new_witness_shaped(
            cs: ConstraintSystemRef<F>,
            arity: Arity,
            depth: usize,
            proof: Option<&NonMembershipProof>,
        ) -> Result<Self, SynthesisError> {
            let missing = || SynthesisError::AssignmentMissing;
            let low_value = FpVar::new_witness(cs.clone(), || {
                proof.map(|p| p.low_leaf.value).ok_or_else(missing)
            })?;
            let low_next = FpVar::new_witness(cs.clone(), || {
                proof.map(|p| p.low_leaf.next_value).ok_or_else(missing)
            })?;
            let path = MerklePathVar::new_witness(cs, arity, depth, proof.map(|p| &p.path))?;
            Ok(NonMembershipVar {
                low_value,
                low_next,
                path,
            })
        }

        /// Enforces that `key` is absent from the tree under `root`: `key` has at
        /// most [`KEY_BITS`] bits, the low leaf brackets it, and the low leaf is
        /// in the tree.
        pub fn enforce_non_membership(
            &self,
            root: &FpVar<F>,
            key: &FpVar<F>,
        ) -> Result<(), SynthesisError> {
            enforce_range(key, KEY_BITS)?;
            enforce_lt(&self.low_value, key, KEY_BITS)?;
            // At the end of the list (next 0) the upper bound is key + 1.
            let at_end = self.low_next.is_eq(&FpVar::zero())?;
            let upper = FpVar::conditionally_select(&at_end, &(key + F::ONE), &self.low_next)?;
            enforce_lt(key, &upper, KEY_BITS)?;
            let leaf = poseidon_var(&[self.low_value.clone(), self.low_next.clone()])?;
            self.path.enforce_membership(root, &leaf)
        }
    }
}
