//! Figures for one layout of the halo2 statement: `cargo run --profile test
//! -p veil-halo2 --example layouts -- K LOOKUP_BITS` prints the time to make
//! insecure parameters, keys, a proof and its verification, the columns
//! halo2-base chose, and the sizes of the proof, keys and Solidity verifier.
//! `benches/RESULTS.md` records its output for k = 16, 17, 18.

use rand::SeedableRng;
use std::time::Instant;
use veil_circuits::statement::sample::Sample;
use veil_halo2::{keys::Halo2Keys, params::UniversalParams, statement::CircuitShape};

fn arg<T: std::str::FromStr>(i: usize, default: T) -> T {
    std::env::args()
        .nth(i)
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let shape = CircuitShape {
        k: arg(1, veil_halo2::STATEMENT_K),
        lookup_bits: arg(2, veil_halo2::statement::LOOKUP_BITS),
    };
    let t = Instant::now();
    let params = UniversalParams::insecure_local(shape.k, 1);
    println!("insecure params (k = {}): {:?}", shape.k, t.elapsed());
    let t = Instant::now();
    let keys = Halo2Keys::generate(&params, shape).expect("keys");
    println!("keygen: {:?}; layout {:?}", t.elapsed(), keys.layout.config);
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(3);
    let witness = Sample::new(&mut rng).witness().expect("honest sample");
    let t = Instant::now();
    let proof = veil_halo2::prove(&params, &keys, &witness, rand::rngs::OsRng).expect("proof");
    println!(
        "prove: {:?}; proof {} bytes",
        t.elapsed(),
        proof.bytes.len()
    );
    let vk = keys.verifying_key();
    let t = Instant::now();
    veil_halo2::verify(&params, &vk, &proof.bytes, &proof.public).expect("verifies");
    println!("verify: {:?}", t.elapsed());
    println!(
        "proving key {} bytes, verifying key {} bytes",
        keys.to_bytes().len(),
        vk.to_bytes().len()
    );
    let solidity =
        veil_halo2::evm::solidity_verifier(&params, &vk, "an example key").expect("solidity");
    println!("Solidity verifier source: {} bytes", solidity.len());
}
