//! Finding 9 of the trust review: a log a regulator cannot be misled by.
//! Entries carry the proof and an entry logged valid whose proof fails is a
//! finding; a stale head, a head whose time went backwards and back-dated
//! entries are findings; a hostile source (a head claiming 2^60 entries, an
//! answer larger than asked) gives typed failures, never an abort; a caller's
//! receipt proves its entry's inclusion under a signed head.

use crate::common::{log_with, operator, regulator, verification};
use veil_audit::head::SignedTreeHead;
use veil_audit::source::{LogSource, SourceError};
use veil_audit::tree::Hash;
use veil_audit::{
    audit, audit_streaming, AuditOptions, AuditorState, Entry, Failure, Receipt, Recheck,
    TransparencyLog, VerdictChecker, VerificationRecord,
};
use veil_did::ControllerKey;

fn state(log: &TransparencyLog) -> AuditorState {
    AuditorState {
        log_id: log.log_id(),
        head: None,
    }
}

/// A log source that answers with a head of its choosing (signed by the
/// operator, who is the one lying) and, optionally, more entries than asked.
struct Hostile<'a> {
    log: &'a TransparencyLog,
    head: SignedTreeHead,
    pad_answers: bool,
}

impl LogSource for Hostile<'_> {
    fn signed_head(&self) -> Result<SignedTreeHead, SourceError> {
        Ok(self.head.clone())
    }
    fn entries(&self, start: u64, end: u64) -> Result<Vec<Vec<u8>>, SourceError> {
        let real = self.log.size();
        let mut got = LogSource::entries(self.log, start.min(real), end.min(real))?;
        if self.pad_answers {
            got.extend(std::iter::repeat_n(b"{}".to_vec(), 10));
        }
        Ok(got)
    }
    fn consistency_proof(&self, first: u64, second: u64) -> Result<Vec<Hash>, SourceError> {
        LogSource::consistency_proof(self.log, first, second)
    }
    fn inclusion_proof(&self, index: u64, tree_size: u64) -> Result<Vec<Hash>, SourceError> {
        LogSource::inclusion_proof(self.log, index, tree_size)
    }
}

fn failures(
    log: &TransparencyLog,
    source: &dyn LogSource,
    options: &AuditOptions<'_>,
) -> Vec<Failure> {
    audit(source, &state(log), options, |_, _| {}).0.failures
}

#[test]
fn finding_9_a_hostile_head_size_is_a_typed_failure_not_an_abort() {
    let dir = tempfile::tempdir().unwrap();
    let op = operator();
    let (_, key) = regulator(1);
    let log = log_with(dir.path(), &op, &key, 5);
    let root = log.head().root().unwrap();
    let huge = SignedTreeHead::sign(&op, 1 << 60, &root).unwrap();
    let source = Hostile {
        log: &log,
        head: huge,
        pad_answers: false,
    };
    let mut rows = 0;
    let (report, next) = audit_streaming(
        &source,
        &state(&log),
        &AuditOptions::default(),
        |_| rows += 1,
        |_, _| {},
    );
    assert!(!report.passed());
    assert!(
        report.failures.iter().any(
            |f| matches!(f, Failure::MissingEntries { expected, got: 5 } if *expected == 1 << 60)
        ),
        "{:?}",
        report.failures
    );
    assert_eq!(rows, 5);
    assert_eq!(next.head, None, "a failed audit does not advance the state");

    // An answer larger than asked is refused, not buffered.
    let padded = Hostile {
        log: &log,
        head: log.head(),
        pad_answers: true,
    };
    let found = failures(&log, &padded, &AuditOptions::default());
    assert!(
        found
            .iter()
            .any(|f| matches!(f, Failure::OversizedAnswer { .. })),
        "{found:?}"
    );
}

#[test]
fn finding_9_a_stale_head_and_time_running_backwards_are_findings() {
    let dir = tempfile::tempdir().unwrap();
    let op = operator();
    let (_, key) = regulator(2);
    let log = log_with(dir.path(), &op, &key, 3);
    let head = log.head();
    let root = head.root().unwrap();
    let week_ms = 7 * 24 * 3600 * 1000;
    let stale = Hostile {
        log: &log,
        head: SignedTreeHead::sign_at(&op, head.tree_size, &root, head.timestamp_unix_ms - week_ms)
            .unwrap(),
        pad_answers: false,
    };
    let found = failures(&log, &stale, &AuditOptions::live());
    assert!(
        found.iter().any(|f| matches!(f, Failure::StaleHead { .. })),
        "{found:?}"
    );
    // An archived copy may be audited without the bound.
    assert!(failures(&log, &stale, &AuditOptions::default()).is_empty());

    // The regulator saw a head signed later than the one shown now.
    let later =
        SignedTreeHead::sign_at(&op, head.tree_size, &root, head.timestamp_unix_ms + 60_000)
            .unwrap();
    let seen = AuditorState {
        log_id: log.log_id(),
        head: Some(later),
    };
    let (report, _) = audit(&log, &seen, &AuditOptions::live(), |_, _| {});
    assert!(
        report
            .failures
            .iter()
            .any(|f| matches!(f, Failure::HeadTimeWentBackwards { .. })),
        "{:?}",
        report.failures
    );

    // An entry back-dated ten minutes behind the one before it, and one
    // stamped after the head that covers it.
    let dir = tempfile::tempdir().unwrap();
    let log = TransparencyLog::open(dir.path(), op.clone()).unwrap();
    let stamped = |i: u64, time: u64| {
        let Entry::Verification(mut v) = verification(i, &key, true) else {
            unreachable!()
        };
        v.time_unix_ms = time;
        Entry::Verification(v)
    };
    let now = veil_audit::entry::now_unix_ms();
    log.append(&[
        stamped(0, now - 3_600_000),
        stamped(1, now - 3_000_000),
        stamped(2, now - 3_600_000),
        stamped(3, now + 3_600_000),
    ])
    .unwrap();
    let found = failures(&log, &log, &AuditOptions::live());
    let out_of_order: Vec<u64> = found
        .iter()
        .filter_map(|f| match f {
            Failure::TimeOutOfOrder { index, .. } => Some(*index),
            _ => None,
        })
        .collect();
    assert_eq!(out_of_order, [2, 3], "{found:?}");
}

/// Verification entry `i` logged with `proof` and the verdict `valid`.
fn logged_with_proof(
    key: &veil_circuits::eddsa::PublicKey,
    i: u64,
    proof: &str,
    valid: bool,
) -> Entry {
    let Entry::Verification(mut v) = verification(i, key, valid) else {
        unreachable!()
    };
    v.proof = proof.into();
    Entry::Verification(v)
}

/// Accepts exactly the proofs spelled "verifies".
struct Spelled;

impl VerdictChecker for Spelled {
    fn recheck(&self, record: &VerificationRecord) -> Recheck {
        match record.proof.as_str() {
            "verifies" => Recheck::Verified,
            "other system" => Recheck::Unchecked("no key for it".into()),
            _ => Recheck::Failed("pairing check failed".into()),
        }
    }
}

#[test]
fn finding_9_an_entry_logged_valid_whose_proof_fails_is_a_finding() {
    let dir = tempfile::tempdir().unwrap();
    let op = operator();
    let (_, key) = regulator(3);
    let log = TransparencyLog::open(dir.path(), op).unwrap();
    let with_proof = |i: u64, proof: &str, valid: bool| logged_with_proof(&key, i, proof, valid);
    log.append(&[
        with_proof(0, "verifies", true),
        with_proof(1, "forged", true),
        with_proof(2, "forged", false),
        with_proof(3, "", true),
        with_proof(4, "other system", true),
    ])
    .unwrap();
    let options = AuditOptions {
        checker: Some(&Spelled),
        ..AuditOptions::live()
    };
    let (report, _) = audit(&log, &state(&log), &options, |_, _| {});
    assert_eq!(report.reverified, 1);
    let named: Vec<u64> = report
        .failures
        .iter()
        .filter_map(|f| match f {
            Failure::VerdictNotReproduced { index, .. } => Some(*index),
            _ => None,
        })
        .collect();
    assert_eq!(named, [1], "{:?}", report.failures);
    assert!(!report.passed());
}

/// Review 2, finding 4: the audited operator does not choose what gets
/// re-verified. An entry logged valid with no proof, or of a system the
/// regulator holds no key for, is a finding, not a note.
#[test]
fn r2_finding_4_a_valid_entry_the_regulator_cannot_reverify_is_a_finding() {
    let dir = tempfile::tempdir().unwrap();
    let op = operator();
    let (_, key) = regulator(3);
    let log = TransparencyLog::open(dir.path(), op).unwrap();
    let with_proof = |i: u64, proof: &str, valid: bool| logged_with_proof(&key, i, proof, valid);
    log.append(&[
        with_proof(0, "verifies", true),
        with_proof(1, "", true),
        with_proof(2, "other system", true),
        with_proof(3, "", false),
    ])
    .unwrap();
    let options = AuditOptions {
        checker: Some(&Spelled),
        ..AuditOptions::live()
    };
    let (report, _) = audit(&log, &state(&log), &options, |_, _| {});
    let named: Vec<u64> = report
        .failures
        .iter()
        .filter_map(|f| match f {
            Failure::VerdictNotCheckable { index, .. } => Some(*index),
            _ => None,
        })
        .collect();
    assert_eq!(named, [1, 2], "{:?}", report.failures);
    assert!(!report.passed());
    assert_eq!(report.reverified, 1);
}

#[test]
fn finding_9_a_receipt_proves_its_entry_under_a_signed_head() {
    let dir = tempfile::tempdir().unwrap();
    let op = operator();
    let (_, key) = regulator(4);
    let log = log_with(dir.path(), &op, &key, 3);
    let entry = verification(3, &key, true).to_bytes();
    let (index, head) = log.append_bytes(std::slice::from_ref(&entry)).unwrap();
    log.append(&[verification(4, &key, true)]).unwrap();
    let receipt = Receipt {
        index,
        entry: entry.clone(),
        head: head.clone(),
    };
    assert!(matches!(
        receipt.check(&log, Some(&log.log_id())),
        Ok(Entry::Verification(_))
    ));
    // Another entry's bytes, an index past the head, another operator.
    let mut flipped = receipt.clone();
    flipped.entry = verification(3, &key, false).to_bytes();
    assert!(flipped.check(&log, None).is_err());
    let mut past = receipt.clone();
    past.index = head.tree_size;
    assert!(past.check(&log, None).is_err());
    let other = ControllerKey::generate().unwrap();
    let mut foreign = receipt.clone();
    foreign.head = SignedTreeHead::sign(&other, head.tree_size, &head.root().unwrap()).unwrap();
    assert!(foreign.check(&log, Some(&log.log_id())).is_err());
}
