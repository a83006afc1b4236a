//! The RocksDB log: reopening, and torn or tampered storage refused on open.

use crate::common::{entry_key, log_with, node_key, operator, raw, regulator, verification};
use veil_audit::head::HeadError;
use veil_audit::log::{META, NODES};
use veil_audit::{LogError, SignedTreeHead, TransparencyLog};

#[test]
fn reopens_where_it_left_and_keeps_appending() {
    let dir = tempfile::tempdir().unwrap();
    let op = operator();
    let (_, key) = regulator(2);
    let head = {
        let log = log_with(dir.path(), &op, &key, 9);
        assert_eq!(log.size(), 9);
        log.head()
    };
    let log = TransparencyLog::open(dir.path(), op.clone()).unwrap();
    assert_eq!(log.head(), head);
    let (first, head2) = log.append(&[verification(9, &key, true)]).unwrap();
    assert_eq!((first, head2.tree_size), (9, 10));
    assert_eq!(log.root_at(9).unwrap(), head.root().unwrap());
    log.check_full(|_| {}).unwrap();
    drop(log);
    let ro = TransparencyLog::open_read_only(dir.path(), Some(&head2.log_id)).unwrap();
    assert_eq!(ro.head(), head2);
    assert!(matches!(
        ro.append(&[verification(10, &key, true)]),
        Err(LogError::ReadOnly)
    ));
    assert!(matches!(
        ro.entries(0, 11),
        Err(LogError::OutOfRange { .. })
    ));
}

#[test]
fn another_operator_key_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (_, key) = regulator(3);
    drop(log_with(dir.path(), &operator(), &key, 3));
    assert!(matches!(
        TransparencyLog::open(dir.path(), operator()),
        Err(LogError::Head(HeadError::OtherLog { .. }))
    ));
    assert!(matches!(
        TransparencyLog::open_read_only(dir.path(), Some("did:key:z6MkOther")),
        Err(LogError::Head(HeadError::OtherLog { .. }))
    ));
    assert!(matches!(
        TransparencyLog::open_read_only(&dir.path().join("absent"), None),
        Err(LogError::Missing(_))
    ));
}

/// Builds a 7-entry log, lets `damage` at the raw database, then opens it.
fn open_after(damage: impl FnOnce(&rocksdb::DB)) -> Result<TransparencyLog, LogError> {
    let dir = tempfile::tempdir().unwrap();
    let op = operator();
    let (_, key) = regulator(4);
    drop(log_with(dir.path(), &op, &key, 7));
    {
        let db = raw(dir.path());
        damage(&db);
    }
    let result = TransparencyLog::open(dir.path(), op);
    drop(dir);
    result
}

fn corrupt(result: Result<TransparencyLog, LogError>) -> String {
    match result {
        Err(LogError::Corrupt(m)) => m,
        Err(e) => panic!("expected Corrupt, got {e}"),
        Ok(_) => panic!("expected Corrupt, the log opened"),
    }
}

#[test]
fn torn_writes_are_detected_on_open() {
    // The last entry lost (entries end before the head).
    let m = corrupt(open_after(|db| {
        db.delete_cf(db.cf_handle("entries").unwrap(), entry_key(6))
            .unwrap();
    }));
    assert!(m.contains("last stored entry is 5"), "{m}");
    // An entry beyond the head (entries written, head not).
    let m = corrupt(open_after(|db| {
        db.put_cf(db.cf_handle("entries").unwrap(), entry_key(7), b"{}")
            .unwrap();
    }));
    assert!(m.contains("last stored entry is 7"), "{m}");
    // A leaf beyond the head.
    let m = corrupt(open_after(|db| {
        db.put_cf(db.cf_handle(NODES).unwrap(), node_key(0, 7), [0u8; 32])
            .unwrap();
    }));
    assert!(m.contains("beyond"), "{m}");
    // The last entry changed.
    let m = corrupt(open_after(|db| {
        db.put_cf(db.cf_handle("entries").unwrap(), entry_key(6), b"{\"x\":1}")
            .unwrap();
    }));
    assert!(m.contains("entry 6 does not hash"), "{m}");
    // A node of the right edge lost.
    let m = corrupt(open_after(|db| {
        db.delete_cf(db.cf_handle(NODES).unwrap(), node_key(2, 0))
            .unwrap();
    }));
    assert!(m.contains("node (2, 0) is missing"), "{m}");
    // A garbled head.
    let m = corrupt(open_after(|db| {
        db.put_cf(db.cf_handle(META).unwrap(), b"head", b"not json")
            .unwrap();
    }));
    assert!(m.contains("stored head"), "{m}");
}

#[test]
fn a_head_signed_by_another_key_or_altered_is_refused() {
    let r = open_after(|db| {
        let cf = db.cf_handle(META).unwrap();
        let head: SignedTreeHead =
            serde_json::from_slice(&db.get_cf(cf, b"head").unwrap().unwrap()).unwrap();
        let forged =
            SignedTreeHead::sign(&operator(), head.tree_size, &head.root().unwrap()).unwrap();
        db.put_cf(cf, b"head", serde_json::to_vec(&forged).unwrap())
            .unwrap();
    });
    assert!(matches!(r, Err(LogError::Head(HeadError::OtherLog { .. }))));
    let r = open_after(|db| {
        let cf = db.cf_handle(META).unwrap();
        let mut head: SignedTreeHead =
            serde_json::from_slice(&db.get_cf(cf, b"head").unwrap().unwrap()).unwrap();
        head.tree_size = 6;
        db.put_cf(cf, b"head", serde_json::to_vec(&head).unwrap())
            .unwrap();
    });
    assert!(matches!(r, Err(LogError::Head(HeadError::BadSignature(_)))));
}

#[test]
fn full_check_names_a_tampered_middle_entry() {
    let dir = tempfile::tempdir().unwrap();
    let op = operator();
    let (_, key) = regulator(5);
    drop(log_with(dir.path(), &op, &key, 12));
    {
        let db = raw(dir.path());
        let bytes = verification(99, &key, true).to_bytes();
        db.put_cf(db.cf_handle("entries").unwrap(), entry_key(4), bytes)
            .unwrap();
    }
    // The tail is intact, so it opens; the full check finds entry 4.
    let log = TransparencyLog::open(dir.path(), op).unwrap();
    match log.check_full(|_| {}) {
        Err(LogError::Corrupt(m)) => assert!(m.contains("entry 4 does not hash"), "{m}"),
        other => panic!("expected Corrupt, got {other:?}"),
    }
}

/// The full check reads the nodes level by level in one scan each: a node
/// missing inside a level, one of the wrong length, and one that does not
/// hash from its children are each named (none is on the right edge that
/// opening checks, so the log opens).
#[test]
fn full_check_names_a_missing_short_or_altered_node() {
    // (the error, the node, its new bytes or None to delete it)
    let cases = [
        ("node (1, 1) is missing", node_key(1, 1), None),
        (
            "node (1, 2) is not 32 bytes",
            node_key(1, 2),
            Some(vec![7u8; 31]),
        ),
        (
            "node (2, 0) does not match its children",
            node_key(2, 0),
            Some(vec![7; 32]),
        ),
    ];
    for (expected, key, value) in cases {
        let dir = tempfile::tempdir().unwrap();
        let op = operator();
        let (_, signer) = regulator(5);
        drop(log_with(dir.path(), &op, &signer, 12));
        {
            let db = raw(dir.path());
            let nodes = db.cf_handle(NODES).unwrap();
            match &value {
                Some(bytes) => db.put_cf(nodes, key, bytes).unwrap(),
                None => db.delete_cf(nodes, key).unwrap(),
            }
        }
        let log = TransparencyLog::open(dir.path(), op).unwrap();
        match log.check_full(|_| {}) {
            Err(LogError::Corrupt(m)) => assert!(m.contains(expected), "{m}"),
            other => panic!("{expected}: expected Corrupt, got {other:?}"),
        }
    }
}
