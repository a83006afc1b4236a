//! The veil compliance statement (`docs/statement.md`) on a second proving
//! system: halo2 with KZG commitments over BN254 (`halo2-axiom`, imported as
//! `halo2_proofs`, and `halo2-base`'s flex gate and range lookups).
//!
//! Why a second system: Groth16 needs a ceremony per circuit, so every change
//! to the statement needs a new one. halo2-KZG needs one universal setup
//! ([`params`]) and keeps BN254, so the same credentials (Poseidon and Baby
//! Jubjub over BN254's scalar field), the same public inputs in the same
//! order, and the same EVM precompiles serve both.
//!
//! Each primitive has its native side in `veil-circuits` and its chip here,
//! tested against the same vectors: [`poseidon`] (circom's constants),
//! [`babyjubjub`] (complete twisted-Edwards arithmetic, subgroup checks,
//! scalar multiplication), [`eddsa`] (EdDSA-Poseidon as circomlib),
//! [`merkle`] (the issuer tree and the revocation sparse Merkle tree), and
//! [`compare`] (ranges and predicates). [`statement`] wires them; [`keys`]
//! makes proving and verifying keys; [`proof`] proves and verifies; [`evm`]
//! generates the Solidity verifier with `snark-verifier`.

// Every public item says why it exists (CI denies warnings).
#![warn(missing_docs)]

pub mod babyjubjub;
pub mod compare;
pub mod disclosure;
pub mod eddsa;
pub mod evm;
pub mod field;
pub mod keys;
pub mod merkle;
pub mod params;
pub mod poseidon;
pub mod proof;
pub mod risk;
pub mod statement;

pub use halo2_base::halo2_proofs::halo2curves::bn256::Fr;
pub use keys::{Halo2Keys, KeyError};
pub use params::{ParamsError, UniversalParams};
pub use proof::{prove, verify, Halo2Proof, ProofError};
pub use statement::{synthesize, CircuitShape, STATEMENT_K};

/// A halo2-base cell holding an element of BN254's scalar field.
pub type Cell = halo2_base::AssignedValue<Fr>;
