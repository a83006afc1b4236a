//! Any text as a KycCredential or status list: typed errors, no panics.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = veil_did::vc::parse_kyc(s);
        let _ = veil_did::claims::parse_date("fuzz", s);
        let _ = veil_did::claims::parse_midnight("fuzz", s);
    }
});
