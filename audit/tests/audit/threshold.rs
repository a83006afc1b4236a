//! t-of-n escrow decryption: every quorum opens, fewer cannot, a cheating
//! official is named, a partial made for another record is refused, a wrong
//! key recovers nothing.

use crate::common::{credential_id, regulator, regulator_file, rng};
use ark_ec::CurveGroup;
use veil_audit::threshold::{split, RegulatorShare, ThresholdError};
use veil_circuits::babyjubjub::{base8, Point};
use veil_circuits::statement::{escrow, escrow_randomness};
use veil_circuits::F;

fn escrowed(key: &veil_circuits::eddsa::PublicKey, id: F) -> (Point, F) {
    let r = escrow_randomness(&mut rng(77));
    let ((x, y), ct) = escrow(id, key, &r);
    (
        veil_circuits::babyjubjub::point_from_coords(x, y).unwrap(),
        ct,
    )
}

fn subsets(n: usize, t: usize) -> Vec<Vec<usize>> {
    (0u32..1 << n)
        .filter(|m| m.count_ones() as usize == t)
        .map(|m| (0..n).filter(|i| m & (1 << i) != 0).collect())
        .collect()
}

fn quorums_open(t: u32, n: u32, seed: u64) {
    let (sk, pk) = regulator(seed);
    let (group, shares) = split(&sk, t, n, &mut rng(seed + 1)).unwrap();
    group.check().unwrap();
    assert_eq!(group.public_key().unwrap(), pk.0);
    let id = credential_id(seed);
    let (c1, ct) = escrowed(&pk, id);
    for subset in subsets(n as usize, t as usize) {
        let chosen: Vec<RegulatorShare> = subset.iter().map(|&i| shares[i].clone()).collect();
        // As proven partials, combined by someone holding no share.
        let partials: Vec<_> = chosen
            .iter()
            .map(|s| s.partial_decrypt(&c1, CONTEXT, &mut rng(5)).unwrap())
            .collect();
        assert_eq!(
            group.decrypt(&c1, ct, CONTEXT, &partials).unwrap(),
            id,
            "{subset:?}"
        );
    }
    // One official fewer than t recovers nothing.
    let few: Vec<_> = shares[..t as usize - 1]
        .iter()
        .map(|s| s.partial_decrypt(&c1, CONTEXT, &mut rng(6)).unwrap())
        .collect();
    if t > 1 {
        assert_eq!(
            group.decrypt(&c1, ct, CONTEXT, &few),
            Err(ThresholdError::NotEnough {
                have: t as usize - 1,
                need: t as usize
            })
        );
    }
}

#[test]
fn two_of_three() {
    quorums_open(2, 3, 20);
}

#[test]
fn three_of_five() {
    quorums_open(3, 5, 30);
}

#[test]
fn a_single_key_is_a_one_of_one_group() {
    let (sk, pk) = regulator(40);
    let share = RegulatorShare::from_key(&regulator_file(&sk)).unwrap();
    let (c1, ct) = escrowed(&pk, credential_id(40));
    let partial = share.partial_decrypt(&c1, CONTEXT, &mut rng(4)).unwrap();
    assert_eq!(
        share.group.decrypt(&c1, ct, CONTEXT, &[partial]).unwrap(),
        credential_id(40)
    );
    assert_eq!(
        veil_circuits::statement::escrow_decrypt(&sk, &c1, ct),
        credential_id(40)
    );
}

#[test]
fn a_cheating_official_is_named() {
    let (sk, pk) = regulator(50);
    let (group, shares) = split(&sk, 2, 3, &mut rng(51)).unwrap();
    let (c1, ct) = escrowed(&pk, credential_id(50));
    let honest = shares[0]
        .partial_decrypt(&c1, CONTEXT, &mut rng(1))
        .unwrap();
    // Official 2 hands in a random point with a proof for it.
    let mut cheat = shares[1]
        .partial_decrypt(&c1, CONTEXT, &mut rng(2))
        .unwrap();
    cheat.share_point = veil_circuits::statement::files::PointJson::from_key(
        &veil_circuits::eddsa::PublicKey((base8() * ark_ed_on_bn254_fr(7)).into_affine()),
    );
    assert_eq!(
        group.decrypt(&c1, ct, CONTEXT, &[honest.clone(), cheat]),
        Err(ThresholdError::BadPartial(2))
    );
    // A partial made with another official's share under this one's name.
    let mut impostor = shares[2]
        .partial_decrypt(&c1, CONTEXT, &mut rng(3))
        .unwrap();
    impostor.index = 2;
    assert_eq!(
        group.decrypt(&c1, ct, CONTEXT, &[honest.clone(), impostor]),
        Err(ThresholdError::BadPartial(2))
    );
    // The same official twice, a stranger.
    assert_eq!(
        group.decrypt(&c1, ct, CONTEXT, &[honest.clone(), honest.clone()]),
        Err(ThresholdError::Duplicate(1))
    );
    let mut stranger = honest.clone();
    stranger.index = 9;
    assert_eq!(
        group.decrypt(&c1, ct, CONTEXT, &[honest, stranger]),
        Err(ThresholdError::UnknownMember(9))
    );
    // A share that does not match the dealer's commitments.
    let mut bad = shares[0].clone();
    bad.secret = "12345".into();
    assert_eq!(bad.secret(), Err(ThresholdError::BadShare(1)));
    // Parameters out of range.
    assert!(matches!(
        split(&sk, 4, 3, &mut rng(1)),
        Err(ThresholdError::Parameters { .. })
    ));
}

#[test]
fn a_wrong_key_recovers_nothing() {
    let (_, pk) = regulator(60);
    let (other, _) = regulator(61);
    let (c1, ct) = escrowed(&pk, credential_id(60));
    let wrong = RegulatorShare::from_key(&regulator_file(&other)).unwrap();
    let partial = wrong.partial_decrypt(&c1, CONTEXT, &mut rng(1)).unwrap();
    assert_ne!(
        wrong.group.decrypt(&c1, ct, CONTEXT, &[partial]).unwrap(),
        credential_id(60)
    );
    // Wrong shares from another split of another key neither.
    let (group, shares) = split(&other, 2, 3, &mut rng(62)).unwrap();
    let partials: Vec<_> = shares[..2]
        .iter()
        .map(|s| s.partial_decrypt(&c1, CONTEXT, &mut rng(2)).unwrap())
        .collect();
    assert_ne!(
        group.decrypt(&c1, ct, CONTEXT, &partials).unwrap(),
        credential_id(60)
    );
}

#[test]
fn r2_beyond_a_partial_checks_only_for_the_record_it_was_released_for() {
    let (sk, pk) = regulator(70);
    let (group, shares) = split(&sk, 2, 3, &mut rng(71)).unwrap();
    let (c1, ct) = escrowed(&pk, credential_id(70));
    let partials: Vec<_> = shares[..2]
        .iter()
        .map(|s| s.partial_decrypt(&c1, CONTEXT, &mut rng(3)).unwrap())
        .collect();
    assert_eq!(
        group.decrypt(&c1, ct, CONTEXT, &partials).unwrap(),
        credential_id(70)
    );
    // Presented for another record (of the same escrow): the first
    // official's partial does not check.
    assert_eq!(
        group.decrypt(&c1, ct, b"another record", &partials),
        Err(ThresholdError::BadPartial(shares[0].index))
    );
}

/// The record a partial is bound to, in these tests.
const CONTEXT: &[u8] = b"log L, record 7, request H";

fn ark_ed_on_bn254_fr(v: u64) -> veil_circuits::babyjubjub::Scalar {
    veil_circuits::babyjubjub::Scalar::from(v)
}
