//! End-to-end tests of veil live in `tests/tests/`; this library holds only
//! the README's example, as a doc test.

// Every public item says why it exists (CI denies warnings).
#![warn(missing_docs)]

/// The README's Rust example, compiled and run as a doc test so the front
/// door's code cannot rot.
#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
pub struct ReadmeExample;
