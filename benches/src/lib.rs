//! Benchmarks live in `benches/benches/`; figures in `benches/RESULTS.md`;
//! the circom/snarkjs comparison in `benches/peer/`.
