//! `veil`: zero-knowledge KYC compliance for payments, from the command line.
//!
//! `veil demo` runs the whole flow on embedded defaults; the other commands
//! are its steps, reading and writing JSON files (snarkjs's format for proofs
//! and keys).

mod commands;
mod dates;
mod demo;
mod files;

use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "veil",
    version,
    about = "Zero-knowledge KYC compliance proofs for payments"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the whole flow in a temporary directory: keys, credential, proof,
    /// verification, a tampered payment, a revoked credential, the regulator.
    Demo {
        /// Print one JSON report instead of lines.
        #[arg(long)]
        json: bool,
    },
    /// Groth16 setup for the compliance statement (one party: development only).
    Setup {
        /// Directory for compliance.pk, compliance.vk, verification_key.json.
        #[arg(long, default_value = "keys")]
        out: PathBuf,
        /// Make the published, INSECURE demo key instead (its toxic waste is
        /// known; it matches the committed contracts/src/Groth16Verifier.sol).
        #[arg(long)]
        insecure_demo_key: bool,
    },
    /// On-chain artifacts.
    Contracts {
        #[command(subcommand)]
        command: ContractsCommand,
    },
    /// Issuer (KYC provider) keys.
    Issuer {
        #[command(subcommand)]
        command: KeygenOnly,
    },
    /// Holder (wallet) secret.
    Holder {
        #[command(subcommand)]
        command: KeygenOnly,
    },
    /// Regulator escrow keys and decryption.
    Regulator {
        #[command(subcommand)]
        command: RegulatorCommand,
    },
    /// Verifier policies.
    Policy {
        #[command(subcommand)]
        command: PolicyCommand,
    },
    /// Issue a ZK credential (JSON) to a holder's commitment.
    Issue {
        /// Issuer key file.
        #[arg(long)]
        issuer_key: PathBuf,
        /// The holder's commitment (decimal), from `veil holder keygen`.
        #[arg(long)]
        holder: String,
        /// Birth date, YYYY-MM-DD.
        #[arg(long)]
        birth_date: String,
        /// ISO 3166-1 numeric country code.
        #[arg(long)]
        country: u16,
        /// 1 basic, 2 enhanced, 3 KYB.
        #[arg(long)]
        kyc_level: u8,
        /// 0 (none) to 1000 (severe).
        #[arg(long)]
        risk_score: u16,
        /// 0 person, 1 business, 2 machine.
        #[arg(long, default_value_t = 0)]
        subject_type: u8,
        /// Issue date, YYYY-MM-DD (default today).
        #[arg(long)]
        issued: Option<String>,
        /// Days of validity.
        #[arg(long, default_value_t = 365)]
        valid_days: u32,
        /// Output file.
        #[arg(long, default_value = "credential.json")]
        out: PathBuf,
    },
    /// Prove compliance for one payment.
    Prove {
        /// Directory written by `veil setup`.
        #[arg(long, default_value = "keys")]
        keys: PathBuf,
        /// Credential file.
        #[arg(long)]
        credential: PathBuf,
        /// Holder secret file.
        #[arg(long)]
        holder: PathBuf,
        /// Policy file.
        #[arg(long)]
        policy: PathBuf,
        /// Trusted issuer list ({"issuers": [{x, y}, ...]}).
        #[arg(long)]
        issuers: PathBuf,
        /// Revocation list ({"revoked": ["id", ...]}).
        #[arg(long)]
        revoked: PathBuf,
        /// Payment context ({"today", "scope", "payment_hash"}).
        #[arg(long)]
        context: PathBuf,
        /// Output directory for proof.json, public.json, calldata.txt.
        #[arg(long, default_value = "proof")]
        out: PathBuf,
    },
    /// Verify a proof (snarkjs files), optionally against a policy and payment.
    Verify {
        /// verification_key.json or compliance.vk.
        #[arg(long, default_value = "keys/verification_key.json")]
        vk: PathBuf,
        /// proof.json.
        #[arg(long, default_value = "proof/proof.json")]
        proof: PathBuf,
        /// public.json.
        #[arg(long, default_value = "proof/public.json")]
        public: PathBuf,
        /// Require the proof to be for this policy.
        #[arg(long)]
        policy: Option<PathBuf>,
        /// Require the proof to be for this payment context.
        #[arg(long)]
        context: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum ContractsCommand {
    /// Generate Groth16Verifier.sol for a verifying key (compile it with the
    /// same solc as contracts/, e.g. `npm run build` there).
    Verifier {
        /// verification_key.json or compliance.vk.
        #[arg(long, default_value = "keys/compliance.vk")]
        vk: PathBuf,
        /// Output file.
        #[arg(long, default_value = "Groth16Verifier.sol")]
        out: PathBuf,
    },
}

#[derive(Subcommand)]
enum KeygenOnly {
    /// Make a new key and write it to a file.
    Keygen {
        /// Output file.
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Subcommand)]
enum RegulatorCommand {
    /// Make a new escrow key.
    Keygen {
        /// Output file.
        #[arg(long, default_value = "regulator.json")]
        out: PathBuf,
    },
    /// Recover the credential id escrowed in a proof's public inputs.
    Decrypt {
        /// Regulator key file.
        #[arg(long)]
        key: PathBuf,
        /// public.json of the proof.
        #[arg(long)]
        public: PathBuf,
    },
}

#[derive(Subcommand)]
enum PolicyCommand {
    /// Write a policy.
    New {
        /// The regulator's key file (its public key is used).
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

fn main() {
    if let Err(e) = run(Cli::parse()) {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Demo { json } => demo::run(json),
        Command::Setup {
            out,
            insecure_demo_key,
        } => commands::setup_cmd(&out, insecure_demo_key),
        Command::Contracts {
            command: ContractsCommand::Verifier { vk, out },
        } => commands::verifier_sol_cmd(&vk, &out),
        Command::Issuer {
            command: KeygenOnly::Keygen { out },
        } => commands::issuer_keygen(&out),
        Command::Holder {
            command: KeygenOnly::Keygen { out },
        } => commands::holder_keygen(&out),
        Command::Regulator { command } => match command {
            RegulatorCommand::Keygen { out } => commands::regulator_keygen(&out),
            RegulatorCommand::Decrypt { key, public } => commands::decrypt_cmd(&key, &public),
        },
        Command::Policy {
            command:
                PolicyCommand::New {
                    regulator,
                    min_age_years,
                    max_risk,
                    min_kyc_level,
                    subject_types,
                    barred,
                    out,
                },
        } => commands::policy_cmd(
            &regulator,
            min_age_years,
            max_risk,
            min_kyc_level,
            &subject_types,
            &barred,
            &out,
        ),
        Command::Issue {
            issuer_key,
            holder,
            birth_date,
            country,
            kyc_level,
            risk_score,
            subject_type,
            issued,
            valid_days,
            out,
        } => commands::issue_cmd(
            &issuer_key,
            &commands::IssueArgs {
                holder: &holder,
                birth_date: &birth_date,
                country,
                kyc_level,
                risk_score,
                subject_type,
                issued: issued.as_deref(),
                valid_days,
            },
            &out,
        ),
        Command::Prove {
            keys,
            credential,
            holder,
            policy,
            issuers,
            revoked,
            context,
            out,
        } => commands::prove_cmd(
            &commands::ProveArgs {
                keys: &keys,
                credential: &credential,
                holder: &holder,
                policy: &policy,
                issuers: &issuers,
                revoked: &revoked,
                context: &context,
            },
            &out,
        ),
        Command::Verify {
            vk,
            proof,
            public,
            policy,
            context,
        } => commands::verify_cmd(&vk, &proof, &public, policy.as_deref(), context.as_deref()),
    }
}
