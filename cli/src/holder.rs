//! The holder (wallet): its secret, and `veil prove`, a compliance proof for
//! one payment.

use crate::files::read_document;
use crate::flags::{ProofDocuments, SystemArg};
use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use rand::rngs::OsRng;
use std::path::PathBuf;
use std::time::Instant;
use veil_circuits::statement::files::{
    CredentialJson, HolderJson, IssuerListJson, PaymentContextJson, PolicyJson, RevocationListJson,
};
use veil_circuits::statement::{escrow_randomness, Registry};

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

/// Runs `veil prove`: the holder's documents into a witness (the wallet is
/// told which rule fails, if one does), then a proof and its files.
pub fn prove(a: ProveArgs) -> Result<()> {
    let docs = &a.documents;
    let credential = read_document(&docs.credential, CredentialJson::to_credential)?;
    let holder = read_document(&docs.holder, HolderJson::to_secret)?;
    let policy = read_document(&docs.policy, PolicyJson::to_policy)?;
    let issuers = read_document(&a.issuers, IssuerListJson::to_keys)?;
    let revoked = read_document(&a.revoked, RevocationListJson::to_ids)?;
    let context = read_document(&docs.context, PaymentContextJson::to_context)?;
    let witness = Registry::new(&issuers, &revoked)?
        .witness(
            credential,
            holder,
            policy,
            context,
            escrow_randomness(&mut OsRng),
        )
        .context("cannot prove")?;
    let system = a.system.system;
    let prover = crate::commands::load_prover(system, &a.keys)?;
    let started = Instant::now();
    let (proof, public) = prover.prove(witness, &mut OsRng)?;
    let elapsed = started.elapsed();
    crate::commands::write_any_proof_files(&a.out, &proof, &public)?;
    println!(
        "proved with {system} in {elapsed:.1?}; wrote proof.json, public.json, calldata.txt to {}",
        a.out.display()
    );
    Ok(())
}
