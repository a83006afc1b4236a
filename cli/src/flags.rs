//! Flags more than one command takes, declared once.

use clap::Args;
use std::path::PathBuf;
use veil_prover::ProvingSystem;

/// `--system`: which proof system a command works with.
#[derive(Args, Clone, Copy, Debug)]
pub struct SystemArg {
    /// The proving system: groth16, or halo2 (KZG, universal setup); keys
    /// come from `veil setup --system` of the same name.
    #[arg(long, default_value = "groth16")]
    pub system: ProvingSystem,
}

/// The holder's documents a proof is made from, local (`veil prove`) or on
/// a server (`veil remote prove`).
#[derive(Args, Clone, Debug)]
pub struct ProofDocuments {
    /// Credential file.
    #[arg(long)]
    pub credential: PathBuf,
    /// Holder secret file.
    #[arg(long)]
    pub holder: PathBuf,
    /// Policy file.
    #[arg(long)]
    pub policy: PathBuf,
    /// Payment context ({"today", "scope", "payment_hash"}).
    #[arg(long)]
    pub context: PathBuf,
}
