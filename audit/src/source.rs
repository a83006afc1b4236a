//! Where an auditor reads a log from: the operator's RocksDB (a copy, or
//! read-only beside a running server) or, through the same trait, the
//! service's gRPC API. The auditor trusts nothing a source says: heads are
//! checked against the operator's key and everything else against heads.

use crate::head::SignedTreeHead;
use crate::tree::Hash;

/// A source's failure, as text (its own error types vary by transport).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("log source: {0}")]
pub struct SourceError(pub String);

/// Read access to a transparency log.
pub trait LogSource {
    /// The latest signed tree head.
    fn signed_head(&self) -> Result<SignedTreeHead, SourceError>;
    /// Raw entries `start..end` of the current tree.
    fn entries(&self, start: u64, end: u64) -> Result<Vec<Vec<u8>>, SourceError>;
    /// RFC 9162 consistency proof between two tree sizes.
    fn consistency_proof(&self, first: u64, second: u64) -> Result<Vec<Hash>, SourceError>;
    /// RFC 9162 inclusion proof of entry `index` in the tree of `tree_size`.
    fn inclusion_proof(&self, index: u64, tree_size: u64) -> Result<Vec<Hash>, SourceError>;
}

/// Hashes as hex strings (for JSON documents and the wire).
pub fn hashes_to_hex(hashes: &[Hash]) -> Vec<String> {
    hashes.iter().map(hex::encode).collect()
}

/// Hex strings back to hashes; names the first bad one.
pub fn hashes_from_hex(field: &str, hashes: &[String]) -> Result<Vec<Hash>, SourceError> {
    hashes
        .iter()
        .enumerate()
        .map(|(i, h)| {
            hex::decode(h)
                .ok()
                .and_then(|b| Hash::try_from(b).ok())
                .ok_or_else(|| SourceError(format!("{field}[{i}]: not a 32-byte hex hash")))
        })
        .collect()
}
