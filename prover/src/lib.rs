//! Proving veil's compliance statement: Groth16 here, halo2-KZG through
//! `veil-halo2` (feature `halo2`), one interface over both in [`system`].
//!
//! One file per step, as in `ark-groth16`: [`shape`] reads the circuit's
//! matrices, [`setup`] makes the keys, [`prove`] makes proofs. Key files, the
//! keys directory and the proof types are `veil-system`'s, shared with the
//! verifier (re-exported here). Keys are bound to the circuit's shape, so a
//! key from another circuit (or another version of this one) is refused on
//! load instead of producing proofs that never verify.
//!
//! ```no_run
//! use veil_prover::{KeysDir, ProvingSystem, SystemProver};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // The keys `veil setup` wrote; every file is checked before it is used.
//! let prover = SystemProver::load(&KeysDir::new("keys"), ProvingSystem::Groth16)?;
//! assert_eq!(prover.system(), ProvingSystem::Groth16);
//! // prover.prove(witness, &mut rand::rngs::OsRng) proves a checked witness.
//! # Ok(())
//! # }
//! ```

// Every public item says why it exists (CI denies warnings).
#![warn(missing_docs)]

mod groth16;
mod pool;
pub mod prove;
mod qap;
pub mod setup;
pub mod shape;
pub mod system;

pub use groth16::Msm;
pub use prove::{LoadError, ProveError, Prover};
pub use setup::{insecure_demo_setup, setup, Keys, SetupError, SetupStage, INSECURE_DEMO_SEED};
#[cfg(feature = "halo2")]
pub use system::Halo2Prover;
pub use system::SystemProver;
pub use veil_system::keys;
pub use veil_system::{
    CircuitShape, Curve, KeyFileError, KeyKind, KeysDir, Proof, ProverKeys, ProvingKey,
    ProvingSystem, SystemProof, UnknownSystem, VerifyingKey,
};
