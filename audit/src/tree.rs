//! The Merkle tree of RFC 9162 (Certificate Transparency 2.0, §2.1) with
//! BLAKE3 as its hash: leaf and node hashes, the verification algorithms for
//! inclusion and consistency proofs, and proof generation over any store of
//! perfect-subtree hashes. Everything here is pure; the RocksDB log and the
//! auditor both build on it.

use thiserror::Error;

/// A BLAKE3 digest: a leaf, a node or a tree root.
pub type Hash = [u8; 32];

/// `HASH(0x00 || entry)`: the domain-separated hash of one log entry.
pub fn leaf_hash(entry: &[u8]) -> Hash {
    let mut h = blake3::Hasher::new();
    h.update(&[0x00]);
    h.update(entry);
    *h.finalize().as_bytes()
}

/// `HASH(0x01 || left || right)`: an interior node.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = blake3::Hasher::new();
    h.update(&[0x01]);
    h.update(left);
    h.update(right);
    *h.finalize().as_bytes()
}

/// `MTH({})`: the root of the empty tree, the hash of the empty string.
pub fn empty_root() -> Hash {
    *blake3::hash(&[]).as_bytes()
}

/// The largest power of two strictly below `n` (`n > 1`): where RFC 9162
/// splits a tree of `n` leaves.
pub fn split_point(n: u64) -> u64 {
    debug_assert!(n > 1);
    1u64 << (63 - (n - 1).leading_zeros())
}

/// Why a proof does not verify.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ProofError {
    /// The leaf index is not inside the tree.
    #[error("leaf index {index} is outside a tree of {size} entries")]
    IndexOutOfRange {
        /// The leaf.
        index: u64,
        /// The tree size.
        size: u64,
    },
    /// The sizes cannot be compared (first larger than second).
    #[error("tree size {first} is larger than {second}")]
    SizesOutOfOrder {
        /// The earlier size.
        first: u64,
        /// The later size.
        second: u64,
    },
    /// The proof has the wrong number of hashes for the sizes.
    #[error("proof has {got} hashes; sizes {first}..{second} need {expected}")]
    WrongLength {
        /// Hashes in the proof.
        got: usize,
        /// Hashes the sizes need.
        expected: usize,
        /// The first size (or leaf index).
        first: u64,
        /// The second size.
        second: u64,
    },
    /// The recomputed root is not the given one.
    #[error("the proof leads to another root")]
    RootMismatch,
}

/// Hashes in an inclusion proof for `index` in a tree of `size` leaves.
pub fn inclusion_proof_len(index: u64, size: u64) -> usize {
    if size <= 1 || index >= size {
        return 0;
    }
    let k = split_point(size);
    1 + if index < k {
        inclusion_proof_len(index, k)
    } else {
        inclusion_proof_len(index - k, size - k)
    }
}

/// Hashes in a consistency proof from `first` to `second` leaves.
pub fn consistency_proof_len(first: u64, second: u64) -> usize {
    fn sub(m: u64, n: u64, whole: bool) -> usize {
        if m == n {
            return usize::from(!whole);
        }
        let k = split_point(n);
        1 + if m <= k {
            sub(m, k, whole)
        } else {
            sub(m - k, n - k, false)
        }
    }
    if first == 0 || first >= second {
        return 0;
    }
    sub(first, second, true)
}

/// Refuses a proof whose length is not what the sizes need (before any
/// hashing, so a short or padded proof is named as such).
fn expect_len(proof: &[Hash], expected: usize, first: u64, second: u64) -> Result<(), ProofError> {
    if proof.len() == expected {
        return Ok(());
    }
    Err(ProofError::WrongLength {
        got: proof.len(),
        expected,
        first,
        second,
    })
}

/// The RFC's "if LSB(fn) is not set, right-shift fn and sn equally until
/// either LSB(fn) is set or fn is 0": on the tree's right edge a node may have
/// no sibling for several levels.
fn climb_right_edge(f: &mut u64, s: &mut u64) {
    while *f & 1 == 0 && *f != 0 {
        *f >>= 1;
        *s >>= 1;
    }
}

/// RFC 9162 §2.1.3.2: checks that `leaf` is entry `index` of the tree of
/// `size` entries whose root is `root`.
pub fn verify_inclusion(
    leaf: &Hash,
    index: u64,
    size: u64,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), ProofError> {
    if index >= size {
        return Err(ProofError::IndexOutOfRange { index, size });
    }
    expect_len(proof, inclusion_proof_len(index, size), index, size)?;
    let (mut f, mut s) = (index, size - 1);
    let mut r = *leaf;
    for p in proof {
        if s == 0 {
            return Err(ProofError::RootMismatch);
        }
        if f & 1 == 1 || f == s {
            r = node_hash(p, &r);
            climb_right_edge(&mut f, &mut s);
        } else {
            r = node_hash(&r, p);
        }
        f >>= 1;
        s >>= 1;
    }
    if s == 0 && r == *root {
        Ok(())
    } else {
        Err(ProofError::RootMismatch)
    }
}

/// RFC 9162 §2.1.4.2: checks that the tree of `first` entries with root
/// `first_root` is a prefix of the tree of `second` entries with root
/// `second_root`. Equal sizes need an empty proof and equal roots; the empty
/// tree is a prefix of every tree.
pub fn verify_consistency(
    first: u64,
    second: u64,
    first_root: &Hash,
    second_root: &Hash,
    proof: &[Hash],
) -> Result<(), ProofError> {
    if first > second {
        return Err(ProofError::SizesOutOfOrder { first, second });
    }
    expect_len(proof, consistency_proof_len(first, second), first, second)?;
    if first == 0 {
        return Ok(());
    }
    if first == second {
        return if first_root == second_root {
            Ok(())
        } else {
            Err(ProofError::RootMismatch)
        };
    }
    let mut path: Vec<Hash> = Vec::with_capacity(proof.len() + 1);
    if first.is_power_of_two() {
        path.push(*first_root);
    }
    path.extend_from_slice(proof);
    let (mut f, mut s) = (first - 1, second - 1);
    while f & 1 == 1 {
        f >>= 1;
        s >>= 1;
    }
    let mut fr = path[0];
    let mut sr = path[0];
    for c in &path[1..] {
        if s == 0 {
            return Err(ProofError::RootMismatch);
        }
        if f & 1 == 1 || f == s {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            climb_right_edge(&mut f, &mut s);
        } else {
            sr = node_hash(&sr, c);
        }
        f >>= 1;
        s >>= 1;
    }
    if s == 0 && fr == *first_root && sr == *second_root {
        Ok(())
    } else {
        Err(ProofError::RootMismatch)
    }
}

/// Where proofs read hashes from: the hash of the perfect subtree of `2^level`
/// leaves starting at leaf `index << level` (level 0 are the leaf hashes).
/// The RFC's recursion only ever asks for such aligned subtrees and for the
/// ragged right edge, which [`subtree_root`] builds from them.
pub trait NodeSource {
    /// The error reading a node.
    type Error;
    /// The perfect subtree's hash; only asked for subtrees inside the tree.
    fn perfect(&self, level: u32, index: u64) -> Result<Hash, Self::Error>;
}

/// `MTH(D[start:end])` where `start` is aligned to the largest power of two
/// not above `end - start` (as every range in the RFC's recursion is).
pub fn subtree_root<S: NodeSource>(source: &S, start: u64, end: u64) -> Result<Hash, S::Error> {
    let n = end - start;
    if n == 0 {
        return Ok(empty_root());
    }
    if n.is_power_of_two() {
        let level = n.trailing_zeros();
        return source.perfect(level, start >> level);
    }
    let k = split_point(n);
    let left = subtree_root(source, start, start + k)?;
    let right = subtree_root(source, start + k, end)?;
    Ok(node_hash(&left, &right))
}

/// RFC 9162 §2.1.3.1 `PATH(index, D[0:size])`.
pub fn inclusion_proof<S: NodeSource>(
    source: &S,
    index: u64,
    size: u64,
) -> Result<Vec<Hash>, S::Error> {
    let mut out = Vec::new();
    let (mut lo, mut hi, mut m) = (0u64, size, index);
    // Iteratively descend; proofs are listed leaf first, so collect and reverse.
    while hi - lo > 1 {
        let k = split_point(hi - lo);
        if m < k {
            out.push(subtree_root(source, lo + k, hi)?);
            hi = lo + k;
        } else {
            out.push(subtree_root(source, lo, lo + k)?);
            lo += k;
            m -= k;
        }
    }
    out.reverse();
    Ok(out)
}

/// RFC 9162 §2.1.4.1 `PROOF(first, D[0:second])`; empty when `first` is 0 or
/// equals `second`.
pub fn consistency_proof<S: NodeSource>(
    source: &S,
    first: u64,
    second: u64,
) -> Result<Vec<Hash>, S::Error> {
    let mut out = Vec::new();
    if first == 0 || first >= second {
        return Ok(out);
    }
    let (mut lo, mut hi, mut m, mut whole) = (0u64, second, first, true);
    loop {
        let n = hi - lo;
        if m == n {
            if !whole {
                out.push(subtree_root(source, lo, hi)?);
            }
            break;
        }
        let k = split_point(n);
        if m <= k {
            out.push(subtree_root(source, lo + k, hi)?);
            hi = lo + k;
        } else {
            out.push(subtree_root(source, lo, lo + k)?);
            lo += k;
            m -= k;
            whole = false;
        }
    }
    out.reverse();
    Ok(out)
}

/// The right edge of a tree: the perfect subtrees of its size's binary
/// decomposition, largest first. Enough to append and to compute the root in
/// O(log n) without the rest of the tree (a "compact range" from the start).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Frontier {
    size: u64,
    /// `(level, hash)`, levels strictly decreasing.
    peaks: Vec<(u32, Hash)>,
}

impl Frontier {
    /// The empty tree.
    pub fn new() -> Self {
        Self::default()
    }

    /// The frontier of a stored tree of `size` leaves.
    pub fn load<S: NodeSource>(source: &S, size: u64) -> Result<Self, S::Error> {
        let mut peaks = Vec::new();
        let mut start = 0u64;
        for level in (0..64u32).rev() {
            if size & (1u64 << level) != 0 {
                peaks.push((level, source.perfect(level, start >> level)?));
                start += 1u64 << level;
            }
        }
        Ok(Frontier { size, peaks })
    }

    /// Leaves so far.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Appends a leaf hash; returns the perfect subtrees it completed, as
    /// `(level, index, hash)` from level 0 up (what a store must keep).
    pub fn push(&mut self, leaf: Hash) -> Vec<(u32, u64, Hash)> {
        let mut completed = vec![(0, self.size, leaf)];
        let mut node = (0u32, leaf);
        while let Some(&(level, left)) = self.peaks.last() {
            if level != node.0 {
                break;
            }
            self.peaks.pop();
            let parent = node_hash(&left, &node.1);
            node = (level + 1, parent);
            completed.push((node.0, self.size >> node.0, parent));
        }
        self.peaks.push(node);
        self.size += 1;
        completed
    }

    /// `MTH` of the leaves so far.
    pub fn root(&self) -> Hash {
        let mut iter = self.peaks.iter().rev();
        let Some(&(_, mut root)) = iter.next() else {
            return empty_root();
        };
        for (_, left) in iter {
            root = node_hash(left, &root);
        }
        root
    }
}

/// `MTH` of a list of entries, through a [`Frontier`].
pub fn root_of<'a>(entries: impl IntoIterator<Item = &'a [u8]>) -> Hash {
    let mut f = Frontier::new();
    for e in entries {
        f.push(leaf_hash(e));
    }
    f.root()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_points() {
        assert_eq!(split_point(2), 1);
        assert_eq!(split_point(3), 2);
        assert_eq!(split_point(4), 2);
        assert_eq!(split_point(5), 4);
        assert_eq!(split_point(1 << 40), 1 << 39);
    }

    #[test]
    fn empty_and_single_roots() {
        assert_eq!(Frontier::new().root(), empty_root());
        assert_eq!(root_of([b"a".as_slice()]), leaf_hash(b"a"));
    }
}
