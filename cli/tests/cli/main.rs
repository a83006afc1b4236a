//! The `veil` binary's integration tests, one binary: the command line end
//! to end, issuer keys (FROST, rotation, encrypted files, HSMs), and
//! `veil serve` as a process.

mod common;
mod cli;
mod issuers;
mod serve;
