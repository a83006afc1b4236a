//! The regulator's audit of a log: check the head against the operator's key
//! and against the last head the regulator saw (consistency: no entry was
//! removed, changed or reordered since), re-hash every entry into the signed
//! root (inclusion of all of them), and locate any entry that is not in the
//! tree. The audit opens no escrow: it needs no regulator secret, and an
//! escrow is opened only by a logged disclosure ([`crate::disclosure`]), so
//! every opening is on the record this audit reads.
//!
//! Nothing is skipped silently: every failed check is a [`Failure`] in the
//! report. The head
//! must be fresh and time must not run backwards (an operator hiding entries
//! behind an old head, or back-dating them, is a finding), and with a
//! [`VerdictChecker`] every entry logged valid is re-verified from the proof
//! it carries.
//!
//! The log is read and checked in chunks ([`audit_streaming`]): memory is
//! bounded by the chunk, never by the size a (possibly hostile) head claims.

use crate::entry::{self, Entry, VerificationRecord};
use crate::head::{HeadError, SignedTreeHead};
use crate::source::{LogSource, SourceError};
use crate::tree::{self, Frontier, ProofError};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// What the regulator keeps between audits: which log, and the last head
/// they verified (the next audit proves the log only grew from it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditorState {
    /// The log's id (its operator's did:key), pinned at the first audit.
    pub log_id: String,
    /// The last verified head.
    pub head: Option<SignedTreeHead>,
}

/// A check the audit could not pass.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "failure", rename_all = "snake_case")]
pub enum Failure {
    /// The source could not be read.
    #[error("could not read the log: {message}")]
    Unreadable {
        /// What failed.
        message: String,
    },
    /// The head's signature, or its log, is wrong.
    #[error("signed tree head rejected: {message}")]
    BadHead {
        /// What failed.
        message: String,
    },
    /// The log is shorter than a head the regulator already saw.
    #[error("log truncated: it had {seen} entries, now claims {now}")]
    Truncated {
        /// The size seen before.
        seen: u64,
        /// The size now.
        now: u64,
    },
    /// The new head does not extend the old one: history was rewritten.
    #[error("log forked: tree {first} is not a prefix of tree {second}: {message}")]
    Inconsistent {
        /// The size seen before.
        first: u64,
        /// The size now.
        second: u64,
        /// Why the consistency proof failed.
        message: String,
    },
    /// The entries do not hash to the signed root.
    #[error("the {size} entries do not hash to the signed root")]
    RootMismatch {
        /// The head's size.
        size: u64,
    },
    /// This entry is not the one the signed tree holds at its position
    /// (changed, reordered or substituted).
    #[error("entry {index} is not in the signed tree at its position: {message}")]
    EntryNotInTree {
        /// The entry.
        index: u64,
        /// Why its inclusion proof failed.
        message: String,
    },
    /// The source returned a different number of entries than the head.
    #[error("the head covers {expected} entries but the log returned {got}")]
    MissingEntries {
        /// The head's size.
        expected: u64,
        /// What came back.
        got: u64,
    },
    /// An entry is not a valid log entry.
    #[error("entry {index} does not decode: {message}")]
    MalformedEntry {
        /// The entry.
        index: u64,
        /// Why.
        message: String,
    },
    /// The source answered a range request with more entries than asked.
    #[error("asked for {asked} entries from {start}, the log sent {got}")]
    OversizedAnswer {
        /// The range's first index.
        start: u64,
        /// How many were asked for.
        asked: u64,
        /// How many came.
        got: u64,
    },
    /// The head is older than the auditor accepts: the operator may be
    /// withholding entries appended since.
    #[error("signed head is stale: signed {age_ms} ms ago, at most {max_ms} ms accepted")]
    StaleHead {
        /// The head's age.
        age_ms: u64,
        /// The bound.
        max_ms: u64,
    },
    /// The head is signed later than the auditor's clock allows.
    #[error("signed head is {ahead_ms} ms in the future")]
    HeadFromTheFuture {
        /// How far ahead.
        ahead_ms: u64,
    },
    /// The new head is signed before the head the regulator saw last.
    #[error("head time went backwards: {now} ms, the previous head was {seen} ms")]
    HeadTimeWentBackwards {
        /// The previous head's time.
        seen: u64,
        /// The new head's time.
        now: u64,
    },
    /// An entry is stamped well before an earlier entry, or after the head
    /// that covers it: back-dated or forged.
    #[error("entry {index} time {time} ms is out of order: {message}")]
    TimeOutOfOrder {
        /// The entry.
        index: u64,
        /// Its time.
        time: u64,
        /// Against what.
        message: String,
    },
    /// An entry logged as valid does not verify from the proof it carries.
    #[error("entry {index} is logged valid but its proof does not verify: {message}")]
    VerdictNotReproduced {
        /// The entry.
        index: u64,
        /// What the re-verification said.
        message: String,
    },
    /// An entry logged as valid that the regulator cannot re-verify: no
    /// proof logged, or a proving system it holds no key for. The operator
    /// must not choose which verdicts are checked.
    #[error("entry {index} is logged valid but cannot be re-verified: {message}")]
    VerdictNotCheckable {
        /// The entry.
        index: u64,
        /// Why not.
        message: String,
    },
}

/// Failures kept in a report at most; past that they are counted only, so a
/// hostile log cannot exhaust the auditor's memory with findings.
pub const MAX_FAILURES: usize = 1000;
/// How far an entry's time may trail an earlier one's (entries are stamped
/// when verified and appended in groups, so small reorderings are honest).
pub const MAX_ENTRY_REORDER_MS: u64 = 60_000;
/// The skew allowed between the operator's clock and the auditor's.
pub const MAX_CLOCK_SKEW_MS: u64 = 5 * 60_000;
/// The head age accepted by default: the service re-signs an idle log's
/// head every hour, so a day leaves ample margin.
pub const DEFAULT_MAX_HEAD_AGE_MS: u64 = 24 * 3600 * 1000;

/// What re-verifying one entry's proof found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recheck {
    /// The proof verifies for the entry's public inputs.
    Verified,
    /// It does not (or does not decode): the logged "valid" is false.
    Failed(String),
    /// This checker cannot check it (no key for the entry's system).
    Unchecked(String),
}

/// Re-verifies a logged verdict from the proof the entry carries (the CLI
/// implements it with the verifying keys; the audit itself knows no keys).
pub trait VerdictChecker: Sync {
    /// Re-verifies the entry's proof for its public inputs.
    fn recheck(&self, record: &VerificationRecord) -> Recheck;
}

/// One line of the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRow {
    /// Position in the log.
    pub index: u64,
    /// Milliseconds since the Unix epoch.
    pub time_unix_ms: u64,
    /// "verification" or "disclosure".
    pub kind: String,
    /// The verdict (disclosures: true).
    pub valid: bool,
    /// Why not valid.
    pub reason: String,
    /// The caller's API key id.
    pub caller: String,
    /// Public input 1.
    pub policy_hash: String,
    /// Public input 7.
    pub nullifier: String,
    /// Public input 6.
    pub payment_hash: String,
    /// What the regulator should know about this row.
    pub note: String,
}

/// The result of an audit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditReport {
    /// The log.
    pub log_id: String,
    /// The head audited.
    pub head: Option<SignedTreeHead>,
    /// The size of the head seen before, if any.
    pub previous_tree_size: Option<u64>,
    /// Entries read.
    pub entries: u64,
    /// Verification entries.
    pub verifications: u64,
    /// Of which valid.
    pub valid: u64,
    /// Disclosure entries.
    pub disclosures: u64,
    /// Every failed check (the first [`MAX_FAILURES`]); empty means the log
    /// is whole and consistent.
    pub failures: Vec<Failure>,
    /// Failed checks beyond [`MAX_FAILURES`], counted only.
    #[serde(default)]
    pub failures_omitted: u64,
    /// Entries logged valid whose proof was re-verified.
    #[serde(default)]
    pub reverified: u64,
    /// One row per entry.
    pub rows: Vec<AuditRow>,
}

impl AuditReport {
    /// No check failed.
    pub fn passed(&self) -> bool {
        self.failures.is_empty() && self.failures_omitted == 0
    }

    fn fail(&mut self, failure: Failure) {
        if self.failures.len() < MAX_FAILURES {
            self.failures.push(failure);
        } else {
            self.failures_omitted += 1;
        }
    }
}

/// How [`AuditorState::resume`] chose the log an audit follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pinning {
    /// The saved state's log (and the id given, if any, matched it).
    Saved,
    /// The id the regulator gave, on a first audit.
    Given,
    /// A first audit with no id given: the log's own head named it (trust on
    /// first use; check it against the operator's published id).
    FirstHead,
}

/// Why an audit cannot start from the state and log id given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StateError {
    /// The log id given is not the one the saved state follows.
    #[error("log id {given} is not the log {pinned} the saved state follows")]
    OtherLog {
        /// The id given.
        given: String,
        /// The saved state's.
        pinned: String,
    },
    /// The head could not be read to pin a first audit.
    #[error("could not read the log's head: {0}")]
    Source(String),
}

impl AuditorState {
    /// The state an audit starts from: the `saved` one (a given `log_id`
    /// must match it), or on a first audit the given `log_id`, or the log
    /// named by `source`'s head. The one rule every front end pins with.
    pub fn resume(
        saved: Option<AuditorState>,
        log_id: Option<&str>,
        source: &dyn LogSource,
    ) -> Result<(AuditorState, Pinning), StateError> {
        match (saved, log_id) {
            (Some(state), Some(id)) if state.log_id != id => Err(StateError::OtherLog {
                given: id.to_string(),
                pinned: state.log_id,
            }),
            (Some(state), _) => Ok((state, Pinning::Saved)),
            (None, Some(id)) => Ok((
                AuditorState {
                    log_id: id.to_string(),
                    head: None,
                },
                Pinning::Given,
            )),
            (None, None) => {
                let head = source.signed_head().map_err(|e| StateError::Source(e.0))?;
                Ok((
                    AuditorState {
                        log_id: head.log_id,
                        head: None,
                    },
                    Pinning::FirstHead,
                ))
            }
        }
    }
}

/// What the audit may use besides the log.
#[derive(Default)]
pub struct AuditOptions<'a> {
    /// Entries fetched per request (0: 4096).
    pub chunk: u64,
    /// The oldest head accepted, in milliseconds (`None`: any age, for
    /// archived copies of a log).
    pub max_head_age_ms: Option<u64>,
    /// Re-verifies entries logged valid from their proofs.
    pub checker: Option<&'a dyn VerdictChecker>,
}

impl AuditOptions<'_> {
    /// The options a live audit uses: heads at most a day old.
    pub fn live() -> Self {
        AuditOptions {
            max_head_age_ms: Some(DEFAULT_MAX_HEAD_AGE_MS),
            ..Default::default()
        }
    }
}

/// Audits the log in `source` for the regulator holding `state`; `progress`
/// is told the entries read so far and the total. Returns the report (with
/// one row per entry) and the state to keep (advanced to the new head only
/// when every check passed). For logs too large to hold the rows, use
/// [`audit_streaming`].
pub fn audit(
    source: &dyn LogSource,
    state: &AuditorState,
    options: &AuditOptions<'_>,
    progress: impl FnMut(u64, u64),
) -> (AuditReport, AuditorState) {
    let mut rows = Vec::new();
    let (mut report, next) =
        audit_streaming(source, state, options, |row| rows.push(row), progress);
    report.rows = rows;
    (report, next)
}

/// [`audit`] in bounded memory: entries are fetched, hashed into the
/// frontier and checked one chunk at a time, and each row goes to `on_row`
/// instead of the report.
pub fn audit_streaming(
    source: &dyn LogSource,
    state: &AuditorState,
    options: &AuditOptions<'_>,
    mut on_row: impl FnMut(AuditRow),
    mut progress: impl FnMut(u64, u64),
) -> (AuditReport, AuditorState) {
    let mut report = AuditReport {
        log_id: state.log_id.clone(),
        head: None,
        previous_tree_size: state.head.as_ref().map(|h| h.tree_size),
        entries: 0,
        verifications: 0,
        valid: 0,
        disclosures: 0,
        failures: Vec::new(),
        failures_omitted: 0,
        reverified: 0,
        rows: Vec::new(),
    };
    let unreadable = |e: SourceError| Failure::Unreadable { message: e.0 };
    let head = match source.signed_head() {
        Ok(h) => h,
        Err(e) => {
            report.fail(unreadable(e));
            return (report, state.clone());
        }
    };
    let root = match head.verify(Some(&state.log_id)) {
        Ok(root) => root,
        Err(e) => {
            report.fail(Failure::BadHead {
                message: e.to_string(),
            });
            return (report, state.clone());
        }
    };
    report.head = Some(head.clone());
    check_head_time(&head, state.head.as_ref(), options, &mut report);
    if let Some(old) = &state.head {
        check_consistency(source, old, &head, &root, &mut report);
    }
    let chunk = if options.chunk == 0 {
        4096
    } else {
        options.chunk
    };
    let mut frontier = Frontier::new();
    let mut latest_time = 0u64;
    let mut start = 0u64;
    while start < head.tree_size {
        let end = (start + chunk).min(head.tree_size);
        let got = match source.entries(start, end) {
            Ok(got) => got,
            Err(e) => {
                report.fail(unreadable(e));
                break;
            }
        };
        if got.len() as u64 > end - start {
            report.fail(Failure::OversizedAnswer {
                start,
                asked: end - start,
                got: got.len() as u64,
            });
            break;
        }
        if got.is_empty() {
            break;
        }
        let leaves: Vec<tree::Hash> = got.par_iter().map(|e| tree::leaf_hash(e)).collect();
        for leaf in &leaves {
            frontier.push(*leaf);
        }
        let rows: Vec<Result<(AuditRow, Option<Failure>), Failure>> = got
            .par_iter()
            .enumerate()
            .map(|(i, bytes)| row(start + i as u64, bytes, options))
            .collect();
        for r in rows {
            match r {
                Ok((row, finding)) => {
                    check_entry_time(&row, &head, &mut latest_time, &mut report);
                    count(&row, &mut report);
                    report.reverified += u64::from(row.note.contains(REVERIFIED));
                    if let Some(f) = finding {
                        report.fail(f);
                    }
                    on_row(row);
                }
                Err(f) => report.fail(f),
            }
        }
        start += got.len() as u64;
        progress(start, head.tree_size);
    }
    report.entries = start;
    if start != head.tree_size {
        report.fail(Failure::MissingEntries {
            expected: head.tree_size,
            got: start,
        });
    } else if frontier.root() != root {
        report.fail(Failure::RootMismatch {
            size: head.tree_size,
        });
        locate(source, &head, &root, chunk, &mut report);
    }
    let next = if report.passed() {
        AuditorState {
            log_id: state.log_id.clone(),
            head: Some(head),
        }
    } else {
        state.clone()
    };
    (report, next)
}

/// Marks a row whose verdict was re-verified.
const REVERIFIED: &str = "proof re-verified";

fn count(row: &AuditRow, report: &mut AuditReport) {
    match row.kind.as_str() {
        "verification" => {
            report.verifications += 1;
            report.valid += u64::from(row.valid);
        }
        _ => report.disclosures += 1,
    }
}

/// The head's time: not older than the bound, not in the future, not before
/// the head seen last.
fn check_head_time(
    head: &SignedTreeHead,
    old: Option<&SignedTreeHead>,
    options: &AuditOptions<'_>,
    report: &mut AuditReport,
) {
    let now = entry::now_unix_ms();
    if let Some(max_ms) = options.max_head_age_ms {
        let age_ms = now.saturating_sub(head.timestamp_unix_ms);
        if age_ms > max_ms {
            report.fail(Failure::StaleHead { age_ms, max_ms });
        }
        let ahead_ms = head.timestamp_unix_ms.saturating_sub(now);
        if ahead_ms > MAX_CLOCK_SKEW_MS {
            report.fail(Failure::HeadFromTheFuture { ahead_ms });
        }
    }
    if let Some(old) = old {
        if head.timestamp_unix_ms < old.timestamp_unix_ms {
            report.fail(Failure::HeadTimeWentBackwards {
                seen: old.timestamp_unix_ms,
                now: head.timestamp_unix_ms,
            });
        }
    }
}

/// An entry's time: not well before an earlier entry's, not after the head.
fn check_entry_time(
    row: &AuditRow,
    head: &SignedTreeHead,
    latest: &mut u64,
    report: &mut AuditReport,
) {
    let time = row.time_unix_ms;
    if time.saturating_add(MAX_ENTRY_REORDER_MS) < *latest {
        report.fail(Failure::TimeOutOfOrder {
            index: row.index,
            time,
            message: format!("an earlier entry is stamped {latest} ms"),
        });
    }
    if time > head.timestamp_unix_ms.saturating_add(MAX_CLOCK_SKEW_MS) {
        report.fail(Failure::TimeOutOfOrder {
            index: row.index,
            time,
            message: format!(
                "after the head that covers it ({} ms)",
                head.timestamp_unix_ms
            ),
        });
    }
    *latest = (*latest).max(time);
}

fn check_consistency(
    source: &dyn LogSource,
    old: &SignedTreeHead,
    new: &SignedTreeHead,
    new_root: &tree::Hash,
    report: &mut AuditReport,
) {
    if new.tree_size < old.tree_size {
        report.fail(Failure::Truncated {
            seen: old.tree_size,
            now: new.tree_size,
        });
        return;
    }
    let inconsistent = |message: String| Failure::Inconsistent {
        first: old.tree_size,
        second: new.tree_size,
        message,
    };
    let old_root = match old.root() {
        Ok(r) => r,
        Err(e) => return report.fail(inconsistent(HeadError::to_string(&e))),
    };
    match source.consistency_proof(old.tree_size, new.tree_size) {
        Err(e) => report.fail(inconsistent(e.0)),
        Ok(proof) => {
            if let Err(e) =
                tree::verify_consistency(old.tree_size, new.tree_size, &old_root, new_root, &proof)
            {
                report.fail(inconsistent(ProofError::to_string(&e)));
            }
        }
    }
}

/// After a root mismatch: read the log again, chunk by chunk, and check each
/// entry's inclusion proof against the signed root, naming every entry that
/// is not where the tree says.
fn locate(
    source: &dyn LogSource,
    head: &SignedTreeHead,
    root: &tree::Hash,
    chunk: u64,
    report: &mut AuditReport,
) {
    let mut start = 0u64;
    while start < head.tree_size {
        let end = (start + chunk).min(head.tree_size);
        let got = match source.entries(start, end) {
            Ok(got) if !got.is_empty() && got.len() as u64 <= end - start => got,
            _ => return,
        };
        for (i, bytes) in got.iter().enumerate() {
            let index = start + i as u64;
            let checked = source
                .inclusion_proof(index, head.tree_size)
                .map_err(|e| e.0)
                .and_then(|proof| {
                    tree::verify_inclusion(
                        &tree::leaf_hash(bytes),
                        index,
                        head.tree_size,
                        &proof,
                        root,
                    )
                    .map_err(|e| e.to_string())
                });
            if let Err(message) = checked {
                report.fail(Failure::EntryNotInTree { index, message });
            }
        }
        start += got.len() as u64;
    }
}

/// An entry's row, and a finding about its verdict if re-verification
/// contradicts it.
fn row(
    index: u64,
    bytes: &[u8],
    options: &AuditOptions<'_>,
) -> Result<(AuditRow, Option<Failure>), Failure> {
    let entry = Entry::from_bytes(bytes).map_err(|e| Failure::MalformedEntry {
        index,
        message: e.to_string(),
    })?;
    let mut row = AuditRow {
        index,
        time_unix_ms: entry.time_unix_ms(),
        kind: String::new(),
        valid: true,
        reason: String::new(),
        caller: String::new(),
        policy_hash: String::new(),
        nullifier: String::new(),
        payment_hash: String::new(),
        note: String::new(),
    };
    let mut finding = None;
    match entry {
        Entry::Disclosure(d) => {
            row.kind = "disclosure".into();
            row.note = format!("disclosure of entry {} ({})", d.entry_index, d.grounds);
            if d.entry_index >= index {
                return Err(Failure::MalformedEntry {
                    index,
                    message: format!("discloses entry {}, not an earlier one", d.entry_index),
                });
            }
        }
        Entry::Verification(v) => {
            row.kind = "verification".into();
            row.valid = v.valid;
            row.reason = v.reason.clone();
            row.caller = v.caller.clone();
            row.policy_hash = v.input(entry::POLICY_HASH_INPUT).to_string();
            row.nullifier = v.input(entry::NULLIFIER_INPUT).to_string();
            row.payment_hash = v.input(entry::PAYMENT_HASH_INPUT).to_string();
            if let (Some(checker), true) = (options.checker, v.valid) {
                let rechecked = if v.proof.is_empty() {
                    finding = Some(Failure::VerdictNotCheckable {
                        index,
                        message: "no proof logged".into(),
                    });
                    "logged valid without a proof".to_string()
                } else {
                    match checker.recheck(&v) {
                        Recheck::Verified => REVERIFIED.to_string(),
                        Recheck::Unchecked(why) => {
                            finding = Some(Failure::VerdictNotCheckable {
                                index,
                                message: why.clone(),
                            });
                            format!("logged valid, not re-verifiable: {why}")
                        }
                        Recheck::Failed(message) => {
                            finding = Some(Failure::VerdictNotReproduced { index, message });
                            "logged valid, proof does not verify".to_string()
                        }
                    }
                };
                row.note = if row.note.is_empty() {
                    rechecked
                } else {
                    format!("{}; {rechecked}", row.note)
                };
            }
        }
    }
    Ok((row, finding))
}
