//! The `veil` binary's integration tests, one binary: the command line end
//! to end, issuer keys (FROST, rotation, encrypted files, HSMs), and
//! `veil serve` as a process, and a did:web issuer published by it.

mod cli;
mod common;
mod issuers;
mod serve;
mod web;
