//! `veil regulator …` and the issuer's side of disclosures: threshold key
//! generation, audits of a service's log (local or over gRPC) with CSV/JSON
//! reports, disclosure requests, and the issuer's KYC records and answers.

use crate::files::{read_document, read_json, read_text, write_json, write_private_json};
use anyhow::{bail, Context, Result};
use ark_ff::UniformRand;
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use rand::rngs::OsRng;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use veil_audit::audit::Pinning;
use veil_audit::disclosure::{self, DisclosureRequest};
use veil_audit::records::{IssuerRecords, KycRecord};
use veil_audit::threshold::{split, RegulatorShare};
use veil_audit::{
    audit_streaming, AuditOptions, AuditorState, Decryptor, LogSource, TransparencyLog,
};
use veil_circuits::babyjubjub::{Point, Scalar};
use veil_circuits::statement::files::{PointJson, PolicyJson, RegulatorKeyJson};
use veil_service::client::RemoteLog;

/// `veil regulator keygen`: one key, or a t-of-n split into share files.
pub fn keygen(out: &Path, threshold: Option<&str>) -> Result<()> {
    let secret = Scalar::rand(&mut OsRng);
    let Some(spec) = threshold else {
        write_private_json(out, &RegulatorKeyJson::from_secret(&secret))?;
        println!(
            "regulator key written to {} (keep it private)",
            out.display()
        );
        return Ok(());
    };
    let (t, n) = spec
        .split_once('/')
        .and_then(|(t, n)| Some((t.trim().parse::<u32>().ok()?, n.trim().parse::<u32>().ok()?)))
        .with_context(|| format!("--threshold {spec:?}: expected T/N, e.g. 2/3"))?;
    let (group, shares) = split(&secret, t, n, &mut OsRng)?;
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    write_json(&out.join("group.json"), &group)?;
    for share in &shares {
        write_private_json(&out.join(format!("share-{}.json", share.index)), share)?;
    }
    println!(
        "regulator key split {t}-of-{n} into {}: group.json (public: use it for `veil policy new --regulator`) and share-1.json … share-{n}.json (one per official, each private); the whole key was never written",
        out.display()
    );
    Ok(())
}

/// The public escrow key in a regulator key, group or share file.
pub fn public_key_of(path: &Path) -> Result<PointJson> {
    let value: serde_json::Value = read_json(path)?;
    let key = value
        .get("public_key")
        .or_else(|| value.get("group").and_then(|g| g.get("public_key")))
        .with_context(|| {
            format!(
                "{}: no public_key (expected a regulator key, group or share file)",
                path.display()
            )
        })?;
    serde_json::from_value(key.clone()).with_context(|| format!("{}: public_key", path.display()))
}

/// Where the log is read from.
#[derive(Args, Clone)]
pub struct LogArgs {
    /// The log's directory (`<serve --db>/log`, or a copy); opened read-only.
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

/// The regulator's decryption key(s).
#[derive(Args, Clone)]
pub struct KeyArgs {
    /// A single regulator key file (`veil regulator keygen`).
    #[arg(long, conflicts_with = "share")]
    pub key: Option<PathBuf>,
    /// A share file (repeat for each official taking part; t are needed).
    #[arg(long)]
    pub share: Vec<PathBuf>,
    /// A policy (repeatable): opens entries verified without a policy, whose
    /// entry names no regulator key.
    #[arg(long)]
    pub policy: Vec<PathBuf>,
}

/// Connects to --server (API key from the flag or $VEIL_API_KEY).
fn remote(args: &LogArgs, server: &str) -> Result<RemoteLog> {
    let key = args
        .api_key
        .clone()
        .or_else(|| std::env::var("VEIL_API_KEY").ok());
    RemoteLog::connect(server, key.as_deref(), args.ca.as_deref())
        .with_context(|| format!("server {server}"))
}

/// The log named by --log (read-only) or --server.
fn open_source(args: &LogArgs) -> Result<Box<dyn LogSource>> {
    match (&args.log, &args.server) {
        (Some(dir), None) => Ok(Box::new(
            TransparencyLog::open_read_only(dir, None)
                .with_context(|| format!("log {}", dir.display()))?,
        )),
        (None, Some(server)) => Ok(Box::new(remote(args, server)?)),
        _ => bail!("give the log: --log DIR or --server URL"),
    }
}

fn decryptor(keys: &KeyArgs) -> Result<Option<Decryptor>> {
    let shares: Vec<RegulatorShare> = match &keys.key {
        Some(path) => vec![RegulatorShare::from_key(&read_json(path)?)
            .with_context(|| format!("{}", path.display()))?],
        None => keys
            .share
            .iter()
            .map(|p| read_json(p))
            .collect::<Result<_>>()?,
    };
    if shares.is_empty() {
        return Ok(None);
    }
    Ok(Some(Decryptor::new(&shares)?))
}

fn policies(paths: &[PathBuf]) -> Result<HashMap<String, Point>> {
    let policies = paths
        .iter()
        .map(|path| read_document(path, PolicyJson::to_policy))
        .collect::<Result<Vec<_>>>()?;
    Ok(veil_audit::audit::policy_keys(&policies)?)
}

/// `veil regulator audit`.
#[derive(Args)]
pub struct AuditArgs {
    #[command(flatten)]
    log: LogArgs,
    #[command(flatten)]
    keys: KeyArgs,
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
    /// this verifying key (a Groth16 key file, or a halo2 keys directory).
    #[arg(long)]
    vk: Option<PathBuf>,
    /// The oldest signed head accepted, in hours (0: any age, for an
    /// archived copy of a log). The service re-signs an idle log hourly.
    #[arg(long, default_value_t = 24)]
    max_head_age_hours: u64,
}

/// Re-verifies logged proofs with one system's verifying key.
pub struct KeyChecker<'a>(pub &'a veil_verifier::SystemKey);

impl veil_audit::VerdictChecker for KeyChecker<'_> {
    fn recheck(&self, record: &veil_audit::VerificationRecord) -> veil_audit::Recheck {
        use veil_audit::Recheck;
        if record.system != self.0.system().name() {
            return Recheck::Unchecked(format!("no {} key given", record.system));
        }
        let proof = match veil_verifier::proof_from_json(&record.proof) {
            Ok(p) => p,
            Err(e) => return Recheck::Failed(format!("logged proof: {e:#}")),
        };
        let public = match record.decoded_inputs() {
            Ok(p) => p,
            Err(e) => return Recheck::Failed(format!("logged public inputs: {e}")),
        };
        match self.0.verify_statement(&proof, &public) {
            Ok(()) => Recheck::Verified,
            Err(e) => Recheck::Failed(e.to_string()),
        }
    }
}

/// Runs an audit; returns whether it passed (after printing and writing).
pub fn audit_cmd(args: AuditArgs) -> Result<()> {
    let source = open_source(&args.log)?;
    let decryptor = decryptor(&args.keys)?;
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
    let key = match &args.vk {
        Some(vk) => Some(crate::commands::load_system_key(
            crate::commands::key_system(vk),
            vk,
        )?),
        None => None,
    };
    let checker = key.as_ref().map(KeyChecker);
    let options = AuditOptions {
        decryptor: decryptor.as_ref(),
        policies: policies(&args.keys.policy)?,
        chunk: 1024,
        max_head_age_ms: (args.max_head_age_hours > 0)
            .then(|| args.max_head_age_hours.saturating_mul(3_600_000)),
        checker: checker
            .as_ref()
            .map(|c| c as &dyn veil_audit::VerdictChecker),
    };
    // Rows stream to the CSV file as they are checked: a log of any size
    // audits in bounded memory.
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
    on_row: &mut dyn FnMut(veil_audit::audit::AuditRow),
) -> Result<veil_audit::AuditReport> {
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

/// `veil regulator disclose`.
#[derive(Args)]
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

/// `veil regulator disclose`.
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
    let (log, shown): (Box<dyn disclosure::DisclosureLog>, String) =
        match (&args.log.log, &args.log.server) {
            (Some(dir), None) => {
                let path = args
                    .operator_key
                    .as_ref()
                    .context("a local --log needs --operator-key to record the request")?;
                let operator = veil_did::ControllerKey::from_json(&read_text(path)?)
                    .with_context(|| format!("{}", path.display()))?;
                let log = TransparencyLog::open(dir, operator)
                    .with_context(|| format!("log {}", dir.display()))?;
                (Box::new(log), dir.display().to_string())
            }
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

/// `veil issuer disclose`: checks a regulator's request and answers it from
/// the issuer's KYC records.
pub fn issuer_disclose_cmd(records: &Path, request: &Path, log_id: &str, out: &Path) -> Result<()> {
    let request: DisclosureRequest = read_json(request)?;
    let store =
        IssuerRecords::open(records).with_context(|| format!("records {}", records.display()))?;
    let answer = disclosure::answer(&request, log_id, &store)?;
    write_json(out, &answer)?;
    println!(
        "request checked (logged as entry {}, grounds {:?}); credential {} disclosed to {}",
        answer.record_index,
        answer.grounds,
        answer.credential_id,
        out.display()
    );
    Ok(())
}

/// Stores the KYC record of a newly issued credential.
pub fn record_issuance(
    records: &Path,
    credential_id: &str,
    subject: serde_json::Value,
) -> Result<()> {
    let store =
        IssuerRecords::open(records).with_context(|| format!("records {}", records.display()))?;
    store.insert(&KycRecord {
        credential_id: credential_id.to_string(),
        subject,
        issued_unix_ms: veil_audit::entry::now_unix_ms(),
    })?;
    Ok(())
}

/// A subject file's JSON, for [`record_issuance`].
pub fn read_subject(path: &Path) -> Result<serde_json::Value> {
    read_json(path)
}
