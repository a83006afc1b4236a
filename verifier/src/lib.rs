//! Verification of veil's proofs (Groth16 here; halo2-KZG through
//! `veil-halo2` behind the `halo2` feature, one interface in [`system`]), and
//! the formats proofs travel in.
//!
//! - [`verify`]: one proof against a prepared key (3 Miller loops, one final
//!   exponentiation, `e(α, β)` precomputed).
//! - [`batch`]: many proofs with one final exponentiation, by a random linear
//!   combination of their equations.
//! - [`evm`], [`solidity`]: proofs and public inputs as EVM calldata, and
//!   the Groth16 verifier contract for a key.
//! - [`bytes`], [`snarkjs`], [`points`]: the formats proofs and keys travel
//!   in, `veil-system`'s (shared with the prover, re-exported here). Every
//!   decoder takes untrusted input and returns a typed [`DecodeError`]; none
//!   panics:
//!
//! ```
//! use veil_verifier::snarkjs::public_from_str;
//!
//! let json = |first: &str| format!(r#"["{first}", "1", "1", "1", "1", "1", "1", "1", "1", "1"]"#);
//! assert_eq!(public_from_str(&json("2")).unwrap().len(), 10);
//! // r itself is not a field element: refused, naming the value.
//! let r = "21888242871839275222246405745257275088548364400416034343698204186575808495617";
//! let err = public_from_str(&json(r)).unwrap_err();
//! assert!(err.to_string().contains("public[0]"), "{err}");
//! // Canonical decimal only: no leading zeros.
//! assert!(public_from_str(&json("02")).is_err());
//! ```

// Every public item says why it exists (CI denies warnings).
#![warn(missing_docs)]

pub mod batch;
pub mod error;
pub mod evm;
pub mod solidity;
pub mod system;
pub mod verify;

pub use batch::verify_batch;
pub use error::VerifyError;
#[cfg(feature = "halo2")]
pub use system::Halo2Verifier;
pub use system::SystemKey;
pub use veil_system::{bytes, points, snarkjs};
pub use veil_system::{
    proof_from_json, proof_to_json, Curve, DecodeError, KeysDir, Proof, ProvingSystem, SystemProof,
    VerifierKeys, VerifyingKey, NUM_PUBLIC_INPUTS,
};
pub use verify::PreparedKey;
