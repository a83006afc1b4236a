//! The verifier (an exchange, a payment path): its policies, `veil verify`,
//! and the on-chain verifier contracts.

use crate::files::ProofToCheck;
use crate::flags::SystemArg;
use anyhow::Result;
use clap::{Args, Subcommand};
use std::path::PathBuf;
use veil_prover::ProvingSystem;

/// `veil verify`'s flags.
#[derive(Args)]
pub struct VerifyArgs {
    /// verification_key.json or compliance.vk (groth16); halo2.vk, or any
    /// file in the keys directory that holds it (halo2).
    #[arg(long, default_value = "keys/verification_key.json")]
    vk: PathBuf,
    #[command(flatten)]
    check: ProofToCheck,
}

/// Runs `veil verify`.
pub fn verify(args: VerifyArgs) -> Result<()> {
    crate::commands::verify_cmd(&args.vk, &args.check)
}

/// `veil policy …`.
#[derive(Subcommand)]
pub enum PolicyCommand {
    /// Write a policy.
    New {
        /// The regulator's key, group or share file (its public key is used).
        #[arg(long)]
        regulator: PathBuf,
        /// Minimum age in years.
        #[arg(long, default_value_t = 18)]
        min_age_years: u32,
        /// Maximum risk score.
        #[arg(long, default_value_t = 500)]
        max_risk: u16,
        /// Minimum KYC level.
        #[arg(long, default_value_t = 2)]
        min_kyc_level: u8,
        /// Allowed subject types, comma-separated.
        #[arg(long, default_value = "0,1")]
        subject_types: String,
        /// Barred ISO numeric country codes, comma-separated (at most 16).
        #[arg(long, default_value = "408,364,760")]
        barred: String,
        /// Output file.
        #[arg(long, default_value = "policy.json")]
        out: PathBuf,
    },
}

/// Runs `veil policy …`.
pub fn policy(command: PolicyCommand) -> Result<()> {
    match command {
        PolicyCommand::New {
            regulator,
            min_age_years,
            max_risk,
            min_kyc_level,
            subject_types,
            barred,
            out,
        } => crate::commands::policy_cmd(
            &regulator,
            min_age_years,
            max_risk,
            min_kyc_level,
            &subject_types,
            &barred,
            &out,
        ),
    }
}

/// `veil contracts …`.
#[derive(Subcommand)]
pub enum ContractsCommand {
    /// Generate the Solidity verifier for a verifying key: Groth16Verifier.sol,
    /// or with --system halo2 snark-verifier's Halo2Verifier.sol (compile it
    /// with the same solc as contracts/, e.g. `npm run build` there).
    Verifier {
        /// verification_key.json or compliance.vk (groth16); a file in the
        /// halo2 keys directory (halo2).
        #[arg(long, default_value = "keys/compliance.vk")]
        vk: PathBuf,
        /// Output file.
        #[arg(long, default_value = "Groth16Verifier.sol")]
        out: PathBuf,
        #[command(flatten)]
        system: SystemArg,
    },
}

/// Runs `veil contracts …`.
pub fn contracts(command: ContractsCommand) -> Result<()> {
    match command {
        ContractsCommand::Verifier { vk, out, system } => match system.system {
            ProvingSystem::Groth16 => crate::commands::verifier_sol_cmd(&vk, &out),
            ProvingSystem::Halo2Kzg => {
                crate::halo2::verifier_sol_cmd(veil_system::KeysDir::of_key_path(&vk).path(), &out)
            }
        },
    }
}
