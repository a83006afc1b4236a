//! veil's regulator audit.
//!
//! Every verification veil's service performs, and every disclosure a
//! regulator asks for, is an entry in an append-only transparency log
//! ([`log`]) built on RFC 9162's Merkle tree with BLAKE3 ([`tree`]); the
//! operator signs each tree head with an Ed25519 key named by its `did:key`
//! ([`head`]). A regulator [`audit`]s the log — consistency with the last head
//! they saw, every entry re-hashed into the signed root — and opens the
//! escrowed credential ids with a key that may be split t-of-n
//! ([`threshold`]); [`disclosure`] asks the issuer whose credential it was,
//! on the record. Each caller gets a signed [`receipt`] of its entry.

// Every public item says why it exists (CI denies warnings).
#![warn(missing_docs)]

pub mod audit;
pub mod disclosure;
pub mod entry;
pub mod head;
#[cfg(feature = "store")]
pub mod log;
pub mod receipt;
pub mod records;
pub mod report;
pub mod source;
pub mod threshold;
pub mod tree;

pub use audit::{
    audit, audit_streaming, AuditOptions, AuditReport, AuditorState, Decryptor, Failure, Recheck,
    VerdictChecker,
};
pub use entry::{DisclosureRecord, Entry, VerificationRecord};
pub use head::SignedTreeHead;
#[cfg(feature = "store")]
pub use log::{LogError, TransparencyLog};
pub use receipt::{Receipt, ReceiptError};
pub use source::{LogSource, SourceError};
