//! Disclosures end to end: the regulator asks, the log records it, the issuer
//! checks everything and answers with its KYC record; every broken link is
//! refused with what broke.

use crate::common::{credential_id, log_with, operator, regulator, rng, verification};
use veil_audit::disclosure::{self, DisclosureError, DisclosureRequest};
use veil_audit::records::{IssuerRecords, KycRecord};
use veil_audit::threshold::{split, ThresholdError};
use veil_audit::{Decryptor, TransparencyLog};
use veil_circuits::encoding::field_to_decimal;

struct World {
    _dirs: Vec<tempfile::TempDir>,
    log: TransparencyLog,
    records: IssuerRecords,
    request: DisclosureRequest,
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
    let (_, shares) = split(&sk, 2, 3, &mut rng(201)).unwrap();
    let d = Decryptor::new(&[shares[2].clone(), shares[0].clone()]).unwrap();
    let body =
        disclosure::prepare(&log, &log.log_id(), 3, &d, None, "case 17", &mut rng(202)).unwrap();
    let (index, _) = log.append(&[body.record()]).unwrap();
    let request = disclosure::finish(&log, body, index).unwrap();
    World {
        _dirs: vec![log_dir, rec_dir],
        log,
        records,
        request,
    }
}

#[test]
fn the_issuer_answers_a_logged_request() {
    let w = world();
    let answer = disclosure::answer(&w.request, &w.log.log_id(), &w.records).unwrap();
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
    let refuse = |r: &DisclosureRequest| disclosure::answer(r, &log_id, &w.records).unwrap_err();

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
        disclosure::answer(&w.request, "did:key:z6MkSomeoneElse", &w.records).unwrap_err(),
        DisclosureError::Head { .. }
    ));
    // A cheating official's partial.
    let mut r = w.request.clone();
    r.body.partials[0].response = "1".into();
    let index = r.body.partials[0].index;
    match refuse(&r) {
        DisclosureError::RecordMismatch(_) => {}
        other => panic!("{other}"),
    }
    // (The body hash covers the partials; re-log a cheating body to see the official named.)
    let (index_logged, _) = w.log.append(&[r.body.record()]).unwrap();
    let r = disclosure::finish(&w.log, r.body.clone(), index_logged).unwrap();
    match refuse(&r) {
        DisclosureError::Threshold(ThresholdError::BadPartial(i)) => assert_eq!(i, index),
        other => panic!("{other}"),
    }
    // A credential the issuer never issued.
    let empty = tempfile::tempdir().unwrap();
    let none = IssuerRecords::open(empty.path()).unwrap();
    assert!(matches!(
        disclosure::answer(&w.request, &log_id, &none).unwrap_err(),
        DisclosureError::UnknownCredential(_)
    ));
}

#[test]
fn the_regulator_cannot_prepare_for_foreign_or_invalid_entries() {
    let dir = tempfile::tempdir().unwrap();
    let (sk, key) = regulator(210);
    let (_, other) = regulator(211);
    let log = log_with(dir.path(), &operator(), &key, 1);
    log.append(&[verification(1, &key, false), verification(2, &other, true)])
        .unwrap();
    let d = Decryptor::new(&[veil_audit::threshold::RegulatorShare::from_key(
        &crate::common::regulator_file(&sk),
    )
    .unwrap()])
    .unwrap();
    let id = log.log_id();
    let prep = |i| disclosure::prepare(&log, &id, i, &d, None, "x", &mut rng(1));
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
