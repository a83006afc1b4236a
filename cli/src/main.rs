//! `veil`: zero-knowledge KYC compliance for payments, from the command line.
//!
//! `veil demo` runs the whole flow on embedded defaults; the other commands
//! are its steps, reading and writing JSON files (snarkjs's format for proofs
//! and keys). This file is the command tree only: each actor's commands and
//! flags live in its module (setup, holder, issuer and identity, verify,
//! regulator in `veil-regulator`, remote and serve in service), and each
//! command there parses, makes one library call, and renders.

mod commands;
mod dates;
mod demo;
mod files;
mod flags;
mod halo2;
mod holder;
mod identity;
mod issuer;
mod service;
mod setup;
mod signing;
mod verify;

use clap::{Parser, Subcommand};

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
    Demo(demo::DemoArgs),
    /// Keys for the compliance statement. groth16: a one-party setup
    /// (development only). halo2: universal parameters (a published SRS
    /// pinned by its BLAKE3, or generated locally: insecure) and keys.
    Setup(setup::SetupArgs),
    /// DIDs: did:veil in a RocksDB registry (did:key resolves too).
    Did {
        #[command(flatten)]
        db: identity::DbArg,
        #[command(subcommand)]
        command: identity::DidCommand,
    },
    /// W3C Verifiable Credentials (KycCredential) and revocation.
    Vc {
        #[command(flatten)]
        db: identity::DbArg,
        #[command(subcommand)]
        command: identity::VcCommand,
    },
    /// On-chain artifacts.
    Contracts {
        #[command(subcommand)]
        command: verify::ContractsCommand,
    },
    /// Issuer (KYC provider) keys, and answering regulators' disclosures.
    Issuer {
        #[command(subcommand)]
        command: issuer::IssuerCommand,
    },
    /// Holder (wallet) secret.
    Holder {
        #[command(subcommand)]
        command: holder::HolderCommand,
    },
    /// Regulators: escrow keys (single or t-of-n), decryption, audits of a
    /// service's log, disclosure requests (also the `veil-regulator` tool).
    Regulator {
        #[command(subcommand)]
        command: veil_regulator::RegulatorCommand,
    },
    /// Verifier policies.
    Policy {
        #[command(subcommand)]
        command: verify::PolicyCommand,
    },
    /// Issue a ZK credential (JSON) to a holder's commitment.
    Issue(issuer::IssueArgs),
    /// Prove compliance for one payment.
    Prove(holder::ProveArgs),
    /// Run the gRPC prover/verifier service (jobs on RocksDB, API keys,
    /// limits, health, reflection, Prometheus metrics).
    Serve(service::ServeArgs),
    /// Administer the service's database (API keys).
    Admin {
        #[command(subcommand)]
        command: service::AdminCommand,
    },
    /// Call a running `veil serve`: prove, verify, follow jobs.
    Remote(service::RemoteArgs),
    /// Verify a proof (its proof.json names the system), optionally against
    /// a policy and payment.
    Verify(verify::VerifyArgs),
}

fn main() {
    if let Err(e) = run(Cli::parse()) {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Demo(args) => demo::run_args(args),
        Command::Setup(args) => setup::run(args),
        Command::Did { db, command } => identity::run_did(&db, command),
        Command::Vc { db, command } => identity::run_vc(&db, command),
        Command::Contracts { command } => verify::contracts(command),
        Command::Issuer { command } => issuer::run(command),
        Command::Holder { command } => holder::run(command),
        Command::Regulator { command } => veil_regulator::run(command),
        Command::Policy { command } => verify::policy(command),
        Command::Issue(args) => issuer::issue(args),
        Command::Prove(args) => holder::prove(args),
        Command::Serve(args) => service::serve_cmd(args, identity::default_db()),
        Command::Admin { command } => service::admin_cmd(command, identity::default_db()),
        Command::Remote(args) => service::remote_cmd(args),
        Command::Verify(args) => verify::verify(args),
    }
}
