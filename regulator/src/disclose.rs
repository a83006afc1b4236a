//! `disclose`: the regulator opens one verification's escrow and asks the
//! issuer who it was. The request is recorded in the log before it is
//! written (the service records it with `--server`), so every disclosure a
//! regulator makes is on the record the next audit reads.

use crate::audit::{decryptor, remote, KeyArgs, LogArgs};
use crate::files::{read_json, write_json};
use anyhow::{bail, Context, Result};
use clap::Args;
use rand::rngs::OsRng;
use std::path::PathBuf;
use veil_audit::disclosure::{self, DisclosureLog};
use veil_audit::AuditorState;
use veil_circuits::statement::files::PolicyJson;

/// `disclose`'s flags.
#[derive(Args, Debug)]
pub struct DiscloseArgs {
    #[command(flatten)]
    log: LogArgs,
    #[command(flatten)]
    keys: KeyArgs,
    /// The log operator's key, to record the request in a local --log
    /// (with --server, the service records it).
    #[arg(long)]
    operator_key: Option<PathBuf>,
    /// The log's did:key (default: from --state).
    #[arg(long)]
    log_id: Option<String>,
    /// The audit state whose log id to use.
    #[arg(long, default_value = "audit-state.json")]
    state: PathBuf,
    /// The verification entry to open.
    #[arg(long)]
    entry: u64,
    /// The grounds or case reference (logged).
    #[arg(long)]
    grounds: String,
    /// Output: the request for the issuer.
    #[arg(long, default_value = "disclosure-request.json")]
    out: PathBuf,
}

/// A log directory on this machine, opened to append with the operator's key.
#[cfg(feature = "local-log")]
fn local(args: &DiscloseArgs, dir: &std::path::Path) -> Result<Box<dyn DisclosureLog>> {
    let path = args
        .operator_key
        .as_ref()
        .context("a local --log needs --operator-key to record the request")?;
    let operator = veil_did::ControllerKey::from_json(&crate::files::read_text(path)?)
        .with_context(|| format!("{}", path.display()))?;
    let log = veil_audit::TransparencyLog::open(dir, operator)
        .with_context(|| format!("log {}", dir.display()))?;
    Ok(Box::new(log))
}

#[cfg(not(feature = "local-log"))]
fn local(_args: &DiscloseArgs, dir: &std::path::Path) -> Result<Box<dyn DisclosureLog>> {
    bail!(
        "--log {}: this build records disclosures over gRPC only (--server URL)",
        dir.display()
    )
}

/// `disclose`: records the request, then writes it for the issuer.
pub fn disclose_cmd(args: DiscloseArgs) -> Result<()> {
    let log_id = match &args.log_id {
        Some(id) => id.clone(),
        None => {
            read_json::<AuditorState>(&args.state)
                .context("give --log-id or audit first (--state)")?
                .log_id
        }
    };
    let decryptor = decryptor(&args.keys)?.context("give --key or --share (t of them)")?;
    let policy = match args.keys.policy.first() {
        Some(p) => Some(read_json::<PolicyJson>(p)?),
        None => None,
    };
    let (log, shown): (Box<dyn DisclosureLog>, String) = match (&args.log.log, &args.log.server) {
        (Some(dir), None) => (local(&args, dir)?, dir.display().to_string()),
        (None, Some(server)) => (Box::new(remote(&args.log, server)?), server.clone()),
        _ => bail!("give the log: --log DIR or --server URL"),
    };
    let request = disclosure::request(
        log.as_ref(),
        &log_id,
        args.entry,
        &decryptor,
        policy,
        &args.grounds,
        &mut OsRng,
    )?;
    write_json(&args.out, &request)?;
    println!(
        "disclosure of entry {} recorded as entry {} of {shown}; request for the issuer written to {}",
        request.body.entry_index,
        request.record_index,
        args.out.display()
    );
    Ok(())
}
