//! The CLI's halo2-KZG side: `veil setup --system halo2` (universal
//! parameters, keys), proving and verifying with them, and the files they
//! travel in. The cryptography is in `veil-halo2`; this module reads and
//! writes files.
//!
//! The files in a keys directory are [`veil_system::keys_dir`]'s.
//!
//! A halo2 `proof.json` is `{"system": "halo2", "proof": "0x…"}`; snarkjs'
//! Groth16 `proof.json` says `"protocol": "groth16"`, so a proof file always
//! names its system.

use crate::files::*;
use anyhow::{Context, Result};
use rand::RngCore;
use std::path::Path;
use std::time::Instant;
use veil_circuits::statement::PublicInputs;
use veil_halo2::keys::{insecure_demo_keys, Halo2Keys};
use veil_halo2::params::UniversalParams;
use veil_halo2::CircuitShape;
use veil_system::{KeysDir, SystemProof};
use veil_verifier::snarkjs;

pub use veil_system::keys_dir::{HALO2_SRS as SRS, HALO2_SRS_PIN as SRS_PIN, HALO2_VK as VK};

/// Where `veil setup --system halo2` takes its universal parameters from.
pub enum SrsSource<'a> {
    /// A published SRS file and the BLAKE3 it must have.
    File {
        /// The file.
        path: &'a Path,
        /// Its expected BLAKE3 (hex).
        blake3: &'a str,
    },
    /// The demo's published seed (INSECURE; matches the committed
    /// `Halo2Verifier.sol`).
    InsecureDemo,
    /// A fresh local seed (INSECURE: this machine saw the toxic waste).
    InsecureLocal,
}

/// `veil setup --system halo2`: parameters, keys, files.
pub fn setup_cmd(out: &Path, source: SrsSource) -> Result<()> {
    let started = Instant::now();
    let shape = CircuitShape::default();
    let (params, keys) = match source {
        SrsSource::File { path, blake3 } => {
            let bytes =
                std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
            let params = UniversalParams::load(&bytes, blake3)
                .with_context(|| format!("{}", path.display()))?;
            let keys = Halo2Keys::generate(&params, shape)?;
            (params, keys)
        }
        SrsSource::InsecureDemo => insecure_demo_keys()?,
        SrsSource::InsecureLocal => {
            let params = UniversalParams::insecure_local(shape.k, rand::rngs::OsRng.next_u64());
            let keys = Halo2Keys::generate(&params, shape)?;
            (params, keys)
        }
    };
    KeysDir::new(out).save_halo2(&params, &keys)?;
    println!(
        "halo2 setup done in {:.1?}: 2^{} rows, {} advice columns; SRS BLAKE3 {}",
        started.elapsed(),
        shape.k,
        keys.layout
            .config
            .num_advice_per_phase
            .iter()
            .sum::<usize>(),
        params.blake3_hex()
    );
    println!("wrote {}/{{{SRS},{SRS_PIN},{VK}}}", out.display());
    if params.is_insecure() {
        println!(
            "WARNING: locally generated universal parameters: their toxic waste is known, anyone who has it can forge proofs. Use a published SRS (--srs, --srs-blake3) in production."
        );
    }
    Ok(())
}

/// Reads a `proof.json` of either system and its `public.json`.
pub fn read_proof_files(proof: &Path, public: &Path) -> Result<(SystemProof, PublicInputs)> {
    let parsed = veil_verifier::proof_from_json(&read_text(proof)?)
        .with_context(|| format!("{}", proof.display()))?;
    let inputs = snarkjs::public_from_str(&read_text(public)?)
        .with_context(|| format!("{}", public.display()))?;
    let typed = PublicInputs::from_slice(&inputs).context("ten public inputs")?;
    Ok((parsed, typed))
}

/// `veil contracts verifier --system halo2`: snark-verifier's Solidity for
/// the keys in `dir`.
pub fn verifier_sol_cmd(dir: &Path, out: &Path) -> Result<()> {
    let keys = KeysDir::new(dir);
    let (params, vk) = (keys.halo2_params()?, keys.halo2_vk()?);
    let label = format!("the halo2 keys in {}", dir.display());
    let source = veil_halo2::evm::solidity_verifier(&params, &vk, &label)?;
    write_text(out, &source)?;
    println!(
        "wrote {} (snark-verifier {}); compile it with the solc of contracts/ (unoptimised, see contracts/scripts/compile.js)",
        out.display(),
        veil_halo2::evm::SNARK_VERIFIER_VERSION
    );
    if params.is_insecure() {
        println!("WARNING: these keys' SRS was generated locally: proofs under it can be forged.");
    }
    Ok(())
}
