//! Fixed-depth Merkle trees over Poseidon, as circom's usual inclusion
//! circuits build them: a node is `H(children)`, an empty leaf is 0, a
//! position's digits are little-endian (digit `i` chooses the child at level
//! `i` counted from the leaves). Binary trees (`H(left, right)`, one index
//! bit a level) are veil's trusted-issuer list (leaf `H(Ax, Ay)`) and the
//! revocation tree's layout; wider ones (4 or 8 children, [`Arity`]) hold the
//! same capacity in fewer, wider hashes, which costs fewer constraints
//! (`circuits/CONSTRAINTS.md`): `Poseidon(4)` is 297 constraints against two
//! `Poseidon(2)`s' 480.
//!
//! Gadget cost per level: binary, one boolean, one multiplexer and one
//! `Poseidon(2)`, 242 constraints (3,872 at depth 16, as circom's); 4-ary,
//! 305 (2,440 at depth 8, the same 65,536 leaves); 8-ary, 422 (2,954 at
//! depth 7, the same 2,097,152 leaves as binary depth 21's 5,082).

use crate::poseidon::{poseidon, poseidon_fixed};
use crate::F;
use ark_ff::AdditiveGroup;

/// Why a tree operation was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MerkleError {
    /// More leaves than `arity^depth`.
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
    /// Depth 0, or more positions than a `u64` index can name.
    #[error("tree depth must be 1 to 64 index bits, got {0} levels")]
    Depth(usize),
    /// Children per node other than 2, 4, 8 or 16.
    #[error("a node has 2, 4, 8 or 16 children, not {0}")]
    Arity(usize),
}

/// Children per node: a power of two, so a child's position is a whole
/// number of index bits (what the gadget decomposes), and at most 16,
/// Poseidon's widest instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Arity(u8);

impl Arity {
    /// Two children: `H(left, right)`, the form every veil tree had first.
    pub const BINARY: Arity = Arity(2);
    /// Four children, `Poseidon(4)`.
    pub const FOUR: Arity = Arity(4);
    /// Eight children, `Poseidon(8)`.
    pub const EIGHT: Arity = Arity(8);
    /// Sixteen children, `Poseidon(16)`, the widest.
    pub const SIXTEEN: Arity = Arity(16);

    /// `children` per node, refused unless 2, 4, 8 or 16.
    pub fn new(children: usize) -> Result<Self, MerkleError> {
        match children {
            2 | 4 | 8 | 16 => Ok(Arity(children as u8)),
            _ => Err(MerkleError::Arity(children)),
        }
    }

    /// Children per node.
    pub fn children(self) -> usize {
        usize::from(self.0)
    }

    /// Index bits a level consumes: `log2(children)`.
    pub fn bits(self) -> usize {
        self.0.trailing_zeros() as usize
    }

    /// Siblings a path holds per level.
    pub fn siblings(self) -> usize {
        self.children() - 1
    }

    /// Whether `depth` levels stay within a `u64` index (and are not 0).
    fn check_depth(self, depth: usize) -> Result<(), MerkleError> {
        if depth == 0 || depth * self.bits() > 64 {
            return Err(MerkleError::Depth(depth));
        }
        Ok(())
    }

    /// Whether `index` names a position of a tree of `depth` levels.
    fn holds(self, depth: usize, index: u64) -> bool {
        let bits = depth * self.bits();
        bits >= 64 || index >> bits == 0
    }
}

/// `H(left, right)`.
pub fn hash_node(left: F, right: F) -> F {
    poseidon_fixed([left, right])
}

/// `H(children)`: a node of any [`Arity`].
fn hash_children(children: &[F]) -> F {
    match children {
        [left, right] => hash_node(*left, *right),
        _ => match poseidon(children) {
            Ok(h) => h,
            Err(_) => unreachable!("an Arity has 2 to 16 children, Poseidon's range"),
        },
    }
}

/// A Merkle tree of fixed depth and arity over Poseidon; unused leaves are
/// 0. Only the non-empty part is stored: empty subtrees use precomputed
/// hashes.
#[derive(Debug, Clone)]
pub struct MerkleTree {
    arity: Arity,
    depth: usize,
    /// `levels[0]` are the leaves; `levels[depth]` holds the root.
    levels: Vec<Vec<F>>,
    /// `empty[i]`: root of an empty subtree of height `i`.
    empty: Vec<F>,
}

/// The authentication path of one leaf.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MerklePath {
    /// The leaf's position; its base-`arity` digit `i` is the child at level `i`.
    pub index: u64,
    /// The other children of each node on the way up, from the leaf level:
    /// `arity − 1` a level, in the children's order.
    pub siblings: Vec<F>,
    /// Children per node of the tree the path is from.
    pub arity: Arity,
}

impl MerkleTree {
    /// A binary tree of `depth` levels holding `leaves` at positions `0..leaves.len()`.
    pub fn new(depth: usize, leaves: &[F]) -> Result<Self, MerkleError> {
        Self::with_arity(Arity::BINARY, depth, leaves)
    }

    /// A tree of `depth` levels of `arity` children holding `leaves` at
    /// positions `0..leaves.len()`.
    pub fn with_arity(arity: Arity, depth: usize, leaves: &[F]) -> Result<Self, MerkleError> {
        arity.check_depth(depth)?;
        let fits = leaves
            .len()
            .checked_sub(1)
            .is_none_or(|last| arity.holds(depth, last as u64));
        if !fits {
            return Err(MerkleError::TooManyLeaves {
                leaves: leaves.len(),
                depth,
            });
        }
        let k = arity.children();
        let mut empty = vec![F::ZERO];
        for i in 0..depth {
            empty.push(hash_children(&vec![empty[i]; k]));
        }
        let mut levels = vec![leaves.to_vec()];
        for level in 0..depth {
            let below = &levels[level];
            let above = crate::parallel::map_chunks(below, k, |group| {
                if group.len() == k {
                    return hash_children(group);
                }
                let mut children = group.to_vec();
                children.resize(k, empty[level]);
                hash_children(&children)
            });
            levels.push(above);
        }
        Ok(MerkleTree {
            arity,
            depth,
            levels,
            empty,
        })
    }

    /// The tree's depth.
    pub fn depth(&self) -> usize {
        self.depth
    }

    /// Children per node.
    pub fn arity(&self) -> Arity {
        self.arity
    }

    /// Positions filled so far (`0..len` hold leaves, the rest are empty).
    pub fn len(&self) -> u64 {
        self.levels[0].len() as u64
    }

    /// Whether no position is filled.
    pub fn is_empty(&self) -> bool {
        self.levels[0].is_empty()
    }

    /// The children of the node above position `i` of `level`, empty
    /// subtrees filled in.
    fn children_of(&self, level: usize, i: usize) -> Vec<F> {
        let k = self.arity.children();
        let first = i - i % k;
        (first..first + k)
            .map(|j| {
                self.levels[level]
                    .get(j)
                    .copied()
                    .unwrap_or(self.empty[level])
            })
            .collect()
    }

    /// Sets leaf `index` (an existing position, or the next free one) and
    /// rehashes its path: `depth` hashes, so a tree that grows one leaf at a
    /// time (the indexed revocation tree) never rebuilds.
    pub fn set(&mut self, index: u64, leaf: F) -> Result<(), MerkleError> {
        if index > self.len() || !self.arity.holds(self.depth, index) {
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
            node = hash_children(&self.children_of(level, i));
            i /= self.arity.children();
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
        if !self.arity.holds(self.depth, index) {
            return Err(MerkleError::IndexOutOfRange {
                index,
                depth: self.depth,
            });
        }
        let k = self.arity.children();
        let mut siblings = Vec::with_capacity(self.depth * self.arity.siblings());
        let mut i = index as usize;
        for level in 0..self.depth {
            let mut children = self.children_of(level, i);
            children.remove(i % k);
            siblings.extend(children);
            i /= k;
        }
        Ok(MerklePath {
            index,
            siblings,
            arity: self.arity,
        })
    }
}

impl MerklePath {
    /// Levels the path climbs (a ragged sibling list rounds down, and
    /// [`MerklePath::verify`] refuses it).
    pub fn depth(&self) -> usize {
        self.siblings.len() / self.arity.siblings()
    }

    /// Whether the path is whole: `arity − 1` siblings a level and an index
    /// with no digit above its depth.
    pub fn is_canonical(&self) -> bool {
        let depth = self.depth();
        self.siblings.len() == depth * self.arity.siblings()
            && depth * self.arity.bits() <= 64
            && self.arity.holds(depth, self.index)
    }

    /// The root this path gives for `leaf`.
    pub fn root(&self, leaf: F) -> F {
        let k = self.arity.children();
        let mut index = self.index;
        let mut node = leaf;
        for others in self.siblings.chunks_exact(self.arity.siblings()) {
            let mut children = others.to_vec();
            children.insert((index % k as u64) as usize, node);
            node = hash_children(&children);
            index /= k as u64;
        }
        node
    }

    /// Does `leaf` sit under `root` at this path? An index with digits
    /// above the depth is refused rather than silently truncated.
    pub fn verify(&self, root: F, leaf: F) -> bool {
        self.is_canonical() && self.root(leaf) == root
    }
}

#[cfg(feature = "constraints")]
pub use constraints::*;

/// The gadgets (feature `constraints`): one level up a path, and a path with its membership check, in R1CS.
#[cfg(feature = "constraints")]
mod constraints {
    use super::*;
    use crate::poseidon::poseidon_var;
    use ark_r1cs_std::{
        alloc::AllocVar, boolean::Boolean, eq::EqGadget, fields::fp::FpVar, fields::FieldVar,
    };
    use ark_relations::gr1cs::SynthesisError;

    /// One level up a binary path in-circuit: `H(node, sibling)` if
    /// `node_is_right` is false, else `H(sibling, node)`. 241 constraints
    /// (one multiplexer, one `Poseidon(2)`). Shared by the fixed-depth and
    /// the sparse tree.
    pub fn hash_level_var(
        node: &FpVar<F>,
        sibling: &FpVar<F>,
        node_is_right: &Boolean<F>,
    ) -> Result<FpVar<F>, SynthesisError> {
        poseidon_var(&place_child_var(
            node,
            std::slice::from_ref(sibling),
            std::slice::from_ref(node_is_right),
        )?)
    }

    /// The children of one node in-circuit, `node` placed at the position
    /// the little-endian `digit_bits` name among its `siblings` (kept in
    /// order). For `k = 2^m` children: the position's one-hot indicators
    /// from the products of the bits (`k − m − 1` constraints), then each
    /// child but the last as `s_j + [p < j]·(s_{j−1} − s_j) + [p = j]·(node − s_j)`
    /// (two constraints; one for the first), and the last from the sum of
    /// all children, which the selection preserves (no constraint).
    /// 6 constraints for 4 children, 17 for 8.
    pub fn place_child_var(
        node: &FpVar<F>,
        siblings: &[FpVar<F>],
        digit_bits: &[Boolean<F>],
    ) -> Result<Vec<FpVar<F>>, SynthesisError> {
        let k = siblings.len() + 1;
        if k != 1 << digit_bits.len() || k < 2 {
            return Err(SynthesisError::Unsatisfiable);
        }
        if k == 2 {
            let b = FpVar::from(digit_bits[0].clone());
            let left = node + &b * &(&siblings[0] - node);
            let right = node + &siblings[0] - &left;
            return Ok(vec![left, right]);
        }
        let bits: Vec<FpVar<F>> = digit_bits.iter().cloned().map(FpVar::from).collect();
        // monomial[s] = Π_{i ∈ s} b_i, for every subset s of the bits.
        let mut monomial: Vec<FpVar<F>> = vec![FpVar::one(); k];
        for s in 1..k {
            let top = usize::BITS as usize - 1 - s.leading_zeros() as usize;
            let rest = s & !(1 << top);
            monomial[s] = if rest == 0 {
                bits[top].clone()
            } else {
                &monomial[rest] * &bits[top]
            };
        }
        // [p = j] = Π_i (b_i if bit i of j, else 1 − b_i), expanded over the
        // monomials: Σ_{s ⊇ j} (−1)^{|s \ j|} monomial[s].
        let is_position: Vec<FpVar<F>> = (0..k)
            .map(|j| {
                (j..k).filter(|s| s & j == j).fold(FpVar::zero(), |acc, s| {
                    if (s ^ j).count_ones() % 2 == 0 {
                        acc + &monomial[s]
                    } else {
                        acc - &monomial[s]
                    }
                })
            })
            .collect();
        let mut children = Vec::with_capacity(k);
        let mut below = FpVar::zero(); // [p < j]
        for j in 0..k - 1 {
            let here = &siblings[j];
            let mut child = here + &is_position[j] * &(node - here);
            if j > 0 {
                child += &below * &(&siblings[j - 1] - here);
            }
            below += &is_position[j];
            children.push(child);
        }
        let total = siblings.iter().fold(node.clone(), |acc, s| acc + s);
        let last = children.iter().fold(total, |acc, c| acc - c);
        children.push(last);
        Ok(children)
    }

    /// A path in a constraint system: index bits and siblings.
    #[derive(Clone)]
    pub struct MerklePathVar {
        /// Little-endian index bits, `log2(arity)` per level.
        pub index_bits: Vec<Boolean<F>>,
        /// Siblings from the leaf level up, `arity − 1` per level.
        pub siblings: Vec<FpVar<F>>,
        /// Children per node.
        pub arity: Arity,
    }

    impl MerklePathVar {
        /// Allocates a witness path of a binary tree of a fixed `depth`; the
        /// values come from `path` when present (setup runs without them).
        pub fn new_witness_with_depth(
            cs: ark_relations::gr1cs::ConstraintSystemRef<F>,
            depth: usize,
            path: Option<&MerklePath>,
        ) -> Result<Self, SynthesisError> {
            Self::new_witness(cs, Arity::BINARY, depth, path)
        }

        /// Allocates a witness path of a tree of `arity` children and
        /// `depth` levels. A `path` of another shape is a missing
        /// assignment: the circuit's shape is fixed at setup, and the
        /// builder checks the path's before synthesis.
        pub fn new_witness(
            cs: ark_relations::gr1cs::ConstraintSystemRef<F>,
            arity: Arity,
            depth: usize,
            path: Option<&MerklePath>,
        ) -> Result<Self, SynthesisError> {
            let shaped =
                path.filter(|p| p.arity == arity && p.depth() == depth && p.is_canonical());
            let index_bits = (0..depth * arity.bits())
                .map(|i| {
                    Boolean::new_witness(cs.clone(), || {
                        shaped
                            .map(|p| (p.index >> i) & 1 == 1)
                            .ok_or(SynthesisError::AssignmentMissing)
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            let siblings = (0..depth * arity.siblings())
                .map(|i| {
                    FpVar::new_witness(cs.clone(), || {
                        shaped
                            .and_then(|p| p.siblings.get(i).copied())
                            .ok_or(SynthesisError::AssignmentMissing)
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok(MerklePathVar {
                index_bits,
                siblings,
                arity,
            })
        }

        /// The root this path gives for `leaf`: per level, the children
        /// placed ([`place_child_var`]) and one `Poseidon(arity)`.
        pub fn root(&self, leaf: &FpVar<F>) -> Result<FpVar<F>, SynthesisError> {
            let levels = self
                .index_bits
                .chunks_exact(self.arity.bits())
                .zip(self.siblings.chunks_exact(self.arity.siblings()));
            let mut node = leaf.clone();
            for (digit, others) in levels {
                node = poseidon_var(&place_child_var(&node, others, digit)?)?;
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
