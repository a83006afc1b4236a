//! Any bytes as a did:veil operation, a DID, a DID document: typed errors, no panics.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = veil_did::registry::parse_operation(data);
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = veil_did::registry::parse_did(s);
        let _ = serde_json::from_str::<veil_did::DidDocument>(s);
        let _ = veil_did::keys::jwk_from_multibase(s);
    }
});
