//! veil-circuits' integration tests, one binary: every primitive native and
//! in-circuit against circomlibjs' vectors, the trees, the statement and its
//! negative table, the documents, and the constraint table.

mod common;
mod compare;
mod constraints_table;
mod disclosure;
mod documents;
mod eddsa;
mod ladder;
mod poseidon;
mod risk;
mod sanctions;
mod statement;
mod trees;
