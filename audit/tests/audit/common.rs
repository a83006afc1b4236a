//! Shared fixtures: synthetic verification entries with real escrows, and
//! logs in temporary directories.

use ark_ec::CurveGroup;
use ark_std::UniformRand;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use std::path::Path;
use veil_audit::{Entry, TransparencyLog, VerificationRecord};
use veil_circuits::babyjubjub::{base8, Scalar};
use veil_circuits::eddsa::PublicKey;
use veil_circuits::encoding::field_to_decimal;
use veil_circuits::statement::files::{PointJson, RegulatorKeyJson};
use veil_circuits::statement::{escrow, escrow_randomness};
use veil_circuits::F;
use veil_did::ControllerKey;

/// A seeded RNG (tests only).
pub fn rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

/// A regulator key pair.
pub fn regulator(seed: u64) -> (Scalar, PublicKey) {
    let sk = Scalar::rand(&mut rng(seed));
    (sk, PublicKey((base8() * sk).into_affine()))
}

/// The key file of a regulator secret.
pub fn regulator_file(sk: &Scalar) -> RegulatorKeyJson {
    RegulatorKeyJson::from_secret(sk)
}

/// The credential id escrowed in entry `i` of [`verification`].
pub fn credential_id(i: u64) -> F {
    F::from(1_000_000 + i)
}

/// A valid verification entry escrowing [`credential_id`]`(i)` to `key`.
pub fn verification(i: u64, key: &PublicKey, valid: bool) -> Entry {
    let r = escrow_randomness(&mut rng(10_000 + i));
    let ((c1x, c1y), ct) = escrow(credential_id(i), key, &r);
    let mut inputs: Vec<String> = (0..7).map(|k| (k * 1000 + i).to_string()).collect();
    inputs.extend([c1x, c1y, ct].iter().map(field_to_decimal));
    Entry::Verification(VerificationRecord {
        time_unix_ms: 1_700_000_000_000 + i,
        system: "groth16".into(),
        proof: String::new(),
        public_inputs: inputs,
        valid,
        reason: if valid {
            String::new()
        } else {
            "proof rejected".into()
        },
        caller: "k1".into(),
        regulator_key: Some(PointJson::from_key(key)),
    })
}

/// A log at `dir` holding `n` valid verifications escrowed to `key`.
pub fn log_with(dir: &Path, operator: &ControllerKey, key: &PublicKey, n: u64) -> TransparencyLog {
    let log = TransparencyLog::open(dir, operator.clone()).expect("open log");
    let entries: Vec<Entry> = (0..n).map(|i| verification(i, key, true)).collect();
    if n > 0 {
        log.append(&entries).expect("append");
    }
    log
}

/// The operator key every test log uses (fixed per call site by caching).
pub fn operator() -> ControllerKey {
    ControllerKey::generate().expect("key")
}

/// Raw access to a stored log, as an attacker (or a broken disk) has it.
pub fn raw(dir: &Path) -> rocksdb::DB {
    let families = [
        veil_audit::log::ENTRIES,
        veil_audit::log::NODES,
        veil_audit::log::META,
    ];
    rocksdb::DB::open_cf(&rocksdb::Options::default(), dir, families).expect("raw open")
}

/// Key of entry `i` in the entries column family.
pub fn entry_key(i: u64) -> [u8; 8] {
    i.to_be_bytes()
}

/// The nodes family's key of node `(level, index)`: the level's byte, then
/// the index big-endian.
pub fn node_key(level: u8, index: u64) -> [u8; 9] {
    let mut key = [0u8; 9];
    key[0] = level;
    key[1..].copy_from_slice(&index.to_be_bytes());
    key
}
