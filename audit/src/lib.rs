//! veil's regulator audit.
//!
//! Every verification veil's service performs, and every disclosure a
//! regulator asks for, is an entry in an append-only transparency log
//! ([`log`]) built on RFC 9162's Merkle tree with BLAKE3 ([`tree`]); the
//! operator signs each tree head with an Ed25519 key named by its `did:key`
//! ([`head`]). A regulator [`audit`]s the log — consistency with the last head
//! they saw, every entry re-hashed into the signed root — without opening
//! any escrow. An escrow is opened only through [`disclosure`]: the request
//! is logged first, each official's tool releases its partial decryption
//! ([`threshold`]: the key may be split t-of-n) only for a request it has
//! checked is in the log, bound to that record, and the issuer (veil-issuer)
//! answers only such partials. Each caller gets a signed [`receipt`] of its entry.

// Every public item says why it exists (CI denies warnings).
#![warn(missing_docs)]

pub mod audit;
pub mod disclosure;
pub mod entry;
pub mod head;
#[cfg(feature = "store")]
pub mod log;
pub mod receipt;
pub mod recheck;
pub mod report;
pub mod source;
pub mod threshold;
pub mod tree;

pub use audit::{
    audit, audit_streaming, AuditOptions, AuditReport, AuditorState, Failure, Recheck,
    VerdictChecker,
};
pub use entry::{DisclosureRecord, Entry, VerificationRecord};
pub use head::SignedTreeHead;
#[cfg(feature = "store")]
pub use log::{LogError, TransparencyLog};
pub use receipt::{Receipt, ReceiptError};
pub use recheck::KeyChecker;
pub use source::{LogSource, SourceError};
