//! veil-system's integration tests: a keys directory written and read back
//! for each proving system, and every file refused the way its users see it.

use veil_system::keys_dir::{
    HALO2_SRS_PIN, HALO2_VK, PROVING_KEY, VERIFYING_KEY, VERIFYING_KEY_JSON,
};
use veil_system::{
    key_system, load_groth16_verifying_key, load_verifier_keys, KeyFileError, KeysDir, KeysError,
    ProverKeys, ProvingSystem, VerifierKeys,
};

#[test]
fn groth16_keys_round_trip_through_a_keys_directory() {
    let dir = tempfile::tempdir().unwrap();
    let keys = veil_prover::insecure_demo_setup(|_| ()).unwrap();
    let store = KeysDir::new(dir.path().join("keys"));
    store
        .save_groth16(&keys.proving_key, &keys.matrices)
        .unwrap();

    let ProverKeys::Groth16(pk) = store.load_prover(ProvingSystem::Groth16).unwrap() else {
        panic!("Groth16 keys expected")
    };
    assert!(pk.key == keys.proving_key);
    assert_eq!(pk.matrices.as_ref(), Some(&keys.matrices));
    let VerifierKeys::Groth16(vk) = store.load_verifier(ProvingSystem::Groth16).unwrap() else {
        panic!("a Groth16 key expected")
    };
    assert_eq!(vk, keys.proving_key.vk);
    // snarkjs's form of the same key, and the path-based loaders.
    let json = load_groth16_verifying_key(&store.file(VERIFYING_KEY_JSON)).unwrap();
    assert_eq!(json, vk);
    assert_eq!(key_system(store.path()), ProvingSystem::Groth16);
    assert_eq!(
        key_system(&store.file(VERIFYING_KEY)),
        ProvingSystem::Groth16
    );
    assert!(matches!(
        load_verifier_keys(ProvingSystem::Groth16, &store.file(VERIFYING_KEY)).unwrap(),
        VerifierKeys::Groth16(k) if k == vk
    ));
    assert_eq!(KeysDir::of_key_path(&store.file(VERIFYING_KEY)), store);

    // A proving key where the verifying key belongs, and the reverse.
    std::fs::copy(store.file(PROVING_KEY), store.file(VERIFYING_KEY)).unwrap();
    assert!(matches!(
        store.load_verifier(ProvingSystem::Groth16),
        Err(KeysError::KeyFile(KeyFileError::WrongKind { .. }))
    ));
}

#[test]
fn missing_and_foreign_files_name_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let store = KeysDir::new(dir.path());
    let err = store.load_prover(ProvingSystem::Groth16).err().unwrap();
    assert!(
        matches!(&err, KeysError::KeyFile(KeyFileError::Io { path, .. }) if path == &store.file(PROVING_KEY)),
        "{err}"
    );
    assert!(err.to_string().contains(PROVING_KEY), "{err}");

    let junk = dir.path().join("verification_key.json");
    std::fs::write(&junk, b"{\"protocol\": \"plonk\"}").unwrap();
    let err = load_groth16_verifying_key(&junk).unwrap_err();
    assert!(
        matches!(&err, KeysError::Snarkjs { path, .. } if path == &junk),
        "{err}"
    );
    std::fs::write(&junk, [0xff, 0xfe, 0x00]).unwrap();
    assert!(matches!(
        load_groth16_verifying_key(&junk),
        Err(KeysError::Snarkjs { .. })
    ));
}

#[cfg(feature = "halo2")]
#[test]
fn halo2_keys_round_trip_and_the_srs_pin_is_checked() {
    let dir = tempfile::tempdir().unwrap();
    let (params, keys) = veil_halo2::keys::insecure_demo_keys().unwrap();
    let store = KeysDir::new(dir.path());
    store.save_halo2(&params, &keys).unwrap();

    assert_eq!(key_system(store.path()), ProvingSystem::Halo2Kzg);
    assert_eq!(key_system(&store.file(HALO2_VK)), ProvingSystem::Halo2Kzg);
    match load_verifier_keys(ProvingSystem::Halo2Kzg, &store.file(HALO2_VK)).unwrap() {
        VerifierKeys::Halo2Kzg { vk, .. } => {
            assert_eq!(vk.to_bytes(), keys.verifying_key().to_bytes())
        }
        VerifierKeys::Groth16(_) => panic!("halo2 keys expected"),
    }
    assert!(matches!(
        store.load_prover(ProvingSystem::Halo2Kzg).unwrap(),
        ProverKeys::Halo2Kzg { .. }
    ));

    // Another SRS's pin: the parameters are refused, naming the file.
    std::fs::write(store.file(HALO2_SRS_PIN), format!("{}\n", "00".repeat(32))).unwrap();
    let err = store.load_verifier(ProvingSystem::Halo2Kzg).err().unwrap();
    assert!(matches!(&err, KeysError::Halo2 { .. }), "{err}");
    assert!(err.to_string().contains("halo2.srs"), "{err}");
}
