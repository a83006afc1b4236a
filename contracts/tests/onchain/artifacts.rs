//! The committed verifiers are the ones the demo keys generate.

/// Fails unless `src/{file}` equals `fresh`.
fn assert_current(file: &str, fresh: &str) {
    let path = std::path::PathBuf::from(
        std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"),
    )
    .join("src")
    .join(file);
    let committed = std::fs::read_to_string(&path).unwrap();
    assert!(
        committed == fresh,
        "src/{file} is stale: run `cargo run -p veil-contracts --example generate_verifier`, then `npm run build` in contracts/"
    );
}

#[test]
fn the_committed_verifier_matches_the_demo_key() {
    assert_current(
        "Groth16Verifier.sol",
        &veil_contracts::demo_verifier_source(
            veil_prover::insecure_demo_setup(|_| {})
                .unwrap()
                .verifying_key(),
        ),
    );
}

#[test]
fn the_committed_halo2_verifier_matches_the_halo2_demo_keys() {
    assert_current(
        "Halo2Verifier.sol",
        &veil_contracts::demo_halo2_verifier_source().unwrap(),
    );
}
#[test]
fn every_embedded_artifact_parses() {
    for name in veil_contracts::artifacts::names() {
        let a = veil_contracts::artifacts::Artifact::load(name).unwrap();
        assert!(!a.bytecode.is_empty(), "{name} has no bytecode");
    }
}
