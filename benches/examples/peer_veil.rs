//! veil's side of the peer comparison: the same sample the circom circuit
//! gets, timed as snarkjs is timed (median of N runs, wall clock), printed
//! as JSON for `benches/peer/run.sh`.

use ark_std::rand::{rngs::StdRng, SeedableRng};
use serde_json::json;
use std::time::Instant;
use veil_circuits::statement::sample::Sample;
use veil_prover::{setup, Prover};
use veil_verifier::PreparedKey;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> f64 {
    median(
        (0..runs)
            .map(|_| {
                let t = Instant::now();
                std::hint::black_box(f());
                t.elapsed().as_secs_f64()
            })
            .collect(),
    )
}

fn main() {
    let runs: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    let mut rng = StdRng::seed_from_u64(2);
    let sample = Sample::new(&mut StdRng::seed_from_u64(1));
    let t = Instant::now();
    let keys = setup(&mut rng, |_| {}).expect("setup");
    let setup_s = t.elapsed().as_secs_f64();
    let constraints = keys.shape.num_constraints;
    let prover = Prover::new(keys.proving_key.clone()).expect("prover");
    let key = PreparedKey::new(keys.verifying_key()).expect("key");

    let witness_s = time(runs, || {
        prover
            .assignment(sample.witness().expect("witness"))
            .expect("assignment")
    });
    let prove_s = time(runs, || {
        prover
            .prove(sample.witness().expect("witness"), &mut rng)
            .expect("prove")
    });
    let (proof, public) = prover
        .prove(sample.witness().expect("witness"), &mut rng)
        .expect("prove");
    let verify_s = time(runs.max(50), || {
        key.verify_statement(&proof, &public).expect("valid")
    });
    println!(
        "{}",
        json!({
            "constraints": constraints,
            "setup_s": setup_s,
            "witness_s": witness_s,
            "fullprove_s": prove_s,
            "verify_s": verify_s,
        })
    );
}
