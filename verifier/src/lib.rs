//! Verification of veil's proofs (Groth16 here; halo2-KZG through
//! `veil-halo2` behind the `halo2` feature, one interface in [`system`]), and
//! the formats proofs travel in.
//!
//! - [`verify`]: one proof against a prepared key (3 Miller loops, one final
//!   exponentiation, `e(α, β)` precomputed).
//! - [`batch`]: many proofs with one final exponentiation, by a random linear
//!   combination of their equations.
//! - [`bytes`], [`snarkjs`], [`evm`]: proofs and public inputs as compact
//!   bytes, as snarkjs's JSON files, and as EVM calldata. Every decoder takes
//!   untrusted input and returns a typed [`DecodeError`]; none panics.

pub mod batch;
pub mod bytes;
pub mod error;
pub mod evm;
pub mod points;
pub mod snarkjs;
pub mod solidity;
pub mod system;
pub mod verify;

pub use batch::verify_batch;
pub use error::{DecodeError, VerifyError};
#[cfg(feature = "halo2")]
pub use system::Halo2Verifier;
pub use system::{proof_from_json, proof_to_json, ProvingSystem, SystemKey, SystemProof};
pub use verify::PreparedKey;

/// The pairing veil verifies over.
pub type Curve = ark_bn254::Bn254;
/// A Groth16 proof over BN254.
pub type Proof = ark_groth16::Proof<Curve>;
/// A Groth16 verifying key over BN254.
pub type VerifyingKey = ark_groth16::VerifyingKey<Curve>;
/// The statement's public-input count.
pub const NUM_PUBLIC_INPUTS: usize = veil_circuits::statement::NUM_PUBLIC_INPUTS;
