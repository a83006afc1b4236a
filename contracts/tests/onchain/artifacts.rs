//! The committed verifier is the one the demo key generates.

#[test]
fn the_committed_verifier_matches_the_demo_key() {
    let path = std::path::PathBuf::from(
        std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"),
    )
    .join("src/Groth16Verifier.sol");
    let committed = std::fs::read_to_string(&path).unwrap();
    let fresh = veil_contracts::demo_verifier_source().unwrap();
    assert!(
        committed == fresh,
        "src/Groth16Verifier.sol is stale: run `cargo run -p veil-contracts --example generate_verifier`, then `npm run build` in contracts/"
    );
}

#[test]
fn the_committed_halo2_verifier_matches_the_halo2_demo_keys() {
    let path = std::path::PathBuf::from(
        std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"),
    )
    .join("src/Halo2Verifier.sol");
    let committed = std::fs::read_to_string(&path).unwrap();
    let fresh = veil_contracts::demo_halo2_verifier_source().unwrap();
    assert!(
        committed == fresh,
        "src/Halo2Verifier.sol is stale: run `cargo run -p veil-contracts --example generate_verifier`, then `npm run build` in contracts/"
    );
}

#[test]
fn every_embedded_artifact_parses() {
    for name in veil_contracts::artifacts::names() {
        let a = veil_contracts::artifacts::Artifact::load(name).unwrap();
        assert!(!a.bytecode.is_empty(), "{name} has no bytecode");
    }
}
