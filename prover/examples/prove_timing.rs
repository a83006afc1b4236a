//! Times a Groth16 proof of the sample statement in whatever build profile
//! this example is compiled with, so that profiles can be compared side by
//! side, built once each and run interleaved (`benches/RESULTS.md`, "The
//! build a wallet runs"):
//!
//! ```sh
//! cargo build --profile wallet -p veil-prover --example prove_timing
//! target/wallet/examples/prove_timing 9
//! ```
//!
//! Prints one JSON line: the medians, in milliseconds, over RUNS runs each,
//! of the witness's synthesis (the circuit's assignment), the witness map,
//! a proof without its self-check (synthesis included) and a whole prove
//! (synthesis, proof, self-check); the checked witness is made outside the
//! timings.

use rand::SeedableRng;
use std::time::Instant;
use veil_circuits::statement::sample::Sample;
use veil_prover::{insecure_demo_setup, Prover};

/// The median time of `run` over `runs` runs, each given a fresh input
/// from `input` (made outside the timing).
fn median_ms<T>(runs: usize, mut input: impl FnMut() -> T, mut run: impl FnMut(T)) -> f64 {
    let mut times: Vec<f64> = (0..runs)
        .map(|_| {
            let x = input();
            let start = Instant::now();
            run(x);
            start.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

fn main() {
    let runs: usize = match std::env::args().nth(1).map(|s| s.parse()) {
        None => 5,
        Some(Ok(n)) if n > 0 => n,
        Some(_) => {
            eprintln!("usage: prove_timing [RUNS > 0]");
            std::process::exit(2);
        }
    };
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
    let keys = insecure_demo_setup(|_| {}).expect("setup");
    let prover = Prover::for_keys(keys);
    let sample = Sample::new(&mut rng);
    let witness = || sample.witness().expect("witness");
    let assignment = prover.assignment(witness()).expect("assignment");

    let synthesis = median_ms(runs, witness, |w| {
        std::hint::black_box(prover.assignment(w).expect("assignment"));
    });
    let witness_map = median_ms(
        runs,
        || (),
        |()| {
            std::hint::black_box(prover.witness_map(&assignment).expect("witness map"));
        },
    );
    let unchecked = median_ms(runs, witness, |w| {
        std::hint::black_box(prover.prove_unchecked(w, &mut rng).expect("prove"));
    });
    let prove = median_ms(runs, witness, |w| {
        std::hint::black_box(prover.prove(w, &mut rng).expect("prove"));
    });
    println!(
        "{{\"runs\": {runs}, \"synthesis_ms\": {synthesis:.1}, \"witness_map_ms\": {witness_map:.1}, \
         \"prove_unchecked_ms\": {unchecked:.1}, \"prove_ms\": {prove:.1}}}"
    );
}
