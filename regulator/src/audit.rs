//! `audit`: a service's log checked from outside. The signed head against
//! the pinned log id, consistency with the last head this regulator saw,
//! every entry re-hashed into the root, and (with `--vk`) each logged proof
//! re-verified. It takes no regulator secret and opens no escrow: opening
//! is `disclose`, on the record. Rows stream to CSV, so a log of any size
//! audits in bounded memory.

use anyhow::{bail, Context, Result};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use std::path::{Path, PathBuf};
use veil_audit::audit::{AuditRow, Pinning};
use veil_audit::{
    audit_streaming, AuditOptions, AuditReport, AuditorState, KeyChecker, LogSource, VerdictChecker,
};
use veil_circuits::statement::files::{read_json, write_json};
use veil_client::RemoteLog;
use veil_verifier::SystemKey;

/// Where the log is read from.
#[derive(Args, Clone, Debug)]
pub struct LogArgs {
    /// The log's directory (`<serve --db>/log`, or a copy); opened read-only
    /// (builds with the `local-log` feature, as the `veil` CLI is).
    #[arg(long, conflicts_with = "server")]
    pub log: Option<PathBuf>,
    /// A running `veil serve` (http://… or https://…).
    #[arg(long)]
    pub server: Option<String>,
    /// API key for --server (default: $VEIL_API_KEY).
    #[arg(long)]
    pub api_key: Option<String>,
    /// PEM root certificate for an https server.
    #[arg(long)]
    pub ca: Option<PathBuf>,
}

/// Connects to --server (API key from the flag or $VEIL_API_KEY).
pub(crate) fn remote(args: &LogArgs, server: &str) -> Result<RemoteLog> {
    let key = args
        .api_key
        .clone()
        .or_else(|| std::env::var("VEIL_API_KEY").ok());
    RemoteLog::connect(server, key.as_deref(), args.ca.as_deref())
        .with_context(|| format!("server {server}"))
}

/// A log directory on this machine, read-only.
#[cfg(feature = "local-log")]
fn local(dir: &Path) -> Result<Box<dyn LogSource>> {
    Ok(Box::new(
        veil_audit::TransparencyLog::open_read_only(dir, None)
            .with_context(|| format!("log {}", dir.display()))?,
    ))
}

#[cfg(not(feature = "local-log"))]
fn local(dir: &Path) -> Result<Box<dyn LogSource>> {
    bail!(
        "--log {}: this build reads logs over gRPC only (--server URL); the `veil` CLI, or this tool built with the `local-log` feature, opens a log directory",
        dir.display()
    )
}

/// The log named by --log (read-only) or --server.
fn open_source(args: &LogArgs) -> Result<Box<dyn LogSource>> {
    match (&args.log, &args.server) {
        (Some(dir), None) => local(dir),
        (None, Some(server)) => Ok(Box::new(remote(args, server)?)),
        _ => bail!("give the log: --log DIR or --server URL"),
    }
}

/// `audit`'s flags.
#[derive(Args, Debug)]
pub struct AuditArgs {
    #[command(flatten)]
    log: LogArgs,
    /// The regulator's audit state: the log's id and the last head verified
    /// (created on the first audit, advanced when an audit passes).
    #[arg(long, default_value = "audit-state.json")]
    state: PathBuf,
    /// The log's did:key, for a first audit (otherwise the first head's id
    /// is pinned, with a warning).
    #[arg(long)]
    log_id: Option<String>,
    /// Write the rows as CSV.
    #[arg(long)]
    csv: Option<PathBuf>,
    /// Write the whole report as JSON.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Re-verify every entry logged valid from the proof it carries, with
    /// this verifying key (a Groth16 key file, or a halo2 keys directory);
    /// repeat it, one key per proving system the log holds. An entry logged
    /// valid that no key given can re-verify (or that carries no proof) is a
    /// finding.
    #[arg(long)]
    vk: Vec<PathBuf>,
    /// The oldest signed head accepted, in hours (0: any age, for an
    /// archived copy of a log). The service re-signs an idle log hourly.
    #[arg(long, default_value_t = 24)]
    max_head_age_hours: u64,
}

/// The verifying key at `vk` (its system read from the path).
fn load_key(vk: &Path) -> Result<SystemKey> {
    let keys = veil_system::load_verifier_keys(veil_system::key_system(vk), vk)
        .with_context(|| format!("{}", vk.display()))?;
    Ok(SystemKey::from_keys(keys)?)
}

/// `audit`: runs it, prints the summary, writes CSV/JSON, and fails (the
/// state not advanced) when a check does.
pub fn audit_cmd(args: AuditArgs) -> Result<()> {
    let source = open_source(&args.log)?;
    let saved: Option<AuditorState> = args
        .state
        .exists()
        .then(|| read_json(&args.state))
        .transpose()?;
    let (state, pinning) = AuditorState::resume(saved, args.log_id.as_deref(), source.as_ref())
        .with_context(|| format!("{}", args.state.display()))?;
    if pinning == Pinning::FirstHead {
        eprintln!(
            "warning: first audit: pinning log {} (check it against the operator's published id)",
            state.log_id
        );
    }
    let keys = args
        .vk
        .iter()
        .map(|vk| load_key(vk))
        .collect::<Result<Vec<_>>>()?;
    let checker = (!keys.is_empty()).then_some(KeyChecker(&keys));
    let options = AuditOptions {
        chunk: 1024,
        max_head_age_ms: (args.max_head_age_hours > 0)
            .then(|| args.max_head_age_hours.saturating_mul(3_600_000)),
        checker: checker.as_ref().map(|c| c as &dyn VerdictChecker),
    };
    let mut csv = match &args.csv {
        Some(path) => Some(veil_audit::report::CsvRows::new(
            std::fs::File::create(path)
                .with_context(|| format!("cannot write {}", path.display()))?,
        )),
        None => None,
    };
    let mut csv_error = None;
    let report = run_audit(source.as_ref(), &state, &options, &args.state, &mut |row| {
        if let Some(rows) = csv.as_mut() {
            if let Err(e) = rows.push(&row) {
                csv_error.get_or_insert(e);
            }
        }
    })?;
    if let Some(e) = csv_error {
        return Err(e.into());
    }
    if let Some(rows) = csv {
        rows.finish()?;
    }
    if let Some(path) = &args.json {
        write_json(path, &report)?;
    }
    println!("{}", veil_audit::report::summary(&report));
    if !report.passed() {
        bail!(
            "audit failed: {} problem(s); the state was not advanced",
            report.failures.len()
        );
    }
    Ok(())
}

/// Audits with a progress bar, handing each row to `on_row` as it is
/// checked, and saves the advanced state when the audit passes.
pub fn run_audit(
    source: &dyn LogSource,
    state: &AuditorState,
    options: &AuditOptions<'_>,
    state_path: &Path,
    on_row: &mut dyn FnMut(AuditRow),
) -> Result<AuditReport> {
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} entries ({per_sec})")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_message("auditing");
    let (report, next) = audit_streaming(source, state, options, on_row, |done, total| {
        bar.set_length(total);
        bar.set_position(done);
    });
    bar.finish_and_clear();
    if report.passed() {
        write_json(state_path, &next)?;
    }
    Ok(report)
}
