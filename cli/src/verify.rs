//! The verifier (an exchange, a payment path): its policies, `veil verify`,
//! and the on-chain verifier contracts.

use crate::files::ProofToCheck;
use crate::files::{public_key_of, write_json};
use crate::flags::SystemArg;
use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use std::path::PathBuf;
use veil_circuits::encoding::field_to_decimal;
use veil_circuits::statement::default_policy;
use veil_circuits::statement::files::PolicyJson;
use veil_circuits::statement::Policy;
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
    New(PolicyArgs),
}

/// `veil policy new`'s flags; every default is the library's
/// ([`default_policy`]).
#[derive(Args)]
pub struct PolicyArgs {
    /// The regulator's key, group or share file (its public key is used).
    #[arg(long)]
    pub regulator: PathBuf,
    /// Minimum age in years.
    #[arg(long, default_value_t = default_policy::MIN_AGE_YEARS)]
    pub min_age_years: u32,
    /// Maximum risk score.
    #[arg(long, default_value_t = default_policy::MAX_RISK)]
    pub max_risk: u16,
    /// Minimum KYC level.
    #[arg(long, default_value_t = default_policy::MIN_KYC_LEVEL)]
    pub min_kyc_level: u8,
    /// Allowed subject types, comma-separated.
    #[arg(long, value_delimiter = ',', default_values_t = default_policy::SUBJECT_TYPES)]
    pub subject_types: Vec<u8>,
    /// Barred ISO numeric country codes, comma-separated (at most 16).
    #[arg(long, value_delimiter = ',', default_values_t = default_policy::BARRED_COUNTRIES)]
    pub barred: Vec<u16>,
    /// Output file.
    #[arg(long, default_value = "policy.json")]
    pub out: PathBuf,
}

/// Runs `veil policy …`.
pub fn policy(command: PolicyCommand) -> Result<()> {
    match command {
        PolicyCommand::New(args) => policy_new(&args),
    }
}

/// `veil policy new`.
fn policy_new(a: &PolicyArgs) -> Result<()> {
    let regulator_key = public_key_of(&a.regulator)?
        .to_key("regulator public_key")
        .with_context(|| format!("{}", a.regulator.display()))?;
    let policy = Policy::kyc(
        a.min_age_years,
        a.max_risk,
        a.min_kyc_level,
        &a.subject_types,
        a.barred.clone(),
        regulator_key,
    )?;
    let hash = policy.hash()?;
    write_json(&a.out, &PolicyJson::from_policy(&policy))?;
    println!(
        "policy {} written to {}",
        field_to_decimal(&hash),
        a.out.display()
    );
    Ok(())
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
