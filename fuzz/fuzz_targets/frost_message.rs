//! Any FROST message a co-signer or coordinator sends (round-1 packages,
//! key-share messages, signing packages, signature shares) against state
//! read from the same bytes: typed errors, no panics, no allocation sized
//! by a claimed group size.
#![no_main]
use libfuzzer_sys::fuzz_target;
use serde::Deserialize;
use veil_issuer::frost::dkg::{dkg_finish, dkg_round2, Round1Package, Round1Secret, ShareMessage};
use veil_issuer::frost::{
    aggregate, sign_round2, IssuerGroup, KeyShare, SignatureShare, SigningNonces, SigningPackage,
};

#[derive(Deserialize)]
struct Aggregate {
    group: IssuerGroup,
    package: SigningPackage,
    shares: Vec<SignatureShare>,
}

#[derive(Deserialize)]
struct Dkg {
    me: Round1Secret,
    packages: Vec<Round1Package>,
    #[serde(default)]
    received: Vec<ShareMessage>,
}

#[derive(Deserialize)]
struct Sign {
    share: KeyShare,
    nonces: SigningNonces,
    package: SigningPackage,
}

fuzz_target!(|data: &[u8]| {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    let Some(s) = veil_fuzz::text(rest) else {
        return;
    };
    match which % 4 {
        0 => {
            if let Ok(m) = serde_json::from_str::<Aggregate>(s) {
                let _ = m.group.check();
                let _ = m.group.public_key();
                let _ = m.package.message();
                let _ = aggregate(&m.group, &m.package, &m.shares);
            }
        }
        1 => {
            if let Ok(m) = serde_json::from_str::<Dkg>(s) {
                let _ = dkg_round2(&m.me, &m.packages);
            }
        }
        2 => {
            if let Ok(m) = serde_json::from_str::<Dkg>(s) {
                let _ = dkg_finish(&m.me, &m.packages, &m.received);
            }
        }
        _ => {
            if let Ok(m) = serde_json::from_str::<Sign>(s) {
                let _ = m.share.secret();
                let _ = sign_round2(&m.share, m.nonces, &m.package);
            }
        }
    }
});
