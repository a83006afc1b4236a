// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @notice Poseidon over BN254 with two inputs, as circomlib computes it
/// (`poseidon-solidity`'s `PoseidonT3`, deployed on its own: its `hash` is
/// pure, so the gate calls it like any contract). The tree's leaves.
interface IPoseidonT3 {
    function hash(uint256[2] calldata inputs) external pure returns (uint256);
}

/// @notice Poseidon with four inputs (`poseidon-solidity`'s `PoseidonT5`):
/// the tree's nodes, four children each.
interface IPoseidonT5 {
    function hash(uint256[4] calldata inputs) external pure returns (uint256);
}

/// @notice The two Poseidon contracts the tree hashes with.
struct TreeHashers {
    IPoseidonT3 leaf;
    IPoseidonT5 node;
}

/// @title RevocationTree
/// @notice Checks, on chain, that a revocation root only *adds* ids to the
/// list under the current root, so the key that publishes revocations
/// quickly can take trust away and never give it back.
/// @dev The list is veil's indexed Merkle tree (`circuits/src/imt.rs`): leaf
/// `H(value, next)` with `next` the smallest listed id above `value` (0 at the
/// end), the sentinel `(0, first)` at position 0, empty positions 0. Nodes
/// have `ARITY` = 4 children, `H(c0, c1, c2, c3)`, over `DEPTH` levels; a
/// position's base-4 digits, least significant first, name the child at each
/// level, and a path lists a level's three other children in order. Listing
/// `key` rewrites its low leaf
/// `(value, next)` (one that brackets it: `value < key < next`, or `next = 0`)
/// to `(value, key)` and fills an empty position with `(key, next)`. Any other
/// change (dropping an id, an older root, another tree) cannot be written as
/// such steps, because a low leaf that does not bracket the key is refused and
/// a filled position is not empty. Cost: `4·DEPTH` Poseidon(4) and 3
/// Poseidon(2) hashes per id.
library RevocationTree {
    /// @notice The tree's depth (`circuits::statement::REVOCATION_TREE_DEPTH`).
    uint256 internal constant DEPTH = 11;
    /// @notice Siblings a path lists: three a level.
    uint256 internal constant SIBLINGS = 3 * DEPTH;
    /// @dev Listed ids are 1 ..= 2^248 − 1 (`imt::KEY_BITS`).
    uint256 private constant KEY_LIMIT = 1 << 248;
    /// @dev BN254's scalar-field modulus: every hash input is below it.
    uint256 private constant FIELD = 21888242871839275222246405745257275088548364400416034343698204186575808495617;

    /// @notice One id listed, with what shows it is an append.
    struct Insertion {
        /// The credential id revoked.
        uint256 key;
        /// The low leaf before the insertion: `lowValue < key < lowNext` (or `lowNext = 0`).
        uint256 lowValue;
        uint256 lowNext;
        /// The low leaf's position and its siblings from the leaf level up.
        uint256 lowIndex;
        uint256[SIBLINGS] lowSiblings;
        /// An empty position for `(key, lowNext)` and its siblings, taken
        /// after the low leaf is rewritten.
        uint256 newIndex;
        uint256[SIBLINGS] newSiblings;
    }

    /// @notice The id is 0 or wider than 248 bits, a position is outside the
    /// tree, or a hashed word is not below r.
    error InsertionNotCanonical(uint256 word);
    /// @notice The low leaf does not bracket the id: it is listed already, or
    /// the leaf is not its predecessor (rewriting it would drop ids).
    error LowLeafDoesNotBracket(uint256 key, uint256 lowValue, uint256 lowNext);
    /// @notice The low leaf is not in the tree under the current root.
    error LowLeafNotInTree(uint256 key, uint256 lowIndex);
    /// @notice The new leaf's position is not empty under the current root.
    error PositionNotEmpty(uint256 key, uint256 newIndex);

    /// @notice The root after listing `ins.key` in the tree under `root`;
    /// reverts unless that is exactly an append.
    function insert(TreeHashers memory h, uint256 root, Insertion calldata ins) internal view returns (uint256) {
        uint256 key = ins.key;
        if (
            key == 0 || key >= KEY_LIMIT || ins.lowNext >= FIELD || ins.lowIndex >> (2 * DEPTH) != 0
                || ins.newIndex >> (2 * DEPTH) != 0
        ) revert InsertionNotCanonical(key);
        if (!(ins.lowValue < key && (ins.lowNext == 0 || key < ins.lowNext))) {
            revert LowLeafDoesNotBracket(key, ins.lowValue, ins.lowNext);
        }
        (uint256 before, uint256 afterLow) = _rewrite(
            h.node,
            _hashLeaf(h.leaf, ins.lowValue, ins.lowNext),
            _hashLeaf(h.leaf, ins.lowValue, key),
            ins.lowIndex,
            ins.lowSiblings
        );
        if (before != root) revert LowLeafNotInTree(key, ins.lowIndex);
        (uint256 emptied, uint256 next) =
            _rewrite(h.node, 0, _hashLeaf(h.leaf, key, ins.lowNext), ins.newIndex, ins.newSiblings);
        if (emptied != afterLow) revert PositionNotEmpty(key, ins.newIndex);
        return next;
    }

    /// @dev The roots with `oldLeaf` and with `newLeaf` at `index`, under
    /// the same siblings.
    function _rewrite(
        IPoseidonT5 node,
        uint256 oldLeaf,
        uint256 newLeaf,
        uint256 index,
        uint256[SIBLINGS] calldata siblings
    ) private view returns (uint256 oldRoot, uint256 newRoot) {
        (oldRoot, newRoot) = (oldLeaf, newLeaf);
        for (uint256 level = 0; level < DEPTH; ++level) {
            uint256 first = 3 * level;
            for (uint256 i = first; i < first + 3; ++i) {
                if (siblings[i] >= FIELD) revert InsertionNotCanonical(siblings[i]);
            }
            uint256 digit = (index >> (2 * level)) & 3;
            (oldRoot, newRoot) = (
                _hashNode(node, siblings, first, digit, oldRoot), _hashNode(node, siblings, first, digit, newRoot)
            );
        }
    }

    /// @dev `H` of the four children: `child` at position `digit`, the
    /// three siblings from `siblings[first]` around it in order. Through
    /// scratch memory, as one call: the high-level call allocates a fresh
    /// array and return buffer for every hash (44 per id), and memory is
    /// never freed within a transaction.
    function _hashNode(
        IPoseidonT5 node,
        uint256[SIBLINGS] calldata siblings,
        uint256 first,
        uint256 digit,
        uint256 child
    ) private view returns (uint256 h) {
        assembly ("memory-safe") {
            let p := mload(0x40)
            mstore(p, shl(224, 0x8709cd8c)) // hash(uint256[4])
            let args := add(p, 0x04)
            let o := add(siblings, mul(first, 0x20))
            for { let j := 0 } lt(j, 4) { j := add(j, 1) } {
                switch eq(j, digit)
                case 1 { mstore(add(args, mul(j, 0x20)), child) }
                default {
                    mstore(add(args, mul(j, 0x20)), calldataload(o))
                    o := add(o, 0x20)
                }
            }
            if iszero(and(eq(returndatasize(), 0x20), staticcall(gas(), node, p, 0x84, 0x00, 0x20))) {
                revert(0, 0)
            }
            h := mload(0x00)
        }
    }

    /// @dev `poseidon.hash([left, right])` through scratch memory, as `_hashNode`.
    function _hashLeaf(IPoseidonT3 leaf, uint256 left, uint256 right) private view returns (uint256 h) {
        assembly ("memory-safe") {
            let p := mload(0x40)
            mstore(p, shl(224, 0x561558fe)) // hash(uint256[2])
            mstore(add(p, 0x04), left)
            mstore(add(p, 0x24), right)
            if iszero(and(eq(returndatasize(), 0x20), staticcall(gas(), leaf, p, 0x44, 0x00, 0x20))) {
                revert(0, 0)
            }
            h := mload(0x00)
        }
    }
}
