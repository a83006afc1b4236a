//! Shared test support: the circomlibjs reference vectors and constraint-system helpers.
#![allow(dead_code)]

use ark_relations::gr1cs::{ConstraintSystem, ConstraintSystemRef};
use serde::Deserialize;
use std::str::FromStr;
use veil_circuits::F;

/// `../shared/vectors/circomlib.json`, or the file named by `VEIL_VECTORS`.
pub fn vectors() -> Vectors {
    let path = std::env::var("VEIL_VECTORS").unwrap_or_else(|_| {
        // At run time, so a build cached from another checkout still reads
        // this checkout's neighbour.
        let dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
        format!("{dir}/../../shared/vectors/circomlib.json")
    });
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reference vectors at {path}: {e} (set VEIL_VECTORS)"));
    serde_json::from_str(&text).expect("vectors parse")
}

#[derive(Deserialize)]
pub struct Vectors {
    pub poseidon: Vec<PoseidonVector>,
    pub babyjub: BabyJubVectors,
    pub eddsa_poseidon: Vec<EddsaVector>,
}

#[derive(Deserialize)]
pub struct PoseidonVector {
    pub inputs: Vec<String>,
    pub output: String,
}

#[derive(Deserialize)]
pub struct BabyJubVectors {
    pub a: String,
    pub d: String,
    pub base8: [String; 2],
    pub generator: [String; 2],
    pub subgroup_order: String,
    pub order: String,
    pub mul: Vec<MulVector>,
}

#[derive(Deserialize)]
pub struct MulVector {
    pub scalar: String,
    pub base8_times_scalar: [String; 2],
}

#[derive(Deserialize)]
pub struct EddsaVector {
    pub private_key_hex: String,
    pub public_key: [String; 2],
    pub message: String,
    pub signature: SignatureVector,
    pub verifies: bool,
}

#[derive(Deserialize)]
pub struct SignatureVector {
    #[serde(rename = "R8")]
    pub r8: [String; 2],
    #[serde(rename = "S")]
    pub s: String,
}

/// A decimal string as a field element (vectors are canonical).
pub fn fe(s: &str) -> F {
    F::from_str(s).expect("decimal field element")
}

/// A fresh constraint system for gadget tests.
pub fn new_cs() -> ConstraintSystemRef<F> {
    ConstraintSystem::<F>::new_ref()
}

/// `cs.is_satisfied()`, with rayon's jobs run inline on the calling thread.
///
/// ark-relations checks each constraint by evaluating its predicate with
/// ark-poly's parallel `sum`: one rayon job per constraint. From a thread
/// outside any pool every job is a hand-off to the global pool and back,
/// futex wake-ups and `sched_yield`s that cost several times the arithmetic
/// in kernel time (the SMT test: 5 s of user and 30 s of system time). The
/// calling thread is made the only worker of a pool of its own (kept for the
/// rest of the test, so later parallel work in that test runs on one
/// thread), where nested parallel iterators run inline.
pub fn satisfied(cs: &ConstraintSystemRef<F>) -> bool {
    thread_local! {
        // Fails only if this thread already is a worker, where jobs run
        // inline anyway.
        static INLINE: Result<rayon::ThreadPool, rayon::ThreadPoolBuildError> =
            rayon::ThreadPoolBuilder::new()
                .num_threads(1)
                .use_current_thread()
                .build();
    }
    INLINE.with(|_| ());
    cs.is_satisfied()
        .expect("the constraint system is checkable")
}
