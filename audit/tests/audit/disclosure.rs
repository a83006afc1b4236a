//! Disclosures end to end: the regulator asks, the log records it, the
//! officials release partials only for the logged request, the issuer checks
//! everything and answers with its KYC record; every broken link is refused
//! with what broke.

use crate::common::{credential_id, log_with, operator, regulator, rng, verification};
use veil_audit::disclosure::{self, DisclosureError, DisclosureRequest};
use veil_audit::threshold::{
    split, PartialDecryption, RegulatorGroup, RegulatorShare, ThresholdError,
};
use veil_audit::TransparencyLog;
use veil_circuits::encoding::field_to_decimal;
use veil_issuer::disclosure::{answer, AnswerError};
use veil_issuer::records::{IssuerRecords, KycRecord};

struct World {
    _dirs: Vec<tempfile::TempDir>,
    log: TransparencyLog,
    records: IssuerRecords,
    group: RegulatorGroup,
    shares: Vec<RegulatorShare>,
    /// Entry 3's request, logged, then opened by officials 3 and 1.
    request: DisclosureRequest,
}

/// Logs a request for `entry` (steps 1–3), without partials.
fn logged(
    log: &TransparencyLog,
    group: &RegulatorGroup,
    entry: u64,
    grounds: &str,
) -> DisclosureRequest {
    let body = disclosure::prepare(log, &log.log_id(), entry, group, None, grounds).unwrap();
    let (index, _) = log.append(&[body.record()]).unwrap();
    disclosure::finish(log, body, index).unwrap()
}

/// `shares` release their partials for `request`.
fn released(
    log: &TransparencyLog,
    request: &DisclosureRequest,
    shares: &[&RegulatorShare],
) -> Vec<PartialDecryption> {
    shares
        .iter()
        .map(|share| {
            let mut rng = rng(300 + u64::from(share.index));
            disclosure::release(request, &log.log_id(), share, &mut rng).unwrap()
        })
        .collect()
}

impl World {
    fn logged(&self, entry: u64, grounds: &str) -> DisclosureRequest {
        logged(&self.log, &self.group, entry, grounds)
    }
}

fn world() -> World {
    let (log_dir, rec_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (sk, key) = regulator(200);
    let log = log_with(log_dir.path(), &operator(), &key, 5);
    let records = IssuerRecords::open(rec_dir.path()).unwrap();
    for i in 0..5 {
        records
            .insert(&KycRecord {
                credential_id: field_to_decimal(&credential_id(i)),
                subject: serde_json::json!({ "name": format!("Subject {i}") }),
                issued_unix_ms: 1,
            })
            .unwrap();
    }
    let (group, shares) = split(&sk, 2, 3, &mut rng(201)).unwrap();
    let request = logged(&log, &group, 3, "case 17");
    let partials = released(&log, &request, &[&shares[2], &shares[0]]);
    let request = disclosure::open(request, &log.log_id(), partials).unwrap();
    World {
        _dirs: vec![log_dir, rec_dir],
        log,
        records,
        group,
        shares,
        request,
    }
}

#[test]
fn the_issuer_answers_a_logged_request() {
    let w = world();
    let answer = answer(&w.request, &w.log.log_id(), &w.records).unwrap();
    assert_eq!(answer.entry_index, 3);
    assert_eq!(answer.record_index, 5);
    assert_eq!(answer.credential_id, field_to_decimal(&credential_id(3)));
    assert_eq!(answer.record.subject["name"], "Subject 3");
    // The request round-trips as JSON.
    let json = serde_json::to_string(&w.request).unwrap();
    let back: DisclosureRequest = serde_json::from_str(&json).unwrap();
    assert_eq!(back, w.request);
    // The log's record holds the request's hash, never the credential id.
    let stored = String::from_utf8(w.log.entries(5, 6).unwrap().remove(0)).unwrap();
    assert!(stored.contains(&w.request.body.hash()));
    assert!(!stored.contains(&answer.credential_id));
}

#[test]
fn every_broken_link_is_refused() {
    let w = world();
    let log_id = w.log.log_id();
    // The issuer's answer runs exactly these checks before its lookup.
    let refuse = |r: &DisclosureRequest| disclosure::check(r, &log_id).unwrap_err();

    // The body changed after it was logged.
    let mut r = w.request.clone();
    r.body.grounds = "fishing".into();
    assert!(matches!(refuse(&r), DisclosureError::RecordMismatch(_)));
    // Another entry's bytes under this entry's proof.
    let mut r = w.request.clone();
    r.body.entry = String::from_utf8(w.log.entries(2, 3).unwrap().remove(0)).unwrap();
    assert!(matches!(
        refuse(&r),
        DisclosureError::NotInLog {
            what: "the entry",
            ..
        }
    ));
    // A record proof cut short.
    let mut r = w.request.clone();
    r.record_proof.pop();
    assert!(matches!(
        refuse(&r),
        DisclosureError::NotInLog {
            what: "the disclosure record",
            ..
        }
    ));
    // A proof hash that is not hex.
    let mut r = w.request.clone();
    r.body.inclusion_proof[0] = "zz".into();
    assert!(matches!(refuse(&r), DisclosureError::Source(_)));
    // A head from another log.
    assert!(matches!(
        disclosure::check(&w.request, "did:key:z6MkSomeoneElse").unwrap_err(),
        DisclosureError::Head { .. }
    ));
    // A cheating official's partial names the official.
    let mut r = w.request.clone();
    r.partials[0].response = "1".into();
    let index = r.partials[0].index;
    match refuse(&r) {
        DisclosureError::Threshold(ThresholdError::BadPartial(i)) => assert_eq!(i, index),
        other => panic!("{other}"),
    }
    // Fewer partials than the threshold.
    let mut r = w.request.clone();
    r.partials.pop();
    assert!(matches!(
        refuse(&r),
        DisclosureError::Threshold(ThresholdError::NotEnough { have: 1, need: 2 })
    ));
    // A credential the issuer never issued.
    let empty = tempfile::tempdir().unwrap();
    let none = IssuerRecords::open(empty.path()).unwrap();
    assert!(matches!(
        answer(&w.request, &log_id, &none).unwrap_err(),
        AnswerError::UnknownCredential(_)
    ));
}

/// The second review's "beyond": the regulator cannot open in secret. An
/// official's tool releases a partial only for a request it has checked is
/// in the log it trusts, and the partial is bound to that record.
#[test]
fn r2_beyond_officials_release_partials_only_for_a_logged_request() {
    let w = world();
    let log_id = w.log.log_id();
    let release = |r: &DisclosureRequest, share: &RegulatorShare| {
        disclosure::release(r, &log_id, share, &mut rng(9)).unwrap_err()
    };
    let unlogged = {
        let body = disclosure::prepare(&w.log, &log_id, 2, &w.group, None, "quiet").unwrap();
        // Never appended: the "record" offered is a verification entry.
        disclosure::finish(&w.log, body, 2).unwrap()
    };
    assert!(matches!(
        release(&unlogged, &w.shares[0]),
        DisclosureError::RecordMismatch(_)
    ));
    // A logged request whose body was changed afterwards (another entry).
    let mut swapped = w.logged(1, "case 18");
    swapped.body.entry_index = 2;
    swapped.body.entry = String::from_utf8(w.log.entries(2, 3).unwrap().remove(0)).unwrap();
    assert!(matches!(
        release(&swapped, &w.shares[0]),
        DisclosureError::NotInLog { .. } | DisclosureError::RecordMismatch(_)
    ));
    // A head the official's log did not sign.
    assert!(matches!(
        disclosure::release(
            &w.request,
            "did:key:z6MkSomeoneElse",
            &w.shares[0],
            &mut rng(9)
        ),
        Err(DisclosureError::Head { .. })
    ));
    // A share of another group.
    let (other_sk, _) = regulator(299);
    let (_, foreign) = split(&other_sk, 2, 3, &mut rng(298)).unwrap();
    assert!(matches!(
        release(&w.request, &foreign[0]),
        DisclosureError::WrongRegulator(_)
    ));
    // Partials released for one logged request of entry 3 do not open
    // another logged request of the same entry.
    let second = w.logged(3, "case 19");
    let reused = disclosure::open(second.clone(), &log_id, w.request.partials.clone());
    assert!(matches!(
        reused,
        Err(DisclosureError::Threshold(ThresholdError::BadPartial(_)))
    ));
    let own = released(&w.log, &second, &[&w.shares[0], &w.shares[1]]);
    let opened = disclosure::open(second, &log_id, own).unwrap();
    assert_eq!(
        disclosure::check(&opened, &log_id).unwrap(),
        credential_id(3)
    );
}

#[test]
fn the_regulator_cannot_prepare_for_foreign_or_invalid_entries() {
    let dir = tempfile::tempdir().unwrap();
    let (sk, key) = regulator(210);
    let (_, other) = regulator(211);
    let log = log_with(dir.path(), &operator(), &key, 1);
    log.append(&[verification(1, &key, false), verification(2, &other, true)])
        .unwrap();
    let group = RegulatorShare::from_key(&crate::common::regulator_file(&sk))
        .unwrap()
        .group;
    let id = log.log_id();
    let prep = |i| disclosure::prepare(&log, &id, i, &group, None, "x");
    assert!(prep(0).is_ok());
    assert!(matches!(
        prep(1),
        Err(DisclosureError::BadEntry { index: 1, .. })
    ));
    assert!(matches!(prep(2), Err(DisclosureError::WrongRegulator(_))));
    assert!(matches!(
        prep(3),
        Err(DisclosureError::BadEntry { index: 3, .. })
    ));
}
