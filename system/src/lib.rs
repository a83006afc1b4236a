//! What both sides of a veil proof share, below `veil-prover` and
//! `veil-verifier`: which proving system made a proof ([`ProvingSystem`],
//! [`SystemProof`]) and the forms proofs and keys travel in.
//!
//! - [`system`]: the two systems and a proof tagged with its system.
//! - [`json`]: `proof.json` for either system.
//! - [`bytes`], [`snarkjs`], [`points`]: Groth16 proofs and public inputs as
//!   compact bytes and as snarkjs's JSON; points from untrusted coordinates.
//! - [`keys`]: Groth16 key files bound to the circuit's [`shape`].
//! - [`keys_dir`]: the files of a keys directory, for either system.
//! - [`matrices`]: the circuit's matrices as a proving key file carries
//!   them, taken only if they hash to the shape.
//!
//! Every decoder takes untrusted input and returns a typed error
//! ([`DecodeError`], [`KeyFileError`], [`KeysError`]); none panics. halo2's
//! keys are behind the `halo2` feature (the wasm wallet builds without it).
//!
//! ```
//! use veil_system::{proof_from_json, proof_to_json, ProvingSystem, SystemProof};
//!
//! // A halo2 proof's proof.json names its system; it reads back the same.
//! let proof = SystemProof::Halo2Kzg(vec![1, 2, 3]);
//! let json = proof_to_json(&proof);
//! assert_eq!(proof_from_json(&json).unwrap(), proof);
//! assert_eq!("halo2".parse::<ProvingSystem>().unwrap(), proof.system());
//! // Another system's name, or a snarkjs proof with a bad point, is refused.
//! assert!(proof_from_json(r#"{"system": "plonky3", "proof": "0x01"}"#).is_err());
//! assert!(proof_from_json(r#"{"pi_a": ["1", "1", "1"]}"#).is_err());
//! ```

// Every public item says why it exists (CI denies warnings).
#![warn(missing_docs)]

pub mod bytes;
pub mod error;
pub mod json;
pub mod keys;
pub mod keys_dir;
pub mod matrices;
pub mod points;
pub mod shape;
pub mod snarkjs;
pub mod system;

pub use error::DecodeError;
pub use json::{proof_from_json, proof_to_json};
pub use keys::{KeyFileError, KeyKind};
pub use keys_dir::{
    groth16_verifying_key_from_bytes, key_system, load_groth16_verifying_key, load_verifier_keys,
    KeysDir, KeysError, ProverKeys, VerifierKeys, VerifyingKeyError,
};
pub use shape::CircuitShape;
pub use system::{ProvingSystem, SystemProof, UnknownSystem};

/// The pairing veil proves over.
pub type Curve = ark_bn254::Bn254;
/// A Groth16 proof over BN254.
pub type Proof = ark_groth16::Proof<Curve>;
/// A Groth16 proving key over BN254.
pub type ProvingKey = ark_groth16::ProvingKey<Curve>;
/// A Groth16 verifying key over BN254.
pub type VerifyingKey = ark_groth16::VerifyingKey<Curve>;
/// The statement's public-input count.
pub const NUM_PUBLIC_INPUTS: usize = veil_circuits::statement::NUM_PUBLIC_INPUTS;
