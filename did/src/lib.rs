//! veil's identity layer, on SpruceID's `ssi`.
//!
//! - [`keys`]: Ed25519 controller keys (ssi's JWK, signing, multicodec).
//! - [`document`]: `did:veil` documents and the patches updates apply.
//! - [`registry`]: the `did:veil` registry on RocksDB — create, update
//!   (rotation, keys, services) and deactivate by signed operations; every
//!   version kept; W3C DID Resolution results and errors.
//! - [`resolution`]: what every way of resolving shares — the W3C
//!   resolution result, [`DidSource`], the media types, [`resolution::HttpAnswer`].
//! - [`resolver`]: `did:veil` as an `ssi` method, composed with ssi's
//!   `did:key`, so ssi resolves and verifies against both.
//! - [`http_binding`]: the W3C DID Resolution HTTP(S) binding
//!   (`/1.0/identifiers/{did}`) that `veil serve --did-http` answers, and
//!   (feature `remote`) `remote`, its client: did:veil resolved from
//!   another node or a Universal Resolver.
//! - [`web`]: did:web issuers — the identifier and its URL, and the
//!   issuer's site of `did.json` files that `veil serve --did-web`
//!   publishes; `remote::WebResolver` fetches them (bounded, checked).
//! - [`signer`]: the interface an issuer's Ed25519 key signs through (a
//!   JWK here; a passphrase-encrypted file or a PKCS#11 token in
//!   veil-issuer, which also holds FROST and the revocation store).
//! - [`shamir`]: Shamir and Feldman arithmetic over Baby Jubjub's scalars
//!   (`veil-circuits`', re-exported: veil-issuer's FROST and `veil-audit`'s
//!   split regulator keys share it).

// Every public item says why it exists (CI denies warnings).
#![warn(missing_docs)]

pub mod claims;
pub mod document;
pub mod error;
pub mod http_binding;
pub mod keys;
#[cfg(all(feature = "store", feature = "remote"))]
pub mod local;
pub mod registry;
#[cfg(feature = "remote")]
pub mod remote;
pub mod resolution;
pub mod resolver;
pub use veil_circuits::shamir;
pub mod signer;
pub mod status_list;
pub mod vc;
pub mod web;

pub use document::{BabyJubJubPoint, DidDocument, MethodSpec, Patch, Service};
pub use error::{KeyError, RegistryError, RemoteError, ResolutionError, VcError};
pub use keys::ControllerKey;
#[cfg(feature = "store")]
pub use registry::Registry;
pub use registry::{did_for_key, Operation};
pub use resolution::{DidSource, Resolution};
pub use resolver::{resolver, VeilMethod, VeilResolver, WebMethod};
pub use signer::{Signer, SignerError};
