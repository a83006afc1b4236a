//! veil-halo2's integration tests, one binary: the chips against circomlibjs'
//! vectors and the native functions, and the statement (negative table,
//! proofs).

mod primitives;
mod statement;
