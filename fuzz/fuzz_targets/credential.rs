//! Any text as a W3C KYC credential, its dates, or a status list and
//! status entry: typed errors, no panics.
#![no_main]
use libfuzzer_sys::fuzz_target;
use veil_did::status_list::StatusEntry;

fuzz_target!(|data: &[u8]| {
    let Some(s) = veil_fuzz::text(data) else {
        return;
    };
    let _ = veil_did::vc::parse_kyc(s);
    let _ = veil_did::claims::parse_date("fuzz", s);
    let _ = veil_did::claims::parse_midnight("fuzz", s);
    if let Ok(list) = serde_json::from_str::<serde_json::Value>(s) {
        if let Some(entry) = list
            .get("credentialStatus")
            .and_then(|e| serde_json::from_value::<StatusEntry>(e.clone()).ok())
        {
            let _ = entry.index();
            let _ = veil_did::status_list::is_set(&list, &entry);
        }
    }
});
