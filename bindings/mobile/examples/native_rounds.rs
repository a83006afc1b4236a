//! The native side of `benches/mobile/run.sh`: the same calls the Kotlin
//! program makes (the pinned key loaded from its path, then `prove` on the same request JSON),
//! from Rust, timed the same way (median of ROUNDS after one first proof),
//! so the two figures differ only by the binding.
//!
//! `native_rounds WALLET_DIR ROUNDS` prints the key's pin (the Kotlin run
//! takes it as an argument) and the timings.

use std::path::Path;
use std::time::Instant;
use veil_mobile::WalletProver;

fn doc(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, dir, rounds] = &args[..] else {
        eprintln!("usage: native_rounds WALLET_DIR ROUNDS");
        std::process::exit(2);
    };
    let dir = Path::new(dir);
    let rounds: usize = rounds.parse().expect("ROUNDS is a number");
    let key = std::fs::read(dir.join("compliance.pk")).expect("compliance.pk");
    let pin = veil_prover::keys::KeyPin::of(&key).to_string();
    println!("pin {pin}");
    let request = format!(
        r#"{{"credential":{},"holder":{},"policy":{},"context":{},"issuers":{},"revoked":{}}}"#,
        doc(dir, "credential.json"),
        doc(dir, "holder.json"),
        doc(dir, "policy.json"),
        doc(dir, "context.json"),
        doc(dir, "issuers.json"),
        doc(dir, "revoked.json"),
    );

    let start = Instant::now();
    let path = dir.join("compliance.pk").to_string_lossy().into_owned();
    let prover = WalletProver::from_pinned_key_path(path, pin).expect("the key loads");
    println!("load pinned key from its path: {:.1} ms", ms(start));
    let start = Instant::now();
    prover.prove(request.clone()).expect("proves");
    println!("first prove: {:.1} ms", ms(start));
    let mut times: Vec<f64> = (0..rounds)
        .map(|_| {
            let start = Instant::now();
            prover.prove(request.clone()).expect("proves");
            ms(start)
        })
        .collect();
    times.sort_by(f64::total_cmp);
    if let (Some(first), Some(last)) = (times.first(), times.last()) {
        println!(
            "native prove, median of {rounds}: {:.1} ms (min {first:.1}, max {last:.1})",
            times[rounds / 2]
        );
    }
}

fn ms(start: Instant) -> f64 {
    start.elapsed().as_secs_f64() * 1e3
}
