//! Fixed-depth binary Merkle tree with Poseidon, as circom's usual inclusion
//! circuits build it: a node is `H(left, right)`, an empty leaf is 0, the
//! path's index bits are little-endian (bit `i` chooses the side at level `i`
//! counted from the leaves). veil uses it for the trusted-issuer list (leaf
//! `H(Ax, Ay)`).
//!
//! Gadget cost per level: one boolean, one multiplexer, one `Poseidon(2)` —
//! 242 constraints (3,872 at depth 16, as circom's).

use crate::poseidon::poseidon_fixed;
use crate::F;
use ark_ff::AdditiveGroup;

/// Why a tree operation was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MerkleError {
    /// More leaves than `2^depth`.
    #[error("{leaves} leaves do not fit in a tree of depth {depth}")]
    TooManyLeaves {
        /// Leaves given.
        leaves: usize,
        /// The tree's depth.
        depth: usize,
    },
    /// An index outside the tree.
    #[error("leaf index {index} is outside a tree of depth {depth}")]
    IndexOutOfRange {
        /// Index asked for.
        index: u64,
        /// The tree's depth.
        depth: usize,
    },
    /// Depth 0 or above 64.
    #[error("tree depth must be 1 to 64, got {0}")]
    Depth(usize),
}

/// `H(left, right)`.
pub fn hash_node(left: F, right: F) -> F {
    poseidon_fixed([left, right])
}

/// A binary Merkle tree of fixed depth over Poseidon; unused leaves are 0.
/// Only the non-empty part is stored: empty subtrees use precomputed hashes.
#[derive(Debug, Clone)]
pub struct MerkleTree {
    depth: usize,
    /// `levels[0]` are the leaves; `levels[depth]` holds the root.
    levels: Vec<Vec<F>>,
    /// `empty[i]`: root of an empty subtree of height `i`.
    empty: Vec<F>,
}

/// The authentication path of one leaf.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MerklePath {
    /// The leaf's position; bit `i` is the side at level `i`.
    pub index: u64,
    /// Siblings from the leaf level up.
    pub siblings: Vec<F>,
}

impl MerkleTree {
    /// A tree of `depth` levels holding `leaves` at positions `0..leaves.len()`.
    pub fn new(depth: usize, leaves: &[F]) -> Result<Self, MerkleError> {
        if depth == 0 || depth > 64 {
            return Err(MerkleError::Depth(depth));
        }
        if depth < 64 && leaves.len() as u128 > 1u128 << depth {
            return Err(MerkleError::TooManyLeaves {
                leaves: leaves.len(),
                depth,
            });
        }
        let mut empty = vec![F::ZERO];
        for i in 0..depth {
            empty.push(hash_node(empty[i], empty[i]));
        }
        let mut levels = vec![leaves.to_vec()];
        for level in 0..depth {
            let below = &levels[level];
            let above = crate::parallel::map_chunks(below, 2, |pair| {
                hash_node(pair[0], pair.get(1).copied().unwrap_or(empty[level]))
            });
            levels.push(above);
        }
        Ok(MerkleTree {
            depth,
            levels,
            empty,
        })
    }

    /// The tree's depth.
    pub fn depth(&self) -> usize {
        self.depth
    }

    /// Positions filled so far (`0..len` hold leaves, the rest are empty).
    pub fn len(&self) -> u64 {
        self.levels[0].len() as u64
    }

    /// Whether no position is filled.
    pub fn is_empty(&self) -> bool {
        self.levels[0].is_empty()
    }

    /// Sets leaf `index` (an existing position, or the next free one) and
    /// rehashes its path: `depth` hashes, so a tree that grows one leaf at a
    /// time (the indexed revocation tree) never rebuilds.
    pub fn set(&mut self, index: u64, leaf: F) -> Result<(), MerkleError> {
        let len = self.len();
        let fits = self.depth >= 64 || index < 1u64 << self.depth;
        if index > len || !fits {
            return Err(MerkleError::IndexOutOfRange {
                index,
                depth: self.depth,
            });
        }
        let mut i = index as usize;
        let mut node = leaf;
        for level in 0..=self.depth {
            let row = &mut self.levels[level];
            if i == row.len() {
                row.push(node);
            } else {
                row[i] = node;
            }
            if level == self.depth {
                break;
            }
            let left = row[i & !1];
            let right = row.get(i | 1).copied().unwrap_or(self.empty[level]);
            node = hash_node(left, right);
            i >>= 1;
        }
        Ok(())
    }

    /// The root (the empty tree's root when there are no leaves).
    pub fn root(&self) -> F {
        self.levels[self.depth]
            .first()
            .copied()
            .unwrap_or(self.empty[self.depth])
    }

    /// The path of leaf `index` (an unused position proves the leaf 0).
    pub fn path(&self, index: u64) -> Result<MerklePath, MerkleError> {
        if self.depth < 64 && index >= 1u64 << self.depth {
            return Err(MerkleError::IndexOutOfRange {
                index,
                depth: self.depth,
            });
        }
        let siblings = (0..self.depth)
            .map(|level| {
                let i = ((index >> level) ^ 1) as usize;
                self.levels[level]
                    .get(i)
                    .copied()
                    .unwrap_or(self.empty[level])
            })
            .collect();
        Ok(MerklePath { index, siblings })
    }
}

impl MerklePath {
    /// The root this path gives for `leaf`.
    pub fn root(&self, leaf: F) -> F {
        self.siblings
            .iter()
            .enumerate()
            .fold(leaf, |node, (level, sib)| {
                if (self.index >> level) & 1 == 1 {
                    hash_node(*sib, node)
                } else {
                    hash_node(node, *sib)
                }
            })
    }

    /// Does `leaf` sit under `root` at this path? An index with bits above
    /// the depth is refused rather than silently truncated.
    pub fn verify(&self, root: F, leaf: F) -> bool {
        let depth = self.siblings.len();
        let index_fits = depth >= 64 || self.index >> depth == 0;
        index_fits && self.root(leaf) == root
    }
}

#[cfg(feature = "constraints")]
pub use constraints::*;

/// The gadgets (feature `constraints`): one level up a path, and a path with its membership check, in R1CS.
#[cfg(feature = "constraints")]
mod constraints {
    use super::*;
    use crate::poseidon::poseidon_var;
    use ark_r1cs_std::{alloc::AllocVar, boolean::Boolean, eq::EqGadget, fields::fp::FpVar};
    use ark_relations::gr1cs::SynthesisError;

    /// One level up a path in-circuit: `H(node, sibling)` if `node_is_right` is
    /// false, else `H(sibling, node)`. 241 constraints (one multiplexer, one
    /// `Poseidon(2)`). Shared by the fixed-depth and the sparse tree.
    pub fn hash_level_var(
        node: &FpVar<F>,
        sibling: &FpVar<F>,
        node_is_right: &Boolean<F>,
    ) -> Result<FpVar<F>, SynthesisError> {
        let b = FpVar::from(node_is_right.clone());
        let left = node + &b * &(sibling - node);
        let right = node + sibling - &left;
        poseidon_var(&[left, right])
    }

    /// A path in a constraint system: index bits and siblings.
    #[derive(Clone)]
    pub struct MerklePathVar {
        /// Little-endian index bits, one per level.
        pub index_bits: Vec<Boolean<F>>,
        /// Siblings from the leaf level up.
        pub siblings: Vec<FpVar<F>>,
    }

    impl MerklePathVar {
        /// Allocates a witness path of a fixed `depth`; the values come from `path`
        /// when present (setup runs without them).
        pub fn new_witness_with_depth(
            cs: ark_relations::gr1cs::ConstraintSystemRef<F>,
            depth: usize,
            path: Option<&MerklePath>,
        ) -> Result<Self, SynthesisError> {
            let index_bits = (0..depth)
                .map(|i| {
                    Boolean::new_witness(cs.clone(), || {
                        path.map(|p| (p.index >> i) & 1 == 1)
                            .ok_or(SynthesisError::AssignmentMissing)
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            let siblings = (0..depth)
                .map(|i| {
                    FpVar::new_witness(cs.clone(), || {
                        path.and_then(|p| p.siblings.get(i).copied())
                            .ok_or(SynthesisError::AssignmentMissing)
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok(MerklePathVar {
                index_bits,
                siblings,
            })
        }

        /// The root this path gives for `leaf`. 241 constraints per level.
        pub fn root(&self, leaf: &FpVar<F>) -> Result<FpVar<F>, SynthesisError> {
            let mut node = leaf.clone();
            for (bit, sib) in self.index_bits.iter().zip(&self.siblings) {
                node = hash_level_var(&node, sib, bit)?;
            }
            Ok(node)
        }

        /// Enforces that `leaf` sits under `root` at this path.
        pub fn enforce_membership(
            &self,
            root: &FpVar<F>,
            leaf: &FpVar<F>,
        ) -> Result<(), SynthesisError> {
            self.root(leaf)?.enforce_equal(root)
        }
    }
}
