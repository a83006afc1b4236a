//! Threshold issuance: FROST over Baby Jubjub. A DKG then two-round signing
//! at 2-of-3 and 3-of-5, every signing set; the signatures are plain
//! EdDSA-Poseidon (veil's verifier and circomlibjs's `verifyPoseidon`);
//! every bad message is refused with the party named.

use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use serde_json::json;
use std::path::PathBuf;
use std::process::Command;
use veil_circuits::eddsa::Signature;
use veil_circuits::encoding::field_to_decimal;
use veil_circuits::statement::files::PointJson;
use veil_circuits::F;
use veil_did::shamir::{point_json, scalar_decimal};
use veil_issuer::frost::dkg::ShareMessage;
use veil_issuer::frost::*;

fn rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

fn params(t: u32, n: u32) -> DkgParameters {
    DkgParameters {
        threshold: t,
        members: n,
        context: "did:veil:test-issuer".into(),
    }
}

struct Dkg {
    secrets: Vec<Round1Secret>,
    packages: Vec<Round1Package>,
    messages: Vec<ShareMessage>,
}

fn dkg_rounds(t: u32, n: u32, seed: u64) -> Dkg {
    let mut r = rng(seed);
    let (secrets, packages): (Vec<_>, Vec<_>) = (1..=n)
        .map(|i| dkg_round1(&params(t, n), i, &mut r).unwrap())
        .unzip();
    let messages = secrets
        .iter()
        .flat_map(|s| dkg_round2(s, &packages).unwrap())
        .collect();
    Dkg {
        secrets,
        packages,
        messages,
    }
}

fn inbox(messages: &[ShareMessage], to: u32) -> Vec<ShareMessage> {
    messages.iter().filter(|m| m.to == to).cloned().collect()
}

fn keygen(t: u32, n: u32, seed: u64) -> Vec<KeyShare> {
    let d = dkg_rounds(t, n, seed);
    d.secrets
        .iter()
        .map(|s| dkg_finish(s, &d.packages, &inbox(&d.messages, s.index)).unwrap())
        .collect()
}

fn message(k: u64) -> F {
    F::from(0xc1a1_0000 + k)
}

/// Runs both rounds for `signers` (indices); returns the package and shares.
fn sign_with(
    shares: &[KeyShare],
    signers: &[u32],
    m: F,
    seed: u64,
) -> (SigningPackage, Vec<SignatureShare>) {
    let mut r = rng(seed);
    let share = |i: u32| &shares[i as usize - 1];
    let (nonces, commitments): (Vec<_>, Vec<_>) = signers
        .iter()
        .map(|i| sign_round1(share(*i), &mut r).unwrap())
        .unzip();
    let package = SigningPackage::new(&shares[0].group, m, commitments).unwrap();
    let answers = signers
        .iter()
        .zip(nonces)
        .map(|(i, n)| sign_round2(share(*i), n, &package).unwrap())
        .collect();
    (package, answers)
}

fn subsets(n: u32, k: usize) -> Vec<Vec<u32>> {
    (0u32..1 << n)
        .filter(|mask| mask.count_ones() as usize == k)
        .map(|mask| (1..=n).filter(|i| mask & (1 << (i - 1)) != 0).collect())
        .collect()
}

fn check_every_subset(t: u32, n: u32, seed: u64) -> Vec<(F, Signature, PointJson)> {
    let shares = keygen(t, n, seed);
    let group = &shares[0].group;
    for s in &shares {
        assert_eq!(&s.group, group, "every participant computes the same group");
    }
    let key = group.public_key().unwrap();
    let mut produced = Vec::new();
    for (k, set) in (t as usize..=n as usize)
        .flat_map(|size| subsets(n, size))
        .enumerate()
    {
        let m = message(k as u64);
        let (package, answers) = sign_with(&shares, &set, m, seed + 100 + k as u64);
        let sig = aggregate(group, &package, &answers).unwrap();
        assert!(key.verify(m, &sig), "{set:?}");
        assert!(!key.verify(m + F::from(1u64), &sig));
        produced.push((m, sig, group.public_key.clone()));
    }
    produced
}

#[test]
fn two_of_three_every_signing_set_makes_a_valid_eddsa_poseidon_signature() {
    let produced = check_every_subset(2, 3, 1);
    assert_eq!(produced.len(), 4); // {1,2} {1,3} {2,3} {1,2,3}
    circomlibjs_agrees(&produced);
}

#[test]
fn three_of_five_every_signing_set_makes_a_valid_eddsa_poseidon_signature() {
    let produced = check_every_subset(3, 5, 2);
    assert_eq!(produced.len(), 10 + 5 + 1);
    circomlibjs_agrees(&produced[..3]);
}

#[test]
fn fewer_than_t_signers_cannot_form_a_package() {
    let shares = keygen(3, 5, 3);
    let mut r = rng(30);
    let commitments: Vec<_> = [1, 4]
        .iter()
        .map(|i| sign_round1(&shares[*i as usize - 1], &mut r).unwrap().1)
        .collect();
    assert_eq!(
        SigningPackage::new(&shares[0].group, message(0), commitments),
        Err(FrostError::NotEnough { have: 2, need: 3 })
    );
}

#[test]
fn a_cheating_signer_is_detected_and_named() {
    let shares = keygen(3, 5, 4);
    let group = &shares[0].group;
    let (package, mut answers) = sign_with(&shares, &[1, 3, 5], message(1), 40);
    // Participant 3 answers garbage.
    answers[1].share = scalar_decimal(&veil_circuits::babyjubjub::Scalar::from(12345u64));
    let err = aggregate(group, &package, &answers).unwrap_err();
    assert_eq!(err, FrostError::BadSignatureShare(3));
    assert_eq!(err.culprit(), Some(3));

    // A stolen share under another participant's index fails its key check.
    let mut stolen = shares[1].clone();
    stolen.index = 3;
    assert_eq!(stolen.secret().unwrap_err(), FrostError::BadKeyShare(3));
}

#[test]
fn a_signer_answering_with_another_signers_share_is_named() {
    let shares = keygen(2, 3, 6);
    let group = &shares[0].group;
    let mut r = rng(60);
    let (n1, c1) = sign_round1(&shares[0], &mut r).unwrap();
    let (n2, c2) = sign_round1(&shares[1], &mut r).unwrap();
    let package = SigningPackage::new(group, message(2), vec![c1, c2]).unwrap();
    let z1 = sign_round2(&shares[0], n1, &package).unwrap();
    // Participant 2 replays participant 1's answer instead of its own.
    let z2 = SignatureShare {
        index: 2,
        share: z1.share.clone(),
    };
    let _ = n2;
    assert_eq!(
        aggregate(group, &package, &[z1, z2]),
        Err(FrostError::BadSignatureShare(2))
    );
}

#[test]
fn signing_refuses_bad_packages_and_share_sets() {
    let shares = keygen(2, 3, 7);
    let group = &shares[0].group;
    let mut r = rng(70);
    let (n1, c1) = sign_round1(&shares[0], &mut r).unwrap();
    let (n2, c2) = sign_round1(&shares[1], &mut r).unwrap();
    let (_, c3) = sign_round1(&shares[2], &mut r).unwrap();

    // A participant outside the group.
    let mut stranger = c3.clone();
    stranger.index = 9;
    assert_eq!(
        SigningPackage::new(group, message(3), vec![c1.clone(), stranger]),
        Err(FrostError::UnknownParticipant(9))
    );
    // The same participant twice.
    assert_eq!(
        SigningPackage::new(group, message(3), vec![c1.clone(), c1.clone()]),
        Err(FrostError::Duplicate(1))
    );
    // A commitment that is not a curve point names its sender.
    let mut garbled = c2.clone();
    garbled.hiding = PointJson {
        x: "1".into(),
        y: "2".into(),
    };
    let err = SigningPackage::new(group, message(3), vec![c1.clone(), garbled]).unwrap_err();
    assert_eq!(err.culprit(), Some(2), "{err}");

    // The coordinator swaps participant 1's commitment for another.
    let mut swapped = c3.clone();
    swapped.index = 1;
    let package = SigningPackage::new(group, message(3), vec![swapped, c2.clone()]).unwrap();
    assert_eq!(
        sign_round2(&shares[0], n1.clone(), &package),
        Err(FrostError::CommitmentMismatch(1))
    );
    // A signer not in the signing set.
    let package = SigningPackage::new(group, message(3), vec![c1.clone(), c2.clone()]).unwrap();
    let (n3, _) = sign_round1(&shares[2], &mut r).unwrap();
    assert_eq!(
        sign_round2(&shares[2], n3, &package),
        Err(FrostError::UnknownParticipant(3))
    );
    // Aggregation: a missing share, a share from outside the set, duplicates.
    let z1 = sign_round2(&shares[0], n1, &package).unwrap();
    let z2 = sign_round2(&shares[1], n2, &package).unwrap();
    assert_eq!(
        aggregate(group, &package, std::slice::from_ref(&z1)),
        Err(FrostError::Missing(2))
    );
    let outsider = SignatureShare {
        index: 3,
        share: z2.share.clone(),
    };
    assert_eq!(
        aggregate(group, &package, &[z1.clone(), z2.clone(), outsider]),
        Err(FrostError::UnknownParticipant(3))
    );
    assert_eq!(
        aggregate(group, &package, &[z1.clone(), z1.clone()]),
        Err(FrostError::Duplicate(1))
    );
    assert!(aggregate(group, &package, &[z2, z1]).is_ok());
}

#[test]
fn dkg_names_a_dealer_whose_proof_of_knowledge_fails() {
    let mut d = dkg_rounds(2, 3, 8);
    // Participant 2 publishes commitments it cannot prove it knows the
    // secret of (a rogue-key attempt: another's constant term).
    d.packages[1].commitments[0] = d.packages[0].commitments[0].clone();
    let err = dkg_round2(&d.secrets[0], &d.packages).unwrap_err();
    assert_eq!(err, FrostError::BadProofOfKnowledge(2));
    assert_eq!(err.culprit(), Some(2));
}

#[test]
fn dkg_names_a_dealer_whose_share_does_not_match_its_commitments() {
    let mut d = dkg_rounds(3, 5, 9);
    for m in d.messages.iter_mut() {
        if m.from == 4 && m.to == 2 {
            m.share = scalar_decimal(&veil_circuits::babyjubjub::Scalar::from(7u64));
        }
    }
    let err = dkg_finish(&d.secrets[1], &d.packages, &inbox(&d.messages, 2)).unwrap_err();
    assert_eq!(
        err,
        FrostError::BadShare {
            dealer: 4,
            recipient: 2
        }
    );
    assert_eq!(err.culprit(), Some(4));
    // The others are unaffected.
    assert!(dkg_finish(&d.secrets[0], &d.packages, &inbox(&d.messages, 1)).is_ok());
}

#[test]
fn dkg_refuses_strangers_duplicates_missing_and_foreign_packages() {
    let d = dkg_rounds(2, 3, 10);
    let me = &d.secrets[0];
    let mine = inbox(&d.messages, 1);

    // A share from a non-participant.
    let mut from_stranger = mine.clone();
    from_stranger.push(ShareMessage {
        from: 7,
        to: 1,
        share: "1".into(),
    });
    assert_eq!(
        dkg_finish(me, &d.packages, &from_stranger),
        Err(FrostError::UnknownParticipant(7))
    );
    // The same dealer twice.
    let mut twice = mine.clone();
    twice.push(mine[0].clone());
    assert_eq!(
        dkg_finish(me, &d.packages, &twice),
        Err(FrostError::Duplicate(mine[0].from))
    );
    // A missing share.
    assert_eq!(
        dkg_finish(me, &d.packages, &mine[..1]),
        Err(FrostError::Missing(mine[1].from))
    );
    // A share addressed to someone else.
    let misaddressed: Vec<_> = d.messages.iter().filter(|m| m.to == 2).cloned().collect();
    let err = dkg_finish(me, &d.packages, &misaddressed).unwrap_err();
    assert!(matches!(err, FrostError::Malformed { .. }), "{err}");
    // A missing package, a package for other parameters, a garbled point.
    assert_eq!(
        dkg_round2(me, &d.packages[..2]),
        Err(FrostError::Missing(3))
    );
    let mut foreign = d.packages.clone();
    foreign[2].parameters.context = "did:veil:another".into();
    assert_eq!(
        dkg_round2(me, &foreign),
        Err(FrostError::WrongParameters(3))
    );
    let mut garbled = d.packages.clone();
    garbled[1].proof_r = PointJson {
        x: "5".into(),
        y: "not a number".into(),
    };
    let err = dkg_round2(me, &garbled).unwrap_err();
    assert_eq!(err.culprit(), Some(2), "{err}");
    // Bad parameters.
    assert_eq!(
        dkg_round1(&params(1, 3), 1, &mut rng(0)).unwrap_err(),
        FrostError::Parameters {
            threshold: 1,
            members: 3
        }
    );
    assert_eq!(
        dkg_round1(&params(2, 3), 4, &mut rng(0)).unwrap_err(),
        FrostError::UnknownParticipant(4)
    );
}

#[test]
fn files_round_trip_and_secrets_stay_out_of_debug_output() {
    let d = dkg_rounds(2, 3, 11);
    let text = serde_json::to_string(&d.secrets[0]).unwrap();
    let back: Round1Secret = serde_json::from_str(&text).unwrap();
    assert_eq!(
        dkg_round2(&back, &d.packages).unwrap(),
        dkg_round2(&d.secrets[0], &d.packages).unwrap()
    );
    assert!(!format!("{:?}", d.secrets[0]).contains(&d.secrets[0].coefficients[0]));
    let shares = keygen(2, 3, 11);
    let (nonces, _) = sign_round1(&shares[0], &mut rng(1)).unwrap();
    assert!(!format!("{nonces:?}").contains(&nonces.hiding));
    // Unknown fields are refused (a typo must not silently drop data).
    let mut v = serde_json::to_value(&shares[0]).unwrap();
    v["extra"] = json!(1);
    assert!(serde_json::from_value::<KeyShare>(v).is_err());
}

// --- circomlibjs ---------------------------------------------------------

/// veil-did's interop package (circomlibjs and didkit, one `npm ci`).
fn interop_dir() -> PathBuf {
    PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into()))
        .join("../did/interop")
}

fn circomlibjs_available() -> bool {
    let ok = Command::new("node").arg("--version").output().is_ok()
        && interop_dir().join("node_modules/circomlibjs").exists();
    if !ok {
        assert!(
            std::env::var("VEIL_REQUIRE_DIDKIT").is_err(),
            "circomlibjs required but node or did/interop/node_modules is missing"
        );
        eprintln!("skipped: node or circomlibjs not installed (npm ci in did/interop)");
    }
    ok
}

/// circomlibjs's `verifyPoseidon` accepts each signature, and refuses each
/// with S changed.
fn circomlibjs_agrees(produced: &[(F, Signature, PointJson)]) {
    if !circomlibjs_available() {
        return;
    }
    let mut cases = Vec::new();
    for (m, sig, key) in produced {
        for tamper in [false, true] {
            let s = if tamper {
                sig.s + veil_circuits::babyjubjub::Scalar::from(1u64)
            } else {
                sig.s
            };
            cases.push(json!({
                "message": field_to_decimal(m),
                "publicKey": key,
                "r8": point_json(&sig.r8),
                "s": scalar_decimal(&s),
            }));
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("cases.json");
    std::fs::write(&file, serde_json::to_string(&cases).unwrap()).unwrap();
    let out = Command::new("node")
        .arg(interop_dir().join("verify-poseidon.js"))
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let results: Vec<bool> = serde_json::from_slice(&out.stdout).unwrap();
    let expected: Vec<bool> = (0..cases.len()).map(|k| k % 2 == 0).collect();
    assert_eq!(results, expected);
}
