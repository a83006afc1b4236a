//! Writes the Solidity verifier for the statement's keys under insecure
//! parameters from `SEED` to stdout: `cargo run -p veil-halo2 --example
//! solidity -- SEED > Halo2Verifier.sol`.

use veil_halo2::{keys::Halo2Keys, params::UniversalParams, statement::CircuitShape};

fn main() {
    let seed: u64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    let params = UniversalParams::insecure_local(CircuitShape::default().k, seed);
    let keys = Halo2Keys::generate(&params, CircuitShape::default()).expect("keys");
    let solidity =
        veil_halo2::evm::solidity_verifier(&params, &keys.verifying_key()).expect("solidity");
    print!("{solidity}");
}
