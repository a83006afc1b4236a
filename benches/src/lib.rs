//! Benchmarks live in `benches/benches/`; figures in `benches/RESULTS.md`;
//! the circom/snarkjs comparison in `benches/peer/`.

// Every public item says why it exists (CI denies warnings).
#![warn(missing_docs)]
