//! `veil setup`: the keys of the compliance statement, for either system.

use crate::flags::SystemArg;
use anyhow::{bail, Result};
use clap::Args;
use std::path::PathBuf;
use veil_prover::ProvingSystem;

/// `veil setup`'s flags.
#[derive(Args)]
pub struct SetupArgs {
    /// Directory for compliance.pk, compliance.vk, verification_key.json
    /// (groth16) or halo2.srs, halo2.srs.blake3, halo2.vk (halo2).
    #[arg(long, default_value = "keys")]
    out: PathBuf,
    /// Make the published, INSECURE demo keys instead (their toxic waste
    /// is known; they match the committed contracts/src/Groth16Verifier.sol
    /// and Halo2Verifier.sol).
    #[arg(long)]
    insecure_demo_key: bool,
    #[command(flatten)]
    system: SystemArg,
    /// halo2: a published powers-of-tau SRS in halo2's format.
    #[arg(long, requires = "srs_blake3")]
    srs: Option<PathBuf>,
    /// halo2: the BLAKE3 (hex) the --srs file must have.
    #[arg(long, requires = "srs")]
    srs_blake3: Option<String>,
}

/// Runs `veil setup`.
pub fn run(args: SetupArgs) -> Result<()> {
    match args.system.system {
        ProvingSystem::Groth16 if args.srs.is_some() => {
            bail!("--srs is for halo2: Groth16 needs a per-circuit ceremony")
        }
        ProvingSystem::Groth16 => crate::commands::setup_cmd(&args.out, args.insecure_demo_key),
        ProvingSystem::Halo2Kzg => crate::halo2::setup_cmd(
            &args.out,
            match (&args.srs, &args.srs_blake3) {
                (Some(path), Some(blake3)) => crate::halo2::SrsSource::File { path, blake3 },
                _ if args.insecure_demo_key => crate::halo2::SrsSource::InsecureDemo,
                _ => crate::halo2::SrsSource::InsecureLocal,
            },
        ),
    }
}
