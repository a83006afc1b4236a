//! Disclosure, the only way the regulator's tool opens an escrow, in three
//! steps run by different people:
//!
//! - `disclose`: the regulator records the request in the log (the service
//!   records it with `--server`) and writes it for the officials. No secret.
//! - `release`: each official's tool checks the request is in the log it
//!   trusts and releases that official's partial decryption, bound to the
//!   log's record. No record, no partial.
//! - `open`: the regulator attaches t partials (each checked against the
//!   record) and writes the request for the issuer.
//!
//! So every opening is on the record the next audit reads.

use crate::audit::{remote, LogArgs};
use anyhow::{bail, Context, Result};
use clap::Args;
use rand::rngs::OsRng;
use std::path::{Path, PathBuf};
use veil_audit::disclosure::{self, DisclosureLog, DisclosureRequest};
use veil_audit::threshold::{PartialDecryption, RegulatorGroup, RegulatorShare};
use veil_audit::AuditorState;
use veil_circuits::statement::files::PolicyJson;
use veil_circuits::statement::files::{read_json, write_json};

/// The log a disclosure is checked against: its did:key, given or from the
/// regulator's audit state.
#[derive(Args, Debug)]
pub struct TrustedLog {
    /// The log's did:key (default: from --state).
    #[arg(long)]
    log_id: Option<String>,
    /// The audit state whose log id to use.
    #[arg(long, default_value = "audit-state.json")]
    state: PathBuf,
}

impl TrustedLog {
    fn id(&self) -> Result<String> {
        match &self.log_id {
            Some(id) => Ok(id.clone()),
            None => Ok(read_json::<AuditorState>(&self.state)
                .context("give --log-id or audit first (--state)")?
                .log_id),
        }
    }
}

/// `disclose`'s flags.
#[derive(Args, Debug)]
pub struct DiscloseArgs {
    #[command(flatten)]
    log: LogArgs,
    #[command(flatten)]
    trusted: TrustedLog,
    /// The regulator key whose officials will open it: a group file
    /// (`keygen --threshold`), or a key or share file (its public part).
    #[arg(long)]
    group: PathBuf,
    /// The proof's policy, for an entry verified without one (whose entry
    /// names no regulator key).
    #[arg(long)]
    policy: Option<PathBuf>,
    /// The log operator's key, to record the request in a local --log
    /// (with --server, the service records it).
    #[arg(long)]
    operator_key: Option<PathBuf>,
    /// The verification entry to open.
    #[arg(long)]
    entry: u64,
    /// The grounds or case reference (logged).
    #[arg(long)]
    grounds: String,
    /// Output: the logged request, for the officials.
    #[arg(long, default_value = "disclosure-request.json")]
    out: PathBuf,
}

/// `release`'s flags: one official.
#[derive(Args, Debug)]
pub struct ReleaseArgs {
    #[command(flatten)]
    trusted: TrustedLog,
    /// The logged request (`disclose`).
    #[arg(long)]
    request: PathBuf,
    /// This official's share file (or a single regulator key file).
    #[arg(long)]
    share: PathBuf,
    /// Output: this official's partial decryption.
    #[arg(long, default_value = "partial.json")]
    out: PathBuf,
}

/// `open`'s flags.
#[derive(Args, Debug)]
pub struct OpenArgs {
    #[command(flatten)]
    trusted: TrustedLog,
    /// The logged request (`disclose`).
    #[arg(long)]
    request: PathBuf,
    /// An official's partial (`release`); repeat, t are needed.
    #[arg(long, required = true)]
    partial: Vec<PathBuf>,
    /// Output: the request with its partials, for the issuer.
    #[arg(long, default_value = "disclosure-opened.json")]
    out: PathBuf,
}

/// A log directory on this machine, opened to append with the operator's key.
#[cfg(feature = "local-log")]
fn local(operator_key: Option<&Path>, dir: &Path) -> Result<Box<dyn DisclosureLog>> {
    let path = operator_key.context("a local --log needs --operator-key to record the request")?;
    let operator =
        veil_did::ControllerKey::from_json(&veil_circuits::statement::files::read_text(path)?)
            .with_context(|| format!("{}", path.display()))?;
    let log = veil_audit::TransparencyLog::open(dir, operator)
        .with_context(|| format!("log {}", dir.display()))?;
    Ok(Box::new(log))
}

#[cfg(not(feature = "local-log"))]
fn local(_operator_key: Option<&Path>, dir: &Path) -> Result<Box<dyn DisclosureLog>> {
    bail!(
        "--log {}: this build records disclosures over gRPC only (--server URL)",
        dir.display()
    )
}

/// The regulator group in a group, share or single-key file.
fn group_of(path: &Path) -> Result<RegulatorGroup> {
    let value: serde_json::Value = read_json(path)?;
    let group = || -> Result<RegulatorGroup> {
        Ok(if value.get("members").is_some() {
            serde_json::from_value(value.clone())?
        } else if let Some(group) = value.get("group") {
            serde_json::from_value(group.clone())?
        } else {
            RegulatorShare::from_key(&serde_json::from_value(value.clone())?)?.group
        })
    };
    group().with_context(|| format!("{}", path.display()))
}

/// A share file, or a single key file as the share of a 1-of-1 group.
fn share_of(path: &Path) -> Result<RegulatorShare> {
    let value: serde_json::Value = read_json(path)?;
    let share = || -> Result<RegulatorShare> {
        Ok(if value.get("group").is_some() {
            serde_json::from_value(value.clone())?
        } else {
            RegulatorShare::from_key(&serde_json::from_value(value.clone())?)?
        })
    };
    share().with_context(|| format!("{}", path.display()))
}

/// `disclose`: records the request in the log, then writes it for the
/// officials.
pub fn disclose_cmd(args: DiscloseArgs) -> Result<()> {
    let log_id = args.trusted.id()?;
    let group = group_of(&args.group)?;
    let policy = args
        .policy
        .as_deref()
        .map(read_json::<PolicyJson>)
        .transpose()?;
    let (log, shown): (Box<dyn DisclosureLog>, String) = match (&args.log.log, &args.log.server) {
        (Some(dir), None) => (
            local(args.operator_key.as_deref(), dir)?,
            dir.display().to_string(),
        ),
        (None, Some(server)) => (Box::new(remote(&args.log, server)?), server.clone()),
        _ => bail!("give the log: --log DIR or --server URL"),
    };
    let request = disclosure::request(
        log.as_ref(),
        &log_id,
        args.entry,
        &group,
        policy,
        &args.grounds,
    )?;
    write_json(&args.out, &request)?;
    println!(
        "disclosure of entry {} recorded as entry {} of {shown}; request for the officials written to {}",
        request.body.entry_index,
        request.record_index,
        args.out.display()
    );
    Ok(())
}

/// `release`: one official's partial, only for a request in the log.
pub fn release_cmd(args: ReleaseArgs) -> Result<()> {
    let request: DisclosureRequest = read_json(&args.request)?;
    let share = share_of(&args.share)?;
    let partial = disclosure::release(&request, &args.trusted.id()?, &share, &mut OsRng)
        .context("no partial released")?;
    write_json(&args.out, &partial)?;
    println!(
        "official {} released a partial for the disclosure recorded as entry {} (entry {}); written to {}",
        partial.index,
        request.record_index,
        request.body.entry_index,
        args.out.display()
    );
    Ok(())
}

/// `open`: t partials attached and checked; the request for the issuer.
pub fn open_cmd(args: OpenArgs) -> Result<()> {
    let request: DisclosureRequest = read_json(&args.request)?;
    let partials = args
        .partial
        .iter()
        .map(|p| read_json::<PartialDecryption>(p))
        .collect::<Result<Vec<_>, _>>()?;
    let opened = disclosure::open(request, &args.trusted.id()?, partials)?;
    write_json(&args.out, &opened)?;
    println!(
        "{} partials checked against the record (entry {}); request for the issuer written to {}",
        opened.partials.len(),
        opened.record_index,
        args.out.display()
    );
    Ok(())
}
