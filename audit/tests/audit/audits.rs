//! Audits: an honest log passes without opening any escrow; tampering,
//! reordering, truncation, forks, foreign heads and garbage entries are each
//! reported as exactly what they are.

use crate::common::{credential_id, entry_key, log_with, operator, raw, regulator, verification};
use veil_audit::{audit, AuditOptions, AuditReport, AuditorState, Entry, Failure, TransparencyLog};
use veil_circuits::encoding::field_to_decimal;
use veil_did::ControllerKey;

fn fresh_state(log: &TransparencyLog) -> AuditorState {
    AuditorState {
        log_id: log.log_id(),
        head: None,
    }
}

fn run(log: &TransparencyLog, state: &AuditorState) -> (AuditReport, AuditorState) {
    audit(log, state, &AuditOptions::default(), |_, _| {})
}

#[test]
fn r2_beyond_an_honest_log_passes_and_the_audit_opens_no_escrow() {
    let dir = tempfile::tempdir().unwrap();
    let (_, key) = regulator(100);
    let (_, other) = regulator(101);
    let log = log_with(dir.path(), &operator(), &key, 6);
    let mut no_key = match verification(6, &key, true) {
        Entry::Verification(v) => v,
        _ => unreachable!(),
    };
    no_key.regulator_key = None;
    log.append(&[
        Entry::Verification(no_key.clone()),
        verification(7, &key, false),
        verification(8, &other, true),
    ])
    .unwrap();

    let (report, state) = run(&log, &fresh_state(&log));
    assert!(report.passed(), "{:?}", report.failures);
    assert_eq!(
        (report.entries, report.verifications, report.valid),
        (9, 9, 8)
    );
    assert_eq!(state.head.as_ref().unwrap().tree_size, 9);
    // No escrowed credential id is in the report, in any form: the audit
    // takes no regulator secret, and opening is a logged disclosure.
    let mut json = Vec::new();
    veil_audit::report::write_json(&report, &mut json).unwrap();
    let json = String::from_utf8(json).unwrap();
    for i in 0..9 {
        assert!(!json.contains(&field_to_decimal(&credential_id(i))));
    }

    // The log grows; the next audit proves it only grew.
    log.append(&[verification(9, &key, true)]).unwrap();
    let mut seen = Vec::new();
    let (report, next) = audit(
        &log,
        &state,
        &AuditOptions {
            chunk: 4,
            ..Default::default()
        },
        |done, total| seen.push((done, total)),
    );
    assert!(report.passed(), "{:?}", report.failures);
    assert_eq!(report.previous_tree_size, Some(9));
    assert_eq!(next.head.unwrap().tree_size, 10);
    assert_eq!(seen.last(), Some(&(10, 10)));

    // CSV and JSON carry every row.
    let mut csv = Vec::new();
    veil_audit::report::write_csv(&report, &mut csv).unwrap();
    let csv = String::from_utf8(csv).unwrap();
    assert_eq!(csv.lines().count(), 11);
    assert!(csv.starts_with("index,time_unix_ms,kind,valid"));
    let mut json = Vec::new();
    veil_audit::report::write_json(&report, &mut json).unwrap();
    let back: AuditReport = serde_json::from_slice(&json).unwrap();
    assert_eq!(back, report);
    assert!(veil_audit::report::summary(&report).contains("PASS"));
}

/// Audits a 10-entry log once (the regulator's state), lets `damage` at the
/// raw database, and audits again.
fn audit_after(
    damage: impl FnOnce(&rocksdb::DB, &veil_circuits::eddsa::PublicKey),
) -> (AuditReport, AuditorState, AuditorState) {
    let dir = tempfile::tempdir().unwrap();
    let (_, key) = regulator(110);
    let op = operator();
    let state = {
        let log = log_with(dir.path(), &op, &key, 10);
        let (report, state) = run(&log, &fresh_state(&log));
        assert!(report.passed());
        state
    };
    {
        let db = raw(dir.path());
        damage(&db, &key);
    }
    let log = TransparencyLog::open_read_only(dir.path(), None).unwrap();
    let (report, next) = run(&log, &state);
    (report, state, next)
}

/// The entries an audit named as not in the tree.
fn not_in_tree(report: &AuditReport) -> Vec<u64> {
    report
        .failures
        .iter()
        .filter_map(|f| match f {
            Failure::EntryNotInTree { index, .. } => Some(*index),
            _ => None,
        })
        .collect()
}

#[test]
fn a_tampered_entry_is_named() {
    let (report, state, next) = audit_after(|db, key| {
        let forged = verification(44, key, true).to_bytes();
        db.put_cf(db.cf_handle("entries").unwrap(), entry_key(4), forged)
            .unwrap();
    });
    assert!(report
        .failures
        .contains(&Failure::RootMismatch { size: 10 }));
    let named = not_in_tree(&report);
    assert_eq!(named, vec![4]);
    assert_eq!(next, state, "a failed audit must not advance the state");
}

#[test]
fn reordered_entries_are_named() {
    let (report, _, _) = audit_after(|db, _| {
        let cf = db.cf_handle("entries").unwrap();
        let a = db.get_cf(cf, entry_key(2)).unwrap().unwrap();
        let b = db.get_cf(cf, entry_key(5)).unwrap().unwrap();
        db.put_cf(cf, entry_key(2), b).unwrap();
        db.put_cf(cf, entry_key(5), a).unwrap();
    });
    let named = not_in_tree(&report);
    assert_eq!(named, vec![2, 5]);
}

/// A log rebuilt by the operator (who has the key) from `entries`.
fn rebuilt(op: &ControllerKey, entries: &[Entry]) -> (tempfile::TempDir, TransparencyLog) {
    let dir = tempfile::tempdir().unwrap();
    let log = TransparencyLog::open(dir.path(), op.clone()).unwrap();
    log.append(entries).unwrap();
    (dir, log)
}

#[test]
fn truncation_and_forks_by_the_operator_are_detected() {
    let op = operator();
    let (_, key) = regulator(120);
    let honest: Vec<Entry> = (0..10).map(|i| verification(i, &key, true)).collect();
    let (_d1, log) = rebuilt(&op, &honest);
    let (_, state) = run(&log, &fresh_state(&log));

    // Truncated: the last three dropped and the head re-signed.
    let (_d2, short) = rebuilt(&op, &honest[..7]);
    let (report, next) = run(&short, &state);
    assert_eq!(
        report.failures,
        vec![Failure::Truncated { seen: 10, now: 7 }]
    );
    assert_eq!(next, state);

    // Forked: entry 8 replaced, two more appended, the head re-signed.
    let mut forked = honest.clone();
    forked[8] = verification(80, &key, true);
    forked.push(verification(10, &key, true));
    forked.push(verification(11, &key, true));
    let (_d3, fork) = rebuilt(&op, &forked);
    let (report, _) = run(&fork, &state);
    assert!(
        matches!(
            report.failures.as_slice(),
            [Failure::Inconsistent {
                first: 10,
                second: 12,
                ..
            }]
        ),
        "{:?}",
        report.failures
    );

    // An honest extension passes.
    let mut grown = honest.clone();
    grown.push(verification(10, &key, true));
    let (_d4, ext) = rebuilt(&op, &grown);
    assert!(run(&ext, &state).0.passed());
}

#[test]
fn a_head_from_another_operator_stops_the_audit() {
    let (_, key) = regulator(130);
    let honest: Vec<Entry> = (0..4).map(|i| verification(i, &key, true)).collect();
    let (_d1, log) = rebuilt(&operator(), &honest);
    let (_d2, impostor) = rebuilt(&operator(), &honest);
    let (report, _) = run(&impostor, &fresh_state(&log));
    assert!(
        matches!(report.failures.as_slice(), [Failure::BadHead { message }] if message.contains("expected")),
        "{:?}",
        report.failures
    );
    assert!(report.rows.is_empty());
}

#[test]
fn a_garbage_entry_is_reported_not_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let (_, key) = regulator(140);
    let log = log_with(dir.path(), &operator(), &key, 3);
    log.append_bytes(&[b"not an entry".to_vec()]).unwrap();
    let (report, _) = run(&log, &fresh_state(&log));
    assert!(
        matches!(
            report.failures.as_slice(),
            [Failure::MalformedEntry { index: 3, .. }]
        ),
        "{:?}",
        report.failures
    );
    assert_eq!(report.rows.len(), 3);
}
