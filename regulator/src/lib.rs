//! The regulator's tool: what a regulator runs, and all it builds. Escrow
//! keys ([`keys`]), audits of a service's transparency log ([`audit`]), and
//! disclosures ([`disclose`]: logged first, opened by officials' partials
//! released only for the logged request — the tool opens no escrow
//! otherwise), as the
//! `veil-regulator` binary and as `veil regulator …` in the `veil` CLI (one
//! [`RegulatorCommand`], so each flag is declared once).
//!
//! Logs are read over gRPC through `veil-client`; the tool links neither the
//! server, its job store nor RocksDB unless built with `local-log` (a log
//! directory on this machine), as the CLI is.

// Every public item says why it exists (CI denies warnings).
#![warn(missing_docs)]

pub mod audit;
pub mod disclose;
pub mod keys;

use anyhow::Result;
use clap::Subcommand;
use std::path::PathBuf;

/// The regulator's commands.
#[derive(Subcommand, Debug)]
pub enum RegulatorCommand {
    /// Make a new escrow key, or split a new one t-of-n between officials.
    Keygen {
        /// Output file (single key).
        #[arg(long, default_value = "regulator.json")]
        out: PathBuf,
        /// Split the key T/N (e.g. 2/3): writes group.json and one share
        /// file per official into --out-dir; the key itself is never written.
        #[arg(long)]
        threshold: Option<veil_circuits::shamir::Threshold>,
        /// Directory for a split key.
        #[arg(long, default_value = "regulator-shares")]
        out_dir: PathBuf,
    },
    /// Audit a service's log: signed head, consistency with the last head
    /// seen, every entry re-hashed; summary, CSV and JSON. Opens no escrow.
    Audit(audit::AuditArgs),
    /// Ask to open one entry's escrow: the request is recorded in the log,
    /// then written for the officials.
    Disclose(disclose::DiscloseArgs),
    /// An official: release this share's partial decryption for a request
    /// that is in the log (checked), bound to its record.
    Release(disclose::ReleaseArgs),
    /// Attach t officials' partials to a logged request, checked: the
    /// request for the issuer.
    Open(disclose::OpenArgs),
}

/// Runs one command.
pub fn run(command: RegulatorCommand) -> Result<()> {
    match command {
        RegulatorCommand::Keygen {
            out,
            threshold: None,
            ..
        } => keys::keygen(&out, None),
        RegulatorCommand::Keygen {
            threshold: Some(t),
            out_dir,
            ..
        } => keys::keygen(&out_dir, Some(t)),
        RegulatorCommand::Audit(args) => audit::audit_cmd(args),
        RegulatorCommand::Disclose(args) => disclose::disclose_cmd(args),
        RegulatorCommand::Release(args) => disclose::release_cmd(args),
        RegulatorCommand::Open(args) => disclose::open_cmd(args),
    }
}
