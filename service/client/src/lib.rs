//! A client for veil's gRPC service (`veil serve`), with none of the server:
//! what a wallet back end, an exchange or a regulator's audit tool links.
//!
//! - [`pb`]: the `veil.v1` messages and the four service clients.
//! - [`client`]: a channel (optionally TLS) with the API key sent on every
//!   call, and [`client::RemoteLog`], a service's audit log as a
//!   [`veil_audit::LogSource`].
//! - [`proof`]: proofs of either system into and out of `Proof` messages,
//!   the one place the wire's `ProofSystem` meets [`veil_system::ProvingSystem`].
//! - [`request`]: a `ProveRequest`'s documents parsed and checked, as the
//!   server reads them.

// Every public item says why it exists (CI denies warnings).
#![warn(missing_docs)]

pub mod client;
pub mod proof;
pub mod request;

pub use client::{connect, ApiKey, ClientError, Clients, RemoteLog};
pub use proof::MessageError;

/// Entries one `GetEntries` call returns at most (the server refuses more;
/// [`RemoteLog`] pages by it).
pub const MAX_ENTRIES_PER_CALL: u64 = 1024;

/// Bytes of entries one `GetEntries` answer carries at most (a page may be
/// short: the server stops before passing it, and a reader asks again from
/// where the page ends). Well inside the default 4 MiB gRPC message, so a
/// page of the largest entries (`veil_audit`'s 64 KiB bound) always fits.
pub const MAX_PAGE_BYTES: usize = 1 << 20;

/// The generated protobuf messages and gRPC clients (package `veil.v1`).
#[allow(missing_docs)]
pub mod pb {
    tonic::include_proto!("veil.v1");
}

/// Selects rustls's ring provider for the process (a binary that also links
/// aws-lc, as the server does, leaves rustls unable to choose); idempotent.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}
