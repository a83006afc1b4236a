//! Proving veil's compliance statement: Groth16 here, halo2-KZG through
//! `veil-halo2` (feature `halo2`), one interface over both in [`system`].
//!
//! One file per step, as in `ark-groth16`: [`shape`] fingerprints the circuit,
//! [`setup`] makes the keys, [`keys`] stores and loads them, [`prove`] makes
//! proofs. Keys are bound to the circuit's shape, so a key from another
//! circuit (or another version of this one) is refused on load instead of
//! producing proofs that never verify.

pub mod keys;
pub mod prove;
pub mod setup;
pub mod shape;
pub mod system;

pub use keys::{KeyFileError, KeyKind};
pub use prove::{LoadError, ProveError, Prover};
pub use setup::{insecure_demo_setup, setup, Keys, SetupError, SetupStage, INSECURE_DEMO_SEED};
pub use shape::CircuitShape;
#[cfg(feature = "halo2")]
pub use system::Halo2Prover;
pub use system::{ProvingSystem, SystemProof, SystemProver, UnknownSystem};

/// The pairing veil proves over.
pub type Curve = ark_bn254::Bn254;
/// A Groth16 proof over BN254.
pub type Proof = ark_groth16::Proof<Curve>;
/// A Groth16 proving key over BN254.
pub type ProvingKey = ark_groth16::ProvingKey<Curve>;
/// A Groth16 verifying key over BN254.
pub type VerifyingKey = ark_groth16::VerifyingKey<Curve>;
