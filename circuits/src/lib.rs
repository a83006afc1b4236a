//! veil's circuits: circom-compatible ZK primitives over BN254, each with a
//! native implementation and an arkworks R1CS gadget side by side.
//!
//! | module | native | gadget |
//! |---|---|---|
//! | [`poseidon`] | [`poseidon::poseidon`] | `poseidon::poseidon_var` |
//!
//! The gadgets (every `*_var` and `*Var`, `costs`, `statement::circuit`) are
//! behind the `constraints` feature, as arkworks puts its gadgets behind
//! `r1cs`: crates that only sign, hash or check natively (identity, audit,
//! clients) do not compile `ark-r1cs-std`.
//!
//! Everything is over the BN254 scalar field [`F`], which is also the base field
//! of Baby Jubjub, so credentials signed here verify in circom circuits and
//! circomlibjs, and the other way round:
//!
//! ```
//! use veil_circuits::encoding::field_to_decimal;
//! use veil_circuits::poseidon::poseidon;
//! use veil_circuits::F;
//!
//! // circomlibjs's poseidon([1, 2]).
//! let hash = poseidon(&[F::from(1u64), F::from(2u64)]).unwrap();
//! assert_eq!(
//!     field_to_decimal(&hash),
//!     "7853200120776062878684798364095072458815029376092732009249414926327459813530"
//! );
//! // An arity circomlib has no parameters for is a typed error.
//! assert!(poseidon(&[F::from(0u64); 17]).is_err());
//! ```
//!
//! Native-only Baby Jubjub arithmetic lives here too, so every crate above
//! shares one copy: [`shamir`] (Shamir sharing and Feldman commitments, for
//! FROST issuer keys in `veil-did` and split regulator keys in `veil-audit`).

// Every public item says why it exists (CI denies warnings).
#![warn(missing_docs)]

pub mod babyjubjub;
pub mod compare;
#[cfg(feature = "constraints")]
pub mod costs;
pub mod day;
pub mod disclosure;
pub mod eddsa;
pub mod encoding;
pub mod imt;
pub mod ladder;
pub mod merkle;
mod parallel;
pub mod poseidon;
pub mod risk;
pub mod sanctions;
pub mod shamir;
pub mod smt;
pub mod statement;

/// The BN254 scalar field: the field of every constraint and of Baby Jubjub
/// coordinates.
pub type F = ark_bn254::Fr;
