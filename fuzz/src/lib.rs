//! What the fuzz targets share: the one-off set-up some decoders need (the
//! circuit's shape, the demo's halo2 verifier, a log operator's key) and the
//! framing that lets a fuzzer's bytes reach a key file's payload.
//!
//! The set-up runs in each target's `init` (before libFuzzer's per-input
//! timeout starts), once per process.
//!
//! Every target asserts one thing: any input gets a typed error or a value,
//! never a panic, an abort, a hang or an unbounded allocation (libFuzzer's
//! `-rss_limit_mb` and `-timeout` turn the last two into findings).

use std::sync::OnceLock;
use veil_prover::keys::{KeyKind, MAGIC};
use veil_prover::CircuitShape;
use veil_prover::{KeysDir, ProvingSystem};

/// The input as text, when it is UTF-8 (the JSON decoders take `&str`).
pub fn text(data: &[u8]) -> Option<&str> {
    std::str::from_utf8(data).ok()
}

/// A Groth16 key file of `kind` around `payload`, with the header and
/// checksum this build accepts, so that mutations reach the key decoder
/// instead of stopping at the BLAKE3 check.
pub fn framed_key(kind: KeyKind, payload: &[u8]) -> Vec<u8> {
    framed_key_with(MAGIC, kind, payload)
}

/// [`framed_key`] with the magic of either encoding (`VEILKEY1`, `VEILKEY2`).
pub fn framed_key_with(magic: &[u8; 8], kind: KeyKind, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(8 + 1 + 32 + 8 + payload.len() + 32);
    out.extend_from_slice(magic);
    out.push(kind as u8);
    out.extend_from_slice(&CircuitShape::COMPLIANCE.digest);
    out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    out.extend_from_slice(payload);
    out.extend_from_slice(blake3::hash(payload).as_bytes());
    out
}

/// The demo's halo2 verifier (insecure parameters; the verifier's code path
/// is the same for any), made once per process: the verifying key alone
/// (the whole keys took 2 minutes of every CI run's fuzz section).
///
/// With `VEIL_FUZZ_HALO2_KEYS` naming a keys directory (`veil setup --system
/// halo2 --insecure-demo-key`, or `veil demo --system halo2 --keep`), the
/// parameters and the verifying key are read from it, their pin checked, as
/// `veil verify` reads them: generating both took 30 s of the target's run
/// in the instrumented build. A directory that does not load stops the run.
pub fn halo2_verifier() -> &'static veil_verifier::Halo2Verifier {
    static VERIFIER: OnceLock<veil_verifier::Halo2Verifier> = OnceLock::new();
    VERIFIER.get_or_init(|| {
        if let Some(dir) = std::env::var_os("VEIL_FUZZ_HALO2_KEYS") {
            let keys = KeysDir::new(dir)
                .load_verifier(ProvingSystem::Halo2Kzg)
                .expect("VEIL_FUZZ_HALO2_KEYS names a halo2 keys directory");
            let veil_verifier::VerifierKeys::Halo2Kzg { params, vk } = keys else {
                panic!("VEIL_FUZZ_HALO2_KEYS: not halo2 keys");
            };
            return veil_verifier::Halo2Verifier::new(params, vk);
        }
        let shape = veil_halo2::statement::CircuitShape::default();
        let params = veil_halo2::params::UniversalParams::insecure_demo(shape.k);
        let vk = veil_halo2::keys::Halo2VerifyingKey::generate(&params, shape)
            .expect("the demo's halo2 verifying key generates");
        veil_verifier::Halo2Verifier::new(params, vk)
    })
}

/// The key a hostile log operator signs its heads with: the operator is
/// the attacker, so its heads verify and the audit reads on.
pub fn operator_key() -> &'static veil_did::ControllerKey {
    static KEY: OnceLock<veil_did::ControllerKey> = OnceLock::new();
    KEY.get_or_init(|| veil_did::ControllerKey::generate().expect("an Ed25519 key"))
}
