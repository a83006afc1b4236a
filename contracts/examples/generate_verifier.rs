//! Regenerates `contracts/src/Groth16Verifier.sol` from the insecure demo
//! key (the key `veil demo` and the tests use). Run after the circuit
//! changes, then `npm run build` in `contracts/`; a test fails until both
//! are current.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::path::PathBuf::from(
        std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"),
    )
    .join("src/Groth16Verifier.sol");
    std::fs::write(&path, veil_contracts::demo_verifier_source()?)?;
    println!("wrote {}", path.display());
    Ok(())
}
