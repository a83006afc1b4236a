//! A verification's receipt: the entry the service logged, its index, and
//! the operator's signed tree head that covers it. With an RFC 9162
//! inclusion proof (`GetInclusionProof(index, head.tree_size)`) the caller
//! holds the operator's signed commitment that exactly this entry — verdict,
//! public inputs and proof — is at that position of the log. If the operator
//! later shows a regulator a history without it, the receipt proves the fork.

use crate::entry::Entry;
use crate::head::{HeadError, SignedTreeHead};
use crate::source::LogSource;
use crate::tree::{self, Hash};
use thiserror::Error;

/// What a caller keeps of a logged verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    /// The entry's position.
    pub index: u64,
    /// The entry's exact bytes (what the leaf hash covers).
    pub entry: Vec<u8>,
    /// The operator's head the entry was appended under.
    pub head: SignedTreeHead,
}

/// Why a receipt does not hold.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ReceiptError {
    /// The head is not the operator's (or not this log's).
    #[error("receipt head: {0}")]
    Head(#[from] HeadError),
    /// The head is for a tree that does not contain the index.
    #[error("receipt index {index} is not below the head's tree size {tree_size}")]
    NotCovered {
        /// The receipt's index.
        index: u64,
        /// The head's size.
        tree_size: u64,
    },
    /// The entry is not at the index in the signed tree.
    #[error("entry {index} is not in the signed tree: {message}")]
    NotIncluded {
        /// The receipt's index.
        index: u64,
        /// Why.
        message: String,
    },
    /// The entry bytes are not a log entry.
    #[error("receipt entry does not decode: {0}")]
    Malformed(String),
    /// The log could not be asked for the inclusion proof.
    #[error("log source: {0}")]
    Source(String),
}

impl Receipt {
    /// Checks the head's signature (for `expected_log` when given) and the
    /// inclusion `proof` of the entry at its index; returns the entry.
    pub fn verify(
        &self,
        expected_log: Option<&str>,
        proof: &[Hash],
    ) -> Result<Entry, ReceiptError> {
        let root = self.head.verify(expected_log)?;
        if self.index >= self.head.tree_size {
            return Err(ReceiptError::NotCovered {
                index: self.index,
                tree_size: self.head.tree_size,
            });
        }
        tree::verify_inclusion(
            &tree::leaf_hash(&self.entry),
            self.index,
            self.head.tree_size,
            proof,
            &root,
        )
        .map_err(|e| ReceiptError::NotIncluded {
            index: self.index,
            message: e.to_string(),
        })?;
        Entry::from_bytes(&self.entry).map_err(|e| ReceiptError::Malformed(e.to_string()))
    }

    /// [`Self::verify`] with the inclusion proof fetched from `source`.
    pub fn check(
        &self,
        source: &dyn LogSource,
        expected_log: Option<&str>,
    ) -> Result<Entry, ReceiptError> {
        let proof = source
            .inclusion_proof(self.index, self.head.tree_size)
            .map_err(|e| ReceiptError::Source(e.0))?;
        self.verify(expected_log, &proof)
    }
}
