//! The regulator's audit of a log: check the head against the operator's key
//! and against the last head the regulator saw (consistency: no entry was
//! removed, changed or reordered since), re-hash every entry into the signed
//! root (inclusion of all of them), locate any entry that is not in the tree,
//! and open the escrows escrowed to the regulator's key.
//!
//! Nothing is skipped silently: every failed check is a [`Failure`] in the
//! report, and every entry the regulator could not open says why.

use crate::entry::{self, Entry, VerificationRecord};
use crate::head::{HeadError, SignedTreeHead};
use crate::source::{LogSource, SourceError};
use crate::threshold::{combine, RegulatorGroup, RegulatorShare, ThresholdError};
use crate::tree::{self, Frontier, ProofError};
use ark_ec::CurveGroup;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use veil_circuits::babyjubjub::{point_from_coords, Point, Scalar};
use veil_circuits::encoding::field_from_decimal;
use veil_circuits::F;

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
    /// The escrowed credential id, when the regulator's key opened it.
    pub credential_id: String,
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
    /// Escrows opened.
    pub decrypted: u64,
    /// Every failed check; empty means the log is whole and consistent.
    pub failures: Vec<Failure>,
    /// One row per entry.
    pub rows: Vec<AuditRow>,
}

impl AuditReport {
    /// No check failed.
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

/// The regulator's decryption power: t or more checked shares of one group.
pub struct Decryptor {
    group: RegulatorGroup,
    public_key: Point,
    shares: Vec<(u32, Scalar)>,
}

impl Decryptor {
    /// From shares (a single key is one share of a 1-of-1 group): all of one
    /// group, distinct, each checked, at least t.
    pub fn new(shares: &[RegulatorShare]) -> Result<Self, ThresholdError> {
        let Some(first) = shares.first() else {
            return Err(ThresholdError::NotEnough { have: 0, need: 1 });
        };
        let group = first.group.clone();
        group.check()?;
        let mut checked: Vec<(u32, Scalar)> = Vec::new();
        for share in shares {
            if share.group != group {
                return Err(ThresholdError::Malformed {
                    field: format!("share {}", share.index),
                    message: "belongs to another regulator group".into(),
                });
            }
            if checked.iter().any(|(i, _)| *i == share.index) {
                return Err(ThresholdError::Duplicate(share.index));
            }
            checked.push((share.index, share.secret()?));
        }
        if checked.len() < group.threshold as usize {
            return Err(ThresholdError::NotEnough {
                have: checked.len(),
                need: group.threshold as usize,
            });
        }
        Ok(Decryptor {
            public_key: group.public_key()?,
            group,
            shares: checked,
        })
    }

    /// The group's public key.
    pub fn public_key(&self) -> Point {
        self.public_key
    }

    /// The group.
    pub fn group(&self) -> &RegulatorGroup {
        &self.group
    }

    /// The shares' indices and secrets (checked).
    pub(crate) fn shares(&self) -> &[(u32, Scalar)] {
        &self.shares
    }

    /// Opens an escrow: each share's `sᵢ·c1`, combined in the exponent.
    pub fn open(&self, c1: &Point, ct: F) -> Result<F, ThresholdError> {
        let points: Vec<(u32, Point)> = self
            .shares
            .iter()
            .map(|(i, s)| (*i, (*c1 * s).into_affine()))
            .collect();
        combine(self.group.threshold, &points, ct)
    }
}

/// What the audit may use besides the log.
#[derive(Default)]
pub struct AuditOptions<'a> {
    /// The regulator's shares, to open escrows.
    pub decryptor: Option<&'a Decryptor>,
    /// Policy hash (decimal) → its regulator key, for entries verified
    /// without a policy (whose entry then names no key).
    pub policies: HashMap<String, Point>,
    /// Entries fetched per request.
    pub chunk: u64,
}

/// Audits the log in `source` for the regulator holding `state`; `progress`
/// is told the entries read so far and the total. Returns the report and the
/// state to keep (advanced to the new head only when every check passed).
pub fn audit(
    source: &dyn LogSource,
    state: &AuditorState,
    options: &AuditOptions<'_>,
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
        decrypted: 0,
        failures: Vec::new(),
        rows: Vec::new(),
    };
    let unreadable = |e: SourceError| Failure::Unreadable { message: e.0 };
    let head = match source.signed_head() {
        Ok(h) => h,
        Err(e) => {
            report.failures.push(unreadable(e));
            return (report, state.clone());
        }
    };
    let root = match head.verify(Some(&state.log_id)) {
        Ok(root) => root,
        Err(e) => {
            report.failures.push(Failure::BadHead {
                message: e.to_string(),
            });
            return (report, state.clone());
        }
    };
    report.head = Some(head.clone());
    if let Some(old) = &state.head {
        check_consistency(source, old, &head, &root, &mut report.failures);
    }
    let entries = match read_all(source, head.tree_size, options.chunk, &mut progress) {
        Ok(e) => e,
        Err(e) => {
            report.failures.push(unreadable(e));
            return (report, state.clone());
        }
    };
    report.entries = entries.len() as u64;
    if report.entries != head.tree_size {
        report.failures.push(Failure::MissingEntries {
            expected: head.tree_size,
            got: report.entries,
        });
    } else {
        let mut frontier = Frontier::new();
        let leaves: Vec<tree::Hash> = entries.par_iter().map(|e| tree::leaf_hash(e)).collect();
        for leaf in &leaves {
            frontier.push(*leaf);
        }
        if frontier.root() != root {
            report.failures.push(Failure::RootMismatch {
                size: head.tree_size,
            });
            locate(source, &leaves, &head, &root, &mut report.failures);
        }
    }
    let rows: Vec<Result<AuditRow, Failure>> = entries
        .par_iter()
        .enumerate()
        .map(|(i, bytes)| row(i as u64, bytes, options))
        .collect();
    for r in rows {
        match r {
            Ok(row) => {
                match row.kind.as_str() {
                    "verification" => {
                        report.verifications += 1;
                        report.valid += u64::from(row.valid);
                    }
                    _ => report.disclosures += 1,
                }
                report.decrypted += u64::from(!row.credential_id.is_empty());
                report.rows.push(row);
            }
            Err(f) => report.failures.push(f),
        }
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

fn check_consistency(
    source: &dyn LogSource,
    old: &SignedTreeHead,
    new: &SignedTreeHead,
    new_root: &tree::Hash,
    failures: &mut Vec<Failure>,
) {
    if new.tree_size < old.tree_size {
        failures.push(Failure::Truncated {
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
        Err(e) => return failures.push(inconsistent(HeadError::to_string(&e))),
    };
    match source.consistency_proof(old.tree_size, new.tree_size) {
        Err(e) => failures.push(inconsistent(e.0)),
        Ok(proof) => {
            if let Err(e) =
                tree::verify_consistency(old.tree_size, new.tree_size, &old_root, new_root, &proof)
            {
                failures.push(inconsistent(ProofError::to_string(&e)));
            }
        }
    }
}

fn read_all(
    source: &dyn LogSource,
    size: u64,
    chunk: u64,
    progress: &mut impl FnMut(u64, u64),
) -> Result<Vec<Vec<u8>>, SourceError> {
    let chunk = if chunk == 0 { 4096 } else { chunk };
    let mut out = Vec::with_capacity(size as usize);
    let mut start = 0;
    while start < size {
        let end = (start + chunk).min(size);
        let got = source.entries(start, end)?;
        if got.is_empty() {
            break;
        }
        start += got.len() as u64;
        out.extend(got);
        progress(start, size);
    }
    progress(out.len() as u64, size);
    Ok(out)
}

/// After a root mismatch: check each entry's inclusion proof against the
/// signed root, naming every entry that is not where the tree says.
fn locate(
    source: &dyn LogSource,
    leaves: &[tree::Hash],
    head: &SignedTreeHead,
    root: &tree::Hash,
    failures: &mut Vec<Failure>,
) {
    for (i, leaf) in leaves.iter().enumerate() {
        let index = i as u64;
        let checked = source
            .inclusion_proof(index, head.tree_size)
            .map_err(|e| e.0)
            .and_then(|proof| {
                tree::verify_inclusion(leaf, index, head.tree_size, &proof, root)
                    .map_err(|e| e.to_string())
            });
        if let Err(message) = checked {
            failures.push(Failure::EntryNotInTree { index, message });
        }
    }
}

fn row(index: u64, bytes: &[u8], options: &AuditOptions<'_>) -> Result<AuditRow, Failure> {
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
        credential_id: String::new(),
        note: String::new(),
    };
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
            match open_escrow(&v, options) {
                Ok(id) => row.credential_id = veil_circuits::encoding::field_to_decimal(&id),
                Err(note) => row.note = note,
            }
        }
    }
    Ok(row)
}

/// The escrowed credential id of a verification, or why it was not opened.
pub fn open_escrow(v: &VerificationRecord, options: &AuditOptions<'_>) -> Result<F, String> {
    let Some(decryptor) = options.decryptor else {
        return Err("no regulator key given".into());
    };
    if !v.valid {
        return Err("proof invalid: its escrow proves nothing".into());
    }
    let key = match &v.regulator_key {
        Some(k) => k
            .to_key("regulator_key")
            .map(|k| k.0)
            .map_err(|e| format!("entry's regulator key: {e}"))?,
        None => *options
            .policies
            .get(v.input(entry::POLICY_HASH_INPUT))
            .ok_or("policy not given at verification nor to the audit: escrow key unknown")?,
    };
    if key != decryptor.public_key() {
        return Err("escrowed to another regulator key: nothing recovered".into());
    }
    let field = |i: usize| {
        field_from_decimal(v.input(i)).map_err(|e| format!("public input {}: {e}", i + 1))
    };
    let c1 = point_from_coords(field(7)?, field(8)?).map_err(|e| format!("escrow c1: {e}"))?;
    decryptor
        .open(&c1, field(9)?)
        .map_err(|e| format!("decryption: {e}"))
}
