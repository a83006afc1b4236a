//! veil's circuits: circom-compatible ZK primitives over BN254, each with a
//! native implementation and an arkworks R1CS gadget side by side.
//!
//! | module | native | gadget |
//! |---|---|---|
//! | [`poseidon`] | [`poseidon::poseidon`] | [`poseidon::poseidon_var`] |
//!
//! Everything is over the BN254 scalar field [`F`], which is also the base field
//! of Baby Jubjub, so credentials signed here verify in circom circuits and
//! circomlibjs, and the other way round.

pub mod babyjubjub;
pub mod compare;
pub mod costs;
pub mod day;
pub mod eddsa;
pub mod encoding;
pub mod imt;
pub mod ladder;
pub mod merkle;
pub mod poseidon;
pub mod smt;
pub mod statement;

/// The BN254 scalar field: the field of every constraint and of Baby Jubjub
/// coordinates.
pub type F = ark_bn254::Fr;
