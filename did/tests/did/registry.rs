//! The did:veil registry's lifecycle, through veil's API and through ssi.

use crate::support;
use ssi::dids::{DIDResolver, DID};
use std::sync::Arc;
use veil_did::registry::{parse_did, Action};
use veil_did::*;

fn open() -> (tempfile::TempDir, Arc<Registry>) {
    let dir = tempfile::tempdir().unwrap();
    let reg = Arc::new(Registry::open(&dir.path().join("db")).unwrap());
    (dir, reg)
}

fn bjj() -> MethodSpec {
    MethodSpec::BabyJubJub {
        fragment: "bjj-1".into(),
        point: BabyJubJubPoint {
            x: "5299619240641551281634865583518297030282874472190772894086521144482721001553"
                .into(),
            y: "16950150798460657717958625567821834550301663161624707787222815936182638968203"
                .into(),
        },
    }
}

#[test]
fn create_carries_ed25519_and_baby_jubjub_keys() {
    let (_d, reg) = open();
    let key = ControllerKey::generate().unwrap();
    let vc_key = ControllerKey::generate().unwrap();
    let r = reg
        .create(
            &key,
            vec![
                MethodSpec::Ed25519 {
                    fragment: "vc-1".into(),
                    public_key_multibase: vc_key.public_multibase().unwrap(),
                },
                bjj(),
            ],
            vec![],
        )
        .unwrap();
    let doc = &r.did_document;
    assert_eq!(doc.id, did_for_key(&key.public_multibase().unwrap()));
    assert!(doc.id.starts_with("did:veil:z"));
    assert_eq!(
        doc.controller_key().unwrap(),
        key.public_multibase().unwrap()
    );
    assert_eq!(doc.method("bjj-1").unwrap().kind, document::BABY_JUBJUB_KEY);
    assert_eq!(doc.assertion_method.len(), 3); // vc-1, its 2020 twin, bjj-1
    assert_eq!(r.did_document_metadata.version_id, "1");
    assert!(r.did_document_metadata.updated.is_none());
    // Creating it twice is refused.
    assert!(matches!(
        reg.create(&key, vec![], vec![]),
        Err(RegistryError::AlreadyExists(_))
    ));
}

#[test]
fn rotation_moves_control_and_every_version_stays_resolvable() {
    let (_d, reg) = open();
    let old = ControllerKey::generate().unwrap();
    let new = ControllerKey::generate().unwrap();
    let did = reg.create(&old, vec![], vec![]).unwrap().did_document.id;
    let r = reg
        .update(
            &old,
            &did,
            vec![
                Patch::AddMethod { method: bjj() },
                Patch::AddService {
                    fragment: "kyc".into(),
                    kind: "KycIssuer".into(),
                    endpoint: "https://issuer.example/kyc".into(),
                },
            ],
        )
        .unwrap();
    assert_eq!(r.did_document_metadata.version_id, "2");
    assert!(r.did_document_metadata.updated.is_some());
    reg.update(
        &old,
        &did,
        vec![Patch::RotateController {
            public_key_multibase: new.public_multibase().unwrap(),
        }],
    )
    .unwrap();
    // The old key no longer controls the DID.
    let refused = reg.update(
        &old,
        &did,
        vec![Patch::RemoveService {
            fragment: "kyc".into(),
        }],
    );
    assert!(
        matches!(refused, Err(RegistryError::NotController(_))),
        "{refused:?}"
    );
    reg.update(
        &new,
        &did,
        vec![Patch::RemoveService {
            fragment: "kyc".into(),
        }],
    )
    .unwrap();

    let history = reg.history(&did).unwrap();
    assert_eq!(history.len(), 4);
    let v2 = reg.resolve(&did, Some(2)).unwrap();
    assert_eq!(v2.did_document.service.len(), 1);
    assert_eq!(
        v2.did_document_metadata.next_version_id.as_deref(),
        Some("3")
    );
    assert_eq!(
        v2.did_document.controller_key().unwrap(),
        old.public_multibase().unwrap()
    );
    let latest = reg.resolve(&did, None).unwrap();
    assert!(latest.did_document.service.is_empty());
    assert_eq!(
        latest.did_document.controller_key().unwrap(),
        new.public_multibase().unwrap()
    );
    assert_eq!(
        latest.did_document_metadata.created,
        v2.did_document_metadata.created
    );
    assert!(matches!(
        reg.resolve(&did, Some(5)),
        Err(ResolutionError::NotFound(_))
    ));
    assert!(matches!(
        reg.resolve(&did, Some(0)),
        Err(ResolutionError::NotFound(_))
    ));
}

#[test]
fn deactivation_is_final() {
    let (_d, reg) = open();
    let key = ControllerKey::generate().unwrap();
    let did = reg.create(&key, vec![], vec![]).unwrap().did_document.id;
    let r = reg.deactivate(&key, &did).unwrap();
    assert!(r.did_document_metadata.deactivated);
    let refused = reg.update(&key, &did, vec![Patch::AddMethod { method: bjj() }]);
    assert!(matches!(refused, Err(RegistryError::Deactivated(_))));
    assert!(matches!(
        reg.deactivate(&key, &did),
        Err(RegistryError::Deactivated(_))
    ));
    assert_eq!(reg.history(&did).unwrap().len(), 2);
    assert!(
        !reg.resolve(&did, Some(1))
            .unwrap()
            .did_document_metadata
            .deactivated
    );
}

#[test]
fn forged_replayed_and_malformed_operations_change_nothing() {
    let (_d, reg) = open();
    let key = ControllerKey::generate().unwrap();
    let stranger = ControllerKey::generate().unwrap();
    let did = reg.create(&key, vec![], vec![]).unwrap().did_document.id;

    // A stranger signs an update.
    let forged = reg.update(&stranger, &did, vec![Patch::AddMethod { method: bjj() }]);
    assert!(matches!(forged, Err(RegistryError::NotController(_))));
    // A stranger claims someone's DID with its own key.
    let claim = Operation::sign(
        &stranger,
        &did,
        1,
        Action::Create {
            controller: stranger.public_multibase().unwrap(),
            methods: vec![],
            services: vec![],
        },
    )
    .unwrap();
    assert!(matches!(
        reg.apply(&claim),
        Err(RegistryError::AlreadyExists(_))
    ));
    // A valid update replayed.
    let op = Operation::sign(
        &key,
        &did,
        2,
        Action::Update {
            patches: vec![Patch::AddMethod { method: bjj() }],
        },
    )
    .unwrap();
    reg.apply(&op).unwrap();
    assert!(matches!(
        reg.apply(&op),
        Err(RegistryError::StaleVersion { .. })
    ));
    // A tampered signature, a tampered action.
    let mut bad = Operation::sign(&key, &did, 3, Action::Deactivate).unwrap();
    bad.signature = "!!".into();
    assert!(matches!(reg.apply(&bad), Err(RegistryError::Invalid(_))));
    let mut swapped = Operation::sign(
        &key,
        &did,
        3,
        Action::Update {
            patches: vec![Patch::RemoveMethod {
                fragment: "bjj-1".into(),
            }],
        },
    )
    .unwrap();
    swapped.action = Action::Deactivate;
    assert!(matches!(
        reg.apply(&swapped),
        Err(RegistryError::NotController(_))
    ));
    // Patches that name nothing, or a malformed key.
    for patch in [
        Patch::RemoveMethod {
            fragment: "nope".into(),
        },
        Patch::RemoveMethod {
            fragment: "controller".into(),
        },
        Patch::AddMethod { method: bjj() },
        Patch::RotateController {
            public_key_multibase: "zNotAKey".into(),
        },
        Patch::AddMethod {
            method: MethodSpec::BabyJubJub {
                fragment: "bad frag".into(),
                point: BabyJubJubPoint {
                    x: "1".into(),
                    y: "2".into(),
                },
            },
        },
        Patch::AddMethod {
            method: MethodSpec::BabyJubJub {
                fragment: "b2".into(),
                point: BabyJubJubPoint {
                    x: "-1".into(),
                    y: "2".into(),
                },
            },
        },
    ] {
        let r = reg.update(&key, &did, vec![patch.clone()]);
        assert!(
            matches!(r, Err(RegistryError::Invalid(_))),
            "{patch:?}: {r:?}"
        );
    }
    assert_eq!(
        reg.history(&did).unwrap().len(),
        2,
        "a refused operation changed something"
    );
}

#[test]
fn resolution_errors_follow_w3c_codes() {
    let (_d, reg) = open();
    let unknown = did_for_key(
        &ControllerKey::generate()
            .unwrap()
            .public_multibase()
            .unwrap(),
    );
    for (did, code) in [
        (
            "did:veil:zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme",
            "invalidDid",
        ),
        ("did:veil:", "invalidDid"),
        ("veil:abc", "invalidDid"),
        ("did:VEIL:abc", "invalidDid"),
        ("did:web:example.com", "methodNotSupported"),
        (unknown.as_str(), "notFound"),
    ] {
        let e = reg.resolve(did, None).unwrap_err();
        assert_eq!(e.code(), code, "{did}: {e}");
    }
    assert!(parse_did(&unknown).is_ok());
}

#[test]
fn the_registry_survives_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let key = ControllerKey::generate().unwrap();
    let did = {
        let reg = Registry::open(&path).unwrap();
        let did = reg.create(&key, vec![], vec![]).unwrap().did_document.id;
        reg.update(&key, &did, vec![Patch::AddMethod { method: bjj() }])
            .unwrap();
        did
    };
    let reg = Registry::open(&path).unwrap();
    assert_eq!(
        reg.resolve(&did, None)
            .unwrap()
            .did_document_metadata
            .version_id,
        "2"
    );
}

#[tokio::test(flavor = "current_thread")]
async fn ssi_resolves_did_veil_and_did_key() {
    let (_d, reg) = open();
    let key = ControllerKey::generate().unwrap();
    let did = reg
        .create(&key, vec![bjj()], vec![])
        .unwrap()
        .did_document
        .id;
    reg.update(
        &key,
        &did,
        vec![Patch::RemoveMethod {
            fragment: "bjj-1".into(),
        }],
    )
    .unwrap();
    let resolver = resolver(reg.clone());

    let output = resolver
        .resolve(DID::new(&did).unwrap())
        .await
        .expect("ssi resolves did:veil");
    let doc = output.document.into_document();
    assert_eq!(doc.id.as_str(), did);
    assert_eq!(doc.verification_method.len(), 1);
    assert_eq!(output.document_metadata.deactivated, Some(false));

    let v1 = format!("{did}?versionId=1");
    let _ = v1;
    let options = ssi::dids::resolution::Options {
        parameters: ssi::dids::resolution::Parameters {
            version_id: Some("1".into()),
            ..Default::default()
        },
        ..Default::default()
    };
    let old = resolver
        .resolve_with(DID::new(&did).unwrap(), options)
        .await
        .unwrap();
    assert_eq!(old.document.into_document().verification_method.len(), 2);

    // did:key through ssi's own method.
    let jwk = ssi::JWK::generate_ed25519().unwrap();
    let did_key = ssi::dids::DIDKey::generate(&jwk.to_public()).unwrap();
    resolver.resolve(did_key.as_did()).await.expect("did:key");

    // Unknown method and unknown DID.
    let e = resolver
        .resolve(DID::new("did:example:123").unwrap())
        .await
        .unwrap_err();
    assert!(matches!(
        e,
        ssi::dids::resolution::Error::MethodNotSupported(_)
    ));
    let unknown = did_for_key(
        &ControllerKey::generate()
            .unwrap()
            .public_multibase()
            .unwrap(),
    );
    let e = resolver
        .resolve(DID::new(&unknown).unwrap())
        .await
        .unwrap_err();
    assert!(matches!(e, ssi::dids::resolution::Error::NotFound));
}

/// Crash injection: the writer (this test binary re-run with
/// `VEIL_CRASH_DID_DIR`, see [`crash_did_writer_child_process`]) creates a
/// DID and updates it forever; it is SIGKILLed at random points 200 times.
/// After each kill the registry reopens, the DID's history is versions 1..n
/// without a gap, version v carries exactly the v − 1 services added so far,
/// the head is the last version, and no acknowledged version is lost.
#[test]
fn the_registry_survives_sigkill_at_random_points() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let key = ControllerKey::generate().unwrap();
    std::fs::write(dir.join("controller.jwk"), key.to_json()).unwrap();
    let did = registry::did_for_key(&key.public_multibase().unwrap());
    let check = |kill: usize, acked: u64| {
        let reg = Registry::open(&dir.join("db"))
            .unwrap_or_else(|e| panic!("kill {kill}: the registry does not reopen: {e}"));
        if acked == 0 && reg.resolve(&did, None).is_err() {
            return;
        }
        let history = reg.history(&did).unwrap();
        for (i, record) in history.iter().enumerate() {
            assert_eq!(
                record.version,
                i as u64 + 1,
                "kill {kill}: a gap in the history"
            );
            assert_eq!(
                record.document.service.len(),
                i,
                "kill {kill}: version {}",
                i + 1
            );
        }
        let head = history.len() as u64;
        assert!(
            head >= acked,
            "kill {kill}: acknowledged version {acked} lost (head {head})"
        );
        let current = reg.resolve(&did, None).unwrap();
        assert_eq!(current.did_document_metadata.version_id, head.to_string());
    };
    let acked = support::kill_at_random_points(
        "registry::crash_did_writer_child_process",
        "VEIL_CRASH_DID_DIR",
        dir,
        29,
        200,
        check,
    );
    assert!(acked > 100, "the writer acknowledged only {acked} versions");
}

/// The writer for the test above (returns at once unless
/// `VEIL_CRASH_DID_DIR` is set): creates the DID if absent, then adds one
/// service per version forever, printing `acked <version>` after each
/// synced write returns.
#[test]
fn crash_did_writer_child_process() {
    let Ok(dir) = std::env::var("VEIL_CRASH_DID_DIR") else {
        return;
    };
    use std::io::Write;
    let dir = std::path::Path::new(&dir);
    let key =
        ControllerKey::from_json(&std::fs::read_to_string(dir.join("controller.jwk")).unwrap())
            .unwrap();
    let reg = Registry::open(&dir.join("db")).expect("reopens");
    let did = registry::did_for_key(&key.public_multibase().unwrap());
    let mut version = match reg.history(&did) {
        Ok(h) if !h.is_empty() => h.len() as u64,
        _ => {
            reg.create(&key, vec![], vec![]).expect("create");
            1
        }
    };
    let stdout = std::io::stdout();
    loop {
        let _ = writeln!(stdout.lock(), "acked {version}");
        let _ = stdout.lock().flush();
        reg.update(
            &key,
            &did,
            vec![document::Patch::AddService {
                fragment: format!("s{version}"),
                kind: "LinkedDomains".into(),
                endpoint: format!("https://example.com/{version}"),
            }],
        )
        .expect("update");
        version += 1;
    }
}
