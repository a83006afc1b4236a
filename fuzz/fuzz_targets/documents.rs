//! Any text as one of veil's JSON documents (policy, payment context,
//! credential, holder and issuer keys, regulator key, issuer and revocation
//! lists) and as a wallet's prove request taken all the way to the witness,
//! every rule checked: typed errors, no panics. The first byte picks the
//! document; a request is built into its issuer and revocation trees.
#![no_main]
use libfuzzer_sys::fuzz_target;
use rand::SeedableRng;
use serde::de::DeserializeOwned;
use veil_bindings_core::prove::ProveRequest;
use veil_circuits::statement::files::{
    CredentialJson, HolderJson, IssuerKeyJson, IssuerListJson, PaymentContextJson, PolicyJson,
    RegulatorKeyJson, RevocationListJson,
};

fn read<T: DeserializeOwned>(s: &str) -> Option<T> {
    serde_json::from_str(s).ok()
}

fuzz_target!(|data: &[u8]| {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    let Some(s) = veil_fuzz::text(rest) else {
        return;
    };
    match which % 9 {
        0 => drop(read::<PolicyJson>(s).map(|d| d.to_policy())),
        1 => drop(read::<PaymentContextJson>(s).map(|d| d.to_context())),
        2 => drop(read::<CredentialJson>(s).map(|d| d.to_credential())),
        3 => drop(read::<HolderJson>(s).map(|d| d.to_secret())),
        4 => drop(read::<IssuerKeyJson>(s).map(|d| d.to_key())),
        5 => drop(read::<RegulatorKeyJson>(s).map(|d| d.to_secret())),
        6 => drop(read::<IssuerListJson>(s).map(|d| d.to_keys())),
        7 => drop(read::<RevocationListJson>(s).map(|d| d.to_ids())),
        _ => {
            if let Ok(request) = ProveRequest::from_json(s) {
                let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(0);
                let _ = request.witness(&mut rng);
            }
        }
    }
});
