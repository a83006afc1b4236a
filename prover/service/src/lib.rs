//! veil's gRPC service (`veil serve`): the `Prover`, `Verifier` and `Registry`
//! services of `proto/veil/v1/veil.proto`, with gRPC health and reflection.
//!
//! - [`store`]: jobs and API keys in RocksDB, synced before a client is told.
//! - [`jobs`]: the durable proving queue and its bounded workers.
//! - [`engine`]: parsing, rule checks, proving and verifying, without gRPC.
//! - [`auth`], [`guard`]: API keys, per-key rate limits, the in-flight limit.
//! - [`metrics`]: Prometheus metrics on their own HTTP port.
//! - [`audit_log`], [`audit_service`]: every verification and disclosure in
//!   the signed transparency log, and the `AuditLog` service regulators read.
//! - [`server`]: the handlers and [`server::serve`].

// Every public item says why it exists (CI denies warnings).
#![warn(missing_docs)]

pub mod audit_log;
pub mod audit_service;
pub mod auth;
pub mod client;
pub mod engine;
/// Sample requests for tests and the load generator (feature `test-support`).
#[cfg(feature = "test-support")]
pub mod fixture;
pub mod guard;
pub mod jobs;
pub mod metrics;
pub mod server;
pub mod store;

/// The generated protobuf and gRPC code (package `veil.v1`).
#[allow(missing_docs)]
pub mod pb {
    tonic::include_proto!("veil.v1");

    /// The encoded file descriptor set, for gRPC reflection.
    pub const FILE_DESCRIPTOR_SET: &[u8] = tonic::include_file_descriptor_set!("veil_descriptor");
}
