//! veil's gRPC service (`veil serve`): the `Prover`, `Verifier`, `Registry`
//! and `AuditLog` services of `client/proto/veil/v1/veil.proto`, with gRPC
//! health and reflection. The messages, the clients and proofs in messages
//! are `veil-client`'s (re-exported as [`client`] and in [`pb`]), so a
//! caller links no server.
//!
//! - [`store`]: jobs and API keys behind one leased-queue contract, in the
//!   embedded RocksDB or, for a fleet, a shared PostgreSQL; durable before a
//!   client is told.
//! - [`jobs`]: the proving queue over it: workers under leases, watchers.
//! - [`engine`]: rule checks, proving and verifying to a verdict, in the
//!   statement's types (no protobuf).
//! - [`auth`], [`guard`]: API keys, per-key rate limits, the in-flight limit.
//! - [`metrics`]: Prometheus metrics on their own HTTP port.
//! - [`audit_log`]: every verification and disclosure in the signed
//!   transparency log.
//! - [`rpc`]: the handlers, one module per gRPC service (the `AuditLog`
//!   service is what regulators read).
//! - [`config`]: a node's settings and role; [`fleet`]: the stores it opens
//!   and its place in a fleet.
//! - [`server`]: [`server::Server`], the one builder that assembles them.

// Every public item says why it exists (CI denies warnings).
#![warn(missing_docs)]

pub mod audit_log;
pub mod auth;
pub mod config;
pub mod did_http;
pub mod engine;
/// Sample requests for tests and the load generator (feature `test-support`).
#[cfg(feature = "test-support")]
pub mod fixture;
pub mod fleet;
pub mod guard;
pub mod http;
pub mod jobs;
pub mod metrics;
pub mod rpc;
pub mod server;
pub mod store;
/// A throwaway PostgreSQL server for tests (feature `test-support`).
#[cfg(feature = "test-support")]
pub mod temp_postgres;
pub mod watchers;

pub use veil_client as client;

/// The `veil.v1` messages and clients ([`veil_client::pb`]) with the
/// generated service traits the handlers implement.
#[allow(missing_docs)]
pub mod pb {
    pub use veil_client::pb::*;
    tonic::include_proto!("veil.v1");

    /// The encoded file descriptor set, for gRPC reflection.
    pub const FILE_DESCRIPTOR_SET: &[u8] = tonic::include_file_descriptor_set!("veil_descriptor");
}
