//! Any bytes as a did:veil operation, a DID, a DID document, a did:key
//! multibase key, or a document patch: typed errors, no panics.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = veil_did::registry::parse_operation(data);
    if let Some(s) = veil_fuzz::text(data) {
        let _ = veil_did::registry::parse_did(s);
        if let Ok(web) = veil_did::web::WebDid::parse(s) {
            // A parsed did:web prints back as itself.
            assert_eq!(web.did(), s);
        }
        let _ = veil_did::web::WebDid::from_location(s);
        let _ = veil_did::keys::jwk_from_multibase(s);
        let _ = veil_did::ControllerKey::from_json(s);
        if let Ok(mut doc) = serde_json::from_str::<veil_did::DidDocument>(s) {
            let _ = doc.controller_key();
            if let Ok(patch) = serde_json::from_str::<veil_did::Patch>(s) {
                let _ = doc.apply(&patch);
            }
        }
    }
});
