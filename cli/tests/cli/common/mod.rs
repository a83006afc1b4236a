//! Running the `veil` binary from the CLI's tests.

#![allow(dead_code)]

pub mod interop;

use std::path::Path;
use std::process::{Command, Output};

/// The claims the tests issue (`veil issue` flags): an adult in France
/// (250) at KYC level 2 with risk score 90.
pub const SAMPLE_CLAIMS: [&str; 10] = [
    "--name",
    "Jean Dupont",
    "--birth-date",
    "1990-05-17",
    "--country",
    "250",
    "--kyc-level",
    "2",
    "--risk-score",
    "90",
];

/// `veil did create` key flags of an issuer made by `veil did keygen`
/// (`controller.jwk`, `vc.jwk`) and `veil issuer keygen` (`bjj.json`).
pub const ISSUER_DID_KEYS: [&str; 6] = [
    "--key",
    "controller.jwk",
    "--vc-key",
    "vc.jwk",
    "--bjj",
    "bjj.json",
];

/// `veil issue` arguments: `before`, the [`SAMPLE_CLAIMS`], then `after`.
pub fn with_claims<'a>(before: &[&'a str], after: &[&'a str]) -> Vec<&'a str> {
    [before, &SAMPLE_CLAIMS[..], after].concat()
}

/// A command line's words, split at white space, so a test reads like the
/// command a user types (the tests' paths and values have no spaces).
pub fn words(line: &str) -> Vec<&str> {
    line.split_whitespace().collect()
}

/// `veil ARGS` in `dir` with extra environment variables.
pub fn veil_env(args: &[&str], dir: &Path, env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_veil"))
        .args(args)
        .current_dir(dir)
        .envs(env.iter().copied())
        .output()
        .expect("run veil")
}

/// `veil ARGS` in `dir`.
pub fn veil(args: &[&str], dir: &Path) -> Output {
    veil_env(args, dir, &[])
}

/// Asserts success; returns stdout.
pub fn ok_env(args: &[&str], dir: &Path, env: &[(&str, &str)]) -> String {
    let out = veil_env(args, dir, env);
    assert!(
        out.status.success(),
        "veil {args:?} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Asserts success; returns stdout.
pub fn ok(args: &[&str], dir: &Path) -> String {
    ok_env(args, dir, &[])
}

/// Asserts a clean failure (exit 1, no panic); returns stderr.
pub fn fails_env(args: &[&str], dir: &Path, env: &[(&str, &str)]) -> String {
    let out = veil_env(args, dir, env);
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(
        out.status.code(),
        Some(1),
        "veil {args:?} should fail cleanly:\n{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    err
}

/// Asserts a clean failure (exit 1, no panic); returns stderr.
pub fn fails(args: &[&str], dir: &Path) -> String {
    fails_env(args, dir, &[])
}
