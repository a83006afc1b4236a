//! The `veil` binary's integration tests, one binary: the command line end
//! to end, issuer keys (FROST, rotation, encrypted files, HSMs), `veil
//! serve` as a process and as a fleet on PostgreSQL, and a did:web issuer
//! published by it.

mod cli;
mod common;
mod fleet;
mod issuers;
mod serve;
mod trust;
mod web;
