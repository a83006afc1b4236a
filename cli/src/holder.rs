//! The holder (wallet): its secret, and `veil prove`, a compliance proof for
//! one payment.

use crate::flags::{ProofDocuments, SystemArg};
use anyhow::Result;
use clap::{Args, Subcommand};
use std::path::PathBuf;

/// `veil holder …`.
#[derive(Subcommand)]
pub enum HolderCommand {
    /// Make a new key and write it to a file.
    Keygen {
        /// Output file.
        #[arg(long)]
        out: PathBuf,
    },
}

/// Runs `veil holder …`.
pub fn run(command: HolderCommand) -> Result<()> {
    match command {
        HolderCommand::Keygen { out } => crate::commands::holder_keygen(&out),
    }
}

/// `veil prove`'s flags.
#[derive(Args)]
pub struct ProveArgs {
    /// Directory written by `veil setup`.
    #[arg(long, default_value = "keys")]
    keys: PathBuf,
    #[command(flatten)]
    documents: ProofDocuments,
    /// Trusted issuer list ({"issuers": [{x, y}, ...]}).
    #[arg(long)]
    issuers: PathBuf,
    /// Revocation list ({"revoked": ["id", ...]}).
    #[arg(long)]
    revoked: PathBuf,
    /// Output directory for proof.json, public.json, calldata.txt.
    #[arg(long, default_value = "proof")]
    out: PathBuf,
    #[command(flatten)]
    system: SystemArg,
}

/// Runs `veil prove`.
pub fn prove(args: ProveArgs) -> Result<()> {
    crate::commands::prove_cmd(
        &crate::commands::ProveArgs {
            system: args.system.system,
            keys: &args.keys,
            credential: &args.documents.credential,
            holder: &args.documents.holder,
            policy: &args.documents.policy,
            issuers: &args.issuers,
            revoked: &args.revoked,
            context: &args.documents.context,
        },
        &args.out,
    )
}
