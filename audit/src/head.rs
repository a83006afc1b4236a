//! Signed tree heads: the operator's Ed25519 signature (through veil's DID
//! layer, `ssi`) over a log's size and root, so that a head handed to an
//! auditor commits the operator to that exact history. The log is named by
//! its operator's `did:key`.

use crate::tree::Hash;
use serde::{Deserialize, Serialize};
use thiserror::Error;
use veil_did::keys;
use veil_did::ControllerKey;

/// What a head signature covers, domain-separated and fixed-width.
fn signing_bytes(size: u64, timestamp_unix_ms: u64, root: &Hash) -> Vec<u8> {
    let mut out = Vec::with_capacity(14 + 8 + 8 + 32);
    out.extend_from_slice(b"veil-log-head-v1");
    out.extend_from_slice(&size.to_be_bytes());
    out.extend_from_slice(&timestamp_unix_ms.to_be_bytes());
    out.extend_from_slice(root);
    out
}

/// A tree head signed by the log operator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedTreeHead {
    /// The operator's `did:key`: the log's identity.
    pub log_id: String,
    /// Entries in the tree.
    pub tree_size: u64,
    /// When it was signed, milliseconds since the Unix epoch.
    pub timestamp_unix_ms: u64,
    /// `MTH` of the entries, hex.
    pub root_hash: String,
    /// Ed25519 signature, hex.
    pub signature: String,
}

/// Why a head is not acceptable.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum HeadError {
    /// Signed for another log (another operator key).
    #[error("head is from log {got}, expected {expected}")]
    OtherLog {
        /// The log the head names.
        got: String,
        /// The log the auditor follows.
        expected: String,
    },
    /// The `log_id` is not a did:key of an Ed25519 key.
    #[error("log id {0:?} is not an Ed25519 did:key")]
    BadLogId(String),
    /// A hex field is malformed.
    #[error("head field {field}: {message}")]
    Malformed {
        /// The field.
        field: &'static str,
        /// What is wrong.
        message: String,
    },
    /// The signature does not verify under the log's key.
    #[error("head signature does not verify under {0}")]
    BadSignature(String),
    /// The operator key could not sign.
    #[error("signing failed: {0}")]
    Signing(String),
}

/// The `did:key` of an Ed25519 operator key.
pub fn log_id(key: &ControllerKey) -> Result<String, HeadError> {
    let mb = key
        .public_multibase()
        .map_err(|e| HeadError::Signing(e.to_string()))?;
    Ok(format!("did:key:{mb}"))
}

impl SignedTreeHead {
    /// Signs `(size, root)` now with the operator's key.
    pub fn sign(key: &ControllerKey, tree_size: u64, root: &Hash) -> Result<Self, HeadError> {
        Self::sign_at(key, tree_size, root, crate::entry::now_unix_ms())
    }

    /// Signs `(size, root)` stamped `timestamp_unix_ms` (an operator's clock
    /// is its own: auditors check the time against theirs and the history).
    pub fn sign_at(
        key: &ControllerKey,
        tree_size: u64,
        root: &Hash,
        timestamp_unix_ms: u64,
    ) -> Result<Self, HeadError> {
        let signature = key
            .sign(&signing_bytes(tree_size, timestamp_unix_ms, root))
            .map_err(|e| HeadError::Signing(e.to_string()))?;
        Ok(SignedTreeHead {
            log_id: log_id(key)?,
            tree_size,
            timestamp_unix_ms,
            root_hash: hex::encode(root),
            signature: hex::encode(signature),
        })
    }

    /// The root, decoded.
    pub fn root(&self) -> Result<Hash, HeadError> {
        let bytes = hex::decode(&self.root_hash).map_err(|e| HeadError::Malformed {
            field: "root_hash",
            message: e.to_string(),
        })?;
        bytes.try_into().map_err(|_| HeadError::Malformed {
            field: "root_hash",
            message: "expected 32 bytes".into(),
        })
    }

    /// Checks the signature, and that the head is from `expected_log` when
    /// given; returns the root.
    pub fn verify(&self, expected_log: Option<&str>) -> Result<Hash, HeadError> {
        if let Some(expected) = expected_log {
            if self.log_id != expected {
                return Err(HeadError::OtherLog {
                    got: self.log_id.clone(),
                    expected: expected.to_string(),
                });
            }
        }
        let multibase = self
            .log_id
            .strip_prefix("did:key:")
            .ok_or_else(|| HeadError::BadLogId(self.log_id.clone()))?;
        let root = self.root()?;
        let signature = hex::decode(&self.signature).map_err(|e| HeadError::Malformed {
            field: "signature",
            message: e.to_string(),
        })?;
        let message = signing_bytes(self.tree_size, self.timestamp_unix_ms, &root);
        match keys::verify(multibase, &message, &signature) {
            Ok(()) => Ok(root),
            Err(veil_did::KeyError::BadSignature) => {
                Err(HeadError::BadSignature(self.log_id.clone()))
            }
            Err(_) => Err(HeadError::BadLogId(self.log_id.clone())),
        }
    }
}
