//! Regenerates `contracts/src/Groth16Verifier.sol` from the insecure demo
//! key and `contracts/src/Halo2Verifier.sol` from the insecure halo2 demo
//! parameters and keys (those `veil demo` and the tests use). Run after the
//! circuit changes, then `npm run build` in `contracts/`; a test fails until
//! both are current.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::path::PathBuf::from(
        std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"),
    )
    .join("src");
    let groth16 = dir.join("Groth16Verifier.sol");
    let keys = veil_prover::insecure_demo_setup(|_| {})?;
    std::fs::write(
        &groth16,
        veil_contracts::demo_verifier_source(keys.verifying_key()),
    )?;
    println!("wrote {}", groth16.display());
    let halo2 = dir.join("Halo2Verifier.sol");
    std::fs::write(&halo2, veil_contracts::demo_halo2_verifier_source()?)?;
    println!("wrote {}", halo2.display());
    Ok(())
}
