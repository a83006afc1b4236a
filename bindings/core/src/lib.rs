//! The part of veil every binding shares, so that the wasm package, the
//! Python module and the C library prove, decode and verify the same way and
//! report the same errors.
//!
//! Everything here takes and returns the documents veil already exchanges
//! (snarkjs JSON, the wallet's JSON documents, key files as bytes) and fails
//! with a [`BindingError`] whose [`ErrorCode`] each binding turns into its
//! host's idiom: a JS `Error` with `code`, a Python exception class, a C
//! return code. [`guard`] keeps a panic from crossing the boundary.

// Every public item says why it exists (CI denies warnings).
#![warn(missing_docs)]

pub mod error;
pub mod prove;
pub mod verify;

pub use error::{guard, BindingError, ErrorCode};
pub use prove::{ProofBundle, ProveRequest, WalletProver};
/// JSON text of a value the bindings return.
pub fn to_json<T: serde::Serialize>(value: &T) -> Result<String, BindingError> {
    serde_json::to_string(value).map_err(|e| BindingError::new(ErrorCode::Internal, e.to_string()))
}

pub use verify::{
    decode_proof, verify_proof, verify_proof_with_keys, verifying_key_from_bytes, DecodedProof,
};
