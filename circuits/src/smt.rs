//! Sparse Merkle tree keyed by a field element, in iden3's compressed form
//! (the tree circomlib's `SMTVerifier` checks): a leaf is `H(key, value, 1)`,
//! an internal node `H(left, right)`, an empty subtree 0; a key's path is its
//! low bits, little-endian, and a leaf sits at the shallowest level where no
//! other key shares its path. veil keys the revocation tree by `credential_id`.
//!
//! Non-membership of `k` is shown by the node at the end of `k`'s path: empty,
//! or a leaf holding another key. Lying about where the path ends would need a
//! Poseidon collision (a leaf hash has three inputs, a node two), so the
//! gadget lets the prover choose the depth and constrains only that it is a
//! prefix of the path.
//!
//! Gadget cost: strict bit decomposition of the key (~390), then per level one
//! `Poseidon(2)`, two multiplexers and two booleans (≈ 244), plus one
//! `Poseidon(3)` for the leaf.

use crate::poseidon::poseidon_fixed;
use crate::F;
use ark_ff::{AdditiveGroup, BigInteger, Field, PrimeField};

/// Why a tree operation was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SmtError {
    /// The key is already present.
    #[error("key is already in the tree")]
    KeyExists,
    /// The key is not present.
    #[error("key is not in the tree")]
    KeyNotFound,
    /// Two keys share all `depth` low bits: the tree cannot separate them.
    #[error("two keys share their low {0} bits; the tree cannot hold both")]
    DepthExhausted(usize),
    /// Depth 0 or above 253.
    #[error("tree depth must be 1 to 253, got {0}")]
    Depth(usize),
}

/// `H(key, value, 1)`.
pub fn hash_leaf(key: F, value: F) -> F {
    poseidon_fixed([key, value, F::ONE])
}

pub use crate::merkle::hash_node;

/// Bit `level` of `key`'s path.
fn path_bit(key: &F, level: usize) -> bool {
    key.into_bigint().get_bit(level)
}

#[derive(Debug, Clone)]
enum Node {
    Empty,
    Leaf {
        key: F,
        value: F,
        hash: F,
    },
    Internal {
        left: Box<Node>,
        right: Box<Node>,
        hash: F,
    },
}

impl Node {
    fn hash(&self) -> F {
        match self {
            Node::Empty => F::ZERO,
            Node::Leaf { hash, .. } | Node::Internal { hash, .. } => *hash,
        }
    }

    fn leaf(key: F, value: F) -> Node {
        Node::Leaf {
            key,
            value,
            hash: hash_leaf(key, value),
        }
    }

    fn internal(left: Node, right: Node) -> Node {
        let hash = hash_node(left.hash(), right.hash());
        Node::Internal {
            left: Box::new(left),
            right: Box::new(right),
            hash,
        }
    }

    /// The node two leaves make when they first differ at or below `level`.
    fn split(
        a: Node,
        a_key: F,
        b: Node,
        b_key: F,
        level: usize,
        depth: usize,
    ) -> Result<Node, SmtError> {
        if level >= depth {
            return Err(SmtError::DepthExhausted(depth));
        }
        let (ba, bb) = (path_bit(&a_key, level), path_bit(&b_key, level));
        if ba == bb {
            let child = Node::split(a, a_key, b, b_key, level + 1, depth)?;
            Ok(if ba {
                Node::internal(Node::Empty, child)
            } else {
                Node::internal(child, Node::Empty)
            })
        } else if ba {
            Ok(Node::internal(b, a))
        } else {
            Ok(Node::internal(a, b))
        }
    }
}

/// A sparse Merkle tree of at most `depth` levels.
#[derive(Debug, Clone)]
pub struct SparseMerkleTree {
    depth: usize,
    root: Node,
    len: usize,
}

/// What sits at the end of a key's path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathEnd {
    /// An empty subtree.
    Empty,
    /// A leaf (the key itself for membership, another key for non-membership).
    Leaf {
        /// The leaf's key.
        key: F,
        /// The leaf's value.
        value: F,
    },
}

/// A proof about one key: the siblings along its path and what ends it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtProof {
    /// Siblings from the root down, zero-padded to the tree depth.
    pub siblings: Vec<F>,
    /// How many levels the path really has (siblings beyond are padding).
    pub path_len: usize,
    /// The node that ends the path.
    pub end: PathEnd,
}

impl SparseMerkleTree {
    /// An empty tree of at most `depth` levels (1..=253).
    pub fn new(depth: usize) -> Result<Self, SmtError> {
        if depth == 0 || depth > 253 {
            return Err(SmtError::Depth(depth));
        }
        Ok(SparseMerkleTree {
            depth,
            root: Node::Empty,
            len: 0,
        })
    }

    /// The tree's maximum depth.
    pub fn depth(&self) -> usize {
        self.depth
    }

    /// Number of keys held.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the tree holds no key.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The root (0 for the empty tree).
    pub fn root(&self) -> F {
        self.root.hash()
    }

    /// Inserts `key` with `value`.
    pub fn insert(&mut self, key: F, value: F) -> Result<(), SmtError> {
        fn go(node: Node, key: F, value: F, level: usize, depth: usize) -> Result<Node, SmtError> {
            match node {
                Node::Empty => Ok(Node::leaf(key, value)),
                Node::Leaf { key: k, .. } if k == key => Err(SmtError::KeyExists),
                Node::Leaf { key: k, .. } => {
                    Node::split(node, k, Node::leaf(key, value), key, level, depth)
                }
                Node::Internal { left, right, .. } => {
                    if path_bit(&key, level) {
                        Ok(Node::internal(
                            *left,
                            go(*right, key, value, level + 1, depth)?,
                        ))
                    } else {
                        Ok(Node::internal(
                            go(*left, key, value, level + 1, depth)?,
                            *right,
                        ))
                    }
                }
            }
        }
        let root = std::mem::replace(&mut self.root, Node::Empty);
        match go(root.clone(), key, value, 0, self.depth) {
            Ok(new_root) => {
                self.root = new_root;
                self.len += 1;
                Ok(())
            }
            Err(e) => {
                self.root = root;
                Err(e)
            }
        }
    }

    /// Removes `key`, collapsing subtrees left with a single leaf so the tree
    /// stays in compressed form (the same root as if the key was never added).
    pub fn remove(&mut self, key: F) -> Result<(), SmtError> {
        fn go(node: &Node, key: F, level: usize) -> Result<Node, SmtError> {
            match node {
                Node::Empty => Err(SmtError::KeyNotFound),
                Node::Leaf { key: k, .. } if *k == key => Ok(Node::Empty),
                Node::Leaf { .. } => Err(SmtError::KeyNotFound),
                Node::Internal { left, right, .. } => {
                    let (left, right) = if path_bit(&key, level) {
                        ((**left).clone(), go(right, key, level + 1)?)
                    } else {
                        (go(left, key, level + 1)?, (**right).clone())
                    };
                    Ok(match (&left, &right) {
                        (Node::Empty, Node::Empty) => Node::Empty,
                        (Node::Empty, Node::Leaf { .. }) => right,
                        (Node::Leaf { .. }, Node::Empty) => left,
                        _ => Node::internal(left, right),
                    })
                }
            }
        }
        self.root = go(&self.root, key, 0)?;
        self.len -= 1;
        Ok(())
    }

    /// The value stored under `key`.
    pub fn get(&self, key: F) -> Option<F> {
        match self.prove(key).end {
            PathEnd::Leaf { key: k, value } if k == key => Some(value),
            _ => None,
        }
    }

    /// The proof for `key`: membership if present, non-membership otherwise.
    pub fn prove(&self, key: F) -> SmtProof {
        let mut siblings = Vec::with_capacity(self.depth);
        let mut node = &self.root;
        let mut level = 0;
        let end = loop {
            match node {
                Node::Empty => break PathEnd::Empty,
                Node::Leaf { key, value, .. } => {
                    break PathEnd::Leaf {
                        key: *key,
                        value: *value,
                    }
                }
                Node::Internal { left, right, .. } => {
                    let (next, sib) = if path_bit(&key, level) {
                        (right, left)
                    } else {
                        (left, right)
                    };
                    siblings.push(sib.hash());
                    node = next;
                    level += 1;
                }
            }
        };
        let path_len = siblings.len();
        siblings.resize(self.depth, F::ZERO);
        SmtProof {
            siblings,
            path_len,
            end,
        }
    }
}

impl SmtProof {
    /// The root this proof gives for `key`'s path.
    fn root_for(&self, key: F) -> Option<F> {
        if self.path_len > self.siblings.len() {
            return None;
        }
        let mut node = match self.end {
            PathEnd::Empty => F::ZERO,
            PathEnd::Leaf { key, value } => hash_leaf(key, value),
        };
        for level in (0..self.path_len).rev() {
            let sib = self.siblings[level];
            node = if path_bit(&key, level) {
                hash_node(sib, node)
            } else {
                hash_node(node, sib)
            };
        }
        Some(node)
    }

    /// Is `key` present with `value` under `root`?
    pub fn verify_membership(&self, root: F, key: F, value: F) -> bool {
        self.end == PathEnd::Leaf { key, value } && self.root_for(key) == Some(root)
    }

    /// Is `key` absent from the tree under `root`?
    pub fn verify_non_membership(&self, root: F, key: F) -> bool {
        let other_end = match self.end {
            PathEnd::Empty => true,
            PathEnd::Leaf { key: k, .. } => k != key,
        };
        other_end && self.root_for(key) == Some(root)
    }
}

#[cfg(feature = "constraints")]
pub use constraints::*;

/// The gadget (feature `constraints`): circomlib SMTVerifier-compatible proofs in R1CS.
#[cfg(feature = "constraints")]
mod constraints {
    use super::*;
    use crate::merkle::hash_level_var;
    use crate::poseidon::poseidon_var;
    use ark_r1cs_std::{
        alloc::AllocVar,
        boolean::Boolean,
        convert::ToBitsGadget,
        eq::EqGadget,
        fields::{fp::FpVar, FieldVar},
    };
    use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError};

    /// A proof in a constraint system.
    #[derive(Clone)]
    pub struct SmtProofVar {
        /// Siblings from the root down.
        pub siblings: Vec<FpVar<F>>,
        /// `active[i]`: level `i` is on the path (a prefix of ones).
        pub active: Vec<Boolean<F>>,
        /// The path ends in an empty subtree.
        pub end_is_empty: Boolean<F>,
        /// The ending leaf's key (ignored when empty).
        pub end_key: FpVar<F>,
        /// The ending leaf's value (ignored when empty).
        pub end_value: FpVar<F>,
    }

    impl SmtProofVar {
        /// Allocates a witness proof for a tree of `depth` levels; values come from
        /// `proof` when present (setup runs without them).
        pub fn new_witness(
            cs: ConstraintSystemRef<F>,
            depth: usize,
            proof: Option<&SmtProof>,
        ) -> Result<Self, SynthesisError> {
            let missing = SynthesisError::AssignmentMissing;
            let siblings = (0..depth)
                .map(|i| {
                    FpVar::new_witness(cs.clone(), || {
                        proof
                            .and_then(|p| p.siblings.get(i).copied())
                            .ok_or(missing)
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            let active = (0..depth)
                .map(|i| {
                    Boolean::new_witness(cs.clone(), || {
                        proof.map(|p| i < p.path_len).ok_or(missing)
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            let end = proof.map(|p| p.end);
            let end_is_empty = Boolean::new_witness(cs.clone(), || {
                end.map(|e| e == PathEnd::Empty).ok_or(missing)
            })?;
            let (k, v) = match end {
                Some(PathEnd::Leaf { key, value }) => (Some(key), Some(value)),
                Some(PathEnd::Empty) => (Some(F::ZERO), Some(F::ZERO)),
                None => (None, None),
            };
            let end_key = FpVar::new_witness(cs.clone(), || k.ok_or(missing))?;
            let end_value = FpVar::new_witness(cs, || v.ok_or(missing))?;
            Ok(SmtProofVar {
                siblings,
                active,
                end_is_empty,
                end_key,
                end_value,
            })
        }

        /// The root obtained by walking `node` up `key_bits`' path.
        fn root_from(
            &self,
            node: FpVar<F>,
            key_bits: &[Boolean<F>],
        ) -> Result<FpVar<F>, SynthesisError> {
            let depth = self.siblings.len();
            // active is a prefix of ones: active[i+1] implies active[i].
            for i in 1..depth {
                let below = FpVar::from(self.active[i].clone());
                let above = FpVar::from(self.active[i - 1].clone());
                below.mul_equals(&(FpVar::one() - above), &FpVar::zero())?;
            }
            let mut node = node;
            for level in (0..depth).rev() {
                let parent = hash_level_var(&node, &self.siblings[level], &key_bits[level])?;
                let a = FpVar::from(self.active[level].clone());
                node = &node + &a * &(&parent - &node);
            }
            Ok(node)
        }

        /// Enforces that `key` is absent from the tree under `root`.
        pub fn enforce_non_membership(
            &self,
            root: &FpVar<F>,
            key: &FpVar<F>,
        ) -> Result<(), SynthesisError> {
            let key_bits = key.to_bits_le()?;
            let leaf = poseidon_var(&[self.end_key.clone(), self.end_value.clone(), FpVar::one()])?;
            let end = self.end_is_empty.select(&FpVar::zero(), &leaf)?;
            // A leaf that ends the path must hold another key.
            self.end_key
                .conditional_enforce_not_equal(key, &!&self.end_is_empty)?;
            self.root_from(end, &key_bits)?.enforce_equal(root)
        }

        /// Enforces that `key` is present with `value` under `root`.
        pub fn enforce_membership(
            &self,
            root: &FpVar<F>,
            key: &FpVar<F>,
            value: &FpVar<F>,
        ) -> Result<(), SynthesisError> {
            let key_bits = key.to_bits_le()?;
            self.end_is_empty.enforce_equal(&Boolean::FALSE)?;
            self.end_key.enforce_equal(key)?;
            self.end_value.enforce_equal(value)?;
            let leaf = poseidon_var(&[key.clone(), value.clone(), FpVar::one()])?;
            self.root_from(leaf, &key_bits)?.enforce_equal(root)
        }
    }
}
