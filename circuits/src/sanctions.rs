//! Per-person sanctions screening at proof time (statement v3,
//! `docs/statement-v3.md`). The KYC issuer screened the holder once, but
//! lists change. A list publisher (a role on the gate) therefore publishes
//! the root of an indexed tree of sanctioned-person keys. Each proof shows
//! that the holder's key is absent from a current root.
//!
//! A person key is 248 bits of BLAKE3 over a normalised name and a birth
//! date. The issuer computes it at KYC and signs it as a claim. The
//! publisher computes it for each listed person, once per spelling or
//! alias it wants to match.
//!
//! The tree is `imt`'s indexed tree laid out 8-ary with depth 7: 2^21 − 1
//! keys. Its gadget is `imt::NonMembershipVar` at that shape, 3,945
//! constraints (`circuits/CONSTRAINTS.md`).

use crate::imt::{ImtError, IndexedMerkleTree, NonMembershipProof, KEY_BITS};
use crate::merkle::Arity;
use crate::F;
use ark_ff::PrimeField;

/// Children per node of the sanctions tree.
pub const SANCTIONS_TREE_ARITY: Arity = Arity::EIGHT;
/// Levels of the sanctions tree: `8^7 − 1 = 2,097,151` keys.
pub const SANCTIONS_TREE_DEPTH: usize = 7;
/// Domain separation for person keys: a key from another use of BLAKE3
/// never collides with one by construction.
const PERSON_KEY_DOMAIN: &[u8] = b"veil.person-key.v1";
/// The longest name accepted, in bytes after normalisation.
pub const MAX_NAME_BYTES: usize = 512;

/// Why a person key or a list was refused. Each names the field at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SanctionsError {
    /// The name is empty once normalised.
    #[error("name: empty once normalised (letters and digits are kept)")]
    EmptyName,
    /// The name is longer than [`MAX_NAME_BYTES`], as given or normalised.
    #[error("name: longer than {MAX_NAME_BYTES} bytes")]
    NameTooLong,
    /// The holder's key is on the list.
    #[error("person_key: the holder is on the sanctions list")]
    Listed,
    /// The list could not hold the keys (a duplicate, a full tree).
    #[error("sanctions list: {0}")]
    List(ImtError),
}

/// The name as keys are made from it: lower case, letters and digits only,
/// words separated by one space. "  María-José  O'Neil " and
/// "maría josé o neil" give the same key. Spellings that differ in letters
/// (transliterations, aliases) are separate keys, one per listed spelling.
pub fn normalise_name(name: &str) -> String {
    name.chars()
        .flat_map(char::to_lowercase)
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// A person's key: the low 248 bits of `BLAKE3(domain, normalised name,
/// birth date)`, never 0. The width is the indexed tree's key width.
pub fn person_key(name: &str, birth_date: u32) -> Result<F, SanctionsError> {
    // Bounded before normalising, so an outsized input costs nothing;
    // lower-casing can lengthen a few letters, hence the check after too.
    if name.len() > MAX_NAME_BYTES {
        return Err(SanctionsError::NameTooLong);
    }
    let name = normalise_name(name);
    if name.is_empty() {
        return Err(SanctionsError::EmptyName);
    }
    if name.len() > MAX_NAME_BYTES {
        return Err(SanctionsError::NameTooLong);
    }
    let mut hasher = blake3::Hasher::new();
    hasher.update(PERSON_KEY_DOMAIN);
    hasher.update(&(name.len() as u64).to_le_bytes());
    hasher.update(name.as_bytes());
    hasher.update(&birth_date.to_le_bytes());
    let digest = hasher.finalize();
    let key = F::from_le_bytes_mod_order(&digest.as_bytes()[..KEY_BITS / 8]);
    // A zero key (probability 2^-248) is the tree's sentinel: move it to 1.
    Ok(if key == F::from(0u64) {
        F::from(1u64)
    } else {
        key
    })
}

/// A publisher's list: the indexed tree whose root it publishes.
#[derive(Debug, Clone)]
pub struct SanctionsList {
    tree: IndexedMerkleTree,
}

impl SanctionsList {
    /// The list holding `keys`, in publication order.
    pub fn new(keys: &[F]) -> Result<Self, SanctionsError> {
        IndexedMerkleTree::with_shape(SANCTIONS_TREE_ARITY, SANCTIONS_TREE_DEPTH, keys)
            .map(|tree| SanctionsList { tree })
            .map_err(SanctionsError::List)
    }

    /// Adds `key` to the list.
    pub fn add(&mut self, key: F) -> Result<(), SanctionsError> {
        self.tree.insert(key).map_err(SanctionsError::List)
    }

    /// The root the publisher publishes.
    pub fn root(&self) -> F {
        self.tree.root()
    }

    /// Keys listed.
    pub fn len(&self) -> usize {
        self.tree.len()
    }

    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.tree.is_empty()
    }

    /// The witness that `key` is absent, or [`SanctionsError::Listed`].
    pub fn prove_absent(&self, key: &F) -> Result<NonMembershipProof, SanctionsError> {
        if self.tree.contains(key) {
            return Err(SanctionsError::Listed);
        }
        self.tree
            .prove_non_membership(key)
            .map_err(SanctionsError::List)
    }
}
