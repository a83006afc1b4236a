//! veil-did's integration tests, one binary (each file its own binary would
//! link ssi and RocksDB once per file): the registry, didkit interop, W3C vectors, the parsers' malformed corpus, and
//! did:web over loopback HTTPS.

mod didkit;
mod parsers;
mod registry;
mod remote;
mod support;
mod w3c_vectors;
mod web;
