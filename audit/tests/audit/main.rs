//! veil-audit's tests: the tree against an independent RFC 9162
//! implementation, the RocksDB log (torn writes, tampering), threshold
//! decryption, audits that catch tampering, reordering, truncation and forks,
//! and disclosures end to end.

mod audits;
mod common;
mod crash;
mod disclosure;
mod log;
mod rfc9162;
mod threshold;
mod trust;
